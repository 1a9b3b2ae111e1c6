//! The operation table: `OPERATIONS`, one row per operation of the document (id, method, path
//! template, whether it takes a bearer token, whether it has a body, its retry class), emitted
//! into the types module. Every fact is read from the document model: the security requirements
//! in force ([`Op::secured`]), the method, and the `[retry]` exceptions of `openapi/codegen.toml`.
//! The client's send path, its session and tracing, and the server stubs' router read this one
//! table; no hand-written code classifies an operation by its id.

use quote::quote;
use serde_json::Value;

use crate::config::Config;
use crate::document::ops::{self, Op};

/// How an operation may be repeated, as the hand-written `RetryClass` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryClass {
    /// `GET` or `HEAD`.
    Read,
    /// Named in `[retry] token_lifecycle`.
    TokenLifecycle,
    /// Every other operation.
    Unrepeatable,
}

/// The retry class of `op`: from its method, unless `cfg` names it.
pub fn retry_class(op: &Op<'_>, cfg: &Config) -> RetryClass {
    let id = op.id().unwrap_or_default();
    if cfg.retry.token_lifecycle.iter().any(|named| named == id) {
        RetryClass::TokenLifecycle
    } else if matches!(op.method, "get" | "head") {
        RetryClass::Read
    } else {
        RetryClass::Unrepeatable
    }
}

/// `[retry]` entries of `cfg` that name no operation of `doc` (each with what to do).
pub fn unused_entries(doc: &Value, cfg: &Config) -> Vec<String> {
    let operations = ops::operations(doc);
    cfg.retry
        .token_lifecycle
        .iter()
        .filter(|id| !operations.iter().any(|op| op.id() == Some(id.as_str())))
        .map(|id| format!("codegen.toml [retry] token_lifecycle `{id}`: no operation has this operationId (remove the entry)"))
        .collect()
}

/// `pub const OPERATIONS: [crate::Operation; N]`, in document order (path, then method).
pub fn item(doc: &Value, cfg: &Config) -> syn::Item {
    let operations = ops::operations(doc);
    let count = proc_macro2::Literal::usize_unsuffixed(operations.len());
    let rows = operations.iter().map(|op| {
        let id = op.id().unwrap_or_default();
        let method = op.method.to_uppercase();
        let path = op.path;
        let secured = op.secured(doc);
        let has_body = op.body_media().is_some();
        let retry = match retry_class(op, cfg) {
            RetryClass::Read => quote!(Read),
            RetryClass::TokenLifecycle => quote!(TokenLifecycle),
            RetryClass::Unrepeatable => quote!(Unrepeatable),
        };
        quote! {
            crate::Operation {
                id: #id,
                method: #method,
                path: #path,
                secured: #secured,
                has_body: #has_body,
                retry: crate::RetryClass::#retry,
            }
        }
    });
    syn::parse_quote! {
        /// Every operation of the API, in document order (path, then method): what the client's
        /// send path, its session and the server stubs' router know of each.
        pub const OPERATIONS: [crate::Operation; #count] = [#(#rows),*];
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bearer_and_retry_class_come_from_the_document_and_the_config() {
        let doc = json!({
            "openapi": "3.0.3",
            "security": [{"bearerAuth": []}],
            "paths": {
                "/a": {"get": {"operationId": "getA"}, "post": {"operationId": "loginA", "security": []}},
                "/renew": {"post": {"operationId": "renewA", "security": [],
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}}
            }
        });
        let mut cfg = Config::default();
        cfg.retry.token_lifecycle = vec!["renewA".into()];
        let text = prettyplease::unparse(&crate::progenitor::file_of(vec![item(&doc, &cfg)]));
        let row = |id: &str| {
            let at = text.find(&format!("id: \"{id}\"")).expect(id);
            text[at..]
                .split('}')
                .next()
                .unwrap()
                .replace(char::is_whitespace, "")
        };
        assert!(row("getA").contains("secured:true"), "{text}");
        assert!(row("getA").contains("RetryClass::Read"), "{text}");
        assert!(row("loginA").contains("secured:false"), "{text}");
        assert!(row("loginA").contains("RetryClass::Unrepeatable"), "{text}");
        assert!(
            row("renewA").contains("RetryClass::TokenLifecycle"),
            "{text}"
        );
        assert!(row("renewA").contains("has_body:true"), "{text}");
        assert!(unused_entries(&doc, &cfg).is_empty());
        cfg.retry.token_lifecycle.push("gone".into());
        let unused = unused_entries(&doc, &cfg);
        assert_eq!(unused.len(), 1);
        assert!(unused[0].contains("`gone`"), "{unused:?}");
    }
}
