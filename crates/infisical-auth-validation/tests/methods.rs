//! Rule-by-rule tests of `validate`: the common fields, the cross-field rules, each auth method's own rules, the
//! error body contract (docs/infisical-behaviour.md#common-fields #rules-per-auth-method #trusted-ips #error-bodies).

use infisical_auth_validation::{
    check_effective_ttl, constraints, validate, validate_body, BoundKind, FieldType, Issue,
    IssueCode, Location, PathSegment, Rejection, RequestParts, INVALID_IP_MESSAGE,
    TTL_ABOVE_MAX_MESSAGE,
};
use serde_json::{json, Value};

const CA: &str = include_str!("fixtures/ca.pem");
const UUID: &str = "123e4567-e89b-12d3-a456-426614174000";

fn issues(op: &str, body: Value) -> Vec<Issue> {
    match validate_body(op, &body) {
        Err(Rejection::Unprocessable(v)) => v,
        other => panic!("{op}: expected 422, got {other:?} for {body}"),
    }
}

fn ok(op: &str, body: Value) {
    if let Err(e) = validate_body(op, &body) {
        panic!("{op}: expected success for {body}, got {e}");
    }
}

fn key(k: &str) -> PathSegment {
    PathSegment::Key(k.into())
}

fn one(op: &str, body: Value) -> Issue {
    let v = issues(op, body);
    assert_eq!(v.len(), 1, "{v:?}");
    v.into_iter().next().unwrap()
}

// ---- common fields ----

#[test]
fn all_issues_at_once_with_paths_and_bounds() {
    let v = issues(
        "attachUniversalAuth",
        json!({
            "clientSecretTrustedIps": [{"ipAddress": 5}],
            "accessTokenTTL": -1,
            "accessTokenNumUsesLimit": "3",
            "lockoutThreshold": 31,
            "lockoutDurationSeconds": 29,
            "lockoutEnabled": "yes",
        }),
    );
    let got: Vec<(String, IssueCode)> = v
        .iter()
        .map(|i| (infisical_auth_validation::display_path(&i.path), i.code))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "clientSecretTrustedIps[0].ipAddress".into(),
                IssueCode::InvalidType
            ),
            ("accessTokenTTL".into(), IssueCode::TooSmall),
            ("accessTokenNumUsesLimit".into(), IssueCode::InvalidType),
            ("lockoutEnabled".into(), IssueCode::InvalidType),
            ("lockoutThreshold".into(), IssueCode::TooBig),
            ("lockoutDurationSeconds".into(), IssueCode::TooSmall),
        ]
    );
    assert_eq!(
        v[0].path,
        vec![
            key("clientSecretTrustedIps"),
            PathSegment::Index(0),
            key("ipAddress")
        ]
    );
    assert_eq!(v[1].minimum, Some(0.0));
    assert_eq!(v[1].inclusive, Some(true));
    assert_eq!(v[1].kind, Some(BoundKind::Number));
    assert_eq!(v[2].message, "Expected number, received string");
    assert_eq!(v[4].maximum, Some(30.0));
    assert_eq!(v[4].message, "Number must be less than or equal to 30");
}

#[test]
fn integer_fields_reject_fractions_and_accept_integral_floats() {
    let i = one("attachTokenAuth", json!({"accessTokenTTL": 1.5}));
    assert_eq!(i.code, IssueCode::InvalidType);
    assert_eq!(i.expected.as_deref(), Some("integer"));
    assert_eq!(i.message, "Expected integer, received float");
    ok("attachTokenAuth", json!({"accessTokenTTL": 3600.0}));
}

#[test]
fn lockout_values_must_be_integral_deliberately() {
    for f in [
        "lockoutThreshold",
        "lockoutDurationSeconds",
        "lockoutCounterResetSeconds",
    ] {
        let mut b = json!({});
        b[f] = json!(40.5);
        let v = issues("updateUniversalAuth", b);
        assert_eq!(v[0].code, IssueCode::InvalidType, "{f}");
        assert_eq!(v[0].path, vec![key(f)]);
    }
    ok(
        "attachUniversalAuth",
        json!({"lockoutThreshold": 30, "lockoutDurationSeconds": 86400, "lockoutCounterResetSeconds": 5}),
    );
}

