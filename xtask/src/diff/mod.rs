//! Semantic diff of two OpenAPI documents: what changed for a client user, operation by operation.
//!
//! [`diff`] compares two documents (as [`serde_json::Value`]s, OpenAPI 3.0 or 3.1: a 3.1
//! document is compared in the 3.0 model the generator reads, `document::openapi31`) and returns a
//! [`DiffReport`]: for every operation (keyed by method + path, labelled with its `operationId`)
//! the list of [`Change`]s, each with an oasdiff-style id (`new-optional-request-property`,
//! `request-property-max-decreased`, `response-required-property-removed`, ...) and a flag saying
//! whether it breaks a client. [`DiffReport::to_markdown`] renders it for review, with the
//! version bump the changes need ([`DiffReport::bump`]: breaking for a client user, major, or
//! minor before 1.0; other changes minor; none patch) and the CHANGELOG.md entry for them;
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
//!
//! # Modules
//!
//! * `report`: the report types and their Markdown rendering;
//! * `categories`: every change id with its classification;
//! * `operations`: the walk over operations, parameters, bodies and responses;
//! * `schemas`: the walk inside schemas;
//! * `version`: the release the changes need (major, minor or patch, for a client user) and
//!   their CHANGELOG.md entry.

mod categories;
mod differ;
mod markdown;
mod operations;
mod report;
mod schemas;
mod version;

pub use categories::{categories, Category};
pub use report::{Change, DiffError, DiffReport, Document, Location, OperationDiff, Problem};
pub use version::{Bump, Version, CRATES_VERSION};

use categories::*;
use differ::Differ;
use std::collections::BTreeSet;

use serde_json::Value;

use crate::document::openapi31;
use crate::document::ops::METHODS;

/// Deepest schema nesting followed (guards against recursive `$ref`s).
const MAX_DEPTH: usize = 64;
/// Longest `$ref` chain followed.
const MAX_REF_HOPS: usize = 32;

static NO_SCHEMA: Value = Value::Null;

/// Compares two OpenAPI documents. Never panics; malformed parts are skipped and listed in
/// [`DiffReport::problems`].
pub fn diff(old: &Value, new: &Value) -> DiffReport {
    // OpenAPI 3.1 documents are compared in the 3.0 model the generator reads, so that a 3.0
    // document and its 3.1 twin compare equal; a construct the lowering refuses is a problem.
    let mut problems = Vec::new();
    let mut lowered = |doc: &Value, which: Document| match openapi31::lower(doc) {
        Ok(l) => l.doc.into_owned(),
        Err(found) => {
            problems.extend(found.into_iter().map(|p| Problem {
                document: which,
                pointer: p.pointer,
                message: p.message,
            }));
            doc.clone()
        }
    };
    let (old_doc, new_doc);
    let (old, new) = if openapi31::is_31(old) || openapi31::is_31(new) {
        old_doc = lowered(old, Document::Old);
        new_doc = lowered(new, Document::New);
        (&old_doc, &new_doc)
    } else {
        (old, new)
    };
    let mut differ = Differ {
        old,
        new,
        problems,
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
