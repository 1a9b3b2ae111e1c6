//! Semantic diff of two OpenAPI documents: what changed for a client user, operation by operation.
//!
//! [`diff`] compares two documents (as [`serde_json::Value`]s, OpenAPI 3.0 or 3.1) and returns a
//! [`DiffReport`]: for every operation (keyed by method + path, labelled with its `operationId`)
//! the list of [`Change`]s, each with an oasdiff-style id (`new-optional-request-property`,
//! `request-property-max-decreased`, `response-required-property-removed`, ...) and a flag saying
//! whether it breaks a client. [`DiffReport::to_markdown`] renders it for review;
//! [`DiffReport::has_breaking`] drives `--fail-on-breaking`.
//!
//! # What is compared
//!
//! * operations added and removed; `operationId`, `deprecated`, tags and the effective `security`
//!   of operations present in both;
//! * the parameters (path, query, header, cookie; path-item parameters merged with operation
//!   parameters), keyed by `in` + `name`;
//! * the request body (presence, `required`, the `application/json` schema, else the first media
//!   type's schema);
//! * the success responses (every `2XX` status; `200` for this API), their JSON schema. Error
//!   responses (4XX/5XX) are not compared: they describe the server's error contract, not data a
//!   client builds on;
//! * inside schemas, recursively: object properties (`a.b`), array items (`a[]`), `anyOf`/`oneOf`
//!   options (`a.anyOf[1]`, or `a.anyOf[profile=static]` when each option has a required
//!   one-value-`enum` property that tells the options apart, as jwt-auth's `configurationType` and
//!   spiffe-auth's `profile` do; otherwise options are matched by position). For every schema:
//!   type, nullability (`nullable: true` or a `"null"` type), `format`, `enum` values, `default`,
//!   `minimum`, `maximum`, `minLength`, `maxLength`, `minItems`, `maxItems`; for every property
//!   and parameter: added, removed, required-ness. Local `$ref`s are followed (a recursive
//!   schema is compared once: a pair of references met again below itself is not re-entered).
//!
//! # Classification
//!
//! "Breaking" means: a client written against the old document can fail against a server that
//! implements the new one — a request it sends is now rejected, a response it receives no longer
//! has the shape it was written for, or code generated from the old document loses something
//! the user calls (an operation, a field, a method name). The *request* side is breaking when it
//! narrows what the server accepts; the *response* side is breaking when it widens what the
//! server may send (or removes what it sent). Ids are built as `<subject>-<change>`, where the
//! subject is `request-parameter`, `request-property`, `request-body` (the body schema itself),
//! `response-property` or `response-body`; [`categories`] lists every id with its flag.
//!
//! | change | id suffix (or id) | request side | response side |
//! |---|---|---|---|
//! | operation added | `endpoint-added` | non-breaking | |
//! | operation removed | `api-removed-without-deprecation`, `api-removed-with-deprecation` | **breaking** | |
//! | `operationId` changed (the generated method is renamed) | `api-operation-id-updated` | **breaking** | |
//! | operation deprecated / un-deprecated | `api-deprecated`, `api-reactivated` | non-breaking | |
//! | security required where there was none | `api-security-added` | **breaking** | |
//! | security no longer required | `api-security-removed` | non-breaking | |
//! | security requirements replaced | `api-security-changed` | **breaking** | |
//! | tag added / removed | `api-tag-added`, `api-tag-removed` | non-breaking | |
//! | request body added (required / optional) | `added-required-request-body` / `added-optional-request-body` | **breaking** / non-breaking | |
//! | request body removed | `request-body-removed` | **breaking** | |
//! | request body became required / optional | `request-body-became-required` / `-optional` | **breaking** / non-breaking | |
//! | success status added / removed | `response-success-status-added` / `-removed` | | non-breaking / **breaking** |
//! | new required field or parameter | `new-required-request-property`, `new-required-request-parameter`, `response-required-property-added` | **breaking** | non-breaking |
//! | new optional field or parameter | `new-optional-request-property`, `new-optional-request-parameter`, `response-optional-property-added` | non-breaking | non-breaking |
//! | field or parameter removed | `request-property-removed`, `request-parameter-removed`, `response-{required,optional}-property-removed` | **breaking** | **breaking** |
//! | became required | `-became-required` | **breaking** | non-breaking |
//! | became optional | `-became-optional` | non-breaking | **breaking** |
//! | type changed (also `{}` <-> typed, plain <-> `anyOf`) | `-type-changed` | **breaking** | **breaking** |
//! | became nullable | `-became-nullable` | non-breaking | **breaking** |
//! | became not nullable | `-became-not-nullable` | **breaking** | non-breaking |
//! | `format` added | `-format-added` | **breaking** | non-breaking |
//! | `format` removed | `-format-removed` | non-breaking | **breaking** |
//! | `format` changed | `-format-changed` | **breaking** | **breaking** |
//! | enum value added | `-enum-value-added` | non-breaking | **breaking** (an exhaustive client enum cannot decode it) |
//! | enum value removed | `-enum-value-removed` | **breaking** | non-breaking |
//! | `enum` introduced on a free field | `-enum-set` | **breaking** | non-breaking |
//! | `enum` dropped | `-enum-unset` | non-breaking | **breaking** |
//! | `default` added / removed / changed | `-default-value-added` / `-removed` / `-changed` | non-breaking | non-breaking |
//! | lower bound (`minimum`, `minLength`, `minItems`) raised or set | `-min-increased`, `-min-set`, `-min-length-…`, `-min-items-…` | **breaking** | non-breaking |
//! | lower bound lowered or removed | `-min-decreased`, `-min-unset`, ... | non-breaking | **breaking** |
//! | upper bound (`maximum`, `maxLength`, `maxItems`) lowered or set | `-max-decreased`, `-max-set`, `-max-length-…`, `-max-items-…` | **breaking** | non-breaking |
//! | upper bound raised or removed | `-max-increased`, `-max-unset`, ... | non-breaking | **breaking** |
//! | `anyOf`/`oneOf` option added | `-any-of-added`, `-one-of-added` | non-breaking | **breaking** |
//! | `anyOf`/`oneOf` option removed | `-any-of-removed`, `-one-of-removed` | **breaking** | non-breaking |
//!
//! Notes on judgement calls:
//! * A type change is breaking in both directions, widening included (`integer` -> `number`): the
//!   generated Rust type changes.
//! * A removed *optional* response field is breaking: the generated field disappears from the
//!   client's struct. A removed optional request field is breaking: the server (whose bodies are
//!   `additionalProperties: false`) rejects it and the generated setter disappears.
//! * A new response field is non-breaking. This assumes the generated response types ignore
//!   unknown fields (no `deny_unknown_fields` although the responses say
//!   `additionalProperties: false`); otherwise every added response field would break old clients.
//! * `default` changes are reported but non-breaking: no request a client sends stops being valid,
//!   but a client that omits the field now gets the new default — read the detail.
//! * `minLength`/`minItems` absent is the same as `0`: setting them to `0` is not a change.
//!
//! Not compared: error responses, response headers, media types other than the one compared,
//! `pattern`, `exclusiveMinimum`/`exclusiveMaximum`, `multipleOf`, `additionalProperties`,
//! `allOf`, `readOnly`/`writeOnly`, descriptions and examples.
//!
//! # Robustness
//!
//! [`diff`] never panics: parts of a document that are not shaped as OpenAPI requires (a
//! `paths` that is not an object, a `required` that is not a list of strings, an unresolvable
//! `$ref`, ...) are skipped and recorded as [`Problem`]s naming the document and the JSON pointer;
//! [`try_diff`] turns the first problem into an error.
//!
//! # Ordering
//!
//! Operations are sorted by path, then by method in the order
//! get, put, post, delete, options, head, patch, trace. Within an operation, changes are sorted by
//! location (operation, parameters, request body, responses by status), then field path, then
//! id, then detail: the report does not depend on the key order of either document.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

/// HTTP methods of a path item, in the order operations are listed.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Deepest schema nesting followed (guards against recursive `$ref`s).
const MAX_DEPTH: usize = 64;
/// Longest `$ref` chain followed.
const MAX_REF_HOPS: usize = 32;

