//! The hand-written request rules of all 78 operations: path parameters, query parameters and body schema, in
//! the spec's property order (so issues come out in Infisical's order), plus the cross-field rules of each body.
//!
//! These tables are written by hand on purpose: the spec cannot say several rules (integral lockout values,
//! trusted IP grammar, per-method grammars) and `tests/spec_bounds.rs` holds them to the spec's declared bounds.

use crate::rules::{CrossRule, Rule};
use crate::schema::{NumberRules, Prop, Shape, StringRules, Variant};

/// One operation's request rules.
#[derive(Debug)]
pub(crate) struct OpDef {
    pub id: &'static str,
    pub path_params: &'static [&'static str],
    pub query: &'static [Prop],
    pub body: Option<Shape>,
    pub cross: &'static [CrossRule],
}

const MAX_TTL: f64 = 315_360_000.0;

const fn text() -> Shape {
    Shape::Str(StringRules::NONE)
}
const fn text_len(min: Option<u32>, max: Option<u32>) -> Shape {
    Shape::Str(StringRules {
        min,
        max,
        ..StringRules::NONE
    })
}
const fn text_rule(min: Option<u32>, max: Option<u32>, rule: Rule) -> Shape {
    Shape::Str(StringRules {
        min,
        max,
        rule: Some(rule),
        ..StringRules::NONE
    })
}
const fn text_format(min: Option<u32>, format: crate::schema::Format) -> Shape {
    Shape::Str(StringRules {
        min,
        format: Some(format),
        ..StringRules::NONE
    })
}
const fn text_enum(values: &'static [&'static str]) -> Shape {
    Shape::Str(StringRules {
        enums: values,
        ..StringRules::NONE
    })
}
const fn int(min: Option<f64>, max: Option<f64>) -> Shape {
    Shape::Int(NumberRules { min, max })
}
const fn num(min: Option<f64>, max: Option<f64>) -> Shape {
    Shape::Num(NumberRules { min, max })
}
const fn integral(min: f64, max: f64) -> Shape {
    Shape::IntegralNum(NumberRules {
        min: Some(min),
        max: Some(max),
    })
}

use crate::schema::Format::{DateTime, Uri, Uuid};

const TRUSTED_IP_ENTRY: Shape = Shape::Obj(&[Prop::req(
    "ipAddress",
    Shape::Str(StringRules {
        trim: true,
        rule: Some(Rule::TrustedIp),
        ..StringRules::NONE
    }),
)]);
const TRUSTED_IP_LIST: Shape = Shape::Arr {
    item: &TRUSTED_IP_ENTRY,
    min_items: Some(1),
};

const ACCESS_TOKEN_TRUSTED_IPS: Prop = Prop::opt("accessTokenTrustedIps", TRUSTED_IP_LIST);
const CLIENT_SECRET_TRUSTED_IPS: Prop = Prop::opt("clientSecretTrustedIps", TRUSTED_IP_LIST);
const ACCESS_TOKEN_TTL: Prop = Prop::opt("accessTokenTTL", int(Some(0.0), Some(MAX_TTL)));
const ACCESS_TOKEN_MAX_TTL_FROM_0: Prop =
    Prop::opt("accessTokenMaxTTL", int(Some(0.0), Some(MAX_TTL)));
const ACCESS_TOKEN_MAX_TTL_FROM_1: Prop =
    Prop::opt("accessTokenMaxTTL", int(Some(1.0), Some(MAX_TTL)));
const ACCESS_TOKEN_NUM_USES_LIMIT: Prop =
    Prop::opt("accessTokenNumUsesLimit", int(Some(0.0), None));
const LOCKOUT_ENABLED: Prop = Prop::opt("lockoutEnabled", Shape::Bool);
const LOCKOUT_THRESHOLD: Prop = Prop::opt("lockoutThreshold", integral(1.0, 30.0));
const LOCKOUT_DURATION_SECONDS: Prop =
    Prop::opt("lockoutDurationSeconds", integral(30.0, 86_400.0));
