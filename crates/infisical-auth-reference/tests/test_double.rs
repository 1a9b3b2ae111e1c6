//! The reference server as a test double, over HTTP and in-process: the control routes
//! (`/_reference/faults`, `/_reference/requests`: admin token only, bad rules refused by field),
//! what each fault does on the wire (Infisical's error shape with `Retry-After`, a connection
//! closed unanswered), that a faulted request changes nothing, what the journal holds (and never
//! holds), seed files and `--fault` on the command line, and `TestServer` stopping on drop.

use std::io::{Read, Write};
use std::time::Duration;

use infisical_auth_reference::{FaultRule, Role, Seed, TestServer};
use serde_json::{json, Value};

/// A raw request to `server`: status, headers and the JSON answer.
async fn call(
    server: &TestServer,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request =
        reqwest::Client::new().request(method, format!("{}{path}", server.base_url()));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn ua_path(id: &str) -> String {
    format!("/api/v1/auth/universal-auth/identities/{id}")
}

async fn login(server: &TestServer, client_id: &str, secret: &str) -> (u16, Value) {
    let (status, _, body) = call(
        server,
        "POST",
        "/api/v1/auth/universal-auth/login",
        None,
        Some(json!({"clientId": client_id, "clientSecret": secret})),
    )
    .await;
    (status, body)
}

#[tokio::test]
async fn control_routes_take_the_admin_token_only() {
    let server = TestServer::start().await;
    let caller = server.token_auth_identity(Role::Admin);
    for (method, path) in [
        ("GET", "/_reference/faults"),
        ("POST", "/_reference/faults"),
        ("DELETE", "/_reference/faults"),
        ("GET", "/_reference/requests"),
        ("DELETE", "/_reference/requests"),
    ] {
        let (status, _, body) = call(&server, method, path, None, None).await;
        assert_eq!(
            (status, &body["message"]),
            (401, &json!("Token missing")),
            "{method} {path}"
        );
        let (status, _, body) = call(&server, method, path, Some(&caller.access_token), None).await;
        assert_eq!(
            (status, &body["error"]),
            (403, &json!("ForbiddenError")),
            "{method} {path}"
        );
    }
    let (status, _, body) = call(
        &server,
        "GET",
        "/_reference/faults",
        Some(server.admin_token()),
        None,
    )
    .await;
    assert_eq!((status, body), (200, json!({"rules": []})));
    let (status, _, _) = call(
        &server,
        "PUT",
        "/_reference/faults",
        Some(server.admin_token()),
        None,
    )
    .await;
    assert_eq!(status, 404, "other methods are Infisical's 404");
}

#[tokio::test]
async fn a_status_rule_answers_in_infisicals_shape_with_retry_after_then_runs_out() {
    let server = TestServer::start().await;
    let admin = Some(server.admin_token());
    let identity = server.universal_auth_identity(Role::NoAccess);
    let (status, _, added) = call(
        &server,
        "POST",
        "/_reference/faults",
        admin,
        Some(json!({"operationId": "getUniversalAuth", "status": 429, "retryAfterSeconds": 2, "times": 2})),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(
        added["rule"],
        json!({"id": 1, "operationId": "getUniversalAuth", "status": 429, "retryAfterSeconds": 2, "times": 2, "remaining": 2})
    );
    let path = ua_path(&identity.identity_id);
    let (status, headers, body) = call(&server, "GET", &path, admin, None).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(body["statusCode"], 429);
    assert_eq!(body["error"], "RateLimitExceeded");
    assert!(body["reqId"].as_str().unwrap().starts_with("req-"));
    let (_, _, listed) = call(&server, "GET", "/_reference/faults", admin, None).await;
    assert_eq!(listed["rules"][0]["remaining"], 1);
    let (status, _, _) = call(&server, "GET", &path, admin, None).await;
    assert_eq!(status, 429);
    let (status, _, body) = call(&server, "GET", &path, admin, None).await;
    assert_eq!(status, 200, "the rule ran out: {body}");
    let (_, _, listed) = call(&server, "GET", "/_reference/faults", admin, None).await;
    assert_eq!(listed, json!({"rules": []}));

    // Each status with its error name; DELETE clears what is left.
    for (status, error) in [
        (500, "InternalServerError"),
        (502, "BadGateway"),
        (503, "ServiceUnavailable"),
        (504, "GatewayTimeoutError"),
    ] {
        server.fault(FaultRule::status("getUniversalAuth", status));
        let (answered, headers, body) = call(&server, "GET", &path, admin, None).await;
        assert_eq!((answered, body["error"].as_str()), (status, Some(error)));
        assert!(headers.get("retry-after").is_none());
    }
    server.fault(FaultRule::status("getUniversalAuth", 503).times(9));
    let (status, _, body) = call(&server, "DELETE", "/_reference/faults", admin, None).await;
    assert_eq!((status, body), (200, json!({"deleted": 1})));
    assert_eq!(call(&server, "GET", &path, admin, None).await.0, 200);
}

#[tokio::test]
async fn a_bad_rule_is_refused_naming_the_field_and_the_rule() {
    let server = TestServer::start().await;
    let admin = Some(server.admin_token());
    for (rule, message) in [
        (
            json!({"status": 404}),
            "status: must be one of 429, 500, 502, 503, 504, not 404",
        ),
        (
            json!({"status": "503"}),
            "status: invalid type: string \"503\", expected u16",
        ),
        (
            json!({"operationId": "getEverything", "status": 503}),
            "operationId: `getEverything` is not an operation of the API",
        ),
        (
            json!({"status": 503, "times": 0}),
            "times: must be at least 1",
        ),
        (
            json!({"status": 503, "drop": true}),
            "drop: cannot go with status",
        ),
        (
            json!({"times": 2}),
            "a rule needs status, delayMs or drop: true",
        ),
        (
            json!({"status": 503, "retry": 1}),
            "retry: unknown field `retry`",
        ),
        (json!([1]), "a fault rule is a JSON object"),
        (Value::Null, "a fault rule is a JSON object"),
    ] {
        let (status, _, body) = call(
            &server,
            "POST",
            "/_reference/faults",
            admin,
            Some(rule.clone()),
        )
        .await;
        assert_eq!(status, 400, "{rule}: {body}");
        assert_eq!(body["error"], "BadRequest");
        let text = body["message"].as_str().unwrap();
        assert!(text.starts_with(message), "{rule}: {text}");
    }
    assert!(server.faults().is_empty());
}

#[tokio::test]
async fn a_rule_for_every_operation_spares_the_servers_own_routes() {
    let server = TestServer::start().await;
    let admin = Some(server.admin_token());
    let identity = server.universal_auth_identity(Role::Member);
    server.fault(FaultRule {
        status: Some(503),
        times: Some(2),
        ..FaultRule::default()
    });
    let (status, _, _) = call(
        &server,
        "POST",
        "/api/v1/identities",
        admin,
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200, "createIdentity is not an API operation");
    assert_eq!(
        call(&server, "GET", "/api/docs/json", None, None).await.0,
        200
    );
    assert_eq!(
        call(&server, "GET", "/_reference/requests", admin, None)
            .await
            .0,
        200
    );
    assert_eq!(
        login(&server, &identity.client_id, &identity.client_secret)
            .await
            .0,
        503
    );
    let (status, _, _) = call(&server, "GET", &ua_path(&identity.identity_id), admin, None).await;
    assert_eq!(status, 503);
    assert!(server.faults().is_empty());
}

/// A request whose connection is dropped gets no answer at all: the server reads it, then closes
/// the connection.
#[tokio::test]
async fn a_dropped_request_is_read_and_its_connection_closed_unanswered() {
    let server = TestServer::start().await;
    let identity = server.universal_auth_identity(Role::Member);
    server.fault(FaultRule::drop_connection("loginWithUniversalAuth").times(2));
    let address = server.base_url().trim_start_matches("http://").to_owned();
    let body =
        json!({"clientId": identity.client_id, "clientSecret": identity.client_secret}).to_string();
    let request = format!(
        "POST /api/v1/auth/universal-auth/login HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let answered = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let read = stream.read_to_end(&mut answer);
        (read.is_ok(), answer)
    })
    .await
    .unwrap();
    assert!(answered.0, "the connection was closed, not left open");
    assert!(
        answered.1.is_empty(),
        "no answer: {}",
        String::from_utf8_lossy(&answered.1)
    );
    // With a client: a transport error, and the server issued nothing.
    let refused = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/auth/universal-auth/login",
            server.base_url()
        ))
        .json(&json!({"clientId": identity.client_id, "clientSecret": identity.client_secret}))
        .send()
        .await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(server.api().token_count(), 0);
    let logins = server.requests_for("loginWithUniversalAuth");
    assert_eq!(logins.len(), 2);
    assert!(logins
        .iter()
        .all(|e| e.status.is_none() && e.fault.as_deref() == Some("drop")));
    assert_eq!(
        login(&server, &identity.client_id, &identity.client_secret)
            .await
            .0,
        200
    );
}

