//! Import of a full Infisical OpenAPI document (`cargo xtask import PATH`), OpenAPI 3.0 or 3.1
//! (written as it is, but for 3.1 path items given as references, which are copied in).
//!
//! Infisical serves one OpenAPI document for its whole API (every tag). [`import`] reads it (JSON
//! or YAML, [`crate::document::load`]), keeps the machine-identity auth operations — those tagged with one
//! of the tags listed in `openapi/import.toml` ([`ImportConfig`], [`filter_identity_auth`]) —
//! writes the result in one canonical form ([`canonical_json`]) and reports the semantic diff
//! against the spec file it replaces ([`crate::diff`]).
//!
//! # Canonical form
//!
//! [`canonical_json`] makes the output a function of the document's *content*, so that
//! re-importing the same document — whatever its format or key order — is a no-op, and a new
//! upstream revision changes only the lines that really changed:
//!
//! * 2-space indented JSON (`serde_json`'s pretty printer), `\n` line ends, one trailing newline;
//! * the fixed fields of every OpenAPI object are in a fixed order, independent of the input.
//!   Where Infisical's generator (fastify-swagger over zod schemas) is consistent, the order is
//!   the one it emits, so that importing Infisical's document changes as little as possible;
//!   fields it does not emit sit where the OpenAPI specification lists them:
//!   - document: `openapi`, `info`, `jsonSchemaDialect`, `servers`, `security`, `tags`,
//!     `paths`, `webhooks`, `components`, `externalDocs`;
//!   - info: `title`, `version`, `summary`, `description`, ...;
//!   - path item: `$ref`, `summary`, `description`, `servers`, `parameters`, then `get`, `put`,
//!     `post`, `delete`, `options`, `head`, `patch`, `trace`;
//!   - operation: `tags`, `summary`, `description`, `externalDocs`, `operationId`,
//!     `parameters`, `requestBody`, `responses`, `callbacks`, `deprecated`, `security`,
//!     `servers`;
//!   - parameter: `schema`, `in`, `name`, `required`, `description`, ...;
//!   - request body: `description`, `required`, `content`; response: `description`, `headers`,
//!     `content`, `links`; media type: `schema`, `example`, `examples`, `encoding`;
//!   - schema: `$ref`, `title`, `description`, `type`, `properties`, `required`,
//!     `additionalProperties`, `format`, `enum`, `const`, `minLength`, `maxLength`, `pattern`,
//!     `items`, `minItems`, `maxItems`, `uniqueItems`, `minimum`, `exclusiveMinimum`, `maximum`,
//!     `exclusiveMaximum`, `multipleOf`, `default`, `nullable`, `allOf`, `anyOf`, `oneOf`,
//!     `not`, ...;
//!
//!   unknown keys (`x-…`) follow the known ones, sorted. (Infisical's own output is not fully
//!   consistent: in the current document 3 request bodies put `content` before `required` and 6
//!   schemas put `maximum` before `minimum`; the canonical form fixes those 9 places.)
//! * maps keyed by names are sorted by name: `paths`, `responses` (status codes, `default` last),
//!   `content` (media types), `headers`, the sections of `components`;
//! * except schema `properties`, which keep the document's order: that order is the API author's
//!   field order, and it is the order of the fields in the generated Rust structs;
//! * arrays keep their order (`required`, `enum`, `tags`, `parameters`, `anyOf` are ordered in
//!   the source too), and literal values (`default`, `enum`, `example`, `examples`, `const`,
//!   `x-…` extension values) are kept verbatim;
//! * other objects (`externalDocs`, `discriminator`, `links`, security requirements, ...) have
//!   their keys sorted, recursively.
//!
//! Every rule depends only on the keys present, so canonicalising twice gives the same text.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::diff::{self, DiffReport};
use crate::document::load::{parse_text, LoadError};
use crate::document::ops::METHODS;
use crate::document::pointer::escape as esc;
use crate::document::{openapi31, refs};

/// Where the import configuration lives, relative to the workspace root.
pub const DEFAULT_CONFIG_PATH: &str = "openapi/import.toml";

