//! The walk over operations: matching operations of the two documents, then their id, tags,
//! security, parameters, request body and success responses.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::categories::*;
use super::differ::{req_word, show_opt, show_security, Cx, Differ, Node, OpRef};
use super::{Change, Document, Location, NO_SCHEMA};
use crate::document::ops::METHODS;
use crate::document::pointer::join;

impl<'a> Differ<'a> {
    /// The operations of a document keyed by (path, method rank).
    pub(super) fn operations(&mut self, doc: Document) -> BTreeMap<(String, usize), OpRef<'a>> {
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

    pub(super) fn operation(&mut self, o: &OpRef<'a>, n: &OpRef<'a>, changes: &mut Vec<Change>) {
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

    pub(super) fn tags(&mut self, op: &OpRef<'a>) -> BTreeSet<String> {
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
    pub(super) fn security(&mut self, op: &OpRef<'a>) -> BTreeSet<Vec<String>> {
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
    pub(super) fn params(
        &mut self,
        op: &OpRef<'a>,
    ) -> BTreeMap<(String, String), (Node<'a>, String)> {
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

    pub(super) fn parameters(&mut self, o: &OpRef<'a>, n: &OpRef<'a>, changes: &mut Vec<Change>) {
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
    pub(super) fn param_schema(&mut self, p: &Node<'a>, ptr: &str) -> (Node<'a>, String) {
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
    pub(super) fn media_schema(
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

    pub(super) fn request_body(&mut self, o: &OpRef<'a>, n: &OpRef<'a>, changes: &mut Vec<Change>) {
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

    pub(super) fn body_schema(
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
    pub(super) fn success_responses(
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

    pub(super) fn responses(&mut self, o: &OpRef<'a>, n: &OpRef<'a>, changes: &mut Vec<Change>) {
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
}
