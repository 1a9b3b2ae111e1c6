//! The reference server's in-memory state: identities, the auth-method configurations attached to
//! them (typed, see `methods`), universal-auth client secrets and lockouts, and access tokens.
//!
//! Secrets are never kept in clear: client secrets and access tokens are stored as SHA-256
//! digests and only shown once, in the answer that creates them.

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, SubsecRound, Utc};
use infisical_auth_validation::TrustedIpList;
use sha2::{Digest, Sha256};

use super::methods::{ip_list, Configs, Stored, TokenSettings, Universal};

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

/// The current time, to the millisecond as Infisical keeps times.
pub fn now_time() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// A new secret: 64 hexadecimal digits from a cryptographically secure generator (uuid's v4
/// generator: `rand`'s thread-local ChaCha, seeded by the operating system).
pub fn new_secret() -> String {
    let mut text = String::with_capacity(64);
    let mut buffer = uuid::Uuid::encode_buffer();
    text.push_str(uuid::Uuid::new_v4().simple().encode_lower(&mut buffer));
    text.push_str(uuid::Uuid::new_v4().simple().encode_lower(&mut buffer));
    text
}

/// The hash maps of the state: keyed by ids, digests and client ids, hashed with foldhash
/// (randomly seeded per map) rather than SipHash, several times cheaper for a 36-byte id.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The digest under which a secret is stored.
pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// One machine identity.
#[derive(Debug, Default)]
pub struct Identity {
    /// Its organization role, which decides what its access tokens may manage.
    pub role: crate::roles::Role,
    /// The auth methods attached to it, each its typed stored configuration.
    pub configs: Configs,
    /// Universal-auth client secrets, oldest first.
    pub secrets: Vec<ClientSecret>,
    /// Universal-auth login failures and lock.
    pub lockout: Option<Lockout>,
    /// The attached universal auth's login settings, derived from its configuration by the first
    /// login after an attach or update (a write only forgets them: a configuration changed many
    /// times between logins is read once, and writes stay cheap).
    pub universal_auth: Option<Arc<UniversalAuthSettings>>,
}

impl Identity {
    /// Forgets the universal-auth settings after its configuration changed (the next login reads
    /// them again).
    pub fn forget_universal_auth_settings(&mut self) {
        self.universal_auth = None;
    }

    /// The universal-auth login settings, read from the configuration if a write forgot them;
    /// `None` without universal auth.
    pub fn universal_auth_settings(
        &mut self,
        identity_id: &str,
    ) -> Option<Arc<UniversalAuthSettings>> {
        if self.universal_auth.is_none() {
            let config = self.configs.universal.as_deref()?;
            self.universal_auth = Some(Arc::new(UniversalAuthSettings::from_config(
                identity_id,
                config,
            )));
        }
        self.universal_auth.clone()
    }
}

/// A universal-auth client secret (the secret itself is only a digest here).
#[derive(Debug, Clone)]
pub struct ClientSecret {
    /// Its id (shared with the tokens obtained with it).
    pub id: Arc<str>,
    /// SHA-256 of the secret.
    pub digest: [u8; 32],
    /// The first characters of the secret, shown in listings.
    pub prefix: String,
    /// The description given at creation.
    pub description: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Creation time in seconds since the epoch.
    pub created: f64,
    /// Last update.
    pub updated_at: DateTime<Utc>,
    /// Lifetime in seconds, 0 for none.
    pub ttl: f64,
    /// Logins made with it.
    pub uses: u64,
    /// Most logins allowed, 0 for unlimited.
    pub uses_limit: f64,
    /// Revoked secrets never log in again.
    pub revoked: bool,
}

/// A client secret's data as Infisical returns it (`clientSecretData`), as the answer type `$ty`.
macro_rules! secret_data {
    ($ty:ident, $secret:expr, $ua_id:expr) => {{
        let s: &$crate::state::ClientSecret = $secret;
        infisical_auth_server::types::$ty {
            client_secret_num_uses: s.uses,
            client_secret_num_uses_limit: s.uses_limit as u64,
            client_secret_prefix: s.prefix.clone(),
            client_secret_ttl: s.ttl as u64,
            created_at: s.created_at,
            description: s.description.clone(),
            id: s.id.to_string(),
            identity_ua_id: $ua_id,
            is_client_secret_revoked: s.revoked,
            updated_at: s.updated_at,
        }
    }};
}
pub(crate) use secret_data;

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