/// A faulted login never reaches the API: a wrong secret answered 503 by a rule counts no
/// failure towards lockout, where the same login unfaulted locks the method.
#[tokio::test]
async fn a_faulted_login_counts_no_lockout_failure() {
    let server = TestServer::start().await;
    let locking = infisical_auth_client::types::AttachUniversalAuthBody {
        lockout_enabled: true,
        lockout_threshold: 1.0,
        lockout_duration_seconds: 300.0,
        ..Default::default()
    };
    let faulted = server.universal_auth_identity_with(Role::Member, locking.clone());
    server.fault(FaultRule::status("loginWithUniversalAuth", 503));
    assert_eq!(
        login(&server, &faulted.client_id, "wrong-secret").await.0,
        503
    );
    assert_eq!(
        login(&server, &faulted.client_id, &faulted.client_secret)
            .await
            .0,
        200
    );

    let unfaulted = server.universal_auth_identity_with(Role::Member, locking);
    assert_eq!(
        login(&server, &unfaulted.client_id, "wrong-secret").await.0,
        401
    );
    let (status, body) = login(&server, &unfaulted.client_id, &unfaulted.client_secret).await;
    assert_eq!(status, 401);
    assert_eq!(
        body["message"],
        "This identity auth method is temporarily locked, please try again later"
    );
}