const LOCKOUT_COUNTER_RESET_SECONDS: Prop =
    Prop::opt("lockoutCounterResetSeconds", integral(5.0, 3_600.0));
const ORGANIZATION_SLUG: Prop = Prop::opt(
    "organizationSlug",
    Shape::Str(StringRules {
        min: Some(1),
        max: Some(64),
        trim: true,
        rule: Some(Rule::OrganizationSlug),
        ..StringRules::NONE
    }),
);
const IDENTITY_ID: Prop = Prop::req("identityId", text());

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
    body: Shape,
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
const JWT_LOGIN: Shape = Shape::Obj(&[IDENTITY_ID, Prop::req("jwt", text()), ORGANIZATION_SLUG]);

// ---- alicloud ----
const ALICLOUD_ARNS: Shape = text_rule(Some(1), Some(500), Rule::AliCloudArns);

// ---- aws ----
const AWS_STS: Prop = Prop::opt("stsEndpoint", text_len(Some(1), None));
const AWS_ARNS: Prop = Prop::opt(
    "allowedPrincipalArns",
    text_rule(None, Some(4096), Rule::AwsPrincipalArns),
);
const AWS_ACCOUNTS: Prop = Prop::opt(
    "allowedAccountIds",
    text_rule(None, Some(4096), Rule::AwsAccountIds),
);

// ---- gcp ----
const GCP_TYPES: &[&str] = &["iam", "gce"];

// ---- jwt ----
const JWT_JWKS_ATTACH: &[Prop] = &[
    Prop::req("configurationType", text_enum(&["jwks"])),
    Prop::req("jwksUrl", text_format(None, Uri)),
    Prop::opt("jwksCaCert", text()),
    Prop::opt(
        "publicKeys",
        Shape::Arr {
            item: &text(),
            min_items: None,
        },
    ),
    Prop::opt("boundIssuer", text()),
    Prop::opt("boundAudiences", text()),
    Prop::req("boundClaims", Shape::StrMap),
    Prop::opt("boundSubject", text()),
    ACCESS_TOKEN_TRUSTED_IPS,
    ACCESS_TOKEN_TTL,
    ACCESS_TOKEN_MAX_TTL_FROM_0,
    ACCESS_TOKEN_NUM_USES_LIMIT,
];
const JWT_STATIC_ATTACH: &[Prop] = &[
    Prop::req("configurationType", text_enum(&["static"])),
    Prop::opt("jwksUrl", text()),
    Prop::opt("jwksCaCert", text()),
    Prop::req(
        "publicKeys",
        Shape::Arr {
            item: &text_len(Some(1), None),
            min_items: Some(1),
        },
    ),
    Prop::opt("boundIssuer", text()),
    Prop::opt("boundAudiences", text()),
    Prop::req("boundClaims", Shape::StrMap),
    Prop::opt("boundSubject", text()),
    ACCESS_TOKEN_TRUSTED_IPS,
    ACCESS_TOKEN_TTL,
    ACCESS_TOKEN_MAX_TTL_FROM_0,
    ACCESS_TOKEN_NUM_USES_LIMIT,
];
const JWT_JWKS_UPDATE: &[Prop] = &[
    Prop::req("configurationType", text_enum(&["jwks"])),
    Prop::req("jwksUrl", text_format(None, Uri)),
    Prop::opt("jwksCaCert", text()),
    Prop::opt(
        "publicKeys",
        Shape::Arr {
            item: &text(),
            min_items: None,
        },
    ),
    Prop::opt("boundIssuer", text()),
    Prop::opt("boundAudiences", text()),
    Prop::opt("boundClaims", Shape::StrMap),
    Prop::opt("boundSubject", text()),
    ACCESS_TOKEN_TRUSTED_IPS,
    ACCESS_TOKEN_TTL,
    ACCESS_TOKEN_MAX_TTL_FROM_0,
    ACCESS_TOKEN_NUM_USES_LIMIT,
];
const JWT_STATIC_UPDATE: &[Prop] = &[
    Prop::req("configurationType", text_enum(&["static"])),
    Prop::opt("jwksUrl", text()),
    Prop::opt("jwksCaCert", text()),
    Prop::req(
        "publicKeys",
        Shape::Arr {
            item: &text_len(Some(1), None),
            min_items: Some(1),
        },
    ),
    Prop::opt("boundIssuer", text()),
    Prop::opt("boundAudiences", text()),
    Prop::opt("boundClaims", Shape::StrMap),
    Prop::opt("boundSubject", text()),
    ACCESS_TOKEN_TRUSTED_IPS,
    ACCESS_TOKEN_TTL,
    ACCESS_TOKEN_MAX_TTL_FROM_0,
    ACCESS_TOKEN_NUM_USES_LIMIT,
];

