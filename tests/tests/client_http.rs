//! The generated client over real HTTP on loopback, against a recording mock server: requests go
//! out as the spec says (method, path, bearer token, body), success bodies decode into the typed
//! responses, every error status decodes into the typed `ErrorResponse`, PATCH fields keep their
//! three states on the wire, and secrets never show in `Debug` output.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use infisical_auth_client::{types, BaseUrl, Client, Error, RetryPolicy};
use serde_json::{json, Value};
use workspace_tests::{example, fixed_spec, normalise_numbers};

/// One request the mock server saw.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    uri: String,
    authorization: Option<String>,
    body: Option<Value>,
}

/// A mock Infisical: answers every request with the scripted status and body, and records it.
struct Mock {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    reply: Arc<Mutex<(StatusCode, Value)>>,
}

impl Mock {
    async fn start() -> Mock {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let reply = Arc::new(Mutex::new((StatusCode::OK, json!({}))));
        let (seen2, reply2) = (seen.clone(), reply.clone());
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let (seen, reply) = (seen2.clone(), reply2.clone());
                async move {
                    seen.lock().unwrap().push(Seen {
                        method,
                        uri: uri.to_string(),
                        authorization: headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .map(String::from),
                        body: serde_json::from_slice(&body).ok(),
                    });
                    let (status, body) = reply.lock().unwrap().clone();
                    (
                        status,
                        [("content-type", "application/json")],
                        body.to_string(),
                    )
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Mock { addr, seen, reply }
    }

    fn client(&self) -> Client {
        Client::connect(BaseUrl::SelfHosted(format!("http://{}", self.addr)))
            .bearer_token("admin-token")
            .retry(RetryPolicy::none())
            .build()
            .unwrap()
    }

    fn answer(&self, status: StatusCode, body: Value) {
        *self.reply.lock().unwrap() = (status, body);
    }

    /// Answers with a spec-valid example of the operation's 200 body; returns it.
    fn answer_success(&self, operation_id: &str) -> Value {
        let doc = fixed_spec();
        let op = xtask::document::ops::operations(&doc)
            .into_iter()
            .find(|o| o.id() == Some(operation_id))
            .expect("known operation");
        let body = example(&doc, op.success_schema().expect("has a 200 body"));
        self.answer(StatusCode::OK, body.clone());
        body
    }

    fn last(&self) -> Seen {
        self.seen
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a request was sent")
    }
}

const ID: &str = "7d1f0a38-3c5e-4c53-9a0e-4d3c2b1a0f9e";

/// Asserts a decoded response equals what was served, field for field.
fn assert_round_trip<T: serde::Serialize>(decoded: &T, served: &Value) {
    assert_eq!(
        normalise_numbers(&serde_json::to_value(decoded).unwrap()),
        normalise_numbers(served)
    );
}

/// Each error status the spec declares, and those it does not (a rate limiter's 429, a conflict,
/// a proxy's 502), decodes into the typed error with all its parts.
async fn assert_errors_decode<
    T: std::fmt::Debug,
    F: std::future::Future<Output = Result<T, Error>>,
>(
    mock: &Mock,
    call: impl Fn() -> F,
) {
    for status in [400u16, 401, 403, 404, 500, 409, 429, 502, 503] {
        mock.answer(
            StatusCode::from_u16(status).unwrap(),
            json!({"reqId": "req-abcdefghij1234", "statusCode": status, "message": format!("failed with {status}"), "error": "SomeError", "details": {"path": ["a"]}}),
        );
        let err = call().await.expect_err("an error status is an error");
        assert_eq!(err.status(), Some(status));
        let body = err
            .body()
            .unwrap_or_else(|| panic!("typed error body for {status}: {err:?}"));
        assert_eq!(
            (body.status_code, body.req_id.as_str(), body.error.as_str()),
            (status, "req-abcdefghij1234", "SomeError")
        );
        assert_eq!(body.message_text(), format!("failed with {status}"));
        assert_eq!(body.details, Some(json!({"path": ["a"]})));
    }
    mock.answer(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"reqId": "req-abcdefghij1234", "statusCode": 422, "error": "ValidationFailure", "message": [
            {"code": "too_big", "path": ["clientSecretTrustedIps", 0, "ipAddress"], "message": "too long", "maximum": 30, "inclusive": true, "type": "number"}
        ]}),
    );
    let err = call().await.expect_err("422 is an error");
    let issues = err.body().expect("typed 422").validation_issues();
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].code, "too_big");
    assert_eq!(
        issues[0].path,
        vec![
            types::PathSegment::Key("clientSecretTrustedIps".into()),
            types::PathSegment::Index(0),
            types::PathSegment::Key("ipAddress".into())
        ]
    );
    assert_eq!(issues[0].maximum, Some(30.0));
}

