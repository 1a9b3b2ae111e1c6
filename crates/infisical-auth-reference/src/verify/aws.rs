//! AWS auth: the caller signs an STS `GetCallerIdentity` request with its AWS credentials and sends
//! the request's method, body and headers (base64); the server forwards it to STS, which answers
//! who signed it, and holds the answer to `allowedAccountIds` and `allowedPrincipalArns`.
//!
//! The order and the messages are Infisical's (docs/infisical-behaviour.md, "Verified logins"):
//!
//! 1. the headers (base64 of a JSON object) and body (base64) decode, else 400; the region in the
//!    `Authorization` header's credential scope must be letters, digits and `-` (at most 20),
//!    else 400 `Invalid AWS region`;
//! 2. the request goes to STS. Infisical sends it to `sts.<region>.amazonaws.com`; this server
//!    sends it to the configured `stsEndpoint` (so that a test can stand in for STS), with the
//!    caller's method, headers and body unchanged. STS unreachable, refusing the signature or
//!    answering without a caller identity: 401;
//! 3. `allowedAccountIds` (comma list, exact): 401 `Access denied: AWS account ID not allowed.`;
//! 4. `allowedPrincipalArns` (comma list, `*` matches any run of characters): the caller's ARN,
//!    normalised to `arn:aws:<iam|sts>::<account>:<type>/<name>` (an assumed role's session
//!    dropped), or the same as an IAM role ARN, must match one: else 401
//!    `Access denied: AWS principal ARN not allowed. [principal-arn=<normalised ARN>]`.

use base64::Engine as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde_json::Value;

use super::fetch::Fetcher;
use super::{comma_list, LoginFailure, VerifiedIdentity};
use infisical_auth_server::types;

/// What AWS auth checks, from its configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct AwsSettings {
    /// Where the signed request is sent.
    pub sts_endpoint: String,
    /// Comma list of 12-digit account ids; empty: any.
    pub allowed_account_ids: String,
    /// Comma list of principal ARN patterns; empty: any.
    pub allowed_principal_arns: String,
}

impl From<&types::AttachAwsAuthBody> for AwsSettings {
    fn from(body: &types::AttachAwsAuthBody) -> Self {
        Self {
            sts_endpoint: body.sts_endpoint.to_string(),
            allowed_account_ids: body.allowed_account_ids.to_string(),
            allowed_principal_arns: body.allowed_principal_arns.to_string(),
        }
    }
}

impl From<&types::IdentityAwsAuth> for AwsSettings {
    fn from(stored: &types::IdentityAwsAuth) -> Self {
        Self {
            sts_endpoint: stored.sts_endpoint.clone(),
            allowed_account_ids: stored.allowed_account_ids.clone(),
            allowed_principal_arns: stored.allowed_principal_arns.clone(),
        }
    }
}

/// The signed `GetCallerIdentity` request of an AWS-auth login. `Debug` shows none of it.
#[derive(Clone)]
pub struct SignedRequest<'a> {
    /// `iamHttpRequestMethod` (Infisical's default: `POST`).
    pub method: &'a str,
    /// `iamRequestBody`: base64 of the request body.
    pub body_base64: &'a str,
    /// `iamRequestHeaders`: base64 of a JSON object of the signed headers.
    pub headers_base64: &'a str,
}

impl std::fmt::Debug for SignedRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let engine = base64::engine::general_purpose::STANDARD;
    engine.decode(text.trim()).ok().or_else(|| {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text.trim())
            .ok()
    })
}

/// Verifies an AWS-auth login (see the module documentation for the checks).
pub async fn verify(
    fetcher: &Fetcher,
    settings: &AwsSettings,
    request: &SignedRequest<'_>,
) -> Result<VerifiedIdentity, LoginFailure> {
    let invalid_headers = || LoginFailure::bad_request("Invalid AWS request headers");
    let headers_json = base64_decode(request.headers_base64).ok_or_else(invalid_headers)?;
    let Ok(Value::Object(header_map)) = serde_json::from_slice::<Value>(&headers_json) else {
        return Err(invalid_headers());
    };
    let body = base64_decode(request.body_base64)
        .ok_or_else(|| LoginFailure::bad_request("Invalid AWS request body"))?;

    let mut headers = HeaderMap::new();
    let mut authorization = None;
    for (name, value) in &header_map {
        // A header may be a string or, as some SDKs write them, a list of strings.
        let values: Vec<&str> = match value {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => return Err(invalid_headers()),
        };
        let lower = name.to_ascii_lowercase();
        if lower == "authorization" {
            authorization = values.first().map(|v| v.to_string());
        }
        if matches!(
            lower.as_str(),
            "content-length" | "connection" | "transfer-encoding"
        ) {
            continue;
        }
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid_headers())?;
        for value in values {
            let mut value = HeaderValue::from_str(value).map_err(|_| invalid_headers())?;
            value.set_sensitive(true);
            headers.append(header.clone(), value);
        }
    }
    let region = authorization.as_deref().and_then(region_of);
    if !region.is_some_and(|region| {
        !region.is_empty()
            && region.len() <= 20
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }) {
        return Err(LoginFailure::bad_request("Invalid AWS region"));
    }
    let method_name = if request.method.is_empty() {
        "POST"
    } else {
        request.method
    };
    let method = Method::from_bytes(method_name.as_bytes())
        .map_err(|_| LoginFailure::bad_request("Invalid AWS request method"))?;

    let answer = fetcher
        .send(method, &settings.sts_endpoint, headers, Some(body), None)
        .await
        .map_err(|error| {
            LoginFailure::unauthorized(format!("Access denied: failed to reach AWS STS: {error}"))
        })?;
    if !answer.status.is_success() {
        return Err(LoginFailure::unauthorized(format!(
            "Access denied: AWS STS refused the signed request (HTTP {})",
            answer.status.as_u16()
        )));
    }
    let (account, arn, user_id) = caller_identity(&answer.body).ok_or_else(|| {
        LoginFailure::unauthorized("Access denied: AWS STS answered without a caller identity")
    })?;

    if !settings.allowed_account_ids.trim().is_empty()
        && !comma_list(&settings.allowed_account_ids).any(|id| id == account)
    {
        return Err(LoginFailure::unauthorized(
            "Access denied: AWS account ID not allowed.",
        ));
    }
    if !settings.allowed_principal_arns.trim().is_empty() {
        let formatted = principal_arn(&arn, false);
        let as_role = principal_arn(&arn, true);
        let allowed = comma_list(&settings.allowed_principal_arns).any(|pattern| {
            formatted
                .as_deref()
                .is_some_and(|arn| wildcard_match(arn, pattern))
                || as_role
                    .as_deref()
                    .is_some_and(|arn| wildcard_match(arn, pattern))
        });
        if !allowed {
            return Err(LoginFailure::unauthorized(format!(
                "Access denied: AWS principal ARN not allowed. [principal-arn={}]",
                formatted.as_deref().unwrap_or(&arn)
            )));
        }
    }
    Ok(VerifiedIdentity::Aws {
        account_id: account,
        arn,
        user_id,
    })
}

