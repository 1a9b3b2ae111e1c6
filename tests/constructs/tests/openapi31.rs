//! The OpenAPI 3.1 constructs' generated clients against a loopback server: `null` decodes as
//! `None` where a 3.1 `type` list, `enum` or union admits it and PATCH bodies send it; `const` and
//! numeric exclusive bounds shape what can be built; a union of types and bytes go on the wire as
//! declared; a `$defs` schema and a referenced path item are typed and called.

mod common;

use std::num::NonZeroU64;

use axum::body::Bytes;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use common::{json, last, server, Seen};
use generator_constructs::{
    openapi31_components as components, openapi31_keywords as keywords,
    openapi31_nullable as nullable,
};
use serde_json::{json, Value};

fn routes(method: &str, path: &str, _body: Bytes) -> Response {
    match (method, path) {
        ("GET", "/api/v2/identities/i-1") => json(json!({
            "id": "i-1", "name": null, "role": "admin", "owner": null, "lastLogin": null,
            "team": {"id": "t-1"}
        })),
        ("PATCH", "/api/v2/identities/i-1") => json(json!({
            "id": "i-1", "name": "ci", "role": "member", "owner": {"id": "o-1"},
            "lastLogin": "2024-05-06T07:08:09Z", "team": null
        })),
        ("POST", "/api/v2/tokens") => json(json!({"kind": "access", "ttl": 3600, "label": null})),
        ("PUT", p) if p.starts_with("/api/v2/avatars/") => StatusCode::NO_CONTENT.into_response(),
        ("GET", "/api/v2/projects/p-1") => json(json!({
            "id": "p-1",
            "environments": [{"slug": "dev", "position": 0}, {"slug": "prod"}]
        })),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn body_json(seen: &Seen) -> Value {
    serde_json::from_slice(&seen.body).expect("a JSON body")
}

#[tokio::test]
async fn null_decodes_as_none_and_patch_bodies_send_it() {
    let (base, log) = server(routes).await;
    let client = nullable::Client::new(&base);
    let identity = client
        .get_identity()
        .identity_id("i-1")
        .send()
        .await
        .unwrap();
    // `type: [string, "null"]`, `anyOf` with `{type: "null"}` around a `$ref`, `oneOf` with it,
    // and a `$ref` beside a `"null"` type: each an `Option` that takes `null`.
    assert_eq!(identity.name, None);
    assert_eq!(identity.owner, None);
    assert_eq!(identity.last_login, None);
    assert_eq!(identity.team.as_ref().map(|t| t.id.as_str()), Some("t-1"));
    // A `$ref` with a description beside it is the referenced type.
    assert_eq!(identity.role, nullable::types::Role::Admin);
    // A PATCH body field of `type: [string, "null"]` has three states: absent, null, a value;
    // `null` among `enum` values is the null state of the enum.
    let body = nullable::types::UpdateIdentityBody {
        name: Some(None),
        role: Some(Some(nullable::types::UpdateIdentityBodyRole::Member)),
    };
    let updated = client
        .update_identity()
        .identity_id("i-1")
        .body(body)
        .send()
        .await
        .unwrap();
    let seen = last(&log);
    assert_eq!(seen.method, Method::PATCH);
    assert_eq!(body_json(&seen), json!({"name": null, "role": "member"}));
    assert_eq!(updated.owner.as_ref().map(|o| o.id.as_str()), Some("o-1"));
    assert_eq!(
        updated.last_login.map(|t| t.to_rfc3339()),
        Some("2024-05-06T07:08:09+00:00".to_string())
    );
    assert_eq!(updated.team, None);
    // The role enum takes no value outside its list (null aside).
    assert!(
        serde_json::from_value::<nullable::types::UpdateIdentityBody>(json!({"role": "owner"}))
            .is_err()
    );
}

#[tokio::test]
async fn const_bounds_unions_and_bytes_take_their_declared_shapes() {
    let (base, log) = server(routes).await;
    let client = keywords::Client::new(&base);
    let body = keywords::types::CreateTokenBody {
        kind: keywords::types::CreateTokenBodyKind::Access,
        ttl: NonZeroU64::new(3600).unwrap(),
        label: Some(keywords::types::CreateTokenBodyLabel::Integer(7)),
        certificate: Some("LS0tLS1CRUdJTg==".into()),
    };
    let token = client.create_token().body(body).send().await.unwrap();
    let seen = last(&log);
    assert_eq!(
        body_json(&seen),
        json!({"kind": "access", "ttl": 3600, "label": 7, "certificate": "LS0tLS1CRUdJTg=="})
    );
    assert_eq!(token.kind, keywords::types::CreateTokenResponseKind::Access);
    assert_eq!(token.ttl, 3600);
    assert_eq!(token.label, None, "a type list with \"null\" decodes null");
    // `const` admits its one value; the numeric `exclusiveMinimum: 0` makes zero unrepresentable.
    let decode = |v: Value| serde_json::from_value::<keywords::types::CreateTokenBody>(v);
    assert!(decode(json!({"kind": "access", "ttl": 1, "label": "ci"})).is_ok());
    assert!(decode(json!({"kind": "refresh", "ttl": 1})).is_err());
    assert!(decode(json!({"kind": "access", "ttl": 0})).is_err());
    // A body whose schema says `contentMediaType: image/png` goes as the bytes given.
    client
        .put_avatar()
        .identity_id("i-1")
        .body(vec![0x89, b'P', b'N', b'G'])
        .send()
        .await
        .unwrap();
    let seen = last(&log);
    assert_eq!(seen.method, Method::PUT);
    assert_eq!(seen.path, "/api/v2/avatars/i-1");
    assert_eq!(
        seen.headers[header::CONTENT_TYPE],
        "application/octet-stream"
    );
    assert_eq!(&seen.body[..], &[0x89, b'P', b'N', b'G']);
}

#[tokio::test]
async fn defs_and_referenced_path_items_are_typed_and_called() {
    let (base, log) = server(routes).await;
    let client = components::Client::new(&base);
    let project = client.get_project().project_id("p-1").send().await.unwrap();
    assert_eq!(last(&log).path, "/api/v2/projects/p-1");
    // The `$defs` schema is a type of its own, named by its key.
    let environments: &Vec<components::types::Environment> = &project.environments;
    let slugs: Vec<(&str, Option<u64>)> = environments
        .iter()
        .map(|e| (e.slug.as_str(), e.position))
        .collect();
    assert_eq!(slugs, [("dev", Some(0)), ("prod", None)]);
}
