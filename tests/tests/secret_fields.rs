//! Every field named in `openapi/codegen.toml` `secret_fields`, wherever the generated code has
//! it (request and response types, enum variants, the builders' fields and setters), is held in
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

/// `(owner, field, type)` of every named field called like a secret, in `items` and in the
/// `builder` module.
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
        let held = if owner.starts_with("builder::") {
            // `Field<Secret>` (`Result<Secret, String>`: the error text is not the secret).
            matches!(
                ty.replace(",>", ">").as_str(),
                "Field<super::Secret>"
                    | "Field<::std::option::Option<super::Secret>>"
                    | "Field<::std::option::Option<::std::option::Option<super::Secret>>>"
            )
        } else {
            ty.contains("Secret") && !ty.contains("String")
        };
        if !held {
            wrong.push(format!("{owner}.{field}: {ty}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "secret fields not held in Secret: {wrong:#?}"
    );
    // 38 since the login and renewal answers are one `AccessTokenResponse` (was 50).
    assert!(
        found.len() >= 35,
        "only {} secret fields found",
        found.len()
    );
}

#[test]
fn the_builders_setters_of_secret_fields_take_secrets() {
    let names = secret_names();
    let file = types_file();
    let builder = file
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, c)| c),
            _ => None,
        })
        .expect("builder module");
    let mut setters = 0;
    for item in builder {
        let syn::Item::Impl(imp) = item else { continue };
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            if !names.contains(&f.sig.ident.to_string()) {
                continue;
            }
            setters += 1;
            let sig = f.sig.to_token_stream().to_string().replace(' ', "");
            // `value: impl Input<T>`: the setter takes what converts into `T`.
            let target = sig
                .split("implInput<")
                .nth(1)
                .and_then(|rest| rest.split(")->").next())
                .unwrap_or_default();
            assert!(
                target.contains("super::Secret") && !target.contains("String"),
                "{}: {sig}",
                f.sig.ident
            );
        }
    }
    assert!(setters >= 10, "{setters} setters");
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
