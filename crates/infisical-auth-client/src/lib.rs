//! A typed client for Infisical's machine-identity auth API: all 78 operations of the 13 auth
//! methods, builder style, generated from the spec by `cargo xtask codegen`.
//!
//! A service keeps one [`Session`]: it logs in, renews and logs in again by itself, one refresh
//! at a time for all its clones, and every operation of the API is a method of it.
//!
//! ```no_run
//! use infisical_auth_client::{BaseUrl, Session};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let session = Session::builder(BaseUrl::Eu)
//!     .universal_auth("client-id", "client-secret")
//!     .build()?;
//! let config = session.get_universal_auth().identity_id("identity-id").send().await?;
//! println!("{}", config.identity_universal_auth.access_token_ttl);
//! # Ok(()) }
//! ```
//!
//! A plain [`Client`] sends a fixed token, with the same validation, retries and errors:
//!
//! ```no_run
//! use infisical_auth_client::{BaseUrl, Client};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::connect(BaseUrl::SelfHosted("https://infisical.example.com".into()))
//!     .bearer_token("token")
//!     .build()?;
//! let config = client.get_universal_auth().identity_id("identity-id").send().await?;
//! println!("{:?}", config.identity_universal_auth.access_token_ttl);
//! # Ok(()) }
//! ```
//!
//! Every operation returns `Result<ResponseValue<T>, Error>`: one [`Error`] whose variants say
//! what happened (refused before sending with the typed [`Rejection`], Infisical's error answer
//! with status, `reqId` and issues, transport, timeout, an unexpected answer, a session that
//! could not log in), with a one-line `Display` naming the operation.
//!
//! Requests are validated before they are sent (ranges, lengths, trusted IP syntax, TTL <= MaxTTL
//! and the other rules of `infisical-auth-validation`): an invalid request is refused with every
//! problem at once and nothing goes over the network. Failed calls are retried when that is safe
//! ([`retry`]).
//!
//! # In deployments
//!
//! A self-hosted Infisical behind a private CA: [`Connect::root_certificate_pem`] (and
//! [`SessionBuilder::root_certificate_pem`]) adds the CA to the platform's roots. A
//! `reqwest::Client` the program built (proxies, a shared pool, client certificates):
//! [`Connect::http_client`], which says what of this crate's still applies (the token, the
//! `User-Agent`, the timeout, retries). One call with another time limit than the client's:
//! [`Client::with_timeout`], a cheap copy sharing the pool.
//!
//! # Features
//!
//! - `rustls-ring` (default): HTTPS through rustls with the *ring* crypto provider and the
//!   platform's root certificates. *ring* is installed as the process's rustls provider when a
//!   client is built, unless the program installed one.
//! - `rustls`: the same HTTPS with reqwest's default provider, aws-lc-rs (a C library compiled
//!   at every clean build): use it with `default-features = false`. Without a TLS feature only
//!   `http://` base URLs work.
//! - `tracing`: a span `infisical.request` per attempt (operation id, method, path template,
//!   attempt, status, request id, latency; never a header, body, query value or token).
//!
//! What each costs to build is measured in the repository's `docs/build-weight.md`.

#![warn(missing_docs)]

#[rustfmt::skip]
mod generated;
pub use generated::*;

mod connect;
pub use connect::{BaseUrl, Connect, ConnectError, DEFAULT_TIMEOUT, EU_CLOUD, US_CLOUD};

mod validate;
pub use infisical_auth_validation::{Issue, Rejection};

mod error;
pub use error::{Error, EXCERPT_LIMIT};

/// The `User-Agent` of every request: this crate and its version.
pub const USER_AGENT: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// The largest answer a client reads by default: 16 MiB, far above Infisical's largest real
/// answer (a list of client secrets or tokens, some kilobytes). See
/// [`Connect::max_answer_bytes`].
pub const ANSWER_LIMIT: usize = 16 * 1024 * 1024;

pub mod retry;
pub use retry::{RetryClass, RetryPolicy};

/// Every operation as the document declares it (method, path template, bearer token, retry
/// class), and the lookup by `operationId`: the table the client's send path reads.
pub use infisical_auth_types::{operation, Operation, OPERATIONS};

mod runtime;

mod session;

mod tls;
mod typed;
pub use session::{
    Grant, LoginFuture, RenewMargin, Session, SessionBuilder, SessionError, FAILURE_HOLD,
};

/// progenitor's error type, which the generated builders use while building a request.
pub use progenitor_client::Error as BuildError;
