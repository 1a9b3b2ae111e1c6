//! Check stage: refuse documents the generator cannot turn into correct code, with an error that
//! names the JSON pointer of the construct and what to do about it. Runs on the document as loaded
//! (an OpenAPI 3.1 document lowered in place to the 3.0 model first, `document::openapi31`),
//! before fix-ups, so the pointers match the file the user has.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::document::{ops, pointer, refs};
use crate::lower;

use crate::problem::Problem;

/// Runs every check and returns all problems found (empty means the document is supported).
pub fn check(doc: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_version(doc, &mut problems);
    if doc.get("paths").and_then(Value::as_object).is_none() {
        problems.push(problem("/paths", "the document has no `paths` object"));
        return problems;
    }
    for op in ops::operations(doc) {
        check_operation(doc, &op, &mut problems);
    }
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            if item.get("$ref").is_some() {
                problems.push(problem(
                    &pointer::join(&pointer::join("/paths", path), "$ref"),
                    "path item references are not generated: inline the path item",
                ));
            }
        }
    }
    walk_schemas(doc, "", &mut problems);
    problems
}

fn problem(pointer: &str, message: &str) -> Problem {
    Problem {
        pointer: pointer.to_string(),
        message: message.to_string(),
    }
}

fn check_version(doc: &Value, problems: &mut Vec<Problem>) {
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => problems.push(problem(
            "/openapi",
            &format!("OpenAPI {v} is not supported: 3.0.x and 3.1.x documents can be generated (convert the document to 3.1)"),
        )),
        None => problems.push(problem(
            "/openapi",
            "missing `openapi` version: OpenAPI 3.0.x and 3.1.x documents are supported",
        )),
    }
}

/// The parameters an operation takes: the path item's and its own (references resolved), each
/// with its pointer in the document as loaded.
fn parameters<'a>(doc: &'a Value, op: &ops::Op<'a>) -> Vec<(String, &'a Value)> {
    let item_ptr = pointer::join("/paths", op.path);
    let item = doc.get("paths").and_then(|p| p.get(op.path));
    let shared = item
        .and_then(|i| i.get("parameters"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, p)| (format!("{item_ptr}/parameters/{i}"), refs::resolve(doc, p)));
    let own = op.parameters().enumerate().map(|(i, p)| {
        (
            format!("{}/parameters/{i}", op.pointer()),
            refs::resolve(doc, p),
        )
    });
    shared.chain(own).collect()
}

fn check_operation(doc: &Value, op: &ops::Op<'_>, problems: &mut Vec<Problem>) {
    let base = op.pointer();
    let mut path_params = BTreeMap::new();
    for (here, param) in parameters(doc, op) {
        if param.get("$ref").is_some() {
            problems.push(problem(
                &here,
                "this parameter reference does not resolve in the document: fix the `$ref`",
            ));
            continue;
        }
        let style = param.get("style").and_then(Value::as_str);
        match param.get("in").and_then(Value::as_str) {
            Some("path") => {
                if let Some(name) = param.get("name").and_then(Value::as_str) {
                    path_params.insert(name.to_string(), here.clone());
                }
                if style.is_some_and(|s| s != "simple") {
                    problems.push(problem(&format!("{here}/style"), "only the `simple` style is generated for path parameters: drop the style in a fix-up"));
                }
            }
            Some("query") => {
                if style.is_some_and(|s| s != "form") {
                    problems.push(problem(&format!("{here}/style"), "only the `form` style is generated for query parameters: drop the style in a fix-up"));
                }
            }
            Some("header") => {
                if style.is_some_and(|s| s != "simple") {
                    problems.push(problem(&format!("{here}/style"), "only the `simple` style is generated for header parameters: drop the style in a fix-up"));
                }
            }
            Some("cookie") => problems.push(problem(
                &format!("{here}/in"),
                "cookie parameters are not generated: give the client a reqwest client with a cookie store and drop the parameter in a fix-up",
            )),
            Some(other) => problems.push(problem(
                &format!("{here}/in"),
                &format!("`{other}` is not a parameter location (path, query, header or cookie)"),
            )),
            None => problems.push(problem(&here, "parameter without `in`")),
        }
        if param.get("schema").is_none() {
            problems.push(problem(
                &here,
                "parameter without a `schema` (`content` is not generated): give it a schema in a fix-up",
            ));
        }
    }
    for name in ops::template_names(op.path) {
        if path_params.remove(&name).is_none() {
            problems.push(problem(
                &base,
                &format!("the path names `{{{name}}}` but no path parameter `{name}` is declared: declare it"),
            ));
        }
    }
    // A declared path parameter the template does not name is an upstream mistake the fix-up
    // `drop_stray_path_parameters` absorbs.
    let body = op.op.get("requestBody").map(|b| refs::resolve(doc, b));
    if let Some(content) = body
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
    {
        if !content.is_empty()
            && !content
                .keys()
                .any(|m| lower::request_media_rank(m).is_some())
        {
            let media: Vec<&str> = content.keys().map(String::as_str).collect();
            problems.push(problem(
                &format!("{base}/requestBody/content"),
                &format!(
                    "request media type {} cannot be sent by the generated client (it sends {}): add one of those in a fix-up",
                    media.join(", "),
                    lower::REQUEST_MEDIA_TYPES.join(", ")
                ),
            ));
        }
    }
    match op.op.get("responses").and_then(Value::as_object) {
        None => problems.push(problem(
            &format!("{base}/responses"),
            "operation has no responses",
        )),
        Some(responses) => {
            // Progenitor returns one type on success: every 2xx answer must have the same kind
            // of body (JSON, other media, or none), and at most one JSON schema.
            let kind = |r: &Value| {
                let r = refs::resolve(doc, r);
                match r.get("content").and_then(Value::as_object) {
                    Some(c) if c.keys().any(|m| m.starts_with(ops::JSON)) => "a JSON body",
                    Some(c) if !c.is_empty() => "a non-JSON body",
                    _ => "no body",
                }
            };
            let success: Vec<(&String, &str)> = responses
                .iter()
                .filter(|(c, _)| c.starts_with('2'))
                .map(|(c, r)| (c, kind(r)))
                .collect();
            if let Some((first_code, first_kind)) = success.first() {
                let json_count = success.iter().filter(|(_, k)| *k == "a JSON body").count();
                if let Some((code, other)) = success.iter().find(|(_, k)| k != first_kind) {
                    problems.push(problem(
                        &pointer::join(&format!("{base}/responses"), code),
                        &format!("success answers differ: {first_code} has {first_kind}, {code} has {other}; a generated operation returns one type: keep one in a fix-up pass"),
                    ));
                } else if json_count > 1 {
                    problems.push(problem(
                        &pointer::join(&format!("{base}/responses"), success[1].0),
                        &format!("several success responses with bodies ({}): a generated operation returns one type; keep one in a fix-up pass", success.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", ")),
                    ));
                }
            }
        }
    }
}