/// Everything that can make an import fail.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input does not load as a document.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The document loads but is not shaped as an OpenAPI document at `pointer`.
    #[error("invalid document at {}: {message}", if pointer.is_empty() { "(root)" } else { pointer.as_str() })]
    Invalid {
        /// RFC 6901 JSON pointer of the offending value (`""` is the root).
        pointer: String,
        /// What is wrong.
        message: String,
    },
    /// No operation of the input has one of the configured tags.
    #[error("no operation is tagged with one of the {} tags of the import config", .0.len())]
    NoOperations(Vec<String>),
    /// Entries of the import config that match no operation of the input (a tag Infisical
    /// renamed or dropped): each is named, so that nothing changes silently.
    #[error("openapi/import.toml entries match nothing in the document: {}", .0.join("; "))]
    UnusedEntries(Vec<String>),
    /// The import configuration is invalid.
    #[error("invalid import config: {0}")]
    Config(String),
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// The import configuration (`openapi/import.toml`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    /// The spec file the import writes, relative to the workspace root.
    pub output: PathBuf,
    /// If set, replaces `info.description` of the imported document (Infisical's describes its
    /// whole API; the project's file describes the identity-auth subset).
    #[serde(default)]
    pub description: Option<String>,
    /// The tags of the operations to keep (the identity-auth methods).
    pub tags: Vec<String>,
    /// Path prefixes of more operations to keep (for untagged documents): an operation whose
    /// path starts with one (`/api/v1/auth/new-auth` keeps `/api/v1/auth/new-auth/login`).
    #[serde(default)]
    pub path_prefixes: Vec<String>,
}

impl ImportConfig {
    /// Whether the operation at `path` is kept.
    fn keeps(&self, path: &str, op: &Value) -> bool {
        let tagged = op.get("tags").and_then(Value::as_array).is_some_and(|ts| {
            ts.iter()
                .any(|t| self.tags.iter().any(|listed| t.as_str() == Some(listed)))
        });
        tagged || self.path_prefixes.iter().any(|p| under(path, p))
    }
}

/// Whether `path` is `prefix` or below it (segment-wise: `/a/b` is under `/a`, `/ab` is not).
fn under(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A group of operations the import did not keep although it looks like an auth method: a
/// tag ending in `Auth`, or paths under `/api/v<N>/auth/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnlistedAuth {
    /// The tag, or the path prefix of untagged operations (`/api/v1/auth/new-auth`).
    pub group: String,
    /// How many operations it has.
    pub operations: usize,
    /// What to add to `openapi/import.toml` to keep them.
    pub to_keep: String,
}

/// The `/api/v<N>/auth/<method>` prefix of a path, if it has one.
fn auth_prefix(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["api", version, "auth", method, ..]
            if version.starts_with('v') && !method.starts_with('{') =>
        {
            Some(format!("/api/{version}/auth/{method}"))
        }
        _ => None,
    }
}

/// The operations of `doc` that `cfg` does not keep but that look like auth methods, by group.
pub fn unlisted_auth_methods(doc: &Value, cfg: &ImportConfig) -> Vec<UnlistedAuth> {
    let mut groups: std::collections::BTreeMap<String, (usize, String)> = Default::default();
    for op in crate::document::ops::operations(doc) {
        if cfg.keeps(op.path, op.op) {
            continue;
        }
        let (group, to_keep) = match op.tag() {
            Some(tag) if tag.ends_with("Auth") => {
                (tag.to_string(), format!("add \"{tag}\" to `tags`"))
            }
            tag => match auth_prefix(op.path) {
                Some(prefix) if tag.is_none() => {
                    let add = format!("add \"{prefix}\" to `path_prefixes`");
                    (prefix, add)
                }
                Some(_) => {
                    let tag = tag.unwrap_or_default();
                    (tag.to_string(), format!("add \"{tag}\" to `tags`"))
                }
                None => continue,
            },
        };
        groups.entry(group).or_insert((0, to_keep)).0 += 1;
    }
    groups
        .into_iter()
        .map(|(group, (operations, to_keep))| UnlistedAuth {
            group,
            operations,
            to_keep,
        })
        .collect()
}

