//! The stored configuration of each of the 13 auth methods, typed: each is kept as the generated
//! type of its retrieve answer (`IdentityAwsAuth`, ...; for most methods the one configuration type
//! the attach, update and delete answers share), built from the typed attach body, changed field by
//! field by the typed update body, and fitted to the answers that declare another shape by moving
//! its fields ([`Fit`]).
//!
//! Fields an answer requires but no body sets are answered as Infisical's schema defaults them, or
//! empty (docs/infisical-behaviour.md#where-this-project-differs).

use std::num::NonZeroU64;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use infisical_auth_server::{types, ApiError};
use infisical_auth_validation::{TrustedIp, TrustedIpList};
use serde_json::{json, Map, Value};

/// Stored universal-auth configuration.
pub type Universal = types::IdentityUniversalAuth;
/// Stored token-auth configuration.
pub type Token = types::IdentityTokenAuth;
/// Stored Alibaba Cloud configuration.
pub type Alicloud = types::IdentityAliCloudAuth;
/// Stored AWS configuration.
pub type Aws = types::IdentityAwsAuth;
/// Stored Azure configuration.
pub type Azure = types::IdentityAzureAuth;
/// Stored GCP configuration.
pub type Gcp = types::IdentityGcpAuth;
/// Stored JWT configuration.
pub type Jwt = types::IdentityJwtAuth;
/// Stored Kubernetes configuration.
pub type Kubernetes = types::IdentityKubernetesAuth;
/// Stored LDAP configuration.
pub type Ldap = types::GetLdapAuthResponseIdentityLdapAuth;
/// Stored OCI configuration.
pub type Oci = types::IdentityOciAuth;
/// Stored OIDC configuration.
pub type Oidc = types::IdentityOidcAuth;
/// Stored SPIFFE configuration.
pub type Spiffe = types::IdentitySpiffeAuth;
/// Stored TLS-certificate configuration.
pub type TlsCert = types::GetTlsCertAuthResponseIdentityTlsCertAuth;

/// The auth methods attached to one identity (each boxed: most identities have one or two).
#[derive(Debug, Default)]
pub struct Configs {
    /// Universal auth.
    pub universal: Option<Box<Universal>>,
    /// Token auth.
    pub token: Option<Box<Token>>,
    /// Alibaba Cloud auth.
    pub alicloud: Option<Box<Alicloud>>,
    /// AWS auth.
    pub aws: Option<Box<Aws>>,
    /// Azure auth.
    pub azure: Option<Box<Azure>>,
    /// GCP auth.
    pub gcp: Option<Box<Gcp>>,
    /// JWT auth.
    pub jwt: Option<Box<Jwt>>,
    /// Kubernetes auth.
    pub kubernetes: Option<Box<Kubernetes>>,
    /// LDAP auth.
    pub ldap: Option<Box<Ldap>>,
    /// OCI auth.
    pub oci: Option<Box<Oci>>,
    /// OIDC auth.
    pub oidc: Option<Box<Oidc>>,
    /// SPIFFE auth.
    pub spiffe: Option<Box<Spiffe>>,
    /// TLS-certificate auth.
    pub tls_cert: Option<Box<TlsCert>>,
}

/// What a new configuration gets besides its body.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    /// Its id.
    pub id: uuid::Uuid,
    /// The identity it is attached to.
    pub identity_id: uuid::Uuid,
    /// Creation time.
    pub now: DateTime<Utc>,
}

/// A typed update body, read: the effective TTL check's inputs and the change itself.
pub struct Patch<M> {
    /// `accessTokenTTL` if the body sets it.
    pub ttl: Option<f64>,
    /// `accessTokenMaxTTL` if the body sets it.
    pub max_ttl: Option<f64>,
    /// Applies the body to the stored configuration.
    pub apply: Box<dyn FnOnce(&mut M) + Send>,
}

/// One auth method's stored configuration.
pub trait Stored: Clone + Send + Sync + 'static {
    /// The method as Infisical's messages name it (`universal auth`).
    const WORDS: &'static str;
    /// Where an identity holds it.
    fn slot(configs: &Configs) -> &Option<Box<Self>>;
    /// Where an identity holds it, to change it.
    fn slot_mut(configs: &mut Configs) -> &mut Option<Box<Self>>;
    /// `accessTokenTTL`.
    fn ttl(&self) -> f64;
    /// `accessTokenMaxTTL`.
    fn max_ttl(&self) -> f64;
    /// Sets `updatedAt`.
    fn touch(&mut self, now: DateTime<Utc>);
    /// The settings of the access tokens its logins issue.
    fn tokens(&self) -> Arc<TokenSettings>;
}

macro_rules! stored {
    ($ty:ident, $slot:ident, $words:literal, period: $period:expr) => {
        impl Stored for $ty {
            const WORDS: &'static str = $words;
            fn slot(configs: &Configs) -> &Option<Box<Self>> {
                &configs.$slot
            }
            fn slot_mut(configs: &mut Configs) -> &mut Option<Box<Self>> {
                &mut configs.$slot
            }
            fn ttl(&self) -> f64 {
                self.access_token_ttl as f64
            }
            fn max_ttl(&self) -> f64 {
                self.access_token_max_ttl as f64
            }
            fn touch(&mut self, now: DateTime<Utc>) {
                self.updated_at = now;
            }
            #[allow(clippy::redundant_closure_call)]
            fn tokens(&self) -> Arc<TokenSettings> {
                Arc::new(TokenSettings {
                    ttl: self.access_token_ttl as f64,
                    max_ttl: self.access_token_max_ttl as f64,
                    period: ($period)(self) as f64,
                    uses_limit: self.access_token_num_uses_limit,
                    trusted_ips: ip_list(&self.access_token_trusted_ips),
                })
            }
        }
    };
}

