//! Validation outcomes: the [`Rejection`] a request earns, the [`Issue`]s it carries, and their conversion to and
//! from Infisical's error body, the one serde model of the types crate ([`ErrorResponse`],
//! docs/infisical-behaviour.md#error-bodies).
//!
//! A 422 carries every schema issue at once, each shaped like a zod issue (`code`, `path`, `message` and, for
//! bounds, `minimum`/`maximum`, `inclusive`, `type`). A 400 carries one service-level message (an invalid trusted
//! IP entry) with the path of the offending value under `details.path`.

use std::fmt;

use infisical_auth_types::{self as types, ErrorMessage, ErrorResponse};
use serde::Deserialize;
use serde_json::{json, Value};

/// The message Infisical answers (400) for a trusted-IP entry that is not an address or CIDR block.
pub const INVALID_IP_MESSAGE: &str = "The IP is not a valid IPv4, IPv6, or CIDR block";

/// The message of the cross-field rule `accessTokenTTL <= accessTokenMaxTTL` (422, custom issue).
pub const TTL_ABOVE_MAX_MESSAGE: &str =
    "Access Token TTL cannot be greater than Access Token Max TTL.";

/// The message Infisical's service answers (400) when the effective TTL exceeds the effective max TTL on update.
pub const EFFECTIVE_TTL_MESSAGE: &str = "Access token TTL cannot be greater than max TTL";

/// One step of a JSON path: an object key or an array index (serialised as a JSON string or number).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// An object key, e.g. `clientSecretTrustedIps`.
    Key(String),
    /// An array index, e.g. `0`.
    Index(usize),
}

impl From<&PathSegment> for types::PathSegment {
    fn from(segment: &PathSegment) -> Self {
        match segment {
            PathSegment::Key(k) => types::PathSegment::Key(k.clone()),
            PathSegment::Index(i) => types::PathSegment::Index(*i as u64),
        }
    }
}

impl PathSegment {
    /// Reads a segment of an error body (an index beyond `usize` is `None`).
    pub fn from_wire(segment: &types::PathSegment) -> Option<PathSegment> {
        match segment {
            types::PathSegment::Key(k) => Some(PathSegment::Key(k.clone())),
            types::PathSegment::Index(i) => usize::try_from(*i).ok().map(PathSegment::Index),
        }
    }
}

impl From<&str> for PathSegment {
    fn from(s: &str) -> Self {
        PathSegment::Key(s.to_owned())
    }
}

impl From<usize> for PathSegment {
    fn from(i: usize) -> Self {
        PathSegment::Index(i)
    }
}

/// Writes a path as `a.b[0].c` (`<root>` when empty).
pub fn display_path(path: &[PathSegment]) -> String {
    if path.is_empty() {
        return "<root>".to_owned();
    }
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSegment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSegment::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// The kind of an issue, serialised as zod's snake_case code.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    /// Wrong JSON type, or a required value missing (`message` "Required").
    InvalidType,
    /// Below a minimum (number, string length or item count).
    TooSmall,
    /// Above a maximum (number, string length or item count).
    TooBig,
    /// A string outside its enum.
    InvalidEnumValue,
    /// No option of an untagged union matched.
    InvalidUnion,
    /// The tag of a tagged union is missing or unknown.
    InvalidUnionDiscriminator,
    /// A string format (uuid, url, datetime) is not met.
    InvalidString,
    /// A hand-written rule (cross-field, per-method grammar) is not met.
    #[default]
    Custom,
}

impl IssueCode {
    /// The code as Infisical writes it (`invalid_type`, `too_small`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::InvalidType => "invalid_type",
            IssueCode::TooSmall => "too_small",
            IssueCode::TooBig => "too_big",
            IssueCode::InvalidEnumValue => "invalid_enum_value",
            IssueCode::InvalidUnion => "invalid_union",
            IssueCode::InvalidUnionDiscriminator => "invalid_union_discriminator",
            IssueCode::InvalidString => "invalid_string",
            IssueCode::Custom => "custom",
        }
    }

    /// Parses a code written by [`IssueCode::as_str`].
    pub fn parse(s: &str) -> Option<IssueCode> {
        Some(match s {
            "invalid_type" => IssueCode::InvalidType,
            "too_small" => IssueCode::TooSmall,
            "too_big" => IssueCode::TooBig,
            "invalid_enum_value" => IssueCode::InvalidEnumValue,
            "invalid_union" => IssueCode::InvalidUnion,
            "invalid_union_discriminator" => IssueCode::InvalidUnionDiscriminator,
            "invalid_string" => IssueCode::InvalidString,
            "custom" => IssueCode::Custom,
            _ => return None,
        })
    }

    /// Whether zod treats the issue as aborting its object (type-level failures): refinements of the enclosing
    /// object are then skipped, and a union option with such an issue does not count as a near match.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            IssueCode::InvalidType
                | IssueCode::InvalidEnumValue
                | IssueCode::InvalidUnion
                | IssueCode::InvalidUnionDiscriminator
        )
    }
}

