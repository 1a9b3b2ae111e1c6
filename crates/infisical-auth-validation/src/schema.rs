//! The validation engine: a small static schema language (written by hand per operation in `ops.rs`) and the
//! walker that checks a JSON value against it, collecting every issue at once in zod's shape.
//!
//! The walker allocates nothing on the success path: the JSON path is a stack-linked list that is only turned
//! into a `Vec<PathSegment>` when an issue is reported.

use serde_json::Value;

use crate::error::{BoundKind, Issue, IssueCode, PathSegment, INVALID_IP_MESSAGE};
use crate::formats;
use crate::rules::{self, Rule};

/// A string format the spec declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `format: uuid` (hyphenated 8-4-4-4-12 hex, as zod's `.uuid()`).
    Uuid,
    /// `format: uri` (a WHATWG URL, as zod's `.url()`).
    Uri,
    /// `format: date-time` (ISO 8601 in UTC with `Z`, as zod's `.datetime()`).
    DateTime,
}

impl Format {
    /// The format as the spec writes it.
    pub fn as_spec_str(self) -> &'static str {
        match self {
            Format::Uuid => "uuid",
            Format::Uri => "uri",
            Format::DateTime => "date-time",
        }
    }

    fn zod_name(self) -> &'static str {
        match self {
            Format::Uuid => "uuid",
            Format::Uri => "url",
            Format::DateTime => "datetime",
        }
    }
}

/// String constraints.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StringRules {
    pub min: Option<u32>,
    pub max: Option<u32>,
    pub enums: &'static [&'static str],
    pub format: Option<Format>,
    pub trim: bool,
    pub rule: Option<Rule>,
}

impl StringRules {
    pub const NONE: StringRules = StringRules {
        min: None,
        max: None,
        enums: &[],
        format: None,
        trim: false,
        rule: None,
    };
}

/// Numeric bounds (inclusive).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumberRules {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// A schema node.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    Str(StringRules),
    /// `integer` in the spec.
    Int(NumberRules),
    /// `number` in the spec.
    Num(NumberRules),
    /// `number` in the spec, integral by a Deliberate choice (lockout fields).
    IntegralNum(NumberRules),
    Bool,
    Arr {
        item: &'static Shape,
        min_items: Option<u32>,
    },
    Obj(&'static [Prop]),
    /// An object whose values are all strings.
    StrMap,
    /// A union tagged by a one-value enum property (zod `discriminatedUnion`).
    Tagged {
        tag: &'static str,
        options: &'static [Variant],
    },
    /// A union without a tag (zod `union`): the first option that fits wins.
    Untagged(&'static [Variant]),
}

/// One option of a union.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Variant {
    pub name: &'static str,
    pub props: &'static [Prop],
}

/// One object property.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prop {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
    pub nullable: bool,
}

impl Prop {
    pub const fn opt(name: &'static str, shape: Shape) -> Prop {
        Prop {
            name,
            shape,
            required: false,
            nullable: false,
        }
    }
    pub const fn req(name: &'static str, shape: Shape) -> Prop {
        Prop {
            name,
            shape,
            required: true,
            nullable: false,
        }
    }
    pub const fn nullable(mut self) -> Prop {
        self.nullable = true;
        self
    }
}

/// A JSON path under construction, linked through the stack.
#[derive(Clone, Copy)]
pub(crate) enum JsonPath<'a> {
    Root,
    Key(&'a JsonPath<'a>, &'a str),
    Idx(&'a JsonPath<'a>, usize),
}

impl JsonPath<'_> {
    pub fn segments(&self) -> Vec<PathSegment> {
        let mut out = Vec::new();
        self.push_into(&mut out);
        out
    }
    fn push_into(&self, out: &mut Vec<PathSegment>) {
        match self {
            JsonPath::Root => {}
            JsonPath::Key(parent, k) => {
                parent.push_into(out);
                out.push(PathSegment::Key((*k).to_owned()));
            }
            JsonPath::Idx(parent, i) => {
                parent.push_into(out);
                out.push(PathSegment::Index(*i));
            }
        }
    }
}

/// Byte equality for short keys, inlined with overlapping word loads (no `memcmp` call per property name).
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    #[inline(always)]
    fn w8(s: &[u8], at: usize) -> u64 {
        let mut x = [0u8; 8];
        x.copy_from_slice(&s[at..at + 8]);
        u64::from_ne_bytes(x)
    }
    #[inline(always)]
    fn w4(s: &[u8], at: usize) -> u32 {
        let mut x = [0u8; 4];
        x.copy_from_slice(&s[at..at + 4]);
        u32::from_ne_bytes(x)
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        8..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        17..=32 => {
            w8(a, 0) == w8(b, 0)
                && w8(a, 8) == w8(b, 8)
                && w8(a, n - 16) == w8(b, n - 16)
                && w8(a, n - 8) == w8(b, n - 8)
        }
        _ => a == b,
    }
}

