//! Helpers shared by the workspace tests in `tests/tests/`: where the workspace is, and the
//! fixed-up default spec the generated crates come from.

use std::path::PathBuf;

use serde_json::Value;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

/// The codegen config, `openapi/codegen.toml`.
pub fn config() -> xtask::config::Config {
    xtask::config::Config::load(&workspace_root().join("openapi/codegen.toml"))
        .expect("codegen.toml loads")
}

/// The default spec as loaded.
pub fn spec() -> xtask::spec::LoadedSpec {
    let cfg = config();
    xtask::spec::load(&workspace_root().join("openapi").join(&cfg.spec)).expect("the spec loads")
}

/// The default spec after check and fix-ups: what the generated crates are made from.
pub fn fixed_spec() -> Value {
    xtask::codegen::fixed_document(&spec().doc, &config()).expect("the default spec generates")
}

/// A valid example value for a schema of the fixed-up spec: every required property filled,
/// formats honoured, enums take their first value, union options their first. Used to answer
/// requests in the HTTP tests with bodies the spec allows.
pub fn example(doc: &Value, schema: &Value) -> Value {
    use serde_json::json;
    if let Some(pointer) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        return example(doc, doc.pointer(pointer).expect("reference resolves"));
    }
    if let Some(first) = schema.get("oneOf").and_then(|o| o.get(0)) {
        return example(doc, first);
    }
    if let Some(value) = schema.get("enum").and_then(|e| e.get(0)) {
        return value.clone();
    }
    match (
        schema.get("type").and_then(Value::as_str),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some("string"), Some("uuid")) => json!("7d1f0a38-3c5e-4c53-9a0e-4d3c2b1a0f9e"),
        (Some("string"), Some("date-time")) => json!("2026-01-02T03:04:05Z"),
        (Some("string"), _) => json!("text"),
        (Some("integer" | "number"), _) => json!(schema
            .get("minimum")
            .and_then(Value::as_f64)
            .unwrap_or(7.0)
            .max(1.0) as u64),
        (Some("boolean"), _) => json!(true),
        (Some("array"), _) => json!([example(doc, schema.get("items").unwrap_or(&Value::Null))]),
        _ if schema.get("properties").is_some() => {
            let mut out = serde_json::Map::new();
            for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
                out.insert(name.clone(), example(doc, prop));
            }
            Value::Object(out)
        }
        _ => json!({"any": "json"}),
    }
}

/// `v` with every number as a float, so that `1` and `1.0` compare equal.
pub fn normalise_numbers(v: &Value) -> Value {
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap_or_default()),
        Value::Array(items) => Value::Array(items.iter().map(normalise_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalise_numbers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
