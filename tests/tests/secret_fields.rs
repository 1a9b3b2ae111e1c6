//! Every field named in `openapi/codegen.toml` `secret_fields`, wherever the generated code has
//! it (request and response types, enum variants, the request bodies' constructors), is held in
//! `types::Secret`, which never prints its content. The list is derived from the configuration
//! and the generated code, so a new secret field or a new type holding one cannot be missed.

use std::collections::BTreeSet;
use std::path::Path;

use heck::ToSnakeCase;
use infisical_auth_types::Secret;
use quote::ToTokens;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn secret_names() -> BTreeSet<String> {
    let cfg = xtask::config::Config::load(&root().join("openapi/codegen.toml")).expect("config");
    assert!(!cfg.secret_fields.is_empty());
    cfg.secret_fields
        .iter()
        .map(|f| f.to_snake_case())
        .collect()
}

fn types_file() -> syn::File {
    let text = std::fs::read_to_string(root().join("crates/infisical-auth-types/src/generated.rs"))
        .expect("generated types");
    syn::parse_file(&text).expect("parses")
}

/// `(owner, field, type)` of every named field called like a secret, in `items` and in any
/// module.
fn secret_fields(
    items: &[syn::Item],
    names: &BTreeSet<String>,
    out: &mut Vec<(String, String, String)>,
) {
    for item in items {
        let mut fields = |owner: String, fields: &syn::Fields| {
            for f in fields.iter() {
                if let Some(ident) = &f.ident {
                    if names.contains(&ident.to_string()) {
                        out.push((owner.clone(), ident.to_string(), type_text(&f.ty)));
                    }
                }
            }
        };
        match item {
            syn::Item::Struct(s) => fields(s.ident.to_string(), &s.fields),
            syn::Item::Enum(e) => {
                for v in &e.variants {
                    fields(format!("{}::{}", e.ident, v.ident), &v.fields);
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let mut nested = Vec::new();
                    secret_fields(inner, names, &mut nested);
                    out.extend(
                        nested
                            .into_iter()
                            .map(|(o, f, t)| (format!("{}::{o}", m.ident), f, t)),
                    );
                }
            }
            _ => {}
        }
    }
}

fn type_text(ty: &syn::Type) -> String {
    ty.to_token_stream().to_string().replace(' ', "")
}

#[test]
fn every_secret_field_is_held_in_secret() {
    let names = secret_names();
    let file = types_file();
    let mut found = Vec::new();
    secret_fields(&file.items, &names, &mut found);
    let seen: BTreeSet<&str> = found.iter().map(|(_, f, _)| f.as_str()).collect();
    for name in &names {
        // `authorization` of OCI is a field; every configured name is found somewhere.
        assert!(seen.contains(name.as_str()), "no generated field `{name}`");
    }
    let mut wrong = Vec::new();
    for (owner, field, ty) in &found {
        let held = ty.contains("Secret") && !ty.contains("String");
        if !held {
            wrong.push(format!("{owner}.{field}: {ty}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "secret fields not held in Secret: {wrong:#?}"
    );
    // 22 since the types crate has no builders (38 with them; 50 before the login and renewal
    // answers were one `AccessTokenResponse`).
    assert!(
        found.len() >= 20,
        "only {} secret fields found",
        found.len()
    );
}

#[test]
fn the_constructors_take_secret_fields_as_secrets() {
    let names = secret_names();
    let mut params = 0;
    for item in types_file().items {
        let syn::Item::Impl(imp) = item else { continue };
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if f.sig.ident != "new" {
                continue;
            }
            for input in &f.sig.inputs {
                let syn::FnArg::Typed(arg) = input else {
                    continue;
                };
                let name = arg.pat.to_token_stream().to_string();
                if !names.contains(&name) {
                    continue;
                }
                params += 1;
                // `impl Into<Secret>`: a `&str` or `String` goes straight into a `Secret`.
                let ty = type_text(&arg.ty);
                assert!(
                    ty.contains("Into<Secret>")
                        || ty.contains("Into<::std::option::Option<Secret>>"),
                    "{}::new({name}: {ty})",
                    type_text(&imp.self_ty)
                );
            }
        }
    }
    assert!(params >= 10, "{params} secret parameters");
}

#[test]
fn no_newtype_wraps_a_secret_field() {
    // typify makes constrained strings newtypes that derive Debug; for secret fields they are
    // replaced by Secret and removed, so none is left named after a secret field.
    let names: Vec<String> = secret_names()
        .iter()
        .map(|n| heck::ToUpperCamelCase::to_upper_camel_case(n.as_str()))
        .collect();
    for item in types_file().items {
        let syn::Item::Struct(s) = item else { continue };
        if !matches!(s.fields, syn::Fields::Unnamed(_)) {
            continue;
        }
        let name = s.ident.to_string();
        assert!(
            !names.iter().any(|n| name.ends_with(n.as_str())),
            "{name} holds a secret field's value in a newtype"
        );
    }
}

#[test]
fn secret_never_prints_and_is_read_explicitly() {
    let secret = Secret::from("s3cr3t-value");
    assert_eq!(format!("{secret:?}"), "<redacted>");
    assert_eq!(secret.expose_secret(), "s3cr3t-value");
    assert_eq!(
        serde_json::to_value(&secret).unwrap(),
        serde_json::json!("s3cr3t-value")
    );
    let ldap: infisical_auth_types::LoginWithLdapAuthBody = serde_json::from_value(
        serde_json::json!({"identityId": "00000000-0000-4000-8000-000000000000", "username": "u", "password": "pw-secret"}),
    )
    .unwrap();
    assert!(!format!("{ldap:?}").contains("pw-secret"));
    assert_eq!(ldap.password.expose_secret(), "pw-secret");
}
