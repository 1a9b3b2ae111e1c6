//! Hand-written request validation for Infisical's machine-identity auth API (78 operations).
//!
//! It works on JSON (`serde_json::Value`), so a generated client can check a request before sending it and a
//! generated server can reject it exactly as Infisical does. It covers what the OpenAPI document declares
//! (required, types, ranges, lengths, item counts, enums, formats) and what it cannot say (docs/infisical-behaviour.md#common-fields #rules-per-auth-method #trusted-ips):
//! TTL against max TTL, integral lockout values, per-method grammars, the trusted-IP grammar and matching.
//!
//! ```
//! use infisical_auth_validation::{validate, RequestParts, Rejection};
//! use serde_json::json;
//!
//! let body = json!({"accessTokenTTL": 10, "lockoutThreshold": 50});
//! let req = RequestParts { path: &[("identityId", "id-1")], query: &[], body: Some(&body) };
//! let err = validate("attachUniversalAuth", &req).unwrap_err();
//! assert_eq!(err.status(), 422);
//! assert_eq!(err.issues()[0].message, "Number must be less than or equal to 30");
//! ```
//!
//! Checks run in Infisical's order: schema issues first (422, all at once), then service checks (400, e.g. an
//! invalid trusted IP entry).

#![deny(missing_docs)]

mod constraints;
mod cross;
mod error;
mod formats;
mod ip;
mod normalise;
mod ops;
mod rules;
mod schema;

use serde_json::Value;

pub use constraints::{
    constraints, cross_rules, has_body, operation_ids, FieldConstraint, FieldType, Location,
};
pub use error::{
    display_path, BoundKind, Issue, IssueCode, PathSegment, Rejection, EFFECTIVE_TTL_MESSAGE,
    INVALID_IP_MESSAGE, TTL_ABOVE_MAX_MESSAGE,
};
pub use formats::{is_datetime, is_url, is_uuid};
pub use ip::{InvalidTrustedIp, IpKind, TrustedIp, TrustedIpList};
pub use normalise::normalise;
pub use rules::{check_rule, comma_items, CrossRule, Rule, DEFAULT_TTL};
pub use schema::Format;

use schema::{Ctx, JsonPath, NumberRules, Shape};

/// The parts of a request the validator reads: path parameters, query parameters (raw text) and the JSON body.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestParts<'a> {
    /// Path parameters by name, e.g. `[("identityId", "...")]`.
    pub path: &'a [(&'a str, &'a str)],
    /// Query parameters as sent (text); the first occurrence of a name counts.
    pub query: &'a [(&'a str, &'a str)],
    /// The JSON body; `None` when the request has none.
    pub body: Option<&'a Value>,
}

/// Validates a request of `operation_id`.
///
/// Returns every schema issue at once as [`Rejection::Unprocessable`] (422); if there is none, the first
/// service-level problem as [`Rejection::BadRequest`] (400); [`Rejection::UnknownOperation`] for an id that is
/// not one of the 78 operations. Unknown body keys are ignored (Infisical strips them). Never panics.
pub fn validate(operation_id: &str, req: &RequestParts<'_>) -> Result<(), Rejection> {
    let op = ops::find(operation_id)
        .ok_or_else(|| Rejection::UnknownOperation(operation_id.to_owned()))?;
    let mut ctx = Ctx::default();
    for name in op.path_params {
        if !req
            .path
            .iter()
            .any(|(k, _)| schema::bytes_eq(k.as_bytes(), name.as_bytes()))
        {
            ctx.push(Issue {
                expected: Some("string".into()),
                received: Some("undefined".into()),
                ..Issue::new(
                    IssueCode::InvalidType,
                    vec![PathSegment::Key((*name).to_owned())],
                    "Required",
                )
            });
        }
    }
    for prop in op.query {
        let Some((_, raw)) = req.query.iter().find(|(k, _)| *k == prop.name) else {
            continue;
        };
        let p = JsonPath::Key(&JsonPath::Root, prop.name);
        match &prop.shape {
            Shape::Int(c) => check_query_integer(c, raw, &p, &mut ctx),
            Shape::Num(c) | Shape::IntegralNum(c) => {
                let integral = matches!(prop.shape, Shape::IntegralNum(_));
                check_query_number(c, integral, raw, &p, &mut ctx);
            }
            other => schema::check(other, &Value::String((*raw).to_owned()), &p, &mut ctx),
        }
    }
    if let Some(body_schema) = &op.body {
        match req.body {
            None | Some(Value::Null) => ctx.push(Issue {
                expected: Some("object".into()),
                received: Some("null".into()),
                ..Issue::new(
                    IssueCode::InvalidType,
                    Vec::new(),
                    "Expected object, received null",
                )
            }),
            Some(body) => match (body_schema, body) {
                (Shape::Obj(props), Value::Object(obj)) if props.len() <= schema::MAX_PROPS => {
                    let found = schema::check_props_found(props, obj, &JsonPath::Root, &mut ctx);
                    if !op.cross.is_empty() && !ctx.has_fatal() {
                        let get = |k: &str| {
                            props
                                .iter()
                                .position(|p| schema::bytes_eq(p.name.as_bytes(), k.as_bytes()))
                                .and_then(|i| found[i])
                        };
                        for rule in op.cross {
                            cross::check(*rule, &get, &mut ctx);
                        }
                    }
                }
                _ => {
                    schema::check(body_schema, body, &JsonPath::Root, &mut ctx);
                    if !ctx.has_fatal() {
                        for rule in op.cross {
                            cross::check(*rule, &|k| body.get(k), &mut ctx);
                        }
                    }
                }
            },
        }
    }
    if !ctx.issues.is_empty() {
        return Err(Rejection::Unprocessable(ctx.issues));
    }
    match ctx.bad {
        Some((message, path)) => Err(Rejection::BadRequest { message, path }),
        None => Ok(()),
    }
}

