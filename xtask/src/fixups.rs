//! Fix-up stage: one named pass per upstream quirk, applied to the document as JSON after the
//! lowering stage and before any code is generated, in the order of [`PASSES`]. Each pass is a
//! pure function `&mut Value -> Result<count>`, documented with the quirk it fixes, so that a
//! newer upstream document can be dropped in as it is (the way k8s-openapi keeps its upstream
//! fix-ups in one place). Each pass counts the places it changed: a test asserts that every pass
//! still applies to the embedded spec, so a quirk Infisical fixed shows up as a failing test
//! instead of a pass that silently does nothing.
//!
//! Upstream *mistakes* (a document that breaks a rule of OpenAPI in a way a client can work
//! around) are passes of their own, in [`MISTAKES`], run first: each changes nothing in a correct
//! document, and each change comes with a note naming the operation, so that the user learns what
//! was absorbed instead of being told to edit a file the workflow says is never edited.

use heck::ToUpperCamelCase;
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::document::{ops, pointer, refs};
use crate::passes::{self, components_schemas, Applied, Pass};
use crate::problem::Problem;

/// Every pass, in the order they run, with its name (used in errors and in the docs).
pub const PASSES: &[(&str, Pass)] = &[
    ("accept_unknown_fields", accept_unknown_fields),
    ("shared_error_response", shared_error_response),
    ("name_any_of_options", name_any_of_options),
    ("no_defaults_in_patch_bodies", no_defaults_in_patch_bodies),
    ("typed_trusted_ip_records", typed_trusted_ip_records),
    ("integer_query_parameters", integer_query_parameters),
    ("whole_numbers_in_answers", whole_numbers_in_answers),
];

/// A fix-up of an upstream mistake: rewrites the document and returns one note per place it
/// changed, naming the operation and what was done.
pub type Mistake = fn(&mut Value) -> Vec<String>;

/// Every upstream-mistake pass, in the order they run (before [`PASSES`]).
pub const MISTAKES: &[(&str, Mistake)] = &[
    ("drop_stray_path_parameters", drop_stray_path_parameters),
    ("drop_duplicate_parameters", drop_duplicate_parameters),
    ("unique_operation_ids", unique_operation_ids),
];

/// Runs every mistake pass, then every quirk pass, on a copy of `doc` (a lowered document, see
/// [`crate::lower`]).
pub fn apply(doc: &Value, cfg: &Config) -> Result<(Value, Vec<Applied>), Problem> {
    let mut doc = doc.clone();
    let mut applied = Vec::with_capacity(MISTAKES.len() + PASSES.len());
    for (name, pass) in MISTAKES {
        let notes = pass(&mut doc);
        applied.push(Applied {
            name,
            changes: notes.len(),
            notes,
        });
    }
    let (doc, quirks) = passes::run(&doc, cfg, PASSES)?;
    applied.extend(quirks);
    Ok((doc, applied))
}

/// How notes name an operation: `PATCH /api/v1/folders/{folderName} (patchApiV1FoldersByFolderName)`.
fn operation_label(op: &ops::Op<'_>) -> String {
    format!(
        "{} {} ({})",
        op.method.to_ascii_uppercase(),
        op.path,
        op.id().unwrap_or("unnamed")
    )
}

/// The parameters of the operation at `(path, method)`, when it has a list of them.
fn parameters_mut<'a>(doc: &'a mut Value, path: &str, method: &str) -> Option<&'a mut Vec<Value>> {
    doc.get_mut("paths")?
        .get_mut(path)?
        .get_mut(method)?
        .get_mut("parameters")?
        .as_array_mut()
}

/// Mistake: a path parameter declared but absent from the path template (Infisical's 2023
/// `PATCH` and `DELETE /api/v1/folders/{folderName}` also declared `folderId`). A client could not
/// send it, so it is dropped.
pub fn drop_stray_path_parameters(doc: &mut Value) -> Vec<String> {
    let mut stray = Vec::new();
    for op in ops::operations(doc) {
        let names = ops::template_names(op.path);
        for param in op.parameters() {
            let name = param
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if param.get("in").and_then(Value::as_str) == Some("path")
                && !names.iter().any(|n| n == name)
            {
                stray.push((
                    op.path.to_string(),
                    op.method,
                    name.to_string(),
                    operation_label(&op),
                ));
            }
        }
    }
    let mut notes = Vec::new();
    for (path, method, name, label) in stray {
        if let Some(params) = parameters_mut(doc, &path, method) {
            params.retain(|p| !(p["in"] == "path" && p["name"] == name.as_str()));
        }
        notes.push(format!(
            "{label}: path parameter `{name}` dropped: the path template has no `{{{name}}}`, so a client could not send it"
        ));
    }
    notes
}

