//! Request bodies and builders: PATCH fields with three states, request bodies as values (no
//! builders in the workspace, constructors for bodies with required fields), lean builders in the
//! standalone layout, and setters that take what converts into their field.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;
use syn::visit::Visit;
use syn::{Fields, Item, Type};

use super::syntax::*;

/// A field of a generated struct, by type name and Rust field name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldRef {
    /// The struct's name, e.g. `UpdateKubernetesAuthBody`.
    pub type_name: String,
    /// The field's Rust name, e.g. `kubernetes_host`.
    pub field: String,
}

/// Turns each listed optional field into `Option<Option<T>>` (absent, null, value), in the struct
/// and in its builder, with serde attributes that keep the three states on the wire (through the
/// hand-written `three_state` module of the types crate, named by its path).
/// Returns the number of fields.
pub fn three_state_fields(types: &mut syn::File, fields: &[FieldRef]) -> Result<usize, String> {
    let mut done = BTreeSet::new();
    for item in &mut types.items {
        if let Item::Struct(s) = item {
            let Fields::Named(named) = &mut s.fields else {
                continue;
            };
            for field in named.named.iter_mut() {
                let Some(ident) = &field.ident else { continue };
                let key = FieldRef {
                    type_name: s.ident.to_string(),
                    field: ident.to_string(),
                };
                if !fields.contains(&key) {
                    continue;
                }
                if !wrap_first_option(&mut field.ty) {
                    return Err(format!("{}.{} is not an Option", key.type_name, key.field));
                }
                for attr in field
                    .attrs
                    .iter_mut()
                    .filter(|a| a.path().is_ident("serde"))
                {
                    let mut tokens = attr
                        .meta
                        .require_list()
                        .map_err(|e| e.to_string())?
                        .tokens
                        .clone();
                    tokens.extend(
                        quote! { , default, deserialize_with = "crate::three_state::deserialize" },
                    );
                    *attr = syn::parse_quote! { #[serde(#tokens)] };
                }
                done.insert(key);
            }
        }
    }
    let missing: Vec<_> = fields.iter().filter(|f| !done.contains(f)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "three-state fields not found in the generated types: {missing:?}"
        ));
    }
    // The builder module: the field type and the setter's bound.
    let Some(builder) = module_items(types, "builder") else {
        return Ok(done.len());
    };
    for item in builder.iter_mut() {
        match item {
            Item::Struct(s) => {
                let Fields::Named(named) = &mut s.fields else {
                    continue;
                };
                for field in named.named.iter_mut() {
                    let key = FieldRef {
                        type_name: s.ident.to_string(),
                        field: field
                            .ident
                            .as_ref()
                            .map(|i| i.to_string())
                            .unwrap_or_default(),
                    };
                    if fields.contains(&key) {
                        wrap_first_option(&mut field.ty);
                    }
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let type_name = type_ident(&imp.self_ty);
                for impl_item in imp.items.iter_mut() {
                    let syn::ImplItem::Fn(f) = impl_item else {
                        continue;
                    };
                    let key = FieldRef {
                        type_name: type_name.clone(),
                        field: f.sig.ident.to_string(),
                    };
                    if !fields.contains(&key) {
                        continue;
                    }
                    for pred in f
                        .sig
                        .generics
                        .where_clause
                        .iter_mut()
                        .flat_map(|w| w.predicates.iter_mut())
                    {
                        if let syn::WherePredicate::Type(t) = pred {
                            for bound in t.bounds.iter_mut() {
                                if let syn::TypeParamBound::Trait(tb) = bound {
                                    if let Some(seg) = tb.path.segments.last_mut() {
                                        if seg.ident == "TryInto" {
                                            if let syn::PathArguments::AngleBracketed(args) =
                                                &mut seg.arguments
                                            {
                                                for arg in args.args.iter_mut() {
                                                    if let syn::GenericArgument::Type(ty) = arg {
                                                        wrap_first_option(ty);
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(done.len())
}

/// Wraps the first `Option<..>` found in `ty` (depth first) in another `Option`.
pub(super) fn wrap_first_option(ty: &mut Type) -> bool {
    if let Type::Path(p) = ty {
        if p.path.segments.last().is_some_and(|s| s.ident == "Option") {
            let inner = ty.clone();
            *ty = syn::parse_quote! { ::std::option::Option<#inner> };
            return true;
        }
        for seg in p.path.segments.iter_mut() {
            if let syn::PathArguments::AngleBracketed(args) = &mut seg.arguments {
                for arg in args.args.iter_mut() {
                    if let syn::GenericArgument::Type(t) = arg {
                        if wrap_first_option(t) {
                            return true;
                        }
                    }
                }
            }
        }
    }
    false
}

/// Removes the builders of every type that no request is built from: keeps the builders named in
/// `roots` (the client's `types::builder::X` uses) and those of the types their fields reach.
/// Returns the number of items removed.
pub fn drop_unused_builders(types: &mut syn::File, roots: &BTreeSet<String>) -> usize {
    let before = types.items.len() + module_items(types, "builder").map_or(0, |b| b.len());
    let edges = type_graph(types);
    let keep = reachable(&edges, roots);
    let dropped = |name: &str| edges.contains_key(name) && !keep.contains(name);
    // `impl X { pub fn builder() }` at the top level.
    types.items.retain(|item| match item {
        Item::Impl(imp) if imp.trait_.is_none() => {
            let only_builder = imp.items.len() == 1
                && matches!(&imp.items[0], syn::ImplItem::Fn(f) if f.sig.ident == "builder");
            !(only_builder && dropped(&type_ident(&imp.self_ty)))
        }
        _ => true,
    });
    if let Some(builder) = module_items(types, "builder") {
        builder.retain(|item| {
            let name = match item {
                Item::Struct(s) => s.ident.to_string(),
                Item::Impl(imp) => {
                    let self_name = type_ident(&imp.self_ty);
                    let trait_arg = imp.trait_.as_ref().and_then(|(path, _)| {
                        path.segments.last().and_then(|seg| match &seg.arguments {
                            syn::PathArguments::AngleBracketed(a) => {
                                a.args.first().and_then(|g| match g {
                                    syn::GenericArgument::Type(t) => Some(type_ident(t)),
                                    _ => None,
                                })
                            }
                            _ => None,
                        })
                    });
                    // `impl TryFrom<X> for super::X`: the builder is the trait argument.
                    trait_arg
                        .filter(|a| edges.contains_key(a))
                        .unwrap_or(self_name)
                }
                _ => return true,
            };
            !dropped(&name)
        });
    }
    before - types.items.len() - module_items(types, "builder").map_or(0, |b| b.len())
}

/// Pass `drop_builders` (workspace layout): removes typify's builders, the `builder` module and
/// every `X::builder()`. A request body is built as a value: a struct literal, `..Default::default()`
/// where every field is optional, or the constructor of [`body_constructors`]; the client's
/// builders take the value ([`plain_bodies`]). Returns the number of items removed.
pub fn drop_builders(types: &mut syn::File) -> usize {
    let before = types.items.len();
    types.items.retain(|item| match item {
        Item::Impl(imp) if imp.trait_.is_none() => {
            !(imp.items.len() == 1
                && matches!(&imp.items[0], syn::ImplItem::Fn(f) if f.sig.ident == "builder"))
        }
        Item::Mod(m) => m.ident != "builder",
        _ => true,
    });
    before - types.items.len()
}

/// Pass `body_constructors`: every request body (`bodies`) without a `Default` gets
/// `X::new(required fields)`, each argument an `impl Into<T>`, every optional field at the value
/// the wire gives it when absent (its serde default). A struct literal would spell every optional
/// field. Reads plain `#[serde(default ..)]` (run before [`camel_case_renames`] and the direction
/// pass) and the names [`short_default_names`] gave. Returns the number of constructors.
pub fn body_constructors(types: &mut syn::File, bodies: &BTreeSet<String>) -> usize {
    let with_default = with_default(types);
    let mut added: BTreeMap<String, Item> = BTreeMap::new();
    for item in &types.items {
        let Item::Struct(s) = item else { continue };
        let name = s.ident.to_string();
        if !bodies.contains(&name) || with_default.contains(&name) {
            continue;
        }
        let Fields::Named(named) = &s.fields else {
            continue;
        };
        let (mut params, mut values) = (Vec::new(), Vec::new());
        let mut readable = true;
        for field in &named.named {
            let (Some(id), ty) = (&field.ident, &field.ty) else {
                readable = false;
                continue;
            };
            let attrs = &field.attrs;
            if let Some(function) = serde_default_fn(attrs) {
                // `default = "path"`: the value that function gives.
                let Ok(path) = syn::parse_str::<syn::ExprPath>(&function) else {
                    readable = false;
                    continue;
                };
                values.push(quote! { #id: #path() });
            } else if has_serde_item(attrs, "default")
                || has_serde_item(attrs, "skip_serializing_if")
            {
                // A bare `default`, or an optional `Option`: typify leaves out `default` there
                // (serde's own) and skips it when `None`.
                values.push(quote! { #id: ::std::default::Default::default() });
            } else {
                params.push(quote! { #id: impl ::std::convert::Into<#ty> });
                values.push(quote! { #id: #id.into() });
            }
        }
        // A default this pass cannot read: no constructor rather than one that misses a field.
        if params.is_empty() || !readable {
            continue;
        }
        let ident = &s.ident;
        let doc =
            format!(" A [`{name}`] of the required fields, each optional field at its default.");
        let constructor: Item = syn::parse_quote! {
            impl #ident {
                #[doc = #doc]
                pub fn new(#(#params),*) -> Self {
                    Self { #(#values),* }
                }
            }
        };
        added.insert(name, constructor);
    }
    let count = added.len();
    // Each right after its struct.
    let items = std::mem::take(&mut types.items);
    for item in items {
        let after = match &item {
            Item::Struct(s) => added.remove(&s.ident.to_string()),
            _ => None,
        };
        types.items.push(item);
        types.items.extend(after);
    }
    count
}

/// Pass `lean_builders`: the builders of the types module keep their API (`X::builder()`, one
/// setter per field taking anything that converts into the field's type, `try_into()`) with
/// less code:
/// - every setter is one assignment through a shared conversion (`set`), its argument an
///   `impl Input<T>` (`Input<T>`: `TryInto<T>` with an error that displays, one trait for the
///   whole module) instead of a generic parameter and a `where` clause of its own;
/// - every field is a `Field<T>` (an alias of `Result<T, String>`: the value or why there is
///   none);
/// - `From<X> for builder::X` (a value back into a builder) is kept only for the builders in
///   `roots`, the request bodies whose client `body()` setter converts a value into its builder.
///
/// Returns the number of setters rewritten.
/// (`Input` and `Field` are named otherwise when a builder of the document has that name.)
pub fn lean_builders(types: &mut syn::File, roots: &BTreeSet<String>) -> usize {
    let taken = module_items(types, "builder")
        .map(|items| defined_names(items))
        .unwrap_or_default();
    let free = |names: [&str; 3]| {
        names
            .into_iter()
            .find(|name| !taken.contains(*name))
            .map(ident)
            .unwrap_or_else(|| ident(&format!("{}_", names[2])))
    };
    let input = free(["Input", "SetterInput", "BuilderInput"]);
    let field_ty = free(["Field", "SetterField", "BuilderField"]);
    let Some(builder) = module_items(types, "builder") else {
        return 0;
    };
    let mut rewritten = 0;
    builder.retain(|item| match item {
        Item::Impl(imp) => {
            let from_value = imp
                .trait_
                .as_ref()
                .is_some_and(|(path, _)| path.segments.last().is_some_and(|s| s.ident == "From"));
            !from_value || roots.contains(&type_ident(&imp.self_ty))
        }
        _ => true,
    });
    let mut fields = 0;
    for item in builder.iter_mut() {
        if let Item::Struct(s) = item {
            for field in s.fields.iter_mut() {
                if let Some(value) = result_of_string_error(&field.ty) {
                    field.ty = syn::parse_quote!(#field_ty<#value>);
                    fields += 1;
                }
            }
        }
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        for member in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            if let Some((field, target)) = typify_setter(f) {
                let name = &f.sig.ident;
                let label = field.to_string();
                let attrs = &f.attrs;
                let vis = &f.vis;
                *f = syn::parse_quote! {
                    #(#attrs)*
                    #vis fn #name(mut self, value: impl #input<#target>) -> Self {
                        self.#field = set(value, #label);
                        self
                    }
                };
                rewritten += 1;
            }
        }
    }
    if fields > 0 {
        let alias: Item = syn::parse_quote! {
            /// A field being built: its value, or why it has none.
            type #field_ty<T> = ::std::result::Result<T, ::std::string::String>;
        };
        builder.insert(0, alias);
    }
    if rewritten > 0 {
        let helpers: syn::File = syn::parse_quote! {
            /// What a setter takes for a field of type `T`: any value that converts into it
            /// (`TryInto<T>`) with an error that displays. A failed conversion is reported when
            /// the builder is converted with `try_into()`.
            pub trait #input<T>: ::std::convert::TryInto<T, Error: ::std::fmt::Display> {}
            impl<T, V> #input<T> for V where V: ::std::convert::TryInto<T, Error: ::std::fmt::Display> {}
            /// `value` converted for `field`, or the message the builder reports.
            fn set<T>(value: impl #input<T>, field: &str) -> ::std::result::Result<T, ::std::string::String> {
                value
                    .try_into()
                    .map_err(|e| format!("error converting supplied value for {field}: {e}"))
            }
        };
        builder.splice(0..0, helpers.items);
    }
    rewritten
}

/// `T` of `::std::result::Result<T, ::std::string::String>` (a typify builder's field).
pub(super) fn result_of_string_error(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if names != ["std", "result", "Result"] || p.path.leading_colon.is_none() {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    let [syn::GenericArgument::Type(value), syn::GenericArgument::Type(error)] =
        args.args.iter().collect::<Vec<_>>()[..]
    else {
        return None;
    };
    is_std_string(error).then(|| value.clone())
}

/// A typify setter, `fn f<T>(mut self, value: T) -> Self where T: TryInto<X>, T::Error: Display
/// { self.field = value.try_into().map_err(..); self }`: the field it sets and `X`.
pub(super) fn typify_setter(f: &syn::ImplItemFn) -> Option<(syn::Ident, Type)> {
    let generics = &f.sig.generics;
    if generics.params.len() != 1 || f.sig.inputs.len() != 2 {
        return None;
    }
    let syn::GenericParam::Type(param) = generics.params.first()? else {
        return None;
    };
    let target = generics
        .where_clause
        .as_ref()?
        .predicates
        .iter()
        .find_map(|pred| {
            let syn::WherePredicate::Type(t) = pred else {
                return None;
            };
            if !is_type(&t.bounded_ty, &param.ident.to_string()) {
                return None;
            }
            t.bounds.iter().find_map(|bound| {
                let syn::TypeParamBound::Trait(tb) = bound else {
                    return None;
                };
                let seg = tb.path.segments.last()?;
                if seg.ident != "TryInto" {
                    return None;
                }
                match &seg.arguments {
                    syn::PathArguments::AngleBracketed(args) => {
                        args.args.iter().find_map(|a| match a {
                            syn::GenericArgument::Type(t) => Some(t.clone()),
                            _ => None,
                        })
                    }
                    _ => None,
                }
            })
        })?;
    let [syn::Stmt::Expr(syn::Expr::Assign(assign), _), syn::Stmt::Expr(syn::Expr::Path(ret), None)] =
        f.block.stmts.as_slice()
    else {
        return None;
    };
    if !ret.path.is_ident("self") {
        return None;
    }
    let syn::Expr::Field(field) = &*assign.left else {
        return None;
    };
    let syn::Member::Named(name) = &field.member else {
        return None;
    };
    // `value.try_into()[.map(Some)].map_err(..)`: a `map_err` on a chain that starts with
    // `try_into`.
    let syn::Expr::MethodCall(map_err) = &*assign.right else {
        return None;
    };
    let mut receiver = &*map_err.receiver;
    let converts = map_err.method == "map_err"
        && loop {
            match receiver {
                syn::Expr::MethodCall(call) if call.method == "try_into" => break true,
                syn::Expr::MethodCall(call) => receiver = &call.receiver,
                _ => break false,
            }
        };
    converts.then(|| (name.clone(), target))
}

/// Pass `text_conversions_where_taken`: typify gives every string enum `TryFrom<&str>`,
/// `TryFrom<&String>` and `TryFrom<String>` (besides `FromStr` and `Display`), so that a setter
/// taking `TryInto<E>` accepts text. Only the enums a setter can take keep them: those a builder
/// of the types module holds, or the client code names (`types::E`, a parameter's type). The
/// others (answer enums: a token type, a trusted IP's type) keep `FromStr` and `Display`.
/// Returns the number of impls removed.
pub fn text_conversions_where_taken(
    types: &mut syn::File,
    client_names: &BTreeSet<String>,
) -> usize {
    let mut taken = client_names.clone();
    if let Some(builder) = module_items(types, "builder") {
        let mut idents = Idents::default();
        for item in builder.iter() {
            if let Item::Struct(s) = item {
                idents.visit_item_struct(s);
            }
        }
        taken.extend(idents.0);
    }
    let before = types.items.len();
    types.items.retain(|item| {
        let Item::Impl(imp) = item else { return true };
        let Some((path, _)) = &imp.trait_ else {
            return true;
        };
        let Some(seg) = path.segments.last() else {
            return true;
        };
        let from_text = seg.ident == "TryFrom"
            && matches!(&seg.arguments, syn::PathArguments::AngleBracketed(args)
            if args.args.len() == 1 && match &args.args[0] {
                syn::GenericArgument::Type(Type::Reference(r)) => {
                    is_path_of(&r.elem, &["str"]) || is_std_string(&r.elem)
                }
                syn::GenericArgument::Type(ty) => is_std_string(ty),
                _ => false,
            });
        !from_text || taken.contains(&type_ident(&imp.self_ty))
    });
    before - types.items.len()
}

/// Names that follow `types::builder::` in the client code.
pub fn builder_roots(client: &syn::File) -> BTreeSet<String> {
    #[derive(Default)]
    struct Roots(BTreeSet<String>);
    impl<'ast> Visit<'ast> for Roots {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            let segs: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if let Some(pos) = segs
                .windows(2)
                .position(|w| w[0] == "types" && w[1] == "builder")
            {
                if let Some(name) = segs.get(pos + 2) {
                    self.0.insert(name.clone());
                }
            }
            syn::visit::visit_path(self, path);
        }
    }
    let mut roots = Roots::default();
    roots.visit_file(client);
    roots.0
}

/// Pass `string_setters`: a client builder's setter of a `String` value (path, query and header
/// parameters) takes `impl Into<String>` and stores it (the builder module names no `String`
/// or `Into` of its own), instead of progenitor's generic
/// `V: TryInto<String>` with a conversion error that can never happen (every `TryInto<String>`
/// a caller passes, `&str`, `String`, `&String`, `Cow<str>`, is an `Into<String>`): four lines
/// instead of thirteen, one generic less per setter. Returns the number of setters.
pub fn string_setters(client: &mut syn::File) -> usize {
    let string: Type = syn::parse_quote!(::std::string::String);
    let Some(items) = module_items(client, "builder") else {
        return 0;
    };
    let mut count = 0;
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        for member in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            let Some((field, ty)) = typify_setter(f) else {
                continue;
            };
            if ty != string || f.sig.ident != field {
                continue;
            }
            // An optional parameter's setter stores `Some` (progenitor's `.map(Some)`).
            let optional = calls_with(&f.block, "map", "Some");
            let value = if optional {
                quote! { Some(value.into()) }
            } else {
                quote! { value.into() }
            };
            let (attrs, vis) = (&f.attrs, &f.vis);
            *f = syn::parse_quote! {
                #(#attrs)*
                #vis fn #field(mut self, value: impl Into<String>) -> Self {
                    self.#field = Ok(#value);
                    self
                }
            };
            count += 1;
        }
    }
    count
}
