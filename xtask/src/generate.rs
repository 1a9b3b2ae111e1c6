//! Generate stage: the fixed-up document through progenitor-impl (builder style), split into the
//! shared types module and the client code.

use proc_macro2::TokenStream;
use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use serde_json::Value;

use crate::Error;

/// Progenitor's output, split.
pub struct Generated {
    /// Items of progenitor's `types` module: every schema type, their builders and defaults.
    pub types: syn::File,
    /// The client: `Client`, one builder per operation, prelude; without the `types` module.
    pub client: syn::File,
}

/// The settings every generation uses.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    settings
}

/// Runs progenitor on the fixed-up document. Progenitor panics on some shapes; a panic is caught
/// and reported as an error rather than crashing the xtask.
pub fn generate(doc: &Value) -> Result<Generated, Error> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc.clone()).map_err(|e| {
        Error::Generate(format!(
            "the fixed-up document is not valid OpenAPI 3.0: {e}"
        ))
    })?;
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(|| {
        let mut generator = Generator::new(&settings());
        generator.generate_tokens(&spec)
    });
    std::panic::set_hook(previous_hook);
    let tokens: TokenStream = match result {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(e)) => {
            return Err(Error::Generate(format!(
                "progenitor refused the document: {e}"
            )))
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            return Err(Error::Generate(format!(
                "progenitor could not generate this document ({what}); this usually means a construct the check and fix-up stages do not cover yet: add a fix-up pass in xtask/src/fixups.rs"
            )));
        }
    };
    split(tokens)
}

/// Splits progenitor's single file into the `types` module's items and the rest.
pub fn split(tokens: TokenStream) -> Result<Generated, Error> {
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| Error::Generate(format!("progenitor emitted unparsable code: {e}")))?;
    let mut types = None;
    let mut rest = Vec::new();
    for item in file.items.into_iter() {
        match item {
            syn::Item::Mod(m) if m.ident == "types" => types = m.content.map(|(_, items)| items),
            other => rest.push(other),
        }
    }
    let types =
        types.ok_or_else(|| Error::Generate("progenitor emitted no `types` module".into()))?;
    Ok(Generated {
        types: file_of(types),
        client: file_of(rest),
    })
}

/// A file holding `items`.
pub fn file_of(items: Vec<syn::Item>) -> syn::File {
    let mut file: syn::File = syn::parse_quote! {};
    file.items = items;
    file
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_progenitor_panic_is_an_error_not_a_crash() {
        // Two different success bodies in one operation: progenitor asserts there is one.
        let body = |schema: Value| json!({"description": "", "content": {"application/json": {"schema": schema}}});
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"operationId": "getA", "responses": {
                "200": body(json!({"type": "string"})),
                "201": body(json!({"type": "integer"}))
            }}}}
        });
        let err = generate(&doc)
            .err()
            .expect("progenitor cannot generate this");
        let text = err.to_string();
        assert!(text.starts_with("generation failed:"), "{text}");
    }

    #[test]
    fn the_default_spec_splits_into_types_and_client() {
        let spec: Value =
            serde_json::from_str(include_str!("../../openapi/infisical-identity-auth.json"))
                .unwrap();
        let cfg: crate::config::Config =
            toml::from_str(include_str!("../../openapi/codegen.toml")).unwrap();
        let fixed = crate::fixups::apply(&spec, &cfg).unwrap();
        let generated = generate(&fixed).unwrap();
        let has = |file: &syn::File, name: &str| {
            file.items
                .iter()
                .any(|i| matches!(i, syn::Item::Struct(s) if s.ident == name))
        };
        assert!(has(&generated.types, "ErrorResponse"));
        assert!(has(&generated.client, "Client"));
        assert!(!generated
            .client
            .items
            .iter()
            .any(|i| matches!(i, syn::Item::Mod(m) if m.ident == "types")));
    }
}
