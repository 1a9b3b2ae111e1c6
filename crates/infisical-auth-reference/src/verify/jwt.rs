//! JWT auth: a token signed by the caller's identity provider, verified against the configuration's
//! `publicKeys` (`static`) or the keys at `jwksUrl` (`jwks`, trusting `jwksCaCert` when given),
//! then held to `boundIssuer`, `boundSubject`, `boundAudiences` and `boundClaims`.
//!
//! The order and the messages are Infisical's (docs/infisical-behaviour.md, "Verified logins"):
//!
//! 1. a token that does not decode: 401 `Invalid JWT`;
//! 2. the signature and the `exp` / `nbf` times (no leeway): 401 `Access denied: <reason>`, the
//!    reason worded as Infisical's JWT library words it (`invalid signature`, `jwt expired`,
//!    `jwt not active`, ...); with static keys every key is tried and the reasons are joined;
//! 3. `boundIssuer`: `iss` must equal it, else 403 `Access denied: issuer mismatch`;
//! 4. `boundSubject`: a token without `sub` is a 401, a `sub` that does not match a 403;
//! 5. `boundAudiences` (a comma list): a token without `aud` is a 401; no item matching (one of)
//!    its audiences is a 401;
//! 6. each `boundClaims` entry: the claim (a dot path into the claims) missing or empty is a 401;
//!    its value (or one of its values) matching none of the entry's comma-separated items is a 401.
//!
//! Matching is equality or a glob (see `glob`). This module also holds what OIDC and SPIFFE auth
//! share with it: decoding, verifying against a key or a JWKS, and the claim checks.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use base64::Engine as _;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::fetch::{FetchError, Fetcher};
use super::{comma_list, policy_matches, LoginFailure, VerifiedIdentity};
use infisical_auth_server::types;

/// How long keys fetched from a JWKS URL are used before they are fetched again (a token whose
/// `kid` is not among them fetches them again at once).
pub const JWKS_MAX_AGE: Duration = Duration::from_secs(600);
/// A token without `kid` is tried against at most this many keys.
pub const MAX_KEYS_TO_TRY: usize = 10;

/// Where JWT auth finds the keys that sign valid tokens.
#[derive(Clone, Debug, PartialEq)]
pub enum JwtKeys {
    /// `configurationType: static`: PEM public keys.
    Static {
        /// The keys, PEM each.
        public_keys: Vec<String>,
    },
    /// `configurationType: jwks`: a JWKS document at `url`, its TLS certificate issued by
    /// `ca_cert` (PEM) when that is not empty.
    Jwks {
        /// Where the JWKS document is.
        url: String,
        /// PEM of the CA that issued the endpoint's certificate; empty: the system's roots.
        ca_cert: String,
    },
}

/// What JWT auth checks, from its configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct JwtSettings {
    /// Where the signing keys are.
    pub keys: JwtKeys,
    /// `iss` must equal this when it is not empty.
    pub bound_issuer: String,
    /// A comma list of audience patterns; empty: any audience.
    pub bound_audiences: String,
    /// A subject pattern; empty: any subject.
    pub bound_subject: String,
    /// Claim (dot path) → comma list of value patterns.
    pub bound_claims: BTreeMap<String, String>,
}

impl From<&types::AttachJwtAuthBody> for JwtSettings {
    fn from(body: &types::AttachJwtAuthBody) -> Self {
        match body {
            types::AttachJwtAuthBody::Jwks {
                bound_audiences,
                bound_claims,
                bound_issuer,
                bound_subject,
                jwks_ca_cert,
                jwks_url,
                ..
            } => Self {
                keys: JwtKeys::Jwks {
                    url: jwks_url.clone(),
                    ca_cert: jwks_ca_cert.clone(),
                },
                bound_issuer: bound_issuer.clone(),
                bound_audiences: bound_audiences.clone(),
                bound_subject: bound_subject.clone(),
                bound_claims: bound_claims.clone().into_iter().collect(),
            },
            types::AttachJwtAuthBody::Static {
                bound_audiences,
                bound_claims,
                bound_issuer,
                bound_subject,
                public_keys,
                ..
            } => Self {
                keys: JwtKeys::Static {
                    public_keys: public_keys.iter().map(|key| key.to_string()).collect(),
                },
                bound_issuer: bound_issuer.clone(),
                bound_audiences: bound_audiences.clone(),
                bound_subject: bound_subject.clone(),
                bound_claims: bound_claims.clone().into_iter().collect(),
            },
        }
    }
}

