//! [`TestServer`]: the reference server in-process for Rust tests, on an ephemeral loopback
//! port, with helpers that set up identities in one call, fault rules, and the journal read
//! typed. Dropping it stops it.
//!
//! ```no_run
//! # async fn demo() {
//! use infisical_auth_reference::{FaultRule, Role, TestServer};
//!
//! let server = TestServer::start().await;
//! let identity = server.universal_auth_identity(Role::Member);
//! // ... point the service under test at server.base_url(), log in with
//! // identity.client_id and identity.client_secret ...
//! server.fault(FaultRule::status("loginWithUniversalAuth", 503).retry_after(1));
//! // ...
//! let logins = server.requests_for("loginWithUniversalAuth");
//! assert_eq!(logins.len(), 2);
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

use infisical_auth_server::types;
use tokio::sync::oneshot;

use crate::faults::{FaultRule, FaultStatus};
use crate::journal::JournalEntry;
use crate::methods::{self, Stored};
use crate::roles::{Caller, Role};
use crate::seed::Seed;
use crate::{build, serve_api, ReferenceApi, ReferenceConfig};

/// The admin token of a test server unless another is given.
pub const DEFAULT_ADMIN_TOKEN: &str = "reference-test-admin-token";

/// Options of a [`TestServer`] before it starts.
#[derive(Debug)]
pub struct TestServerBuilder {
    config: ReferenceConfig,
}

impl TestServerBuilder {
    /// The admin token (default `reference-test-admin-token`).
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.config.admin_token = token.into();
        self
    }

    /// How many requests the journal holds (default 1,000; 0: none).
    pub fn journal_size(mut self, size: usize) -> Self {
        self.config.journal_size = size;
        self
    }

    /// A fault rule set from the start.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.config.faults.push(rule);
        self
    }

    /// Identities, auth methods and client secrets created at start.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.config.seed = Some(seed);
        self
    }

    /// How long a verified login waits for a provider per call (default 10 s).
    pub fn provider_timeout(mut self, timeout: Duration) -> Self {
        self.config.provider_timeout = Some(timeout);
        self
    }

    /// Starts the server on an ephemeral port of 127.0.0.1, inside the current Tokio runtime.
    pub async fn try_start(self) -> std::io::Result<TestServer> {
        let api = build(&self.config).map_err(|e| std::io::Error::other(e.to_string()))?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = oneshot::channel::<()>();
        let served = Arc::clone(&api);
        tokio::spawn(async move {
            let _ = serve_api(listener, served, false, async {
                let _ = stopped.await;
            })
            .await;
        });
        Ok(TestServer {
            base_url,
            admin_token: self.config.admin_token,
            api,
            stop: Some(stop),
        })
    }

    /// [`try_start`](Self::try_start), panicking with the reason if the server cannot start
    /// (no loopback port, a bad seed or fault rule).
    pub async fn start(self) -> TestServer {
        match self.try_start().await {
            Ok(server) => server,
            Err(error) => panic!("the reference test server did not start: {error}"),
        }
    }
}

/// A reference server running in this process (see the module documentation).
pub struct TestServer {
    base_url: String,
    admin_token: String,
    api: Arc<ReferenceApi>,
    stop: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("base_url", &self.base_url)
            .field("admin_token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // The server stops accepting at once and closes its connections once their requests
        // are answered.
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// An identity with universal auth and a client secret. `Debug` redacts the secret.
#[derive(Clone)]
pub struct UniversalAuthIdentity {
    /// The identity's id.
    pub identity_id: String,
    /// Universal auth's client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
}

impl std::fmt::Debug for UniversalAuthIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UniversalAuthIdentity")
            .field("identity_id", &self.identity_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// An identity with token auth and an access token created for it. `Debug` redacts the token.
#[derive(Clone)]
pub struct TokenAuthIdentity {
    /// The identity's id.
    pub identity_id: String,
    /// The access token's id (the token-auth endpoints address it so).
    pub token_id: String,
    /// The access token.
    pub access_token: String,
}

impl std::fmt::Debug for TokenAuthIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAuthIdentity")
            .field("identity_id", &self.identity_id)
            .field("token_id", &self.token_id)
            .field("access_token", &"<redacted>")
            .finish()
    }
}

impl TestServer {
    /// Starts a server with the defaults (see [`TestServerBuilder::start`]).
    pub async fn start() -> TestServer {
        TestServer::builder().start().await
    }