#[test]
fn trusted_ip_lists_need_one_item_and_valid_entries() {
    let i = one("attachTokenAuth", json!({"accessTokenTrustedIps": []}));
    assert_eq!(
        (i.code, i.kind, i.minimum),
        (IssueCode::TooSmall, Some(BoundKind::Array), Some(1.0))
    );
    assert_eq!(i.message, "Array must contain at least 1 element(s)");
    let e = validate_body("attachTokenAuth", &json!({"accessTokenTrustedIps": [{"ipAddress": "1.2.3.4"}, {"ipAddress": "1.2.3.4/8abc"}]}))
        .unwrap_err();
    assert_eq!(
        e,
        Rejection::BadRequest {
            message: INVALID_IP_MESSAGE.into(),
            path: vec![
                key("accessTokenTrustedIps"),
                PathSegment::Index(1),
                key("ipAddress")
            ]
        }
    );
    assert_eq!(e.status(), 400);
    // entries are trimmed first, as Infisical trims them
    ok(
        "attachTokenAuth",
        json!({"accessTokenTrustedIps": [{"ipAddress": " 10.0.0.0/8 "}]}),
    );
    // schema issues (422) win over IP syntax (400)
    let e = validate_body(
        "attachTokenAuth",
        &json!({"accessTokenTrustedIps": [{"ipAddress": "nope"}], "accessTokenTTL": -5}),
    )
    .unwrap_err();
    assert_eq!(e.status(), 422);
}

#[test]
fn every_section4_example_through_validate() {
    for good in [
        "1.2.3.4",
        "10.1.2.3/8",
        "0.0.0.0/0",
        "::/0",
        "fe80::1",
        "2001:db8::/32",
        "::ffff:1.2.3.4/128",
    ] {
        ok(
            "updateTokenAuth",
            json!({"accessTokenTrustedIps": [{"ipAddress": good}]}),
        );
    }
    for bad in [
        "1.2.3.4/8abc",
        "1.2.3.4/24.5",
        "1.2.3.4/+8",
        "1.2.3.4/24/8",
        "fe80::1%eth0",
        "01.2.3.4",
        "[::1]",
        "1.2.3.4:80",
        "1.2.3.4 /8",
    ] {
        let e = validate_body(
            "updateTokenAuth",
            &json!({"accessTokenTrustedIps": [{"ipAddress": bad}]}),
        )
        .unwrap_err();
        assert_eq!(e.status(), 400, "{bad}");
    }
}

#[test]
fn null_or_missing_body() {
    for body in [None, Some(&Value::Null)] {
        let e = validate(
            "attachTokenAuth",
            &RequestParts {
                path: &[("identityId", "x")],
                query: &[],
                body,
            },
        )
        .unwrap_err();
        let v = e.issues();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].message, "Expected object, received null");
        assert!(v[0].path.is_empty());
    }
    let v = issues("attachTokenAuth", json!([1]));
    assert_eq!(v[0].message, "Expected object, received array");
    // operations without a body ignore one
    assert!(validate(
        "getTokenAuth",
        &RequestParts {
            path: &[("identityId", "x")],
            query: &[],
            body: None
        }
    )
    .is_ok());
}

#[test]
fn unknown_keys_are_ignored_and_strings_are_not_numbers() {
    ok(
        "attachTokenAuth",
        json!({"somethingElse": [1, 2, 3], "accessTokenTTL": 10}),
    );
    let i = one("attachTokenAuth", json!({"accessTokenTTL": "3600"}));
    assert_eq!(i.message, "Expected number, received string");
    let i = one("attachUniversalAuth", json!({"lockoutEnabled": 1}));
    assert_eq!(i.message, "Expected boolean, received number");
}

#[test]
fn missing_path_parameter_and_unknown_operation() {
    let e = validate(
        "getUniversalAuthClientSecret",
        &RequestParts {
            path: &[("identityId", "x")],
            query: &[],
            body: None,
        },
    )
    .unwrap_err();
    assert_eq!(e.issues()[0].path, vec![key("clientSecretId")]);
    assert_eq!(e.issues()[0].message, "Required");
    let e = validate("fooBar", &RequestParts::default()).unwrap_err();
    assert_eq!(e, Rejection::UnknownOperation("fooBar".into()));
}