stored!(Universal, universal, "universal auth", period: |s: &Universal| s.access_token_period);
stored!(Token, token, "token auth", period: |s: &Token| s.access_token_period);
stored!(Alicloud, alicloud, "alicloud auth", period: |_: &Alicloud| 0);
stored!(Aws, aws, "aws auth", period: |s: &Aws| s.access_token_period);
stored!(Azure, azure, "azure auth", period: |s: &Azure| s.access_token_period);
stored!(Gcp, gcp, "gcp auth", period: |s: &Gcp| s.access_token_period);
stored!(Jwt, jwt, "jwt auth", period: |s: &Jwt| s.access_token_period);
stored!(Kubernetes, kubernetes, "kubernetes auth", period: |_: &Kubernetes| 0);
stored!(Ldap, ldap, "ldap auth", period: |s: &Ldap| s.access_token_period);
stored!(Oci, oci, "oci auth", period: |s: &Oci| s.access_token_period);
stored!(Oidc, oidc, "oidc auth", period: |_: &Oidc| 0);
stored!(Spiffe, spiffe, "spiffe auth", period: |_: &Spiffe| 0);
stored!(TlsCert, tls_cert, "tls cert auth", period: |_: &TlsCert| 0);

/// A number of a request body as the answers write it: a whole number, never negative (the
/// validation layer has checked the request's bounds).
pub trait Num {
    /// The number as `u64`.
    fn num(self) -> u64;
}
impl Num for i64 {
    fn num(self) -> u64 {
        self.max(0) as u64
    }
}
impl Num for u64 {
    fn num(self) -> u64 {
        self
    }
}
impl Num for NonZeroU64 {
    fn num(self) -> u64 {
        self.get()
    }
}
impl Num for f64 {
    fn num(self) -> u64 {
        // Saturating: a negative or NaN value is 0.
        self as u64
    }
}

/// The list Infisical's message and details name for an access token's trusted IPs.
pub const ACCESS_TOKEN_IPS: &str = "accessTokenTrustedIps";
/// The same for universal auth's client-secret trusted IPs.
pub const CLIENT_SECRET_IPS: &str = "clientSecretTrustedIps";

/// Request trusted IPs (`[{ipAddress}]`) in their stored form `{ipAddress, type, prefix?}`; an
/// invalid entry is Infisical's 400 with its path (docs/infisical-behaviour.md#trusted-ips).
pub fn records<'a>(
    key: &'static str,
    texts: impl Iterator<Item = &'a str>,
) -> Result<Vec<types::TrustedIpRecord>, ApiError> {
    texts
        .enumerate()
        .map(|(index, text)| {
            TrustedIp::parse(text.trim())
                .map(|ip| record(&ip))
                .map_err(|_| {
                    ApiError::bad_request(infisical_auth_validation::INVALID_IP_MESSAGE)
                        .with_details(json!({"path": [key, index, "ipAddress"]}))
                })
        })
        .collect()
}

/// One trusted IP as Infisical stores it: the address as typed, the family, a block's prefix.
fn record(ip: &TrustedIp) -> types::TrustedIpRecord {
    let text = ip.as_str();
    let address = text.split_once('/').map_or(text, |(a, _)| a);
    types::TrustedIpRecord {
        ip_address: address.to_owned(),
        prefix: ip.prefix(),
        type_: Some(match ip.kind() {
            infisical_auth_validation::IpKind::Ipv4 => types::TrustedIpRecordType::Ipv4,
            infisical_auth_validation::IpKind::Ipv6 => types::TrustedIpRecordType::Ipv6,
        }),
    }
}

/// The stored records as a list to check callers against (an entry that does not parse, which
/// [`records`] never stores, is left out).
pub fn ip_list(records: &[types::TrustedIpRecord]) -> TrustedIpList {
    let entries = records
        .iter()
        .filter_map(|r| {
            let ip = r.ip_address.trim();
            match r.prefix {
                Some(prefix) if !ip.contains('/') => {
                    // `{ip}/{prefix}`, without the formatting machinery (once per list entry on
                    // every attach and update).
                    let mut block = String::with_capacity(ip.len() + 4);
                    block.push_str(ip);
                    block.push('/');
                    if prefix >= 100 {
                        block.push(char::from(b'0' + prefix / 100));
                    }
                    if prefix >= 10 {
                        block.push(char::from(b'0' + prefix / 10 % 10));
                    }
                    block.push(char::from(b'0' + prefix % 10));
                    TrustedIp::parse(&block)
                }
                _ => TrustedIp::parse(ip),
            }
            .ok()
        })
        .collect();
    TrustedIpList::new(entries)
}

/// `records` of an attach body's list.
macro_rules! ips {
    ($key:expr, $list:expr) => {
        records($key, $list.iter().map(|item| item.ip_address.as_str()))
    };
}

