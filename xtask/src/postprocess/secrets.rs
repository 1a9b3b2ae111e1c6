//! Secrets: fields named in `codegen.toml`'s `secret_fields` held in the types crate's
//! hand-written `Secret`, and `Debug` output that prints `<redacted>` for them (types and the
//! client's secret header parameters).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit::Visit;
use syn::{Fields, Item, Type};

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

/// Pass `secret_types`: every field named in `secrets` (snake case), `String` or a typify
/// constrained-string newtype (which goes), is held in the types crate's hand-written `Secret`
/// (`RedactedSecret`.. when the document has a `Secret`). Returns the number of fields and the
/// replaced newtypes.
pub fn secret_types(
    types: &mut syn::File,
    secrets: &BTreeSet<String>,
) -> (usize, BTreeSet<String>) {
    let newtypes = string_newtypes(types);
    let taken = defined_names(&types.items);
    let secret = ["Secret".to_owned(), "RedactedSecret".to_owned()]
        .into_iter()
        .chain((2..).map(|i| format!("RedactedSecret{i}")))
        .find(|candidate| !taken.contains(candidate))
        .map(|name| ident(&name))
        .expect("a free name");
    let secret_type: Type = syn::parse_quote!(#secret);
    let mut replaced = BTreeSet::new();
    let mut fields = 0;
    for item in &mut types.items {
        for (_, name, field) in owned_fields(item) {
            if secrets.contains(&name) {
                fields += 1;
                replace_string(&mut field.ty, &newtypes, &secret_type, &mut replaced);
            }
        }
    }
    if fields == 0 {
        return (0, replaced);
    }
    // The replaced newtypes nothing names any more go, with their impls.
    let mut named = Idents::default();
    for item in &types.items {
        match item {
            Item::Struct(s) if replaced.contains(&s.ident.to_string()) => {}
            Item::Impl(imp) if mentions_any(imp, &replaced) => {}
            _ => named.visit_item(item),
        }
    }
    let gone: BTreeSet<String> = replaced.difference(&named.0).cloned().collect();
    remove_newtypes(types, &gone);
    let import = if secret == "Secret" {
        syn::parse_quote! { use crate::Secret; }
    } else {
        syn::parse_quote! { use crate::Secret as #secret; }
    };
    types.items.insert(0, import);
    (fields, gone)
}

/// Replaces `::std::string::String` or a newtype in `newtypes` inside `ty` (through `Option`)
/// with `secret`, adding a replaced newtype to `replaced`.
fn replace_string(
    ty: &mut Type,
    newtypes: &BTreeSet<String>,
    secret: &Type,
    replaced: &mut BTreeSet<String>,
) {
    let string = is_path(ty, "::std::string::String");
    let Type::Path(p) = ty else { return };
    let newtype = p.path.segments.last().filter(|s| s.arguments.is_none());
    let newtype = newtype
        .map(|s| s.ident.to_string())
        .filter(|n| newtypes.contains(n));
    if newtype.is_some() || string {
        replaced.extend(newtype);
        *ty = secret.clone();
    } else if path_ends(&p.path, "Option") {
        if let Some(inner) = type_arg_mut(&mut p.path) {
            replace_string(inner, newtypes, secret, replaced);
        }
    }
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
