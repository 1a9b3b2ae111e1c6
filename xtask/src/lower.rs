//! Lowering stage (after check, before fix-ups): rewrites ordinary OpenAPI 3.0 constructs that
//! progenitor or the later stages do not take as they are into the equivalent forms they do, so
//! that any document Infisical publishes generates. Unlike the fix-ups these are not quirks of
//! one document: each pass changes nothing in a document that does not use its construct.
//!
//! After this stage every operation has an `operationId`; its parameters, request body and
//! responses are inline (no `$ref` outside schemas, no path-item parameters); a path parameter is
//! required; a request body has one media type and every media type a schema; an operation
//! without a 2xx answer has a `2XX` one, with the 3xx statuses it may answer in
//! [`REDIRECTS`]; primitive unions are named (`Boolean`, `String`, ...) or, in parameters,
//! collapsed to the type the string option only spells out.

use heck::ToUpperCamelCase;
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::document::ops::{self, FORM, JSON};
use crate::document::{pointer, refs};
use crate::passes::{self, Applied, Pass};
use crate::problem::Problem;

/// The operation extension listing the 3xx statuses that answer an operation without a body
/// of its own (`["302"]`, or `["3XX"]` for an operation that declared only `default`).
pub const REDIRECTS: &str = "x-redirect-statuses";

/// Plain text, as progenitor sends it.
pub const TEXT: &str = "text/plain";
/// Raw bytes.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// Every lowering pass, in order.
pub const PASSES: &[(&str, Pass)] = &[
    ("inline_component_references", inline_component_references),
    ("name_unnamed_operations", name_unnamed_operations),
    ("required_path_parameters", required_path_parameters),
    ("one_request_media_type", one_request_media_type),
    ("media_type_schemas", media_type_schemas),
    ("success_responses", success_responses),
    ("primitive_unions", primitive_unions),
];

/// Runs every lowering pass on a copy of `doc`.
pub fn apply(doc: &Value, cfg: &Config) -> Result<(Value, Vec<Applied>), Problem> {
    passes::run(doc, cfg, PASSES)
}

/// `(path, method)` of every operation, in document order.
fn operation_keys(doc: &Value) -> Vec<(String, &'static str)> {
    ops::operations(doc)
        .into_iter()
        .map(|op| (op.path.to_string(), op.method))
        .collect()
}

fn problem(pointer: &str, message: String) -> Problem {
    Problem {
        pointer: pointer.into(),
        message,
    }
}

/// A `$ref`-ed parameter, request body or response replaced by (a copy of) its target.
fn inlined(doc: &Value, value: &Value, here: &str) -> Result<Option<Value>, Problem> {
    let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
        return Ok(None);
    };
    let target = refs::resolve(doc, value);
    if target.get("$ref").is_some() || refs::target(doc, reference).is_none() {
        return Err(problem(
            here,
            format!("reference `{reference}` does not resolve in this document (or loops): fix the reference"),
        ));
    }
    Ok(Some(target.clone()))
}

/// Construct: parameters, request bodies and responses given as `$ref`s to `components`, and
/// parameters declared on the path item for all its operations. Each is copied into the
/// operation that uses it (an operation's own parameter of the same `in` and `name` wins), so
/// that every later stage reads an operation alone. Schemas stay `$ref`s: they are types.
pub fn inline_component_references(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    let source = doc.clone();
    let mut count = 0;
    let paths: Vec<String> = source
        .get("paths")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for path in paths {
        let item_ptr = pointer::join("/paths", &path);
        let Some(item) = doc["paths"][&path].as_object_mut() else {
            continue;
        };
        let shared = item.remove("parameters");
        let mut shared_params = Vec::new();
        for (i, param) in shared
            .as_ref()
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let here = format!("{item_ptr}/parameters/{i}");
            shared_params.push(inlined(&source, param, &here)?.unwrap_or_else(|| param.clone()));
            count += 1;
        }
        for method in ops::METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let op_ptr = pointer::join(&item_ptr, method);
            let mut params: Vec<Value> = Vec::new();
            for (i, param) in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let here = format!("{op_ptr}/parameters/{i}");
                match inlined(&source, param, &here)? {
                    Some(target) => {
                        params.push(target);
                        count += 1;
                    }
                    None => params.push(param.clone()),
                }
            }
            let key = |p: &Value| (p.get("in").cloned(), p.get("name").cloned());
            let own: Vec<_> = params.iter().map(key).collect();
            let inherited: Vec<Value> = shared_params
                .iter()
                .filter(|p| !own.contains(&key(p)))
                .cloned()
                .collect();
            if !inherited.is_empty() || op.contains_key("parameters") {
                let mut all = inherited;
                all.extend(params);
                op.insert("parameters".into(), Value::Array(all));
            }
            if let Some(body) = op.get("requestBody") {
                if let Some(target) = inlined(&source, body, &format!("{op_ptr}/requestBody"))? {
                    op.insert("requestBody".into(), target);
                    count += 1;
                }
            }
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                for (code, response) in responses.iter_mut() {
                    let here = pointer::join(&format!("{op_ptr}/responses"), code);
                    if let Some(target) = inlined(&source, response, &here)? {
                        *response = target;
                        count += 1;
                    }
                }
            }
        }
    }
    Ok(count)
}