static NO_SCHEMA: Value = Value::Null;

/// Which of the two compared documents something comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Document {
    /// The first argument of [`diff`].
    Old,
    /// The second argument of [`diff`].
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

/// The error of [`try_diff`]: the first [`Problem`] met.
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
    /// The oasdiff-style category id, e.g. `new-optional-request-property`. See [`categories`].
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

/// The result of [`diff`].
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

    /// Renders the report as Markdown: a summary line, the list of operations with breaking
    /// changes, then one section per operation with a table of its changes, then the problems.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# API changes\n\n");
        let ops = self.operations.len();
        out.push_str(&format!(
            "**{} breaking, {} non-breaking** changes in {ops} operation{}.\n",
            self.breaking_count(),
            self.non_breaking_count(),
            if ops == 1 { "" } else { "s" }
        ));
        if self.is_empty() {
            out.push_str("\nNo API changes.\n");
        }
        let breaking_ops: Vec<String> = self
            .operations
            .iter()
            .filter(|op| op.changes.iter().any(|c| c.breaking))
            .map(|op| format!("`{}`", op.label()))
            .collect();
        if !breaking_ops.is_empty() {
            out.push_str(&format!(
                "\nBreaking changes in: {}.\n",
                breaking_ops.join(", ")
            ));
        }
        for op in &self.operations {
            out.push_str(&format!("\n## `{} {}`", op.method.to_uppercase(), op.path));
            if let Some(id) = &op.operation_id {
                out.push_str(&format!(" ({})", md_code(id)));
            }
            out.push_str("\n\n| | change | location | field | detail |\n|---|---|---|---|---|\n");
            for c in &op.changes {
                let mark = if c.breaking {
                    "**breaking**"
                } else {
                    "non-breaking"
                };
                let field = if c.field.is_empty() {
                    String::new()
                } else {
                    md_code(&c.field)
                };
                out.push_str(&format!(
                    "| {mark} | `{}` | {} | {} | {} |\n",
                    c.id,
                    c.location,
                    md_cell(&field),
                    md_cell(&c.detail)
                ));
            }
        }
        if !self.problems.is_empty() {
            out.push_str("\n## Problems (skipped parts of the documents)\n\n");
            for p in &self.problems {
                out.push_str(&format!("- {}\n", md_cell(&p.to_string())));
            }
        }
        out
    }
}

/// Inline code that survives backticks in the text.
fn md_code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Escapes a table cell.
fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// One change category: an id and its classification.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Category {
    /// The oasdiff-style id.
    pub id: String,
    /// Whether changes of this category are breaking.
    pub breaking: bool,
}

/// Every category [`diff`] can report, sorted by id, with its breaking flag.
pub fn categories() -> Vec<Category> {
    let mut all = BTreeMap::new();
    for aspect in OpAspect::ALL {
        all.insert(aspect.id().to_string(), aspect.breaking());
    }
    for (side, subject) in [
        (Side::Request, Subject::Parameter),
        (Side::Request, Subject::Property),
        (Side::Request, Subject::Body),
        (Side::Response, Subject::Property),
        (Side::Response, Subject::Body),
    ] {
        for aspect in SchemaAspect::all() {
            if aspect.applies_to(subject) {
                all.insert(aspect.id(side, subject), aspect.breaking(side));
            }
        }
    }
    all.into_iter()
        .map(|(id, breaking)| Category { id, breaking })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Change kinds.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

/// What a schema change is attached to; decides the id prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Subject {
    /// The schema of a parameter.
    Parameter,
    /// A property of an object (at any depth, also array items and options below a property).
    Property,
    /// The body schema itself (and its items and options).
    Body,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    Min,
    Max,
    MinLength,
    MaxLength,
    MinItems,
    MaxItems,
}

impl Bound {
    const ALL: [Bound; 6] = [
        Bound::Min,
        Bound::Max,
        Bound::MinLength,
        Bound::MaxLength,
        Bound::MinItems,
        Bound::MaxItems,
    ];

