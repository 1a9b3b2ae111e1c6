//! Holds the hand-written rules to the OpenAPI document.
//!
//! The test reads the spec (`openapi/infisical-identity-auth.json`, or the file named by `INFISICAL_SPEC`), walks
//! every operation's path and query parameters and request body (union options included) and, for every field:
//! 1. compares the spec's declared type, required, nullable, bounds, enum and format with the crate's constraint
//!    table, failing with the operation, the field, the hand-written (old) and the spec (new) value on a mismatch;
//!    a spec field or keyword it cannot map fails the test, and so does a hand-written field the spec lacks;
//!    query numbers the codegen fix-up `integer_query_parameters` makes integers are compared as `integer`;
//! 2. generates boundary cases from the spec's bounds on an otherwise valid request (min-1, min, max, max+1,
//!    length and item-count edges, each enum value and one outside, a bad format, a wrong type, null, missing)
//!    and asserts `validate` accepts or rejects exactly those, with the issue at the field's path.
//!
//! The comparison is [`check`], a function returning the failure lines: one test holds it to the real spec, the
//! others change the real spec in memory (a narrowed maximum, a widened enum, a new field, a moved `minItems`, a
//! query bound, an unmapped keyword, field or operation) and assert the failure text names the change.

use std::collections::BTreeSet;
use std::path::PathBuf;

use infisical_auth_validation::{
    constraints, display_path, validate, FieldConstraint, Issue, IssueCode, Location, PathSegment,
    Rejection, RequestParts,
};
use serde_json::{json, Map, Value};

const CA: &str = include_str!("fixtures/ca.pem");
const UUID: &str = "123e4567-e89b-12d3-a456-426614174000";

/// Schema keywords this test understands; any other keyword on a request field fails the test.
const KNOWN_KEYWORDS: &[&str] = &[
    "type",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "anyOf",
    "nullable",
    "default",
    "description",
    "example",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "enum",
    "format",
];

fn spec_path() -> PathBuf {
    match std::env::var_os("INFISICAL_SPEC") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../openapi/infisical-identity-auth.json"),
    }
}

/// One request field as the spec declares it.
#[derive(Debug, Clone)]
struct SpecField {
    op: String,
    location: Location,
    variant: Option<String>,
    path: String,
    schema: Value,
    required: bool,
}

impl SpecField {
    fn name(&self) -> String {
        let mut s = format!("{}: {}.{}", self.op, self.location.as_str(), self.path);
        if let Some(v) = &self.variant {
            s.push_str(&format!(" <{v}>"));
        }
        s
    }
    fn is_union(&self) -> bool {
        self.schema.get("anyOf").is_some()
    }
    /// The type the field has once generated: the spec's, except that a query `number` the codegen fix-up
    /// `integer_query_parameters` turns into an integer (see [`fix_up_makes_integer`]) is `integer`, as the
    /// generated types and the validator have it (a deliberate choice, not drift).
    fn ty(&self) -> &str {
        if self.is_union() {
            "object"
        } else if self.location == Location::Query && fix_up_makes_integer(&self.schema) {
            "integer"
        } else {
            self.schema
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("<none>")
        }
    }
    fn num(&self, k: &str) -> Option<f64> {
        self.schema.get(k).and_then(Value::as_f64)
    }
    fn enum_values(&self) -> Vec<String> {
        self.schema
            .get("enum")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
    fn last_key(&self) -> &str {
        let p = self.path.trim_end_matches("[]");
        p.rsplit('.').next().unwrap_or(p)
    }
}

/// The rule of the codegen fix-up `integer_query_parameters` (xtask/src/fixups.rs): a query parameter declared
/// `number` with a `minimum`, and whose `minimum`, `maximum` and `default` (those present) are whole numbers,
/// counts items and is generated as an integer. When a spec update breaks the rule (a `maximum` of 99.5), the
/// field is `number` again and the comparison reports the hand-written `integer` as drift.
fn fix_up_makes_integer(schema: &Value) -> bool {
    let whole = |k: &str| {
        schema
            .get(k)
            .is_none_or(|v| v.as_f64().is_some_and(|f| f.fract() == 0.0))
    };
    schema.get("type").and_then(Value::as_str) == Some("number")
        && schema.get("minimum").is_some()
        && whole("minimum")
        && whole("maximum")
        && whole("default")
}

struct Walker<'a> {
    op: String,
    table: &'a [FieldConstraint],
    fields: Vec<SpecField>,
    failures: Vec<String>,
}

fn join(prefix: &str, k: &str) -> String {
    if prefix.is_empty() {
        k.to_owned()
    } else {
        format!("{prefix}.{k}")
    }
}