impl From<&types::IdentityJwtAuth> for JwtSettings {
    fn from(stored: &types::IdentityJwtAuth) -> Self {
        let keys = if stored.configuration_type == "jwks" {
            JwtKeys::Jwks {
                url: stored.jwks_url.clone(),
                ca_cert: stored.jwks_ca_cert.clone(),
            }
        } else {
            JwtKeys::Static {
                public_keys: stored.public_keys.clone(),
            }
        };
        Self {
            keys,
            bound_issuer: stored.bound_issuer.clone(),
            bound_audiences: stored.bound_audiences.clone(),
            bound_subject: stored.bound_subject.clone(),
            bound_claims: super::string_map(stored.bound_claims.as_ref()),
        }
    }
}

/// Verifies a JWT-auth login's token (see the module documentation for the checks).
pub async fn verify(
    fetcher: &Fetcher,
    settings: &JwtSettings,
    token: &str,
) -> Result<VerifiedIdentity, LoginFailure> {
    let Some(header) = decode_header(token) else {
        return Err(LoginFailure::unauthorized("Invalid JWT"));
    };
    let claims = match &settings.keys {
        JwtKeys::Static { public_keys } => {
            let mut reasons = Vec::new();
            let mut verified = None;
            // Infisical keeps the keys as one comma-joined text and splits it again.
            for key in public_keys.iter().flat_map(|key| key.split(',')) {
                match verify_with_pem(token, key) {
                    Ok(claims) => {
                        verified = Some(claims);
                        break;
                    }
                    Err(reason) => reasons.push(reason),
                }
            }
            verified.ok_or_else(|| {
                LoginFailure::unauthorized(format!(
                    "Access denied: JWT verification failed with all keys. Errors - {}",
                    reasons.join("; ")
                ))
            })?
        }
        JwtKeys::Jwks { url, ca_cert } => {
            verify_with_jwks_url(fetcher, url, ca_cert, token, &header, None)
                .await
                .map_err(|failure| match failure {
                    JwksFailure::Verify(reason) | JwksFailure::VerifyAll(reason) => {
                        LoginFailure::unauthorized(format!("Access denied: {reason}"))
                    }
                    JwksFailure::Fetch(error) => LoginFailure::unauthorized(format!(
                        "Access denied: Failed to retrieve signing key from JWKS endpoint: {error}"
                    )),
                    other => LoginFailure::unauthorized(other.message("JWKS endpoint")),
                })?
        }
    };

    if !settings.bound_issuer.is_empty()
        && claims.get("iss").and_then(Value::as_str) != Some(settings.bound_issuer.as_str())
    {
        return Err(LoginFailure::forbidden("Access denied: issuer mismatch"));
    }
    if !settings.bound_subject.is_empty() {
        let subject = claims.get("sub").filter(|sub| truthy(sub));
        let Some(subject) = subject else {
            return Err(LoginFailure::unauthorized(
                "Access denied: token has no subject field",
            ));
        };
        if !value_matches(subject, &settings.bound_subject) {
            return Err(LoginFailure::forbidden(
                "Access denied: subject not allowed",
            ));
        }
    }
    if !settings.bound_audiences.trim().is_empty() {
        let Some(audience) = claims.get("aud").filter(|aud| truthy(aud)) else {
            return Err(LoginFailure::unauthorized(
                "Access denied: token has no audience field",
            ));
        };
        if !comma_list(&settings.bound_audiences).any(|pattern| value_matches(audience, pattern)) {
            return Err(LoginFailure::unauthorized(
                "Access denied: token audience not allowed",
            ));
        }
    }
    check_bound_claims(&claims, &settings.bound_claims, |claim| {
        format!("Access denied: claim mismatch for field {claim}")
    })?;
    Ok(VerifiedIdentity::Jwt { claims })
}

