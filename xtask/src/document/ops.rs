//! Walking a document's operations in a stable order (path, then method as OpenAPI lists them),
//! and what each operation says: its group, whether it needs authentication, its parameters,
//! body and success answer.

use serde_json::Value;

use crate::document::pointer;

/// HTTP methods an OpenAPI 3.0 path item may hold, in the order the specification lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the document.
#[derive(Clone, Copy, Debug)]
pub struct Op<'a> {
    /// The path template, e.g. `/api/v1/auth/token/renew`.
    pub path: &'a str,
    /// Lower-case method.
    pub method: &'static str,
    /// The operation object.
    pub op: &'a Value,
}

impl<'a> Op<'a> {
    /// JSON pointer of the operation object.
    pub fn pointer(&self) -> String {
        pointer::operation(self.path, self.method)
    }

    /// The operationId (fix-ups guarantee one exists before generation).
    pub fn id(&self) -> Option<&'a str> {
        self.op.get("operationId").and_then(Value::as_str)
    }

    /// The first tag, which names the auth method.
    pub fn tag(&self) -> Option<&'a str> {
        self.op.get("tags")?.get(0)?.as_str()
    }

    /// The group the operation is listed under (surface pages, import report): its first tag,
    /// or for an untagged operation its path prefix ([`path_group`]).
    pub fn group(&self) -> String {
        match self.tag() {
            Some(tag) => tag.to_string(),
            None => path_group(self.path),
        }
    }

    /// The security requirements in force: the operation's own `security`, or the document's.
    /// Each entry is one alternative: the names of the schemes it needs together, sorted.
    pub fn security(&self, doc: &Value) -> Vec<Vec<String>> {
        let list = self.op.get("security").or_else(|| doc.get("security"));
        list.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|req| {
                let mut names: Vec<String> = req
                    .as_object()
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default();
                names.sort();
                names
            })
            .collect()
    }

    /// Whether a caller must authenticate: some requirement applies and none of the alternatives
    /// is empty (`{}` in the list makes authentication optional).
    pub fn secured(&self, doc: &Value) -> bool {
        let alternatives = self.security(doc);
        !alternatives.is_empty() && alternatives.iter().all(|a| !a.is_empty())
    }

    /// The operation's parameters (path and query after the check stage).
    pub fn parameters(&self) -> impl Iterator<Item = &'a Value> {
        self.op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }

    /// The request body's media type and schema, if any (the first media type: after the
    /// lowering stage a body has exactly one).
    pub fn body_media(&self) -> Option<(&'a str, &'a Value)> {
        let (media, content) = self
            .op
            .get("requestBody")?
            .get("content")?
            .as_object()?
            .iter()
            .next()?;
        Some((media.as_str(), content.get("schema")?))
    }

    /// The schema of a structured request body (JSON or form fields), if any.
    pub fn body_schema(&self) -> Option<&'a Value> {
        match self.body_media()? {
            (JSON | FORM, schema) => Some(schema),
            _ => None,
        }
    }

    /// The JSON schema of the first 2xx response, if any.
    pub fn success_schema(&self) -> Option<&'a Value> {
        let responses = self.op.get("responses")?.as_object()?;
        responses
            .iter()
            .find(|(code, _)| code.starts_with('2'))?
            .1
            .get("content")?
            .get("application/json")?
            .get("schema")
    }
}

/// The JSON media type.
pub const JSON: &str = "application/json";
/// The form media type.
pub const FORM: &str = "application/x-www-form-urlencoded";

/// The group of an untagged operation, from its path: the first segment after an `api` and a
/// version segment (`/api/v1/sso/redirect/google` -> `sso`), or the first two after `auth`
/// (`/api/v1/auth/token/renew` -> `auth/token`), so that each auth method gets its own group.
pub fn path_group(path: &str) -> String {
    let mut segments = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .peekable();
    if segments.peek() == Some(&"api") {
        segments.next();
    }
    if segments.peek().is_some_and(|s| is_version(s)) {
        segments.next();
    }
    match (segments.next(), segments.next()) {
        (Some("auth"), Some(method)) => format!("auth/{method}"),
        (Some(first), _) => first.to_string(),
        (None, _) => "/".to_string(),
    }
}

fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The names an object schema lists as `required`.
pub fn required(schema: &Value) -> std::collections::BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The `properties` of an object schema, in document order.
pub fn properties(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// The `{name}`s of a path template, in order.
pub fn template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// Every operation of `doc`, paths sorted, methods in [`METHODS`] order.
pub fn operations(doc: &Value) -> Vec<Op<'_>> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    let mut sorted: Vec<_> = paths.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (path, item) in sorted {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push(Op { path, method, op });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn untagged_operations_are_grouped_by_path() {
        assert_eq!(path_group("/api/v1/sso/redirect/{id}"), "sso");
        assert_eq!(path_group("/api/v3/auth/login2"), "auth/login2");
        assert_eq!(path_group("/api/v1/auth/new-auth/login"), "auth/new-auth");
        assert_eq!(path_group("/status"), "status");
        assert_eq!(path_group("/"), "/");
        assert_eq!(path_group("/api/version/x"), "version");
    }

    #[test]
    fn document_security_applies_unless_the_operation_overrides_it() {
        let doc = json!({
            "security": [{"bearerAuth": []}],
            "paths": {
                "/a": {"get": {}, "post": {"security": []}, "put": {"security": [{}, {"key": []}]}},
                "/b": {"get": {"tags": ["B"], "security": [{"key": [], "bearerAuth": []}]}}
            }
        });
        let ops = operations(&doc);
        let secured: Vec<bool> = ops.iter().map(|o| o.secured(&doc)).collect();
        assert_eq!(secured, [true, false, false, true]);
        assert_eq!(
            ops[3].security(&doc),
            [vec!["bearerAuth".to_string(), "key".to_string()]]
        );
        assert_eq!(ops[3].group(), "B");
        assert_eq!(ops[0].group(), "a");
    }
}
