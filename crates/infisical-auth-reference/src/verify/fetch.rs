//! Outbound HTTP for the verifiers: every call has a timeout and a bound on the answer's size, a
//! configuration's CA certificate (PEM) replaces the built-in roots for its calls, and documents
//! that hold keys (JWKS, discovery documents, SPIFFE bundles) are cached with an expiry.
//!
//! Errors are short messages that name what went wrong (timeout, connection, status, size) and
//! never carry a URL's credentials, a header or a body, so a verifier can put them in the error
//! it answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

/// How long a call may take, connection to last byte, unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read, unless configured otherwise.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;
/// How many cached documents are kept; the oldest is dropped beyond it.
const MAX_CACHED: usize = 256;
/// How many HTTP clients (one per distinct CA certificate) are kept.
const MAX_CLIENTS: usize = 64;

/// Why a call out failed, in words fit for an error message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchError(pub String);

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An answer: status and body (at most the size limit).
#[derive(Clone, Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The body, at most the size limit.
    pub body: Vec<u8>,
}

/// Bounded HTTP calls and the key cache. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

struct Inner {
    timeout: Duration,
    max_body: usize,
    clients: Mutex<HashMap<String, reqwest::Client>>,
    cache: Mutex<HashMap<(String, String), Cached>>,
}

#[derive(Clone)]
struct Cached {
    body: Arc<[u8]>,
    fetched: Instant,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("timeout", &self.inner.timeout)
            .field("max_body", &self.inner.max_body)
            .finish_non_exhaustive()
    }
}

impl Default for Fetcher {
    fn default() -> Self {
        Self::new(DEFAULT_TIMEOUT, DEFAULT_MAX_BODY)
    }
}

impl Fetcher {
    /// A fetcher whose calls take at most `timeout` and read at most `max_body` bytes.
    pub fn new(timeout: Duration, max_body: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                timeout,
                max_body,
                clients: Mutex::new(HashMap::new()),
                cache: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The call timeout.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    fn client(&self, ca_pem: Option<&str>) -> Result<reqwest::Client, FetchError> {
        let key = ca_pem.unwrap_or("").to_owned();
        let mut clients = self.inner.clients.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let mut builder = reqwest::Client::builder()
            .timeout(self.inner.timeout)
            .connect_timeout(self.inner.timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .no_proxy();
        if !key.is_empty() {
            let certs = reqwest::Certificate::from_pem_bundle(key.as_bytes())
                .map_err(|_| FetchError("the configured CA certificate is not valid PEM".into()))?;
            if certs.is_empty() {
                return Err(FetchError(
                    "the configured CA certificate holds no certificate".into(),
                ));
            }
            builder = builder.tls_certs_only(certs);
        }
        let client = builder
            .build()
            .map_err(|_| FetchError("the HTTP client could not be set up".into()))?;
        if clients.len() >= MAX_CLIENTS {
            clients.clear();
        }
        clients.insert(key, client.clone());
        Ok(client)
    }

    /// Sends a request and reads its answer within the limits.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: HeaderMap,
        body: Option<Vec<u8>>,
        ca_pem: Option<&str>,
    ) -> Result<Answer, FetchError> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|_| FetchError(format!("invalid URL {:?}", redact(url))))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError("only http and https URLs can be fetched".into()));
        }
        let client = self.client(ca_pem.filter(|ca| !ca.trim().is_empty()))?;
        let mut request = client.request(method, parsed).headers(headers);
        if let Some(body) = body {
            request = request.body(body);
        }
        let deadline = tokio::time::Instant::now() + self.inner.timeout;
        let call = async {
            let mut response = request.send().await.map_err(|e| self.describe(e))?;
            let status = response.status();
            if let Some(length) = response.content_length() {
                if length > self.inner.max_body as u64 {
                    return Err(self.too_large());
                }
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| self.describe(e))? {
                if body.len() + chunk.len() > self.inner.max_body {
                    return Err(self.too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Answer { status, body })
        };
        match tokio::time::timeout_at(deadline, call).await {
            Ok(result) => result,
            Err(_) => Err(self.timed_out()),
        }
    }

    /// `GET url`, answering the body of a 2xx answer.
    pub async fn get(&self, url: &str, ca_pem: Option<&str>) -> Result<Vec<u8>, FetchError> {
        let answer = self
            .send(Method::GET, url, HeaderMap::new(), None, ca_pem)
            .await?;
        if !answer.status.is_success() {
            return Err(FetchError(format!(
                "Request failed with status code {}",
                answer.status.as_u16()
            )));
        }
        Ok(answer.body)
    }

    /// `GET url` through the cache: a copy younger than `max_age` is answered without a call
    /// (unless `refresh`); otherwise the document is fetched and cached. The flag says whether the
    /// answer came from the cache.
    pub async fn get_cached(
        &self,
        url: &str,
        ca_pem: Option<&str>,
        max_age: Duration,
        refresh: bool,
    ) -> Result<(Arc<[u8]>, bool), FetchError> {
        let key = (url.to_owned(), ca_pem.unwrap_or("").to_owned());
        if !refresh {
            let cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(cached) = cache.get(&key) {
                if cached.fetched.elapsed() < max_age {
                    return Ok((cached.body.clone(), true));
                }
            }
        }
        let body: Arc<[u8]> = self.get(url, ca_pem).await?.into();
        let mut cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= MAX_CACHED && !cache.contains_key(&key) {
            if let Some(oldest) = cache
                .iter()
                .min_by_key(|(_, cached)| cached.fetched)
                .map(|(key, _)| key.clone())
            {
                cache.remove(&oldest);
            }
        }
        cache.insert(
            key,
            Cached {
                body: body.clone(),
                fetched: Instant::now(),
            },
        );
        Ok((body, false))
    }

    fn too_large(&self) -> FetchError {
        FetchError(format!(
            "maxContentLength size of {} exceeded",
            self.inner.max_body
        ))
    }

    /// Words for a failed call, without the URL reqwest would print.
    fn describe(&self, error: reqwest::Error) -> FetchError {
        if error.is_timeout() {
            return self.timed_out();
        }
        let text = if error.is_connect() {
            "could not connect"
        } else if error.is_redirect() {
            "too many redirects"
        } else if error.is_body() || error.is_decode() {
            "the answer could not be read"
        } else {
            "the request failed"
        };
        FetchError(text.into())
    }

    fn timed_out(&self) -> FetchError {
        FetchError(format!(
            "timeout of {}ms exceeded",
            self.inner.timeout.as_millis()
        ))
    }
}

/// A URL without its user and password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) if parsed.username().is_empty() && parsed.password().is_none() => url.to_owned(),
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Err(_) => "<not a URL>".into(),
    }
}
