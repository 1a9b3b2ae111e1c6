//! Each construct's generated client against a loopback server that records what it received:
//! what goes on the wire (headers, query flags, media types, bodies) and what a caller gets back
//! (redirects with their Location, answers without a body, raw bytes, recursive types).

mod common;

use axum::body::Bytes;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use common::{json, last, server};
use generator_constructs::{
    answers_without_a_body as answers, component_references as refs, header_parameters as headers,
    media_types as media, primitive_unions as unions,
};

fn routes(method: &str, path: &str, body: Bytes) -> Response {
    match (method, path) {
        (_, p) if p.starts_with("/api/v1/sso/redirect/") || p == "/api/v1/moved" => (
            StatusCode::FOUND,
            [(header::LOCATION, "https://idp.example/login?state=1")],
        )
            .into_response(),
        ("DELETE", _) => StatusCode::NO_CONTENT.into_response(),
        (_, "/api/v1/errors-only") => "done, undeclared".into_response(),
        (_, "/api/v1/notes") => ([(header::CONTENT_TYPE, "text/plain")], body).into_response(),
        (_, "/api/v1/blobs") => {
            ([(header::CONTENT_TYPE, "application/octet-stream")], body).into_response()
        }
        (_, "/api/v1/auth/login") => json(serde_json::json!({"token": "t-1"})),
        (_, "/api/v1/secrets") => json(serde_json::json!({"count": 3})),
        (_, "/api/v1/auth/form-login") => json(serde_json::json!({"any": ["json", 1]})),
        (_, p) if p.starts_with("/api/v1/folders/") => json(serde_json::json!({
            "id": "root",
            "children": [{"id": "a", "children": [{"id": "a1", "children": []}]}],
            "parent": {"id": "up", "children": []}
        })),
        _ => StatusCode::OK.into_response(),
    }
}

/// A reqwest client that hands redirects back to the caller instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn header_parameters_are_sent_and_secret_ones_are_not_printed() {
    let (base, log) = server(routes).await;
    let client = headers::Client::new(&base);
    let request = client
        .login()
        .x_api_key("key-shh-123")
        .user_agent("constructs-test/1")
        .x_request_count(3);
    let printed = format!("{request:?}");
    assert!(!printed.contains("key-shh-123"), "{printed}");
    assert!(printed.contains("constructs-test/1"), "{printed}");
    let answer = request.send().await.unwrap();
    assert_eq!(answer.token, "t-1");
    let seen = last(&log);
    assert_eq!(seen.headers["x-api-key"], "key-shh-123");
    assert_eq!(seen.headers["user-agent"], "constructs-test/1");
    assert_eq!(seen.headers["x-request-count"], "3");
    // A required header left unset is refused before sending.
    let before = log.lock().unwrap().len();
    let err = client.login().send().await.unwrap_err();
    assert!(err.to_string().contains("x_api_key"), "{err}");
    assert_eq!(log.lock().unwrap().len(), before);
}

