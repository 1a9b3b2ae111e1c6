//! Secrets: fields named in `codegen.toml`'s `secret_fields` held in the types crate's
//! hand-written `Secret`, and `Debug` output that prints `<redacted>` for them (types and the
//! client's secret header parameters).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Fields, Item};

use super::syntax::*;

/// Pass `redact_secrets`: the derived `Debug` of every struct or enum with a field named in
/// `secrets` is replaced by one that prints `<redacted>` for that field. Returns the number of
/// `Debug` impls written.
pub fn redact_secrets(types: &mut syn::File, secrets: &BTreeSet<String>) -> usize {
    redact_items(&mut types.items, |_| Some(secrets))
}

/// Pass `redact_secret_headers`: [`redact_secrets`] for the client builders holding a secret
/// header (`builders`: builder name -> field names).
pub fn redact_secret_headers(
    client: &mut syn::File,
    builders: &BTreeMap<String, BTreeSet<String>>,
) -> usize {
    let items = module_items(client, "builder");
    items.map_or(0, |items| redact_items(items, |name| builders.get(name)))
}

/// [`redact_secrets`] on the items of one module, with the secret fields of each type.
fn redact_items<'s>(
    items: &mut Vec<Item>,
    secrets_of: impl Fn(&str) -> Option<&'s BTreeSet<String>>,
) -> usize {
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let Some(secrets) = type_name(item).and_then(|name| secrets_of(&name)) else {
            continue;
        };
        let (attrs, name, generics, body) = match item {
            Item::Struct(s) => {
                let Fields::Named(named) = &s.fields else {
                    continue;
                };
                if !named.named.iter().any(|f| is_secret(f, secrets)) {
                    continue;
                }
                let body = debug_fields(&s.ident.to_string(), named, secrets, |f| quote!(&self.#f));
                (&mut s.attrs, &s.ident, &s.generics, body)
            }
            Item::Enum(e) => {
                if !e
                    .variants
                    .iter()
                    .any(|v| v.fields.iter().any(|f| is_secret(f, secrets)))
                {
                    continue;
                }
                let arms = e.variants.iter().map(|v| {
                    let (vname, label) = (&v.ident, v.ident.to_string());
                    match &v.fields {
                        Fields::Named(n) => {
                            let binds = n.named.iter().map(|f| {
                                let ident = &f.ident;
                                if is_secret(f, secrets) { quote!(#ident: _) } else { quote!(#ident) }
                            });
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
                let body = quote! { match self { #(#arms)* } };
                (&mut e.attrs, &e.ident, &e.generics, body)
            }
            _ => continue,
        };
        let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
        impls.push(syn::parse_quote! {
            impl #impl_generics ::std::fmt::Debug for #name #ty_generics #where_clause {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    #body
                }
            }
        });
        take_derives(attrs, |p| p.is_ident("Debug"));
    }
    let count = impls.len();
    items.extend(impls);
    count
}

/// Pass `secret_types`: the fields typify holds in the hand-written `Secret` (its conversion of
/// the strings the generate stage marks, [`crate::progenitor::mark_secrets`]), named `secret` in
/// the types module, find it imported (`use crate::Secret;`, or `as` `secret` when a schema of
/// the document takes the name). Returns the number of such fields.
pub fn secret_types(types: &mut syn::File, secret: &str) -> usize {
    let mut fields = 0;
    for item in &mut types.items {
        for (_, _, field) in owned_fields(item) {
            fields += usize::from(named_type(&field.ty) == secret);
        }
    }
    if fields > 0 {
        let secret = ident(secret);
        types.items.insert(
            0,
            if secret == "Secret" {
                syn::parse_quote! { use crate::Secret; }
            } else {
                syn::parse_quote! { use crate::Secret as #secret; }
            },
        );
    }
    fields
}

/// Whether `field` is named in `secrets`.
fn is_secret(field: &syn::Field, secrets: &BTreeSet<String>) -> bool {
    field
        .ident
        .as_ref()
        .is_some_and(|i| secrets.contains(&i.to_string()))
}

/// `f.debug_struct(label).field(..)...finish()` of `fields`, `<redacted>` for the secrets.
fn debug_fields(
    label: &str,
    fields: &syn::FieldsNamed,
    secrets: &BTreeSet<String>,
    access: impl Fn(&syn::Ident) -> TokenStream,
) -> TokenStream {
    let calls = fields.named.iter().filter_map(|f| {
        let ident = f.ident.as_ref()?;
        let key = ident.to_string();
        let value = if is_secret(f, secrets) {
            quote!(&"<redacted>")
        } else {
            access(ident)
        };
        Some(quote! { .field(#key, #value) })
    });
    quote! { f.debug_struct(#label) #(#calls)* .finish() }
}
