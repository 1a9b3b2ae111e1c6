//! The reference server in-process ([`TestServer`]: faults on demand, the request journal) and
//! what the client's tests share: an admin client, identities in one call, request counts read
//! from the journal.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use infisical_auth_client::{types, BaseUrl, Client, RenewMargin, RetryPolicy, Session};
// Not every test file uses each of them.
#[allow(unused_imports)]
pub use infisical_auth_reference::{FaultRule, Role, TestServer, TestServerBuilder};

pub const LOGIN: &str = "loginWithUniversalAuth";
pub const RENEW: &str = "renewIdentityAccessToken";
pub const REVOKE: &str = "revokeIdentityAccessToken";
pub const GET: &str = "getUniversalAuth";
pub const CREATE_SECRET: &str = "createUniversalAuthClientSecret";

pub struct Server {
    pub server: TestServer,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// A client with the admin token and no retries.
    pub admin: Client,
}

impl std::ops::Deref for Server {
    type Target = TestServer;

    fn deref(&self) -> &TestServer {
        &self.server
    }
}

impl Server {
    /// How many requests of `operation_id` reached the server (faulted ones included).
    pub fn count(&self, operation_id: &str) -> usize {
        self.requests_for(operation_id).len()
    }

    /// How many requests of `operation_id` for identity `identity_id` reached the server.
    pub fn count_for(&self, operation_id: &str, identity_id: &str) -> usize {
        self.requests_for(operation_id)
            .iter()
            .filter(|e| e.identity_id.as_deref() == Some(identity_id))
            .count()
    }
}

pub async fn start() -> Server {
    start_with(TestServer::builder()).await
}

/// [`start`] with a server configured by `builder`.
pub async fn start_with(builder: TestServerBuilder) -> Server {
    let server = builder.start().await;
    let base = server.base_url().to_owned();
    let admin = Client::connect(BaseUrl::SelfHosted(base.clone()))
        .bearer_token(server.admin_token())
        .retry(RetryPolicy::none())
        .build()
        .expect("admin client");
    Server {
        server,
        base,
        admin,
    }
}

/// An identity of role `member` (its tokens may manage it) with universal auth attached with
/// `config` (TTLs, period, use limit) and a client secret: `(identity id, client id, client
/// secret)`.
pub fn identity(
    server: &Server,
    config: types::AttachUniversalAuthBody,
) -> (String, String, String) {
    let made = server.universal_auth_identity_with(Role::Member, config);
    (made.identity_id, made.client_id, made.client_secret)
}

/// A session on `base` logging in with universal auth, renewing 500 ms and a quarter of the TTL
/// before expiry.
pub fn session(base: &str, client_id: &str, secret: &str) -> Session {
    Session::builder(BaseUrl::SelfHosted(base.to_owned()))
        .universal_auth(client_id, secret)
        .renew_margin(RenewMargin {
            fixed: Duration::from_millis(500),
            proportion: 0.25,
        })
        .build()
        .expect("session")
}

/// A session logging in with universal auth through a callback that keeps each access token it
/// receives (the latest last), so that a test can use or check it.
pub fn recording_session(
    base: &str,
    client_id: &str,
    secret: &str,
) -> (Session, Arc<Mutex<Vec<String>>>) {
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let seen = tokens.clone();
    let (client_id, secret) = (client_id.to_owned(), secret.to_owned());
    let session = Session::builder(BaseUrl::SelfHosted(base.to_owned()))
        .login_with(move |client| {
            let (client_id, secret, seen) = (client_id.clone(), secret.clone(), seen.clone());
            async move {
                let answer = client
                    .login_with_universal_auth()
                    .body(types::LoginWithUniversalAuthBody::new(client_id, secret))
                    .send()
                    .await?
                    .into_inner();
                seen.lock()
                    .unwrap()
                    .push(answer.access_token.expose_secret().to_owned());
                Ok(answer.into())
            }
        })
        .build()
        .expect("session");
    (session, tokens)
}
