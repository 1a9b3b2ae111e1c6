//! The session against the reference server over loopback: renewals and logins counted from the
//! server's journal, single flight under concurrency, renew refused, periodic and use-limited
//! tokens, a token revoked behind the session's back, logout, and logins answered by a fault
//! rule.

mod common;

use std::time::{Duration, Instant};

use common::{
    identity, recording_session, session, start, start_with, FaultRule, TestServer, GET, LOGIN,
    RENEW, REVOKE,
};
use infisical_auth_client::{types, BaseUrl, Error, RetryPolicy, Session};

/// Universal auth with these token TTLs, the rest at the defaults.
fn config(ttl: i64, max_ttl: i64) -> types::AttachUniversalAuthBody {
    types::AttachUniversalAuthBody {
        access_token_ttl: ttl,
        access_token_max_ttl: max_ttl,
        ..Default::default()
    }
}

/// TTL 2 s, max TTL 6 s, 32 tasks calling for 20 s: no call fails, and the server sees about one
/// renewal per renewal window and one login per max TTL, not one per task.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_tasks_for_twenty_seconds_share_renewals_and_logins() {
    // A journal large enough for every call of the run.
    let server = start_with(TestServer::builder().journal_size(100_000)).await;
    let (id, client_id, secret) = identity(&server, config(2, 6));
    let session = session(&server.base, &client_id, &secret);
    let run = Duration::from_secs(20);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let session = session.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let mut calls = 0usize;
            while started.elapsed() < run {
                let answer = session.get_universal_auth().identity_id(&id).send().await;
                if let Err(error) = answer {
                    return Err(error.to_string());
                }
                calls += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Ok(calls)
        }));
    }
    let mut calls = 0;
    for task in tasks {
        calls += task.await.expect("task").expect("no call fails");
    }
    let (logins, renewals) = (server.count(LOGIN), server.count(RENEW));
    assert_eq!(server.count_for(GET, &id), calls, "no call resent");
    // Renewal window: margin min(0.5 + 0.25 × 2, 1) = 1 s, so a renewal each second; a login
    // when the next renewal would pass the 6 s max TTL, about every 5 s.
    assert!((3..=7).contains(&logins), "{logins} logins in 20 s");
    assert!((10..=24).contains(&renewals), "{renewals} renewals in 20 s");
    assert!(calls > 32 * 100, "only {calls} calls");
}

