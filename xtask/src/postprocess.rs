//! Post-processing of the generated types module (a `syn` tree), for what typify cannot express:
//! PATCH fields that distinguish absent, null and a value; `Debug` output that never shows a
//! secret; and no builders for types no request is built from. Each pass is a function over the
//! tree, testable alone.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, ToTokens};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Fields, Item, Type};

/// A field of a generated struct, by type name and Rust field name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldRef {
    /// The struct's name, e.g. `UpdateKubernetesAuthBody`.
    pub type_name: String,
    /// The field's Rust name, e.g. `kubernetes_host`.
    pub field: String,
}

/// The generated module holding the serde helper for three-state fields.
pub fn three_state_module() -> Item {
    syn::parse_quote! {
        /// Serde support for PATCH fields that distinguish absent (`None`), null (`Some(None)`)
        /// and a value (`Some(Some(v))`).
        pub mod three_state {
            /// Deserializes a present value, `null` included, as `Some`; absence is the field's
            /// `#[serde(default)]`, `None`.
            pub fn deserialize<'de, T, D>(deserializer: D) -> ::std::result::Result<::std::option::Option<::std::option::Option<T>>, D::Error>
            where
                T: ::serde::Deserialize<'de>,
                D: ::serde::Deserializer<'de>,
            {
                <::std::option::Option<T> as ::serde::Deserialize>::deserialize(deserializer).map(::std::option::Option::Some)
            }
        }
    }
}

/// The generated module writing timestamps as Infisical's server does.
fn js_timestamp_module() -> Item {
    syn::parse_quote! {
        /// Timestamps written as Infisical's server (JavaScript's `Date.toISOString`) writes them:
        /// always three fractional digits and `Z`, e.g. `2026-12-02T10:00:00.000Z` (chrono's own
        /// format leaves out a zero fraction). Reading is chrono's: any RFC 3339 timestamp.
        pub mod js_timestamp {
            use ::chrono::{Datelike as _, Timelike as _};

            /// Writes `value` as `YYYY-MM-DDTHH:MM:SS.sssZ` (a year outside 0-9999 as chrono
            /// writes it, with milliseconds).
            pub fn write<S: ::serde::Serializer>(
                value: &::chrono::DateTime<::chrono::offset::Utc>,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                // The fields read from the UTC date and time once (each accessor of a
                // `DateTime` converts it again).
                let utc = value.naive_utc();
                let year = utc.year();
                if !(0..=9999).contains(&year) {
                    return serializer.serialize_str(
                        &value.to_rfc3339_opts(::chrono::SecondsFormat::Millis, true),
                    );
                }
                let millis = (utc.nanosecond() / 1_000_000).min(999);
                let mut text = *b"0000-00-00T00:00:00.000Z";
                let mut put = |at: usize, digits: usize, mut number: u32| {
                    for i in (at..at + digits).rev() {
                        text[i] = b'0' + (number % 10) as u8;
                        number /= 10;
                    }
                };
                put(0, 4, year as u32);
                put(5, 2, utc.month());
                put(8, 2, utc.day());
                put(11, 2, utc.hour());
                put(14, 2, utc.minute());
                put(17, 2, utc.second().min(59));
                put(20, 3, millis);
                serializer.serialize_str(::std::str::from_utf8(&text).unwrap_or_default())
            }

            /// [`write`] for an optional timestamp (`None` is `null`).
            pub fn write_option<S: ::serde::Serializer>(
                value: &::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                match value {
                    ::std::option::Option::Some(value) => write(value, serializer),
                    ::std::option::Option::None => serializer.serialize_none(),
                }
            }

            /// [`write`], under its former name.
            pub use self::write as serialize;
            /// [`write_option`], under its former name.
            pub use self::write_option as serialize_option;
        }
    }
}

/// Pass `js_timestamps`: every `DateTime<Utc>` field of a serialized type (optional or not) is
/// written as Infisical writes timestamps, with milliseconds always (see
/// [`js_timestamp_module`], added to the types when a field uses it). Besides the fidelity, it
/// writes a timestamp in one piece: chrono's `Display` sends serde_json a character at a time.
/// The functions are `write` and `write_option` (`serialize` and `serialize_option` remain as
/// aliases): `serialize_with = "js_timestamp::write"`, gated by `serde-attrs`, fits in a line.
/// Returns the number of fields.
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
                "js_timestamp::write"
            } else if field.ty == optional {
                "js_timestamp::write_option"
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
    if count > 0 {
        types.items.push(js_timestamp_module());
    }
    count
}

