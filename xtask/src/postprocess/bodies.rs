//! Request bodies and builders: PATCH fields with three states, request bodies as values (no
//! builders in the workspace, constructors for bodies with required fields), lean builders in the
//! standalone layout, and setters that take what converts into their field.

use std::collections::BTreeSet;

use quote::quote;
use syn::visit::Visit;
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
/// value), in the struct, its builder and its setter's bound, read through the types crate's
/// hand-written `three_state` module. Returns the number of fields.
pub fn three_state_fields(types: &mut syn::File, fields: &[FieldRef]) -> Result<usize, String> {
    let wanted = |owner: &str, name: &str| {
        fields
            .iter()
            .find(|f| f.type_name == owner && f.field == name)
    };
    let mut done = BTreeSet::new();
    for item in &mut types.items {
        for (owner, name, field) in owned_fields(item) {
            let Some(key) = wanted(&owner, &name) else {
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
    for item in module_items(types, "builder").into_iter().flatten() {
        for (owner, name, field) in owned_fields(item) {
            if wanted(&owner, &name).is_some() {
                wrap_first_option(&mut field.ty);
            }
        }
        let Item::Impl(imp) = item else { continue };
        let owner = type_ident(&imp.self_ty);
        for f in fns_mut(imp) {
            if wanted(&owner, &f.sig.ident.to_string()).is_some() {
                try_into_targets(f).for_each(|ty| {
                    wrap_first_option(ty);
                });
            }
        }
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

/// Pass `drop_builders`: removes typify's builders (`X::builder()` and the `builder` module's
/// items) of the types no request is built from: with `client` (standalone), those its
/// `types::builder::X` do not reach; without (workspace), all of them and the module. Returns the
/// number of items removed.
pub fn drop_builders(types: &mut syn::File, client: Option<&syn::File>) -> usize {
    let roots = client.map(|client| types_paths(client).builders);
    let count =
        |t: &mut syn::File| t.items.len() + module_items(t, "builder").map_or(0, |b| b.len());
    let before = count(types);
    let edges = type_graph(types);
    let keep = roots.map(|roots| reachable(&edges, &roots));
    let keep = keep.unwrap_or_default();
    let dropped = |name: &str| edges.contains_key(name) && !keep.contains(name);
    types.items.retain(|item| match item {
        Item::Impl(imp) if imp.trait_.is_none() => {
            let only_builder =
                matches!(&imp.items[..], [syn::ImplItem::Fn(f)] if f.sig.ident == "builder");
            !(only_builder && dropped(&type_ident(&imp.self_ty)))
        }
        Item::Mod(m) => m.ident != "builder" || client.is_some(),
        _ => true,
    });
    if let Some(items) = module_items(types, "builder") {
        items.retain(|item| match item {
            Item::Struct(s) => !dropped(&s.ident.to_string()),
            // `impl TryFrom<X> for super::X`: the builder is the trait argument.
            Item::Impl(imp) => {
                let trait_arg = trait_of(imp).and_then(type_arg).map(type_ident);
                let name = trait_arg.filter(|a| edges.contains_key(a));
                !dropped(&name.unwrap_or_else(|| type_ident(&imp.self_ty)))
            }
            _ => true,
        });
    }
    before - count(types)
}

/// Pass `body_constructors`: every request body (`types::builder::X` in `client`) without a
/// `Default` gets
/// `X::new(required fields)`, each argument an `impl Into<T>`, every optional field at its serde
/// default, right after the struct. Reads plain `#[serde(..)]` and the names
/// [`short_default_names`] gave. Returns the number of constructors.
pub fn body_constructors(types: &mut syn::File, client: &syn::File) -> usize {
    let bodies = types_paths(client).builders;
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

/// Pass `lean_builders`: typify's builders keep their API with less code: every setter is one
/// assignment through a shared conversion (`set`) of an `impl Input<T>` (`TryInto<T>` with an
/// error that displays), every field a `Field<T>` (`Result<T, String>`), and `From<X> for
/// builder::X` stays only for the builders `client` names. `Input` and `Field` take other names when
/// the document has builders of theirs. Returns the number of setters rewritten.
pub fn lean_builders(types: &mut syn::File, client: &syn::File) -> usize {
    let roots = types_paths(client).builders;
    let Some(builder) = module_items(types, "builder") else {
        return 0;
    };
    let taken = defined_names(builder);
    let free = |names: [&str; 3]| match names.into_iter().find(|n| !taken.contains(*n)) {
        Some(name) => ident(name),
        None => ident(&format!("{}_", names[2])),
    };
    let input = free(["Input", "SetterInput", "BuilderInput"]);
    let field_ty = free(["Field", "SetterField", "BuilderField"]);
    builder.retain(|item| match item {
        Item::Impl(imp) => {
            let from_value = trait_of(imp).is_some_and(|p| path_ends(p, "From"));
            !from_value || roots.contains(&type_ident(&imp.self_ty))
        }
        _ => true,
    });
    let (mut fields, mut rewritten) = (0, 0);
    for item in builder.iter_mut() {
        match item {
            Item::Struct(s) => {
                for field in s.fields.iter_mut() {
                    if let Some(value) = result_of_string_error(&field.ty) {
                        field.ty = syn::parse_quote!(#field_ty<#value>);
                        fields += 1;
                    }
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                for f in fns_mut(imp) {
                    let Some((field, target)) = typify_setter(f) else {
                        continue;
                    };
                    let label = field.to_string();
                    set_field(
                        f,
                        &field,
                        quote!(impl #input<#target>),
                        quote!(set(value, #label)),
                    );
                    rewritten += 1;
                }
            }
            _ => {}
        }
    }
    if fields > 0 {
        let alias = syn::parse_quote! {
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
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    let [syn::GenericArgument::Type(value), syn::GenericArgument::Type(error)] =
        args.args.iter().collect::<Vec<_>>()[..]
    else {
        return None;
    };
    let result = path_is(&p.path, "::std::result::Result");
    (result && is_path(error, "::std::string::String")).then(|| value.clone())
}

/// A typify setter, `fn f<T>(mut self, value: T) -> Self where T: TryInto<X>, ..
/// { self.field = value.try_into()..map_err(..); self }`: the field it sets and `X`.
pub(super) fn typify_setter(f: &syn::ImplItemFn) -> Option<(syn::Ident, Type)> {
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
/// `TryFrom<String>` of a string enum stay only where a setter can take the enum: a builder of
/// the types module holds it or `client` names it. Returns the impls removed.
pub fn text_conversions_where_taken(types: &mut syn::File, client: &syn::File) -> usize {
    let mut taken = Idents(types_paths(client).plain);
    for item in module_items(types, "builder").into_iter().flatten() {
        if let Item::Struct(s) = item {
            taken.visit_item_struct(s);
        }
    }
    let text = |ty: &Type| match ty {
        Type::Reference(r) => is_path(&r.elem, "str") || is_path(&r.elem, "::std::string::String"),
        ty => is_path(ty, "::std::string::String"),
    };
    let before = types.items.len();
    types.items.retain(|item| match item {
        Item::Impl(imp) => {
            let from_text = trait_of(imp)
                .is_some_and(|p| path_ends(p, "TryFrom") && type_arg(p).is_some_and(text));
            !from_text || taken.0.contains(&type_ident(&imp.self_ty))
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
            match typify_setter(f) {
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
