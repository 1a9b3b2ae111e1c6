//! A typed client for Infisical's machine-identity auth API: all 78 operations of the 13 auth
//! methods, builder style, generated from the spec by `cargo xtask codegen`.
//!
//! ```no_run
//! use infisical_auth_client::{BaseUrl, Client};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::connect(BaseUrl::Eu).bearer_token("token").build()?;
//! let config = client.get_universal_auth().identity_id("identity-id").send().await?;
//! println!("{:?}", config.identity_universal_auth.access_token_ttl);
//! # Ok(()) }
//! ```
//!
//! Every operation returns `Result<ResponseValue<T>, Error<ErrorResponse>>`: a non-2xx answer is
//! `Error::ErrorResponse` holding the typed [`types::ErrorResponse`] (status, `reqId`, `error`,
//! `message` or the list of validation issues, `details`). See [`ApiError`] helpers.
//!
//! Requests are validated before they are sent (ranges, lengths, trusted IP syntax, TTL <= MaxTTL
//! and the other rules of `infisical-auth-validation`): an invalid request is refused with every
//! problem at once and nothing goes over the network; [`rejection`] gives the typed problems.

#![warn(missing_docs)]

#[rustfmt::skip]
mod generated;
pub use generated::*;

mod connect;
pub use connect::{BaseUrl, Connect, ConnectError, EU_CLOUD, US_CLOUD};

mod validate;
pub use infisical_auth_validation::{Issue, Rejection};
pub use validate::rejection;

/// The error every operation returns.
pub type ApiError = Error<types::ErrorResponse>;

/// The typed error body of a non-2xx answer, if `err` is one.
pub fn error_body(err: &ApiError) -> Option<&types::ErrorResponse> {
    match err {
        Error::ErrorResponse(response) => Some(response.as_ref()),
        _ => None,
    }
}