impl ImportConfig {
    /// Parses and checks a configuration (non-empty, distinct, non-blank tags; an output path).
    pub fn from_toml(text: &str) -> Result<Self, ImportError> {
        let cfg: ImportConfig =
            toml::from_str(text).map_err(|e| ImportError::Config(e.to_string()))?;
        if cfg.tags.is_empty() {
            return Err(ImportError::Config("`tags` is empty".into()));
        }
        let mut seen = HashSet::new();
        for tag in &cfg.tags {
            if tag.trim().is_empty() {
                return Err(ImportError::Config("`tags` has a blank entry".into()));
            }
            if !seen.insert(tag.as_str()) {
                return Err(ImportError::Config(format!("tag `{tag}` is listed twice")));
            }
        }
        if cfg.output.as_os_str().is_empty() {
            return Err(ImportError::Config("`output` is empty".into()));
        }
        if let Some(p) = cfg.path_prefixes.iter().find(|p| !p.starts_with('/')) {
            return Err(ImportError::Config(format!(
                "path prefix `{p}` does not start with `/`"
            )));
        }
        Ok(cfg)
    }

    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Self, ImportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text)
    }
}

/// The result of [`import`].
#[derive(Clone, Debug)]
pub struct ImportOutcome {
    /// The canonical text to write to [`ImportConfig::output`].
    pub text: String,
    /// The kept document (as written).
    pub document: Value,
    /// Number of operations kept.
    pub operations: usize,
    /// Operations left out that look like auth methods, with what keeps them.
    pub unlisted_auth: Vec<UnlistedAuth>,
    /// The semantic diff from the replaced document (or from an empty one) to the new one.
    pub report: DiffReport,
    /// [`DiffReport::to_markdown`] of `report`.
    pub diff_markdown: String,
}

fn invalid(pointer: &str, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        pointer: pointer.to_string(),
        message: message.into(),
    }
}

