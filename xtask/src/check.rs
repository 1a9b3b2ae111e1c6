//! Check stage: refuse documents the generator cannot turn into correct code, with an error that
//! names the JSON pointer of the construct and what to do about it. Runs on the document as loaded,
//! before fix-ups, so the pointers match the file the user has.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{ops, pointer};

/// One reason the document cannot be generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where: a JSON pointer into the document as loaded.
    pub pointer: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// Runs every check and returns all problems found (empty means the document is supported).
pub fn check(doc: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_version(doc, &mut problems);
    if doc.get("paths").and_then(Value::as_object).is_none() {
        problems.push(problem("/paths", "the document has no `paths` object"));
        return problems;
    }
    check_operation_ids(doc, &mut problems);
    for op in ops::operations(doc) {
        check_operation(&op, &mut problems);
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
            &format!("OpenAPI {v} is not supported: only 3.0.x documents can be generated (convert the document to 3.0.3)"),
        )),
        None => problems.push(problem(
            "/openapi",
            "missing `openapi` version: only OpenAPI 3.0.x documents are supported",
        )),
    }
}

fn check_operation_ids(doc: &Value, problems: &mut Vec<Problem>) {
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    for op in ops::operations(doc) {
        let Some(id) = op.id() else { continue };
        let here = pointer::join(&op.pointer(), "operationId");
        if let Some(first) = seen.get(id) {
            problems.push(problem(
                &here,
                &format!("operationId `{id}` is also used at {first}: operationIds must be unique (rename one)"),
            ));
        } else {
            seen.insert(id, here);
        }
    }
}

fn check_operation(op: &ops::Op<'_>, problems: &mut Vec<Problem>) {
    let base = op.pointer();
    for (i, param) in op.parameters().enumerate() {
        let here = format!("{base}/parameters/{i}");
        if param.get("$ref").is_some() {
            problems.push(problem(
                &here,
                "parameter references are not supported: inline the parameter",
            ));
            continue;
        }
        match param.get("in").and_then(Value::as_str) {
            Some("path" | "query") => {}
            Some(other) => problems.push(problem(
                &format!("{here}/in"),
                &format!("`{other}` parameters are not supported: only path and query parameters are generated (move it into the body or drop it in a fix-up)"),
            )),
            None => problems.push(problem(&here, "parameter without `in`")),
        }
    }
    if let Some(content) = op
        .op
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
    {
        for media in content.keys() {
            if media != "application/json" {
                problems.push(problem(
                    &pointer::join(&format!("{base}/requestBody/content"), media),
                    &format!("request media type `{media}` is not supported: only application/json bodies are generated"),
                ));
            }
        }
    }
    match op.op.get("responses").and_then(Value::as_object) {
        None => problems.push(problem(
            &format!("{base}/responses"),
            "operation has no responses",
        )),
        Some(responses) => {
            let with_body: Vec<&String> = responses
                .iter()
                .filter(|(c, r)| {
                    c.starts_with('2')
                        && r.get("content")
                            .is_some_and(|c| c.as_object().is_some_and(|m| !m.is_empty()))
                })
                .map(|(c, _)| c)
                .collect();
            if with_body.len() > 1 {
                problems.push(problem(
                    &pointer::join(&format!("{base}/responses"), with_body[1]),
                    &format!("several success responses with bodies ({}): a generated operation returns one type; keep one in a fix-up pass", with_body.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ")),
                ));
            }
            if !responses.keys().any(|c| c.starts_with('2')) {
                problems.push(problem(
                    &format!("{base}/responses"),
                    "operation has no 2xx response: declare the success response",
                ));
            }
            for (code, response) in responses {
                let here = pointer::join(&format!("{base}/responses"), code);
                for media in response
                    .get("content")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|c| c.keys())
                {
                    if media != "application/json" {
                        problems.push(problem(
                            &pointer::join(&format!("{here}/content"), media),
                            &format!("response media type `{media}` is not supported: only application/json responses are generated"),
                        ));
                    }
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
        let doc: Value =
            serde_json::from_str(include_str!("../../openapi/infisical-identity-auth.json"))
                .unwrap();
        assert_eq!(check(&doc), vec![]);
    }

    #[test]
    fn duplicate_operation_ids_name_both_places() {
        let doc = json!({"openapi": "3.0.3", "paths": {
            "/a": {"get": {"operationId": "x", "responses": {"200": {"description": ""}}}},
            "/b": {"get": {"operationId": "x", "responses": {"200": {"description": ""}}}}
        }});
        let problems = check(&doc);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pointer, "/paths/~1b/get/operationId");
        assert!(problems[0].message.contains("/paths/~1a/get/operationId"));
    }

    #[test]
    fn several_success_bodies_are_reported_before_progenitor_panics() {
        let body = json!({"description": "", "content": {"application/json": {"schema": {"type": "string"}}}});
        let doc = json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {"200": body, "201": body}}}}});
        let problems = check(&doc);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pointer, "/paths/~1a/get/responses/201");
    }

    #[test]
    fn version_header_params_and_media_types_are_reported() {
        let doc = json!({"openapi": "3.1.0", "paths": {
            "/a": {"post": {
                "parameters": [{"in": "header", "name": "x-date", "schema": {"type": "string"}}],
                "requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}},
                "responses": {"200": {"description": ""}}}}
        }});
        let pointers: Vec<_> = check(&doc).into_iter().map(|p| p.pointer).collect();
        assert_eq!(
            pointers,
            vec![
                "/openapi",
                "/paths/~1a/post/parameters/0/in",
                "/paths/~1a/post/requestBody/content/text~1plain"
            ]
        );
    }
}
