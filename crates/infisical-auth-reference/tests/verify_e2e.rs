//! Verified logins end to end through the generated client: a method attached through the API, a
//! credential made by the test logs in, and the access token it receives works on a secured call
//! within the method's limits; a credential failing a check answers Infisical's error; logins
//! only a cloud provider can verify answer 401 saying why.

mod common;
mod verify_support;

use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use common::{api_error, body, start, Server};
use infisical_auth_client::types;
use serde_json::{json, Value};
use verify_support::*;

fn message(error: &types::ErrorResponse) -> (u16, Value) {
    (
        error.status_code,
        serde_json::to_value(error).expect("error body")["message"].clone(),
    )
}

/// A secured call with `token`: reading the identity's configuration of `method` (e.g.
/// `jwt-auth`); true when it answers 200.
async fn token_works_for(server: &Server, method: &str, token: &str, identity: &str) -> bool {
    let path = format!("/api/v1/auth/{method}/identities/{identity}");
    server.raw("GET", &path, Some(token), None).await.0 == 200
}

async fn token_works(server: &Server, token: &str, identity: &str) -> bool {
    token_works_for(server, "jwt-auth", token, identity).await
}

fn jwt_claims() -> Value {
    json!({
        "iss": "https://ci.example",
        "sub": "repo:acme/app:ref:refs/heads/main",
        "aud": "infisical",
        "exp": now() + 600,
        "env": "prod",
    })
}

async fn jwt_login(
    server: &Server,
    identity: &str,
    jwt: &str,
) -> Result<types::AccessTokenResponse, types::ErrorResponse> {
    match server
        .anon
        .login_with_jwt_auth()
        .body(body::<types::LoginWithJwtAuthBody>(
            json!({ "identityId": identity, "jwt": jwt }),
        ))
        .send()
        .await
    {
        Ok(answer) => Ok(answer.into_inner()),
        Err(infisical_auth_client::Error::Api { body, .. }) => Err(*body),
        Err(other) => panic!("transport error: {other:?}"),
    }
}

#[tokio::test]
async fn jwt_login_issues_a_token_with_the_methods_limits() {
    let server = start().await;
    let identity = server.new_identity().await;
    let key = SigningKey::new("ci");
    server
        .admin
        .attach_jwt_auth()
        .identity_id(&identity)
        .body(body::<types::AttachJwtAuthBody>(json!({
            "configurationType": "static",
            "publicKeys": [key.public_pem()],
            "boundIssuer": "https://ci.example",
            "boundSubject": "repo:acme/*:ref:refs/heads/main",
            "boundAudiences": "infisical",
            "boundClaims": { "env": "prod, staging" },
            "accessTokenTTL": 1200,
            "accessTokenMaxTTL": 2400,
            "accessTokenNumUsesLimit": 2,
        })))
        .send()
        .await
        .expect("attach JWT auth");

    let login = jwt_login(&server, &identity, &key.sign(&jwt_claims(), true))
        .await
        .expect("a valid JWT logs in");
    assert_eq!(login.expires_in, 1200);
    assert_eq!(login.access_token_max_ttl, 2400);
    assert!(token_works(&server, login.access_token.expose_secret(), &identity).await);
    assert!(token_works(&server, login.access_token.expose_secret(), &identity).await);
    assert!(
        !token_works(&server, login.access_token.expose_secret(), &identity).await,
        "the token's use limit (2) is spent"
    );

    let mut wrong_issuer = jwt_claims();
    wrong_issuer["iss"] = json!("https://evil.example");
    let error = jwt_login(&server, &identity, &key.sign(&wrong_issuer, true))
        .await
        .expect_err("wrong issuer");
    assert_eq!(
        message(&error),
        (403, json!("Access denied: issuer mismatch"))
    );
    assert_eq!(error.error, "ForbiddenError");

    let mut wrong_claim = jwt_claims();
    wrong_claim["env"] = json!("dev");
    let error = jwt_login(&server, &identity, &key.sign(&wrong_claim, true))
        .await
        .expect_err("wrong claim");
    assert_eq!(
        message(&error),
        (401, json!("Access denied: claim mismatch for field env"))
    );

    let other = SigningKey::new("ci");
    let error = jwt_login(&server, &identity, &other.sign(&jwt_claims(), true))
        .await
        .expect_err("wrong key");
    assert_eq!(
        message(&error),
        (
            401,
            json!(
                "Access denied: JWT verification failed with all keys. Errors - invalid signature"
            )
        )
    );
}