/// Keeps the operations tagged with one of `cfg.tags` (an operation with several tags is kept if
/// any is listed): path items left without operations are dropped; `tags` keeps the entries of
/// the kept operations' listed tags (in the document's order, with entries added for used tags
/// the document does not declare); `components` keeps `securitySchemes` and whatever the kept
/// operations reach by `$ref`; everything else at the top level is kept. Never fails: parts that
/// are not shaped as expected are dropped (a path item that is not an object) or kept as they are
/// (the other top-level keys); [`import`] checks the document first.
pub fn filter_identity_auth(doc: &Value, cfg: &ImportConfig) -> Value {
    let Some(root) = doc.as_object() else {
        return doc.clone();
    };
    let listed: HashSet<&str> = cfg.tags.iter().map(String::as_str).collect();

    // Paths.
    let mut paths = Map::new();
    let mut used: Vec<String> = Vec::new();
    if let Some(src) = root.get("paths").and_then(Value::as_object) {
        for (path, item) in src {
            let Some(item) = item.as_object() else {
                continue;
            };
            let mut kept = Map::new();
            let mut any = false;
            for (key, value) in item {
                if METHODS.contains(&key.as_str()) {
                    if !cfg.keeps(path, value) {
                        continue;
                    }
                    any = true;
                    for t in value["tags"].as_array().into_iter().flatten() {
                        if let Some(t) = t.as_str() {
                            if listed.contains(t) && !used.iter().any(|u| u == t) {
                                used.push(t.to_string());
                            }
                        }
                    }
                }
                kept.insert(key.clone(), value.clone());
            }
            if any {
                paths.insert(path.clone(), Value::Object(kept));
            }
        }
    }

    // Tags: declared entries of used tags, then used tags not declared (in config order).
    let mut tags: Vec<Value> = Vec::new();
    let mut declared = HashSet::new();
    if let Some(src) = root.get("tags").and_then(Value::as_array) {
        for t in src {
            if let Some(name) = t.get("name").and_then(Value::as_str) {
                if used.iter().any(|u| u == name) && declared.insert(name.to_string()) {
                    tags.push(t.clone());
                }
            }
        }
    }
    for t in &cfg.tags {
        if used.contains(t) && !declared.contains(t) {
            tags.push(serde_json::json!({ "name": t }));
        }
    }

    // Components: security schemes and everything reachable by $ref from the kept paths.
    let components = root
        .get("components")
        .and_then(Value::as_object)
        .map(|src| {
            let mut roots = BTreeSet::new();
            paths
                .values()
                .for_each(|item| refs::component_refs(item, &mut roots));
            // With every component the referenced ones refer to in turn.
            let wanted = refs::reach(src, roots);
            let mut out = Map::new();
            for (section, entries) in src {
                if section == "securitySchemes" {
                    out.insert(section.clone(), entries.clone());
                    continue;
                }
                let Some(entries) = entries.as_object() else {
                    continue;
                };
                let kept: Map<String, Value> = entries
                    .iter()
                    .filter(|(name, _)| wanted.contains(&(section.clone(), (*name).clone())))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if !kept.is_empty() {
                    out.insert(section.clone(), Value::Object(kept));
                }
            }
            out
        });

    let mut out = Map::new();
    for (key, value) in root {
        match key.as_str() {
            "paths" => {
                out.insert(key.clone(), Value::Object(paths.clone()));
            }
            "tags" => {
                out.insert(key.clone(), Value::Array(tags.clone()));
            }
            "components" => {
                if let Some(c) = &components {
                    if !c.is_empty() {
                        out.insert(key.clone(), Value::Object(c.clone()));
                    }
                }
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if !out.contains_key("paths") {
        out.insert("paths".into(), Value::Object(paths));
    }
    if !out.contains_key("tags") && !tags.is_empty() {
        out.insert("tags".into(), Value::Array(tags));
    }
    Value::Object(out)
}

// ---------------------------------------------------------------------------------------------
// Canonical form.

/// What a JSON object in the document is, which decides its key order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Root,
    Info,
    Server,
    Tag,
    Paths,
    PathItem,
    Operation,
    Parameter,
    Header,
    RequestBody,
    Responses,
    Response,
    Content,
    MediaType,
    Schema,
    Properties,
    Components,
    SecurityScheme,
    /// A map of names to values of one kind, sorted by name.
    Named(NamedKind),
    /// Data, kept verbatim.
    Literal,
    /// Anything else: keys sorted, recursively.
    Generic,
}

/// The value kind of a sorted name map (a separate enum keeps [`Kind`] `Copy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NamedKind {
    Schema,
    Response,
    Parameter,
    RequestBody,
    Header,
    SecurityScheme,
    PathItem,
    Literal,
    Generic,
}

impl NamedKind {
    fn kind(self) -> Kind {
        match self {
            NamedKind::Schema => Kind::Schema,
            NamedKind::Response => Kind::Response,
            NamedKind::Parameter => Kind::Parameter,
            NamedKind::RequestBody => Kind::RequestBody,
            NamedKind::Header => Kind::Header,
            NamedKind::SecurityScheme => Kind::SecurityScheme,
            NamedKind::PathItem => Kind::PathItem,
            NamedKind::Literal => Kind::Literal,
            NamedKind::Generic => Kind::Generic,
        }
    }
}

const ROOT_ORDER: &[&str] = &[
    "openapi",
    "info",
    "jsonSchemaDialect",
    "servers",
    "security",
    "tags",
    "paths",
    "webhooks",
    "components",
    "externalDocs",
];
const INFO_ORDER: &[&str] = &[
    "title",
    "version",
    "summary",
    "description",
    "termsOfService",
    "contact",
    "license",
];
const SERVER_ORDER: &[&str] = &["url", "description", "variables"];
const TAG_ORDER: &[&str] = &["name", "description", "externalDocs"];
const PATH_ITEM_ORDER: &[&str] = &[
    "$ref",
    "summary",
    "description",
    "servers",
    "parameters",
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "trace",
];
const OPERATION_ORDER: &[&str] = &[
    "tags",
    "summary",
    "description",
    "externalDocs",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "callbacks",
    "deprecated",
    "security",
    "servers",
];
const PARAMETER_ORDER: &[&str] = &[
    "$ref",
    "schema",
    "in",
    "name",
    "required",
    "description",
    "deprecated",
    "allowEmptyValue",
    "style",
    "explode",
    "allowReserved",
    "example",
    "examples",
    "content",
];
const REQUEST_BODY_ORDER: &[&str] = &["$ref", "description", "required", "content"];
const RESPONSE_ORDER: &[&str] = &["$ref", "description", "headers", "content", "links"];
const MEDIA_TYPE_ORDER: &[&str] = &["schema", "example", "examples", "encoding"];
const COMPONENTS_ORDER: &[&str] = &[
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
];
const SECURITY_SCHEME_ORDER: &[&str] = &[
    "$ref",
    "type",
    "description",
    "name",
    "in",
    "scheme",
    "bearerFormat",
    "flows",
    "openIdConnectUrl",
];
const SCHEMA_ORDER: &[&str] = &[
    "$ref",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "format",
    "enum",
    "const",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "default",
    "nullable",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "minProperties",
    "maxProperties",
    "discriminator",
    "readOnly",
    "writeOnly",
    "deprecated",
    "example",
    "examples",
    "externalDocs",
    "xml",
];

impl Kind {
    /// The fixed-field order, or `None` for maps sorted by name / kept in order.
    fn order(self) -> Option<&'static [&'static str]> {
        Some(match self {
            Kind::Root => ROOT_ORDER,
            Kind::Info => INFO_ORDER,
            Kind::Server => SERVER_ORDER,
            Kind::Tag => TAG_ORDER,
            Kind::PathItem => PATH_ITEM_ORDER,
            Kind::Operation => OPERATION_ORDER,
            Kind::Parameter | Kind::Header => PARAMETER_ORDER,
            Kind::RequestBody => REQUEST_BODY_ORDER,
            Kind::Response => RESPONSE_ORDER,
            Kind::MediaType => MEDIA_TYPE_ORDER,
            Kind::Components => COMPONENTS_ORDER,
            Kind::SecurityScheme => SECURITY_SCHEME_ORDER,
            Kind::Schema => SCHEMA_ORDER,
            _ => return None,
        })
    }

    /// The kind of the value under `key` in an object of this kind.
    fn child(self, key: &str) -> Kind {
        if key.starts_with("x-") && self != Kind::Paths && self != Kind::Properties {
            return Kind::Literal;
        }
        match self {
            Kind::Root => match key {
                "info" => Kind::Info,
                "servers" => Kind::Server,
                "tags" => Kind::Tag,
                "paths" => Kind::Paths,
                "webhooks" => Kind::Named(NamedKind::PathItem),
                "components" => Kind::Components,
                "openapi" | "jsonSchemaDialect" => Kind::Literal,
                _ => Kind::Generic,
            },
            Kind::Info => Kind::Generic,
            Kind::Paths => Kind::PathItem,
            Kind::PathItem => match key {
                "servers" => Kind::Server,
                "parameters" => Kind::Parameter,
                k if METHODS.contains(&k) => Kind::Operation,
                _ => Kind::Generic,
            },
            Kind::Operation => match key {
                "tags" => Kind::Literal,
                "parameters" => Kind::Parameter,
                "requestBody" => Kind::RequestBody,
                "responses" => Kind::Responses,
                "servers" => Kind::Server,
                _ => Kind::Generic,
            },
            Kind::Parameter | Kind::Header => match key {
                "schema" => Kind::Schema,
                "content" => Kind::Content,
                "example" | "examples" => Kind::Literal,
                _ => Kind::Generic,
            },
            Kind::RequestBody => match key {
                "content" => Kind::Content,
                _ => Kind::Generic,
            },
            Kind::Responses => Kind::Response,
            Kind::Response => match key {
                "headers" => Kind::Named(NamedKind::Header),
                "content" => Kind::Content,
                _ => Kind::Generic,
            },
            Kind::Content => Kind::MediaType,
            Kind::MediaType => match key {
                "schema" => Kind::Schema,
                "example" | "examples" => Kind::Literal,
                _ => Kind::Generic,
            },
            Kind::Schema => match key {
                "properties" => Kind::Properties,
                "items"
                | "additionalProperties"
                | "not"
                | "allOf"
                | "anyOf"
                | "oneOf"
                | "prefixItems" => Kind::Schema,
                "default" | "enum" | "const" | "example" | "examples" | "required" => Kind::Literal,
                "$defs" => Kind::Named(NamedKind::Schema),
                _ => Kind::Generic,
            },
            Kind::Properties => Kind::Schema,
            Kind::Components => Kind::Named(match key {
                "schemas" => NamedKind::Schema,
                "responses" => NamedKind::Response,
                "parameters" => NamedKind::Parameter,
                "requestBodies" => NamedKind::RequestBody,
                "headers" => NamedKind::Header,
                "securitySchemes" => NamedKind::SecurityScheme,
                "pathItems" => NamedKind::PathItem,
                "examples" => NamedKind::Literal,
                _ => NamedKind::Generic,
            }),
            Kind::Named(inner) => inner.kind(),
            Kind::Server | Kind::Tag | Kind::SecurityScheme => Kind::Generic,
            Kind::Literal => Kind::Literal,
            Kind::Generic => Kind::Generic,
        }
    }
}

