//! OpenAPI 3.1 documents lowered to the OpenAPI 3.0 model every later stage reads (`openapiv3`,
//! progenitor, the check, lowering, fix-up, diff and surface stages), before any of them runs.
//! A 3.0 document goes through unchanged. Each 3.1 construct is rewritten into the 3.0 form that
//! means the same (`["string", "null"]` -> `nullable`, `const` -> a one-value `enum`, numeric
//! exclusive bounds -> boolean ones, ...) or refused with its JSON pointer; what has no meaning
//! for a client (`webhooks`, `jsonSchemaDialect`) is dropped with a note. Schemas are found by
//! their place in the document (components, parameters, media types, headers, and the keywords
//! of a schema that hold schemas), never by the shape of an object.

use std::borrow::Cow;

use serde_json::{json, Map, Value};

use super::{ops::METHODS, pointer, refs};
use crate::problem::Problem;

/// The version a lowered document declares.
pub const LOWERED_VERSION: &str = "3.0.3";

/// A document in the 3.0 model, with what the lowering dropped or inferred.
#[derive(Clone, Debug, PartialEq)]
pub struct Lowered<'a> {
    /// The document: the input itself when it was 3.0 already, else its lowered copy.
    pub doc: Cow<'a, Value>,
    /// What was ignored, for the user (`webhooks`, `jsonSchemaDialect`, absent `paths`).
    pub notes: Vec<String>,
    /// Places rewritten: top-level schemas (with what they hold), path items copied in, `$defs`
    /// hoisted, root members dropped or added (`cargo xtask codegen --verbose` prints it).
    pub changes: usize,
}

/// Whether `doc` declares OpenAPI 3.1.
pub fn is_31(doc: &Value) -> bool {
    doc.get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1."))
}

/// JSON Schema 2020-12 keywords with no OpenAPI 3.0 form that the generated types could honour.
const REFUSED: &[(&str, &str)] = &[
    ("prefixItems", "tuples are not generated: describe the array with `items`"),
    ("if", "conditional schemas are not generated: describe the variants with `oneOf`"),
    ("then", "conditional schemas are not generated: describe the variants with `oneOf`"),
    ("else", "conditional schemas are not generated: describe the variants with `oneOf`"),
    ("dependentSchemas", "dependent schemas are not generated: leave the rule to the validation layer"),
    ("dependentRequired", "dependent requirements are not generated: leave the rule to the validation layer"),
    ("unevaluatedProperties", "`unevaluatedProperties` is not generated: use `additionalProperties`"),
    ("unevaluatedItems", "`unevaluatedItems` is not generated: use `items`"),
    ("patternProperties", "`patternProperties` is not generated: use `additionalProperties`"),
    ("propertyNames", "`propertyNames` is not generated: leave the rule to the validation layer"),
    ("contains", "`contains` is not generated: leave the rule to the validation layer"),
    ("$id", "`$id` (a new base for references) is not generated: bundle the document with `#/...` references"),
    ("$anchor", "`$anchor` is not generated: refer to the schema by its JSON pointer"),
    ("$dynamicRef", "`$dynamicRef` is not generated: use `$ref`"),
    ("$dynamicAnchor", "`$dynamicAnchor` is not generated: use `$ref`"),
];

/// Keywords with no 3.0 form and no effect on a value's type: dropped.
const DROPPED: &[&str] = &["$schema", "$comment", "contentSchema"];

/// Keywords beside a `$ref` that 3.0 also keeps there (and ignores): annotations.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "summary",
    "deprecated",
    "readOnly",
    "writeOnly",
    "example",
    "default",
    "externalDocs",
    "xml",
];

/// The schema-valued keywords of a schema, by how they hold schemas.
const ONE_SCHEMA: &[&str] = &["items", "additionalProperties", "not"];
const SCHEMA_MAPS: &[&str] = &["properties", "$defs"];
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf"];

/// The document in the 3.0 model: `doc` as it is when it is not 3.1, else lowered. Every
/// problem found is reported, each with the pointer of the construct in the document as given.
pub fn lower(doc: &Value) -> Result<Lowered<'_>, Vec<Problem>> {
    if !is_31(doc) {
        return Ok(Lowered {
            doc: Cow::Borrowed(doc),
            notes: Vec::new(),
            changes: 0,
        });
    }
    let source = doc;
    let mut doc = doc.clone();
    let mut cx = Cx {
        source,
        problems: Vec::new(),
        notes: Vec::new(),
    };
    let Some(root) = doc.as_object_mut() else {
        return Err(vec![problem("", "the document is not an object".into())]);
    };
    root.insert("openapi".into(), json!(LOWERED_VERSION));
    let mut changes = 0;
    if let Some(dialect) = root.remove("jsonSchemaDialect") {
        changes += 1;
        cx.notes.push(format!(
            "`jsonSchemaDialect` ({}) ignored: schemas are read as OpenAPI 3.1's own dialect",
            dialect.as_str().unwrap_or("not a string")
        ));
    }
    if let Some(webhooks) = root.remove("webhooks") {
        changes += 1;
        let count = webhooks.as_object().map_or(0, Map::len);
        cx.notes.push(format!(
            "`webhooks` ignored ({count} declared): they are requests the API sends, not operations a client calls"
        ));
    }
    if !root.contains_key("paths") {
        changes += 1;
        root.insert("paths".into(), json!({}));
        cx.notes
            .push("the document has no `paths`: no operation is generated".into());
    }
    changes += inline_path_items(&mut doc, &mut cx.problems);
    for_each_schema(&mut doc, &mut |schema, here| {
        let before = schema.clone();
        lower_schema(schema, here, &mut cx);
        changes += usize::from(*schema != before);
    });
    refuse_security_schemes(&doc, &mut cx.problems);
    if cx.problems.is_empty() {
        changes += hoist_defs(&mut doc);
    }
    if cx.problems.is_empty() {
        Ok(Lowered {
            doc: Cow::Owned(doc),
            notes: cx.notes,
            changes,
        })
    } else {
        Err(cx.problems)
    }
}