/// `records` of an update body's list: an empty (absent) list changes nothing.
macro_rules! patch_ips {
    ($key:expr, $list:expr) => {
        if $list.is_empty() {
            None
        } else {
            Some(ips!($key, $list)?)
        }
    };
}

/// Sets `slot` to `value` converted, if the update body has it.
fn set<T: Into<U>, U>(slot: &mut U, value: Option<T>) {
    if let Some(value) = value {
        *slot = value.into();
    }
}

/// Sets a number if the update body has it.
fn set_num(slot: &mut u64, value: Option<impl Num>) {
    if let Some(value) = value {
        *slot = value.num();
    }
}

/// Sets a nullable text if the update body has it (`null` included).
fn set_nullable<T: Into<S>, S>(slot: &mut Option<S>, value: Option<Option<T>>) {
    if let Some(value) = value {
        *slot = value.map(Into::into);
    }
}

/// A string map of a body as the answers write it (`any`).
fn object(map: std::collections::HashMap<String, String>) -> Value {
    Value::Object(
        map.into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect::<Map<_, _>>(),
    )
}

/// An optional string map: absent when empty, as the body leaves it out.
fn optional_object(map: std::collections::HashMap<String, String>) -> Option<Value> {
    (!map.is_empty()).then(|| object(map))
}

/// The access-token fields every update body has: TTL, max TTL, uses limit, trusted IPs.
macro_rules! patch_tokens {
    ($stored:ident, $b:ident, $ips:ident) => {
        set_num(&mut $stored.access_token_ttl, $b.access_token_ttl);
        set_num(&mut $stored.access_token_max_ttl, $b.access_token_max_ttl);
        set_num(
            &mut $stored.access_token_num_uses_limit,
            $b.access_token_num_uses_limit,
        );
        if let Some(ips) = $ips {
            $stored.access_token_trusted_ips = ips;
        }
    };
}

/// The TTL and max TTL an update body sets.
macro_rules! patch {
    ($b:ident, $apply:expr) => {
        Ok(Patch {
            ttl: $b.access_token_ttl.map(|n| n.num() as f64),
            max_ttl: $b.access_token_max_ttl.map(|n| n.num() as f64),
            apply: Box::new($apply),
        })
    };
}

/// Universal auth from its attach body (the client id is the identity's login name).
pub fn attach_universal(
    b: types::AttachUniversalAuthBody,
    m: Meta,
    client_id: String,
) -> Result<Universal, ApiError> {
    Ok(Universal {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_period: b.access_token_period.num(),
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        client_id,
        client_secret_trusted_ips: ips!(CLIENT_SECRET_IPS, b.client_secret_trusted_ips)?,
        created_at: m.now,
        id: m.id,
        identity_id: m.identity_id,
        lockout_counter_reset_seconds: b.lockout_counter_reset_seconds.num(),
        lockout_duration_seconds: b.lockout_duration_seconds.num(),
        lockout_enabled: b.lockout_enabled,
        lockout_threshold: b.lockout_threshold.num(),
        updated_at: m.now,
    })
}

/// Universal auth's update.
pub fn update_universal(b: types::UpdateUniversalAuthBody) -> Result<Patch<Universal>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    let secret_ips = patch_ips!(CLIENT_SECRET_IPS, b.client_secret_trusted_ips);
    patch!(b, move |s: &mut Universal| {
        patch_tokens!(s, b, ips);
        set_num(&mut s.access_token_period, b.access_token_period);
        if let Some(ips) = secret_ips {
            s.client_secret_trusted_ips = ips;
        }
        set_num(
            &mut s.lockout_counter_reset_seconds,
            b.lockout_counter_reset_seconds,
        );
        set_num(&mut s.lockout_duration_seconds, b.lockout_duration_seconds);
        set(&mut s.lockout_enabled, b.lockout_enabled);
        set_num(&mut s.lockout_threshold, b.lockout_threshold);
    })
}

/// Token auth from its attach body.
pub fn attach_token(b: types::AttachTokenAuthBody, m: Meta) -> Result<Token, ApiError> {
    Ok(Token {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_period: 0,
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        created_at: m.now,
        id: m.id,
        identity_id: m.identity_id,
        updated_at: m.now,
    })
}

/// Token auth's update.
pub fn update_token(b: types::UpdateTokenAuthBody) -> Result<Patch<Token>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut Token| {
        patch_tokens!(s, b, ips);
    })
}

/// Alibaba Cloud auth from its attach body (`type` is not set by any body: empty).
pub fn attach_alicloud(b: types::AttachAlicloudAuthBody, m: Meta) -> Result<Alicloud, ApiError> {
    Ok(Alicloud {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        allowed_arns: b.allowed_arns,
        created_at: m.now,
        id: m.id,
        identity_id: m.identity_id,
        type_: String::new(),
        updated_at: m.now,
    })
}

/// Alibaba Cloud auth's update.
pub fn update_alicloud(b: types::UpdateAlicloudAuthBody) -> Result<Patch<Alicloud>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut Alicloud| {
        patch_tokens!(s, b, ips);
        s.allowed_arns = b.allowed_arns;
    })
}

