//! Shared helpers of the end-to-end tests: a reference server on 127.0.0.1:0, clients for it,
//! and assertions on Infisical's error body.

#![allow(dead_code)]

use infisical_auth_client::types::ErrorResponse;
use infisical_auth_client::{Client, Error, ResponseValue};
use infisical_auth_reference::{serve, ReferenceConfig};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The admin token every test server accepts.
pub const ADMIN: &str = "test-admin-token";

/// A running reference server.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// A generated client sending the admin token.
    pub admin: Client,
    /// A generated client sending no token.
    pub anon: Client,
    /// A bare HTTP client.
    pub http: reqwest::Client,
}

/// Starts a reference server on an ephemeral loopback port.
pub async fn start() -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let config = ReferenceConfig {
        admin_token: ADMIN.into(),
        ..ReferenceConfig::default()
    };
    tokio::spawn(async move {
        let _ = serve(listener, &config, std::future::pending()).await;
    });
    Server {
        admin: client_with_token(&base, Some(ADMIN)),
        anon: Client::new(&base),
        http: reqwest::Client::new(),
        base,
    }
}

/// A generated client that sends `token` as bearer (or nothing).
pub fn client_with_token(base: &str, token: Option<&str>) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header value"),
        );
    }
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client");
    Client::new_with_client(base, http)
}

impl Server {
    /// Creates an identity of role `member` (its access tokens may manage it) through the
    /// admin route and returns its id.
    pub async fn new_identity(&self) -> String {
        self.new_identity_with_role("member").await
    }

    /// Creates an identity of organization role `role` through the admin route and returns its
    /// id.
    pub async fn new_identity_with_role(&self, role: &str) -> String {
        let response = self
            .http
            .post(format!("{}/api/v1/identities", self.base))
            .bearer_auth(ADMIN)
            .json(&serde_json::json!({ "role": role }))
            .send()
            .await
            .expect("create identity");
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = response.json().await.expect("json");
        body["identity"]["id"].as_str().expect("id").to_owned()
    }

    /// A raw request: method, path, optional bearer, optional (content type, body).
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some((content_type, bytes)) = body {
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        assert!(status < 500, "{path} answered {status}");
        let text = response.text().await.expect("text");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

impl Server {
    /// `loginWithUniversalAuth` over raw HTTP (no token): the status and the JSON answer.
    pub async fn raw_login(&self, client_id: &Value, client_secret: &Value) -> (u16, Value) {
        let login = serde_json::json!({"clientId": client_id, "clientSecret": client_secret});
        self.raw(
            "POST",
            "/api/v1/auth/universal-auth/login",
            None,
            Some(("application/json", login.to_string().into_bytes())),
        )
        .await
    }
}

/// A request body from JSON.
pub fn body<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("body fits its type")
}

/// The error body of an answer that must be an error.
pub fn api_error<T: std::fmt::Debug>(result: Result<ResponseValue<T>, Error>) -> ErrorResponse {
    match result {
        Err(Error::Api { body, .. }) => *body,
        other => panic!("expected an error answer, got {other:?}"),
    }
}

/// Asserts the Infisical error shape: status, error class, `req-` id of 14 letters or digits.
pub fn assert_error(body: &Value, status: u16, error: &str) {
    assert_eq!(body["statusCode"], Value::from(status), "{body}");
    assert_eq!(body["error"], Value::from(error), "{body}");
    assert_request_id(body["reqId"].as_str().unwrap_or(""));
}

/// Asserts a request id is `req-` and 14 letters or digits.
pub fn assert_request_id(id: &str) {
    assert!(
        id.len() == 18
            && id.starts_with("req-")
            && id[4..].chars().all(|c| c.is_ascii_alphanumeric()),
        "bad request id {id:?}"
    );
}
