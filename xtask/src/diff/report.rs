//! The diff report: which document a problem is in, where a change is, each change with its id
//! and classification, per operation (rendered for review in `markdown.rs`).

use std::fmt;

use serde::Serialize;

/// Which of the two compared documents something comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Document {
    /// The first argument of [`diff`](super::diff()).
    Old,
    /// The second argument of [`diff`](super::diff()).
    New,
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Document::Old => "old",
            Document::New => "new",
        })
    }
}

/// A part of a document that is not shaped as OpenAPI requires and was skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The document it is in.
    pub document: Document,
    /// RFC 6901 JSON pointer of the offending value (`""` is the root).
    pub pointer: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{} document, at {pointer}: {}",
            self.document, self.message
        )
    }
}

/// The error of [`try_diff`](super::try_diff): the first [`Problem`] met.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DiffError(pub Problem);

/// Where in an operation a change is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Location {
    /// The operation itself (added, removed, id, tags, security, body presence, statuses).
    Operation,
    /// A parameter; the change's `field` starts with the parameter's name.
    Parameter {
        /// `path`, `query`, `header` or `cookie`.
        #[serde(rename = "in")]
        location: String,
    },
    /// The request body's schema.
    RequestBody,
    /// A success response's schema.
    Response {
        /// The status code, as written in the document (`200`).
        status: String,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Operation => f.write_str("operation"),
            Location::Parameter { location } => write!(f, "{location} parameter"),
            Location::RequestBody => f.write_str("request body"),
            Location::Response { status } => write!(f, "response {status}"),
        }
    }
}

/// One change of one operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The oasdiff-style category id, e.g. `new-optional-request-property`. See [`categories`](super::categories()).
    pub id: String,
    /// Whether the change can break a client written against the old document.
    pub breaking: bool,
    /// Where in the operation the change is.
    pub location: Location,
    /// The field path inside the location: `a.b`, `a[]`, `a.anyOf[kind=x].b`; for parameters it
    /// starts with the parameter's name; empty for the location itself (the body schema, the
    /// operation).
    pub field: String,
    /// A human-readable description of the change (`maximum 30 -> 20`).
    pub detail: String,
}

/// The changes of one operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OperationDiff {
    /// Lower-case HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// The `operationId` (of the new document, or of the old one for a removed operation).
    pub operation_id: Option<String>,
    /// The changes, in the documented order.
    pub changes: Vec<Change>,
}

impl OperationDiff {
    /// `PATCH /path (operationId)`, as used in headings.
    pub fn label(&self) -> String {
        match &self.operation_id {
            Some(id) => format!("{} {} ({id})", self.method.to_uppercase(), self.path),
            None => format!("{} {}", self.method.to_uppercase(), self.path),
        }
    }
}

/// The result of [`diff`](super::diff()).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DiffReport {
    /// Operations with at least one change, sorted by path then method.
    pub operations: Vec<OperationDiff>,
    /// Malformed parts of either document that were skipped.
    pub problems: Vec<Problem>,
}

impl DiffReport {
    /// Every change, operation by operation.
    pub fn changes(&self) -> impl Iterator<Item = (&OperationDiff, &Change)> {
        self.operations
            .iter()
            .flat_map(|op| op.changes.iter().map(move |c| (op, c)))
    }

    /// Whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.changes().any(|(_, c)| c.breaking)
    }

    /// Number of breaking changes.
    pub fn breaking_count(&self) -> usize {
        self.changes().filter(|(_, c)| c.breaking).count()
    }

    /// Number of non-breaking changes.
    pub fn non_breaking_count(&self) -> usize {
        self.changes().filter(|(_, c)| !c.breaking).count()
    }

    /// Whether there is no change at all.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// Finds the operation diff for `method` (any case) and `path`.
    pub fn operation(&self, method: &str, path: &str) -> Option<&OperationDiff> {
        self.operations
            .iter()
            .find(|op| op.method.eq_ignore_ascii_case(method) && op.path == path)
    }
}