/// AWS auth from its attach body (`type` is not set by any body: empty).
pub fn attach_aws(b: types::AttachAwsAuthBody, m: Meta) -> Result<Aws, ApiError> {
    Ok(Aws {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_period: 0,
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        allowed_account_ids: b.allowed_account_ids,
        allowed_principal_arns: b.allowed_principal_arns,
        created_at: m.now,
        id: m.id,
        identity_id: m.identity_id,
        sts_endpoint: b.sts_endpoint,
        type_: String::new(),
        updated_at: m.now,
    })
}

/// AWS auth's update.
pub fn update_aws(b: types::UpdateAwsAuthBody) -> Result<Patch<Aws>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut Aws| {
        patch_tokens!(s, b, ips);
        set(&mut s.allowed_account_ids, b.allowed_account_ids);
        set(&mut s.allowed_principal_arns, b.allowed_principal_arns);
        set(&mut s.sts_endpoint, b.sts_endpoint);
    })
}

/// Azure auth from its attach body.
pub fn attach_azure(b: types::AttachAzureAuthBody, m: Meta) -> Result<Azure, ApiError> {
    Ok(Azure {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_period: 0,
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        allowed_service_principal_ids: b.allowed_service_principal_ids,
        created_at: m.now,
        id: m.id,
        identity_id: m.identity_id,
        resource: b.resource,
        tenant_id: b.tenant_id,
        updated_at: m.now,
    })
}

/// Azure auth's update.
pub fn update_azure(b: types::UpdateAzureAuthBody) -> Result<Patch<Azure>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut Azure| {
        patch_tokens!(s, b, ips);
        set(
            &mut s.allowed_service_principal_ids,
            b.allowed_service_principal_ids,
        );
        set(&mut s.resource, b.resource);
        set(&mut s.tenant_id, b.tenant_id);
    })
}

/// GCP auth from its attach body.
pub fn attach_gcp(b: types::AttachGcpAuthBody, m: Meta) -> Result<Gcp, ApiError> {
    Ok(Gcp {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_period: 0,
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        allowed_projects: Some(b.allowed_projects),
        allowed_service_accounts: Some(b.allowed_service_accounts),
        allowed_zones: Some(b.allowed_zones),
        created_at: m.now,
        id: m.id,
        identity_id: m.identity_id,
        type_: b.type_.to_string(),
        updated_at: m.now,
    })
}

/// GCP auth's update.
pub fn update_gcp(b: types::UpdateGcpAuthBody) -> Result<Patch<Gcp>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut Gcp| {
        patch_tokens!(s, b, ips);
        set_nullable(&mut s.allowed_projects, b.allowed_projects.map(Some));
        set_nullable(
            &mut s.allowed_service_accounts,
            b.allowed_service_accounts.map(Some),
        );
        set_nullable(&mut s.allowed_zones, b.allowed_zones.map(Some));
        set(&mut s.type_, b.type_.map(|t| t.to_string()));
    })
}

/// JWT auth from its attach body (JWKS or static keys; the fields of the other kind are empty).
pub fn attach_jwt(b: types::AttachJwtAuthBody, m: Meta) -> Result<Jwt, ApiError> {
    use types::AttachJwtAuthBody as B;
    let common = |ttl: i64, max_ttl: i64, uses: u64, ips, claims, audiences, issuer, subject| Jwt {
        access_token_max_ttl: max_ttl.num(),
        access_token_num_uses_limit: uses.num(),
        access_token_period: 0,
        access_token_trusted_ips: ips,
        access_token_ttl: ttl.num(),
        bound_audiences: audiences,
        bound_claims: Some(object(claims)),
        bound_issuer: issuer,
        bound_subject: subject,
        configuration_type: String::new(),
        created_at: m.now,
        id: m.id,
        identity_id: m.identity_id,
        jwks_ca_cert: String::new(),
        jwks_url: String::new(),
        public_keys: Vec::new(),
        updated_at: m.now,
    };
    Ok(match b {
        B::Jwks {
            access_token_max_ttl,
            access_token_num_uses_limit,
            access_token_trusted_ips,
            access_token_ttl,
            bound_audiences,
            bound_claims,
            bound_issuer,
            bound_subject,
            jwks_ca_cert,
            jwks_url,
            public_keys,
        } => Jwt {
            configuration_type: "jwks".into(),
            jwks_ca_cert,
            jwks_url,
            public_keys,
            ..common(
                access_token_ttl,
                access_token_max_ttl,
                access_token_num_uses_limit,
                ips!(ACCESS_TOKEN_IPS, access_token_trusted_ips)?,
                bound_claims,
                bound_audiences,
                bound_issuer,
                bound_subject,
            )
        },
        B::Static {
            access_token_max_ttl,
            access_token_num_uses_limit,
            access_token_trusted_ips,
            access_token_ttl,
            bound_audiences,
            bound_claims,
            bound_issuer,
            bound_subject,
            jwks_ca_cert,
            jwks_url,
            public_keys,
        } => Jwt {
            configuration_type: "static".into(),
            jwks_ca_cert,
            jwks_url,
            public_keys,
            ..common(
                access_token_ttl,
                access_token_max_ttl,
                access_token_num_uses_limit,
                ips!(ACCESS_TOKEN_IPS, access_token_trusted_ips)?,
                bound_claims,
                bound_audiences,
                bound_issuer,
                bound_subject,
            )
        },
    })
}

