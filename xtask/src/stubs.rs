//! Server-stub generator: from the fixed-up document, a trait with one async method per operation
//! and one tower service (in an axum router) serving every route for any implementation (issue 4).
//!
//! The generated code stays small: one trait method, one table row and one short handler per
//! operation. Everything generic (reading and checking the request, the error contract, panics,
//! request ids) lives in the hand-written `runtime` module of the server crate.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use crate::document::ops::{self, Op};
use crate::progenitor::{Answer, OperationMap};

/// One parameter of an operation (path or query).
struct Param {
    wire: String,
    rust: syn::Ident,
    ty: TokenStream,
    required: bool,
}

/// What the generator needs to know about one operation.
struct OpInfo {
    id: String,
    method: &'static str,
    path: String,
    secured: bool,
    path_params: Vec<Param>,
    query_params: Vec<Param>,
    /// The body's type, as progenitor named it, in the types crate.
    body: Option<TokenStream>,
    /// The success answer's type in the types crate (`()` when the answer has no body).
    response: TokenStream,
}

/// Generates the server-stub crate's `generated.rs` items. `types_crate` is the Rust name of the
/// shared types crate; `operations` names the types progenitor generated for each operation.
pub fn generate(
    fixed: &Value,
    operations: &OperationMap,
    types_crate: &str,
) -> Result<syn::File, String> {
    let ops: Vec<OpInfo> = ops::operations(fixed)
        .iter()
        .map(|op| op_info(fixed, operations, op, types_crate))
        .collect::<Result<_, _>>()?;

    let types = format_ident!("{}", types_crate);
    let mut query_structs = Vec::new();
    let mut trait_methods = Vec::new();
    let mut handlers = Vec::new();

    for (index, op) in ops.iter().enumerate() {
        let camel = op.id.to_upper_camel_case();
        let snake = format_ident!("{}", op.id.to_snake_case());
        let response = &op.response;
        let query_ty = format_ident!("{}Query", camel);
        let id = &op.id;
        let method_upper = op.method.to_uppercase();
        let path = &op.path;
        let secured = op.secured;

        // Trait method.
        let mut args = Vec::new();
        let mut call = Vec::new();
        for p in &op.path_params {
            let (rust, wire) = (&p.rust, &p.wire);
            args.push(quote! { #rust: String });
            call.push(quote! { input.path(#wire) });
        }
        if !op.query_params.is_empty() {
            args.push(quote! { query: #query_ty });
            call.push(quote! { input.query()? });
            let fields = op.query_params.iter().map(|p| {
                let (rust, wire, ty) = (&p.rust, &p.wire, &p.ty);
                let doc = format!("`{wire}`{}.", if p.required { "" } else { " (optional)" });
                if p.required {
                    quote! { #[doc = #doc] #[serde(rename = #wire)] pub #rust: #ty, }
                } else {
                    quote! {
                        #[doc = #doc]
                        #[serde(rename = #wire, default, skip_serializing_if = "Option::is_none")]
                        pub #rust: Option<#ty>,
                    }
                }
            });
            let doc = format!("The query parameters of `{id}`.");
            query_structs.push(quote! {
                #[doc = #doc]
                #[derive(Clone, Debug, Default, PartialEq, serde::Deserialize, serde::Serialize)]
                pub struct #query_ty { #(#fields)* }
            });
        }
        if let Some(body_ty) = &op.body {
            args.push(quote! { body: #body_ty });
            call.push(quote! { input.body()? });
        }
        let doc = format!(
            "`{method_upper} {path}` (`{id}`){}.",
            if secured {
                ", bearer token required"
            } else {
                ", no authentication"
            }
        );
        trait_methods.push(quote! {
            #[doc = #doc]
            fn #snake(&self, #(#args,)* ctx: RequestContext)
                -> impl Future<Output = Result<#response, ApiError>> + Send;
        });

        // Handler: an arm of the dispatch.
        let index_lit = proc_macro2::Literal::usize_unsuffixed(index);
        handlers.push(quote! {
            #index_lit => Box::pin(runtime::serve_routed(&#types::OPERATIONS[#index_lit], request, path, api, |api, mut input| async move {
                api.#snake(#(#call,)* input.take_context()).await
            })),
        });
    }

    let file: syn::File = syn::parse2(quote! {
        use std::future::Future;
        use std::sync::Arc;

        use axum::extract::Request;

        use crate::runtime::{self, RequestContext};
        use crate::ApiError;

        #(#query_structs)*

        /// The API: one async method per operation. Implement it and serve it with [`router`](crate::router).
        ///
        /// Each method receives the typed path parameters, query and body, already checked against
        /// the contract (authentication present and accepted by [`authenticate`], JSON well formed,
        /// every validation rule), and the [`RequestContext`]. It returns the typed 200 body or an
        /// [`ApiError`], which the router renders as Infisical's error body.
        ///
        /// [`authenticate`]: InfisicalAuthApi::authenticate
        pub trait InfisicalAuthApi: Send + Sync + 'static {
            /// Decides whether the bearer token of a secured operation is accepted, before the
            /// request's body is read or validated: as Infisical does, an unknown token is a 401
            /// (and a token used from outside its trusted IPs a 403) whatever the body holds.
            /// `ctx.bearer_token` is always present here. The default accepts every token.
            fn authenticate(&self, ctx: &RequestContext) -> impl Future<Output = Result<(), ApiError>> + Send {
                let _ = ctx;
                async { Ok(()) }
            }

            #(#trait_methods)*
        }

        /// Every operation of the API on `api` as one tower service, with Infisical's error
        /// contract enforced before each handler runs and unknown routes answered 404. Trailing
        /// slashes are not ignored here: the crate's `router` does that (or serve this behind
        /// `runtime::IgnoreTrailingSlashes`).
        pub fn service<T: InfisicalAuthApi>(api: Arc<T>) -> runtime::ApiService<T> {
            runtime::ApiService::new(api, &#types::OPERATIONS, dispatch::<T>)
        }

        /// One handler per operation: read and check the request, call the trait, answer.
        fn dispatch<T: InfisicalAuthApi>(
            index: usize,
            api: Arc<T>,
            request: Request,
            path: runtime::PathParams,
        ) -> runtime::HandlerFuture {
            match index {
                #(#handlers)*
                _ => Box::pin(runtime::not_found(request)),
            }
        }
    })
    .map_err(|e| format!("server stubs do not parse: {e}"))?;
    Ok(file)
}

/// `ty` as the client names it (`types::X`), with `types` replaced by the types crate.
fn in_types_crate(ty: &syn::Type, types: &syn::Ident) -> TokenStream {
    struct Rename<'a>(&'a syn::Ident);
    impl syn::visit_mut::VisitMut for Rename<'_> {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            if path.leading_colon.is_none()
                && path.segments.len() > 1
                && path.segments.first().is_some_and(|s| s.ident == "types")
            {
                if let Some(first) = path.segments.first_mut() {
                    first.ident = self.0.clone();
                }
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    let mut ty = ty.clone();
    syn::visit_mut::VisitMut::visit_type_mut(&mut Rename(types), &mut ty);
    quote! { #ty }
}

fn op_info(
    doc: &Value,
    operations: &OperationMap,
    op: &Op<'_>,
    types_crate: &str,
) -> Result<OpInfo, String> {
    let here = op.pointer();
    let id = op
        .id()
        .ok_or_else(|| format!("{here}: no operationId"))?
        .to_string();
    let secured = op.secured(doc);
    let names = crate::progenitor::types_of(operations, op)
        .ok_or_else(|| format!("{here}: progenitor generated no builder for this operation"))?;
    let types = syn::Ident::new(types_crate, Span::call_site());
    let body = match (op.body_media(), &names.body) {
        (None, _) => None,
        (Some(_), Some(ty)) if op.body_schema().is_some() => Some(in_types_crate(ty, &types)),
        (Some((media, _)), _) => {
            return Err(format!(
                "{here}/requestBody: server stubs take JSON or form bodies, not `{media}` (no typed body was generated)"
            ))
        }
    };
    let response = match &names.response {
        Answer::Type(ty) => in_types_crate(ty, &types),
        Answer::Empty => quote! { () },
        Answer::Raw => {
            return Err(format!(
                "{here}/responses: server stubs answer JSON or nothing; this operation's success answer is not JSON"
            ))
        }
    };
    let mut path_params = Vec::new();
    let mut query_params = Vec::new();
    for param in op
        .op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = param
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{here}: a parameter without a name"))?;
        let location = param.get("in").and_then(Value::as_str).unwrap_or("");
        let schema = param.get("schema").unwrap_or(&Value::Null);
        let p = Param {
            wire: name.to_string(),
            rust: rust_ident(&name.to_snake_case()),
            ty: scalar_type(schema).ok_or_else(|| {
                format!("{here}: parameter `{name}` is not a string, number, integer or boolean")
            })?,
            required: param.get("required") == Some(&Value::Bool(true)),
        };
        match location {
            "path" => path_params.push(p),
            "query" => query_params.push(p),
            // Headers and cookies are available to implementations through the context only.
            _ => {}
        }
    }
    // Path parameters in the order the template names them.
    path_params.sort_by_key(|p| {
        op.path
            .find(&format!("{{{}}}", p.wire))
            .unwrap_or(usize::MAX)
    });
    Ok(OpInfo {
        id,
        method: op.method,
        path: op.path.to_string(),
        secured,
        path_params,
        query_params,
        body,
        response,
    })
}

/// The Rust type of a scalar parameter schema.
fn scalar_type(schema: &Value) -> Option<TokenStream> {
    Some(match schema.get("type").and_then(Value::as_str)? {
        "string" => quote! { String },
        "number" => quote! { f64 },
        "integer" => quote! { i64 },
        "boolean" => quote! { bool },
        _ => return None,
    })
}

fn rust_ident(name: &str) -> syn::Ident {
    syn::parse_str::<syn::Ident>(name)
        .unwrap_or_else(|_| syn::Ident::new_raw(name, Span::call_site()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn one_method_route_and_handler_per_operation() {
        let doc = json!({
            "openapi": "3.0.3",
            "paths": {
                "/a/{id}": {
                    "get": {"operationId": "getA", "security": [{"bearerAuth": []}],
                        "parameters": [{"in": "path", "name": "id", "required": true, "schema": {"type": "string"}},
                                       {"in": "query", "name": "limit", "schema": {"type": "number"}}]},
                    "post": {"operationId": "loginA",
                        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}
                }
            }
        });
        let ty = |name: &str| syn::parse_str::<syn::Type>(&format!("types::{name}")).unwrap();
        let types =
            |builder: &str, body: Option<&str>, response: &str| crate::progenitor::OperationTypes {
                id: String::new(),
                builder: builder.into(),
                method: String::new(),
                body: body.map(ty),
                response: crate::progenitor::Answer::Type(Box::new(ty(response))),
            };
        let mut operations = crate::progenitor::OperationMap::new();
        operations.insert(
            ("get".into(), "/a/{id}".into()),
            types("GetA", None, "GetAResponse"),
        );
        // Names as progenitor gave them, not as a convention would derive them.
        operations.insert(
            ("post".into(), "/a/{id}".into()),
            types("LoginA", Some("LoginABody2"), "Answer"),
        );
        let file = super::generate(&doc, &operations, "types_crate").expect("generates");
        let text = prettyplease::unparse(&file);
        assert!(text.contains("fn get_a("), "{text}");
        assert!(text.contains("pub struct GetAQuery"), "{text}");
        assert!(text.contains("body: types_crate::LoginABody2"), "{text}");
        assert!(
            text.contains("Result<types_crate::Answer, ApiError>"),
            "{text}"
        );
        assert!(text.contains("bearer token required"), "{text}");
        assert!(text.contains("no authentication"), "{text}");
        // The router reads the types crate's operation table.
        assert!(text.contains("&types_crate::OPERATIONS[1],"), "{text}");
        assert!(text.contains("runtime::serve_routed("), "{text}");
        assert!(!text.contains("const OPERATIONS"), "{text}");
        operations.remove(&("post".to_string(), "/a/{id}".to_string()));
        let err = super::generate(&doc, &operations, "types_crate").unwrap_err();
        assert!(err.starts_with("/paths/~1a~1{id}/post:"), "{err}");
    }
}
