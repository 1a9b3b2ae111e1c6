//! The reference server's in-memory state: identities, the auth-method configurations attached to
//! them (JSON, as stored), universal-auth client secrets and lockouts, and access tokens.
//!
//! Secrets are never kept in clear: client secrets and access tokens are stored as SHA-256
//! digests and only shown once, in the answer that creates them.

use std::any::Any;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{SecondsFormat, Utc};
use infisical_auth_validation::TrustedIpList;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use infisical_auth_server::ApiError;

/// The MaxTTL Infisical reports for periodic tokens.
pub const PERIODIC_MAX_TTL: f64 = 1_000_000_000.0;

/// Seconds since the Unix epoch.
pub fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The current time as Infisical writes it (`2026-01-01T00:00:00.000Z`).
pub fn now_iso() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A new secret: 64 hexadecimal digits from the operating system's random source.
pub fn new_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The digest under which a secret is stored.
pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Typed retrieve answers by operation id, kept until the identity's configurations change.
#[derive(Default)]
pub struct AnswerCache(pub HashMap<&'static str, Arc<dyn Any + Send + Sync>>);

impl std::fmt::Debug for AnswerCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// One machine identity.
#[derive(Debug, Default)]
pub struct Identity {
    /// Retrieve answers already built (cleared on every configuration change).
    pub answers: AnswerCache,
    /// Attached auth methods by key (e.g. `UniversalAuth`), each its stored configuration.
    pub configs: HashMap<String, Value>,
    /// Universal-auth client secrets, oldest first.
    pub secrets: Vec<ClientSecret>,
    /// Universal-auth login failures and lock.
    pub lockout: Option<Lockout>,
}

/// A universal-auth client secret (the secret itself is only a digest here).
#[derive(Debug, Clone)]
pub struct ClientSecret {
    /// Its id.
    pub id: String,
    /// SHA-256 of the secret.
    pub digest: [u8; 32],
    /// The first characters of the secret, shown in listings.
    pub prefix: String,
    /// The description given at creation.
    pub description: String,
    /// Creation time (ISO) and (seconds).
    pub created_at: String,
    /// Creation time in seconds since the epoch.
    pub created: f64,
    /// Last update (ISO).
    pub updated_at: String,
    /// Lifetime in seconds, 0 for none.
    pub ttl: f64,
    /// Logins made with it.
    pub uses: u64,
    /// Most logins allowed, 0 for unlimited.
    pub uses_limit: f64,
    /// Revoked secrets never log in again.
    pub revoked: bool,
}

impl ClientSecret {
    /// The secret's data as Infisical returns it (`clientSecretData`).
    pub fn data(&self, ua_id: &Value) -> Value {
        json!({
            "id": self.id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "description": self.description,
            "clientSecretPrefix": self.prefix,
            "clientSecretNumUses": self.uses,
            "clientSecretNumUsesLimit": self.uses_limit,
            "clientSecretTTL": self.ttl,
            "identityUAId": ua_id,
            "isClientSecretRevoked": self.revoked,
        })
    }
}

/// Login failures of one identity's universal auth.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lockout {
    /// Failures counted since the counter was last reset.
    pub failures: u32,
    /// When the latest failure happened.
    pub last_failure: f64,
    /// Until when logins are refused (0 when not locked).
    pub locked_until: f64,
}

/// An access token (identified by the digest of its text).
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// Its id (token-auth endpoints address tokens by id).
    pub id: String,
    /// The identity it authenticates.
    pub identity_id: String,
    /// `universal-auth` or `token-auth`.
    pub auth_method: &'static str,
    /// Creation time in seconds.
    pub created: f64,
    /// Creation time (ISO).
    pub created_at: String,
    /// Last update (ISO).
    pub updated_at: String,
    /// When it stops working, `None` for never.
    pub expires_at: Option<f64>,
    /// TTL in seconds.
    pub ttl: f64,
    /// Max TTL in seconds from creation, 0 for no cap.
    pub max_ttl: f64,
    /// Period in seconds, 0 for a non-periodic token.
    pub period: f64,
    /// Uses so far.
    pub uses: u64,
    /// Most uses allowed, 0 for unlimited.
    pub uses_limit: u64,
    /// Where it may be used from.
    pub trusted_ips: TrustedIpList,
    /// Revoked tokens never work again.
    pub revoked: bool,
    /// Last use (ISO).
    pub last_used_at: Option<String>,
    /// Last renewal (ISO).
    pub last_renewed_at: Option<String>,
    /// Its name (token auth).
    pub name: Option<String>,
    /// The client secret it was obtained with (universal auth).
    pub client_secret_id: Option<String>,
}