/// JWT auth's update: the kind is always named, with its required field.
pub fn update_jwt(b: types::UpdateJwtAuthBody) -> Result<Patch<Jwt>, ApiError> {
    use types::UpdateJwtAuthBody as B;
    match b {
        B::Jwks {
            access_token_max_ttl,
            access_token_num_uses_limit,
            access_token_trusted_ips,
            access_token_ttl,
            bound_audiences,
            bound_claims,
            bound_issuer,
            bound_subject,
            jwks_ca_cert,
            jwks_url,
            public_keys,
        } => {
            let ips = patch_ips!(ACCESS_TOKEN_IPS, access_token_trusted_ips);
            Ok(Patch {
                ttl: access_token_ttl.map(|n| n.num() as f64),
                max_ttl: access_token_max_ttl.map(|n| n.num() as f64),
                apply: Box::new(move |s: &mut Jwt| {
                    set_num(&mut s.access_token_ttl, access_token_ttl);
                    set_num(&mut s.access_token_max_ttl, access_token_max_ttl);
                    set_num(
                        &mut s.access_token_num_uses_limit,
                        access_token_num_uses_limit,
                    );
                    if let Some(ips) = ips {
                        s.access_token_trusted_ips = ips;
                    }
                    set(&mut s.bound_audiences, bound_audiences);
                    if !bound_claims.is_empty() {
                        s.bound_claims = Some(object(bound_claims));
                    }
                    set(&mut s.bound_issuer, bound_issuer);
                    set(&mut s.bound_subject, bound_subject);
                    s.configuration_type = "jwks".into();
                    set(&mut s.jwks_ca_cert, jwks_ca_cert);
                    s.jwks_url = jwks_url;
                    if !public_keys.is_empty() {
                        s.public_keys = public_keys;
                    }
                }),
            })
        }
        B::Static {
            access_token_max_ttl,
            access_token_num_uses_limit,
            access_token_trusted_ips,
            access_token_ttl,
            bound_audiences,
            bound_claims,
            bound_issuer,
            bound_subject,
            jwks_ca_cert,
            jwks_url,
            public_keys,
        } => {
            let ips = patch_ips!(ACCESS_TOKEN_IPS, access_token_trusted_ips);
            Ok(Patch {
                ttl: access_token_ttl.map(|n| n.num() as f64),
                max_ttl: access_token_max_ttl.map(|n| n.num() as f64),
                apply: Box::new(move |s: &mut Jwt| {
                    set_num(&mut s.access_token_ttl, access_token_ttl);
                    set_num(&mut s.access_token_max_ttl, access_token_max_ttl);
                    set_num(
                        &mut s.access_token_num_uses_limit,
                        access_token_num_uses_limit,
                    );
                    if let Some(ips) = ips {
                        s.access_token_trusted_ips = ips;
                    }
                    set(&mut s.bound_audiences, bound_audiences);
                    if !bound_claims.is_empty() {
                        s.bound_claims = Some(object(bound_claims));
                    }
                    set(&mut s.bound_issuer, bound_issuer);
                    set(&mut s.bound_subject, bound_subject);
                    s.configuration_type = "static".into();
                    set(&mut s.jwks_ca_cert, jwks_ca_cert);
                    set(&mut s.jwks_url, jwks_url);
                    s.public_keys = public_keys;
                }),
            })
        }
    }
}

/// Kubernetes auth from its attach body.
pub fn attach_kubernetes(
    b: types::AttachKubernetesAuthBody,
    m: Meta,
) -> Result<Kubernetes, ApiError> {
    Ok(Kubernetes {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        allowed_audience: b.allowed_audience,
        allowed_names: b.allowed_names,
        allowed_namespaces: b.allowed_namespaces,
        ca_cert: b.ca_cert.unwrap_or_default(),
        created_at: m.now,
        gateway_id: b.gateway_id,
        gateway_pool_id: b.gateway_pool_id,
        id: m.id,
        identity_id: m.identity_id,
        kubernetes_host: b.kubernetes_host,
        token_review_mode: b.token_review_mode.to_string(),
        token_reviewer_jwt: b.token_reviewer_jwt,
        updated_at: m.now,
        verify_tls_certificate: b.verify_tls_certificate.unwrap_or(false),
    })
}

/// Kubernetes auth's update.
pub fn update_kubernetes(
    b: types::UpdateKubernetesAuthBody,
) -> Result<Patch<Kubernetes>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut Kubernetes| {
        patch_tokens!(s, b, ips);
        set(&mut s.allowed_audience, b.allowed_audience);
        set(&mut s.allowed_names, b.allowed_names);
        set(&mut s.allowed_namespaces, b.allowed_namespaces);
        set(&mut s.ca_cert, b.ca_cert);
        set(&mut s.gateway_id, b.gateway_id);
        set(&mut s.gateway_pool_id, b.gateway_pool_id);
        set_nullable(&mut s.kubernetes_host, b.kubernetes_host);
        set(
            &mut s.token_review_mode,
            b.token_review_mode.map(|t| t.to_string()),
        );
        set_nullable(&mut s.token_reviewer_jwt, b.token_reviewer_jwt);
        set(&mut s.verify_tls_certificate, b.verify_tls_certificate);
    })
}

/// LDAP configuration templates: this server holds none, so naming one is a 404.
fn no_ldap_template(template_id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Failed to find LDAP configuration template with ID {template_id}: this reference server holds no templates"
    ))
}

