//! Secrets: fields named in `codegen.toml`'s `secret_fields` held in the types crate's
//! hand-written `Secret`, and `Debug` output that prints `<redacted>` for them (types and the
//! client's secret header parameters).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit::Visit;
use syn::{Fields, Item, Type};

use super::syntax::*;

/// Replaces the derived `Debug` of every struct or enum (builders included) that has a field named
/// in `secrets` with an impl that prints `<redacted>` for that field.
/// Returns the number of `Debug` impls written.
pub fn redact_secrets(types: &mut syn::File, secrets: &BTreeSet<String>) -> usize {
    let mut count = redact_items(&mut types.items, secrets);
    if let Some(builder) = module_items(types, "builder") {
        count += redact_items(builder, secrets);
    }
    count
}

pub(super) fn redact_items(items: &mut Vec<Item>, secrets: &BTreeSet<String>) -> usize {
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let (attrs, name, body) = match item {
            Item::Struct(s) => {
                let Fields::Named(named) = &s.fields else {
                    continue;
                };
                if !named.named.iter().any(|f| is_secret(f, secrets)) {
                    continue;
                }
                let name = s.ident.clone();
                let body = debug_fields(&name.to_string(), named, secrets, |f| quote!(&self.#f));
                (&mut s.attrs, name, body)
            }
            Item::Enum(e) => {
                let has_secret = e.variants.iter().any(|v| match &v.fields {
                    Fields::Named(n) => n.named.iter().any(|f| is_secret(f, secrets)),
                    _ => false,
                });
                if !has_secret {
                    continue;
                }
                let name = e.ident.clone();
                let arms = e.variants.iter().map(|v| {
                    let vname = &v.ident;
                    let label = vname.to_string();
                    match &v.fields {
                        Fields::Named(n) => {
                            let binds: Vec<TokenStream> = n
                                .named
                                .iter()
                                .map(|f| {
                                    let ident = &f.ident;
                                    if is_secret(f, secrets) { quote!(#ident: _) } else { quote!(#ident) }
                                })
                                .collect();
                            let body = debug_fields(&label, n, secrets, |f| quote!(#f));
                            quote! { Self::#vname { #(#binds),* } => { #body } }
                        }
                        Fields::Unnamed(u) => {
                            let binds: Vec<_> = (0..u.unnamed.len()).map(|i| format_ident!("v{}", i)).collect();
                            quote! { Self::#vname(#(#binds),*) => f.debug_tuple(#label)#(.field(#binds))*.finish(), }
                        }
                        Fields::Unit => quote! { Self::#vname => f.write_str(#label), },
                    }
                });
                (&mut e.attrs, name, quote! { match self { #(#arms)* } })
            }
            _ => continue,
        };
        remove_derive(attrs, "Debug");
        impls.push(syn::parse_quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    #body
                }
            }
        });
    }
    let count = impls.len();
    items.extend(impls);
    count
}

/// The name the types use for the hand-written `Secret`: `Secret`, unless the document already
/// has a type of that name (Infisical's 2023 documents have a `Secret` schema), then
/// `RedactedSecret`, `RedactedSecret2`... (`use crate::Secret as RedactedSecret;`).
pub(super) fn secret_type_name(types: &syn::File) -> syn::Ident {
    let taken = defined_names(&types.items);
    let name = std::iter::once("Secret".to_owned())
        .chain(std::iter::once("RedactedSecret".to_owned()))
        .chain((2..).map(|i| format!("RedactedSecret{i}")))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| "RedactedSecret".to_owned());
    format_ident!("{}", name)
}

/// Holds every field named in `secrets` (snake case) in the types crate's hand-written `Secret`
/// (`use crate::Secret;` is added to the types): `String` fields and the
/// constrained-string newtypes typify makes for some of them (those newtypes, which derive
/// `Debug`, are removed; their bounds are checked by the validation crate). The builders' fields
/// and setters follow, so `.client_secret("...")` still works. Returns the number of fields and
/// the replaced newtypes.
pub fn secret_types(
    types: &mut syn::File,
    secrets: &BTreeSet<String>,
) -> (usize, BTreeSet<String>) {
    let newtypes = string_newtypes(types);
    let mut replaced = BTreeSet::new();
    let mut fields = 0;
    let name = secret_type_name(types);
    let secret_top: Type = syn::parse_quote!(#name);
    let secret_builder: Type = syn::parse_quote!(super::#name);
    for item in types.items.iter_mut() {
        match item {
            Item::Struct(s) => {
                if let Fields::Named(named) = &mut s.fields {
                    for f in named.named.iter_mut() {
                        if is_secret(f, secrets) {
                            fields += 1;
                            replace_string(&mut f.ty, &newtypes, &secret_top, &mut replaced);
                        }
                    }
                }
            }
            Item::Enum(e) => {
                for v in e.variants.iter_mut() {
                    if let Fields::Named(named) = &mut v.fields {
                        for f in named.named.iter_mut() {
                            if is_secret(f, secrets) {
                                fields += 1;
                                replace_string(&mut f.ty, &newtypes, &secret_top, &mut replaced);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(builder) = module_items(types, "builder") {
        for item in builder.iter_mut() {
            match item {
                Item::Struct(s) => {
                    let Fields::Named(named) = &mut s.fields else {
                        continue;
                    };
                    for f in named.named.iter_mut() {
                        if !is_secret(f, secrets) {
                            continue;
                        }
                        // `Result<T, String>`: only `T`.
                        if let Type::Path(p) = &mut f.ty {
                            if let Some(seg) = p.path.segments.last_mut() {
                                if let syn::PathArguments::AngleBracketed(args) = &mut seg.arguments
                                {
                                    if let Some(syn::GenericArgument::Type(t)) =
                                        args.args.first_mut()
                                    {
                                        replace_string(
                                            t,
                                            &newtypes,
                                            &secret_builder,
                                            &mut replaced,
                                        );
                                    }
                                }
                            }
                        }
                    }
                }
                Item::Impl(imp) => {
                    for it in imp.items.iter_mut() {
                        let syn::ImplItem::Fn(f) = it else { continue };
                        if !secrets.contains(&f.sig.ident.to_string()) {
                            continue;
                        }
                        if let Some(wc) = &mut f.sig.generics.where_clause {
                            for pred in wc.predicates.iter_mut() {
                                if let syn::WherePredicate::Type(pt) = pred {
                                    for bound in pt.bounds.iter_mut() {
                                        let syn::TypeParamBound::Trait(tb) = bound else {
                                            continue;
                                        };
                                        let Some(seg) = tb.path.segments.last_mut() else {
                                            continue;
                                        };
                                        if seg.ident != "TryInto" {
                                            continue;
                                        }
                                        if let syn::PathArguments::AngleBracketed(args) =
                                            &mut seg.arguments
                                        {
                                            if let Some(syn::GenericArgument::Type(t)) =
                                                args.args.first_mut()
                                            {
                                                replace_string(
                                                    t,
                                                    &newtypes,
                                                    &secret_builder,
                                                    &mut replaced,
                                                );
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
    }
    if fields == 0 {
        return (0, replaced);
    }
    let gone = remove_unnamed_newtypes(types, &replaced);
    let import: Item = if name == "Secret" {
        syn::parse_quote! { use crate::Secret; }
    } else {
        syn::parse_quote! { use crate::Secret as #name; }
    };
    types.items.insert(0, import);
    (fields, gone)
}

/// Removes each newtype of `candidates` that nothing names any more, with its impls (`FromStr`,
/// `TryFrom`, `Deref`, `Deserialize`, `From<X> for String`...). Returns the removed names.
pub(super) fn remove_unnamed_newtypes(
    types: &mut syn::File,
    candidates: &BTreeSet<String>,
) -> BTreeSet<String> {
    // Every path segment of every other item, once (the items that would go are left out).
    let mut named = Idents::default();
    for item in &types.items {
        match item {
            Item::Struct(s) if candidates.contains(&s.ident.to_string()) => continue,
            Item::Impl(imp) if mentions_any(imp, candidates) => continue,
            _ => named.visit_item(item),
        }
    }
    let gone: BTreeSet<String> = candidates.difference(&named.0).cloned().collect();
    types.items.retain(|item| match item {
        Item::Struct(s) => !gone.contains(&s.ident.to_string()),
        Item::Impl(imp) => !mentions_any(imp, &gone),
        _ => true,
    });
    gone
}

/// Replaces `::std::string::String` or a newtype in `newtypes` inside `ty` (through `Option`)
/// with `secret`.
pub(super) fn replace_string(
    ty: &mut Type,
    newtypes: &BTreeSet<String>,
    secret: &Type,
    replaced: &mut BTreeSet<String>,
) {
    if is_std_string(ty) {
        *ty = secret.clone();
        return;
    }
    let Type::Path(p) = ty else { return };
    let Some(last) = p.path.segments.last() else {
        return;
    };
    let name = last.ident.to_string();
    if newtypes.contains(&name) && matches!(last.arguments, syn::PathArguments::None) {
        replaced.insert(name);
        *ty = secret.clone();
        return;
    }
    if let Some(seg) = p.path.segments.last_mut() {
        if seg.ident == "Option" {
            if let syn::PathArguments::AngleBracketed(args) = &mut seg.arguments {
                if let Some(syn::GenericArgument::Type(t)) = args.args.first_mut() {
                    replace_string(t, newtypes, secret, replaced);
                }
            }
        }
    }
}

/// Replaces the derived `Debug` of the client's operation builders that hold a secret header
/// (`builders`: builder name -> field names) with one that prints `<redacted>` for it.
/// Returns the number of `Debug` impls written.
pub fn redact_secret_headers(
    client: &mut syn::File,
    builders: &BTreeMap<String, BTreeSet<String>>,
) -> usize {
    let Some(items) = module_items(client, "builder") else {
        return 0;
    };
    let mut impls: Vec<Item> = Vec::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        let Some(secrets) = builders.get(&s.ident.to_string()) else {
            continue;
        };
        let Fields::Named(named) = &s.fields else {
            continue;
        };
        let name = s.ident.clone();
        let body = debug_fields(&name.to_string(), named, secrets, |f| quote!(&self.#f));
        let (impl_generics, ty_generics, where_clause) = s.generics.split_for_impl();
        impls.push(syn::parse_quote! {
            impl #impl_generics ::std::fmt::Debug for #name #ty_generics #where_clause {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    #body
                }
            }
        });
        remove_derive(&mut s.attrs, "Debug");
    }
    let count = impls.len();
    items.extend(impls);
    count
}

pub(super) fn is_secret(field: &syn::Field, secrets: &BTreeSet<String>) -> bool {
    field
        .ident
        .as_ref()
        .is_some_and(|i| secrets.contains(&i.to_string()))
}

pub(super) fn debug_fields(
    label: &str,
    fields: &syn::FieldsNamed,
    secrets: &BTreeSet<String>,
    access: impl Fn(&syn::Ident) -> TokenStream,
) -> TokenStream {
    let calls = fields.named.iter().filter_map(|f| {
        let ident = f.ident.as_ref()?;
        let key = ident.to_string();
        if is_secret(f, secrets) {
            Some(quote! { .field(#key, &"<redacted>") })
        } else {
            let value = access(ident);
            Some(quote! { .field(#key, #value) })
        }
    });
    quote! { f.debug_struct(#label) #(#calls)* .finish() }
}
