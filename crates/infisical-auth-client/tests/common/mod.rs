//! A reference server on 127.0.0.1:0 behind a test middleware that counts requests by method and
//! path, remembers the last bearer token it saw, and can answer with injected faults (a status
//! with an optional `Retry-After`, or a delay) instead of the server.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::{from_fn, Next};
use axum::response::Response;
use infisical_auth_client::{BaseUrl, Client, RetryPolicy};
use infisical_auth_reference::{app, build, ReferenceConfig};

/// The admin token of the test server.
pub const ADMIN: &str = "session-test-admin";
pub const LOGIN: &str = "POST /api/v1/auth/universal-auth/login";
pub const RENEW: &str = "POST /api/v1/auth/token/renew";

/// What the middleware answers instead of the server.
#[derive(Clone, Debug)]
pub enum Fault {
    /// This status, an optional `Retry-After`, and this body.
    Answer(u16, Option<&'static str>, String),
    /// Wait, then pass the request on.
    Delay(Duration),
}

/// Counts and faults shared with the middleware.
#[derive(Default)]
pub struct Probe {
    counts: Mutex<HashMap<String, usize>>,
    faults: Mutex<HashMap<String, VecDeque<Fault>>>,
    last_bearer: Mutex<Option<String>>,
}

impl Probe {
    /// Requests seen for `key` (`"GET /api/..."`), faulted ones included.
    pub fn count(&self, key: &str) -> usize {
        self.counts.lock().unwrap().get(key).copied().unwrap_or(0)
    }
    /// Answers the next requests to `key` with `faults`, in order.
    pub fn inject(&self, key: &str, faults: impl IntoIterator<Item = Fault>) {
        self.faults
            .lock()
            .unwrap()
            .entry(key.to_owned())
            .or_default()
            .extend(faults);
    }
    /// The bearer token of the latest request that carried one.
    pub fn last_bearer(&self) -> Option<String> {
        self.last_bearer.lock().unwrap().clone()
    }
}

/// Infisical's error body for `status`.
pub fn error_body(status: u16, error: &str, message: &str) -> String {
    serde_json::json!({
        "reqId": "req-injected000001",
        "statusCode": status,
        "error": error,
        "message": message,
    })
    .to_string()
}

pub struct Server {
    pub base: String,
    pub probe: Arc<Probe>,
    pub admin: Client,
}

pub async fn start() -> Server {
    let config = ReferenceConfig {
        admin_token: ADMIN.into(),
        ..ReferenceConfig::default()
    };
    let api = build(&config).expect("reference state");
    let probe = Arc::new(Probe::default());
    let seen = probe.clone();
    let router = app(api, false).layer(from_fn(move |request: Request, next: Next| {
        let probe = seen.clone();
        async move { observe(probe, request, next).await }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    let admin = Client::connect(BaseUrl::SelfHosted(base.clone()))
        .bearer_token(ADMIN)
        .retry(RetryPolicy::none())
        .build()
        .expect("admin client");
    Server { base, probe, admin }
}

async fn observe(probe: Arc<Probe>, request: Request, next: Next) -> Response {
    let key = format!("{} {}", request.method(), request.uri().path());
    *probe.counts.lock().unwrap().entry(key.clone()).or_default() += 1;
    if let Some(bearer) = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        *probe.last_bearer.lock().unwrap() = Some(bearer.to_owned());
    }
    let fault = probe
        .faults
        .lock()
        .unwrap()
        .get_mut(&key)
        .and_then(VecDeque::pop_front);
    match fault {
        Some(Fault::Answer(status, retry_after, body)) => {
            let mut response = Response::builder()
                .status(status)
                .header("content-type", "application/json");
            if let Some(after) = retry_after {
                response = response.header("retry-after", after);
            }
            response.body(Body::from(body)).expect("response")
        }
        Some(Fault::Delay(wait)) => {
            tokio::time::sleep(wait).await;
            next.run(request).await
        }
        None => next.run(request).await,
    }
}

/// An identity with universal auth attached (`config`: TTLs, period, use limit) and a client
/// secret: `(identity id, client id, client secret)`.
pub async fn identity(
    server: &Server,
    config: infisical_auth_client::types::AttachUniversalAuthBody,
) -> (String, String, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/identities", server.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("create identity");
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    let identity = body["identity"]["id"].as_str().expect("id").to_owned();
    let attached = server
        .admin
        .attach_universal_auth()
        .identity_id(&identity)
        .body(config)
        .send()
        .await
        .expect("attach");
    let client_id = attached.identity_universal_auth.client_id.clone();
    let secret = server
        .admin
        .create_universal_auth_client_secret()
        .identity_id(&identity)
        .body(
            infisical_auth_client::types::CreateUniversalAuthClientSecretBody {
                description: "session test".into(),
                ..Default::default()
            },
        )
        .send()
        .await
        .expect("client secret")
        .into_inner()
        .client_secret;
    (identity, client_id, secret.expose_secret().to_owned())
}

/// `"GET /api/v1/auth/universal-auth/identities/<id>"`.
pub fn get_key(identity: &str) -> String {
    format!("GET /api/v1/auth/universal-auth/identities/{identity}")
}