#[tokio::test]
async fn universal_auth_retrieve_and_errors() {
    let mock = Mock::start().await;
    let client = mock.client();
    let served = mock.answer_success("getUniversalAuth");
    let got = client
        .get_universal_auth()
        .identity_id(ID)
        .send()
        .await
        .unwrap();
    assert_round_trip(&*got, &served);
    let seen = mock.last();
    assert_eq!(
        (seen.method, seen.uri.as_str()),
        (
            Method::GET,
            format!("/api/v1/auth/universal-auth/identities/{ID}").as_str()
        )
    );
    assert_eq!(seen.authorization.as_deref(), Some("Bearer admin-token"));
    assert_errors_decode(&mock, || client.get_universal_auth().identity_id(ID).send()).await;
}

#[tokio::test]
async fn universal_auth_login_sends_the_body_and_decodes_the_token() {
    let mock = Mock::start().await;
    let client = mock.client();
    let served = mock.answer_success("loginWithUniversalAuth");
    let login = client
        .login_with_universal_auth()
        .body(types::LoginWithUniversalAuthBody::new(
            "cid",
            "s3cr3t-value",
        ))
        .send()
        .await
        .unwrap();
    assert_round_trip(&*login, &served);
    assert_eq!(
        mock.last().body,
        Some(json!({"clientId": "cid", "clientSecret": "s3cr3t-value"}))
    );
    assert_eq!(mock.last().uri, "/api/v1/auth/universal-auth/login");
    assert_errors_decode(&mock, || {
        client
            .login_with_universal_auth()
            .body(types::LoginWithUniversalAuthBody::new("c", "s"))
            .send()
    })
    .await;
}

