//! The hand-written runtime behind the generated router: everything a handler does before and
//! after calling the trait, written once and shared by all 78 operations.
//!
//! In order (docs/infisical-behaviour.md#order-of-checks #error-bodies): a fresh request id; the bearer token (401 "Token missing"
//! on a secured operation without one, then the API's own `authenticate`); path and query; the body, read as bytes and parsed here
//! (415 for another media type, 413 over [`BODY_LIMIT`], 400 for malformed JSON); the validation
//! rules (422 with every issue, 400 for an invalid IP entry); serde into the typed values (422 on
//! failure, never 500); then the trait method, whose panic becomes a 500 that says nothing more.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use futures_util::FutureExt;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{json_response, ApiError};
use crate::InfisicalAuthApi;

/// The largest request body the router reads (1 MiB); a larger one is answered 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What the router knows about one operation (a row of the generated `OPERATIONS` table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The operationId, e.g. `attachUniversalAuth`.
    pub id: &'static str,
    /// The upper-case HTTP method.
    pub method: &'static str,
    /// The path template, e.g. `/api/v1/auth/universal-auth/identities/{identityId}`.
    pub path: &'static str,
    /// Whether a bearer token is required.
    pub secured: bool,
    /// Whether the operation takes a JSON body.
    pub has_body: bool,
}

/// What a handler knows about the request beyond its typed parameters.
#[derive(Clone)]
pub struct RequestContext {
    /// The bearer token of the `Authorization` header, if any (never printed by `Debug`).
    pub bearer_token: Option<String>,
    /// The caller's address (IPv4-mapped IPv6 addresses as IPv4); the unspecified address
    /// `0.0.0.0` when the server was not started with connect info.
    pub client_ip: IpAddr,
    /// The request id, `req-` and 14 letters or digits, also in every error body.
    pub request_id: String,
}

impl std::fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestContext")
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field("client_ip", &self.client_ip)
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// The request id, put in every response's extensions for logging layers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(pub String);

/// A fresh request id: `req-` and 14 letters or digits.
pub fn new_request_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = String::with_capacity(18);
    id.push_str("req-");
    for _ in 0..14 {
        id.push(char::from(ALPHABET[fastrand::usize(..ALPHABET.len())]));
    }
    id
}

/// The request as the generated handler sees it, already checked; the handler takes the typed
/// parts out of it.
pub struct Input {
    context: Option<RequestContext>,
    path: Vec<(String, String)>,
    query: String,
    body: Option<Value>,
}

impl Input {
    /// The path parameter `name` (percent-decoded; empty if absent, which the router prevents).
    pub fn path(&mut self, name: &str) -> String {
        self.path
            .iter_mut()
            .find(|(key, _)| key == name)
            .map(|(_, value)| std::mem::take(value))
            .unwrap_or_default()
    }

    /// The query string as the typed query of the operation; a mismatch is a 422.
    pub fn query<Q: DeserializeOwned>(&self) -> Result<Q, ApiError> {
        serde_urlencoded::from_str(&self.query).map_err(|e| {
            ApiError::unprocessable(vec![json!({
                "code": "invalid_type",
                "path": [],
                "message": format!("Invalid query: {e}"),
            })])
        })
    }

    /// The body as the typed body of the operation; a mismatch is a 422 naming the field.
    pub fn body<B: DeserializeOwned>(&mut self) -> Result<B, ApiError> {
        let value = self.body.take().unwrap_or(Value::Null);
        serde_path_to_error::deserialize::<_, B>(value).map_err(|e| {
            let path: Vec<Value> = e
                .path()
                .iter()
                .filter_map(|segment| match segment {
                    serde_path_to_error::Segment::Seq { index } => Some(Value::from(*index)),
                    serde_path_to_error::Segment::Map { key } => Some(Value::String(key.clone())),
                    serde_path_to_error::Segment::Enum { variant } => {
                        Some(Value::String(variant.clone()))
                    }
                    serde_path_to_error::Segment::Unknown => None,
                })
                .collect();
            ApiError::unprocessable(vec![json!({
                "code": "invalid_type",
                "path": path,
                "message": e.inner().to_string(),
            })])
        })
    }

    /// The request context (taken once, by the generated handler).
    pub fn take_context(&mut self) -> RequestContext {
        self.context.take().unwrap_or_else(|| RequestContext {
            bearer_token: None,
            client_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            request_id: new_request_id(),
        })
    }
}