#[tokio::test]
async fn the_journal_records_who_called_what_and_never_a_secret() {
    let server = TestServer::start().await;
    let admin = Some(server.admin_token());
    let identity = server.universal_auth_identity(Role::Member);
    let (status, token) = login(&server, &identity.client_id, &identity.client_secret).await;
    assert_eq!(status, 200);
    let token = token["accessToken"].as_str().unwrap().to_owned();
    let path = ua_path(&identity.identity_id);
    let (_, _, created) = call(
        &server,
        "POST",
        &format!("{path}/client-secrets"),
        Some(&token),
        Some(json!({"description": "journal-body-marker"})),
    )
    .await;
    let new_secret = created["clientSecret"].as_str().unwrap().to_owned();
    let other = server.create_identity(Role::NoAccess);
    let (status, _, refused) = call(
        &server,
        "GET",
        &format!("{}?marker=query-value-marker", ua_path(&other)),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 400, "{refused}");
    call(&server, "GET", "/nowhere", None, None).await;

    let (status, _, journal) = call(&server, "GET", "/_reference/requests", admin, None).await;
    assert_eq!(status, 200);
    assert_eq!(journal["capacity"], 1000);
    let text = journal.to_string();
    for secret in [
        identity.client_secret.as_str(),
        token.as_str(),
        new_secret.as_str(),
        server.admin_token(),
        "journal-body-marker",
        "query-value-marker",
    ] {
        assert!(!text.contains(secret), "{secret} in the journal: {text}");
    }
    let entries = journal["requests"].as_array().unwrap();
    let ops: Vec<_> = entries.iter().map(|e| e["operationId"].clone()).collect();
    assert_eq!(
        ops,
        [
            json!("loginWithUniversalAuth"),
            json!("createUniversalAuthClientSecret"),
            json!("getUniversalAuth"),
            Value::Null,
        ],
        "oldest first; the control route itself is not journaled"
    );
    let login_entry = &entries[0];
    assert_eq!(login_entry["identityId"], json!(identity.identity_id));
    assert_eq!(login_entry["callerIdentityId"], Value::Null);
    assert_eq!(login_entry["path"], "/api/v1/auth/universal-auth/login");
    assert_eq!(login_entry["clientIp"], "127.0.0.1");
    let create = &entries[1];
    assert_eq!(create["method"], "POST");
    assert_eq!(
        create["path"],
        "/api/v1/auth/universal-auth/identities/{identityId}/client-secrets"
    );
    assert_eq!(create["status"], 200);
    assert_eq!(create["identityId"], json!(identity.identity_id));
    assert_eq!(create["callerIdentityId"], json!(identity.identity_id));
    assert!(create["latencyMs"].as_f64().unwrap() >= 0.0);
    assert_eq!(create["fault"], Value::Null);
    let get = &entries[2];
    assert_eq!(
        (get["status"].clone(), get["identityId"].clone()),
        (json!(400), json!(other))
    );
    assert_eq!(
        get["reqId"], refused["reqId"],
        "the error body's request id"
    );
    let nowhere = &entries[3];
    assert_eq!(
        (
            nowhere["method"].clone(),
            nowhere["path"].clone(),
            nowhere["status"].clone()
        ),
        (json!("GET"), Value::Null, json!(404))
    );

    // Filtered by operation, read typed, and cleared.
    let (_, _, logins) = call(
        &server,
        "GET",
        "/_reference/requests?operationId=loginWithUniversalAuth",
        admin,
        None,
    )
    .await;
    assert_eq!(logins["requests"].as_array().unwrap().len(), 1);
    let (status, _, body) = call(&server, "GET", "/_reference/requests?limit=2", admin, None).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "limit: not a parameter of this route (only operationId)"
    );
    let typed = server.requests_for("getUniversalAuth");
    assert_eq!(typed[0].status, Some(400));
    assert_eq!(
        typed[0].caller_identity_id.as_deref(),
        Some(identity.identity_id.as_str())
    );
    let (_, _, cleared) = call(&server, "DELETE", "/_reference/requests", admin, None).await;
    assert_eq!(cleared, json!({"deleted": 4}));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_journal_keeps_only_the_latest_requests() {
    let server = TestServer::builder().journal_size(3).start().await;
    let identity = server.universal_auth_identity(Role::Member);
    for _ in 0..5 {
        call(
            &server,
            "GET",
            &ua_path(&identity.identity_id),
            Some(server.admin_token()),
            None,
        )
        .await;
    }
    login(&server, &identity.client_id, &identity.client_secret).await;
    let ops: Vec<_> = server
        .requests()
        .into_iter()
        .map(|e| e.operation_id.unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "getUniversalAuth",
            "getUniversalAuth",
            "loginWithUniversalAuth"
        ]
    );

    let off = TestServer::builder().journal_size(0).start().await;
    call(&off, "GET", "/api/docs/json", None, None).await;
    assert!(off.requests().is_empty());
}