// ---- kubernetes ----
const K8S_HOST: Shape = text_rule(Some(1), None, Rule::KubernetesHost);
const K8S_MODES: &[&str] = &["api", "gateway"];

// ---- ldap ----
const LDAP_FILTER: Prop = Prop::opt("searchFilter", text_rule(Some(1), None, Rule::LdapFilter));
const LDAP_FIELD: Shape = Shape::Obj(&[Prop::req("key", text()), Prop::req("value", text())]);
const LDAP_FIELDS: Prop = Prop::opt(
    "allowedFields",
    Shape::Arr {
        item: &LDAP_FIELD,
        min_items: None,
    },
);
const LDAP_TEMPLATE: &[Prop] = &[
    Prop::req("templateId", text()),
    LDAP_FILTER,
    LDAP_FIELDS,
    Prop::opt("ldapCaCertificate", text()),
    ACCESS_TOKEN_TRUSTED_IPS,
    ACCESS_TOKEN_TTL,
    ACCESS_TOKEN_MAX_TTL_FROM_1,
    ACCESS_TOKEN_NUM_USES_LIMIT,
    LOCKOUT_ENABLED,
    LOCKOUT_THRESHOLD,
    LOCKOUT_DURATION_SECONDS,
    LOCKOUT_COUNTER_RESET_SECONDS,
];
const LDAP_MANUAL: &[Prop] = &[
    Prop::req("url", text()),
    Prop::req("bindDN", text()),
    Prop::req("bindPass", text()),
    Prop::req("searchBase", text()),
    LDAP_FILTER,
    LDAP_FIELDS,
    Prop::opt("ldapCaCertificate", text()),
    ACCESS_TOKEN_TRUSTED_IPS,
    ACCESS_TOKEN_TTL,
    ACCESS_TOKEN_MAX_TTL_FROM_1,
    ACCESS_TOKEN_NUM_USES_LIMIT,
    LOCKOUT_ENABLED,
    LOCKOUT_THRESHOLD,
    LOCKOUT_DURATION_SECONDS,
    LOCKOUT_COUNTER_RESET_SECONDS,
];

// ---- oci ----
const OCI_TENANCY: Prop = Prop::req(
    "tenancyOcid",
    Shape::Str(StringRules {
        min: Some(1),
        trim: true,
        rule: Some(Rule::TenancyOcid),
        ..StringRules::NONE
    }),
);
const OCI_USERS: Prop = Prop::opt(
    "allowedUsernames",
    text_rule(None, Some(500), Rule::OciUsernames),
)
.nullable();

// ---- spiffe ----
const TRUST_BUNDLE_DISTRIBUTION: Shape = Shape::Tagged {
    tag: "profile",
    options: &[
        Variant {
            name: "static",
            props: &[
                Prop::req("profile", text_enum(&["static"])),
                Prop::req("bundle", text_len(Some(1), None)),
            ],
        },
        Variant {
            name: "https_web_bundle",
            props: &[
                Prop::req("profile", text_enum(&["https_web_bundle"])),
                Prop::req("endpointUrl", text_format(None, Uri)),
                Prop::opt("caCert", text()),
                Prop::opt("refreshHintSeconds", int(Some(0.0), None)),
            ],
        },
    ],
};

// ---- tls-cert ----
const TLS_CA: Shape = text_rule(Some(1), Some(10_240), Rule::CaCertificatePem);
const TLS_CNS: Prop = Prop::opt("allowedCommonNames", text_len(Some(1), None)).nullable();

