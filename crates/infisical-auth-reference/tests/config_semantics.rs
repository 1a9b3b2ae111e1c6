//! Configuration semantics of the reference server over loopback (docs/infisical-behaviour.md#common-fields #trusted-ips): an
//! update keeps every field it does not name, trusted IPs are stored and answered as
//! `{ipAddress, type, prefix?}` with the address as typed, an unknown identity is a 404 on every
//! configuration operation, and a caller whose address is unknown is refused (403), never a 500.

mod common;

use std::sync::Arc;

use common::{assert_error, start, Server, ADMIN};
use infisical_auth_reference::{app, build, ReferenceConfig};
use serde_json::{json, Value};

const JSON: &str = "application/json";
const UNKNOWN: &str = "00000000-0000-4000-8000-00000000dead";

async fn call(server: &Server, method: &str, path: &str, body: Value) -> (u16, Value) {
    server
        .raw(
            method,
            path,
            Some(ADMIN),
            Some((JSON, body.to_string().into_bytes())),
        )
        .await
}

/// The configuration inside an answer's one wrapper property.
fn config(answer: &Value) -> &Value {
    answer
        .as_object()
        .and_then(|o| o.values().next())
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn an_update_keeps_every_field_it_does_not_name() {
    let server = start().await;
    // (method path segment, attach body, update body, field the update sets, fields it keeps)
    let cases = [
        (
            "kubernetes-auth",
            json!({"kubernetesHost": "https://k8s.local", "allowedNamespaces": "ns-a",
                   "allowedNames": "sa-a", "allowedAudience": "aud", "accessTokenTTL": 600}),
            json!({"allowedNamespaces": "ns-b"}),
            ("allowedNamespaces", json!("ns-b")),
            vec![
                ("kubernetesHost", json!("https://k8s.local")),
                ("allowedNames", json!("sa-a")),
                ("accessTokenTTL", json!(600)),
            ],
        ),
        (
            "token-auth",
            json!({"accessTokenTTL": 900, "accessTokenMaxTTL": 1800, "accessTokenNumUsesLimit": 7}),
            json!({"accessTokenTTL": 1200}),
            ("accessTokenTTL", json!(1200)),
            vec![
                ("accessTokenMaxTTL", json!(1800)),
                ("accessTokenNumUsesLimit", json!(7)),
            ],
        ),
        (
            "aws-auth",
            json!({"allowedAccountIds": "123456789012", "allowedPrincipalArns": "arn:aws:iam::123456789012:role/ci",
                   "accessTokenTTL": 300, "accessTokenMaxTTL": 3000}),
            json!({"accessTokenTTL": 60}),
            ("accessTokenTTL", json!(60)),
            vec![
                ("allowedAccountIds", json!("123456789012")),
                (
                    "allowedPrincipalArns",
                    json!("arn:aws:iam::123456789012:role/ci"),
                ),
                ("accessTokenMaxTTL", json!(3000)),
            ],
        ),
    ];
    for (method, attach, update, (set, set_to), kept) in cases {
        let id = server.new_identity().await;
        let path = format!("/api/v1/auth/{method}/identities/{id}");
        let (status, attached) = call(&server, "POST", &path, attach).await;
        assert_eq!(status, 200, "{method}: {attached}");
        let (status, updated) = call(&server, "PATCH", &path, update).await;
        assert_eq!(status, 200, "{method}: {updated}");
        let (status, retrieved) = server.raw("GET", &path, Some(ADMIN), None).await;
        assert_eq!(status, 200, "{method}: {retrieved}");
        for answer in [config(&updated), config(&retrieved)] {
            assert_eq!(number_or_value(&answer[set]), set_to, "{method}.{set}");
            for (field, value) in &kept {
                assert_eq!(&number_or_value(&answer[*field]), value, "{method}.{field}");
            }
        }
    }
}

/// Infisical answers numbers as floats in places; compare whole numbers as integers.
fn number_or_value(value: &Value) -> Value {
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 => json!(n as i64),
        _ => value.clone(),
    }
}

#[tokio::test]
async fn trusted_ips_are_answered_as_typed_with_their_family_and_prefix() {
    let server = start().await;
    let id = server.new_identity().await;
    let path = format!("/api/v1/auth/universal-auth/identities/{id}");
    let attach = json!({"accessTokenTrustedIps": [
        {"ipAddress": "10.1.2.3/8"},
        {"ipAddress": "2001:db8::1"},
        {"ipAddress": "::/0"}
    ]});
    let (status, attached) = call(&server, "POST", &path, attach).await;
    assert_eq!(status, 200, "{attached}");
    let (_, retrieved) = server.raw("GET", &path, Some(ADMIN), None).await;
    for answer in [&attached, &retrieved] {
        let ips = &config(answer)["accessTokenTrustedIps"];
        assert_eq!(
            ips[0],
            json!({"ipAddress": "10.1.2.3", "type": "ipv4", "prefix": 8}),
            "{answer}"
        );
        // A bare address is stored without a prefix.
        assert_eq!(
            ips[1],
            json!({"ipAddress": "2001:db8::1", "type": "ipv6"}),
            "{answer}"
        );
        assert_eq!(
            ips[2],
            json!({"ipAddress": "::", "type": "ipv6", "prefix": 0}),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn an_unknown_identity_is_404_on_every_configuration_operation() {
    let server = start().await;
    for method in [
        "universal-auth",
        "token-auth",
        "kubernetes-auth",
        "gcp-auth",
        "oidc-auth",
    ] {
        let path = format!("/api/v1/auth/{method}/identities/{UNKNOWN}");
        for verb in ["GET", "PATCH", "DELETE"] {
            let (status, body) = if verb == "PATCH" {
                call(&server, verb, &path, json!({})).await
            } else {
                server.raw(verb, &path, Some(ADMIN), None).await
            };
            assert_eq!(status, 404, "{verb} {path}: {body}");
            assert_error(&body, 404, "NotFound");
        }
    }
}

#[tokio::test]
async fn a_caller_whose_address_is_unknown_is_refused_not_a_500() {
    // Served without connect info, the server cannot tell the caller's address (docs/infisical-behaviour.md#trusted-ips:
    // Infisical answers 500 there; this server deliberately answers 403).
    let settings = ReferenceConfig {
        admin_token: ADMIN.into(),
        ..ReferenceConfig::default()
    };
    let api = build(&settings).expect("state");
    let id = api
        .create_identity(None, infisical_auth_reference::Role::NoAccess)
        .expect("identity");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let router = app(Arc::clone(&api), false);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let server = Server {
        admin: common::client_with_token(&base, Some(ADMIN)),
        anon: infisical_auth_client::Client::new(&base),
        http: reqwest::Client::new(),
        base,
    };
    let path = format!("/api/v1/auth/universal-auth/identities/{id}");
    let (status, attached) = call(&server, "POST", &path, json!({})).await;
    assert_eq!(status, 200, "{attached}");
    let (status, secret) = call(
        &server,
        "POST",
        &format!("{path}/client-secrets"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{secret}");
    let (status, body) = server
        .raw_login(&config(&attached)["clientId"], &secret["clientSecret"])
        .await;
    assert_eq!(status, 403, "{body}");
    assert_error(&body, 403, "ForbiddenError");
}
