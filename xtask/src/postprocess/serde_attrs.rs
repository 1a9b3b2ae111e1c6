//! Serde and schemars attributes: timestamps written as Infisical writes them, default functions
//! named after their field, one `rename_all` per container, one attribute line per field where it
//! is shorter, and schemars derives behind the `schemars` feature.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Fields, Item, Meta, Type};

use super::syntax::*;

/// Pass `js_timestamps`: every `DateTime<Utc>` field (optional or not) of a struct that derives
/// `Serialize` is written by the types crate's hand-written `js_timestamp` module, as Infisical
/// writes timestamps (milliseconds always), in one piece. Returns the number of fields.
pub fn js_timestamps(types: &mut syn::File) -> usize {
    let date_time: Type = syn::parse_quote!(::chrono::DateTime<::chrono::offset::Utc>);
    let optional: Type = syn::parse_quote!(::std::option::Option<#date_time>);
    let mut count = 0;
    for item in &mut types.items {
        // Runs before `serde_by_direction`, while the derives are still plain.
        let Item::Struct(s) = item else { continue };
        if !matches!(s.fields, Fields::Named(_))
            || !derives(&s.attrs, |p| serde_trait(p) == Some(true))
        {
            continue;
        }
        for field in s.fields.iter_mut() {
            let with = match &field.ty {
                ty if *ty == date_time => "crate::js_timestamp::write",
                ty if *ty == optional => "crate::js_timestamp::write_option",
                _ => continue,
            };
            // Into the field's `#[serde(..)]` (its rename) where it has one.
            let serde = field.attrs.iter_mut().find_map(|a| match &mut a.meta {
                Meta::List(list) if list.path.is_ident("serde") => Some(list),
                _ => None,
            });
            match serde {
                Some(list) => list.tokens.extend(quote! { , serialize_with = #with }),
                None => field
                    .attrs
                    .push(syn::parse_quote! { #[serde(serialize_with = #with)] }),
            }
            count += 1;
        }
    }
    count
}

/// Pass `short_default_names`: each serde `default` function is named after the field it fills,
/// one for every field of that name with the same value (the value most fields of the name use,
/// the first of those), in the serde attribute and the type's `Default`; typify's that nothing
/// calls any more go. Returns the number of fields renamed.
pub fn short_default_names(types: &mut syn::File) -> usize {
    let fns: BTreeMap<String, syn::ItemFn> = module_items(types, "defaults")
        .into_iter()
        .flatten()
        .filter_map(|item| match item {
            Item::Fn(f) => Some((f.sig.ident.to_string(), f.clone())),
            _ => None,
        })
        .collect();
    // Each field with a serde default that may take its name: (owner, field, the default's
    // path after `defaults::`, the function named after the field that gives the same value).
    let mut uses = Vec::new();
    for item in &mut types.items {
        for (owner, name, field) in owned_fields(item) {
            let old = serde_string(&field.attrs, "default")
                .and_then(|d| Some(d.strip_prefix("defaults::")?.to_owned()));
            let Some(old) = old.filter(|_| !name.starts_with("r#") && !fns.contains_key(&name))
            else {
                continue;
            };
            let new = ident(&name);
            let function: syn::ItemFn = match fns.get(&old) {
                Some(f) => syn::ItemFn {
                    sig: syn::Signature {
                        ident: new,
                        ..f.sig.clone()
                    },
                    ..f.clone()
                },
                None => {
                    let call: syn::ExprPath =
                        syn::parse_str(&old).expect("typify's default path parses");
                    let ty = &field.ty;
                    syn::parse_quote! { pub(super) fn #new() -> #ty { #call() } }
                }
            };
            uses.push((owner, name, old, function));
        }
    }
    // Per field name, each function with how many fields it fills, in file order; the winner.
    let mut counted: BTreeMap<&str, Vec<(&syn::ItemFn, usize)>> = BTreeMap::new();
    for (_, name, _, function) in &uses {
        let entry = counted.entry(name).or_default();
        match entry.iter_mut().find(|(f, _)| *f == function) {
            Some((_, n)) => *n += 1,
            None => entry.push((function, 1)),
        }
    }
    let winners: BTreeMap<&str, &syn::ItemFn> = counted
        .into_iter()
        .filter_map(|(name, all)| {
            let most = all.iter().map(|(_, n)| *n).max()?;
            all.into_iter()
                .find(|(_, n)| *n == most)
                .map(|(f, _)| (name, f))
        })
        .collect();
    // (owner, field) -> the old path.
    let renamed: BTreeMap<(String, String), String> = uses
        .iter()
        .filter(|(_, name, _, f)| winners.get(name.as_str()) == Some(&f))
        .map(|(owner, name, old, _)| ((owner.clone(), name.clone()), old.clone()))
        .collect();
    if renamed.is_empty() {
        return 0;
    }
    let added: Vec<Item> = winners.values().map(|f| Item::Fn((*f).clone())).collect();
    let mut called = Idents::default();
    for item in &mut types.items {
        for (owner, name, field) in owned_fields(item) {
            if renamed.contains_key(&(owner, name.clone())) {
                let function = format!("defaults::{name}");
                edit_serde(&mut field.attrs, "default", |m| match m {
                    Meta::NameValue(nv) if nv.path.is_ident("default") => {
                        Some(syn::parse_quote! { default = #function })
                    }
                    other => Some(other),
                });
            }
        }
        rename_default_calls(item, &renamed);
    }
    // typify's functions nothing calls any more go; the new ones join the module.
    for item in &mut types.items {
        if !matches!(item, Item::Mod(m) if m.ident == "defaults") {
            called.visit_item(item);
        }
        for (_, _, field) in owned_fields(item) {
            let default = serde_string(&field.attrs, "default");
            called
                .0
                .extend(default.and_then(|d| Some(d.strip_prefix("defaults::")?.to_owned())));
        }
    }
    let gone: BTreeSet<&String> = renamed
        .values()
        .filter(|old| fns.contains_key(*old) && !called.0.contains(*old))
        .collect();
    if let Some(items) = module_items(types, "defaults") {
        items.retain(|i| !matches!(i, Item::Fn(f) if gone.contains(&f.sig.ident.to_string())));
        items.extend(added);
    }
    renamed.len()
}

/// In a type's `Default` impl (`item`), the call filling each renamed field (`renamed`: (owner,
/// field) -> old path): `defaults::<old>()` -> `defaults::<field>()`.
fn rename_default_calls(item: &mut Item, renamed: &BTreeMap<(String, String), String>) {
    struct Calls<'a> {
        owner: String,
        renamed: &'a BTreeMap<(String, String), String>,
        /// In the field being filled: its old path and its new one.
        path: Option<(syn::Path, syn::Path)>,
    }
    impl VisitMut for Calls<'_> {
        fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
            if let syn::Member::Named(name) = &fv.member {
                if let Some(old) = self.renamed.get(&(self.owner.clone(), name.to_string())) {
                    let path = |text: String| syn::parse_str::<syn::Path>(&text).ok();
                    self.path =
                        path(format!("defaults::{old}")).zip(path(format!("defaults::{name}")));
                }
            }
            syn::visit_mut::visit_field_value_mut(self, fv);
            self.path = None;
        }
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            match &self.path {
                Some((old, new)) if old == path => *path = new.clone(),
                _ => {}
            }
        }
    }
    if let Item::Impl(imp) = item {
        if trait_of(imp).is_some_and(|p| path_ends(p, "Default")) {
            let (owner, path) = (type_ident(&imp.self_ty), None);
            Calls {
                owner,
                renamed,
                path,
            }
            .visit_item_impl_mut(imp);
        }
    }
}

/// Pass `camel_case_renames`: each serde struct, struct variant and enum whose wire names are
/// mostly serde's `camelCase` of the Rust names gets one `#[serde(rename_all = "camelCase")]`;
/// its members keep a `rename` only where the wire name differs from that, or gain one where
/// the rule would change it. The wire names stay the same ([`serde_camel_case`]). Runs after
/// [`document_items`], which reads the renames. Returns the number of renames taken out.
pub fn camel_case_renames(types: &mut syn::File) -> usize {
    let mut count = 0;
    for item in &mut types.items {
        match item {
            Item::Struct(s) if derives(&s.attrs, |p| serde_trait(p).is_some()) => {
                count += rename_all_camel(&mut s.attrs, members(&mut s.fields), serde_camel_case);
            }
            Item::Enum(e) if derives(&e.attrs, |p| serde_trait(p).is_some()) => {
                for v in &mut e.variants {
                    count +=
                        rename_all_camel(&mut v.attrs, members(&mut v.fields), serde_camel_case);
                }
                let variants = e
                    .variants
                    .iter_mut()
                    .map(|v| (unraw(&v.ident), &mut v.attrs));
                count += rename_all_camel(&mut e.attrs, variants.collect(), |v| {
                    v[..1].to_ascii_lowercase() + &v[1..]
                });
            }
            _ => {}
        }
    }
    count
}

/// The named fields of `fields` as serde names them, with their attributes.
fn members(fields: &mut Fields) -> Vec<(String, &mut Vec<Attribute>)> {
    let Fields::Named(named) = fields else {
        return Vec::new();
    };
    let members = named.named.iter_mut();
    members
        .map(|f| {
            (
                f.ident.as_ref().map(unraw).unwrap_or_default(),
                &mut f.attrs,
            )
        })
        .collect()
}

/// serde's `rename_all = "camelCase"` of a field name (serde_derive's `RenameRule::CamelCase`
/// on a field): each `_` dropped and the character after it upper-cased, the first character
/// lower-cased. `access_token_ttl` -> `accessTokenTtl`, `type_` -> `type`.
pub fn serde_camel_case(field: &str) -> String {
    let mut pascal = String::new();
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    match pascal.get(..1) {
        Some(first) => first.to_ascii_lowercase() + &pascal[1..],
        None => pascal,
    }
}

/// [`camel_case_renames`] on one container: its attributes and its members (name as serde sees
/// it, attributes). Puts `rename_all = "camelCase"` on the container when that takes out more
/// renames than it adds; returns the renames taken out less those added (0 when left alone).
fn rename_all_camel(
    container: &mut Vec<Attribute>,
    members: Vec<(String, &mut Vec<Attribute>)>,
    rule: fn(&str) -> String,
) -> usize {
    if has_serde_item(container, "rename_all") {
        return 0;
    }
    // Flattened and skipped members have no name of their own on the wire. Each member with
    // its name under the rule and its wire name: dropped (a rename the rule gives) or added.
    let members: Vec<_> = members
        .into_iter()
        .filter(|(_, attrs)| !has_serde_item(attrs, "flatten") && !has_serde_item(attrs, "skip"))
        .filter_map(|(name, attrs)| match serde_string(attrs, "rename") {
            Some(wire) if wire == rule(&name) => Some((None, attrs)),
            None if name != rule(&name) => Some((Some(name), attrs)),
            _ => None,
        })
        .collect();
    let added = members.iter().filter(|(name, _)| name.is_some()).count();
    let dropped = members.len() - added;
    if dropped <= added {
        return 0;
    }
    for (name, attrs) in members {
        match name {
            Some(name) => attrs.push(syn::parse_quote! { #[serde(rename = #name)] }),
            None => edit_serde(attrs, "rename", |m| {
                (!m.path().is_ident("rename")).then_some(m)
            }),
        }
    }
    // After the derives and docs, before any other serde attribute.
    let at = container.iter().position(|a| a.path().is_ident("serde"));
    let at = at.unwrap_or(container.len());
    container.insert(at, syn::parse_quote! { #[serde(rename_all = "camelCase")] });
    dropped - added
}

/// Pass `one_line_serde_attrs`: a field's serde attribute is split into one per item where that
/// takes fewer lines, and typify's full prelude paths are shortened (`Option::is_none`,
/// `Vec::is_empty`; not when the types define an `Option` or `Vec`). Runs last on the types.
/// Returns the number of attributes changed.
pub fn one_line_serde_attrs(types: &mut syn::File) -> usize {
    let defined = defined_names(&types.items);
    let short = !defined.contains("Option") && !defined.contains("Vec");
    let mut count = 0;
    for item in &mut types.items {
        let in_variant = matches!(item, Item::Enum(_));
        for (_, _, field) in owned_fields(item) {
            count += one_line_attrs(&mut field.attrs, in_variant, short);
        }
    }
    count
}

/// A field's serde attribute taken apart: the `cfg_attr` predicate gating it (if any) and its
/// items.
fn serde_parts(attr: &Attribute) -> Option<(Option<Meta>, Vec<Meta>)> {
    if let Some(metas) = serde_metas(attr) {
        return Some((None, metas));
    }
    if !attr.path().is_ident("cfg_attr") {
        return None;
    }
    let parts =
        attr.parse_args_with(syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated);
    let parts: Vec<Meta> = parts.ok()?.into_iter().collect();
    let [cfg, Meta::List(list)] = parts.as_slice() else {
        return None;
    };
    if !list.path.is_ident("serde") {
        return None;
    }
    let metas =
        list.parse_args_with(syn::punctuated::Punctuated::<Meta, syn::Token![,]>::parse_terminated);
    Some((Some(cfg.clone()), metas.ok()?.into_iter().collect()))
}

/// `#[serde(items)]`, or `#[cfg_attr(cfg, serde(items))]`.
fn serde_attr(cfg: &Option<Meta>, items: &[Meta]) -> Attribute {
    match cfg {
        Some(cfg) => syn::parse_quote! { #[cfg_attr(#cfg, serde(#(#items),*))] },
        None => syn::parse_quote! { #[serde(#(#items),*)] },
    }
}

/// How many lines prettyplease gives a field with `attrs`, in a struct or (`in_variant`) in an
/// enum's struct variant.
fn field_lines(attrs: &[Attribute], in_variant: bool) -> usize {
    // The two files parsed once: this runs for every field with a serde attribute of several
    // items.
    thread_local! {
        static TEMPLATES: [syn::File; 2] = [
            syn::parse_quote! { struct S { f: u8 } },
            syn::parse_quote! { enum E { V { f: u8 } } },
        ];
    }
    let mut file = TEMPLATES.with(|t| t[usize::from(in_variant)].clone());
    if let Some((_, _, field)) = owned_fields(&mut file.items[0]).into_iter().next() {
        field.attrs = attrs.to_vec();
    }
    prettyplease::unparse(&file).lines().count()
}

/// [`one_line_serde_attrs`] on one field's attributes; returns how many it changed.
fn one_line_attrs(attrs: &mut Vec<Attribute>, in_variant: bool, short: bool) -> usize {
    let mut count = 0;
    for attr in std::mem::take(attrs) {
        let Some((cfg, mut items)) = serde_parts(&attr) else {
            attrs.push(attr);
            continue;
        };
        let mut shortened = false;
        for item in &mut items {
            let Meta::NameValue(nv) = item else { continue };
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &mut nv.value
            else {
                continue;
            };
            if nv.path.is_ident("skip_serializing_if") {
                // Whitespace typify leaves in a path is taken out.
                let path: String = s.value().split_whitespace().collect();
                let path = match path.as_str() {
                    "::std::option::Option::is_none" if short => "Option::is_none".into(),
                    "::std::vec::Vec::is_empty" if short => "Vec::is_empty".into(),
                    _ => path,
                };
                shortened |= path != s.value();
                *s = syn::LitStr::new(&path, s.span());
            }
        }
        if items.len() == 1 && !shortened {
            // One item, as it was: nothing to join, split or shorten.
            attrs.push(attr);
            continue;
        }
        let joined = vec![serde_attr(&cfg, &items)];
        let split: Vec<Attribute> = items
            .iter()
            .map(|i| serde_attr(&cfg, std::slice::from_ref(i)))
            .collect();
        let chosen = if split.len() > 1
            && field_lines(&split, in_variant) < field_lines(&joined, in_variant)
        {
            split
        } else {
            joined
        };
        if chosen.len() > 1 || chosen[0] != attr {
            count += 1;
        }
        attrs.extend(chosen);
    }
    count
}

/// The cargo feature behind which the generated types derive `schemars::JsonSchema`.
pub const SCHEMARS_FEATURE: &str = "schemars";

/// Pass `schemars_behind_feature`: every `schemars::JsonSchema` derive and `#[schemars(...)]`
/// attribute goes behind the cargo feature [`SCHEMARS_FEATURE`]: the derive is most of the types
/// crate's build time and only schema users need it. Returns the number of attributes gated.
pub fn schemars_behind_feature(file: &mut syn::File) -> usize {
    gate_schemars(&mut file.items, &quote! { feature = #SCHEMARS_FEATURE })
}

/// [`schemars_behind_feature`] on `items` and the modules among them.
fn gate_schemars(items: &mut [Item], cfg: &TokenStream) -> usize {
    let mut count = 0;
    for item in items {
        if let Item::Mod(m) = item {
            count += m
                .content
                .as_mut()
                .map_or(0, |(_, inner)| gate_schemars(inner, cfg));
        }
        for attrs in attr_lists(item) {
            count += attrs
                .iter_mut()
                .map(|a| usize::from(gate_attr(a, "schemars", cfg)))
                .sum::<usize>();
            if let Some((at, schema)) = take_derives(attrs, |p| path_ends(p, "JsonSchema")) {
                attrs.insert(
                    at,
                    syn::parse_quote! { #[cfg_attr(#cfg, derive(#(#schema),*))] },
                );
                count += 1;
            }
        }
    }
    count
}
