//! What a session adds to each call: `getUniversalAuth` on loopback against the reference server
//! (in this process, built with the bench profile), through a bare client with a fixed token and
//! through a session, in alternating batches in one run. Prints the median time per call of each
//! and their ratio. Run: `cargo bench -p infisical-auth-client --bench session_overhead`. Under
//! `cargo test --benches` (no `--bench` argument) it makes a few calls each way and measures
//! nothing, so that CI sees a bench that no longer runs.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use infisical_auth_client::{types, BaseUrl, Client, RetryPolicy, Session};
use infisical_auth_reference::{app, build, ReferenceConfig};

const ADMIN: &str = "bench-admin-token";
const BATCHES: usize = 40;
const CALLS: usize = 250;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let measure = std::env::args().any(|a| a == "--bench");
    let (batches, calls, warm_up) = if measure {
        (BATCHES, CALLS, 4)
    } else {
        (1, 5, 0)
    };
    let config = ReferenceConfig {
        admin_token: ADMIN.into(),
        ..ReferenceConfig::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = app(build(&config).unwrap(), false);
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });
    let admin = Client::connect(BaseUrl::SelfHosted(base.clone()))
        .bearer_token(ADMIN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/identities"))
        .bearer_auth(ADMIN)
        // A member may read its own configuration (a no-access identity may not).
        .json(&serde_json::json!({"role": "member"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["identity"]["id"].as_str().unwrap().to_owned();
    let attached = admin
        .attach_universal_auth()
        .identity_id(&id)
        .body(types::AttachUniversalAuthBody {
            access_token_ttl: 3600,
            access_token_max_ttl: 7200,
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let secret = admin
        .create_universal_auth_client_secret()
        .identity_id(&id)
        .body(types::CreateUniversalAuthClientSecretBody {
            description: "bench".into(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .into_inner()
        .client_secret;
    let session = Session::builder(BaseUrl::SelfHosted(base.clone()))
        .universal_auth(
            attached.identity_universal_auth.client_id.clone(),
            secret.expose_secret(),
        )
        .build()
        .unwrap();
    session.login().await.unwrap();
    // The bare client holds a token of its own, from a login of the same identity.
    let login = admin
        .login_with_universal_auth()
        .body(types::LoginWithUniversalAuthBody::new(
            attached.identity_universal_auth.client_id.clone(),
            secret.clone(),
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    let bare = Client::connect(BaseUrl::SelfHosted(base))
        .bearer_token(login.access_token.expose_secret())
        .build()
        .unwrap();

    let (mut bare_times, mut session_times) = (Vec::new(), Vec::new());
    for batch in 0..batches + warm_up {
        // Alternate which goes first, so that neither always runs on a warmer server.
        let run = |first_bare: bool| {
            let (bare, session, id) = (&bare, &session, &id);
            async move {
                let mut bare_time = Duration::ZERO;
                let mut session_time = Duration::ZERO;
                for turn in [first_bare, !first_bare] {
                    let started = Instant::now();
                    for _ in 0..calls {
                        let client: &Client = if turn { bare } else { session };
                        client
                            .get_universal_auth()
                            .identity_id(id)
                            .send()
                            .await
                            .unwrap();
                    }
                    let per_call = started.elapsed() / calls as u32;
                    if turn {
                        bare_time = per_call;
                    } else {
                        session_time = per_call;
                    }
                }
                (bare_time, session_time)
            }
        };
        let (b, s) = run(batch % 2 == 0).await;
        if batch >= warm_up {
            // the first batches warm up connections and caches
            bare_times.push(b);
            session_times.push(s);
        }
    }
    if !measure {
        println!("session_overhead: {calls} calls each way ran (measure with `cargo bench`)");
        return;
    }
    let (b, s) = (median(bare_times), median(session_times));
    println!(
        "getUniversalAuth per call, median of {BATCHES} batches of {CALLS}: bare client {:.1} µs, session {:.1} µs, ratio {:.3}",
        b.as_secs_f64() * 1e6,
        s.as_secs_f64() * 1e6,
        s.as_secs_f64() / b.as_secs_f64()
    );
}
