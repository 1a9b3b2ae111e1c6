//! Tests of the semantic diff (issue 5):
//!
//! * the real pair: the universal-auth update operation as seed 001 shows it (an older revision
//!   of Infisical's page, 5 body fields) against the current spec (10 fields);
//! * constructed pairs for every change category [`categories`] lists, each asserting the id, the
//!   breaking flag, the location and the field, plus a check that no category is left untested;
//! * the Markdown rendering (insta snapshots under `tests/snapshots/`, at fixed versions so that
//!   a release does not change them), with the release the changes need and their CHANGELOG.md
//!   entry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{json, Value};
use xtask::diff::{
    categories, diff, try_diff, Bump, DiffReport, Document, Location, OperationDiff, Version,
    CRATES_VERSION,
};

const UA_PATH: &str = "/api/v1/auth/universal-auth/identities/{identityId}";
const NEW_FIELDS: [&str; 5] = [
    "accessTokenPeriod",
    "lockoutEnabled",
    "lockoutThreshold",
    "lockoutDurationSeconds",
    "lockoutCounterResetSeconds",
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn current_spec() -> Value {
    read_json(manifest_dir().join("../openapi/infisical-identity-auth.json"))
}

/// The older universal-auth update operation (fixture derived from the current one, see
/// `fixtures/README.md`).
fn older_operation() -> Value {
    read_json(manifest_dir().join("tests/fixtures/seed-001-update-universal-auth.json"))
}

/// The current spec with the universal-auth update operation replaced by the seed-001 revision.
fn older_spec() -> Value {
    let mut doc = current_spec();
    doc["paths"][UA_PATH]["patch"] = older_operation();
    doc
}

/// The JSON object that starts at `text[start]` (a `{`), found by brace matching.
fn json_object_at(text: &str, start: usize) -> Value {
    let bytes = text.as_bytes();
    assert_eq!(bytes[start], b'{');
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return serde_json::from_str(&text[start..=i]).expect("seed example is JSON");
                }
            }
            _ => {}
        }
    }
    panic!("unterminated object in the seed page");
}

/// The request-body and response examples of the seed-001 page (the first curl sample).
fn seed_examples() -> (Value, Value) {
    let text = std::fs::read_to_string(
        manifest_dir().join("tests/fixtures/seed-001-update-universal-auth.page.txt"),
    )
    .expect("seed page fixture");
    let data = text.find("--data '").expect("curl --data") + "--data '".len();
    let request = json_object_at(&text, data);
    let after = data + text[data..].find("}'").expect("end of --data") + 2;
    let response_start = after + text[after..].find('{').expect("response example");
    let response = json_object_at(&text, response_start);
    (request, response)
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn body_props(op: &Value) -> &Value {
    &op["requestBody"]["content"]["application/json"]["schema"]["properties"]
}

fn response_props(op: &Value) -> &Value {
    &op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
        ["identityUniversalAuth"]["properties"]
}

fn find<'r>(op: &'r OperationDiff, location: &Location, field: &str) -> &'r xtask::diff::Change {
    let found: Vec<_> = op
        .changes
        .iter()
        .filter(|c| &c.location == location && c.field == field)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one change at {location} `{field}`: {found:#?}"
    );
    found[0]
}

// ---------------------------------------------------------------------------------------------
// The real pair.

#[test]
fn seed_001_fixture_matches_the_seed_page_and_the_current_spec() {
    let older = older_operation();
    let (request_example, response_example) = seed_examples();
    // The fixture's body fields are exactly the ones the older page shows.
    assert_eq!(keys(body_props(&older)), keys(&request_example));
    assert_eq!(keys(body_props(&older)).len(), 5);
    // Its 200 body is exactly the one the older page shows.
    assert_eq!(
        keys(response_props(&older)),
        keys(&response_example["identityUniversalAuth"])
    );
    // And it is the current operation minus the five newer fields, nothing else.
    let mut current = current_spec()["paths"][UA_PATH]["patch"].clone();
    let body = current["requestBody"]["content"]["application/json"]["schema"]["properties"]
        .as_object_mut()
        .unwrap();
    for f in NEW_FIELDS {
        assert!(body.shift_remove(f).is_some(), "{f} in the current body");
    }
    let resp = current["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
        ["identityUniversalAuth"]["properties"]
        .as_object_mut()
        .unwrap();
    for f in NEW_FIELDS {
        assert!(
            resp.shift_remove(f).is_some(),
            "{f} in the current response"
        );
    }
    assert_eq!(current, older);
}

#[test]
fn seed_001_pair_lists_the_five_new_fields_as_added_non_breaking() {
    let report = diff(&older_spec(), &current_spec());
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        report.operations.len(),
        1,
        "only the update operation changed"
    );
    let op = report
        .operation("PATCH", UA_PATH)
        .expect("the update operation");
    assert_eq!(op.operation_id.as_deref(), Some("updateUniversalAuth"));
    for f in NEW_FIELDS {
        let c = find(op, &Location::RequestBody, f);
        assert_eq!(c.id, "new-optional-request-property", "{f}");
        assert!(!c.breaking, "{f} is not breaking");
        let c = find(
            op,
            &Location::Response {
                status: "200".into(),
            },
            &format!("identityUniversalAuth.{f}"),
        );
        assert_eq!(c.id, "response-optional-property-added", "{f}");
        assert!(!c.breaking, "{f} is not breaking");
    }
    assert_eq!(op.changes.len(), 10);
    assert!(!report.has_breaking());
    assert_eq!(
        (report.breaking_count(), report.non_breaking_count()),
        (0, 10)
    );
    let period = find(op, &Location::RequestBody, "accessTokenPeriod");
    assert_eq!(period.detail, "optional; integer, 0..315360000");
    insta::assert_snapshot!(
        "seed_001_update_universal_auth",
        report.to_markdown_at(v("0.1.0"))
    );
}