/// What a universal-auth login needs of the stored configuration, read once per attach or update.
#[derive(Debug, Clone)]
pub struct UniversalAuthSettings {
    /// The identity's id, shared by the tokens its logins issue.
    pub identity_id: Arc<str>,
    /// Where logins may come from.
    pub client_secret_trusted_ips: TrustedIpList,
    /// Whether failures lock the method.
    pub lockout_enabled: bool,
    /// Failures that lock it.
    pub lockout_threshold: u32,
    /// Seconds after the latest failure at which the count is forgotten.
    pub lockout_counter_reset: f64,
    /// Seconds a lock lasts.
    pub lockout_duration: f64,
    /// The tokens its logins issue.
    pub tokens: Arc<TokenSettings>,
}

impl UniversalAuthSettings {
    /// The settings of a stored universal-auth configuration.
    pub fn from_config(identity_id: &str, config: &Universal) -> UniversalAuthSettings {
        UniversalAuthSettings {
            identity_id: identity_id.into(),
            client_secret_trusted_ips: ip_list(&config.client_secret_trusted_ips),
            lockout_enabled: config.lockout_enabled,
            lockout_threshold: config.lockout_threshold.max(1) as u32,
            lockout_counter_reset: config.lockout_counter_reset_seconds as f64,
            lockout_duration: config.lockout_duration_seconds as f64,
            tokens: config.tokens(),
        }
    }
}

/// An access token (identified by the digest of its text, under which [`Tokens`] keeps it).
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// Its id (token-auth endpoints address tokens by id).
    pub id: uuid::Uuid,
    /// The identity it authenticates.
    pub identity_id: Arc<str>,
    /// `universal-auth` or `token-auth`.
    pub auth_method: &'static str,
    /// Creation time in seconds.
    pub created: f64,
    /// Last update in seconds.
    pub updated: f64,
    /// When it stops working, `None` for never.
    pub expires_at: Option<f64>,
    /// Its TTL, max TTL (from creation), period, use limit and trusted IPs: those of the method
    /// when it was issued (shared, so that a login keeps a token in fewer bytes).
    pub settings: Arc<TokenSettings>,
    /// Uses so far.
    pub uses: u64,
    /// Revoked tokens never work again.
    pub revoked: bool,
    /// Last use in seconds.
    pub last_used: Option<f64>,
    /// Last renewal in seconds.
    pub last_renewed: Option<f64>,
    /// Its name (token auth).
    pub name: Option<Box<str>>,
    /// The client secret it was obtained with (universal auth).
    pub client_secret_id: Option<Arc<str>>,
}

impl AccessToken {
    /// Issues a token for `identity_id` with an auth method's token settings.
    pub fn issue(
        identity_id: Arc<str>,
        auth_method: &'static str,
        settings: &Arc<TokenSettings>,
        now: f64,
    ) -> AccessToken {
        let (ttl, max_ttl, period) = (settings.ttl, settings.max_ttl, settings.period);
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
        AccessToken {
            id: uuid::Uuid::new_v4(),
            identity_id,
            auth_method,
            created: now,
            updated: now,
            expires_at,
            settings: Arc::clone(settings),
            uses: 0,
            revoked: false,
            last_used: None,
            last_renewed: None,
            name: None,
            client_secret_id: None,
        }
    }

    /// `expiresIn` and `accessTokenMaxTTL` as a login or renew answers them.
    pub fn lifetimes(&self, now: f64) -> (f64, f64) {
        if self.settings.period > 0.0 {
            return (self.settings.period, PERIODIC_MAX_TTL);
        }
        let expires_in = self
            .expires_at
            .map(|t| (t - now).max(0.0).round())
            .unwrap_or(0.0);
        (expires_in, self.settings.max_ttl)
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
        if self.settings.uses_limit > 0 && self.uses >= self.settings.uses_limit {
            return Some(ApiError::unauthorized("Access token usage limit reached"));
        }
        None
    }

    /// Whether `client` is inside the token's trusted IPs (an unknown address never is).
    pub fn admits(&self, client: IpAddr) -> bool {
        !client.is_unspecified() && self.settings.trusted_ips.allows(client)
    }
}