struct Cx<'a> {
    /// The document as given, for the targets of references.
    source: &'a Value,
    problems: Vec<Problem>,
    notes: Vec<String>,
}

fn problem(pointer: &str, message: String) -> Problem {
    Problem {
        pointer: pointer.into(),
        message,
    }
}

/// Path items given as `{"$ref": "#/components/pathItems/Name"}` become copies of their target
/// (with the referring object's `summary` and `description`, which 3.1 lets it override);
/// `components.pathItems` goes. A reference elsewhere is left to the check stage. Returns how
/// many path items were copied in.
pub fn inline_path_items(doc: &mut Value, problems: &mut Vec<Problem>) -> usize {
    let mut count = 0;
    let items = doc
        .pointer("/components/pathItems")
        .cloned()
        .unwrap_or(Value::Null);
    let paths: Vec<String> = doc
        .get("paths")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for path in paths {
        let here = pointer::join("/paths", &path);
        let Some(item) = doc["paths"][&path].as_object_mut() else {
            continue;
        };
        let mut hops = 0;
        while let Some(Value::String(reference)) = item.get("$ref").cloned() {
            let Some(name) = reference.strip_prefix("#/components/pathItems/") else {
                break;
            };
            let target = items.get(pointer::unescape(name));
            hops += 1;
            match target.and_then(Value::as_object) {
                Some(target) if hops <= 32 => {
                    count += usize::from(hops == 1);
                    item.remove("$ref");
                    for (k, v) in target {
                        if !(item.contains_key(k) && (k == "summary" || k == "description")) {
                            item.insert(k.clone(), v.clone());
                        }
                    }
                }
                _ => {
                    problems.push(problem(
                        &pointer::join(&here, "$ref"),
                        format!("path item reference `{reference}` does not resolve (or loops): fix the reference"),
                    ));
                    break;
                }
            }
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        components.remove("pathItems");
    }
    count
}

/// Calls `f` on every schema the document holds at its top level (component schemas, the
/// schemas of parameters, headers and media types, in paths, components and callbacks), with
/// its pointer. `f` walks a schema's own subschemas ([`subschemas`]).
pub fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Value, &str)) {
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            path_item(item, &pointer::join("/paths", path), f);
        }
    }
    let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) else {
        return;
    };
    for (section, entries) in components.iter_mut() {
        let Some(entries) = entries.as_object_mut() else {
            continue;
        };
        let base = pointer::join("/components", section);
        for (name, entry) in entries.iter_mut() {
            let here = pointer::join(&base, name);
            match section.as_str() {
                "schemas" => f(entry, &here),
                "parameters" | "headers" => parameter(entry, &here, f),
                "requestBodies" => content(entry, &here, f),
                "responses" => response(entry, &here, f),
                "callbacks" => callback(entry, &here, f),
                "pathItems" => path_item(entry, &here, f),
                _ => {}
            }
        }
    }
}

fn path_item(item: &mut Value, here: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    let Some(item) = item.as_object_mut() else {
        return;
    };
    for (key, value) in item.iter_mut() {
        let at = pointer::join(here, key);
        if key == "parameters" {
            each(value, &at, &mut |p, h| parameter(p, h, f));
        } else if METHODS.contains(&key.as_str()) {
            operation(value, &at, f);
        }
    }
}

fn operation(op: &mut Value, here: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    let Some(op) = op.as_object_mut() else {
        return;
    };
    for (key, value) in op.iter_mut() {
        let at = pointer::join(here, key);
        match key.as_str() {
            "parameters" => each(value, &at, &mut |p, h| parameter(p, h, f)),
            "requestBody" => content(value, &at, f),
            "responses" => {
                if let Some(responses) = value.as_object_mut() {
                    for (code, r) in responses.iter_mut() {
                        response(r, &pointer::join(&at, code), f);
                    }
                }
            }
            "callbacks" => {
                if let Some(callbacks) = value.as_object_mut() {
                    for (name, c) in callbacks.iter_mut() {
                        callback(c, &pointer::join(&at, name), f);
                    }
                }
            }
            _ => {}
        }
    }
}

fn callback(callback: &mut Value, here: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    if let Some(expressions) = callback.as_object_mut() {
        for (expression, item) in expressions.iter_mut() {
            path_item(item, &pointer::join(here, expression), f);
        }
    }
}

/// A parameter or a header: its `schema`, or the schemas of its `content`.
fn parameter(p: &mut Value, here: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    if let Some(schema) = p.get_mut("schema") {
        f(schema, &pointer::join(here, "schema"));
    }
    content(p, here, f);
}