#[test]
fn seed_001_pair_reversed_removes_the_fields_breaking() {
    let report = diff(&current_spec(), &older_spec());
    let op = report.operation("patch", UA_PATH).unwrap();
    assert_eq!(op.changes.len(), 10);
    for c in &op.changes {
        assert!(c.breaking, "{c:?}");
        assert!(
            c.id == "request-property-removed" || c.id == "response-optional-property-removed",
            "{c:?}"
        );
    }
    assert!(report.has_breaking());
}

#[test]
fn identical_documents_have_no_changes() {
    let spec = current_spec();
    let report = try_diff(&spec, &spec).expect("the current spec is well-formed");
    assert!(report.is_empty());
    assert!(!report.has_breaking());
    insta::assert_snapshot!("no_changes", report.to_markdown_at(v("0.1.0")));
}

/// The spec and its OpenAPI 3.1 twin describe one API: no change either way. A change made in the
/// twin's 3.1 spelling (a `const`, a numeric exclusive bound) is reported as in 3.0.
#[test]
fn a_document_and_its_31_twin_differ_in_nothing() {
    let spec = current_spec();
    let twin = xtask::document::openapi31_twin::as_openapi_31(&spec);
    for (old, new) in [(&spec, &twin), (&twin, &twin), (&twin, &spec)] {
        let report = try_diff(old, new).expect("both forms are well-formed");
        assert!(report.is_empty(), "{}", report.to_markdown());
    }
    let status = "/paths/~1api~1v1~1auth~1universal-auth~1login/post/responses/400/content/application~1json/schema/properties/statusCode";
    let ttl = "/paths/~1api~1v1~1auth~1universal-auth~1identities~1{identityId}/post/requestBody/content/application~1json/schema/properties/accessTokenTTL";
    assert_eq!(twin.pointer(status).unwrap()["const"], 400);
    let mut changed = twin.clone();
    set(&mut changed, &format!("{ttl}/maximum"), json!(1000));
    let report = try_diff(&twin, &changed).expect("well-formed");
    let ids: Vec<&str> = report
        .operations
        .iter()
        .flat_map(|o| o.changes.iter().map(|c| c.id.as_str()))
        .collect();
    assert_eq!(
        ids,
        ["request-property-max-decreased"],
        "{}",
        report.to_markdown()
    );
}

// ---------------------------------------------------------------------------------------------
// Constructed pairs.

const P: &str = "/things/{id}";

fn doc_with(op: Option<Value>) -> Value {
    let mut paths = serde_json::Map::new();
    if let Some(op) = op {
        paths.insert(P.to_string(), json!({ "patch": op }));
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
    })
}

fn base_op() -> Value {
    json!({
        "tags": ["Things"],
        "operationId": "updateThing",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"keep": {"type": "string"}}, "additionalProperties": false
        }}}},
        "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"keep": {"type": "string"}}, "additionalProperties": false
            }}}},
            "400": {"description": "bad", "content": {"application/json": {"schema": {"type": "object"}}}}
        },
        "security": [{"bearerAuth": []}]
    })
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Place {
    Param,
    ReqProp,
    ReqBody,
    RespProp,
    RespBody,
}

impl Place {
    const ALL: [Place; 5] = [
        Place::Param,
        Place::ReqProp,
        Place::ReqBody,
        Place::RespProp,
        Place::RespBody,
    ];