/// Collected outcome of a walk.
#[derive(Default)]
pub(crate) struct Ctx {
    pub issues: Vec<Issue>,
    /// The first service-level (400) problem.
    pub bad: Option<(String, Vec<PathSegment>)>,
}

impl Ctx {
    pub fn has_fatal(&self) -> bool {
        self.issues.iter().any(Issue::is_fatal)
    }

    pub fn push(&mut self, issue: Issue) {
        self.issues.push(issue);
    }

    pub fn custom(&mut self, p: &JsonPath<'_>, message: impl Into<String>) {
        self.issues
            .push(Issue::new(IssueCode::Custom, p.segments(), message));
    }

    fn bad_request(&mut self, p: &JsonPath<'_>, message: &str) {
        if self.bad.is_none() {
            self.bad = Some((message.to_owned(), p.segments()));
        }
    }
}

/// zod's name for the type of a JSON value.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Formats a bound as JavaScript prints it (`30`, not `30.0`).
pub(crate) fn js_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e21 {
        format!("{}", v as i128)
    } else {
        format!("{v}")
    }
}

fn invalid_type(p: &JsonPath<'_>, expected: &str, received: &str) -> Issue {
    let message = if received == "undefined" {
        "Required".to_owned()
    } else {
        format!("Expected {expected}, received {received}")
    };
    Issue {
        expected: Some(expected.to_owned()),
        received: Some(received.to_owned()),
        ..Issue::new(IssueCode::InvalidType, p.segments(), message)
    }
}

fn bound(p: &JsonPath<'_>, small: bool, kind: BoundKind, b: f64) -> Issue {
    let n = js_num(b);
    let message = match (kind, small) {
        (BoundKind::Number, true) => format!("Number must be greater than or equal to {n}"),
        (BoundKind::Number, false) => format!("Number must be less than or equal to {n}"),
        (BoundKind::String, true) => format!("String must contain at least {n} character(s)"),
        (BoundKind::String, false) => format!("String must contain at most {n} character(s)"),
        (BoundKind::Array, true) => format!("Array must contain at least {n} element(s)"),
        (BoundKind::Array, false) => format!("Array must contain at most {n} element(s)"),
    };
    let mut i = Issue::new(
        if small {
            IssueCode::TooSmall
        } else {
            IssueCode::TooBig
        },
        p.segments(),
        message,
    );
    if small {
        i.minimum = Some(b);
    } else {
        i.maximum = Some(b);
    }
    i.inclusive = Some(true);
    i.kind = Some(kind);
    i
}

fn quoted_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The expected-type name of a schema node, as zod reports it.
fn expected_name(s: &Shape) -> &'static str {
    match s {
        Shape::Str(_) => "string",
        Shape::Int(_) | Shape::Num(_) | Shape::IntegralNum(_) => "number",
        Shape::Bool => "boolean",
        Shape::Arr { .. } => "array",
        Shape::Obj(_) | Shape::StrMap | Shape::Tagged { .. } | Shape::Untagged(_) => "object",
    }
}

/// `str::trim`, with a fast path for text that starts and ends with a visible ASCII character.
#[inline]
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Length of a string as JavaScript counts it (UTF-16 code units).
pub(crate) fn js_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

