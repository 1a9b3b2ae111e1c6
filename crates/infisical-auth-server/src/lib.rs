//! Server stubs for Infisical's machine-identity auth API (78 operations, 13 auth methods),
//! generated from the same spec and sharing the same types as `infisical-auth-client`.
//!
//! Implement [`InfisicalAuthApi`] (one async method per operation) and serve it with
//! [`router`]. The router enforces Infisical's contract before your method runs
//! (docs/infisical-behaviour.md, #order-of-checks and #error-bodies): a bearer token on secured
//! operations (401 "Token missing"), JSON or form bodies (415, 413, 400), every validation rule
//! (422 with every issue, 400 for an invalid IP), typed parsing (422, never 500), 404 for unknown
//! routes, and a bare 500 for a panic. Every error body is
//! `{reqId, statusCode, message, error, details?}` with a fresh `req-` id. It speaks Infisical's
//! dialect (#request-dialect): form bodies coerced to the field types, trailing slashes ignored,
//! `Authorization` ignored on operations without security, whole numbers written as integers.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # async fn serve<T: infisical_auth_server::InfisicalAuthApi>(api: T) -> std::io::Result<()> {
//! let app = infisical_auth_server::router(Arc::new(api));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! // Connect info gives handlers the caller's IP (RequestContext::client_ip).
//! axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await
//! # }
//! ```
//!
//! The crate `infisical-auth-reference` is an in-memory implementation, served by its
//! `reference-server` binary.

#![warn(missing_docs)]

mod checks;
mod error;
#[rustfmt::skip]
mod generated;
mod json;
mod routing;
pub mod runtime;

pub use error::ApiError;
pub use generated::*;
pub use infisical_auth_types as types;
/// Every operation the router serves, as the document declares it (the types crate's table).
pub use infisical_auth_types::OPERATIONS;
pub use runtime::{RequestContext, BODY_LIMIT};

use std::sync::Arc;

/// An axum router serving every operation of the API on `api`, with Infisical's error contract
/// enforced before each handler runs, unknown routes answered 404, and trailing slashes ignored
/// on every route (docs/infisical-behaviour.md#request-dialect): the generated [`service`] behind
/// [`runtime::IgnoreTrailingSlashes`].
pub fn router<T: InfisicalAuthApi>(api: Arc<T>) -> axum::Router {
    axum::Router::new().fallback_service(runtime::IgnoreTrailingSlashes(generated::service(api)))
}