impl Walker<'_> {
    fn check_keywords(&mut self, path: &str, schema: &Value) {
        if let Some(o) = schema.as_object() {
            for k in o.keys() {
                if !KNOWN_KEYWORDS.contains(&k.as_str()) {
                    self.failures.push(format!(
                        "{}: body.{path}: spec keyword `{k}` is not mapped by the validator",
                        self.op
                    ));
                }
            }
        }
    }

    /// Names a union option: the value of its one-value enum tag, else the hand-written variant whose required
    /// fields are the option's required fields.
    fn variant_label(&mut self, prefix: &str, option: &Value) -> Option<String> {
        let required: BTreeSet<String> = option
            .get("required")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(|s| join(prefix, s)))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(props) = option.get("properties").and_then(Value::as_object) {
            for (k, p) in props {
                let e = p.get("enum").and_then(Value::as_array);
                if required.contains(&join(prefix, k)) && e.is_some_and(|e| e.len() == 1) {
                    return e.and_then(|e| e[0].as_str()).map(str::to_owned);
                }
            }
        }
        let variants: BTreeSet<&str> = self.table.iter().filter_map(|c| c.variant).collect();
        for v in variants {
            let req: BTreeSet<String> = self
                .table
                .iter()
                .filter(|c| {
                    c.variant == Some(v)
                        && c.required
                        && c.location == Location::Body
                        && c.path.rsplit_once('.').map(|(p, _)| p).unwrap_or("") == prefix
                        && !c.path.ends_with("[]")
                })
                .map(|c| c.path.clone())
                .collect();
            if req == required {
                return Some(v.to_owned());
            }
        }
        self.failures.push(format!(
            "{}: body.{prefix}: union option with required {required:?} cannot be mapped to a hand-written variant",
            self.op
        ));
        None
    }

    fn walk_object(&mut self, schema: &Value, prefix: &str, variant: Option<&str>) {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (k, p) in props {
            let path = join(prefix, k);
            self.walk_field(p, path, required.contains(&k.as_str()), variant);
        }
    }

    fn walk_field(&mut self, schema: &Value, path: String, required: bool, variant: Option<&str>) {
        self.check_keywords(&path, schema);
        self.fields.push(SpecField {
            op: self.op.clone(),
            location: Location::Body,
            variant: variant.map(str::to_owned),
            path: path.clone(),
            schema: schema.clone(),
            required,
        });
        if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
            for o in options {
                self.check_keywords(&path, o);
                if let Some(label) = self.variant_label(&path, o) {
                    self.walk_object(o, &path, Some(&label));
                }
            }
        } else if schema.get("properties").is_some() {
            self.walk_object(schema, &path, variant);
        } else if let Some(items) = schema.get("items") {
            self.walk_field(items, format!("{path}[]"), false, variant);
        }
    }
}

/// Walks the spec: (operation id, spec fields, request body schema, path parameter names) plus mapping failures.
/// One operation as walked: id, fields, request body schema, path parameter names.
type WalkedOp = (String, Vec<SpecField>, Option<Value>, Vec<String>);

fn walk_spec(spec: &Value) -> (Vec<WalkedOp>, Vec<String>) {
    let mut out = Vec::new();
    let mut failures = Vec::new();
    let paths = spec["paths"].as_object().expect("spec has paths");
    for item in paths.values() {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            let table = constraints(&id);
            if table.is_empty()
                && !op
                    .get("parameters")
                    .is_some_and(|p| p.as_array().is_some_and(Vec::is_empty))
            {
                failures.push(format!("{id}: operation has no hand-written rules"));
            }
            let mut w = Walker {
                op: id.clone(),
                table,
                fields: Vec::new(),
                failures: Vec::new(),
            };
            let mut path_params = Vec::new();
            for prm in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let name = prm["name"].as_str().unwrap_or_default().to_owned();
                let location = match prm["in"].as_str() {
                    Some("path") => Location::Path,
                    Some("query") => Location::Query,
                    other => {
                        w.failures
                            .push(format!("{id}: parameter {name} in {other:?} is not mapped"));
                        continue;
                    }
                };
                if location == Location::Path {
                    path_params.push(name.clone());
                }
                w.check_keywords(&name, &prm["schema"]);
                w.fields.push(SpecField {
                    op: id.clone(),
                    location,
                    variant: None,
                    path: name,
                    schema: prm["schema"].clone(),
                    required: prm
                        .get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                });
            }
            let body = op
                .pointer("/requestBody/content/application~1json/schema")
                .cloned();
            if let Some(b) = &body {
                if let Some(options) = b.get("anyOf").and_then(Value::as_array) {
                    for o in options {
                        if let Some(label) = w.variant_label("", o) {
                            w.walk_object(o, "", Some(&label));
                        }
                    }
                } else {
                    w.walk_object(b, "", None);
                }
            }
            failures.append(&mut w.failures);
            out.push((id, w.fields, body, path_params));
        }
    }
    (out, failures)
}

fn fmt_opt<T: std::fmt::Debug>(v: &Option<T>) -> String {
    match v {
        Some(x) => format!("{x:?}"),
        None => "none".into(),
    }
}

/// A bound as a person writes it: `30`, not `30.0`; `none` when absent.
fn fmt_num(v: Option<f64>) -> String {
    match v {
        Some(x) => num_text(x),
        None => "none".into(),
    }
}