impl fmt::Display for IssueCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a `too_small`/`too_big` bound measures: a number, a string's length or an array's item count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BoundKind {
    /// A numeric value.
    Number,
    /// A string length (UTF-16 code units, as JavaScript counts).
    String,
    /// An array's item count.
    Array,
}

impl BoundKind {
    /// The kind as Infisical writes it in `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            BoundKind::Number => "number",
            BoundKind::String => "string",
            BoundKind::Array => "array",
        }
    }

    /// Parses a kind written by [`BoundKind::as_str`].
    pub fn parse(s: &str) -> Option<BoundKind> {
        match s {
            "number" => Some(BoundKind::Number),
            "string" => Some(BoundKind::String),
            "array" => Some(BoundKind::Array),
            _ => None,
        }
    }
}

/// One schema problem, in zod's issue shape.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Issue {
    /// JSON path of the offending value (indices included); empty for the whole body.
    pub path: Vec<PathSegment>,
    /// What went wrong.
    pub code: IssueCode,
    /// Human-readable message, as Infisical words it.
    pub message: String,
    /// The lower bound (`too_small`).
    pub minimum: Option<f64>,
    /// The upper bound (`too_big`).
    pub maximum: Option<f64>,
    /// Whether the bound itself is allowed (always `true` for this API).
    pub inclusive: Option<bool>,
    /// What the bound measures.
    pub kind: Option<BoundKind>,
    /// `invalid_type`: the expected type (`number`, `integer`, `string`, `object`, ...).
    pub expected: Option<String>,
    /// `invalid_type`/`invalid_enum_value`: what was received (`undefined`, `null`, `float`, the bad value...).
    pub received: Option<String>,
    /// `invalid_enum_value`/`invalid_union_discriminator`: the allowed values.
    pub options: Option<Vec<String>>,
    /// `invalid_string`: the failed format (`uuid`, `url`, `datetime`).
    pub validation: Option<String>,
    /// `invalid_union`: the issues of each option, in option order.
    pub union_errors: Vec<Vec<Issue>>,
}

impl Issue {
    /// A bare issue with a code, a path and a message.
    pub fn new(code: IssueCode, path: Vec<PathSegment>, message: impl Into<String>) -> Issue {
        Issue {
            path,
            code,
            message: message.into(),
            ..Issue::default()
        }
    }

    /// Whether the issue aborts its object as zod's type-level failures do (see [`IssueCode::is_fatal`]); an
    /// integer check (`expected: "integer"`) is a refinement in zod and does not abort.
    pub fn is_fatal(&self) -> bool {
        self.code.is_fatal()
            && !(self.code == IssueCode::InvalidType && self.expected.as_deref() == Some("integer"))
    }