fn response(r: &mut Value, here: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    if let Some(headers) = r.get_mut("headers").and_then(Value::as_object_mut) {
        let base = pointer::join(here, "headers");
        for (name, h) in headers.iter_mut() {
            parameter(h, &pointer::join(&base, name), f);
        }
    }
    content(r, here, f);
}

/// The media types of `holder.content`: each one's schema and its encodings' headers.
fn content(holder: &mut Value, here: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    let Some(content) = holder.get_mut("content").and_then(Value::as_object_mut) else {
        return;
    };
    let base = pointer::join(here, "content");
    for (media, m) in content.iter_mut() {
        let at = pointer::join(&base, media);
        if let Some(schema) = m.get_mut("schema") {
            f(schema, &pointer::join(&at, "schema"));
        }
        if let Some(encodings) = m.get_mut("encoding").and_then(Value::as_object_mut) {
            for (name, e) in encodings.iter_mut() {
                let e_at = pointer::join(&pointer::join(&at, "encoding"), name);
                if let Some(headers) = e.get_mut("headers").and_then(Value::as_object_mut) {
                    for (h_name, h) in headers.iter_mut() {
                        parameter(
                            h,
                            &pointer::join(&pointer::join(&e_at, "headers"), h_name),
                            f,
                        );
                    }
                }
            }
        }
    }
}

fn each(list: &mut Value, here: &str, f: &mut dyn FnMut(&mut Value, &str)) {
    if let Some(items) = list.as_array_mut() {
        for (i, item) in items.iter_mut().enumerate() {
            f(item, &format!("{here}/{i}"));
        }
    }
}

/// The subschemas of a schema object, each with its pointer: `properties`, `$defs`, `items`,
/// `additionalProperties` (when a schema), `not`, `allOf`, `anyOf`, `oneOf`.
pub fn subschemas<'a>(map: &'a mut Map<String, Value>, here: &str) -> Vec<(&'a mut Value, String)> {
    let mut out = Vec::new();
    for (key, value) in map.iter_mut() {
        let at = pointer::join(here, key);
        if ONE_SCHEMA.contains(&key.as_str()) {
            if !value.is_boolean() || key != "additionalProperties" {
                out.push((value, at));
            }
        } else if SCHEMA_MAPS.contains(&key.as_str()) {
            if let Some(entries) = value.as_object_mut() {
                for (name, s) in entries.iter_mut() {
                    let s_at = pointer::join(&at, name);
                    out.push((s, s_at));
                }
            }
        } else if SCHEMA_LISTS.contains(&key.as_str()) {
            if let Some(items) = value.as_array_mut() {
                for (i, s) in items.iter_mut().enumerate() {
                    out.push((s, format!("{at}/{i}")));
                }
            }
        }
    }
    out
}

/// Whether a (3.1) schema admits only `null`: `{"type": "null"}`, `{"const": null}`,
/// `{"enum": [null]}`.
fn only_null(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    match map.get("type") {
        Some(Value::String(t)) => return t == "null",
        Some(Value::Array(types)) => return !types.is_empty() && types.iter().all(|t| t == "null"),
        _ => {}
    }
    map.get("const") == Some(&Value::Null)
        || map
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| !values.is_empty() && values.iter().all(Value::is_null))
}

/// Lowers one schema and its subschemas (children first).
fn lower_schema(schema: &mut Value, here: &str, cx: &mut Cx<'_>) {
    match schema {
        Value::Bool(true) => {
            *schema = json!({});
            return;
        }
        Value::Bool(false) => {
            cx.problems.push(problem(
                here,
                "the schema `false` (no value is valid) is not generated: remove what holds it"
                    .into(),
            ));
            return;
        }
        Value::Object(_) => {}
        _ => {
            cx.problems
                .push(problem(here, "a schema is an object or a boolean".into()));
            return;
        }
    }
    let map = schema.as_object_mut().expect("an object");
    for (keyword, why) in REFUSED {
        if map.contains_key(*keyword) {
            cx.problems
                .push(problem(&pointer::join(here, keyword), (*why).to_string()));
        }
    }
    for keyword in DROPPED {
        map.remove(*keyword);
    }
    // `anyOf`/`oneOf` options that admit only null make the union nullable.
    let mut nullable = false;
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = map.get_mut(key).and_then(Value::as_array_mut) {
            let before = options.len();
            options.retain(|o| !only_null(o));
            nullable |= options.len() != before;
        }
    }
    for (child, at) in subschemas(map, here) {
        lower_schema(child, &at, cx);
    }
    if nullable {
        nullable_union(map, here, cx);
    }
    // `enum` or `const` values without `null` exclude it, whatever `type` says.
    let values_exclude_null = map
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| !values.iter().any(Value::is_null))
        || map.get("const").is_some_and(|value| !value.is_null());
    let mut nullable = false;
    lower_type(map, here, &mut nullable, cx);
    lower_enum_and_const(map, here, &mut nullable, cx);
    if nullable && !values_exclude_null {
        map.insert("nullable".into(), Value::Bool(true));
    }
    for (keyword, inclusive, stricter) in [
        ("exclusiveMinimum", "minimum", std::cmp::Ordering::Greater),
        ("exclusiveMaximum", "maximum", std::cmp::Ordering::Less),
    ] {
        let Some(bound) = map.get(keyword).cloned() else {
            continue;
        };
        let Some(exclusive) = bound.as_f64() else {
            if !bound.is_boolean() {
                cx.problems.push(problem(
                    &pointer::join(here, keyword),
                    "an exclusive bound is a number".into(),
                ));
            }
            continue;
        };
        // Both bounds: the stricter one stands.
        let inclusive_wins = map
            .get(inclusive)
            .and_then(Value::as_f64)
            .and_then(|i| i.partial_cmp(&exclusive))
            .is_some_and(|o| o == stricter);
        if inclusive_wins {
            map.remove(keyword);
        } else {
            map.insert(inclusive.into(), bound);
            map.insert(keyword.into(), Value::Bool(true));
        }
    }
    if let Some(examples) = map.remove("examples") {
        match examples {
            Value::Array(mut values) if !values.is_empty() => {
                if !map.contains_key("example") {
                    map.insert("example".into(), values.swap_remove(0));
                }
            }
            Value::Array(_) => {}
            _ => cx.problems.push(problem(
                &pointer::join(here, "examples"),
                "`examples` in a schema is a list of values".into(),
            )),
        }
    }
    lower_content_keywords(map, here, cx);
    lower_ref_siblings(map, here, cx);
}

