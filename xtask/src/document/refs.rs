//! `$ref` resolution inside one document (`#/...` JSON pointers; external references are refused
//! by the check stage).

use serde_json::Value;

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
}