    fn request(self) -> bool {
        matches!(self, Place::Param | Place::ReqProp | Place::ReqBody)
    }

    fn prefix(self) -> &'static str {
        match self {
            Place::Param => "request-parameter",
            Place::ReqProp => "request-property",
            Place::ReqBody => "request-body",
            Place::RespProp => "response-property",
            Place::RespBody => "response-body",
        }
    }

    fn location(self) -> Location {
        match self {
            Place::Param => Location::Parameter {
                location: "query".into(),
            },
            Place::ReqProp | Place::ReqBody => Location::RequestBody,
            Place::RespProp | Place::RespBody => Location::Response {
                status: "200".into(),
            },
        }
    }

    fn field(self) -> &'static str {
        match self {
            Place::Param => "q",
            Place::ReqProp | Place::RespProp => "field",
            Place::ReqBody | Place::RespBody => "",
        }
    }

    /// The base document with `leaf` at this place (or nothing there when `leaf` is `None`).
    fn doc(self, leaf: Option<Value>, required: bool) -> Value {
        let mut op = base_op();
        let body = "/requestBody/content/application~1json/schema";
        let resp = "/responses/200/content/application~1json/schema";
        if let Some(leaf) = leaf {
            match self {
                Place::Param => op["parameters"].as_array_mut().unwrap().push(
                    json!({"name": "q", "in": "query", "required": required, "schema": leaf}),
                ),
                Place::ReqProp | Place::RespProp => {
                    let schema = op
                        .pointer_mut(if self == Place::ReqProp { body } else { resp })
                        .unwrap();
                    schema["properties"]["field"] = leaf;
                    if required {
                        schema["required"] = json!(["field"]);
                    }
                }
                Place::ReqBody => *op.pointer_mut(body).unwrap() = leaf,
                Place::RespBody => *op.pointer_mut(resp).unwrap() = leaf,
            }
        }
        doc_with(Some(op))
    }
}

/// One constructed pair and what its diff must be: exactly one change with these properties.
struct Case {
    name: String,
    old: Value,
    new: Value,
    id: String,
    breaking: bool,
    location: Location,
    /// The change's field must start with this.
    field: String,
}

/// Schema-level changes, placed everywhere a schema can be: (suffix, old, new, breaking in a
/// request, breaking in a response).
fn leaf_changes() -> Vec<(String, Value, Value, bool, bool)> {
    let s = |v: Value| v;
    let mut v: Vec<(String, Value, Value, bool, bool)> = vec![
        (
            "type-changed".into(),
            s(json!({"type": "integer"})),
            s(json!({"type": "string"})),
            true,
            true,
        ),
        (
            "type-changed".into(),
            s(json!({})),
            s(json!({"type": "object"})),
            true,
            true,
        ),
        (
            "type-changed".into(),
            s(json!({"type": "integer"})),
            s(json!({"type": "number"})),
            true,
            true,
        ),
        (
            "type-changed".into(),
            s(json!({"type": "string"})),
            s(json!({"anyOf": [{"type": "string"}, {"type": "integer"}]})),
            true,
            true,
        ),
        (
            "became-nullable".into(),
            s(json!({"type": "string"})),
            s(json!({"type": "string", "nullable": true})),
            false,
            true,
        ),
        (
            "became-nullable".into(),
            s(json!({"type": "string"})),
            s(json!({"type": ["string", "null"]})),
            false,
            true,
        ),
        (
            "became-not-nullable".into(),
            s(json!({"type": "string", "nullable": true})),
            s(json!({"type": "string"})),
            true,
            false,
        ),
        (
            "format-added".into(),
            s(json!({"type": "string"})),
            s(json!({"type": "string", "format": "uuid"})),
            true,
            false,
        ),
        (
            "format-removed".into(),
            s(json!({"type": "string", "format": "uuid"})),
            s(json!({"type": "string"})),
            false,
            true,
        ),
        (
            "format-changed".into(),
            s(json!({"type": "string", "format": "uuid"})),
            s(json!({"type": "string", "format": "date-time"})),
            true,
            true,
        ),
        (
            "enum-value-added".into(),
            s(json!({"type": "string", "enum": ["a"]})),
            s(json!({"type": "string", "enum": ["a", "b"]})),
            false,
            true,
        ),
        (
            "enum-value-removed".into(),
            s(json!({"type": "string", "enum": ["a", "b"]})),
            s(json!({"type": "string", "enum": ["a"]})),
            true,
            false,
        ),
        (
            "enum-set".into(),
            s(json!({"type": "string"})),
            s(json!({"type": "string", "enum": ["a"]})),
            true,
            false,
        ),
        (
            "enum-unset".into(),
            s(json!({"type": "string", "enum": ["a"]})),
            s(json!({"type": "string"})),
            false,
            true,
        ),
        (
            "default-value-added".into(),
            s(json!({"type": "integer"})),
            s(json!({"type": "integer", "default": 1})),
            false,
            false,
        ),
        (
            "default-value-removed".into(),
            s(json!({"type": "integer", "default": 1})),
            s(json!({"type": "integer"})),
            false,
            false,
        ),
        (
            "default-value-changed".into(),
            s(json!({"type": "integer", "default": 1})),
            s(json!({"type": "integer", "default": 2})),
            false,
            false,
        ),
    ];
    for comb in ["anyOf", "oneOf"] {
        let slug = if comb == "anyOf" { "any-of" } else { "one-of" };
        let two = json!({comb: [{"type": "string"}, {"type": "integer"}]});
        let three = json!({comb: [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]});
        v.push((
            format!("{slug}-added"),
            two.clone(),
            three.clone(),
            false,
            true,
        ));
        v.push((format!("{slug}-removed"), three, two, true, false));
    }
    for (keyword, slug, lower, ty) in [
        ("minimum", "min", true, "number"),
        ("maximum", "max", false, "number"),
        ("minLength", "min-length", true, "string"),
        ("maxLength", "max-length", false, "string"),
        ("minItems", "min-items", true, "array"),
        ("maxItems", "max-items", false, "array"),
    ] {
        let leaf = |bound: Option<u64>| {
            let mut s = json!({ "type": ty });
            if ty == "array" {
                s["items"] = json!({"type": "string"});
            }
            if let Some(b) = bound {
                s[keyword] = json!(b);
            }
            s
        };
        for (dir, old, new) in [
            ("increased", Some(2), Some(3)),
            ("decreased", Some(3), Some(2)),
            ("set", None, Some(2)),
            ("unset", Some(2), None),
        ] {
            let narrowed = match dir {
                "increased" => lower,
                "decreased" => !lower,
                "set" => true,
                _ => false,
            };
            v.push((
                format!("{slug}-{dir}"),
                leaf(old),
                leaf(new),
                narrowed,
                !narrowed,
            ));
        }
    }
    v
}

