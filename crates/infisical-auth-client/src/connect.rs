//! Building a [`Client`]: the base URL (Infisical Cloud US or EU, or a self-hosted server), the
//! bearer token sent with every request, the timeout and the retry policy.

use std::time::Duration;

use reqwest::header::HeaderValue;

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
///
/// New reasons may come in a minor release: a `match` needs a `_` arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The self-hosted URL is not an absolute http(s) URL.
    #[error("base URL `{0}` must be an absolute http:// or https:// URL")]
    BaseUrl(String),
    /// The token contains characters not allowed in an HTTP header.
    #[error("the bearer token contains characters that cannot be sent in an HTTP header")]
    Token,
    /// A root certificate given to [`Connect::root_certificate_pem`] is not PEM holding at
    /// least one certificate.
    #[error("root certificate {index}: {reason}")]
    Certificate {
        /// Which of the root certificates given, counting from 1.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Two settings that cannot go together: a `reqwest::Client` of the user's is built, so
    /// root certificates belong in its own builder.
    #[error("{0}")]
    Conflict(&'static str),
    /// reqwest could not build its client (e.g. TLS initialisation).
    #[error("could not build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// The time limit of each request unless [`Connect::timeout`] sets another.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// A client under construction; see [`Client::connect`].
#[derive(Clone)]
pub struct Connect {
    base_url: BaseUrl,
    token: Option<String>,
    timeout: Duration,
    retry: RetryPolicy,
    answer_limit: usize,
    /// PEM, as given: parsed by [`Connect::build`], which names the one that is not a
    /// certificate.
    root_certificates: Vec<Vec<u8>>,
    http: Option<reqwest::Client>,
}

impl std::fmt::Debug for Connect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connect")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("answer_limit", &self.answer_limit)
            .field("root_certificates", &self.root_certificates.len())
            .field("http_client", &self.http.as_ref().map(|_| "<given>"))
            .finish()
    }
}

impl Client {
    /// Starts building a client for `base_url` (timeout 15 s, no token, default retries, the
    /// platform's root certificates).
    pub fn connect(base_url: BaseUrl) -> Connect {
        Connect {
            base_url,
            token: None,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            answer_limit: crate::ANSWER_LIMIT,
            root_certificates: Vec::new(),
            http: None,
        }
    }

    /// This client with another time limit for each request, connection included: a cheap
    /// copy sharing the connection pool, the token (or the session) and the retry policy.
    /// A per-call timeout, longer or shorter than the client's:
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # async fn demo(client: infisical_auth_client::Client) -> Result<(), infisical_auth_client::Error> {
    /// let config = client
    ///     .with_timeout(Duration::from_secs(2))
    ///     .get_universal_auth()
    ///     .identity_id("identity-id")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// Each attempt has the limit (retries, when the policy allows them, start again within the
    /// policy's deadline). On a [`Session`](crate::Session) (which dereferences to a client)
    /// the copy keeps the session's token; a login or renewal the call waits for has the
    /// session's own limit.
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        let mut client = self.clone();
        client.runtime.timeout = Some(timeout);
        client
    }
}

impl Connect {
    /// Sends `Authorization: Bearer <token>` with every request (an identity access token, or an
    /// admin token for the management operations). Login, renew and revoke need none.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The time limit of each request, connection included (15 s unless set). It applies to a
    /// client given with [`http_client`](Self::http_client) too, in place of that client's own
    /// timeout; [`Client::with_timeout`] sets another for some calls.
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