#[test]
fn token_list_query_is_coerced_and_bounded() {
    let run = |q: &[(&str, &str)]| {
        validate(
            "getTokenAuthTokens",
            &RequestParts {
                path: &[("identityId", "x")],
                query: q,
                body: None,
            },
        )
    };
    assert!(run(&[("offset", "0"), ("limit", "100")]).is_ok());
    assert!(run(&[("offset", "100"), ("limit", "1")]).is_ok());
    let e = run(&[("offset", "101"), ("limit", "0")]).unwrap_err();
    let codes: Vec<_> = e
        .issues()
        .iter()
        .map(|i| (i.code, i.path.clone()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (IssueCode::TooBig, vec![key("offset")]),
            (IssueCode::TooSmall, vec![key("limit")])
        ]
    );
    let e = run(&[("limit", "ten")]).unwrap_err();
    assert_eq!(e.issues()[0].message, "Expected number, received nan");
    assert!(run(&[("limit", "+10"), ("offset", "007")]).is_ok());
}

/// `offset` and `limit` are `number` in the spec but integers in the generated types (the codegen fix-up
/// `integer_query_parameters`): text a typed integer parser refuses is refused here, naming the field, rather
/// than passing validation and failing to parse later.
#[test]
fn token_list_query_must_be_integers() {
    let run = |q: &[(&str, &str)]| {
        validate(
            "getTokenAuthTokens",
            &RequestParts {
                path: &[("identityId", "x")],
                query: q,
                body: None,
            },
        )
    };
    for (name, text, received) in [
        ("limit", "1.5", "float"),
        ("offset", "2.25", "float"),
        ("limit", "1e1", "float"),
        ("limit", "10.0", "float"),
        ("offset", "", "string"),
        ("limit", " 5", "string"),
    ] {
        let e = run(&[(name, text)]).expect_err(text);
        assert_eq!(e.status(), 422);
        let issue = &e.issues()[0];
        assert_eq!(
            (
                issue.code,
                issue.path.clone(),
                issue.expected.as_deref(),
                issue.received.as_deref()
            ),
            (
                IssueCode::InvalidType,
                vec![key(name)],
                Some("integer"),
                Some(received)
            ),
            "{name}={text:?}: {e}"
        );
        assert_eq!(
            issue.message,
            format!("Expected integer, received {received}")
        );
        assert_eq!(e.issues().len(), 1, "{e}");
    }
    // The bound is still checked on the value.
    let e = run(&[("limit", "150.5")]).unwrap_err();
    let codes: Vec<_> = e.issues().iter().map(|i| i.code).collect();
    assert_eq!(codes, vec![IssueCode::InvalidType, IssueCode::TooBig]);
    // The constraint table says so.
    let limit = constraints("getTokenAuthTokens")
        .iter()
        .find(|c| c.location == Location::Query && c.path == "limit")
        .unwrap();
    assert_eq!(limit.ty, FieldType::Integer);
}

// ---- TTL <= MaxTTL ----

#[test]
fn ttl_above_max_on_attach_uses_defaults() {
    let i = one(
        "attachUniversalAuth",
        json!({"accessTokenTTL": 100, "accessTokenMaxTTL": 50}),
    );
    assert_eq!(
        (i.code, i.message.as_str()),
        (IssueCode::Custom, TTL_ABOVE_MAX_MESSAGE)
    );
    // MaxTTL absent: the attach default 2592000 applies
    one("attachTokenAuth", json!({"accessTokenTTL": 2_592_001}));
    ok("attachTokenAuth", json!({"accessTokenTTL": 2_592_000}));
    ok(
        "attachOciAuth",
        json!({"tenancyOcid": "ocid1.tenancy.oc1..a", "accessTokenTTL": 50, "accessTokenMaxTTL": 50}),
    );
}

#[test]
fn jwt_attach_has_no_ttl_rule() {
    ok(
        "attachJwtAuth",
        json!({"configurationType": "jwks", "jwksUrl": "https://x.example/jwks", "boundClaims": {}, "accessTokenTTL": 100, "accessTokenMaxTTL": 50}),
    );
}

#[test]
fn ttl_on_update_only_when_both_present_and_non_zero() {
    one(
        "updateUniversalAuth",
        json!({"accessTokenTTL": 100, "accessTokenMaxTTL": 50}),
    );
    ok(
        "updateUniversalAuth",
        json!({"accessTokenTTL": 100, "accessTokenMaxTTL": 0}),
    );
    ok(
        "updateUniversalAuth",
        json!({"accessTokenTTL": 315_360_000}),
    );
    ok("updateUniversalAuth", json!({"accessTokenMaxTTL": 1}));
    assert!(check_effective_ttl(100.0, 50.0).is_err());
    assert!(check_effective_ttl(100.0, 0.0).is_ok());
}