/// Compares one spec field with its hand-written constraint.
fn compare(f: &SpecField, c: &FieldConstraint, failures: &mut Vec<String>) {
    if c.ty.spec_name() != f.ty() {
        let note = if f.location == Location::Query && fix_up_makes_integer(&f.schema) {
            " (`number` in the spec, made `integer` by the codegen fix-up `integer_query_parameters`)"
        } else {
            ""
        };
        failures.push(format!(
            "{}: type: hand-written {}, spec {}{note}",
            f.name(),
            c.ty.spec_name(),
            f.ty()
        ));
    }
    let mut diff = |what: &str, old: String, new: String| {
        if old != new {
            failures.push(format!(
                "{}: {what}: hand-written {old}, spec {new}",
                f.name()
            ));
        }
    };
    if c.ty == infisical_auth_validation::FieldType::StringMap
        || f.schema
            .get("additionalProperties")
            .is_some_and(Value::is_object)
    {
        let spec_map = f
            .schema
            .pointer("/additionalProperties/type")
            .and_then(Value::as_str)
            == Some("string");
        diff(
            "string map",
            (c.ty == infisical_auth_validation::FieldType::StringMap).to_string(),
            spec_map.to_string(),
        );
    }
    diff("required", c.required.to_string(), f.required.to_string());
    let nullable = f
        .schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    diff("nullable", c.nullable.to_string(), nullable.to_string());
    diff("minimum", fmt_num(c.minimum), fmt_num(f.num("minimum")));
    diff("maximum", fmt_num(c.maximum), fmt_num(f.num("maximum")));
    diff(
        "minLength",
        fmt_num(c.min_length.map(f64::from)),
        fmt_num(f.num("minLength")),
    );
    diff(
        "maxLength",
        fmt_num(c.max_length.map(f64::from)),
        fmt_num(f.num("maxLength")),
    );
    diff(
        "minItems",
        fmt_num(c.min_items.map(f64::from)),
        fmt_num(f.num("minItems")),
    );
    diff(
        "enum",
        format!("{:?}", c.enum_values),
        format!("{:?}", f.enum_values()),
    );
    diff(
        "format",
        fmt_opt(&c.format.map(|x| x.as_spec_str())),
        fmt_opt(&f.schema.get("format").and_then(Value::as_str)),
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Valid instances

/// A valid sample for a string field, by name and format (what a real caller would send).
fn sample_string(key: &str, schema: &Value) -> String {
    if let Some(e) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .and_then(Value::as_str)
    {
        return e.to_owned();
    }
    match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => return UUID.into(),
        Some("uri") => return "https://example.com/path".into(),
        Some("date-time") => return "2024-01-01T00:00:00Z".into(),
        _ => {}
    }
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(1) as usize;
    // the shortest valid text at least `min` long
    (min.max(1)..min.max(1) + 2048)
        .find_map(|n| filler(key, n))
        .unwrap_or_else(|| "a".repeat(min.max(1)))
}

/// A string of exactly `n` characters that satisfies the field's hand-written grammar, when one exists.
fn filler(key: &str, n: usize) -> Option<String> {
    let pad = |prefix: &str, c: &str| {
        (n >= prefix.len()).then(|| format!("{prefix}{}", c.repeat(n - prefix.len())))
    };
    match key {
        "tenancyOcid" => pad("ocid1.tenancy.oc1.", "a"),
        "allowedArns" => pad("acs:ram::1234567890123456:role/a", "a"),
        "allowedAccountIds" => pad("123456789012", ","),
        "allowedPrincipalArns" => pad("arn:aws:iam::123456789012:role/a", "a"),
        "caCertificate" => pad(CA, "\n"),
        "searchFilter" => (n >= 4).then(|| format!("(a={})", "b".repeat(n - 4))),
        "oidcDiscoveryUrl" | "jwksUrl" | "endpointUrl" => pad("a:", "b"),
        "ipAddress" => Some("10.0.0.1".to_owned()),
        "kubernetesHost" | "organizationSlug" => (n >= 1).then(|| "a".repeat(n)),
        _ => Some("a".repeat(n)),
    }
}

fn pick_option<'a>(
    options: &'a [Value],
    want: Option<&str>,
    prefix: &str,
    walker_labels: &dyn Fn(&str, &Value) -> Option<String>,
) -> &'a Value {
    if let Some(w) = want {
        for o in options {
            if walker_labels(prefix, o).as_deref() == Some(w) {
                return o;
            }
        }
    }
    &options[0]
}

struct Builder<'a> {
    op: &'a str,
    fields: &'a [SpecField],
}

impl Builder<'_> {
    /// The label of a union option, from the spec fields already labelled by the walker.
    fn label(&self, prefix: &str, option: &Value) -> Option<String> {
        let props = option.get("properties")?.as_object()?;
        let required: BTreeSet<String> = option
            .get("required")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(|s| join(prefix, s)))
                    .collect()
            })
            .unwrap_or_default();
        let labels: BTreeSet<&String> = self
            .fields
            .iter()
            .filter_map(|f| f.variant.as_ref())
            .collect();
        labels
            .into_iter()
            .find(|l| {
                let mine: BTreeSet<String> = self
                    .fields
                    .iter()
                    .filter(|f| {
                        f.variant.as_ref() == Some(*l)
                            && f.required
                            && f.path.rsplit_once('.').map(|(p, _)| p).unwrap_or("") == prefix
                    })
                    .map(|f| f.path.clone())
                    .collect();
                mine == required
                    && props.keys().all(|k| {
                        self.fields
                            .iter()
                            .any(|f| f.variant.as_ref() == Some(*l) && f.path == join(prefix, k))
                    })
            })
            .cloned()
    }

    fn instance(&self, schema: &Value, key: &str, prefix: &str, variant: Option<&str>) -> Value {
        if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
            let o = pick_option(options, variant, prefix, &|p, o| self.label(p, o));
            return self.instance(o, key, prefix, variant);
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("object") => {
                let mut m = Map::new();
                if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                    let required: Vec<&str> = schema
                        .get("required")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    for (k, p) in props {
                        let take = required.contains(&k.as_str()) || self.extra(k);
                        if take {
                            let path = join(prefix, k);
                            m.insert(k.clone(), self.instance_field(p, k, &path, variant));
                        }
                    }
                }
                Value::Object(m)
            }
            Some("array") => {
                let n = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let item = &schema["items"];
                Value::Array(
                    (0..n)
                        .map(|_| self.instance(item, key, &format!("{prefix}[]"), variant))
                        .collect(),
                )
            }
            Some("string") => Value::String(sample_string(key, schema)),
            Some("integer") | Some("number") => {
                json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0) as i64)
            }
            Some("boolean") => Value::Bool(true),
            _ => Value::Null,
        }
    }

    fn instance_field(
        &self,
        schema: &Value,
        key: &str,
        path: &str,
        variant: Option<&str>,
    ) -> Value {
        match key {
            // TTL companions: TTL 0 and MaxTTL at its maximum keep TTL <= MaxTTL out of every other case.
            "accessTokenTTL" => json!(0),
            "accessTokenMaxTTL" => {
                json!(schema.get("maximum").and_then(Value::as_f64).unwrap_or(0.0) as i64)
            }
            _ => self.instance(schema, key, path, variant),
        }
    }

    /// Optional fields the base body also carries (so enum values like `tokenReviewMode: gateway` are valid).
    fn extra(&self, key: &str) -> bool {
        matches!(key, "accessTokenTTL" | "accessTokenMaxTTL")
            || (self.op == "attachKubernetesAuth" && key == "gatewayId")
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Cases

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Item,
}

fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut p = part;
        let mut items = 0;
        while let Some(stripped) = p.strip_suffix("[]") {
            p = stripped;
            items += 1;
        }
        out.push(Step::Key(p.to_owned()));
        out.extend((0..items).map(|_| Step::Item));
    }
    out
}

fn concrete(path: &str) -> Vec<PathSegment> {
    steps(path)
        .into_iter()
        .map(|s| match s {
            Step::Key(k) => PathSegment::Key(k),
            Step::Item => PathSegment::Index(0),
        })
        .collect()
}

/// Child schema of `schema` for `key`, looking into the union option labelled `variant` (or any option).
fn child<'a>(
    schema: &'a Value,
    key: &str,
    b: &Builder<'_>,
    prefix: &str,
    variant: Option<&str>,
) -> Option<&'a Value> {
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let o = pick_option(options, variant, prefix, &|p, o| b.label(p, o));
        return o.get("properties")?.get(key);
    }
    schema.get("properties")?.get(key)
}

/// Sets (or with `None` removes) the value at `path`, creating valid intermediates from the spec schema.
fn set_at(
    body: &mut Value,
    root: &Value,
    path: &str,
    value: Option<Value>,
    b: &Builder<'_>,
    variant: Option<&str>,
) {
    let st = steps(path);
    let mut v = body;
    let mut schema = root;
    let mut prefix = String::new();
    for (i, s) in st.iter().enumerate() {
        let last = i + 1 == st.len();
        match s {
            Step::Key(k) => {
                let cs = child(schema, k, b, &prefix, variant)
                    .cloned()
                    .unwrap_or(Value::Null);
                let here = join(&prefix, k);
                let Some(obj) = v.as_object_mut() else { return };
                if last {
                    match value {
                        Some(x) => {
                            obj.insert(k.clone(), x);
                        }
                        None => {
                            obj.remove(k);
                        }
                    }
                    return;
                }
                if !obj.contains_key(k) || obj[k].is_null() {
                    let inst = b.instance(&cs, k, &here, variant);
                    obj.insert(k.clone(), inst);
                }
                v = obj.get_mut(k).expect("just inserted");
                schema = child_owned(schema, k, b, &prefix, variant);
                prefix = here;
            }
            Step::Item => {
                let item_schema = &schema["items"];
                let Some(arr) = v.as_array_mut() else { return };
                if last {
                    match value {
                        Some(x) => {
                            if arr.is_empty() {
                                arr.push(x);
                            } else {
                                arr[0] = x;
                            }
                        }
                        None => arr.clear(),
                    }
                    return;
                }
                if arr.is_empty() {
                    arr.push(b.instance(item_schema, "", &format!("{prefix}[]"), variant));
                }
                v = &mut arr[0];
                schema = item_schema;
                prefix = format!("{prefix}[]");
            }
        }
    }
}

fn child_owned<'a>(
    schema: &'a Value,
    key: &str,
    b: &Builder<'_>,
    prefix: &str,
    variant: Option<&str>,
) -> &'a Value {
    static NULL: Value = Value::Null;
    child(schema, key, b, prefix, variant).unwrap_or(&NULL)
}

#[derive(Debug)]
enum Expect {
    /// `validate` must succeed; with `lenient`, `custom` issues from a hand-written rule stricter than the spec
    /// (and only those) are tolerated.
    Accept { lenient: bool },
    /// `validate` must answer 422 with an issue of one of `codes` at the field's path (searching inside
    /// `invalid_union` issues too) and, for bounds, with that bound.
    Reject {
        codes: &'static [IssueCode],
        bound: Option<f64>,
    },
}

struct Case {
    what: String,
    value: CaseValue,
    expect: Expect,
}

enum CaseValue {
    Body(Option<Value>),
    Query(Option<String>),
    PathParam,
}

fn find_issue(
    issues: &[Issue],
    path: &[PathSegment],
    codes: &[IssueCode],
    bound: Option<f64>,
) -> bool {
    issues.iter().any(|i| {
        let here = i.path == path
            && codes.contains(&i.code)
            && bound.is_none_or(|b| i.minimum == Some(b) || i.maximum == Some(b));
        here || i
            .union_errors
            .iter()
            .any(|u| find_issue(u, path, codes, bound))
    })
}

