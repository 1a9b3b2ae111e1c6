//! The client's retries and `Session` driven through every kind of fault the reference server
//! injects (a status with or without `Retry-After`, a delay, a connection dropped after the
//! request was read), each checked against what reached the server (its journal) and what the
//! server holds afterwards (tokens issued, client-secret uses).

mod common;

use std::time::{Duration, Instant};

use common::{identity, session, start, FaultRule, Server, GET, LOGIN, RENEW};
use infisical_auth_client::{types, BaseUrl, Client, Error, RetryPolicy};

fn admin(server: &Server) -> Client {
    Client::connect(BaseUrl::SelfHosted(server.base.clone()))
        .bearer_token(server.admin_token())
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

/// The statuses of the requests of `operation_id` in the journal, oldest first (`None`: dropped).
fn statuses(server: &Server, operation_id: &str) -> Vec<Option<u16>> {
    server
        .requests_for(operation_id)
        .iter()
        .map(|e| e.status)
        .collect()
}

#[tokio::test]
async fn a_login_answered_503_is_not_replayed_and_burns_no_use() {
    let server = start().await;
    // A client secret good for one login: a login the rule answers must not use it up.
    let (id, client_id, _) = identity(&server, Default::default());
    let secret = server
        .admin
        .create_universal_auth_client_secret()
        .identity_id(&id)
        .body(types::CreateUniversalAuthClientSecretBody {
            description: "one login".into(),
            num_uses_limit: 1.0,
            ..Default::default()
        })
        .send()
        .await
        .expect("secret")
        .into_inner()
        .client_secret;
    server.fault(FaultRule::status(LOGIN, 503));
    let session = session(&server.base, &client_id, secret.expose_secret());
    let err = session.login().await.expect_err("503");
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        statuses(&server, LOGIN),
        [Some(503)],
        "sent once, not replayed"
    );
    let faulted = &server.requests_for(LOGIN)[0];
    assert_eq!(faulted.fault.as_deref(), Some("status"));
    assert_eq!(server.api().token_count(), 0, "no token issued");
    // The one use is still there.
    session.login().await.expect("the secret's one login");
    assert_eq!(statuses(&server, LOGIN), [Some(503), Some(200)]);
    assert_eq!(server.api().token_count(), 1);
}

#[tokio::test]
async fn a_read_answered_503_with_retry_after_one_second_succeeds_after_a_second() {
    let server = start().await;
    let (id, client_id, secret) = identity(&server, Default::default());
    let session = session(&server.base, &client_id, &secret);
    session.login().await.expect("login");
    server.fault(FaultRule::status(GET, 503).retry_after(1));
    let started = Instant::now();
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("retried after the Retry-After");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_millis(1900),
        "{waited:?}"
    );
    let reads = server.requests_for(GET);
    assert_eq!(statuses(&server, GET), [Some(503), Some(200)]);
    assert!((reads[1].time - reads[0].time).num_milliseconds() >= 1000);
    assert_eq!(reads[1].caller_identity_id.as_deref(), Some(id.as_str()));
    assert_eq!(server.count(LOGIN), 1, "the 503 did not cost a login");
}

#[tokio::test]
async fn reads_are_retried_after_429_502_and_504_but_not_after_500() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default());
    let client = admin(&server);
    for status in [429, 502, 504] {
        server.clear_requests();
        server.fault(FaultRule::status(GET, status));
        client
            .get_universal_auth()
            .identity_id(&id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("after a {status}: {e}"));
        assert_eq!(statuses(&server, GET), [Some(status), Some(200)]);
    }
    server.clear_requests();
    server.fault(FaultRule::status(GET, 500));
    let err = client
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect_err("500");
    assert_eq!(err.status(), Some(500));
    assert_eq!(
        err.body().map(|b| b.error.as_str()),
        Some("InternalServerError"),
        "Infisical's error shape"
    );
    assert_eq!(statuses(&server, GET), [Some(500)]);
}

