//! `$ref` resolution inside one document (`#/...` JSON pointers; external references are refused
//! by the check stage).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// How many references in a row are followed before a chain counts as a loop.
const MAX_CHAIN: usize = 32;

/// The value a local reference (`#/components/schemas/Name`) points at.
pub fn target<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// `value` itself, or, when it is a `{"$ref": "#/..."}` object, what the reference chain ends at.
/// A reference that points nowhere or loops resolves to the last value reached.
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..MAX_CHAIN {
        match current
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| target(doc, r))
        {
            Some(next) => current = next,
            None => return current,
        }
    }
    current
}

/// The last segment of a reference (`#/components/schemas/User` -> `User`), unescaped.
pub fn name(reference: &str) -> String {
    super::pointer::unescape(reference.rsplit('/').next().unwrap_or(reference))
}

/// A component as `(section, name)`: `("schemas", "User")` for `#/components/schemas/User`.
pub type Component = (String, String);

/// Adds every component that `value` refers to, anywhere inside it, to `out` (a reference into a
/// component, `#/components/schemas/User/properties/id`, counts as one to the component).
pub fn component_refs(value: &Value, out: &mut BTreeSet<Component>) {
    match value {
        Value::Object(map) => {
            let reference = map.get("$ref").and_then(Value::as_str).unwrap_or_default();
            if let Some(rest) = reference.strip_prefix("#/components/") {
                let mut parts = rest.splitn(3, '/');
                if let (Some(section), Some(name)) = (parts.next(), parts.next()) {
                    let unescape = super::pointer::unescape;
                    out.insert((unescape(section), unescape(name)));
                }
            }
            map.values().for_each(|v| component_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| component_refs(v, out)),
        _ => {}
    }
}

/// The components `roots` reach through references in `components` (a document's `components`
/// object), the roots included.
pub fn reach(components: &Map<String, Value>, roots: BTreeSet<Component>) -> BTreeSet<Component> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<Component> = roots.into_iter().collect();
    while let Some(component) = stack.pop() {
        if seen.contains(&component) {
            continue;
        }
        let (section, name) = &component;
        if let Some(value) = components.get(section).and_then(|s| s.get(name)) {
            let mut next = BTreeSet::new();
            component_refs(value, &mut next);
            stack.extend(next.into_iter().filter(|c| !seen.contains(c)));
        }
        seen.insert(component);
    }
    seen
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn chains_are_followed_and_loops_end() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"type": "string"},
            "L": {"$ref": "#/components/schemas/L"},
            "a/b": {"type": "integer"}
        }}});
        let a = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(resolve(&doc, &a), &json!({"type": "string"}));
        let l = json!({"$ref": "#/components/schemas/L"});
        assert_eq!(resolve(&doc, &l)["$ref"], "#/components/schemas/L");
        let missing = json!({"$ref": "#/components/schemas/Nope"});
        assert_eq!(resolve(&doc, &missing), &missing);
        let escaped = json!({"$ref": "#/components/schemas/a~1b"});
        assert_eq!(resolve(&doc, &escaped)["type"], "integer");
        assert_eq!(name("#/components/schemas/a~1b"), "a/b");
    }

    #[test]
    fn components_reach_each_other_across_sections_and_loops_end() {
        let doc = json!({"components": {
            "requestBodies": {"Login": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Login/properties/id"}}}}},
            "schemas": {
                "Login": {"properties": {"id": {"type": "string"},
                    "self": {"$ref": "#/components/schemas/Login"},
                    "ip": {"$ref": "#/components/schemas/a~1b"}}},
                "a/b": {"type": "string"},
                "Unused": {"type": "string"}
            }
        }});
        let components = doc["components"].as_object().unwrap();
        let c = |section: &str, name: &str| (section.to_owned(), name.to_owned());
        let reached = reach(components, [c("requestBodies", "Login")].into());
        let expected = [
            c("requestBodies", "Login"),
            c("schemas", "Login"),
            c("schemas", "a/b"),
        ];
        assert_eq!(reached, expected.into());
    }
}