/// Construct: operations without an `operationId` (every operation of Infisical's 2023
/// documents, and some tag groups today); every generated method needs a name. Names them
/// `<method><Path in camel case>`, e.g. `post /api/v1/auth/token/renew` becomes
/// `postApiV1AuthTokenRenew`; a `{param}` segment reads `By<Param>`. A name already taken gets a
/// number (`...2`).
pub fn name_unnamed_operations(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    let mut taken: std::collections::BTreeSet<String> = ops::operations(doc)
        .iter()
        .filter_map(|op| op.id().map(str::to_owned))
        .collect();
    let missing: Vec<(String, &'static str)> = ops::operations(doc)
        .into_iter()
        .filter(|op| op.id().is_none())
        .map(|op| (op.path.to_string(), op.method))
        .collect();
    for (path, method) in &missing {
        let base = operation_name_from_path(method, path);
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        taken.insert(name.clone());
        doc["paths"][path][*method]["operationId"] = Value::String(name);
    }
    Ok(missing.len())
}

/// The name [`name_unnamed_operations`] gives an operation.
pub fn operation_name_from_path(method: &str, path: &str) -> String {
    let mut name = method.to_string();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            name.push_str("By");
            name.push_str(&param.to_upper_camel_case());
        } else {
            name.push_str(&segment.to_upper_camel_case());
        }
    }
    name
}

/// Construct: a path parameter without `required: true`. OpenAPI requires it (a path segment
/// cannot be absent) and progenitor asserts it; sets it.
pub fn required_path_parameters(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    Ok(passes::each_parameter(doc, &mut |param| {
        if param["in"] == "path" && param.get("required") != Some(&Value::Bool(true)) {
            param["required"] = Value::Bool(true);
            return 1;
        }
        0
    }))
}

/// The request media types the generated client can send, best first. The check stage refuses a
/// body that offers none of them.
pub const REQUEST_MEDIA_TYPES: [&str; 4] = [JSON, FORM, TEXT, OCTET_STREAM];

/// Which entry of [`REQUEST_MEDIA_TYPES`] a media type is (parameters such as `; charset=utf-8`
/// ignored), if any.
pub fn request_media_rank(media: &str) -> Option<usize> {
    let essence = media.split(';').next().unwrap_or("").trim();
    REQUEST_MEDIA_TYPES
        .iter()
        .position(|m| m.eq_ignore_ascii_case(essence))
}

/// Construct: a request body offered in several media types (Infisical's server takes JSON and
/// form bodies alike). A generated method sends one: keeps the best of
/// [`REQUEST_MEDIA_TYPES`], under its plain name.
pub fn one_request_media_type(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    let mut count = 0;
    for (path, method) in operation_keys(doc) {
        let Some(content) = doc["paths"][&path][method]
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let best = content
            .iter()
            .filter_map(|(media, v)| request_media_rank(media).map(|r| (r, media, v)))
            .min_by_key(|(r, _, _)| *r)
            .map(|(r, media, v)| (REQUEST_MEDIA_TYPES[r], media.clone(), v.clone()));
        if let Some((name, original, value)) = best {
            if content.len() > 1 || original != name {
                content.clear();
                content.insert(name.to_string(), value);
                count += 1;
            }
        }
    }
    Ok(count)
}

