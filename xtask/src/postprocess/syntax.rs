//! Reading and writing the syntax trees the passes share: names of types and items, the type
//! graph, derives and serde attributes read as syn metas, never as printed text.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Span, TokenStream};
use syn::visit::Visit;
use syn::{Fields, Item, Type};

pub(super) fn type_ident(ty: &Type) -> String {
    match ty {
        Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The type a field holds, through `Option`, `Vec` and `Box` (e.g. `X` for `Option<Vec<X>>`).
pub(super) fn named_type(ty: &Type) -> String {
    let Type::Path(p) = ty else {
        return String::new();
    };
    let Some(last) = p.path.segments.last() else {
        return String::new();
    };
    let name = last.ident.to_string();
    if matches!(name.as_str(), "Option" | "Vec" | "Box") {
        if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
            if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                return named_type(inner);
            }
        }
    }
    name
}

pub(super) fn module_items<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The names `items` define in the type namespace (structs, enums, type aliases, traits,
/// modules): what a name a pass adds, or a path it writes, must not clash with.
pub(super) fn defined_names(items: &[Item]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            Item::Type(t) => Some(t.ident.to_string()),
            Item::Trait(t) => Some(t.ident.to_string()),
            Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Idents of types referenced anywhere in a syntax node.
#[derive(Default)]
pub(super) struct Idents(pub(super) BTreeSet<String>);

impl<'ast> Visit<'ast> for Idents {
    fn visit_path_segment(&mut self, seg: &'ast syn::PathSegment) {
        self.0.insert(seg.ident.to_string());
        syn::visit::visit_path_segment(self, seg);
    }
}

/// Whether `path` is `::serde::Serialize` / `serde::Serialize` (or `Deserialize`): `Some(true)`
/// for `Serialize`, `Some(false)` for `Deserialize`.
pub(super) fn serde_trait(path: &syn::Path) -> Option<bool> {
    let segs: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segs.as_slice() {
        [krate, name] if krate == "serde" && name == "Serialize" => Some(true),
        [krate, name] if krate == "serde" && name == "Deserialize" => Some(false),
        _ => None,
    }
}

/// The type graph of the top-level definitions: each struct or enum with the idents it names.
pub(super) fn type_graph(types: &syn::File) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges = BTreeMap::new();
    for item in &types.items {
        let name = match item {
            Item::Struct(s) => s.ident.to_string(),
            Item::Enum(e) => e.ident.to_string(),
            _ => continue,
        };
        let mut idents = Idents::default();
        idents.visit_item(item);
        edges.insert(name, idents.0);
    }
    edges
}

/// The definitions of `edges` reachable from `roots` (the roots included).
pub(super) fn reachable(
    edges: &BTreeMap<String, BTreeSet<String>>,
    roots: &BTreeSet<String>,
) -> BTreeSet<String> {
    let mut keep = BTreeSet::new();
    let mut stack: Vec<String> = roots.iter().cloned().collect();
    while let Some(name) = stack.pop() {
        if !keep.insert(name.clone()) {
            continue;
        }
        for next in edges.get(&name).into_iter().flatten() {
            if edges.contains_key(next) && !keep.contains(next) {
                stack.push(next.clone());
            }
        }
    }
    keep
}

/// The string newtypes typify makes for constrained strings (`maxLength`, `minLength`,
/// `pattern`): tuple structs around one `String`, by name.
pub(super) fn string_newtypes(types: &syn::File) -> BTreeSet<String> {
    types
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => match &s.fields {
                Fields::Unnamed(u) if u.unnamed.len() == 1 && is_std_string(&u.unnamed[0].ty) => {
                    Some(s.ident.to_string())
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Whether an impl is for one of `names` or converts to or from one (`From<X> for String`).
pub(super) fn mentions_any(imp: &syn::ItemImpl, names: &BTreeSet<String>) -> bool {
    if names.contains(&type_ident(&imp.self_ty)) {
        return true;
    }
    imp.trait_.as_ref().is_some_and(|(path, _)| {
        let mut idents = Idents::default();
        idents.visit_path(path);
        !idents.0.is_disjoint(names)
    })
}

/// Names that follow `types::` in the client code (types, builders' `types::builder::X` aside).
pub fn types_named_by(client: &syn::File) -> BTreeSet<String> {
    #[derive(Default)]
    struct Named(BTreeSet<String>);
    impl<'ast> Visit<'ast> for Named {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            let segs: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if let Some(pos) = segs.iter().position(|s| s == "types") {
                if let Some(name) = segs.get(pos + 1).filter(|n| *n != "builder") {
                    self.0.insert(name.clone());
                }
            }
            syn::visit::visit_path(self, path);
        }
    }
    let mut named = Named::default();
    named.visit_file(client);
    named.0
}

/// The names of the structs and enums in `types` that implement `Default` (derived or not).
pub fn with_default(types: &syn::File) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in &types.items {
        match item {
            Item::Struct(s) if derives(&s.attrs, "Default") => {
                out.insert(s.ident.to_string());
            }
            Item::Enum(e) if derives(&e.attrs, "Default") => {
                out.insert(e.ident.to_string());
            }
            Item::Impl(imp)
                if imp
                    .trait_
                    .as_ref()
                    .is_some_and(|t| t.0.segments.last().is_some_and(|s| s.ident == "Default")) =>
            {
                out.insert(type_ident(&imp.self_ty));
            }
            _ => {}
        }
    }
    out
}

/// Whether `attrs` derive `name` (directly or behind a `cfg_attr`): a derived path whose last
/// segment is `name`.
pub(super) fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    fn in_meta(meta: &syn::Meta, name: &str) -> bool {
        let syn::Meta::List(list) = meta else {
            return false;
        };
        let Ok(nested) = list.parse_args_with(
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
        ) else {
            return false;
        };
        if list.path.is_ident("derive") {
            nested
                .iter()
                .any(|m| m.path().segments.last().is_some_and(|s| s.ident == name))
        } else if list.path.is_ident("cfg_attr") {
            nested.iter().skip(1).any(|m| in_meta(m, name))
        } else {
            false
        }
    }
    attrs.iter().any(|a| in_meta(&a.meta, name))
}

/// Whether `ty` is `::std::string::String`, as progenitor and typify write it.
pub(super) fn is_std_string(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    p.qself.is_none()
        && p.path.leading_colon.is_some()
        && p.path.segments.len() == 3
        && p.path.segments.iter().all(|s| s.arguments.is_none())
        && p.path
            .segments
            .iter()
            .zip(["std", "string", "String"])
            .all(|(s, want)| s.ident == want)
}

/// Whether `ty` is a path of these segments (no generic arguments), e.g. `["str"]`.
pub(super) fn is_path_of(ty: &Type, segments: &[&str]) -> bool {
    let Type::Path(p) = ty else { return false };
    p.qself.is_none()
        && p.path.segments.len() == segments.len()
        && p.path
            .segments
            .iter()
            .zip(segments)
            .all(|(s, want)| s.ident == want && s.arguments.is_none())
}

/// Whether `block` calls a method `method` with the single argument path `arg`
/// (`.map(Some)`).
pub(super) fn calls_with(block: &syn::Block, method: &str, arg: &str) -> bool {
    struct Find<'a>(&'a str, &'a str, bool);
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            let only_arg = call.args.len() == 1
                && matches!(&call.args[0], syn::Expr::Path(p) if p.path.is_ident(self.1));
            self.2 |= call.method == self.0 && only_arg;
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut find = Find(method, arg, false);
    find.visit_block(block);
    find.2
}

pub(super) fn is_type(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

/// `T` of `Result<T, E>`.
pub(super) fn result_ok_type(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

pub(super) fn remove_derive(attrs: &mut [syn::Attribute], name: &str) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<_> = paths.into_iter().filter(|p| !p.is_ident(name)).collect();
        *attr = syn::parse_quote! { #[derive(#(#kept),*)] };
    }
}

/// The wire name of a field or variant: its `#[serde(rename = "...")]`, if any.
pub(super) fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    serde_string(attrs, "rename")
}

/// The text of the `name = ".."` item of the `#[serde(..)]`s of `attrs`, if one has it.
pub(super) fn serde_string(attrs: &[syn::Attribute], name: &str) -> Option<String> {
    use proc_macro2::TokenTree;
    // Read from the tokens (`name = "text"` at the top level), not parsed: every field's
    // attributes are asked for their `rename` and `default`.
    attrs.iter().filter_map(serde_tokens).find_map(|tokens| {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        trees.windows(3).find_map(|w| match w {
            [TokenTree::Ident(key), TokenTree::Punct(eq), TokenTree::Literal(text)]
                if key == name && eq.as_char() == '=' =>
            {
                match syn::Lit::new(text.clone()) {
                    syn::Lit::Str(s) => Some(s.value()),
                    _ => None,
                }
            }
            _ => None,
        })
    })
}

/// The tokens inside a `#[serde(..)]`, or `None` for another attribute.
pub(super) fn serde_tokens(attr: &syn::Attribute) -> Option<TokenStream> {
    match &attr.meta {
        syn::Meta::List(list) if list.path.is_ident("serde") => Some(list.tokens.clone()),
        _ => None,
    }
}

pub(super) fn is_doc(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("doc")
}

pub(super) fn doc_attr(text: &str) -> syn::Attribute {
    syn::parse_quote! { #[doc = #text] }
}

/// The fields of a struct (owner: its name) or of an enum's variants (owner: `Enum::Variant`).
pub(super) fn owned_fields(item: &mut Item) -> Vec<(String, &mut syn::Field)> {
    match item {
        Item::Struct(s) => {
            let owner = s.ident.to_string();
            s.fields.iter_mut().map(|f| (owner.clone(), f)).collect()
        }
        Item::Enum(e) => {
            let name = e.ident.to_string();
            e.variants
                .iter_mut()
                .flat_map(|v| {
                    let owner = format!("{name}::{}", v.ident);
                    v.fields.iter_mut().map(move |f| (owner.clone(), f))
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The function of a field's `#[serde(default = "..")]`, if it has one.
pub(super) fn serde_default_fn(attrs: &[syn::Attribute]) -> Option<String> {
    serde_string(attrs, "default")
}

/// An identifier as serde names it: without `r#`.
pub(super) fn unraw(ident: &syn::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_owned).unwrap_or(text)
}

/// Whether `attrs` derive `Serialize` or `Deserialize` (before the direction pass gates them).
pub(super) fn derives_serde(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|paths| paths.iter().any(|p| serde_trait(p).is_some()))
    })
}

/// The items of a `#[serde(..)]` attribute, or `None` for another attribute.
pub(super) fn serde_metas(attr: &syn::Attribute) -> Option<Vec<syn::Meta>> {
    if !attr.path().is_ident("serde") {
        return None;
    }
    attr.parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        .ok()
        .map(|metas| metas.into_iter().collect())
}

/// Whether `attr` is a `#[serde(..)]` with `name` among its top-level tokens: a test without
/// parsing, before [`serde_metas`] parses the items (the passes ask about every field's
/// attributes, and most do not have the item asked for).
pub(super) fn serde_mentions(attr: &syn::Attribute, name: &str) -> bool {
    serde_tokens(attr).is_some_and(|tokens| {
        tokens
            .into_iter()
            .any(|t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == name))
    })
}

/// Whether any `#[serde(..)]` of `attrs` has an item named `name`.
pub(super) fn has_serde_item(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|a| serde_mentions(a, name))
        .filter_map(serde_metas)
        .flatten()
        .any(|m| m.path().is_ident(name))
}

/// Takes the items named `name` out of the `#[serde(..)]`s of `attrs`, and a `#[serde()]` left
/// empty with them.
pub(super) fn remove_serde_item(attrs: &mut Vec<syn::Attribute>, name: &str) {
    attrs.retain_mut(|attr| {
        if !serde_mentions(attr, name) {
            return true;
        }
        let Some(metas) = serde_metas(attr) else {
            return true;
        };
        let kept: Vec<_> = metas
            .into_iter()
            .filter(|m| !m.path().is_ident(name))
            .collect();
        if kept.is_empty() {
            return false;
        }
        *attr = syn::parse_quote! { #[serde(#(#kept),*)] };
        true
    });
}

/// An identifier for generated code (`Span::call_site`).
pub fn ident(name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::call_site())
}
