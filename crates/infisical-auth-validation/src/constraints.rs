//! The constraint table: for each operation, every request field (path, query and body, union options
//! included) with the bounds the hand-written rules enforce. It is derived from the same static definitions the
//! validator runs, so it cannot drift from the validator; `tests/spec_bounds.rs` compares it with the spec.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use crate::ops::{OpDef, OPS};
use crate::rules::{CrossRule, Rule};
use crate::schema::{Format, Prop, Shape, Variant};

/// Where a field lives in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// A path parameter (always a required string in this API).
    Path,
    /// A query-string parameter (numbers are coerced from the text).
    Query,
    /// A JSON body property.
    Body,
}

impl Location {
    /// `path`, `query` or `body`.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Body => "body",
        }
    }
}

/// The JSON type a field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// A JSON string.
    String,
    /// A JSON number that is an integer (`integer` in the spec).
    Integer,
    /// A JSON number (`number` in the spec); see [`FieldConstraint::integral`].
    Number,
    /// A JSON boolean.
    Boolean,
    /// A JSON array.
    Array,
    /// A JSON object with declared properties (or a union of such objects).
    Object,
    /// A JSON object whose values are all strings.
    StringMap,
}

impl FieldType {
    /// The type's name in the spec (`string`, `integer`, `number`, `boolean`, `array`, `object`).
    pub fn spec_name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::Boolean => "boolean",
            FieldType::Array => "array",
            FieldType::Object | FieldType::StringMap => "object",
        }
    }
}

/// One request field and its declared bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldConstraint {
    /// Path, query or body.
    pub location: Location,
    /// The union option the field belongs to (`jwks`/`static` for jwt bodies, `template`/`manual` for ldap attach,
    /// `static`/`https_web_bundle` under spiffe `trustBundleDistribution`), `None` outside unions.
    pub variant: Option<&'static str>,
    /// Field path pattern: keys joined by `.`, `[]` for array items, e.g. `accessTokenTrustedIps[].ipAddress`.
    pub path: String,
    /// The JSON type.
    pub ty: FieldType,
    /// Must be present.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    /// Numeric lower bound (inclusive).
    pub minimum: Option<f64>,
    /// Numeric upper bound (inclusive).
    pub maximum: Option<f64>,
    /// Minimum string length.
    pub min_length: Option<u32>,
    /// Maximum string length.
    pub max_length: Option<u32>,
    /// Minimum item count.
    pub min_items: Option<u32>,
    /// Allowed values of a string enum (empty when not an enum).
    pub enum_values: &'static [&'static str],
    /// Declared string format.
    pub format: Option<Format>,
    /// The string is trimmed before its length and rule are checked.
    pub trimmed: bool,
    /// A `number` the validator also requires to be integral (lockout fields, a Deliberate choice).
    pub integral: bool,
    /// The hand-written rule beyond the spec, if any.
    pub rule: Option<Rule>,
}

impl FieldConstraint {
    fn new(
        location: Location,
        variant: Option<&'static str>,
        path: String,
        ty: FieldType,
    ) -> FieldConstraint {
        FieldConstraint {
            location,
            variant,
            path,
            ty,
            required: false,
            nullable: false,
            minimum: None,
            maximum: None,
            min_length: None,
            max_length: None,
            min_items: None,
            enum_values: &[],
            format: None,
            trimmed: false,
            integral: false,
            rule: None,
        }
    }
}

impl fmt::Display for FieldConstraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.location.as_str(), self.path)?;
        if let Some(v) = self.variant {
            write!(f, " <{v}>")?;
        }
        Ok(())
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn flatten_props(
    props: &[Prop],
    prefix: &str,
    variant: Option<&'static str>,
    loc: Location,
    out: &mut Vec<FieldConstraint>,
) {
    for p in props {
        flatten_node(
            &p.shape,
            join(prefix, p.name),
            p.required,
            p.nullable,
            variant,
            loc,
            out,
        );
    }
}

