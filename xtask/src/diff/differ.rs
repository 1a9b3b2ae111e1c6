//! The differ's state shared by the walks over operations and over schemas: the two documents,
//! the values and operations being compared, where changes go, `$ref` resolution, and the
//! one-line renderings of values used in change details.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::categories::*;
use super::{Change, Document, Location, Problem, MAX_REF_HOPS};
use crate::document::pointer::join;

/// A value of one document with its JSON pointer.
#[derive(Clone, Copy)]
pub(super) struct Node<'a> {
    pub(super) v: &'a Value,
    pub(super) doc: Document,
}

/// An operation found in a document.
pub(super) struct OpRef<'a> {
    pub(super) op: &'a Map<String, Value>,
    pub(super) item: &'a Map<String, Value>,
    pub(super) ptr: String,
    pub(super) item_ptr: String,
    pub(super) doc: Document,
}

impl OpRef<'_> {
    pub(super) fn operation_id(&self) -> Option<String> {
        self.op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string)
    }
}

/// Where schema changes of the current walk go.
pub(super) struct Cx<'c> {
    pub(super) side: Side,
    pub(super) location: Location,
    pub(super) changes: &'c mut Vec<Change>,
}

impl Cx<'_> {
    pub(super) fn push(
        &mut self,
        aspect: SchemaAspect,
        subject: Subject,
        field: &str,
        detail: String,
    ) {
        self.changes.push(Change {
            id: aspect.id(self.side, subject),
            breaking: aspect.breaking(self.side),
            location: self.location.clone(),
            field: field.to_string(),
            detail,
        });
    }
}

pub(super) struct Differ<'a> {
    pub(super) old: &'a Value,
    pub(super) new: &'a Value,
    pub(super) problems: Vec<Problem>,
    /// `$ref` pairs being compared on the current walk (cycle guard).
    pub(super) active_refs: Vec<(String, String)>,
}

impl<'a> Differ<'a> {
    pub(super) fn root(&self, doc: Document) -> &'a Value {
        match doc {
            Document::Old => self.old,
            Document::New => self.new,
        }
    }

    pub(super) fn problem(&mut self, doc: Document, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            document: doc,
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    /// Follows local `$ref`s. Returns the target and its pointer, or `None` (recorded as a
    /// problem) if the reference cannot be followed.
    pub(super) fn resolve(
        &mut self,
        doc: Document,
        v: &'a Value,
        ptr: &str,
    ) -> Option<(&'a Value, String)> {
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
}

/// A shared empty object (the schema `{}`).
pub(super) fn empty_map() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

pub(super) fn distinct(keys: &[Option<String>]) -> bool {
    let set: BTreeSet<&Option<String>> = keys.iter().collect();
    set.len() == keys.len()
}

pub(super) fn req_word(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

pub(super) fn show_opt(v: &Option<String>) -> String {
    match v {
        Some(v) => format!("`{v}`"),
        None => "(none)".into(),
    }
}

pub(super) fn show_security(s: &BTreeSet<Vec<String>>) -> String {
    if s.is_empty() {
        return "(none)".into();
    }
    s.iter()
        .map(|alt| alt.join(" + "))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A JSON value in backticks, compact.
pub(super) fn show_value(v: &Value) -> String {
    format!("`{v}`")
}

/// A JSON value without quotes for strings (used in option tags).
pub(super) fn show_plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn show_values(values: &[Value]) -> String {
    let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    format!("`[{}]`", shown.join(", "))
}

pub(super) fn show_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

pub(super) fn show_bound(b: Option<f64>) -> String {
    match b {
        Some(n) => show_num(n),
        None => "(none)".into(),
    }
}
