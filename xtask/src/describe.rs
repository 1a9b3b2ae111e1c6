//! Document stage (after fix-up, before generate): rustdoc for the generated types.
//!
//! The spec as Infisical publishes it here carries no descriptions, and typify turns a schema's
//! `description` into the doc comment of its type or field. So every request body and success
//! answer, and every property, gets one in API terms: the operation it belongs to, or the wire
//! name of the field with its type, required-ness and every limit (the same words as the API
//! surface, see [`crate::surface::field_line`], with the type and the values as Markdown code
//! spans so that rustdoc reads no `array<string>` as HTML and no default URL as a bare link). A
//! description the document has is kept. Pure: the stage adds `description` keys and changes
//! nothing else.

use serde_json::Value;

use crate::document::ops;
use crate::surface;

/// The fixed-up document `fixed` with the descriptions added (references resolve in `fixed`).
pub fn document(fixed: &Value) -> Value {
    let mut doc = fixed.clone();
    let original = fixed;
    for op in ops::operations(original) {
        let (Some(id), path, method) = (op.id(), op.path, op.method) else {
            continue;
        };
        let endpoint = format!("`{} {path}`", method.to_uppercase());
        let base = format!("/paths/{}/{method}", crate::document::pointer::escape(path));
        let body = format!("{base}/requestBody/content/application~1json/schema");
        set_default_description(
            &mut doc,
            &body,
            format!("The request body of `{id}` ({endpoint})."),
        );
        if let Some((code, _)) = op
            .op
            .get("responses")
            .and_then(Value::as_object)
            .and_then(|r| r.iter().find(|(code, _)| code.starts_with('2')))
        {
            let answer = format!("{base}/responses/{code}/content/application~1json/schema");
            set_default_description(
                &mut doc,
                &answer,
                format!("The answer of `{id}` ({endpoint}) on success."),
            );
        }
    }
    for root in ["/paths", "/components/schemas"] {
        if let Some(value) = doc.pointer_mut(root) {
            describe_properties(original, value);
        }
    }
    doc
}

/// Sets `description` on the inline schema at `pointer` if it has none (a `$ref` is left alone:
/// OpenAPI 3.0 ignores a reference's siblings).
fn set_default_description(doc: &mut Value, pointer: &str, text: String) {
    if let Some(Value::Object(schema)) = doc.pointer_mut(pointer) {
        if !schema.contains_key("$ref") && !schema.contains_key("description") {
            schema.insert("description".into(), Value::String(text));
        }
    }
}

/// Walks `value` and gives every inline property of every object schema a description.
fn describe_properties(original: &Value, value: &mut Value) {
    // Only an object with properties has required ones worth reading.
    let required: Vec<String> = match value.get("properties") {
        Some(_) => ops::required(value)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        None => Vec::new(),
    };
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for (name, prop) in props.iter_mut() {
                    let Value::Object(schema) = prop else {
                        continue;
                    };
                    if schema.contains_key("$ref") || schema.contains_key("description") {
                        continue;
                    }
                    let line = surface::field_line_in(
                        original,
                        prop,
                        required.contains(name),
                        surface::Style::Markdown,
                    );
                    if let Value::Object(schema) = prop {
                        schema.insert(
                            "description".into(),
                            Value::String(format!("`{name}`: {line}.")),
                        );
                    }
                }
            }
            map.values_mut()
                .for_each(|child| describe_properties(original, child));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|child| describe_properties(original, child)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_answers_and_fields_are_described_in_api_terms() {
        let doc = json!({
            "paths": {"/a/{id}": {"post": {
                "operationId": "attachA",
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["ttl"],
                    "properties": {
                        "ttl": {"type": "integer", "minimum": 0, "maximum": 10, "default": 5},
                        "endpoint": {"type": "string", "default": "https://sts.amazonaws.com/"},
                        "keys": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                        "kind": {"type": "string", "enum": ["a", "b"]},
                        "note": {"type": "string", "description": "Kept as written."},
                        "shared": {"$ref": "#/components/schemas/Shared"}
                    }
                }}}},
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"id": {"type": "string"}}
                }}}}}
            }}},
            "components": {"schemas": {"Shared": {"type": "object", "properties": {"x": {"type": "boolean"}}}}}
        });
        let doc = document(&doc);
        let body = &doc["paths"]["/a/{id}"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"];
        assert_eq!(
            body["description"],
            "The request body of `attachA` (`POST /a/{id}`)."
        );
        assert_eq!(
            body["properties"]["ttl"]["description"],
            "`ttl`: `integer`, required, range 0..=10, default `5`."
        );
        // Code spans: no HTML tag, no bare URL for rustdoc.
        assert_eq!(
            body["properties"]["endpoint"]["description"],
            "`endpoint`: `string`, optional, default `\"https://sts.amazonaws.com/\"`."
        );
        assert_eq!(
            body["properties"]["keys"]["description"],
            "`keys`: `array<string>`, optional, items >= 1."
        );
        assert_eq!(
            body["properties"]["kind"]["description"],
            "`kind`: `string`, optional, one of `\"a\"`, `\"b\"`."
        );
        assert_eq!(
            body["properties"]["note"]["description"],
            "Kept as written."
        );
        assert!(body["properties"]["shared"].get("description").is_none());
        let answer = &doc["paths"]["/a/{id}"]["post"]["responses"]["200"]["content"]
            ["application/json"]["schema"];
        assert_eq!(
            answer["description"],
            "The answer of `attachA` (`POST /a/{id}`) on success."
        );
        assert_eq!(
            answer["properties"]["id"]["description"],
            "`id`: `string`, optional."
        );
        assert_eq!(
            doc["components"]["schemas"]["Shared"]["properties"]["x"]["description"],
            "`x`: `boolean`, optional."
        );
    }
}
