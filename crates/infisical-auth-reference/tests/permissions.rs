//! Infisical's organization roles on every management operation: each of the 64 secured
//! operations is called with the access token of an `admin`, a `member` and a `no-access`
//! identity, on the caller's own identity and on another identity of each role. A call is
//! answered as usual (200) when the caller's role grants the action and the identity acted on is
//! no more privileged than the caller; otherwise 403 `PermissionDenied` (the role lacks the
//! permission) or 403 `PermissionBoundaryError` (the identity is more privileged). The admin
//! token may do everything; logins need no permission.

use infisical_auth_reference::{Role, TestServer};
use infisical_auth_server::OPERATIONS;
use serde_json::{json, Value};

const CA_PEM: &str = include_str!("fixtures/ca.pem");
const ROLES: [Role; 3] = [Role::Admin, Role::Member, Role::NoAccess];

/// A valid attach body for the method of path segment `method` (`universal-auth`).
fn attach_body(method: &str) -> Value {
    match method {
        "alicloud-auth" => json!({"allowedArns": "acs:ram::1234567890123456:user/ci"}),
        "aws-auth" => json!({"allowedAccountIds": "123456789012"}),
        "azure-auth" => json!({"tenantId": "t", "resource": "https://management.azure.com/"}),
        "gcp-auth" => {
            json!({"type": "iam", "allowedServiceAccounts": "a@b.iam.gserviceaccount.com"})
        }
        "jwt-auth" => {
            json!({"configurationType": "static", "publicKeys": ["k"], "boundClaims": {}})
        }
        "kubernetes-auth" => {
            json!({"kubernetesHost": "https://k8s.local", "allowedNamespaces": "", "allowedNames": "", "allowedAudience": ""})
        }
        "ldap-auth" => {
            json!({"url": "ldaps://ldap.local", "bindDN": "cn=a", "bindPass": "p", "searchBase": "dc=a"})
        }
        "oci-auth" => json!({"tenancyOcid": "ocid1.tenancy.oc1..aaaa"}),
        "oidc-auth" => {
            json!({"oidcDiscoveryUrl": "https://issuer.example.com", "boundIssuer": "https://issuer.example.com", "boundClaims": {}})
        }
        "spiffe-auth" => {
            json!({"trustDomain": "example.org", "allowedSpiffeIds": "spiffe://example.org/*", "allowedAudiences": "a", "trustBundleDistribution": {"profile": "https_web_bundle", "endpointUrl": "https://example.org/bundle"}})
        }
        "tls-cert-auth" => json!({"caCertificate": CA_PEM}),
        "token-auth" | "universal-auth" => json!({}),
        other => panic!("no attach body for {other}"),
    }
}

/// A valid body for operation `id` (of method `method`), if it takes one.
fn body(id: &str, method: &str) -> Option<Value> {
    if id.starts_with("attach") {
        return Some(attach_body(method));
    }
    Some(match id {
        "updateJwtAuth" => {
            json!({"configurationType": "jwks", "jwksUrl": "https://example.com/jwks"})
        }
        "updateGcpAuth" => json!({"type": "gce"}),
        "updateAlicloudAuth" => json!({"allowedArns": "acs:ram::1234567890123456:role/ci"}),
        "updateOciAuth" => json!({"tenancyOcid": "ocid1.tenancy.oc1..bbbb"}),
        "updateTokenAuthToken" => json!({"name": "renamed"}),
        "createUniversalAuthClientSecret" | "createTokenAuthToken" => json!({}),
        id if id.starts_with("update") => json!({"accessTokenTTL": 60}),
        _ => return None,
    })
}

/// The method path segment of a path (`/api/v1/auth/universal-auth/...` → `universal-auth`).
fn method_of(path: &str) -> &str {
    path.trim_start_matches("/api/v1/auth/")
        .split('/')
        .next()
        .unwrap()
}

struct Harness {
    server: TestServer,
    http: reqwest::Client,
}