/// The canonical form of a document as a value (see the module doc); [`canonical_json`] prints
/// it.
pub fn canonicalize(doc: &Value) -> Value {
    canon(doc, Kind::Root)
}

fn canon(v: &Value, kind: Kind) -> Value {
    match v {
        _ if kind == Kind::Literal => v.clone(),
        // Arrays hold values of the kind the key announced (`parameters`, `anyOf`, `servers`,
        // `tags` at the root).
        Value::Array(items) => Value::Array(items.iter().map(|i| canon(i, kind)).collect()),
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            match kind {
                Kind::Properties => {}
                Kind::Responses => keys.sort_by_key(|k| (k.as_str() == "default", k.as_str())),
                _ => match kind.order() {
                    Some(order) => keys.sort_by_key(|k| {
                        let rank = order.iter().position(|o| o == k).unwrap_or(order.len());
                        (rank, k.as_str())
                    }),
                    None => keys.sort(),
                },
            }
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), canon(&m[k], kind.child(k)));
            }
            Value::Object(out)
        }
        _ => v.clone(),
    }
}

/// The canonical text of a document: [`canonicalize`]d, 2-space indented JSON with a trailing
/// newline. `canonical_json(&parse_text(&canonical_json(d))?) == canonical_json(d)`.
pub fn canonical_json(doc: &Value) -> String {
    // Printing a `Value` cannot fail: its keys are strings and its numbers finite.
    let mut text = serde_json::to_string_pretty(&canonicalize(doc)).unwrap_or_default();
    text.push('\n');
    text
}