    /// Trusts the certificates in `pem` (one or several `CERTIFICATE` blocks: a private CA's
    /// root, a self-hosted Infisical's own certificate) as roots, in addition to the platform's.
    /// Call it once per file; [`build`](Self::build) refuses one that holds no certificate,
    /// naming it. Not with [`http_client`](Self::http_client): add them to that client's builder.
    ///
    /// ```no_run
    /// use infisical_auth_client::{BaseUrl, Client};
    ///
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::connect(BaseUrl::SelfHosted("https://infisical.internal".into()))
    ///     .root_certificate_pem(std::fs::read("/etc/infisical/ca.pem")?)
    ///     .bearer_token("token")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    #[cfg(any(feature = "rustls", feature = "rustls-ring"))]
    pub fn root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// Sends through `http`, a `reqwest::Client` the program built (proxies, a shared pool,
    /// client certificates, its own roots and TLS settings), instead of one of the client's own.
    /// What still applies: the bearer token, the `User-Agent` ([`crate::USER_AGENT`], in place
    /// of any `User-Agent` `http` sets), [`timeout`](Self::timeout) (per request, in place of
    /// `http`'s own timeout; its connect timeout stays), the retries and the answer bound.
    /// Everything else is `http`'s. [`root_certificate_pem`](Self::root_certificate_pem) cannot
    /// go with it.
    ///
    /// With this crate's default `rustls-ring`, reqwest brings no rustls crypto provider of its
    /// own, and `reqwest::Client::builder().build()` panics when none is installed: install one
    /// first (`rustls::crypto::ring::default_provider().install_default()`), or build it after
    /// any client of this crate (which installs *ring*).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
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
        let bearer = match &self.token {
            Some(token) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                    .map_err(|_| ConnectError::Token)?;
                value.set_sensitive(true);
                Some(value)
            }
            None => None,
        };
        let http =
            match self.http {
                Some(http) if self.root_certificates.is_empty() => http,
                Some(_) => return Err(ConnectError::Conflict(
                    "root_certificate_pem cannot go with http_client: add the root certificates \
                     to the reqwest::Client's own builder (ClientBuilder::tls_certs_merge)",
                )),
                None => {
                    crate::tls::ensure_crypto_provider();
                    let builder = reqwest::Client::builder()
                        .connect_timeout(self.timeout)
                        .timeout(self.timeout);
                    add_roots(builder, &self.root_certificates)?.build()?
                }
            };
        let mut client = Client::new_with_client(base, http);
        client.runtime.retry = self.retry;
        client.runtime.answer_limit = Some(self.answer_limit);
        client.runtime.timeout = Some(self.timeout);
        client.runtime.bearer = bearer;
        Ok(client)
    }
}

/// The root certificates of `pems` added to the platform's, each PEM holding at least one.
#[cfg(any(feature = "rustls", feature = "rustls-ring"))]
fn add_roots(
    builder: reqwest::ClientBuilder,
    pems: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, ConnectError> {
    use rustls_pki_types::{pem::PemObject as _, CertificateDer};
    let mut roots = Vec::new();
    for (index, pem) in pems.iter().enumerate() {
        let refused = |reason: String| ConnectError::Certificate {
            index: index + 1,
            reason,
        };
        let before = roots.len();
        for (block, der) in CertificateDer::pem_slice_iter(pem).enumerate() {
            let der = der.map_err(|e| refused(format!("not readable as PEM: {e}")))?;
            // Read as rustls will use it, a trust anchor, so that a block that is not a
            // certificate is refused here, naming it, rather than by the TLS stack.
            webpki::anchor_from_trusted_cert(&der).map_err(|e| {
                refused(format!(
                    "`CERTIFICATE` block {} is not an X.509 certificate ({e})",
                    block + 1
                ))
            })?;
            roots.push(reqwest::Certificate::from_der(&der)?);
        }
        if roots.len() == before {
            return Err(refused(
                "holds no PEM `CERTIFICATE` block (-----BEGIN CERTIFICATE-----)".into(),
            ));
        }
    }
    Ok(if roots.is_empty() {
        builder
    } else {
        builder.tls_certs_merge(roots)
    })
}

/// Without TLS there are no root certificates to add.
#[cfg(not(any(feature = "rustls", feature = "rustls-ring")))]
fn add_roots(
    builder: reqwest::ClientBuilder,
    _pems: &[Vec<u8>],
) -> Result<reqwest::ClientBuilder, ConnectError> {
    Ok(builder)
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
