//! The error contract the router enforces before any handler runs (docs/infisical-behaviour.md#order-of-checks #error-bodies), over
//! raw HTTP: 401 without a token, 422 with every issue, 400 for an invalid IP with its path,
//! 400 for malformed JSON, 415, 413, 404 for unknown routes, and a panic as a bare 500. Every
//! error body is `{reqId, statusCode, message, error}` with a fresh `req-` id.

mod common;

use std::collections::BTreeSet;

use axum::extract::Request;
use common::{assert_error, start, ADMIN};
use infisical_auth_reference::ReferenceApi;
use infisical_auth_server::runtime::serve;
use infisical_auth_server::{ApiError, OPERATIONS};
use serde_json::{json, Value};

const UA: &str = "/api/v1/auth/universal-auth/identities/00000000-0000-4000-8000-000000000000";
const JSON: &str = "application/json";

#[tokio::test]
async fn every_secured_operation_wants_a_token() {
    let server = start().await;
    for op in OPERATIONS.iter() {
        let path = op
            .path
            .replace("{identityId}", "00000000-0000-4000-8000-000000000000")
            .replace("{clientSecretId}", "s");
        let path = path.replace("{tokenId}", "t");
        let (status, body) = server
            .raw(op.method, &path, None, Some((JSON, b"{}".to_vec())))
            .await;
        if op.secured {
            assert_eq!(status, 401, "{}", op.id);
            assert_error(&body, 401, "UnauthorizedError");
            assert_eq!(body["message"], json!("Token missing"));
        } else {
            assert_ne!(status, 401, "{} needs no token", op.id);
        }
    }
    // A token that is neither the admin token nor one this server issued.
    let (status, body) = server.raw("GET", UA, Some("not-a-token"), None).await;
    assert_eq!(status, 401);
    assert_error(&body, 401, "UnauthorizedError");
}

