//! Serde and schemars attributes: timestamps written as Infisical writes them, default functions
//! named after their field, one `rename_all` per container, one attribute line per field where it
//! is shorter, and schemars derives behind the `schemars` feature.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Fields, Item, Type};

use super::syntax::*;

/// Pass `js_timestamps`: every `DateTime<Utc>` field of a serialized type (optional or not) is
/// written as Infisical writes timestamps, with milliseconds always, by the hand-written
/// `js_timestamp` module of the types crate (named by its path, `crate::js_timestamp`
/// when a field uses it). Besides the fidelity, it writes a timestamp in one piece: chrono's
/// `Display` sends serde_json a character at a time. Returns the number of fields.
pub fn js_timestamps(types: &mut syn::File) -> usize {
    let date_time: Type = syn::parse_quote!(::chrono::DateTime<::chrono::offset::Utc>);
    let optional: Type =
        syn::parse_quote!(::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>);
    let mut count = 0;
    for item in &mut types.items {
        let Item::Struct(s) = item else { continue };
        // Runs before `serde_by_direction`, while the derives are still plain.
        let serialized = s.attrs.iter().any(|a| {
            a.path().is_ident("derive")
                && a.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .is_ok_and(|paths| paths.iter().any(|p| serde_trait(p) == Some(true)))
        });
        if !serialized {
            continue;
        }
        let Fields::Named(named) = &mut s.fields else {
            continue;
        };
        for field in named.named.iter_mut() {
            let with = if field.ty == date_time {
                "crate::js_timestamp::write"
            } else if field.ty == optional {
                "crate::js_timestamp::write_option"
            } else {
                continue;
            };
            // Into the field's `#[serde(..)]` (its rename) where it has one.
            let serde = field.attrs.iter_mut().find_map(|a| match &mut a.meta {
                syn::Meta::List(list) if list.path.is_ident("serde") => Some(list),
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

/// Pass `short_default_names`: each serde `default` function is named after the field it fills
/// (`defaults::access_token_trusted_ips`), one function for every field of that name with the
/// same type and value. typify names a default function after its type and field
/// (`defaults::attach_universal_auth_body_client_secret_trusted_ips`, one copy per body) or
/// writes a generic call (`defaults::default_u64::<i64, 2592000>`); either makes the field's
/// `#[serde(default = "..")]` and its `Default` lines wrap. Where fields of one name have several
/// defaults (a body's `accessTokenTTL` and a configuration's), the one most fields use gets the
/// name and the others keep theirs. The serde attribute, the type's `Default` and its builder's
/// `Default` call the new function; typify's functions nothing calls any more go. Runs before
/// [`camel_case_renames`] (it reads plain `#[serde(..)]`). Returns the number of fields renamed.
pub fn short_default_names(types: &mut syn::File) -> usize {
    let fns: BTreeMap<String, syn::ItemFn> = module_items(types, "defaults")
        .map(|items| {
            items
                .iter()
                .filter_map(|i| match i {
                    Item::Fn(f) => Some((f.sig.ident.to_string(), f.clone())),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    // Every field with a serde default: (struct, field, field type, path after `defaults::`).
    let mut uses: Vec<(String, String, Type, String)> = Vec::new();
    for item in types.items.iter_mut() {
        for (owner, field) in owned_fields(item) {
            let Some(ident) = field.ident.as_ref().map(ToString::to_string) else {
                continue;
            };
            let default = serde_default_fn(&field.attrs);
            if let Some(path) = default.and_then(|d| d.strip_prefix("defaults::").map(String::from))
            {
                uses.push((owner, ident, field.ty.clone(), path));
            }
        }
    }
    // What a default gives: a named function's signature and body, or a call and its type
    // (compared as syntax trees).
    #[derive(Clone, PartialEq)]
    enum Gives {
        Function(syn::ReturnType, syn::Block),
        Call(String, Box<Type>),
    }
    let key = |ty: &Type, path: &str| match fns.get(path) {
        Some(f) => Gives::Function(f.sig.output.clone(), (*f.block).clone()),
        None => Gives::Call(path.to_string(), Box::new(ty.clone())),
    };
    // Per field name, each default with how many fields use it, in file order.
    let mut by_field: BTreeMap<&str, Vec<(Gives, usize)>> = BTreeMap::new();
    for (_, field, ty, path) in &uses {
        let k = key(ty, path);
        let entry = by_field.entry(field.as_str()).or_default();
        match entry.iter_mut().find(|(known, _)| *known == k) {
            Some((_, n)) => *n += 1,
            None => entry.push((k, 1)),
        }
    }
    let winners: BTreeMap<&str, Gives> = by_field
        .into_iter()
        .filter(|(field, _)| !field.starts_with("r#") && !fns.contains_key(*field))
        .filter_map(|(field, keys)| {
            let most = keys.iter().map(|(_, n)| *n).max()?;
            let (k, _) = keys.into_iter().find(|(_, n)| *n == most)?;
            Some((field, k))
        })
        .collect();
    let mut added: BTreeMap<String, syn::ItemFn> = BTreeMap::new();
    let mut renamed: Vec<(String, String, String)> = Vec::new();
    for (owner, field, ty, path) in &uses {
        if winners.get(field.as_str()) != Some(&key(ty, path)) || path == field {
            continue;
        }
        let name = ident(field);
        added
            .entry(field.clone())
            .or_insert_with(|| match fns.get(path) {
                Some(f) => {
                    let mut f = f.clone();
                    f.sig.ident = name.clone();
                    f
                }
                None => {
                    let call: syn::ExprPath =
                        syn::parse_str(path).expect("typify's default path parses");
                    syn::parse_quote! { pub(super) fn #name() -> #ty { #call() } }
                }
            });
        renamed.push((owner.clone(), field.clone(), path.clone()));
    }
    if renamed.is_empty() {
        return 0;
    }
    let old_paths: BTreeMap<(String, String), String> = renamed
        .iter()
        .map(|(o, f, p)| ((o.clone(), f.clone()), p.clone()))
        .collect();
    for item in types.items.iter_mut() {
        for (owner, field) in owned_fields(item) {
            let Some(name) = field.ident.as_ref().map(ToString::to_string) else {
                continue;
            };
            if old_paths.contains_key(&(owner, name.clone())) {
                set_serde_default(&mut field.attrs, &format!("defaults::{name}"));
            }
        }
        match item {
            Item::Impl(imp) => rename_default_calls(imp, &old_paths),
            Item::Mod(m) if m.ident == "builder" => {
                for inner in m.content.iter_mut().flat_map(|(_, items)| items.iter_mut()) {
                    if let Item::Impl(imp) = inner {
                        rename_default_calls(imp, &old_paths);
                    }
                }
            }
            _ => {}
        }
    }
    // typify's functions nothing calls any more go; the new ones join the module.
    let mut called = Idents::default();
    for item in &types.items {
        if !matches!(item, Item::Mod(m) if m.ident == "defaults") {
            called.visit_item(item);
        }
    }
    for item in types.items.iter_mut() {
        for (_, field) in owned_fields(item) {
            let default = serde_default_fn(&field.attrs);
            if let Some(name) = default
                .as_deref()
                .and_then(|d| d.strip_prefix("defaults::"))
            {
                called.0.insert(name.to_string());
            }
        }
    }
    let gone: BTreeSet<String> = renamed
        .iter()
        .map(|(_, _, p)| p.clone())
        .filter(|p| fns.contains_key(p) && !called.0.contains(p))
        .collect();
    if let Some(items) = module_items(types, "defaults") {
        items.retain(|i| !matches!(i, Item::Fn(f) if gone.contains(&f.sig.ident.to_string())));
        items.extend(added.into_values().map(Item::Fn));
    }
    renamed.len()
}

/// Sets the function of a field's `#[serde(default = "..")]`.
pub(super) fn set_serde_default(attrs: &mut [syn::Attribute], function: &str) {
    for attr in attrs.iter_mut() {
        let Some(metas) = serde_metas(attr) else {
            continue;
        };
        let metas: Vec<syn::Meta> = metas
            .into_iter()
            .map(|m| match m {
                syn::Meta::NameValue(nv) if nv.path.is_ident("default") => {
                    syn::parse_quote! { default = #function }
                }
                other => other,
            })
            .collect();
        *attr = syn::parse_quote! { #[serde(#(#metas),*)] };
    }
}

/// In a `Default` impl of a type (or of its builder), the call of each renamed default function
/// in the field it fills: `defaults::<old>()` -> `defaults::<field>()` (`super::` kept).
pub(super) fn rename_default_calls(
    imp: &mut syn::ItemImpl,
    old: &BTreeMap<(String, String), String>,
) {
    struct Calls<'a> {
        owner: String,
        old: &'a BTreeMap<(String, String), String>,
    }
    impl VisitMut for Calls<'_> {
        fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
            if let syn::Member::Named(name) = &fv.member {
                let field = name.to_string();
                if let Some(path) = self.old.get(&(self.owner.clone(), field.clone())) {
                    let parse = |text: String| syn::parse_str::<syn::ExprPath>(&text).ok();
                    let wanted = parse(format!("defaults::{path}"));
                    let from_builder = parse(format!("super::defaults::{path}"));
                    if let (Some(wanted), Some(from_builder)) = (wanted, from_builder) {
                        let new = ident(&field);
                        Paths(&wanted.path, &from_builder.path, &new).visit_expr_mut(&mut fv.expr);
                    }
                }
            }
            syn::visit_mut::visit_field_value_mut(self, fv);
        }
    }
    /// Replaces the path `.0` by `defaults::new` and `.1` by `super::defaults::new`.
    struct Paths<'a>(&'a syn::Path, &'a syn::Path, &'a syn::Ident);
    impl VisitMut for Paths<'_> {
        fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
            let new = self.2;
            if e.path == *self.0 {
                e.path = syn::parse_quote! { defaults::#new };
            } else if e.path == *self.1 {
                e.path = syn::parse_quote! { super::defaults::#new };
            }
        }
    }
    let is_default = imp
        .trait_
        .as_ref()
        .is_some_and(|t| t.0.segments.last().is_some_and(|s| s.ident == "Default"));
    if !is_default {
        return;
    }
    let owner = type_ident(&imp.self_ty);
    Calls { owner, old }.visit_item_impl_mut(imp);
}

/// Pass `camel_case_renames`: each serde struct, struct variant and enum whose wire names are
/// mostly serde's `camelCase` of the Rust names gets one container-level
/// `#[serde(rename_all = "camelCase")]`, and its members keep a `rename` only where the wire name
/// differs from that (`accessTokenMaxTTL` for `access_token_max_ttl`), or gain one where a member
/// without a rename would otherwise change its wire name. typify writes a `rename` on every member
/// whose wire name is not its Rust name: once gated by `serde-attrs` (the direction pass), that is
/// one to nine lines per field, about a tenth of the types crate. The wire names stay exactly
/// the same (serde and schemars apply the same rule, [`serde_camel_case`]). Runs after
/// [`document_items`], which reads the renames. Returns the number of renames taken out.
pub fn camel_case_renames(types: &mut syn::File) -> usize {
    let mut count = 0;
    for item in &mut types.items {
        match item {
            Item::Struct(s) if derives_serde(&s.attrs) => {
                if let Fields::Named(named) = &mut s.fields {
                    let members = named.named.iter_mut().map(|f| {
                        let name = f.ident.as_ref().map(unraw).unwrap_or_default();
                        (name, &mut f.attrs)
                    });
                    count += rename_all_camel(&mut s.attrs, members, serde_camel_case);
                }
            }
            Item::Enum(e) if derives_serde(&e.attrs) => {
                for variant in &mut e.variants {
                    if let Fields::Named(named) = &mut variant.fields {
                        let members = named.named.iter_mut().map(|f| {
                            let name = f.ident.as_ref().map(unraw).unwrap_or_default();
                            (name, &mut f.attrs)
                        });
                        count += rename_all_camel(&mut variant.attrs, members, serde_camel_case);
                    }
                }
                let members = e
                    .variants
                    .iter_mut()
                    .map(|v| (unraw(&v.ident), &mut v.attrs));
                count += rename_all_camel(&mut e.attrs, members, |v| {
                    v[..1].to_ascii_lowercase() + &v[1..]
                });
            }
            _ => {}
        }
    }
    count
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
pub(super) fn rename_all_camel<'a>(
    container: &mut Vec<syn::Attribute>,
    members: impl Iterator<Item = (String, &'a mut Vec<syn::Attribute>)>,
    rule: fn(&str) -> String,
) -> usize {
    if has_serde_item(container, "rename_all") {
        return 0;
    }
    // Flattened and skipped members have no name of their own on the wire.
    // `(name, attributes, name under the rule, wire name)` of each member.
    let members: Vec<_> = members
        .filter(|(_, attrs)| !has_serde_item(attrs, "flatten") && !has_serde_item(attrs, "skip"))
        .map(|(name, attrs)| {
            let camel = rule(&name);
            let wire = serde_rename(attrs);
            (name, attrs, camel, wire)
        })
        .collect();
    let (mut dropped, mut added) = (0, 0);
    for (name, _, camel, wire) in &members {
        match wire {
            Some(wire) if wire == camel => dropped += 1,
            None if name != camel => added += 1,
            _ => {}
        }
    }
    if dropped <= added {
        return 0;
    }
    for (name, attrs, camel, wire) in members {
        match wire {
            Some(wire) if wire == camel => remove_serde_item(attrs, "rename"),
            None if name != camel => attrs.push(syn::parse_quote! { #[serde(rename = #name)] }),
            _ => {}
        }
    }
    // After the derives and docs, before any other serde attribute.
    let at = container
        .iter()
        .position(|a| a.path().is_ident("serde"))
        .unwrap_or(container.len());
    container.insert(at, syn::parse_quote! { #[serde(rename_all = "camelCase")] });
    dropped - added
}

/// Pass `one_line_serde_attrs`: the serde attributes of fields, as short as they can be written,
/// each on one line where prettyplease would otherwise wrap it. Once gated by `serde-attrs`, a
/// field attribute with two items (`rename` and `default`, `default` and
/// `skip_serializing_if`) no longer fits in a line and prettyplease writes it over four to nine;
/// an attribute per item fits. So: the prelude paths typify spells in full are shortened
/// (`::std::option::Option::is_none` -> `Option::is_none`, `::std::vec::Vec::is_empty` ->
/// `Vec::is_empty`; only when the types define no `Option` or `Vec` of their own), and an
/// attribute is split into one per item when that takes fewer lines (serde reads several
/// `#[serde(..)]` on a field as one). What serde and schemars do is unchanged. Runs last on the
/// types (after [`crate::directions::serde_by_direction`], whose gate it measures). Returns the
/// number of attributes changed.
pub fn one_line_serde_attrs(types: &mut syn::File) -> usize {
    let defined = defined_names(&types.items);
    let short = !defined.contains("Option") && !defined.contains("Vec");
    let mut count = 0;
    for item in &mut types.items {
        match item {
            Item::Struct(s) => {
                for field in s.fields.iter_mut() {
                    count += one_line_attrs(&mut field.attrs, false, short);
                }
            }
            Item::Enum(e) => {
                for field in e.variants.iter_mut().flat_map(|v| v.fields.iter_mut()) {
                    count += one_line_attrs(&mut field.attrs, true, short);
                }
            }
            _ => {}
        }
    }
    count
}

/// Whether `attr` is a serde attribute (`#[serde(..)]` or `#[cfg_attr(.., serde(..))]`) of
/// several items or with a `skip_serializing_if`, told from its tokens without parsing them.
pub(super) fn several_or_shortenable(attr: &syn::Attribute) -> bool {
    use proc_macro2::TokenTree;
    // `#[serde(..)]`, or the `serde(..)` of a `#[cfg_attr(.., serde(..))]`.
    let gated = || {
        let syn::Meta::List(list) = &attr.meta else {
            return None;
        };
        if !list.path.is_ident("cfg_attr") {
            return None;
        }
        let mut trees = list.tokens.clone().into_iter();
        while let Some(tree) = trees.next() {
            if matches!(&tree, TokenTree::Ident(i) if i == "serde") {
                return match trees.next() {
                    Some(TokenTree::Group(g)) => Some(g.stream()),
                    _ => None,
                };
            }
        }
        None
    };
    serde_tokens(attr).or_else(gated).is_some_and(|tokens| {
        tokens.into_iter().any(|t| match &t {
            TokenTree::Punct(p) => p.as_char() == ',',
            TokenTree::Ident(i) => i == "skip_serializing_if",
            _ => false,
        })
    })
}

/// A field's serde attribute taken apart: the `cfg_attr` predicate gating it (if any) and its
/// items.
pub(super) fn serde_parts(attr: &syn::Attribute) -> Option<(Option<syn::Meta>, Vec<syn::Meta>)> {
    type Metas = syn::punctuated::Punctuated<syn::Meta, syn::Token![,]>;
    if let Some(metas) = serde_metas(attr) {
        return Some((None, metas));
    }
    if !attr.path().is_ident("cfg_attr") {
        return None;
    }
    let parts: Vec<syn::Meta> = attr
        .parse_args_with(Metas::parse_terminated)
        .ok()?
        .into_iter()
        .collect();
    let [cfg, syn::Meta::List(list)] = parts.as_slice() else {
        return None;
    };
    if !list.path.is_ident("serde") {
        return None;
    }
    let metas = list.parse_args_with(Metas::parse_terminated).ok()?;
    Some((Some(cfg.clone()), metas.into_iter().collect()))
}

/// `#[serde(items)]`, or `#[cfg_attr(cfg, serde(items))]`.
pub(super) fn serde_attr(cfg: &Option<syn::Meta>, items: &[syn::Meta]) -> syn::Attribute {
    match cfg {
        Some(cfg) => syn::parse_quote! { #[cfg_attr(#cfg, serde(#(#items),*))] },
        None => syn::parse_quote! { #[serde(#(#items),*)] },
    }
}

/// A path of the prelude written in full, shortened (see [`one_line_serde_attrs`]); whitespace
/// typify leaves in a path is taken out.
pub(super) fn short_path(path: &str, short: bool) -> String {
    let path: String = path.split_whitespace().collect();
    match path.as_str() {
        "::std::option::Option::is_none" if short => "Option::is_none".into(),
        "::std::vec::Vec::is_empty" if short => "Vec::is_empty".into(),
        _ => path,
    }
}

/// How many lines prettyplease gives a field with `attrs`, in a struct or (`in_variant`) in an
/// enum's struct variant.
pub(super) fn field_lines(attrs: &[syn::Attribute], in_variant: bool) -> usize {
    // The two files parsed once: this runs for every field with a serde attribute of several
    // items.
    thread_local! {
        static TEMPLATES: [syn::File; 2] = [
            syn::parse_quote! { struct S { f: u8 } },
            syn::parse_quote! { enum E { V { f: u8 } } },
        ];
    }
    let mut file = TEMPLATES.with(|t| t[usize::from(in_variant)].clone());
    let fields = match &mut file.items[0] {
        Item::Struct(s) => &mut s.fields,
        Item::Enum(e) => &mut e.variants[0].fields,
        _ => unreachable!("a struct or an enum"),
    };
    if let Some(field) = fields.iter_mut().next() {
        field.attrs = attrs.to_vec();
    }
    prettyplease::unparse(&file).lines().count()
}

/// [`one_line_serde_attrs`] on one field's attributes; returns how many it changed.
pub(super) fn one_line_attrs(
    attrs: &mut Vec<syn::Attribute>,
    in_variant: bool,
    short: bool,
) -> usize {
    let mut out = Vec::with_capacity(attrs.len());
    let mut count = 0;
    for attr in attrs.drain(..) {
        if !several_or_shortenable(&attr) {
            // Not a serde attribute, or one item as it stays: nothing to join, split or shorten.
            out.push(attr);
            continue;
        }
        let Some((cfg, mut items)) = serde_parts(&attr) else {
            out.push(attr);
            continue;
        };
        let mut shortened = false;
        for item in &mut items {
            if let syn::Meta::NameValue(nv) = item {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &mut nv.value
                {
                    if nv.path.is_ident("skip_serializing_if") {
                        let path = short_path(&s.value(), short);
                        shortened |= path != s.value();
                        *s = syn::LitStr::new(&path, s.span());
                    }
                }
            }
        }
        if items.len() == 1 && !shortened {
            // One item, as it was: nothing to join, split or shorten.
            out.push(attr);
            continue;
        }
        let joined = vec![serde_attr(&cfg, &items)];
        let split: Vec<syn::Attribute> = items
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
        out.extend(chosen);
    }
    *attrs = out;
    count
}

/// The cargo feature behind which the generated types derive `schemars::JsonSchema`.
pub const SCHEMARS_FEATURE: &str = "schemars";

/// Puts every `schemars::JsonSchema` derive and `#[schemars(...)]` attribute behind the cargo
/// feature [`SCHEMARS_FEATURE`]: the derive is most of the types crate's build time (about 13 of
/// 16 s here) and only schema users (the conformance test, documentation tools) need it.
/// Returns the number of attributes gated.
pub fn schemars_behind_feature(file: &mut syn::File) -> usize {
    gate_items(&mut file.items)
}

pub(super) fn gate_items(items: &mut [Item]) -> usize {
    let mut count = 0;
    for item in items {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    count += gate_items(inner);
                }
            }
            Item::Struct(st) => {
                count += gate_attrs(&mut st.attrs);
                count += st
                    .fields
                    .iter_mut()
                    .map(|f| gate_attrs(&mut f.attrs))
                    .sum::<usize>();
            }
            Item::Enum(e) => {
                count += gate_attrs(&mut e.attrs);
                for variant in &mut e.variants {
                    count += gate_attrs(&mut variant.attrs);
                    count += variant
                        .fields
                        .iter_mut()
                        .map(|f| gate_attrs(&mut f.attrs))
                        .sum::<usize>();
                }
            }
            _ => {}
        }
    }
    count
}

/// Gates the schemars attributes and derives of `attrs`; returns how many.
pub(super) fn gate_attrs(attrs: &mut Vec<syn::Attribute>) -> usize {
    let feature = SCHEMARS_FEATURE;
    let mut count = 0;
    let mut gated = Vec::with_capacity(attrs.len() + 1);
    for attr in attrs.drain(..) {
        if attr.path().is_ident("schemars") {
            let syn::Meta::List(list) = &attr.meta else {
                gated.push(attr);
                continue;
            };
            let tokens = &list.tokens;
            gated.push(syn::parse_quote! { #[cfg_attr(feature = #feature, schemars(#tokens))] });
            count += 1;
        } else if attr.path().is_ident("derive") {
            let Ok(paths) = attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            ) else {
                gated.push(attr);
                continue;
            };
            let is_schema =
                |p: &syn::Path| p.segments.last().is_some_and(|s| s.ident == "JsonSchema");
            let (schema, rest): (Vec<syn::Path>, Vec<syn::Path>) =
                paths.into_iter().partition(is_schema);
            if !rest.is_empty() {
                gated.push(syn::parse_quote! { #[derive(#(#rest),*)] });
            }
            if !schema.is_empty() {
                gated.push(
                    syn::parse_quote! { #[cfg_attr(feature = #feature, derive(#(#schema),*))] },
                );
                count += 1;
            }
        } else {
            gated.push(attr);
        }
    }
    *attrs = gated;
    count
}
