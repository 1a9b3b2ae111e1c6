//! The hand-written runtime behind the generated router: everything a handler does before and
//! after calling the trait, written once and shared by all 78 operations.
//!
//! In order (docs/infisical-behaviour.md#order-of-checks and #error-bodies): a fresh request id;
//! the bearer token of a secured operation (401 "Token missing" without one, then the API's own
//! `authenticate`; on an operation without security the `Authorization` header is ignored); path
//! and query; the body, read as bytes and parsed here, as JSON or as a form whose values are
//! coerced to the field types (415 for another media type, 413 over [`BODY_LIMIT`], 400 for
//! malformed JSON); the validation rules (422 with every issue, 400 for an invalid IP entry);
//! serde into the typed values (422 on failure, never 500); then the trait method, whose panic
//! becomes a 500 that says nothing more. Answers write whole numbers as integers, as Infisical
//! (JavaScript) does. A body left unread by an early answer is read and discarded up to
//! [`DRAIN_LIMIT`], so a client that sends its whole body before reading still gets the answer.
//! The dialect is described in docs/infisical-behaviour.md#request-dialect.

use std::borrow::Cow;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::body::{Body, HttpBody};
use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use futures_util::FutureExt;
use http_body_util::BodyExt;
use infisical_auth_types::{PathSegment, ValidationIssue};
use infisical_auth_validation::{constraints, FieldType, Location};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{json_response, ApiError};
pub use crate::json::to_json_bytes;
pub use crate::routing::{ApiFuture, ApiService, Dispatch, Found, HandlerFuture, PathParams};
use crate::InfisicalAuthApi;

/// The largest request body the router reads (1 MiB); a larger one is answered 413.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// How much of a body the router reads and discards before an early answer (a 413, or an error
/// decided before the body was needed), so that a client that writes its whole body before
/// reading gets the answer rather than a reset connection. A body declared larger than this is
/// answered at once, with `Connection: close`.
pub const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// What the router knows about one operation: a row of the types crate's `OPERATIONS` table,
/// generated from the document (method, path template, whether it takes a bearer token and a
/// body).
pub use infisical_auth_types::Operation;

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

/// An `invalid_type` issue at `path` (a body or query the typed input cannot hold).
fn type_issue(path: Vec<PathSegment>, message: String) -> ValidationIssue {
    ValidationIssue {
        code: "invalid_type".to_owned(),
        exact: None,
        expected: None,
        inclusive: None,
        maximum: None,
        message,
        minimum: None,
        options: Vec::new(),
        path,
        received: None,
        type_: None,
        union_errors: Vec::new(),
        validation: None,
    }
}

/// The request as the generated handler sees it, already checked; the handler takes the typed
/// parts out of it.
pub struct Input {
    context: Option<RequestContext>,
    path: Vec<(Cow<'static, str>, String)>,
    query: String,
    body: Option<Value>,
    /// The body as received, read again only when the typed body cannot hold `body`.
    received: Option<Received>,
    operation_id: &'static str,
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
            ApiError::unprocessable(vec![type_issue(Vec::new(), format!("Invalid query: {e}"))])
        })
    }

    /// The body as the typed body of the operation; a mismatch is a 422 naming the field.
    pub fn body<B: DeserializeOwned>(&mut self) -> Result<B, ApiError> {
        let value = self.body.take().unwrap_or(Value::Null);
        // Moved out of the checked value, without tracking where it is (the body passed
        // validation, so this nearly always succeeds); only a mismatch reads the received body
        // again, with the path, to name the field.
        match B::deserialize(value) {
            Ok(body) => Ok(body),
            Err(_) => {
                let mut value = match &self.received {
                    Some(received) => received.parse(self.operation_id)?,
                    None => Value::Null,
                };
                infisical_auth_validation::normalise(self.operation_id, &mut value);
                typed_body(value)
            }
        }
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

/// `value` as the typed body `B`, read with the path of where it fails: a mismatch is a 422
/// naming the field.
fn typed_body<B: DeserializeOwned>(value: Value) -> Result<B, ApiError> {
    serde_path_to_error::deserialize::<_, B>(value).map_err(|e| {
        let path = e
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    Some(PathSegment::Index(*index as u64))
                }
                serde_path_to_error::Segment::Map { key } => Some(PathSegment::Key(key.clone())),
                serde_path_to_error::Segment::Enum { variant } => {
                    Some(PathSegment::Key(variant.clone()))
                }
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        ApiError::unprocessable(vec![type_issue(path, e.inner().to_string())])
    })
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
    serve_with(operation, request, None, api, handler).await
}