#[tokio::test]
async fn validation_failures_list_every_issue() {
    let server = start().await;
    let bad =
        json!({"accessTokenTTL": "3600", "lockoutThreshold": 50, "accessTokenNumUsesLimit": -1});
    let (status, body) = server
        .raw(
            "POST",
            UA,
            Some(ADMIN),
            Some((JSON, bad.to_string().into_bytes())),
        )
        .await;
    assert_eq!(status, 422);
    assert_error(&body, 422, "ValidationFailure");
    let paths: BTreeSet<String> = body["message"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|issue| issue["path"][0].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "accessTokenNumUsesLimit",
            "accessTokenTTL",
            "lockoutThreshold"
        ]
        .map(String::from)
        .into(),
        "{body}"
    );

    // A null or missing body is a 422 too, never a 500.
    let (status, body) = server
        .raw("POST", UA, Some(ADMIN), Some((JSON, b"null".to_vec())))
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = server
        .raw("POST", "/api/v1/auth/universal-auth/login", None, None)
        .await;
    assert_eq!(status, 422, "{body}");
    // TTL above MaxTTL on attach.
    let (status, body) = server
        .raw(
            "POST",
            UA,
            Some(ADMIN),
            Some((
                JSON,
                br#"{"accessTokenTTL": 100, "accessTokenMaxTTL": 10}"#.to_vec(),
            )),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    // A query out of range.
    let (status, body) = server
        .raw("GET", "/api/v1/auth/token-auth/identities/00000000-0000-4000-8000-000000000000/tokens?limit=1000", Some(ADMIN), None)
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = server
        .raw("GET", "/api/v1/auth/token-auth/identities/00000000-0000-4000-8000-000000000000/tokens?limit=abc", Some(ADMIN), None)
        .await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn an_invalid_ip_is_a_400_with_its_path() {
    let server = start().await;
    let body = json!({"clientSecretTrustedIps": [{"ipAddress": "10.0.0.0/8"}, {"ipAddress": "10.0.0.300"}]});
    let (status, body) = server
        .raw(
            "POST",
            UA,
            Some(ADMIN),
            Some((JSON, body.to_string().into_bytes())),
        )
        .await;
    assert_eq!(status, 400);
    assert_error(&body, 400, "BadRequest");
    assert_eq!(
        body["message"],
        json!("The IP is not a valid IPv4, IPv6, or CIDR block")
    );
    assert_eq!(
        body["details"]["path"],
        json!(["clientSecretTrustedIps", 1, "ipAddress"])
    );
}

#[tokio::test]
async fn malformed_json_wrong_media_type_and_oversized_bodies() {
    let server = start().await;
    let (status, body) = server
        .raw(
            "POST",
            UA,
            Some(ADMIN),
            Some((JSON, b"{\"accessTokenTTL\": ".to_vec())),
        )
        .await;
    assert_eq!(status, 400);
    assert_error(&body, 400, "BadRequest");

    let (status, body) = server
        .raw(
            "POST",
            UA,
            Some(ADMIN),
            Some(("text/plain", b"{}".to_vec())),
        )
        .await;
    assert_eq!(status, 415);
    assert_error(&body, 415, "UnsupportedMediaType");

    let mut big = b"{\"description\": \"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
    big.extend(b"\"}");
    let (status, body) = server
        .raw(
            "POST",
            &format!("{UA}/client-secrets"),
            Some(ADMIN),
            Some((JSON, big)),
        )
        .await;
    assert_eq!(status, 413);
    assert_error(&body, 413, "PayloadTooLarge");
}

#[tokio::test]
async fn unknown_routes_are_404_in_the_same_shape() {
    let server = start().await;
    for (method, path) in [
        ("GET", "/nope"),
        ("GET", "/api/v1/auth/universal-auth/login"),
        ("PUT", UA),
    ] {
        let (status, body) = server.raw(method, path, Some(ADMIN), None).await;
        assert_eq!(status, 404, "{method} {path}");
        assert_error(&body, 404, "NotFound");
    }
    // Known route, unknown identity.
    let (status, body) = server.raw("GET", UA, Some(ADMIN), None).await;
    assert_eq!(status, 404);
    assert_error(&body, 404, "NotFound");
}

#[tokio::test]
async fn request_ids_are_fresh() {
    let server = start().await;
    let mut ids = BTreeSet::new();
    for _ in 0..20 {
        let (_, body) = server.raw("GET", "/nope", None, None).await;
        ids.insert(body["reqId"].as_str().unwrap_or("").to_owned());
    }
    assert_eq!(ids.len(), 20);
}

#[tokio::test]
async fn the_spec_is_served() {
    let server = start().await;
    let (status, body) = server.raw("GET", "/api/docs/json", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["openapi"], json!("3.0.3"));
    assert_eq!(body["paths"].as_object().map(|p| p.len()), Some(36));
}

#[tokio::test]
async fn authentication_comes_before_the_body() {
    let server = start().await;
    let bad = json!({"accessTokenTTL": "3600", "lockoutThreshold": 50}).to_string();
    // An unknown token with an invalid body: 401, not the body's 422.
    let (status, body) = server
        .raw(
            "POST",
            UA,
            Some("not-a-token"),
            Some((JSON, bad.clone().into_bytes())),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_error(&body, 401, "UnauthorizedError");
    // An unknown token with a malformed body: 401, not the body's 400.
    let (status, _) = server
        .raw("POST", UA, Some("not-a-token"), Some((JSON, b"{".to_vec())))
        .await;
    assert_eq!(status, 401);

    // A real access token used from outside its trusted IPs: 403, whatever the body.
    let id = server.new_identity().await;
    let ua = format!("/api/v1/auth/universal-auth/identities/{id}");
    let attach = json!({"accessTokenTrustedIps": [{"ipAddress": "10.0.0.0/8"}]});
    let (status, attached) = server
        .raw(
            "POST",
            &ua,
            Some(ADMIN),
            Some((JSON, attach.to_string().into_bytes())),
        )
        .await;
    assert_eq!(status, 200, "{attached}");
    let client_id = attached["identityUniversalAuth"]["clientId"].clone();
    let (status, secret) = server
        .raw(
            "POST",
            &format!("{ua}/client-secrets"),
            Some(ADMIN),
            Some((JSON, b"{}".to_vec())),
        )
        .await;
    assert_eq!(status, 200, "{secret}");
    let (status, token) = server.raw_login(&client_id, &secret["clientSecret"]).await;
    assert_eq!(status, 200, "{token}");
    let token = token["accessToken"]
        .as_str()
        .expect("access token")
        .to_owned();
    let (status, body) = server
        .raw("PATCH", &ua, Some(&token), Some((JSON, bad.into_bytes())))
        .await;
    assert_eq!(status, 403, "{body}");
    assert_error(&body, 403, "ForbiddenError");
}

#[tokio::test]
async fn a_body_without_a_media_type_is_415() {
    let server = start().await;
    let response = server
        .http
        .post(format!("{}{UA}", server.base))
        .bearer_auth(ADMIN)
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 415);
    let body: Value = response.json().await.expect("json");
    assert_error(&body, 415, "UnsupportedMediaType");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = start().await;
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let head = format!(
        "POST {UA}/client-secrets HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {ADMIN}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    // No Content-Length: the limit must hold while the chunks arrive. The server may answer
    // and close before all of them are sent, so a failed write ends the loop.
    let chunk = vec![b' '; 64 * 1024];
    for _ in 0..((2 * infisical_auth_server::BODY_LIMIT) / chunk.len()) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    let body: Value = serde_json::from_str(body).expect("json body");
    assert_error(&body, 413, "PayloadTooLarge");
}

#[tokio::test]
async fn other_methods_on_the_extra_routes_are_404_in_the_same_shape() {
    let server = start().await;
    for (method, path) in [("DELETE", "/api/docs/json"), ("GET", "/api/v1/identities")] {
        let (status, body) = server.raw(method, path, Some(ADMIN), None).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert_error(&body, 404, "NotFound");
    }
}

#[tokio::test]
async fn a_panicking_handler_is_a_bare_500() {
    // The generated handlers all go through `runtime::serve`; a handler that panics there.
    let op = &OPERATIONS[0];
    let api = std::sync::Arc::new(ReferenceApi::new(ADMIN));
    let app = axum::Router::new().route(
        "/boom/{identityId}",
        axum::routing::get(move |request: Request| async move {
            serve(op, request, api, |_api, _input| async move { explode() }).await
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let response = reqwest::Client::new()
        .get(format!("{base}/boom/00000000-0000-4000-8000-000000000000"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 500);
    let text = response.text().await.expect("text");
    assert!(!text.contains("secret panic text"), "{text}");
    let body: Value = serde_json::from_str(&text).expect("json");
    assert_error(&body, 500, "InternalServerError");
    assert_eq!(body["message"], json!("Something went wrong"));
}

fn explode() -> Result<Value, ApiError> {
    panic!("secret panic text")
}