#[tokio::test]
async fn jwt_login_from_an_untrusted_ip_or_without_the_method_is_refused() {
    let server = start().await;
    let identity = server.new_identity().await;
    let key = SigningKey::new("ci");
    let token = key.sign(&jwt_claims(), true);
    // Not attached: Infisical's 404.
    let error = jwt_login(&server, &identity, &token)
        .await
        .expect_err("not attached");
    assert_eq!(
        message(&error),
        (
            404,
            json!("JWT auth method not found for identity, did you configure JWT auth?")
        )
    );

    server
        .admin
        .attach_jwt_auth()
        .identity_id(&identity)
        .body(body::<types::AttachJwtAuthBody>(json!({
            "configurationType": "static",
            "publicKeys": [key.public_pem()],
            "boundClaims": {},
            "accessTokenTrustedIps": [{ "ipAddress": "10.0.0.0/8" }],
        })))
        .send()
        .await
        .expect("attach");
    let login = jwt_login(&server, &identity, &token).await.expect("login");
    assert!(
        !token_works(&server, login.access_token.expose_secret(), &identity).await,
        "the token works only from 10.0.0.0/8"
    );
}

#[tokio::test]
async fn kubernetes_login_reviews_the_token_with_the_cluster() {
    let server = start().await;
    let identity = server.new_identity().await;
    let api = Router::new().route(
        "/apis/authentication.k8s.io/v1/tokenreviews",
        post(|Json(review): Json<Value>| async move {
            let status = match review["spec"]["token"].as_str() {
                Some("sa-prod-api") => json!({
                    "authenticated": true,
                    "user": { "username": "system:serviceaccount:prod:api" },
                    "audiences": ["infisical"],
                }),
                _ => json!({ "authenticated": false }),
            };
            (StatusCode::CREATED, Json(json!({ "status": status })))
        }),
    );
    let addr = serve(api).await;
    server
        .admin
        .attach_kubernetes_auth()
        .identity_id(&identity)
        .body(body::<types::AttachKubernetesAuthBody>(json!({
            "kubernetesHost": format!("http://{addr}"),
            "tokenReviewerJwt": "reviewer",
            "allowedNamespaces": "prod",
            "allowedNames": "api",
            "allowedAudience": "infisical",
            "accessTokenTTL": 600,
        })))
        .send()
        .await
        .expect("attach Kubernetes auth");

    let login = |jwt: &'static str| {
        let server = &server;
        let identity = identity.clone();
        async move {
            server
                .anon
                .login_with_kubernetes_auth()
                .body(body::<types::LoginWithKubernetesAuthBody>(
                    json!({ "identityId": identity, "jwt": jwt }),
                ))
                .send()
                .await
        }
    };
    let answer = login("sa-prod-api").await.expect("login").into_inner();
    assert_eq!(answer.expires_in, 600);
    assert!(
        token_works_for(
            &server,
            "kubernetes-auth",
            answer.access_token.expose_secret(),
            &identity
        )
        .await
    );
    let error = api_error(login("sa-dev-worker").await);
    assert_eq!(
        message(&error),
        (401, json!("Kubernetes token not authenticated"))
    );
}

