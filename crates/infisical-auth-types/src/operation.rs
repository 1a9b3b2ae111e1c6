//! What every operation is, as the document declares it: the generated `OPERATIONS` table holds
//! one [`Operation`] per operation (id, method, path template, whether it takes a bearer token,
//! whether it has a body, and how it may be retried). The client's send path, its session and
//! tracing, and the server stubs' router all read that one table.

/// One operation of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The `operationId`, e.g. `attachUniversalAuth`.
    pub id: &'static str,
    /// The upper-case HTTP method, e.g. `POST`.
    pub method: &'static str,
    /// The path template, e.g. `/api/v1/auth/universal-auth/identities/{identityId}`.
    pub path: &'static str,
    /// Whether the operation takes a bearer token (its `security`, or the document's, names a
    /// scheme).
    pub secured: bool,
    /// Whether the operation takes a request body.
    pub has_body: bool,
    /// How the operation may be repeated after a request that may have reached the server.
    pub retry: RetryClass,
}

/// How an operation may be repeated. Decided from the HTTP method (`GET` and `HEAD` read, every
/// other method changes something), with the exceptions named in `openapi/codegen.toml`
/// (`[retry]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryClass {
    /// No effect on the server: repeating it is always safe.
    Read,
    /// Renewing or revoking a token: repeating it changes nothing more.
    TokenLifecycle,
    /// Everything else: a second request could create a second client secret, burn a use of a
    /// client secret or count a failed login.
    Unrepeatable,
}

impl RetryClass {
    /// Whether a request that may have reached the server can be sent again.
    pub fn repeatable(self) -> bool {
        !matches!(self, RetryClass::Unrepeatable)
    }
}

impl Operation {
    /// The operation with `operationId` `id` in `table` (the generated `OPERATIONS`).
    pub fn find(table: &'static [Operation], id: &str) -> Option<&'static Operation> {
        table.iter().find(|op| op.id == id)
    }
}