    /// The issue as one entry of Infisical's 422 `message` array.
    pub fn to_wire(&self) -> types::ValidationIssue {
        types::ValidationIssue {
            code: self.code.as_str().to_owned(),
            exact: self.kind.map(|_| false),
            expected: self.expected.clone(),
            inclusive: self.inclusive,
            maximum: self.maximum,
            message: self.message.clone(),
            minimum: self.minimum,
            options: self.options.clone().unwrap_or_default(),
            path: self.path.iter().map(types::PathSegment::from).collect(),
            received: self.received.clone(),
            type_: self.kind.map(|k| k.as_str().to_owned()),
            union_errors: if self.code == IssueCode::InvalidUnion {
                self.union_errors
                    .iter()
                    .map(|issues| types::UnionError {
                        issues: issues.iter().map(Issue::to_wire).collect(),
                        name: "ZodError".to_owned(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            validation: self.validation.clone(),
        }
    }

    /// Reads an issue of an error body; `None` when its code or path is not one this crate writes.
    pub fn from_wire(wire: &types::ValidationIssue) -> Option<Issue> {
        Some(Issue {
            path: wire
                .path
                .iter()
                .map(PathSegment::from_wire)
                .collect::<Option<Vec<_>>>()?,
            code: IssueCode::parse(&wire.code)?,
            message: wire.message.clone(),
            minimum: wire.minimum,
            maximum: wire.maximum,
            inclusive: wire.inclusive,
            kind: wire.type_.as_deref().and_then(BoundKind::parse),
            expected: wire.expected.clone(),
            received: wire.received.clone(),
            options: (!wire.options.is_empty()).then(|| wire.options.clone()),
            validation: wire.validation.clone(),
            union_errors: wire
                .union_errors
                .iter()
                .map(|e| {
                    e.issues
                        .iter()
                        .map(Issue::from_wire)
                        .collect::<Option<Vec<_>>>()
                })
                .collect::<Option<Vec<_>>>()?,
        })
    }
}

impl serde::Serialize for Issue {
    /// Serialises as Infisical's issue shape ([`types::ValidationIssue`]), whole bounds as
    /// integers (`30`, not `30.0`).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut wire = serde_json::to_value(self.to_wire()).map_err(serde::ser::Error::custom)?;
        whole_numbers_as_integers(&mut wire);
        wire.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Issue {
    /// Reads Infisical's issue shape (see [`Issue::from_wire`]).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Issue, D::Error> {
        let wire = types::ValidationIssue::deserialize(deserializer)?;
        Issue::from_wire(&wire).ok_or_else(|| serde::de::Error::custom("not a validation issue"))
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} ({})",
            display_path(&self.path),
            self.message,
            self.code
        )
    }
}

/// Why a request is refused before it reaches (or as it reaches) Infisical's services.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Rejection {
    /// 422: every schema issue of the request at once.
    #[error("request failed validation (422): {}", join_issues(.0))]
    Unprocessable(Vec<Issue>),
    /// 400: a service-level check, e.g. a trusted IP entry that is not an address or CIDR block.
    #[error("bad request (400) at {}: {message}", display_path(.path))]
    BadRequest {
        /// Infisical's message, e.g. [`INVALID_IP_MESSAGE`].
        message: String,
        /// JSON path of the offending value.
        path: Vec<PathSegment>,
    },
    /// The operation id is not one of the 78 operations of the API.
    #[error("unknown operation `{0}`")]
    UnknownOperation(String),
}

fn join_issues(issues: &[Issue]) -> String {
    issues
        .iter()
        .map(Issue::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Rejection {
    /// The HTTP status Infisical answers: 422, 400, or 404 for an unknown operation (route).
    pub fn status(&self) -> u16 {
        match self {
            Rejection::Unprocessable(_) => 422,
            Rejection::BadRequest { .. } => 400,
            Rejection::UnknownOperation(_) => 404,
        }
    }

    /// The issues of a 422 (empty for the other kinds).
    pub fn issues(&self) -> &[Issue] {
        match self {
            Rejection::Unprocessable(v) => v,
            _ => &[],
        }
    }

    /// Infisical's error body `{reqId, statusCode, message, error}` (+ `details` on a 400),
    /// docs/infisical-behaviour.md#error-bodies.
    pub fn to_error_response(&self, req_id: &str) -> ErrorResponse {
        let (error, message, details) = match self {
            Rejection::Unprocessable(issues) => (
                "ValidationFailure",
                ErrorMessage::Issues(issues.iter().map(Issue::to_wire).collect()),
                None,
            ),
            Rejection::BadRequest { message, path } => (
                "BadRequest",
                ErrorMessage::Text(message.clone()),
                Some(
                    json!({"path": path.iter().map(types::PathSegment::from).collect::<Vec<_>>()}),
                ),
            ),
            Rejection::UnknownOperation(op) => (
                "NotFound",
                ErrorMessage::Text(format!("Route {op} not found")),
                None,
            ),
        };
        ErrorResponse {
            details,
            error: error.to_owned(),
            message: Some(message),
            req_id: req_id.to_owned(),
            status_code: self.status(),
        }
    }

    /// Re-types an error body written by [`Rejection::to_error_response`] (or by Infisical): a 422
    /// whose message is an issue list, a 400 `BadRequest`, or a 404 for an unknown route. Other
    /// bodies give `None`.
    pub fn from_error_response(body: &ErrorResponse) -> Option<Rejection> {
        match (body.status_code, &body.message) {
            (422, Some(ErrorMessage::Issues(issues))) => issues
                .iter()
                .map(Issue::from_wire)
                .collect::<Option<Vec<_>>>()
                .map(Rejection::Unprocessable),
            (400, Some(ErrorMessage::Text(message))) => {
                let path = body
                    .details
                    .as_ref()
                    .and_then(|d| d.get("path"))
                    .and_then(|p| Vec::<types::PathSegment>::deserialize(p).ok())
                    .map(|p| p.iter().filter_map(PathSegment::from_wire).collect())
                    .unwrap_or_default();
                Some(Rejection::BadRequest {
                    message: message.clone(),
                    path,
                })
            }
            (404, Some(ErrorMessage::Text(message))) if body.error == "NotFound" => {
                let op = message.strip_prefix("Route ")?.strip_suffix(" not found")?;
                Some(Rejection::UnknownOperation(op.to_owned()))
            }
            _ => None,
        }
    }

    /// [`Rejection::to_error_response`] as JSON, whole numbers written as integers (`30`, not
    /// `30.0`) as Infisical writes them.
    pub fn to_infisical_body(&self, req_id: &str) -> Value {
        let mut body = serde_json::to_value(self.to_error_response(req_id)).unwrap_or(Value::Null);
        whole_numbers_as_integers(&mut body);
        body
    }

    /// [`Rejection::from_error_response`] of a JSON body; `None` when it is not an error body.
    pub fn from_infisical_body(body: &Value) -> Option<Rejection> {
        Rejection::from_error_response(&ErrorResponse::deserialize(body).ok()?)
    }
}

/// Rewrites every whole `f64` of `value` (within JavaScript's safe integers) as an integer.
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            let v = n.as_f64().unwrap_or(f64::NAN);
            if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
                *value = Value::from(v as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}