/// A union that lost its null options: with one option left, the option itself (a reference
/// wrapped in `allOf`, since 3.0 keeps nothing beside `$ref`), nullable; with several, the
/// union, nullable; with none, refused.
fn nullable_union(map: &mut Map<String, Value>, here: &str, cx: &mut Cx<'_>) {
    let mut merged = false;
    for key in ["anyOf", "oneOf"] {
        let Some(options) = map.get(key).and_then(Value::as_array) else {
            continue;
        };
        match options.len() {
            0 => {
                cx.problems.push(problem(
                    &pointer::join(here, key),
                    "a union that admits only `null` is not generated: remove the field or give it a type".into(),
                ));
                return;
            }
            1 if !merged => {
                let only = options[0].clone();
                let only = only.as_object().cloned().unwrap_or_default();
                let clash = only
                    .keys()
                    .any(|k| map.contains_key(k) && !ANNOTATIONS.contains(&k.as_str()));
                if clash {
                    continue;
                }
                map.remove(key);
                if only.contains_key("$ref") {
                    let reference = json!({"$ref": only["$ref"]});
                    for (k, v) in only {
                        if k != "$ref" {
                            map.entry(k).or_insert(v);
                        }
                    }
                    map.insert("allOf".into(), json!([reference]));
                } else {
                    for (k, v) in only {
                        map.entry(k).or_insert(v);
                    }
                }
                merged = true;
            }
            _ => {}
        }
    }
    map.insert("nullable".into(), Value::Bool(true));
}

/// Which types a keyword constrains, for splitting a schema of several types into options.
fn keyword_types(keyword: &str, format: Option<&str>) -> Option<&'static [&'static str]> {
    Some(match keyword {
        "minLength" | "maxLength" | "pattern" | "contentMediaType" | "contentEncoding" => {
            &["string"]
        }
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
            &["number", "integer"]
        }
        "items" | "minItems" | "maxItems" | "uniqueItems" => &["array"],
        "properties" | "required" | "additionalProperties" | "minProperties" | "maxProperties" => {
            &["object"]
        }
        "format" => match format {
            Some("int32" | "int64" | "uint8" | "uint16" | "uint32" | "uint64") => {
                &["integer", "number"]
            }
            Some("float" | "double") => &["number", "integer"],
            _ => &["string"],
        },
        _ => return None,
    })
}

/// `type` as a list: one non-null type is that type; `"null"` among them is `nullable`;
/// several are an `anyOf` with one option per type, each with the keywords that constrain it
/// (and the `enum` values of its type).
fn lower_type(map: &mut Map<String, Value>, here: &str, nullable: &mut bool, cx: &mut Cx<'_>) {
    let types: Vec<String> = match map.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(list)) => {
            let mut out = Vec::new();
            for (i, t) in list.iter().enumerate() {
                match t.as_str() {
                    Some(t) if !out.iter().any(|o| o == t) => out.push(t.to_string()),
                    Some(_) => {}
                    None => {
                        cx.problems.push(problem(
                            &format!("{here}/type/{i}"),
                            "a type is a string".into(),
                        ));
                        return;
                    }
                }
            }
            out
        }
        _ => return,
    };
    let mut kept: Vec<String> = types.into_iter().filter(|t| t != "null").collect();
    let had_null = map.get("type").is_some_and(|t| match t {
        Value::String(t) => t == "null",
        Value::Array(list) => list.iter().any(|t| t == "null"),
        _ => false,
    });
    if kept.iter().any(|t| t == "number") {
        kept.retain(|t| t != "integer");
    }
    match kept.len() {
        0 => {
            cx.problems.push(problem(
                &pointer::join(here, "type"),
                "a schema that admits only `null` is not generated: remove the field or give it a type".into(),
            ));
        }
        1 => {
            map.insert("type".into(), Value::String(kept.remove(0)));
        }
        _ => {
            if map.contains_key("anyOf") || map.contains_key("oneOf") || map.contains_key("$ref") {
                cx.problems.push(problem(
                    &pointer::join(here, "type"),
                    "a list of types beside `anyOf`, `oneOf` or `$ref` is not generated: move the types into the options".into(),
                ));
                return;
            }
            map.remove("type");
            let format = map.get("format").and_then(Value::as_str).map(str::to_owned);
            let values = map.remove("enum");
            let mut options: Vec<Map<String, Value>> = kept
                .iter()
                .map(|t| {
                    let mut o = Map::new();
                    o.insert("type".into(), Value::String(t.clone()));
                    o
                })
                .collect();
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let Some(applies) = keyword_types(&key, format.as_deref()) else {
                    continue;
                };
                let value = map.remove(&key).expect("a key of the map");
                for option in options.iter_mut() {
                    if applies.contains(&option["type"].as_str().unwrap_or_default()) {
                        option.insert(key.clone(), value.clone());
                    }
                }
            }
            if let Some(Value::Array(values)) = values {
                for option in options.iter_mut() {
                    let t = option["type"].as_str().unwrap_or_default().to_string();
                    let own: Vec<Value> = values
                        .iter()
                        .filter(|v| json_type_fits(v, &t))
                        .cloned()
                        .collect();
                    if !own.is_empty() {
                        option.insert("enum".into(), Value::Array(own));
                    }
                }
                if values.iter().any(Value::is_null) {
                    *nullable = true;
                }
            }
            map.insert(
                "anyOf".into(),
                Value::Array(options.into_iter().map(Value::Object).collect()),
            );
        }
    }
    *nullable |= had_null;
}

