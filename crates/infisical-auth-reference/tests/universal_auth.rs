//! Universal auth end to end (docs/infisical-behaviour.md#universal-auth-login-lockout-and-tokens): the life cycle attach -> secret -> login -> renew
//! -> revoke, secret limits, token limits, lockout tripping and clearing, trusted-IP denials.

mod common;

use common::{api_error, body, client_with_token, start, Server};
use infisical_auth_client::types;
use serde_json::{json, Value};

/// Attaches universal auth with `settings` to a new identity and creates a client secret with
/// `secret`; returns (identity id, client id, client secret).
async fn setup(server: &Server, settings: Value, secret: Value) -> (String, String, String) {
    let id = server.new_identity().await;
    let attached = server
        .admin
        .attach_universal_auth()
        .identity_id(&id)
        .body(body::<types::AttachUniversalAuthBody>(settings))
        .send()
        .await
        .expect("attach")
        .into_inner();
    let created = server
        .admin
        .create_universal_auth_client_secret()
        .identity_id(&id)
        .body(body::<types::CreateUniversalAuthClientSecretBody>(secret))
        .send()
        .await
        .expect("create secret")
        .into_inner();
    (
        id,
        attached.identity_universal_auth.client_id,
        created.client_secret.expose_secret().to_owned(),
    )
}

