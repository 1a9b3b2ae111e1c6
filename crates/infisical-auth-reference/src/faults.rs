//! Faults on demand: rules that make the next matching requests answer 429 or a 5xx in
//! Infisical's error shape (with `Retry-After` when asked), wait before they are served, or have
//! their connection closed once the request has been read. Set through
//! `POST /_reference/faults`, `--fault` or [`TestServer`](crate::TestServer).
//!
//! A faulted request never reaches the API: it changes no state (a login answered 503 by a rule
//! counts no attempt, issues no token and burns no use). The check costs one atomic load while
//! no rule is set; the rules are bounded in number ([`MAX_RULES`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use infisical_auth_server::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The most rules held at once; a rule beyond it is refused.
pub const MAX_RULES: usize = 1000;
/// The longest delay a rule may ask for (5 minutes).
pub const MAX_DELAY_MS: u64 = 300_000;
/// The largest `Retry-After` a rule may ask for (1 day).
pub const MAX_RETRY_AFTER_SECONDS: u64 = 86_400;
/// The statuses a rule may answer with.
pub const STATUSES: [u16; 5] = [429, 500, 502, 503, 504];

/// A fault rule as it is asked for (`POST /_reference/faults`, `--fault`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// The operation it applies to (an operationId of the API); every operation when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// How many matching requests it applies to (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// The status to answer with: 429, 500, 502, 503 or 504.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The `Retry-After` header of that answer, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// How long to wait before answering (or, without `status` and `drop`, before serving the
    /// request as usual).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Close the connection once the request is read, without an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<bool>,
}

impl FaultRule {
    /// Answer the next request of `operation_id` with `status`.
    pub fn status(operation_id: &str, status: u16) -> FaultRule {
        FaultRule {
            operation_id: Some(operation_id.to_owned()),
            status: Some(status),
            ..FaultRule::default()
        }
    }

    /// Close the connection of the next request of `operation_id` once it is read.
    pub fn drop_connection(operation_id: &str) -> FaultRule {
        FaultRule {
            operation_id: Some(operation_id.to_owned()),
            drop: Some(true),
            ..FaultRule::default()
        }
    }

    /// Serve the next request of `operation_id` after `delay`.
    pub fn delay(operation_id: &str, delay: Duration) -> FaultRule {
        FaultRule {
            operation_id: Some(operation_id.to_owned()),
            delay_ms: Some(delay.as_millis().min(u128::from(u64::MAX)) as u64),
            ..FaultRule::default()
        }
    }

    /// The same rule for the next `times` matching requests.
    pub fn times(mut self, times: u64) -> FaultRule {
        self.times = Some(times);
        self
    }

    /// The same rule answering with `Retry-After: seconds`.
    pub fn retry_after(mut self, seconds: u64) -> FaultRule {
        self.retry_after_seconds = Some(seconds);
        self
    }

    /// Reads a rule from JSON, naming the field and the rule that a bad one breaks.
    pub fn from_json(value: Value) -> Result<FaultRule, String> {
        if !value.is_object() {
            return Err("a fault rule is a JSON object, e.g. {\"status\": 503}".into());
        }
        let rule: FaultRule =
            serde_path_to_error::deserialize(value).map_err(|e| match e.path().to_string() {
                path if path == "." => e.inner().to_string(),
                path => format!("{path}: {}", e.inner()),
            })?;
        rule.check()?;
        Ok(rule)
    }