fn js(v: f64) -> Value {
    if v.fract() == 0.0 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn num_text(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Fields whose hand-written rules are stricter than the spec for some values the spec allows, with why.
const STRICTER: &[(&str, &str, &str)] = &[(
    "attachKubernetesAuth",
    "kubernetesHost",
    "null is allowed by the spec, but review mode api (default) needs a host",
)];

fn cases_for(f: &SpecField, table: &FieldConstraint) -> Vec<Case> {
    use IssueCode::*;
    let mut cases = Vec::new();
    let key = f.last_key().to_owned();
    let is_tag = f.variant.is_some() && f.required && f.enum_values().len() == 1;
    let type_codes: &'static [IssueCode] = if is_tag {
        &[InvalidUnionDiscriminator]
    } else {
        &[InvalidType]
    };
    let stricter = STRICTER
        .iter()
        .any(|(op, p, _)| *op == f.op && *p == f.path);
    let body = |v: Value| CaseValue::Body(Some(v));

    if f.location == Location::Path {
        cases.push(Case {
            what: "missing".into(),
            value: CaseValue::PathParam,
            expect: Expect::Reject {
                codes: &[InvalidType],
                bound: None,
            },
        });
        return cases;
    }
    if f.location == Location::Query {
        cases.push(Case {
            what: "absent".into(),
            value: CaseValue::Query(None),
            expect: Expect::Accept { lenient: false },
        });
        if matches!(f.ty(), "number" | "integer") {
            cases.push(Case {
                what: "not a number".into(),
                value: CaseValue::Query(Some("abc".into())),
                expect: Expect::Reject {
                    codes: &[InvalidType],
                    bound: None,
                },
            });
            if f.ty() == "integer" || table.integral {
                // Inside the bounds, so the only issue is the fraction (or, for an integer, the float text
                // that a typed integer parser would refuse).
                let m = f.num("minimum").unwrap_or(0.0);
                let mut texts = vec![num_text(m + 0.5)];
                if f.ty() == "integer" {
                    texts.push(format!("{}.0", num_text(m)));
                }
                for text in texts {
                    cases.push(Case {
                        what: format!("not an integer {text}"),
                        value: CaseValue::Query(Some(text)),
                        expect: Expect::Reject {
                            codes: &[InvalidType],
                            bound: None,
                        },
                    });
                }
            }
            if let Some(m) = f.num("minimum") {
                cases.push(Case {
                    what: format!("minimum {m}"),
                    value: CaseValue::Query(Some(num_text(m))),
                    expect: Expect::Accept { lenient: false },
                });
                cases.push(Case {
                    what: format!("minimum-1 {}", m - 1.0),
                    value: CaseValue::Query(Some(num_text(m - 1.0))),
                    expect: Expect::Reject {
                        codes: &[TooSmall],
                        bound: Some(m),
                    },
                });
            }
            if let Some(m) = f.num("maximum") {
                cases.push(Case {
                    what: format!("maximum {m}"),
                    value: CaseValue::Query(Some(num_text(m))),
                    expect: Expect::Accept { lenient: false },
                });
                cases.push(Case {
                    what: format!("maximum+1 {}", m + 1.0),
                    value: CaseValue::Query(Some(num_text(m + 1.0))),
                    expect: Expect::Reject {
                        codes: &[TooBig],
                        bound: Some(m),
                    },
                });
            }
        }
        return cases;
    }

    // presence
    if f.required {
        let codes: &'static [IssueCode] = if is_tag {
            &[InvalidUnionDiscriminator]
        } else {
            &[InvalidType]
        };
        cases.push(Case {
            what: "missing".into(),
            value: CaseValue::Body(None),
            expect: Expect::Reject { codes, bound: None },
        });
    } else if !f.path.ends_with("[]") {
        cases.push(Case {
            what: "absent".into(),
            value: CaseValue::Body(None),
            expect: Expect::Accept { lenient: false },
        });
    }
    // null
    if f.schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        cases.push(Case {
            what: "null".into(),
            value: body(Value::Null),
            expect: Expect::Accept { lenient: stricter },
        });
    } else {
        cases.push(Case {
            what: "null".into(),
            value: body(Value::Null),
            expect: Expect::Reject {
                codes: type_codes,
                bound: None,
            },
        });
    }
    // wrong type
    let wrong = match f.ty() {
        "string" => json!(12345),
        "integer" | "number" => json!("1"),
        "boolean" => json!("true"),
        "array" => json!({}),
        _ => json!("x"),
    };
    cases.push(Case {
        what: format!("wrong type {wrong}"),
        value: body(wrong),
        expect: Expect::Reject {
            codes: type_codes,
            bound: None,
        },
    });

    match f.ty() {
        "integer" | "number" => {
            let min = f.num("minimum");
            let max = f.num("maximum");
            if let Some(m) = min {
                cases.push(Case {
                    what: format!("minimum {m}"),
                    value: body(js(m)),
                    expect: Expect::Accept { lenient: false },
                });
                cases.push(Case {
                    what: format!("minimum-1 {}", m - 1.0),
                    value: body(js(m - 1.0)),
                    expect: Expect::Reject {
                        codes: &[TooSmall],
                        bound: Some(m),
                    },
                });
            }
            if let Some(m) = max {
                cases.push(Case {
                    what: format!("maximum {m}"),
                    value: body(js(m)),
                    expect: Expect::Accept { lenient: false },
                });
                cases.push(Case {
                    what: format!("maximum+1 {}", m + 1.0),
                    value: body(js(m + 1.0)),
                    expect: Expect::Reject {
                        codes: &[TooBig],
                        bound: Some(m),
                    },
                });
            }
            if f.ty() == "integer" || table.integral {
                let frac = min.unwrap_or(0.0) + 0.5;
                cases.push(Case {
                    what: format!("fraction {frac}"),
                    value: body(json!(frac)),
                    expect: Expect::Reject {
                        codes: &[InvalidType],
                        bound: None,
                    },
                });
            }
        }
        "string" => {
            let enums = f.enum_values();
            if !enums.is_empty() {
                for e in &enums {
                    cases.push(Case {
                        what: format!("enum value {e:?}"),
                        value: body(json!(e)),
                        expect: Expect::Accept { lenient: false },
                    });
                }
                let codes: &'static [IssueCode] = if is_tag {
                    &[InvalidUnionDiscriminator]
                } else {
                    &[InvalidEnumValue]
                };
                cases.push(Case {
                    what: "outside the enum".into(),
                    value: body(json!("zz-not-in-enum")),
                    expect: Expect::Reject { codes, bound: None },
                });
            }
            let text = |n: usize| -> (Value, bool) {
                match filler(&key, n) {
                    Some(s) => (json!(s), false),
                    None => (json!("a".repeat(n)), true),
                }
            };
            if let Some(m) = f.num("minLength") {
                let n = m as usize;
                let (v, lenient) = text(n);
                cases.push(Case {
                    what: format!("length {n} (minLength)"),
                    value: body(v),
                    expect: Expect::Accept { lenient },
                });
                if n >= 1 {
                    cases.push(Case {
                        what: format!("length {} (minLength-1)", n - 1),
                        value: body(text(n - 1).0),
                        expect: Expect::Reject {
                            codes: &[TooSmall],
                            bound: Some(m),
                        },
                    });
                }
            }
            if let Some(m) = f.num("maxLength") {
                let n = m as usize;
                let (v, lenient) = text(n);
                cases.push(Case {
                    what: format!("length {n} (maxLength)"),
                    value: body(v),
                    expect: Expect::Accept { lenient },
                });
                cases.push(Case {
                    what: format!("length {} (maxLength+1)", n + 1),
                    value: body(text(n + 1).0),
                    expect: Expect::Reject {
                        codes: &[TooBig],
                        bound: Some(m),
                    },
                });
            }
            if let Some(fmt) = f.schema.get("format").and_then(Value::as_str) {
                let bad = match fmt {
                    "uuid" => "not-a-uuid",
                    "uri" => "not a url",
                    "date-time" => "yesterday",
                    _ => "?",
                };
                cases.push(Case {
                    what: format!("bad {fmt}"),
                    value: body(json!(bad)),
                    expect: Expect::Reject {
                        codes: &[InvalidString],
                        bound: None,
                    },
                });
                cases.push(Case {
                    what: format!("good {fmt}"),
                    value: body(json!(sample_string(&key, &f.schema))),
                    expect: Expect::Accept { lenient: false },
                });
            }
        }
        "array" => {
            if let Some(m) = f.num("minItems") {
                let n = m as usize;
                cases.push(Case {
                    what: format!("{n} items (minItems)"),
                    value: CaseValue::Body(Some(json!(["__items__", n]))),
                    expect: Expect::Accept { lenient: false },
                });
                if n >= 1 {
                    cases.push(Case {
                        what: format!("{} items (minItems-1)", n - 1),
                        value: CaseValue::Body(Some(json!(["__items__", n - 1]))),
                        expect: Expect::Reject {
                            codes: &[TooSmall],
                            bound: Some(m),
                        },
                    });
                }
            }
        }
        _ => {}
    }
    cases
}

