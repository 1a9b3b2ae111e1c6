//! Generate stage, on the document progenitor is given: what steers typify to the types we want,
//! decided on the document rather than by rewriting typify's output.
//! - [`mark_secrets`]: the string properties named in `codegen.toml`'s `secret_fields` are marked
//!   with one `format`, which typify's conversion setting ([`crate::progenitor::settings`]) turns
//!   into the types crate's hand-written `Secret`. typify then makes no constrained-string newtype
//!   of a secret, and its description still becomes the field's doc (the conversion ignores
//!   descriptions).
//! - [`plain_body_strings`] (workspace layout): the length limits of the strings only request
//!   bodies hold are left to the validation crate, so typify makes no checking newtype of them.
//!   The describe stage has already written those limits into the fields' docs.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::{Map, Value};

use crate::document::openapi31::{for_each_schema, subschemas};
use crate::document::{ops, pointer, refs};
use crate::passes::{Applied, Layouts};

/// One step on the document progenitor is given.
pub struct Step {
    /// Its name, as `--verbose` prints it.
    pub name: &'static str,
    /// The layouts it applies to.
    pub layouts: Layouts,
    /// Runs it on the document with the secret fields' snake-case names: the number of places
    /// changed.
    pub run: fn(&mut Value, &BTreeSet<String>) -> usize,
}

/// Every step, in the order they run.
pub const STEPS: &[Step] = &[
    Step {
        name: "mark_secrets",
        layouts: Layouts::Both,
        run: mark_secrets,
    },
    Step {
        name: "plain_body_strings",
        layouts: Layouts::Workspace,
        run: |doc, _| plain_body_strings(doc),
    },
];

/// Runs every step of [`STEPS`] that applies to the layout (`workspace`, else standalone) on `doc`.
pub fn run(doc: &mut Value, secrets: &BTreeSet<String>, workspace: bool) -> Vec<Applied> {
    let steps = STEPS.iter().filter(|s| s.layouts.includes(workspace));
    let applied = |step: &Step| Applied {
        name: step.name,
        changes: (step.run)(doc, secrets),
        notes: Vec::new(),
    };
    steps.map(applied).collect()
}

/// The `format` that marks a secret string in the document progenitor is given.
pub const SECRET_FORMAT: &str = "x-secret";

/// Marks each string property of `doc` whose name is in `secrets` (snake case), inline or a
/// reference to a string schema, as a string of [`SECRET_FORMAT`], its description and
/// `nullable` kept: typify then types it as the hand-written `Secret`
/// ([`crate::progenitor::settings`]) and makes no constrained-string newtype of it (the
/// validation crate checks its limits). Returns the number of properties marked.
pub fn mark_secrets(doc: &mut Value, secrets: &BTreeSet<String>) -> usize {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    // References to string schemas, with the schema each names.
    let strings: BTreeMap<String, Value> = schemas
        .into_iter()
        .flatten()
        .filter(|(_, s)| s["type"] == "string")
        .map(|(name, s)| {
            (
                format!("#/components/schemas/{}", pointer::escape(name)),
                s.clone(),
            )
        })
        .collect();
    let mut count = 0;
    for_each_schema(doc, &mut |schema, _| {
        mark_in(schema, secrets, &strings, &mut count)
    });
    count
}

