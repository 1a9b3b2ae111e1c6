//! SPIFFE auth: a JWT-SVID verified against the trust domain's bundle, either held in the
//! configuration (`static`) or fetched from an SPIFFE bundle endpoint (`https_web_bundle`, cached
//! for `refreshHintSeconds`), then held to `allowedAudiences`, `trustDomain` and
//! `allowedSpiffeIds`.
//!
//! The order and the messages are Infisical's (docs/infisical-behaviour.md, "Verified logins"):
//!
//! 1. the bundle: a remote bundle younger than its refresh hint (0 counts as 3600 s) is used from
//!    the cache; otherwise it is fetched (trusting the profile's `caCert` when given). A bundle
//!    that cannot be fetched is a 401 (Infisical answers 400 there; here a provider that is down
//!    is the caller's 401, see "Where this project differs");
//! 2. the key: keys of the token's `kid` (all keys when it has none) whose type suits the token's
//!    algorithm (RS*, PS*, ES256/ES384); none in a cached bundle fetches it again once;
//! 3. signature: 401 `JWT-SVID signature verification failed`; no key or an unreadable token:
//!    401 `JWT-SVID verification failed`;
//! 4. `aud` must hold one of `allowedAudiences` (comma list), and `nbf` must have passed: 401
//!    `JWT-SVID audience validation failed`; `exp` passed: 401 `JWT-SVID has expired`;
//! 5. `sub` must be a SPIFFE ID (`spiffe://<trust domain>[/path]`) of `trustDomain` matching one
//!    of `allowedSpiffeIds` (comma list of globs): else 401 `Access denied`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use super::fetch::{FetchError, Fetcher};
use super::jwt::{self, SigningKey, EC_ALGORITHMS, RSA_ALGORITHMS};
use super::{comma_list, policy_matches, LoginFailure, VerifiedIdentity};
use infisical_auth_server::types;

/// A refresh hint of 0 counts as this (as in Infisical).
pub const DEFAULT_REFRESH_HINT: Duration = Duration::from_secs(3600);

/// Where the trust domain's JWT keys come from.
#[derive(Clone, Debug, PartialEq)]
pub enum SpiffeBundle {
    /// A JWKS document (the SPIFFE bundle) held in the configuration.
    Static {
        /// The JWKS document.
        bundle: String,
    },
    /// An SPIFFE bundle endpoint.
    HttpsWebBundle {
        /// The endpoint's URL.
        endpoint_url: String,
        /// PEM CA certificate trusted for the endpoint; empty: the system's roots.
        ca_cert: String,
        /// How long a fetched bundle is kept, in seconds (0: the default).
        refresh_hint_seconds: u64,
    },
}

/// What SPIFFE auth checks, from its configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct SpiffeSettings {
    /// The trust domain whose SPIFFE IDs may log in.
    pub trust_domain: String,
    /// Comma list of SPIFFE ID globs.
    pub allowed_spiffe_ids: String,
    /// Comma list of audiences, one of which the JWT-SVID must carry.
    pub allowed_audiences: String,
    /// Where the trust domain's keys come from.
    pub bundle: SpiffeBundle,
}

impl From<&types::AttachSpiffeAuthBody> for SpiffeSettings {
    fn from(body: &types::AttachSpiffeAuthBody) -> Self {
        let bundle = match &body.trust_bundle_distribution {
            types::AttachSpiffeAuthBodyTrustBundleDistribution::Static { bundle } => {
                SpiffeBundle::Static {
                    bundle: bundle.to_string(),
                }
            }
            types::AttachSpiffeAuthBodyTrustBundleDistribution::HttpsWebBundle {
                ca_cert,
                endpoint_url,
                refresh_hint_seconds,
            } => SpiffeBundle::HttpsWebBundle {
                endpoint_url: endpoint_url.clone(),
                ca_cert: ca_cert.clone().unwrap_or_default(),
                refresh_hint_seconds: *refresh_hint_seconds,
            },
        };
        Self {
            trust_domain: body.trust_domain.to_string(),
            allowed_spiffe_ids: body.allowed_spiffe_ids.to_string(),
            allowed_audiences: body.allowed_audiences.to_string(),
            bundle,
        }
    }
}

impl From<&types::IdentitySpiffeAuth> for SpiffeSettings {
    fn from(stored: &types::IdentitySpiffeAuth) -> Self {
        use types::IdentitySpiffeAuthTrustBundleDistribution as Stored;
        let bundle = match &stored.trust_bundle_distribution {
            Stored::Static { bundle } => SpiffeBundle::Static {
                bundle: bundle.clone(),
            },
            Stored::HttpsWebBundle {
                ca_cert,
                endpoint_url,
                refresh_hint_seconds,
                ..
            } => SpiffeBundle::HttpsWebBundle {
                endpoint_url: endpoint_url.clone(),
                ca_cert: ca_cert.clone(),
                refresh_hint_seconds: *refresh_hint_seconds,
            },
        };
        Self {
            trust_domain: stored.trust_domain.clone(),
            allowed_spiffe_ids: stored.allowed_spiffe_ids.clone(),
            allowed_audiences: stored.allowed_audiences.clone(),
            bundle,
        }
    }
}

const SVID_ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

fn failed() -> LoginFailure {
    LoginFailure::unauthorized("JWT-SVID verification failed")
}

