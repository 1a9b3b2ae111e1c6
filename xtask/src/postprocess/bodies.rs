//! Request bodies: PATCH fields with three states, request bodies as values (typify's builders go,
//! constructors for bodies with required fields), and client setters that take what converts into
//! their field.

use std::collections::BTreeSet;

use quote::quote;
use syn::{Item, Type};

use super::syntax::*;

/// A field of a generated struct, by type name and Rust field name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldRef {
    /// The struct's name, e.g. `UpdateKubernetesAuthBody`.
    pub type_name: String,
    /// The field's Rust name, e.g. `kubernetes_host`.
    pub field: String,
}

/// Pass `three_state_fields`: each listed optional field is `Option<Option<T>>` (absent, null,
/// value), read through the types crate's hand-written `three_state` module. Returns the number
/// of fields.
pub fn three_state_fields(types: &mut syn::File, fields: &[FieldRef]) -> Result<usize, String> {
    let mut done = BTreeSet::new();
    for item in &mut types.items {
        for (owner, name, field) in owned_fields(item) {
            let Some(key) = fields
                .iter()
                .find(|f| f.type_name == owner && f.field == name)
            else {
                continue;
            };
            if !wrap_first_option(&mut field.ty) {
                return Err(format!("{}.{} is not an Option", key.type_name, key.field));
            }
            for attr in &mut field.attrs {
                if let syn::Meta::List(list) = &mut attr.meta {
                    if list.path.is_ident("serde") {
                        let with = quote! { , default, deserialize_with = "crate::three_state::deserialize" };
                        list.tokens.extend(with);
                    }
                }
            }
            done.insert(key.clone());
        }
    }
    let missing: Vec<_> = fields.iter().filter(|f| !done.contains(f)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "three-state fields not found in the generated types: {missing:?}"
        ));
    }
    Ok(done.len())
}

