//! Docs for the items progenitor and typify leave bare, so that the generated crates build under
//! `missing_docs`.

use std::collections::BTreeMap;

use syn::{Attribute, Item, Visibility};

use super::syntax::*;

/// Pass `document_items`: every public item progenitor and typify leave undocumented gets a doc
/// comment: a builder setter takes the doc of the field it sets (types) or says which parameter
/// it sets (client), `builder()` and `new()` say what they make, a field or unit variant names
/// its wire name. Returns the number of docs added.
pub fn document_items(file: &mut syn::File) -> usize {
    let mut field_docs: BTreeMap<(String, String), Vec<Attribute>> = BTreeMap::new();
    for item in &mut file.items {
        let Item::Struct(_) = item else { continue };
        for (owner, name, field) in owned_fields(item) {
            let docs: Vec<Attribute> = field
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .cloned()
                .collect();
            if !docs.is_empty() {
                field_docs.insert((owner, name), docs);
            }
        }
    }
    document_in(&mut file.items, &field_docs, false)
}

/// [`document_items`] on the items of one module (`in_builder`: typify's `builder` module).
fn document_in(
    items: &mut [Item],
    field_docs: &BTreeMap<(String, String), Vec<Attribute>>,
    in_builder: bool,
) -> usize {
    let public = |vis: &Visibility| matches!(vis, Visibility::Public(_));
    let mut count = 0;
    for item in items {
        match item {
            Item::Mod(m) => {
                let builder = m.ident == "builder";
                if let Some((_, inner)) = &mut m.content {
                    count += document_in(inner, field_docs, builder);
                }
            }
            Item::Struct(st) if public(&st.vis) => {
                let name = st.ident.to_string();
                if !has_doc(&st.attrs) {
                    let text = if in_builder {
                        format!(
                            "A builder for [`super::{name}`]: set fields with its methods, then \
                             convert it with `try_into()`."
                        )
                    } else {
                        format!("`{name}`.")
                    };
                    count += prepend(&mut st.attrs, vec![doc_attr(&text)]);
                }
                for field in st
                    .fields
                    .iter_mut()
                    .filter(|f| public(&f.vis) && !has_doc(&f.attrs))
                {
                    let rust = field.ident.as_ref().map(ToString::to_string);
                    let wire = serde_string(&field.attrs, "rename")
                        .or(rust)
                        .unwrap_or_default();
                    let text = match named_type(&field.ty) {
                        ty if ty.is_empty() => format!("`{wire}`."),
                        ty => format!("`{wire}`: see [`{ty}`]."),
                    };
                    count += prepend(&mut field.attrs, vec![doc_attr(&text)]);
                }
            }
            Item::Enum(e) if public(&e.vis) => {
                for variant in e.variants.iter_mut().filter(|v| !has_doc(&v.attrs)) {
                    let text = match serde_string(&variant.attrs, "rename") {
                        Some(wire) => format!("The value `{wire:?}`."),
                        None => format!("`{}`.", variant.ident),
                    };
                    count += prepend(&mut variant.attrs, vec![doc_attr(&text)]);
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let self_name = type_ident(&imp.self_ty);
                for f in fns_mut(imp).filter(|f| public(&f.vis) && !has_doc(&f.attrs)) {
                    let docs = match f.sig.ident.to_string().as_str() {
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
                    count += prepend(&mut f.attrs, docs);
                }
            }
            _ => {}
        }
    }
    count
}

/// Puts `docs` first in `attrs`; returns how many.
fn prepend(attrs: &mut Vec<Attribute>, docs: Vec<Attribute>) -> usize {
    let count = docs.len();
    attrs.splice(0..0, docs);
    count
}
