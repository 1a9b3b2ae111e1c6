//! The client's sends: every builder's `send` as one chain into the client crate's shared
//! runtime, with the values the document declares for the operation, and redirects answered as
//! success where the document says so.

use std::collections::{BTreeMap, BTreeSet};

use quote::quote;
use syn::visit_mut::VisitMut;
use syn::{Fields, Item, Type};

use super::syntax::*;

/// Pass `route_through_runtime`: the `Client` gets a `runtime` field (retry policy, session) and
/// each builder's `send` is one chain into the client crate's `crate::runtime::Request`
/// ([`route_send`]).
pub fn route_through_runtime(
    client: &mut syn::File,
    routes: &BTreeMap<String, Route>,
) -> Result<usize, String> {
    use syn::parse::Parser;
    let mut routed = 0usize;
    for item in client.items.iter_mut() {
        match item {
            Item::Struct(s) if s.ident == "Client" => {
                let Fields::Named(named) = &mut s.fields else {
                    return Err("`Client` has no named fields".into());
                };
                let field = quote! { pub(crate) runtime: crate::runtime::Runtime };
                named.named.push(
                    syn::Field::parse_named
                        .parse2(field)
                        .map_err(|e| e.to_string())?,
                );
            }
            Item::Impl(imp) if type_ident(&imp.self_ty) == "Client" && imp.trait_.is_none() => {
                for f in fns_mut(imp).filter(|f| f.sig.ident == "new_with_client") {
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
                for it in items.iter_mut() {
                    let Item::Impl(imp) = it else { continue };
                    let builder = type_ident(&imp.self_ty);
                    for f in fns_mut(imp).filter(|f| f.sig.ident == "send") {
                        let route = routes.get(&builder).ok_or_else(|| {
                            format!("builder `{builder}` sends no operation of the document")
                        })?;
                        route_send(f, route)?;
                        routed += 1;
                    }
                }
            }
            _ => {}
        }
    }
    if routed == 0 {
        return Err("no builder `send` to route through the runtime".into());
    }
    Ok(routed)
}

/// Pass `crypto_provider_in_new`: `Client::new` builds its own `reqwest::Client`, and with the
/// client crate's `rustls-ring` feature building one before a crypto provider is installed
/// panics: `new` starts with the hand-written `crate::tls::ensure_crypto_provider()`, as
/// `Client::connect` does. Returns how many constructors it changed.
pub fn crypto_provider_in_new(client: &mut syn::File) -> usize {
    let mut changed = 0;
    for item in client.items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        if type_ident(&imp.self_ty) != "Client" || imp.trait_.is_some() {
            continue;
        }
        for f in fns_mut(imp).filter(|f| f.sig.ident == "new") {
            let install = syn::parse_quote!(crate::tls::ensure_crypto_provider(););
            f.block.stmts.insert(0, install);
            changed += 1;
        }
    }
    changed
}

