//! [`ApiError`]: what a handler (or the router itself) answers instead of a 200, rendered as
//! Infisical's error body `{reqId, statusCode, message, error, details?}`
//! (docs/infisical-behaviour.md#error-bodies). It holds that body as the types crate's
//! [`ErrorResponse`], the one model the client decodes and the validation crate builds; a
//! validation [`Rejection`] converts into it directly.

use std::fmt;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use infisical_auth_types::{ErrorMessage, ErrorResponse, ValidationIssue};
use infisical_auth_validation::Rejection;
use serde_json::Value;

/// An error answer. The request id is added when it is rendered, so handlers never need it.
/// Boxed, so that a `Result<_, ApiError>` stays one pointer wide on the success path.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError(Box<Inner>);

#[derive(Clone, Debug, PartialEq)]
struct Inner {
    status: StatusCode,
    /// The body, its `reqId` empty until rendered.
    body: ErrorResponse,
    /// Close the connection after this answer (a body too large to read and discard).
    close: bool,
}

impl ApiError {
    /// An error with any status, error class (e.g. `BadRequest`) and message.
    fn with_message(status: StatusCode, error: impl Into<String>, message: ErrorMessage) -> Self {
        ApiError(Box::new(Inner {
            status,
            body: ErrorResponse {
                details: None,
                error: error.into(),
                message: Some(message),
                req_id: String::new(),
                status_code: status.as_u16(),
            },
            close: false,
        }))
    }

    /// An error with any status, error class (e.g. `BadRequest`) and text message.
    pub fn new(status: StatusCode, error: impl Into<String>, message: impl Into<String>) -> Self {
        Self::with_message(status, error, ErrorMessage::Text(message.into()))
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

    /// 422 `ValidationFailure` carrying every issue.
    pub fn unprocessable(issues: Vec<ValidationIssue>) -> Self {
        Self::with_message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "ValidationFailure",
            ErrorMessage::Issues(issues),
        )
    }

    /// 500 `InternalServerError` "Something went wrong": never says more.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "Something went wrong",
        )
    }

    /// The same error with `details` (e.g. `{"path": [...]}` for an invalid IP entry).
    pub fn with_details(mut self, details: Value) -> Self {
        self.0.body.details = Some(details);
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
        &self.0.body.error
    }

    /// The message: text, or the issues of a 422.
    pub fn message(&self) -> Option<&ErrorMessage> {
        self.0.body.message.as_ref()
    }

    /// The details, if any.
    pub fn details(&self) -> Option<&Value> {
        self.0.body.details.as_ref()
    }

    /// The error body for request `req_id`.
    pub fn to_body(&self, req_id: &str) -> ErrorResponse {
        ErrorResponse {
            req_id: req_id.to_owned(),
            ..self.0.body.clone()
        }
    }

    /// The HTTP response for request `req_id`.
    pub fn to_response(&self, req_id: &str) -> Response {
        let bytes = crate::json::to_json_bytes(&self.to_body(req_id)).unwrap_or_default();
        let mut response = json_response(self.0.status, bytes);
        if self.0.close {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

impl From<Rejection> for ApiError {
    /// The validation crate's refusal as the answer it earns (422, 400 or 404), field by field.
    fn from(rejection: Rejection) -> Self {
        let body = rejection.to_error_response("");
        ApiError(Box::new(Inner {
            status: StatusCode::from_u16(body.status_code).unwrap_or(StatusCode::BAD_REQUEST),
            body,
            close: false,
        }))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (status, error) = (self.0.status.as_u16(), &self.0.body.error);
        match &self.0.body.message {
            Some(ErrorMessage::Text(text)) => write!(f, "{status} {error}: {text}"),
            Some(ErrorMessage::Issues(issues)) => {
                write!(f, "{status} {error}: {} issue(s)", issues.len())
            }
            None => write!(f, "{status} {error}"),
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
