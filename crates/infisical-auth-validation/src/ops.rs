//! The hand-written request rules of all 78 operations: path parameters, query parameters and body schema, in
//! the spec's property order (so issues come out in Infisical's order), plus the cross-field rules of each body.
//!
//! These tables are written by hand on purpose: the spec cannot say several rules (integral lockout values,
//! trusted IP grammar, per-method grammars) and `tests/spec_bounds.rs` holds them to the spec's declared bounds.

use crate::rules::{CrossRule, Rule};
use crate::schema::{NumC, Prop, StrC, Variant, S};

/// One operation's request rules.
#[derive(Debug)]
pub(crate) struct OpDef {
    pub id: &'static str,
    pub path_params: &'static [&'static str],
    pub query: &'static [Prop],
    pub body: Option<S>,
    pub cross: &'static [CrossRule],
}

const MAX_TTL: f64 = 315_360_000.0;

const fn s() -> S {
    S::Str(StrC::NONE)
}
const fn s_len(min: Option<u32>, max: Option<u32>) -> S {
    S::Str(StrC {
        min,
        max,
        ..StrC::NONE
    })
}
const fn s_rule(min: Option<u32>, max: Option<u32>, rule: Rule) -> S {
    S::Str(StrC {
        min,
        max,
        rule: Some(rule),
        ..StrC::NONE
    })
}
const fn s_fmt(min: Option<u32>, format: crate::schema::Format) -> S {
    S::Str(StrC {
        min,
        format: Some(format),
        ..StrC::NONE
    })
}
const fn s_enum(values: &'static [&'static str]) -> S {
    S::Str(StrC {
        enums: values,
        ..StrC::NONE
    })
}
const fn int(min: Option<f64>, max: Option<f64>) -> S {
    S::Int(NumC { min, max })
}
const fn num(min: Option<f64>, max: Option<f64>) -> S {
    S::Num(NumC { min, max })
}
const fn integral(min: f64, max: f64) -> S {
    S::IntegralNum(NumC {
        min: Some(min),
        max: Some(max),
    })
}

use crate::schema::Format::{DateTime, Uri, Uuid};

const IP_ITEM: S = S::Obj(&[Prop::req(
    "ipAddress",
    S::Str(StrC {
        trim: true,
        rule: Some(Rule::TrustedIp),
        ..StrC::NONE
    }),
)]);
const IPS: S = S::Arr {
    item: &IP_ITEM,
    min_items: Some(1),
};

const P_IPS: Prop = Prop::opt("accessTokenTrustedIps", IPS);
const P_CS_IPS: Prop = Prop::opt("clientSecretTrustedIps", IPS);
const P_TTL: Prop = Prop::opt("accessTokenTTL", int(Some(0.0), Some(MAX_TTL)));
const P_MAX0: Prop = Prop::opt("accessTokenMaxTTL", int(Some(0.0), Some(MAX_TTL)));
const P_MAX1: Prop = Prop::opt("accessTokenMaxTTL", int(Some(1.0), Some(MAX_TTL)));
const P_USES: Prop = Prop::opt("accessTokenNumUsesLimit", int(Some(0.0), None));
const P_LOCK_ON: Prop = Prop::opt("lockoutEnabled", S::Bool);
const P_LOCK_THRESHOLD: Prop = Prop::opt("lockoutThreshold", integral(1.0, 30.0));
const P_LOCK_DURATION: Prop = Prop::opt("lockoutDurationSeconds", integral(30.0, 86_400.0));
const P_LOCK_RESET: Prop = Prop::opt("lockoutCounterResetSeconds", integral(5.0, 3_600.0));
const P_SLUG: Prop = Prop::opt(
    "organizationSlug",
    S::Str(StrC {
        min: Some(1),
        max: Some(64),
        trim: true,
        rule: Some(Rule::OrganizationSlug),
        ..StrC::NONE
    }),
);
const P_IDENTITY: Prop = Prop::req("identityId", s());

const ID: &[&str] = &["identityId"];
const ATTACH: &[CrossRule] = &[CrossRule::TtlWithinMaxOnAttach];
const UPDATE: &[CrossRule] = &[CrossRule::TtlWithinMaxOnUpdate];