impl Harness {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.server.base_url()))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self
            .send(method, path, self.server.admin_token(), body)
            .await;
        assert_eq!(status, 200, "{method} {path}: {answer}");
        answer
    }

    /// An identity of `role` and an access token of it, logged in with a method other than the
    /// one `operation` acts on when the operation attaches it.
    async fn caller(&self, role: Role, operation: &str) -> (String, String) {
        if operation == "attachTokenAuth" {
            let made = self.server.universal_auth_identity(role);
            let (status, login) = self
                .send(
                    "POST",
                    "/api/v1/auth/universal-auth/login",
                    "",
                    Some(json!({"clientId": made.client_id, "clientSecret": made.client_secret})),
                )
                .await;
            assert_eq!(status, 200, "{login}");
            (
                made.identity_id,
                login["accessToken"].as_str().unwrap().to_owned(),
            )
        } else {
            let made = self.server.token_auth_identity(role);
            (made.identity_id, made.access_token)
        }
    }

    /// Gives `target` what `operation` needs (its method attached, unless the operation attaches
    /// it; a client secret; a token) and returns the operation's path.
    async fn prepare(
        &self,
        operation: &infisical_auth_server::runtime::Operation,
        target: &str,
    ) -> String {
        let method = method_of(operation.path);
        let config = format!("/api/v1/auth/{method}/identities/{target}");
        if !operation.id.starts_with("attach") {
            let (status, _) = self
                .send("GET", &config, self.server.admin_token(), None)
                .await;
            if status != 200 {
                self.admin("POST", &config, Some(attach_body(method))).await;
            }
        }
        let mut path = operation.path.replace("{identityId}", target);
        if path.contains("{clientSecretId}") {
            let created = self
                .admin("POST", &format!("{config}/client-secrets"), Some(json!({})))
                .await;
            path = path.replace(
                "{clientSecretId}",
                created["clientSecretData"]["id"].as_str().unwrap(),
            );
        }
        if path.contains("{tokenId}") {
            let created = self
                .admin(
                    "POST",
                    &format!("/api/v1/auth/token-auth/identities/{target}/tokens"),
                    Some(json!({})),
                )
                .await;
            path = path.replace("{tokenId}", created["tokenData"]["id"].as_str().unwrap());
        }
        path
    }
}

/// What a caller of role `caller` may do to an identity of role `target`.
fn expected(caller: Role, target: Role) -> Result<(), &'static str> {
    if caller == Role::NoAccess {
        Err("PermissionDenied")
    } else if target > caller {
        Err("PermissionBoundaryError")
    } else {
        Ok(())
    }
}