/// JavaScript's `Number(text)` as zod's `z.coerce.number()` applies it: blank is 0, otherwise a decimal number.
fn check_query_number(c: &NumberRules, integral: bool, raw: &str, p: &JsonPath<'_>, ctx: &mut Ctx) {
    let t = raw.trim();
    let n = if t.is_empty() {
        0.0
    } else if t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        t.parse::<f64>().unwrap_or(f64::NAN)
    } else {
        match t {
            "Infinity" | "+Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            _ => f64::NAN,
        }
    };
    schema::check_num_value(c, integral, n, p, ctx);
}

/// An `integer` query parameter (`offset`, `limit`: `number` in the spec, integers in the generated
/// types by the codegen fix-up `integer_query_parameters`). The text must be what a typed integer
/// parser accepts, an optional sign and decimal digits, so that whatever passes here also parses
/// into the generated query type. Anything else is an `invalid_type` issue at the parameter:
/// `Expected number, received nan` for text that is no number at all (as Infisical says it),
/// `Expected integer, received float` for a number written another way (`1.5`, `10.0`, `1e1`) and
/// `Expected integer, received string` for blank or space-padded text. The bounds are checked on
/// the value either way.
fn check_query_integer(c: &NumberRules, raw: &str, p: &JsonPath<'_>, ctx: &mut Ctx) {
    let digits = raw.strip_prefix(['+', '-']).unwrap_or(raw);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let n = raw.parse::<f64>().unwrap_or(f64::NAN);
        schema::check_num_value(c, true, n, p, ctx);
        return;
    }
    let before = ctx.issues.len();
    check_query_number(c, true, raw, p, ctx);
    let reported = ctx.issues[before..]
        .iter()
        .any(|i| i.code == IssueCode::InvalidType);
    if !reported {
        let received = if raw.trim().is_empty() || raw.trim() != raw {
            "string"
        } else {
            "float"
        };
        ctx.issues.insert(
            before,
            Issue {
                expected: Some("integer".into()),
                received: Some(received.into()),
                ..Issue::new(
                    IssueCode::InvalidType,
                    p.segments(),
                    format!("Expected integer, received {received}"),
                )
            },
        );
    }
}

/// Validates a body alone (no path or query parameters checked beyond presence, which is assumed).
pub fn validate_body(operation_id: &str, body: &Value) -> Result<(), Rejection> {
    let Some(op) = ops::find(operation_id) else {
        return Err(Rejection::UnknownOperation(operation_id.to_owned()));
    };
    let path: Vec<(&str, &str)> = op.path_params.iter().map(|p| (*p, "")).collect();
    validate(
        operation_id,
        &RequestParts {
            path: &path,
            query: &[],
            body: Some(body),
        },
    )
}

/// Infisical's service check on update (docs/infisical-behaviour.md#common-fields): the effective TTL (the request's, else the stored one)
/// may not exceed the effective max TTL when that is above 0; a 400 otherwise.
pub fn check_effective_ttl(ttl: f64, max_ttl: f64) -> Result<(), Rejection> {
    if max_ttl > 0.0 && ttl > max_ttl {
        Err(Rejection::BadRequest {
            message: EFFECTIVE_TTL_MESSAGE.to_owned(),
            path: Vec::new(),
        })
    } else {
        Ok(())
    }
}