/// Pass `bodies_as_values`: a client builder's body held as `types::builder::X` is held as
/// `types::X`, set whole with `body(value)` (no conversion, no `body_map`); it starts as
/// `X::default()` where `X` has one (`with_default`) and as unset, an error on `send`, where it
/// does not. Returns the number of builders changed.
pub fn bodies_as_values(client: &mut syn::File, with_default: &BTreeSet<String>) -> usize {
    let Some(items) = module_items(client, "builder") else {
        return 0;
    };
    // Operation builder -> its body type, from `body: Result<types::builder::X, String>`.
    let mut bodies: BTreeMap<String, syn::Ident> = BTreeMap::new();
    for item in items.iter_mut() {
        let Item::Struct(s) = item else { continue };
        for field in s
            .fields
            .iter_mut()
            .filter(|f| f.ident.as_ref().is_some_and(|i| i == "body"))
        {
            let Type::Path(result) = &field.ty else {
                continue;
            };
            let is_result = result.path.segments.len() == 1 && path_ends(&result.path, "Result");
            let body = type_arg(&result.path).filter(|_| is_result);
            let paths = body.map(|ty| {
                let mut paths = TypesPaths::default();
                syn::visit::Visit::visit_type(&mut paths, ty);
                paths.builders
            });
            if let Some(name) = paths.and_then(|p| p.into_iter().next()) {
                let name = ident(&name);
                field.ty = syn::parse_quote! { Result<types::#name, String> };
                bodies.insert(s.ident.to_string(), name);
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
        for f in fns_mut(imp) {
            if f.sig.ident == "body" {
                set_field(f, &ident("body"), quote!(types::#name), quote!(Ok(value)));
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
    bodies.len()
}

/// One builder's `send`: the values of its request ([`Route`]) go into a
/// `crate::runtime::Request` in one chain, which validates and sends them:
/// `crate::runtime::Request::new("getA").path(self.id).query("limit", self.limit).send(self.client).await`.
pub(super) fn route_send(f: &mut syn::ImplItemFn, route: &Route) -> Result<(), String> {
    let id = &route.id;
    let syn::ReturnType::Type(_, ret) = &f.sig.output else {
        return Err(format!("`{id}`: send returns nothing"));
    };
    let answer = match &**ret {
        Type::Path(p) => type_arg(&p.path).cloned(),
        _ => None,
    };
    let answer = answer.ok_or_else(|| format!("`{id}`: send's Ok type"))?;
    let path = &route.path;
    let (query_names, query): (Vec<&String>, Vec<&syn::Ident>) =
        route.query.iter().map(|(n, v)| (n, v)).unzip();
    let (header_names, headers): (Vec<&String>, Vec<&syn::Ident>) =
        route.headers.iter().map(|(n, v)| (n, v)).unzip();
    let body = match route.body {
        None => quote! {},
        Some(BodyKind::Json) => quote! { .json(self.body) },
        Some(BodyKind::Form) => quote! { .form(self.body) },
    };
    f.sig.output = syn::parse_quote! { -> Result<#answer, crate::Error> };
    f.block = syn::parse_quote! {{
        crate::runtime::Request::new(#id)
            #(.path(self.#path))*
            #(.query(#query_names, self.#query))*
            #(.header(#header_names, self.#headers))*
            #body
            .send(self.client)
            .await
    }};
    Ok(())
}

/// How a request body is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// What one operation's request holds, read from the document, with the builder fields that
/// hold each value (progenitor names a parameter's field after its wire name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The operationId: the runtime's key into the operation table.
    pub id: String,
    /// Path parameters' fields, in the order of the path template.
    pub path: Vec<syn::Ident>,
    /// Query parameters by wire name, sorted by it (as progenitor sends them).
    pub query: Vec<(String, syn::Ident)>,
    /// Header parameters by wire name, sorted by it.
    pub headers: Vec<(String, syn::Ident)>,
    /// The body, if the operation takes one.
    pub body: Option<BodyKind>,
}

impl Route {
    /// The route of `op`. A body that is neither JSON nor a form is refused: the shared send path
    /// validates and sends typed values only.
    pub fn of(op: &crate::document::ops::Op<'_>) -> Result<Route, String> {
        let id = op.id().unwrap_or_default().to_string();
        let field = |p: &serde_json::Value| -> Option<(String, syn::Ident)> {
            let name = p.get("name")?.as_str()?;
            Some((
                name.to_string(),
                ident(&crate::progenitor::field_name(name)),
            ))
        };
        let of_kind = |kind: &str| -> Vec<(String, syn::Ident)> {
            let mut out: Vec<_> = op
                .parameters()
                .filter(|p| p.get("in").and_then(serde_json::Value::as_str) == Some(kind))
                .filter_map(field)
                .collect();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out
        };
        let mut path = of_kind("path");
        path.sort_by_key(|(name, _)| op.path.find(&format!("{{{name}}}")).unwrap_or(usize::MAX));
        let body = match op.body_media() {
            None => None,
            Some(("application/json", _)) => Some(BodyKind::Json),
            Some(("application/x-www-form-urlencoded", _)) => Some(BodyKind::Form),
            Some((media, _)) if media.ends_with("+json") => Some(BodyKind::Json),
            Some((media, _)) => {
                return Err(format!(
                    "`{id}`: a `{media}` request body, which the shared send path cannot validate"
                ))
            }
        };
        Ok(Route {
            path: path.into_iter().map(|(_, field)| field).collect(),
            query: of_kind("query"),
            headers: of_kind("header"),
            body,
            id,
        })
    }
}

/// Pass `redirects_as_success`: in the `send` of each builder in `builders` (operations answered
/// by redirects, success without a body), 3xx is a success: `ResponseValue<()>` whose headers
/// hold `Location`. Returns the number of sends changed.
pub fn redirects_as_success(client: &mut syn::File, builders: &BTreeSet<String>) -> usize {
    struct AddArm(usize);
    impl VisitMut for AddArm {
        fn visit_expr_match_mut(&mut self, m: &mut syn::ExprMatch) {
            if matches!(&*m.expr, syn::Expr::MethodCall(c) if c.method == "as_u16") {
                let arm =
                    syn::parse_quote! { 300u16..=399u16 => Ok(ResponseValue::empty(response)), };
                m.arms.insert(0, arm);
                self.0 += 1;
            } else {
                syn::visit_mut::visit_expr_match_mut(self, m);
            }
        }
    }
    let mut add = AddArm(0);
    for item in module_items(client, "builder").into_iter().flatten() {
        let Item::Impl(imp) = item else { continue };
        if builders.contains(&type_ident(&imp.self_ty)) {
            for f in fns_mut(imp).filter(|f| f.sig.ident == "send") {
                add.visit_block_mut(&mut f.block);
            }
        }
    }
    add.0
}