/// Validates a present (non-missing) value against `s`.
pub(crate) fn check(s: &Shape, v: &Value, p: &JsonPath<'_>, ctx: &mut Ctx) {
    match s {
        Shape::Str(c) => check_str(c, v, p, ctx),
        Shape::Int(c) | Shape::IntegralNum(c) => check_num(c, true, v, p, ctx),
        Shape::Num(c) => check_num(c, false, v, p, ctx),
        Shape::Bool => {
            if !v.is_boolean() {
                ctx.push(invalid_type(p, "boolean", type_name(v)));
            }
        }
        Shape::Arr { item, min_items } => {
            let Some(arr) = v.as_array() else {
                ctx.push(invalid_type(p, "array", type_name(v)));
                return;
            };
            if let Some(m) = min_items {
                if arr.len() < *m as usize {
                    ctx.push(bound(p, true, BoundKind::Array, f64::from(*m)));
                }
            }
            for (i, x) in arr.iter().enumerate() {
                let ip = JsonPath::Idx(p, i);
                if x.is_null() {
                    ctx.push(invalid_type(&ip, expected_name(item), "null"));
                } else {
                    check(item, x, &ip, ctx);
                }
            }
        }
        Shape::Obj(props) => {
            let Some(obj) = v.as_object() else {
                ctx.push(invalid_type(p, "object", type_name(v)));
                return;
            };
            // fast path for one-property objects such as trusted IP entries `{ipAddress}`
            if let ([prop], 1) = (props, obj.len()) {
                if let Some((k, x)) = obj.iter().next() {
                    if bytes_eq(k.as_bytes(), prop.name.as_bytes()) && !x.is_null() {
                        check(&prop.shape, x, &JsonPath::Key(p, prop.name), ctx);
                        return;
                    }
                }
            }
            check_props(props, obj, p, ctx);
        }
        Shape::StrMap => {
            let Some(obj) = v.as_object() else {
                ctx.push(invalid_type(p, "object", type_name(v)));
                return;
            };
            for (k, x) in obj {
                if !x.is_string() {
                    ctx.push(invalid_type(&JsonPath::Key(p, k), "string", type_name(x)));
                }
            }
        }
        Shape::Tagged { tag, options } => {
            let Some(obj) = v.as_object() else {
                ctx.push(invalid_type(p, "object", type_name(v)));
                return;
            };
            let chosen = obj
                .get(*tag)
                .and_then(Value::as_str)
                .and_then(|t| options.iter().find(|o| o.name == t));
            match chosen {
                Some(opt) => check_props(opt.props, obj, p, ctx),
                None => {
                    let names: Vec<&str> = options.iter().map(|o| o.name).collect();
                    let mut i = Issue::new(
                        IssueCode::InvalidUnionDiscriminator,
                        JsonPath::Key(p, tag).segments(),
                        format!(
                            "Invalid discriminator value. Expected {}",
                            quoted_list(&names)
                        ),
                    );
                    i.options = Some(names.iter().map(|s| (*s).to_owned()).collect());
                    ctx.push(i);
                }
            }
        }
        Shape::Untagged(options) => {
            let Some(obj) = v.as_object() else {
                ctx.push(invalid_type(p, "object", type_name(v)));
                return;
            };
            check_untagged(options, obj, p, ctx);
        }
    }
}

/// zod's union: the first option without issues wins; else the first option with only non-fatal issues reports
/// them; else one `invalid_union` issue carries every option's issues. Returns the chosen option's index.
pub(crate) fn check_untagged(
    options: &[Variant],
    obj: &serde_json::Map<String, Value>,
    p: &JsonPath<'_>,
    ctx: &mut Ctx,
) -> Option<usize> {
    let mut results: Vec<Ctx> = Vec::with_capacity(options.len());
    for (idx, opt) in options.iter().enumerate() {
        let mut sub = Ctx::default();
        check_props(opt.props, obj, p, &mut sub);
        if sub.issues.is_empty() {
            if let Some(b) = sub.bad {
                if ctx.bad.is_none() {
                    ctx.bad = Some(b);
                }
            }
            return Some(idx);
        }
        results.push(sub);
    }
    if let Some(idx) = results.iter().position(|r| !r.has_fatal()) {
        let r = results.swap_remove(idx);
        ctx.issues.extend(r.issues);
        return Some(idx);
    }
    let mut i = Issue::new(IssueCode::InvalidUnion, p.segments(), "Invalid input");
    i.union_errors = results.into_iter().map(|r| r.issues).collect();
    ctx.push(i);
    None
}

/// Checks each declared property of an object; unknown keys are ignored (Infisical strips them).
pub(crate) fn check_props(
    props: &[Prop],
    obj: &serde_json::Map<String, Value>,
    p: &JsonPath<'_>,
    ctx: &mut Ctx,
) {
    check_props_found(props, obj, p, ctx);
}

/// Most properties an object schema may have for the one-pass lookup (more fall back to map lookups).
pub(crate) const MAX_PROPS: usize = 16;

/// [`check_props`], returning the value found for each property (by property index) when the schema has at
/// most [`MAX_PROPS`] properties.
pub(crate) fn check_props_found<'v>(
    props: &[Prop],
    obj: &'v serde_json::Map<String, Value>,
    p: &JsonPath<'_>,
    ctx: &mut Ctx,
) -> [Option<&'v Value>; MAX_PROPS] {
    // One pass over the body's keys (cheaper than a map lookup per property), then the properties in declared
    // order so issues come out in Infisical's order.
    let mut found: [Option<&Value>; MAX_PROPS] = [None; MAX_PROPS];
    if props.len() <= MAX_PROPS {
        for (k, v) in obj {
            let kb = k.as_bytes();
            if let Some(i) = props
                .iter()
                .position(|prop| prop.name.len() == kb.len() && prop.name.as_bytes() == kb)
            {
                found[i] = Some(v);
            }
        }
    }
    for (i, prop) in props.iter().enumerate() {
        let fp = JsonPath::Key(p, prop.name);
        let value = if props.len() <= MAX_PROPS {
            found[i]
        } else {
            obj.get(prop.name)
        };
        match value {
            None => {
                if prop.required {
                    ctx.push(invalid_type(&fp, expected_name(&prop.shape), "undefined"));
                }
            }
            Some(Value::Null) => {
                if !prop.nullable {
                    ctx.push(invalid_type(&fp, expected_name(&prop.shape), "null"));
                }
            }
            Some(v) => check(&prop.shape, v, &fp, ctx),
        }
    }
    found
}