/// [`serve`] for a request routed by [`ApiService`], which hands over the path parameters it
/// matched (the generated dispatch calls it).
pub async fn serve_routed<T, R, F, Fut>(
    operation: &'static Operation,
    request: Request,
    path: PathParams,
    api: Arc<T>,
    handler: F,
) -> Response
where
    T: InfisicalAuthApi,
    R: Serialize,
    F: FnOnce(Arc<T>, Input) -> Fut + Send,
    Fut: Future<Output = Result<R, ApiError>> + Send,
{
    serve_with(operation, request, Some(path), api, handler).await
}

async fn serve_with<T, R, F, Fut>(
    operation: &'static Operation,
    request: Request,
    path: Option<PathParams>,
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
    let (parts, body) = request.into_parts();
    let mut body = Some(body);
    let outcome = AssertUnwindSafe(answer(
        operation,
        parts,
        path,
        &mut body,
        request_id.clone(),
        api,
        handler,
    ))
    .catch_unwind()
    .await;
    let mut response = match outcome {
        Ok(Ok(bytes)) => json_response(StatusCode::OK, bytes),
        Ok(Err(error)) => error.to_response(&request_id),
        Err(_panic) => ApiError::internal().to_response(&request_id),
    };
    // An answer given before the body was read (authentication, media type): read the body
    // first, so that the client, which may still be writing it, can read the answer.
    if let Some(body) = body.take() {
        if !body.is_end_stream() && !discard(body).await {
            close_after(&mut response);
        }
    }
    response.extensions_mut().insert(RequestId(request_id));
    response
}

async fn answer<T, R, F, Fut>(
    operation: &'static Operation,
    mut parts: axum::http::request::Parts,
    path: Option<PathParams>,
    body: &mut Option<Body>,
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
    let client_ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_canonical())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    // An operation without security ignores the Authorization header, as Infisical does
    // (docs/infisical-behaviour.md#order-of-checks): a stale token never fails a login or a renew.
    let context = RequestContext {
        bearer_token: if operation.secured {
            bearer_token(&parts.headers)
        } else {
            None
        },
        client_ip,
        request_id,
    };
    // Authentication comes first (docs/infisical-behaviour.md#order-of-checks): no token, or one
    // the API refuses, is answered before the body is read or validated.
    if operation.secured {
        if context.bearer_token.is_none() {
            return Err(ApiError::unauthorized("Token missing"));
        }
        api.authenticate(&context).await?;
    }
    let invalid_path = || ApiError::bad_request("Invalid path parameter: not valid UTF-8");
    let path: Vec<(Cow<'static, str>, String)> = match path {
        Some(PathParams(params)) => params.map_err(|_| invalid_path())?,
        // Served by an axum route: its parameters, as axum decoded them.
        None => match RawPathParams::from_request_parts(&mut parts, &()).await {
            Ok(params) => params
                .iter()
                .map(|(k, v)| (Cow::Owned(k.to_owned()), v.to_owned()))
                .collect(),
            Err(_) => return Err(invalid_path()),
        },
    };
    let query = parts.uri.query().unwrap_or("").to_owned();
    let received = match (operation.has_body, body.take()) {
        (true, Some(body)) => Some(read_body(&parts.headers, body).await?),
        _ => None,
    };
    let mut body = match &received {
        Some(received) => Some(received.parse(operation.id)?),
        None => None,
    };
    crate::checks::validate(operation.id, &path, &query, body.as_mut())?;
    let input = Input {
        context: Some(context),
        path,
        query,
        body,
        received,
        operation_id: operation.id,
    };
    let value = handler(api, input).await?;
    to_json_bytes(&value).map_err(|_| ApiError::internal())
}

/// Reads and discards the rest of `body`, up to [`DRAIN_LIMIT`] bytes in all; whether it ended
/// within that bound (if not, or if it failed, the connection should close after the answer).
async fn discard(mut body: Body) -> bool {
    let mut seen: u64 = 0;
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Some(data) = frame.data_ref() {
                    seen += data.len() as u64;
                    if seen > DRAIN_LIMIT {
                        return false;
                    }
                }
            }
            Err(_) => return false,
        }
    }
    true
}

/// Marks `response` as the last on its connection.
fn close_after(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
}

/// The token of an `Authorization: Bearer TOKEN` header (scheme case-insensitive, not empty).
pub fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// The essence of a `Content-Type` value (`Application/JSON` of
/// `Application/JSON; charset=utf-8`), compared without regard to ASCII case.
fn essence(content_type: &str) -> &[u8] {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .as_bytes()
}