async fn login(
    server: &Server,
    client_id: &str,
    secret: &str,
) -> Result<types::AccessTokenResponse, types::ErrorResponse> {
    match server
        .anon
        .login_with_universal_auth()
        .body(body::<types::LoginWithUniversalAuthBody>(
            json!({"clientId": client_id, "clientSecret": secret}),
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
async fn life_cycle_attach_secret_login_renew_revoke() {
    let server = start().await;
    let (id, client_id, secret) = setup(
        &server,
        json!({"accessTokenTTL": 60, "accessTokenMaxTTL": 90}),
        json!({"description": "ci"}),
    )
    .await;

    // The secret is shown once; listings show only its prefix.
    let (status, listed) = server
        .raw(
            "GET",
            &format!("/api/v1/auth/universal-auth/identities/{id}/client-secrets"),
            Some(common::ADMIN),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        !listed.to_string().contains(&secret),
        "a listing shows the secret"
    );
    assert_eq!(
        listed["clientSecretData"][0]["clientSecretPrefix"],
        json!(&secret[..4])
    );

    let token = login(&server, &client_id, &secret).await.expect("login");
    assert_eq!(token.expires_in, 60);
    assert_eq!(token.access_token_max_ttl, 90);

    // The token authorises management calls.
    let as_identity = client_with_token(&server.base, Some(token.access_token.expose_secret()));
    as_identity
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("token works");

    // Renew: extended by the TTL but never past MaxTTL from creation.
    let renewed = server
        .anon
        .renew_identity_access_token()
        .body(body::<types::RenewIdentityAccessTokenBody>(
            json!({"accessToken": token.access_token}),
        ))
        .send()
        .await
        .expect("renew");
    assert!(
        renewed.expires_in <= 90 && renewed.expires_in >= 59,
        "{}",
        renewed.expires_in
    );

    // Revoke: the token stops working, renewing it is refused.
    server
        .anon
        .revoke_identity_access_token()
        .body(body::<types::RevokeIdentityAccessTokenBody>(
            json!({"accessToken": token.access_token}),
        ))
        .send()
        .await
        .expect("revoke");
    assert_eq!(
        api_error(
            as_identity
                .get_universal_auth()
                .identity_id(&id)
                .send()
                .await
        )
        .status_code,
        401
    );
    let renew_again = api_error(
        server
            .anon
            .renew_identity_access_token()
            .body(body::<types::RenewIdentityAccessTokenBody>(
                json!({"accessToken": token.access_token}),
            ))
            .send()
            .await,
    );
    assert_eq!(renew_again.status_code, 401);

    // A wrong client id or secret.
    assert_eq!(
        login(&server, "nope", &secret)
            .await
            .expect_err("unknown client")
            .message_text(),
        "Invalid credentials"
    );
    assert_eq!(
        login(&server, &client_id, "wrong")
            .await
            .expect_err("wrong secret")
            .message_text(),
        "Invalid credentials"
    );

    // Update keeps the fields it is not given.
    let updated = server
        .admin
        .update_universal_auth()
        .identity_id(&id)
        .body(body::<types::UpdateUniversalAuthBody>(
            json!({"accessTokenNumUsesLimit": 2}),
        ))
        .send()
        .await
        .expect("update")
        .into_inner()
        .identity_universal_auth;
    assert_eq!(updated.access_token_ttl, 60);
    assert_eq!(updated.access_token_max_ttl, 90);
    assert_eq!(updated.access_token_num_uses_limit, 2);
    // TTL above the stored MaxTTL: Infisical's service-level 400.
    let too_long = api_error(
        server
            .admin
            .update_universal_auth()
            .identity_id(&id)
            .body(body::<types::UpdateUniversalAuthBody>(
                json!({"accessTokenTTL": 100}),
            ))
            .send()
            .await,
    );
    assert_eq!(too_long.status_code, 400);
    assert_eq!(
        too_long.message_text(),
        "Access token TTL cannot be greater than max TTL"
    );

    // Token use limit: two uses, then refused.
    let limited = login(&server, &client_id, &secret).await.expect("login");
    let as_limited = client_with_token(&server.base, Some(limited.access_token.expose_secret()));
    as_limited
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("use 1");
    as_limited
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("use 2");
    assert_eq!(
        api_error(
            as_limited
                .get_universal_auth()
                .identity_id(&id)
                .send()
                .await
        )
        .status_code,
        401
    );

    // Revoke the configuration: the client id no longer logs in.
    server
        .admin
        .delete_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("revoke config");
    assert_eq!(
        login(&server, &client_id, &secret)
            .await
            .expect_err("revoked")
            .status_code,
        401
    );
}

#[tokio::test]
async fn periodic_tokens_report_the_period() {
    let server = start().await;
    let (_, client_id, secret) = setup(&server, json!({"accessTokenPeriod": 5}), json!({})).await;
    let token = login(&server, &client_id, &secret).await.expect("login");
    assert_eq!(token.expires_in, 5);
    assert_eq!(token.access_token_max_ttl, 1_000_000_000);
}

#[tokio::test]
async fn client_secret_use_limit_and_ttl() {
    let server = start().await;
    let (id, client_id, secret) = setup(&server, json!({}), json!({"numUsesLimit": 1})).await;
    login(&server, &client_id, &secret)
        .await
        .expect("first use");
    let refused = login(&server, &client_id, &secret)
        .await
        .expect_err("second use");
    assert_eq!(
        refused.message_text(),
        "Access denied due to client secret usage limit reached"
    );
    let listed = server
        .admin
        .list_universal_auth_client_secrets()
        .identity_id(&id)
        .send()
        .await
        .expect("list");
    assert_eq!(listed.client_secret_data[0].client_secret_num_uses, 1);

    let short = server
        .admin
        .create_universal_auth_client_secret()
        .identity_id(&id)
        .body(body::<types::CreateUniversalAuthClientSecretBody>(
            json!({"ttl": 1}),
        ))
        .send()
        .await
        .expect("secret with ttl")
        .into_inner();
    login(&server, &client_id, short.client_secret.expose_secret())
        .await
        .expect("fresh secret");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let expired = login(&server, &client_id, short.client_secret.expose_secret())
        .await
        .expect_err("expired");
    assert_eq!(
        expired.message_text(),
        "Access denied due to expired client secret"
    );

    // A revoked secret never logs in again.
    let other = server
        .admin
        .create_universal_auth_client_secret()
        .identity_id(&id)
        .body(body::<types::CreateUniversalAuthClientSecretBody>(
            json!({}),
        ))
        .send()
        .await
        .expect("secret")
        .into_inner();
    server
        .admin
        .revoke_universal_auth_client_secret()
        .identity_id(&id)
        .client_secret_id(&other.client_secret_data.id)
        .send()
        .await
        .expect("revoke");
    assert_eq!(
        login(&server, &client_id, other.client_secret.expose_secret())
            .await
            .expect_err("revoked")
            .status_code,
        401
    );
}

#[tokio::test]
async fn access_tokens_expire_after_their_ttl() {
    let server = start().await;
    let (id, client_id, secret) = setup(
        &server,
        json!({"accessTokenTTL": 1, "accessTokenMaxTTL": 1}),
        json!({}),
    )
    .await;
    let token = login(&server, &client_id, &secret).await.expect("login");
    let as_identity = client_with_token(&server.base, Some(token.access_token.expose_secret()));
    as_identity
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("fresh token");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        api_error(
            as_identity
                .get_universal_auth()
                .identity_id(&id)
                .send()
                .await
        )
        .status_code,
        401
    );
}

#[tokio::test]
async fn lockout_trips_and_clears() {
    let server = start().await;
    let (id, client_id, secret) = setup(
        &server,
        json!({"lockoutThreshold": 2, "lockoutDurationSeconds": 300}),
        json!({}),
    )
    .await;
    for _ in 0..2 {
        let wrong = login(&server, &client_id, "wrong")
            .await
            .expect_err("wrong secret");
        assert_eq!(
            wrong.message_text(),
            "Invalid credentials",
            "the tripping attempt still says invalid credentials"
        );
    }
    let locked = login(&server, &client_id, &secret)
        .await
        .expect_err("locked");
    assert_eq!(locked.status_code, 401);
    assert_eq!(
        locked.message_text(),
        "This identity auth method is temporarily locked, please try again later"
    );

    let cleared = server
        .admin
        .clear_universal_auth_lockouts()
        .identity_id(&id)
        .send()
        .await
        .expect("clear");
    assert_eq!(cleared.deleted, 1);
    login(&server, &client_id, &secret)
        .await
        .expect("login after clearing");

    // With lockout disabled, failures are not counted.
    server
        .admin
        .update_universal_auth()
        .identity_id(&id)
        .body(body::<types::UpdateUniversalAuthBody>(
            json!({"lockoutEnabled": false}),
        ))
        .send()
        .await
        .expect("disable lockout");
    for _ in 0..3 {
        login(&server, &client_id, "wrong")
            .await
            .expect_err("wrong secret");
    }
    login(&server, &client_id, &secret)
        .await
        .expect("never locked");
}

#[tokio::test]
async fn trusted_ips_deny_other_callers() {
    let server = start().await;
    // The client secret may only be used from 10.0.0.0/8: the loopback caller is refused.
    let (_, client_id, secret) = setup(
        &server,
        json!({"clientSecretTrustedIps": [{"ipAddress": "10.0.0.0/8"}]}),
        json!({}),
    )
    .await;
    let denied = login(&server, &client_id, &secret)
        .await
        .expect_err("outside the trusted IPs");
    assert_eq!(denied.status_code, 403);
    assert_eq!(
        denied.message_text(),
        "You are not allowed to access this resource from the current IP address"
    );

    // The token may only be used from 10.1.2.3: login works, using the token does not.
    let (id, client_id, secret) = setup(
        &server,
        json!({"accessTokenTrustedIps": [{"ipAddress": "10.1.2.3"}], "clientSecretTrustedIps": [{"ipAddress": " 127.0.0.1 "}]}),
        json!({}),
    )
    .await;
    let stored = server
        .admin
        .get_universal_auth()
        .identity_id(&id)
        .send()
        .await
        .expect("get")
        .into_inner();
    let stored = serde_json::to_value(stored.identity_universal_auth).expect("json");
    assert_eq!(
        stored["accessTokenTrustedIps"],
        json!([{"ipAddress": "10.1.2.3", "type": "ipv4"}])
    );
    assert_eq!(
        stored["clientSecretTrustedIps"],
        json!([{"ipAddress": "127.0.0.1", "type": "ipv4"}])
    );
    let token = login(&server, &client_id, &secret)
        .await
        .expect("login from loopback");
    let as_identity = client_with_token(&server.base, Some(token.access_token.expose_secret()));
    let refused = api_error(
        as_identity
            .get_universal_auth()
            .identity_id(&id)
            .send()
            .await,
    );
    assert_eq!(refused.status_code, 403);
}
