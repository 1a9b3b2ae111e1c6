//! The generated Rust types provably say what the spec says: the JSON schema each request and
//! response type emits (schemars) is held against the spec's schema for it, recursively: property
//! names, required-ness, types, nullability, enum values and union options.

use std::collections::BTreeSet;

use serde_json::Value;
use workspace_tests::{fixed_spec, schema_index::type_schemas};

/// Follows `$ref`s: `#/components/...` in the spec, `#/definitions/...` in a schemars root.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    while let Some(pointer) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        schema = root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("dangling reference #{pointer}"));
    }
    // schemars wraps a referenced or described type in `allOf: [one]`.
    match schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([only]) => resolve(root, only),
        _ => schema,
    }
}

/// The JSON types a schema admits (`None`: any), `null` included when it admits null.
fn types(root: &Value, schema: &Value) -> Option<BTreeSet<String>> {
    let schema = resolve(root, schema);
    let mut out = BTreeSet::new();
    match schema.get("type") {
        Some(Value::String(t)) => {
            out.insert(t.clone());
        }
        Some(Value::Array(ts)) => out.extend(ts.iter().filter_map(Value::as_str).map(String::from)),
        _ => {
            let options = schema
                .get("oneOf")
                .or_else(|| schema.get("anyOf"))
                .and_then(Value::as_array)?;
            for option in options {
                out.extend(types(root, option)?);
            }
        }
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        out.insert("null".into());
    }
    Some(out)
}

/// The values an enum schema admits, `null` left out: its `enum`, or (schemars' form for an
/// enum whose variants carry docs) the `enum`/`const` of each of its `oneOf` options.
fn enum_values(root: &Value, schema: &Value) -> BTreeSet<String> {
    let schema = resolve(root, schema);
    let own = schema
        .get("enum")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(schema.get("const"))
        .filter(|v| !v.is_null())
        .map(Value::to_string);
    let from_options = schema
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|option| enum_values(root, option));
    own.chain(from_options).collect()
}

fn options<'a>(root: &'a Value, schema: &'a Value) -> Option<Vec<&'a Value>> {
    let schema = resolve(root, schema);
    let list = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))?
        .as_array()?;
    // schemars writes `Option<Union>` as anyOf [union, null]: look through it.
    let non_null: Vec<&Value> = list
        .iter()
        .filter(|o| resolve(root, o).get("type") != Some(&Value::String("null".into())))
        .collect();
    match non_null.as_slice() {
        [one] if list.len() == 2 => options(root, one),
        _ => Some(non_null),
    }
}

/// Compares spec schema `s` (in `spec`) with Rust schema `r` (in `rust`), collecting differences.
fn compare(spec: &Value, s: &Value, rust: &Value, r: &Value, at: &str, diffs: &mut Vec<String>) {
    let (s, r) = (resolve(spec, s), resolve(rust, r));
    // The enum values of `Option<Enum>` (anyOf [enum, null]) are those of the enum.
    let r_inner = match r.get("anyOf").and_then(Value::as_array).map(Vec::as_slice) {
        Some([a, b]) if resolve(rust, b).get("type") == Some(&Value::String("null".into())) => {
            resolve(rust, a)
        }
        _ => r,
    };
    if let Some(spec_options) = options(spec, s) {
        match options(rust, r) {
            Some(rust_options) if rust_options.len() == spec_options.len() => {
                for (i, (so, ro)) in spec_options.iter().zip(rust_options).enumerate() {
                    compare(spec, so, rust, ro, &format!("{at}<{i}>"), diffs);
                }
            }
            other => diffs.push(format!(
                "{at}: spec has {} union options, Rust {:?}",
                spec_options.len(),
                other.map(|o| o.len())
            )),
        }
        return;
    }
    // Types (integers satisfy `number` only where the spec says integer).
    if let (Some(st), Some(rt)) = (types(spec, s), types(rust, r)) {
        let strip = |t: &BTreeSet<String>| {
            t.iter()
                .filter(|t| *t != "null")
                .cloned()
                .collect::<BTreeSet<_>>()
        };
        if strip(&st) != strip(&rt) {
            diffs.push(format!("{at}: spec type {st:?}, Rust type {rt:?}"));
        }
        if st.contains("null") && !rt.contains("null") {
            diffs.push(format!("{at}: spec is nullable, the Rust type is not"));
        }
    } else if types(spec, s).is_some() {
        diffs.push(format!(
            "{at}: spec has a type, the Rust type admits anything"
        ));
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        let spec_values: BTreeSet<String> = values.iter().map(Value::to_string).collect();
        let rust_values = enum_values(rust, r_inner);
        if spec_values != rust_values {
            diffs.push(format!(
                "{at}: enum {spec_values:?} in the spec, {rust_values:?} in Rust"
            ));
        }
    }
    if let Some(items) = s.get("items") {
        match r.get("items") {
            Some(rust_items) => compare(spec, items, rust, rust_items, &format!("{at}[]"), diffs),
            None => diffs.push(format!("{at}: spec array items, Rust has none")),
        }
    }
    let Some(spec_props) = s.get("properties").and_then(Value::as_object) else {
        return;
    };
    let empty = serde_json::Map::new();
    let rust_props = r
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let names = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<BTreeSet<_>>();
    if names(spec_props) != names(rust_props) {
        diffs.push(format!(
            "{at}: properties {:?} in the spec, {:?} in Rust",
            names(spec_props),
            names(rust_props)
        ));
    }
    let required = |x: &Value| -> BTreeSet<String> {
        x.get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    };
    let (spec_req, rust_req) = (required(s), required(r));
    for (name, prop) in spec_props {
        let Some(rust_prop) = rust_props.get(name) else {
            continue;
        };
        let here = format!("{at}.{name}");
        // A required nullable field is an `Option` that serde also accepts when absent; any other
        // required-ness must match exactly.
        let nullable = resolve(spec, prop).get("nullable") == Some(&Value::Bool(true));
        if spec_req.contains(name) != rust_req.contains(name)
            && !(nullable && spec_req.contains(name))
        {
            diffs.push(format!(
                "{here}: required {} in the spec, {} in Rust",
                spec_req.contains(name),
                rust_req.contains(name)
            ));
        }
        compare(spec, prop, rust, rust_prop, &here, diffs);
    }
}

#[test]
fn every_request_and_response_type_emits_the_spec_schema() {
    let spec = fixed_spec();
    let ops = xtask::document::ops::operations(&spec);
    let schemas = type_schemas();
    let bodies = ops.iter().filter(|o| o.body_schema().is_some()).count();
    assert_eq!(
        schemas.len(),
        ops.len() + bodies,
        "a type for every response and every request body"
    );
    let mut diffs = Vec::new();
    for (id, which, root) in &schemas {
        let op = ops
            .iter()
            .find(|o| o.id() == Some(id))
            .expect("known operation");
        let spec_schema = if *which == "request" {
            op.body_schema()
        } else {
            op.success_schema()
        }
        .expect("schema");
        let rust = serde_json::to_value(root).unwrap();
        compare(
            &spec,
            spec_schema,
            &rust,
            &rust,
            &format!("{id} {which}"),
            &mut diffs,
        );
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn the_comparison_catches_a_difference() {
    let spec = serde_json::json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}, "b": {"type": "string", "nullable": true}}});
    let rust = serde_json::json!({"type": "object", "required": [], "properties": {"a": {"type": "number"}, "b": {"type": "string"}}});
    let mut diffs = Vec::new();
    compare(&spec, &spec, &rust, &rust, "x", &mut diffs);
    assert_eq!(diffs.len(), 3, "{diffs:?}");
}
