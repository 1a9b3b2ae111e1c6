//! The one send path of every operation. Each generated builder builds its `reqwest::Request`
//! and calls [`send`], which validates it, adds a session's token to secured operations, sends it
//! with retries per [`RetryPolicy`], replaces a token the server refused, and decodes the answer
//! or maps the failure into [`Error`]. With the `tracing` feature each attempt is a span.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use reqwest::header::AUTHORIZATION;
use serde::de::DeserializeOwned;

use crate::error::{excerpt, Error};
use crate::retry::{retry_after, retryable_status, OperationKind, RetryPolicy};
use crate::session::SessionState;
use crate::{types, Client, ResponseValue, OPERATIONS};

/// What a [`Client`] carries besides its URL and HTTP client: the retry policy and, for a
/// session's client, the session that supplies tokens.
#[derive(Clone, Default)]
pub struct Runtime {
    pub(crate) retry: RetryPolicy,
    pub(crate) session: Option<Arc<SessionState>>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("retry", &self.retry)
            .field("session", &self.session.is_some())
            .finish()
    }
}

/// One row of [`OPERATIONS`], with what the runtime derives from it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Operation {
    pub id: &'static str,
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub method: &'static str,
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub template: &'static str,
    pub kind: OperationKind,
    /// Whether the operation takes a bearer token (all but the logins, renew and revoke).
    pub secured: bool,
}

impl Operation {
    /// The operation whose client method is `method_name`.
    pub fn by_method(method_name: &str) -> Option<Operation> {
        let (id, _, method, template) = OPERATIONS.iter().find(|row| row.1 == method_name)?;
        Some(Operation {
            id,
            method,
            template,
            kind: OperationKind::of(id, method),
            secured: !(id.starts_with("loginWith")
                || *id == "renewIdentityAccessToken"
                || *id == "revokeIdentityAccessToken"),
        })
    }
}

fn operation_id(method_name: &'static str) -> &'static str {
    Operation::by_method(method_name).map_or(method_name, |op| op.id)
}

/// A progenitor error raised while building the request (a parameter not set or not
/// convertible, or reqwest refusing the URL), as [`Error::InvalidRequest`].
pub(crate) fn not_built(
    method_name: &'static str,
    error: progenitor_client::Error<types::ErrorResponse>,
) -> Error {
    let message = match error {
        progenitor_client::Error::InvalidRequest(message) => message,
        other => other.to_string(),
    };
    Error::InvalidRequest {
        operation: operation_id(method_name),
        message,
    }
}

/// Sends `request`, built by the builder of client method `method_name`; see the module docs.
pub(crate) async fn send<T: DeserializeOwned>(
    client: &Client,
    method_name: &'static str,
    request: reqwest::Request,
) -> Result<ResponseValue<T>, Error> {
    let Some(op) = Operation::by_method(method_name) else {
        return Err(Error::Rejected {
            operation: method_name,
            rejection: infisical_auth_validation::Rejection::UnknownOperation(
                method_name.to_owned(),
            ),
        });
    };
    if let Err(rejection) = crate::validate::check(&request, op.id, op.template) {
        return Err(Error::Rejected {
            operation: op.id,
            rejection,
        });
    }
    let policy = client.runtime.retry;
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
                    return decode(op, started, response).await;
                }
                if status == 401 && !token_replaced {
                    if let (Some(session), Some(generation)) = (session, generation) {
                        // Expired, revoked or use-exhausted: replace it (one login for all the
                        // calls that saw it), and send this call again if that is safe.
                        token_replaced = true;
                        let fresh = session.token(op.id, Some(generation)).await?;
                        if fresh.generation != generation && op.kind.repeatable() {
                            attempt -= 1;
                            continue;
                        }
                    }
                }
                if retryable_status(status) && op.kind.repeatable() && attempt < policy.max_attempts
                {
                    let asked = retry_after(response.headers(), SystemTime::now());
                    let wait = asked.unwrap_or_else(|| policy.backoff(attempt + 1));
                    if wait <= policy.max_backoff && started.elapsed() + wait < policy.deadline {
                        drop(response);
                        wait
                    } else {
                        return Err(decode_error(op, started, response).await);
                    }
                } else {
                    return Err(decode_error(op, started, response).await);
                }
            }
            Err(error) => {
                // A connection that failed was never sent: safe to repeat for every kind.
                let worth = error.is_connect() || error.is_timeout();
                let safe = error.is_connect() || op.kind.repeatable();
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
            path = op.template,
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

async fn read_body(
    op: Operation,
    started: Instant,
    response: reqwest::Response,
) -> Result<impl AsRef<[u8]>, Error> {
    response.bytes().await.map_err(|error| {
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
    })
}

async fn decode<T: DeserializeOwned>(
    op: Operation,
    started: Instant,
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_body(op, started, response).await?;
    let body = body.as_ref();
    match serde_json::from_slice::<T>(body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        Err(_) => Err(Error::Unexpected {
            operation: op.id,
            status: status.as_u16(),
            excerpt: excerpt(body),
        }),
    }
}

async fn decode_error(op: Operation, started: Instant, response: reqwest::Response) -> Error {
    let status = response.status().as_u16();
    let body = match read_body(op, started, response).await {
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