fn run_case(
    f: &SpecField,
    case: &Case,
    root: Option<&Value>,
    path_params: &[String],
    b: &Builder<'_>,
) -> Result<(), String> {
    let variant = f.variant.as_deref();
    let mut body = root.map(|r| b.instance(r, "", "", variant));
    let mut query: Vec<(String, String)> = Vec::new();
    let mut params: Vec<(String, String)> = path_params
        .iter()
        .map(|p| (p.clone(), "id-1".to_owned()))
        .collect();
    match &case.value {
        CaseValue::PathParam => params.retain(|(k, _)| *k != f.path),
        CaseValue::Query(v) => {
            if let Some(v) = v {
                query.push((f.path.clone(), v.clone()));
            }
        }
        CaseValue::Body(v) => {
            let (Some(body), Some(root)) = (body.as_mut(), root) else {
                return Err("no body schema".into());
            };
            let value = match v {
                Some(Value::Array(a)) if a.first() == Some(&json!("__items__")) => {
                    let n = a.get(1).and_then(Value::as_u64).unwrap_or(0) as usize;
                    let item_schema = f.schema.get("items").cloned().unwrap_or(Value::Null);
                    let items: Vec<Value> = (0..n)
                        .map(|_| {
                            b.instance(
                                &item_schema,
                                f.last_key(),
                                &format!("{}[]", f.path),
                                variant,
                            )
                        })
                        .collect();
                    Some(Value::Array(items))
                }
                other => other.clone(),
            };
            set_at(body, root, &f.path, value, b, variant);
        }
    }
    let pp: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let qq: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = validate(
        &f.op,
        &RequestParts {
            path: &pp,
            query: &qq,
            body: body.as_ref(),
        },
    );
    let shown = body.as_ref().map(|b| b.to_string()).unwrap_or_default();
    let shown = if shown.len() > 300 {
        format!("{}...", &shown[..300])
    } else {
        shown
    };
    match (&case.expect, res) {
        (Expect::Accept { .. }, Ok(())) => Ok(()),
        (Expect::Accept { lenient: true }, Err(Rejection::Unprocessable(v)))
            if v.iter()
                .all(|i| matches!(i.code, IssueCode::Custom | IssueCode::InvalidString)) =>
        {
            Ok(())
        }
        (Expect::Accept { .. }, Err(e)) => Err(format!(
            "expected acceptance, got {e} (body {shown}, query {query:?})"
        )),
        (Expect::Reject { codes, bound }, Err(Rejection::Unprocessable(v))) => {
            let path = concrete(&f.path);
            if find_issue(&v, &path, codes, *bound) {
                Ok(())
            } else {
                Err(format!(
                    "expected {codes:?} at {} (bound {bound:?}), got {} (body {shown})",
                    display_path(&path),
                    v.iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
            }
        }
        (Expect::Reject { codes, .. }, other) => Err(format!(
            "expected 422 {codes:?}, got {other:?} (body {shown})"
        )),
    }
}

/// What one run of [`check`] found, with how much it looked at.
struct Report {
    operations: usize,
    fields: usize,
    cases: usize,
    failures: Vec<String>,
}

/// Holds the hand-written rules to `spec`: every failure line names the operation, the field, the hand-written
/// (old) and the spec (new) value. Empty when they agree.
fn check(spec: &Value) -> Vec<String> {
    run_check(spec).failures
}

fn run_check(spec: &Value) -> Report {
    let (ops, mut failures) = walk_spec(spec);
    let written = infisical_auth_validation::operation_ids().count();
    if ops.len() != written {
        failures.push(format!(
            "the spec has {} operations, the hand-written rules {written}",
            ops.len()
        ));
    }
    let mut fields = 0;
    let mut cases = 0;
    for (op, spec_fields, body, path_params) in &ops {
        let table = constraints(op);
        // 1. spec vs hand-written table, both directions
        for f in spec_fields {
            let var = f.variant.as_deref();
            match table
                .iter()
                .find(|c| c.location == f.location && c.path == f.path && c.variant == var)
            {
                Some(c) => compare(f, c, &mut failures),
                None => failures.push(format!(
                    "{}: field is in the spec ({}) but has no hand-written constraint",
                    f.name(),
                    spec_summary(f)
                )),
            }
        }
        for c in table {
            let present = spec_fields.iter().any(|f| {
                c.location == f.location && c.path == f.path && c.variant == f.variant.as_deref()
            });
            if !present {
                failures.push(format!("{op}: {c}: hand-written field is not in the spec"));
            }
        }
        // 2. boundary cases from the spec's bounds
        let b = Builder {
            op,
            fields: spec_fields,
        };
        if let Some(root) = body {
            let variants: BTreeSet<Option<&str>> =
                spec_fields.iter().map(|f| f.variant.as_deref()).collect();
            for v in variants {
                let base = b.instance(root, "", "", v);
                let pp: Vec<(&str, &str)> =
                    path_params.iter().map(|p| (p.as_str(), "id-1")).collect();
                if let Err(e) = validate(
                    op,
                    &RequestParts {
                        path: &pp,
                        query: &[],
                        body: Some(&base),
                    },
                ) {
                    failures.push(format!(
                        "{op}: base body {base} (variant {v:?}) is rejected: {e}"
                    ));
                }
            }
        }
        for f in spec_fields {
            let Some(c) = table.iter().find(|c| {
                c.location == f.location && c.path == f.path && c.variant == f.variant.as_deref()
            }) else {
                continue;
            };
            fields += 1;
            for case in cases_for(f, c) {
                cases += 1;
                if let Err(e) = run_case(f, &case, body.as_ref(), path_params, &b) {
                    failures.push(format!("{}: case {}: {e}", f.name(), case.what));
                }
            }
        }
    }
    if fields <= 300 {
        failures.push(format!("suspiciously few fields walked: {fields}"));
    }
    Report {
        operations: ops.len(),
        fields,
        cases,
        failures,
    }
}

/// The spec's constraints on a field, as a failure line shows them: `type integer, minimum 1, maximum 5`.
fn spec_summary(f: &SpecField) -> String {
    let mut parts = vec![format!("type {}", f.ty())];
    for k in ["minimum", "maximum", "minLength", "maxLength", "minItems"] {
        if let Some(n) = f.num(k) {
            parts.push(format!("{k} {}", num_text(n)));
        }
    }
    let enums = f.enum_values();
    if !enums.is_empty() {
        parts.push(format!("enum {enums:?}"));
    }
    if let Some(fmt) = f.schema.get("format").and_then(Value::as_str) {
        parts.push(format!("format {fmt}"));
    }
    if f.required {
        parts.push("required".into());
    }
    parts.join(", ")
}

#[test]
fn spec_bounds_match_hand_written_rules() {
    let path = spec_path();
    let spec = load(&path);
    let report = run_check(&spec);
    eprintln!(
        "spec_bounds: {} operations, {} fields, {} boundary cases",
        report.operations, report.fields, report.cases
    );
    let failures = report.failures;
    if !failures.is_empty() {
        panic!(
            "{} mismatch(es) between the spec ({}) and the hand-written validation rules:\n  {}",
            failures.len(),
            path.display(),
            failures.join("\n  ")
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The check itself, against updates of the real spec made in memory

fn load(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read spec {}: {e}", path.display()));
    serde_json::from_str(&text).expect("spec is JSON")
}

/// The real spec, `openapi/infisical-identity-auth.json` (not `INFISICAL_SPEC`: the mutations below are
/// written against it).
fn real_spec() -> Value {
    load(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../openapi/infisical-identity-auth.json"),
    )
}

/// The operation `id` of `spec`.
fn op_mut<'a>(spec: &'a mut Value, id: &str) -> &'a mut Value {
    spec["paths"]
        .as_object_mut()
        .expect("paths")
        .values_mut()
        .flat_map(|item| {
            item.as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
        })
        .find(|op| op.get("operationId").and_then(Value::as_str) == Some(id))
        .unwrap_or_else(|| panic!("{id} is in the spec"))
}

/// The JSON request body schema of operation `id`.
fn body_mut<'a>(spec: &'a mut Value, id: &str) -> &'a mut Value {
    op_mut(spec, id)
        .pointer_mut("/requestBody/content/application~1json/schema")
        .unwrap_or_else(|| panic!("{id} has a JSON body"))
}

/// The query or path parameter `name` of operation `id`.
fn param_mut<'a>(spec: &'a mut Value, id: &str, name: &str) -> &'a mut Value {
    op_mut(spec, id)["parameters"]
        .as_array_mut()
        .expect("parameters")
        .iter_mut()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{id} has parameter {name}"))
}

