//! The typed values of a request as a generated builder hands them over ([`Typed`]), read by the
//! validation before sending (`validate.rs`) and by the send path that builds the request from
//! them (`runtime.rs`).

/// The typed values of a request, as a builder hands them over: path parameters in the order of
/// the operation's path template, query and header parameters by wire name, and the body, each as
/// the JSON its `Serialize` gives. The validation rules read these, and the request is built from
/// them; an absent (`null`) query or header value is not sent.
pub(crate) struct Typed {
    pub path: Vec<String>,
    pub query: Vec<(&'static str, serde_json::Value)>,
    pub headers: Vec<(&'static str, serde_json::Value)>,
    pub body: Body,
}

/// A request body and how it is encoded.
pub(crate) enum Body {
    /// No body.
    None,
    /// `application/json`.
    Json(serde_json::Value),
    /// `application/x-www-form-urlencoded`. Infisical's identity-auth operations take JSON
    /// only today; a document with form bodies generates this.
    #[allow(dead_code)]
    Form(serde_json::Value),
}

impl Body {
    /// The body's value, for validation.
    pub(crate) fn value(&self) -> Option<&serde_json::Value> {
        match self {
            Body::None => None,
            Body::Json(value) | Body::Form(value) => Some(value),
        }
    }
}

/// A query or header value as it is sent: an absent (`null`) value is not sent at all, a string
/// as it is, anything else as its JSON text (numbers, booleans).
pub(crate) fn text(value: &serde_json::Value) -> Option<std::borrow::Cow<'_, str>> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text.as_str().into()),
        other => Some(other.to_string().into()),
    }
}
