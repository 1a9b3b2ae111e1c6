//! LDAP auth: the server binds to the directory as `bindDN`, searches `searchBase` with
//! `searchFilter` (its `{{username}}` replaced by the login's username, LDAP-escaped), binds as the
//! one entry found with the login's password, and holds the entry to `allowedFields`.
//!
//! The order and the messages are Infisical's (docs/infisical-behaviour.md, "Verified logins"):
//!
//! 1. the service bind, the search (exactly one entry) and the user's bind: any of them failing
//!    (wrong bind credentials, no such user, several users, wrong password, directory down or
//!    slow) is a 401 `LDAP authentication failed`; an empty password never binds (a directory
//!    would take it as an anonymous bind);
//! 2. each `allowedFields` entry `{key, value}`: the entry without attribute `key`: 401
//!    `Invalid request. Missing field <key> on user.`; no value of it among the comma-separated
//!    `value`: 401 `Invalid request. User field '<key>' does not match required fields.`
//!
//! Lockout counts failed logins per identity and username ([`Lockouts`]), as universal auth counts
//! them per client id. Only `ldap://` URLs are served; `ldaps://` answers 401 naming why.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry, SearchOptions};

use super::{LoginFailure, VerifiedIdentity};
use infisical_auth_server::types;

/// Infisical's default search filter.
pub const DEFAULT_SEARCH_FILTER: &str = "(uid={{username}})";

/// What LDAP auth checks, from its configuration. `Debug` redacts the bind password.
#[derive(Clone, PartialEq)]
pub struct LdapSettings {
    /// `ldap://host:port`.
    pub url: String,
    /// The DN the server binds as to search.
    pub bind_dn: String,
    /// That DN's password.
    pub bind_pass: String,
    /// Where the search for the user starts.
    pub search_base: String,
    /// An LDAP filter holding `{{username}}`.
    pub search_filter: String,
    /// `(attribute, comma list of accepted values)`.
    pub allowed_fields: Vec<(String, String)>,
}

impl std::fmt::Debug for LdapSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LdapSettings")
            .field("url", &self.url)
            .field("bind_dn", &self.bind_dn)
            .field("bind_pass", &"<redacted>")
            .field("search_base", &self.search_base)
            .field("search_filter", &self.search_filter)
            .field("allowed_fields", &self.allowed_fields)
            .finish()
    }
}