#[tokio::test]
async fn tls_certificate_login_reads_the_client_certificate_header() {
    let server = start().await;
    let identity = server.new_identity().await;
    let ca = test_ca("Clients");
    server
        .admin
        .attach_tls_cert_auth()
        .identity_id(&identity)
        .body(body::<types::AttachTlsCertAuthBody>(json!({
            "caCertificate": ca.pem(),
            "allowedCommonNames": "app-1",
        })))
        .send()
        .await
        .expect("attach TLS certificate auth");

    let client_cert = |cn: &str| {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.signed_by(&key, &ca).unwrap().pem()
    };
    let login = |pem: Option<String>| {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(pem) = pem {
            let encoded =
                percent_encoding::utf8_percent_encode(&pem, percent_encoding::NON_ALPHANUMERIC);
            headers.insert(
                "x-identity-tls-cert-auth-client-cert",
                encoded.to_string().parse().unwrap(),
            );
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap();
        let client = infisical_auth_client::Client::new_with_client(&server.base, http);
        let identity = identity.clone();
        async move {
            client
                .login_with_tls_cert_auth()
                .body(body::<types::LoginWithTlsCertAuthBody>(
                    json!({ "identityId": identity }),
                ))
                .send()
                .await
        }
    };
    let answer = login(Some(client_cert("app-1")))
        .await
        .expect("login")
        .into_inner();
    assert!(
        token_works_for(
            &server,
            "tls-cert-auth",
            answer.access_token.expose_secret(),
            &identity
        )
        .await
    );
    let error = api_error(login(Some(client_cert("app-2"))).await);
    assert_eq!(
        message(&error),
        (
            401,
            json!("Access denied: TLS Certificate Auth common name not allowed.")
        )
    );
    let error = api_error(login(None).await);
    assert_eq!(
        message(&error),
        (400, json!("Missing TLS certificate in header"))
    );
}

#[tokio::test]
async fn cloud_provider_logins_answer_401_naming_why() {
    let server = start().await;
    let identity = server.new_identity().await;
    server
        .admin
        .attach_gcp_auth()
        .identity_id(&identity)
        .body(body::<types::AttachGcpAuthBody>(json!({ "type": "iam" })))
        .send()
        .await
        .expect("attach GCP auth");
    let error = api_error(
        server
            .anon
            .login_with_gcp_auth()
            .body(body::<types::LoginWithGcpAuthBody>(
                json!({ "identityId": identity, "jwt": "x.y.z" }),
            ))
            .send()
            .await,
    );
    assert_eq!(error.status_code, 401);
    let text = serde_json::to_value(&error).unwrap()["message"].to_string();
    assert!(text.contains("cannot be verified"), "{text}");
}

#[tokio::test]
async fn a_provider_that_hangs_or_answers_garbage_leaves_the_server_healthy() {
    // A server whose calls to providers give up after 700 ms.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = infisical_auth_reference::ReferenceConfig {
        admin_token: common::ADMIN.into(),
        provider_timeout: Some(std::time::Duration::from_millis(700)),
        ..Default::default()
    };
    tokio::spawn(async move {
        let _ = infisical_auth_reference::serve(listener, &config, std::future::pending()).await;
    });
    let server = Server {
        admin: common::client_with_token(&base, Some(common::ADMIN)),
        anon: infisical_auth_client::Client::new(&base),
        http: reqwest::Client::new(),
        base,
    };

    let hanging = silent_server().await;
    let garbage = Served::new("{ not json");
    let garbage_addr = serve(Router::new().route("/jwks", garbage.handler())).await;
    let key = SigningKey::new("k");
    let token = key.sign(&jwt_claims(), true);
    let mut identities = Vec::new();
    for url in [
        format!("http://{hanging}/jwks"),
        format!("http://{garbage_addr}/jwks"),
    ] {
        let identity = server.new_identity().await;
        server
            .admin
            .attach_jwt_auth()
            .identity_id(&identity)
            .body(body::<types::AttachJwtAuthBody>(json!({
                "configurationType": "jwks",
                "jwksUrl": url,
                "boundClaims": {},
            })))
            .send()
            .await
            .expect("attach");
        identities.push(identity);
    }

    // Logins against the hanging provider, several at once, each a 401 within the timeout.
    let start = std::time::Instant::now();
    let hung = futures_join(identities[0].clone(), &server, &token).await;
    for error in hung {
        assert_eq!(
            message(&error),
            (
                401,
                json!("Access denied: Failed to retrieve signing key from JWKS endpoint: timeout of 700ms exceeded")
            )
        );
    }
    assert!(
        start.elapsed() < std::time::Duration::from_secs(4),
        "took {:?}",
        start.elapsed()
    );

    let error = jwt_login(&server, &identities[1], &token)
        .await
        .expect_err("garbage JWKS");
    assert_eq!(
        message(&error),
        (
            401,
            json!("Access denied: Failed to retrieve signing key from JWKS endpoint: the JWKS is not valid JSON")
        )
    );

    // The server still serves: a new identity, a JWT login with static keys.
    let identity = server.new_identity().await;
    server
        .admin
        .attach_jwt_auth()
        .identity_id(&identity)
        .body(body::<types::AttachJwtAuthBody>(json!({
            "configurationType": "static",
            "publicKeys": [key.public_pem()],
            "boundClaims": {},
        })))
        .send()
        .await
        .expect("attach");
    jwt_login(&server, &identity, &token).await.expect("login");
}

/// Four logins for `identity` at once; their errors.
async fn futures_join(identity: String, server: &Server, token: &str) -> Vec<types::ErrorResponse> {
    let (a, b, c, d) = tokio::join!(
        jwt_login(server, &identity, token),
        jwt_login(server, &identity, token),
        jwt_login(server, &identity, token),
        jwt_login(server, &identity, token),
    );
    [a, b, c, d]
        .into_iter()
        .map(|result| result.expect_err("a hanging provider refuses"))
        .collect()
}