/// Seconds since the epoch as a time of an answer, to the millisecond as Infisical keeps them.
pub fn time(secs: f64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis((secs * 1000.0) as i64).unwrap_or_default()
}

/// A token's data as token-auth endpoints return it (`tokenData`, `token`, `tokens[]`), as the
/// answer type `$ty`.
macro_rules! token_data {
    ($ty:ident, $token:expr) => {{
        let t: &$crate::state::AccessToken = $token;
        infisical_auth_server::types::$ty {
            access_token_last_renewed_at: t.last_renewed.map($crate::state::time),
            access_token_last_used_at: t.last_used.map($crate::state::time),
            access_token_max_ttl: t.settings.max_ttl as u64,
            access_token_num_uses: t.uses,
            access_token_num_uses_limit: t.settings.uses_limit,
            access_token_period: t.settings.period as u64,
            access_token_ttl: t.settings.ttl as u64,
            auth_method: t.auth_method.to_owned(),
            created_at: $crate::state::time(t.created),
            id: t.id.to_string(),
            identity_id: uuid::Uuid::parse_str(&t.identity_id).unwrap_or_default(),
            identity_ua_client_secret_id: t.client_secret_id.as_deref().map(str::to_owned),
            is_access_token_revoked: t.revoked,
            name: t.name.as_deref().map(str::to_owned),
            sub_organization_id: None,
            updated_at: $crate::state::time(t.updated),
        }
    }};
}
pub(crate) use token_data;

/// How long an expired token is still known (and answered "Access token has expired") before it
/// is removed.
pub const EXPIRED_TOKEN_GRACE_SECS: f64 = 0.25;

/// How many shards there are of the identities and client ids: an operation locks one, so
/// operations on different identities rarely wait for each other.
const SHARDS: usize = 64;

/// How many token shards there are (one per value of the digest's first byte): a login locks
/// one, so logins rarely wait for each other, and a shard's table grows by a 256th of the tokens
/// at a time, so that the login that makes it grow is not held up for long (tokens live 30 days
/// by default: a long login load holds hundreds of thousands).
const TOKEN_SHARDS: usize = 256;

/// The access tokens, by the digest of their text, in [`TOKEN_SHARDS`] independently locked
/// shards.
/// Expired tokens are removed [`EXPIRED_TOKEN_GRACE_SECS`] after their expiry, a few at a time by
/// each new token of their shard, so memory stays flat under a steady login load.
pub struct Tokens {
    shards: Box<[Mutex<Shard>]>,
    /// The shard the next insert sweeps besides its own, so that every shard is swept while
    /// tokens are issued, whichever shards they land in.
    cursor: AtomicUsize,
    /// Token-auth token ids to the digest of their text (universal-auth tokens are never
    /// addressed by id).
    ids: Mutex<HashMap<uuid::Uuid, [u8; 32]>>,
}

#[derive(Default)]
struct Shard {
    /// Boxed, so that the table moves 40 bytes per token when it grows, not the whole token.
    tokens: HashMap<[u8; 32], Box<AccessToken>>,
    /// The tokens that expire, by the [`EXPIRY_BUCKET_MS`] interval at whose end they have all
    /// expired; a renewed token is filed again under its new expiry and its old entry is skipped
    /// when reached.
    expiry: BTreeMap<u64, Vec<[u8; 32]>>,
}

/// The width of an expiry bucket, in milliseconds: a token is removed at most this much later
/// than [`EXPIRED_TOKEN_GRACE_SECS`] after its expiry.
const EXPIRY_BUCKET_MS: u64 = 100;

impl Shard {
    fn schedule(&mut self, key: [u8; 32], expires_at: Option<f64>) {
        if let Some(at) = expires_at {
            let bucket = millis(at).div_ceil(EXPIRY_BUCKET_MS);
            self.expiry.entry(bucket).or_default().push(key);
        }
    }