/// Construct: media types without a schema, and text or byte bodies with schemas progenitor does
/// not take (it wants exactly a string, and `format: binary` for bytes). Request bodies: JSON
/// without a schema is any JSON, a form without one an object, text a string, bytes a binary
/// string. JSON answers without a schema are any JSON.
pub fn media_type_schemas(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    let mut count = 0;
    for (path, method) in operation_keys(doc) {
        let op = &mut doc["paths"][&path][method];
        if let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        {
            for (media, value) in content.iter_mut() {
                let wanted = match media.as_str() {
                    TEXT => Some(json!({"type": "string"})),
                    OCTET_STREAM => Some(json!({"type": "string", "format": "binary"})),
                    FORM if value.get("schema").is_none() => Some(json!({"type": "object"})),
                    JSON if value.get("schema").is_none() => Some(json!({})),
                    _ => None,
                };
                if let Some(schema) = wanted {
                    let kept = value
                        .get("schema")
                        .and_then(|s| s.get("description"))
                        .cloned();
                    if value.get("schema").map(without_description) != Some(schema.clone()) {
                        let mut schema = schema;
                        if let Some(d) = kept {
                            schema["description"] = d;
                        }
                        value["schema"] = schema;
                        count += 1;
                    }
                }
            }
        }
        if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
            for response in responses.values_mut() {
                let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
                else {
                    continue;
                };
                for (media, value) in content.iter_mut() {
                    if media.starts_with(JSON) && value.get("schema").is_none() {
                        if let Some(v) = value.as_object_mut() {
                            v.insert("schema".into(), json!({}));
                            count += 1;
                        }
                    }
                }
            }
        }
    }
    Ok(count)
}

fn without_description(schema: &Value) -> Value {
    let mut s = schema.clone();
    if let Some(o) = s.as_object_mut() {
        o.remove("description");
    }
    s
}

/// Construct: operations that declare no 2xx answer: only `default` (Infisical's SSO redirects),
/// only 3xx redirects, or only errors. Progenitor counts `default` as success and error at once
/// and would decode every status into one type. Gives each a `2XX` success: `default`'s own
/// content when it is the only answer, else none. The 3xx statuses are moved into
/// [`REDIRECTS`] (all of `3XX` when only `default` was declared): the client answers them as
/// success too, with the `Location` readable from the response headers.
pub fn success_responses(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    let mut count = 0;
    for (path, method) in operation_keys(doc) {
        let op = &mut doc["paths"][&path][method];
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        if responses.keys().any(|c| c.starts_with('2')) {
            continue;
        }
        let only_default = responses.len() == 1 && responses.contains_key("default");
        let mut redirects: Vec<Value> = responses
            .keys()
            .filter(|c| c.starts_with('3'))
            .map(|c| Value::String(c.clone()))
            .collect();
        responses.retain(|c, _| !c.starts_with('3'));
        let success = if only_default {
            redirects.push(Value::String("3XX".into()));
            responses.remove("default").unwrap_or_else(|| json!({}))
        } else {
            json!({"description": "Success (no answer body declared)."})
        };
        let mut success = success;
        if let Some(o) = success.as_object_mut() {
            o.entry("description")
                .or_insert_with(|| Value::String(String::new()));
        }
        responses.insert("2XX".into(), success);
        if !redirects.is_empty() {
            op[REDIRECTS] = Value::Array(redirects);
        }
        count += 1;
    }
    Ok(count)
}

/// The primitive type keywords.
const PRIMITIVES: [&str; 4] = ["boolean", "integer", "number", "string"];

/// The type keyword of an option of a primitive union: a primitive, or an array of primitives
/// (`array`); `None` for objects, references and untyped options.
fn primitive_kind(option: &Value) -> Option<&str> {
    let ty = option.get("type")?.as_str()?;
    if PRIMITIVES.contains(&ty) {
        return Some(ty);
    }
    if ty == "array" {
        return option
            .get("items")
            .and_then(primitive_kind)
            .map(|_| "array");
    }
    None
}

/// Construct: `anyOf` / `oneOf` whose options are all primitives (or arrays of primitives).
/// In a parameter, where every value travels as text, `[boolean, string]` (how Infisical's
/// schemas declare every coerced query flag) is the boolean, and likewise a union of one
/// non-string type with `string` is that type. Elsewhere the union stays a union (an untagged
/// enum): each option gets a `title` naming its type (`Boolean`, `Integer`, `Number`,
/// `String`, `StringList`, ...), so the enum's variants read as what they hold.
pub fn primitive_unions(doc: &mut Value, _cfg: &Config) -> Result<usize, Problem> {
    let mut count = passes::each_parameter(doc, &mut |param| {
        let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) else {
            return 0;
        };
        let Some(collapsed) = collapse_parameter_union(schema) else {
            return 0;
        };
        for key in ["anyOf", "oneOf"] {
            schema.remove(key);
        }
        for (k, v) in collapsed {
            schema.entry(k).or_insert(v);
        }
        1
    });
    count += passes::each_object(doc, "", &mut |map, _here| {
        let key = if map.contains_key("anyOf") {
            "anyOf"
        } else {
            "oneOf"
        };
        let Some(Value::Array(options)) = map.get(key) else {
            return Ok(0);
        };
        let kinds: Option<Vec<&str>> = options.iter().map(primitive_kind).collect();
        let Some(kinds) = kinds else { return Ok(0) };
        if options.iter().all(|o| o.get("title").is_some()) && key == "oneOf" {
            return Ok(0);
        }
        let names = primitive_option_names(options, &kinds);
        let mut options = options.clone();
        for (option, name) in options.iter_mut().zip(names) {
            if let Some(o) = option.as_object_mut() {
                o.entry("title").or_insert(Value::String(name));
            }
        }
        map.remove(key);
        map.insert("oneOf".into(), Value::Array(options));
        Ok(1)
    })?;
    Ok(count)
}