/// Verifies a SPIFFE-auth login's JWT-SVID (see the module documentation for the checks).
pub async fn verify(
    fetcher: &Fetcher,
    settings: &SpiffeSettings,
    token: &str,
) -> Result<VerifiedIdentity, LoginFailure> {
    let (keys, from_cache) = bundle_keys(fetcher, &settings.bundle, false).await?;
    let header = jsonwebtoken::decode_header(token).map_err(|_| failed())?;
    if !SVID_ALGORITHMS.contains(&header.alg) {
        return Err(failed());
    }
    let candidates = |keys: &[SigningKey]| -> usize {
        keys.iter()
            .filter(|key| suits(key, header.kid.as_deref(), header.alg))
            .count()
    };
    let keys = if candidates(&keys) == 0 && from_cache {
        bundle_keys(fetcher, &settings.bundle, true).await?.0
    } else {
        keys
    };
    let mut claims = None;
    let mut reason = failed();
    for key in keys
        .iter()
        .filter(|key| suits(key, header.kid.as_deref(), header.alg))
    {
        match jwt::verify_signature(token, &key.key, key.algorithms) {
            Ok(verified) => {
                claims = Some(verified);
                break;
            }
            Err(why) if why == "invalid signature" => {
                reason = LoginFailure::unauthorized("JWT-SVID signature verification failed")
            }
            Err(_) => reason = failed(),
        }
    }
    let claims = claims.ok_or(reason)?;
    check_times_and_audience(&claims, &settings.allowed_audiences)?;

    let spiffe_id = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let allowed = trust_domain(&spiffe_id) == Some(settings.trust_domain.as_str())
        && comma_list(&settings.allowed_spiffe_ids)
            .any(|pattern| policy_matches(&spiffe_id, pattern));
    if !allowed {
        return Err(LoginFailure::unauthorized("Access denied"));
    }
    Ok(VerifiedIdentity::Spiffe { spiffe_id, claims })
}

/// Whether `key` is a candidate for a token with `kid` and `alg`.
fn suits(key: &SigningKey, kid: Option<&str>, alg: Algorithm) -> bool {
    let family_ok = if RSA_ALGORITHMS.contains(&alg) {
        key.algorithms == RSA_ALGORITHMS
    } else {
        EC_ALGORITHMS.contains(&alg) && key.algorithms == EC_ALGORITHMS
    };
    family_ok && kid.is_none_or(|kid| key.kid.as_deref() == Some(kid))
}

/// The bundle's signing keys, and whether they came from the cache.
async fn bundle_keys(
    fetcher: &Fetcher,
    bundle: &SpiffeBundle,
    refresh: bool,
) -> Result<(Vec<SigningKey>, bool), LoginFailure> {
    match bundle {
        SpiffeBundle::Static { bundle } => {
            let keys = jwt::parse_jwks(bundle.as_bytes()).map_err(|_| failed())?;
            Ok((keys, false))
        }
        SpiffeBundle::HttpsWebBundle {
            endpoint_url,
            ca_cert,
            refresh_hint_seconds,
        } => {
            let max_age = match refresh_hint_seconds {
                0 => DEFAULT_REFRESH_HINT,
                seconds => Duration::from_secs(*seconds),
            };
            let (document, cached) = fetcher
                .get_cached(endpoint_url, Some(ca_cert), max_age, refresh)
                .await
                .map_err(|FetchError(error)| {
                    LoginFailure::unauthorized(format!(
                        "Failed to fetch SPIFFE trust bundle from remote endpoint: {error}"
                    ))
                })?;
            let keys = jwt::parse_jwks(&document).map_err(|_| failed())?;
            Ok((keys, cached))
        }
    }
}

/// `aud`, then `nbf`, then `exp`, in the order and words of Infisical's JOSE library.
fn check_times_and_audience(
    claims: &Map<String, Value>,
    allowed_audiences: &str,
) -> Result<(), LoginFailure> {
    let audience_failed = || LoginFailure::unauthorized("JWT-SVID audience validation failed");
    let allowed: Vec<&str> = comma_list(allowed_audiences).collect();
    let has_audience = match claims.get("aud") {
        Some(Value::String(aud)) => allowed.contains(&aud.as_str()),
        Some(Value::Array(auds)) => auds
            .iter()
            .filter_map(Value::as_str)
            .any(|aud| allowed.contains(&aud)),
        _ => false,
    };
    if !has_audience {
        return Err(audience_failed());
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default();
    match claims.get("nbf") {
        None => {}
        Some(Value::Number(nbf)) if nbf.as_f64().is_some_and(|nbf| nbf <= now) => {}
        Some(_) => return Err(audience_failed()),
    }
    match claims.get("exp") {
        None => {}
        Some(Value::Number(exp)) if exp.as_f64().is_some_and(|exp| exp > now) => {}
        Some(Value::Number(_)) => {
            return Err(LoginFailure::unauthorized("JWT-SVID has expired"));
        }
        Some(_) => return Err(audience_failed()),
    }
    Ok(())
}

/// The trust domain of a SPIFFE ID (`spiffe://<domain>[/...]`).
fn trust_domain(spiffe_id: &str) -> Option<&str> {
    let rest = spiffe_id.strip_prefix("spiffe://")?;
    let domain = rest.split('/').next()?;
    (!domain.is_empty()).then_some(domain)
}