    /// Removes up to `budget` tokens expired for longer than the grace; the token-auth ids of
    /// those removed.
    fn sweep(&mut self, now: f64, budget: usize) -> Vec<uuid::Uuid> {
        // Compared in whole milliseconds, as scheduled: a bucket reached holds only tokens
        // expired by its end, each removed or stale (renewed and filed again), never left behind.
        let limit = millis(now - EXPIRED_TOKEN_GRACE_SECS);
        let mut removed = Vec::new();
        let mut budget = budget;
        while budget > 0 {
            let Some(mut bucket) = self.expiry.first_entry() else {
                break;
            };
            if bucket.key() * EXPIRY_BUCKET_MS > limit {
                break;
            }
            let Some(key) = bucket.get_mut().pop() else {
                bucket.remove();
                continue;
            };
            if bucket.get().is_empty() {
                bucket.remove();
            }
            budget -= 1;
            let expired = self
                .tokens
                .get(&key)
                .is_some_and(|t| t.expires_at.is_some_and(|at| millis(at) <= limit));
            if expired {
                if let Some(token) = self.tokens.remove(&key) {
                    if token.auth_method == "token-auth" {
                        removed.push(token.id);
                    }
                }
            }
        }
        removed
    }
}

/// Seconds since the epoch in whole milliseconds.
fn millis(secs: f64) -> u64 {
    (secs * 1000.0) as u64
}

impl Default for Tokens {
    fn default() -> Self {
        Tokens {
            shards: (0..TOKEN_SHARDS).map(|_| Mutex::default()).collect(),
            cursor: AtomicUsize::new(0),
            ids: Mutex::default(),
        }
    }
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens").field("len", &self.len()).finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Tokens {
    fn shard(&self, key: &[u8; 32]) -> MutexGuard<'_, Shard> {
        lock(&self.shards[usize::from(key[0]) % TOKEN_SHARDS])
    }

    /// Keeps a new token and returns its text (shown once, never stored).
    pub fn insert(&self, token: AccessToken, now: f64) -> String {
        let text = new_secret();
        let key = digest(&text);
        let id = (token.auth_method == "token-auth").then_some(token.id);
        let mut removed = {
            let mut shard = self.shard(&key);
            shard.schedule(key, token.expires_at);
            shard.tokens.insert(key, Box::new(token));
            shard.sweep(now, 4)
        };
        let next = self.cursor.fetch_add(1, Ordering::Relaxed) % TOKEN_SHARDS;
        removed.extend(lock(&self.shards[next]).sweep(now, 4));
        if id.is_some() || !removed.is_empty() {
            let mut ids = lock(&self.ids);
            for gone in removed {
                ids.remove(&gone);
            }
            if let Some(id) = id {
                ids.insert(id, key);
            }
        }
        text
    }

    /// Runs `f` on the token whose text is `text`, if this server issued it and still knows it.
    pub fn with_text<R>(&self, text: &str, f: impl FnOnce(&mut AccessToken) -> R) -> Option<R> {
        self.with_key(&digest(text), f)
    }

    /// Runs `f` on the token-auth token with id `id`.
    pub fn with_id<R>(&self, id: &str, f: impl FnOnce(&mut AccessToken) -> R) -> Option<R> {
        let id = uuid::Uuid::parse_str(id).ok()?;
        let key = lock(&self.ids).get(&id).copied()?;
        self.with_key(&key, f)
    }

    fn with_key<R>(&self, key: &[u8; 32], f: impl FnOnce(&mut AccessToken) -> R) -> Option<R> {
        let mut shard = self.shard(key);
        let token = shard.tokens.get_mut(key)?;
        let before = token.expires_at;
        let out = f(token);
        let after = token.expires_at;
        if after != before {
            shard.schedule(*key, after);
        }
        Some(out)
    }

    /// Every token of `identity_id` issued by `auth_method`, oldest first.
    pub fn of_identity(&self, identity_id: &str, auth_method: &str) -> Vec<AccessToken> {
        let mut tokens: Vec<AccessToken> = Vec::new();
        for shard in self.shards.iter() {
            tokens.extend(
                lock(shard)
                    .tokens
                    .values()
                    .filter(|t| &*t.identity_id == identity_id && t.auth_method == auth_method)
                    .map(|t| AccessToken::clone(t)),
            );
        }
        tokens.sort_by(|a, b| {
            a.created
                .total_cmp(&b.created)
                .then_with(|| a.id.cmp(&b.id))
        });
        tokens
    }

    /// Revokes every token of `identity_id`; how many were not revoked before.
    pub fn revoke_of_identity(&self, identity_id: &str, now: f64) -> usize {
        let mut revoked = 0;
        for shard in self.shards.iter() {
            for token in lock(shard).tokens.values_mut() {
                if &*token.identity_id == identity_id && !token.revoked {
                    token.revoked = true;
                    token.updated = now;
                    revoked += 1;
                }
            }
        }
        revoked
    }

    /// How many tokens are held.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).tokens.len()).sum()
    }
}