/// LDAP `allowedFields` as the answers write them (absent when empty).
fn allowed_fields<'a>(fields: impl ExactSizeIterator<Item = (&'a str, &'a str)>) -> Option<Value> {
    (fields.len() > 0).then(|| {
        Value::Array(
            fields
                .map(|(key, value)| json!({"key": key, "value": value}))
                .collect(),
        )
    })
}

/// LDAP auth from its attach body (a template is a 404: this server holds none).
pub fn attach_ldap(b: types::AttachLdapAuthBody, m: Meta) -> Result<Ldap, ApiError> {
    let b = match b {
        types::AttachLdapAuthBody::Template { template_id, .. } => {
            return Err(no_ldap_template(&template_id))
        }
        types::AttachLdapAuthBody::Manual {
            access_token_max_ttl,
            access_token_num_uses_limit,
            access_token_trusted_ips,
            access_token_ttl,
            allowed_fields: fields,
            bind_dn,
            bind_pass,
            ldap_ca_certificate,
            lockout_counter_reset_seconds,
            lockout_duration_seconds,
            lockout_enabled,
            lockout_threshold,
            search_base,
            search_filter,
            url,
            ..
        } => Ldap {
            access_token_max_ttl: access_token_max_ttl.num(),
            access_token_num_uses_limit: access_token_num_uses_limit.num(),
            access_token_period: 0,
            access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, access_token_trusted_ips)?,
            access_token_ttl: access_token_ttl.num(),
            allowed_fields: allowed_fields(
                fields.iter().map(|f| (f.key.as_str(), f.value.as_str())),
            ),
            bind_dn,
            bind_pass,
            created_at: m.now,
            id: m.id,
            identity_id: m.identity_id,
            ldap_ca_certificate,
            lockout_counter_reset_seconds: lockout_counter_reset_seconds.num(),
            lockout_duration_seconds: lockout_duration_seconds.num(),
            lockout_enabled,
            lockout_threshold: lockout_threshold.num(),
            search_base,
            search_filter,
            template_id: None,
            updated_at: m.now,
            url,
        },
    };
    Ok(b)
}

/// LDAP auth's update (naming a template is a 404, before anything else is checked).
pub fn update_ldap(b: types::UpdateLdapAuthBody) -> Result<Patch<Ldap>, ApiError> {
    if let Some(template_id) = &b.template_id {
        return Err(no_ldap_template(template_id));
    }
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut Ldap| {
        patch_tokens!(s, b, ips);
        if let Some(fields) = allowed_fields(
            b.allowed_fields
                .iter()
                .map(|f| (f.key.as_str(), f.value.as_str())),
        ) {
            s.allowed_fields = Some(fields);
        }
        set(&mut s.bind_dn, b.bind_dn);
        set(&mut s.bind_pass, b.bind_pass);
        set_num(
            &mut s.lockout_counter_reset_seconds,
            b.lockout_counter_reset_seconds,
        );
        set_num(&mut s.lockout_duration_seconds, b.lockout_duration_seconds);
        set(&mut s.lockout_enabled, b.lockout_enabled);
        set_num(&mut s.lockout_threshold, b.lockout_threshold);
        set(&mut s.search_base, b.search_base);
        set(&mut s.search_filter, b.search_filter);
        set(&mut s.url, b.url);
    })
}

/// OCI auth from its attach body (`type` is not set by any body: empty).
pub fn attach_oci(b: types::AttachOciAuthBody, m: Meta) -> Result<Oci, ApiError> {
    Ok(Oci {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_period: 0,
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        allowed_usernames: b.allowed_usernames,
        created_at: m.now,
        id: m.id,
        identity_id: m.identity_id,
        tenancy_ocid: b.tenancy_ocid,
        type_: String::new(),
        updated_at: m.now,
    })
}

/// OCI auth's update.
pub fn update_oci(b: types::UpdateOciAuthBody) -> Result<Patch<Oci>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut Oci| {
        patch_tokens!(s, b, ips);
        set_nullable(&mut s.allowed_usernames, b.allowed_usernames);
        s.tenancy_ocid = b.tenancy_ocid;
    })
}

/// OIDC auth from its attach body.
pub fn attach_oidc(b: types::AttachOidcAuthBody, m: Meta) -> Result<Oidc, ApiError> {
    Ok(Oidc {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        bound_audiences: b.bound_audiences,
        bound_claims: Some(object(b.bound_claims)),
        bound_issuer: b.bound_issuer,
        bound_subject: Some(b.bound_subject),
        ca_cert: b.ca_cert,
        claim_metadata_mapping: optional_object(b.claim_metadata_mapping),
        created_at: m.now,
        id: m.id,
        identity_id: m.identity_id,
        oidc_discovery_url: b.oidc_discovery_url,
        updated_at: m.now,
    })
}

/// OIDC auth's update.
pub fn update_oidc(b: types::UpdateOidcAuthBody) -> Result<Patch<Oidc>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut Oidc| {
        patch_tokens!(s, b, ips);
        set(&mut s.bound_audiences, b.bound_audiences);
        if let Some(claims) = optional_object(b.bound_claims) {
            s.bound_claims = Some(claims);
        }
        set(&mut s.bound_issuer, b.bound_issuer);
        set_nullable(&mut s.bound_subject, b.bound_subject.map(Some));
        set(&mut s.ca_cert, b.ca_cert);
        if let Some(mapping) = optional_object(b.claim_metadata_mapping) {
            s.claim_metadata_mapping = Some(mapping);
        }
        set(&mut s.oidc_discovery_url, b.oidc_discovery_url);
    })
}