/// Serves one request for `operation`: checks it, calls `handler` with the checked input, and
/// answers the handler's value as JSON 200 or its error in Infisical's shape. Never panics
/// through: a panic becomes a bare 500.
pub async fn serve<T, R, F, Fut>(
    operation: &'static Operation,
    request: Request,
    api: Arc<T>,
    handler: F,
) -> Response
where
    T: InfisicalAuthApi,
    R: Serialize,
    F: FnOnce(Arc<T>, Input) -> Fut + Send,
    Fut: Future<Output = Result<R, ApiError>> + Send,
{
    let request_id = new_request_id();
    let outcome = AssertUnwindSafe(answer(operation, request, request_id.clone(), api, handler))
        .catch_unwind()
        .await;
    let mut response = match outcome {
        Ok(Ok(bytes)) => json_response(StatusCode::OK, bytes),
        Ok(Err(error)) => error.to_response(&request_id),
        Err(_panic) => ApiError::internal().to_response(&request_id),
    };
    response.extensions_mut().insert(RequestId(request_id));
    response
}

async fn answer<T, R, F, Fut>(
    operation: &'static Operation,
    request: Request,
    request_id: String,
    api: Arc<T>,
    handler: F,
) -> Result<Vec<u8>, ApiError>
where
    T: InfisicalAuthApi,
    R: Serialize,
    F: FnOnce(Arc<T>, Input) -> Fut,
    Fut: Future<Output = Result<R, ApiError>>,
{
    let (mut parts, body) = request.into_parts();
    let client_ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_canonical())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let context = RequestContext {
        bearer_token: bearer_token(&parts.headers),
        client_ip,
        request_id,
    };
    // Authentication comes first (docs/infisical-behaviour.md#order-of-checks): no token, or one the API refuses, is
    // answered before the body is read or validated.
    if operation.secured {
        if context.bearer_token.is_none() {
            return Err(ApiError::unauthorized("Token missing"));
        }
        api.authenticate(&context).await?;
    }
    let path: Vec<(String, String)> = match RawPathParams::from_request_parts(&mut parts, &()).await
    {
        Ok(params) => params
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        Err(_) => {
            return Err(ApiError::bad_request(
                "Invalid path parameter: not valid UTF-8",
            ))
        }
    };
    let query = parts.uri.query().unwrap_or("").to_owned();
    let mut body = if operation.has_body {
        Some(read_json(&parts.headers, body).await?)
    } else {
        None
    };
    crate::checks::validate(operation.id, &path, &query, body.as_mut())?;
    let input = Input {
        context: Some(context),
        path,
        query,
        body,
    };
    let value = handler(api, input).await?;
    serde_json::to_vec(&value).map_err(|_| ApiError::internal())
}

/// The token of an `Authorization: Bearer TOKEN` header (scheme case-insensitive, not empty).
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// Whether a `Content-Type` value names JSON (`application/json`, or `+json`, any parameters).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Reads the body as JSON: 415 for another media type, 413 over [`BODY_LIMIT`], 400 when
/// malformed. An empty body is `null` (which validation answers 422).
async fn read_json(headers: &HeaderMap, body: Body) -> Result<Value, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("?"));
    if content_type.is_some_and(|ct| !is_json(ct)) {
        return Err(ApiError::unsupported_media_type());
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > BODY_LIMIT as u64) {
        return Err(ApiError::payload_too_large(BODY_LIMIT));
    }
    let bytes = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(ApiError::payload_too_large(BODY_LIMIT));
        }
        Err(_) => return Err(ApiError::bad_request("Failed to read the request body")),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    if content_type.is_none() {
        return Err(ApiError::unsupported_media_type());
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("Body is not valid JSON: {e}")))
}

/// The router's fallback: an unknown route (or a known path with another method) is a 404 in
/// Infisical's shape, as Infisical answers it.
pub async fn not_found(request: Request) -> Response {
    let request_id = new_request_id();
    let message = format!(
        "Route {}:{} not found",
        request.method(),
        request.uri().path()
    );
    let mut response = ApiError::not_found(message).to_response(&request_id);
    response.extensions_mut().insert(RequestId(request_id));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_have_the_infisical_shape() {
        let id = new_request_id();
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("req-"));
        assert!(id[4..].chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(id, new_request_id());
    }

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert(header::AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(bearer_token(&headers).as_deref(), Some("abc"));
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&headers), None);
        headers.insert(header::AUTHORIZATION, "Bearer ".parse().unwrap());
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn json_media_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json("application/x-www-form-urlencoded"));
    }
}