/// (place, old leaf, old required, new leaf, new required, expected id, expected breaking).
type FieldCase = (
    Place,
    Option<Value>,
    bool,
    Option<Value>,
    bool,
    &'static str,
    bool,
);

fn all_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    // Schema-level changes at every place.
    for place in Place::ALL {
        for (suffix, old, new, req_breaking, resp_breaking) in leaf_changes() {
            cases.push(Case {
                name: format!("{place:?} {suffix}: {old} -> {new}"),
                old: place.doc(Some(old.clone()), false),
                new: place.doc(Some(new.clone()), false),
                id: format!("{}-{suffix}", place.prefix()),
                breaking: if place.request() {
                    req_breaking
                } else {
                    resp_breaking
                },
                location: place.location(),
                field: place.field().to_string(),
            });
        }
    }
    // Presence and required-ness of fields and parameters.
    let leaf = || Some(json!({"type": "string"}));
    let field_cases: [FieldCase; 17] = [
        (
            Place::Param,
            None,
            false,
            leaf(),
            false,
            "new-optional-request-parameter",
            false,
        ),
        (
            Place::Param,
            None,
            false,
            leaf(),
            true,
            "new-required-request-parameter",
            true,
        ),
        (
            Place::Param,
            leaf(),
            false,
            None,
            false,
            "request-parameter-removed",
            true,
        ),
        (
            Place::Param,
            leaf(),
            true,
            None,
            false,
            "request-parameter-removed",
            true,
        ),
        (
            Place::Param,
            leaf(),
            false,
            leaf(),
            true,
            "request-parameter-became-required",
            true,
        ),
        (
            Place::Param,
            leaf(),
            true,
            leaf(),
            false,
            "request-parameter-became-optional",
            false,
        ),
        (
            Place::ReqProp,
            None,
            false,
            leaf(),
            false,
            "new-optional-request-property",
            false,
        ),
        (
            Place::ReqProp,
            None,
            false,
            leaf(),
            true,
            "new-required-request-property",
            true,
        ),
        (
            Place::ReqProp,
            leaf(),
            false,
            None,
            false,
            "request-property-removed",
            true,
        ),
        (
            Place::ReqProp,
            leaf(),
            false,
            leaf(),
            true,
            "request-property-became-required",
            true,
        ),
        (
            Place::ReqProp,
            leaf(),
            true,
            leaf(),
            false,
            "request-property-became-optional",
            false,
        ),
        (
            Place::RespProp,
            None,
            false,
            leaf(),
            false,
            "response-optional-property-added",
            false,
        ),
        (
            Place::RespProp,
            None,
            false,
            leaf(),
            true,
            "response-required-property-added",
            false,
        ),
        (
            Place::RespProp,
            leaf(),
            false,
            None,
            false,
            "response-optional-property-removed",
            true,
        ),
        (
            Place::RespProp,
            leaf(),
            true,
            None,
            false,
            "response-required-property-removed",
            true,
        ),
        (
            Place::RespProp,
            leaf(),
            false,
            leaf(),
            true,
            "response-property-became-required",
            false,
        ),
        (
            Place::RespProp,
            leaf(),
            true,
            leaf(),
            false,
            "response-property-became-optional",
            true,
        ),
    ];
    for (place, old, old_req, new, new_req, id, breaking) in field_cases {
        cases.push(Case {
            name: format!("{place:?} {id}"),
            old: place.doc(old, old_req),
            new: place.doc(new, new_req),
            id: id.into(),
            breaking,
            location: place.location(),
            field: place.field().to_string(),
        });
    }
    // Operation-level changes.
    let with = |f: &dyn Fn(&mut Value)| {
        let mut op = base_op();
        f(&mut op);
        doc_with(Some(op))
    };
    let base = doc_with(Some(base_op()));
    let none = doc_with(None);
    let body = || json!({"content": {"application/json": {"schema": {"type": "object"}}}});
    let op_cases: Vec<(&str, Value, Value, &str, bool)> = vec![
        (
            "operation added",
            none.clone(),
            base.clone(),
            "endpoint-added",
            false,
        ),
        (
            "operation removed",
            base.clone(),
            none.clone(),
            "api-removed-without-deprecation",
            true,
        ),
        (
            "deprecated operation removed",
            with(&|op| op["deprecated"] = json!(true)),
            none.clone(),
            "api-removed-with-deprecation",
            true,
        ),
        (
            "operationId changed",
            base.clone(),
            with(&|op| op["operationId"] = json!("modifyThing")),
            "api-operation-id-updated",
            true,
        ),
        (
            "deprecated",
            base.clone(),
            with(&|op| op["deprecated"] = json!(true)),
            "api-deprecated",
            false,
        ),
        (
            "reactivated",
            with(&|op| op["deprecated"] = json!(true)),
            base.clone(),
            "api-reactivated",
            false,
        ),
        (
            "security added",
            with(&|op| op["security"] = json!([])),
            base.clone(),
            "api-security-added",
            true,
        ),
        (
            "security removed",
            base.clone(),
            with(&|op| op["security"] = json!([])),
            "api-security-removed",
            false,
        ),
        (
            "security optional",
            base.clone(),
            with(&|op| op["security"] = json!([{"bearerAuth": []}, {}])),
            "api-security-removed",
            false,
        ),
        (
            "security changed",
            base.clone(),
            with(&|op| op["security"] = json!([{"apiKey": []}])),
            "api-security-changed",
            true,
        ),
        (
            "tag added",
            base.clone(),
            with(&|op| op["tags"] = json!(["Things", "More"])),
            "api-tag-added",
            false,
        ),
        (
            "tag removed",
            base.clone(),
            with(&|op| op["tags"] = json!([])),
            "api-tag-removed",
            false,
        ),
        (
            "required body added",
            with(&|op| {
                op.as_object_mut().unwrap().remove("requestBody");
            }),
            with(&|op| op["requestBody"]["required"] = json!(true)),
            "added-required-request-body",
            true,
        ),
        (
            "optional body added",
            with(&|op| {
                op.as_object_mut().unwrap().remove("requestBody");
            }),
            with(&|op| op["requestBody"]["required"] = json!(false)),
            "added-optional-request-body",
            false,
        ),
        (
            "body removed",
            base.clone(),
            with(&|op| {
                op.as_object_mut().unwrap().remove("requestBody");
            }),
            "request-body-removed",
            true,
        ),
        (
            "body became required",
            with(&|op| op["requestBody"] = body()),
            with(&|op| {
                op["requestBody"] = body();
                op["requestBody"]["required"] = json!(true);
            }),
            "request-body-became-required",
            true,
        ),
        (
            "body became optional",
            with(&|op| {
                op["requestBody"] = body();
                op["requestBody"]["required"] = json!(true);
            }),
            with(&|op| op["requestBody"] = body()),
            "request-body-became-optional",
            false,
        ),
        (
            "success status added",
            base.clone(),
            with(&|op| op["responses"]["201"] = json!({"description": "created"})),
            "response-success-status-added",
            false,
        ),
        (
            "success status removed",
            with(&|op| op["responses"]["201"] = json!({"description": "created"})),
            base.clone(),
            "response-success-status-removed",
            true,
        ),
    ];
    for (name, old, new, id, breaking) in op_cases {
        cases.push(Case {
            name: name.into(),
            old,
            new,
            id: id.into(),
            breaking,
            location: Location::Operation,
            field: String::new(),
        });
    }
    cases
}

