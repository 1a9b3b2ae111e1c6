//! Every operation of the spec, called with the generated client against the reference
//! server over loopback: configuration attach, retrieve, update and revoke for all 13 methods,
//! every login, client secrets, lockouts, token-auth tokens, renew and revoke.

mod common;

use std::collections::BTreeSet;

use common::{api_error, body, start};
use infisical_auth_client::types;
use serde_json::json;

const CA_PEM: &str = include_str!("fixtures/ca.pem");

fn snake(id: &str) -> String {
    let mut out = String::new();
    for c in id.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Attach (twice: the second is a 400), retrieve, update, revoke, and retrieve after revoke.
macro_rules! config_cycle {
    ($server:expr, $seen:expr, $attach:ident $attach_body:ident = $attach_json:expr,
     $get:ident, $update:ident $update_body:ident = $update_json:expr, $delete:ident) => {{
        let server = &$server;
        let id = server.new_identity().await;
        let attached = server
            .admin
            .$attach()
            .identity_id(&id)
            .body(body::<types::$attach_body>($attach_json))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", stringify!($attach)));
        let attached = serde_json::to_value(attached.into_inner()).expect("json");
        let config = attached
            .as_object()
            .and_then(|o| o.values().next())
            .cloned()
            .expect("wrapper");
        assert_eq!(config["identityId"], json!(id), "{}", stringify!($attach));
        let again = api_error(
            server
                .admin
                .$attach()
                .identity_id(&id)
                .body(body::<types::$attach_body>($attach_json))
                .send()
                .await,
        );
        assert_eq!(again.status_code, 400, "{}", stringify!($attach));
        let unknown = api_error(
            server
                .admin
                .$attach()
                .identity_id("00000000-0000-4000-8000-000000000000")
                .body(body::<types::$attach_body>($attach_json))
                .send()
                .await,
        );
        assert_eq!(unknown.status_code, 404, "{}", stringify!($attach));
        server
            .admin
            .$get()
            .identity_id(&id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", stringify!($get)));
        let updated = server
            .admin
            .$update()
            .identity_id(&id)
            .body(body::<types::$update_body>($update_json))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", stringify!($update)));
        let updated = serde_json::to_value(updated.into_inner()).expect("json");
        let updated = updated
            .as_object()
            .and_then(|o| o.values().next())
            .cloned()
            .expect("wrapper");
        assert_eq!(updated["id"], config["id"]);
        server
            .admin
            .$delete()
            .identity_id(&id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", stringify!($delete)));
        let gone = api_error(server.admin.$get().identity_id(&id).send().await);
        assert_eq!(gone.status_code, 400, "{}", stringify!($get));
        for op in [
            stringify!($attach),
            stringify!($get),
            stringify!($update),
            stringify!($delete),
        ] {
            $seen.insert(op.to_owned());
        }
        id
    }};
}

/// A login that only the identity provider could verify: a clear 401 saying so.
macro_rules! offline_login {
    ($server:expr, $seen:expr, $login:ident $login_body:ident = $json:expr) => {{
        let error = api_error(
            $server
                .anon
                .$login()
                .body(body::<types::$login_body>($json))
                .send()
                .await,
        );
        assert_eq!(error.status_code, 401, "{}", stringify!($login));
        assert!(
            error.message_text().contains("cannot be verified"),
            "{}",
            error.message_text()
        );
        $seen.insert(stringify!($login).to_owned());
    }};
}

/// A verified login to an identity without the method: Infisical's 404 naming the method.
macro_rules! unconfigured_login {
    ($server:expr, $seen:expr, $login:ident $login_body:ident = $json:expr) => {{
        let error = api_error(
            $server
                .anon
                .$login()
                .body(body::<types::$login_body>($json))
                .send()
                .await,
        );
        assert_eq!(error.status_code, 404, "{}", stringify!($login));
        assert!(
            error.message_text().contains("not found"),
            "{}",
            error.message_text()
        );
        $seen.insert(stringify!($login).to_owned());
    }};
}

#[tokio::test]
async fn every_operation_is_served() {
    let server = start().await;
    let mut seen = BTreeSet::new();
    let ip = json!([{"ipAddress": "127.0.0.1"}, {"ipAddress": "::1/128"}]);

    config_cycle!(server, seen,
        attach_alicloud_auth AttachAlicloudAuthBody = json!({"allowedArns": "acs:ram::1234567890123456:user/ci"}),
        get_alicloud_auth,
        update_alicloud_auth UpdateAlicloudAuthBody = json!({"allowedArns": "acs:ram::1234567890123456:role/ci"}),
        delete_alicloud_auth);
    config_cycle!(server, seen,
        attach_aws_auth AttachAwsAuthBody = json!({"allowedAccountIds": "123456789012"}),
        get_aws_auth,
        update_aws_auth UpdateAwsAuthBody = json!({"accessTokenTTL": 60}),
        delete_aws_auth);
    config_cycle!(server, seen,
        attach_azure_auth AttachAzureAuthBody = json!({"tenantId": "t", "resource": "https://management.azure.com/"}),
        get_azure_auth,
        update_azure_auth UpdateAzureAuthBody = json!({"allowedServicePrincipalIds": "a, b"}),
        delete_azure_auth);
    config_cycle!(server, seen,
        attach_gcp_auth AttachGcpAuthBody = json!({"type": "iam", "allowedServiceAccounts": "a@b.iam.gserviceaccount.com"}),
        get_gcp_auth,
        update_gcp_auth UpdateGcpAuthBody = json!({"type": "gce"}),
        delete_gcp_auth);
    config_cycle!(server, seen,
        attach_jwt_auth AttachJwtAuthBody = json!({"configurationType": "static", "publicKeys": ["k"], "boundClaims": {}}),
        get_jwt_auth,
        update_jwt_auth UpdateJwtAuthBody = json!({"configurationType": "jwks", "jwksUrl": "https://example.com/jwks"}),
        delete_jwt_auth);
    config_cycle!(server, seen,
        attach_kubernetes_auth AttachKubernetesAuthBody = json!({"kubernetesHost": "https://k8s.local", "allowedNamespaces": "", "allowedNames": "", "allowedAudience": ""}),
        get_kubernetes_auth,
        update_kubernetes_auth UpdateKubernetesAuthBody = json!({"allowedNamespaces": "default"}),
        delete_kubernetes_auth);
    let ldap = config_cycle!(server, seen,
        attach_ldap_auth AttachLdapAuthBody = json!({"url": "ldaps://ldap.local", "bindDN": "cn=a", "bindPass": "p", "searchBase": "dc=a"}),
        get_ldap_auth,
        update_ldap_auth UpdateLdapAuthBody = json!({"lockoutThreshold": 5}),
        delete_ldap_auth);
    config_cycle!(server, seen,
        attach_oci_auth AttachOciAuthBody = json!({"tenancyOcid": "ocid1.tenancy.oc1..aaaa"}),
        get_oci_auth,
        update_oci_auth UpdateOciAuthBody = json!({"tenancyOcid": "ocid1.tenancy.oc1..bbbb", "allowedUsernames": "a, b"}),
        delete_oci_auth);
    config_cycle!(server, seen,
        attach_oidc_auth AttachOidcAuthBody = json!({"oidcDiscoveryUrl": "https://issuer.example.com", "boundIssuer": "https://issuer.example.com", "boundClaims": {}}),
        get_oidc_auth,
        update_oidc_auth UpdateOidcAuthBody = json!({"boundSubject": "s"}),
        delete_oidc_auth);
    config_cycle!(server, seen,
        attach_spiffe_auth AttachSpiffeAuthBody = json!({"trustDomain": "example.org", "allowedSpiffeIds": "spiffe://example.org/*", "allowedAudiences": "a", "trustBundleDistribution": {"profile": "https_web_bundle", "endpointUrl": "https://example.org/bundle"}}),
        get_spiffe_auth,
        update_spiffe_auth UpdateSpiffeAuthBody = json!({"allowedAudiences": "b"}),
        delete_spiffe_auth);
    config_cycle!(server, seen,
        attach_tls_cert_auth AttachTlsCertAuthBody = json!({"caCertificate": CA_PEM}),
        get_tls_cert_auth,
        update_tls_cert_auth UpdateTlsCertAuthBody = json!({"allowedCommonNames": "a,b"}),
        delete_tls_cert_auth);
    config_cycle!(server, seen,
        attach_token_auth AttachTokenAuthBody = json!({"accessTokenTrustedIps": ip}),
        get_token_auth,
        update_token_auth UpdateTokenAuthBody = json!({"accessTokenTTL": 120}),
        delete_token_auth);
    config_cycle!(server, seen,
        attach_universal_auth AttachUniversalAuthBody = json!({"clientSecretTrustedIps": ip}),
        get_universal_auth,
        update_universal_auth UpdateUniversalAuthBody = json!({"lockoutThreshold": 5}),
        delete_universal_auth);

    // Logins only a cloud provider can verify, and verified logins to an identity without the
    // method (verified logins themselves: tests/verify_*.rs).
    let id = server.new_identity().await;
    offline_login!(server, seen, login_with_alicloud_auth LoginWithAlicloudAuthBody = json!({
        "identityId": id, "Action": "GetCallerIdentity", "Format": "JSON", "Version": "2015-04-01",
        "AccessKeyId": "k", "SignatureMethod": "HMAC-SHA1", "Timestamp": "2026-01-01T00:00:00Z",
        "SignatureVersion": "1.0", "SignatureNonce": "n", "Signature": "s"}));
    unconfigured_login!(server, seen, login_with_aws_auth LoginWithAwsAuthBody = json!({"identityId": id, "iamHttpRequestMethod": "POST", "iamRequestBody": "b", "iamRequestHeaders": "h"}));
    offline_login!(server, seen, login_with_azure_auth LoginWithAzureAuthBody = json!({"identityId": id, "jwt": "j"}));
    offline_login!(server, seen, login_with_gcp_auth LoginWithGcpAuthBody = json!({"identityId": id, "jwt": "j"}));
    unconfigured_login!(server, seen, login_with_jwt_auth LoginWithJwtAuthBody = json!({"identityId": id, "jwt": "j"}));
    unconfigured_login!(server, seen, login_with_kubernetes_auth LoginWithKubernetesAuthBody = json!({"identityId": id, "jwt": "j"}));
    unconfigured_login!(server, seen, login_with_ldap_auth LoginWithLdapAuthBody = json!({"identityId": id, "username": "u", "password": "p"}));
    offline_login!(server, seen, login_with_oci_auth LoginWithOciAuthBody = json!({"identityId": id, "userOcid": "ocid1.user.oc1..a", "headers": {"authorization": "a", "host": "h"}}));
    unconfigured_login!(server, seen, login_with_oidc_auth LoginWithOidcAuthBody = json!({"identityId": id, "jwt": "j"}));
    unconfigured_login!(server, seen, login_with_spiffe_auth LoginWithSpiffeAuthBody = json!({"identityId": id, "jwt": "j"}));
    // TLS-certificate login reads its certificate header first: without one, a 400.
    let error = api_error(
        server
            .anon
            .login_with_tls_cert_auth()
            .body(body::<types::LoginWithTlsCertAuthBody>(
                json!({"identityId": id}),
            ))
            .send()
            .await,
    );
    assert_eq!(error.status_code, 400);
    assert_eq!(error.message_text(), "Missing TLS certificate in header");
    seen.insert("login_with_tls_cert_auth".to_owned());

    // LDAP lockouts (none yet on this identity) and the SPIFFE bundle refresh.
    let template = api_error(
        server
            .admin
            .attach_ldap_auth()
            .identity_id(&ldap)
            .body(body::<types::AttachLdapAuthBody>(
                json!({"templateId": "00000000-0000-4000-8000-000000000000"}),
            ))
            .send()
            .await,
    );
    assert_eq!(template.status_code, 404, "no LDAP templates here");
    server
        .admin
        .attach_ldap_auth()
        .identity_id(&ldap)
        .body(body::<types::AttachLdapAuthBody>(json!({"url": "ldaps://ldap.local", "bindDN": "cn=a", "bindPass": "p", "searchBase": "dc=a"})))
        .send()
        .await
        .expect("attach ldap");
    let cleared = server
        .admin
        .clear_ldap_auth_lockouts()
        .identity_id(&ldap)
        .send()
        .await
        .expect("clear ldap");
    assert_eq!(cleared.deleted, 0);
    seen.insert("clear_ldap_auth_lockouts".into());
    server
        .admin
        .attach_spiffe_auth()
        .identity_id(&id)
        .body(body::<types::AttachSpiffeAuthBody>(json!({"trustDomain": "example.org", "allowedSpiffeIds": "spiffe://example.org/*", "allowedAudiences": "a", "trustBundleDistribution": {"profile": "static", "bundle": "b"}})))
        .send()
        .await
        .expect("attach spiffe");
    server
        .admin
        .refresh_spiffe_bundle()
        .identity_id(&id)
        .send()
        .await
        .expect("refresh bundle");
    seen.insert("refresh_spiffe_bundle".into());

    // Universal auth: secrets, login, lockouts, renew, revoke.
    server
        .admin
        .attach_universal_auth()
        .identity_id(&id)
        .body(body::<types::AttachUniversalAuthBody>(json!({})))
        .send()
        .await
        .expect("attach ua");
    let client_id = server
        .admin
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("get ua")
        .into_inner()
        .identity_universal_auth
        .client_id;
    let created = server
        .admin
        .create_universal_auth_client_secret()
        .identity_id(&id)
        .body(body::<types::CreateUniversalAuthClientSecretBody>(
            json!({"description": "ci"}),
        ))
        .send()
        .await
        .expect("create secret")
        .into_inner();
    seen.insert("create_universal_auth_client_secret".into());
    let secret_id = created.client_secret_data.id.clone();
    let listed = server
        .admin
        .list_universal_auth_client_secrets()
        .identity_id(&id)
        .send()
        .await
        .expect("list secrets");
    assert_eq!(listed.client_secret_data.len(), 1);
    seen.insert("list_universal_auth_client_secrets".into());
    let one = server
        .admin
        .get_universal_auth_client_secret()
        .identity_id(&id)
        .client_secret_id(&secret_id)
        .send()
        .await
        .expect("get secret");
    assert_eq!(
        one.client_secret_data.client_secret_prefix,
        created.client_secret.expose_secret()[..4]
    );
    seen.insert("get_universal_auth_client_secret".into());
    let login = server
        .anon
        .login_with_universal_auth()
        .body(body::<types::LoginWithUniversalAuthBody>(
            json!({"clientId": client_id, "clientSecret": created.client_secret}),
        ))
        .send()
        .await
        .expect("login")
        .into_inner();
    seen.insert("login_with_universal_auth".into());
    let renewed = server
        .anon
        .renew_identity_access_token()
        .body(body::<types::RenewIdentityAccessTokenBody>(
            json!({"accessToken": login.access_token}),
        ))
        .send()
        .await
        .expect("renew");
    assert_eq!(renewed.access_token, login.access_token);
    seen.insert("renew_identity_access_token".into());
    let revoked = server
        .anon
        .revoke_identity_access_token()
        .body(body::<types::RevokeIdentityAccessTokenBody>(
            json!({"accessToken": login.access_token}),
        ))
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.message, "Successfully revoked access token");
    seen.insert("revoke_identity_access_token".into());
    let cleared = server
        .admin
        .clear_universal_auth_lockouts()
        .identity_id(&id)
        .send()
        .await
        .expect("clear ua");
    assert_eq!(cleared.deleted, 0);
    seen.insert("clear_universal_auth_lockouts".into());
    let revoked = server
        .admin
        .revoke_universal_auth_client_secret()
        .identity_id(&id)
        .client_secret_id(&secret_id)
        .send()
        .await
        .expect("revoke secret");
    assert!(revoked.client_secret_data.is_client_secret_revoked);
    seen.insert("revoke_universal_auth_client_secret".into());

    // Token auth tokens.
    server
        .admin
        .attach_token_auth()
        .identity_id(&id)
        .body(body::<types::AttachTokenAuthBody>(json!({})))
        .send()
        .await
        .expect("attach token auth");
    let token = server
        .admin
        .create_token_auth_token()
        .identity_id(&id)
        .body(body::<types::CreateTokenAuthTokenBody>(
            json!({"name": "first"}),
        ))
        .send()
        .await
        .expect("create token")
        .into_inner();
    seen.insert("create_token_auth_token".into());
    let token_id = token.token_data.id.clone();
    let list = server
        .admin
        .get_token_auth_tokens()
        .identity_id(&id)
        .limit(10)
        .offset(0)
        .send()
        .await
        .expect("list tokens");
    assert_eq!(list.tokens.len(), 1);
    seen.insert("get_token_auth_tokens".into());
    let by_id = server
        .admin
        .get_token_auth_token_by_id()
        .token_id(&token_id)
        .send()
        .await
        .expect("token by id");
    assert_eq!(by_id.token.name.as_deref(), Some("first"));
    seen.insert("get_token_auth_token_by_id".into());
    let renamed = server
        .admin
        .update_token_auth_token()
        .token_id(&token_id)
        .body(body::<types::UpdateTokenAuthTokenBody>(
            json!({"name": "second"}),
        ))
        .send()
        .await
        .expect("rename token");
    assert_eq!(renamed.token.name.as_deref(), Some("second"));
    seen.insert("update_token_auth_token".into());
    // The token authorises management calls until it is revoked.
    let as_token =
        common::client_with_token(&server.base, Some(token.access_token.expose_secret()));
    as_token
        .get_token_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("token works");
    server
        .admin
        .revoke_token_auth_token()
        .token_id(&token_id)
        .send()
        .await
        .expect("revoke token");
    seen.insert("revoke_token_auth_token".into());
    let refused = api_error(as_token.get_token_auth().identity_id(&id).send().await);
    assert_eq!(refused.status_code, 401);

    let all: BTreeSet<String> = infisical_auth_server::OPERATIONS
        .iter()
        .map(|op| snake(op.id))
        .collect();
    assert_eq!(
        all.len(),
        infisical_auth_server::OPERATIONS.len(),
        "one client method per operation"
    );
    let missing: Vec<_> = all.difference(&seen).collect();
    assert!(missing.is_empty(), "operations not called: {missing:?}");
}
