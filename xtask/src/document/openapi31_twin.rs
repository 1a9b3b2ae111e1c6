//! The OpenAPI 3.1 twin of a 3.0 document, as a 3.1 emitter (fastify-swagger over zod schemas
//! with its 3.1 setting) would publish the same API: for tests, which check that the twin
//! generates exactly what the 3.0 document generates. `nullable` becomes a `"null"` type (or
//! an `anyOf` option `{"type": "null"}` where there is no type), a one-value `enum` becomes
//! `const`, boolean exclusive bounds become numeric ones and `example` becomes `examples`.

use serde_json::{json, Map, Value};

use super::openapi31::{for_each_schema, subschemas};

/// The 3.1 twin of the 3.0 document `doc`.
pub fn as_openapi_31(doc: &Value) -> Value {
    let mut doc = doc.clone();
    if let Some(root) = doc.as_object_mut() {
        root.insert("openapi".into(), json!("3.1.0"));
    }
    for_each_schema(&mut doc, &mut |schema, here| raise(schema, here));
    doc
}

/// Keywords that stay beside an `anyOf` made for `nullable` (the rest goes into its option).
const OUTSIDE: &[&str] = &[
    "description",
    "title",
    "default",
    "example",
    "examples",
    "readOnly",
    "writeOnly",
    "deprecated",
];

fn raise(schema: &mut Value, here: &str) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    for (child, at) in subschemas(map, here) {
        raise(child, &at);
    }
    for (keyword, inclusive) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match map.get(keyword) {
            Some(Value::Bool(true)) => {
                if let Some(bound) = map.remove(inclusive) {
                    map.insert(keyword.into(), bound);
                }
            }
            Some(Value::Bool(false)) => {
                map.remove(keyword);
            }
            _ => {}
        }
    }
    if let Some(example) = map.remove("example") {
        map.insert("examples".into(), json!([example]));
    }
    let nullable = map.remove("nullable") == Some(Value::Bool(true));
    if !nullable {
        if let Some(Value::Array(values)) = map.get("enum") {
            if values.len() == 1 {
                let value = values[0].clone();
                map.remove("enum");
                map.insert("const".into(), value);
            }
        }
        return;
    }
    if let Some(Value::String(t)) = map.get("type").cloned() {
        map.insert("type".into(), json!([t, "null"]));
        if let Some(values) = map.get_mut("enum").and_then(Value::as_array_mut) {
            values.push(Value::Null);
        }
        return;
    }
    let mut option = Map::new();
    for key in map.keys().cloned().collect::<Vec<_>>() {
        if !OUTSIDE.contains(&key.as_str()) {
            option.insert(key.clone(), map.remove(&key).expect("a key of the map"));
        }
    }
    map.insert("anyOf".into(), json!([option, {"type": "null"}]));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::openapi31;

    #[test]
    fn the_twin_of_the_embedded_spec_lowers_back_to_it() {
        let spec: Value = serde_json::from_str(include_str!(
            "../../../openapi/infisical-identity-auth.json"
        ))
        .unwrap();
        let twin = as_openapi_31(&spec);
        let text = serde_json::to_string(&twin).unwrap();
        // The twin is 3.1 through and through: nothing left to lower is a 3.0 spelling.
        assert!(!text.contains("\"nullable\""));
        assert!(text.contains("\"const\""));
        assert!(text.contains("[\"string\",\"null\"]"));
        let lowered = openapi31::lower(&twin).unwrap();
        assert_eq!(lowered.notes, Vec::<String>::new());
        assert_eq!(*lowered.doc, spec);
    }

    #[test]
    fn bounds_examples_and_untyped_nullables_are_rewritten() {
        let doc = json!({"openapi": "3.0.0", "paths": {}, "components": {"schemas": {
            "A": {"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false, "example": 3},
            "B": {"nullable": true, "description": "any", "allOf": [{"$ref": "#/components/schemas/A"}]}
        }}});
        let twin = as_openapi_31(&doc);
        assert_eq!(
            twin["components"]["schemas"]["A"],
            json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 9, "examples": [3]})
        );
        assert_eq!(
            twin["components"]["schemas"]["B"],
            json!({"description": "any", "anyOf": [{"allOf": [{"$ref": "#/components/schemas/A"}]}, {"type": "null"}]})
        );
        let mut back = openapi31::lower(&twin).unwrap().doc.into_owned();
        back["openapi"] = json!("3.0.0");
        let mut expected = doc.clone();
        expected["components"]["schemas"]["A"]
            .as_object_mut()
            .unwrap()
            .remove("exclusiveMaximum");
        assert_eq!(back, expected);
    }
}