fn check(case: &Case) -> Result<(), String> {
    let report = diff(&case.old, &case.new);
    if !report.problems.is_empty() {
        return Err(format!("problems: {:?}", report.problems));
    }
    let changes: Vec<_> = report.changes().map(|(_, c)| c).collect();
    let [c] = changes.as_slice() else {
        return Err(format!("expected exactly one change, got {changes:#?}"));
    };
    if c.id != case.id {
        return Err(format!("id `{}`, expected `{}`", c.id, case.id));
    }
    if c.breaking != case.breaking {
        return Err(format!(
            "`{}` breaking = {}, expected {}",
            c.id, c.breaking, case.breaking
        ));
    }
    if c.location != case.location {
        return Err(format!(
            "location {:?}, expected {:?}",
            c.location, case.location
        ));
    }
    if !c.field.starts_with(&case.field) {
        return Err(format!("field `{}`, expected `{}...`", c.field, case.field));
    }
    if report.has_breaking() != case.breaking {
        return Err("has_breaking disagrees".into());
    }
    Ok(())
}

#[test]
fn every_constructed_pair_reports_its_category_and_breaking_flag() {
    let cases = all_cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check(case).err().map(|e| format!("{}: {e}", case.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_category_has_a_constructed_pair() {
    let tested: BTreeMap<String, bool> = all_cases()
        .into_iter()
        .map(|c| (c.id, c.breaking))
        .collect();
    let listed: BTreeMap<String, bool> = categories()
        .into_iter()
        .map(|c| (c.id, c.breaking))
        .collect();
    let untested: Vec<&String> = listed
        .keys()
        .filter(|id| !tested.contains_key(*id))
        .collect();
    assert!(
        untested.is_empty(),
        "categories without a test: {untested:?}"
    );
    let unknown: Vec<&String> = tested
        .keys()
        .filter(|id| !listed.contains_key(*id))
        .collect();
    assert!(
        unknown.is_empty(),
        "tested ids not listed by categories(): {unknown:?}"
    );
    assert_eq!(tested, listed, "breaking flags agree");
}

#[test]
fn categories_snapshot() {
    let text: String = categories()
        .iter()
        .map(|c| {
            format!(
                "{:<48} {}\n",
                c.id,
                if c.breaking {
                    "breaking"
                } else {
                    "non-breaking"
                }
            )
        })
        .collect();
    insta::assert_snapshot!("categories", text);
}

// ---------------------------------------------------------------------------------------------
// Field paths, options and a mixed update of the real spec.

/// Sets (inserting if needed) the value at `pointer`, whose parent must exist.
fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    let parent = doc
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("{pointer}"));
    parent.insert(key, value);
}

fn remove(doc: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let key = key.replace("~1", "/").replace("~0", "~");
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|o| o.shift_remove(&key))
        .unwrap_or_else(|| panic!("{pointer}"));
}

