//! Docs for the items progenitor and typify leave bare, so that the generated crates build under
//! `missing_docs`.

use std::collections::BTreeMap;

use syn::{Fields, Item};

use super::syntax::*;

/// Gives every public item progenitor and typify leave undocumented a doc comment, so that the
/// generated crates build under `missing_docs`: a builder setter takes the doc of the field it
/// sets (types) or says which parameter it sets (client), `builder()` and `new()` say what they
/// make, and a unit enum variant names the wire value it stands for. Returns the number of docs
/// added.
pub fn document_items(file: &mut syn::File) -> usize {
    let mut field_docs: BTreeMap<(String, String), Vec<syn::Attribute>> = BTreeMap::new();
    for item in &file.items {
        if let Item::Struct(s) = item {
            if let Fields::Named(named) = &s.fields {
                for field in &named.named {
                    let docs: Vec<syn::Attribute> =
                        field.attrs.iter().filter(|a| is_doc(a)).cloned().collect();
                    if let (Some(ident), false) = (&field.ident, docs.is_empty()) {
                        field_docs.insert((s.ident.to_string(), ident.to_string()), docs);
                    }
                }
            }
        }
    }
    document_in(&mut file.items, &field_docs, false)
}

pub(super) fn document_in(
    items: &mut [Item],
    field_docs: &BTreeMap<(String, String), Vec<syn::Attribute>>,
    in_builder: bool,
) -> usize {
    let mut count = 0;
    for item in items {
        match item {
            Item::Mod(m) => {
                let builder = m.ident == "builder";
                if let Some((_, inner)) = &mut m.content {
                    count += document_in(inner, field_docs, builder);
                }
            }
            Item::Struct(st) if matches!(st.vis, syn::Visibility::Public(_)) => {
                let name = st.ident.to_string();
                if !st.attrs.iter().any(is_doc) {
                    let text = if in_builder {
                        format!(
                            "A builder for [`super::{name}`]: set fields with its methods, then \
                             convert it with `try_into()`."
                        )
                    } else {
                        format!("`{name}`.")
                    };
                    st.attrs.insert(0, doc_attr(&text));
                    count += 1;
                }
                for field in st.fields.iter_mut() {
                    if !matches!(field.vis, syn::Visibility::Public(_))
                        || field.attrs.iter().any(is_doc)
                    {
                        continue;
                    }
                    let rust = field.ident.as_ref().map(ToString::to_string);
                    let wire = serde_rename(&field.attrs).or(rust).unwrap_or_default();
                    let ty = named_type(&field.ty);
                    let text = if ty.is_empty() {
                        format!("`{wire}`.")
                    } else {
                        format!("`{wire}`: see [`{ty}`].")
                    };
                    field.attrs.insert(0, doc_attr(&text));
                    count += 1;
                }
            }
            Item::Enum(e) if matches!(e.vis, syn::Visibility::Public(_)) => {
                for variant in &mut e.variants {
                    if variant.attrs.iter().any(is_doc) {
                        continue;
                    }
                    let text = match serde_rename(&variant.attrs) {
                        Some(wire) => format!("The value `{wire:?}`."),
                        None => format!("`{}`.", variant.ident),
                    };
                    variant.attrs.insert(0, doc_attr(&text));
                    count += 1;
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let self_name = type_ident(&imp.self_ty);
                for member in &mut imp.items {
                    let syn::ImplItem::Fn(f) = member else {
                        continue;
                    };
                    if !matches!(f.vis, syn::Visibility::Public(_)) || f.attrs.iter().any(is_doc) {
                        continue;
                    }
                    let name = f.sig.ident.to_string();
                    let docs = match name.as_str() {
                        "builder" => vec![doc_attr(&format!(
                            "A builder for [`{self_name}`], starting from its defaults."
                        ))],
                        "new" => vec![doc_attr(&format!(
                            "A `{self_name}` request on `client`, with nothing set yet."
                        ))],
                        "body" => vec![doc_attr("Sets the request body.")],
                        "body_map" => vec![doc_attr(
                            "Changes the request body with a function of its builder.",
                        )],
                        field => field_docs
                            .get(&(self_name.clone(), field.to_owned()))
                            .cloned()
                            .unwrap_or_else(|| vec![doc_attr(&format!("Sets `{field}`."))]),
                    };
                    for (i, doc) in docs.into_iter().enumerate() {
                        f.attrs.insert(i, doc);
                        count += 1;
                    }
                }
            }
            _ => {}
        }
    }
    count
}
