//! The one error type every operation returns: what happened, named by the operation, in one
//! line, with accessors for the HTTP status, Infisical's `reqId`, the validation issues and
//! whether trying again could help. No variant carries JSON inside a string, and none holds a
//! token or a request body.

use std::time::Duration;

use infisical_auth_validation::{display_path, Issue, PathSegment, Rejection};

use crate::types::{ErrorResponse, ValidationIssue};

/// At most this many bytes of an unexpected answer's body are kept (cut at a character boundary).
pub const EXCERPT_LIMIT: usize = 512;

/// Why an operation failed. `Display` is one line that starts with the operation id
/// (`attachUniversalAuth refused before sending: ...`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request breaks a rule of the API (range, length, trusted IP syntax, TTL <= max TTL...):
    /// refused before sending, nothing went over the network.
    #[error("{operation} refused before sending: {}", describe_rejection(.rejection))]
    Rejected {
        /// The operation id, e.g. `attachUniversalAuth`.
        operation: &'static str,
        /// Every issue, with its JSON path, code and bound.
        rejection: Rejection,
    },
    /// A required parameter was not set, or a value could not be converted to its type.
    #[error("{operation} could not be built: {message}")]
    InvalidRequest {
        /// The operation id.
        operation: &'static str,
        /// What is missing or wrong, naming the parameter.
        message: String,
    },
    /// Infisical answered with its error body (`reqId`, `statusCode`, `error`, message or the
    /// 422 issue list).
    #[error("{operation} answered {}", .body)]
    Api {
        /// The operation id.
        operation: &'static str,
        /// The decoded error body.
        body: Box<ErrorResponse>,
    },
    /// The connection failed, or broke before a complete answer was read.
    #[error("{operation} failed in transport: {}", transport_cause(.source))]
    Transport {
        /// The operation id.
        operation: &'static str,
        /// reqwest's error (its URL is stripped: it could carry query values).
        #[source]
        source: reqwest::Error,
    },
    /// No answer within the client's timeout (per attempt) or the retry deadline.
    #[error("{operation} timed out after {elapsed:?}")]
    Timeout {
        /// The operation id.
        operation: &'static str,
        /// Time spent on the operation, retries included.
        elapsed: Duration,
    },
    /// An answer that is neither the operation's success type nor Infisical's error body.
    #[error("{operation} got an unexpected answer: status {status}, body {excerpt:?}")]
    Unexpected {
        /// The operation id.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The start of the body (at most [`EXCERPT_LIMIT`] bytes), lossily decoded.
        excerpt: String,
    },
    /// The answer is larger than the client's bound ([`crate::ANSWER_LIMIT`] unless
    /// [`Connect::max_answer_bytes`](crate::Connect::max_answer_bytes) set another): it was read
    /// no further than the bound.
    #[error("{operation} got an answer larger than {limit} bytes (read no further)")]
    AnswerTooLarge {
        /// The operation id.
        operation: &'static str,
        /// The bound, in bytes.
        limit: usize,
    },
    /// A session could not get a token for the call (login or renewal refused or failed); the
    /// cause holds Infisical's answer to the login.
    #[error("{operation} has no token: {cause}")]
    Session {
        /// The operation the session was getting a token for.
        operation: &'static str,
        /// What the login (or renewal) answered.
        #[source]
        cause: std::sync::Arc<Error>,
    },
}

fn describe_rejection(rejection: &Rejection) -> String {
    match rejection {
        Rejection::Unprocessable(issues) => issues
            .iter()
            .map(describe_issue)
            .collect::<Vec<_>>()
            .join("; "),
        Rejection::BadRequest { message, path } => format!("{}: {message}", display_path(path)),
        Rejection::UnknownOperation(name) => format!("unknown operation `{name}`"),
    }
}

/// `path: message`, or the message alone when it already names the field.
fn describe_issue(issue: &Issue) -> String {
    let path = display_path(&issue.path);
    let named = match issue.path.last() {
        Some(PathSegment::Key(key)) => issue.message.contains(key.as_str()),
        Some(PathSegment::Index(_)) => false,
        None => true,
    };
    if named {
        issue.message.clone()
    } else {
        format!("{path}: {}", issue.message)
    }
}

fn transport_cause(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = if error.is_connect() {
        "could not connect".to_string()
    } else if error.is_body() || error.is_decode() {
        "the answer broke off".to_string()
    } else {
        "the exchange failed".to_string()
    };
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl Error {
    /// The operation id (`getUniversalAuth`) of the call that failed.
    pub fn operation(&self) -> &'static str {
        match self {
            Error::Rejected { operation, .. }
            | Error::InvalidRequest { operation, .. }
            | Error::Api { operation, .. }
            | Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::Unexpected { operation, .. }
            | Error::AnswerTooLarge { operation, .. }
            | Error::Session { operation, .. } => operation,
        }
    }

    /// The HTTP status: Infisical's, an unexpected answer's, or the one Infisical would answer
    /// to a request refused before sending (422 or 400). `None` for transport failures.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Rejected { rejection, .. } => Some(rejection.status()),
            Error::Api { body, .. } => Some(body.status_code),
            Error::Unexpected { status, .. } => Some(*status),
            Error::Session { cause, .. } => cause.status(),
            _ => None,
        }
    }

    /// Infisical's request id (`reqId`) of an error answer, for its logs and support.
    pub fn req_id(&self) -> Option<&str> {
        match self {
            Error::Api { body, .. } => Some(&body.req_id),
            Error::Session { cause, .. } => cause.req_id(),
            _ => None,
        }
    }

    /// Infisical's error body, if the server answered with one.
    pub fn body(&self) -> Option<&ErrorResponse> {
        match self {
            Error::Api { body, .. } => Some(body),
            Error::Session { cause, .. } => cause.body(),
            _ => None,
        }
    }

    /// The issues of a request refused before sending.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            Error::Rejected { rejection, .. } => Some(rejection),
            _ => None,
        }
    }

    /// The validation issues of a 422 answered by the server.
    pub fn validation_issues(&self) -> &[ValidationIssue] {
        self.body().map(|b| b.validation_issues()).unwrap_or(&[])
    }

    /// Whether the same call could succeed later unchanged: transport failures, timeouts, 429 and
    /// 5xx answers. A refused or invalid request, or a 4xx other than 429, will fail again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } => true,
            Error::Api { .. } | Error::Unexpected { .. } => self
                .status()
                .is_some_and(|s| s == 429 || (500..600).contains(&s)),
            Error::Session { cause, .. } => cause.is_retryable(),
            Error::Rejected { .. }
            | Error::InvalidRequest { .. }
            | Error::AnswerTooLarge { .. } => false,
        }
    }
}

/// The first [`EXCERPT_LIMIT`] bytes of `body` as text.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let cut = &body[..body.len().min(EXCERPT_LIMIT)];
    let text = String::from_utf8_lossy(cut);
    text.trim_end_matches('\u{FFFD}').to_string()
}
