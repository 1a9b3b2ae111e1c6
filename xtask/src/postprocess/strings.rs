//! Constrained strings left to the validation layer: typify's checking newtypes that only request
//! bodies hold become plain `String`s, with the body fields they typed (for the validation tests).

use std::collections::{BTreeMap, BTreeSet};

use syn::visit_mut::VisitMut;
use syn::{Fields, Item, Type};

use super::syntax::*;

/// One step from a request body to one of its fields.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// An object property, by its wire name.
    Key(String),
    /// The items of an array.
    Items,
    /// Option `index` of a union (`anyOf`), whose Rust variant is `name` in snake case (`static`).
    Option {
        /// The option's position in the union, as in the document.
        index: usize,
        /// The variant's name in snake case, as the validation crate names union options.
        name: String,
    },
}

/// A field of one operation's request body.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BodyField {
    /// The operation's id (`attachAwsAuth`).
    pub operation: String,
    /// The steps from the body to the field.
    pub steps: Vec<Step>,
}

impl BodyField {
    /// The field's path as the validation crate writes it: keys joined by `.`, `[]` for array
    /// items (`accessTokenTrustedIps[].ipAddress`); union options are not part of it.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            match step {
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Step::Items => out.push_str("[]"),
                Step::Option { .. } => {}
            }
        }
        out
    }
}

/// A constrained-string newtype made a plain `String` by the `plain_validated_strings` pass, with every
/// request body field it typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlainString {
    /// The newtype typify made (`AttachAlicloudAuthBodyAllowedArns`).
    pub newtype: String,
    /// Where request bodies held it.
    pub fields: Vec<BodyField>,
}

/// Pass `plain_validated_strings`: every constrained-string newtype typify makes that only the
/// request bodies (`bodies`: operation id, body type) hold becomes a plain `String` and goes with
/// its impls: the validation crate checks those bounds. One that anything else names (an answer,
/// a parameter, the client code: `client`) is kept. Returns the dropped newtypes with the
/// body fields they typed, sorted by name.
pub fn plain_validated_strings(
    types: &mut syn::File,
    bodies: &[(String, String)],
    client: &syn::File,
) -> Vec<PlainString> {
    let client_names = types_paths(client).plain;
    let newtypes = string_newtypes(types);
    if newtypes.is_empty() {
        return Vec::new();
    }
    let defs: BTreeMap<String, &Item> = types
        .items
        .iter()
        .filter_map(|item| Some((type_name(item)?, item)))
        .collect();
    let mut uses: BTreeMap<String, Vec<BodyField>> = BTreeMap::new();
    for (operation, body) in bodies {
        let mut walk = BodyWalk {
            defs: &defs,
            newtypes: &newtypes,
            operation,
            stack: Vec::new(),
            uses: &mut uses,
        };
        walk.named(body, &mut Vec::new());
    }
    // Held elsewhere: named by a definition that something other than a body reaches (an
    // answer, an error, a parameter type) or by the client code.
    let edges = type_graph(types);
    let body_types: BTreeSet<String> = bodies.iter().map(|(_, b)| b.clone()).collect();
    let in_bodies = reachable(&edges, &body_types);
    let others: BTreeSet<String> = edges
        .keys()
        .filter(|name| !in_bodies.contains(*name) && !newtypes.contains(*name))
        .cloned()
        .collect();
    let elsewhere = reachable(&edges, &others);
    let dropped: BTreeSet<String> = uses
        .keys()
        .filter(|name| {
            !client_names.contains(*name)
                && !elsewhere
                    .iter()
                    .any(|held| edges.get(held).is_some_and(|e| e.contains(*name)))
        })
        .cloned()
        .collect();
    if dropped.is_empty() {
        return Vec::new();
    }
    // The newtypes and their impls go first, then every use becomes `String`.
    remove_newtypes(types, &dropped);
    PlainStrings(&dropped).visit_file_mut(types);
    uses.into_iter()
        .filter(|(name, _)| dropped.contains(name))
        .map(|(newtype, mut fields)| {
            fields.sort();
            fields.dedup();
            PlainString { newtype, fields }
        })
        .collect()
}

/// Walks a body type through its fields, array items and union options, recording where each
/// string newtype sits.
pub(super) struct BodyWalk<'a> {
    defs: &'a BTreeMap<String, &'a Item>,
    newtypes: &'a BTreeSet<String>,
    operation: &'a str,
    /// The definitions being walked (a recursive type is walked once per path).
    stack: Vec<String>,
    uses: &'a mut BTreeMap<String, Vec<BodyField>>,
}

impl BodyWalk<'_> {
    fn named(&mut self, name: &str, steps: &mut Vec<Step>) {
        if self.newtypes.contains(name) {
            self.uses
                .entry(name.to_owned())
                .or_default()
                .push(BodyField {
                    operation: self.operation.to_owned(),
                    steps: steps.clone(),
                });
            return;
        }
        let Some(item) = self.defs.get(name).copied() else {
            return;
        };
        if self.stack.iter().any(|s| s == name) {
            return;
        }
        self.stack.push(name.to_owned());
        match item {
            Item::Struct(s) => self.fields(&s.fields, steps),
            Item::Enum(e) => {
                for (index, variant) in e.variants.iter().enumerate() {
                    use heck::ToSnakeCase;
                    steps.push(Step::Option {
                        index,
                        name: variant.ident.to_string().to_snake_case(),
                    });
                    self.fields(&variant.fields, steps);
                    steps.pop();
                }
            }
            _ => {}
        }
        self.stack.pop();
    }

    fn fields(&mut self, fields: &Fields, steps: &mut Vec<Step>) {
        for field in fields {
            let flatten = has_serde_item(&field.attrs, "flatten");
            let key = match (&field.ident, flatten) {
                (_, true) | (None, _) => None,
                (Some(ident), false) => Some(
                    serde_string(&field.attrs, "rename")
                        .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_owned()),
                ),
            };
            let depth = steps.len();
            steps.extend(key.map(Step::Key));
            self.ty(&field.ty, steps);
            steps.truncate(depth);
        }
    }

    fn ty(&mut self, ty: &Type, steps: &mut Vec<Step>) {
        let Type::Path(p) = ty else { return };
        let name = type_ident(ty);
        match (name.as_str(), type_arg(&p.path)) {
            ("Option" | "Box", Some(inner)) => self.ty(inner, steps),
            ("Vec", Some(inner)) => {
                steps.push(Step::Items);
                self.ty(inner, steps);
                steps.pop();
            }
            (_, None) => self.named(&name, steps),
            _ => {}
        }
    }
}

/// Replaces every use of the named newtypes by `String`: types (`X`, `super::X`) and
/// constructions (`X(value)` is `value`).
pub(super) struct PlainStrings<'a>(&'a BTreeSet<String>);

impl PlainStrings<'_> {
    fn names(&self, path: &syn::Path) -> bool {
        path.segments.last().is_some_and(|seg| {
            matches!(seg.arguments, syn::PathArguments::None)
                && self.0.contains(&seg.ident.to_string())
        })
    }
}

impl VisitMut for PlainStrings<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(p) = ty {
            if p.qself.is_none() && self.names(&p.path) {
                *ty = syn::parse_quote!(::std::string::String);
                return;
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Call(call) = expr {
            if let syn::Expr::Path(func) = &*call.func {
                if call.args.len() == 1 && self.names(&func.path) {
                    *expr = call.args[0].clone();
                    self.visit_expr_mut(expr);
                    return;
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}