/// Checks `boundClaims`: every claim present and not empty, its value (or one of its values)
/// matching one of the entry's comma-separated patterns; `mismatch` words the refusal.
pub(crate) fn check_bound_claims(
    claims: &Map<String, Value>,
    bound_claims: &BTreeMap<String, String>,
    mismatch: impl Fn(&str) -> String,
) -> Result<(), LoginFailure> {
    for (claim, patterns) in bound_claims {
        let Some(value) = value_by_dot(claims, claim).filter(|value| truthy(value)) else {
            return Err(LoginFailure::unauthorized(format!(
                "Access denied: token has no {claim} field"
            )));
        };
        if !comma_list(patterns).any(|pattern| value_matches(value, pattern)) {
            return Err(LoginFailure::unauthorized(mismatch(claim)));
        }
    }
    Ok(())
}

/// A claim by dot path (`realm_access.roles`).
pub(crate) fn value_by_dot<'a>(claims: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut value = claims.get(parts.next()?)?;
    for part in parts {
        value = match value {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

/// JavaScript's truthiness, which decides whether Infisical counts a claim as present.
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Whether a claim's value matches a pattern: a string by equality or glob, a list when one of its
/// items does, a number or boolean by its JSON text.
pub(crate) fn value_matches(value: &Value, pattern: &str) -> bool {
    match value {
        Value::String(s) => policy_matches(s, pattern),
        Value::Array(items) => items.iter().any(|item| match item {
            Value::Array(_) | Value::Object(_) => false,
            other => value_matches(other, pattern),
        }),
        Value::Number(n) => policy_matches(&n.to_string(), pattern),
        Value::Bool(b) => policy_matches(if *b { "true" } else { "false" }, pattern),
        Value::Null | Value::Object(_) => false,
    }
}

/// A token's header, when the token has three dot-separated parts whose first two are base64url
/// JSON objects (what Infisical's decoder requires before anything is verified).
pub(crate) fn decode_header(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decode = |part: &str| -> Option<Map<String, Value>> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part.trim_end_matches('='))
            .ok()?;
        match serde_json::from_slice(&bytes).ok()? {
            Value::Object(map) => Some(map),
            _ => None,
        }
    };
    decode(payload)?;
    decode(header)
}

/// The algorithm a token's header names, as the JWT library knows it.
fn header_algorithm(token: &str) -> Result<Algorithm, String> {
    jsonwebtoken::decode_header(token)
        .map(|header| header.alg)
        .map_err(|_| "invalid algorithm".to_owned())
}

/// Verifies the signature and the times of `token` with `key`, answering its claims or the reason
/// in the words of Infisical's JWT library.
pub(crate) fn verify_with_key(
    token: &str,
    key: &DecodingKey,
    algorithms: &[Algorithm],
) -> Result<Map<String, Value>, String> {
    verify_inner(token, key, algorithms, true)
}

/// Verifies only the signature of `token` with `key` (the caller checks the times).
pub(crate) fn verify_signature(
    token: &str,
    key: &DecodingKey,
    algorithms: &[Algorithm],
) -> Result<Map<String, Value>, String> {
    verify_inner(token, key, algorithms, false)
}

fn verify_inner(
    token: &str,
    key: &DecodingKey,
    algorithms: &[Algorithm],
    check_times: bool,
) -> Result<Map<String, Value>, String> {
    let alg = header_algorithm(token)?;
    if !algorithms.contains(&alg) {
        return Err("invalid algorithm".into());
    }
    let mut validation = Validation::new(alg);
    validation.algorithms = vec![alg];
    validation.leeway = 0;
    validation.validate_exp = check_times;
    validation.validate_nbf = check_times;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
        .map(|data| data.claims)
        .map_err(|error| node_reason(&error))
}

