//! Kubernetes and AWS logins verified for real against loopback stand-ins: a Kubernetes API
//! server answering TokenReviews and an STS answering GetCallerIdentity for the requests the
//! tests sign; each check failing on its own answers Infisical's status and message, and a stand-in
//! that hangs, is down or answers garbage is a quick 401.

mod verify_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use infisical_auth_reference::verify::aws::{self, AwsSettings, SignedRequest};
use infisical_auth_reference::verify::kubernetes::{self, KubernetesSettings};
use infisical_auth_reference::verify::VerifiedIdentity;
use serde_json::{json, Value};
use verify_support::*;

const REVIEW_PATH: &str = "/apis/authentication.k8s.io/v1/tokenreviews";

/// What the Kubernetes stand-in saw: the reviewer's `Authorization` and the review's spec.
type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// A Kubernetes API server that reviews the tokens the tests use. Reviews are authorised by the
/// token `reviewer`, or by the reviewed token itself (self-review).
async fn kubernetes_api() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let router = Router::new().route(
        REVIEW_PATH,
        post(move |headers: HeaderMap, Json(review): Json<Value>| {
            let log = log.clone();
            async move {
                let authorization = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let spec = review["spec"].clone();
                log.lock().unwrap().push((authorization.clone(), spec.clone()));
                let token = spec["token"].as_str().unwrap_or_default();
                if authorization != "Bearer reviewer" && authorization != format!("Bearer {token}") {
                    return (
                        StatusCode::FORBIDDEN,
                        Json(json!({ "kind": "Status", "message": "tokenreviews.authentication.k8s.io is forbidden" })),
                    );
                }
                let user = |ns: &str, name: &str, auds: Value| {
                    json!({
                        "authenticated": true,
                        "user": { "username": format!("system:serviceaccount:{ns}:{name}") },
                        "audiences": auds,
                    })
                };
                let status = match token {
                    "sa-prod-api" => user("prod", "api", json!(["infisical"])),
                    "sa-dev-api" => user("dev", "api", json!(["infisical"])),
                    "sa-prod-worker" => user("prod", "worker", json!(["infisical"])),
                    "sa-prod-api-other-aud" => user("prod", "api", json!(["other"])),
                    "expired" => json!({ "authenticated": false, "error": "[invalid bearer token, token has been invalidated]" }),
                    "a-user" => json!({ "authenticated": true, "user": { "username": "alice" }, "audiences": [] }),
                    _ => json!({ "authenticated": false }),
                };
                (
                    StatusCode::CREATED,
                    Json(json!({ "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "status": status })),
                )
            }
        }),
    );
    let addr = serve(router).await;
    (format!("http://{addr}"), seen)
}

fn k8s_settings(host: &str) -> KubernetesSettings {
    KubernetesSettings {
        gateway_mode: false,
        kubernetes_host: Some(host.to_owned()),
        ca_cert: String::new(),
        token_reviewer_jwt: "reviewer".into(),
        allowed_namespaces: "prod, staging-*".into(),
        allowed_names: "api".into(),
        allowed_audience: "infisical".into(),
    }
}

#[tokio::test]
async fn kubernetes_reviews_the_token_and_checks_namespace_name_and_audience() {
    let (host, seen) = kubernetes_api().await;
    let f = fetcher();
    let settings = k8s_settings(&host);

    let verified = kubernetes::verify(&f, &settings, "sa-prod-api")
        .await
        .unwrap();
    assert_eq!(
        verified,
        VerifiedIdentity::Kubernetes {
            namespace: "prod".into(),
            name: "api".into()
        }
    );
    let (authorization, spec) = seen.lock().unwrap()[0].clone();
    assert_eq!(authorization, "Bearer reviewer");
    assert_eq!(
        spec,
        json!({ "token": "sa-prod-api", "audiences": ["infisical"] })
    );

    assert_failure(
        kubernetes::verify(&f, &settings, "sa-dev-api").await,
        401,
        "Access denied: K8s namespace not allowed.",
    );
    assert_failure(
        kubernetes::verify(&f, &settings, "sa-prod-worker").await,
        401,
        "Access denied: K8s name not allowed.",
    );
    assert_failure(
        kubernetes::verify(&f, &settings, "sa-prod-api-other-aud").await,
        401,
        "Access denied: K8s audience not allowed.",
    );
    assert_failure(
        kubernetes::verify(&f, &settings, "unknown").await,
        401,
        "Kubernetes token not authenticated",
    );
    assert_failure(
        kubernetes::verify(&f, &settings, "expired").await,
        401,
        "[invalid bearer token, token has been invalidated]",
    );
    assert_failure(
        kubernetes::verify(&f, &settings, "a-user").await,
        401,
        "Access denied: the reviewed token is not a service account's.",
    );
}

#[tokio::test]
async fn kubernetes_without_a_reviewer_token_reviews_with_the_callers_own() {
    let (host, seen) = kubernetes_api().await;
    let f = fetcher();
    let mut settings = k8s_settings(&host);
    settings.token_reviewer_jwt = String::new();
    settings.allowed_audience = String::new();
    settings.allowed_names = String::new();
    kubernetes::verify(&f, &settings, "sa-prod-worker")
        .await
        .unwrap();
    let (authorization, spec) = seen.lock().unwrap()[0].clone();
    assert_eq!(authorization, "Bearer sa-prod-worker");
    assert_eq!(
        spec,
        json!({ "token": "sa-prod-worker" }),
        "no audiences asked"
    );

    // A reviewer token the API server refuses: its message, as a 401.
    settings.token_reviewer_jwt = "not-the-reviewer".into();
    assert_failure(
        kubernetes::verify(&f, &settings, "sa-prod-api").await,
        401,
        "tokenreviews.authentication.k8s.io is forbidden",
    );
    // The Debug of the settings does not show the reviewer token.
    assert!(!format!("{settings:?}").contains("not-the-reviewer"));
}

#[tokio::test]
async fn kubernetes_api_servers_that_fail_are_a_quick_401_and_gateways_are_refused() {
    let f = fetcher();
    let hanging = silent_server().await;
    let start = Instant::now();
    assert_failure(
        kubernetes::verify(&f, &k8s_settings(&format!("http://{hanging}")), "sa-prod-api").await,
        401,
        &format!("Failed to communicate with Kubernetes API server at http://{hanging}: timeout of 700ms exceeded"),
    );
    assert!(start.elapsed() < Duration::from_secs(3));

    let down = closed_port().await;
    assert_failure_starts(
        kubernetes::verify(&f, &k8s_settings(&format!("http://{down}")), "sa-prod-api").await,
        401,
        "Failed to communicate with Kubernetes API server",
    );

    let garbage = Served::new("this is not JSON");
    let addr = serve(Router::new().route(
        REVIEW_PATH,
        post({
            let garbage = garbage.clone();
            move || async move { garbage.body.lock().unwrap().clone() }
        }),
    ))
    .await;
    assert_failure(
        kubernetes::verify(&f, &k8s_settings(&format!("http://{addr}")), "sa-prod-api").await,
        401,
        "Failed to review token",
    );

    let mut gateway = k8s_settings("http://127.0.0.1:1");
    gateway.gateway_mode = true;
    assert_failure_starts(
        kubernetes::verify(&f, &gateway, "t").await,
        401,
        "Kubernetes auth through an Infisical gateway",
    );
    let mut no_host = k8s_settings("");
    no_host.kubernetes_host = None;
    assert_failure(
        kubernetes::verify(&f, &no_host, "t").await,
        400,
        "Kubernetes host is required when token review mode is set to API",
    );
}

const STS_BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

/// An STS stand-in: the caller is named by the access key id in the signed request's credential
/// scope; the body must be the GetCallerIdentity action.
async fn sts() -> (String, Arc<Mutex<Vec<HeaderMap>>>) {
    let seen: Arc<Mutex<Vec<HeaderMap>>> = Arc::default();
    let log = seen.clone();
    let router = Router::new().route(
        "/",
        post(move |headers: HeaderMap, body: String| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(headers.clone());
                if body != STS_BODY {
                    return (StatusCode::BAD_REQUEST, "bad action".to_owned());
                }
                let authorization = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let key = authorization
                    .split("Credential=")
                    .nth(1)
                    .and_then(|c| c.split('/').next())
                    .unwrap_or_default();
                let identity = |account: &str, arn: &str| {
                    json!({ "GetCallerIdentityResponse": { "GetCallerIdentityResult": {
                        "Account": account, "Arn": arn, "UserId": "AROAEXAMPLE:session"
                    }}})
                    .to_string()
                };
                match key {
                    "AKIDROLE" => (StatusCode::OK, identity("123456789012", "arn:aws:sts::123456789012:assumed-role/app-role/i-0abc")),
                    "AKIDUSER" => (StatusCode::OK, identity("123456789012", "arn:aws:iam::123456789012:user/team/bob")),
                    "AKIDOTHER" => (StatusCode::OK, identity("999999999999", "arn:aws:sts::999999999999:assumed-role/app-role/x")),
                    "AKIDXML" => (StatusCode::OK, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:role/app-role</Arn><UserId>AROA</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>".to_owned()),
                    "AKIDEMPTY" => (StatusCode::OK, "{}".to_owned()),
                    _ => (StatusCode::FORBIDDEN, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>".to_owned()),
                }
            }
        }),
    );
    let addr = serve(router).await;
    (format!("http://{addr}/"), seen)
}

/// The base64 headers and body of a signed GetCallerIdentity request for `access_key`.
fn signed(access_key: &str, region: &str) -> (String, String) {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let headers = json!({
        "Authorization": format!("AWS4-HMAC-SHA256 Credential={access_key}/20240101/{region}/sts/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date, Signature=0123456789abcdef"),
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "Content-Length": STS_BODY.len().to_string(),
        "Host": "sts.amazonaws.com",
        "X-Amz-Date": "20240101T000000Z",
        "Accept": "application/json",
    });
    (b64(&headers.to_string()), b64(STS_BODY))
}

async fn aws_login(
    settings: &AwsSettings,
    access_key: &str,
) -> Result<VerifiedIdentity, infisical_auth_reference::verify::LoginFailure> {
    let (headers, body) = signed(access_key, "us-east-1");
    let request = SignedRequest {
        method: "POST",
        body_base64: &body,
        headers_base64: &headers,
    };
    aws::verify(&fetcher(), settings, &request).await
}

fn aws_settings(endpoint: &str) -> AwsSettings {
    AwsSettings {
        sts_endpoint: endpoint.to_owned(),
        allowed_account_ids: "123456789012, 210987654321".into(),
        allowed_principal_arns:
            "arn:aws:iam::123456789012:role/app-*, arn:aws:iam::123456789012:user/bob".into(),
    }
}

#[tokio::test]
async fn aws_forwards_the_signed_request_and_checks_account_and_arn() {
    let (endpoint, seen) = sts().await;
    let settings = aws_settings(&endpoint);

    let verified = aws_login(&settings, "AKIDROLE").await.unwrap();
    assert_eq!(
        verified,
        VerifiedIdentity::Aws {
            account_id: "123456789012".into(),
            arn: "arn:aws:sts::123456789012:assumed-role/app-role/i-0abc".into(),
            user_id: "AROAEXAMPLE:session".into(),
        }
    );
    let forwarded = seen.lock().unwrap()[0].clone();
    assert_eq!(
        forwarded["host"], "sts.amazonaws.com",
        "signed headers go unchanged"
    );
    assert_eq!(forwarded["x-amz-date"], "20240101T000000Z");

    aws_login(&settings, "AKIDUSER").await.unwrap();
    aws_login(&settings, "AKIDXML").await.unwrap();

    assert_failure(
        aws_login(&settings, "AKIDOTHER").await,
        401,
        "Access denied: AWS account ID not allowed.",
    );
    let mut only_bob = settings.clone();
    only_bob.allowed_principal_arns = "arn:aws:iam::123456789012:user/bob".into();
    assert_failure(
        aws_login(&only_bob, "AKIDROLE").await,
        401,
        "Access denied: AWS principal ARN not allowed. [principal-arn=arn:aws:sts::123456789012:assumed-role/app-role]",
    );
    assert_failure(
        aws_login(&settings, "AKIDFORGED").await,
        401,
        "Access denied: AWS STS refused the signed request (HTTP 403)",
    );
    assert_failure(
        aws_login(&settings, "AKIDEMPTY").await,
        401,
        "Access denied: AWS STS answered without a caller identity",
    );
}

#[tokio::test]
async fn aws_requests_that_do_not_decode_are_a_400_and_a_failing_sts_a_quick_401() {
    let (endpoint, _) = sts().await;
    let settings = aws_settings(&endpoint);
    let f = fetcher();
    let (_, body) = signed("AKIDROLE", "us-east-1");
    let garbage = SignedRequest {
        method: "POST",
        body_base64: &body,
        headers_base64: "%%%not base64",
    };
    assert_failure(
        aws::verify(&f, &settings, &garbage).await,
        400,
        "Invalid AWS request headers",
    );
    let (headers, body) = signed("AKIDROLE", "us-east-1; rm -rf");
    let bad_region = SignedRequest {
        method: "POST",
        body_base64: &body,
        headers_base64: &headers,
    };
    assert_failure(
        aws::verify(&f, &settings, &bad_region).await,
        400,
        "Invalid AWS region",
    );

    let hanging = silent_server().await;
    let start = Instant::now();
    assert_failure(
        aws_login(&aws_settings(&format!("http://{hanging}/")), "AKIDROLE").await,
        401,
        "Access denied: failed to reach AWS STS: timeout of 700ms exceeded",
    );
    assert!(start.elapsed() < Duration::from_secs(3));
}