/// Mistake: the same parameter (`in` and `name`) declared twice by one operation (OpenAPI
/// requires them unique; the generated method could not take both). The first stays.
pub fn drop_duplicate_parameters(doc: &mut Value) -> Vec<String> {
    let mut found = Vec::new();
    for op in ops::operations(doc) {
        let mut seen = Vec::new();
        for (i, param) in op.parameters().enumerate() {
            let key = (param.get("in").cloned(), param.get("name").cloned());
            if seen.contains(&key) {
                let name = param
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let place = param.get("in").and_then(Value::as_str).unwrap_or_default();
                found.push((op.path.to_string(), op.method, i, format!(
                    "{}: {place} parameter `{name}` declared again: the second declaration is dropped",
                    operation_label(&op)
                )));
            } else {
                seen.push(key);
            }
        }
    }
    let mut notes = Vec::new();
    // Last first, so that the indices still hold.
    for (path, method, i, note) in found.into_iter().rev() {
        if let Some(params) = parameters_mut(doc, &path, method) {
            params.remove(i);
        }
        notes.push(note);
    }
    notes.reverse();
    notes
}

/// Mistake: an `operationId` used by two operations (OpenAPI requires them unique; each names a
/// generated method). The first keeps it (paths sorted, methods in the order get, put, post,
/// delete, options, head, patch, trace); each other gets a number (`x2`, `x3`, a name no
/// operation has).
pub fn unique_operation_ids(doc: &mut Value) -> Vec<String> {
    let mut taken: std::collections::BTreeSet<String> = ops::operations(doc)
        .iter()
        .filter_map(|op| op.id().map(str::to_owned))
        .collect();
    let mut first: std::collections::BTreeMap<String, String> = Default::default();
    let mut renames = Vec::new();
    for op in ops::operations(doc) {
        let Some(id) = op.id() else { continue };
        let label = format!("{} {}", op.method.to_ascii_uppercase(), op.path);
        match first.get(id) {
            None => {
                first.insert(id.to_string(), label);
            }
            Some(owner) => {
                let mut n = 2;
                let mut name = format!("{id}{n}");
                while taken.contains(&name) {
                    n += 1;
                    name = format!("{id}{n}");
                }
                taken.insert(name.clone());
                renames.push((
                    op.path.to_string(),
                    op.method,
                    name.clone(),
                    format!("{label}: operationId `{id}` is also {owner}'s: this one is `{name}`"),
                ));
            }
        }
    }
    let mut notes = Vec::new();
    for (path, method, name, note) in renames {
        doc["paths"][&path][method]["operationId"] = Value::String(name);
        notes.push(note);
    }
    notes
}

/// Quirk: every object is `additionalProperties: false`. On responses that would make a client
/// reject any answer of a newer server that added a field; on requests Infisical strips unknown
/// keys rather than rejecting them. Removes the keyword everywhere so generated types neither
/// deny unknown fields nor carry a catch-all map.
pub fn accept_unknown_fields(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    let Some(paths) = doc.get_mut("paths") else {
        return Ok(0);
    };
    passes::each_object(paths, "/paths", &mut |map, _| {
        if map.get("additionalProperties") == Some(&Value::Bool(false)) {
            map.remove("additionalProperties");
            return Ok(1);
        }
        Ok(0)
    })
}

/// The operation extension in which [`shared_error_response`] keeps the error statuses the
/// document declared.
pub const DECLARED_ERRORS: &str = "x-declared-error-statuses";

/// The fields an Infisical error body may carry.
const ERROR_FIELDS: [&str; 5] = ["reqId", "statusCode", "message", "error", "details"];

