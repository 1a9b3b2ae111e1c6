//! Validation outcomes: the [`Rejection`] a request earns, the [`Issue`]s it carries, and their conversion to and
//! from Infisical's JSON error body (docs/infisical-behaviour.md#error-bodies).
//!
//! A 422 carries every schema issue at once, each shaped like a zod issue (`code`, `path`, `message` and, for
//! bounds, `minimum`/`maximum`, `inclusive`, `type`). A 400 carries one service-level message (an invalid trusted
//! IP entry) with the path of the offending value under `details.path`.

use std::fmt;

use serde_json::{Map, Value};

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

impl PathSegment {
    /// The segment as Infisical writes it in an error body: a string for a key, a number for an index.
    pub fn to_json(&self) -> Value {
        match self {
            PathSegment::Key(k) => Value::String(k.clone()),
            PathSegment::Index(i) => Value::from(*i),
        }
    }

    /// Reads a segment back from an error body (a string or a non-negative integer).
    pub fn from_json(v: &Value) -> Option<PathSegment> {
        match v {
            Value::String(s) => Some(PathSegment::Key(s.clone())),
            Value::Number(n) => n
                .as_u64()
                .and_then(|u| usize::try_from(u).ok())
                .map(PathSegment::Index),
            _ => None,
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
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), Value::String(self.code.as_str().into()));
        if let Some(e) = &self.expected {
            m.insert("expected".into(), Value::String(e.clone()));
        }
        if let Some(r) = &self.received {
            m.insert("received".into(), Value::String(r.clone()));
        }
        if let Some(v) = self.minimum {
            m.insert("minimum".into(), num(v));
        }
        if let Some(v) = self.maximum {
            m.insert("maximum".into(), num(v));
        }
        if let Some(k) = self.kind {
            m.insert("type".into(), Value::String(k.as_str().into()));
        }
        if let Some(i) = self.inclusive {
            m.insert("inclusive".into(), Value::Bool(i));
        }
        if self.kind.is_some() {
            m.insert("exact".into(), Value::Bool(false));
        }
        if let Some(o) = &self.options {
            m.insert(
                "options".into(),
                Value::Array(o.iter().cloned().map(Value::String).collect()),
            );
        }
        if let Some(v) = &self.validation {
            m.insert("validation".into(), Value::String(v.clone()));
        }
        if self.code == IssueCode::InvalidUnion {
            let errs = self
                .union_errors
                .iter()
                .map(|issues| {
                    let mut e = Map::new();
                    e.insert(
                        "issues".into(),
                        Value::Array(issues.iter().map(Issue::to_json).collect()),
                    );
                    e.insert("name".into(), Value::String("ZodError".into()));
                    Value::Object(e)
                })
                .collect();
            m.insert("unionErrors".into(), Value::Array(errs));
        }
        m.insert(
            "path".into(),
            Value::Array(self.path.iter().map(PathSegment::to_json).collect()),
        );
        m.insert("message".into(), Value::String(self.message.clone()));
        Value::Object(m)
    }

    /// Reads an issue written by [`Issue::to_json`]; `None` when the shape is not an issue.
    pub fn from_json(v: &Value) -> Option<Issue> {
        let o = v.as_object()?;
        let code = IssueCode::parse(o.get("code")?.as_str()?)?;
        let path = o
            .get("path")?
            .as_array()?
            .iter()
            .map(PathSegment::from_json)
            .collect::<Option<Vec<_>>>()?;
        let message = o.get("message")?.as_str()?.to_owned();
        let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
        let union_errors = o
            .get("unionErrors")
            .and_then(Value::as_array)
            .map(|errs| {
                errs.iter()
                    .filter_map(|e| {
                        e.get("issues")?
                            .as_array()?
                            .iter()
                            .map(Issue::from_json)
                            .collect::<Option<Vec<_>>>()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Issue {
            path,
            code,
            message,
            minimum: o.get("minimum").and_then(Value::as_f64),
            maximum: o.get("maximum").and_then(Value::as_f64),
            inclusive: o.get("inclusive").and_then(Value::as_bool),
            kind: o
                .get("type")
                .and_then(Value::as_str)
                .and_then(BoundKind::parse),
            expected: s("expected"),
            received: s("received"),
            options: o.get("options").and_then(Value::as_array).map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            }),
            validation: s("validation"),
            union_errors,
        })
    }
}

/// Writes a bound as a JSON integer when it is integral (so `30` stays `30`, not `30.0`).
fn num(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

impl serde::Serialize for Issue {
    /// Serialises as [`Issue::to_json`] (Infisical's issue shape).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Issue {
    /// Reads Infisical's issue shape (see [`Issue::from_json`]).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Issue, D::Error> {
        let v = Value::deserialize(deserializer)?;
        Issue::from_json(&v).ok_or_else(|| serde::de::Error::custom("not a validation issue"))
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

    /// Infisical's error body `{reqId, statusCode, message, error}` (+ `details` on a 400), docs/infisical-behaviour.md#error-bodies.
    pub fn to_infisical_body(&self, req_id: &str) -> Value {
        let mut m = Map::new();
        m.insert("reqId".into(), Value::String(req_id.to_owned()));
        m.insert("statusCode".into(), Value::from(self.status()));
        match self {
            Rejection::Unprocessable(issues) => {
                m.insert(
                    "message".into(),
                    Value::Array(issues.iter().map(Issue::to_json).collect()),
                );
                m.insert("error".into(), Value::String("ValidationFailure".into()));
            }
            Rejection::BadRequest { message, path } => {
                m.insert("message".into(), Value::String(message.clone()));
                m.insert("error".into(), Value::String("BadRequest".into()));
                let mut d = Map::new();
                d.insert(
                    "path".into(),
                    Value::Array(path.iter().map(PathSegment::to_json).collect()),
                );
                m.insert("details".into(), Value::Object(d));
            }
            Rejection::UnknownOperation(op) => {
                m.insert(
                    "message".into(),
                    Value::String(format!("Route {op} not found")),
                );
                m.insert("error".into(), Value::String("NotFound".into()));
            }
        }
        Value::Object(m)
    }

    /// Re-types an error body written by [`Rejection::to_infisical_body`] (or by Infisical): a 422 whose message
    /// is an issue array, or a 400 `BadRequest`. Other bodies give `None`.
    pub fn from_infisical_body(body: &Value) -> Option<Rejection> {
        let o = body.as_object()?;
        let status = o.get("statusCode").and_then(Value::as_f64)?;
        if status == 422.0 {
            let issues = o
                .get("message")?
                .as_array()?
                .iter()
                .map(Issue::from_json)
                .collect::<Option<Vec<_>>>()?;
            Some(Rejection::Unprocessable(issues))
        } else if status == 400.0 {
            let message = o.get("message")?.as_str()?.to_owned();
            let path = o
                .get("details")
                .and_then(|d| d.get("path"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(PathSegment::from_json).collect())
                .unwrap_or_default();
            Some(Rejection::BadRequest { message, path })
        } else if status == 404.0 && o.get("error").and_then(Value::as_str) == Some("NotFound") {
            let msg = o.get("message")?.as_str()?;
            let op = msg.strip_prefix("Route ")?.strip_suffix(" not found")?;
            Some(Rejection::UnknownOperation(op.to_owned()))
        } else {
            None
        }
    }
}
