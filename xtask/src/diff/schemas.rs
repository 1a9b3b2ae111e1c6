//! The walk inside schemas: properties, required-ness, `anyOf`/`oneOf` options and every
//! compared keyword, with the one-line summaries used in change details.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::categories::*;
use super::differ::*;
use super::{Document, MAX_DEPTH, NO_SCHEMA};
use crate::document::pointer::join;

impl<'a> Differ<'a> {
    /// Resolves a schema node to its object (an empty map for `{}`, `true`, `null`).
    pub(super) fn schema_obj(
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
    pub(super) fn schema(
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
    pub(super) fn schema_inner(
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

    pub(super) fn properties(
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

    pub(super) fn props(
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

    pub(super) fn required(
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
    pub(super) fn options(
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
    pub(super) fn option_keys(
        &mut self,
        doc: Document,
        opts: &'a [Value],
        ptr: &str,
    ) -> Vec<Option<String>> {
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
    pub(super) fn info(&mut self, doc: Document, s: &Map<String, Value>, ptr: &str) -> SchemaInfo {
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
    pub(super) fn summary(&mut self, (node, ptr): (Node<'a>, String)) -> String {
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
pub(super) struct SchemaInfo {
    pub(super) ty: Option<String>,
    pub(super) nullable: bool,
    pub(super) format: Option<String>,
    pub(super) enumeration: Option<Vec<Value>>,
    pub(super) bounds: [Option<f64>; 6],
    /// Number of `anyOf` / `oneOf` options, if present.
    pub(super) options: [Option<usize>; 2],
}

impl SchemaInfo {
    pub(super) fn combs(&self) -> [bool; 2] {
        [self.options[0].is_some(), self.options[1].is_some()]
    }

    pub(super) fn type_label(&self) -> String {
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