/// A read whose connection the server drops once it has read the request: the client sends it
/// again (a read is safe to repeat) and the second one is answered.
#[tokio::test]
async fn a_dropped_read_is_sent_again() {
    let server = start().await;
    let (id, ..) = identity(&server, Default::default());
    server.fault(FaultRule::drop_connection(GET));
    admin(&server)
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("the read is sent again");
    assert_eq!(statuses(&server, GET), [None, Some(200)]);
    assert_eq!(server.requests_for(GET)[0].fault.as_deref(), Some("drop"));
}

/// A login whose connection is dropped after the server read it may have counted there: it is
/// not sent again, and the caller gets a transport error.
#[tokio::test]
async fn a_dropped_login_is_not_replayed() {
    let server = start().await;
    let (_, client_id, secret) = identity(&server, Default::default());
    server.fault(FaultRule::drop_connection(LOGIN));
    let session = session(&server.base, &client_id, &secret);
    let err = session.login().await.expect_err("dropped");
    assert!(err.status().is_none(), "no answer: {err}");
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(statuses(&server, LOGIN), [None], "sent once");
    assert_eq!(server.api().token_count(), 0, "no token issued");
    session.login().await.expect("the next login");
}

#[tokio::test]
async fn a_delayed_login_is_answered_late_and_a_call_past_its_timeout_times_out() {
    let server = start().await;
    let (id, client_id, secret) = identity(&server, Default::default());
    server.fault(FaultRule::delay(LOGIN, Duration::from_millis(300)));
    let session = session(&server.base, &client_id, &secret);
    let started = Instant::now();
    session.login().await.expect("late but answered");
    assert!(started.elapsed() >= Duration::from_millis(300));
    let login = &server.requests_for(LOGIN)[0];
    assert_eq!(
        (login.status, login.fault.as_deref()),
        (Some(200), Some("delay"))
    );
    assert!(login.latency_ms >= 300.0, "{}", login.latency_ms);
    assert_eq!(login.identity_id.as_deref(), Some(id.as_str()));

    server.fault(FaultRule::delay(GET, Duration::from_secs(2)).times(4));
    let err = Client::connect(BaseUrl::SelfHosted(server.base.clone()))
        .bearer_token(server.admin_token())
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect_err("timed out");
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    // Both attempts reached the server (a read is retried after a timeout); the client gave up
    // on each before its answer, which the journal shows without a status.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.faults()[0].remaining, 2);
    let reads = server.requests_for(GET);
    assert_eq!(reads.len(), 2);
    assert!(reads
        .iter()
        .all(|r| r.status.is_none() && r.fault.as_deref() == Some("delay") && r.req_id.is_none()));
}

/// A renewal dropped after the server read it is sent again (renewing twice has the effect of
/// once) and does not fail the call; no new login is needed.
#[tokio::test]
async fn a_dropped_renewal_does_not_fail_the_call() {
    let server = start().await;
    let (id, client_id, secret) = identity(
        &server,
        types::AttachUniversalAuthBody {
            access_token_ttl: 2,
            access_token_max_ttl: 60,
            ..Default::default()
        },
    );
    let session = session(&server.base, &client_id, &secret);
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("first call");
    server.fault(FaultRule::drop_connection(RENEW));
    tokio::time::sleep(Duration::from_millis(1100)).await; // past the renewal point (1 s)
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("after the renewal");
    assert_eq!(
        statuses(&server, RENEW),
        [None, Some(200)],
        "the dropped renewal, then the renewal sent again"
    );
    assert_eq!(statuses(&server, GET), [Some(200), Some(200)]);
    assert_eq!(server.count(LOGIN), 1, "no new login");
}

/// Sixteen calls waiting on a login that a rule answers 503 share that one login; the journal
/// shows it was sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_faulted_login() {
    let server = start().await;
    let (id, client_id, secret) = identity(&server, Default::default());
    server.fault(FaultRule::status(LOGIN, 503).retry_after(1));
    let session = session(&server.base, &client_id, &secret);
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let (session, id) = (session.clone(), id.clone());
            tokio::spawn(async move { session.get_universal_auth().identity_id(&id).send().await })
        })
        .collect();
    for call in calls {
        let err = call.await.expect("task").expect_err("no token");
        assert_eq!(err.status(), Some(503));
    }
    assert_eq!(statuses(&server, LOGIN), [Some(503)]);
    assert_eq!(server.count(GET), 0, "no call went out without a token");
}