/// Quirks: each operation declares six slightly different inline error bodies (400..500), which
/// progenitor cannot represent (it needs one error type per operation), and `statusCode` is a
/// `number` with a one-value enum. Replaces every non-2xx response with a reference to one shared
/// `ErrorResponse` whose `statusCode` is an integer, whose `message` is either text or the list of
/// validation issues of a 422 (every field of a zod issue, nested union issues included), and
/// whose `details` is any JSON. Refuses (naming the pointer) an
/// error body with a field outside `reqId, statusCode, message, error, details`, since that would
/// be lost.
///
/// Infisical also answers statuses no operation declares (a 429 from its rate limiter, a 409, a
/// 502 from a proxy), always in the same shape. So the declared codes become the ranges `4XX` and
/// `5XX` (every 4xx and 5xx answer decodes into `ErrorResponse`), and the declared codes are kept,
/// in order, in [`DECLARED_ERRORS`] for the API surface.
pub fn shared_error_response(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    // Per operation, the error codes it declares (checked to fit the shared shape).
    let mut declared: Vec<((String, &'static str), Vec<Value>)> = Vec::new();
    for op in ops::operations(doc) {
        let mut codes = Vec::new();
        let responses = op.op.get("responses").and_then(Value::as_object);
        for (code, response) in responses.into_iter().flatten() {
            if code.starts_with('2') {
                continue;
            }
            let here = pointer::join(&format!("{}/responses", op.pointer()), code);
            let schema = response
                .pointer("/content/application~1json/schema")
                .map(|s| refs::resolve(doc, s));
            if let Some(props) = schema
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
            {
                if let Some(extra) = props.keys().find(|k| !ERROR_FIELDS.contains(&k.as_str())) {
                    return Err(Problem {
                        pointer: format!("{here}/content/application~1json/schema/properties/{}", pointer::escape(extra)),
                        message: format!("error body field `{extra}` is not part of the shared error shape {ERROR_FIELDS:?}: extend ErrorResponse in this pass"),
                    });
                }
            }
            codes.push(Value::String(code.clone()));
        }
        declared.push(((op.path.to_string(), op.method), codes));
    }
    let error = |range: &str| {
        json!({
            "description": format!("Error {range}, in Infisical's error shape"),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
        })
    };
    let count = declared.len();
    for ((path, method), codes) in declared {
        let op = &mut doc["paths"][&path][method];
        if let Some(responses) = op["responses"].as_object_mut() {
            responses.retain(|code, _| code.starts_with('2'));
            responses.insert("4XX".into(), error("4XX"));
            responses.insert("5XX".into(), error("5XX"));
        }
        // Applied twice, the first run's record stands (the ranges are not declarations).
        if op.get(DECLARED_ERRORS).is_none() {
            op[DECLARED_ERRORS] = Value::Array(codes);
        }
    }
    let schemas = components_schemas(doc)?;
    schemas.insert(
        "ErrorResponse".into(),
        json!({
            "description": "The body of every Infisical error answer.",
            "type": "object",
            "required": ["reqId", "statusCode", "error"],
            "properties": {
                "reqId": {"type": "string", "description": "The request id, `req-` and 14 letters or digits."},
                "statusCode": {"type": "integer", "format": "uint16", "description": "The HTTP status."},
                "message": {"$ref": "#/components/schemas/ErrorMessage"},
                "error": {"type": "string", "description": "The error class, e.g. `ValidationFailure`."},
                "details": {"description": "Extra detail (e.g. the JSON path of an invalid IP entry)."}
            }
        }),
    );
    schemas.insert(
        "ErrorMessage".into(),
        json!({
            "description": "What went wrong: text, or (on a 422) every validation issue.",
            "oneOf": [
                {"title": "Text", "type": "string"},
                {"title": "Issues", "type": "array", "items": {"$ref": "#/components/schemas/ValidationIssue"}}
            ]
        }),
    );
    schemas.insert(
        "ValidationIssue".into(),
        json!({
            "description": "One validation issue of a 422 answer.",
            "type": "object",
            "required": ["code", "path", "message"],
            "properties": {
                "code": {"type": "string", "description": "e.g. `too_big`, `invalid_type`, `custom`."},
                "path": {"type": "array", "items": {"$ref": "#/components/schemas/PathSegment"}, "description": "JSON path of the field."},
                "message": {"type": "string"},
                "minimum": {"type": "number"},
                "maximum": {"type": "number"},
                "inclusive": {"type": "boolean"},
                "type": {"type": "string", "description": "What was bounded: `number`, `string` or `array`."},
                "exact": {"type": "boolean", "description": "Whether the bound must be met exactly (always false; written with a bound)."},
                "expected": {"type": "string", "description": "`invalid_type`: the expected type, e.g. `number`."},
                "received": {"type": "string", "description": "`invalid_type`, `invalid_enum_value`: what was received, e.g. `undefined`."},
                "options": {"type": "array", "items": {"type": "string"}, "description": "`invalid_enum_value`, `invalid_union_discriminator`: the allowed values."},
                "validation": {"type": "string", "description": "`invalid_string`: the failed format, e.g. `uuid`."},
                "unionErrors": {"type": "array", "items": {"$ref": "#/components/schemas/UnionError"}, "description": "`invalid_union`: the issues of each option, in option order."}
            }
        }),
    );
    schemas.insert(
        "UnionError".into(),
        json!({
            "description": "The issues of one option of a union (`invalid_union`).",
            "type": "object",
            "required": ["issues", "name"],
            "properties": {
                "issues": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationIssue"}},
                "name": {"type": "string", "description": "Always `ZodError`."}
            }
        }),
    );
    schemas.insert(
        "PathSegment".into(),
        json!({
            "description": "A key or an array index in a JSON path.",
            "oneOf": [{"title": "Key", "type": "string"}, {"title": "Index", "type": "integer", "format": "uint64"}]
        }),
    );
    Ok(count)
}

/// Quirk: unions are written as `anyOf` of objects, which typify turns into a struct of optional
/// flattened options named `subtype_0`, `subtype_1`. Rewrites each into a `oneOf` whose options
/// carry a `title`, so they become enum variants with meaningful names: by the value of the
/// one-value enum property that tags every option (jwt `configurationType`: `Jwks`, `Static`;
/// spiffe `profile`: `Static`, `HttpsWebBundle`), else by `any_of_names` in codegen.toml (ldap
/// attach: `Template`, `Manual`), else by the first required property unique to each option.
pub fn name_any_of_options(doc: &mut Value, cfg: &Config) -> Result<usize, Problem> {
    let mut rename = |map: &mut Map<String, Value>, here: &str| {
        let Some(Value::Array(options)) = map.get("anyOf") else {
            return Ok(0);
        };
        let names = option_names(options, here, cfg)?;
        let mut options = options.clone();
        for (option, name) in options.iter_mut().zip(names) {
            if let Value::Object(o) = option {
                o.insert("title".into(), Value::String(name));
            }
        }
        map.remove("anyOf");
        map.insert("oneOf".into(), Value::Array(options));
        Ok(1)
    };
    let mut count = 0;
    for root in ["paths", "components"] {
        if let Some(part) = doc.get_mut(root) {
            count += passes::each_object(part, &format!("/{root}"), &mut rename)?;
        }
    }
    Ok(count)
}

/// Names for the options of one union (see [`name_any_of_options`]).
pub fn option_names(options: &[Value], here: &str, cfg: &Config) -> Result<Vec<String>, Problem> {
    if let Some(names) = cfg.any_of_names.get(here) {
        if names.len() != options.len() {
            return Err(Problem {
                pointer: here.into(),
                message: format!(
                    "codegen.toml names {} options but the union has {}: update [any_of_names]",
                    names.len(),
                    options.len()
                ),
            });
        }
        return Ok(names.clone());
    }
    let props = |o: &Value| o.get("properties").and_then(Value::as_object).cloned();
    let all_props: Option<Vec<Map<String, Value>>> = options.iter().map(props).collect();
    let Some(all_props) = all_props else {
        return Err(Problem {
            pointer: here.into(),
            message: "anyOf with a non-object option is not supported: give every option `type: object` and properties".into(),
        });
    };
    // A tag: a property every option has, each with a distinct single enum value.
    if let Some(first) = all_props.first() {
        for key in first.keys() {
            let values: Option<Vec<String>> = all_props
                .iter()
                .map(|p| match p.get(key)?.get("enum")?.as_array()?.as_slice() {
                    [Value::String(v)] => Some(v.clone()),
                    _ => None,
                })
                .collect();
            if let Some(values) = values {
                let names: Vec<String> = values.iter().map(|v| v.to_upper_camel_case()).collect();
                if distinct(&names) {
                    return Ok(names);
                }
            }
        }
    }
    // Untagged: the first required property no other option requires.
    let required: Vec<Vec<String>> = options
        .iter()
        .map(|o| {
            o.get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let names: Option<Vec<String>> = required
        .iter()
        .enumerate()
        .map(|(i, mine)| {
            mine.iter()
                .find(|f| {
                    required
                        .iter()
                        .enumerate()
                        .all(|(j, other)| i == j || !other.contains(f))
                })
                .map(|f| f.to_upper_camel_case())
        })
        .collect();
    match names {
        Some(names) if distinct(&names) => Ok(names),
        _ => Err(Problem {
            pointer: here.into(),
            message: "cannot name the options of this untagged anyOf: add their names under [any_of_names] in openapi/codegen.toml, keyed by this pointer".into(),
        }),
    }
}

fn distinct(names: &[String]) -> bool {
    let mut sorted = names.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted.len() == names.len() && names.iter().all(|n| !n.is_empty())
}

/// Quirk: the oidc, jwt and spiffe update (PATCH) bodies repeat the attach defaults (TTL 2592000,
/// trusted IPs `0.0.0.0/0` and `::/0`, ...). A client that fills them in would silently reset
/// settings the caller did not mention. Removes every `default` inside PATCH request bodies, so an
/// absent field stays absent on the wire.
pub fn no_defaults_in_patch_bodies(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    let mut count = 0;
    let patch_paths: Vec<String> = ops::operations(doc)
        .into_iter()
        .filter(|op| op.method == "patch" && op.body_schema().is_some())
        .map(|op| op.path.to_string())
        .collect();
    for path in patch_paths {
        if let Some(schema) = doc["paths"][&path]["patch"]
            .pointer_mut("/requestBody/content/application~1json/schema")
        {
            // `default` can also be a property name; strip only inside schemas, which is every
            // object here except a `properties` map, and no property here is named `default`.
            count += passes::each_object(schema, "", &mut |map, _| {
                Ok(usize::from(map.remove("default").is_some()))
            })?;
        }
    }
    Ok(count)
}

/// Quirk: config responses declare `accessTokenTrustedIps` and `clientSecretTrustedIps` as `{}`
/// (any JSON), while the server returns a list of `{ipAddress, type, prefix?}`. Types them as a
/// list of `TrustedIpRecord`, which keeps unknown fields acceptable.
pub fn typed_trusted_ip_records(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    const FIELDS: [&str; 2] = ["accessTokenTrustedIps", "clientSecretTrustedIps"];
    let mut type_fields = |map: &mut Map<String, Value>, _: &str| {
        let mut n = 0;
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            for field in FIELDS {
                if props
                    .get(field)
                    .is_some_and(|s| s.as_object().is_some_and(Map::is_empty))
                {
                    props.insert(
                        field.into(),
                        json!({"type": "array", "items": {"$ref": "#/components/schemas/TrustedIpRecord"}}),
                    );
                    n += 1;
                }
            }
        }
        Ok(n)
    };
    let mut count = 0;
    let paths: Vec<(String, &'static str, String)> = ops::operations(doc)
        .into_iter()
        .flat_map(|op| {
            op.op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|r| r.keys())
                .filter(|c| c.starts_with('2'))
                .map(move |c| (op.path.to_string(), op.method, c.clone()))
        })
        .collect();
    for (path, method, code) in paths {
        count += passes::each_object(
            &mut doc["paths"][&path][method]["responses"][&code],
            "",
            &mut type_fields,
        )?;
    }
    if count > 0 {
        components_schemas(doc)?.insert(
            "TrustedIpRecord".into(),
            json!({
                "description": "A trusted IP entry as the server stores it.",
                "type": "object",
                "required": ["ipAddress"],
                "properties": {
                    "ipAddress": {"type": "string", "description": "The address or CIDR block as typed."},
                    "type": {"type": "string", "enum": ["ipv4", "ipv6"]},
                    "prefix": {"type": "integer", "format": "uint8", "description": "The CIDR prefix, absent for a bare address."}
                }
            }),
        );
    }
    Ok(count)
}

/// Quirk: the token-auth list query parameters `offset` and `limit` are declared `number`, so a
/// generated client sends `limit=5.0`. A query parameter declared `number` whose bounds and
/// default are whole numbers counts items: it becomes `integer` and goes out as `limit=5`.
pub fn integer_query_parameters(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    let whole = |v: Option<&Value>| v.is_none_or(|v| v.as_f64().is_some_and(|f| f.fract() == 0.0));
    Ok(passes::each_parameter(doc, &mut |param| {
        if param.get("in").and_then(Value::as_str) != Some("query") {
            return 0;
        }
        let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) else {
            return 0;
        };
        let is_number = schema.get("type").and_then(Value::as_str) == Some("number");
        if is_number
            && whole(schema.get("minimum"))
            && whole(schema.get("maximum"))
            && whole(schema.get("default"))
            && schema.contains_key("minimum")
        {
            schema.insert("type".into(), Value::String("integer".into()));
            return 1;
        }
        0
    }))
}

/// Pass `whole_numbers_in_answers`: Infisical's answers declare `number` (zod's `z.number()`) for
/// fields whose wire value is always a whole number: the TTLs, use limits and periods the request
/// bodies declare `integer` (`accessTokenTTL`, `accessTokenNumUsesLimit`...), and counters and
/// durations in seconds (`expiresIn`, `clientSecretNumUses`, `lockoutThreshold`...). A Rust user
/// would read them as `f64`. Every property of a success answer declared `number` whose name a
/// request body declares `integer`, or that `openapi/codegen.toml` lists in
/// `whole_number_answers`, becomes `integer`, with `minimum: 0` (so unsigned in Rust) where that
/// request field's minimum is not negative, or for a listed one (counters and durations are never
/// negative). Returns the number of properties changed.
pub fn whole_numbers_in_answers(doc: &mut Value, cfg: &Config) -> Result<usize, Problem> {
    // Request body properties declared `integer`, by name, with their minimum.
    let mut integers: std::collections::BTreeMap<String, Option<f64>> = Default::default();
    for op in ops::operations(doc) {
        if let Some((_, schema)) = op.body_media() {
            collect_integers(schema, &mut integers);
        }
    }
    let keys: Vec<(String, &'static str)> = ops::operations(doc)
        .iter()
        .map(|op| (op.path.to_string(), op.method))
        .collect();
    let mut count = 0;
    for (path, method) in keys {
        let Some(responses) = doc["paths"][&path][method]
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (status, response) in responses.iter_mut().filter(|(s, _)| s.starts_with('2')) {
            let here = pointer::join(
                &pointer::join(&pointer::operation(&path, method), "responses"),
                status,
            );
            let Some(content) = response.get_mut("content") else {
                continue;
            };
            count += passes::each_object(content, &here, &mut |map, _| {
                let Some(Value::Object(props)) = map.get_mut("properties") else {
                    return Ok(0);
                };
                let mut changed = 0;
                for (name, prop) in props.iter_mut() {
                    let Some(prop) = prop.as_object_mut() else {
                        continue;
                    };
                    if prop.get("type").and_then(Value::as_str) != Some("number") {
                        continue;
                    }
                    let listed = cfg.whole_number_answers.iter().any(|n| n == name);
                    let unsigned = match integers.get(name) {
                        Some(minimum) => listed || minimum.is_some_and(|m| m >= 0.0),
                        None if listed => true,
                        None => continue,
                    };
                    prop.insert("type".into(), json!("integer"));
                    if unsigned && !prop.contains_key("minimum") {
                        prop.insert("minimum".into(), json!(0));
                    }
                    changed += 1;
                }
                Ok(changed)
            })?;
        }
    }
    Ok(count)
}

/// Every property declared `integer` inside `schema`, by name, with its minimum.
fn collect_integers(schema: &Value, out: &mut std::collections::BTreeMap<String, Option<f64>>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get("properties") {
                for (name, prop) in props {
                    if prop.get("type").and_then(Value::as_str) == Some("integer") {
                        out.insert(name.clone(), prop.get("minimum").and_then(Value::as_f64));
                    }
                }
            }
            map.values().for_each(|v| collect_integers(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_integers(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{embedded_config as cfg, embedded_spec as spec};

    #[test]
    fn whole_numbers_in_answers_follow_the_request_fields_and_the_list() {
        let mut doc = json!({
            "openapi": "3.0.3",
            "paths": {"/a": {"post": {
                "operationId": "attachA",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                    "accessTokenTTL": {"type": "integer", "minimum": 0},
                    "offset": {"type": "integer", "minimum": -5}
                }}}}},
                "responses": {
                    "200": {"description": "", "content": {"application/json": {"schema": {"type": "object", "properties": {
                        "accessTokenTTL": {"type": "number"},
                        "offset": {"type": "number"},
                        "expiresIn": {"type": "number"},
                        "ratio": {"type": "number"}
                    }}}}},
                    "400": {"description": "", "content": {"application/json": {"schema": {"type": "object", "properties": {
                        "expiresIn": {"type": "number"}
                    }}}}}
                }
            }}}
        });
        let mut cfg = cfg();
        cfg.whole_number_answers = vec!["expiresIn".into()];
        assert_eq!(whole_numbers_in_answers(&mut doc, &cfg).unwrap(), 3);
        let answer = &doc["paths"]["/a"]["post"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["properties"];
        assert_eq!(
            answer["accessTokenTTL"],
            json!({"type": "integer", "minimum": 0})
        );
        assert_eq!(
            answer["offset"],
            json!({"type": "integer"}),
            "a negative minimum stays signed"
        );
        assert_eq!(
            answer["expiresIn"],
            json!({"type": "integer", "minimum": 0})
        );
        assert_eq!(
            answer["ratio"],
            json!({"type": "number"}),
            "neither listed nor an integer request field"
        );
        let error = &doc["paths"]["/a"]["post"]["responses"]["400"]["content"]["application/json"]
            ["schema"]["properties"];
        assert_eq!(
            error["expiresIn"],
            json!({"type": "number"}),
            "error answers are left alone"
        );
    }

    #[test]
    fn every_pass_still_applies_to_the_embedded_spec() {
        let (lowered, _) = crate::lower::apply(&spec(), &cfg()).unwrap();
        let (fixed, applied) = apply(&lowered, &cfg()).unwrap();
        assert_eq!(applied.len(), MISTAKES.len() + PASSES.len());
        // The embedded spec has none of the mistakes (each pass's own test shows it applies).
        let (mistakes, applied) = applied.split_at(MISTAKES.len());
        assert!(mistakes.iter().all(|m| m.changes == 0), "{mistakes:?}");
        let applied = applied.to_vec();
        // The dedupe stage's pass too (it runs on the fixed-up document).
        let (_, sharing) = crate::dedupe::apply(&fixed, &cfg()).unwrap();
        for pass in applied.into_iter().chain(sharing) {
            assert!(
                pass.changes > 0,
                "fix-up `{}` changes nothing in the embedded spec: the quirk it fixes is gone upstream; remove the pass",
                pass.name
            );
        }
    }

    #[test]
    fn every_error_response_becomes_the_shared_type() {
        let original = spec();
        let mut doc = original.clone();
        shared_error_response(&mut doc, &cfg()).unwrap();
        for (before, op) in ops::operations(&original)
            .into_iter()
            .zip(ops::operations(&doc))
        {
            // Every 4xx and 5xx, declared or not, decodes into the shared type; the declared
            // codes are kept, in order, for the API surface.
            let responses = op.op["responses"].as_object().unwrap();
            let codes: Vec<&str> = responses.keys().map(String::as_str).collect();
            assert_eq!(codes, ["200", "4XX", "5XX"], "{}", op.pointer());
            let declared: Vec<Value> = before.op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .filter(|c| !c.starts_with('2'))
                .map(|c| Value::String(c.clone()))
                .collect();
            assert!(!declared.is_empty());
            assert_eq!(op.op[DECLARED_ERRORS], Value::Array(declared));
            for (code, r) in responses {
                let schema = &r["content"]["application/json"]["schema"];
                if code.starts_with('2') {
                    assert!(schema.get("$ref").is_none());
                } else {
                    assert_eq!(
                        schema["$ref"], "#/components/schemas/ErrorResponse",
                        "{code}"
                    );
                }
            }
        }
        assert_eq!(
            doc["components"]["schemas"]["ErrorResponse"]["properties"]["statusCode"]["type"],
            "integer"
        );
    }

    #[test]
    fn an_unknown_error_field_is_refused_with_its_pointer() {
        let mut doc = json!({"paths": {"/a": {"get": {"responses": {"400": {"content": {"application/json": {"schema": {"properties": {"extra": {}}}}}}}}}}});
        let p = shared_error_response(&mut doc, &cfg()).unwrap_err();
        assert_eq!(
            p.pointer,
            "/paths/~1a/get/responses/400/content/application~1json/schema/properties/extra"
        );
    }

    #[test]
    fn unions_are_named_by_tag_config_or_required_fields() {
        let doc = apply(&spec(), &cfg()).unwrap().0;
        let titles = |p: &str| -> Vec<String> {
            doc.pointer(p).unwrap()["oneOf"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["title"].as_str().unwrap().to_string())
                .collect()
        };
        let ldap = "/paths/~1api~1v1~1auth~1ldap-auth~1identities~1{identityId}/post/requestBody/content/application~1json/schema";
        assert_eq!(titles(ldap), ["Template", "Manual"]);
        let jwt = "/paths/~1api~1v1~1auth~1jwt-auth~1identities~1{identityId}/post/requestBody/content/application~1json/schema";
        assert_eq!(titles(jwt), ["Jwks", "Static"]);
        let spiffe = "/paths/~1api~1v1~1auth~1spiffe-auth~1identities~1{identityId}/post/requestBody/content/application~1json/schema/properties/trustBundleDistribution";
        assert_eq!(titles(spiffe), ["Static", "HttpsWebBundle"]);
        assert!(!serde_json::to_string(&doc).unwrap().contains("\"anyOf\""));
        // Without the config entry the ldap options are named by their unique required field.
        let mut bare = cfg();
        bare.any_of_names.clear();
        let doc = apply(&spec(), &bare).unwrap().0;
        let names: Vec<_> = doc.pointer(ldap).unwrap()["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["title"].clone())
            .collect();
        assert_eq!(names, [json!("TemplateId"), json!("Url")]);
    }

    #[test]
    fn patch_bodies_lose_their_defaults_and_attach_bodies_keep_them() {
        let doc = apply(&spec(), &cfg()).unwrap().0;
        for op in ops::operations(&doc) {
            let Some(body) = op.body_schema() else {
                continue;
            };
            let text = serde_json::to_string(body).unwrap();
            if op.method == "patch" {
                assert!(!text.contains("\"default\""), "{}", op.id().unwrap());
            }
        }
        let oidc_attach = ops::operations(&doc)
            .into_iter()
            .find(|o| o.id() == Some("attachOidcAuth"))
            .unwrap();
        assert_eq!(
            oidc_attach.body_schema().unwrap()["properties"]["accessTokenTTL"]["default"],
            2592000
        );
    }

    #[test]
    fn responses_accept_unknown_fields_and_trusted_ips_are_typed() {
        let doc = apply(&spec(), &cfg()).unwrap().0;
        let text = serde_json::to_string(&doc["paths"]).unwrap();
        assert!(!text.contains("\"additionalProperties\":false"));
        let get_ua = ops::operations(&doc)
            .into_iter()
            .find(|o| o.id() == Some("getUniversalAuth"))
            .unwrap();
        let props =
            &get_ua.success_schema().unwrap()["properties"]["identityUniversalAuth"]["properties"];
        assert_eq!(
            props["accessTokenTrustedIps"]["items"]["$ref"],
            "#/components/schemas/TrustedIpRecord"
        );
        assert_eq!(
            props["clientSecretTrustedIps"]["items"]["$ref"],
            "#/components/schemas/TrustedIpRecord"
        );
    }

    #[test]
    fn counting_query_parameters_become_integers() {
        let doc = apply(&spec(), &cfg()).unwrap().0;
        let op = ops::operations(&doc)
            .into_iter()
            .find(|o| o.id() == Some("getTokenAuthTokens"))
            .unwrap();
        for param in op.op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "query")
        {
            assert_eq!(param["schema"]["type"], "integer", "{}", param["name"]);
        }
    }

    #[test]
    fn fixing_up_is_idempotent() {
        let once = apply(&spec(), &cfg()).unwrap().0;
        assert_eq!(apply(&once, &cfg()).unwrap().0, once);
    }

    /// Each mistake pass on a document with its mistake: what it changes, what it says.
    #[test]
    fn upstream_mistakes_are_absorbed_with_a_note_naming_the_operation() {
        let folder = |extra: Value| json!([{"in": "path", "name": "folderName", "required": true, "schema": {"type": "string"}}, extra]);
        let doc = json!({"openapi": "3.0.0", "paths": {
            "/api/v1/folders/{folderName}": {
                "patch": {"operationId": "updateFolder", "parameters": folder(json!({"in": "path", "name": "folderId", "required": true, "schema": {"type": "string"}})), "responses": {}},
                "delete": {"operationId": "updateFolder", "parameters": folder(json!({"in": "path", "name": "folderName", "schema": {"type": "integer"}})), "responses": {}}
            },
            "/api/v1/other": {"get": {"operationId": "updateFolder2", "responses": {}}}
        }});
        let (fixed, applied) = apply(&doc, &cfg()).unwrap();
        let notes: Vec<(&str, &[String])> = applied
            .iter()
            .take(MISTAKES.len())
            .map(|a| (a.name, a.notes.as_slice()))
            .collect();
        assert_eq!(
            notes,
            [
                (
                    "drop_stray_path_parameters",
                    &["PATCH /api/v1/folders/{folderName} (updateFolder): path parameter `folderId` dropped: the path template has no `{folderId}`, so a client could not send it".to_string()][..]
                ),
                (
                    "drop_duplicate_parameters",
                    &["DELETE /api/v1/folders/{folderName} (updateFolder): path parameter `folderName` declared again: the second declaration is dropped".to_string()][..]
                ),
                (
                    "unique_operation_ids",
                    &["PATCH /api/v1/folders/{folderName}: operationId `updateFolder` is also DELETE /api/v1/folders/{folderName}'s: this one is `updateFolder3`".to_string()][..]
                ),
            ]
        );
        let item = &fixed["paths"]["/api/v1/folders/{folderName}"];
        let only_folder_name = Value::Array(folder(Value::Null).as_array().unwrap()[..1].to_vec());
        for method in ["patch", "delete"] {
            assert_eq!(item[method]["parameters"], only_folder_name, "{method}");
        }
        assert_eq!(item["delete"]["operationId"], "updateFolder");
        assert_eq!(item["patch"]["operationId"], "updateFolder3");
        // A correct document is left as it is, and fixing up again changes nothing.
        let again = apply(&fixed, &cfg()).unwrap();
        assert!(again.1[..MISTAKES.len()].iter().all(|a| a.changes == 0));
    }
}