// ---- per method ----

#[test]
fn universal_auth_client_secret_and_login() {
    ok("createUniversalAuthClientSecret", json!({}));
    ok(
        "createUniversalAuthClientSecret",
        json!({"description": "ci", "numUsesLimit": 0, "ttl": 315_360_000}),
    );
    assert_eq!(
        one(
            "createUniversalAuthClientSecret",
            json!({"ttl": 315_360_001})
        )
        .code,
        IssueCode::TooBig
    );
    assert_eq!(
        one(
            "createUniversalAuthClientSecret",
            json!({"numUsesLimit": -1})
        )
        .code,
        IssueCode::TooSmall
    );
    ok(
        "loginWithUniversalAuth",
        json!({"clientId": "a", "clientSecret": "b", "organizationSlug": "acme-1"}),
    );
    let v = issues("loginWithUniversalAuth", json!({"organizationSlug": ""}));
    let got: Vec<_> = v.iter().map(|i| (i.path.clone(), i.code)).collect();
    assert_eq!(
        got,
        vec![
            (vec![key("clientId")], IssueCode::InvalidType),
            (vec![key("clientSecret")], IssueCode::InvalidType),
            (vec![key("organizationSlug")], IssueCode::TooSmall)
        ]
    );
    assert_eq!(v[0].message, "Required");
    assert_eq!(
        one(
            "loginWithUniversalAuth",
            json!({"clientId": "a", "clientSecret": "b", "organizationSlug": "Not A Slug"})
        )
        .code,
        IssueCode::Custom
    );
    assert_eq!(
        one(
            "loginWithUniversalAuth",
            json!({"clientId": "a", "clientSecret": "b", "organizationSlug": "a".repeat(65)})
        )
        .code,
        IssueCode::TooBig
    );
}

#[test]
fn oci_tenancy_and_usernames() {
    ok(
        "attachOciAuth",
        json!({"tenancyOcid": " ocid1.tenancy.oc1..aaaa ", "allowedUsernames": "alice, bob@x.com,,", "accessTokenMaxTTL": 1, "accessTokenTTL": 0}),
    );
    ok(
        "attachOciAuth",
        json!({"tenancyOcid": "ocid1.tenancy.oc1..aaaa", "allowedUsernames": null}),
    );
    let i = one(
        "attachOciAuth",
        json!({"tenancyOcid": "ocid1.user.oc1..aaaa"}),
    );
    assert_eq!(
        (i.code, i.path.clone()),
        (IssueCode::Custom, vec![key("tenancyOcid")])
    );
    let i = one("attachOciAuth", json!({"tenancyOcid": "   "}));
    assert_eq!(i.code, IssueCode::TooSmall);
    assert_eq!(
        one(
            "attachOciAuth",
            json!({"tenancyOcid": "ocid1.tenancy.oc1..a", "allowedUsernames": "bad name"})
        )
        .code,
        IssueCode::Custom
    );
    assert_eq!(one("attachOciAuth", json!({"tenancyOcid": "ocid1.tenancy.oc1..a", "accessTokenMaxTTL": 0, "accessTokenTTL": 0})).code, IssueCode::TooSmall);
    // the spec keeps tenancyOcid required on update
    assert_eq!(
        one("updateOciAuth", json!({})).path,
        vec![key("tenancyOcid")]
    );
    ok(
        "loginWithOciAuth",
        json!({"identityId": "x", "userOcid": "u", "headers": {"authorization": "a", "host": "h", "x-date": "d"}}),
    );
    assert_eq!(
        one(
            "loginWithOciAuth",
            json!({"identityId": "x", "userOcid": "u", "headers": {"host": "h"}})
        )
        .path,
        vec![key("headers"), key("authorization")]
    );
}