/// Turns each listed optional field into `Option<Option<T>>` (absent, null, value), in the struct
/// and in its builder, with serde attributes that keep the three states on the wire.
pub fn three_state_fields(types: &mut syn::File, fields: &[FieldRef]) -> Result<(), String> {
    let mut done = BTreeSet::new();
    for item in &mut types.items {
        if let Item::Struct(s) = item {
            let Fields::Named(named) = &mut s.fields else {
                continue;
            };
            for field in named.named.iter_mut() {
                let Some(ident) = &field.ident else { continue };
                let key = FieldRef {
                    type_name: s.ident.to_string(),
                    field: ident.to_string(),
                };
                if !fields.contains(&key) {
                    continue;
                }
                if !wrap_first_option(&mut field.ty) {
                    return Err(format!("{}.{} is not an Option", key.type_name, key.field));
                }
                for attr in field
                    .attrs
                    .iter_mut()
                    .filter(|a| a.path().is_ident("serde"))
                {
                    let mut tokens = attr
                        .meta
                        .require_list()
                        .map_err(|e| e.to_string())?
                        .tokens
                        .clone();
                    tokens.extend(
                        quote! { , default, deserialize_with = "three_state::deserialize" },
                    );
                    *attr = syn::parse_quote! { #[serde(#tokens)] };
                }
                let with = field.ty.to_token_stream().to_string().replace(' ', "");
                field
                    .attrs
                    .push(syn::parse_quote! { #[schemars(with = #with)] });
                done.insert(key);
            }
        }
    }
    let missing: Vec<_> = fields.iter().filter(|f| !done.contains(f)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "three-state fields not found in the generated types: {missing:?}"
        ));
    }
    // The builder module: the field type and the setter's bound.
    let Some(builder) = module_items(types, "builder") else {
        return Ok(());
    };
    for item in builder.iter_mut() {
        match item {
            Item::Struct(s) => {
                let Fields::Named(named) = &mut s.fields else {
                    continue;
                };
                for field in named.named.iter_mut() {
                    let key = FieldRef {
                        type_name: s.ident.to_string(),
                        field: field
                            .ident
                            .as_ref()
                            .map(|i| i.to_string())
                            .unwrap_or_default(),
                    };
                    if fields.contains(&key) {
                        wrap_first_option(&mut field.ty);
                    }
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let type_name = type_ident(&imp.self_ty);
                for impl_item in imp.items.iter_mut() {
                    let syn::ImplItem::Fn(f) = impl_item else {
                        continue;
                    };
                    let key = FieldRef {
                        type_name: type_name.clone(),
                        field: f.sig.ident.to_string(),
                    };
                    if !fields.contains(&key) {
                        continue;
                    }
                    for pred in f
                        .sig
                        .generics
                        .where_clause
                        .iter_mut()
                        .flat_map(|w| w.predicates.iter_mut())
                    {
                        if let syn::WherePredicate::Type(t) = pred {
                            for bound in t.bounds.iter_mut() {
                                if let syn::TypeParamBound::Trait(tb) = bound {
                                    if let Some(seg) = tb.path.segments.last_mut() {
                                        if seg.ident == "TryInto" {
                                            if let syn::PathArguments::AngleBracketed(args) =
                                                &mut seg.arguments
                                            {
                                                for arg in args.args.iter_mut() {
                                                    if let syn::GenericArgument::Type(ty) = arg {
                                                        wrap_first_option(ty);
                                                    }
                                                }
                                            }
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
    Ok(())
}

/// Wraps the first `Option<..>` found in `ty` (depth first) in another `Option`.
fn wrap_first_option(ty: &mut Type) -> bool {
    if let Type::Path(p) = ty {
        if p.path.segments.last().is_some_and(|s| s.ident == "Option") {
            let inner = ty.clone();
            *ty = syn::parse_quote! { ::std::option::Option<#inner> };
            return true;
        }
        for seg in p.path.segments.iter_mut() {
            if let syn::PathArguments::AngleBracketed(args) = &mut seg.arguments {
                for arg in args.args.iter_mut() {
                    if let syn::GenericArgument::Type(t) = arg {
                        if wrap_first_option(t) {
                            return true;
                        }
                    }
                }
            }
        }
    }
    false
}

fn type_ident(ty: &Type) -> String {
    match ty {
        Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The type a field holds, through `Option`, `Vec` and `Box` (e.g. `X` for `Option<Vec<X>>`).
fn named_type(ty: &Type) -> String {
    let Type::Path(p) = ty else {
        return String::new();
    };
    let Some(last) = p.path.segments.last() else {
        return String::new();
    };
    let name = last.ident.to_string();
    if matches!(name.as_str(), "Option" | "Vec" | "Box") {
        if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
            if let Some(syn::GenericArgument::Type(inner)) = args.args.first() {
                return named_type(inner);
            }
        }
    }
    name
}

fn module_items<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<Item>> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The names `items` define in the type namespace (structs, enums, type aliases, traits,
/// modules): what a name a pass adds, or a path it writes, must not clash with.
fn defined_names(items: &[Item]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            Item::Type(t) => Some(t.ident.to_string()),
            Item::Trait(t) => Some(t.ident.to_string()),
            Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// Idents of types referenced anywhere in a syntax node.
#[derive(Default)]
struct Idents(BTreeSet<String>);

impl<'ast> Visit<'ast> for Idents {
    fn visit_path_segment(&mut self, seg: &'ast syn::PathSegment) {
        self.0.insert(seg.ident.to_string());
        syn::visit::visit_path_segment(self, seg);
    }
}

/// Whether `path` is `::serde::Serialize` / `serde::Serialize` (or `Deserialize`): `Some(true)`
/// for `Serialize`, `Some(false)` for `Deserialize`.
pub(crate) fn serde_trait(path: &syn::Path) -> Option<bool> {
    let segs: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segs.as_slice() {
        [krate, name] if krate == "serde" && name == "Serialize" => Some(true),
        [krate, name] if krate == "serde" && name == "Deserialize" => Some(false),
        _ => None,
    }
}

/// The type graph of the top-level definitions: each struct or enum with the idents it names.
pub(crate) fn type_graph(types: &syn::File) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges = BTreeMap::new();
    for item in &types.items {
        let name = match item {
            Item::Struct(s) => s.ident.to_string(),
            Item::Enum(e) => e.ident.to_string(),
            _ => continue,
        };
        let mut idents = Idents::default();
        idents.visit_item(item);
        edges.insert(name, idents.0);
    }
    edges
}

/// The definitions of `edges` reachable from `roots` (the roots included).
pub(crate) fn reachable(
    edges: &BTreeMap<String, BTreeSet<String>>,
    roots: &BTreeSet<String>,
) -> BTreeSet<String> {
    let mut keep = BTreeSet::new();
    let mut stack: Vec<String> = roots.iter().cloned().collect();
    while let Some(name) = stack.pop() {
        if !keep.insert(name.clone()) {
            continue;
        }
        for next in edges.get(&name).into_iter().flatten() {
            if edges.contains_key(next) && !keep.contains(next) {
                stack.push(next.clone());
            }
        }
    }
    keep
}

/// Removes the builders of every type that no request is built from: keeps the builders named in
/// `roots` (the client's `types::builder::X` uses) and those of the types their fields reach.
pub fn drop_unused_builders(types: &mut syn::File, roots: &BTreeSet<String>) {
    let edges = type_graph(types);
    let keep = reachable(&edges, roots);
    let dropped = |name: &str| edges.contains_key(name) && !keep.contains(name);
    // `impl X { pub fn builder() }` at the top level.
    types.items.retain(|item| match item {
        Item::Impl(imp) if imp.trait_.is_none() => {
            let only_builder = imp.items.len() == 1
                && matches!(&imp.items[0], syn::ImplItem::Fn(f) if f.sig.ident == "builder");
            !(only_builder && dropped(&type_ident(&imp.self_ty)))
        }
        _ => true,
    });
    if let Some(builder) = module_items(types, "builder") {
        builder.retain(|item| {
            let name = match item {
                Item::Struct(s) => s.ident.to_string(),
                Item::Impl(imp) => {
                    let self_name = type_ident(&imp.self_ty);
                    let trait_arg = imp.trait_.as_ref().and_then(|(path, _)| {
                        path.segments.last().and_then(|seg| match &seg.arguments {
                            syn::PathArguments::AngleBracketed(a) => {
                                a.args.first().and_then(|g| match g {
                                    syn::GenericArgument::Type(t) => Some(type_ident(t)),
                                    _ => None,
                                })
                            }
                            _ => None,
                        })
                    });
                    // `impl TryFrom<X> for super::X`: the builder is the trait argument.
                    trait_arg
                        .filter(|a| edges.contains_key(a))
                        .unwrap_or(self_name)
                }
                _ => return true,
            };
            !dropped(&name)
        });
    }
}

/// Pass `drop_builders` (workspace layout): removes typify's builders, the `builder` module and
/// every `X::builder()`. A request body is built as a value: a struct literal, `..Default::default()`
/// where every field is optional, or the constructor of [`body_constructors`]; the client's
/// builders take the value ([`plain_bodies`]). Returns the number of items removed.
pub fn drop_builders(types: &mut syn::File) -> usize {
    let before = types.items.len();
    types.items.retain(|item| match item {
        Item::Impl(imp) if imp.trait_.is_none() => {
            !(imp.items.len() == 1
                && matches!(&imp.items[0], syn::ImplItem::Fn(f) if f.sig.ident == "builder"))
        }
        Item::Mod(m) => m.ident != "builder",
        _ => true,
    });
    before - types.items.len()
}

/// Pass `body_constructors`: every request body (`bodies`) without a `Default` gets
/// `X::new(required fields)`, each argument an `impl Into<T>`, every optional field at the value
/// the wire gives it when absent (its serde default). A struct literal would spell every optional
/// field. Reads plain `#[serde(default ..)]` (run before [`camel_case_renames`] and the direction
/// pass) and the names [`short_default_names`] gave. Returns the number of constructors.
pub fn body_constructors(types: &mut syn::File, bodies: &BTreeSet<String>) -> usize {
    let with_default = with_default(types);
    let mut added: BTreeMap<String, Item> = BTreeMap::new();
    for item in &types.items {
        let Item::Struct(s) = item else { continue };
        let name = s.ident.to_string();
        if !bodies.contains(&name) || with_default.contains(&name) {
            continue;
        }
        let Fields::Named(named) = &s.fields else {
            continue;
        };
        let (mut params, mut values) = (Vec::new(), Vec::new());
        let mut readable = true;
        for field in &named.named {
            let (Some(id), ty) = (&field.ident, &field.ty) else {
                readable = false;
                continue;
            };
            let attrs = &field.attrs;
            if let Some(function) = serde_default_fn(attrs) {
                // `default = "path"`: the value that function gives.
                let Ok(path) = syn::parse_str::<syn::ExprPath>(&function) else {
                    readable = false;
                    continue;
                };
                values.push(quote! { #id: #path() });
            } else if has_serde_item(attrs, "default")
                || has_serde_item(attrs, "skip_serializing_if")
            {
                // A bare `default`, or an optional `Option`: typify leaves out `default` there
                // (serde's own) and skips it when `None`.
                values.push(quote! { #id: ::std::default::Default::default() });
            } else {
                params.push(quote! { #id: impl ::std::convert::Into<#ty> });
                values.push(quote! { #id: #id.into() });
            }
        }
        // A default this pass cannot read: no constructor rather than one that misses a field.
        if params.is_empty() || !readable {
            continue;
        }
        let ident = &s.ident;
        let doc =
            format!(" A [`{name}`] of the required fields, each optional field at its default.");
        let constructor: Item = syn::parse_quote! {
            impl #ident {
                #[doc = #doc]
                pub fn new(#(#params),*) -> Self {
                    Self { #(#values),* }
                }
            }
        };
        added.insert(name, constructor);
    }
    let count = added.len();
    // Each right after its struct.
    let items = std::mem::take(&mut types.items);
    for item in items {
        let after = match &item {
            Item::Struct(s) => added.remove(&s.ident.to_string()),
            _ => None,
        };
        types.items.push(item);
        types.items.extend(after);
    }
    count
}

/// Replaces the derived `Debug` of every struct or enum (builders included) that has a field named
/// in `secrets` with an impl that prints `<redacted>` for that field.
pub fn redact_secrets(types: &mut syn::File, secrets: &BTreeSet<String>) {
    redact_items(&mut types.items, secrets);
    if let Some(builder) = module_items(types, "builder") {
        redact_items(builder, secrets);
    }
}

fn redact_items(items: &mut Vec<Item>, secrets: &BTreeSet<String>) {
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
    items.extend(impls);
}

/// The type every secret field is held in (added to the types when a secret field exists), named
/// `name` (see [`secret_type_name`]).
fn secret_type_items(name: &syn::Ident) -> Vec<Item> {
    let file: syn::File = syn::parse_quote! {
        /// A secret (client secret, access token, password, bind password, JWT, signature, signed
        /// AWS headers): `Debug` prints `<redacted>`, there is no `Display`, and the text is read
        /// only through `expose_secret`. On the wire it is the plain JSON string.
        #[derive(::serde::Serialize, ::serde::Deserialize, Clone, Default, Eq, Hash, Ord, PartialEq, PartialOrd)]
        #[derive(schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct #name(::std::string::String);
        impl #name {
            /// Wraps `value`.
            pub fn new(value: impl ::std::convert::Into<::std::string::String>) -> Self {
                #name(value.into())
            }
            /// The secret's text: the one way to read it.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str("<redacted>")
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                #name(value)
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                #name(value.to_owned())
            }
        }
        impl ::std::convert::From<&::std::string::String> for #name {
            fn from(value: &::std::string::String) -> Self {
                #name(value.clone())
            }
        }
    };
    file.items
}

/// The name of the secret type: `Secret`, unless the document already has a type of that name
/// (Infisical's 2023 documents have a `Secret` schema), then `RedactedSecret`, `RedactedSecret2`...
fn secret_type_name(types: &syn::File) -> syn::Ident {
    let taken = defined_names(&types.items);
    let name = std::iter::once("Secret".to_owned())
        .chain(std::iter::once("RedactedSecret".to_owned()))
        .chain((2..).map(|i| format!("RedactedSecret{i}")))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| "RedactedSecret".to_owned());
    format_ident!("{}", name)
}

/// Holds every field named in `secrets` (snake case) in `Secret`: `String` fields and the
/// constrained-string newtypes typify makes for some of them (those newtypes, which derive
/// `Debug`, are removed; their bounds are checked by the validation crate). The builders' fields
/// and setters follow, so `.client_secret("...")` still works. Returns the replaced newtypes.
pub fn secret_types(types: &mut syn::File, secrets: &BTreeSet<String>) -> BTreeSet<String> {
    let newtypes = string_newtypes(types);
    let mut replaced = BTreeSet::new();
    let mut any = false;
    let name = secret_type_name(types);
    let secret_top: Type = syn::parse_quote!(#name);
    let secret_builder: Type = syn::parse_quote!(super::#name);
    for item in types.items.iter_mut() {
        match item {
            Item::Struct(s) => {
                if let Fields::Named(named) = &mut s.fields {
                    for f in named.named.iter_mut() {
                        if is_secret(f, secrets) {
                            any = true;
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
                                any = true;
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
    if !any {
        return replaced;
    }
    let gone = remove_unnamed_newtypes(types, &replaced);
    types.items.extend(secret_type_items(&name));
    gone
}

/// The string newtypes typify makes for constrained strings (`maxLength`, `minLength`,
/// `pattern`): tuple structs around one `String`, by name.
fn string_newtypes(types: &syn::File) -> BTreeSet<String> {
    types
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => match &s.fields {
                Fields::Unnamed(u)
                    if u.unnamed.len() == 1
                        && u.unnamed[0].ty.to_token_stream().to_string()
                            == quote!(::std::string::String).to_string() =>
                {
                    Some(s.ident.to_string())
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Removes each newtype of `candidates` that nothing names any more, with its impls (`FromStr`,
/// `TryFrom`, `Deref`, `Deserialize`, `From<X> for String`...). Returns the removed names.
fn remove_unnamed_newtypes(
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

/// Whether an impl is for one of `names` or converts to or from one (`From<X> for String`).
fn mentions_any(imp: &syn::ItemImpl, names: &BTreeSet<String>) -> bool {
    if names.contains(&type_ident(&imp.self_ty)) {
        return true;
    }
    imp.trait_.as_ref().is_some_and(|(path, _)| {
        let mut idents = Idents::default();
        idents.visit_path(path);
        !idents.0.is_disjoint(names)
    })
}

/// Replaces `::std::string::String` or a newtype in `newtypes` inside `ty` (through `Option`)
/// with `secret`.
fn replace_string(
    ty: &mut Type,
    newtypes: &BTreeSet<String>,
    secret: &Type,
    replaced: &mut BTreeSet<String>,
) {
    let text = ty.to_token_stream().to_string();
    if text == quote!(::std::string::String).to_string() {
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

/// One step from a request body to one of its fields.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// An object property, by its wire name.
    Key(String),
    /// The items of an array.
    Items,
    /// Option `index` of a union (`anyOf`), whose Rust variant is `name` in snake case (`static`).
    Option {
        /// The option's position in the union, as in the document.
        index: usize,
        /// The variant's name in snake case, as the validation crate names union options.
        name: String,
    },
}

/// A field of one operation's request body.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BodyField {
    /// The operation's id (`attachAwsAuth`).
    pub operation: String,
    /// The steps from the body to the field.
    pub steps: Vec<Step>,
}

impl BodyField {
    /// The field's path as the validation crate writes it: keys joined by `.`, `[]` for array
    /// items (`accessTokenTrustedIps[].ipAddress`); union options are not part of it.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            match step {
                Step::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Step::Items => out.push_str("[]"),
                Step::Option { .. } => {}
            }
        }
        out
    }
}

/// A constrained-string newtype made a plain `String` by [`plain_validated_strings`], with every
/// request body field it typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlainString {
    /// The newtype typify made (`AttachAlicloudAuthBodyAllowedArns`).
    pub newtype: String,
    /// Where request bodies held it.
    pub fields: Vec<BodyField>,
}

/// Pass `plain_validated_strings`: every constrained-string newtype typify makes (`maxLength`,
/// `minLength`, `pattern`; a struct with `FromStr`, three `TryFrom`s, `Deref`, `Display`-like
/// conversions and a checking `Deserialize`) that only request bodies hold becomes a plain
/// `String`, in structs, enum variants, builders and defaults, and the newtype goes with its
/// impls. The generated crates validate every request body before it is sent (client) or
/// handled (server stubs) with the validation crate, which enforces these bounds at the field's
/// JSON path (`tests/tests/client_validation.rs` holds every dropped newtype to that); a newtype
/// that anything else names (an answer type, a parameter, the client code in `client_names`)
/// is kept, since nothing else would check it. `bodies` pairs each operation's id with its body
/// type. Returns the dropped newtypes with the body fields they typed, sorted by name.
pub fn plain_validated_strings(
    types: &mut syn::File,
    bodies: &[(String, String)],
    client_names: &BTreeSet<String>,
) -> Vec<PlainString> {
    let newtypes = string_newtypes(types);
    if newtypes.is_empty() {
        return Vec::new();
    }
    let defs: BTreeMap<String, &Item> = types
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some((s.ident.to_string(), item)),
            Item::Enum(e) => Some((e.ident.to_string(), item)),
            _ => None,
        })
        .collect();
    let mut uses: BTreeMap<String, Vec<BodyField>> = BTreeMap::new();
    for (operation, body) in bodies {
        let mut walk = BodyWalk {
            defs: &defs,
            newtypes: &newtypes,
            operation,
            stack: Vec::new(),
            uses: &mut uses,
        };
        walk.named(body, &mut Vec::new());
    }
    // Held elsewhere: named by a definition that something other than a body reaches (an
    // answer, an error, a parameter type) or by the client code.
    let edges = type_graph(types);
    let body_types: BTreeSet<String> = bodies.iter().map(|(_, b)| b.clone()).collect();
    let in_bodies = reachable(&edges, &body_types);
    let others: BTreeSet<String> = edges
        .keys()
        .filter(|name| !in_bodies.contains(*name) && !newtypes.contains(*name))
        .cloned()
        .collect();
    let elsewhere = reachable(&edges, &others);
    let dropped: BTreeSet<String> = uses
        .keys()
        .filter(|name| {
            !client_names.contains(*name)
                && !elsewhere
                    .iter()
                    .any(|held| edges.get(held).is_some_and(|e| e.contains(*name)))
        })
        .cloned()
        .collect();
    if dropped.is_empty() {
        return Vec::new();
    }
    // The newtypes and their impls go first, then every use becomes `String`.
    types.items.retain(|item| match item {
        Item::Struct(s) => !dropped.contains(&s.ident.to_string()),
        Item::Impl(imp) => !mentions_any(imp, &dropped),
        _ => true,
    });
    PlainStrings(&dropped).visit_file_mut(types);
    uses.into_iter()
        .filter(|(name, _)| dropped.contains(name))
        .map(|(newtype, mut fields)| {
            fields.sort();
            fields.dedup();
            PlainString { newtype, fields }
        })
        .collect()
}

/// Walks a body type through its fields, array items and union options, recording where each
/// string newtype sits.
struct BodyWalk<'a> {
    defs: &'a BTreeMap<String, &'a Item>,
    newtypes: &'a BTreeSet<String>,
    operation: &'a str,
    /// The definitions being walked (a recursive type is walked once per path).
    stack: Vec<String>,
    uses: &'a mut BTreeMap<String, Vec<BodyField>>,
}

impl BodyWalk<'_> {
    fn named(&mut self, name: &str, steps: &mut Vec<Step>) {
        if self.newtypes.contains(name) {
            self.uses
                .entry(name.to_owned())
                .or_default()
                .push(BodyField {
                    operation: self.operation.to_owned(),
                    steps: steps.clone(),
                });
            return;
        }
        let Some(item) = self.defs.get(name).copied() else {
            return;
        };
        if self.stack.iter().any(|s| s == name) {
            return;
        }
        self.stack.push(name.to_owned());
        match item {
            Item::Struct(s) => self.fields(&s.fields, steps),
            Item::Enum(e) => {
                for (index, variant) in e.variants.iter().enumerate() {
                    use heck::ToSnakeCase;
                    steps.push(Step::Option {
                        index,
                        name: variant.ident.to_string().to_snake_case(),
                    });
                    self.fields(&variant.fields, steps);
                    steps.pop();
                }
            }
            _ => {}
        }
        self.stack.pop();
    }

    fn fields(&mut self, fields: &Fields, steps: &mut Vec<Step>) {
        for field in fields {
            let flatten = field
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("serde"))
                .any(|a| a.meta.to_token_stream().to_string().contains("flatten"));
            let key = match (&field.ident, flatten) {
                (_, true) | (None, _) => None,
                (Some(ident), false) => Some(
                    serde_rename(&field.attrs)
                        .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_owned()),
                ),
            };
            let depth = steps.len();
            steps.extend(key.map(Step::Key));
            self.ty(&field.ty, steps);
            steps.truncate(depth);
        }
    }

    fn ty(&mut self, ty: &Type, steps: &mut Vec<Step>) {
        let Type::Path(p) = ty else { return };
        let Some(last) = p.path.segments.last() else {
            return;
        };
        let name = last.ident.to_string();
        let inner = match &last.arguments {
            syn::PathArguments::AngleBracketed(args) => args.args.iter().find_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            }),
            _ => None,
        };
        match (name.as_str(), inner) {
            ("Option" | "Box", Some(inner)) => self.ty(inner, steps),
            ("Vec", Some(inner)) => {
                steps.push(Step::Items);
                self.ty(inner, steps);
                steps.pop();
            }
            (_, None) => self.named(&name, steps),
            _ => {}
        }
    }
}

/// Replaces every use of the named newtypes by `String`: types (`X`, `super::X`) and
/// constructions (`X(value)` is `value`).
struct PlainStrings<'a>(&'a BTreeSet<String>);

impl PlainStrings<'_> {
    fn names(&self, path: &syn::Path) -> bool {
        path.segments.last().is_some_and(|seg| {
            matches!(seg.arguments, syn::PathArguments::None)
                && self.0.contains(&seg.ident.to_string())
        })
    }
}

impl VisitMut for PlainStrings<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(p) = ty {
            if p.qself.is_none() && self.names(&p.path) {
                *ty = syn::parse_quote!(::std::string::String);
                return;
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }

    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::Call(call) = expr {
            if let syn::Expr::Path(func) = &*call.func {
                if call.args.len() == 1 && self.names(&func.path) {
                    *expr = call.args[0].clone();
                    self.visit_expr_mut(expr);
                    return;
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// Names that follow `types::` in the client code (types, builders' `types::builder::X` aside).
pub fn types_named_by(client: &syn::File) -> BTreeSet<String> {
    #[derive(Default)]
    struct Named(BTreeSet<String>);
    impl<'ast> Visit<'ast> for Named {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            let segs: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if let Some(pos) = segs.iter().position(|s| s == "types") {
                if let Some(name) = segs.get(pos + 1).filter(|n| *n != "builder") {
                    self.0.insert(name.clone());
                }
            }
            syn::visit::visit_path(self, path);
        }
    }
    let mut named = Named::default();
    named.visit_file(client);
    named.0
}

/// Pass `lean_builders`: the builders of the types module keep their API (`X::builder()`, one
/// setter per field taking anything that converts into the field's type, `try_into()`) with
/// less code:
/// - every setter is one assignment through a shared conversion (`set`), its argument an
///   `impl Input<T>` (`Input<T>`: `TryInto<T>` with an error that displays, one trait for the
///   whole module) instead of a generic parameter and a `where` clause of its own;
/// - every field is a `Field<T>` (an alias of `Result<T, String>`: the value or why there is
///   none);
/// - `From<X> for builder::X` (a value back into a builder) is kept only for the builders in
///   `roots`, the request bodies whose client `body()` setter converts a value into its builder.
///
/// Returns the number of setters rewritten.
/// (`Input` and `Field` are named otherwise when a builder of the document has that name.)
pub fn lean_builders(types: &mut syn::File, roots: &BTreeSet<String>) -> usize {
    let taken = module_items(types, "builder")
        .map(|items| defined_names(items))
        .unwrap_or_default();
    let free = |names: [&str; 3]| {
        names
            .into_iter()
            .find(|name| !taken.contains(*name))
            .map(ident)
            .unwrap_or_else(|| ident(&format!("{}_", names[2])))
    };
    let input = free(["Input", "SetterInput", "BuilderInput"]);
    let field_ty = free(["Field", "SetterField", "BuilderField"]);
    let Some(builder) = module_items(types, "builder") else {
        return 0;
    };
    let mut rewritten = 0;
    builder.retain(|item| match item {
        Item::Impl(imp) => {
            let from_value = imp
                .trait_
                .as_ref()
                .is_some_and(|(path, _)| path.segments.last().is_some_and(|s| s.ident == "From"));
            !from_value || roots.contains(&type_ident(&imp.self_ty))
        }
        _ => true,
    });
    let mut fields = 0;
    for item in builder.iter_mut() {
        if let Item::Struct(s) = item {
            for field in s.fields.iter_mut() {
                if let Some(value) = result_of_string_error(&field.ty) {
                    field.ty = syn::parse_quote!(#field_ty<#value>);
                    fields += 1;
                }
            }
        }
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        for member in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            if let Some((field, target)) = typify_setter(f) {
                let name = &f.sig.ident;
                let label = field.to_string();
                let attrs = &f.attrs;
                let vis = &f.vis;
                *f = syn::parse_quote! {
                    #(#attrs)*
                    #vis fn #name(mut self, value: impl #input<#target>) -> Self {
                        self.#field = set(value, #label);
                        self
                    }
                };
                rewritten += 1;
            }
        }
    }
    if fields > 0 {
        let alias: Item = syn::parse_quote! {
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
fn result_of_string_error(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let names: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if names != ["std", "result", "Result"] || p.path.leading_colon.is_none() {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    let [syn::GenericArgument::Type(value), syn::GenericArgument::Type(error)] =
        args.args.iter().collect::<Vec<_>>()[..]
    else {
        return None;
    };
    (error.to_token_stream().to_string() == quote!(::std::string::String).to_string())
        .then(|| value.clone())
}

/// A typify setter, `fn f<T>(mut self, value: T) -> Self where T: TryInto<X>, T::Error: Display
/// { self.field = value.try_into().map_err(..); self }`: the field it sets and `X`.
fn typify_setter(f: &syn::ImplItemFn) -> Option<(syn::Ident, Type)> {
    let generics = &f.sig.generics;
    if generics.params.len() != 1 || f.sig.inputs.len() != 2 {
        return None;
    }
    let syn::GenericParam::Type(param) = generics.params.first()? else {
        return None;
    };
    let target = generics
        .where_clause
        .as_ref()?
        .predicates
        .iter()
        .find_map(|pred| {
            let syn::WherePredicate::Type(t) = pred else {
                return None;
            };
            if !is_type(&t.bounded_ty, &param.ident.to_string()) {
                return None;
            }
            t.bounds.iter().find_map(|bound| {
                let syn::TypeParamBound::Trait(tb) = bound else {
                    return None;
                };
                let seg = tb.path.segments.last()?;
                if seg.ident != "TryInto" {
                    return None;
                }
                match &seg.arguments {
                    syn::PathArguments::AngleBracketed(args) => {
                        args.args.iter().find_map(|a| match a {
                            syn::GenericArgument::Type(t) => Some(t.clone()),
                            _ => None,
                        })
                    }
                    _ => None,
                }
            })
        })?;
    let [syn::Stmt::Expr(syn::Expr::Assign(assign), _), syn::Stmt::Expr(syn::Expr::Path(ret), None)] =
        f.block.stmts.as_slice()
    else {
        return None;
    };
    if !ret.path.is_ident("self") {
        return None;
    }
    let syn::Expr::Field(field) = &*assign.left else {
        return None;
    };
    let syn::Member::Named(name) = &field.member else {
        return None;
    };
    let converts = assign.right.to_token_stream().to_string();
    (converts.contains("try_into") && converts.contains("map_err")).then(|| (name.clone(), target))
}

/// Pass `text_conversions_where_taken`: typify gives every string enum `TryFrom<&str>`,
/// `TryFrom<&String>` and `TryFrom<String>` (besides `FromStr` and `Display`), so that a setter
/// taking `TryInto<E>` accepts text. Only the enums a setter can take keep them: those a builder
/// of the types module holds, or the client code names (`types::E`, a parameter's type). The
/// others (answer enums: a token type, a trusted IP's type) keep `FromStr` and `Display`.
/// Returns the number of impls removed.
pub fn text_conversions_where_taken(
    types: &mut syn::File,
    client_names: &BTreeSet<String>,
) -> usize {
    let mut taken = client_names.clone();
    if let Some(builder) = module_items(types, "builder") {
        let mut idents = Idents::default();
        for item in builder.iter() {
            if let Item::Struct(s) = item {
                idents.visit_item_struct(s);
            }
        }
        taken.extend(idents.0);
    }
    let before = types.items.len();
    types.items.retain(|item| {
        let Item::Impl(imp) = item else { return true };
        let Some((path, _)) = &imp.trait_ else {
            return true;
        };
        let Some(seg) = path.segments.last() else {
            return true;
        };
        let from_text = seg.ident == "TryFrom"
            && matches!(&seg.arguments, syn::PathArguments::AngleBracketed(args)
            if args.args.len() == 1 && {
                let arg = args.args.to_token_stream().to_string().replace(' ', "");
                matches!(arg.as_str(), "&str" | "::std::string::String" | "&::std::string::String")
            });
        !from_text || taken.contains(&type_ident(&imp.self_ty))
    });
    before - types.items.len()
}

/// Routes every operation of a workspace client through the client crate's hand-written shared
/// send path, `crate::runtime`: the `Client` gets a `runtime` field (retry policy, session), and
/// each builder's `send` becomes one chain that hands the builder's values to a
/// `crate::runtime::Request` ([`route_send`]), which validates them, builds the request, adds the
/// session's token, retries per policy and decodes the answer into `crate::Error` on failure.
/// Progenitor's request building and hooks are no longer used.
///
/// With the types crate's builders gone ([`drop_builders`]), a builder's body is the body type
/// itself: see [`plain_bodies`] (`with_default`: the types that implement `Default`).
pub fn route_through_runtime(
    client: &mut syn::File,
    with_default: &BTreeSet<String>,
) -> Result<(), String> {
    use syn::parse::Parser;
    let mut routed = 0usize;
    for item in client.items.iter_mut() {
        match item {
            Item::Struct(s) if s.ident == "Client" => {
                let Fields::Named(named) = &mut s.fields else {
                    return Err("`Client` has no named fields".into());
                };
                named.named.push(
                    syn::Field::parse_named
                        .parse2(quote! {
                            pub(crate) runtime: crate::runtime::Runtime
                        })
                        .map_err(|e| e.to_string())?,
                );
            }
            Item::Impl(imp) if is_type(&imp.self_ty, "Client") && imp.trait_.is_none() => {
                for it in imp.items.iter_mut() {
                    let syn::ImplItem::Fn(f) = it else { continue };
                    if f.sig.ident != "new_with_client" {
                        continue;
                    }
                    f.block = syn::parse_quote! {{
                        Self {
                            baseurl: baseurl.to_string(),
                            client,
                            runtime: ::std::default::Default::default(),
                        }
                    }};
                }
            }
            Item::Mod(m) if m.ident == "builder" => {
                let Some((_, items)) = &mut m.content else {
                    continue;
                };
                plain_bodies(items, with_default);
                for it in items.iter_mut() {
                    let Item::Impl(imp) = it else { continue };
                    for f in imp.items.iter_mut() {
                        let syn::ImplItem::Fn(f) = f else { continue };
                        if f.sig.ident == "send" {
                            route_send(f)?;
                            routed += 1;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if routed == 0 {
        return Err("no builder `send` to route through the runtime".into());
    }
    Ok(())
}

/// The client builders' bodies without the types crate's builders: a body held as
/// `types::builder::X` is held as `types::X`, set whole with `body(value)` (no conversion, no
/// `body_map`); it starts as `X::default()` where `X` has one (`with_default`: every field
/// optional, a PATCH body say) and as unset, an error on `send`, where it does not.
fn plain_bodies(items: &mut [Item], with_default: &BTreeSet<String>) {
    let builder_of = |ty: &Type| -> Option<syn::Ident> {
        let text = ty.to_token_stream().to_string().replace(' ', "");
        let name = text
            .strip_prefix("Result<types::builder::")?
            .strip_suffix(",String>")?;
        Some(ident(name))
    };
    // Operation builder -> its body type.
    let mut bodies: BTreeMap<String, syn::Ident> = BTreeMap::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        for field in s.fields.iter_mut() {
            if field.ident.as_ref().is_some_and(|i| i == "body") {
                if let Some(name) = builder_of(&field.ty) {
                    field.ty = syn::parse_quote! { Result<types::#name, String> };
                    bodies.insert(s.ident.to_string(), name);
                }
            }
        }
    }
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let Some(name) = bodies.get(&type_ident(&imp.self_ty)) else {
            continue;
        };
        imp.items
            .retain(|it| !matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "body_map"));
        for it in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident == "body" {
                let attrs = &f.attrs;
                *f = syn::parse_quote! {
                    #(#attrs)*
                    pub fn body(mut self, value: types::#name) -> Self {
                        self.body = Ok(value);
                        self
                    }
                };
            } else if f.sig.ident == "new" && !with_default.contains(&name.to_string()) {
                struct Unset;
                impl VisitMut for Unset {
                    fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
                        if matches!(&fv.member, syn::Member::Named(i) if i == "body") {
                            fv.expr =
                                syn::parse_quote! { Err("body was not initialized".to_string()) };
                        }
                    }
                }
                Unset.visit_impl_item_fn_mut(f);
            }
        }
    }
}

/// The names of the structs and enums in `types` that implement `Default` (derived or not).
pub fn with_default(types: &syn::File) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for item in &types.items {
        match item {
            Item::Struct(s) if derives(&s.attrs, "Default") => {
                out.insert(s.ident.to_string());
            }
            Item::Enum(e) if derives(&e.attrs, "Default") => {
                out.insert(e.ident.to_string());
            }
            Item::Impl(imp)
                if imp
                    .trait_
                    .as_ref()
                    .is_some_and(|t| t.0.segments.last().is_some_and(|s| s.ident == "Default")) =>
            {
                out.insert(type_ident(&imp.self_ty));
            }
            _ => {}
        }
    }
    out
}

/// Whether `attrs` derive `name` (directly or behind a `cfg_attr`).
fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| {
        let text = a.meta.to_token_stream().to_string();
        (a.path().is_ident("derive") || a.path().is_ident("cfg_attr") && text.contains("derive"))
            && text
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|word| word == name)
    })
}

fn is_type(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

/// One builder's `send`: the builder's values ([`TypedParts`], found in progenitor's request
/// building, which is dropped) go into a `crate::runtime::Request` in one chain, which sends it:
/// validation, building, sending and decoding are the runtime's, shared by every operation, and
/// a parameter that was not set (progenitor's `Err` in the builder) is returned as
/// `crate::Error::InvalidRequest` by it. The code per operation is only what differs between
/// operations: its name, its parameters and its answer type.
fn route_send(f: &mut syn::ImplItemFn) -> Result<(), String> {
    let stmt_text = |s: &syn::Stmt| s.to_token_stream().to_string();
    let info_at = f
        .block
        .stmts
        .iter()
        .position(|s| stmt_text(s).starts_with("let info = OperationInfo"))
        .ok_or_else(|| format!("`{}`: no OperationInfo in send", f.sig.ident))?;
    let info = stmt_text(&f.block.stmts[info_at]);
    let method = info
        .split('"')
        .nth(1)
        .ok_or_else(|| "OperationInfo without an operation_id".to_string())?
        .to_string();
    let syn::ReturnType::Type(_, ret) = &f.sig.output else {
        return Err(format!("`{method}`: send returns nothing"));
    };
    let answer = result_ok_type(ret).ok_or_else(|| format!("`{method}`: send's Ok type"))?;
    let building = &f.block.stmts[..info_at];
    let typed = TypedParts::of(building).map_err(|e| format!("`{method}`: {e}"))?;
    let path = &typed.path;
    let (query_names, query): (Vec<&String>, Vec<&syn::Ident>) =
        typed.query.iter().map(|(n, v)| (n, v)).unzip();
    let (header_names, headers): (Vec<&String>, Vec<&syn::Ident>) =
        typed.headers.iter().map(|(n, v)| (n, v)).unzip();
    let body = match typed.body {
        None => quote! {},
        Some(BodyKind::Json) => quote! { .json(self.body) },
        Some(BodyKind::Form) => quote! { .form(self.body) },
    };
    f.sig.output = syn::parse_quote! { -> Result<#answer, crate::Error> };
    f.block = syn::parse_quote! {{
        crate::runtime::Request::new(#method)
            #(.path(self.#path))*
            #(.query(#query_names, self.#query))*
            #(.header(#header_names, self.#headers))*
            #body
            .send(self.client)
            .await
    }};
    Ok(())
}

/// How a builder's `send` sends its body.
#[derive(Clone, Copy, Debug, PartialEq)]
enum BodyKind {
    Json,
    Form,
}

/// The typed values a builder's `send` puts into its request, found in progenitor's building
/// statements: path parameters in path order (`encode_path(&x.to_string())`), query parameters
/// by wire name (`QueryParam::new("name", &x)`), header parameters by wire name
/// (`header_map.append("name", x.to_string().try_into()?)`, directly or inside
/// `if let Some(value) = x`), and the body (`.json(&body)` or `.form_urlencoded(&body)?`).
/// A raw body (`.body(body)`) is not a typed value the runtime can validate and send: an error.
#[derive(Debug, Default, PartialEq)]
struct TypedParts {
    path: Vec<syn::Ident>,
    query: Vec<(String, syn::Ident)>,
    headers: Vec<(String, syn::Ident)>,
    body: Option<BodyKind>,
}

impl TypedParts {
    fn of(building: &[syn::Stmt]) -> Result<TypedParts, String> {
        #[derive(Default)]
        struct Find {
            parts: TypedParts,
            /// `value` -> `x` for `if let Some(value) = x`.
            aliases: BTreeMap<String, syn::Ident>,
            raw_body: bool,
        }
        impl Find {
            fn resolve(&self, ident: syn::Ident) -> syn::Ident {
                self.aliases
                    .get(&ident.to_string())
                    .cloned()
                    .unwrap_or(ident)
            }
        }
        impl<'ast> Visit<'ast> for Find {
            fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
                if let syn::Expr::Let(l) = &*e.cond {
                    if let (syn::Pat::TupleStruct(ts), Some(source)) =
                        (&*l.pat, receiver_ident(&l.expr))
                    {
                        if let (true, Some(syn::Pat::Ident(bound))) =
                            (ts.path.is_ident("Some"), ts.elems.first())
                        {
                            self.aliases.insert(bound.ident.to_string(), source);
                        }
                    }
                }
                syn::visit::visit_expr_if(self, e);
            }
            fn visit_macro(&mut self, mac: &'ast syn::Macro) {
                // `format!("{}/x/{}", client.baseurl, encode_path(&x.to_string()))`: the
                // arguments are expressions syn leaves as tokens.
                use syn::parse::Parser;
                let args =
                    syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated
                        .parse2(mac.tokens.clone());
                if let (true, Ok(args)) = (mac.path.is_ident("format"), args) {
                    for arg in &args {
                        self.visit_expr(arg);
                    }
                }
            }
            fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
                let callee = call.func.to_token_stream().to_string().replace(' ', "");
                let args: Vec<&syn::Expr> = call.args.iter().collect();
                if callee == "encode_path" {
                    if let Some(ident) = args.first().and_then(|a| receiver_ident(a)) {
                        self.parts.path.push(ident);
                    }
                } else if callee.ends_with("QueryParam::new") {
                    if let [syn::Expr::Lit(name), value] = args.as_slice() {
                        if let (syn::Lit::Str(name), Some(ident)) =
                            (&name.lit, receiver_ident(value))
                        {
                            self.parts.query.push((name.value(), ident));
                        }
                    }
                }
                syn::visit::visit_expr_call(self, call);
            }
            fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
                let args: Vec<&syn::Expr> = call.args.iter().collect();
                match call.method.to_string().as_str() {
                    "json" => self.parts.body = Some(BodyKind::Json),
                    "form_urlencoded" => self.parts.body = Some(BodyKind::Form),
                    "body" => self.raw_body = true,
                    "append" => {
                        if let [syn::Expr::Lit(name), value] = args.as_slice() {
                            if let (syn::Lit::Str(name), Some(ident)) =
                                (&name.lit, receiver_ident(value))
                            {
                                let ident = self.resolve(ident);
                                self.parts.headers.push((name.value(), ident));
                            }
                        }
                    }
                    _ => {}
                }
                syn::visit::visit_expr_method_call(self, call);
            }
        }
        let mut find = Find::default();
        for stmt in building {
            find.visit_stmt(stmt);
        }
        if find.raw_body {
            return Err(
                "a raw (untyped) request body, which the shared send path cannot validate".into(),
            );
        }
        Ok(find.parts)
    }
}

/// `x` in `&x`, `x.to_string()`, `x.to_string().try_into()?` or `x`.
fn receiver_ident(expr: &syn::Expr) -> Option<syn::Ident> {
    match expr {
        syn::Expr::Reference(r) => receiver_ident(&r.expr),
        syn::Expr::Try(t) => receiver_ident(&t.expr),
        syn::Expr::MethodCall(m) if m.args.is_empty() => receiver_ident(&m.receiver),
        syn::Expr::Path(p) => p.path.get_ident().cloned(),
        _ => None,
    }
}

/// `T` of `Result<T, E>`.
fn result_ok_type(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// Replaces the derived `Debug` of the client's operation builders that hold a secret header
/// (`builders`: builder name -> field names) with one that prints `<redacted>` for it.
pub fn redact_secret_headers(
    client: &mut syn::File,
    builders: &BTreeMap<String, BTreeSet<String>>,
) {
    let Some(items) = module_items(client, "builder") else {
        return;
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
    items.extend(impls);
}

/// In the `send` of each builder in `builders` (operations answered by redirects, success
/// without a body), answers 3xx as success: `ResponseValue<()>` whose headers hold `Location`.
pub fn redirects_as_success(client: &mut syn::File, builders: &BTreeSet<String>) {
    struct AddArm;
    impl VisitMut for AddArm {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            let is_status = matches!(&*m.expr, syn::Expr::MethodCall(c) if c.method == "as_u16");
            if is_status {
                m.arms.insert(
                    0,
                    syn::parse_quote! { 300u16..=399u16 => Ok(ResponseValue::empty(response)), },
                );
            } else {
                syn::visit_mut::visit_expr_match_mut(self, m);
            }
        }
    }
    let Some(items) = module_items(client, "builder") else {
        return;
    };
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let syn::Type::Path(p) = &*imp.self_ty else {
            continue;
        };
        let Some(name) = p.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        if !builders.contains(&name) {
            continue;
        }
        for f in imp.items.iter_mut() {
            if let syn::ImplItem::Fn(f) = f {
                if f.sig.ident == "send" {
                    AddArm.visit_block_mut(&mut f.block);
                }
            }
        }
    }
}

fn is_secret(field: &syn::Field, secrets: &BTreeSet<String>) -> bool {
    field
        .ident
        .as_ref()
        .is_some_and(|i| secrets.contains(&i.to_string()))
}

fn debug_fields(
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

fn remove_derive(attrs: &mut [syn::Attribute], name: &str) {
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(
            syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
        ) else {
            continue;
        };
        let kept: Vec<_> = paths.into_iter().filter(|p| !p.is_ident(name)).collect();
        *attr = syn::parse_quote! { #[derive(#(#kept),*)] };
    }
}

/// Names that follow `types::builder::` in the client code.
pub fn builder_roots(client: &syn::File) -> BTreeSet<String> {
    #[derive(Default)]
    struct Roots(BTreeSet<String>);
    impl<'ast> Visit<'ast> for Roots {
        fn visit_path(&mut self, path: &'ast syn::Path) {
            let segs: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            if let Some(pos) = segs
                .windows(2)
                .position(|w| w[0] == "types" && w[1] == "builder")
            {
                if let Some(name) = segs.get(pos + 2) {
                    self.0.insert(name.clone());
                }
            }
            syn::visit::visit_path(self, path);
        }
    }
    let mut roots = Roots::default();
    roots.visit_file(client);
    roots.0
}

/// Gives every public item progenitor and typify leave undocumented a doc comment, so that the
/// generated crates build under `missing_docs`: a builder setter takes the doc of the field it
/// sets (types) or says which parameter it sets (client), `builder()` and `new()` say what they
/// make, and a unit enum variant names the wire value it stands for.
pub fn document_items(file: &mut syn::File) {
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
    document_in(&mut file.items, &field_docs, false);
}

/// The wire name of a field or variant: its `#[serde(rename = "...")]`, if any.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    serde_string(attrs, "rename")
}

/// The text of the `name = ".."` item of the `#[serde(..)]`s of `attrs`, if one has it.
fn serde_string(attrs: &[syn::Attribute], name: &str) -> Option<String> {
    use proc_macro2::TokenTree;
    // Read from the tokens (`name = "text"` at the top level), not parsed: every field's
    // attributes are asked for their `rename` and `default`.
    attrs.iter().filter_map(serde_tokens).find_map(|tokens| {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        trees.windows(3).find_map(|w| match w {
            [TokenTree::Ident(key), TokenTree::Punct(eq), TokenTree::Literal(text)]
                if key == name && eq.as_char() == '=' =>
            {
                match syn::Lit::new(text.clone()) {
                    syn::Lit::Str(s) => Some(s.value()),
                    _ => None,
                }
            }
            _ => None,
        })
    })
}

/// The tokens inside a `#[serde(..)]`, or `None` for another attribute.
fn serde_tokens(attr: &syn::Attribute) -> Option<TokenStream> {
    match &attr.meta {
        syn::Meta::List(list) if list.path.is_ident("serde") => Some(list.tokens.clone()),
        _ => None,
    }
}

fn is_doc(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("doc")
}

fn doc_attr(text: &str) -> syn::Attribute {
    syn::parse_quote! { #[doc = #text] }
}

fn document_in(
    items: &mut [Item],
    field_docs: &BTreeMap<(String, String), Vec<syn::Attribute>>,
    in_builder: bool,
) {
    for item in items {
        match item {
            Item::Mod(m) => {
                let builder = m.ident == "builder";
                if let Some((_, inner)) = &mut m.content {
                    document_in(inner, field_docs, builder);
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
                    }
                }
            }
            _ => {}
        }
    }
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
    // What a default gives: a named function's signature and body, or a call and its type.
    let key = |ty: &Type, path: &str| match fns.get(path) {
        Some(f) => format!(
            "{}{}",
            f.sig.output.to_token_stream(),
            f.block.to_token_stream()
        ),
        None => format!("{path}|{}", ty.to_token_stream()),
    };
    // Per field name, each default with how many fields use it, in file order.
    let mut by_field: BTreeMap<&str, Vec<(String, usize)>> = BTreeMap::new();
    for (_, field, ty, path) in &uses {
        let k = key(ty, path);
        let entry = by_field.entry(field.as_str()).or_default();
        match entry.iter_mut().find(|(known, _)| *known == k) {
            Some((_, n)) => *n += 1,
            None => entry.push((k, 1)),
        }
    }
    let winners: BTreeMap<&str, String> = by_field
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

/// The fields of a struct (owner: its name) or of an enum's variants (owner: `Enum::Variant`).
fn owned_fields(item: &mut Item) -> Vec<(String, &mut syn::Field)> {
    match item {
        Item::Struct(s) => {
            let owner = s.ident.to_string();
            s.fields.iter_mut().map(|f| (owner.clone(), f)).collect()
        }
        Item::Enum(e) => {
            let name = e.ident.to_string();
            e.variants
                .iter_mut()
                .flat_map(|v| {
                    let owner = format!("{name}::{}", v.ident);
                    v.fields.iter_mut().map(move |f| (owner.clone(), f))
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The function of a field's `#[serde(default = "..")]`, if it has one.
fn serde_default_fn(attrs: &[syn::Attribute]) -> Option<String> {
    serde_string(attrs, "default")
}

/// Sets the function of a field's `#[serde(default = "..")]`.
fn set_serde_default(attrs: &mut [syn::Attribute], function: &str) {
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
fn rename_default_calls(imp: &mut syn::ItemImpl, old: &BTreeMap<(String, String), String>) {
    struct Calls<'a> {
        owner: String,
        old: &'a BTreeMap<(String, String), String>,
    }
    impl VisitMut for Calls<'_> {
        fn visit_field_value_mut(&mut self, fv: &mut syn::FieldValue) {
            if let syn::Member::Named(name) = &fv.member {
                let field = name.to_string();
                if let Some(path) = self.old.get(&(self.owner.clone(), field.clone())) {
                    let text = |p: &syn::Path| p.to_token_stream().to_string().replace(' ', "");
                    let wanted = format!("defaults::{}", path.replace(' ', ""));
                    let new = ident(&field);
                    let mut paths = Paths(&wanted, &new, text);
                    paths.visit_expr_mut(&mut fv.expr);
                }
            }
            syn::visit_mut::visit_field_value_mut(self, fv);
        }
    }
    struct Paths<'a, F: Fn(&syn::Path) -> String>(&'a str, &'a syn::Ident, F);
    impl<F: Fn(&syn::Path) -> String> VisitMut for Paths<'_, F> {
        fn visit_expr_path_mut(&mut self, e: &mut syn::ExprPath) {
            let text = (self.2)(&e.path);
            let new = self.1;
            if text == self.0 {
                e.path = syn::parse_quote! { defaults::#new };
            } else if text == format!("super::{}", self.0) {
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

/// Pass `string_setters`: a client builder's setter of a `String` value (path, query and header
/// parameters) takes `impl Into<String>` and stores it (the builder module names no `String`
/// or `Into` of its own), instead of progenitor's generic
/// `V: TryInto<String>` with a conversion error that can never happen (every `TryInto<String>`
/// a caller passes, `&str`, `String`, `&String`, `Cow<str>`, is an `Into<String>`): four lines
/// instead of thirteen, one generic less per setter. Returns the number of setters.
pub fn string_setters(client: &mut syn::File) -> usize {
    let string: Type = syn::parse_quote!(::std::string::String);
    let Some(items) = module_items(client, "builder") else {
        return 0;
    };
    let mut count = 0;
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        for member in imp.items.iter_mut() {
            let syn::ImplItem::Fn(f) = member else {
                continue;
            };
            let Some((field, ty)) = typify_setter(f) else {
                continue;
            };
            if ty != string || f.sig.ident != field {
                continue;
            }
            // An optional parameter's setter stores `Some` (progenitor's `.map(Some)`).
            let optional = f.block.to_token_stream().to_string().contains("map (Some)");
            let value = if optional {
                quote! { Some(value.into()) }
            } else {
                quote! { value.into() }
            };
            let (attrs, vis) = (&f.attrs, &f.vis);
            *f = syn::parse_quote! {
                #(#attrs)*
                #vis fn #field(mut self, value: impl Into<String>) -> Self {
                    self.#field = Ok(#value);
                    self
                }
            };
            count += 1;
        }
    }
    count
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

/// An identifier as serde names it: without `r#`.
fn unraw(ident: &syn::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_owned).unwrap_or(text)
}

/// Whether `attrs` derive `Serialize` or `Deserialize` (before the direction pass gates them).
fn derives_serde(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("derive")
            && a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|paths| paths.iter().any(|p| serde_trait(p).is_some()))
    })
}

/// The items of a `#[serde(..)]` attribute, or `None` for another attribute.
fn serde_metas(attr: &syn::Attribute) -> Option<Vec<syn::Meta>> {
    if !attr.path().is_ident("serde") {
        return None;
    }
    attr.parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        .ok()
        .map(|metas| metas.into_iter().collect())
}

/// Whether `attr` is a `#[serde(..)]` with `name` among its top-level tokens: a test without
/// parsing, before [`serde_metas`] parses the items (the passes ask about every field's
/// attributes, and most do not have the item asked for).
fn serde_mentions(attr: &syn::Attribute, name: &str) -> bool {
    serde_tokens(attr).is_some_and(|tokens| {
        tokens
            .into_iter()
            .any(|t| matches!(&t, proc_macro2::TokenTree::Ident(i) if i == name))
    })
}

/// Whether any `#[serde(..)]` of `attrs` has an item named `name`.
fn has_serde_item(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|a| serde_mentions(a, name))
        .filter_map(serde_metas)
        .flatten()
        .any(|m| m.path().is_ident(name))
}

/// [`camel_case_renames`] on one container: its attributes and its members (name as serde sees
/// it, attributes). Puts `rename_all = "camelCase"` on the container when that takes out more
/// renames than it adds; returns the renames taken out less those added (0 when left alone).
fn rename_all_camel<'a>(
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

/// Takes the items named `name` out of the `#[serde(..)]`s of `attrs`, and a `#[serde()]` left
/// empty with them.
fn remove_serde_item(attrs: &mut Vec<syn::Attribute>, name: &str) {
    attrs.retain_mut(|attr| {
        if !serde_mentions(attr, name) {
            return true;
        }
        let Some(metas) = serde_metas(attr) else {
            return true;
        };
        let kept: Vec<_> = metas
            .into_iter()
            .filter(|m| !m.path().is_ident(name))
            .collect();
        if kept.is_empty() {
            return false;
        }
        *attr = syn::parse_quote! { #[serde(#(#kept),*)] };
        true
    });
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
fn several_or_shortenable(attr: &syn::Attribute) -> bool {
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
fn serde_parts(attr: &syn::Attribute) -> Option<(Option<syn::Meta>, Vec<syn::Meta>)> {
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
fn serde_attr(cfg: &Option<syn::Meta>, items: &[syn::Meta]) -> syn::Attribute {
    match cfg {
        Some(cfg) => syn::parse_quote! { #[cfg_attr(#cfg, serde(#(#items),*))] },
        None => syn::parse_quote! { #[serde(#(#items),*)] },
    }
}

/// A path of the prelude written in full, shortened (see [`one_line_serde_attrs`]); whitespace
/// typify leaves in a path is taken out.
fn short_path(path: &str, short: bool) -> String {
    let path: String = path.split_whitespace().collect();
    match path.as_str() {
        "::std::option::Option::is_none" if short => "Option::is_none".into(),
        "::std::vec::Vec::is_empty" if short => "Vec::is_empty".into(),
        _ => path,
    }
}

/// How many lines prettyplease gives a field with `attrs`, in a struct or (`in_variant`) in an
/// enum's struct variant.
fn field_lines(attrs: &[syn::Attribute], in_variant: bool) -> usize {
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
fn one_line_attrs(attrs: &mut Vec<syn::Attribute>, in_variant: bool, short: bool) -> usize {
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
pub fn schemars_behind_feature(file: &mut syn::File) {
    gate_items(&mut file.items);
}

fn gate_items(items: &mut [Item]) {
    for item in items {
        match item {
            Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    gate_items(inner);
                }
            }
            Item::Struct(st) => {
                gate_attrs(&mut st.attrs);
                st.fields.iter_mut().for_each(|f| gate_attrs(&mut f.attrs));
            }
            Item::Enum(e) => {
                gate_attrs(&mut e.attrs);
                for variant in &mut e.variants {
                    gate_attrs(&mut variant.attrs);
                    variant
                        .fields
                        .iter_mut()
                        .for_each(|f| gate_attrs(&mut f.attrs));
                }
            }
            _ => {}
        }
    }
}

fn gate_attrs(attrs: &mut Vec<syn::Attribute>) {
    let feature = SCHEMARS_FEATURE;
    let mut gated = Vec::with_capacity(attrs.len() + 1);
    for attr in attrs.drain(..) {
        if attr.path().is_ident("schemars") {
            let syn::Meta::List(list) = &attr.meta else {
                gated.push(attr);
                continue;
            };
            let tokens = &list.tokens;
            gated.push(syn::parse_quote! { #[cfg_attr(feature = #feature, schemars(#tokens))] });
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
            }
        } else {
            gated.push(attr);
        }
    }
    *attrs = gated;
}

/// An identifier for generated code (`Span::call_site`).
pub fn ident(name: &str) -> syn::Ident {
    syn::Ident::new(name, Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn secret_fields_are_held_in_the_secret_type_and_their_newtypes_go() {
        let mut file: syn::File = syn::parse_quote! {
            #[derive(Clone, Debug)]
            pub struct LoginBody {
                pub client_id: ::std::string::String,
                pub client_secret: ::std::string::String,
                pub password: ::std::option::Option<LoginBodyPassword>,
            }
            #[derive(Clone, Debug)]
            pub struct LoginBodyPassword(::std::string::String);
            impl ::std::str::FromStr for LoginBodyPassword {
                type Err = ();
                fn from_str(value: &str) -> Result<Self, ()> { Ok(Self(value.to_string())) }
            }
            pub mod builder {
                pub struct LoginBody {
                    client_secret: Result<::std::string::String, ::std::string::String>,
                }
                impl LoginBody {
                    pub fn client_secret<T>(mut self, value: T) -> Self
                    where
                        T: ::std::convert::TryInto<::std::string::String>,
                    { self }
                }
            }
        };
        let gone = secret_types(&mut file, &secrets(&["client_secret", "password"]));
        assert_eq!(gone, secrets(&["LoginBodyPassword"]));
        let text = prettyplease::unparse(&file);
        for expected in [
            "pub client_id: ::std::string::String,",
            "pub client_secret: Secret,",
            "pub password: ::std::option::Option<Secret>,",
            "client_secret: Result<super::Secret, ::std::string::String>,",
            "T: ::std::convert::TryInto<super::Secret>,",
            "pub struct Secret(::std::string::String);",
            "f.write_str(\"<redacted>\")",
        ] {
            assert!(text.contains(expected), "{expected} in\n{text}");
        }
        assert!(!text.contains("LoginBodyPassword"), "{text}");
    }

    #[test]
    fn camel_case_wire_names_move_to_one_rename_all_and_the_others_stay() {
        let mut file: syn::File = syn::parse_quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            #[serde(deny_unknown_fields)]
            pub struct Body {
                #[serde(rename = "accessTokenMaxTTL", default)]
                pub access_token_max_ttl: i64,
                #[serde(rename = "accessTokenTtl", default)]
                pub access_token_ttl: i64,
                #[serde(rename = "identityId")]
                pub identity_id: String,
                #[serde(rename = "type")]
                pub type_: String,
                pub snake_case: String,
                pub r#static: bool,
            }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            pub struct OneUnderscore {
                pub snake_case: String,
                #[serde(rename = "aB")]
                pub a_b: String,
            }
            #[derive(::serde::Deserialize, ::serde::Serialize)]
            #[serde(tag = "kind")]
            pub enum Mode {
                #[serde(rename = "api")]
                Api,
                #[serde(rename = "gateWay")]
                GateWay { #[serde(rename = "hostName")] host_name: String },
            }
            #[derive(Clone)]
            pub struct NoSerde { #[doc = "x"] pub a_b: String }
        };
        // 3 in `Body` less the one `snake_case` needs, 2 variants and 1 field of `Mode`.
        assert_eq!(camel_case_renames(&mut file), 5);
        let text = prettyplease::unparse(&file);
        for expected in [
            "#[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]\n#[serde(rename_all = \"camelCase\")]\n#[serde(deny_unknown_fields)]\npub struct Body {\n    #[serde(rename = \"accessTokenMaxTTL\", default)]\n    pub access_token_max_ttl: i64,\n    #[serde(default)]\n    pub access_token_ttl: i64,\n    pub identity_id: String,\n    pub type_: String,\n    #[serde(rename = \"snake_case\")]\n    pub snake_case: String,\n    pub r#static: bool,\n}",
            // One rename out, one in: left alone.
            "pub struct OneUnderscore {\n    pub snake_case: String,\n    #[serde(rename = \"aB\")]",
            "#[serde(rename_all = \"camelCase\")]\n#[serde(tag = \"kind\")]\npub enum Mode {\n    Api,\n    #[serde(rename_all = \"camelCase\")]\n    GateWay { host_name: String },",
            "pub struct NoSerde {",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        for (rust, wire) in [
            ("access_token_max_ttl", "accessTokenMaxTtl"),
            ("type_", "type"),
            ("a__b", "aB"),
            ("x509_cert", "x509Cert"),
            ("", ""),
        ] {
            assert_eq!(serde_camel_case(rust), wire);
        }
    }

    #[test]
    fn serde_attributes_are_split_and_shortened_to_fit_on_a_line() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Body {
                #[cfg_attr(feature = "serde-attrs", serde(rename = "accessTokenMaxTTL", default = "defaults::default_u64::<i64, 2592000>"))]
                pub access_token_max_ttl: i64,
                #[cfg_attr(feature = "serde-attrs", serde(skip_serializing_if = "::std::option::Option::is_none"))]
                pub name: ::std::option::Option<String>,
                #[serde(default, skip_serializing_if = ":: std :: collections :: HashMap::is_empty")]
                pub map: ::std::collections::HashMap<String, String>,
                #[cfg_attr(feature = "serde-attrs", serde(default))]
                pub short: u64,
                #[cfg_attr(feature = "schemars", schemars(with = "String"))]
                pub other: String,
            }
        };
        assert_eq!(one_line_serde_attrs(&mut file), 3);
        let text = prettyplease::unparse(&file);
        for expected in [
            "    #[cfg_attr(feature = \"serde-attrs\", serde(rename = \"accessTokenMaxTTL\"))]\n    #[cfg_attr(\n        feature = \"serde-attrs\",\n        serde(default = \"defaults::default_u64::<i64, 2592000>\")\n    )]\n    pub access_token_max_ttl: i64,",
            "    #[cfg_attr(feature = \"serde-attrs\", serde(skip_serializing_if = \"Option::is_none\"))]\n    pub name:",
            "    #[serde(default, skip_serializing_if = \"::std::collections::HashMap::is_empty\")]\n    pub map:",
            "    #[cfg_attr(feature = \"serde-attrs\", serde(default))]\n    pub short: u64,",
            "    #[cfg_attr(feature = \"schemars\", schemars(with = \"String\"))]\n    pub other: String,",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        // A type of the document named `Option` keeps the full paths.
        let mut shadowed: syn::File = syn::parse_quote! {
            pub struct Option;
            pub struct Body {
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub name: ::std::option::Option<String>,
            }
        };
        assert_eq!(one_line_serde_attrs(&mut shadowed), 0);
    }

    #[test]
    fn default_functions_are_named_after_their_field() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct A {
                #[serde(rename = "trustedIps", default = "defaults::a_trusted_ips")]
                pub trusted_ips: Vec<String>,
                #[serde(default = "defaults::default_u64::<i64, 2592000>")]
                pub ttl: i64,
            }
            impl ::std::default::Default for A {
                fn default() -> Self {
                    Self {
                        trusted_ips: defaults::a_trusted_ips(),
                        ttl: defaults::default_u64::<i64, 2592000>(),
                    }
                }
            }
            pub struct B {
                #[serde(default = "defaults::b_trusted_ips")]
                pub trusted_ips: Vec<String>,
                #[serde(default = "defaults::b_ttl")]
                pub ttl: f64,
            }
            pub mod builder {
                impl ::std::default::Default for A {
                    fn default() -> Self {
                        Self { trusted_ips: Ok(super::defaults::a_trusted_ips()), ttl: Ok(super::defaults::default_u64::<i64, 2592000>()) }
                    }
                }
            }
            pub mod defaults {
                pub(super) fn default_u64<T, const V: u64>() -> T { todo!() }
                pub(super) fn a_trusted_ips() -> Vec<String> { vec!["0.0.0.0/0".to_string()] }
                pub(super) fn b_trusted_ips() -> Vec<String> { vec!["0.0.0.0/0".to_string()] }
                pub(super) fn b_ttl() -> f64 { 7200_f64 }
            }
        };
        // Both `trusted_ips`; `ttl` has two defaults, one field each: the first is named.
        assert_eq!(short_default_names(&mut file), 3);
        let text = prettyplease::unparse(&file);
        for expected in [
            "#[serde(rename = \"trustedIps\", default = \"defaults::trusted_ips\")]",
            "#[serde(default = \"defaults::ttl\")]\n    pub ttl: i64,",
            "#[serde(default = \"defaults::b_ttl\")]",
            "trusted_ips: defaults::trusted_ips(),\n            ttl: defaults::ttl(),",
            "trusted_ips: Ok(super::defaults::trusted_ips()),",
            "ttl: Ok(super::defaults::ttl()),",
            "pub(super) fn trusted_ips() -> Vec<String> {",
            "pub(super) fn ttl() -> i64 {\n        default_u64::<i64, 2592000>()",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        assert!(
            !text.contains("a_trusted_ips") && !text.contains("b_trusted_ips"),
            "{text}"
        );
    }

    #[test]
    fn string_setters_take_into_string() {
        let mut client: syn::File = syn::parse_quote! {
            pub mod builder {
                impl<'a> GetA<'a> {
                    #[doc = "Sets `identity_id`."]
                    pub fn identity_id<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<::std::string::String>,
                    {
                        self.identity_id = value
                            .try_into()
                            .map_err(|_| "conversion to `String` for identity_id failed".to_string());
                        self
                    }
                    pub fn user_agent<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<::std::string::String>,
                    {
                        self.user_agent = value
                            .try_into()
                            .map(Some)
                            .map_err(|_| "conversion failed".to_string());
                        self
                    }
                    pub fn body<V>(mut self, value: V) -> Self
                    where
                        V: std::convert::TryInto<types::Body>,
                    {
                        self.body = value.try_into().map_err(|_| "conversion failed".to_string());
                        self
                    }
                }
            }
        };
        assert_eq!(string_setters(&mut client), 2);
        let text = prettyplease::unparse(&client);
        assert!(
            text.contains("self.user_agent = Ok(Some(value.into()));"),
            "{text}"
        );
        let text = prettyplease::unparse(&client);
        assert!(
            text.contains("        ///Sets `identity_id`.\n        pub fn identity_id(mut self, value: impl Into<String>) -> Self {\n            self.identity_id = Ok(value.into());\n            self\n        }"),
            "{text}"
        );
        assert!(
            text.contains("V: std::convert::TryInto<types::Body>,"),
            "{text}"
        );
    }

    #[test]
    fn timestamps_are_written_with_milliseconds_by_the_generated_module() {
        let mut file: syn::File = syn::parse_quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct Answer {
                #[serde(rename = "createdAt")]
                pub created_at: ::chrono::DateTime<::chrono::offset::Utc>,
                pub last_used_at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                pub name: ::std::string::String,
            }
            #[derive(Clone, Debug)]
            pub struct NotSerialized {
                pub at: ::chrono::DateTime<::chrono::offset::Utc>,
            }
        };
        assert_eq!(js_timestamps(&mut file), 2);
        let text = prettyplease::unparse(&file);
        for expected in [
            "#[serde(rename = \"createdAt\", serialize_with = \"js_timestamp::write\")]\n    pub created_at",
            "#[serde(serialize_with = \"js_timestamp::write_option\")]\n    pub last_used_at",
            "pub mod js_timestamp {",
        ] {
            assert!(text.contains(expected), "{expected} in\n{text}");
        }
        assert_eq!(text.matches("serialize_with").count(), 2, "{text}");

        let mut none: syn::File = syn::parse_quote! { pub struct A { pub n: f64 } };
        assert_eq!(js_timestamps(&mut none), 0);
        assert!(none.items.len() == 1, "no module without a timestamp");
    }

    #[test]
    fn the_secret_type_takes_another_name_when_the_document_has_a_secret() {
        let mut file: syn::File = syn::parse_quote! {
            /// A secret of Infisical's secret manager: a schema of the document.
            pub struct Secret { pub key: ::std::string::String }
            pub struct LoginBody { pub jwt: ::std::string::String }
        };
        secret_types(&mut file, &secrets(&["jwt"]));
        let text = prettyplease::unparse(&file);
        assert!(text.contains("pub jwt: RedactedSecret,"), "{text}");
        assert!(text.contains("pub struct RedactedSecret(::std::string::String);"));
        assert!(
            text.contains("pub struct Secret {"),
            "the document's type stays"
        );
    }

    #[test]
    fn without_secret_fields_nothing_is_added() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Body { pub ttl: i64 }
        };
        assert!(secret_types(&mut file, &secrets(&["client_secret"])).is_empty());
        assert_eq!(file.items.len(), 1);
    }

    /// A builder `send` as progenitor writes it (shortened to what the pass reads).
    fn progenitor_send(with_body: bool) -> syn::File {
        progenitor_send_with(with_body, quote!())
    }

    fn progenitor_send_with(with_body: bool, extra_headers: TokenStream) -> syn::File {
        let body_stmt = with_body.then(|| {
            quote! {
                let body = body.and_then(|v| types::Body::try_from(v).map_err(|e| e.to_string()))
                    .map_err(Error::InvalidRequest)?;
            }
        });
        let json = with_body.then(|| quote!(.json(&body)));
        syn::parse_quote! {
            pub mod builder {
                impl<'a> ListTokens<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Tokens>, Error<types::ErrorResponse>> {
                        let Self { client, identity_id, limit, body } = self;
                        let identity_id = identity_id.map_err(Error::InvalidRequest)?;
                        let limit = limit.map_err(Error::InvalidRequest)?;
                        #body_stmt
                        let url = format!("{}/tokens/{}", client.baseurl, encode_path(&identity_id.to_string()));
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        header_map.append(
                            ::reqwest::header::HeaderName::from_static("api-version"),
                            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                        );
                        #extra_headers
                        let mut request = client.client.get(url)
                            .query(&progenitor_client::QueryParam::new("limit", &limit))
                            #json
                            .headers(header_map)
                            .build()?;
                        let info = OperationInfo { operation_id: "list_tokens" };
                        client.pre(&mut request, &info).await?;
                        let result = client.exec(request, &info).await;
                        client.post(&result, &info).await?;
                        let response = result?;
                        ResponseValue::from_response(response).await
                    }
                }
            }
            pub struct Client { pub(crate) baseurl: String, pub(crate) client: reqwest::Client }
            impl Client {
                pub fn new_with_client(baseurl: &str, client: reqwest::Client) -> Self {
                    Self { baseurl: baseurl.to_string(), client }
                }
            }
        }
    }

    #[test]
    fn sends_go_through_the_runtime_with_the_typed_values() {
        let mut file = progenitor_send(true);
        route_through_runtime(&mut file, &BTreeSet::new()).expect("routed");
        let text = prettyplease::unparse(&file).replace(char::is_whitespace, "");
        for expected in [
            "->Result<ResponseValue<types::Tokens>,crate::Error>",
            "crate::runtime::Request::new(\"list_tokens\").path(self.identity_id).query(\"limit\",self.limit).json(self.body).send(self.client).await",
            "pub(crate)runtime:crate::runtime::Runtime",
            "runtime:::std::default::Default::default()",
        ] {
            assert!(text.contains(expected), "{expected} in\n{text}");
        }
        // The request is built by the runtime; progenitor's hooks are no longer called.
        for gone in [
            "client.pre(",
            "client.exec(",
            "letmutrequest",
            "leturl",
            "header_map",
        ] {
            assert!(!text.contains(gone), "{gone} in\n{text}");
        }
    }

    #[test]
    fn header_parameters_are_typed_values_too() {
        let headers = quote! {
            header_map.append("x-request-id", request_id.to_string().try_into()?);
            if let Some(value) = trace {
                header_map.append("x-trace", value.to_string().try_into()?);
            }
        };
        let mut file = progenitor_send_with(false, headers);
        route_through_runtime(&mut file, &BTreeSet::new()).expect("routed");
        let text = prettyplease::unparse(&file).replace(char::is_whitespace, "");
        let expected = ".header(\"x-request-id\",self.request_id).header(\"x-trace\",self.trace)";
        assert!(text.contains(expected), "{text}");
    }

    #[test]
    fn a_raw_body_cannot_go_through_the_runtime() {
        let mut file = progenitor_send_with(false, quote!());
        let raw: syn::Stmt = syn::parse_quote! { let _raw = client.client.post("x").body(body); };
        let syn::Item::Mod(m) = &mut file.items[0] else {
            unreachable!()
        };
        let syn::Item::Impl(imp) = &mut m.content.as_mut().unwrap().1[0] else {
            unreachable!()
        };
        let syn::ImplItem::Fn(send) = &mut imp.items[0] else {
            unreachable!()
        };
        send.block.stmts.insert(3, raw);
        let err = route_through_runtime(&mut file, &BTreeSet::new()).unwrap_err();
        assert!(err.contains("list_tokens") && err.contains("raw"), "{err}");
    }

    #[test]
    fn a_send_without_a_body_validates_none() {
        let mut file = progenitor_send(false);
        route_through_runtime(&mut file, &BTreeSet::new()).expect("routed");
        let text = prettyplease::unparse(&file).replace(char::is_whitespace, "");
        assert!(
            text.contains(".path(self.identity_id).query(\"limit\",self.limit).send(self.client)"),
            "{text}"
        );
    }

    #[test]
    fn bodies_are_values_set_whole_and_unset_without_a_default() {
        let builders = |body: &str| -> syn::File {
            let body = ident(body);
            syn::parse_quote! {
                pub mod builder {
                    #[derive(Debug, Clone)]
                    pub struct Attach<'a> {
                        client: &'a super::Client,
                        body: Result<types::builder::#body, String>,
                    }
                    impl<'a> Attach<'a> {
                        pub fn new(client: &'a super::Client) -> Self {
                            Self { client: client, body: Ok(::std::default::Default::default()) }
                        }
                        /// Sets the request body.
                        pub fn body<V>(mut self, value: V) -> Self
                        where V: std::convert::TryInto<types::#body>,
                        {
                            self.body = value.try_into().map(From::from).map_err(|s| s.to_string());
                            self
                        }
                        pub fn body_map<F>(mut self, f: F) -> Self
                        where F: std::ops::FnOnce(types::builder::#body) -> types::builder::#body,
                        {
                            self.body = self.body.map(f);
                            self
                        }
                    }
                }
                pub struct Client {}
            }
        };
        let with_default: BTreeSet<String> = ["Patch".to_string()].into();
        let mut required = builders("Attach");
        plain_bodies(
            module_items(&mut required, "builder").unwrap(),
            &with_default,
        );
        let text = prettyplease::unparse(&required).replace(char::is_whitespace, "");
        for expected in [
            "body:Result<types::Attach,String>",
            "body:Err(\"bodywasnotinitialized\".to_string())",
            "///Setstherequestbody.pubfnbody(mutself,value:types::Attach)->Self{self.body=Ok(value);self}",
        ] {
            assert!(text.contains(expected), "{expected} in\n{text}");
        }
        assert!(
            !text.contains("body_map") && !text.contains("builder::"),
            "{text}"
        );
        let mut optional = builders("Patch");
        plain_bodies(
            module_items(&mut optional, "builder").unwrap(),
            &with_default,
        );
        let text = prettyplease::unparse(&optional).replace(char::is_whitespace, "");
        assert!(
            text.contains("body:Ok(::std::default::Default::default())"),
            "{text}"
        );
    }

    #[test]
    fn builders_go_and_bodies_without_a_default_get_a_constructor() {
        let mut file: syn::File = syn::parse_quote! {
            #[derive(Clone, Debug, serde::Serialize)]
            pub struct Attach {
                #[serde(default = "defaults::access_token_ttl")]
                pub access_token_ttl: i64,
                #[serde(default)]
                pub num_uses: u64,
                #[serde(skip_serializing_if = "Option::is_none")]
                pub description: Option<String>,
                pub host: Option<String>,
                pub allowed_arns: String,
            }
            impl Attach {
                pub fn builder() -> builder::Attach { Default::default() }
            }
            #[derive(Clone, Debug, Default, serde::Serialize)]
            pub struct Patch {
                #[serde(skip_serializing_if = "Option::is_none")]
                pub description: Option<String>,
            }
            pub struct Answer { pub id: String }
            pub mod builder {
                pub struct Attach {}
            }
        };
        assert_eq!(drop_builders(&mut file), 2);
        let bodies: BTreeSet<String> = ["Attach", "Patch"].map(String::from).into();
        assert_eq!(
            body_constructors(&mut file, &bodies),
            1,
            "Patch has a Default, Answer is no body"
        );
        let text = prettyplease::unparse(&file).replace(char::is_whitespace, "");
        let expected = "pubfnnew(host:impl::std::convert::Into<Option<String>>,allowed_arns:impl::std::convert::Into<String>,)->Self{Self{access_token_ttl:defaults::access_token_ttl(),num_uses:::std::default::Default::default(),description:::std::default::Default::default(),host:host.into(),allowed_arns:allowed_arns.into(),}}";
        assert!(text.contains(expected), "{text}");
        assert!(!text.contains("builder"), "{text}");
        // Right after its struct.
        assert!(matches!(&file.items[1], Item::Impl(imp) if type_ident(&imp.self_ty) == "Attach"));
    }

    #[test]
    fn a_client_without_builders_is_an_error() {
        let mut file: syn::File = syn::parse_quote! { pub struct Client {} };
        assert!(route_through_runtime(&mut file, &BTreeSet::new()).is_err());
    }

    #[test]
    fn schemars_goes_behind_its_feature() {
        let mut file: syn::File = syn::parse_quote! {
            #[derive(Clone, Debug, schemars::JsonSchema)]
            pub struct Body {
                #[schemars(with = "Option<Option<i64>>")]
                pub ttl: Option<Option<i64>>,
            }
            #[derive(Clone, Debug)]
            pub enum Kind { A }
        };
        schemars_behind_feature(&mut file);
        let text = prettyplease::unparse(&file);
        for expected in [
            "#[derive(Clone, Debug)]\n#[cfg_attr(feature = \"schemars\", derive(schemars::JsonSchema))]\npub struct Body",
            "#[cfg_attr(feature = \"schemars\", schemars(with = \"Option<Option<i64>>\"))]",
            "#[derive(Clone, Debug)]\npub enum Kind",
        ] {
            assert!(text.contains(expected), "{expected} in\n{text}");
        }
        assert_eq!(text.matches("JsonSchema").count(), 1, "{text}");
    }

    #[test]
    fn undocumented_public_items_get_docs() {
        let mut file: syn::File = syn::parse_quote! {
            /// A body.
            pub struct Body {
                /// `ttl`: integer, optional.
                pub ttl: i64,
                #[serde(rename = "nestedThing")]
                pub nested_thing: Option<Nested>,
            }
            pub enum Kind {
                #[serde(rename = "iam")]
                Iam,
                /// Kept.
                Gce,
            }
            impl Body {
                pub fn builder() -> builder::Body { Default::default() }
            }
            pub mod builder {
                pub struct Body { ttl: i64 }
                impl Body {
                    pub fn ttl<T>(self, value: T) -> Self { self }
                    pub fn other<T>(self, value: T) -> Self { self }
                    fn private(self) -> Self { self }
                }
            }
        };
        document_items(&mut file);
        let text = prettyplease::unparse(&file);
        for expected in [
            "///`nestedThing`: see [`Nested`].",
            "///The value `\"iam\"`.",
            "/// Kept.",
            "///A builder for [`Body`], starting from its defaults.",
            "///A builder for [`super::Body`]: set fields with its methods",
            "///Sets `other`.",
        ] {
            assert!(text.contains(expected), "{expected} in\n{text}");
        }
        // The builder's setter takes the doc of the field it sets; private items get none.
        assert_eq!(
            text.matches("/// `ttl`: integer, optional.").count(),
            2,
            "{text}"
        );
        assert!(!text.contains("Sets `private`"), "{text}");
    }

    #[test]
    fn secrets_are_redacted_in_structs_and_enum_variants() {
        let mut file: syn::File = syn::parse_quote! {
            #[derive(Clone, Debug)]
            pub struct Login { pub client_id: String, pub client_secret: String }
            #[derive(Debug)]
            pub enum Body { Manual { url: String, bind_pass: String }, Template { id: String } }
            #[derive(Debug)]
            pub struct Plain { pub a: u8 }
        };
        let secrets: BTreeSet<String> = ["client_secret", "bind_pass"].map(String::from).into();
        redact_secrets(&mut file, &secrets);
        let text = prettyplease::unparse(&file);
        assert!(
            text.contains("#[derive(Clone)]\npub struct Login"),
            "{text}"
        );
        assert!(
            text.contains(".field(\"client_secret\", &\"<redacted>\")"),
            "{text}"
        );
        assert!(
            text.contains(".field(\"bind_pass\", &\"<redacted>\")"),
            "{text}"
        );
        assert!(
            text.contains("#[derive(Debug)]\npub struct Plain"),
            "{text}"
        );
    }

    #[test]
    fn unused_builders_are_dropped_and_reachable_ones_kept() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Body { pub item: Item }
            pub struct Item { pub a: u8 }
            pub struct Response { pub b: u8 }
            impl Body { pub fn builder() -> builder::Body { Default::default() } }
            impl Item { pub fn builder() -> builder::Item { Default::default() } }
            impl Response { pub fn builder() -> builder::Response { Default::default() } }
            pub mod builder {
                pub struct Body {}
                pub struct Item {}
                pub struct Response {}
                impl Response { pub fn b(self) -> Self { self } }
                impl ::std::convert::TryFrom<Response> for super::Response { type Error = (); }
                impl ::std::convert::From<super::Response> for Response {}
            }
        };
        drop_unused_builders(&mut file, &["Body".to_string()].into());
        let text = prettyplease::unparse(&file);
        assert!(text.contains("impl Item {"), "{text}");
        assert!(!text.contains("impl Response {"), "{text}");
        assert!(
            text.contains("pub struct Response {\n    pub b: u8"),
            "the type itself stays: {text}"
        );
        assert_eq!(text.matches("Response").count(), 1, "{text}");
    }

    #[test]
    fn three_state_fields_wrap_the_option_in_struct_and_builder() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Update {
                #[serde(rename = "host", skip_serializing_if = "::std::option::Option::is_none")]
                pub host: ::std::option::Option<String>,
            }
            pub mod builder {
                pub struct Update { host: ::std::result::Result<::std::option::Option<String>, String> }
                impl Update {
                    pub fn host<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<::std::option::Option<String>>, T::Error: ::std::fmt::Display { self }
                }
            }
        };
        let field = FieldRef {
            type_name: "Update".into(),
            field: "host".into(),
        };
        three_state_fields(&mut file, std::slice::from_ref(&field)).unwrap();
        let text = prettyplease::unparse(&file).replace([' ', '\n'], "");
        assert_eq!(
            text.matches("::std::option::Option<::std::option::Option<String>>")
                .count(),
            4,
            "{text}"
        );
        assert!(
            text.contains("default,deserialize_with=\"three_state::deserialize\""),
            "{text}"
        );
        let missing = FieldRef {
            type_name: "Update".into(),
            field: "nope".into(),
        };
        assert!(three_state_fields(&mut file, &[missing]).is_err());
    }

    #[test]
    fn validated_string_newtypes_become_strings_where_only_bodies_hold_them() {
        let mut file: syn::File = syn::parse_quote! {
            pub struct Body {
                #[serde(rename = "allowedArns")]
                pub allowed_arns: BodyAllowedArns,
                pub keys: ::std::vec::Vec<KeysItem>,
                #[serde(rename = "slug", default = "defaults::body_slug")]
                pub slug: ::std::option::Option<Slug>,
                pub mode: Mode,
                pub param: Param,
            }
            pub enum Mode { Static { bundle: Bundle }, Web }
            pub struct Answer { pub slug: Slug }
            pub struct BodyAllowedArns(::std::string::String);
            impl ::std::str::FromStr for BodyAllowedArns { type Err = (); }
            impl ::std::convert::From<BodyAllowedArns> for ::std::string::String {}
            pub struct KeysItem(::std::string::String);
            pub struct Slug(::std::string::String);
            pub struct Bundle(::std::string::String);
            pub struct Param(::std::string::String);
            pub mod builder {
                pub struct Body { allowed_arns: ::std::result::Result<super::BodyAllowedArns, ::std::string::String> }
                impl Body {
                    pub fn allowed_arns<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<super::BodyAllowedArns> { self }
                }
            }
            pub mod defaults {
                pub(super) fn bundle() -> super::Bundle { super::Bundle("x".to_string()) }
            }
        };
        let client: syn::File = syn::parse_quote! {
            fn f(p: types::Param, b: types::builder::Body) {}
        };
        let bodies = [("attachX".to_string(), "Body".to_string())];
        let dropped = plain_validated_strings(&mut file, &bodies, &types_named_by(&client));
        let names: Vec<&str> = dropped.iter().map(|p| p.newtype.as_str()).collect();
        assert_eq!(names, ["BodyAllowedArns", "Bundle", "KeysItem"]);
        let paths: Vec<String> = dropped
            .iter()
            .flat_map(|p| p.fields.iter().map(BodyField::path))
            .collect();
        assert_eq!(paths, ["allowedArns", "mode.bundle", "keys[]"]);
        assert!(
            matches!(dropped[1].fields[0].steps[1], Step::Option { index: 0, ref name } if name == "static")
        );
        let text = prettyplease::unparse(&file);
        for gone in ["BodyAllowedArns", "KeysItem", "Bundle", "FromStr"] {
            assert!(!text.contains(gone), "{gone} in\n{text}");
        }
        for kept in [
            "pub struct Slug(",
            "pub struct Param(",
            "::std::option::Option<Slug>",
        ] {
            assert!(text.contains(kept), "{kept} in\n{text}");
        }
        for plain in [
            "pub allowed_arns: ::std::string::String",
            "pub keys: ::std::vec::Vec<::std::string::String>",
            "T: ::std::convert::TryInto<::std::string::String>",
            "fn bundle() -> ::std::string::String {\n        \"x\".to_string()",
        ] {
            assert!(text.contains(plain), "{plain} in\n{text}");
        }
    }

    #[test]
    fn lean_builders_share_one_conversion_and_keep_from_for_bodies_only() {
        let mut file: syn::File = syn::parse_quote! {
            pub enum Mode { A }
            impl ::std::convert::TryFrom<&str> for Mode { type Error = (); }
            impl ::std::convert::TryFrom<::std::string::String> for Mode { type Error = (); }
            pub enum Kind { B }
            impl ::std::str::FromStr for Kind { type Err = (); }
            impl ::std::convert::TryFrom<&str> for Kind { type Error = (); }
            pub mod builder {
                pub struct Body {
                    ttl: ::std::result::Result<i64, ::std::string::String>,
                    mode: ::std::result::Result<super::Mode, ::std::string::String>,
                }
                impl Body {
                    /// `ttl`.
                    pub fn ttl<T>(mut self, value: T) -> Self
                    where
                        T: ::std::convert::TryInto<i64>,
                        T::Error: ::std::fmt::Display,
                    {
                        self.ttl = value.try_into().map_err(|e| format!("error converting supplied value for ttl: {e}"));
                        self
                    }
                }
                impl ::std::convert::From<super::Body> for Body {}
                pub struct Item {}
                impl ::std::convert::From<super::Item> for Item {}
            }
        };
        assert_eq!(lean_builders(&mut file, &["Body".to_string()].into()), 1);
        assert_eq!(text_conversions_where_taken(&mut file, &BTreeSet::new()), 1);
        let text = prettyplease::unparse(&file);
        for expected in [
            "pub fn ttl(mut self, value: impl Input<i64>) -> Self {\n            self.ttl = set(value, \"ttl\");",
            "/// `ttl`.",
            "ttl: Field<i64>,",
            "mode: Field<super::Mode>,",
            "impl ::std::convert::From<super::Body> for Body",
            "impl ::std::convert::TryFrom<&str> for Mode",
            "impl ::std::str::FromStr for Kind",
            "pub trait Input<T>",
            "type Field<T> = ::std::result::Result<T, ::std::string::String>;",
        ] {
            assert!(text.contains(expected), "{expected} in\n{text}");
        }
        for gone in [
            "From<super::Item>",
            "TryFrom<&str> for Kind",
            "TryInto<i64>",
        ] {
            assert!(!text.contains(gone), "{gone} in\n{text}");
        }
    }
}
