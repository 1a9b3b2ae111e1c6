//! Safe retries: which failures are tried again, for which operations, how long to wait.
//!
//! Each operation's [`RetryClass`] is in its row of [`OPERATIONS`](crate::OPERATIONS), generated
//! from the document: `GET` operations read, every other method is unrepeatable, except the
//! operations `openapi/codegen.toml` names under `[retry]`.
//!
//! | retry class | retried after | operations |
//! |---|---|---|
//! | [`RetryClass::Read`] | a connection failure, a connection closed after the request was sent, a timeout, 429, 502, 503, 504 | every `GET` |
//! | [`RetryClass::TokenLifecycle`] | the same: renewing or revoking twice has the effect of once | `renewIdentityAccessToken`, `revokeIdentityAccessToken` |
//! | [`RetryClass::Unrepeatable`] | only a connection that failed before anything was sent | logins (a replay can burn a use-limited client secret or count towards lockout), `createUniversalAuthClientSecret`, attaches, updates, deletes |
//!
//! Waits grow exponentially from [`RetryPolicy::initial_backoff`] up to
//! [`RetryPolicy::max_backoff`], with jitter (each wait is between half and all of the step), and
//! a `Retry-After` answer (seconds or an HTTP date) is honoured instead. No attempt starts when
//! it would end after [`RetryPolicy::deadline`], counted from the call.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

pub use infisical_auth_types::RetryClass;

/// When and how often calls are retried. On by default ([`RetryPolicy::default`]: 4 attempts,
/// 100 ms doubling up to 5 s, 30 s deadline); [`RetryPolicy::none`] sends each request once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1: no retry).
    pub max_attempts: u32,
    /// The wait before the first retry (before jitter).
    pub initial_backoff: Duration,
    /// The longest wait between two attempts, `Retry-After` included: an answer asking for a
    /// longer wait is returned as it is.
    pub max_backoff: Duration,
    /// No retry starts after this much time since the call.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            deadline: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Each request is sent once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before attempt `next` (2 for the first retry): exponential, with jitter.
    pub fn backoff(&self, next: u32) -> Duration {
        let step = self
            .initial_backoff
            .saturating_mul(1u32 << next.saturating_sub(2).min(20))
            .min(self.max_backoff);
        let half = step / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Whether an answer with this status is worth another attempt.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The wait a `Retry-After` header asks for: delay-seconds or an HTTP date (a date in the past is
/// no wait). `None` without the header or with a value that is neither.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn classes_follow_the_method_and_the_token_operations() {
        let class = |id: &str| crate::operation(id).expect(id).retry;
        assert_eq!(class("getUniversalAuth"), RetryClass::Read);
        assert_eq!(
            class("renewIdentityAccessToken"),
            RetryClass::TokenLifecycle
        );
        assert_eq!(
            class("revokeIdentityAccessToken"),
            RetryClass::TokenLifecycle
        );
        for id in [
            "loginWithUniversalAuth",
            "createUniversalAuthClientSecret",
            "attachUniversalAuth",
            "deleteUniversalAuth",
        ] {
            assert!(!class(id).repeatable(), "{id}");
        }
        // Every GET reads; nothing else does.
        for op in crate::OPERATIONS.iter() {
            assert_eq!(
                op.retry == RetryClass::Read,
                op.method == "GET",
                "{}",
                op.id
            );
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers, now), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(3));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(3)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(3));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&earlier).unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let first = policy.backoff(2);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = policy.backoff(3);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            let capped = policy.backoff(9);
            assert!(capped >= Duration::from_millis(175) && capped <= Duration::from_millis(350));
        }
    }
}