const fn path_only(id: &'static str, path_params: &'static [&'static str]) -> OpDef {
    OpDef {
        id,
        path_params,
        query: &[],
        body: None,
        cross: &[],
    }
}
const fn with_body(
    id: &'static str,
    path_params: &'static [&'static str],
    body: S,
    cross: &'static [CrossRule],
) -> OpDef {
    OpDef {
        id,
        path_params,
        query: &[],
        body: Some(body),
        cross,
    }
}

/// Login body `{identityId, jwt, organizationSlug?}` shared by azure, gcp, jwt, kubernetes, oidc and spiffe.
const JWT_LOGIN: S = S::Obj(&[P_IDENTITY, Prop::req("jwt", s()), P_SLUG]);

// ---- alicloud ----
const ALICLOUD_ARNS: S = s_rule(Some(1), Some(500), Rule::AliCloudArns);

// ---- aws ----
const AWS_STS: Prop = Prop::opt("stsEndpoint", s_len(Some(1), None));
const AWS_ARNS: Prop = Prop::opt(
    "allowedPrincipalArns",
    s_rule(None, Some(4096), Rule::AwsPrincipalArns),
);
const AWS_ACCOUNTS: Prop = Prop::opt(
    "allowedAccountIds",
    s_rule(None, Some(4096), Rule::AwsAccountIds),
);

// ---- gcp ----
const GCP_TYPES: &[&str] = &["iam", "gce"];

// ---- jwt ----
const JWT_JWKS_ATTACH: &[Prop] = &[
    Prop::req("configurationType", s_enum(&["jwks"])),
    Prop::req("jwksUrl", s_fmt(None, Uri)),
    Prop::opt("jwksCaCert", s()),
    Prop::opt(
        "publicKeys",
        S::Arr {
            item: &s(),
            min_items: None,
        },
    ),
    Prop::opt("boundIssuer", s()),
    Prop::opt("boundAudiences", s()),
    Prop::req("boundClaims", S::StrMap),
    Prop::opt("boundSubject", s()),
    P_IPS,
    P_TTL,
    P_MAX0,
    P_USES,
];
const JWT_STATIC_ATTACH: &[Prop] = &[
    Prop::req("configurationType", s_enum(&["static"])),
    Prop::opt("jwksUrl", s()),
    Prop::opt("jwksCaCert", s()),
    Prop::req(
        "publicKeys",
        S::Arr {
            item: &s_len(Some(1), None),
            min_items: Some(1),
        },
    ),
    Prop::opt("boundIssuer", s()),
    Prop::opt("boundAudiences", s()),
    Prop::req("boundClaims", S::StrMap),
    Prop::opt("boundSubject", s()),
    P_IPS,
    P_TTL,
    P_MAX0,
    P_USES,
];
const JWT_JWKS_UPDATE: &[Prop] = &[
    Prop::req("configurationType", s_enum(&["jwks"])),
    Prop::req("jwksUrl", s_fmt(None, Uri)),
    Prop::opt("jwksCaCert", s()),
    Prop::opt(
        "publicKeys",
        S::Arr {
            item: &s(),
            min_items: None,
        },
    ),
    Prop::opt("boundIssuer", s()),
    Prop::opt("boundAudiences", s()),
    Prop::opt("boundClaims", S::StrMap),
    Prop::opt("boundSubject", s()),
    P_IPS,
    P_TTL,
    P_MAX0,
    P_USES,
];
const JWT_STATIC_UPDATE: &[Prop] = &[
    Prop::req("configurationType", s_enum(&["static"])),
    Prop::opt("jwksUrl", s()),
    Prop::opt("jwksCaCert", s()),
    Prop::req(
        "publicKeys",
        S::Arr {
            item: &s_len(Some(1), None),
            min_items: Some(1),
        },
    ),
    Prop::opt("boundIssuer", s()),
    Prop::opt("boundAudiences", s()),
    Prop::opt("boundClaims", S::StrMap),
    Prop::opt("boundSubject", s()),
    P_IPS,
    P_TTL,
    P_MAX0,
    P_USES,
];

// ---- kubernetes ----
const K8S_HOST: S = s_rule(Some(1), None, Rule::KubernetesHost);
const K8S_MODES: &[&str] = &["api", "gateway"];