/// Schema keywords that typify cannot represent faithfully.
fn walk_schemas(value: &Value, here: &str, problems: &mut Vec<Problem>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                if !r.starts_with("#/") {
                    problems.push(problem(
                        here,
                        &format!("external reference `{r}` is not supported: bundle the document into one file first"),
                    ));
                }
            }
            if map.contains_key("not") && map.contains_key("type") | map.contains_key("properties")
            {
                problems.push(problem(
                    &format!("{here}/not"),
                    "`not` in a schema is not supported: remove it in a fix-up pass or describe the constraint in the validation layer",
                ));
            }
            for (k, v) in map {
                walk_schemas(v, &pointer::join(here, k), problems);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk_schemas(v, &format!("{here}/{i}"), problems);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_default_spec_passes() {
        let doc = crate::test_support::embedded_spec();
        assert_eq!(check(&doc), vec![]);
    }

    #[test]
    fn several_success_bodies_are_reported_before_progenitor_panics() {
        let body = json!({"description": "", "content": {"application/json": {"schema": {"type": "string"}}}});
        let doc = json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {"200": body, "201": body}}}}});
        let problems = check(&doc);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pointer, "/paths/~1a/get/responses/201");
        let doc = json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {"200": body, "204": {"description": ""}}}}}});
        let problems = check(&doc);
        assert_eq!(problems[0].pointer, "/paths/~1a/get/responses/204");
        assert!(
            problems[0].message.contains("no body"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn ordinary_constructs_pass() {
        let doc = json!({"openapi": "3.0.0", "paths": {
            "/a/{id}": {
                "parameters": [{"$ref": "#/components/parameters/Id"}],
                "post": {
                    "parameters": [{"in": "header", "name": "x-date", "schema": {"type": "string"}}],
                    "requestBody": {"content": {"text/plain": {}, "application/xml": {}}},
                    "responses": {"default": {"description": ""}}
                }
            }
        }, "components": {"parameters": {"Id": {"in": "path", "name": "id", "schema": {"type": "string"}}}}});
        assert_eq!(check(&doc), vec![]);
    }

    #[test]
    fn what_cannot_be_generated_is_reported_with_its_pointer() {
        let doc = json!({"openapi": "3.2.0", "paths": {
            "/a/{id}": {"post": {
                "parameters": [
                    {"in": "cookie", "name": "session", "schema": {"type": "string"}},
                    {"in": "path", "name": "other", "required": true, "schema": {"type": "string"}},
                    {"$ref": "#/components/parameters/Missing"}
                ],
                "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": ""}}}}
        }});
        let pointers: Vec<_> = check(&doc).into_iter().map(|p| p.pointer).collect();
        assert_eq!(
            pointers,
            vec![
                "/openapi",
                "/paths/~1a~1{id}/post/parameters/0/in",
                "/paths/~1a~1{id}/post/parameters/2",
                "/paths/~1a~1{id}/post",
                "/paths/~1a~1{id}/post/requestBody/content"
            ]
        );
    }
}