#[test]
fn ldap_attach_is_template_or_manual() {
    ok("attachLdapAuth", json!({"templateId": "t"}));
    ok(
        "attachLdapAuth",
        json!({"url": "ldaps://l", "bindDN": "cn=a", "bindPass": "p", "searchBase": "dc=x", "searchFilter": "(&(objectClass=person)(uid={{username}}))", "allowedFields": [{"key": "k", "value": "v"}]}),
    );
    let i = one("attachLdapAuth", json!({"url": "ldaps://l"}));
    assert_eq!(i.code, IssueCode::InvalidUnion);
    assert_eq!(i.message, "Invalid input");
    assert_eq!(i.union_errors.len(), 2);
    assert_eq!(i.union_errors[0][0].path, vec![key("templateId")]);
    // a near match reports its own issues, not invalid_union
    let i = one(
        "attachLdapAuth",
        json!({"templateId": "t", "lockoutThreshold": 0}),
    );
    assert_eq!(
        (i.code, i.path.clone()),
        (IssueCode::TooSmall, vec![key("lockoutThreshold")])
    );
    assert_eq!(
        one(
            "attachLdapAuth",
            json!({"templateId": "t", "searchFilter": "(uid={{username}}"})
        )
        .code,
        IssueCode::Custom
    );
    assert_eq!(
        one(
            "attachLdapAuth",
            json!({"templateId": "t", "accessTokenMaxTTL": 0, "accessTokenTTL": 0})
        )
        .code,
        IssueCode::TooSmall
    );
    assert_eq!(
        one(
            "attachLdapAuth",
            json!({"templateId": "t", "lockoutThreshold": 2.5})
        )
        .code,
        IssueCode::InvalidType
    );
    ok(
        "loginWithLdapAuth",
        json!({"identityId": UUID, "username": "u", "password": "p"}),
    );
    let v = issues(
        "loginWithLdapAuth",
        json!({"identityId": "nope", "username": "", "password": ""}),
    );
    assert_eq!(
        v.iter().map(|i| i.code).collect::<Vec<_>>(),
        vec![
            IssueCode::InvalidString,
            IssueCode::TooSmall,
            IssueCode::TooSmall
        ]
    );
    assert_eq!(v[0].validation.as_deref(), Some("uuid"));
}

#[test]
fn aws_accounts_and_arns() {
    ok(
        "attachAwsAuth",
        json!({"allowedAccountIds": "123456789012, 210987654321", "allowedPrincipalArns": "arn:aws:iam::123456789012:role/app,arn:aws-us-gov:sts::123456789012:assumed-role/r/s"}),
    );
    ok("attachAwsAuth", json!({}));
    assert_eq!(
        one("attachAwsAuth", json!({"allowedAccountIds": "1234"})).path,
        vec![key("allowedAccountIds")]
    );
    assert_eq!(
        one(
            "attachAwsAuth",
            json!({"allowedPrincipalArns": "arn:aws:s3:::bucket"})
        )
        .path,
        vec![key("allowedPrincipalArns")]
    );
    assert_eq!(
        one("attachAwsAuth", json!({"stsEndpoint": ""})).code,
        IssueCode::TooSmall
    );
    assert_eq!(
        one(
            "updateAwsAuth",
            json!({"allowedAccountIds": "1".repeat(4097)})
        )
        .code,
        IssueCode::TooBig
    );
    ok(
        "loginWithAwsAuth",
        json!({"identityId": "i", "iamRequestBody": "b", "iamRequestHeaders": "h"}),
    );
}

#[test]
fn gcp_type() {
    ok(
        "attachGcpAuth",
        json!({"type": "gce", "allowedProjects": "a, b"}),
    );
    let i = one("attachGcpAuth", json!({"type": "aws"}));
    assert_eq!(i.code, IssueCode::InvalidEnumValue);
    assert_eq!(
        i.message,
        "Invalid enum value. Expected 'iam' | 'gce', received 'aws'"
    );
    assert_eq!(i.options, Some(vec!["iam".into(), "gce".into()]));
    assert_eq!(one("attachGcpAuth", json!({})).message, "Required");
    ok("updateGcpAuth", json!({}));
}

#[test]
fn azure_required_strings() {
    ok(
        "attachAzureAuth",
        json!({"tenantId": "t", "resource": "r", "allowedServicePrincipalIds": "a,b"}),
    );
    let v = issues("attachAzureAuth", json!({"tenantId": 1}));
    assert_eq!(v.len(), 2);
    ok("updateAzureAuth", json!({"resource": "r"}));
}