    /// A server to configure before it starts.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder {
            config: ReferenceConfig {
                admin_token: DEFAULT_ADMIN_TOKEN.to_owned(),
                ..ReferenceConfig::default()
            },
        }
    }

    /// `http://127.0.0.1:PORT`, the base URL to give a client.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The admin token, which may make every management call.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The server's state, for what the helpers here do not cover.
    pub fn api(&self) -> &Arc<ReferenceApi> {
        &self.api
    }

    /// Creates an identity with organization role `role` and returns its id.
    pub fn create_identity(&self, role: Role) -> String {
        self.api
            .create_identity(None, role)
            .unwrap_or_else(|e| panic!("creating an identity: {e}"))
    }

    /// An identity of role `role` with universal auth attached with the defaults and a client
    /// secret, in one call.
    pub fn universal_auth_identity(&self, role: Role) -> UniversalAuthIdentity {
        self.universal_auth_identity_with(role, types::AttachUniversalAuthBody::default())
    }

    /// An identity of role `role` with universal auth attached with `config` (TTLs, use
    /// limits, lockout, trusted IPs) and a client secret.
    pub fn universal_auth_identity_with(
        &self,
        role: Role,
        config: types::AttachUniversalAuthBody,
    ) -> UniversalAuthIdentity {
        let identity_id = self.create_identity(role);
        let attached = self
            .api
            .attach_universal_auth_config(&Caller::Admin, &identity_id, config)
            .unwrap_or_else(|e| panic!("attaching universal auth: {e}"));
        let secret = self
            .api
            .add_secret(
                &Caller::Admin,
                &identity_id,
                types::CreateUniversalAuthClientSecretBody {
                    description: "test server".into(),
                    ..Default::default()
                },
                crate::state::new_secret(),
            )
            .unwrap_or_else(|e| panic!("creating a client secret: {e}"));
        UniversalAuthIdentity {
            identity_id,
            client_id: attached.client_id,
            client_secret: secret.client_secret.expose_secret().to_owned(),
        }
    }

    /// An identity of role `role` with token auth attached with the defaults and an access
    /// token created for it, in one call.
    pub fn token_auth_identity(&self, role: Role) -> TokenAuthIdentity {
        self.token_auth_identity_with(role, types::AttachTokenAuthBody::default())
    }

    /// An identity of role `role` with token auth attached with `config` and an access token.
    pub fn token_auth_identity_with(
        &self,
        role: Role,
        config: types::AttachTokenAuthBody,
    ) -> TokenAuthIdentity {
        let identity_id = self.create_identity(role);
        let attached = self
            .api
            .attach_config(
                &Caller::Admin,
                &identity_id,
                |meta| methods::attach_token(config, meta),
                |_| (),
            )
            .unwrap_or_else(|e| panic!("attaching token auth: {e}"));
        let (issued, token_id) = self.api.issue(
            identity_id.as_str().into(),
            "token-auth",
            &attached.tokens(),
            |token| {
                token.name = Some("test server".into());
                token.id.to_string()
            },
        );
        TokenAuthIdentity {
            identity_id,
            token_id,
            access_token: issued.access_token,
        }
    }

    /// Adds a fault rule; panics, naming the field and rule, if it is not a valid rule.
    pub fn fault(&self, rule: FaultRule) -> FaultStatus {
        self.api
            .faults()
            .add(rule)
            .unwrap_or_else(|e| panic!("fault rule refused: {e}"))
    }

    /// The fault rules held, with their remaining counts.
    pub fn faults(&self) -> Vec<FaultStatus> {
        self.api.faults().list()
    }

    /// Removes every fault rule; how many there were.
    pub fn clear_faults(&self) -> usize {
        self.api.faults().clear()
    }

    /// The journal: the latest requests, oldest first.
    pub fn requests(&self) -> Vec<JournalEntry> {
        self.api.journal().entries(None)
    }

    /// The journal's requests of one operation (`loginWithUniversalAuth`), oldest first.
    pub fn requests_for(&self, operation_id: &str) -> Vec<JournalEntry> {
        self.api.journal().entries(Some(operation_id))
    }

    /// Empties the journal; how many requests it held.
    pub fn clear_requests(&self) -> usize {
        self.api.journal().clear()
    }

    /// Revokes every access token of `identity_id` behind its holders' back (the next call
    /// with one is 401); how many were revoked.
    pub fn revoke_access_tokens(&self, identity_id: &str) -> usize {
        self.api.revoke_access_tokens(identity_id)
    }
}
