//! The reference server: an in-memory implementation of [`InfisicalAuthApi`] behind the generated
//! router, plus what a test double needs around it (docs/reference-server.md):
//!
//! - `POST /api/v1/identities` (admin token, or an access token whose role may create
//!   identities; not part of Infisical's identity-auth API): creates an identity, body
//!   `{"id"?: UUID, "name"?: string, "role"?: "admin" | "member" | "no-access"}`, answers
//!   `{"identity": {"id", "name", "role"}}`;
//! - `GET /api/docs/json`: the OpenAPI document the server was generated from, as Infisical
//!   serves it;
//! - faults on demand (`/_reference/faults`, [`faults`]) and a request journal
//!   (`/_reference/requests`, [`journal`]), admin token only, outside Infisical's paths;
//! - Infisical's organization roles on management calls ([`roles`]);
//! - a seed file of identities, auth methods and client secrets ([`seed`]);
//! - [`TestServer`]: the whole server in-process for Rust tests;
//! - a log line per request (method, path, status, latency, reqId; never a header, query or body).
//!
//! Management calls accept the admin token, or an access token issued by this server (used from
//! one of its trusted IPs, counting against its use limit) as far as its identity's role allows.
//!
//! Serve it on a loopback port for a test (the `reference-server` binary does the same from
//! the command line):
//!
//! ```no_run
//! use infisical_auth_reference::{serve, ReferenceConfig};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let config = ReferenceConfig {
//!     admin_token: "admin-token".into(),
//!     identities: vec!["1d3c7c52-8f0c-4b7e-9a61-3c6c0a3b9e11".into()],
//!     ..Default::default()
//! };
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let base_url = format!("http://{}", listener.local_addr()?);
//! tokio::spawn(async move { serve(listener, &config, std::future::pending()).await });
//! // Point a client at `base_url`; management calls take "admin-token" as bearer token.
//! # let _ = base_url; Ok(()) }
//! ```
//!
//! The OpenAPI document it serves is this crate's copy of the workspace's spec
//! (`openapi/infisical-identity-auth.json`, kept identical by a workspace test).
//!
//! [`InfisicalAuthApi`]: infisical_auth_server::InfisicalAuthApi

#![warn(missing_docs)]

mod api;
mod control;
pub mod faults;
pub mod journal;
mod logins;
mod methods;
pub mod roles;
mod routes;
pub mod seed;
mod serve;
mod state;
mod test_server;
pub mod verify;

use std::future::Future;
use std::sync::Arc;

pub use api::ReferenceApi;
pub use faults::{FaultRule, FaultStatus};
pub use journal::JournalEntry;
pub use roles::Role;
pub use seed::Seed;
pub use serve::{serve_api, Dialect, DialectFuture};
pub use test_server::{TestServer, TestServerBuilder, TokenAuthIdentity, UniversalAuthIdentity};

use infisical_auth_server::ApiError;

/// The OpenAPI document the server stubs were generated from.
pub const SPEC_JSON: &str = include_str!("../openapi/infisical-identity-auth.json");

/// How to run the reference server. `Debug` redacts the admin token.
#[derive(Clone)]
pub struct ReferenceConfig {
    /// The bearer token that authorises management calls.
    pub admin_token: String,
    /// Identities to create at start (UUIDs), with role `no-access`.
    pub identities: Vec<String>,
    /// How many further identities to create at start, each with universal auth attached with
    /// the defaults (for load and memory measurements).
    pub seed_identities: usize,
    /// Identities, auth methods and client secrets to create at start.
    pub seed: Option<Seed>,
    /// Fault rules set at start.
    pub faults: Vec<FaultRule>,
    /// How many requests the journal holds (0: no journal).
    pub journal_size: usize,
    /// Log a line per request to standard output.
    pub log_requests: bool,
    /// The header TLS-certificate logins read the client certificate from; empty: Infisical's
    /// default, `x-identity-tls-cert-auth-client-cert`.
    pub client_certificate_header: String,
    /// How long a verified login may wait for a provider (JWKS, discovery, bundle endpoint,
    /// TokenReview, STS, LDAP) per call; `None`: 10 seconds.
    pub provider_timeout: Option<std::time::Duration>,
}

impl Default for ReferenceConfig {
    fn default() -> Self {
        ReferenceConfig {
            admin_token: String::new(),
            identities: Vec::new(),
            seed_identities: 0,
            seed: None,
            faults: Vec::new(),
            journal_size: journal::DEFAULT_JOURNAL_SIZE,
            log_requests: false,
            client_certificate_header: String::new(),
            provider_timeout: None,
        }
    }
}

impl std::fmt::Debug for ReferenceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceConfig")
            .field("admin_token", &"<redacted>")
            .field("identities", &self.identities)
            .field("seed_identities", &self.seed_identities)
            .field("seed", &self.seed)
            .field("faults", &self.faults)
            .field("journal_size", &self.journal_size)
            .field("log_requests", &self.log_requests)
            .field("client_certificate_header", &self.client_certificate_header)
            .field("provider_timeout", &self.provider_timeout)
            .finish()
    }
}

/// Builds the state of a reference server from `config`: its identities (the seed's first),
/// its fault rules and journal. A seed entry that cannot be applied is an error naming it.
pub fn build(config: &ReferenceConfig) -> Result<Arc<ReferenceApi>, ApiError> {
    let api = Arc::new(
        ReferenceApi::new(config.admin_token.clone())
            .with_client_certificate_header(&config.client_certificate_header)
            .with_provider_timeout(config.provider_timeout)
            .with_journal_size(config.journal_size),
    );
    if let Some(seed) = &config.seed {
        seed.apply(&api)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
    }
    for id in &config.identities {
        api.create_identity(Some(id), Role::NoAccess)?;
    }
    for _ in 0..config.seed_identities {
        let id = api.create_identity(None, Role::NoAccess)?;
        api.seed_universal_auth(&id)?;
    }
    for rule in &config.faults {
        api.faults()
            .add(rule.clone())
            .map_err(ApiError::bad_request)?;
    }
    Ok(api)
}

/// The whole application: the generated API on `api`, the extra routes, and (if asked) the
/// request log, as an axum router ([`service`] in a router). Served by `axum::serve`, a fault
/// rule's dropped connection is a 503 with `Connection: close` instead (only [`serve_api`]
/// closes the connection without an answer).
pub fn app(api: Arc<ReferenceApi>, log_requests: bool) -> axum::Router {
    axum::Router::new().fallback_service(service(api, log_requests))
}

/// The whole application as one service (what [`serve_api`] serves): the generated API service
/// and the extra routes, behind [`Dialect`].
pub fn service(api: Arc<ReferenceApi>, log_requests: bool) -> Dialect {
    Dialect::new(api, log_requests)
}

/// Serves `config` on `listener` until `shutdown` completes (connections are drained first).
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: &ReferenceConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let api = build(config).map_err(|e| std::io::Error::other(e.to_string()))?;
    serve_api(listener, api, config.log_requests, shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_admin_token() {
        let config = ReferenceConfig {
            admin_token: "very-secret-admin-token".into(),
            ..ReferenceConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