/// A map in [`SHARDS`] independently locked shards by a hash of its key, so that operations on
/// different identities rarely wait for each other.
pub struct Sharded<V> {
    shards: Box<[RwLock<HashMap<String, V>>]>,
    hasher: foldhash::fast::RandomState,
}

impl<V> Default for Sharded<V> {
    fn default() -> Self {
        Sharded {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            hasher: foldhash::fast::RandomState::default(),
        }
    }
}

impl<V> Sharded<V> {
    fn shard(&self, key: &str) -> &RwLock<HashMap<String, V>> {
        &self.shards[(self.hasher.hash_one(key) as usize) % SHARDS]
    }

    /// The shard holding `key`, to read.
    pub fn read(&self, key: &str) -> RwLockReadGuard<'_, HashMap<String, V>> {
        self.shard(key)
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The shard holding `key`, to change.
    pub fn write(&self, key: &str) -> RwLockWriteGuard<'_, HashMap<String, V>> {
        self.shard(key)
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().map_or(0, |s| s.len()))
            .sum()
    }
}

impl<V> std::fmt::Debug for Sharded<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sharded").field("len", &self.len()).finish()
    }
}

/// The identities and universal auth's client ids (tokens are apart, in [`Tokens`]).
#[derive(Debug, Default)]
pub struct State {
    /// Identities by id.
    pub identities: Sharded<Identity>,
    /// Universal-auth client ids to identity ids.
    pub client_ids: Sharded<Arc<str>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(now: f64, ttl: f64) -> AccessToken {
        let settings = TokenSettings {
            ttl,
            ..TokenSettings::default()
        };
        AccessToken::issue(
            "identity".into(),
            "universal-auth",
            &Arc::new(settings),
            now,
        )
    }

    #[test]
    fn expired_tokens_are_removed_as_new_ones_are_issued() {
        let tokens = Tokens::default();
        let now = now_secs();
        let expired: Vec<String> = (0..100)
            .map(|_| tokens.insert(token(now - 10.0, 5.0), now - 10.0))
            .collect();
        let lasting = tokens.insert(token(now, 3600.0), now);
        let forever = tokens.insert(token(now, 0.0), now);
        // Every insert sweeps its own shard and the next in turn: 30 rounds over the 256 shards
        // remove far more than the 100 expired tokens.
        for _ in 0..(30 * TOKEN_SHARDS) {
            tokens.insert(token(now, 1.0), now);
        }
        assert!(expired
            .iter()
            .all(|t| tokens.with_text(t, |_| ()).is_none()));
        assert!(tokens.with_text(&lasting, |_| ()).is_some());
        assert!(tokens.with_text(&forever, |_| ()).is_some());
        assert_eq!(tokens.len(), 2 + 30 * TOKEN_SHARDS);
    }

    #[test]
    fn a_steady_login_load_holds_only_the_tokens_of_the_last_seconds() {
        // 200,000 logins over 5 simulated seconds, tokens living 1 s: what is held is the last
        // second's tokens and those within the grace after it, not everything ever issued.
        let tokens = Tokens::default();
        let start = now_secs();
        let settings = Arc::new(TokenSettings {
            ttl: 1.0,
            max_ttl: 1.0,
            ..TokenSettings::default()
        });
        for i in 0..200_000u32 {
            let now = start + f64::from(i) / 40_000.0;
            tokens.insert(
                AccessToken::issue("identity".into(), "universal-auth", &settings, now),
                now,
            );
        }
        let held = tokens.len();
        assert!(held <= 85_000, "{held} tokens held");
    }

    #[test]
    fn a_renewed_token_is_kept_until_its_new_expiry() {
        let tokens = Tokens::default();
        let now = now_secs();
        let text = tokens.insert(token(now - 10.0, 5.0), now - 10.0);
        tokens.with_text(&text, |t| t.expires_at = Some(now + 3600.0));
        for _ in 0..(4 * TOKEN_SHARDS) {
            tokens.insert(token(now, 1.0), now);
        }
        assert!(tokens.with_text(&text, |_| ()).is_some());
    }
}