/// How a SPIFFE configuration gets its trust bundle, stored.
type Distribution = types::IdentitySpiffeAuthTrustBundleDistribution;

/// The stored form of a body's trust-bundle distribution (both bodies' types have one shape).
macro_rules! distribution {
    ($ty:ident, $value:expr, $hint:expr) => {
        match $value {
            types::$ty::Static { bundle } => Distribution::Static {
                bundle: bundle.into(),
            },
            types::$ty::HttpsWebBundle {
                ca_cert,
                endpoint_url,
                refresh_hint_seconds,
            } => Distribution::HttpsWebBundle {
                ca_cert: ca_cert.unwrap_or_default(),
                cached_bundle_last_refreshed_at: None,
                endpoint_url,
                #[allow(clippy::redundant_closure_call)]
                refresh_hint_seconds: ($hint)(refresh_hint_seconds),
            },
        }
    };
}

/// SPIFFE auth from its attach body.
pub fn attach_spiffe(b: types::AttachSpiffeAuthBody, m: Meta) -> Result<Spiffe, ApiError> {
    Ok(Spiffe {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        allowed_audiences: b.allowed_audiences,
        allowed_spiffe_ids: b.allowed_spiffe_ids,
        created_at: m.now,
        id: m.id,
        identity_id: m.identity_id,
        trust_bundle_distribution: distribution!(
            AttachSpiffeAuthBodyTrustBundleDistribution,
            b.trust_bundle_distribution,
            |hint: u64| hint.num()
        ),
        trust_domain: b.trust_domain,
        updated_at: m.now,
    })
}

/// SPIFFE auth's update (a distribution replaces the stored one whole).
pub fn update_spiffe(b: types::UpdateSpiffeAuthBody) -> Result<Patch<Spiffe>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut Spiffe| {
        patch_tokens!(s, b, ips);
        set(&mut s.allowed_audiences, b.allowed_audiences);
        set(&mut s.allowed_spiffe_ids, b.allowed_spiffe_ids);
        if let Some(d) = b.trust_bundle_distribution {
            s.trust_bundle_distribution = distribution!(
                UpdateSpiffeAuthBodyTrustBundleDistribution,
                d,
                |hint: Option<u64>| hint.map_or(0, Num::num)
            );
        }
        set(&mut s.trust_domain, b.trust_domain);
    })
}

/// Marks a web-bundle distribution refreshed now (a static bundle has nothing to refresh).
pub fn refresh_bundle(s: &mut Spiffe, now: DateTime<Utc>) {
    if let Distribution::HttpsWebBundle {
        cached_bundle_last_refreshed_at,
        ..
    } = &mut s.trust_bundle_distribution
    {
        *cached_bundle_last_refreshed_at = Some(now);
    }
    s.updated_at = now;
}

/// TLS-certificate auth from its attach body.
pub fn attach_tls_cert(b: types::AttachTlsCertAuthBody, m: Meta) -> Result<TlsCert, ApiError> {
    Ok(TlsCert {
        access_token_max_ttl: b.access_token_max_ttl.num(),
        access_token_num_uses_limit: b.access_token_num_uses_limit.num(),
        access_token_trusted_ips: ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips)?,
        access_token_ttl: b.access_token_ttl.num(),
        allowed_common_names: b.allowed_common_names,
        ca_certificate: b.ca_certificate,
        created_at: m.now,
        encrypted_ca_certificate: Value::Null,
        id: m.id,
        identity_id: m.identity_id,
        updated_at: m.now,
    })
}

/// TLS-certificate auth's update.
pub fn update_tls_cert(b: types::UpdateTlsCertAuthBody) -> Result<Patch<TlsCert>, ApiError> {
    let ips = patch_ips!(ACCESS_TOKEN_IPS, b.access_token_trusted_ips);
    patch!(b, move |s: &mut TlsCert| {
        patch_tokens!(s, b, ips);
        set_nullable(&mut s.allowed_common_names, b.allowed_common_names);
        set(&mut s.ca_certificate, b.ca_certificate);
    })
}

/// A stored value fitted to the type an answer declares for it.
pub trait Fit<T> {
    /// The value as the answer's type.
    fn fit(&self) -> T;
}

impl<T: Clone> Fit<T> for T {
    fn fit(&self) -> T {
        self.clone()
    }
}

/// The LDAP template id: the attach, update and delete answers declare it a UUID.
impl Fit<Option<uuid::Uuid>> for Option<String> {
    fn fit(&self) -> Option<uuid::Uuid> {
        self.as_deref()
            .and_then(|id| uuid::Uuid::parse_str(id).ok())
    }
}

/// Each answer's configuration type from the stored one, field by field (the fields it lists).
macro_rules! answers {
    ($stored:ident => $($dst:ident { $($f:ident),* $(,)? })+) => {$(
        impl Fit<types::$dst> for $stored {
            fn fit(&self) -> types::$dst {
                types::$dst { $($f: Fit::fit(&self.$f),)* }
            }
        }
    )+};
}

