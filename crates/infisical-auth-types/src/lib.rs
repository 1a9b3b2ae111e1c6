//! The request and response types of Infisical's machine-identity auth API (13 auth methods,
//! 78 operations), generated from the spec in `openapi/` by `cargo xtask codegen`.
//!
//! One set of types serves the client (`infisical-auth-client`) and the server stubs. Each type
//! derives the `serde` traits its side uses: with the `client` feature (the client crate turns it
//! on) `Serialize` on what requests hold and `Deserialize` on what answers hold, with the `server`
//! feature (the server stubs) the reverse, with both every type has both; the error body always
//! has both. `schemars::JsonSchema` comes with the `schemars` feature (which turns both sides on).
//! Most users reach these types through the client (`infisical_auth_client::types`) or the
//! server stubs (`infisical_auth_server::types`).
//!
//! ```
//! use infisical_auth_types::{AttachUniversalAuthBody, LoginWithUniversalAuthBody};
//!
//! // Every field optional: `Default`, with the spec's defaults.
//! let attach = AttachUniversalAuthBody { access_token_ttl: 3600, ..Default::default() };
//! assert_eq!(attach.access_token_max_ttl, 2_592_000);
//!
//! // Required fields: `new(required..)`; secrets never print.
//! let login = LoginWithUniversalAuthBody::new("client-id", "client-secret");
//! assert!(!format!("{login:?}").contains("client-secret"));
//! assert_eq!(login.client_secret.expose_secret(), "client-secret");
//! ```
//!
//! Conventions worth knowing:
//! - a request body is a value with public fields: a body whose fields are all optional
//!   implements `Default` (`X { access_token_ttl: 3600, ..Default::default() }`), and one with
//!   required fields has `X::new(required..)`, which sets each optional field to its default
//!   (`X { access_token_ttl: 3600, ..X::new("arn") }`);
//! - a PATCH field that may be `null` is `Option<Option<T>>`: `None` leaves the setting alone
//!   (absent on the wire), `Some(None)` clears it (`null`), `Some(Some(v))` sets it;
//! - no default is ever filled into a PATCH body;
//! - a request string the spec limits (`maxLength`, `minLength`) is a plain `String`: the limit
//!   is checked by `infisical-auth-validation`, which the client runs before sending and the
//!   server stubs before handling a request (typify's checking newtypes are not generated);
//! - `Debug` prints `<redacted>` for secrets (client secrets, access tokens, passwords, JWTs,
//!   signatures);
//! - every error answer is an [`ErrorResponse`], the one error model of the workspace: the
//!   validation crate builds it from a rejection and the server stubs answer with it.

#![warn(missing_docs)]

#[rustfmt::skip]
mod generated;
pub use generated::*;

mod error_body;

pub mod js_timestamp;
mod operation;
pub use operation::{Operation, RetryClass};
mod secret;
pub use secret::Secret;
pub mod three_state;

/// The operation whose `operationId` is `id`, from [`OPERATIONS`].
pub fn operation(id: &str) -> Option<&'static Operation> {
    Operation::find(&OPERATIONS, id)
}