#[test]
fn kubernetes_host_and_review_mode() {
    let base = json!({"kubernetesHost": "https://10.0.0.1:6443", "allowedNamespaces": "", "allowedNames": "", "allowedAudience": ""});
    ok("attachKubernetesAuth", base.clone());
    let mut b = base.clone();
    b["kubernetesHost"] = json!("https://bad host");
    assert_eq!(one("attachKubernetesAuth", b).code, IssueCode::Custom);
    let mut b = base.clone();
    b["kubernetesHost"] = Value::Null;
    let i = one("attachKubernetesAuth", b.clone());
    assert_eq!(
        (i.code, i.path.clone()),
        (IssueCode::Custom, vec![key("kubernetesHost")])
    );
    b["tokenReviewMode"] = json!("gateway");
    let i = one("attachKubernetesAuth", b.clone());
    assert_eq!(i.path, vec![key("gatewayId")]);
    b["gatewayId"] = json!(UUID);
    ok("attachKubernetesAuth", b.clone());
    b["gatewayId"] = json!("gw-1");
    assert_eq!(
        one("attachKubernetesAuth", b).code,
        IssueCode::InvalidString
    );
    // the host key is required on attach even though its value may be null
    let mut b = base.clone();
    b.as_object_mut().unwrap().remove("kubernetesHost");
    assert_eq!(issues("attachKubernetesAuth", b)[0].message, "Required");
    ok(
        "updateKubernetesAuth",
        json!({"tokenReviewMode": "gateway"}),
    );
    assert_eq!(
        one(
            "updateKubernetesAuth",
            json!({"tokenReviewMode": "api", "kubernetesHost": null})
        )
        .code,
        IssueCode::Custom
    );
    assert_eq!(
        one("updateKubernetesAuth", json!({"tokenReviewMode": "other"})).code,
        IssueCode::InvalidEnumValue
    );
}

#[test]
fn oidc_urls_and_claims() {
    let base = json!({"oidcDiscoveryUrl": "https://issuer.example", "boundIssuer": "https://issuer.example", "boundClaims": {"sub": "x"}});
    ok("attachOidcAuth", base.clone());
    let mut b = base.clone();
    b["oidcDiscoveryUrl"] = json!("issuer.example");
    let i = one("attachOidcAuth", b);
    assert_eq!(
        (i.code, i.validation.as_deref()),
        (IssueCode::InvalidString, Some("url"))
    );
    let mut b = base.clone();
    b["boundClaims"] = json!({"sub": 1});
    assert_eq!(
        one("attachOidcAuth", b).path,
        vec![key("boundClaims"), key("sub")]
    );
    let mut b = base;
    b["boundIssuer"] = json!("");
    assert_eq!(one("attachOidcAuth", b).code, IssueCode::TooSmall);
    ok("updateOidcAuth", json!({}));
    ok("loginWithOidcAuth", json!({"identityId": "i", "jwt": "j"}));
}

#[test]
fn jwt_configuration_type_tag() {
    ok(
        "attachJwtAuth",
        json!({"configurationType": "jwks", "jwksUrl": "https://x.example/jwks", "boundClaims": {}}),
    );
    ok(
        "attachJwtAuth",
        json!({"configurationType": "static", "publicKeys": ["-----BEGIN PUBLIC KEY-----"], "boundClaims": {}}),
    );
    for bad in [
        json!({"boundClaims": {}}),
        json!({"configurationType": "x", "boundClaims": {}}),
    ] {
        let i = one("attachJwtAuth", bad);
        assert_eq!(
            (i.code, i.path.clone()),
            (
                IssueCode::InvalidUnionDiscriminator,
                vec![key("configurationType")]
            )
        );
        assert_eq!(
            i.message,
            "Invalid discriminator value. Expected 'jwks' | 'static'"
        );
    }
    assert_eq!(
        one(
            "attachJwtAuth",
            json!({"configurationType": "jwks", "jwksUrl": "nope", "boundClaims": {}})
        )
        .code,
        IssueCode::InvalidString
    );
    let v = issues(
        "attachJwtAuth",
        json!({"configurationType": "static", "publicKeys": [], "boundClaims": {}}),
    );
    assert_eq!(v[0].kind, Some(BoundKind::Array));
    let v = issues(
        "attachJwtAuth",
        json!({"configurationType": "static", "publicKeys": [""], "boundClaims": {}}),
    );
    assert_eq!(v[0].path, vec![key("publicKeys"), PathSegment::Index(0)]);
    assert_eq!(
        one("updateJwtAuth", json!({"configurationType": "static"})).path,
        vec![key("publicKeys")]
    );
}

