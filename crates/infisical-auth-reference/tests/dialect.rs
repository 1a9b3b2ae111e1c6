//! Infisical's request dialect, end to end (docs/infisical-behaviour.md#request-dialect): form
//! bodies with their values coerced to the field types, trailing slashes, an `Authorization`
//! header on operations without security, renew with or without a bearer, whole numbers written
//! as integers, and a 413 that a client writing its whole body before reading can read.

mod common;

use common::{assert_error, start, Server, ADMIN};
use serde_json::{json, Value};

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
const LOGIN: &str = "/api/v1/auth/universal-auth/login";

/// A new identity with universal auth attached (JSON) and a client secret: its config path,
/// client id and client secret.
async fn universal_auth(server: &Server) -> (String, String, String) {
    let id = server.new_identity().await;
    let ua = format!("/api/v1/auth/universal-auth/identities/{id}");
    let (status, attached) = server
        .raw("POST", &ua, Some(ADMIN), Some((JSON, b"{}".to_vec())))
        .await;
    assert_eq!(status, 200, "{attached}");
    let (status, secret) = server
        .raw(
            "POST",
            &format!("{ua}/client-secrets"),
            Some(ADMIN),
            Some((JSON, b"{}".to_vec())),
        )
        .await;
    assert_eq!(status, 200, "{secret}");
    let client_id = attached["identityUniversalAuth"]["clientId"]
        .as_str()
        .expect("client id")
        .to_owned();
    let secret = secret["clientSecret"].as_str().expect("secret").to_owned();
    (ua, client_id, secret)
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

#[tokio::test]
async fn a_form_login_works_like_a_json_one() {
    let server = start().await;
    let (_, client_id, secret) = universal_auth(&server).await;
    let body = form(&[("clientId", &client_id), ("clientSecret", &secret)]);
    let (status, login) = server.raw("POST", LOGIN, None, Some((FORM, body))).await;
    assert_eq!(status, 200, "{login}");
    assert_eq!(login["tokenType"], json!("Bearer"));
    assert!(login["accessToken"].as_str().is_some_and(|t| !t.is_empty()));

    let body = form(&[("clientId", &client_id), ("clientSecret", "wrong")]);
    let (status, error) = server.raw("POST", LOGIN, None, Some((FORM, body))).await;
    assert_eq!(status, 401);
    assert_error(&error, 401, "UnauthorizedError");
    assert_eq!(error["message"], json!("Invalid credentials"));
}

#[tokio::test]
async fn form_values_are_coerced_to_numbers_and_booleans_then_validated() {
    let server = start().await;
    let id = server.new_identity().await;
    let ua = format!("/api/v1/auth/universal-auth/identities/{id}");
    let body = form(&[
        ("accessTokenTTL", "3600"),
        ("accessTokenMaxTTL", "7200"),
        ("lockoutEnabled", "false"),
        ("lockoutThreshold", "5"),
    ]);
    let (status, attached) = server
        .raw("POST", &ua, Some(ADMIN), Some((FORM, body)))
        .await;
    assert_eq!(status, 200, "{attached}");
    let config = &attached["identityUniversalAuth"];
    assert_eq!(config["accessTokenTTL"], json!(3600));
    assert_eq!(config["accessTokenMaxTTL"], json!(7200));
    assert_eq!(config["lockoutEnabled"], json!(false));
    assert_eq!(config["lockoutThreshold"], json!(5));

    // Text that is not a number stays text: the same 422 as JSON, naming the field.
    let body = form(&[("accessTokenTTL", "soon"), ("lockoutThreshold", "50")]);
    let (status, error) = server
        .raw("PATCH", &ua, Some(ADMIN), Some((FORM, body)))
        .await;
    assert_eq!(status, 422, "{error}");
    assert_error(&error, 422, "ValidationFailure");
    let issues = error["message"].as_array().expect("issues");
    let paths: Vec<&Value> = issues.iter().map(|i| &i["path"]).collect();
    assert!(paths.contains(&&json!(["accessTokenTTL"])), "{error}");
    assert!(paths.contains(&&json!(["lockoutThreshold"])), "{error}");
    // Other media types are still refused.
    let (status, error) = server
        .raw(
            "PATCH",
            &ua,
            Some(ADMIN),
            Some(("text/plain", b"x".to_vec())),
        )
        .await;
    assert_eq!(status, 415, "{error}");
}

#[tokio::test]
async fn trailing_slashes_are_ignored_on_every_route() {
    let server = start().await;
    let (ua, client_id, secret) = universal_auth(&server).await;
    let login = json!({"clientId": client_id, "clientSecret": secret}).to_string();
    let (status, answer) = server
        .raw(
            "POST",
            &format!("{LOGIN}/"),
            None,
            Some((JSON, login.into_bytes())),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = server
        .raw("GET", &format!("{ua}/"), Some(ADMIN), None)
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = server
        .raw(
            "GET",
            &format!("{ua}/client-secrets/?x=1"),
            Some(ADMIN),
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = server.raw("GET", "/api/docs/json/", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(answer["openapi"], json!("3.0.3"));
    // Still unknown with or without the slash.
    let (status, answer) = server.raw("GET", "/api/v1/nope/", None, None).await;
    assert_eq!(status, 404);
    assert_error(&answer, 404, "NotFound");
}

#[tokio::test]
async fn a_stale_bearer_on_a_login_or_renew_is_ignored() {
    let server = start().await;
    let (_, client_id, secret) = universal_auth(&server).await;
    let login = json!({"clientId": client_id, "clientSecret": secret}).to_string();
    let (status, answer) = server
        .raw(
            "POST",
            LOGIN,
            Some("stale-token-from-yesterday"),
            Some((JSON, login.into_bytes())),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let token = answer["accessToken"].as_str().expect("token").to_owned();
    let renew = json!({"accessToken": token}).to_string().into_bytes();
    // Renew: without a bearer, with the token itself as bearer (what the SDKs send), and with a
    // stale one.
    for bearer in [
        None,
        Some(token.as_str()),
        Some("stale-token-from-yesterday"),
    ] {
        let (status, answer) = server
            .raw(
                "POST",
                "/api/v1/auth/token/renew",
                bearer,
                Some((JSON, renew.clone())),
            )
            .await;
        assert_eq!(status, 200, "bearer {bearer:?}: {answer}");
        assert_eq!(answer["accessToken"], json!(token));
    }
}

#[tokio::test]
async fn whole_numbers_are_written_as_integers() {
    let server = start().await;
    let (ua, _, _) = universal_auth(&server).await;
    let response = server
        .http
        .get(format!("{}{ua}", server.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("send");
    let text = response.text().await.expect("text");
    assert!(text.contains(r#""accessTokenTTL":2592000,"#), "{text}");
    assert!(!text.contains(".0,") && !text.contains(".0}"), "{text}");
}

/// Writes an 8 MiB body in full before reading, as Python's `requests` does, and reads the answer.
async fn send_whole_body_then_read(server: &Server, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let body = vec![b'a'; 8 * 1024 * 1024];
    let head = format!(
        "{head}Host: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
        .write_all(&body)
        .await
        .expect("the server reads the whole body before it answers");
    let mut answer = vec![0u8; 64 * 1024];
    let mut read = 0;
    // Read until the end of the JSON body (the connection may stay open).
    while !String::from_utf8_lossy(&answer[..read]).ends_with('}') {
        let n = stream.read(&mut answer[read..]).await.expect("answer");
        assert!(n > 0, "connection closed before the answer ended");
        read += n;
    }
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

#[tokio::test]
async fn an_oversized_body_written_in_full_before_reading_gets_its_413() {
    let server = start().await;
    let (ua, _, _) = universal_auth(&server).await;
    let head = format!("POST {ua}/client-secrets HTTP/1.1\r\nAuthorization: Bearer {ADMIN}\r\n");
    let answer = send_whole_body_then_read(&server, &head).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let body: Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap_or("")).expect("json body");
    assert_error(&body, 413, "PayloadTooLarge");

    // An answer decided before the body is read (no token) is readable the same way.
    let head = format!("POST {ua}/client-secrets HTTP/1.1\r\n");
    let answer = send_whole_body_then_read(&server, &head).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
}
