//! Docs for the items progenitor and typify leave bare, so that the generated crates build under
//! `missing_docs`.

use syn::{Attribute, Item, Visibility};

use super::syntax::*;

/// Pass `document_items`: every public item progenitor and typify leave undocumented gets a doc
/// comment: a client builder's setter says which parameter it sets, `new()` says what it makes,
/// a field or unit variant names its wire name. Returns the number of docs added.
pub fn document_items(file: &mut syn::File) -> usize {
    document_in(&mut file.items)
}

/// [`document_items`] on the items of one module.
fn document_in(items: &mut [Item]) -> usize {
    let public = |vis: &Visibility| matches!(vis, Visibility::Public(_));
    let mut count = 0;
    for item in items {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    count += document_in(inner);
                }
            }
            Item::Struct(st) if public(&st.vis) => {
                let name = st.ident.to_string();
                if !has_doc(&st.attrs) {
                    count += prepend(&mut st.attrs, &format!("`{name}`."));
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
                    count += prepend(&mut field.attrs, &text);
                }
            }
            Item::Enum(e) if public(&e.vis) => {
                for variant in e.variants.iter_mut().filter(|v| !has_doc(&v.attrs)) {
                    let text = match serde_string(&variant.attrs, "rename") {
                        Some(wire) => format!("The value `{wire:?}`."),
                        None => format!("`{}`.", variant.ident),
                    };
                    count += prepend(&mut variant.attrs, &text);
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let self_name = type_ident(&imp.self_ty);
                for f in fns_mut(imp).filter(|f| public(&f.vis) && !has_doc(&f.attrs)) {
                    let text = match f.sig.ident.to_string().as_str() {
                        "new" => {
                            format!("A `{self_name}` request on `client`, with nothing set yet.")
                        }
                        "body" => "Sets the request body.".to_owned(),
                        field => format!("Sets `{field}`."),
                    };
                    count += prepend(&mut f.attrs, &text);
                }
            }
            _ => {}
        }
    }
    count
}

/// Puts the doc comment `text` first in `attrs`; returns 1.
fn prepend(attrs: &mut Vec<Attribute>, text: &str) -> usize {
    attrs.insert(0, doc_attr(text));
    1
}