fn json_type_fits(value: &Value, t: &str) -> bool {
    match t {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

/// `const` is a one-value `enum`; `null` among `enum` values is `nullable`.
fn lower_enum_and_const(
    map: &mut Map<String, Value>,
    here: &str,
    nullable: &mut bool,
    cx: &mut Cx<'_>,
) {
    if let Some(value) = map.remove("const") {
        if map.contains_key("enum") {
            cx.problems.push(problem(
                &pointer::join(here, "const"),
                "`const` beside `enum` is not generated: keep one of them".into(),
            ));
            return;
        }
        if value.is_null() {
            cx.problems.push(problem(
                &pointer::join(here, "const"),
                "a schema that admits only `null` is not generated: remove the field or give it a type".into(),
            ));
            return;
        }
        map.insert("enum".into(), json!([value]));
    }
    if let Some(values) = map.get_mut("enum").and_then(Value::as_array_mut) {
        if values.iter().any(Value::is_null) {
            values.retain(|v| !v.is_null());
            if values.is_empty() {
                cx.problems.push(problem(
                    &pointer::join(here, "enum"),
                    "a schema that admits only `null` is not generated: remove the field or give it a type".into(),
                ));
                return;
            }
            *nullable = true;
        }
    }
}

/// `contentEncoding: base64` (or `base64url`) is 3.0's `format: byte`; a string whose
/// `contentMediaType` is not text or JSON is `format: binary`; text stays a plain string.
fn lower_content_keywords(map: &mut Map<String, Value>, here: &str, cx: &mut Cx<'_>) {
    let media = map.remove("contentMediaType");
    let encoding = map.remove("contentEncoding");
    let format = match (&encoding, &media) {
        (Some(Value::String(e)), _) if e == "base64" || e == "base64url" => Some("byte"),
        (Some(other), _) => {
            cx.problems.push(problem(
                &pointer::join(here, "contentEncoding"),
                format!("`contentEncoding` {other} is not generated: only base64 strings are (`format: byte`)"),
            ));
            return;
        }
        (None, Some(Value::String(m))) => {
            let m = m.to_ascii_lowercase();
            let text = m.starts_with("text/") || m.ends_with("/json") || m.ends_with("+json");
            (!text).then_some("binary")
        }
        (None, Some(_)) => {
            cx.problems.push(problem(
                &pointer::join(here, "contentMediaType"),
                "`contentMediaType` is a media type".into(),
            ));
            return;
        }
        (None, None) => None,
    };
    if let Some(format) = format {
        if !map.contains_key("format") {
            map.insert("format".into(), json!(format));
        }
    }
}

/// Keywords beside `$ref`: 3.1 applies them, 3.0 ignores them. Annotations stay (as in 3.0),
/// a `type` the target has too is redundant, `nullable` makes the reference an
/// `allOf: [{"$ref"}]` that is nullable; any other keyword is refused.
fn lower_ref_siblings(map: &mut Map<String, Value>, here: &str, cx: &mut Cx<'_>) {
    let Some(Value::String(reference)) = map.get("$ref").cloned() else {
        return;
    };
    let target = refs::target(cx.source, &reference);
    for key in map.keys() {
        if key == "$ref" || key == "nullable" || key.starts_with("x-") {
            continue;
        }
        if ANNOTATIONS.contains(&key.as_str()) {
            continue;
        }
        if key == "type" {
            let target_type = target.and_then(|t| t.get("type"));
            let fits = match (target_type, &map["type"]) {
                (Some(Value::String(t)), Value::String(s)) => t == s,
                (Some(Value::Array(ts)), Value::String(s)) => ts.iter().any(|t| t == s),
                _ => false,
            };
            if fits {
                continue;
            }
        }
        cx.problems.push(problem(
            &pointer::join(here, key),
            format!("`{key}` beside `$ref` is not generated: move it into the referenced schema"),
        ));
    }
    if map.get("nullable") == Some(&Value::Bool(true)) {
        map.remove("$ref");
        map.remove("type");
        map.insert("allOf".into(), json!([{"$ref": reference}]));
    }
}

/// 3.1's `mutualTLS` security scheme has no 3.0 form.
fn refuse_security_schemes(doc: &Value, problems: &mut Vec<Problem>) {
    let Some(schemes) = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return;
    };
    for (name, scheme) in schemes {
        if scheme.get("type").and_then(Value::as_str) == Some("mutualTLS") {
            problems.push(problem(
                &pointer::join(&pointer::join("/components/securitySchemes", name), "type"),
                "the `mutualTLS` security scheme is not generated: give the client a reqwest client with its certificate and drop the scheme in a fix-up".into(),
            ));
        }
    }
}

/// Every `$defs` entry becomes a component schema (named by its key, or prefixed with the name
/// of the component that held it when that is taken), and every reference to it follows.
/// Returns how many were hoisted.
fn hoist_defs(doc: &mut Value) -> usize {
    let mut count = 0;
    loop {
        let mut found: Option<(String, String)> = None;
        find_defs(doc, "", &mut found);
        let Some((holder, name)) = found else {
            return count;
        };
        let old = format!(
            "#{}",
            pointer::join(&pointer::join(&holder, "$defs"), &name)
        );
        let Some(schema) = doc
            .pointer_mut(&holder)
            .and_then(|h| h.get_mut("$defs"))
            .and_then(Value::as_object_mut)
            .and_then(|defs| defs.remove(&name))
        else {
            return count;
        };
        count += 1;
        if let Some(h) = doc.pointer_mut(&holder).and_then(Value::as_object_mut) {
            if h.get("$defs")
                .and_then(Value::as_object)
                .is_some_and(Map::is_empty)
            {
                h.remove("$defs");
            }
        }
        let root = doc.as_object_mut().expect("an object");
        let schemas = root
            .entry("components")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .map(|c| c.entry("schemas").or_insert_with(|| json!({})));
        let Some(Value::Object(schemas)) = schemas else {
            return count;
        };
        let owner = holder
            .strip_prefix("/components/schemas/")
            .map(|rest| pointer::unescape(rest.split('/').next().unwrap_or_default()))
            .unwrap_or_default();
        let mut new_name = name.clone();
        if schemas.contains_key(&new_name) {
            new_name = format!("{owner}{name}");
        }
        let mut n = 2;
        while schemas.contains_key(&new_name) {
            new_name = format!("{owner}{name}{n}");
            n += 1;
        }
        schemas.insert(new_name.clone(), schema);
        let new = format!("#/components/schemas/{}", pointer::escape(&new_name));
        retarget(doc, &old, &new);
    }
}

/// The first `$defs` entry in `value` (a holder's pointer and the entry's name).
fn find_defs(value: &Value, here: &str, found: &mut Option<(String, String)>) {
    if found.is_some() {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$defs")
                .and_then(Value::as_object)
                .and_then(|d| d.keys().next())
            {
                *found = Some((here.to_string(), name.clone()));
                return;
            }
            for (k, v) in map {
                find_defs(v, &pointer::join(here, k), found);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                find_defs(v, &format!("{here}/{i}"), found);
            }
        }
        _ => {}
    }
}