#[tokio::test]
async fn attach_sends_the_spec_defaults_and_the_given_fields() {
    let mock = Mock::start().await;
    let client = mock.client();
    mock.answer_success("attachUniversalAuth");
    client
        .attach_universal_auth()
        .identity_id(ID)
        .body(types::AttachUniversalAuthBody {
            access_token_ttl: 3600,
            client_secret_trusted_ips: vec![types::TrustedIpEntry {
                ip_address: "10.0.0.0/8".into(),
            }],
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let body = mock.last().body.unwrap();
    assert_eq!(body["accessTokenTTL"], 3600);
    assert_eq!(
        body["accessTokenMaxTTL"], 2592000,
        "attach bodies carry the spec default"
    );
    assert_eq!(
        body["clientSecretTrustedIps"],
        json!([{"ipAddress": "10.0.0.0/8"}])
    );
    assert_eq!(
        body["accessTokenTrustedIps"],
        json!([{"ipAddress": "0.0.0.0/0"}, {"ipAddress": "::/0"}])
    );
}

/// One operation of every other auth method: the request line, and success and error decoding.
macro_rules! method_test {
    ($test:ident, $op:literal, $method:expr, $path:literal, $client:ident => $call:expr) => {
        #[tokio::test]
        async fn $test() {
            let mock = Mock::start().await;
            let $client = mock.client();
            let served = mock.answer_success($op);
            let call = || $call;
            let got = call().await.expect("success decodes");
            assert_round_trip(&*got, &served);
            let seen = mock.last();
            assert_eq!(seen.method, $method);
            assert_eq!(seen.uri, $path.replace("{id}", ID));
            assert_errors_decode(&mock, call).await;
        }
    };
}

method_test!(token_auth_list_tokens, "getTokenAuthTokens", Method::GET, "/api/v1/auth/token-auth/identities/{id}/tokens?limit=5&offset=10", c => c.get_token_auth_tokens().identity_id(ID).offset(10).limit(5).send());
method_test!(aws_auth_get, "getAwsAuth", Method::GET, "/api/v1/auth/aws-auth/identities/{id}", c => c.get_aws_auth().identity_id(ID).send());
method_test!(gcp_auth_revoke, "deleteGcpAuth", Method::DELETE, "/api/v1/auth/gcp-auth/identities/{id}", c => c.delete_gcp_auth().identity_id(ID).send());
method_test!(azure_auth_login, "loginWithAzureAuth", Method::POST, "/api/v1/auth/azure-auth/login", c => c.login_with_azure_auth().body(types::LoginWithAzureAuthBody::new(ID, "eyJ.jwt")).send());
method_test!(kubernetes_auth_get, "getKubernetesAuth", Method::GET, "/api/v1/auth/kubernetes-auth/identities/{id}", c => c.get_kubernetes_auth().identity_id(ID).send());
method_test!(oidc_auth_get, "getOidcAuth", Method::GET, "/api/v1/auth/oidc-auth/identities/{id}", c => c.get_oidc_auth().identity_id(ID).send());
method_test!(jwt_auth_revoke, "deleteJwtAuth", Method::DELETE, "/api/v1/auth/jwt-auth/identities/{id}", c => c.delete_jwt_auth().identity_id(ID).send());
method_test!(ldap_auth_clear_lockouts, "clearLdapAuthLockouts", Method::POST, "/api/v1/auth/ldap-auth/identities/{id}/clear-lockouts", c => c.clear_ldap_auth_lockouts().identity_id(ID).send());
method_test!(oci_auth_get, "getOciAuth", Method::GET, "/api/v1/auth/oci-auth/identities/{id}", c => c.get_oci_auth().identity_id(ID).send());
method_test!(tls_cert_auth_get, "getTlsCertAuth", Method::GET, "/api/v1/auth/tls-cert-auth/identities/{id}", c => c.get_tls_cert_auth().identity_id(ID).send());
method_test!(alicloud_auth_get, "getAlicloudAuth", Method::GET, "/api/v1/auth/alicloud-auth/identities/{id}", c => c.get_alicloud_auth().identity_id(ID).send());
method_test!(spiffe_auth_refresh_bundle, "refreshSpiffeBundle", Method::POST, "/api/v1/auth/spiffe-auth/identities/{id}/refresh-bundle", c => c.refresh_spiffe_bundle().identity_id(ID).send());

#[tokio::test]
async fn patch_fields_keep_absent_null_and_value_apart() {
    let mock = Mock::start().await;
    let client = mock.client();
    mock.answer_success("updateKubernetesAuth");
    let host = |h: &str| h.to_owned();
    let cases = [
        (None, json!({"accessTokenTTL": 60})),
        (
            Some(None),
            json!({"accessTokenTTL": 60, "kubernetesHost": null}),
        ),
        (
            Some(Some(host("https://k8s.local:6443"))),
            json!({"accessTokenTTL": 60, "kubernetesHost": "https://k8s.local:6443"}),
        ),
    ];
    for (value, wire) in cases {
        client
            .update_kubernetes_auth()
            .identity_id(ID)
            .body(types::UpdateKubernetesAuthBody {
                kubernetes_host: value,
                access_token_ttl: Some(60),
                ..Default::default()
            })
            .send()
            .await
            .unwrap();
        assert_eq!(
            mock.last().body.unwrap(),
            wire,
            "absent, null and value stay apart; no defaults are added"
        );
    }
    // And the same three states read back (the server side of the shared types).
    for body in [
        json!({}),
        json!({"kubernetesHost": null}),
        json!({"kubernetesHost": "h"}),
    ] {
        let typed: types::UpdateKubernetesAuthBody = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), body);
    }
}