fn flatten_variants(
    options: &[Variant],
    prefix: &str,
    loc: Location,
    out: &mut Vec<FieldConstraint>,
) {
    for o in options {
        flatten_props(o.props, prefix, Some(o.name), loc, out);
    }
}

fn flatten_node(
    s: &Shape,
    path: String,
    required: bool,
    nullable: bool,
    variant: Option<&'static str>,
    loc: Location,
    out: &mut Vec<FieldConstraint>,
) {
    let ty = match s {
        Shape::Str(_) => FieldType::String,
        Shape::Int(_) => FieldType::Integer,
        Shape::Num(_) | Shape::IntegralNum(_) => FieldType::Number,
        Shape::Bool => FieldType::Boolean,
        Shape::Arr { .. } => FieldType::Array,
        Shape::Obj(_) | Shape::Tagged { .. } | Shape::Untagged(_) => FieldType::Object,
        Shape::StrMap => FieldType::StringMap,
    };
    let mut c = FieldConstraint::new(loc, variant, path.clone(), ty);
    c.required = required;
    c.nullable = nullable;
    match s {
        Shape::Str(sc) => {
            c.min_length = sc.min;
            c.max_length = sc.max;
            c.enum_values = sc.enums;
            c.format = sc.format;
            c.trimmed = sc.trim;
            c.rule = sc.rule;
        }
        Shape::Int(n) | Shape::Num(n) | Shape::IntegralNum(n) => {
            c.minimum = n.min;
            c.maximum = n.max;
            c.integral = matches!(s, Shape::IntegralNum(_));
        }
        Shape::Arr { min_items, .. } => c.min_items = *min_items,
        _ => {}
    }
    out.push(c);
    match s {
        Shape::Arr { item, .. } => {
            flatten_node(item, format!("{path}[]"), false, false, variant, loc, out)
        }
        Shape::Obj(props) => flatten_props(props, &path, variant, loc, out),
        Shape::Tagged { options, .. } | Shape::Untagged(options) => {
            flatten_variants(options, &path, loc, out)
        }
        _ => {}
    }
}

fn flatten_op(op: &OpDef) -> Vec<FieldConstraint> {
    let mut out = Vec::new();
    for p in op.path_params {
        let mut c = FieldConstraint::new(Location::Path, None, (*p).to_owned(), FieldType::String);
        c.required = true;
        out.push(c);
    }
    flatten_props(op.query, "", None, Location::Query, &mut out);
    match &op.body {
        Some(Shape::Obj(props)) => flatten_props(props, "", None, Location::Body, &mut out),
        Some(Shape::Tagged { options, .. } | Shape::Untagged(options)) => {
            flatten_variants(options, "", Location::Body, &mut out)
        }
        _ => {}
    }
    out
}

fn table() -> &'static HashMap<&'static str, Vec<FieldConstraint>> {
    static TABLE: OnceLock<HashMap<&'static str, Vec<FieldConstraint>>> = OnceLock::new();
    TABLE.get_or_init(|| OPS.iter().map(|op| (op.id, flatten_op(op))).collect())
}

/// Every request field of an operation with its hand-written bounds; empty for an unknown operation.
pub fn constraints(operation_id: &str) -> &'static [FieldConstraint] {
    table().get(operation_id).map(Vec::as_slice).unwrap_or(&[])
}

/// The cross-field rules of an operation's body (empty for an unknown operation).
pub fn cross_rules(operation_id: &str) -> &'static [CrossRule] {
    crate::ops::find(operation_id)
        .map(|op| op.cross)
        .unwrap_or(&[])
}

/// Whether an operation takes a JSON body (a `null` or missing body is then a 422).
pub fn has_body(operation_id: &str) -> bool {
    crate::ops::find(operation_id).is_some_and(|op| op.body.is_some())
}

/// The 78 operation ids, sorted.
pub fn operation_ids() -> impl Iterator<Item = &'static str> {
    OPS.iter().map(|op| op.id)
}