/// What a request body is, by its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Media {
    /// `application/json`, or `+json`, any parameters.
    Json,
    /// `application/x-www-form-urlencoded`, any parameters.
    Form,
    /// Anything else.
    Other,
}

/// The media type a `Content-Type` value names (the usual `application/json` at a glance).
fn media(content_type: &str) -> Media {
    if content_type == "application/json" {
        return Media::Json;
    }
    let essence = essence(content_type);
    if essence.eq_ignore_ascii_case(b"application/json")
        || (essence.len() >= 12
            && essence[..12].eq_ignore_ascii_case(b"application/")
            && essence[essence.len() - 5..].eq_ignore_ascii_case(b"+json"))
    {
        Media::Json
    } else if essence.eq_ignore_ascii_case(b"application/x-www-form-urlencoded") {
        Media::Form
    } else {
        Media::Other
    }
}

/// A request body as received: its bytes and how to read them.
struct Received {
    bytes: Vec<u8>,
    /// `None` without a `Content-Type`.
    media: Option<Media>,
}

impl Received {
    /// The body as JSON, read as its media type says (docs/infisical-behaviour.md#request-dialect):
    /// an empty JSON body is `null` (which validation answers 422); an empty form is `{}`; 415
    /// for a non-empty body without a media type, 400 when malformed.
    fn parse(&self, operation_id: &str) -> Result<Value, ApiError> {
        if self.media == Some(Media::Form) {
            return Ok(form_body(operation_id, &self.bytes));
        }
        if self.bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        if self.media.is_none() {
            return Err(ApiError::unsupported_media_type());
        }
        serde_json::from_slice(&self.bytes)
            .map_err(|e| ApiError::bad_request(format!("Body is not valid JSON: {e}")))
    }
}

/// Reads a body sent as JSON or as a form: 415 for another media type, 413 over
/// [`BODY_LIMIT`] (after reading and discarding the rest).
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Received, ApiError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .map(|v| media(v.to_str().unwrap_or("?")));
    if media == Some(Media::Other) {
        drain_or_close(body).await?;
        return Err(ApiError::unsupported_media_type());
    }
    let bytes = read_limited(headers, body).await?;
    Ok(Received { bytes, media })
}

/// Discards `body` (see [`discard`]); `Err` with a closing 413 when it exceeds [`DRAIN_LIMIT`].
async fn drain_or_close(body: Body) -> Result<(), ApiError> {
    if discard(body).await {
        Ok(())
    } else {
        Err(ApiError::payload_too_large(BODY_LIMIT).closing())
    }
}

/// The body's bytes, at most [`BODY_LIMIT`] of them. A larger body is read to its end and
/// discarded before the 413 (so the client sees it), unless it is declared or turns out larger
/// than [`DRAIN_LIMIT`]: then the 413 closes the connection.
async fn read_limited(headers: &HeaderMap, mut body: Body) -> Result<Vec<u8>, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > DRAIN_LIMIT) {
        return Err(ApiError::payload_too_large(BODY_LIMIT).closing());
    }
    if declared.is_some_and(|len| len > BODY_LIMIT as u64) {
        drain_or_close(body).await?;
        return Err(ApiError::payload_too_large(BODY_LIMIT));
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| ApiError::bad_request("Failed to read the request body"))?;
        if let Some(data) = frame.data_ref() {
            if bytes.len() + data.len() > BODY_LIMIT {
                drain_or_close(body).await?;
                return Err(ApiError::payload_too_large(BODY_LIMIT));
            }
            bytes.extend_from_slice(data);
        }
    }
    Ok(bytes)
}

/// A form body as JSON: each value coerced to what the field's schema declares (a number for
/// `number` and `integer` fields, a boolean for `boolean` fields when the text is `true` or
/// `false`), a key sent more than once a list of its values; what cannot be coerced stays text,
/// so validation names the field.
fn form_body(operation_id: &str, bytes: &[u8]) -> Value {
    let fields = constraints(operation_id);
    let field_type = |key: &str| {
        fields
            .iter()
            .find(|f| f.location == Location::Body && f.path == key)
            .map(|f| f.ty)
    };
    let mut values: Vec<(String, Vec<Value>)> = Vec::new();
    for (key, text) in form_urlencoded::parse(bytes) {
        let value = match field_type(&key) {
            Some(FieldType::Integer | FieldType::Number) => coerce_number(&text),
            Some(FieldType::Boolean) => match text.as_ref() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(text.into_owned()),
            },
            _ => Value::String(text.into_owned()),
        };
        match values.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(value),
            None => values.push((key.into_owned(), vec![value])),
        }
    }
    let mut out = Map::with_capacity(values.len());
    for (key, mut list) in values {
        let value = if list.len() == 1 && field_type(&key) != Some(FieldType::Array) {
            list.pop().unwrap_or(Value::Null)
        } else {
            Value::Array(list)
        };
        out.insert(key, value);
    }
    Value::Object(out)
}

