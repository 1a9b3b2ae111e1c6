//! Constrained strings left to the validation layer: typify's checking newtypes that only request
//! bodies hold become plain `String`s.

use std::collections::BTreeSet;

use syn::visit_mut::VisitMut;
use syn::Type;

use super::syntax::*;

/// Pass `plain_validated_strings`: every constrained-string newtype typify makes that only the
/// request bodies (`bodies`: their type names) reach becomes a plain `String` and goes with its
/// impls: the validation crate checks those bounds before the client sends a body and before a
/// stub handles one. One that anything else names (an answer, a parameter, the client code:
/// `client`) is kept. Returns the number of newtypes dropped.
pub fn plain_validated_strings(
    types: &mut syn::File,
    bodies: &BTreeSet<String>,
    client: &syn::File,
) -> usize {
    let client_names = types_paths(client).plain;
    let newtypes = string_newtypes(types);
    let edges = type_graph(types);
    let in_bodies = reachable(&edges, bodies);
    // Held elsewhere: named by a definition that something other than a body reaches (an
    // answer, an error, a parameter type) or by the client code.
    let others: BTreeSet<String> = edges
        .keys()
        .filter(|name| !in_bodies.contains(*name) && !newtypes.contains(*name))
        .cloned()
        .collect();
    let elsewhere = reachable(&edges, &others);
    let dropped: BTreeSet<String> = newtypes
        .intersection(&in_bodies)
        .filter(|name| {
            !client_names.contains(*name)
                && !elsewhere
                    .iter()
                    .any(|held| edges.get(held).is_some_and(|e| e.contains(*name)))
        })
        .cloned()
        .collect();
    // The newtypes and their impls go first, then every use becomes `String`.
    remove_newtypes(types, &dropped);
    PlainStrings(&dropped).visit_file_mut(types);
    dropped.len()
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