#[test]
fn tls_cert_ca_must_parse() {
    ok(
        "attachTlsCertAuth",
        json!({"caCertificate": CA, "allowedCommonNames": "a,b", "accessTokenMaxTTL": 1, "accessTokenTTL": 1}),
    );
    ok(
        "attachTlsCertAuth",
        json!({"caCertificate": CA, "allowedCommonNames": null}),
    );
    assert_eq!(
        one("attachTlsCertAuth", json!({"caCertificate": "not pem"})).code,
        IssueCode::Custom
    );
    assert_eq!(
        one(
            "attachTlsCertAuth",
            json!({"caCertificate": "x".repeat(10_241)})
        )
        .code,
        IssueCode::TooBig
    );
    assert_eq!(
        one(
            "attachTlsCertAuth",
            json!({"caCertificate": CA, "allowedCommonNames": ""})
        )
        .code,
        IssueCode::TooSmall
    );
    ok("updateTlsCertAuth", json!({"allowedCommonNames": "x"}));
    ok("loginWithTlsCertAuth", json!({"identityId": "i"}));
}

#[test]
fn alicloud_arns_and_login() {
    ok(
        "attachAlicloudAuth",
        json!({"allowedArns": "acs:ram::1234567890123456:role/app"}),
    );
    assert_eq!(one("updateAlicloudAuth", json!({})).message, "Required");
    assert_eq!(
        one(
            "attachAlicloudAuth",
            json!({"allowedArns": "arn:aws:iam::123456789012:role/x"})
        )
        .code,
        IssueCode::Custom
    );
    let login = json!({
        "identityId": "i", "Action": "GetCallerIdentity", "Format": "JSON", "Version": "2015-04-01", "AccessKeyId": "k",
        "SignatureMethod": "HMAC-SHA1", "Timestamp": "2024-01-01T00:00:00Z", "SignatureVersion": "1.0",
        "SignatureNonce": "n", "Signature": "s"
    });
    ok("loginWithAlicloudAuth", login.clone());
    let mut b = login;
    b["Timestamp"] = json!("2024-01-01 00:00");
    b["SignatureMethod"] = json!("HMAC-SHA256");
    let v = issues("loginWithAlicloudAuth", b);
    assert_eq!(
        v.iter().map(|i| i.code).collect::<Vec<_>>(),
        vec![IssueCode::InvalidEnumValue, IssueCode::InvalidString]
    );
}

#[test]
fn spiffe_fields_and_bundle_profile() {
    let base = json!({"trustDomain": "example.org", "allowedSpiffeIds": "spiffe://example.org/*", "allowedAudiences": "infisical",
        "trustBundleDistribution": {"profile": "static", "bundle": "{}"}});
    ok("attachSpiffeAuth", base.clone());
    let mut b = base.clone();
    b["trustBundleDistribution"] = json!({"profile": "https_web_bundle", "endpointUrl": "https://b.example/bundle", "refreshHintSeconds": 0});
    ok("attachSpiffeAuth", b.clone());
    b["trustBundleDistribution"]["refreshHintSeconds"] = json!(-1);
    assert_eq!(
        one("attachSpiffeAuth", b.clone()).path,
        vec![key("trustBundleDistribution"), key("refreshHintSeconds")]
    );
    b["trustBundleDistribution"] = json!({"profile": "dynamic"});
    let i = one("attachSpiffeAuth", b);
    assert_eq!(
        (i.code, i.path.clone()),
        (
            IssueCode::InvalidUnionDiscriminator,
            vec![key("trustBundleDistribution"), key("profile")]
        )
    );
    let mut b = base;
    b["trustDomain"] = json!("");
    b["trustBundleDistribution"]["bundle"] = json!("");
    assert_eq!(issues("attachSpiffeAuth", b).len(), 2);
    ok("updateSpiffeAuth", json!({}));
}

#[test]
fn token_auth_tokens() {
    ok("createTokenAuthToken", json!({"name": "ci"}));
    ok("updateTokenAuthToken", json!({}));
    assert_eq!(
        one("updateTokenAuthToken", json!({"name": 5})).code,
        IssueCode::InvalidType
    );
    ok("renewIdentityAccessToken", json!({"accessToken": "t"}));
    assert_eq!(
        one("revokeIdentityAccessToken", json!({})).message,
        "Required"
    );
}

// ---- error body contract ----