/// The single-type schema a parameter union stands for, if it is one non-string primitive (any
/// number of times, with the same keywords) beside `string` options.
fn collapse_parameter_union(schema: &Map<String, Value>) -> Option<Map<String, Value>> {
    let options = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))?
        .as_array()?;
    let kinds: Vec<&str> = options.iter().map(primitive_kind).collect::<Option<_>>()?;
    let typed: Vec<&Value> = options
        .iter()
        .zip(&kinds)
        .filter(|(_, k)| **k != "string")
        .map(|(o, _)| o)
        .collect();
    match typed.as_slice() {
        [first, rest @ ..] if rest.iter().all(|o| o == first) && typed.len() < options.len() => {
            first.as_object().cloned()
        }
        _ => None,
    }
}

/// Variant names for the options of a primitive union, by type (`StringList` for an array of
/// strings); a name used twice is numbered.
fn primitive_option_names(options: &[Value], kinds: &[&str]) -> Vec<String> {
    let base: Vec<String> = options
        .iter()
        .zip(kinds)
        .map(|(o, k)| match *k {
            "array" => {
                let item = o.get("items").and_then(primitive_kind).unwrap_or("value");
                format!("{}List", item.to_upper_camel_case())
            }
            k => k.to_upper_camel_case(),
        })
        .collect();
    base.iter()
        .enumerate()
        .map(|(i, name)| {
            if base.iter().filter(|n| *n == name).count() > 1 {
                format!("{name}{}", base[..=i].iter().filter(|n| *n == name).count())
            } else {
                name.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn cfg() -> Config {
        Config::default()
    }

    #[test]
    fn references_and_path_item_parameters_are_inlined() {
        let mut doc = json!({
            "paths": {"/a/{id}": {
                "parameters": [{"$ref": "#/components/parameters/Id"}, {"in": "query", "name": "q", "schema": {"type": "string"}}],
                "get": {
                    "parameters": [{"in": "query", "name": "q", "schema": {"type": "integer"}}],
                    "requestBody": {"$ref": "#/components/requestBodies/B"},
                    "responses": {"200": {"$ref": "#/components/responses/R"}}
                }
            }},
            "components": {
                "parameters": {"Id": {"in": "path", "name": "id", "required": true, "schema": {"type": "string"}}},
                "requestBodies": {"B": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}}},
                "responses": {"R": {"description": "ok"}},
                "schemas": {"S": {"type": "object"}}
            }
        });
        let n = inline_component_references(&mut doc, &cfg()).unwrap();
        assert_eq!(
            n, 4,
            "two path-item parameters moved, one body and one answer inlined"
        );
        let op = &doc["paths"]["/a/{id}"]["get"];
        assert_eq!(op["parameters"][0]["name"], "id");
        assert_eq!(
            op["parameters"][1]["schema"]["type"], "integer",
            "the operation's own wins"
        );
        assert_eq!(op["parameters"].as_array().unwrap().len(), 2);
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/S"
        );
        assert_eq!(op["responses"]["200"]["description"], "ok");
        assert!(doc["paths"]["/a/{id}"].get("parameters").is_none());
        let mut broken = json!({"paths": {"/a": {"get": {"requestBody": {"$ref": "#/components/requestBodies/Nope"}}}}});
        let p = inline_component_references(&mut broken, &cfg()).unwrap_err();
        assert_eq!(p.pointer, "/paths/~1a/get/requestBody");
    }

    #[test]
    fn unnamed_operations_get_distinct_names_from_method_and_path() {
        assert_eq!(
            operation_name_from_path("get", "/api/v1/auth/token-auth/tokens/{tokenId}"),
            "getApiV1AuthTokenAuthTokensByTokenId"
        );
        let mut doc = json!({"paths": {"/a/{id}": {"post": {}}, "/a/{id}/": {"post": {}}}});
        assert_eq!(name_unnamed_operations(&mut doc, &cfg()).unwrap(), 2);
        assert_eq!(doc["paths"]["/a/{id}"]["post"]["operationId"], "postAById");
        assert_eq!(
            doc["paths"]["/a/{id}/"]["post"]["operationId"],
            "postAById2"
        );
    }

    #[test]
    fn one_media_type_per_body_with_a_schema_progenitor_takes() {
        let mut doc = json!({"paths": {
            "/a": {"post": {"requestBody": {"content": {
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                "application/json; charset=utf-8": {}
            }}}},
            "/b": {"post": {"requestBody": {"content": {"text/plain": {"schema": {"type": "string", "maxLength": 9}}}},
                "responses": {"200": {"content": {"application/json": {}}}}}},
            "/c": {"post": {"requestBody": {"content": {"application/octet-stream": {}}}}}
        }});
        assert_eq!(one_request_media_type(&mut doc, &cfg()).unwrap(), 1);
        assert_eq!(media_type_schemas(&mut doc, &cfg()).unwrap(), 4);
        assert_eq!(
            doc["paths"]["/a"]["post"]["requestBody"]["content"],
            json!({"application/json": {"schema": {}}})
        );
        assert_eq!(
            doc["paths"]["/b"]["post"]["requestBody"]["content"]["text/plain"]["schema"],
            json!({"type": "string"})
        );
        assert_eq!(
            doc["paths"]["/b"]["post"]["responses"]["200"]["content"]["application/json"]["schema"],
            json!({})
        );
        assert_eq!(
            doc["paths"]["/c"]["post"]["requestBody"]["content"]["application/octet-stream"]
                ["schema"]["format"],
            "binary"
        );
    }

    #[test]
    fn operations_without_a_2xx_answer_get_one() {
        let mut doc = json!({"paths": {
            "/sso": {"get": {"responses": {"default": {"description": ""}}}},
            "/moved": {"get": {"responses": {"302": {"description": ""}, "400": {"description": ""}}}},
            "/errors": {"get": {"responses": {"400": {"description": ""}}}},
            "/ok": {"get": {"responses": {"200": {"description": ""}, "default": {"description": ""}}}}
        }});
        assert_eq!(success_responses(&mut doc, &cfg()).unwrap(), 3);
        let codes = |p: &str| -> Vec<String> {
            doc["paths"][p]["get"]["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(codes("/sso"), ["2XX"]);
        assert_eq!(doc["paths"]["/sso"]["get"][REDIRECTS], json!(["3XX"]));
        assert_eq!(codes("/moved"), ["400", "2XX"]);
        assert_eq!(doc["paths"]["/moved"]["get"][REDIRECTS], json!(["302"]));
        assert_eq!(codes("/errors"), ["400", "2XX"]);
        assert!(doc["paths"]["/errors"]["get"].get(REDIRECTS).is_none());
        assert_eq!(codes("/ok"), ["200", "default"]);
    }

    #[test]
    fn primitive_unions_are_named_or_collapsed_in_parameters() {
        let mut doc = json!({"paths": {"/a": {"post": {
            "parameters": [
                {"in": "query", "name": "recursive", "schema": {"anyOf": [{"type": "boolean"}, {"type": "string"}], "default": false}},
                {"in": "query", "name": "mixed", "schema": {"anyOf": [{"type": "boolean"}, {"type": "integer"}]}}
            ],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                "value": {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "array", "items": {"type": "string"}}]},
                "object": {"anyOf": [{"type": "object", "properties": {}}, {"type": "string"}]}
            }}}}}
        }}}});
        assert_eq!(primitive_unions(&mut doc, &cfg()).unwrap(), 3);
        let op = &doc["paths"]["/a"]["post"];
        assert_eq!(
            op["parameters"][0]["schema"],
            json!({"type": "boolean", "default": false})
        );
        let titles = |v: &Value| -> Vec<String> {
            v["oneOf"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["title"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(
            titles(&op["parameters"][1]["schema"]),
            ["Boolean", "Integer"]
        );
        let props = &op["requestBody"]["content"]["application/json"]["schema"]["properties"];
        assert_eq!(titles(&props["value"]), ["String", "Number", "StringList"]);
        assert!(
            props["object"].get("anyOf").is_some(),
            "object unions are the fix-ups' business"
        );
    }
}
