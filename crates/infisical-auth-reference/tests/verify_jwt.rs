//! JWT, OIDC and SPIFFE logins verified for real: tokens signed by keys the tests make, keys
//! served by loopback stand-ins for the providers; every check failing on its own answers
//! Infisical's status and message, and a provider that hangs or answers garbage is a quick 401.

mod verify_support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::Router;
use infisical_auth_reference::verify::jwt::{self, JwtKeys, JwtSettings};
use infisical_auth_reference::verify::oidc::{self, OidcSettings};
use infisical_auth_reference::verify::spiffe::{self, SpiffeBundle, SpiffeSettings};
use infisical_auth_reference::verify::VerifiedIdentity;
use serde_json::{json, Value};
use verify_support::*;

fn static_settings(keys: &[&SigningKey]) -> JwtSettings {
    JwtSettings {
        keys: JwtKeys::Static {
            public_keys: keys.iter().map(|key| key.public_pem()).collect(),
        },
        bound_issuer: String::new(),
        bound_audiences: String::new(),
        bound_subject: String::new(),
        bound_claims: BTreeMap::new(),
    }
}

fn claims() -> Value {
    json!({
        "iss": "https://issuer.example",
        "sub": "repo:acme/app:ref:refs/heads/main",
        "aud": ["infisical", "other"],
        "exp": now() + 600,
        "iat": now(),
        "org": { "team": "platform" },
        "env": "prod",
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    if value.is_null() {
        claims.as_object_mut().unwrap().remove(key);
    } else {
        claims[key] = value;
    }
    claims
}

#[tokio::test]
async fn static_keys_accept_a_token_signed_by_any_of_them() {
    let (a, b) = (SigningKey::new("a"), SigningKey::new("b"));
    let settings = static_settings(&[&a, &b]);
    let token = b.sign(&claims(), false);
    let verified = jwt::verify(&fetcher(), &settings, &token).await.unwrap();
    let VerifiedIdentity::Jwt { claims } = verified else {
        panic!("not a JWT identity")
    };
    assert_eq!(claims["env"], "prod");
}

#[tokio::test]
async fn static_keys_refuse_a_wrong_key_an_expired_or_early_token_and_garbage() {
    let (key, other) = (SigningKey::new("k"), SigningKey::new("o"));
    let settings = static_settings(&[&key]);
    let f = fetcher();
    assert_failure(
        jwt::verify(&f, &settings, &other.sign(&claims(), false)).await,
        401,
        "Access denied: JWT verification failed with all keys. Errors - invalid signature",
    );
    assert_failure(
        jwt::verify(
            &f,
            &settings,
            &key.sign(&with(claims(), "exp", json!(now() - 5)), false),
        )
        .await,
        401,
        "Access denied: JWT verification failed with all keys. Errors - jwt expired",
    );
    assert_failure(
        jwt::verify(
            &f,
            &settings,
            &key.sign(&with(claims(), "nbf", json!(now() + 300)), false),
        )
        .await,
        401,
        "Access denied: JWT verification failed with all keys. Errors - jwt not active",
    );
    assert_failure(
        jwt::verify(&f, &settings, "not.a.jwt").await,
        401,
        "Invalid JWT",
    );
    assert_failure(jwt::verify(&f, &settings, "").await, 401, "Invalid JWT");
    // Two keys, neither signed it: both reasons, in order.
    let two = static_settings(&[&other, &other]);
    assert_failure(
        jwt::verify(&f, &two, &key.sign(&claims(), false)).await,
        401,
        "Access denied: JWT verification failed with all keys. Errors - invalid signature; invalid signature",
    );
}

#[tokio::test]
async fn bound_issuer_subject_audiences_and_claims_each_refuse_on_their_own() {
    let key = SigningKey::new("k");
    let f = fetcher();
    let mut settings = static_settings(&[&key]);
    settings.bound_issuer = "https://issuer.example".into();
    settings.bound_subject = "repo:acme/*:ref:refs/heads/main".into();
    settings.bound_audiences = "nobody, infisical".into();
    settings.bound_claims = BTreeMap::from([
        ("org.team".to_owned(), "platform, security".to_owned()),
        ("env".to_owned(), "prod*".to_owned()),
    ]);
    let sign = |claims: &Value| key.sign(claims, true);
    jwt::verify(&f, &settings, &sign(&claims())).await.unwrap();

    assert_failure(
        jwt::verify(
            &f,
            &settings,
            &sign(&with(claims(), "iss", json!("https://evil.example"))),
        )
        .await,
        403,
        "Access denied: issuer mismatch",
    );
    assert_failure(
        jwt::verify(&f, &settings, &sign(&with(claims(), "sub", Value::Null))).await,
        401,
        "Access denied: token has no subject field",
    );
    assert_failure(
        jwt::verify(
            &f,
            &settings,
            &sign(&with(
                claims(),
                "sub",
                json!("repo:acme/app/x:ref:refs/heads/main"),
            )),
        )
        .await,
        403,
        "Access denied: subject not allowed",
    );
    assert_failure(
        jwt::verify(&f, &settings, &sign(&with(claims(), "aud", Value::Null))).await,
        401,
        "Access denied: token has no audience field",
    );
    assert_failure(
        jwt::verify(
            &f,
            &settings,
            &sign(&with(claims(), "aud", json!("someone-else"))),
        )
        .await,
        401,
        "Access denied: token audience not allowed",
    );
    assert_failure(
        jwt::verify(
            &f,
            &settings,
            &sign(&with(claims(), "org", json!({ "team": "" }))),
        )
        .await,
        401,
        "Access denied: token has no org.team field",
    );
    assert_failure(
        jwt::verify(
            &f,
            &settings,
            &sign(&with(claims(), "org", json!({ "team": "sales" }))),
        )
        .await,
        401,
        "Access denied: claim mismatch for field org.team",
    );
    assert_failure(
        jwt::verify(
            &f,
            &settings,
            &sign(&with(claims(), "env", json!("staging"))),
        )
        .await,
        401,
        "Access denied: claim mismatch for field env",
    );
    // A multi-valued claim passes when one of its values matches.
    let multi = with(claims(), "env", json!(["dev", "production"]));
    jwt::verify(&f, &settings, &sign(&multi)).await.unwrap();
}

/// A JWKS endpoint on loopback serving `keys`.
async fn jwks_server(keys: &[&SigningKey]) -> (String, Served) {
    let served = Served::new(jwks(keys).to_string());
    let addr = serve(Router::new().route("/jwks.json", served.handler())).await;
    (format!("http://{addr}/jwks.json"), served)
}

fn jwks_settings(url: &str) -> JwtSettings {
    JwtSettings {
        keys: JwtKeys::Jwks {
            url: url.to_owned(),
            ca_cert: String::new(),
        },
        bound_issuer: String::new(),
        bound_audiences: String::new(),
        bound_subject: String::new(),
        bound_claims: BTreeMap::new(),
    }
}

#[tokio::test]
async fn jwks_keys_are_fetched_cached_and_refetched_when_a_kid_is_new() {
    let (old, new) = (SigningKey::new("old"), SigningKey::new("new"));
    let (url, served) = jwks_server(&[&old]).await;
    let settings = jwks_settings(&url);
    let f = fetcher();

    jwt::verify(&f, &settings, &old.sign(&claims(), true))
        .await
        .unwrap();
    jwt::verify(&f, &settings, &old.sign(&claims(), true))
        .await
        .unwrap();
    assert_eq!(served.hits(), 1, "the second login uses the cached keys");

    // The provider rotates its key: a token with the new kid fetches the keys again.
    served.set(jwks(&[&new]).to_string());
    jwt::verify(&f, &settings, &new.sign(&claims(), true))
        .await
        .unwrap();
    assert_eq!(served.hits(), 2);

    // A kid the provider does not have.
    let stranger = SigningKey::new("stranger");
    assert_failure(
        jwt::verify(&f, &settings, &stranger.sign(&claims(), true)).await,
        401,
        "Access denied: Unable to verify JWT signature. The signing key 'stranger' was not found in the JWKS endpoint. This may indicate an invalid token or misconfigured OIDC provider.",
    );
    // The right kid, the wrong key.
    let impostor = SigningKey::new("new");
    assert_failure(
        jwt::verify(&f, &settings, &impostor.sign(&claims(), true)).await,
        401,
        "Access denied: invalid signature",
    );
    // No kid: each key is tried.
    jwt::verify(&f, &settings, &new.sign(&claims(), false))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_jwks_endpoint_that_hangs_is_down_or_answers_garbage_is_a_quick_401() {
    let key = SigningKey::new("k");
    let token = key.sign(&claims(), true);
    let f = fetcher();

    let hanging = silent_server().await;
    let start = Instant::now();
    assert_failure_starts(
        jwt::verify(&f, &jwks_settings(&format!("http://{hanging}/jwks")), &token).await,
        401,
        "Access denied: Failed to retrieve signing key from JWKS endpoint: timeout of 700ms exceeded",
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );

    let down = closed_port().await;
    assert_failure_starts(
        jwt::verify(&f, &jwks_settings(&format!("http://{down}/jwks")), &token).await,
        401,
        "Access denied: Failed to retrieve signing key from JWKS endpoint: could not connect",
    );

    let served = Served::new("<html>not json</html>");
    let addr = serve(Router::new().route("/jwks", served.handler())).await;
    assert_failure(
        jwt::verify(&f, &jwks_settings(&format!("http://{addr}/jwks")), &token).await,
        401,
        "Access denied: Failed to retrieve signing key from JWKS endpoint: the JWKS is not valid JSON",
    );

    // An answer over the size limit is refused, not buffered.
    let big = Served::new(format!(
        "{{\"keys\":[],\"pad\":\"{}\"}}",
        "x".repeat(200_000)
    ));
    let addr = serve(Router::new().route("/jwks", big.handler())).await;
    assert_failure(
        jwt::verify(&f, &jwks_settings(&format!("http://{addr}/jwks")), &token).await,
        401,
        "Access denied: Failed to retrieve signing key from JWKS endpoint: maxContentLength size of 65536 exceeded",
    );
}

/// An OIDC provider on loopback: discovery document and JWKS.
async fn oidc_provider(keys: &[&SigningKey], with_jwks_uri: bool) -> (String, Served, Served) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let discovery = if with_jwks_uri {
        json!({ "issuer": base, "jwks_uri": format!("{base}/keys") })
    } else {
        json!({ "issuer": base })
    };
    let discovery = Served::new(discovery.to_string());
    let keys = Served::new(jwks(keys).to_string());
    let router = Router::new()
        .route("/.well-known/openid-configuration", discovery.handler())
        .route("/keys", keys.handler());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (base, discovery, keys)
}

fn oidc_settings(base: &str) -> OidcSettings {
    OidcSettings {
        discovery_url: base.to_owned(),
        ca_cert: String::new(),
        bound_issuer: "https://issuer.example".into(),
        bound_audiences: "infisical".into(),
        bound_subject: "repo:acme/*".into(),
        bound_claims: BTreeMap::from([("env".to_owned(), "prod".to_owned())]),
        claim_metadata_mapping: BTreeMap::new(),
    }
}

#[tokio::test]
async fn oidc_discovers_the_keys_and_checks_each_bound_on_its_own() {
    let key = SigningKey::new("k1");
    let (base, _, _) = oidc_provider(&[&key], true).await;
    let f = fetcher();
    let mut settings = oidc_settings(&base);
    settings.bound_subject = "repo:acme/*:ref:refs/heads/*".into();
    let sign = |claims: &Value| key.sign(claims, true);

    let verified = oidc::verify(&f, &settings, &sign(&claims())).await.unwrap();
    assert!(matches!(verified, VerifiedIdentity::Oidc { .. }));
    // Without a kid every key is tried.
    oidc::verify(&f, &settings, &key.sign(&claims(), false))
        .await
        .unwrap();

    assert_failure(
        oidc::verify(
            &f,
            &settings,
            &sign(&with(claims(), "iss", json!("https://evil.example"))),
        )
        .await,
        401,
        "Access denied: jwt issuer invalid. expected: https://issuer.example",
    );
    assert_failure(
        oidc::verify(
            &f,
            &settings,
            &sign(&with(claims(), "sub", json!("repo:other/app:ref:main"))),
        )
        .await,
        403,
        "Access denied: OIDC subject not allowed.",
    );
    assert_failure(
        oidc::verify(
            &f,
            &settings,
            &sign(&with(claims(), "aud", json!("elsewhere"))),
        )
        .await,
        401,
        "Access denied: OIDC audience not allowed.",
    );
    assert_failure(
        oidc::verify(&f, &settings, &sign(&with(claims(), "env", json!("dev")))).await,
        401,
        "Access denied: OIDC claim not allowed.",
    );
    assert_failure(
        oidc::verify(&f, &settings, &sign(&with(claims(), "env", Value::Null))).await,
        401,
        "Access denied: token has no env field",
    );
    assert_failure(
        oidc::verify(
            &f,
            &settings,
            &sign(&with(claims(), "exp", json!(now() - 1))),
        )
        .await,
        401,
        "Access denied: jwt expired",
    );
    let stranger = SigningKey::new("k2");
    assert_failure(
        oidc::verify(&f, &settings, &stranger.sign(&claims(), true)).await,
        401,
        "Access denied: Unable to verify JWT signature. The signing key 'k2' was not found in the OIDC provider's JWKS endpoint. This may indicate an invalid token or misconfigured OIDC provider.",
    );
    assert_failure(
        oidc::verify(&f, &settings, &stranger.sign(&claims(), false)).await,
        401,
        "Access denied: Unable to verify JWT signature with any available signing key. invalid signature",
    );
    assert_failure(
        oidc::verify(&f, &settings, "garbage").await,
        401,
        "Invalid JWT",
    );

    settings.claim_metadata_mapping = BTreeMap::from([("team".to_owned(), "org.lead".to_owned())]);
    assert_failure(
        oidc::verify(&f, &settings, &sign(&claims())).await,
        401,
        "Access denied: token has no org.lead field",
    );
}

#[tokio::test]
async fn oidc_providers_that_fail_are_a_401() {
    let key = SigningKey::new("k1");
    let token = key.sign(&claims(), true);
    let f = fetcher();

    let (base, _, _) = oidc_provider(&[&key], false).await;
    assert_failure(
        oidc::verify(&f, &oidc_settings(&base), &token).await,
        401,
        "Access denied: OIDC discovery document does not contain a jwks_uri. The identity provider may be misconfigured.",
    );

    let down = closed_port().await;
    assert_failure(
        oidc::verify(&f, &oidc_settings(&format!("http://{down}")), &token).await,
        401,
        &format!("Access denied: Failed to fetch OIDC discovery document from http://{down}. could not connect"),
    );

    let hanging = silent_server().await;
    let start = Instant::now();
    assert_failure_starts(
        oidc::verify(&f, &oidc_settings(&format!("http://{hanging}")), &token).await,
        401,
        "Access denied: Failed to fetch OIDC discovery document",
    );
    assert!(start.elapsed() < Duration::from_secs(3));
}

fn svid_claims(sub: &str) -> Value {
    json!({ "sub": sub, "aud": ["infisical"], "exp": now() + 300, "iat": now() })
}

fn spiffe_settings(bundle: SpiffeBundle) -> SpiffeSettings {
    SpiffeSettings {
        trust_domain: "example.org".into(),
        allowed_spiffe_ids: "spiffe://example.org/ns/prod/*, spiffe://example.org/admin".into(),
        allowed_audiences: "infisical, vault".into(),
        bundle,
    }
}

#[tokio::test]
async fn spiffe_static_bundles_verify_the_svid_and_its_id() {
    let key = SigningKey::new("svid-1");
    let mut bundle = jwks(&[&key]);
    bundle["keys"][0]["use"] = json!("jwt-svid");
    bundle["spiffe_refresh_hint"] = json!(60);
    let settings = spiffe_settings(SpiffeBundle::Static {
        bundle: bundle.to_string(),
    });
    let f = fetcher();
    let sign = |claims: &Value| key.sign(claims, true);

    let verified = spiffe::verify(
        &f,
        &settings,
        &sign(&svid_claims("spiffe://example.org/ns/prod/api")),
    )
    .await
    .unwrap();
    assert!(
        matches!(verified, VerifiedIdentity::Spiffe { ref spiffe_id, .. } if spiffe_id == "spiffe://example.org/ns/prod/api")
    );
    spiffe::verify(
        &f,
        &settings,
        &sign(&svid_claims("spiffe://example.org/admin")),
    )
    .await
    .unwrap();

    assert_failure(
        spiffe::verify(
            &f,
            &settings,
            &sign(&svid_claims("spiffe://other.org/ns/prod/api")),
        )
        .await,
        401,
        "Access denied",
    );
    assert_failure(
        spiffe::verify(
            &f,
            &settings,
            &sign(&svid_claims("spiffe://example.org/ns/dev/api")),
        )
        .await,
        401,
        "Access denied",
    );
    assert_failure(
        spiffe::verify(&f, &settings, &sign(&svid_claims("not-a-spiffe-id"))).await,
        401,
        "Access denied",
    );
    let wrong_audience = with(
        svid_claims("spiffe://example.org/admin"),
        "aud",
        json!("someone"),
    );
    assert_failure(
        spiffe::verify(&f, &settings, &sign(&wrong_audience)).await,
        401,
        "JWT-SVID audience validation failed",
    );
    let expired = with(
        svid_claims("spiffe://example.org/admin"),
        "exp",
        json!(now() - 1),
    );
    assert_failure(
        spiffe::verify(&f, &settings, &sign(&expired)).await,
        401,
        "JWT-SVID has expired",
    );
    let impostor = SigningKey::new("svid-1");
    assert_failure(
        spiffe::verify(
            &f,
            &settings,
            &impostor.sign(&svid_claims("spiffe://example.org/admin"), true),
        )
        .await,
        401,
        "JWT-SVID signature verification failed",
    );
    let unknown = SigningKey::new("svid-2");
    assert_failure(
        spiffe::verify(
            &f,
            &settings,
            &unknown.sign(&svid_claims("spiffe://example.org/admin"), true),
        )
        .await,
        401,
        "JWT-SVID verification failed",
    );
    assert_failure(
        spiffe::verify(&f, &settings, "garbage").await,
        401,
        "JWT-SVID verification failed",
    );
}

#[tokio::test]
async fn spiffe_web_bundles_are_cached_for_the_refresh_hint_and_refetched_for_a_new_kid() {
    let (first, second) = (SigningKey::new("one"), SigningKey::new("two"));
    let served = Served::new(jwks(&[&first]).to_string());
    let addr = serve(Router::new().route("/bundle", served.handler())).await;
    let settings = spiffe_settings(SpiffeBundle::HttpsWebBundle {
        endpoint_url: format!("http://{addr}/bundle"),
        ca_cert: String::new(),
        refresh_hint_seconds: 1,
    });
    let f = fetcher();
    let svid = |key: &SigningKey| key.sign(&svid_claims("spiffe://example.org/admin"), true);

    spiffe::verify(&f, &settings, &svid(&first)).await.unwrap();
    spiffe::verify(&f, &settings, &svid(&first)).await.unwrap();
    assert_eq!(
        served.hits(),
        1,
        "within the refresh hint the bundle is cached"
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    spiffe::verify(&f, &settings, &svid(&first)).await.unwrap();
    assert_eq!(
        served.hits(),
        2,
        "past the refresh hint the bundle is fetched again"
    );

    served.set(jwks(&[&first, &second]).to_string());
    spiffe::verify(&f, &settings, &svid(&second)).await.unwrap();
    assert_eq!(
        served.hits(),
        3,
        "a kid missing from the cached bundle fetches it again"
    );
}

#[tokio::test]
async fn spiffe_bundle_endpoints_that_fail_are_a_quick_401() {
    let key = SigningKey::new("one");
    let token = key.sign(&svid_claims("spiffe://example.org/admin"), true);
    let f = fetcher();
    let settings = |url: String| {
        spiffe_settings(SpiffeBundle::HttpsWebBundle {
            endpoint_url: url,
            ca_cert: String::new(),
            refresh_hint_seconds: 0,
        })
    };
    let hanging = silent_server().await;
    let start = Instant::now();
    assert_failure(
        spiffe::verify(&f, &settings(format!("http://{hanging}/b")), &token).await,
        401,
        "Failed to fetch SPIFFE trust bundle from remote endpoint: timeout of 700ms exceeded",
    );
    assert!(start.elapsed() < Duration::from_secs(3));

    let served = Served::new("{\"keys\": 7}");
    let addr = serve(Router::new().route("/b", served.handler())).await;
    assert_failure(
        spiffe::verify(&f, &settings(format!("http://{addr}/b")), &token).await,
        401,
        "JWT-SVID verification failed",
    );
}

#[tokio::test]
async fn jwks_over_https_trusts_jwks_ca_cert_and_only_it() {
    let key = SigningKey::new("k");
    let ca = test_ca("JWKS CA");
    let (addr, hits) = https_json(&ca, jwks(&[&key]).to_string()).await;
    let url = format!("https://{addr}/jwks.json");
    let token = key.sign(&claims(), true);
    let f = fetcher();

    let mut settings = jwks_settings(&url);
    settings.keys = JwtKeys::Jwks {
        url: url.clone(),
        ca_cert: ca.pem(),
    };
    jwt::verify(&f, &settings, &token).await.unwrap();
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);

    // Another CA, or the system's roots, do not trust the server.
    let other = test_ca("Other CA");
    settings.keys = JwtKeys::Jwks {
        url: url.clone(),
        ca_cert: other.pem(),
    };
    assert_failure(
        jwt::verify(&fetcher(), &settings, &token).await,
        401,
        "Access denied: Failed to retrieve signing key from JWKS endpoint: could not connect",
    );
    assert_failure(
        jwt::verify(&fetcher(), &jwks_settings(&url), &token).await,
        401,
        "Access denied: Failed to retrieve signing key from JWKS endpoint: could not connect",
    );
}

#[tokio::test]
async fn oidc_over_https_trusts_ca_cert_for_discovery_and_keys() {
    let key = SigningKey::new("k1");
    let ca = test_ca("IdP CA");
    let (keys_addr, _) = https_json(&ca, jwks(&[&key]).to_string()).await;
    let discovery = json!({ "jwks_uri": format!("https://{keys_addr}/keys") });
    let (idp_addr, discovery_hits) = https_json(&ca, discovery.to_string()).await;
    let mut settings = oidc_settings(&format!("https://{idp_addr}"));
    settings.bound_subject = String::new();
    settings.ca_cert = ca.pem();
    let token = key.sign(&claims(), true);
    oidc::verify(&fetcher(), &settings, &token).await.unwrap();
    assert_eq!(discovery_hits.load(std::sync::atomic::Ordering::SeqCst), 1);

    settings.ca_cert = String::new();
    assert_failure(
        oidc::verify(&fetcher(), &settings, &token).await,
        401,
        &format!("Access denied: Failed to fetch OIDC discovery document from https://{idp_addr}. could not connect"),
    );
}