// ---- ldap ----
const LDAP_FILTER: Prop = Prop::opt("searchFilter", s_rule(Some(1), None, Rule::LdapFilter));
const LDAP_FIELD: S = S::Obj(&[Prop::req("key", s()), Prop::req("value", s())]);
const LDAP_FIELDS: Prop = Prop::opt(
    "allowedFields",
    S::Arr {
        item: &LDAP_FIELD,
        min_items: None,
    },
);
const LDAP_TEMPLATE: &[Prop] = &[
    Prop::req("templateId", s()),
    LDAP_FILTER,
    LDAP_FIELDS,
    Prop::opt("ldapCaCertificate", s()),
    P_IPS,
    P_TTL,
    P_MAX1,
    P_USES,
    P_LOCK_ON,
    P_LOCK_THRESHOLD,
    P_LOCK_DURATION,
    P_LOCK_RESET,
];
const LDAP_MANUAL: &[Prop] = &[
    Prop::req("url", s()),
    Prop::req("bindDN", s()),
    Prop::req("bindPass", s()),
    Prop::req("searchBase", s()),
    LDAP_FILTER,
    LDAP_FIELDS,
    Prop::opt("ldapCaCertificate", s()),
    P_IPS,
    P_TTL,
    P_MAX1,
    P_USES,
    P_LOCK_ON,
    P_LOCK_THRESHOLD,
    P_LOCK_DURATION,
    P_LOCK_RESET,
];

// ---- oci ----
const OCI_TENANCY: Prop = Prop::req(
    "tenancyOcid",
    S::Str(StrC {
        min: Some(1),
        trim: true,
        rule: Some(Rule::TenancyOcid),
        ..StrC::NONE
    }),
);
const OCI_USERS: Prop = Prop::opt(
    "allowedUsernames",
    s_rule(None, Some(500), Rule::OciUsernames),
)
.nullable();

// ---- spiffe ----
const TBD: S = S::Tagged {
    tag: "profile",
    options: &[
        Variant {
            name: "static",
            props: &[
                Prop::req("profile", s_enum(&["static"])),
                Prop::req("bundle", s_len(Some(1), None)),
            ],
        },
        Variant {
            name: "https_web_bundle",
            props: &[
                Prop::req("profile", s_enum(&["https_web_bundle"])),
                Prop::req("endpointUrl", s_fmt(None, Uri)),
                Prop::opt("caCert", s()),
                Prop::opt("refreshHintSeconds", int(Some(0.0), None)),
            ],
        },
    ],
};

// ---- tls-cert ----
const TLS_CA: S = s_rule(Some(1), Some(10_240), Rule::CaCertificatePem);
const TLS_CNS: Prop = Prop::opt("allowedCommonNames", s_len(Some(1), None)).nullable();