/// Every operation, sorted by operation id (binary-searched by [`find`]).
pub(crate) static OPS: &[OpDef] = &[
    with_body(
        "attachAlicloudAuth",
        ID,
        Shape::Obj(&[
            Prop::req("allowedArns", ALICLOUD_ARNS),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_1,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        ATTACH,
    ),
    with_body(
        "attachAwsAuth",
        ID,
        Shape::Obj(&[
            AWS_STS,
            AWS_ARNS,
            AWS_ACCOUNTS,
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_1,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        ATTACH,
    ),
    with_body(
        "attachAzureAuth",
        ID,
        Shape::Obj(&[
            Prop::req("tenantId", text()),
            Prop::req("resource", text()),
            Prop::opt("allowedServicePrincipalIds", text()),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        ATTACH,
    ),
    with_body(
        "attachGcpAuth",
        ID,
        Shape::Obj(&[
            Prop::req("type", text_enum(GCP_TYPES)),
            Prop::opt("allowedServiceAccounts", text()),
            Prop::opt("allowedProjects", text()),
            Prop::opt("allowedZones", text()),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        ATTACH,
    ),
    // jwt: no TTL <= MaxTTL rule (Infisical's schema lacks it, docs/infisical-behaviour.md#common-fields).
    with_body(
        "attachJwtAuth",
        ID,
        Shape::Tagged {
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
        Shape::Obj(&[
            Prop::req("kubernetesHost", K8S_HOST).nullable(),
            Prop::opt("caCert", text()),
            Prop::opt("verifyTlsCertificate", Shape::Bool),
            Prop::opt("tokenReviewerJwt", text()),
            Prop::opt("tokenReviewMode", text_enum(K8S_MODES)),
            Prop::req("allowedNamespaces", text()),
            Prop::req("allowedNames", text()),
            Prop::req("allowedAudience", text()),
            Prop::opt("gatewayId", text_format(None, Uuid)).nullable(),
            Prop::opt("gatewayPoolId", text_format(None, Uuid)).nullable(),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        &[
            CrossRule::TtlWithinMaxOnAttach,
            CrossRule::KubernetesReviewModeOnAttach,
        ],
    ),
    with_body(
        "attachLdapAuth",
        ID,
        Shape::Untagged(&[
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
        Shape::Obj(&[
            OCI_TENANCY,
            OCI_USERS,
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_1,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        ATTACH,
    ),
    with_body(
        "attachOidcAuth",
        ID,
        Shape::Obj(&[
            Prop::req("oidcDiscoveryUrl", text_format(Some(1), Uri)),
            Prop::opt("caCert", text()),
            Prop::req("boundIssuer", text_len(Some(1), None)),
            Prop::opt("boundAudiences", text()),
            Prop::req("boundClaims", Shape::StrMap),
            Prop::opt("claimMetadataMapping", Shape::StrMap),
            Prop::opt("boundSubject", text()),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        ATTACH,
    ),
    with_body(
        "attachSpiffeAuth",
        ID,
        Shape::Obj(&[
            Prop::req("trustDomain", text_len(Some(1), None)),
            Prop::req("allowedSpiffeIds", text_len(Some(1), None)),
            Prop::req("allowedAudiences", text_len(Some(1), None)),
            Prop::req("trustBundleDistribution", TRUST_BUNDLE_DISTRIBUTION),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        ATTACH,
    ),
    with_body(
        "attachTlsCertAuth",
        ID,
        Shape::Obj(&[
            TLS_CNS,
            Prop::req("caCertificate", TLS_CA),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_1,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        ATTACH,
    ),
    with_body(
        "attachTokenAuth",
        ID,
        Shape::Obj(&[
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        ATTACH,
    ),
    with_body(
        "attachUniversalAuth",
        ID,
        Shape::Obj(&[
            CLIENT_SECRET_TRUSTED_IPS,
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            Prop::opt("accessTokenPeriod", int(Some(0.0), None)),
            LOCKOUT_ENABLED,
            LOCKOUT_THRESHOLD,
            LOCKOUT_DURATION_SECONDS,
            LOCKOUT_COUNTER_RESET_SECONDS,
        ]),
        ATTACH,
    ),
    path_only("clearLdapAuthLockouts", ID),
    path_only("clearUniversalAuthLockouts", ID),
    with_body(
        "createTokenAuthToken",
        ID,
        Shape::Obj(&[Prop::opt("name", text()), ORGANIZATION_SLUG]),
        &[],
    ),
    with_body(
        "createUniversalAuthClientSecret",
        ID,
        Shape::Obj(&[
            Prop::opt(
                "description",
                Shape::Str(StringRules {
                    trim: true,
                    ..StringRules::NONE
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
        Shape::Obj(&[
            IDENTITY_ID,
            Prop::req("Action", text_enum(&["GetCallerIdentity"])),
            Prop::req("Format", text_enum(&["JSON"])),
            Prop::req("Version", text()),
            Prop::req("AccessKeyId", text()),
            ORGANIZATION_SLUG,
            Prop::req("SignatureMethod", text_enum(&["HMAC-SHA1"])),
            Prop::req("Timestamp", text_format(None, DateTime)),
            Prop::req("SignatureVersion", text_enum(&["1.0"])),
            Prop::req("SignatureNonce", text()),
            Prop::req("Signature", text()),
        ]),
        &[],
    ),
    with_body(
        "loginWithAwsAuth",
        &[],
        Shape::Obj(&[
            IDENTITY_ID,
            Prop::opt("iamHttpRequestMethod", text()),
            Prop::req("iamRequestBody", text()),
            Prop::req("iamRequestHeaders", text()),
            ORGANIZATION_SLUG,
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
        Shape::Obj(&[
            Prop::req("identityId", text_format(None, Uuid)),
            Prop::req("username", text_len(Some(1), None)),
            Prop::req("password", text_len(Some(1), None)),
            ORGANIZATION_SLUG,
        ]),
        &[],
    ),
    with_body(
        "loginWithOciAuth",
        &[],
        Shape::Obj(&[
            IDENTITY_ID,
            Prop::req("userOcid", text()),
            Prop::req(
                "headers",
                Shape::Obj(&[
                    Prop::req("authorization", text()),
                    Prop::req("host", text()),
                    Prop::opt("x-date", text()),
                    Prop::opt("date", text()),
                ]),
            ),
            ORGANIZATION_SLUG,
        ]),
        &[],
    ),
    with_body("loginWithOidcAuth", &[], JWT_LOGIN, &[]),
    with_body("loginWithSpiffeAuth", &[], JWT_LOGIN, &[]),
    with_body(
        "loginWithTlsCertAuth",
        &[],
        Shape::Obj(&[IDENTITY_ID, ORGANIZATION_SLUG]),
        &[],
    ),
    with_body(
        "loginWithUniversalAuth",
        &[],
        Shape::Obj(&[
            Prop::req("clientId", text()),
            Prop::req("clientSecret", text()),
            ORGANIZATION_SLUG,
        ]),
        &[],
    ),
    path_only("refreshSpiffeBundle", ID),
    with_body(
        "renewIdentityAccessToken",
        &[],
        Shape::Obj(&[Prop::req("accessToken", text())]),
        &[],
    ),
    with_body(
        "revokeIdentityAccessToken",
        &[],
        Shape::Obj(&[Prop::req("accessToken", text())]),
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
        Shape::Obj(&[
            Prop::req("allowedArns", ALICLOUD_ARNS),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateAwsAuth",
        ID,
        Shape::Obj(&[
            AWS_STS,
            AWS_ARNS,
            AWS_ACCOUNTS,
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateAzureAuth",
        ID,
        Shape::Obj(&[
            Prop::opt("tenantId", text()),
            Prop::opt("resource", text()),
            Prop::opt("allowedServicePrincipalIds", text()),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateGcpAuth",
        ID,
        Shape::Obj(&[
            Prop::opt("type", text_enum(GCP_TYPES)),
            Prop::opt("allowedServiceAccounts", text()),
            Prop::opt("allowedProjects", text()),
            Prop::opt("allowedZones", text()),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateJwtAuth",
        ID,
        Shape::Tagged {
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
        Shape::Obj(&[
            Prop::opt("kubernetesHost", K8S_HOST).nullable(),
            Prop::opt("caCert", text()),
            Prop::opt("verifyTlsCertificate", Shape::Bool),
            Prop::opt("tokenReviewerJwt", text()).nullable(),
            Prop::opt("tokenReviewMode", text_enum(K8S_MODES)),
            Prop::opt("allowedNamespaces", text()),
            Prop::opt("allowedNames", text()),
            Prop::opt("allowedAudience", text()),
            Prop::opt("gatewayId", text_format(None, Uuid)).nullable(),
            Prop::opt("gatewayPoolId", text_format(None, Uuid)).nullable(),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
        ]),
        &[
            CrossRule::TtlWithinMaxOnUpdate,
            CrossRule::KubernetesReviewModeOnUpdate,
        ],
    ),
    with_body(
        "updateLdapAuth",
        ID,
        Shape::Obj(&[
            Prop::opt("url", text_len(Some(1), None)),
            Prop::opt("bindDN", text_len(Some(1), None)),
            Prop::opt("bindPass", text_len(Some(1), None)),
            Prop::opt("searchBase", text_len(Some(1), None)),
            Prop::opt("templateId", text()),
            LDAP_FILTER,
            LDAP_FIELDS,
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            LOCKOUT_ENABLED,
            LOCKOUT_THRESHOLD,
            LOCKOUT_DURATION_SECONDS,
            LOCKOUT_COUNTER_RESET_SECONDS,
        ]),
        UPDATE,
    ),
    with_body(
        "updateOciAuth",
        ID,
        Shape::Obj(&[
            OCI_TENANCY,
            OCI_USERS,
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateOidcAuth",
        ID,
        Shape::Obj(&[
            Prop::opt("oidcDiscoveryUrl", text_format(Some(1), Uri)),
            Prop::opt("caCert", text()),
            Prop::opt("boundIssuer", text_len(Some(1), None)),
            Prop::opt("boundAudiences", text()),
            Prop::opt("boundClaims", Shape::StrMap),
            Prop::opt("claimMetadataMapping", Shape::StrMap),
            Prop::opt("boundSubject", text()),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        UPDATE,
    ),
    with_body(
        "updateSpiffeAuth",
        ID,
        Shape::Obj(&[
            Prop::opt("trustDomain", text_len(Some(1), None)),
            Prop::opt("allowedSpiffeIds", text_len(Some(1), None)),
            Prop::opt("allowedAudiences", text_len(Some(1), None)),
            Prop::opt("trustBundleDistribution", TRUST_BUNDLE_DISTRIBUTION),
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            ACCESS_TOKEN_NUM_USES_LIMIT,
        ]),
        UPDATE,
    ),
    with_body(
        "updateTlsCertAuth",
        ID,
        Shape::Obj(&[
            Prop::opt("caCertificate", TLS_CA),
            TLS_CNS,
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateTokenAuth",
        ID,
        Shape::Obj(&[
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
        ]),
        UPDATE,
    ),
    with_body(
        "updateTokenAuthToken",
        &["tokenId"],
        Shape::Obj(&[Prop::opt("name", text())]),
        &[],
    ),
    with_body(
        "updateUniversalAuth",
        ID,
        Shape::Obj(&[
            CLIENT_SECRET_TRUSTED_IPS,
            ACCESS_TOKEN_TRUSTED_IPS,
            ACCESS_TOKEN_TTL,
            ACCESS_TOKEN_NUM_USES_LIMIT,
            ACCESS_TOKEN_MAX_TTL_FROM_0,
            Prop::opt("accessTokenPeriod", int(Some(0.0), Some(MAX_TTL))),
            LOCKOUT_ENABLED,
            LOCKOUT_THRESHOLD,
            LOCKOUT_DURATION_SECONDS,
            LOCKOUT_COUNTER_RESET_SECONDS,
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