/// A made-up update of the current spec touching nested arrays, tagged `anyOf` options,
/// parameters, responses and operations.
fn mixed_update() -> (Value, Value) {
    let old = current_spec();
    let mut new = old.clone();
    let ua = "/paths/~1api~1v1~1auth~1universal-auth~1identities~1{identityId}";
    let body = "requestBody/content/application~1json/schema";
    let ok = "responses/200/content/application~1json/schema";
    // Narrowed range and a nested array field in the universal-auth attach body.
    set(
        &mut new,
        &format!("{ua}/post/{body}/properties/accessTokenTTL/maximum"),
        json!(86400),
    );
    set(
        &mut new,
        &format!("{ua}/post/{body}/properties/clientSecretTrustedIps/items/properties/ipAddress/maxLength"),
        json!(64),
    );
    // A new optional field inside the jwks option of the jwt-auth attach body, and a removed
    // default in its static option.
    let jwt = "/paths/~1api~1v1~1auth~1jwt-auth~1identities~1{identityId}/post";
    set(
        &mut new,
        &format!("{jwt}/{body}/anyOf/0/properties/jwksRefreshSeconds"),
        json!({"type": "integer", "minimum": 60}),
    );
    remove(
        &mut new,
        &format!("{jwt}/{body}/anyOf/1/properties/jwksUrl/default"),
    );
    // The spiffe retrieve response drops its https_web_bundle option; the token-auth list
    // operation gets a larger page limit.
    let spiffe = "/paths/~1api~1v1~1auth~1spiffe-auth~1identities~1{identityId}";
    let tbd = new
        .pointer(&format!(
            "{spiffe}/get/{ok}/properties/identitySpiffeAuth/properties/trustBundleDistribution"
        ))
        .cloned();
    if let Some(Value::Object(tbd)) = tbd {
        if tbd.contains_key("anyOf") {
            let mut tbd = Value::Object(tbd);
            tbd["anyOf"].as_array_mut().unwrap().truncate(1);
            set(
                &mut new,
                &format!("{spiffe}/get/{ok}/properties/identitySpiffeAuth/properties/trustBundleDistribution"),
                tbd,
            );
        }
    }
    // An operation removed and one added.
    let token = "/paths/~1api~1v1~1auth~1token-auth~1identities~1{identityId}";
    remove(&mut new, &format!("{token}/delete"));
    let mut clear = new
        .pointer(
            "/paths/~1api~1v1~1auth~1universal-auth~1identities~1{identityId}~1clear-lockouts/post",
        )
        .cloned()
        .unwrap();
    clear["operationId"] = json!("rotateUniversalAuthClientId");
    new["paths"]["/api/v1/auth/universal-auth/identities/{identityId}/rotate-client-id"] =
        json!({ "post": clear });
    (old, new)
}

