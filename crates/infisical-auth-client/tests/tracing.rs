//! With the `tracing` feature each request is a span with the operation id, method, path
//! template, attempt, status and latency, and never a header, a body, a query value or a token
//! (`cargo test -p infisical-auth-client --features tracing --test tracing`).

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::{identity, recording_session, start};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Every span name and field (`name field=value`) and every event field, as text.
#[derive(Clone, Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicU64>,
}

struct Fields(String);
impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields(span.metadata().name().to_owned());
        span.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
        Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut fields = Fields("record".to_owned());
        values.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields("event".to_owned());
        event.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn a_span_per_request_without_secrets() {
    let server = start().await;
    let (id, client_id, secret) = identity(&server, Default::default());
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let (session, tokens) = recording_session(&server.base, &client_id, &secret);
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("call");
    let token: String = tokens.lock().unwrap()[0].clone();
    let lines = recorder.lines.lock().unwrap().join("\n");
    assert!(
        lines.contains("infisical.request operation=\"loginWithUniversalAuth\" method=\"POST\" path=\"/api/v1/auth/universal-auth/login\" attempt=1"),
        "{lines}"
    );
    assert!(
        lines.contains("infisical.request operation=\"getUniversalAuth\" method=\"GET\" path=\"/api/v1/auth/universal-auth/identities/{identityId}\" attempt=1"),
        "{lines}"
    );
    assert!(lines.contains("status=200"), "{lines}");
    assert!(lines.contains("latency_ms="), "{lines}");
    for secret_text in [&secret, &token, &id, &client_id] {
        assert!(
            !lines.contains(secret_text.as_str()),
            "{secret_text} leaked: {lines}"
        );
    }
}
