//! Safe retries and every variant of `Error`, each produced by a real exchange with the reference
//! server over loopback (faults set as the server's own fault rules, requests counted from its
//! journal), with its one-line `Display`.

mod common;

use std::time::{Duration, Instant};

use common::{identity, start, FaultRule, Server, CREATE_SECRET, GET};
use infisical_auth_client::{types, BaseUrl, Client, Error, RetryPolicy};

fn admin(server: &Server, retry: RetryPolicy) -> Client {
    Client::connect(BaseUrl::SelfHosted(server.base.clone()))
        .bearer_token(server.admin_token())
        .retry(retry)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_read_answered_503_twice_succeeds_on_the_third_try() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default());
    server.fault(FaultRule::status(GET, 503).times(2));
    let client = admin(&server, RetryPolicy::default());
    let answer = client.get_universal_auth().identity_id(&id).send().await;
    assert!(answer.is_ok(), "{answer:?}");
    let statuses: Vec<_> = server.requests_for(GET).iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(503), Some(503), Some(200)]);
}

#[tokio::test]
async fn retries_end_at_the_attempt_limit_with_the_last_answer() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default());
    server.fault(FaultRule::status(GET, 503).times(5));
    let client = admin(
        &server,
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
    assert_eq!(server.count(GET), 3);
    assert_eq!(server.faults()[0].remaining, 2, "two faults left unused");
}

#[tokio::test]
async fn a_429_with_retry_after_one_second_waits_about_a_second() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default());
    server.fault(FaultRule::status(GET, 429).retry_after(1));
    let client = admin(&server, RetryPolicy::default());
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
    let requests = server.requests_for(GET);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].fault.as_deref(), Some("status"));
    let gap = (requests[1].time - requests[0].time).num_milliseconds();
    assert!(gap >= 1000, "the retry came {gap} ms after the 429");
}

#[tokio::test]
async fn a_creation_answered_503_is_not_sent_again() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default());
    server.fault(FaultRule::status(CREATE_SECRET, 503));
    let client = admin(&server, RetryPolicy::default());
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
    assert_eq!(server.count(CREATE_SECRET), 1);
    let secrets = client
        .list_universal_auth_client_secrets()
        .identity_id(&id)
        .send()
        .await
        .expect("list");
    assert_eq!(
        secrets.client_secret_data.len(),
        1,
        "only the helper's secret: the faulted creation made none"
    );
}

#[tokio::test]
async fn refused_before_sending() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default());
    let err = admin(&server, RetryPolicy::none())
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
    assert_eq!(server.count("attachUniversalAuth"), 0, "nothing sent");
}

#[tokio::test]
async fn a_parameter_not_set() {
    let server = start().await;
    let err = admin(&server, RetryPolicy::none())
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
    let err = admin(&server, RetryPolicy::none())
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
    let err = Client::connect(BaseUrl::SelfHosted(base.clone()))
        .bearer_token("token")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
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
    let (id, ..) = identity(&server, Default::default());
    server.fault(FaultRule::delay(GET, Duration::from_secs(2)));
    let err = Client::connect(BaseUrl::SelfHosted(server.base.clone()))
        .bearer_token(server.admin_token())
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

/// A proxy's HTML page instead of Infisical's answer (the reference server's faults always answer
/// in Infisical's shape, so a bare server stands in for the proxy).
#[tokio::test]
async fn an_answer_that_is_not_infisicals() {
    let page = format!("<html>{}</html>", "bad gateway ".repeat(100));
    let proxy = axum::Router::new().fallback(move || {
        let page = page.clone();
        async move { (axum::http::StatusCode::BAD_GATEWAY, page) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, proxy).await });
    let err = Client::connect(BaseUrl::SelfHosted(base))
        .bearer_token("token")
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
        .get_universal_auth()
        .identity_id("00000000-0000-4000-8000-000000000000")
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
