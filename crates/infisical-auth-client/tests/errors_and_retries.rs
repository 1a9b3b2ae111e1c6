//! Safe retries and every variant of `Error`, each produced by a real exchange with the reference
//! server over loopback (faults injected by the test middleware), with its one-line `Display`.

mod common;

use std::time::{Duration, Instant};

use common::{error_body, get_key, identity, start, Fault, ADMIN};
use infisical_auth_client::{types, BaseUrl, Client, Error, RetryPolicy};

fn admin(base: &str, retry: RetryPolicy) -> Client {
    Client::connect(BaseUrl::SelfHosted(base.to_owned()))
        .bearer_token(ADMIN)
        .retry(retry)
        .build()
        .unwrap()
}

fn unavailable() -> Fault {
    Fault::Answer(503, None, error_body(503, "ServiceUnavailable", "busy"))
}

#[tokio::test]
async fn a_read_answered_503_twice_succeeds_on_the_third_try() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default()).await;
    server
        .probe
        .inject(&get_key(&id), [unavailable(), unavailable()]);
    let client = admin(&server.base, RetryPolicy::default());
    let answer = client.get_universal_auth().identity_id(&id).send().await;
    assert!(answer.is_ok(), "{answer:?}");
    assert_eq!(server.probe.count(&get_key(&id)), 3);
}

#[tokio::test]
async fn retries_end_at_the_attempt_limit_with_the_last_answer() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default()).await;
    server
        .probe
        .inject(&get_key(&id), (0..5).map(|_| unavailable()));
    let client = admin(
        &server.base,
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        },
    );
    let err = client
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    assert_eq!(server.probe.count(&get_key(&id)), 3);
}

#[tokio::test]
async fn a_429_with_retry_after_one_second_waits_about_a_second() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default()).await;
    let busy = error_body(429, "TooManyRequests", "slow down");
    server
        .probe
        .inject(&get_key(&id), [Fault::Answer(429, Some("1"), busy)]);
    let client = admin(&server.base, RetryPolicy::default());
    let started = Instant::now();
    client
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("second try");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1000) && waited < Duration::from_millis(1800),
        "{waited:?}"
    );
    assert_eq!(server.probe.count(&get_key(&id)), 2);
}

#[tokio::test]
async fn a_creation_answered_503_is_not_sent_again() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default()).await;
    let key = format!("POST /api/v1/auth/universal-auth/identities/{id}/client-secrets");
    let before = server.probe.count(&key);
    server.probe.inject(&key, [unavailable()]);
    let client = admin(&server.base, RetryPolicy::default());
    let err = client
        .create_universal_auth_client_secret()
        .identity_id(&id)
        .body(types::CreateUniversalAuthClientSecretBody {
            description: "once".into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.probe.count(&key), before + 1);
}

#[tokio::test]
async fn refused_before_sending() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default()).await;
    let key = format!("POST /api/v1/auth/universal-auth/identities/{id}");
    let before = server.probe.count(&key);
    let err = admin(&server.base, RetryPolicy::none())
        .attach_universal_auth()
        .identity_id(&id)
        .body(types::AttachUniversalAuthBody {
            access_token_ttl: 7200,
            access_token_max_ttl: 3600,
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "attachUniversalAuth refused before sending: Access Token TTL cannot be greater than Access Token Max TTL."
    );
    assert_eq!(err.status(), Some(422));
    assert!(!err.is_retryable());
    assert_eq!(err.rejection().map(|r| r.issues().len()), Some(1));
    assert_eq!(server.probe.count(&key), before, "nothing sent");
}

#[tokio::test]
async fn a_parameter_not_set() {
    let server = start().await;
    let err = admin(&server.base, RetryPolicy::none())
        .get_universal_auth()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "getUniversalAuth could not be built: identity_id was not initialized"
    );
}

#[tokio::test]
async fn infisicals_error_answer() {
    let server = start().await;
    let err = admin(&server.base, RetryPolicy::none())
        .get_universal_auth()
        .identity_id("00000000-0000-4000-8000-000000000000")
        .send()
        .await
        .unwrap_err();
    let body = err.body().expect("Infisical's error body").clone();
    assert_eq!(err.status(), Some(body.status_code));
    assert_eq!(err.req_id(), Some(body.req_id.as_str()));
    assert_eq!(
        err.to_string(),
        format!(
            "getUniversalAuth answered {} {}: {} ({})",
            body.status_code,
            body.error,
            body.message_text(),
            body.req_id
        )
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_server_that_does_not_listen() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = admin(&base, RetryPolicy::none())
        .get_universal_auth()
        .identity_id("x")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("getUniversalAuth failed in transport: could not connect"),
        "{text}"
    );
    assert!(!text.contains(&base), "no URL in the text: {text}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn no_answer_within_the_timeout() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default()).await;
    server
        .probe
        .inject(&get_key(&id), [Fault::Delay(Duration::from_secs(2))]);
    let err = Client::connect(BaseUrl::SelfHosted(server.base.clone()))
        .bearer_token(ADMIN)
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("getUniversalAuth timed out after "),
        "{err}"
    );
}

#[tokio::test]
async fn an_answer_that_is_not_infisicals() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default()).await;
    let page = format!("<html>{}</html>", "bad gateway ".repeat(100));
    server
        .probe
        .inject(&get_key(&id), [Fault::Answer(502, None, page)]);
    let err = admin(&server.base, RetryPolicy::none())
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .unwrap_err();
    let Error::Unexpected {
        status, excerpt, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 502);
    assert!(excerpt.starts_with("<html>bad gateway") && excerpt.len() <= 512);
    let text = err.to_string();
    assert!(
        text.starts_with(
            "getUniversalAuth got an unexpected answer: status 502, body \"<html>bad gateway"
        ),
        "{text}"
    );
    assert!(!text.contains('\n'));
}