#[test]
fn mixed_update_names_nested_fields_and_options() {
    let (old, new) = mixed_update();
    let report = diff(&old, &new);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let attach = report.operation("post", UA_PATH).unwrap();
    let c = find(attach, &Location::RequestBody, "accessTokenTTL");
    assert_eq!(
        (c.id.as_str(), c.breaking),
        ("request-property-max-decreased", true)
    );
    let c = find(
        attach,
        &Location::RequestBody,
        "clientSecretTrustedIps[].ipAddress",
    );
    assert_eq!(
        (c.id.as_str(), c.breaking),
        ("request-property-max-length-set", true)
    );

    let jwt = report
        .operation("post", "/api/v1/auth/jwt-auth/identities/{identityId}")
        .unwrap();
    let c = find(
        jwt,
        &Location::RequestBody,
        "anyOf[configurationType=jwks].jwksRefreshSeconds",
    );
    assert_eq!(
        (c.id.as_str(), c.breaking),
        ("new-optional-request-property", false)
    );
    let c = find(
        jwt,
        &Location::RequestBody,
        "anyOf[configurationType=static].jwksUrl",
    );
    assert_eq!(
        (c.id.as_str(), c.breaking),
        ("request-property-default-value-removed", false)
    );

    let removed = report
        .operation("delete", "/api/v1/auth/token-auth/identities/{identityId}")
        .unwrap();
    assert_eq!(removed.changes[0].id, "api-removed-without-deprecation");
    let added = report
        .operation(
            "post",
            "/api/v1/auth/universal-auth/identities/{identityId}/rotate-client-id",
        )
        .unwrap();
    assert_eq!(
        added.operation_id.as_deref(),
        Some("rotateUniversalAuthClientId")
    );
    assert_eq!(added.changes[0].id, "endpoint-added");
    assert!(report.has_breaking());
    // From 1.0 a breaking change is a major release.
    insta::assert_snapshot!("mixed_update", report.to_markdown_at(v("1.4.2")));
}

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

#[test]
fn the_release_follows_the_api() {
    let spec = current_spec();
    // Breaking for a client user: major, or minor before 1.0.
    let breaking = diff(&spec, &older_spec());
    assert!(breaking.has_breaking());
    assert_eq!(breaking.bump(v("1.4.2")), Bump::Major);
    assert_eq!(breaking.bump(v("0.1.3")), Bump::Minor);
    assert!(breaking
        .to_markdown_at(v("1.4.2"))
        .contains("Release: **major**, 1.4.2 -> 2.0.0 (breaking changes for a client user)."));
    assert!(breaking.to_markdown_at(v("0.1.3")).contains(
        "Release: **minor**, 0.1.3 -> 0.2.0 (breaking changes for a client user, which before 1.0 take a minor bump)."
    ));
    // Additions only: minor.
    let additions = diff(&older_spec(), &spec);
    assert!(!additions.has_breaking() && !additions.is_empty());
    assert_eq!(additions.bump(v("1.4.2")), Bump::Minor);
    assert_eq!(additions.bump(v("0.1.3")), Bump::Minor);
    // Nothing in the API (a description edited): patch.
    let mut described = spec.clone();
    described["paths"][UA_PATH]["patch"]["description"] = json!("Reworded.");
    let same = diff(&spec, &described);
    assert!(same.is_empty());
    assert_eq!(same.bump(v("1.4.2")), Bump::Patch);
    assert!(same
        .to_markdown_at(v("0.1.3"))
        .contains("Release: **patch**, 0.1.3 -> 0.1.4 (nothing in the API changed)."));
    // What the commands print is the rendering at the crates' version.
    assert_eq!(
        breaking.to_markdown(),
        breaking.to_markdown_at(v(CRATES_VERSION))
    );
}