fn check_num(c: &NumberRules, integral: bool, v: &Value, p: &JsonPath<'_>, ctx: &mut Ctx) {
    let Value::Number(num) = v else {
        ctx.push(invalid_type(p, "number", type_name(v)));
        return;
    };
    if let Some(i) = num.as_i64() {
        // integers: no fraction to check
        let n = i as f64;
        if c.min.is_some_and(|m| n < m) || c.max.is_some_and(|m| n > m) {
            check_num_value(c, false, n, p, ctx);
        }
        return;
    }
    check_num_value(c, integral, num.as_f64().unwrap_or(f64::NAN), p, ctx);
}

pub(crate) fn check_num_value(
    c: &NumberRules,
    integral: bool,
    n: f64,
    p: &JsonPath<'_>,
    ctx: &mut Ctx,
) {
    if n.is_nan() {
        ctx.push(invalid_type(p, "number", "nan"));
        return;
    }
    if integral && n.fract() != 0.0 && n.is_finite() {
        ctx.push(invalid_type(p, "integer", "float"));
    }
    if let Some(min) = c.min {
        if n < min {
            ctx.push(bound(p, true, BoundKind::Number, min));
        }
    }
    if let Some(max) = c.max {
        if n > max {
            ctx.push(bound(p, false, BoundKind::Number, max));
        }
    }
}

fn check_str(c: &StringRules, v: &Value, p: &JsonPath<'_>, ctx: &mut Ctx) {
    let Some(raw) = v.as_str() else {
        ctx.push(invalid_type(p, "string", type_name(v)));
        return;
    };
    let s = if c.trim { trim(raw) } else { raw };
    if !c.enums.is_empty() {
        if !c.enums.contains(&s) {
            let mut i = Issue::new(
                IssueCode::InvalidEnumValue,
                p.segments(),
                format!(
                    "Invalid enum value. Expected {}, received '{s}'",
                    quoted_list(c.enums)
                ),
            );
            i.options = Some(c.enums.iter().map(|x| (*x).to_owned()).collect());
            i.received = Some(s.to_owned());
            ctx.push(i);
        }
        return;
    }
    let before = ctx.issues.len();
    if c.min.is_some() || c.max.is_some() {
        let len = js_len(s);
        if let Some(min) = c.min {
            if len < min as usize {
                ctx.push(bound(p, true, BoundKind::String, f64::from(min)));
            }
        }
        if let Some(max) = c.max {
            if len > max as usize {
                ctx.push(bound(p, false, BoundKind::String, f64::from(max)));
            }
        }
    }
    if let Some(f) = c.format {
        let ok = match f {
            Format::Uuid => formats::is_uuid(s),
            Format::Uri => formats::is_url(s),
            Format::DateTime => formats::is_datetime(s),
        };
        if !ok {
            let mut i = Issue::new(
                IssueCode::InvalidString,
                p.segments(),
                format!("Invalid {}", f.zod_name()),
            );
            i.validation = Some(f.zod_name().to_owned());
            ctx.push(i);
        }
    }
    if ctx.issues.len() != before {
        return;
    }
    if let Some(rule) = c.rule {
        if rule == Rule::TrustedIp {
            if !crate::ip::TrustedIp::is_valid(s) {
                ctx.bad_request(p, INVALID_IP_MESSAGE);
            }
        } else if let Err(msg) = rules::check_rule(rule, s) {
            ctx.custom(p, msg);
        }
    }
}

#[cfg(test)]
mod bytes_eq_tests {
    use super::bytes_eq;

    #[test]
    fn agrees_with_slice_equality() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcdefg",
            "abcdefgh",
            "ipAddress",
            "accessTokenTTL",
            "lockoutEnabled",
            "accessTokenMaxTTL",
            "clientSecretTrustedIps",
            "lockoutCounterResetSeconds",
            "x".repeat(40).leak(),
        ];
        for a in words {
            for b in words {
                assert_eq!(bytes_eq(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
            }
            // one byte changed anywhere
            for i in 0..a.len() {
                let mut c = a.as_bytes().to_vec();
                c[i] ^= 1;
                assert!(!bytes_eq(a.as_bytes(), &c), "{a} @{i}");
            }
        }
    }
}