/// Every operation, sorted by operation id (binary-searched by [`find`]).
pub(crate) static OPS: &[OpDef] = &[
    with_body(
        "attachAlicloudAuth",
        ID,
        S::Obj(&[
            Prop::req("allowedArns", ALICLOUD_ARNS),
            P_IPS,
            P_TTL,
            P_MAX1,
            P_USES,
        ]),
        ATTACH,
    ),
    with_body(
        "attachAwsAuth",
        ID,
        S::Obj(&[
            AWS_STS,
            AWS_ARNS,
            AWS_ACCOUNTS,
            P_IPS,
            P_TTL,
            P_MAX1,
            P_USES,
        ]),
        ATTACH,
    ),
    with_body(
        "attachAzureAuth",
        ID,
        S::Obj(&[
            Prop::req("tenantId", s()),
            Prop::req("resource", s()),
            Prop::opt("allowedServicePrincipalIds", s()),
            P_IPS,
            P_TTL,
            P_MAX0,
            P_USES,
        ]),
        ATTACH,
    ),
    with_body(
        "attachGcpAuth",
        ID,
        S::Obj(&[
            Prop::req("type", s_enum(GCP_TYPES)),
            Prop::opt("allowedServiceAccounts", s()),
            Prop::opt("allowedProjects", s()),
            Prop::opt("allowedZones", s()),
            P_IPS,
            P_TTL,
            P_MAX0,
            P_USES,
        ]),
        ATTACH,
    ),
    // jwt: no TTL <= MaxTTL rule (Infisical's schema lacks it, docs/infisical-behaviour.md#common-fields).
    with_body(
        "attachJwtAuth",
        ID,
        S::Tagged {
            tag: "configurationType",
            options: &[
                Variant {
                    name: "jwks",
                    props: JWT_JWKS_ATTACH,
                },
                Variant {
                    name: "static",
                    props: JWT_STATIC_ATTACH,
                },
            ],
        },
        &[],
    ),
    with_body(
        "attachKubernetesAuth",
        ID,
        S::Obj(&[
            Prop::req("kubernetesHost", K8S_HOST).nullable(),
            Prop::opt("caCert", s()),
            Prop::opt("verifyTlsCertificate", S::Bool),
            Prop::opt("tokenReviewerJwt", s()),
            Prop::opt("tokenReviewMode", s_enum(K8S_MODES)),
            Prop::req("allowedNamespaces", s()),
            Prop::req("allowedNames", s()),
            Prop::req("allowedAudience", s()),
            Prop::opt("gatewayId", s_fmt(None, Uuid)).nullable(),
            Prop::opt("gatewayPoolId", s_fmt(None, Uuid)).nullable(),
            P_IPS,
            P_TTL,
            P_MAX0,
            P_USES,
        ]),
        &[
            CrossRule::TtlWithinMaxOnAttach,
            CrossRule::KubernetesReviewModeOnAttach,
        ],
    ),
    with_body(
        "attachLdapAuth",
        ID,
        S::Untagged(&[
            Variant {
                name: "template",
                props: LDAP_TEMPLATE,
            },
            Variant {
                name: "manual",
                props: LDAP_MANUAL,
            },
        ]),
        ATTACH,
    ),
    with_body(
        "attachOciAuth",
        ID,
        S::Obj(&[OCI_TENANCY, OCI_USERS, P_IPS, P_TTL, P_MAX1, P_USES]),
        ATTACH,
    ),
    with_body(
        "attachOidcAuth",
        ID,
        S::Obj(&[
            Prop::req("oidcDiscoveryUrl", s_fmt(Some(1), Uri)),
            Prop::opt("caCert", s()),
            Prop::req("boundIssuer", s_len(Some(1), None)),
            Prop::opt("boundAudiences", s()),
            Prop::req("boundClaims", S::StrMap),
            Prop::opt("claimMetadataMapping", S::StrMap),
            Prop::opt("boundSubject", s()),
            P_IPS,
            P_TTL,
            P_MAX0,
            P_USES,
        ]),
        ATTACH,
    ),
    with_body(
        "attachSpiffeAuth",
        ID,
        S::Obj(&[
            Prop::req("trustDomain", s_len(Some(1), None)),
            Prop::req("allowedSpiffeIds", s_len(Some(1), None)),
            Prop::req("allowedAudiences", s_len(Some(1), None)),
            Prop::req("trustBundleDistribution", TBD),
            P_IPS,
            P_TTL,
            P_MAX0,
            P_USES,
        ]),
        ATTACH,
    ),
    with_body(
        "attachTlsCertAuth",
        ID,
        S::Obj(&[
            TLS_CNS,
            Prop::req("caCertificate", TLS_CA),
            P_IPS,
            P_TTL,
            P_MAX1,
            P_USES,
        ]),
        ATTACH,
    ),
    with_body(
        "attachTokenAuth",
        ID,
        S::Obj(&[P_IPS, P_TTL, P_MAX0, P_USES]),
        ATTACH,
    ),
    with_body(
        "attachUniversalAuth",
        ID,
        S::Obj(&[
            P_CS_IPS,
            P_IPS,
            P_TTL,
            P_MAX0,
            P_USES,
            Prop::opt("accessTokenPeriod", int(Some(0.0), None)),
            P_LOCK_ON,
            P_LOCK_THRESHOLD,
            P_LOCK_DURATION,
            P_LOCK_RESET,
        ]),
        ATTACH,
    ),
    path_only("clearLdapAuthLockouts", ID),
    path_only("clearUniversalAuthLockouts", ID),
    with_body(
        "createTokenAuthToken",
        ID,
        S::Obj(&[Prop::opt("name", s()), P_SLUG]),
        &[],
    ),
    with_body(
        "createUniversalAuthClientSecret",
        ID,
        S::Obj(&[
            Prop::opt(
                "description",
                S::Str(StrC {
                    trim: true,
                    ..StrC::NONE
                }),
            ),
            Prop::opt("numUsesLimit", num(Some(0.0), None)),
            Prop::opt("ttl", num(Some(0.0), Some(MAX_TTL))),
        ]),
        &[],
    ),
    path_only("deleteAlicloudAuth", ID),
    path_only("deleteAwsAuth", ID),
    path_only("deleteAzureAuth", ID),
    path_only("deleteGcpAuth", ID),
    path_only("deleteJwtAuth", ID),
    path_only("deleteKubernetesAuth", ID),
    path_only("deleteLdapAuth", ID),
    path_only("deleteOciAuth", ID),
    path_only("deleteOidcAuth", ID),
    path_only("deleteSpiffeAuth", ID),
    path_only("deleteTlsCertAuth", ID),
    path_only("deleteTokenAuth", ID),
    path_only("deleteUniversalAuth", ID),
    path_only("getAlicloudAuth", ID),
    path_only("getAwsAuth", ID),
    path_only("getAzureAuth", ID),
    path_only("getGcpAuth", ID),
    path_only("getJwtAuth", ID),
    path_only("getKubernetesAuth", ID),
    path_only("getLdapAuth", ID),
    path_only("getOciAuth", ID),
    path_only("getOidcAuth", ID),
    path_only("getSpiffeAuth", ID),
    path_only("getTlsCertAuth", ID),
    path_only("getTokenAuth", ID),
    path_only("getTokenAuthTokenById", &["tokenId"]),
    OpDef {
        id: "getTokenAuthTokens",
        path_params: ID,
        query: &[
            // `number` in the spec, integers in the generated types (the codegen fix-up
            // `integer_query_parameters`): the text must be an integer literal.
            Prop::opt("offset", int(Some(0.0), Some(100.0))),
            Prop::opt("limit", int(Some(1.0), Some(100.0))),
        ],
        body: None,
        cross: &[],
    },
    path_only("getUniversalAuth", ID),
    path_only(
        "getUniversalAuthClientSecret",
        &["identityId", "clientSecretId"],
    ),
    path_only("listUniversalAuthClientSecrets", ID),
    with_body(
        "loginWithAlicloudAuth",
        &[],
        S::Obj(&[
            P_IDENTITY,
            Prop::req("Action", s_enum(&["GetCallerIdentity"])),
            Prop::req("Format", s_enum(&["JSON"])),
            Prop::req("Version", s()),
            Prop::req("AccessKeyId", s()),
            P_SLUG,
            Prop::req("SignatureMethod", s_enum(&["HMAC-SHA1"])),
            Prop::req("Timestamp", s_fmt(None, DateTime)),
            Prop::req("SignatureVersion", s_enum(&["1.0"])),
            Prop::req("SignatureNonce", s()),
            Prop::req("Signature", s()),
        ]),
        &[],
    ),
    with_body(
        "loginWithAwsAuth",
        &[],
        S::Obj(&[
            P_IDENTITY,
            Prop::opt("iamHttpRequestMethod", s()),
            Prop::req("iamRequestBody", s()),
            Prop::req("iamRequestHeaders", s()),
            P_SLUG,
        ]),
        &[],
    ),
    with_body("loginWithAzureAuth", &[], JWT_LOGIN, &[]),
    with_body("loginWithGcpAuth", &[], JWT_LOGIN, &[]),
    with_body("loginWithJwtAuth", &[], JWT_LOGIN, &[]),
    with_body("loginWithKubernetesAuth", &[], JWT_LOGIN, &[]),
    with_body(
        "loginWithLdapAuth",
        &[],
        S::Obj(&[
            Prop::req("identityId", s_fmt(None, Uuid)),
            Prop::req("username", s_len(Some(1), None)),
            Prop::req("password", s_len(Some(1), None)),
            P_SLUG,
        ]),
        &[],
    ),
    with_body(
        "loginWithOciAuth",
        &[],
        S::Obj(&[
            P_IDENTITY,
            Prop::req("userOcid", s()),
            Prop::req(
                "headers",
                S::Obj(&[
                    Prop::req("authorization", s()),
                    Prop::req("host", s()),
                    Prop::opt("x-date", s()),
                    Prop::opt("date", s()),
                ]),
            ),
            P_SLUG,
        ]),
        &[],
    ),
    with_body("loginWithOidcAuth", &[], JWT_LOGIN, &[]),
    with_body("loginWithSpiffeAuth", &[], JWT_LOGIN, &[]),
    with_body(
        "loginWithTlsCertAuth",
        &[],
        S::Obj(&[P_IDENTITY, P_SLUG]),
        &[],
    ),
    with_body(
        "loginWithUniversalAuth",
        &[],
        S::Obj(&[
            Prop::req("clientId", s()),
            Prop::req("clientSecret", s()),
            P_SLUG,
        ]),
        &[],
    ),
    path_only("refreshSpiffeBundle", ID),
    with_body(
        "renewIdentityAccessToken",
        &[],
        S::Obj(&[Prop::req("accessToken", s())]),
        &[],
    ),
    with_body(
        "revokeIdentityAccessToken",
        &[],
        S::Obj(&[Prop::req("accessToken", s())]),
        &[],
    ),
    path_only("revokeTokenAuthToken", &["tokenId"]),
    path_only(
        "revokeUniversalAuthClientSecret",
        &["identityId", "clientSecretId"],
    ),
    with_body(
        "updateAlicloudAuth",
        ID,
        S::Obj(&[
            Prop::req("allowedArns", ALICLOUD_ARNS),
            P_IPS,
            P_TTL,
            P_USES,
            P_MAX0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateAwsAuth",
        ID,
        S::Obj(&[
            AWS_STS,
            AWS_ARNS,
            AWS_ACCOUNTS,
            P_IPS,
            P_TTL,
            P_USES,
            P_MAX0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateAzureAuth",
        ID,
        S::Obj(&[
            Prop::opt("tenantId", s()),
            Prop::opt("resource", s()),
            Prop::opt("allowedServicePrincipalIds", s()),
            P_IPS,
            P_TTL,
            P_USES,
            P_MAX0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateGcpAuth",
        ID,
        S::Obj(&[
            Prop::opt("type", s_enum(GCP_TYPES)),
            Prop::opt("allowedServiceAccounts", s()),
            Prop::opt("allowedProjects", s()),
            Prop::opt("allowedZones", s()),
            P_IPS,
            P_TTL,
            P_USES,
            P_MAX0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateJwtAuth",
        ID,
        S::Tagged {
            tag: "configurationType",
            options: &[
                Variant {
                    name: "jwks",
                    props: JWT_JWKS_UPDATE,
                },
                Variant {
                    name: "static",
                    props: JWT_STATIC_UPDATE,
                },
            ],
        },
        &[],
    ),
    with_body(
        "updateKubernetesAuth",
        ID,
        S::Obj(&[
            Prop::opt("kubernetesHost", K8S_HOST).nullable(),
            Prop::opt("caCert", s()),
            Prop::opt("verifyTlsCertificate", S::Bool),
            Prop::opt("tokenReviewerJwt", s()).nullable(),
            Prop::opt("tokenReviewMode", s_enum(K8S_MODES)),
            Prop::opt("allowedNamespaces", s()),
            Prop::opt("allowedNames", s()),
            Prop::opt("allowedAudience", s()),
            Prop::opt("gatewayId", s_fmt(None, Uuid)).nullable(),
            Prop::opt("gatewayPoolId", s_fmt(None, Uuid)).nullable(),
            P_IPS,
            P_TTL,
            P_USES,
            P_MAX0,
        ]),
        &[
            CrossRule::TtlWithinMaxOnUpdate,
            CrossRule::KubernetesReviewModeOnUpdate,
        ],
    ),
    with_body(
        "updateLdapAuth",
        ID,
        S::Obj(&[
            Prop::opt("url", s_len(Some(1), None)),
            Prop::opt("bindDN", s_len(Some(1), None)),
            Prop::opt("bindPass", s_len(Some(1), None)),
            Prop::opt("searchBase", s_len(Some(1), None)),
            Prop::opt("templateId", s()),
            LDAP_FILTER,
            LDAP_FIELDS,
            P_IPS,
            P_TTL,
            P_USES,
            P_MAX0,
            P_LOCK_ON,
            P_LOCK_THRESHOLD,
            P_LOCK_DURATION,
            P_LOCK_RESET,
        ]),
        UPDATE,
    ),
    with_body(
        "updateOciAuth",
        ID,
        S::Obj(&[OCI_TENANCY, OCI_USERS, P_IPS, P_TTL, P_USES, P_MAX0]),
        UPDATE,
    ),
    with_body(
        "updateOidcAuth",
        ID,
        S::Obj(&[
            Prop::opt("oidcDiscoveryUrl", s_fmt(Some(1), Uri)),
            Prop::opt("caCert", s()),
            Prop::opt("boundIssuer", s_len(Some(1), None)),
            Prop::opt("boundAudiences", s()),
            Prop::opt("boundClaims", S::StrMap),
            Prop::opt("claimMetadataMapping", S::StrMap),
            Prop::opt("boundSubject", s()),
            P_IPS,
            P_TTL,
            P_MAX0,
            P_USES,
        ]),
        UPDATE,
    ),
    with_body(
        "updateSpiffeAuth",
        ID,
        S::Obj(&[
            Prop::opt("trustDomain", s_len(Some(1), None)),
            Prop::opt("allowedSpiffeIds", s_len(Some(1), None)),
            Prop::opt("allowedAudiences", s_len(Some(1), None)),
            Prop::opt("trustBundleDistribution", TBD),
            P_IPS,
            P_TTL,
            P_MAX0,
            P_USES,
        ]),
        UPDATE,
    ),
    with_body(
        "updateTlsCertAuth",
        ID,
        S::Obj(&[
            Prop::opt("caCertificate", TLS_CA),
            TLS_CNS,
            P_IPS,
            P_TTL,
            P_USES,
            P_MAX0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateTokenAuth",
        ID,
        S::Obj(&[P_IPS, P_TTL, P_USES, P_MAX0]),
        UPDATE,
    ),
    with_body(
        "updateTokenAuthToken",
        &["tokenId"],
        S::Obj(&[Prop::opt("name", s())]),
        &[],
    ),
    with_body(
        "updateUniversalAuth",
        ID,
        S::Obj(&[
            P_CS_IPS,
            P_IPS,
            P_TTL,
            P_USES,
            P_MAX0,
            Prop::opt("accessTokenPeriod", int(Some(0.0), Some(MAX_TTL))),
            P_LOCK_ON,
            P_LOCK_THRESHOLD,
            P_LOCK_DURATION,
            P_LOCK_RESET,
        ]),
        UPDATE,
    ),
];

/// The definition of an operation.
pub(crate) fn find(operation_id: &str) -> Option<&'static OpDef> {
    // An open-addressed table keyed by an FNV-1a hash: one hash and usually one comparison per call.
    const SLOTS: usize = 256;
    static INDEX: std::sync::OnceLock<[u8; SLOTS]> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut t = [u8::MAX; SLOTS];
        for (i, op) in OPS.iter().enumerate() {
            let mut slot = fnv1a(op.id) % SLOTS;
            while t[slot] != u8::MAX {
                slot = (slot + 1) % SLOTS;
            }
            t[slot] = i as u8;
        }
        t
    });
    let mut slot = fnv1a(operation_id) % SLOTS;
    loop {
        let i = index[slot];
        if i == u8::MAX {
            return None;
        }
        let op = &OPS[usize::from(i)];
        if crate::schema::bytes_eq(op.id.as_bytes(), operation_id.as_bytes()) {
            return Some(op);
        }
        slot = (slot + 1) % SLOTS;
    }
}

fn fnv1a(s: &str) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The number of operations in the spec the rules are written for.
    fn spec_operation_count() -> usize {
        let spec: serde_json::Value = serde_json::from_str(include_str!(
            "../../../openapi/infisical-identity-auth.json"
        ))
        .expect("the spec parses");
        spec["paths"]
            .as_object()
            .expect("paths")
            .values()
            .map(|item| {
                item.as_object().map_or(0, |m| {
                    m.keys()
                        .filter(|k| {
                            [
                                "get", "put", "post", "delete", "options", "head", "patch", "trace",
                            ]
                            .contains(&k.as_str())
                        })
                        .count()
                })
            })
            .sum()
    }

    #[test]
    fn table_is_sorted_and_complete() {
        assert_eq!(OPS.len(), spec_operation_count());
        for op in OPS {
            assert!(std::ptr::eq(find(op.id).unwrap(), op), "{}", op.id);
            assert!(find(&format!("{}x", op.id)).is_none());
        }
        assert!(find("").is_none());
        for w in OPS.windows(2) {
            assert!(
                w[0].id < w[1].id,
                "{} must sort before {}",
                w[0].id,
                w[1].id
            );
        }
    }
}