/// Infisical's JWT library's words for a failed verification.
fn node_reason(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::InvalidSignature => "invalid signature",
        ErrorKind::ExpiredSignature => "jwt expired",
        ErrorKind::ImmatureSignature => "jwt not active",
        ErrorKind::InvalidAlgorithm
        | ErrorKind::InvalidAlgorithmName
        | ErrorKind::MissingAlgorithm
        | ErrorKind::InvalidKeyFormat
        | ErrorKind::InvalidEcdsaKey
        | ErrorKind::InvalidRsaKey(_) => "invalid algorithm",
        _ => "jwt malformed",
    }
    .to_owned()
}

pub(crate) const RSA_ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];
pub(crate) const EC_ALGORITHMS: &[Algorithm] = &[Algorithm::ES256, Algorithm::ES384];
const ED_ALGORITHMS: &[Algorithm] = &[Algorithm::EdDSA];

/// Verifies `token` with a PEM public key, choosing the key type from the token's algorithm.
fn verify_with_pem(token: &str, pem: &str) -> Result<Map<String, Value>, String> {
    let pem = pem.trim().as_bytes();
    let alg = header_algorithm(token)?;
    let (key, algorithms) = if RSA_ALGORITHMS.contains(&alg) {
        (DecodingKey::from_rsa_pem(pem), RSA_ALGORITHMS)
    } else if EC_ALGORITHMS.contains(&alg) {
        (DecodingKey::from_ec_pem(pem), EC_ALGORITHMS)
    } else if ED_ALGORITHMS.contains(&alg) {
        (DecodingKey::from_ed_pem(pem), ED_ALGORITHMS)
    } else {
        return Err("invalid algorithm".into());
    };
    let key = key.map_err(|_| "invalid algorithm".to_owned())?;
    verify_with_key(token, &key, algorithms)
}

/// A signing key of a JWKS.
pub(crate) struct SigningKey {
    pub kid: Option<String>,
    pub key: DecodingKey,
    pub algorithms: &'static [Algorithm],
}

/// The signing keys of a JWKS document: keys whose `use` is absent, `sig` or (SPIFFE bundles)
/// `jwt-svid`, of a type the JWT library reads; other keys are skipped.
pub(crate) fn parse_jwks(document: &[u8]) -> Result<Vec<SigningKey>, String> {
    let document: Value =
        serde_json::from_slice(document).map_err(|_| "the JWKS is not valid JSON".to_owned())?;
    let Some(keys) = document.get("keys").and_then(Value::as_array) else {
        return Err("the JWKS has no keys".into());
    };
    let mut out = Vec::new();
    for key in keys {
        match key.get("use").and_then(Value::as_str) {
            None | Some("sig") | Some("jwt-svid") => {}
            Some(_) => continue,
        }
        let mut key = key.clone();
        if let Some(object) = key.as_object_mut() {
            // The JWT library reads only `sig` and `enc`.
            if object.get("use").and_then(Value::as_str) == Some("jwt-svid") {
                object.remove("use");
            }
        }
        let Ok(jwk) = serde_json::from_value::<Jwk>(key) else {
            continue;
        };
        let algorithms = match &jwk.algorithm {
            jsonwebtoken::jwk::AlgorithmParameters::RSA(_) => RSA_ALGORITHMS,
            jsonwebtoken::jwk::AlgorithmParameters::EllipticCurve(_) => EC_ALGORITHMS,
            jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(_) => ED_ALGORITHMS,
            _ => continue,
        };
        let Ok(decoding) = DecodingKey::from_jwk(&jwk) else {
            continue;
        };
        out.push(SigningKey {
            kid: jwk.common.key_id.clone(),
            key: decoding,
            algorithms,
        });
    }
    Ok(out)
}

