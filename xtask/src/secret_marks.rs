//! Generate stage, on the document progenitor is given: the string properties named in
//! `codegen.toml`'s `secret_fields` are marked with one `format`, which typify's conversion setting
//! ([`crate::progenitor::settings`]) turns into the types crate's hand-written `Secret`. typify
//! then makes no constrained-string newtype of a secret (the validation crate checks its limits),
//! and its description still becomes the field's doc (typify's conversion ignores descriptions).

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use serde_json::Value;

use crate::document::openapi31::{for_each_schema, subschemas};
use crate::document::pointer;

/// The `format` that marks a secret string in the document progenitor is given.
pub const SECRET_FORMAT: &str = "x-secret";

/// The name the types module imports the hand-written `Secret` under: `Secret`, or
/// `RedactedSecret`.. when a schema of `doc` takes that name.
pub fn secret_type_name(doc: &Value) -> String {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let taken: BTreeSet<String> = schemas
        .into_iter()
        .flat_map(|s| s.keys().map(|k| k.to_upper_camel_case()))
        .collect();
    ["Secret".to_owned(), "RedactedSecret".to_owned()]
        .into_iter()
        .chain((2..).map(|i| format!("RedactedSecret{i}")))
        .find(|candidate| !taken.contains(candidate))
        .expect("a free name")
}

/// Marks each string property of `doc` whose name is in `secrets` (snake case), inline or a
/// reference to a string schema, as a string of [`SECRET_FORMAT`], its description and
/// `nullable` kept: typify then types it as the hand-written `Secret` ([`crate::progenitor::settings`]) and makes no
/// constrained-string newtype of it (the validation crate checks its limits). Returns the number
/// of properties marked.
pub fn mark_secrets(doc: &mut Value, secrets: &BTreeSet<String>) -> usize {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let strings: BTreeSet<String> = schemas
        .into_iter()
        .flatten()
        .filter(|(_, s)| s["type"] == "string")
        .map(|(name, _)| format!("#/components/schemas/{}", pointer::escape(name)))
        .collect();
    let mut count = 0;
    for_each_schema(doc, &mut |schema, _| {
        mark_in(schema, secrets, &strings, &mut count)
    });
    count
}

/// [`mark_secrets`] in one schema and its subschemas (`strings`: references to string schemas).
fn mark_in(
    schema: &mut Value,
    secrets: &BTreeSet<String>,
    strings: &BTreeSet<String>,
    count: &mut usize,
) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            let reference = property["$ref"].as_str().unwrap_or_default();
            let string = property["type"] == "string" || strings.contains(reference);
            if string && secrets.contains(&name.to_snake_case()) {
                let mut marked = serde_json::json!({ "type": "string", "format": SECRET_FORMAT });
                for key in ["description", "nullable"] {
                    if let Some(value) = property.get(key) {
                        marked[key] = value.clone();
                    }
                }
                *property = marked;
                *count += 1;
            }
        }
    }
    for (sub, _) in subschemas(map, "") {
        mark_in(sub, secrets, strings, count);
    }
}