/// Every `$ref` equal to `old`, or inside what `old` names, now points under `new`.
fn retarget(value: &mut Value, old: &str, new: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                if r == old {
                    *r = new.to_string();
                } else if let Some(rest) = r.strip_prefix(old).filter(|rest| rest.starts_with('/'))
                {
                    *r = format!("{new}{rest}");
                }
            }
            map.values_mut().for_each(|v| retarget(v, old, new));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retarget(v, old, new)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn with_schema(schema: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"post": {
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "ok"}}
        }}}})
    }

    fn lowered_schema(schema: Value) -> Value {
        let doc = with_schema(schema);
        let lowered = lower(&doc).unwrap_or_else(|p| panic!("{p:?}"));
        assert_eq!(lowered.doc["openapi"], LOWERED_VERSION);
        lowered.doc["paths"]["/a"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            .clone()
    }

    fn refused(schema: Value) -> Vec<String> {
        lower(&with_schema(schema))
            .expect_err("refused")
            .into_iter()
            .map(|p| {
                let here = "/paths/~1a/post/requestBody/content/application~1json/schema";
                p.pointer
                    .strip_prefix(here)
                    .unwrap_or(&p.pointer)
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn a_30_document_is_left_as_it_is() {
        let doc = json!({"openapi": "3.0.3", "paths": {}, "webhooks": {}, "x": {"type": ["string", "null"]}});
        let lowered = lower(&doc).unwrap();
        assert!(matches!(lowered.doc, Cow::Borrowed(_)), "not copied");
        assert_eq!(
            lowered,
            Lowered {
                doc: Cow::Borrowed(&doc),
                notes: vec![],
                changes: 0
            }
        );
    }

    #[test]
    fn type_lists_become_nullable_types_or_unions_of_types() {
        assert_eq!(
            lowered_schema(json!({"type": ["string", "null"], "maxLength": 3})),
            json!({"type": "string", "nullable": true, "maxLength": 3})
        );
        assert_eq!(
            lowered_schema(json!({"type": ["integer"]})),
            json!({"type": "integer"})
        );
        assert_eq!(
            lowered_schema(json!({"type": ["integer", "number"], "minimum": 1})),
            json!({"type": "number", "minimum": 1})
        );
        // Several types: one option per type, each with its own keywords and enum values.
        assert_eq!(
            lowered_schema(json!({
                "type": ["string", "integer", "null"], "description": "d",
                "maxLength": 5, "maximum": 9, "enum": ["a", 1, null]
            })),
            json!({"description": "d", "nullable": true, "anyOf": [
                {"type": "string", "maxLength": 5, "enum": ["a"]},
                {"type": "integer", "maximum": 9, "enum": [1]}
            ]})
        );
    }

    #[test]
    fn const_null_in_enums_exclusive_bounds_and_examples_take_their_30_forms() {
        assert_eq!(
            lowered_schema(json!({"type": "number", "const": 400})),
            json!({"type": "number", "enum": [400]})
        );
        assert_eq!(
            lowered_schema(json!({"type": ["string", "null"], "enum": ["a", "b", null]})),
            json!({"type": "string", "enum": ["a", "b"], "nullable": true})
        );
        // Values without `null` exclude it, whatever the type list says.
        assert_eq!(
            lowered_schema(json!({"type": ["string", "null"], "enum": ["a"]})),
            json!({"type": "string", "enum": ["a"]})
        );
        assert_eq!(
            lowered_schema(json!({"type": ["string", "null"], "const": "a"})),
            json!({"type": "string", "enum": ["a"]})
        );
        assert_eq!(
            lowered_schema(
                json!({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10})
            ),
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true})
        );
        // Both bounds: the stricter stands.
        assert_eq!(
            lowered_schema(json!({"type": "integer", "minimum": 5, "exclusiveMinimum": 0})),
            json!({"type": "integer", "minimum": 5})
        );
        assert_eq!(
            lowered_schema(json!({"type": "integer", "minimum": 0, "exclusiveMinimum": 5})),
            json!({"type": "integer", "minimum": 5, "exclusiveMinimum": true})
        );
        assert_eq!(
            lowered_schema(json!({"type": "string", "examples": ["x", "y"]})),
            json!({"type": "string", "example": "x"})
        );
        assert_eq!(
            lowered_schema(json!({"type": "object", "properties": {
                "png": {"type": "string", "contentMediaType": "image/png"},
                "b64": {"type": "string", "contentEncoding": "base64", "contentMediaType": "image/png"},
                "doc": {"type": "string", "contentMediaType": "application/json"},
                "any": true
            }})),
            json!({"type": "object", "properties": {
                "png": {"type": "string", "format": "binary"},
                "b64": {"type": "string", "format": "byte"},
                "doc": {"type": "string"},
                "any": {}
            }})
        );
    }

    #[test]
    fn null_options_and_references_beside_keywords_take_their_30_forms() {
        let target = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        let doc = json!({"openapi": "3.1.0", "paths": {"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object",
            "properties": {
                "maybeRef": {"anyOf": [{"$ref": "#/components/schemas/T"}, {"type": "null"}], "description": "d"},
                "maybeText": {"oneOf": [{"type": "null"}, {"type": "string", "maxLength": 4}]},
                "union": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"const": null}]},
                "described": {"$ref": "#/components/schemas/T", "description": "why", "type": "object"},
                "nullableRef": {"$ref": "#/components/schemas/T", "type": ["object", "null"]}
            }
        }}}}}}}}, "components": {"schemas": {"T": target}}});
        let lowered = lower(&doc).unwrap().doc;
        let props = &lowered
            .pointer("/paths/~1a/get/responses/200/content/application~1json/schema/properties")
            .unwrap();
        assert_eq!(
            props["maybeRef"],
            json!({"allOf": [{"$ref": "#/components/schemas/T"}], "description": "d", "nullable": true})
        );
        assert_eq!(
            props["maybeText"],
            json!({"type": "string", "maxLength": 4, "nullable": true})
        );
        assert_eq!(
            props["union"],
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
        assert_eq!(
            props["described"],
            json!({"$ref": "#/components/schemas/T", "description": "why", "type": "object"})
        );
        assert_eq!(
            props["nullableRef"],
            json!({"allOf": [{"$ref": "#/components/schemas/T"}], "nullable": true})
        );
    }

    #[test]
    fn defs_path_items_webhooks_and_the_dialect_move_or_go_with_notes() {
        let doc = json!({
            "openapi": "3.1.1",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "webhooks": {"newThing": {"post": {"responses": {"200": {"description": "ok"}}}}},
            "paths": {"/things": {"$ref": "#/components/pathItems/Things", "summary": "mine"}},
            "components": {
                "pathItems": {"Things": {"summary": "theirs", "get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
                "schemas": {
                    "Thing": {"type": "object", "properties": {"tag": {"$ref": "#/components/schemas/Thing/$defs/Tag"}, "kind": {"$ref": "#/components/schemas/Thing/$defs/Kind"}},
                        "$defs": {"Tag": {"type": "string", "const": "t"}, "Kind": {"type": "string"}}},
                    "Kind": {"type": "integer"}
                }
            }
        });
        let lowered = lower(&doc).unwrap();
        // The dialect, the webhooks, one path item, the `Thing` schema, two `$defs`.
        assert_eq!(lowered.changes, 2 + 1 + 1 + 2, "{}", lowered.changes);
        assert_eq!(lowered.notes.len(), 2, "{:?}", lowered.notes);
        assert!(lowered.notes[0].contains("jsonSchemaDialect"));
        assert!(lowered.notes[1].contains("`webhooks` ignored (1 declared)"));
        let doc = lowered.doc;
        assert!(doc.get("webhooks").is_none() && doc.get("jsonSchemaDialect").is_none());
        assert!(doc["components"].get("pathItems").is_none());
        assert_eq!(doc["paths"]["/things"]["summary"], "mine");
        assert_eq!(
            doc["paths"]["/things"]["get"]["responses"]["200"]["description"],
            "ok"
        );
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["Tag"], json!({"type": "string", "enum": ["t"]}));
        assert_eq!(
            schemas["ThingKind"],
            json!({"type": "string"}),
            "`Kind` is taken"
        );
        assert_eq!(schemas["Kind"], json!({"type": "integer"}));
        assert!(schemas["Thing"].get("$defs").is_none());
        assert_eq!(
            schemas["Thing"]["properties"]["tag"]["$ref"],
            "#/components/schemas/Tag"
        );
        assert_eq!(
            schemas["Thing"]["properties"]["kind"]["$ref"],
            "#/components/schemas/ThingKind"
        );
        // Without `paths`: nothing to generate, said in a note.
        let doc = json!({"openapi": "3.1.0", "components": {}});
        let lowered = lower(&doc).unwrap();
        assert_eq!(lowered.doc["paths"], json!({}));
        assert_eq!(
            lowered.notes,
            ["the document has no `paths`: no operation is generated"]
        );
    }

    #[test]
    fn what_has_no_30_form_is_refused_with_its_pointer() {
        assert_eq!(
            refused(json!({"type": "array", "prefixItems": [{"type": "string"}]})),
            ["/prefixItems"]
        );
        assert_eq!(
            refused(json!({"type": "object", "properties": {"gone": {"type": "null"}}})),
            ["/properties/gone/type"]
        );
        assert_eq!(refused(json!({"anyOf": [{"type": "null"}]})), ["/anyOf"]);
        assert_eq!(refused(json!({"const": null})), ["/const"]);
        assert_eq!(refused(json!({"enum": [null]})), ["/enum"]);
        assert_eq!(
            refused(json!({"type": "string", "const": "a", "enum": ["a"]})),
            ["/const"]
        );
        assert_eq!(
            refused(json!({"type": "string", "contentEncoding": "quoted-printable"})),
            ["/contentEncoding"]
        );
        assert_eq!(
            refused(json!({"$ref": "#/components/schemas/X", "maxLength": 3})),
            ["/maxLength"]
        );
        assert_eq!(
            refused(json!({"type": ["string", "integer"], "anyOf": [{}]})),
            ["/type"]
        );
        assert_eq!(
            refused(json!({"type": "object", "properties": {"no": false}})),
            ["/properties/no"]
        );
        assert_eq!(
            refused(json!({"type": "object", "if": {}, "then": {}, "$id": "x"})),
            ["/if", "/then", "/$id"]
        );
        assert_eq!(
            refused(json!({"type": "string", "examples": "x"})),
            ["/examples"]
        );
        assert_eq!(refused(json!({"type": ["string", 1]})), ["/type/1"]);
        let doc = json!({"openapi": "3.1.0", "paths": {"/a": {"$ref": "#/components/pathItems/Gone"}},
            "components": {"securitySchemes": {"mtls": {"type": "mutualTLS"}}}});
        let pointers: Vec<String> = lower(&doc)
            .unwrap_err()
            .into_iter()
            .map(|p| p.pointer)
            .collect();
        assert_eq!(
            pointers,
            ["/paths/~1a/$ref", "/components/securitySchemes/mtls/type"]
        );
    }

    #[test]
    fn malformed_documents_are_problems_not_panics() {
        let garbage = [
            json!({"openapi": "3.1.0", "paths": []}),
            json!({"openapi": "3.1.0", "paths": {"/a": 1, "/b": {"$ref": 3}, "/c": {"$ref": "#/components/pathItems/C"}}, "components": {"pathItems": []}}),
            json!({"openapi": "3.1.0", "paths": {"/a": {"get": {"parameters": {}, "requestBody": 1, "responses": []}}}}),
            json!({"openapi": "3.1.0", "paths": {"/a": {"get": {"parameters": [1, {"schema": 2}], "responses": {"200": {"content": {"a/b": {"schema": {"type": 3, "properties": [], "anyOf": {}, "items": [true]}}}}}}}}}),
            json!({"openapi": "3.1.0", "components": {"schemas": 1, "parameters": {"p": 2}}}),
            json!({"openapi": "3.1.0", "components": {"schemas": {"A": {"$defs": 1, "enum": 2, "const": [], "exclusiveMinimum": "x", "examples": [], "contentMediaType": 1}}}}),
            json!({"openapi": "3.1.0", "components": {"schemas": {"A": {"$ref": "#/nowhere", "type": ["object", "null"], "$defs": {"B": {"$defs": {"C": {}}}}}}}}),
        ];
        for doc in &garbage {
            let _ = lower(doc);
        }
        let problems = lower(&garbage[3]).unwrap_err();
        assert!(
            problems
                .iter()
                .all(|p| p.pointer.starts_with("/paths/~1a/get/")),
            "{problems:?}"
        );
    }
}
