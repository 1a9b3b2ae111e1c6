//! Walking a document's operations in a stable order (path, then method as OpenAPI lists them).

use serde_json::Value;

use crate::pointer;

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

    /// The operation's parameters (path and query after the check stage).
    pub fn parameters(&self) -> impl Iterator<Item = &'a Value> {
        self.op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }

    /// The JSON request body schema, if any.
    pub fn body_schema(&self) -> Option<&'a Value> {
        self.op
            .get("requestBody")?
            .get("content")?
            .get("application/json")?
            .get("schema")
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