/// Checks the parts of a document the import relies on, naming the first bad one.
fn check_shape(doc: &Value) -> Result<(), ImportError> {
    let root = doc
        .as_object()
        .ok_or_else(|| invalid("", "the document is not an object"))?;
    match root.get("openapi") {
        Some(Value::String(v)) if v.starts_with("3.") => {}
        Some(Value::String(v)) => {
            return Err(invalid(
                "/openapi",
                format!("OpenAPI version `{v}` is not 3.x"),
            ))
        }
        _ => return Err(invalid("/openapi", "missing or not a string")),
    }
    let paths = root
        .get("paths")
        .ok_or_else(|| invalid("/paths", "missing"))?
        .as_object()
        .ok_or_else(|| invalid("/paths", "not an object"))?;
    for (path, item) in paths {
        let item_ptr = format!("/paths/{}", esc(path));
        let item = item
            .as_object()
            .ok_or_else(|| invalid(&item_ptr, "path item is not an object"))?;
        for method in METHODS {
            let Some(op) = item.get(method) else {
                continue;
            };
            let ptr = format!("{item_ptr}/{method}");
            let op = op
                .as_object()
                .ok_or_else(|| invalid(&ptr, "operation is not an object"))?;
            if let Some(tags) = op.get("tags") {
                let tags = tags
                    .as_array()
                    .ok_or_else(|| invalid(&format!("{ptr}/tags"), "not a list"))?;
                for (i, t) in tags.iter().enumerate() {
                    if !t.is_string() {
                        return Err(invalid(&format!("{ptr}/tags/{i}"), "tag is not a string"));
                    }
                }
            }
        }
    }
    if let Some(tags) = root.get("tags") {
        if !tags.is_array() {
            return Err(invalid("/tags", "not a list"));
        }
    }
    if let Some(components) = root.get("components") {
        if !components.is_object() {
            return Err(invalid("/components", "not an object"));
        }
    }
    Ok(())
}