#[tokio::test]
async fn oidc_spiffe_and_aws_logins_end_to_end() {
    use base64::Engine as _;
    let server = start().await;
    let key = SigningKey::new("k1");

    // OIDC: a provider on loopback serving discovery and keys.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let idp = format!("http://{}", listener.local_addr().unwrap());
    let discovery = Served::new(json!({ "jwks_uri": format!("{idp}/keys") }).to_string());
    let keys = Served::new(jwks(&[&key]).to_string());
    let router = Router::new()
        .route("/.well-known/openid-configuration", discovery.handler())
        .route("/keys", keys.handler());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let oidc = server.new_identity().await;
    server
        .admin
        .attach_oidc_auth()
        .identity_id(&oidc)
        .body(body::<types::AttachOidcAuthBody>(json!({
            "oidcDiscoveryUrl": idp,
            "boundIssuer": "https://ci.example",
            "boundAudiences": "infisical",
            "boundClaims": { "env": "prod" },
        })))
        .send()
        .await
        .expect("attach OIDC auth");
    let oidc_login = |jwt: String| {
        let server = &server;
        let identity = oidc.clone();
        async move {
            server
                .anon
                .login_with_oidc_auth()
                .body(body::<types::LoginWithOidcAuthBody>(
                    json!({ "identityId": identity, "jwt": jwt }),
                ))
                .send()
                .await
        }
    };
    let answer = oidc_login(key.sign(&jwt_claims(), true))
        .await
        .expect("OIDC login")
        .into_inner();
    assert!(
        token_works_for(
            &server,
            "oidc-auth",
            answer.access_token.expose_secret(),
            &oidc
        )
        .await
    );
    let mut elsewhere = jwt_claims();
    elsewhere["aud"] = json!("elsewhere");
    let error = api_error(oidc_login(key.sign(&elsewhere, true)).await);
    assert_eq!(
        message(&error),
        (401, json!("Access denied: OIDC audience not allowed."))
    );

    // SPIFFE: a static bundle.
    let spiffe = server.new_identity().await;
    server
        .admin
        .attach_spiffe_auth()
        .identity_id(&spiffe)
        .body(body::<types::AttachSpiffeAuthBody>(json!({
            "trustDomain": "example.org",
            "allowedSpiffeIds": "spiffe://example.org/ns/prod/*",
            "allowedAudiences": "infisical",
            "trustBundleDistribution": { "profile": "static", "bundle": jwks(&[&key]).to_string() },
        })))
        .send()
        .await
        .expect("attach SPIFFE auth");
    let svid = |sub: &str| {
        key.sign(
            &json!({ "sub": sub, "aud": "infisical", "exp": now() + 300 }),
            true,
        )
    };
    let spiffe_login = |jwt: String| {
        let server = &server;
        let identity = spiffe.clone();
        async move {
            server
                .anon
                .login_with_spiffe_auth()
                .body(body::<types::LoginWithSpiffeAuthBody>(
                    json!({ "identityId": identity, "jwt": jwt }),
                ))
                .send()
                .await
        }
    };
    let answer = spiffe_login(svid("spiffe://example.org/ns/prod/api"))
        .await
        .expect("SPIFFE login")
        .into_inner();
    assert!(
        token_works_for(
            &server,
            "spiffe-auth",
            answer.access_token.expose_secret(),
            &spiffe
        )
        .await
    );
    let error = api_error(spiffe_login(svid("spiffe://example.org/ns/dev/api")).await);
    assert_eq!(message(&error), (401, json!("Access denied")));

    // AWS: an STS stand-in answering for the access key in the signature.
    let sts = Router::new().route(
        "/",
        post(|headers: axum::http::HeaderMap| async move {
            let authorization = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let account = if authorization.contains("Credential=AKIDPROD/") {
                "123456789012"
            } else {
                "999999999999"
            };
            Json(
                json!({ "GetCallerIdentityResponse": { "GetCallerIdentityResult": {
                    "Account": account,
                    "Arn": format!("arn:aws:sts::{account}:assumed-role/app/i-1"),
                    "UserId": "AROA:i-1",
                }}}),
            )
        }),
    );
    let sts_addr = serve(sts).await;
    let aws = server.new_identity().await;
    server
        .admin
        .attach_aws_auth()
        .identity_id(&aws)
        .body(body::<types::AttachAwsAuthBody>(json!({
            "stsEndpoint": format!("http://{sts_addr}/"),
            "allowedAccountIds": "123456789012",
        })))
        .send()
        .await
        .expect("attach AWS auth");
    let aws_login = |access_key: &str| {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let headers = json!({
            "Authorization": format!("AWS4-HMAC-SHA256 Credential={access_key}/20240101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"),
            "X-Amz-Date": "20240101T000000Z",
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        });
        let request = json!({
            "identityId": aws,
            "iamHttpRequestMethod": "POST",
            "iamRequestBody": b64("Action=GetCallerIdentity&Version=2011-06-15"),
            "iamRequestHeaders": b64(&headers.to_string()),
        });
        let server = &server;
        async move {
            server
                .anon
                .login_with_aws_auth()
                .body(body::<types::LoginWithAwsAuthBody>(request))
                .send()
                .await
        }
    };
    let answer = aws_login("AKIDPROD").await.expect("AWS login").into_inner();
    assert!(
        token_works_for(
            &server,
            "aws-auth",
            answer.access_token.expose_secret(),
            &aws
        )
        .await
    );
    let error = api_error(aws_login("AKIDOTHER").await);
    assert_eq!(
        message(&error),
        (401, json!("Access denied: AWS account ID not allowed."))
    );
}