impl AccessToken {
    /// Issues a token for `identity_id` with the settings of an auth-method configuration.
    pub fn issue(
        identity_id: &str,
        auth_method: &'static str,
        config: &Value,
        now: f64,
    ) -> AccessToken {
        let num = |key: &str| {
            config
                .get(key)
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
                .max(0.0)
        };
        let ttl = num("accessTokenTTL");
        let max_ttl = num("accessTokenMaxTTL");
        let period = num("accessTokenPeriod");
        let expires_at = if period > 0.0 {
            Some(now + period)
        } else if ttl > 0.0 {
            let end = now + ttl;
            Some(if max_ttl > 0.0 {
                end.min(now + max_ttl)
            } else {
                end
            })
        } else {
            None
        };
        let now_iso = now_iso();
        AccessToken {
            id: uuid::Uuid::new_v4().to_string(),
            identity_id: identity_id.to_owned(),
            auth_method,
            created: now,
            created_at: now_iso.clone(),
            updated_at: now_iso,
            expires_at,
            ttl,
            max_ttl,
            period,
            uses: 0,
            uses_limit: num("accessTokenNumUsesLimit") as u64,
            trusted_ips: config
                .get("accessTokenTrustedIps")
                .and_then(TrustedIpList::from_json)
                .unwrap_or_default(),
            revoked: false,
            last_used_at: None,
            last_renewed_at: None,
            name: None,
            client_secret_id: None,
        }
    }

    /// `expiresIn` and `accessTokenMaxTTL` as a login or renew answers them.
    pub fn lifetimes(&self, now: f64) -> (f64, f64) {
        if self.period > 0.0 {
            return (self.period, PERIODIC_MAX_TTL);
        }
        let expires_in = self
            .expires_at
            .map(|t| (t - now).max(0.0).round())
            .unwrap_or(0.0);
        (expires_in, self.max_ttl)
    }

    /// The login answer `{accessToken, expiresIn, accessTokenMaxTTL, tokenType}`.
    pub fn login_answer(&self, token: &str, now: f64) -> Value {
        let (expires_in, max_ttl) = self.lifetimes(now);
        json!({"accessToken": token, "expiresIn": expires_in, "accessTokenMaxTTL": max_ttl, "tokenType": "Bearer"})
    }

    /// The token's data as token-auth endpoints return it (`tokenData`).
    pub fn data(&self) -> Value {
        json!({
            "id": self.id,
            "accessTokenTTL": self.ttl,
            "accessTokenMaxTTL": self.max_ttl,
            "accessTokenNumUses": self.uses,
            "accessTokenNumUsesLimit": self.uses_limit,
            "accessTokenLastUsedAt": self.last_used_at,
            "accessTokenLastRenewedAt": self.last_renewed_at,
            "isAccessTokenRevoked": self.revoked,
            "identityUAClientSecretId": self.client_secret_id,
            "identityId": self.identity_id,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "name": self.name,
            "authMethod": self.auth_method,
            "accessTokenPeriod": self.period,
            "subOrganizationId": Value::Null,
        })
    }

    /// Why the token cannot be used now, if it cannot (revoked, expired, used up).
    pub fn unusable(&self, now: f64) -> Option<ApiError> {
        if self.revoked {
            return Some(ApiError::unauthorized(
                "Failed to authorize revoked access token",
            ));
        }
        if self.expires_at.is_some_and(|t| t <= now) {
            return Some(ApiError::unauthorized("Access token has expired"));
        }
        if self.uses_limit > 0 && self.uses >= self.uses_limit {
            return Some(ApiError::unauthorized("Access token usage limit reached"));
        }
        None
    }

    /// Whether `client` is inside the token's trusted IPs (an unknown address never is).
    pub fn admits(&self, client: IpAddr) -> bool {
        !client.is_unspecified() && self.trusted_ips.allows(client)
    }
}

/// Everything the reference server holds.
#[derive(Debug, Default)]
pub struct State {
    /// Identities by id.
    pub identities: HashMap<String, Identity>,
    /// Universal-auth client ids to identity ids.
    pub client_ids: HashMap<String, String>,
    /// Access tokens by the digest of their text.
    pub tokens: HashMap<[u8; 32], AccessToken>,
    /// Token ids to the digest of their text.
    pub token_ids: HashMap<String, [u8; 32]>,
}

impl State {
    /// Keeps a new token and returns its text.
    pub fn add_token(&mut self, token: AccessToken) -> String {
        let text = new_secret();
        let key = digest(&text);
        self.token_ids.insert(token.id.clone(), key);
        self.tokens.insert(key, token);
        text
    }
}

/// Converts every trusted-IP list of a configuration body (`[{ipAddress}]`) to the stored form
/// `[{ipAddress, type, prefix?}]`; an invalid entry is Infisical's 400.
pub fn store_trusted_ips(config: &mut Map<String, Value>) -> Result<(), ApiError> {
    for key in ["accessTokenTrustedIps", "clientSecretTrustedIps"] {
        let Some(Value::Array(items)) = config.get(key) else {
            continue;
        };
        let mut texts = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match item.get("ipAddress").and_then(Value::as_str) {
                Some(text) => texts.push(text),
                None => {
                    return Err(ApiError::bad_request(
                        infisical_auth_validation::INVALID_IP_MESSAGE,
                    )
                    .with_details(json!({"path": [key, index, "ipAddress"]})))
                }
            }
        }
        let list = TrustedIpList::parse(texts.iter().copied()).map_err(|_| {
            let index = texts
                .iter()
                .position(|t| infisical_auth_validation::TrustedIp::parse(t.trim()).is_err())
                .unwrap_or(0);
            ApiError::bad_request(infisical_auth_validation::INVALID_IP_MESSAGE)
                .with_details(json!({"path": [key, index, "ipAddress"]}))
        })?;
        config.insert(key.to_owned(), list.to_stored_json());
    }
    Ok(())
}
