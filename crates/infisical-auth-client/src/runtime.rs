//! The one send path of every operation. Each generated builder puts the typed values of its
//! request ([`Typed`]: path, query and header parameters, body) into a [`Request`] in one chain
//! of calls; its `send` hands them to [`send`], which validates them, builds the request from the
//! operation's row in [`OPERATIONS`](crate::OPERATIONS) (generated from the document), adds a session's token to the
//! operations that take a bearer token, sends it with retries per [`RetryPolicy`] and the
//! operation's retry class, replaces a token the server refused, and decodes the answer or
//! maps the failure into [`Error`]. With the `tracing` feature each attempt is a span.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use progenitor_client::{encode_path, ClientInfo, RequestBuilderExt};
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};
use serde::de::DeserializeOwned;

use crate::error::{excerpt, Error};
use crate::retry::{retry_after, retryable_status, RetryPolicy};
use crate::session::SessionState;
use crate::typed::{text, Body, Typed};
use crate::{types, Client, ResponseValue};

/// What a [`Client`] carries besides its URL and HTTP client: the retry policy, the time limit
/// and the bearer token of each request and, for a session's client, the session that supplies
/// tokens.
#[derive(Clone, Default)]
pub struct Runtime {
    pub(crate) retry: RetryPolicy,
    /// The largest answer read, in bytes (`None`: [`crate::ANSWER_LIMIT`]).
    pub(crate) answer_limit: Option<usize>,
    /// The time limit of each request, in place of the HTTP client's (`None`: the HTTP
    /// client's own).
    pub(crate) timeout: Option<Duration>,
    /// `Bearer <token>`, marked sensitive, sent with every request (a session's token replaces
    /// it on the operations that take one).
    pub(crate) bearer: Option<HeaderValue>,
    pub(crate) session: Option<Arc<SessionState>>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("retry", &self.retry)
            .field("answer_limit", &self.answer_limit)
            .field("timeout", &self.timeout)
            .field("bearer", &self.bearer.as_ref().map(|_| "<redacted>"))
            .field("session", &self.session.is_some())
            .finish()
    }
}

/// One row of [`OPERATIONS`](crate::OPERATIONS): the operation as the document declares it (method, path template,
/// whether it takes a bearer token, its retry class).
pub(crate) type Operation = &'static infisical_auth_types::Operation;

