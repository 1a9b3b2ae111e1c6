//! [`ApiError`]: what a handler (or the router itself) answers instead of a 200, rendered as
//! Infisical's error body `{reqId, statusCode, message, error, details?}` (docs/infisical-behaviour.md#error-bodies).

use std::borrow::Cow;
use std::fmt;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};

/// An error answer. The request id is added when it is rendered, so handlers never need it.
/// Boxed, so that a `Result<_, ApiError>` stays one pointer wide on the success path.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError(Box<Inner>);

#[derive(Clone, Debug, PartialEq)]
struct Inner {
    status: StatusCode,
    error: Cow<'static, str>,
    message: Option<Value>,
    details: Option<Value>,
    /// Close the connection after this answer (a body too large to read and discard).
    close: bool,
}

impl ApiError {
    /// An error with any status, error class (e.g. `BadRequest`) and text message.
    pub fn new(
        status: StatusCode,
        error: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        ApiError(Box::new(Inner {
            status,
            error: error.into(),
            message: Some(Value::String(message.into())),
            details: None,
            close: false,
        }))
    }

    /// 400 `BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 401 `UnauthorizedError`, e.g. "Token missing" or "Invalid credentials".
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UnauthorizedError", message)
    }

    /// 403 `ForbiddenError`, e.g. a caller outside the trusted IPs.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "ForbiddenError", message)
    }

    /// 404 `NotFound`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NotFound", message)
    }

    /// 413 `PayloadTooLarge`: the body is over the router's limit.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PayloadTooLarge",
            format!("Request body is larger than {limit} bytes"),
        )
    }

    /// 415 `UnsupportedMediaType`: a body that is neither `application/json` nor
    /// `application/x-www-form-urlencoded`.
    pub fn unsupported_media_type() -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "Request body must be application/json or application/x-www-form-urlencoded",
        )
    }

    /// 422 `ValidationFailure` carrying every issue (each `{code, path, message, ...}`).
    pub fn unprocessable(issues: Vec<Value>) -> Self {
        ApiError(Box::new(Inner {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: Cow::Borrowed("ValidationFailure"),
            message: Some(Value::Array(issues)),
            details: None,
            close: false,
        }))
    }

    /// 500 `InternalServerError` "Something went wrong": never says more.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "Something went wrong",
        )
    }

    /// Rebuilds an error from an Infisical error body (its `error`, `message` and `details`).
    pub fn from_body(status: StatusCode, body: &Value) -> Self {
        ApiError(Box::new(Inner {
            status,
            error: Cow::Owned(
                body.get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("Error")
                    .to_owned(),
            ),
            message: body.get("message").cloned(),
            details: body.get("details").cloned(),
            close: false,
        }))
    }

    /// The same error with `details` (e.g. `{"path": [...]}` for an invalid IP entry).
    pub fn with_details(mut self, details: Value) -> Self {
        self.0.details = Some(details);
        self
    }

    /// The same error, answered with `Connection: close` (the connection ends after it).
    pub fn closing(mut self) -> Self {
        self.0.close = true;
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The error class, e.g. `NotFound`.
    pub fn error(&self) -> &str {
        &self.0.error
    }

    /// The message as JSON (a string, or the list of issues of a 422).
    pub fn message(&self) -> Option<&Value> {
        self.0.message.as_ref()
    }

    /// The details, if any.
    pub fn details(&self) -> Option<&Value> {
        self.0.details.as_ref()
    }

    /// The JSON body for request `req_id`.
    pub fn to_body(&self, req_id: &str) -> Value {
        let mut body = Map::with_capacity(5);
        body.insert("reqId".into(), Value::String(req_id.to_owned()));
        body.insert("statusCode".into(), Value::from(self.0.status.as_u16()));
        if let Some(message) = &self.0.message {
            body.insert("message".into(), message.clone());
        }
        body.insert("error".into(), Value::String(self.0.error.to_string()));
        if let Some(details) = &self.0.details {
            body.insert("details".into(), details.clone());
        }
        Value::Object(body)
    }

    /// The HTTP response for request `req_id`.
    pub fn to_response(&self, req_id: &str) -> Response {
        let bytes = crate::runtime::to_json_bytes(&self.to_body(req_id)).unwrap_or_default();
        let mut response = json_response(self.0.status, bytes);
        if self.0.close {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.message {
            Some(Value::String(text)) => {
                write!(f, "{} {}: {}", self.0.status.as_u16(), self.0.error, text)
            }
            Some(Value::Array(issues)) => write!(
                f,
                "{} {}: {} issue(s)",
                self.0.status.as_u16(),
                self.0.error,
                issues.len()
            ),
            _ => write!(f, "{} {}", self.0.status.as_u16(), self.0.error),
        }
    }
}

impl std::error::Error for ApiError {}

/// A JSON response with `status` and an already serialized body.
pub(crate) fn json_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