#[test]
fn the_changelog_entry_lists_every_change_breaking_first() {
    let (old, new) = mixed_update();
    let report = diff(&old, &new);
    let entry = report.changelog_entry(v("0.2.0"));
    assert!(
        entry.starts_with("## 0.2.0\n\n3 breaking, 4 non-breaking API changes in 5 operations.\n"),
        "{entry}"
    );
    let lines: Vec<&str> = entry.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(lines.len(), 7, "{entry}");
    let breaking_heading = entry.find("### Breaking").expect("a breaking section");
    let other_heading = entry
        .find("### Non-breaking")
        .expect("a non-breaking section");
    assert!(breaking_heading < other_heading);
    assert!(
        entry.contains(
            "- `deleteTokenAuth`: `api-removed-without-deprecation`, operation: operation removed"
        ),
        "{entry}"
    );
    assert!(
        entry.contains(
            "- `rotateUniversalAuthClientId`: `endpoint-added`, operation: operation added"
        ),
        "{entry}"
    );
    // The Markdown report ends with it, for the release it names.
    assert!(report.to_markdown_at(v("0.1.0")).ends_with(&format!(
        "## CHANGELOG.md entry\n\n````markdown\n{entry}````\n"
    )));
    assert_eq!(
        DiffReport::default().changelog_entry(v("0.1.1")),
        "## 0.1.1\n\nNo API changes.\n"
    );
}

#[test]
fn diff_does_not_depend_on_key_order() {
    let (old, new) = mixed_update();
    // Reverse every object's key order.
    fn reversed(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .rev()
                    .map(|(k, v)| (k.clone(), reversed(v)))
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(reversed).collect()),
            other => other.clone(),
        }
    }
    let a = diff(&old, &new).to_markdown();
    let b = diff(&reversed(&old), &reversed(&new)).to_markdown();
    assert_eq!(a, b);
}

#[test]
fn untagged_options_are_matched_by_position() {
    let ldap = "/paths/~1api~1v1~1auth~1ldap-auth~1identities~1{identityId}/post/requestBody/content/application~1json/schema";
    let old = current_spec();
    let mut new = old.clone();
    set(
        &mut new,
        &format!("{ldap}/anyOf/1/properties/searchBase/minLength"),
        json!(3),
    );
    let report = diff(&old, &new);
    let op = report
        .operation("post", "/api/v1/auth/ldap-auth/identities/{identityId}")
        .unwrap();
    let c = &op.changes[0];
    assert_eq!(c.field, "anyOf[1].searchBase");
    assert!(c.id.starts_with("request-property-min-length-"), "{c:?}");
    assert!(c.breaking);
}

#[test]
fn malformed_parts_are_reported_with_their_pointer() {
    let old = doc_with(Some(base_op()));
    let mut new = old.clone();
    new["paths"][P]["patch"]["requestBody"]["content"]["application/json"]["schema"]["required"] =
        json!("keep");
    let report: DiffReport = diff(&old, &new);
    assert_eq!(report.problems.len(), 1);
    let p = &report.problems[0];
    assert_eq!(p.document, Document::New);
    assert_eq!(
        p.pointer,
        "/paths/~1things~1{id}/patch/requestBody/content/application~1json/schema/required"
    );
    let err = try_diff(&old, &new).unwrap_err();
    assert!(err.to_string().contains(&p.pointer), "{err}");
    assert!(report.to_markdown().contains("## Problems"));
}

#[test]
fn recursive_schemas_are_compared_without_looping() {
    let tree = |max: u64| {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {"/tree": {"get": {"operationId": "getTree", "responses": {"200": {
                "description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}
            }}}}},
            "components": {"schemas": {"Node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": max},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
                }
            }}}
        })
    };
    let report = try_diff(&tree(10), &tree(20)).expect("no problems");
    let changes: Vec<_> = report.changes().map(|(_, c)| c).collect();
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].id, "response-property-max-length-increased");
    assert_eq!(changes[0].field, "name");
    assert!(changes[0].breaking);
}
