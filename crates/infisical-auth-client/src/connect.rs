//! Building a [`Client`]: the base URL (Infisical Cloud US or EU, or a self-hosted server), the
//! bearer token sent with every request, the timeout and the retry policy.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};

use crate::retry::RetryPolicy;
use crate::Client;

/// Infisical Cloud, United States.
pub const US_CLOUD: &str = "https://us.infisical.com";
/// Infisical Cloud, Europe.
pub const EU_CLOUD: &str = "https://eu.infisical.com";

/// Where the Infisical API is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseUrl {
    /// `https://us.infisical.com`.
    Us,
    /// `https://eu.infisical.com`.
    Eu,
    /// A self-hosted server, e.g. `https://infisical.example.com` (no trailing `/api`).
    SelfHosted(String),
}

impl BaseUrl {
    /// The URL as text, without a trailing slash.
    pub fn as_str(&self) -> &str {
        match self {
            BaseUrl::Us => US_CLOUD,
            BaseUrl::Eu => EU_CLOUD,
            BaseUrl::SelfHosted(url) => url.trim_end_matches('/'),
        }
    }
}

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The self-hosted URL is not an absolute http(s) URL.
    #[error("base URL `{0}` must be an absolute http:// or https:// URL")]
    BaseUrl(String),
    /// The token contains characters not allowed in an HTTP header.
    #[error("the bearer token contains characters that cannot be sent in an HTTP header")]
    Token,
    /// reqwest could not build its client (e.g. TLS initialisation).
    #[error("could not build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// A client under construction; see [`Client::connect`].
#[derive(Clone)]
pub struct Connect {
    base_url: BaseUrl,
    token: Option<String>,
    timeout: Duration,
    retry: RetryPolicy,
    answer_limit: usize,
}

impl std::fmt::Debug for Connect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connect")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("answer_limit", &self.answer_limit)
            .finish()
    }
}

impl Client {
    /// Starts building a client for `base_url` (timeout 15 s, no token, default retries).
    pub fn connect(base_url: BaseUrl) -> Connect {
        Connect {
            base_url,
            token: None,
            timeout: Duration::from_secs(15),
            retry: RetryPolicy::default(),
            answer_limit: crate::ANSWER_LIMIT,
        }
    }
}

impl Connect {
    /// Sends `Authorization: Bearer <token>` with every request (an identity access token, or an
    /// admin token for the management operations). Login, renew and revoke need none.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The time limit of each request, connection included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// When calls are retried ([`RetryPolicy::default`] unless set; [`RetryPolicy::none`] sends
    /// each request once). See [`crate::retry`] for which operations are retried after what.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The largest answer the client reads, in bytes ([`crate::ANSWER_LIMIT`] unless set): a
    /// longer one is [`Error::AnswerTooLarge`](crate::Error::AnswerTooLarge), read no further
    /// than the bound.
    pub fn max_answer_bytes(mut self, limit: usize) -> Self {
        self.answer_limit = limit;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, ConnectError> {
        let base = self.base_url.as_str();
        if !(base.starts_with("http://") || base.starts_with("https://"))
            || base.len() <= "https://".len()
        {
            return Err(ConnectError::BaseUrl(base.to_string()));
        }
        let mut headers = HeaderMap::new();
        if let Some(token) = &self.token {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| ConnectError::Token)?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        crate::tls::ensure_crypto_provider();
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(self.timeout)
            .timeout(self.timeout)
            .build()?;
        let mut client = Client::new_with_client(base, http);
        client.runtime.retry = self.retry;
        client.runtime.answer_limit = Some(self.answer_limit);
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(BaseUrl::Us.as_str(), "https://us.infisical.com");
        assert_eq!(BaseUrl::Eu.as_str(), "https://eu.infisical.com");
        assert_eq!(
            BaseUrl::SelfHosted("http://127.0.0.1:8080/".into()).as_str(),
            "http://127.0.0.1:8080"
        );
        let err = Client::connect(BaseUrl::SelfHosted("infisical.local".into()))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("infisical.local"));
    }

    #[test]
    fn the_token_never_shows_in_debug() {
        let connect = Client::connect(BaseUrl::Us).bearer_token("st.very-secret");
        assert!(!format!("{connect:?}").contains("very-secret"));
        assert!(matches!(
            Client::connect(BaseUrl::Us).bearer_token("a\nb").build(),
            Err(ConnectError::Token)
        ));
    }
}
