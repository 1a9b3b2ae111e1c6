//! Verifying the credentials of the identity logins that can be checked without Infisical's cloud:
//! JWT, OIDC, SPIFFE, TLS certificate, Kubernetes, LDAP and AWS auth.
//!
//! Each method has a module with a settings struct (what the method's configuration says, built
//! from the generated attach body or from stored fields) and a `verify` function that takes the
//! settings and the login's credential and answers either a [`VerifiedIdentity`] (what Infisical
//! records about the caller) or a [`LoginFailure`] (the status and message Infisical answers for
//! the check that failed). The checks and their order are those of Infisical's services, recorded
//! in `docs/infisical-behaviour.md` ("Verified logins").
//!
//! Calls out (JWKS, discovery, web bundles, TokenReview, STS, LDAP) go through [`fetch::Fetcher`]:
//! bounded in time and size, never followed by a 5xx of ours, keys cached with an expiry. No
//! credential (token, password, signed header) is kept in a [`VerifiedIdentity`], logged, or shown
//! by a `Debug` implementation.

pub mod aws;
pub mod fetch;
pub mod jwt;
pub mod kubernetes;
pub mod ldap;
pub mod oidc;
pub mod spiffe;
pub mod tls_cert;

mod glob;

pub use fetch::Fetcher;

/// What the verified logins of one server share.
#[derive(Debug)]
pub struct Verifiers {
    /// Bounded calls out and the key cache.
    pub fetcher: Fetcher,
    /// LDAP failures per identity and username.
    pub ldap_lockouts: ldap::Lockouts,
    /// The (lowercase) header TLS-certificate logins read the client certificate from.
    pub client_certificate_header: String,
}

impl Default for Verifiers {
    fn default() -> Self {
        Self {
            fetcher: Fetcher::default(),
            ldap_lockouts: ldap::Lockouts::default(),
            client_certificate_header: tls_cert::DEFAULT_CLIENT_CERTIFICATE_HEADER.to_owned(),
        }
    }
}

tokio::task_local! {
    /// The client-certificate header of the request being served (set by the server's
    /// middleware around each request, read by the TLS-certificate login).
    static CLIENT_CERTIFICATE: Option<String>;
}

/// Runs `serve` with `header` as the request's client-certificate header.
pub async fn with_client_certificate<F: std::future::Future>(
    header: Option<String>,
    serve: F,
) -> F::Output {
    CLIENT_CERTIFICATE.scope(header, serve).await
}

/// The client-certificate header of the request being served, if it has one.
pub fn client_certificate() -> Option<String> {
    CLIENT_CERTIFICATE
        .try_with(|header| header.clone())
        .ok()
        .flatten()
}

use infisical_auth_server::ApiError;
use serde_json::{Map, Value};

/// Why a login was refused: Infisical's status and message for the check that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginFailure {
    /// 400 (the request lacks what the method needs), 401 or 403.
    pub status: u16,
    /// Infisical's message for the check.
    pub message: String,
}

impl LoginFailure {
    /// A 401 (`UnauthorizedError`).
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            status: 401,
            message: message.into(),
        }
    }

    /// A 403 (`ForbiddenError`).
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self {
            status: 403,
            message: message.into(),
        }
    }

    /// A 400 (`BadRequest`): the login request lacks something the method reads.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: 400,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for LoginFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.message)
    }
}

impl std::error::Error for LoginFailure {}

impl From<LoginFailure> for ApiError {
    fn from(failure: LoginFailure) -> Self {
        match failure.status {
            400 => ApiError::bad_request(failure.message),
            403 => ApiError::forbidden(failure.message),
            _ => ApiError::unauthorized(failure.message),
        }
    }
}

/// Who a verified login is, as Infisical records it on the access token it issues.
#[derive(Clone, Debug, PartialEq)]
pub enum VerifiedIdentity {
    /// JWT auth: the verified token's claims.
    Jwt {
        /// The claims.
        claims: Map<String, Value>,
    },
    /// OIDC auth: the verified token's claims.
    Oidc {
        /// The claims.
        claims: Map<String, Value>,
    },
    /// SPIFFE auth: the JWT-SVID's SPIFFE ID (its `sub`) and claims.
    Spiffe {
        /// `spiffe://trust-domain/path`.
        spiffe_id: String,
        /// The claims.
        claims: Map<String, Value>,
    },
    /// TLS certificate auth: the client certificate's subject and common name.
    TlsCert {
        /// The subject's distinguished name.
        subject: String,
        /// The subject's CN, if it has one.
        common_name: Option<String>,
    },
    /// Kubernetes auth: the service account the TokenReview named.
    Kubernetes {
        /// The service account's namespace.
        namespace: String,
        /// The service account's name.
        name: String,
    },
    /// AWS auth: the caller STS answered for.
    Aws {
        /// The account of the caller.
        account_id: String,
        /// The caller's ARN.
        arn: String,
        /// The caller's unique id.
        user_id: String,
    },
    /// LDAP auth: the entry the user bound as.
    Ldap {
        /// The entry's distinguished name.
        dn: String,
        /// The username given at login.
        username: String,
    },
}

/// A stored JSON object of strings (bound claims, metadata mappings) as a sorted map; other
/// values are dropped.
pub(crate) fn string_map(value: Option<&Value>) -> std::collections::BTreeMap<String, String> {
    value
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

/// Splits a comma list as Infisical stores its allow-lists: items trimmed, empty items dropped.
pub(crate) fn comma_list(list: &str) -> impl Iterator<Item = &str> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// Whether `value` satisfies `pattern` as Infisical's policies match: equal, or matching it as a
/// glob (see [`glob`]).
pub(crate) fn policy_matches(value: &str, pattern: &str) -> bool {
    value == pattern || glob::is_match(value, pattern)
}