/// A form value for a numeric field: the number it spells (an integer when it is one), or the
/// text itself when it spells none (then validation answers "Expected number").
fn coerce_number(text: &str) -> Value {
    let trimmed = text.trim();
    if let Ok(n) = trimmed.parse::<i64>() {
        return Value::from(n);
    }
    match trimmed.parse::<f64>() {
        Ok(n) if n.is_finite() && !trimmed.is_empty() => Value::from(n),
        _ => Value::String(text.to_owned()),
    }
}

/// `router` with trailing slashes ignored on every route, as Infisical does
/// (docs/infisical-behaviour.md#request-dialect): `/api/v1/auth/universal-auth/login/` is served
/// as `/api/v1/auth/universal-auth/login`. The slashes are removed before routing.
pub fn ignore_trailing_slashes(router: axum::Router) -> axum::Router {
    axum::Router::new().fallback_service(IgnoreTrailingSlashes(router))
}

/// A service that removes the trailing slashes of each request's path before `S` sees it
/// ([`ignore_trailing_slashes`] as a plain service, for servers that put their own service
/// around the router and would rather not route twice).
#[derive(Clone, Debug)]
pub struct IgnoreTrailingSlashes<S>(pub S);

impl<S: tower::Service<Request>> tower::Service<Request> for IgnoreTrailingSlashes<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        self.0.call(without_trailing_slashes(request))
    }
}

/// The request with the trailing slashes of its path removed (`/` stays `/`).
pub fn without_trailing_slashes(mut request: Request) -> Request {
    let path = request.uri().path();
    if path.len() <= 1 || !path.ends_with('/') {
        return request;
    }
    let trimmed = match path.trim_end_matches('/') {
        "" => "/",
        trimmed => trimmed,
    };
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{trimmed}?{query}"),
        None => trimmed.to_owned(),
    };
    let mut parts = request.uri().clone().into_parts();
    if let Ok(path_and_query) = path_and_query.parse() {
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
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
    use serde_json::json;

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
    fn form_values_take_the_type_of_their_field() {
        let body = form_body(
            "attachUniversalAuth",
            b"accessTokenTTL=3600&lockoutEnabled=false&lockoutThreshold=2.5&accessTokenMaxTTL=x&extra=1",
        );
        assert_eq!(
            body,
            json!({"accessTokenTTL": 3600, "lockoutEnabled": false, "lockoutThreshold": 2.5,
                   "accessTokenMaxTTL": "x", "extra": "1"})
        );
        let body = form_body(
            "loginWithUniversalAuth",
            b"clientId=a%20b&clientSecret=1234",
        );
        assert_eq!(body, json!({"clientId": "a b", "clientSecret": "1234"}));
    }

    #[test]
    fn trailing_slashes_are_removed_before_routing() {
        let strip = |uri: &str| {
            let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
            without_trailing_slashes(request).uri().to_string()
        };
        assert_eq!(strip("/api/v1/x/"), "/api/v1/x");
        assert_eq!(strip("/api/v1/x//?limit=5"), "/api/v1/x?limit=5");
        assert_eq!(strip("/"), "/");
        assert_eq!(strip("/api/v1/x"), "/api/v1/x");
    }

    #[test]
    fn json_media_types() {
        for (value, expected) in [
            ("application/json", Media::Json),
            ("Application/JSON; charset=utf-8", Media::Json),
            (" application/json ;x=y", Media::Json),
            ("application/merge-patch+json", Media::Json),
            ("application/+json", Media::Json),
            ("text/plain", Media::Other),
            ("text/json", Media::Other),
            ("+json", Media::Other),
            ("", Media::Other),
            ("application/x-www-form-urlencoded", Media::Form),
            (
                "application/x-www-form-urlencoded; charset=utf-8",
                Media::Form,
            ),
            ("multipart/form-data", Media::Other),
        ] {
            assert_eq!(media(value), expected, "{value}");
        }
    }
}