    fn keyword(self) -> &'static str {
        match self {
            Bound::Min => "minimum",
            Bound::Max => "maximum",
            Bound::MinLength => "minLength",
            Bound::MaxLength => "maxLength",
            Bound::MinItems => "minItems",
            Bound::MaxItems => "maxItems",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Bound::Min => "min",
            Bound::Max => "max",
            Bound::MinLength => "min-length",
            Bound::MaxLength => "max-length",
            Bound::MinItems => "min-items",
            Bound::MaxItems => "max-items",
        }
    }

    fn is_lower(self) -> bool {
        matches!(self, Bound::Min | Bound::MinLength | Bound::MinItems)
    }

    /// Whether an absent bound means 0 (`minLength`, `minItems`).
    fn absent_is_zero(self) -> bool {
        matches!(self, Bound::MinLength | Bound::MinItems)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BoundChange {
    Increased,
    Decreased,
    Set,
    Unset,
}

impl BoundChange {
    const ALL: [BoundChange; 4] = [
        BoundChange::Increased,
        BoundChange::Decreased,
        BoundChange::Set,
        BoundChange::Unset,
    ];

    fn slug(self) -> &'static str {
        match self {
            BoundChange::Increased => "increased",
            BoundChange::Decreased => "decreased",
            BoundChange::Set => "set",
            BoundChange::Unset => "unset",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Comb {
    AnyOf,
    OneOf,
}

impl Comb {
    fn keyword(self) -> &'static str {
        match self {
            Comb::AnyOf => "anyOf",
            Comb::OneOf => "oneOf",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Comb::AnyOf => "any-of",
            Comb::OneOf => "one-of",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SchemaAspect {
    Added { required: bool },
    Removed { required: bool },
    BecameRequired,
    BecameOptional,
    TypeChanged,
    BecameNullable,
    BecameNotNullable,
    FormatAdded,
    FormatRemoved,
    FormatChanged,
    EnumValueAdded,
    EnumValueRemoved,
    EnumSet,
    EnumUnset,
    DefaultAdded,
    DefaultRemoved,
    DefaultChanged,
    Range(Bound, BoundChange),
    OptionAdded(Comb),
    OptionRemoved(Comb),
}

impl SchemaAspect {
    fn all() -> Vec<SchemaAspect> {
        use SchemaAspect::*;
        let mut v = vec![
            Added { required: true },
            Added { required: false },
            Removed { required: true },
            Removed { required: false },
            BecameRequired,
            BecameOptional,
            TypeChanged,
            BecameNullable,
            BecameNotNullable,
            FormatAdded,
            FormatRemoved,
            FormatChanged,
            EnumValueAdded,
            EnumValueRemoved,
            EnumSet,
            EnumUnset,
            DefaultAdded,
            DefaultRemoved,
            DefaultChanged,
            OptionAdded(Comb::AnyOf),
            OptionRemoved(Comb::AnyOf),
            OptionAdded(Comb::OneOf),
            OptionRemoved(Comb::OneOf),
        ];
        for b in Bound::ALL {
            for c in BoundChange::ALL {
                v.push(Range(b, c));
            }
        }
        v
    }

    /// Field-level aspects (presence, required-ness) do not apply to a body schema: those are
    /// operation-level changes there.
    fn applies_to(self, subject: Subject) -> bool {
        use SchemaAspect::*;
        !(subject == Subject::Body
            && matches!(
                self,
                Added { .. } | Removed { .. } | BecameRequired | BecameOptional
            ))
    }

    fn id(self, side: Side, subject: Subject) -> String {
        use SchemaAspect::*;
        let req = |r: bool| if r { "required" } else { "optional" };
        let prefix = match (side, subject) {
            (Side::Request, Subject::Parameter) => "request-parameter",
            (Side::Request, Subject::Property) => "request-property",
            (Side::Request, Subject::Body) => "request-body",
            (Side::Response, Subject::Body) => "response-body",
            (Side::Response, _) => "response-property",
        };
        let noun = if subject == Subject::Parameter {
            "parameter"
        } else {
            "property"
        };
        let suffix = match self {
            Added { required } => {
                return match side {
                    Side::Request => format!("new-{}-request-{noun}", req(required)),
                    Side::Response => format!("response-{}-property-added", req(required)),
                }
            }
            Removed { required } => {
                return match side {
                    Side::Request => format!("request-{noun}-removed"),
                    Side::Response => format!("response-{}-property-removed", req(required)),
                }
            }
            BecameRequired => "became-required".to_string(),
            BecameOptional => "became-optional".to_string(),
            TypeChanged => "type-changed".to_string(),
            BecameNullable => "became-nullable".to_string(),
            BecameNotNullable => "became-not-nullable".to_string(),
            FormatAdded => "format-added".to_string(),
            FormatRemoved => "format-removed".to_string(),
            FormatChanged => "format-changed".to_string(),
            EnumValueAdded => "enum-value-added".to_string(),
            EnumValueRemoved => "enum-value-removed".to_string(),
            EnumSet => "enum-set".to_string(),
            EnumUnset => "enum-unset".to_string(),
            DefaultAdded => "default-value-added".to_string(),
            DefaultRemoved => "default-value-removed".to_string(),
            DefaultChanged => "default-value-changed".to_string(),
            Range(b, c) => format!("{}-{}", b.slug(), c.slug()),
            OptionAdded(c) => format!("{}-added", c.slug()),
            OptionRemoved(c) => format!("{}-removed", c.slug()),
        };
        format!("{prefix}-{suffix}")
    }

    /// Whether the change narrows what is allowed at this place (the rules of the module doc
    /// are: request side breaking when narrowed, response side breaking when widened).
    fn breaking(self, side: Side) -> bool {
        use SchemaAspect::*;
        let request = side == Side::Request;
        match self {
            Added { required } => request && required,
            Removed { .. } => true,
            BecameRequired => request,
            BecameOptional => !request,
            TypeChanged => true,
            BecameNullable => !request,
            BecameNotNullable => request,
            FormatAdded => request,
            FormatRemoved => !request,
            FormatChanged => true,
            EnumValueAdded => !request,
            EnumValueRemoved => request,
            EnumSet => request,
            EnumUnset => !request,
            DefaultAdded | DefaultRemoved | DefaultChanged => false,
            Range(b, c) => {
                let narrowed = match c {
                    BoundChange::Set => true,
                    BoundChange::Unset => false,
                    BoundChange::Increased => b.is_lower(),
                    BoundChange::Decreased => !b.is_lower(),
                };
                narrowed == request
            }
            OptionAdded(_) => !request,
            OptionRemoved(_) => request,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpAspect {
    EndpointAdded,
    ApiRemoved { deprecated: bool },
    OperationIdUpdated,
    Deprecated,
    Reactivated,
    SecurityAdded,
    SecurityRemoved,
    SecurityChanged,
    TagAdded,
    TagRemoved,
    RequestBodyAdded { required: bool },
    RequestBodyRemoved,
    RequestBodyBecameRequired,
    RequestBodyBecameOptional,
    SuccessStatusAdded,
    SuccessStatusRemoved,
}

impl OpAspect {
    const ALL: [OpAspect; 18] = [
        OpAspect::EndpointAdded,
        OpAspect::ApiRemoved { deprecated: false },
        OpAspect::ApiRemoved { deprecated: true },
        OpAspect::OperationIdUpdated,
        OpAspect::Deprecated,
        OpAspect::Reactivated,
        OpAspect::SecurityAdded,
        OpAspect::SecurityRemoved,
        OpAspect::SecurityChanged,
        OpAspect::TagAdded,
        OpAspect::TagRemoved,
        OpAspect::RequestBodyAdded { required: true },
        OpAspect::RequestBodyAdded { required: false },
        OpAspect::RequestBodyRemoved,
        OpAspect::RequestBodyBecameRequired,
        OpAspect::RequestBodyBecameOptional,
        OpAspect::SuccessStatusAdded,
        OpAspect::SuccessStatusRemoved,
    ];

    fn id(self) -> &'static str {
        match self {
            OpAspect::EndpointAdded => "endpoint-added",
            OpAspect::ApiRemoved { deprecated: false } => "api-removed-without-deprecation",
            OpAspect::ApiRemoved { deprecated: true } => "api-removed-with-deprecation",
            OpAspect::OperationIdUpdated => "api-operation-id-updated",
            OpAspect::Deprecated => "api-deprecated",
            OpAspect::Reactivated => "api-reactivated",
            OpAspect::SecurityAdded => "api-security-added",
            OpAspect::SecurityRemoved => "api-security-removed",
            OpAspect::SecurityChanged => "api-security-changed",
            OpAspect::TagAdded => "api-tag-added",
            OpAspect::TagRemoved => "api-tag-removed",
            OpAspect::RequestBodyAdded { required: true } => "added-required-request-body",
            OpAspect::RequestBodyAdded { required: false } => "added-optional-request-body",
            OpAspect::RequestBodyRemoved => "request-body-removed",
            OpAspect::RequestBodyBecameRequired => "request-body-became-required",
            OpAspect::RequestBodyBecameOptional => "request-body-became-optional",
            OpAspect::SuccessStatusAdded => "response-success-status-added",
            OpAspect::SuccessStatusRemoved => "response-success-status-removed",
        }
    }

    fn breaking(self) -> bool {
        matches!(
            self,
            OpAspect::ApiRemoved { .. }
                | OpAspect::OperationIdUpdated
                | OpAspect::SecurityAdded
                | OpAspect::SecurityChanged
                | OpAspect::RequestBodyAdded { required: true }
                | OpAspect::RequestBodyRemoved
                | OpAspect::RequestBodyBecameRequired
                | OpAspect::SuccessStatusRemoved
        )
    }
}

// ---------------------------------------------------------------------------------------------
// The walk.

/// Compares two OpenAPI documents. Never panics; malformed parts are skipped and listed in
/// [`DiffReport::problems`].
pub fn diff(old: &Value, new: &Value) -> DiffReport {
    let mut differ = Differ {
        old,
        new,
        problems: Vec::new(),
        active_refs: Vec::new(),
    };
    let old_ops = differ.operations(Document::Old);
    let new_ops = differ.operations(Document::New);
    let mut keys: BTreeSet<(String, usize)> = BTreeSet::new();
    keys.extend(old_ops.keys().cloned());
    keys.extend(new_ops.keys().cloned());

    let mut operations = Vec::new();
    for key in keys {
        let (path, method_rank) = &key;
        let method = METHODS[*method_rank];
        let mut changes = Vec::new();
        let operation_id;
        match (old_ops.get(&key), new_ops.get(&key)) {
            (None, Some(n)) => {
                operation_id = n.operation_id();
                changes.push(op_change(OpAspect::EndpointAdded, "operation added".into()));
            }
            (Some(o), None) => {
                operation_id = o.operation_id();
                let deprecated = o.op.get("deprecated") == Some(&Value::Bool(true));
                changes.push(op_change(
                    OpAspect::ApiRemoved { deprecated },
                    if deprecated {
                        "deprecated operation removed".into()
                    } else {
                        "operation removed".into()
                    },
                ));
            }
            (Some(o), Some(n)) => {
                operation_id = n.operation_id().or_else(|| o.operation_id());
                differ.operation(o, n, &mut changes);
            }
            (None, None) => continue,
        }
        if changes.is_empty() {
            continue;
        }
        changes.sort_by(|a, b| {
            (&a.location, &a.field, &a.id, &a.detail).cmp(&(
                &b.location,
                &b.field,
                &b.id,
                &b.detail,
            ))
        });
        changes.dedup();
        operations.push(OperationDiff {
            method: method.to_string(),
            path: path.clone(),
            operation_id,
            changes,
        });
    }
    DiffReport {
        operations,
        problems: differ.problems,
    }
}

/// Like [`diff`], but fails on the first malformed part of either document, naming it.
pub fn try_diff(old: &Value, new: &Value) -> Result<DiffReport, DiffError> {
    let report = diff(old, new);
    match report.problems.first() {
        Some(p) => Err(DiffError(p.clone())),
        None => Ok(report),
    }
}

fn op_change(aspect: OpAspect, detail: String) -> Change {
    Change {
        id: aspect.id().to_string(),
        breaking: aspect.breaking(),
        location: Location::Operation,
        field: String::new(),
        detail,
    }
}

/// A value of one document with its JSON pointer.
#[derive(Clone, Copy)]
struct Node<'a> {
    v: &'a Value,
    doc: Document,
}

/// An operation found in a document.
struct OpRef<'a> {
    op: &'a Map<String, Value>,
    item: &'a Map<String, Value>,
    ptr: String,
    item_ptr: String,
    doc: Document,
}

impl OpRef<'_> {
    fn operation_id(&self) -> Option<String> {
        self.op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}

/// Where schema changes of the current walk go.
struct Cx<'c> {
    side: Side,
    location: Location,
    changes: &'c mut Vec<Change>,
}

impl Cx<'_> {
    fn push(&mut self, aspect: SchemaAspect, subject: Subject, field: &str, detail: String) {
        self.changes.push(Change {
            id: aspect.id(self.side, subject),
            breaking: aspect.breaking(self.side),
            location: self.location.clone(),
            field: field.to_string(),
            detail,
        });
    }
}

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    problems: Vec<Problem>,
    /// `$ref` pairs being compared on the current walk (cycle guard).
    active_refs: Vec<(String, String)>,
}

/// RFC 6901 escaping of one reference token.
fn esc(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn join(ptr: &str, token: &str) -> String {
    format!("{ptr}/{}", esc(token))
}

impl<'a> Differ<'a> {
    fn root(&self, doc: Document) -> &'a Value {
        match doc {
            Document::Old => self.old,
            Document::New => self.new,
        }
    }

    fn problem(&mut self, doc: Document, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            document: doc,
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    /// Follows local `$ref`s. Returns the target and its pointer, or `None` (recorded as a
    /// problem) if the reference cannot be followed.
    fn resolve(&mut self, doc: Document, v: &'a Value, ptr: &str) -> Option<(&'a Value, String)> {
        let mut cur = v;
        let mut cur_ptr = ptr.to_string();
        for _ in 0..MAX_REF_HOPS {
            let Some(reference) = cur.as_object().and_then(|o| o.get("$ref")) else {
                return Some((cur, cur_ptr));
            };
            let Some(reference) = reference.as_str() else {
                self.problem(doc, &join(&cur_ptr, "$ref"), "`$ref` is not a string");
                return None;
            };
            let Some(target_ptr) = reference.strip_prefix('#') else {
                self.problem(
                    doc,
                    &join(&cur_ptr, "$ref"),
                    format!("external `$ref` `{reference}` is not supported"),
                );
                return None;
            };
            match self.root(doc).pointer(target_ptr) {
                Some(target) => {
                    cur = target;
                    cur_ptr = target_ptr.to_string();
                }
                None => {
                    self.problem(
                        doc,
                        &join(&cur_ptr, "$ref"),
                        format!("`$ref` `{reference}` does not resolve"),
                    );
                    return None;
                }
            }
        }
        self.problem(doc, ptr, "`$ref` chain too long (cyclic?)");
        None
    }

    /// The operations of a document keyed by (path, method rank).
    fn operations(&mut self, doc: Document) -> BTreeMap<(String, usize), OpRef<'a>> {
        let mut out = BTreeMap::new();
        let root = self.root(doc);
        let Some(root_obj) = root.as_object() else {
            self.problem(doc, "", "the document is not an object");
            return out;
        };
        let Some(paths) = root_obj.get("paths") else {
            return out;
        };
        let Some(paths) = paths.as_object() else {
            self.problem(doc, "/paths", "`paths` is not an object");
            return out;
        };
        for (path, item) in paths {
            let item_ptr = join("/paths", path);
            if path.starts_with("x-") {
                continue;
            }
            let Some((item, item_ptr)) = self.resolve(doc, item, &item_ptr) else {
                continue;
            };
            let Some(item) = item.as_object() else {
                self.problem(doc, &item_ptr, "path item is not an object");
                continue;
            };
            for (rank, method) in METHODS.iter().enumerate() {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let ptr = join(&item_ptr, method);
                let Some(op) = op.as_object() else {
                    self.problem(doc, &ptr, "operation is not an object");
                    continue;
                };
                out.insert(
                    (path.clone(), rank),
                    OpRef {
                        op,
                        item,
                        ptr,
                        item_ptr: item_ptr.clone(),
                        doc,
                    },
                );
            }
        }
        out
    }

    fn operation(&mut self, o: &OpRef<'a>, n: &OpRef<'a>, changes: &mut Vec<Change>) {
        // operationId
        let (oid, nid) = (o.operation_id(), n.operation_id());
        if oid != nid {
            changes.push(op_change(
                OpAspect::OperationIdUpdated,
                format!("operationId {} -> {}", show_opt(&oid), show_opt(&nid)),
            ));
        }
        // deprecated
        let dep = |op: &OpRef| op.op.get("deprecated") == Some(&Value::Bool(true));
        match (dep(o), dep(n)) {
            (false, true) => changes.push(op_change(OpAspect::Deprecated, "deprecated".into())),
            (true, false) => changes.push(op_change(
                OpAspect::Reactivated,
                "no longer deprecated".into(),
            )),
            _ => {}
        }
        // tags
        let otags = self.tags(o);
        let ntags = self.tags(n);
        for t in ntags.difference(&otags) {
            changes.push(op_change(OpAspect::TagAdded, format!("tag `{t}` added")));
        }
        for t in otags.difference(&ntags) {
            changes.push(op_change(
                OpAspect::TagRemoved,
                format!("tag `{t}` removed"),
            ));
        }
        // security
        let osec = self.security(o);
        let nsec = self.security(n);
        if osec != nsec {
            let aspect = match (osec.is_empty(), nsec.is_empty()) {
                (true, false) => OpAspect::SecurityAdded,
                (false, true) => OpAspect::SecurityRemoved,
                _ => OpAspect::SecurityChanged,
            };
            changes.push(op_change(
                aspect,
                format!(
                    "security {} -> {}",
                    show_security(&osec),
                    show_security(&nsec)
                ),
            ));
        }
        self.parameters(o, n, changes);
        self.request_body(o, n, changes);
        self.responses(o, n, changes);
    }

    fn tags(&mut self, op: &OpRef<'a>) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        match op.op.get("tags") {
            None => {}
            Some(Value::Array(tags)) => {
                for (i, t) in tags.iter().enumerate() {
                    match t.as_str() {
                        Some(t) => {
                            out.insert(t.to_string());
                        }
                        None => self.problem(
                            op.doc,
                            &format!("{}/tags/{i}", op.ptr),
                            "tag is not a string",
                        ),
                    }
                }
            }
            Some(_) => self.problem(op.doc, &join(&op.ptr, "tags"), "`tags` is not a list"),
        }
        out
    }

    /// The effective security requirements: a set of alternatives, each the sorted list of
    /// scheme names it needs. An empty set means no authentication; an alternative `{}` makes
    /// authentication optional and counts as no requirement.
    fn security(&mut self, op: &OpRef<'a>) -> BTreeSet<Vec<String>> {
        let (value, ptr) = match op.op.get("security") {
            Some(v) => (v, join(&op.ptr, "security")),
            None => match self.root(op.doc).get("security") {
                Some(v) => (v, "/security".to_string()),
                None => return BTreeSet::new(),
            },
        };
        let Some(list) = value.as_array() else {
            self.problem(op.doc, &ptr, "`security` is not a list");
            return BTreeSet::new();
        };
        let mut out = BTreeSet::new();
        for (i, req) in list.iter().enumerate() {
            let Some(req) = req.as_object() else {
                self.problem(
                    op.doc,
                    &format!("{ptr}/{i}"),
                    "security requirement is not an object",
                );
                continue;
            };
            if req.is_empty() {
                // Authentication is optional.
                return BTreeSet::new();
            }
            let mut names: Vec<String> = req.keys().cloned().collect();
            names.sort();
            out.insert(names);
        }
        out
    }

    /// Parameters keyed by (in, name): path-item ones overridden by operation ones.
    fn params(&mut self, op: &OpRef<'a>) -> BTreeMap<(String, String), (Node<'a>, String)> {
        let mut out = BTreeMap::new();
        for (owner, owner_ptr) in [(op.item, &op.item_ptr), (op.op, &op.ptr)] {
            let Some(list) = owner.get("parameters") else {
                continue;
            };
            let list_ptr = join(owner_ptr, "parameters");
            let Some(list) = list.as_array() else {
                self.problem(op.doc, &list_ptr, "`parameters` is not a list");
                continue;
            };
            for (i, p) in list.iter().enumerate() {
                let Some((p, ptr)) = self.resolve(op.doc, p, &format!("{list_ptr}/{i}")) else {
                    continue;
                };
                let Some(obj) = p.as_object() else {
                    self.problem(op.doc, &ptr, "parameter is not an object");
                    continue;
                };
                let (Some(name), Some(location)) = (
                    obj.get("name").and_then(Value::as_str),
                    obj.get("in").and_then(Value::as_str),
                ) else {
                    self.problem(op.doc, &ptr, "parameter without string `name` and `in`");
                    continue;
                };
                out.insert(
                    (location.to_string(), name.to_string()),
                    (Node { v: p, doc: op.doc }, ptr),
                );
            }
        }
        out
    }

    fn parameters(&mut self, o: &OpRef<'a>, n: &OpRef<'a>, changes: &mut Vec<Change>) {
        let old = self.params(o);
        let new = self.params(n);
        let keys: BTreeSet<&(String, String)> = old.keys().chain(new.keys()).collect();
        for key in keys {
            let (location, name) = key;
            let mut cx = Cx {
                side: Side::Request,
                location: Location::Parameter {
                    location: location.clone(),
                },
                changes: &mut *changes,
            };
            let required =
                |p: &Node| p.v.get("required") == Some(&Value::Bool(true)) || location == "path";
            match (old.get(key), new.get(key)) {
                (None, Some((p, ptr))) => {
                    let required = required(p);
                    let schema = self.param_schema(p, ptr);
                    let summary = self.summary(schema);
                    cx.push(
                        SchemaAspect::Added { required },
                        Subject::Parameter,
                        name,
                        format!("{}; {summary}", req_word(required)),
                    );
                }
                (Some((p, _)), None) => {
                    let required = required(p);
                    cx.push(
                        SchemaAspect::Removed { required },
                        Subject::Parameter,
                        name,
                        format!("{} parameter removed", req_word(required)),
                    );
                }
                (Some((op, optr)), Some((np, nptr))) => {
                    match (required(op), required(np)) {
                        (false, true) => cx.push(
                            SchemaAspect::BecameRequired,
                            Subject::Parameter,
                            name,
                            "optional -> required".into(),
                        ),
                        (true, false) => cx.push(
                            SchemaAspect::BecameOptional,
                            Subject::Parameter,
                            name,
                            "required -> optional".into(),
                        ),
                        _ => {}
                    }
                    let os = self.param_schema(op, optr);
                    let ns = self.param_schema(np, nptr);
                    self.schema(&mut cx, Subject::Parameter, name, os, ns, 0);
                }
                (None, None) => {}
            }
        }
    }

    /// The schema of a parameter (`schema`, or the first `content` entry's schema).
    fn param_schema(&mut self, p: &Node<'a>, ptr: &str) -> (Node<'a>, String) {
        if let Some(s) = p.v.get("schema") {
            return (Node { v: s, doc: p.doc }, join(ptr, "schema"));
        }
        if let Some(content) = p.v.get("content") {
            if let Some((s, sptr)) = self.media_schema(p.doc, content, &join(ptr, "content")) {
                return (Node { v: s, doc: p.doc }, sptr);
            }
        }
        (
            Node {
                v: &NO_SCHEMA,
                doc: p.doc,
            },
            ptr.to_string(),
        )
    }

    /// The schema of a `content` map: `application/json`, else the first media type.
    fn media_schema(
        &mut self,
        doc: Document,
        content: &'a Value,
        ptr: &str,
    ) -> Option<(&'a Value, String)> {
        let Some(content) = content.as_object() else {
            self.problem(doc, ptr, "`content` is not an object");
            return None;
        };
        let (media, mt) = content
            .get_key_value("application/json")
            .or_else(|| content.iter().next())?;
        let mt_ptr = join(ptr, media);
        let (mt, mt_ptr) = self.resolve(doc, mt, &mt_ptr)?;
        let Some(mt) = mt.as_object() else {
            self.problem(doc, &mt_ptr, "media type is not an object");
            return None;
        };
        Some((
            mt.get("schema").unwrap_or(&NO_SCHEMA),
            join(&mt_ptr, "schema"),
        ))
    }

    fn request_body(&mut self, o: &OpRef<'a>, n: &OpRef<'a>, changes: &mut Vec<Change>) {
        let body = |this: &mut Self, op: &OpRef<'a>| -> Option<(&'a Map<String, Value>, String)> {
            let b = op.op.get("requestBody")?;
            let (b, ptr) = this.resolve(op.doc, b, &join(&op.ptr, "requestBody"))?;
            match b.as_object() {
                Some(b) => Some((b, ptr)),
                None => {
                    this.problem(op.doc, &ptr, "`requestBody` is not an object");
                    None
                }
            }
        };
        let ob = body(self, o);
        let nb = body(self, n);
        let required = |b: &Map<String, Value>| b.get("required") == Some(&Value::Bool(true));
        match (ob, nb) {
            (None, None) => {}
            (None, Some((b, _))) => {
                let required = required(b);
                changes.push(op_change(
                    OpAspect::RequestBodyAdded { required },
                    format!("{} request body added", req_word(required)),
                ));
            }
            (Some(_), None) => changes.push(op_change(
                OpAspect::RequestBodyRemoved,
                "request body removed".into(),
            )),
            (Some((ob, optr)), Some((nb, nptr))) => {
                match (required(ob), required(nb)) {
                    (false, true) => changes.push(op_change(
                        OpAspect::RequestBodyBecameRequired,
                        "request body optional -> required".into(),
                    )),
                    (true, false) => changes.push(op_change(
                        OpAspect::RequestBodyBecameOptional,
                        "request body required -> optional".into(),
                    )),
                    _ => {}
                }
                let os = self.body_schema(o.doc, ob, &optr);
                let ns = self.body_schema(n.doc, nb, &nptr);
                let mut cx = Cx {
                    side: Side::Request,
                    location: Location::RequestBody,
                    changes,
                };
                self.schema(&mut cx, Subject::Body, "", os, ns, 0);
            }
        }
    }

    fn body_schema(
        &mut self,
        doc: Document,
        owner: &'a Map<String, Value>,
        ptr: &str,
    ) -> (Node<'a>, String) {
        let found = match owner.get("content") {
            Some(content) => self.media_schema(doc, content, &join(ptr, "content")),
            None => None,
        };
        match found {
            Some((v, p)) => (Node { v, doc }, p),
            None => (Node { v: &NO_SCHEMA, doc }, ptr.to_string()),
        }
    }

    /// The success (2XX) responses of an operation, keyed by status.
    fn success_responses(
        &mut self,
        op: &OpRef<'a>,
    ) -> BTreeMap<String, (&'a Map<String, Value>, String)> {
        let mut out = BTreeMap::new();
        let Some(responses) = op.op.get("responses") else {
            return out;
        };
        let rptr = join(&op.ptr, "responses");
        let Some(responses) = responses.as_object() else {
            self.problem(op.doc, &rptr, "`responses` is not an object");
            return out;
        };
        for (status, r) in responses {
            if !status.starts_with('2') {
                continue;
            }
            let Some((r, ptr)) = self.resolve(op.doc, r, &join(&rptr, status)) else {
                continue;
            };
            match r.as_object() {
                Some(r) => {
                    out.insert(status.clone(), (r, ptr));
                }
                None => self.problem(op.doc, &ptr, "response is not an object"),
            }
        }
        out
    }

    fn responses(&mut self, o: &OpRef<'a>, n: &OpRef<'a>, changes: &mut Vec<Change>) {
        let old = self.success_responses(o);
        let new = self.success_responses(n);
        let statuses: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for status in statuses {
            match (old.get(status), new.get(status)) {
                (None, Some(_)) => changes.push(op_change(
                    OpAspect::SuccessStatusAdded,
                    format!("success response {status} added"),
                )),
                (Some(_), None) => changes.push(op_change(
                    OpAspect::SuccessStatusRemoved,
                    format!("success response {status} removed"),
                )),
                (Some((or, optr)), Some((nr, nptr))) => {
                    let os = self.body_schema(o.doc, or, optr);
                    let ns = self.body_schema(n.doc, nr, nptr);
                    let mut cx = Cx {
                        side: Side::Response,
                        location: Location::Response {
                            status: status.clone(),
                        },
                        changes: &mut *changes,
                    };
                    self.schema(&mut cx, Subject::Body, "", os, ns, 0);
                }
                (None, None) => {}
            }
        }
    }

    /// Resolves a schema node to its object (an empty map for `{}`, `true`, `null`).
    fn schema_obj(
        &mut self,
        node: Node<'a>,
        ptr: &str,
    ) -> Option<(&'a Map<String, Value>, String)> {
        let empty = empty_map();
        let (v, ptr) = self.resolve(node.doc, node.v, ptr)?;
        match v {
            Value::Object(m) => Some((m, ptr)),
            Value::Null | Value::Bool(true) => Some((empty, ptr)),
            _ => {
                self.problem(node.doc, &ptr, "schema is not an object");
                None
            }
        }
    }

    /// Compares two schemas found at `field`.
    #[allow(clippy::too_many_arguments)]
    fn schema(
        &mut self,
        cx: &mut Cx<'_>,
        subject: Subject,
        field: &str,
        old: (Node<'a>, String),
        new: (Node<'a>, String),
        depth: usize,
    ) {
        // A pair of `$ref`s already being compared further up is a recursive schema: its
        // changes are reported at the outer level.
        let ref_of = |n: &Node<'a>| n.v.get("$ref").and_then(Value::as_str);
        let pair = match (ref_of(&old.0), ref_of(&new.0)) {
            (Some(a), Some(b)) => Some((a.to_string(), b.to_string())),
            _ => None,
        };
        if let Some(pair) = &pair {
            if self.active_refs.contains(pair) {
                return;
            }
            self.active_refs.push(pair.clone());
        }
        self.schema_inner(cx, subject, field, old, new, depth);
        if pair.is_some() {
            self.active_refs.pop();
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn schema_inner(
        &mut self,
        cx: &mut Cx<'_>,
        subject: Subject,
        field: &str,
        (old, optr): (Node<'a>, String),
        (new, nptr): (Node<'a>, String),
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            self.problem(
                new.doc,
                &nptr,
                "schema nested too deeply (recursive `$ref`?)",
            );
            return;
        }
        let Some((o, optr)) = self.schema_obj(old, &optr) else {
            return;
        };
        let Some((n, nptr)) = self.schema_obj(new, &nptr) else {
            return;
        };
        let oi = self.info(old.doc, o, &optr);
        let ni = self.info(new.doc, n, &nptr);

        // Type (and plain <-> anyOf/oneOf).
        if oi.ty != ni.ty || oi.combs() != ni.combs() {
            cx.push(
                SchemaAspect::TypeChanged,
                subject,
                field,
                format!("type {} -> {}", oi.type_label(), ni.type_label()),
            );
            return;
        }
        match (oi.nullable, ni.nullable) {
            (false, true) => cx.push(
                SchemaAspect::BecameNullable,
                subject,
                field,
                "became nullable".into(),
            ),
            (true, false) => cx.push(
                SchemaAspect::BecameNotNullable,
                subject,
                field,
                "no longer nullable".into(),
            ),
            _ => {}
        }
        match (&oi.format, &ni.format) {
            (None, Some(f)) => cx.push(
                SchemaAspect::FormatAdded,
                subject,
                field,
                format!("format `{f}` added"),
            ),
            (Some(f), None) => cx.push(
                SchemaAspect::FormatRemoved,
                subject,
                field,
                format!("format `{f}` removed"),
            ),
            (Some(a), Some(b)) if a != b => cx.push(
                SchemaAspect::FormatChanged,
                subject,
                field,
                format!("format `{a}` -> `{b}`"),
            ),
            _ => {}
        }
        match (&oi.enumeration, &ni.enumeration) {
            (None, Some(values)) => cx.push(
                SchemaAspect::EnumSet,
                subject,
                field,
                format!("restricted to enum {}", show_values(values)),
            ),
            (Some(values), None) => cx.push(
                SchemaAspect::EnumUnset,
                subject,
                field,
                format!("enum {} removed", show_values(values)),
            ),
            (Some(ov), Some(nv)) => {
                for v in nv.iter().filter(|v| !ov.contains(v)) {
                    cx.push(
                        SchemaAspect::EnumValueAdded,
                        subject,
                        field,
                        format!("enum value {} added", show_value(v)),
                    );
                }
                for v in ov.iter().filter(|v| !nv.contains(v)) {
                    cx.push(
                        SchemaAspect::EnumValueRemoved,
                        subject,
                        field,
                        format!("enum value {} removed", show_value(v)),
                    );
                }
            }
            (None, None) => {}
        }
        match (o.get("default"), n.get("default")) {
            (None, Some(d)) => cx.push(
                SchemaAspect::DefaultAdded,
                subject,
                field,
                format!("default {} added", show_value(d)),
            ),
            (Some(d), None) => cx.push(
                SchemaAspect::DefaultRemoved,
                subject,
                field,
                format!("default {} removed", show_value(d)),
            ),
            (Some(a), Some(b)) if a != b => cx.push(
                SchemaAspect::DefaultChanged,
                subject,
                field,
                format!("default {} -> {}", show_value(a), show_value(b)),
            ),
            _ => {}
        }
        for bound in Bound::ALL {
            let ob = oi.bounds[bound as usize];
            let nb = ni.bounds[bound as usize];
            let zero = bound.absent_is_zero();
            let change = match (ob, nb) {
                (None, Some(b)) if !(zero && b == 0.0) => Some(BoundChange::Set),
                (Some(a), None) if !(zero && a == 0.0) => Some(BoundChange::Unset),
                (Some(a), Some(b)) if b > a => Some(BoundChange::Increased),
                (Some(a), Some(b)) if b < a => Some(BoundChange::Decreased),
                _ => None,
            };
            if let Some(change) = change {
                cx.push(
                    SchemaAspect::Range(bound, change),
                    subject,
                    field,
                    format!(
                        "{} {} -> {}",
                        bound.keyword(),
                        show_bound(ob),
                        show_bound(nb)
                    ),
                );
            }
        }

        // Array items.
        if o.contains_key("items") || n.contains_key("items") {
            let oitems = (
                Node {
                    v: o.get("items").unwrap_or(&NO_SCHEMA),
                    doc: old.doc,
                },
                join(&optr, "items"),
            );
            let nitems = (
                Node {
                    v: n.get("items").unwrap_or(&NO_SCHEMA),
                    doc: new.doc,
                },
                join(&nptr, "items"),
            );
            let child = format!("{field}[]");
            self.schema(cx, subject, &child, oitems, nitems, depth + 1);
        }

        // Object properties.
        self.properties(cx, field, (old, o, &optr), (new, n, &nptr), depth);

        // anyOf / oneOf options.
        for comb in [Comb::AnyOf, Comb::OneOf] {
            let (Some(oo), Some(no)) = (
                o.get(comb.keyword()).and_then(Value::as_array),
                n.get(comb.keyword()).and_then(Value::as_array),
            ) else {
                continue;
            };
            self.options(
                cx,
                subject,
                field,
                comb,
                (old.doc, oo, &join(&optr, comb.keyword())),
                (new.doc, no, &join(&nptr, comb.keyword())),
                depth,
            );
        }
    }

    fn properties(
        &mut self,
        cx: &mut Cx<'_>,
        field: &str,
        (old, o, optr): (Node<'a>, &'a Map<String, Value>, &str),
        (new, n, nptr): (Node<'a>, &'a Map<String, Value>, &str),
        depth: usize,
    ) {
        let oprops = self.props(old.doc, o, optr);
        let nprops = self.props(new.doc, n, nptr);
        if oprops.is_none() && nprops.is_none() {
            return;
        }
        let oprops = oprops.unwrap_or(empty_map());
        let nprops = nprops.unwrap_or(empty_map());
        let oreq = self.required(old.doc, o, optr);
        let nreq = self.required(new.doc, n, nptr);
        let mut names: Vec<&String> = oprops.keys().collect();
        names.extend(nprops.keys().filter(|k| !oprops.contains_key(*k)));
        for name in names {
            let child = if field.is_empty() {
                name.clone()
            } else {
                format!("{field}.{name}")
            };
            let opp = join(&join(optr, "properties"), name);
            let npp = join(&join(nptr, "properties"), name);
            match (oprops.get(name), nprops.get(name)) {
                (None, Some(s)) => {
                    let required = nreq.contains(name);
                    let summary = self.summary((Node { v: s, doc: new.doc }, npp));
                    cx.push(
                        SchemaAspect::Added { required },
                        Subject::Property,
                        &child,
                        format!("{}; {summary}", req_word(required)),
                    );
                }
                (Some(_), None) => {
                    let required = oreq.contains(name);
                    cx.push(
                        SchemaAspect::Removed { required },
                        Subject::Property,
                        &child,
                        format!("{} field removed", req_word(required)),
                    );
                }
                (Some(os), Some(ns)) => {
                    match (oreq.contains(name), nreq.contains(name)) {
                        (false, true) => cx.push(
                            SchemaAspect::BecameRequired,
                            Subject::Property,
                            &child,
                            "optional -> required".into(),
                        ),
                        (true, false) => cx.push(
                            SchemaAspect::BecameOptional,
                            Subject::Property,
                            &child,
                            "required -> optional".into(),
                        ),
                        _ => {}
                    }
                    self.schema(
                        cx,
                        Subject::Property,
                        &child,
                        (
                            Node {
                                v: os,
                                doc: old.doc,
                            },
                            opp,
                        ),
                        (
                            Node {
                                v: ns,
                                doc: new.doc,
                            },
                            npp,
                        ),
                        depth + 1,
                    );
                }
                (None, None) => {}
            }
        }
    }

    fn props(
        &mut self,
        doc: Document,
        s: &'a Map<String, Value>,
        ptr: &str,
    ) -> Option<&'a Map<String, Value>> {
        match s.get("properties") {
            None => None,
            Some(Value::Object(p)) => Some(p),
            Some(_) => {
                self.problem(
                    doc,
                    &join(ptr, "properties"),
                    "`properties` is not an object",
                );
                None
            }
        }
    }

    fn required(
        &mut self,
        doc: Document,
        s: &'a Map<String, Value>,
        ptr: &str,
    ) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        match s.get("required") {
            None => {}
            Some(Value::Array(list)) => {
                for (i, r) in list.iter().enumerate() {
                    match r.as_str() {
                        Some(r) => {
                            out.insert(r.to_string());
                        }
                        None => self.problem(
                            doc,
                            &format!("{}/{i}", join(ptr, "required")),
                            "required entry is not a string",
                        ),
                    }
                }
            }
            Some(_) => self.problem(
                doc,
                &join(ptr, "required"),
                "`required` is not a list of strings",
            ),
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn options(
        &mut self,
        cx: &mut Cx<'_>,
        subject: Subject,
        field: &str,
        comb: Comb,
        (odoc, oo, optr): (Document, &'a [Value], &str),
        (ndoc, no, nptr): (Document, &'a [Value], &str),
        depth: usize,
    ) {
        let okeys = self.option_keys(odoc, oo, optr);
        let nkeys = self.option_keys(ndoc, no, nptr);
        // Match by tag when every option of both sides has a distinct tag, else by position.
        let keyed = okeys.iter().chain(nkeys.iter()).all(Option::is_some)
            && distinct(&okeys)
            && distinct(&nkeys);
        let label = |key: &Option<String>, i: usize| -> String {
            let inner = match key {
                Some(k) if keyed => k.clone(),
                _ => i.to_string(),
            };
            let seg = format!("{}[{inner}]", comb.keyword());
            if field.is_empty() {
                seg
            } else {
                format!("{field}.{seg}")
            }
        };
        let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
        if keyed {
            for (i, k) in okeys.iter().enumerate() {
                pairs.push((Some(i), nkeys.iter().position(|nk| nk == k)));
            }
            for (j, k) in nkeys.iter().enumerate() {
                if !okeys.contains(k) {
                    pairs.push((None, Some(j)));
                }
            }
        } else {
            for i in 0..oo.len().max(no.len()) {
                pairs.push(((i < oo.len()).then_some(i), (i < no.len()).then_some(i)));
            }
        }
        for (oi, ni) in pairs {
            match (oi, ni) {
                (Some(i), Some(j)) => {
                    let child = label(&nkeys[j], j);
                    self.schema(
                        cx,
                        subject,
                        &child,
                        (
                            Node {
                                v: &oo[i],
                                doc: odoc,
                            },
                            format!("{optr}/{i}"),
                        ),
                        (
                            Node {
                                v: &no[j],
                                doc: ndoc,
                            },
                            format!("{nptr}/{j}"),
                        ),
                        depth + 1,
                    );
                }
                (None, Some(j)) => {
                    let summary = self.summary((
                        Node {
                            v: &no[j],
                            doc: ndoc,
                        },
                        format!("{nptr}/{j}"),
                    ));
                    cx.push(
                        SchemaAspect::OptionAdded(comb),
                        subject,
                        &label(&nkeys[j], j),
                        format!("{} option added: {summary}", comb.keyword()),
                    );
                }
                (Some(i), None) => {
                    let summary = self.summary((
                        Node {
                            v: &oo[i],
                            doc: odoc,
                        },
                        format!("{optr}/{i}"),
                    ));
                    cx.push(
                        SchemaAspect::OptionRemoved(comb),
                        subject,
                        &label(&okeys[i], i),
                        format!("{} option removed: {summary}", comb.keyword()),
                    );
                }
                (None, None) => {}
            }
        }
    }

    /// The tag of each option: `prop=value` for the first required property whose schema is a
    /// one-value `enum`.
    fn option_keys(&mut self, doc: Document, opts: &'a [Value], ptr: &str) -> Vec<Option<String>> {
        let mut out = Vec::new();
        for (i, opt) in opts.iter().enumerate() {
            let key = self
                .schema_obj(Node { v: opt, doc }, &format!("{ptr}/{i}"))
                .and_then(|(o, _)| {
                    let props = o.get("properties")?.as_object()?;
                    let req = o.get("required")?.as_array()?;
                    props.iter().find_map(|(name, s)| {
                        if !req.iter().any(|r| r.as_str() == Some(name)) {
                            return None;
                        }
                        match s.get("enum")?.as_array()?.as_slice() {
                            [one] => Some(format!("{name}={}", show_plain(one))),
                            _ => None,
                        }
                    })
                });
            out.push(key);
        }
        out
    }

    /// The compared facts of one schema.
    fn info(&mut self, doc: Document, s: &Map<String, Value>, ptr: &str) -> SchemaInfo {
        let mut info = SchemaInfo::default();
        match s.get("type") {
            None => {}
            Some(Value::String(t)) => info.ty = Some(t.clone()),
            Some(Value::Array(ts)) => {
                let mut names = Vec::new();
                for (i, t) in ts.iter().enumerate() {
                    match t.as_str() {
                        Some("null") => info.nullable = true,
                        Some(t) => names.push(t.to_string()),
                        None => self.problem(
                            doc,
                            &format!("{}/{i}", join(ptr, "type")),
                            "type entry is not a string",
                        ),
                    }
                }
                names.sort();
                names.dedup();
                if !names.is_empty() {
                    info.ty = Some(names.join("|"));
                }
            }
            Some(_) => self.problem(doc, &join(ptr, "type"), "`type` is not a string or list"),
        }
        if s.get("nullable") == Some(&Value::Bool(true)) {
            info.nullable = true;
        }
        match s.get("format") {
            None => {}
            Some(Value::String(f)) => info.format = Some(f.clone()),
            Some(_) => self.problem(doc, &join(ptr, "format"), "`format` is not a string"),
        }
        match s.get("enum") {
            None => {}
            Some(Value::Array(values)) => info.enumeration = Some(values.clone()),
            Some(_) => self.problem(doc, &join(ptr, "enum"), "`enum` is not a list"),
        }
        for bound in Bound::ALL {
            match s.get(bound.keyword()) {
                None => {}
                Some(Value::Number(n)) => info.bounds[bound as usize] = n.as_f64(),
                Some(_) => self.problem(
                    doc,
                    &join(ptr, bound.keyword()),
                    format!("`{}` is not a number", bound.keyword()),
                ),
            }
        }
        for comb in [Comb::AnyOf, Comb::OneOf] {
            match s.get(comb.keyword()) {
                None => {}
                Some(Value::Array(opts)) => info.options[comb as usize] = Some(opts.len()),
                Some(_) => self.problem(
                    doc,
                    &join(ptr, comb.keyword()),
                    format!("`{}` is not a list", comb.keyword()),
                ),
            }
        }
        info
    }

    /// A one-line description of a schema: `integer, 0..315360000, default 0`.
    fn summary(&mut self, (node, ptr): (Node<'a>, String)) -> String {
        let Some((s, ptr)) = self.schema_obj(node, &ptr) else {
            return "invalid schema".into();
        };
        let info = self.info(node.doc, s, &ptr);
        let mut parts = vec![info.type_label()];
        if info.ty.as_deref() == Some("array") {
            if let Some(items) = s.get("items") {
                if let Some(t) = items.get("type").and_then(Value::as_str) {
                    parts[0] = format!("array of {t}");
                }
            }
        }
        if let Some(f) = &info.format {
            parts[0] = format!("{} ({f})", parts[0]);
        }
        if info.nullable {
            parts.push("nullable".into());
        }
        if let Some(values) = &info.enumeration {
            parts.push(format!("enum {}", show_values(values)));
        }
        let range = |lo: Option<f64>, hi: Option<f64>, what: &str| match (lo, hi) {
            (None, None) => None,
            (Some(lo), None) => Some(format!("{what}>= {}", show_num(lo))),
            (None, Some(hi)) => Some(format!("{what}<= {}", show_num(hi))),
            (Some(lo), Some(hi)) => Some(format!("{what}{}..{}", show_num(lo), show_num(hi))),
        };
        let b = &info.bounds;
        parts.extend(range(b[Bound::Min as usize], b[Bound::Max as usize], ""));
        parts.extend(range(
            b[Bound::MinLength as usize],
            b[Bound::MaxLength as usize],
            "length ",
        ));
        parts.extend(range(
            b[Bound::MinItems as usize],
            b[Bound::MaxItems as usize],
            "items ",
        ));
        if let Some(d) = s.get("default") {
            parts.push(format!("default {}", show_value(d)));
        }
        if let Some(req) = s.get("required").and_then(Value::as_array) {
            let names: Vec<&str> = req.iter().filter_map(Value::as_str).collect();
            if !names.is_empty() {
                parts.push(format!("requires {}", names.join(", ")));
            }
        }
        parts.join(", ")
    }
}

#[derive(Default)]
struct SchemaInfo {
    ty: Option<String>,
    nullable: bool,
    format: Option<String>,
    enumeration: Option<Vec<Value>>,
    bounds: [Option<f64>; 6],
    /// Number of `anyOf` / `oneOf` options, if present.
    options: [Option<usize>; 2],
}

impl SchemaInfo {
    fn combs(&self) -> [bool; 2] {
        [self.options[0].is_some(), self.options[1].is_some()]
    }

    fn type_label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = &self.ty {
            parts.push(t.clone());
        }
        if let Some(n) = self.options[0] {
            parts.push(format!("anyOf({n})"));
        }
        if let Some(n) = self.options[1] {
            parts.push(format!("oneOf({n})"));
        }
        if parts.is_empty() {
            "any".to_string()
        } else {
            parts.join(" ")
        }
    }
}

/// A shared empty object (the schema `{}`).
fn empty_map() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

fn distinct(keys: &[Option<String>]) -> bool {
    let set: BTreeSet<&Option<String>> = keys.iter().collect();
    set.len() == keys.len()
}

fn req_word(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

fn show_opt(v: &Option<String>) -> String {
    match v {
        Some(v) => format!("`{v}`"),
        None => "(none)".into(),
    }
}

fn show_security(s: &BTreeSet<Vec<String>>) -> String {
    if s.is_empty() {
        return "(none)".into();
    }
    s.iter()
        .map(|alt| alt.join(" + "))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A JSON value in backticks, compact.
fn show_value(v: &Value) -> String {
    format!("`{v}`")
}

/// A JSON value without quotes for strings (used in option tags).
fn show_plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn show_values(values: &[Value]) -> String {
    let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    format!("`[{}]`", shown.join(", "))
}

fn show_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn show_bound(b: Option<f64>) -> String {
    match b {
        Some(n) => show_num(n),
        None => "(none)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn category_ids_are_unique_and_classified() {
        let cats = categories();
        let ids: BTreeSet<&str> = cats.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), cats.len());
        let find = |id: &str| cats.iter().find(|c| c.id == id).map(|c| c.breaking);
        assert_eq!(find("new-optional-request-property"), Some(false));
        assert_eq!(find("new-required-request-property"), Some(true));
        assert_eq!(find("request-property-max-decreased"), Some(true));
        assert_eq!(find("request-property-max-increased"), Some(false));
        assert_eq!(find("response-property-max-increased"), Some(true));
        assert_eq!(find("response-optional-property-added"), Some(false));
        assert_eq!(find("request-body-became-required"), Some(true));
        assert_eq!(find("request-body-removed"), Some(true));
        assert_eq!(find("request-body-any-of-added"), Some(false));
        assert_eq!(find("response-body-any-of-added"), Some(true));
        assert_eq!(find("new-required-request-body"), None);
    }

    #[test]
    fn malformed_documents_do_not_panic() {
        let garbage = [
            json!(null),
            json!([]),
            json!({"paths": []}),
            json!({"paths": {"/a": 1}}),
            json!({"paths": {"/a": {"get": "x"}}}),
            json!({"paths": {"/a": {"get": {"parameters": {}, "responses": []}}}}),
            json!({"paths": {"/a": {"get": {"parameters": [1, {"name": 1}], "requestBody": 3}}}}),
            json!({"paths": {"/a": {"get": {"requestBody": {"content": {"application/json": {"schema": {"type": 3, "properties": [], "required": "x", "enum": 1, "minimum": "a", "anyOf": 2}}}}}}}}),
            json!({"paths": {"/a": {"get": {"requestBody": {"$ref": "#/nope"}}}}}),
            json!({"paths": {"/a": {"get": {"requestBody": {"$ref": "#/paths/~1a/get/requestBody"}}}}}),
            json!({"paths": {"/a": {"get": {"security": 1, "tags": [1], "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}}}, "components": {"schemas": {"A": {"properties": {"a": {"$ref": "#/components/schemas/A"}}}}}}),
        ];
        for old in &garbage {
            for new in &garbage {
                let report = diff(old, new);
                let _ = report.to_markdown();
            }
        }
    }

    #[test]
    fn problems_name_the_pointer() {
        let old = json!({"paths": {}});
        let new = json!({"paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}]}}}});
        let bad = json!({"paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "string", "maxLength": "ten"}}]}}}});
        assert!(try_diff(&old, &new).is_ok());
        let err = try_diff(&new, &bad).unwrap_err();
        assert_eq!(
            err.0.pointer,
            "/paths/~1a/get/parameters/0/schema/maxLength"
        );
        assert_eq!(err.0.document, Document::New);
        assert!(err
            .to_string()
            .contains("/paths/~1a/get/parameters/0/schema/maxLength"));
    }
}