#[tokio::test]
async fn patch_bodies_get_no_defaults() {
    let mock = Mock::start().await;
    let client = mock.client();
    mock.answer_success("updateOidcAuth");
    client
        .update_oidc_auth()
        .identity_id(ID)
        .body(types::UpdateOidcAuthBody {
            bound_issuer: Some("https://issuer".to_owned()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        mock.last().body,
        Some(json!({"boundIssuer": "https://issuer"}))
    );
}

#[test]
fn secrets_never_show_in_debug() {
    let login = types::LoginWithUniversalAuthBody::new("cid", "s3cr3t-value");
    let text = format!("{login:?}");
    assert!(
        text.contains("cid") && !text.contains("s3cr3t-value"),
        "{text}"
    );
    let token: types::AccessTokenResponse = serde_json::from_value(json!({"accessToken": "at-secret", "expiresIn": 1, "accessTokenMaxTTL": 2, "tokenType": "Bearer"})).unwrap();
    assert!(!format!("{token:?}").contains("at-secret"));
    let ldap: types::AttachLdapAuthBody = serde_json::from_value(json!({"url": "ldaps://x", "bindDN": "cn=a", "bindPass": "bind-secret", "searchBase": "dc=x"})).unwrap();
    let text = format!("{ldap:?}");
    assert!(
        text.starts_with("Manual") && !text.contains("bind-secret"),
        "{text}"
    );
    let renew = types::RenewIdentityAccessTokenBody::new("at-secret");
    assert!(!format!("{renew:?}").contains("at-secret"));
    let ali: types::LoginWithAlicloudAuthBody = serde_json::from_value(json!({"identityId": ID, "Action": "GetCallerIdentity", "Format": "JSON", "Version": "2015-04-01", "AccessKeyId": "ak", "SignatureMethod": "HMAC-SHA1", "Timestamp": "2026-01-01T00:00:00Z", "SignatureVersion": "1.0", "SignatureNonce": "n", "Signature": "sig-secret"})).unwrap();
    assert!(!format!("{ali:?}").contains("sig-secret"));
}

#[test]
fn unknown_response_fields_are_accepted() {
    let body = json!({"accessToken": "t", "expiresIn": 1, "accessTokenMaxTTL": 2, "tokenType": "Bearer", "aFieldFromTheFuture": 1});
    assert!(serde_json::from_value::<types::AccessTokenResponse>(body).is_ok());
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let mock = Mock::start().await;
    let client = mock.client();
    mock.answer_success("attachUniversalAuth");
    let ip = |ip: &str| types::TrustedIpEntry {
        ip_address: ip.into(),
    };
    let err = client
        .attach_universal_auth()
        .identity_id(ID)
        .body(types::AttachUniversalAuthBody {
            access_token_ttl: 7200,
            access_token_max_ttl: 3600,
            lockout_threshold: 31.0,
            client_secret_trusted_ips: vec![ip("10.0.0.0/8"), ip("10.0.0.1/33")],
            ..Default::default()
        })
        .send()
        .await
        .expect_err("an invalid body is refused");
    assert_eq!(mock.seen.lock().unwrap().len(), 0, "nothing was sent");
    let rejection = err.rejection().expect("a typed validation error");
    assert_eq!(rejection.status(), 422);
    let issues: Vec<String> = rejection
        .issues()
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                infisical_auth_validation::display_path(&i.path),
                i.code.as_str()
            )
        })
        .collect();
    assert!(
        issues
            .iter()
            .any(|i| i.starts_with("lockoutThreshold") && i.ends_with("too_big")),
        "{issues:?}"
    );
    assert!(
        rejection
            .issues()
            .iter()
            .any(|i| i.message == "Access Token TTL cannot be greater than Access Token Max TTL."),
        "TTL <= MaxTTL: {:?}",
        rejection.issues()
    );

    // Schema-valid but a malformed trusted IP: Infisical's 400, also caught before sending.
    let err = client
        .attach_universal_auth()
        .identity_id(ID)
        .body(types::AttachUniversalAuthBody {
            client_secret_trusted_ips: vec![ip("10.0.0.0/8"), ip("10.0.0.1/33")],
            ..Default::default()
        })
        .send()
        .await
        .expect_err("an invalid IP is refused");
    let rejection = err.rejection().expect("typed");
    assert_eq!(rejection.status(), 400);
    assert!(
        rejection
            .to_string()
            .contains("The IP is not a valid IPv4, IPv6, or CIDR block"),
        "{rejection}"
    );
    assert_eq!(mock.seen.lock().unwrap().len(), 0, "nothing was sent");

    // A valid request goes out.
    client
        .attach_universal_auth()
        .identity_id(ID)
        .body(types::AttachUniversalAuthBody {
            access_token_ttl: 3600,
            ..Default::default()
        })
        .send()
        .await
        .expect("valid request is sent");
    assert_eq!(mock.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn the_configured_timeout_ends_a_stalled_request() {
    // A server that accepts the connection and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let client = Client::connect(BaseUrl::SelfHosted(format!("http://{addr}")))
        .bearer_token("admin-token")
        .timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .get_universal_auth()
        .identity_id(ID)
        .send()
        .await
        .expect_err("a stalled server times out");
    match &err {
        Error::Timeout { operation, .. } => assert_eq!(*operation, "getUniversalAuth"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    held.abort();
}
