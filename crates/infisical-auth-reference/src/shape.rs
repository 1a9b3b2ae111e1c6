//! Fitting stored JSON to a response schema of the spec: only the properties the schema lists
//! (Infisical's responses are `additionalProperties: false`), every required property present
//! (its default, or a neutral value of its type). The reference server keeps every auth method's
//! configuration as JSON and answers through this, so each answer conforms to the document.

use serde_json::{Map, Value};

/// The 200 schema of every operation of `spec`, by operationId.
pub fn response_schemas(spec: &Value) -> std::collections::HashMap<String, Value> {
    let mut out = std::collections::HashMap::new();
    for item in spec
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.values())
    {
        for op in item.as_object().into_iter().flat_map(|m| m.values()) {
            let (Some(id), Some(schema)) = (
                op.get("operationId").and_then(Value::as_str),
                op.pointer("/responses/200/content/application~1json/schema"),
            ) else {
                continue;
            };
            out.insert(id.to_owned(), schema.clone());
        }
    }
    out
}

/// `value` fitted to `schema`.
pub fn shape(value: &Value, schema: &Value, now: &str) -> Value {
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            if value.is_null() && nullable(schema) {
                return Value::Null;
            }
            let chosen = options
                .iter()
                .find(|option| tags_match(value, option) && has_required(value, option))
                .or_else(|| options.iter().find(|option| tags_match(value, option)))
                .or_else(|| options.first());
            return match chosen {
                Some(option) => shape(value, option, now),
                None => value.clone(),
            };
        }
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        if value.is_null() && nullable(schema) {
            return Value::Null;
        }
        let empty = Map::new();
        let source = value.as_object().unwrap_or(&empty);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut out = Map::with_capacity(props.len());
        for (name, prop) in props {
            match source.get(name) {
                Some(v) => {
                    out.insert(name.clone(), shape(v, prop, now));
                }
                None if required.contains(&name.as_str()) => {
                    out.insert(name.clone(), neutral(prop, now));
                }
                None => {}
            }
        }
        return Value::Object(out);
    }
    if let (Some(items), Value::Array(values)) = (schema.get("items"), value) {
        return Value::Array(values.iter().map(|v| shape(v, items, now)).collect());
    }
    match (schema.get("type").and_then(Value::as_str), value) {
        (Some(_), Value::Null) if !nullable(schema) => neutral(schema, now),
        (Some("string"), Value::String(_))
        | (Some("number"), Value::Number(_))
        | (Some("boolean"), Value::Bool(_))
        | (Some("array"), Value::Array(_))
        | (Some("object"), Value::Object(_))
        | (None, _)
        | (Some(_), Value::Null) => value.clone(),
        (Some("integer"), Value::Number(n)) if n.is_i64() || n.is_u64() => value.clone(),
        (Some("string"), Value::Number(n)) => Value::String(n.to_string()),
        (Some(_), _) => neutral(schema, now),
    }
}

fn nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
}

/// Whether the one-value enums (tags) of a union option agree with `value`.
fn tags_match(value: &Value, option: &Value) -> bool {
    let Some(obj) = value.as_object() else {
        return false;
    };
    let props = option.get("properties").and_then(Value::as_object);
    for (name, prop) in props.into_iter().flatten() {
        if let Some(Value::Array(values)) = prop.get("enum") {
            if values.len() == 1 && obj.get(name).is_some_and(|v| v != &values[0]) {
                return false;
            }
        }
    }
    true
}

/// Whether `value` has every required key of a union option.
fn has_required(value: &Value, option: &Value) -> bool {
    let Some(obj) = value.as_object() else {
        return false;
    };
    option
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .all(|key| obj.contains_key(key))
}

/// A value of `schema` for a required property that was never stored: its default, `null` if
/// nullable, else a neutral value of its type.
fn neutral(schema: &Value, now: &str) -> Value {
    if let Some(default) = schema.get("default") {
        return default.clone();
    }
    if nullable(schema) {
        return Value::Null;
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        if let Some(first) = values.first() {
            return first.clone();
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => Value::String(now.to_owned()),
            Some("uuid") => Value::String("00000000-0000-0000-0000-000000000000".into()),
            _ => Value::String(String::new()),
        },
        Some("number") | Some("integer") => Value::from(0),
        Some("boolean") => Value::Bool(false),
        Some("array") => Value::Array(Vec::new()),
        Some("object") => shape(&Value::Object(Map::new()), schema, now),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn keeps_listed_fills_required_and_picks_the_tagged_option() {
        let schema = json!({"type": "object", "properties": {
            "a": {"type": "string"}, "b": {"type": "number", "default": 7}, "c": {"type": "string", "nullable": true},
            "u": {"anyOf": [
                {"type": "object", "properties": {"profile": {"type": "string", "enum": ["static"]}, "bundle": {"type": "string"}}, "required": ["profile", "bundle"]},
                {"type": "object", "properties": {"profile": {"type": "string", "enum": ["web"]}, "url": {"type": "string"}}, "required": ["profile", "url"]}
            ]}
        }, "required": ["a", "b", "c"]});
        let value = json!({"a": "x", "secret": "s", "u": {"profile": "web", "url": "https://x", "other": 1}});
        let shaped = super::shape(&value, &schema, "2026-01-01T00:00:00.000Z");
        assert_eq!(
            shaped,
            json!({"a": "x", "b": 7, "c": null, "u": {"profile": "web", "url": "https://x"}})
        );
    }
}