/// Runs [`check`] on the real spec after `mutate` and asserts some failure line contains every one of `parts`.
/// Returns the failures.
fn assert_named(mutate: impl FnOnce(&mut Value), parts: &[&str]) -> Vec<String> {
    let mut spec = real_spec();
    mutate(&mut spec);
    let failures = check(&spec);
    assert!(
        failures
            .iter()
            .any(|line| parts.iter().all(|p| line.contains(p))),
        "no failure line names all of {parts:?}; got:\n  {}",
        failures.join("\n  ")
    );
    failures
}

#[test]
fn the_real_spec_passes_unchanged() {
    assert_eq!(check(&real_spec()), Vec::<String>::new());
}

#[test]
fn a_narrowed_maximum_names_operation_field_and_both_bounds() {
    let failures = assert_named(
        |spec| {
            body_mut(spec, "attachUniversalAuth")["properties"]["lockoutThreshold"]["maximum"] =
                json!(20);
        },
        &["attachUniversalAuth: body.lockoutThreshold: maximum: hand-written 30, spec 20"],
    );
    // The boundary cases see it too: 21 is accepted where the spec now refuses it.
    assert!(
        failures
            .iter()
            .any(|l| l.starts_with("attachUniversalAuth: body.lockoutThreshold: case maximum+1 21")),
        "{failures:#?}"
    );
    // And nothing unrelated is reported.
    assert!(
        failures.iter().all(|l| l.contains("lockoutThreshold")),
        "{failures:#?}"
    );
}