#[tokio::test]
async fn answers_without_a_body_succeed_and_redirects_show_their_location() {
    let (base, log) = server(routes).await;
    let client = answers::Client::new_with_client(&base, no_redirects());
    for answer in [
        client
            .sso_redirect()
            .provider("google")
            .send()
            .await
            .unwrap(),
        client.moved().send().await.unwrap(),
    ] {
        assert_eq!(answer.status(), 302);
        assert_eq!(
            answer.headers()[header::LOCATION],
            "https://idp.example/login?state=1"
        );
    }
    assert_eq!(last(&log).path, "/api/v1/moved");
    let deleted = client.delete_item().id("x").send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(last(&log).method, Method::DELETE);
    assert_eq!(client.ping().send().await.unwrap().status(), 200);
    // Only an error is declared: a 200 with a body is still a success, not a decode error.
    assert_eq!(client.errors_only().send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn text_bytes_and_form_bodies_go_out_in_their_media_type() {
    let (base, log) = server(routes).await;
    let client = media::Client::new(&base);
    let note = client.create_note().body("a note").send().await.unwrap();
    assert_eq!(collect(note.into_inner()).await, b"a note");
    let seen = last(&log);
    assert_eq!(seen.headers[header::CONTENT_TYPE], "text/plain");
    assert_eq!(seen.body, "a note");

    let blob = client
        .put_blob()
        .body(vec![0u8, 159, 146, 150])
        .send()
        .await
        .unwrap();
    assert_eq!(collect(blob.into_inner()).await, [0u8, 159, 146, 150]);
    assert_eq!(
        last(&log).headers[header::CONTENT_TYPE],
        "application/octet-stream"
    );

    let any = client
        .form_login()
        .body(media::types::FormLoginBody {
            ttl: Some(5),
            ..media::types::FormLoginBody::new("id-1")
        })
        .send()
        .await
        .unwrap();
    assert_eq!(any.into_inner(), serde_json::json!({"any": ["json", 1]}));
    let seen = last(&log);
    assert_eq!(
        seen.headers[header::CONTENT_TYPE],
        "application/x-www-form-urlencoded"
    );
    assert_eq!(seen.body, "clientId=id-1&ttl=5");

    // Offered as JSON and as a form: the client sends JSON.
    client
        .either_login()
        .body(media::types::EitherLoginBody {
            client_id: Some("id-2".to_string()),
        })
        .send()
        .await
        .unwrap();
    let seen = last(&log);
    assert_eq!(seen.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(seen.body, r#"{"clientId":"id-2"}"#);
}

#[tokio::test]
async fn coerced_query_flags_are_booleans_and_body_unions_are_named_by_type() {
    let (base, log) = server(routes).await;
    let client = unions::Client::new(&base);
    let listed = client
        .list_secrets()
        .recursive(true)
        .limit(20)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.count, Some(3));
    assert_eq!(last(&log).query, "limit=20&recursive=true");
    for (value, wire) in [
        (unions::types::SetSecretBodyValue::Boolean(false), "false"),
        (unions::types::SetSecretBodyValue::Number(1.5), "1.5"),
        (
            unions::types::SetSecretBodyValue::StringList(vec!["a".into()]),
            r#"["a"]"#,
        ),
        (
            unions::types::SetSecretBodyValue::String("x".into()),
            r#""x""#,
        ),
    ] {
        client
            .set_secret()
            .body(unions::types::SetSecretBody::new("K", value))
            .send()
            .await
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&last(&log).body),
            format!(r#"{{"key":"K","value":{wire}}}"#)
        );
    }
}

#[tokio::test]
async fn referenced_parameters_bodies_answers_and_recursive_schemas_work() {
    let (base, log) = server(routes).await;
    let client = refs::Client::new(&base);
    let folder = client
        .get_api_v1_folders_by_folder_id()
        .folder_id("root")
        .depth(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(folder.children[0].children[0].id, "a1");
    assert_eq!(folder.parent.as_ref().map(|p| p.id.as_str()), Some("up"));
    let seen = last(&log);
    assert_eq!(
        (seen.path.as_str(), seen.query.as_str()),
        ("/api/v1/folders/root", "depth=2")
    );
    client
        .patch_api_v1_folders_by_folder_id()
        .folder_id("root")
        .body(refs::types::PatchApiV1FoldersByFolderIdBody {
            name: Some("renamed".to_string()),
        })
        .send()
        .await
        .unwrap();
    let seen = last(&log);
    assert_eq!(seen.method, Method::PATCH);
    assert_eq!(seen.body, r#"{"name":"renamed"}"#);
}

/// A progenitor `ByteStream` read to the end.
async fn collect(stream: progenitor_client::ByteStream) -> Vec<u8> {
    use futures_util::StreamExt;
    let mut inner = stream.into_inner();
    let mut out = Vec::new();
    while let Some(chunk) = inner.next().await {
        out.extend_from_slice(&chunk.expect("a chunk"));
    }
    out
}