/// Wraps the first `Option<..>` of `ty` (itself, or through first type arguments) in another.
pub(super) fn wrap_first_option(ty: &mut Type) -> bool {
    let Type::Path(p) = ty else { return false };
    if !path_ends(&p.path, "Option") {
        return type_arg_mut(&mut p.path).is_some_and(wrap_first_option);
    }
    let inner = ty.clone();
    *ty = syn::parse_quote! { ::std::option::Option<#inner> };
    true
}

/// Pass `drop_builders`, first: typify's builders go (`X::builder()`, and the `builder` module
/// when progenitor's output was parsed whole, so that no later pass meets it): request bodies are
/// values, set whole on the client's builders. Returns the number of items removed.
pub fn drop_builders(types: &mut syn::File) -> usize {
    let before = types.items.len();
    types.items.retain(|item| match item {
        Item::Impl(imp) => {
            !(imp.trait_.is_none()
                && matches!(&imp.items[..], [syn::ImplItem::Fn(f)] if f.sig.ident == "builder"))
        }
        Item::Mod(m) => m.ident != "builder",
        _ => true,
    });
    before - types.items.len()
}

/// Pass `body_constructors`: every request body (`bodies`: their type names) without a `Default`
/// gets `X::new(required fields)`, each argument an `impl Into<T>`, every optional field at its
/// serde default, right after the struct. Reads plain `#[serde(..)]` and the names
/// [`short_default_names`] gave. Returns the number of constructors.
pub fn body_constructors(types: &mut syn::File, bodies: &BTreeSet<String>) -> usize {
    let with_default = with_default(types);
    let mut count = 0;
    let mut i = 0;
    while i < types.items.len() {
        i += 1;
        let Item::Struct(s) = &types.items[i - 1] else {
            continue;
        };
        let name = s.ident.to_string();
        if !bodies.contains(&name) || with_default.contains(&name) {
            continue;
        }
        let (mut params, mut values) = (Vec::new(), Vec::new());
        for field in &s.fields {
            // A field or default this pass cannot read: no constructor rather than a wrong one.
            let Some(id) = &field.ident else { break };
            let ty = &field.ty;
            if let Some(function) = serde_string(&field.attrs, "default") {
                let Ok(path) = syn::parse_str::<syn::ExprPath>(&function) else {
                    break;
                };
                values.push(quote! { #id: #path() });
            } else if has_serde_item(&field.attrs, "default")
                || has_serde_item(&field.attrs, "skip_serializing_if")
            {
                // A bare `default`, or an optional `Option` (typify leaves serde its own default).
                values.push(quote! { #id: ::std::default::Default::default() });
            } else {
                params.push(quote! { #id: impl ::std::convert::Into<#ty> });
                values.push(quote! { #id: #id.into() });
            }
        }
        if params.is_empty() || values.len() != s.fields.len() {
            continue;
        }
        let ident = &s.ident;
        let doc =
            format!(" A [`{name}`] of the required fields, each optional field at its default.");
        let constructor = syn::parse_quote! {
            impl #ident {
                #[doc = #doc]
                pub fn new(#(#params),*) -> Self {
                    Self { #(#values),* }
                }
            }
        };
        types.items.insert(i, constructor);
        count += 1;
    }
    count
}

/// A setter of a progenitor client builder, `fn f<V>(mut self, value: V) -> Self where
/// V: TryInto<X>, .. { self.field = value.try_into()..map_err(..); self }`: the field it sets
/// and `X`.
fn converting_setter(f: &syn::ImplItemFn) -> Option<(syn::Ident, Type)> {
    let one_type_param = matches!(
        &f.sig.generics.params.iter().collect::<Vec<_>>()[..],
        [syn::GenericParam::Type(_)]
    );
    if !one_type_param || f.sig.inputs.len() != 2 {
        return None;
    }
    let target = try_into_targets(&mut f.clone()).next()?.clone();
    let [syn::Stmt::Expr(syn::Expr::Assign(assign), _), syn::Stmt::Expr(syn::Expr::Path(ret), None)] =
        f.block.stmts.as_slice()
    else {
        return None;
    };
    let (syn::Expr::Field(field), syn::Expr::MethodCall(map_err)) = (&*assign.left, &*assign.right)
    else {
        return None;
    };
    let syn::Member::Named(name) = &field.member else {
        return None;
    };
    // `value.try_into()[.map(Some)].map_err(..)`: a `map_err` on a chain from `try_into`.
    let mut receiver = &*map_err.receiver;
    while let syn::Expr::MethodCall(call) = receiver {
        if call.method == "try_into" {
            let converts = map_err.method == "map_err" && ret.path.is_ident("self");
            return converts.then(|| (name.clone(), target.clone()));
        }
        receiver = &call.receiver;
    }
    None
}

/// Pass `text_conversions_where_taken`: typify's `TryFrom<&str>`, `TryFrom<&String>` and
/// `TryFrom<String>` of a string enum stay only where a client setter can take the enum: where
/// `client` names it. Returns the impls removed.
pub fn text_conversions_where_taken(types: &mut syn::File, client: &syn::File) -> usize {
    let taken = types_paths(client).plain;
    let text = |ty: &Type| match ty {
        Type::Reference(r) => is_path(&r.elem, "str") || is_path(&r.elem, "::std::string::String"),
        ty => is_path(ty, "::std::string::String"),
    };
    let before = types.items.len();
    types.items.retain(|item| match item {
        Item::Impl(imp) => {
            let from_text = trait_of(imp)
                .is_some_and(|p| path_ends(p, "TryFrom") && type_arg(p).is_some_and(text));
            !from_text || taken.contains(&type_ident(&imp.self_ty))
        }
        _ => true,
    });
    before - types.items.len()
}

/// Pass `string_setters`: a client builder's setter of a `String` value (path, query and header
/// parameters) takes `impl Into<String>` and stores it, instead of progenitor's generic
/// `V: TryInto<String>` whose conversion cannot fail. Returns the number of setters.
pub fn string_setters(client: &mut syn::File) -> usize {
    let mut count = 0;
    for item in module_items(client, "builder").into_iter().flatten() {
        let Item::Impl(imp) = item else { continue };
        for f in fns_mut(imp) {
            match converting_setter(f) {
                Some((field, ty))
                    if is_path(&ty, "::std::string::String") && f.sig.ident == field =>
                {
                    // An optional parameter's setter stores `Some` (progenitor's `.map(Some)`).
                    let value = if calls_with(&f.block, "map", "Some") {
                        quote! { Some(value.into()) }
                    } else {
                        quote! { value.into() }
                    };
                    set_field(f, &field, quote!(impl Into<String>), quote!(Ok(#value)));
                    count += 1;
                }
                _ => {}
            }
        }
    }
    count
}