/// The region of a SigV4 `Authorization` header (`Credential=<key>/<date>/<region>/...`).
fn region_of(authorization: &str) -> Option<&str> {
    authorization
        .split([' ', ','])
        .find_map(|field| field.strip_prefix("Credential="))
        .and_then(|credential| credential.split('/').nth(2))
}

/// `Account`, `Arn` and `UserId` from STS's answer, JSON (`Accept: application/json`) or XML.
fn caller_identity(body: &[u8]) -> Option<(String, String, String)> {
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        let result = json.pointer("/GetCallerIdentityResponse/GetCallerIdentityResult")?;
        let field = |name: &str| result.get(name)?.as_str().map(str::to_owned);
        return Some((field("Account")?, field("Arn")?, field("UserId")?));
    }
    let text = std::str::from_utf8(body).ok()?;
    let tag = |name: &str| -> Option<String> {
        let start = text.find(&format!("<{name}>"))? + name.len() + 2;
        let end = start + text[start..].find(&format!("</{name}>"))?;
        Some(text[start..end].trim().to_owned())
    };
    Some((tag("Account")?, tag("Arn")?, tag("UserId")?))
}

/// The caller's ARN normalised as Infisical compares it (see the module documentation); `None`
/// for an ARN that is not an IAM or STS principal.
fn principal_arn(arn: &str, as_iam_role: bool) -> Option<String> {
    let parts: Vec<&str> = arn.split(':').collect();
    let [prefix, _partition, service, _region, account, resource] = parts[..] else {
        return None;
    };
    if prefix != "arn" || !matches!(service, "iam" | "sts") {
        return None;
    }
    let segments: Vec<&str> = resource.split('/').collect();
    if segments.len() < 2 {
        return None;
    }
    let (kind, name) = match segments[0] {
        "assumed-role" => {
            if segments.len() < 3 {
                return None;
            }
            (
                if as_iam_role { "role" } else { "assumed-role" },
                segments[1],
            )
        }
        kind @ ("user" | "role" | "instance-profile") => (kind, segments[segments.len() - 1]),
        _ => return None,
    };
    let service = if as_iam_role { "iam" } else { service };
    Some(format!("arn:aws:{service}::{account}:{kind}/{name}"))
}

/// Whether `value` matches `pattern`, where `*` matches any run of characters (including none)
/// and everything else is literal.
fn wildcard_match(value: &str, pattern: &str) -> bool {
    let pieces: Vec<&str> = pattern.split('*').collect();
    if pieces.len() == 1 {
        return value == pattern;
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if value.len() < first.len() + last.len() || !value.starts_with(first) || !value.ends_with(last)
    {
        return false;
    }
    let mut rest = &value[first.len()..value.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::{principal_arn, region_of, wildcard_match};

    #[test]
    fn arns_normalise_as_infisical_does() {
        assert_eq!(
            principal_arn(
                "arn:aws:sts::123456789012:assumed-role/app/session-1",
                false
            )
            .as_deref(),
            Some("arn:aws:sts::123456789012:assumed-role/app")
        );
        assert_eq!(
            principal_arn("arn:aws:sts::123456789012:assumed-role/app/session-1", true).as_deref(),
            Some("arn:aws:iam::123456789012:role/app")
        );
        assert_eq!(
            principal_arn("arn:aws:iam::123456789012:user/path/to/bob", false).as_deref(),
            Some("arn:aws:iam::123456789012:user/bob")
        );
        assert_eq!(principal_arn("arn:aws:s3:::bucket/key", false), None);
    }

    #[test]
    fn wildcards_and_regions() {
        assert!(wildcard_match(
            "arn:aws:iam::123456789012:role/app",
            "arn:aws:iam::123456789012:*"
        ));
        assert!(wildcard_match("abc", "a*c"));
        assert!(!wildcard_match("abcd", "a*c"));
        assert!(!wildcard_match("a.c", "a?c"));
        assert_eq!(
            region_of("AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=x"),
            Some("us-east-1")
        );
    }
}