/// Imports a full Infisical OpenAPI document: parses `input_text` ([`parse_text`]), checks
/// its shape, keeps the operations of `cfg` ([`filter_identity_auth`]), applies
/// `cfg.description`, checks the kept operations deeply (every schema the diff walks; errors name
/// the JSON pointer) and renders the canonical text. The semantic diff is taken from `existing`
/// (the spec file being replaced), or from an empty document when there is none.
pub fn import(
    input_text: &str,
    cfg: &ImportConfig,
    existing: Option<&Value>,
) -> Result<ImportOutcome, ImportError> {
    let mut full = parse_text(input_text)?;
    if openapi31::is_31(&full) {
        // OpenAPI 3.1: path items may be references to `components.pathItems` (copied in, so
        // that their operations can be kept), and `paths` may be absent (nothing to keep).
        let mut problems = Vec::new();
        openapi31::inline_path_items(&mut full, &mut problems);
        if let Some(p) = problems.into_iter().next() {
            return Err(invalid(&p.pointer, p.message));
        }
        if let Some(root) = full.as_object_mut() {
            root.entry("paths").or_insert_with(|| serde_json::json!({}));
        }
    }
    check_shape(&full)?;
    let mut doc = filter_identity_auth(&full, cfg);
    if let Some(description) = &cfg.description {
        if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
            info.insert("description".into(), Value::String(description.clone()));
        }
    }
    let operations: usize = doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .values()
                .filter_map(Value::as_object)
                .map(|item| {
                    item.keys()
                        .filter(|k| METHODS.contains(&k.as_str()))
                        .count()
                })
                .sum()
        })
        .unwrap_or(0);
    if operations == 0 {
        return Err(ImportError::NoOperations(cfg.tags.clone()));
    }
    // Deep check: comparing the kept document with itself walks every parameter, body and
    // success-response schema and reports the first malformed one.
    diff::try_diff(&doc, &doc).map_err(|e| invalid(&e.0.pointer, e.0.message))?;

    let document = canonicalize(&doc);
    let text = canonical_json(&document);
    let used: HashSet<&str> = document["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name").and_then(Value::as_str))
        .collect();
    let mut unused: Vec<String> = cfg
        .tags
        .iter()
        .filter(|t| !used.contains(t.as_str()))
        .map(|t| {
            format!("tag `{t}`: no operation has it (renamed or removed upstream? update `tags`)")
        })
        .collect();
    for prefix in &cfg.path_prefixes {
        if !crate::document::ops::operations(&full)
            .iter()
            .any(|op| under(op.path, prefix))
        {
            unused.push(format!(
                "path prefix `{prefix}`: no operation is under it (update `path_prefixes`)"
            ));
        }
    }
    if !unused.is_empty() {
        return Err(ImportError::UnusedEntries(unused));
    }
    let unlisted_auth = unlisted_auth_methods(&full, cfg);
    let empty = serde_json::json!({ "openapi": "3.0.3", "paths": {} });
    let report = diff::diff(existing.unwrap_or(&empty), &document);
    let diff_markdown = report.to_markdown();
    Ok(ImportOutcome {
        text,
        document,
        operations,
        unlisted_auth,
        report,
        diff_markdown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_order_is_independent_of_input_order() {
        let a = json!({"paths": {"/b": {}, "/a": {"post": {"responses": {"default": {}, "400": {}, "200": {}}, "operationId": "x", "tags": ["t"]}}}, "openapi": "3.0.3"});
        let b = json!({"openapi": "3.0.3", "paths": {"/a": {"post": {"tags": ["t"], "operationId": "x", "responses": {"200": {}, "default": {}, "400": {}}}}, "/b": {}}});
        assert_eq!(canonical_json(&a), canonical_json(&b));
        let text = canonical_json(&a);
        assert!(text.starts_with("{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/a\""));
        assert!(text.find("\"200\"") < text.find("\"400\""));
        assert!(text.find("\"400\"") < text.find("\"default\""));
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn properties_keep_their_order() {
        let doc = json!({"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"properties": {"z": {"type": "string"}, "a": {"type": "string"}}, "type": "object"}}}}}}}}});
        let text = canonical_json(&doc);
        assert!(text.find("\"z\"") < text.find("\"a\""));
        assert!(text.find("\"type\": \"object\"") < text.find("\"properties\""));
    }

    #[test]
    fn config_is_checked() {
        assert!(ImportConfig::from_toml("output = \"x.json\"\ntags = []\n").is_err());
        assert!(ImportConfig::from_toml("output = \"x.json\"\ntags = [\"a\", \"a\"]\n").is_err());
        assert!(
            ImportConfig::from_toml("output = \"x.json\"\ntags = [\"a\"]\nother = 1\n").is_err()
        );
        let cfg = ImportConfig::from_toml("output = \"x.json\"\ntags = [\"a\"]\n").unwrap();
        assert_eq!(cfg.tags, vec!["a".to_string()]);
        assert_eq!(cfg.description, None);
    }
}