/// Why verifying against a JWKS URL failed.
#[derive(Debug)]
pub(crate) enum JwksFailure {
    /// The JWKS could not be fetched or read.
    Fetch(String),
    /// No key has the token's `kid`.
    KeyNotFound(String),
    /// The JWKS has no signing key.
    NoKeys,
    /// The token has no `kid` and the JWKS has more keys than are tried.
    TooManyKeys(usize),
    /// The key with the token's `kid` refused the token (or its issuer is not the one required).
    Verify(String),
    /// The token has no `kid` and every key tried refused it (the last reason).
    VerifyAll(String),
}

impl JwksFailure {
    /// Infisical's message (OIDC auth's wording) naming `source`.
    pub(crate) fn message(&self, source: &str) -> String {
        match self {
            JwksFailure::Fetch(error) => format!(
                "Access denied: Failed to retrieve signing key from OIDC provider: {error}"
            ),
            JwksFailure::KeyNotFound(kid) => format!(
                "Access denied: Unable to verify JWT signature. The signing key '{kid}' was not found in the {source}. This may indicate an invalid token or misconfigured OIDC provider."
            ),
            JwksFailure::NoKeys => format!("Access denied: No signing keys available from {source}."),
            JwksFailure::TooManyKeys(count) => format!(
                "Access denied: OIDC provider has {count} signing keys. Tokens must include 'kid' header when provider has more than {MAX_KEYS_TO_TRY} keys."
            ),
            JwksFailure::Verify(reason) => format!("Access denied: {reason}"),
            JwksFailure::VerifyAll(reason) => format!(
                "Access denied: Unable to verify JWT signature with any available signing key. {reason}"
            ),
        }
    }
}

/// Verifies `token` against the JWKS at `url` (cached for [`JWKS_MAX_AGE`]; fetched again once
/// when the token's `kid` is not in the cached copy), then, when `issuer` is given, requires `iss`
/// to equal it (as Infisical's JWT library words it).
pub(crate) async fn verify_with_jwks_url(
    fetcher: &Fetcher,
    url: &str,
    ca_cert: &str,
    token: &str,
    header: &Map<String, Value>,
    issuer: Option<&str>,
) -> Result<Map<String, Value>, JwksFailure> {
    let ca = Some(ca_cert).filter(|ca| !ca.trim().is_empty());
    let fetch = |refresh: bool| async move {
        let (document, cached) = fetcher
            .get_cached(url, ca, JWKS_MAX_AGE, refresh)
            .await
            .map_err(|FetchError(error)| JwksFailure::Fetch(error))?;
        let keys = parse_jwks(&document).map_err(JwksFailure::Fetch)?;
        Ok::<_, JwksFailure>((keys, cached))
    };
    let (mut keys, cached) = fetch(false).await?;
    let kid = header.get("kid").and_then(Value::as_str).map(str::to_owned);
    let claims = match kid {
        Some(kid) => {
            let has_kid = |keys: &[SigningKey]| keys.iter().any(|k| k.kid.as_deref() == Some(&kid));
            if !has_kid(&keys) && cached {
                keys = fetch(true).await?.0;
            }
            let Some(key) = keys.iter().find(|k| k.kid.as_deref() == Some(&kid)) else {
                return Err(JwksFailure::KeyNotFound(kid));
            };
            verify_with_key(token, &key.key, key.algorithms).map_err(JwksFailure::Verify)?
        }
        None => {
            if keys.is_empty() {
                return Err(JwksFailure::NoKeys);
            }
            if keys.len() > MAX_KEYS_TO_TRY {
                return Err(JwksFailure::TooManyKeys(keys.len()));
            }
            let mut last = String::from("Invalid token");
            let mut verified = None;
            for key in &keys {
                match verify_with_key(token, &key.key, key.algorithms) {
                    Ok(claims) => {
                        verified = Some(claims);
                        break;
                    }
                    Err(reason) => last = reason,
                }
            }
            verified.ok_or(JwksFailure::VerifyAll(last))?
        }
    };
    if let Some(issuer) = issuer {
        if claims.get("iss").and_then(Value::as_str) != Some(issuer) {
            return Err(JwksFailure::Verify(format!(
                "jwt issuer invalid. expected: {issuer}"
            )));
        }
    }
    Ok(claims)
}
