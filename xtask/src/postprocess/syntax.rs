//! Reading and writing the syntax trees the passes share: names of types and items, the type
//! graph, derives and serde attributes read as syn structure, never as printed text.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Attribute, Item, Meta, Path, Token, Type};

/// The last segment of `ty`'s path (`X` for `super::X`), or nothing for another type.
pub(super) fn type_ident(ty: &Type) -> String {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
    .unwrap_or_default()
}

/// Whether the last segment of `path` is `name`.
pub(super) fn path_ends(path: &Path, name: &str) -> bool {
    path.segments.last().is_some_and(|s| s.ident == name)
}

/// Whether `path` is `text` (`::std::result::Result`), generic arguments aside.
pub(super) fn path_is(path: &Path, text: &str) -> bool {
    let names = text.trim_start_matches("::").split("::");
    path.leading_colon.is_some() == text.starts_with("::")
        && path.segments.len() == names.clone().count()
        && path.segments.iter().zip(names).all(|(s, n)| s.ident == n)
}

/// Whether `ty` is the path `text` (`::std::string::String`, `str`), without generic arguments.
pub(super) fn is_path(ty: &Type, text: &str) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && path_is(&p.path, text)
        && p.path.segments.iter().all(|s| s.arguments.is_none()))
}

/// The first type argument of `path`'s last segment (`T` of `Option<T>` or `TryInto<T>`).
pub(super) fn type_arg(path: &Path) -> Option<&Type> {
    match &path.segments.last()?.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// [`type_arg`], to change it.
pub(super) fn type_arg_mut(path: &mut Path) -> Option<&mut Type> {
    match &mut path.segments.last_mut()?.arguments {
        syn::PathArguments::AngleBracketed(args) => args.args.iter_mut().find_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        }),
        _ => None,
    }
}

/// The type a field holds, through `Option`, `Vec` and `Box` (`X` for `Option<Vec<X>>`).
pub(super) fn named_type(ty: &Type) -> String {
    let Type::Path(p) = ty else {
        return String::new();
    };
    match type_arg(&p.path) {
        Some(inner)
            if ["Option", "Vec", "Box"]
                .iter()
                .any(|n| path_ends(&p.path, n)) =>
        {
            named_type(inner)
        }
        _ => type_ident(ty),
    }
}

/// The items of the inline module `name` of `file`.
pub(super) fn module_items<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The trait an impl implements, if any (`From<X>` of `impl From<X> for Y`).
pub(super) fn trait_of(imp: &syn::ItemImpl) -> Option<&Path> {
    imp.trait_.as_ref().map(|(path, _)| path)
}

/// The methods of an impl block.
pub(super) fn fns_mut(imp: &mut syn::ItemImpl) -> impl Iterator<Item = &mut syn::ImplItemFn> {
    imp.items.iter_mut().filter_map(|member| match member {
        syn::ImplItem::Fn(f) => Some(f),
        _ => None,
    })
}

/// The `T` of each `TryInto<T>` bound of `f`'s `where` clause (what a setter converts into).
pub(super) fn try_into_targets(f: &mut syn::ImplItemFn) -> impl Iterator<Item = &mut Type> {
    let predicates = f
        .sig
        .generics
        .where_clause
        .iter_mut()
        .flat_map(|w| &mut w.predicates);
    predicates
        .filter_map(|pred| match pred {
            syn::WherePredicate::Type(t) => Some(&mut t.bounds),
            _ => None,
        })
        .flatten()
        .filter_map(|bound| match bound {
            syn::TypeParamBound::Trait(tb) if path_ends(&tb.path, "TryInto") => {
                type_arg_mut(&mut tb.path)
            }
            _ => None,
        })
}

/// The name of a struct or enum.
pub(super) fn type_name(item: &Item) -> Option<String> {
    match item {
        Item::Struct(s) => Some(s.ident.to_string()),
        Item::Enum(e) => Some(e.ident.to_string()),
        _ => None,
    }
}

/// The names `items` define in the type namespace (structs, enums, type aliases, traits,
/// modules): what a name a pass adds must not clash with.
pub(super) fn defined_names(items: &[Item]) -> BTreeSet<String> {
    let name = |item: &Item| match item {
        Item::Type(t) => Some(t.ident.to_string()),
        Item::Trait(t) => Some(t.ident.to_string()),
        Item::Mod(m) => Some(m.ident.to_string()),
        other => type_name(other),
    };
    items.iter().filter_map(name).collect()
}

/// Idents of the path segments anywhere in a syntax node.
#[derive(Default)]
pub(super) struct Idents(pub(super) BTreeSet<String>);

impl<'ast> Visit<'ast> for Idents {
    fn visit_path_segment(&mut self, seg: &'ast syn::PathSegment) {
        self.0.insert(seg.ident.to_string());
        syn::visit::visit_path_segment(self, seg);
    }
}

/// The names that follow `types::` (`plain`) and `types::builder::` (`builders`) in the paths
/// of a syntax node: the generated types the client code names.
#[derive(Default)]
pub struct TypesPaths {
    /// After `types::`.
    pub plain: BTreeSet<String>,
    /// After `types::builder::`.
    pub builders: BTreeSet<String>,
}