answers!(Jwt =>
    DeleteJwtAuthResponseIdentityJwtAuth { access_token_max_ttl, access_token_num_uses_limit, access_token_period, access_token_trusted_ips, access_token_ttl, bound_audiences, bound_claims, bound_issuer, bound_subject, configuration_type, created_at, id, identity_id, jwks_url, updated_at }
);
answers!(Kubernetes =>
    DeleteKubernetesAuthResponseIdentityKubernetesAuth { access_token_max_ttl, access_token_num_uses_limit, access_token_trusted_ips, access_token_ttl, allowed_audience, allowed_names, allowed_namespaces, created_at, gateway_id, gateway_pool_id, id, identity_id, kubernetes_host, token_review_mode, updated_at, verify_tls_certificate }
);
answers!(Ldap =>
    IdentityLdapAuth { access_token_max_ttl, access_token_num_uses_limit, access_token_period, access_token_trusted_ips, access_token_ttl, allowed_fields, created_at, id, identity_id, lockout_counter_reset_seconds, lockout_duration_seconds, lockout_enabled, lockout_threshold, search_base, search_filter, template_id, updated_at, url }
);
answers!(Oidc =>
    DeleteOidcAuthResponseIdentityOidcAuth { access_token_max_ttl, access_token_num_uses_limit, access_token_trusted_ips, access_token_ttl, bound_audiences, bound_claims, bound_issuer, bound_subject, claim_metadata_mapping, created_at, id, identity_id, oidc_discovery_url, updated_at }
);
answers!(TlsCert =>
    IdentityTlsCertAuth { access_token_max_ttl, access_token_num_uses_limit, access_token_trusted_ips, access_token_ttl, allowed_common_names, created_at, encrypted_ca_certificate, id, identity_id, updated_at }
);

/// The token settings of an auth-method configuration, read once when it is attached or updated
/// (not on every login), and shared by every token issued with them.
#[derive(Debug, Clone, Default)]
pub struct TokenSettings {
    /// `accessTokenTTL` in seconds.
    pub ttl: f64,
    /// `accessTokenMaxTTL` in seconds, 0 for no cap.
    pub max_ttl: f64,
    /// `accessTokenPeriod` in seconds, 0 for a non-periodic token.
    pub period: f64,
    /// `accessTokenNumUsesLimit`, 0 for unlimited.
    pub uses_limit: u64,
    /// `accessTokenTrustedIps`.
    pub trusted_ips: TrustedIpList,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_records_become_the_blocks_they_describe() {
        let record = |ip: &str, prefix: Option<u8>| types::TrustedIpRecord {
            ip_address: ip.to_owned(),
            prefix,
            type_: None,
        };
        let list = ip_list(&[
            record("10.0.0.0", Some(8)),
            record("0.0.0.0", Some(0)),
            record("::", Some(128)),
            record("192.168.1.1", None),
            record("10.1.0.0/16", Some(24)),
        ]);
        let blocks: Vec<&str> = list.entries().iter().map(TrustedIp::as_str).collect();
        assert_eq!(
            blocks,
            [
                "10.0.0.0/8",
                "0.0.0.0/0",
                "::/128",
                "192.168.1.1",
                "10.1.0.0/16"
            ]
        );
    }

    #[test]
    fn trusted_ips_are_stored_with_family_and_prefix_and_read_back() {
        let stored = records(ACCESS_TOKEN_IPS, [" 10.1.2.3/8", "::1"].into_iter()).unwrap();
        assert_eq!(stored[0].ip_address, "10.1.2.3");
        assert_eq!(stored[0].prefix, Some(8));
        assert_eq!(stored[0].type_, Some(types::TrustedIpRecordType::Ipv4));
        assert_eq!(stored[1].prefix, None);
        assert_eq!(stored[1].type_, Some(types::TrustedIpRecordType::Ipv6));
        let list = ip_list(&stored);
        assert!(list.allows("10.200.0.1".parse().unwrap()));
        assert!(list.allows("::1".parse().unwrap()));
        assert!(!list.allows("11.0.0.1".parse().unwrap()));
    }

    #[test]
    fn an_invalid_entry_is_a_400_naming_its_list_and_index() {
        let error = records(CLIENT_SECRET_IPS, ["10.0.0.1", "1.2.3.4/33"].into_iter()).unwrap_err();
        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(
            error.details(),
            Some(&json!({"path": [CLIENT_SECRET_IPS, 1, "ipAddress"]}))
        );
    }

    #[test]
    fn an_update_changes_only_what_it_names() {
        let meta = Meta {
            id: uuid::Uuid::new_v4(),
            identity_id: uuid::Uuid::new_v4(),
            now: Utc::now(),
        };
        let mut stored = attach_aws(
            serde_json::from_value(json!({"allowedAccountIds": "1", "accessTokenTTL": 60}))
                .unwrap(),
            meta,
        )
        .unwrap();
        let patch =
            update_aws(serde_json::from_value(json!({"stsEndpoint": "https://x/"})).unwrap())
                .unwrap();
        assert_eq!((patch.ttl, patch.max_ttl), (None, None));
        (patch.apply)(&mut stored);
        assert_eq!(stored.sts_endpoint, "https://x/");
        assert_eq!(stored.allowed_account_ids, "1");
        assert_eq!(stored.access_token_ttl, 60);
        let answer: types::IdentityAwsAuth = stored.fit();
        assert_eq!(answer.sts_endpoint, "https://x/");
        assert_eq!(answer.id, meta.id);
    }
}