impl From<&types::GetLdapAuthResponseIdentityLdapAuth> for LdapSettings {
    fn from(stored: &types::GetLdapAuthResponseIdentityLdapAuth) -> Self {
        let allowed_fields = stored
            .allowed_fields
            .as_ref()
            .and_then(serde_json::Value::as_array)
            .map(|fields| {
                fields
                    .iter()
                    .filter_map(|field| {
                        Some((
                            field.get("key")?.as_str()?.to_owned(),
                            field.get("value")?.as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            url: stored.url.clone(),
            bind_dn: stored.bind_dn.clone(),
            bind_pass: stored.bind_pass.expose_secret().to_owned(),
            search_base: stored.search_base.clone(),
            search_filter: stored.search_filter.clone(),
            allowed_fields,
        }
    }
}

fn failed() -> LoginFailure {
    LoginFailure::unauthorized("LDAP authentication failed")
}

/// Verifies an LDAP-auth login against the directory (see the module documentation); every
/// directory operation is bounded by `timeout`.
pub async fn verify(
    settings: &LdapSettings,
    username: &str,
    password: &str,
    timeout: Duration,
) -> Result<VerifiedIdentity, LoginFailure> {
    if !settings.url.starts_with("ldap://") {
        return Err(LoginFailure::unauthorized(
            "LDAP auth over TLS (ldaps://) cannot be verified by this reference server: use an ldap:// URL",
        ));
    }
    if password.is_empty() || username.is_empty() {
        return Err(failed());
    }
    let outcome = tokio::time::timeout(
        timeout.saturating_mul(4),
        authenticate(settings, username, password, timeout),
    )
    .await;
    let entry = match outcome {
        Ok(Ok(entry)) => entry,
        Ok(Err(())) | Err(_) => return Err(failed()),
    };

    for (key, accepted) in &settings.allowed_fields {
        let values = entry
            .attrs
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, values)| values.as_slice())
            .unwrap_or_default();
        if values.iter().all(String::is_empty) {
            return Err(LoginFailure::unauthorized(format!(
                "Invalid request. Missing field {key} on user."
            )));
        }
        let accepted: Vec<&str> = accepted.split(',').collect();
        if !values
            .iter()
            .any(|value| accepted.contains(&value.as_str()))
        {
            return Err(LoginFailure::unauthorized(format!(
                "Invalid request. User field '{key}' does not match required fields."
            )));
        }
    }
    Ok(VerifiedIdentity::Ldap {
        dn: entry.dn,
        username: username.to_owned(),
    })
}

/// Service bind, search, user bind; `Err(())` for any failure (the caller answers one message).
async fn authenticate(
    settings: &LdapSettings,
    username: &str,
    password: &str,
    timeout: Duration,
) -> Result<SearchEntry, ()> {
    let connection = LdapConnSettings::new().set_conn_timeout(timeout);
    let (conn, mut ldap) = LdapConnAsync::with_settings(connection, &settings.url)
        .await
        .map_err(drop)?;
    let driver = tokio::spawn(async move {
        let _ = conn.drive().await;
    });
    let result = async {
        ldap.with_timeout(timeout)
            .simple_bind(&settings.bind_dn, &settings.bind_pass)
            .await
            .map_err(drop)?
            .success()
            .map_err(drop)?;
        let filter = settings
            .search_filter
            .replace("{{username}}", &ldap3::ldap_escape(username));
        let (entries, _) = ldap
            .with_timeout(timeout)
            .with_search_options(SearchOptions::new().sizelimit(2))
            .search(&settings.search_base, Scope::Subtree, &filter, vec!["*"])
            .await
            .map_err(drop)?
            .success()
            .map_err(drop)?;
        let [entry] = <[_; 1]>::try_from(entries).map_err(drop)?;
        let entry = SearchEntry::construct(entry);
        ldap.with_timeout(timeout)
            .simple_bind(&entry.dn, password)
            .await
            .map_err(drop)?
            .success()
            .map_err(drop)?;
        Ok(entry)
    }
    .await;
    let _ = ldap.with_timeout(timeout).unbind().await;
    driver.abort();
    result
}

/// The lockout settings of an LDAP configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LockoutPolicy {
    /// Whether failures lock at all.
    pub enabled: bool,
    /// Failures that lock.
    pub threshold: u32,
    /// How long a lock lasts.
    pub duration: Duration,
    /// A count is forgotten this long after its latest failure.
    pub counter_reset: Duration,
}

impl From<&types::GetLdapAuthResponseIdentityLdapAuth> for LockoutPolicy {
    fn from(stored: &types::GetLdapAuthResponseIdentityLdapAuth) -> Self {
        Self {
            enabled: stored.lockout_enabled,
            threshold: stored.lockout_threshold.max(1) as u32,
            duration: Duration::from_secs(stored.lockout_duration_seconds),
            counter_reset: Duration::from_secs(stored.lockout_counter_reset_seconds),
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Count {
    failures: u32,
    last_failure: Instant,
    locked_until: Option<Instant>,
}

/// Failed LDAP logins per identity and username (trimmed, lowercased): locked after
/// `threshold` failures within `counter_reset` of each other, for `duration`.
#[derive(Debug, Default)]
pub struct Lockouts {
    counts: Mutex<HashMap<(String, String), Count>>,
}

/// The answer to a login while its identity and username are locked.
pub const LOCKED: &str = "This identity auth method is temporarily locked, please try again later";

/// At most this many counts are kept; expired ones are dropped first.
const MAX_COUNTS: usize = 100_000;

impl Lockouts {
    fn key(identity_id: &str, username: &str) -> (String, String) {
        (identity_id.to_owned(), username.trim().to_lowercase())
    }

    /// Refuses the login when its identity and username are locked.
    pub fn check(
        &self,
        identity_id: &str,
        username: &str,
        policy: &LockoutPolicy,
    ) -> Result<(), LoginFailure> {
        if !policy.enabled {
            return Ok(());
        }
        let counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let locked = counts
            .get(&Self::key(identity_id, username))
            .and_then(|count| count.locked_until)
            .is_some_and(|until| until > Instant::now());
        if locked {
            return Err(LoginFailure::unauthorized(LOCKED));
        }
        Ok(())
    }

    /// Counts a failed login; the failure that reaches the threshold locks.
    pub fn failed(&self, identity_id: &str, username: &str, policy: &LockoutPolicy) {
        if !policy.enabled {
            return;
        }
        let now = Instant::now();
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() >= MAX_COUNTS {
            counts.retain(|_, count| {
                count.locked_until.is_some_and(|until| until > now)
                    || now.duration_since(count.last_failure) < Duration::from_secs(3600)
            });
        }
        let count = counts
            .entry(Self::key(identity_id, username))
            .or_insert(Count {
                failures: 0,
                last_failure: now,
                locked_until: None,
            });
        let lock_over = count.locked_until.is_some_and(|until| until <= now);
        if lock_over || now.duration_since(count.last_failure) > policy.counter_reset {
            count.failures = 0;
            count.locked_until = None;
        }
        count.failures += 1;
        count.last_failure = now;
        if count.failures >= policy.threshold {
            count.locked_until = Some(now + policy.duration);
            count.failures = 0;
        }
    }

    /// Forgets the count of a login that succeeded.
    pub fn succeeded(&self, identity_id: &str, username: &str) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.remove(&Self::key(identity_id, username));
    }

    /// Clears every count and lock of an identity, answering how many there were.
    pub fn clear(&self, identity_id: &str) -> usize {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let before = counts.len();
        counts.retain(|(identity, _), _| identity != identity_id);
        before - counts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_lock_at_the_threshold_per_username_and_clear() {
        let policy = LockoutPolicy {
            enabled: true,
            threshold: 2,
            duration: Duration::from_secs(60),
            counter_reset: Duration::from_secs(30),
        };
        let lockouts = Lockouts::default();
        lockouts.failed("id", "Alice", &policy);
        assert!(lockouts.check("id", "alice", &policy).is_ok());
        lockouts.failed("id", " alice ", &policy);
        assert_eq!(
            lockouts.check("id", "ALICE", &policy).unwrap_err().message,
            LOCKED
        );
        assert!(lockouts.check("id", "bob", &policy).is_ok());
        assert!(lockouts.check("other", "alice", &policy).is_ok());
        let disabled = LockoutPolicy {
            enabled: false,
            ..policy
        };
        assert!(lockouts.check("id", "alice", &disabled).is_ok());
        assert_eq!(lockouts.clear("id"), 1);
        assert!(lockouts.check("id", "alice", &policy).is_ok());

        lockouts.failed("id", "carol", &policy);
        lockouts.succeeded("id", "carol");
        lockouts.failed("id", "carol", &policy);
        assert!(
            lockouts.check("id", "carol", &policy).is_ok(),
            "a success resets"
        );
    }
}