impl<'ast> Visit<'ast> for TypesPaths {
    fn visit_path(&mut self, path: &'ast Path) {
        let segs: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(pos) = segs.iter().position(|s| s == "types") {
            match &segs[pos + 1..] {
                [builder, name, ..] if builder == "builder" => self.builders.insert(name.clone()),
                [name, ..] if name != "builder" => self.plain.insert(name.clone()),
                _ => false,
            };
        }
        syn::visit::visit_path(self, path);
    }
}

/// [`TypesPaths`] of a whole file.
pub fn types_paths(file: &syn::File) -> TypesPaths {
    let mut paths = TypesPaths::default();
    paths.visit_file(file);
    paths
}

/// Whether `path` is `::serde::Serialize` / `serde::Serialize` (or `Deserialize`): `Some(true)`
/// for `Serialize`, `Some(false)` for `Deserialize`.
pub(super) fn serde_trait(path: &Path) -> Option<bool> {
    let segs: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segs.as_slice() {
        [krate, name] if krate == "serde" => match name.as_str() {
            "Serialize" => Some(true),
            "Deserialize" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The type graph of the top-level definitions: each struct or enum with the idents it names.
pub(super) fn type_graph(types: &syn::File) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges = BTreeMap::new();
    for item in &types.items {
        if let Some(name) = type_name(item) {
            let mut idents = Idents::default();
            idents.visit_item(item);
            edges.insert(name, idents.0);
        }
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
        if keep.insert(name.clone()) {
            let next = edges.get(&name).into_iter().flatten();
            stack.extend(
                next.filter(|n| edges.contains_key(*n) && !keep.contains(*n))
                    .cloned(),
            );
        }
    }
    keep
}

/// The names of the structs and enums in `types` that implement `Default` (derived or not).
pub fn with_default(types: &syn::File) -> BTreeSet<String> {
    let named = |item: &Item| match item {
        Item::Struct(s) if derives(&s.attrs, |p| path_ends(p, "Default")) => type_name(item),
        Item::Enum(e) if derives(&e.attrs, |p| path_ends(p, "Default")) => type_name(item),
        Item::Impl(imp) if trait_of(imp).is_some_and(|p| path_ends(p, "Default")) => {
            Some(type_ident(&imp.self_ty))
        }
        _ => None,
    };
    types.items.iter().filter_map(named).collect()
}

/// The paths of a `#[derive(..)]`, or `None` for another attribute.
pub(super) fn derive_paths(attr: &Attribute) -> Option<Punctuated<Path, Token![,]>> {
    if !attr.path().is_ident("derive") {
        return None;
    }
    attr.parse_args_with(Punctuated::parse_terminated).ok()
}

/// Whether `attrs` derive a path `pick` selects.
pub(super) fn derives(attrs: &[Attribute], pick: impl Fn(&Path) -> bool) -> bool {
    attrs
        .iter()
        .filter_map(derive_paths)
        .flatten()
        .any(|p| pick(&p))
}

/// Takes the paths `pick` selects out of the `#[derive(..)]`s of `attrs` (a derive left empty
/// goes), with where the first stood: the index after its derive, or its index if it went.
pub(super) fn take_derives(
    attrs: &mut Vec<Attribute>,
    pick: impl Fn(&Path) -> bool,
) -> Option<(usize, Vec<Path>)> {
    let (mut taken, mut at, mut i) = (Vec::new(), None, 0);
    while i < attrs.len() {
        let Some(paths) = derive_paths(&attrs[i]) else {
            i += 1;
            continue;
        };
        let (picked, rest): (Vec<_>, Vec<_>) = paths.into_iter().partition(|p| pick(p));
        if picked.is_empty() {
            i += 1;
        } else if rest.is_empty() {
            attrs.remove(i);
            at.get_or_insert(i);
        } else {
            attrs[i] = syn::parse_quote! { #[derive(#(#rest),*)] };
            i += 1;
            at.get_or_insert(i);
        }
        taken.extend(picked);
    }
    at.map(|at| (at, taken))
}

/// `#[name(..)]` made `#[cfg_attr(cfg, name(..))]`; false for another attribute.
pub(super) fn gate_attr(attr: &mut Attribute, name: &str, cfg: &TokenStream) -> bool {
    let Meta::List(list) = &attr.meta else {
        return false;
    };
    if !list.path.is_ident(name) {
        return false;
    }
    let (path, tokens) = (&list.path, &list.tokens);
    *attr = syn::parse_quote! { #[cfg_attr(#cfg, #path(#tokens))] };
    true
}

/// The attributes of a struct or enum, of its variants and of their fields, the item's first.
pub(super) fn attr_lists(item: &mut Item) -> Vec<&mut Vec<Attribute>> {
    let mut out = Vec::new();
    match item {
        Item::Struct(s) => {
            out.push(&mut s.attrs);
            out.extend(s.fields.iter_mut().map(|f| &mut f.attrs));
        }
        Item::Enum(e) => {
            out.push(&mut e.attrs);
            for v in e.variants.iter_mut() {
                out.push(&mut v.attrs);
                out.extend(v.fields.iter_mut().map(|f| &mut f.attrs));
            }
        }
        _ => {}
    }
    out
}

/// The fields of a struct (owner: its name) or of an enum's variants (owner: `Enum::Variant`),
/// each with its owner and its name (empty in a tuple).
pub(super) fn owned_fields(item: &mut Item) -> Vec<(String, String, &mut syn::Field)> {
    fn named(owner: String, fields: &mut syn::Fields) -> Vec<(String, String, &mut syn::Field)> {
        let name = |f: &syn::Field| {
            f.ident
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        };
        fields
            .iter_mut()
            .map(|f| (owner.clone(), name(f), f))
            .collect()
    }
    match item {
        Item::Struct(s) => named(s.ident.to_string(), &mut s.fields),
        Item::Enum(e) => {
            let variants = e.variants.iter_mut();
            let owner = |v: &syn::Variant| format!("{}::{}", e.ident, v.ident);
            variants
                .flat_map(|v| named(owner(v), &mut v.fields))
                .collect()
        }
        _ => Vec::new(),
    }
}

/// `f` made a setter of `field` taking `arg`, its docs and visibility kept:
/// `fn f(mut self, value: arg) -> Self { self.field = value_expr; self }`.
pub(super) fn set_field(
    f: &mut syn::ImplItemFn,
    field: &syn::Ident,
    arg: TokenStream,
    value: TokenStream,
) {
    let (attrs, vis, name) = (&f.attrs, &f.vis, &f.sig.ident);
    *f = syn::parse_quote! {
        #(#attrs)*
        #vis fn #name(mut self, value: #arg) -> Self {
            self.#field = #value;
            self
        }
    };
}

/// Whether `block` calls a method `method` with the single argument path `arg` (`.map(Some)`).
pub(super) fn calls_with(block: &syn::Block, method: &str, arg: &str) -> bool {
    struct Find<'a>(&'a str, &'a str, bool);
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            let only_arg = matches!(&call.args.iter().collect::<Vec<_>>()[..],
                [syn::Expr::Path(p)] if p.path.is_ident(self.1));
            self.2 |= call.method == self.0 && only_arg;
            syn::visit::visit_expr_method_call(self, call);
        }
    }
    let mut find = Find(method, arg, false);
    find.visit_block(block);
    find.2
}

/// The tokens inside a `#[serde(..)]`, or `None` for another attribute.
pub(super) fn serde_tokens(attr: &Attribute) -> Option<TokenStream> {
    match &attr.meta {
        Meta::List(list) if list.path.is_ident("serde") => Some(list.tokens.clone()),
        _ => None,
    }
}

/// Whether a `#[serde(..)]` of `attrs` has the item `name`: an ident among its top-level tokens
/// (serde's values are string literals), told without parsing the items.
pub(super) fn has_serde_item(attrs: &[Attribute], name: &str) -> bool {
    let item = |t: TokenTree| matches!(&t, TokenTree::Ident(i) if i == name);
    attrs.iter().filter_map(serde_tokens).flatten().any(item)
}

/// The text of the `name = ".."` item of the `#[serde(..)]`s of `attrs` (`rename`, `default`).
pub(super) fn serde_string(attrs: &[Attribute], name: &str) -> Option<String> {
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

/// The items of a `#[serde(..)]` attribute, or `None` for another attribute.
pub(super) fn serde_metas(attr: &Attribute) -> Option<Vec<Meta>> {
    if !attr.path().is_ident("serde") {
        return None;
    }
    let metas = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated);
    metas.ok().map(|metas| metas.into_iter().collect())
}

/// Rewrites the items of each `#[serde(..)]` of `attrs` that has the item `name` with `edit`
/// (`None`: the item goes; an attribute left empty goes).
pub(super) fn edit_serde(
    attrs: &mut Vec<Attribute>,
    name: &str,
    edit: impl Fn(Meta) -> Option<Meta>,
) {
    attrs.retain_mut(|attr| {
        if !has_serde_item(std::slice::from_ref(attr), name) {
            return true;
        }
        let metas = match serde_metas(attr) {
            Some(metas) if metas.iter().any(|m| m.path().is_ident(name)) => metas,
            _ => return true,
        };
        let kept: Vec<Meta> = metas.into_iter().filter_map(&edit).collect();
        *attr = syn::parse_quote! { #[serde(#(#kept),*)] };
        !kept.is_empty()
    });
}

/// An identifier as serde names it: without `r#`.
pub(super) fn unraw(ident: &syn::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_owned).unwrap_or(text)
}

/// `#[doc = text]`.
pub(super) fn doc_attr(text: &str) -> Attribute {
    syn::parse_quote! { #[doc = #text] }
}

/// Whether `attrs` hold a doc comment.
pub(super) fn has_doc(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("doc"))
}

/// An identifier for generated code (`Span::call_site`).
pub fn ident(name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::call_site())
}