    /// Reads a rule as the command line gives it: a JSON object, or `key=value` pairs separated
    /// by commas with the JSON names (`operationId=loginWithUniversalAuth,status=503,times=2`).
    pub fn parse(text: &str) -> Result<FaultRule, String> {
        let text = text.trim();
        if text.starts_with('{') {
            let value: Value =
                serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
            return FaultRule::from_json(value);
        }
        let mut object = serde_json::Map::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` is not key=value"))?;
            let (key, value) = (key.trim(), value.trim());
            let value = match key {
                "operationId" => Value::String(value.to_owned()),
                "drop" => match value {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => return Err(format!("drop: must be true or false, not `{value}`")),
                },
                _ => value
                    .parse::<u64>()
                    .map(Value::from)
                    .map_err(|_| format!("{key}: must be a whole number, not `{value}`"))?,
            };
            if object.insert(key.to_owned(), value).is_some() {
                return Err(format!("{key}: given twice"));
            }
        }
        FaultRule::from_json(Value::Object(object))
    }

    /// The rules a rule must keep, each error naming its field.
    fn check(&self) -> Result<(), String> {
        if let Some(operation) = &self.operation_id {
            if infisical_auth_server::types::operation(operation).is_none() {
                return Err(format!(
                    "operationId: `{operation}` is not an operation of the API (e.g. loginWithUniversalAuth, getUniversalAuth)"
                ));
            }
        }
        if self.times == Some(0) {
            return Err("times: must be at least 1".into());
        }
        if let Some(status) = self.status {
            if !STATUSES.contains(&status) {
                return Err(format!(
                    "status: must be one of 429, 500, 502, 503, 504, not {status}"
                ));
            }
        }
        if let Some(seconds) = self.retry_after_seconds {
            if self.status.is_none() {
                return Err("retryAfterSeconds: only goes with status".into());
            }
            if seconds > MAX_RETRY_AFTER_SECONDS {
                return Err(format!(
                    "retryAfterSeconds: must be at most {MAX_RETRY_AFTER_SECONDS}"
                ));
            }
        }
        if self.delay_ms.is_some_and(|ms| ms > MAX_DELAY_MS) {
            return Err(format!("delayMs: must be at most {MAX_DELAY_MS}"));
        }
        let drop = self.drop == Some(true);
        if drop && self.status.is_some() {
            return Err("drop: cannot go with status (a dropped connection has no answer)".into());
        }
        if !drop && self.status.is_none() && self.delay_ms.is_none() {
            return Err("a rule needs status, delayMs or drop: true".into());
        }
        Ok(())
    }
}

/// A rule as it is held: its id, what it does and how many more requests it applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultStatus {
    /// Its id, in the order rules were added.
    pub id: u64,
    /// The rule (with `times` as asked).
    #[serde(flatten)]
    pub rule: FaultRule,
    /// How many more matching requests it applies to.
    pub remaining: u64,
}

/// What a rule does to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Wait this long first.
    pub delay: Option<Duration>,
    /// Then answer this status (with `Retry-After` seconds)...
    pub status: Option<(u16, Option<u64>)>,
    /// ...or close the connection.
    pub drop: bool,
}

impl Fault {
    /// What the journal calls it: `status`, `drop` or `delay`.
    pub fn kind(&self) -> &'static str {
        if self.drop {
            "drop"
        } else if self.status.is_some() {
            "status"
        } else {
            "delay"
        }
    }

    /// The answer of a status rule, in Infisical's error shape, for request `request_id`.
    pub fn answer(status: u16, retry_after: Option<u64>, request_id: &str) -> Response {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        // Infisical's error names and messages for the statuses it answers itself (429 from
        // its rate limiter, 500, 504); a proxy's words for 502 and 503.
        let (error, message) = match status {
            429 => ("RateLimitExceeded", "Rate limit exceeded"),
            500 => ("InternalServerError", "Something went wrong"),
            502 => ("BadGateway", "Bad gateway"),
            504 => ("GatewayTimeoutError", "Timeout error"),
            _ => ("ServiceUnavailable", "Service unavailable"),
        };
        let mut response = ApiError::new(code, error, message).to_response(request_id);
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

struct Held {
    id: u64,
    rule: FaultRule,
    remaining: u64,
}

/// The rules of one server.
#[derive(Default)]
pub struct Faults {
    /// How many rules are held: the request path reads only this while it is 0.
    count: AtomicUsize,
    rules: Mutex<(u64, Vec<Held>)>,
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults")
            .field("rules", &self.count.load(Ordering::Relaxed))
            .finish()
    }
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, Vec<Held>)> {
        self.rules.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a rule already checked ([`FaultRule::from_json`]); its status, or why it cannot be
    /// held.
    pub fn add(&self, rule: FaultRule) -> Result<FaultStatus, String> {
        rule.check()?;
        let mut guard = self.lock();
        let (next, rules) = &mut *guard;
        if rules.len() >= MAX_RULES {
            return Err(format!(
                "at most {MAX_RULES} rules are held; clear them with DELETE /_reference/faults"
            ));
        }
        *next += 1;
        let held = Held {
            id: *next,
            remaining: rule.times.unwrap_or(1),
            rule,
        };
        let status = FaultStatus {
            id: held.id,
            rule: held.rule.clone(),
            remaining: held.remaining,
        };
        rules.push(held);
        self.count.store(rules.len(), Ordering::Release);
        Ok(status)
    }

    /// The rules held, oldest first, with their remaining counts.
    pub fn list(&self) -> Vec<FaultStatus> {
        self.lock()
            .1
            .iter()
            .map(|h| FaultStatus {
                id: h.id,
                rule: h.rule.clone(),
                remaining: h.remaining,
            })
            .collect()
    }

    /// Removes every rule; how many there were.
    pub fn clear(&self) -> usize {
        let mut guard = self.lock();
        let removed = guard.1.len();
        guard.1.clear();
        self.count.store(0, Ordering::Release);
        removed
    }

    /// Whether any rule is held (one atomic load).
    #[inline]
    pub fn any(&self) -> bool {
        self.count.load(Ordering::Acquire) > 0
    }

    /// The fault for a request of `operation_id`, if a rule applies to it: the oldest rule that
    /// matches, counted down (and removed at 0).
    pub fn take(&self, operation_id: &str) -> Option<Fault> {
        if !self.any() {
            return None;
        }
        let mut guard = self.lock();
        let rules = &mut guard.1;
        let at = rules.iter().position(|h| {
            h.rule
                .operation_id
                .as_deref()
                .is_none_or(|op| op == operation_id)
        })?;
        let held = &mut rules[at];
        let fault = Fault {
            delay: held.rule.delay_ms.map(Duration::from_millis),
            status: held.rule.status.map(|s| (s, held.rule.retry_after_seconds)),
            drop: held.rule.drop == Some(true),
        };
        held.remaining -= 1;
        if held.remaining == 0 {
            rules.remove(at);
            self.count.store(rules.len(), Ordering::Release);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_are_read_from_json_and_from_key_value_pairs_alike() {
        let from_json = FaultRule::from_json(json!({
            "operationId": "loginWithUniversalAuth", "times": 2, "status": 503,
            "retryAfterSeconds": 1
        }))
        .unwrap();
        let from_pairs = FaultRule::parse(
            "operationId=loginWithUniversalAuth, times=2,status=503,retryAfterSeconds=1",
        )
        .unwrap();
        assert_eq!(from_json, from_pairs);
        assert_eq!(
            FaultRule::parse(r#"{"drop": true}"#).unwrap().drop,
            Some(true)
        );
    }

    #[test]
    fn a_bad_rule_is_refused_naming_its_field_and_rule() {
        let refused = |value: Value| FaultRule::from_json(value).unwrap_err();
        assert!(refused(json!({"status": 404})).starts_with("status: must be one of"));
        assert!(refused(json!({"status": "503"})).starts_with("status: invalid type"));
        assert!(refused(json!({"operationId": "nope", "status": 503}))
            .starts_with("operationId: `nope` is not an operation"));
        // The server's own routes are no operations of the API: faults never apply to them.
        assert!(
            refused(json!({"operationId": "createIdentity", "status": 503}))
                .starts_with("operationId: `createIdentity` is not an operation")
        );
        assert!(FaultRule::from_json(
            json!({"operationId": "loginWithUniversalAuth", "status": 503})
        )
        .is_ok());
        assert!(refused(json!({"status": 503, "times": 0})).starts_with("times: must be at least"));
        assert!(refused(json!({"retryAfterSeconds": 1, "delayMs": 5}))
            .starts_with("retryAfterSeconds: only goes with status"));
        assert!(refused(json!({"status": 503, "drop": true})).starts_with("drop: cannot go"));
        assert!(refused(json!({"times": 3})).starts_with("a rule needs"));
        assert!(refused(json!({"delayMs": 300_001})).starts_with("delayMs: must be at most"));
        assert!(refused(json!({"status": 503, "extra": 1})).contains("unknown field `extra`"));
        assert!(FaultRule::parse("status")
            .unwrap_err()
            .contains("not key=value"));
        assert!(FaultRule::parse("status=x")
            .unwrap_err()
            .starts_with("status: must be a whole"));
    }

    #[test]
    fn the_oldest_matching_rule_applies_and_is_counted_down() {
        let faults = Faults::default();
        assert_eq!(faults.take("getUniversalAuth"), None);
        faults
            .add(FaultRule::status("getUniversalAuth", 503).times(2))
            .unwrap();
        faults
            .add(FaultRule {
                drop: Some(true),
                ..FaultRule::default()
            })
            .unwrap();
        assert_eq!(
            faults.take("loginWithUniversalAuth").unwrap().kind(),
            "drop"
        );
        assert_eq!(faults.list().len(), 1, "the drop rule was used up");
        let fault = faults.take("getUniversalAuth").unwrap();
        assert_eq!(fault.status, Some((503, None)));
        assert_eq!(faults.list()[0].remaining, 1);
        assert!(faults.take("getUniversalAuth").is_some());
        assert!(!faults.any());
        assert_eq!(faults.take("getUniversalAuth"), None);
    }

    #[test]
    fn a_listed_rule_reads_back_from_its_json() {
        let faults = Faults::default();
        let added = faults
            .add(
                FaultRule::status("getUniversalAuth", 429)
                    .retry_after(2)
                    .times(3),
            )
            .unwrap();
        let json = serde_json::to_value(&added).unwrap();
        assert_eq!(
            json,
            json!({"id": 1, "operationId": "getUniversalAuth", "times": 3, "status": 429,
                   "retryAfterSeconds": 2, "remaining": 3})
        );
        assert_eq!(serde_json::from_value::<FaultStatus>(json).unwrap(), added);
    }

    #[test]
    fn rules_are_bounded() {
        let faults = Faults::default();
        for _ in 0..MAX_RULES {
            faults
                .add(FaultRule::status("getUniversalAuth", 500))
                .unwrap();
        }
        assert!(faults
            .add(FaultRule::status("getUniversalAuth", 500))
            .unwrap_err()
            .starts_with("at most"));
        assert_eq!(faults.clear(), MAX_RULES);
        assert!(!faults.any());
    }
}