/// Builds the request of `op` from `typed`: the base URL and the path template with each
/// parameter percent-encoded, the query, Infisical's `api-version` and `Accept` headers, the
/// `User-Agent`, the client's bearer token and time limit, the header parameters and the body.
fn build(client: &Client, op: Operation, typed: &Typed) -> Result<reqwest::Request, Error> {
    let invalid = |message: String| Error::InvalidRequest {
        operation: op.id,
        message,
    };
    let mut url = String::with_capacity(client.baseurl.len() + op.path.len() + 40);
    url.push_str(&client.baseurl);
    let mut values = typed.path.iter();
    for segment in op.path.split('/').skip(1) {
        url.push('/');
        if segment.starts_with('{') && segment.ends_with('}') {
            let value = values
                .next()
                .ok_or_else(|| invalid(format!("path parameter {segment} has no value")))?;
            url.push_str(&encode_path(value));
        } else {
            url.push_str(segment);
        }
    }
    let method = reqwest::Method::from_bytes(op.method.as_bytes())
        .map_err(|_| invalid(format!("unknown HTTP method {}", op.method)))?;
    let mut request = client
        .client
        .request(method, url)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header(USER_AGENT, HeaderValue::from_static(crate::USER_AGENT))
        .header(
            HeaderName::from_static("api-version"),
            HeaderValue::from_static(Client::api_version()),
        );
    if let Some(bearer) = &client.runtime.bearer {
        request = request.header(AUTHORIZATION, bearer.clone());
    }
    if let Some(timeout) = client.runtime.timeout {
        request = request.timeout(timeout);
    }
    let query: Vec<(&str, std::borrow::Cow<'_, str>)> = typed
        .query
        .iter()
        .filter_map(|(name, value)| Some((*name, text(value)?)))
        .collect();
    if !query.is_empty() {
        request = request.query(&query);
    }
    for (name, value) in &typed.headers {
        if let Some(value) = text(value) {
            let mut value = HeaderValue::from_str(&value)
                .map_err(|_| invalid(format!("header {name} cannot carry its value")))?;
            // A header parameter may carry a secret (a signature, a token): never printed.
            value.set_sensitive(true);
            request = request.header(*name, value);
        }
    }
    request = match &typed.body {
        Body::None => request,
        Body::Json(value) => request.json(value),
        Body::Form(value) => request.form_urlencoded(value).map_err(
            |error: progenitor_client::Error<types::ErrorResponse>| {
                invalid(format!("the form body cannot be encoded: {error}"))
            },
        )?,
    };
    request.build().map_err(|error| {
        invalid(format!(
            "the request cannot be built: {}",
            error.without_url()
        ))
    })
}

/// A request as a builder's `send` puts it together: the [`Typed`] values so far, or the first
/// reason the request cannot be built (a parameter not set, a value that does not serialise),
/// which [`Request::send`] returns as [`Error::InvalidRequest`] without sending anything. The
/// generic methods only turn a value into JSON; everything else is shared by every operation.
pub(crate) struct Request {
    operation_id: &'static str,
    typed: Result<Typed, String>,
}

impl Request {
    /// The request of the operation `operation_id`, with nothing in it yet.
    pub(crate) fn new(operation_id: &'static str) -> Request {
        Request {
            operation_id,
            typed: Ok(Typed {
                path: Vec::new(),
                query: Vec::new(),
                headers: Vec::new(),
                body: Body::None,
            }),
        }
    }

    /// Adds `f(typed, value)` once both this request and `value` are sound.
    fn with<V>(mut self, value: Result<V, String>, f: impl FnOnce(&mut Typed, V)) -> Request {
        self.typed = match (self.typed, value) {
            (Ok(mut typed), Ok(value)) => {
                f(&mut typed, value);
                Ok(typed)
            }
            (Err(message), _) | (Ok(_), Err(message)) => Err(message),
        };
        self
    }

    /// The next path parameter, in the order of the path template.
    pub(crate) fn path<T: ToString>(self, value: Result<T, String>) -> Request {
        self.with(value, |typed, value| typed.path.push(value.to_string()))
    }

    /// The query parameter `name` (an absent optional value is not sent).
    pub(crate) fn query<T: serde::Serialize>(
        self,
        name: &'static str,
        value: Result<T, String>,
    ) -> Request {
        self.with(json(value), |typed, value| typed.query.push((name, value)))
    }

    /// The header parameter `name` (an absent optional value is not sent). Infisical's
    /// identity-auth operations take none today; a document with header parameters uses this.
    #[allow(dead_code)]
    pub(crate) fn header<T: serde::Serialize>(
        self,
        name: &'static str,
        value: Result<T, String>,
    ) -> Request {
        self.with(json(value), |typed, value| {
            typed.headers.push((name, value))
        })
    }

    /// An `application/json` body.
    pub(crate) fn json<T: serde::Serialize>(self, value: Result<T, String>) -> Request {
        self.with(json(value), |typed, value| typed.body = Body::Json(value))
    }

    /// An `application/x-www-form-urlencoded` body.
    #[allow(dead_code)]
    pub(crate) fn form<T: serde::Serialize>(self, value: Result<T, String>) -> Request {
        self.with(json(value), |typed, value| typed.body = Body::Form(value))
    }

    /// Sends the request on `client` ([`send`]), or returns why it cannot be built.
    pub(crate) async fn send<T: DeserializeOwned>(
        self,
        client: &Client,
    ) -> Result<ResponseValue<T>, Error> {
        match self.typed {
            Ok(typed) => send(client, self.operation_id, typed).await,
            Err(message) => Err(Error::InvalidRequest {
                operation: self.operation_id,
                message,
            }),
        }
    }
}

/// A typed request value as JSON; failing to serialise it is a request that cannot be built.
fn json<T: serde::Serialize>(value: Result<T, String>) -> Result<serde_json::Value, String> {
    serde_json::to_value(value?).map_err(|e| e.to_string())
}

/// Sends the request of the operation `operation_id` with the values in `typed`; see the module
/// docs. Only the decoding of the answer depends on `T`: the request, its retries and the
/// reading of the answer are one non-generic future ([`exchange_all`]), compiled once rather
/// than once per answer type.
pub(crate) async fn send<T: DeserializeOwned>(
    client: &Client,
    operation_id: &'static str,
    typed: Typed,
) -> Result<ResponseValue<T>, Error> {
    let answer = exchange_all(client, operation_id, typed).await?;
    decode(answer)
}

/// A successful answer, read in full.
struct Answer {
    op: Operation,
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: bytes::Bytes,
}

/// Everything [`send`] does but decoding the successful answer.
async fn exchange_all(
    client: &Client,
    operation_id: &'static str,
    typed: Typed,
) -> Result<Answer, Error> {
    let Some(op) = infisical_auth_types::operation(operation_id) else {
        return Err(Error::Rejected {
            operation: operation_id,
            rejection: infisical_auth_validation::Rejection::UnknownOperation(
                operation_id.to_owned(),
            ),
        });
    };
    if let Err(rejection) = crate::validate::check(&typed, op.id, op.path) {
        return Err(Error::Rejected {
            operation: op.id,
            rejection,
        });
    }
    let request = build(client, op, &typed)?;
    drop(typed);
    let policy = client.runtime.retry;
    let answer_limit = client.runtime.answer_limit.unwrap_or(crate::ANSWER_LIMIT);
    let session = if op.secured {
        client.runtime.session.as_deref()
    } else {
        None
    };
    let started = Instant::now();
    let mut attempt = 0u32;
    let mut token_replaced = false;
    loop {
        attempt += 1;
        let mut this = match request.try_clone() {
            Some(copy) => copy,
            None => unreachable_stream(op)?,
        };
        let generation = match session {
            Some(session) => {
                let token = session.token(op.id, None).await?;
                this.headers_mut()
                    .insert(AUTHORIZATION, token.header.clone());
                Some(token.generation)
            }
            None => None,
        };
        let outcome = exchange(client, op, attempt, this).await;
        let retry_wait = match outcome {
            Ok(response) => {
                let status = response.status().as_u16();
                if response.status().is_success() {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let body = read_body(op, started, response, answer_limit).await?;
                    return Ok(Answer {
                        op,
                        status,
                        headers,
                        body,
                    });
                }
                if status == 401 && !token_replaced {
                    if let (Some(session), Some(generation)) = (session, generation) {
                        // Expired, revoked or use-exhausted: replace it (one login for all the
                        // calls that saw it), and send this call again if that is safe.
                        token_replaced = true;
                        let fresh = session.token(op.id, Some(generation)).await?;
                        if fresh.generation != generation && op.retry.repeatable() {
                            attempt -= 1;
                            continue;
                        }
                    }
                }
                if retryable_status(status)
                    && op.retry.repeatable()
                    && attempt < policy.max_attempts
                {
                    let asked = retry_after(response.headers(), SystemTime::now());
                    let wait = asked.unwrap_or_else(|| policy.backoff(attempt + 1));
                    if wait <= policy.max_backoff && started.elapsed() + wait < policy.deadline {
                        drop(response);
                        wait
                    } else {
                        return Err(decode_error(op, started, response, answer_limit).await);
                    }
                } else {
                    return Err(decode_error(op, started, response, answer_limit).await);
                }
            }
            Err(error) => {
                // A connection that failed was never sent: safe to repeat for every class. One
                // closed after the request was sent (a server or a load balancer dropping it,
                // an idle keep-alive connection closed under it) may have reached the server:
                // sent again only when the operation's retry class allows it.
                let dropped = error.is_request() && op.retry.repeatable();
                let worth = error.is_connect() || error.is_timeout() || dropped;
                let safe = error.is_connect() || op.retry.repeatable();
                let wait = policy.backoff(attempt + 1);
                if worth
                    && safe
                    && attempt < policy.max_attempts
                    && started.elapsed() + wait < policy.deadline
                {
                    wait
                } else if error.is_timeout() {
                    return Err(Error::Timeout {
                        operation: op.id,
                        elapsed: started.elapsed(),
                    });
                } else {
                    return Err(Error::Transport {
                        operation: op.id,
                        source: error.without_url(),
                    });
                }
            }
        };
        tokio::time::sleep(retry_wait).await;
    }
}

/// Every generated body is bytes (JSON), so a request always clones; should one not, it is
/// refused rather than sent without the chance to retry or re-authenticate.
fn unreachable_stream(op: Operation) -> Result<reqwest::Request, Error> {
    Err(Error::InvalidRequest {
        operation: op.id,
        message: "the request body is a stream and cannot be sent by the shared send path".into(),
    })
}

/// One attempt, in its span when the `tracing` feature is on.
async fn exchange(
    client: &Client,
    op: Operation,
    attempt: u32,
    request: reqwest::Request,
) -> Result<reqwest::Response, reqwest::Error> {
    #[cfg(feature = "tracing")]
    {
        use tracing::Instrument;
        let span = tracing::info_span!(
            "infisical.request",
            operation = op.id,
            method = op.method,
            path = op.path,
            attempt,
            status = tracing::field::Empty,
            req_id = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = client
            .client
            .execute(request)
            .instrument(span.clone())
            .await;
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        match &result {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                if let Some(id) = response
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                {
                    span.record("req_id", id);
                }
                span.in_scope(|| tracing::debug!("answered"));
            }
            Err(error) => span.in_scope(|| {
                tracing::debug!(
                    connect = error.is_connect(),
                    timeout = error.is_timeout(),
                    "failed"
                )
            }),
        }
        result
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (op, attempt);
        client.client.execute(request).await
    }
}

/// The answer's body, read chunk by chunk and no further than `limit` bytes: a longer answer
/// (declared or as it arrives) is [`Error::AnswerTooLarge`].
async fn read_body(
    op: Operation,
    started: Instant,
    mut response: reqwest::Response,
    limit: usize,
) -> Result<bytes::Bytes, Error> {
    let too_large = || Error::AnswerTooLarge {
        operation: op.id,
        limit,
    };
    if response
        .content_length()
        .is_some_and(|declared| declared > limit as u64)
    {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::new();
    loop {
        let chunk = response.chunk().await.map_err(|error| {
            if error.is_timeout() {
                Error::Timeout {
                    operation: op.id,
                    elapsed: started.elapsed(),
                }
            } else {
                Error::Transport {
                    operation: op.id,
                    source: error.without_url(),
                }
            }
        })?;
        let Some(chunk) = chunk else {
            return Ok(body.freeze());
        };
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
}

fn decode<T: DeserializeOwned>(answer: Answer) -> Result<ResponseValue<T>, Error> {
    match serde_json::from_slice::<T>(&answer.body) {
        Ok(value) => Ok(ResponseValue::new(value, answer.status, answer.headers)),
        Err(_) => Err(Error::Unexpected {
            operation: answer.op.id,
            status: answer.status.as_u16(),
            excerpt: excerpt(&answer.body),
        }),
    }
}

async fn decode_error(
    op: Operation,
    started: Instant,
    response: reqwest::Response,
    limit: usize,
) -> Error {
    let status = response.status().as_u16();
    let body = match read_body(op, started, response, limit).await {
        Ok(body) => body,
        Err(error) => return error,
    };
    let body = body.as_ref();
    match serde_json::from_slice::<types::ErrorResponse>(body) {
        Ok(decoded) => Error::Api {
            operation: op.id,
            body: Box::new(decoded),
        },
        Err(_) => Error::Unexpected {
            operation: op.id,
            status,
            excerpt: excerpt(body),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(id: &'static str) -> Operation {
        infisical_auth_types::operation(id).expect("a known operation")
    }

    fn client() -> Client {
        Client::new("http://127.0.0.1:9/base")
    }

    #[test]
    fn the_request_is_built_from_the_typed_values() {
        let typed = Typed {
            path: vec!["id/1 2".into()],
            query: vec![("limit", json!(20)), ("offset", serde_json::Value::Null)],
            headers: vec![
                ("x-trace", json!("t-1")),
                ("x-none", serde_json::Value::Null),
            ],
            body: Body::None,
        };
        let request = build(&client(), op("getTokenAuthTokens"), &typed).expect("built");
        assert_eq!(request.method(), reqwest::Method::GET);
        assert_eq!(
            request.url().as_str(),
            "http://127.0.0.1:9/base/api/v1/auth/token-auth/identities/id%2F1%202/tokens?limit=20"
        );
        let headers = request.headers();
        assert_eq!(headers["accept"], "application/json");
        assert_eq!(headers["api-version"], Client::api_version());
        assert_eq!(headers["x-trace"], "t-1");
        assert!(headers["x-trace"].is_sensitive());
        assert!(!headers.contains_key("x-none"));
        assert!(request.body().is_none());
    }

    #[test]
    fn json_and_form_bodies_are_encoded_as_their_content_type_says() {
        let value = json!({"clientId": "c", "clientSecret": "s e"});
        let login = op("loginWithUniversalAuth");
        let typed = |body| Typed {
            path: vec![],
            query: vec![],
            headers: vec![],
            body,
        };
        let json_request = build(&client(), login, &typed(Body::Json(value.clone()))).unwrap();
        assert_eq!(json_request.headers()["content-type"], "application/json");
        let sent: serde_json::Value =
            serde_json::from_slice(json_request.body().and_then(|b| b.as_bytes()).unwrap())
                .unwrap();
        assert_eq!(sent, value);
        let form_request = build(&client(), login, &typed(Body::Form(value))).unwrap();
        assert_eq!(
            form_request.headers()["content-type"],
            "application/x-www-form-urlencoded"
        );
        assert_eq!(
            form_request.body().and_then(|b| b.as_bytes()).unwrap(),
            b"clientId=c&clientSecret=s+e"
        );
    }

    #[test]
    fn a_missing_path_value_is_an_error_not_a_panic() {
        let typed = Typed {
            path: vec![],
            query: vec![],
            headers: vec![],
            body: Body::None,
        };
        let err = build(&client(), op("getUniversalAuth"), &typed).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("getUniversalAuth could not be built: path parameter {identityId}"),
            "{err}"
        );
    }
}