#[tokio::test]
async fn every_management_operation_for_every_role_on_its_own_and_others_identities() {
    let harness = Harness {
        server: TestServer::builder().journal_size(0).start().await,
        http: reqwest::Client::new(),
    };
    let secured: Vec<_> = OPERATIONS.iter().filter(|op| op.secured).collect();
    assert_eq!(secured.len(), 64);
    let mut mismatches = Vec::new();
    let mut cases = 0;
    for operation in &secured {
        for caller_role in ROLES {
            // The caller's own identity, then another identity of each role.
            let targets = [
                None,
                Some(Role::Admin),
                Some(Role::Member),
                Some(Role::NoAccess),
            ];
            for target_role in targets {
                let (caller, token) = harness.caller(caller_role, operation.id).await;
                let (target, role) = match target_role {
                    None => (caller.clone(), caller_role),
                    Some(role) => (harness.server.create_identity(role), role),
                };
                let path = harness.prepare(operation, &target).await;
                let body =
                    body(operation.id, method_of(operation.path)).filter(|_| operation.has_body);
                let (status, answer) = harness.send(operation.method, &path, &token, body).await;
                cases += 1;
                let whose = match target_role {
                    None => "own".to_owned(),
                    Some(Role::Admin) => "an admin's".to_owned(),
                    Some(role) => format!("a {role}'s"),
                };
                let case = format!("{} by {caller_role} on {whose} identity", operation.id);
                match expected(caller_role, role) {
                    Ok(()) if status != 200 => {
                        mismatches.push(format!("{case}: {status} {answer}"));
                    }
                    Err(error) if status != 403 || answer["error"] != error => {
                        mismatches
                            .push(format!("{case}: wanted 403 {error}, got {status} {answer}"));
                    }
                    _ => {}
                }
                if let Err("PermissionDenied") = expected(caller_role, role) {
                    let message = answer["message"].as_str().unwrap_or("");
                    if !message.starts_with("You are not allowed to ")
                        || !message.ends_with(" on identity")
                    {
                        mismatches.push(format!("{case}: message {message:?}"));
                    }
                }
                if let Err("PermissionBoundaryError") = expected(caller_role, role) {
                    let message = answer["message"].as_str().unwrap_or("");
                    if !message.contains("more privileged") {
                        mismatches.push(format!("{case}: message {message:?}"));
                    }
                }
            }
        }
    }
    assert_eq!(cases, 64 * 3 * 4);
    assert!(
        mismatches.is_empty(),
        "{} of {cases} cases:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Infisical's messages on the operations whose privilege check it words itself.
#[tokio::test]
async fn a_member_is_told_what_it_may_not_do_to_an_admin() {
    let harness = Harness {
        server: TestServer::start().await,
        http: reqwest::Client::new(),
    };
    let (_, token) = harness.caller(Role::Member, "getUniversalAuth").await;
    let admin = harness.server.universal_auth_identity(Role::Admin);
    let ua = format!(
        "/api/v1/auth/universal-auth/identities/{}",
        admin.identity_id
    );
    for (method, path, body, message) in [
        (
            "POST",
            format!("{ua}/client-secrets"),
            Some(json!({})),
            "Failed to create client secret for more privileged identity",
        ),
        (
            "GET",
            format!("{ua}/client-secrets"),
            None,
            "Failed to get identity client secret with more privileged role",
        ),
        (
            "DELETE",
            ua.clone(),
            None,
            "Failed to revoke universal auth of identity with more privileged role",
        ),
    ] {
        let (status, answer) = harness.send(method, &path, &token, body).await;
        assert_eq!(status, 403, "{answer}");
        assert_eq!(answer["error"], "PermissionBoundaryError");
        assert_eq!(answer["message"], message);
        assert!(answer["details"]["missingPermissions"]
            .as_array()
            .is_some_and(|m| !m.is_empty()));
    }
    // The admin identity still logs in: logins need no permission.
    let (status, _) = harness
        .send(
            "POST",
            "/api/v1/auth/universal-auth/login",
            "",
            Some(json!({"clientId": admin.client_id, "clientSecret": admin.client_secret})),
        )
        .await;
    assert_eq!(status, 200);
}

/// A `no-access` identity's token cannot touch another identity, nor its own; the order of
/// Infisical's checks holds (an unknown identity is 404 and a method already attached 400
/// before the permission check).
#[tokio::test]
async fn a_no_access_token_touches_nothing() {
    let harness = Harness {
        server: TestServer::start().await,
        http: reqwest::Client::new(),
    };
    let (own, token) = harness.caller(Role::NoAccess, "getUniversalAuth").await;
    let other = harness.server.universal_auth_identity(Role::NoAccess);
    for target in [&own, &other.identity_id] {
        let (status, answer) = harness
            .send(
                "POST",
                &format!("/api/v1/auth/universal-auth/identities/{target}/client-secrets"),
                &token,
                Some(json!({})),
            )
            .await;
        assert_eq!(status, if target == &own { 400 } else { 403 }, "{answer}");
    }
    let (status, answer) = harness
        .send(
            "GET",
            &format!(
                "/api/v1/auth/universal-auth/identities/{}",
                other.identity_id
            ),
            &token,
            None,
        )
        .await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (403, Some("You are not allowed to read on identity"))
    );
    assert_eq!(answer["details"], json!([]));
    let (status, _) = harness
        .send(
            "GET",
            "/api/v1/auth/universal-auth/identities/00000000-0000-4000-8000-000000000000",
            &token,
            None,
        )
        .await;
    assert_eq!(status, 404, "unknown identity first");
    let (status, _) = harness
        .send(
            "POST",
            &format!("/api/v1/auth/token-auth/identities/{own}"),
            &token,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 400, "already attached before permission");
}

/// Creating an identity takes `role`; a token may create identities as its role allows and
/// never one more privileged than itself.
#[tokio::test]
async fn identities_are_created_with_a_role_no_more_privileged_than_the_callers() {
    let harness = Harness {
        server: TestServer::start().await,
        http: reqwest::Client::new(),
    };
    let (status, created) = harness
        .send(
            "POST",
            "/api/v1/identities",
            harness.server.admin_token(),
            Some(json!({"role": "admin", "name": "ci"})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            created["identity"]["role"].as_str(),
            created["identity"]["name"].as_str()
        ),
        (Some("admin"), Some("ci"))
    );
    let (status, created) = harness
        .send(
            "POST",
            "/api/v1/identities",
            harness.server.admin_token(),
            None,
        )
        .await;
    assert_eq!(
        (status, created["identity"]["role"].as_str()),
        (200, Some("no-access")),
        "Infisical's default"
    );
    let (status, refused) = harness
        .send(
            "POST",
            "/api/v1/identities",
            harness.server.admin_token(),
            Some(json!({"role": "owner"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["message"],
        "role: `owner` is not a role (admin, member or no-access)"
    );
    for (caller, role, wanted) in [
        (Role::Admin, "admin", 200),
        (Role::Member, "member", 200),
        (Role::Member, "no-access", 200),
        (Role::Member, "admin", 403),
        (Role::NoAccess, "no-access", 403),
    ] {
        let (_, token) = harness.caller(caller, "createIdentity").await;
        let (status, answer) = harness
            .send(
                "POST",
                "/api/v1/identities",
                &token,
                Some(json!({"role": role})),
            )
            .await;
        assert_eq!(status, wanted, "{caller} creating a {role}: {answer}");
    }
}