/// [`mark_secrets`] in one schema and its subschemas (`strings`: references to string schemas,
/// with their targets).
fn mark_in(
    schema: &mut Value,
    secrets: &BTreeSet<String>,
    strings: &BTreeMap<String, Value>,
    count: &mut usize,
) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            let reference = property["$ref"].as_str().unwrap_or_default();
            let target = strings.get(reference);
            let string = property["type"] == "string" || target.is_some();
            if string && secrets.contains(&name.to_snake_case()) {
                let mut marked = serde_json::json!({ "type": "string", "format": SECRET_FORMAT });
                for key in ["description", "nullable"] {
                    // The property's own, else (a reference) its target's.
                    let value = property.get(key).or_else(|| target?.get(key));
                    if let Some(value) = value {
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

/// The length limits of a string, which the validation crate checks.
pub const LENGTH_LIMITS: [&str; 2] = ["maxLength", "minLength"];

/// Takes [`LENGTH_LIMITS`] out of every string schema (not an enum, without a `pattern`) that only
/// request bodies hold: inline in a request body, or in a component schema that only request
/// bodies reach. One that a parameter, an answer or a component no body reaches also holds keeps
/// them, and so gets typify's checking newtype; so does one with a `pattern`, which the validation
/// crate has no rule for. The validation crate checks those limits before the client sends a body
/// and before a server stub handles one (its hand-written rules, which its tests hold to the
/// document's bounds). Returns the number of schemas changed.
pub fn plain_body_strings(doc: &mut Value) -> usize {
    let (in_bodies, elsewhere) = holders(doc);
    let only_bodies = |name: &String| in_bodies.contains(name) && !elsewhere.contains(name);
    let mut count = 0;
    let paths = doc.get_mut("paths").and_then(Value::as_object_mut);
    for item in paths.into_iter().flat_map(|p| p.values_mut()) {
        let operations = item
            .as_object_mut()
            .into_iter()
            .flat_map(|i| i.values_mut());
        for body in operations.filter_map(|op| op.get_mut("requestBody")) {
            strip_limits(body, &mut count);
        }
    }
    if let Some(Value::Object(bodies)) = doc.pointer_mut("/components/requestBodies") {
        bodies
            .values_mut()
            .for_each(|b| strip_limits(b, &mut count));
    }
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            if only_bodies(name) {
                strip_limits(schema, &mut count);
            }
        }
    }
    count
}

/// The component schemas request bodies reach, and those anything else reaches (a parameter, an
/// answer, a component schema no body reaches), through references.
fn holders(doc: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let empty = Map::new();
    let components = doc.get("components").and_then(Value::as_object);
    let components = components.unwrap_or(&empty);
    let (mut in_bodies, mut elsewhere) = (BTreeSet::new(), BTreeSet::new());
    for (key, value) in operation_parts(doc) {
        let roots = if key == "requestBody" {
            &mut in_bodies
        } else {
            &mut elsewhere
        };
        refs::component_refs(value, roots);
    }
    // Every component is a root: request bodies of the bodies, schemas of their own holders
    // (below), the others (answers, parameters, headers..) of everything else.
    for (section, entries) in components {
        let roots = match section.as_str() {
            "requestBodies" => &mut in_bodies,
            "schemas" => continue,
            _ => &mut elsewhere,
        };
        let names = entries.as_object().into_iter().flat_map(|e| e.keys());
        roots.extend(names.map(|name| (section.clone(), name.clone())));
    }
    let in_bodies = refs::reach(components, in_bodies);
    let schemas = components.get("schemas").and_then(Value::as_object);
    let unreached = schemas.into_iter().flat_map(|s| s.keys());
    let unreached = unreached.map(|name| ("schemas".to_owned(), name.clone()));
    elsewhere.extend(unreached.filter(|c| !in_bodies.contains(c)));
    let elsewhere = refs::reach(components, elsewhere);
    let schema_names = |set: BTreeSet<refs::Component>| {
        let names = set.into_iter().filter(|(section, _)| section == "schemas");
        names.map(|(_, name)| name).collect()
    };
    (schema_names(in_bodies), schema_names(elsewhere))
}

/// The members of every operation (`requestBody`, `responses`, `parameters`..) and the other
/// members of every path item (its `parameters`), each with its key.
fn operation_parts(doc: &Value) -> Vec<(&str, &Value)> {
    let mut out = Vec::new();
    let paths = doc.get("paths").and_then(Value::as_object);
    for item in paths.into_iter().flat_map(|p| p.values()) {
        for (key, value) in item.as_object().into_iter().flatten() {
            match value.as_object() {
                Some(op) if ops::METHODS.contains(&key.as_str()) => {
                    out.extend(op.iter().map(|(k, v)| (k.as_str(), v)));
                }
                _ => out.push((key.as_str(), value)),
            }
        }
    }
    out
}

/// Takes [`LENGTH_LIMITS`] out of every string schema inside `value` that is neither an enum nor
/// patterned, without following references; adds the number of schemas changed to `count`.
fn strip_limits(value: &mut Value, count: &mut usize) {
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("string")
                && !map.contains_key("enum")
                && !map.contains_key("pattern")
                && LENGTH_LIMITS.iter().any(|k| map.contains_key(*k))
            {
                LENGTH_LIMITS
                    .iter()
                    .for_each(|k| drop(map.shift_remove(*k)));
                *count += 1;
            }
            map.values_mut().for_each(|v| strip_limits(v, count));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| strip_limits(v, count)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A body property `name` with limits, as the document gives it.
    fn limited(extra: Value) -> Value {
        let mut schema = json!({"type": "string", "minLength": 1, "maxLength": 64});
        schema
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        schema
    }

    #[test]
    fn length_limits_only_request_bodies_hold_are_left_to_the_validation_crate() {
        let body = |schema: Value| json!({"content": {"application/json": {"schema": schema}}});
        let mut doc = json!({
            "paths": {"/a/{slug}": {
                "parameters": [{"name": "slug", "in": "path", "schema": limited(json!({}))}],
                "post": {
                    "requestBody": body(json!({"type": "object", "properties": {
                        "name": limited(json!({})),
                        "kind": limited(json!({"enum": ["a", "b"]})),
                        "code": limited(json!({"pattern": "^[a-z]+$"})),
                        "tags": {"type": "array", "items": limited(json!({}))},
                        "shared": {"$ref": "#/components/schemas/Shared"},
                        "own": {"$ref": "#/components/schemas/Own"}
                    }})),
                    "responses": {"200": body(json!({"$ref": "#/components/schemas/Answer"}))}
                }
            }},
            "components": {"schemas": {
                "Shared": limited(json!({})),
                "Own": {"type": "object", "properties": {"note": limited(json!({}))}},
                "Answer": {"type": "object", "properties": {"shared": {"$ref": "#/components/schemas/Shared"}}},
                "Unused": limited(json!({}))
            }}
        });
        assert_eq!(plain_body_strings(&mut doc), 3);
        let at = |pointer: &str| doc.pointer(pointer).unwrap().clone();
        let props =
            "/paths/~1a~1{slug}/post/requestBody/content/application~1json/schema/properties";
        assert_eq!(at(&format!("{props}/name")), json!({"type": "string"}));
        assert_eq!(
            at(&format!("{props}/tags/items")),
            json!({"type": "string"})
        );
        assert_eq!(
            at("/components/schemas/Own/properties/note"),
            json!({"type": "string"})
        );
        // An enum, a patterned string, a parameter, a schema an answer shares and one no body
        // reaches keep their limits.
        for kept in [
            format!("{props}/kind"),
            format!("{props}/code"),
            "/paths/~1a~1{slug}/parameters/0/schema".to_string(),
            "/components/schemas/Shared".to_string(),
            "/components/schemas/Unused".to_string(),
        ] {
            assert_eq!(at(&kept)["maxLength"], 64, "{kept}");
        }
    }

    #[test]
    fn secret_strings_are_marked_inline_and_through_references() {
        let mut doc = json!({
            "components": {"schemas": {
                "Token": {"type": "string", "minLength": 2},
                "Pass": {"type": "string", "nullable": true, "description": "A password."},
                "Login": {"type": "object", "properties": {
                    "clientSecret": {"type": "string", "minLength": 1, "description": "The secret."},
                    "password": {"type": "string", "nullable": true},
                    "jwt": {"$ref": "#/components/schemas/Token"},
                    "bindPass": {"$ref": "#/components/schemas/Pass"},
                    "accessToken": {"type": "integer"},
                    "clientId": {"type": "string"}
                }}
            }}
        });
        let secrets = [
            "client_secret",
            "password",
            "jwt",
            "bind_pass",
            "access_token",
        ];
        let secrets = secrets.map(String::from).into();
        assert_eq!(mark_secrets(&mut doc, &secrets), 4);
        let props = &doc["components"]["schemas"]["Login"]["properties"];
        let marked = |extra: Value| {
            let mut m = json!({"type": "string", "format": SECRET_FORMAT});
            m.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            m
        };
        assert_eq!(
            props["clientSecret"],
            marked(json!({"description": "The secret."}))
        );
        assert_eq!(props["password"], marked(json!({"nullable": true})));
        assert_eq!(props["jwt"], marked(json!({})));
        // A reference takes its target's description and nullability.
        let pass = marked(json!({"nullable": true, "description": "A password."}));
        assert_eq!(props["bindPass"], pass);
        assert_eq!(props["accessToken"], json!({"type": "integer"}));
        assert_eq!(props["clientId"], json!({"type": "string"}));
    }

    /// Every step changes the embedded spec in each layout its row names (a test that fails when
    /// one stops applying).
    #[test]
    fn every_step_applies_to_the_embedded_spec() {
        let cfg = crate::test_support::embedded_config();
        let secrets = crate::postprocess::secret_names(&cfg);
        for workspace in [true, false] {
            let mut doc = crate::test_support::embedded_fixed();
            let applied = run(&mut doc, &secrets, workspace);
            for step in STEPS.iter().filter(|s| s.layouts.includes(workspace)) {
                let changes = applied
                    .iter()
                    .find(|a| a.name == step.name)
                    .map(|a| a.changes);
                assert!(changes > Some(0), "{} (workspace: {workspace})", step.name);
            }
        }
    }
}