#[tokio::test]
async fn a_refused_renewal_leads_to_a_new_login() {
    let server = start().await;
    let (id, client_id, secret) = identity(&server, config(2, 60));
    let session = session(&server.base, &client_id, &secret);
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("first call");
    // Revoked behind the session's back: the renewal is refused 401.
    assert_eq!(server.revoke_access_tokens(&id), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await; // past the renewal point (1 s)
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("after the refusal");
    assert_eq!(
        server.count(RENEW),
        1,
        "the refused renewal is not repeated"
    );
    assert_eq!(server.count(LOGIN), 2, "a new login replaces renewal");
    assert_eq!(server.requests_for(RENEW)[0].status, Some(401));
}

#[tokio::test]
async fn a_periodic_token_keeps_working_past_its_max_ttl() {
    let server = start().await;
    let (id, client_id, secret) = identity(
        &server,
        types::AttachUniversalAuthBody {
            access_token_period: 1,
            ..config(1, 2)
        },
    );
    let session = session(&server.base, &client_id, &secret);
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(3500) {
        session
            .get_universal_auth()
            .identity_id(&id)
            .send()
            .await
            .expect("call");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(server.count(LOGIN), 1, "renewed, never logged in again");
    assert!(server.count(RENEW) >= 5, "{}", server.count(RENEW));
}

#[tokio::test]
async fn a_revoked_token_is_replaced_and_the_read_sent_again() {
    let server = start().await;
    let (id, client_id, secret) = identity(&server, Default::default());
    let session = session(&server.base, &client_id, &secret);
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("first call");
    assert_eq!(
        server.revoke_access_tokens(&id),
        1,
        "revoked behind the session's back"
    );
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("replaced");
    assert_eq!(server.count(LOGIN), 2);
    let statuses: Vec<_> = server.requests_for(GET).iter().map(|e| e.status).collect();
    assert_eq!(
        statuses,
        [Some(200), Some(401), Some(200)],
        "refused once, sent again once"
    );
}

#[tokio::test]
async fn a_use_limited_token_is_replaced_when_exhausted() {
    let server = start().await;
    let (id, client_id, secret) = identity(
        &server,
        types::AttachUniversalAuthBody {
            access_token_num_uses_limit: 2,
            ..Default::default()
        },
    );
    let session = session(&server.base, &client_id, &secret);
    for _ in 0..5 {
        session
            .get_universal_auth()
            .identity_id(&id)
            .send()
            .await
            .expect("call");
    }
    assert_eq!(server.count(LOGIN), 3, "two uses per token");
}

#[tokio::test]
async fn a_write_refused_for_its_token_is_not_sent_again() {
    let server = start().await;
    let (id, client_id, secret) = identity(&server, Default::default());
    let session = session(&server.base, &client_id, &secret);
    session.login().await.expect("login");
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("read");
    assert_eq!(server.revoke_access_tokens(&id), 1);
    let err = session
        .create_universal_auth_client_secret()
        .identity_id(&id)
        .body(types::CreateUniversalAuthClientSecretBody {
            description: "x".into(),
            ..Default::default()
        })
        .send()
        .await
        .expect_err("refused");
    assert_eq!(err.status(), Some(401), "{err}");
    assert_eq!(
        server.count("createUniversalAuthClientSecret"),
        1,
        "a creation is not replayed"
    );
    // The token was replaced all the same: the next call works.
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("next call");
    assert_eq!(server.count(LOGIN), 2);
}

#[tokio::test]
async fn logout_revokes_the_token_and_a_later_call_logs_in_again() {
    let server = start().await;
    let (id, client_id, secret) = identity(&server, Default::default());
    let (session, tokens) = recording_session(&server.base, &client_id, &secret);
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("call");
    let token = tokens.lock().unwrap()[0].clone();
    session.logout().await.expect("logout");
    let revokes = server.requests_for(REVOKE);
    assert_eq!(revokes.len(), 1);
    assert_eq!(revokes[0].status, Some(200));
    assert_eq!(revokes[0].identity_id.as_deref(), Some(id.as_str()));
    let reuse = infisical_auth_client::Client::connect(BaseUrl::SelfHosted(server.base.clone()))
        .bearer_token(token)
        .build()
        .unwrap()
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect_err("revoked");
    assert_eq!(reuse.status(), Some(401));
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("logs in again");
    assert_eq!(server.count(LOGIN), 2);
}

#[tokio::test]
async fn a_login_callback_runs_for_each_login_and_a_wrong_secret_is_a_session_error() {
    let server = start().await;
    let (id, client_id, secret) = identity(&server, Default::default());
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = calls.clone();
    let session = Session::builder(BaseUrl::SelfHosted(server.base.clone()))
        .login_with(move |client| {
            let (client_id, secret) = (client_id.clone(), secret.clone());
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                let answer = client
                    .login_with_universal_auth()
                    .body(types::LoginWithUniversalAuthBody::new(client_id, secret))
                    .send()
                    .await?;
                Ok(answer.into_inner().into())
            }
        })
        .build()
        .unwrap();
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("call");
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("call");
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);

    let wrong = Session::builder(BaseUrl::SelfHosted(server.base.clone()))
        .universal_auth("00000000-0000-4000-8000-000000000000", "not-the-secret")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = wrong
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect_err("no token");
    assert!(matches!(err, Error::Session { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("getUniversalAuth has no token: loginWithUniversalAuth answered 401"),
        "{text}"
    );
    assert!(!text.contains("not-the-secret") && !format!("{err:?}").contains("not-the-secret"));
    assert_eq!(err.status(), Some(401));
    assert!(err.req_id().is_some_and(|id| id.starts_with("req-")));
}

#[tokio::test]
async fn a_login_answered_503_is_not_sent_again() {
    let server = start().await;
    let (_, client_id, secret) = identity(&server, Default::default());
    server.fault(FaultRule::status(LOGIN, 503));
    let session = session(&server.base, &client_id, &secret);
    let err = session.login().await.expect_err("503");
    assert_eq!(
        server.count(LOGIN),
        1,
        "a login is never replayed once sent"
    );
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    session.login().await.expect("the next attempt logs in");
}

/// A login that fails is the answer of every call that needed the token, those waiting for it and
/// those just after, for `FAILURE_HOLD`: one login at the server, not one per call. After the
/// hold, the next call tries again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_login_answers_every_waiting_call_and_is_tried_again_after_the_hold() {
    let server = start().await;
    let (id, client_id, secret) = identity(&server, Default::default());
    let session = session(&server.base, &client_id, &secret);
    server.fault(FaultRule::status(LOGIN, 503));
    let logins_before = server.count(LOGIN);
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let session = session.clone();
            let id = id.clone();
            tokio::spawn(async move { session.get_universal_auth().identity_id(&id).send().await })
        })
        .collect();
    for call in calls {
        let err = call.await.expect("task").expect_err("the login failed");
        assert!(matches!(err, Error::Session { .. }), "{err:?}");
        assert_eq!(err.status(), Some(503), "{err}");
        assert!(
            err.to_string()
                .starts_with("getUniversalAuth has no token: loginWithUniversalAuth answered 503"),
            "{err}"
        );
    }
    assert_eq!(
        server.count(LOGIN) - logins_before,
        1,
        "one login for sixteen calls"
    );
    tokio::time::sleep(infisical_auth_client::FAILURE_HOLD).await;
    session
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("after the hold the session logs in again");
    assert_eq!(server.count(LOGIN) - logins_before, 2);
}