#[test]
fn an_added_enum_value_is_named() {
    assert_named(
        |spec| {
            body_mut(spec, "attachGcpAuth")["properties"]["type"]["enum"]
                .as_array_mut()
                .unwrap()
                .push(json!("workload"));
        },
        &[
            "attachGcpAuth: body.type: enum:",
            r#"hand-written ["iam", "gce"]"#,
            r#"spec ["iam", "gce", "workload"]"#,
        ],
    );
}

#[test]
fn a_new_constrained_body_field_is_named_with_its_bounds() {
    assert_named(
        |spec| {
            body_mut(spec, "attachUniversalAuth")["properties"]
                .as_object_mut()
                .unwrap()
                .insert(
                    "maxClientSecrets".into(),
                    json!({"type": "integer", "minimum": 1, "maximum": 50}),
                );
        },
        &[
            "attachUniversalAuth: body.maxClientSecrets: field is in the spec",
            "type integer, minimum 1, maximum 50",
            "no hand-written constraint",
        ],
    );
}

#[test]
fn a_moved_min_items_is_named() {
    // Raised inside a union option (jwt `static`).
    assert_named(
        |spec| {
            body_mut(spec, "attachJwtAuth")["anyOf"][1]["properties"]["publicKeys"]["minItems"] =
                json!(2);
        },
        &["attachJwtAuth: body.publicKeys <static>: minItems: hand-written 1, spec 2"],
    );
    // Moved from one list to another: both ends are named.
    let failures = assert_named(
        |spec| {
            let props = &mut body_mut(spec, "attachUniversalAuth")["properties"];
            props["clientSecretTrustedIps"]
                .as_object_mut()
                .unwrap()
                .remove("minItems");
            props["accessTokenTrustedIps"]["minItems"] = json!(3);
        },
        &["attachUniversalAuth: body.clientSecretTrustedIps: minItems: hand-written 1, spec none"],
    );
    assert!(
        failures.iter().any(|l| l.contains(
            "attachUniversalAuth: body.accessTokenTrustedIps: minItems: hand-written 1, spec 3"
        )),
        "{failures:#?}"
    );
}

#[test]
fn a_changed_query_limit_maximum_is_named() {
    assert_named(
        |spec| param_mut(spec, "getTokenAuthTokens", "limit")["schema"]["maximum"] = json!(50),
        &["getTokenAuthTokens: query.limit: maximum: hand-written 100, spec 50"],
    );
}

#[test]
fn query_integers_follow_the_codegen_fix_up() {
    // The spec says `number`; the fix-up `integer_query_parameters` makes whole-number-bounded query numbers
    // integers, and so does the validator. A bound that is not whole ends the fix-up, and the check says so.
    assert_named(
        |spec| param_mut(spec, "getTokenAuthTokens", "offset")["schema"]["maximum"] = json!(99.5),
        &["getTokenAuthTokens: query.offset: type: hand-written integer, spec number"],
    );
    assert_named(
        |spec| param_mut(spec, "getTokenAuthTokens", "limit")["schema"]["type"] = json!("string"),
        &["getTokenAuthTokens: query.limit: type: hand-written integer, spec string"],
    );
}

#[test]
fn unmapped_keywords_fields_and_operations_fail() {
    // A keyword the validator does not implement.
    assert_named(
        |spec| {
            body_mut(spec, "attachAzureAuth")["properties"]["tenantId"]["pattern"] =
                json!("^[a-z]+$");
        },
        &["attachAzureAuth: body.tenantId: spec keyword `pattern` is not mapped"],
    );
    // A parameter in a place the validator does not read.
    assert_named(
        |spec| {
            op_mut(spec, "getUniversalAuth")["parameters"]
                .as_array_mut()
                .unwrap()
                .push(json!({"name": "X-Tenant", "in": "header", "schema": {"type": "string"}}));
        },
        &["getUniversalAuth: parameter X-Tenant in Some(\"header\") is not mapped"],
    );
    // A union option that matches no hand-written variant.
    assert_named(
        |spec| {
            let options = body_mut(spec, "attachJwtAuth")["anyOf"]
                .as_array_mut()
                .unwrap();
            let mut third = options[1].clone();
            third["properties"]["configurationType"]["enum"] = json!(["oidc"]);
            third["required"] = json!(["configurationType", "issuer"]);
            third["properties"]["issuer"] = json!({"type": "string"});
            options.push(third);
        },
        &["attachJwtAuth", "oidc"],
    );
    // A new operation.
    assert_named(
        |spec| {
            spec["paths"]["/api/v1/auth/new-auth/login"] = json!({"post": {
                "operationId": "loginWithNewAuth",
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"identityId": {"type": "string", "minLength": 1}},
                    "required": ["identityId"]
                }}}}
            }});
        },
        &["loginWithNewAuth: operation has no hand-written rules"],
    );
    // A field the spec dropped that the validator still checks.
    assert_named(
        |spec| {
            body_mut(spec, "attachUniversalAuth")["properties"]
                .as_object_mut()
                .unwrap()
                .remove("lockoutThreshold");
        },
        &["attachUniversalAuth: body.lockoutThreshold: hand-written field is not in the spec"],
    );
}