#[test]
fn body_422_shape_and_round_trip() {
    let e = validate_body(
        "attachUniversalAuth",
        &json!({"lockoutThreshold": 0, "clientSecretTrustedIps": [{}]}),
    )
    .unwrap_err();
    let body = e.to_infisical_body("req-abcdefghijklmn");
    assert_eq!(body["reqId"], "req-abcdefghijklmn");
    assert_eq!(body["statusCode"], 422);
    assert_eq!(body["error"], "ValidationFailure");
    assert_eq!(
        body["message"][0],
        json!({"code": "invalid_type", "expected": "string", "received": "undefined", "path": ["clientSecretTrustedIps", 0, "ipAddress"], "message": "Required"})
    );
    assert_eq!(
        body["message"][1],
        json!({"code": "too_small", "minimum": 1, "type": "number", "inclusive": true, "exact": false, "path": ["lockoutThreshold"], "message": "Number must be greater than or equal to 1"})
    );
    assert_eq!(Rejection::from_infisical_body(&body), Some(e));
}

#[test]
fn body_400_shape_and_round_trip() {
    let e = validate_body(
        "attachUniversalAuth",
        &json!({"clientSecretTrustedIps": [{"ipAddress": "1.2.3.4/24/8"}]}),
    )
    .unwrap_err();
    let body = e.to_infisical_body("req-1");
    assert_eq!(
        body,
        json!({"reqId": "req-1", "statusCode": 400, "message": INVALID_IP_MESSAGE, "error": "BadRequest",
               "details": {"path": ["clientSecretTrustedIps", 0, "ipAddress"]}})
    );
    assert_eq!(Rejection::from_infisical_body(&body), Some(e));
    let union = validate_body("attachLdapAuth", &json!({})).unwrap_err();
    assert_eq!(
        Rejection::from_infisical_body(&union.to_infisical_body("r")),
        Some(union)
    );
    assert_eq!(
        Rejection::from_infisical_body(&json!({"statusCode": 401, "message": "Token missing"})),
        None
    );
}

#[test]
fn display_names_path_and_rule() {
    let e = validate_body("attachUniversalAuth", &json!({"lockoutThreshold": 31})).unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("lockoutThreshold") && s.contains("less than or equal to 30"),
        "{s}"
    );
    let e = validate_body(
        "attachTokenAuth",
        &json!({"accessTokenTrustedIps": [{"ipAddress": "x"}]}),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("accessTokenTrustedIps[0].ipAddress"),
        "{e}"
    );
}

#[test]
fn constraint_table_lists_bounds() {
    let c = constraints("attachUniversalAuth");
    let t = c.iter().find(|c| c.path == "lockoutThreshold").unwrap();
    assert_eq!(
        (t.ty, t.minimum, t.maximum, t.integral),
        (FieldType::Number, Some(1.0), Some(30.0), true)
    );
    let ip = c
        .iter()
        .find(|c| c.path == "accessTokenTrustedIps[].ipAddress")
        .unwrap();
    assert!(ip.required && ip.trimmed);
    assert!(c
        .iter()
        .any(|c| c.location == Location::Path && c.path == "identityId"));
    let q = constraints("getTokenAuthTokens");
    assert!(q
        .iter()
        .any(|c| c.location == Location::Query && c.path == "limit" && c.minimum == Some(1.0)));
    let j = constraints("attachJwtAuth");
    assert!(j
        .iter()
        .any(|c| c.variant == Some("static") && c.path == "publicKeys" && c.min_items == Some(1)));
    assert!(constraints("nope").is_empty());
    // No two ids are the same (that the table covers the spec is `tests/spec_bounds.rs`'s
    // business).
    let ids: Vec<&str> = infisical_auth_validation::operation_ids().collect();
    let distinct: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), ids.len());
}

#[test]
fn serde_shapes() {
    assert_eq!(
        serde_json::to_value(IssueCode::InvalidUnionDiscriminator).unwrap(),
        json!("invalid_union_discriminator")
    );
    assert_eq!(
        serde_json::to_value(BoundKind::Array).unwrap(),
        json!("array")
    );
    assert_eq!(
        serde_json::to_value(vec![key("a"), PathSegment::Index(2)]).unwrap(),
        json!(["a", 2])
    );
    let back: Vec<PathSegment> = serde_json::from_value(json!(["a", 2])).unwrap();
    assert_eq!(back, vec![key("a"), PathSegment::Index(2)]);
    let i = one("updateTokenAuth", json!({"accessTokenTTL": 315_360_001}));
    let wire = serde_json::to_value(&i).unwrap();
    assert_eq!(wire["maximum"], 315_360_000);
    assert_eq!(wire["type"], "number");
    let again: Issue = serde_json::from_value(wire).unwrap();
    assert_eq!(again, i);
    assert!(serde_json::from_value::<Issue>(json!({"code": "nope"})).is_err());
}
