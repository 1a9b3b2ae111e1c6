//! OIDC auth: a token from an OpenID Connect provider, verified against the keys the provider's
//! discovery document names, then held to `boundIssuer`, `boundSubject`, `boundAudiences`,
//! `boundClaims` and `claimMetadataMapping`.
//!
//! The order and the messages are Infisical's (docs/infisical-behaviour.md, "Verified logins"):
//!
//! 1. the discovery document `<oidcDiscoveryUrl>/.well-known/openid-configuration` (over HTTPS
//!    trusting `caCert` when given): not fetched, 401 naming the URL and the reason; without a
//!    `jwks_uri`, 401;
//! 2. a token that does not decode: 401 `Invalid JWT`;
//! 3. the key: with a `kid`, the JWKS key of that id (fetched again once when missing from the
//!    cached copy; still missing: 401 naming the `kid`); without, each key in turn (at most 10);
//! 4. signature, `exp`, `nbf`, and `iss` equal to `boundIssuer`: 401 `Access denied: <reason>`;
//! 5. `boundSubject`: 403 `Access denied: OIDC subject not allowed.`;
//! 6. `boundAudiences` (comma list): 401 `Access denied: OIDC audience not allowed.`;
//! 7. `boundClaims`: a missing claim 401 `Access denied: token has no <claim> field`, a value that
//!    matches no item 401 `Access denied: OIDC claim not allowed.`;
//! 8. every claim named by `claimMetadataMapping` must be present (401 as a missing claim).

use std::collections::BTreeMap;

use serde_json::Value;

use super::fetch::{FetchError, Fetcher};
use super::jwt::{self, JWKS_MAX_AGE};
use super::{comma_list, fetch::redact, LoginFailure, VerifiedIdentity};
use infisical_auth_server::types;

/// What OIDC auth checks, from its configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct OidcSettings {
    /// The issuer URL under which `/.well-known/openid-configuration` is served.
    pub discovery_url: String,
    /// PEM CA certificate trusted for the discovery document and JWKS; empty: the system's roots.
    pub ca_cert: String,
    /// `iss` must equal this.
    pub bound_issuer: String,
    /// Comma list of audience patterns; empty: any.
    pub bound_audiences: String,
    /// Subject pattern; empty: any.
    pub bound_subject: String,
    /// Claim (dot path) → comma list of value patterns.
    pub bound_claims: BTreeMap<String, String>,
    /// Metadata key → claim (dot path) that must be present.
    pub claim_metadata_mapping: BTreeMap<String, String>,
}

impl From<&types::AttachOidcAuthBody> for OidcSettings {
    fn from(body: &types::AttachOidcAuthBody) -> Self {
        Self {
            discovery_url: body.oidc_discovery_url.to_string(),
            ca_cert: body.ca_cert.clone(),
            bound_issuer: body.bound_issuer.to_string(),
            bound_audiences: body.bound_audiences.clone(),
            bound_subject: body.bound_subject.clone(),
            bound_claims: body.bound_claims.clone().into_iter().collect(),
            claim_metadata_mapping: body.claim_metadata_mapping.clone().into_iter().collect(),
        }
    }
}

impl From<&types::IdentityOidcAuth> for OidcSettings {
    fn from(stored: &types::IdentityOidcAuth) -> Self {
        Self {
            discovery_url: stored.oidc_discovery_url.clone(),
            ca_cert: stored.ca_cert.clone(),
            bound_issuer: stored.bound_issuer.clone(),
            bound_audiences: stored.bound_audiences.clone(),
            bound_subject: stored.bound_subject.clone().unwrap_or_default(),
            bound_claims: super::string_map(stored.bound_claims.as_ref()),
            claim_metadata_mapping: super::string_map(stored.claim_metadata_mapping.as_ref()),
        }
    }
}

/// Verifies an OIDC-auth login's token (see the module documentation for the checks).
pub async fn verify(
    fetcher: &Fetcher,
    settings: &OidcSettings,
    token: &str,
) -> Result<VerifiedIdentity, LoginFailure> {
    let https = settings.discovery_url.contains("https");
    let ca = if https { settings.ca_cert.as_str() } else { "" };
    let discovery_url = format!(
        "{}/.well-known/openid-configuration",
        settings.discovery_url.trim_end_matches('/')
    );
    let (document, _) = fetcher
        .get_cached(&discovery_url, Some(ca), JWKS_MAX_AGE, false)
        .await
        .map_err(|FetchError(error)| {
            LoginFailure::unauthorized(format!(
                "Access denied: Failed to fetch OIDC discovery document from {}. {error}",
                redact(&settings.discovery_url)
            ))
        })?;
    let jwks_uri = serde_json::from_slice::<Value>(&document)
        .ok()
        .and_then(|doc| doc.get("jwks_uri")?.as_str().map(str::to_owned))
        .filter(|uri| !uri.is_empty())
        .ok_or_else(|| {
            LoginFailure::unauthorized(
                "Access denied: OIDC discovery document does not contain a jwks_uri. The identity provider may be misconfigured.",
            )
        })?;

    let Some(header) = jwt::decode_header(token) else {
        return Err(LoginFailure::unauthorized("Invalid JWT"));
    };
    let claims = jwt::verify_with_jwks_url(
        fetcher,
        &jwks_uri,
        ca,
        token,
        &header,
        Some(&settings.bound_issuer),
    )
    .await
    .map_err(|failure| {
        LoginFailure::unauthorized(failure.message("OIDC provider's JWKS endpoint"))
    })?;

    if !settings.bound_subject.is_empty() {
        let allowed = claims
            .get("sub")
            .is_some_and(|sub| jwt::value_matches(sub, &settings.bound_subject));
        if !allowed {
            return Err(LoginFailure::forbidden(
                "Access denied: OIDC subject not allowed.",
            ));
        }
    }
    if !settings.bound_audiences.trim().is_empty() {
        let allowed = claims.get("aud").is_some_and(|aud| {
            comma_list(&settings.bound_audiences).any(|pattern| jwt::value_matches(aud, pattern))
        });
        if !allowed {
            return Err(LoginFailure::unauthorized(
                "Access denied: OIDC audience not allowed.",
            ));
        }
    }
    jwt::check_bound_claims(&claims, &settings.bound_claims, |_| {
        "Access denied: OIDC claim not allowed.".to_owned()
    })?;
    for claim in settings.claim_metadata_mapping.values() {
        if !jwt::value_by_dot(&claims, claim).is_some_and(jwt::truthy) {
            return Err(LoginFailure::unauthorized(format!(
                "Access denied: token has no {claim} field"
            )));
        }
    }
    Ok(VerifiedIdentity::Oidc { claims })
}