#[tokio::test]
async fn a_seed_brings_up_identities_that_log_in_with_fixed_credentials() {
    let id = "0b6c1f4e-95a8-4d7e-8f0a-3c2b1a9d8e7f";
    let seed = Seed::parse(&format!(
        r#"
identities:
  - id: {id}
    role: member
    authMethods:
      universalAuth:
        clientId: seeded-client
        accessTokenTTL: 600
      tokenAuth: {{}}
    clientSecrets:
      - secret: seeded-secret-value
        description: from the seed
"#
    ))
    .unwrap();
    let server = TestServer::builder().seed(seed).start().await;
    let (status, answer) = login(&server, "seeded-client", "seeded-secret-value").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["expiresIn"], 600);
    let token = answer["accessToken"].as_str().unwrap();
    let (status, _, config) = call(
        &server,
        "GET",
        &format!("/api/v1/auth/token-auth/identities/{id}"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, 200, "a member manages itself: {config}");
    let (_, _, secrets) = call(
        &server,
        "GET",
        &format!("{}/client-secrets", ua_path(id)),
        Some(token),
        None,
    )
    .await;
    assert_eq!(
        secrets["clientSecretData"][0]["description"],
        "from the seed"
    );
    assert_eq!(secrets["clientSecretData"][0]["clientSecretPrefix"], "seed");
}

#[tokio::test]
async fn dropping_the_test_server_stops_it() {
    let server = TestServer::start().await;
    let base = server.base_url().to_owned();
    assert!(reqwest::get(format!("{base}/api/docs/json")).await.is_ok());
    drop(server);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after = reqwest::Client::new()
        .get(format!("{base}/api/docs/json"))
        .send()
        .await;
    assert!(after.is_err(), "still answering: {after:?}");
}

/// The binary: a seed file and `--fault` rules from the command line; a bad seed stops the start
/// naming the entry and the rule.
#[test]
fn the_command_line_takes_a_seed_file_and_fault_rules() {
    let dir = std::env::temp_dir().join(format!("reference-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "identities:\n  - id: 0b6c1f4e-95a8-4d7e-8f0a-3c2b1a9d8e7f\n    authMethods:\n      universalAuth:\n        accessTokenTTL: 7200\n        accessTokenMaxTTL: 60\n").unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_reference-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--admin-token",
            "admin",
            "--quiet",
            "--seed",
        ])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("seed: identities[0] (0b6c1f4e-95a8-4d7e-8f0a-3c2b1a9d8e7f): authMethods.universalAuth: ")
            && stderr.contains("Access Token TTL cannot be greater than Access Token Max TTL"),
        "{stderr}"
    );
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_reference-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--admin-token",
            "admin",
            "--fault",
            "status=404",
        ])
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("status: must be one of 429, 500, 502, 503, 504, not 404"),
        "{stderr}"
    );

    let good = dir.join("good.json");
    std::fs::write(
        &good,
        json!({"identities": [{"role": "admin", "authMethods": {"universalAuth": {"clientId": "cli-client"}}, "clientSecrets": [{"secret": "cli-secret-value"}]}]}).to_string(),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_reference-server"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--admin-token",
            "admin",
            "--quiet",
            "--seed",
        ])
        .arg(&good)
        .args([
            "--fault",
            "operationId=loginWithUniversalAuth,status=503,retryAfterSeconds=1",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    assert_eq!(blocking_login(&base), 503, "the rule from --fault");
    assert_eq!(blocking_login(&base), 200, "the seed's fixed credentials");
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A universal-auth login with the command-line test's seeded credentials over a plain TCP
/// connection: the answer's status.
fn blocking_login(base: &str) -> u16 {
    let address = base.trim_start_matches("http://");
    let body = r#"{"clientId":"cli-client","clientSecret":"cli-secret-value"}"#;
    let request = format!(
        "POST /api/v1/auth/universal-auth/login HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer[9..12].parse().unwrap()
}
