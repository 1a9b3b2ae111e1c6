//! [`Session`]: a client that stays logged in (its documentation says how).

use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::{types, BaseUrl, Client, Connect, ConnectError};

/// How long a failed login or renewal is the answer of every call that needs a token.
pub const FAILURE_HOLD: Duration = Duration::from_secs(1);

/// What a login produced: the access token, its TTL and its max TTL.
#[derive(Clone)]
pub struct Grant {
    access_token: SecretString,
    expires_in: Duration,
    max_ttl: Duration,
}

impl std::fmt::Debug for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grant")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .field("max_ttl", &self.max_ttl)
            .finish()
    }
}

impl Grant {
    /// A token valid for `expires_in` (zero: no expiry), renewable up to `max_ttl` after it was
    /// issued (zero: no cap).
    pub fn new(access_token: impl Into<String>, expires_in: Duration, max_ttl: Duration) -> Self {
        Grant {
            access_token: SecretString::from(access_token.into()),
            expires_in,
            max_ttl,
        }
    }

    fn from_seconds(access_token: String, expires_in: u64, max_ttl: u64) -> Self {
        Grant::new(
            access_token,
            Duration::from_secs(expires_in),
            Duration::from_secs(max_ttl),
        )
    }
}

/// Every login answers one type (the token renewal too): the grant it carries.
impl From<types::AccessTokenResponse> for Grant {
    fn from(answer: types::AccessTokenResponse) -> Self {
        Grant::from_seconds(
            answer.access_token.expose_secret().to_owned(),
            answer.expires_in,
            answer.access_token_max_ttl,
        )
    }
}

/// The future a login callback returns.
pub type LoginFuture = Pin<Box<dyn Future<Output = Result<Grant, Error>> + Send>>;
type LoginCallback = Arc<dyn Fn(Client) -> LoginFuture + Send + Sync>;

#[derive(Clone)]
enum Login {
    Universal {
        client_id: String,
        client_secret: SecretString,
    },
    Token(SecretString),
    Callback(LoginCallback),
}

impl Login {
    fn kind(&self) -> &'static str {
        match self {
            Login::Universal { .. } => "universal auth",
            Login::Token(_) => "access token",
            Login::Callback(_) => "login callback",
        }
    }
}

/// When a token is renewed: `fixed + proportion × TTL` before it expires, at most half the TTL
/// before. The default (5 s + 10 %) renews a 2-hour token 12 min 5 s early, a 2 s one 1 s early.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RenewMargin {
    /// The fixed part.
    pub fixed: Duration,
    /// The part proportional to the TTL, between 0 and 1.
    pub proportion: f64,
}

impl Default for RenewMargin {
    fn default() -> Self {
        RenewMargin {
            fixed: Duration::from_secs(5),
            proportion: 0.1,
        }
    }
}

impl RenewMargin {
    /// How long before the end of a `ttl` the token is renewed.
    pub fn before_expiry(&self, ttl: Duration) -> Duration {
        let proportion = self.proportion.clamp(0.0, 1.0);
        (self.fixed + ttl.mul_f64(proportion)).min(ttl / 2)
    }
}

/// A session under construction; see [`Session::builder`].
pub struct SessionBuilder {
    /// The session's client as it is being built: base URL, retries, timeout, TLS.
    connect: Connect,
    login: Option<Login>,
    margin: RenewMargin,
}

impl std::fmt::Debug for SessionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionBuilder")
            .field("connect", &self.connect)
            .field("login", &self.login.as_ref().map(Login::kind))
            .field("margin", &self.margin)
            .finish()
    }
}

/// Why a session could not be built.
///
/// New reasons may come in a minor release: a `match` needs a `_` arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// No login method was given.
    #[error("a session needs a login method: universal_auth, access_token or login_with")]
    NoLogin,
    /// The client could not be built.
    #[error(transparent)]
    Connect(#[from] ConnectError),
}

impl SessionBuilder {
    /// Logs in with universal auth (`POST /api/v1/auth/universal-auth/login`).
    pub fn universal_auth(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.login = Some(Login::Universal {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        });
        self
    }

    /// Uses a given access token (token auth, or one obtained elsewhere) as it is: it is not
    /// renewed, and a call it no longer opens fails with Infisical's 401.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.login = Some(Login::Token(SecretString::from(token.into())));
        self
    }

    /// Logs in by calling `login` with a client without a token, each time a login is needed:
    /// read a Kubernetes service-account token anew, sign a fresh AWS request, and call the
    /// method's login operation. Its answer converts into a [`Grant`] with `.into()`.
    pub fn login_with<F, Fut>(mut self, login: F) -> Self
    where
        F: Fn(Client) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Grant, Error>> + Send + 'static,
    {
        self.login = Some(Login::Callback(Arc::new(move |client| {
            Box::pin(login(client))
        })));
        self
    }

    /// When tokens are renewed (default 5 s + 10 % of the TTL before expiry).
    pub fn renew_margin(mut self, margin: RenewMargin) -> Self {
        self.margin = margin;
        self
    }

    /// The retry policy of every call, logins and renewals included.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.connect = self.connect.retry(retry);
        self
    }

    /// The time limit of each request, logins and renewals included (default 15 s);
    /// [`Client::with_timeout`] sets another for some calls.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.connect = self.connect.timeout(timeout);
        self
    }

    /// Trusts the certificates in `pem` as roots, in addition to the platform's: a self-hosted
    /// Infisical behind a private CA. See [`Connect::root_certificate_pem`].
    ///
    /// ```no_run
    /// use infisical_auth_client::{BaseUrl, Session};
    ///
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let session = Session::builder(BaseUrl::SelfHosted("https://infisical.internal".into()))
    ///     .root_certificate_pem(std::fs::read("/etc/infisical/ca.pem")?)
    ///     .universal_auth("client-id", "client-secret")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    #[cfg(any(feature = "rustls", feature = "rustls-ring"))]
    pub fn root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.connect = self.connect.root_certificate_pem(pem);
        self
    }

    /// Sends every call, logins and renewals included, through `http`, a `reqwest::Client` the
    /// program built (proxies, a shared pool, TLS settings). What still applies is listed at
    /// [`Connect::http_client`]: the session's token, the `User-Agent`, the
    /// [`timeout`](Self::timeout), the retries.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.connect = self.connect.http_client(http);
        self
    }

    /// The largest answer read, in bytes; see [`Connect::max_answer_bytes`].
    pub fn max_answer_bytes(mut self, limit: usize) -> Self {
        self.connect = self.connect.max_answer_bytes(limit);
        self
    }

    /// Builds the session. Nothing is sent: the first call logs in (or call [`Session::login`]).
    pub fn build(self) -> Result<Session, SessionError> {
        let login = self.login.ok_or(SessionError::NoLogin)?;
        let bare = self.connect.build()?;
        let state = Arc::new(SessionState {
            bare: bare.clone(),
            login,
            margin: self.margin,
            current: Current::default(),
            refresh: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
            failure: std::sync::Mutex::new(None),
        });
        if let Login::Token(token) = &state.login {
            let now = Instant::now();
            let token = state
                .token_from(
                    token.expose_secret().to_owned(),
                    now,
                    Duration::ZERO,
                    None,
                    false,
                )
                .map_err(|_| ConnectError::Token)?;
            state.current.store(Some(Arc::new(token)));
        }
        let mut client = bare;
        client.runtime.session = Some(state.clone());
        Ok(Session { client, state })
    }
}

/// A client that stays logged in. Built from a base URL and a login method
/// (universal auth, a given access token, or a callback that logs in any other way), it
/// gives every secured operation a valid token:
///
/// - it renews the token a margin before it expires ([`RenewMargin`]: fixed plus a share of the
///   TTL) through `POST /api/v1/auth/token/renew`, as long as the renewed token would not pass its
///   max TTL (counted from the login); then, or when renew is refused, it logs in again;
/// - a call answered 401 (token expired, revoked or out of uses) makes the session log in again,
///   and the call is sent once more if that is safe (the operation's
///   [`RetryClass`](crate::RetryClass));
/// - periodic tokens (reported with a max TTL of 1000000000 s) are renewed for ever;
/// - single flight: however many tasks find the token due, one renewal or login runs and they
///   all wait for it; the fresh-token check on every call reads an atomic pointer, no lock;
/// - no background task: renewals happen on the calls that need them;
/// - a failed login or renewal answers, for [`FAILURE_HOLD`], every call that needs a token
///   (those that waited for it and those that come just after) with the same error, instead of
///   each trying again: an outage or a wrong secret costs one attempt per second, not one per
///   call (a login may count towards Infisical's lockout, and a use-limited secret is spent);
/// - cheap to clone (two `Arc`s) and `Send + Sync`; [`Session::logout`] revokes the token.
///
/// The token and the client secret are never printed by `Debug`, logs or errors.
///
/// It dereferences to [`Client`], so every operation is a method of the session:
///
/// ```no_run
/// use infisical_auth_client::{BaseUrl, Session};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let session = Session::builder(BaseUrl::Eu)
///     .universal_auth("client-id", "client-secret")
///     .build()?;
/// let config = session.get_universal_auth().identity_id("identity-id").send().await?;
/// println!("{:?}", config.identity_universal_auth.access_token_ttl);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Session {
    client: Client,
    state: Arc<SessionState>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("base_url", &self.client.baseurl)
            .field("login", &self.state.login.kind())
            .field(
                "token",
                &self.state.current.load().as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Deref for Session {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Session {
    /// Starts building a session for `base_url` (renew margin 5 s + 10 %, default retries,
    /// timeout 15 s).
    pub fn builder(base_url: BaseUrl) -> SessionBuilder {
        SessionBuilder {
            connect: Client::connect(base_url),
            login: None,
            margin: RenewMargin::default(),
        }
    }

    /// The session's client (what the session dereferences to), to hand to code that takes a
    /// `Client`.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Makes sure the session holds a valid token now (logs in or renews if needed), so that a
    /// wrong secret shows at start-up rather than on the first call.
    pub async fn login(&self) -> Result<(), Error> {
        if let Some(token) = self.state.fresh() {
            drop(token);
            return Ok(());
        }
        self.state
            .refresh_now("session", None, Attempt::Always)
            .await
            .map(|_| ())
    }

    /// Revokes the current token (`POST /api/v1/auth/token/revoke`). A later call logs in again.
    pub async fn logout(&self) -> Result<(), Error> {
        let _single = self.state.refresh.lock().await;
        let Some(token) = self.state.current.swap(None) else {
            return Ok(());
        };
        let secret = token.secret.expose_secret().to_owned();
        self.state
            .bare
            .revoke_identity_access_token()
            .body(types::RevokeIdentityAccessTokenBody::new(secret))
            .send()
            .await
            .map(|_| ())
    }
}

/// A token in use, with when to renew it.
pub(crate) struct Token {
    /// `Bearer <token>`, marked sensitive.
    pub header: HeaderValue,
    secret: SecretString,
    /// Increases with each token the session installs.
    pub generation: u64,
    renew_at: Instant,
    expires_at: Instant,
    max_until: Option<Instant>,
    ttl: Duration,
    renewable: bool,
}

/// What a session shares between its clones and its client.
pub(crate) struct SessionState {
    bare: Client,
    login: Login,
    margin: RenewMargin,
    current: Current,
    refresh: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    /// The latest failed login or renewal, answered to calls for [`FAILURE_HOLD`].
    failure: std::sync::Mutex<Option<Failure>>,
}

/// The token a session's clones share: read by every call, replaced by a login or renewal,
/// taken by a logout. The lock is held only to clone or replace the `Arc`.
#[derive(Default)]
struct Current(std::sync::RwLock<Option<Arc<Token>>>);

impl Current {
    fn load(&self) -> Option<Arc<Token>> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn store(&self, token: Option<Arc<Token>>) {
        self.swap(token);
    }

    fn swap(&self, token: Option<Arc<Token>>) -> Option<Arc<Token>> {
        std::mem::replace(
            &mut *self.0.write().unwrap_or_else(|e| e.into_inner()),
            token,
        )
    }
}

/// A failed login or renewal and when it ended.
struct Failure {
    at: Instant,
    cause: Arc<Error>,
}

/// Whether a refresh may answer with the latest failure instead of trying.
#[derive(Clone, Copy, PartialEq)]
enum Attempt {
    /// A call that needs a token: a failure of the last [`FAILURE_HOLD`], or one that ended while
    /// the call waited for the refresh, is its answer.
    UnlessJustFailed,
    /// [`Session::login`]: the caller asks for an attempt now.
    Always,
}

/// A time so far ahead that it stands for never.
fn far_future(from: Instant) -> Instant {
    from.checked_add(Duration::from_secs(100 * 365 * 24 * 3600))
        .unwrap_or(from)
}

impl SessionState {
    /// The current token if it is not yet due for renewal: a shared read, never waiting on a
    /// login or renewal (those hold the lock only to put their token in).
    pub(crate) fn fresh(&self) -> Option<Arc<Token>> {
        let token = self.current.load()?;
        (Instant::now() < token.renew_at).then_some(token)
    }

    /// A valid token for a call of `operation`. `refused`: the generation of a token the server
    /// just refused (401), to be replaced. The slow path is boxed: a renewal or login is itself a
    /// call through the shared send path.
    pub(crate) async fn token(
        &self,
        operation: &'static str,
        refused: Option<u64>,
    ) -> Result<Arc<Token>, Error> {
        if refused.is_none() {
            if let Some(token) = self.fresh() {
                return Ok(token);
            }
        }
        self.refresh(operation, refused).await
    }

    /// The failure a call that started waiting at `since` answers with, if any.
    fn recent_failure(&self, since: Instant) -> Option<Arc<Error>> {
        let failure = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        let failure = failure.as_ref()?;
        (failure.at >= since || failure.at.elapsed() < FAILURE_HOLD).then(|| failure.cause.clone())
    }

    /// Records a failed login or renewal, and the error the call that tried gets.
    fn failed(&self, operation: &'static str, cause: Error) -> Error {
        let cause = Arc::new(cause);
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(Failure {
            at: Instant::now(),
            cause: cause.clone(),
        });
        Error::Session { operation, cause }
    }

    /// The slow path, one at a time: whoever gets the lock first renews or logs in; the others
    /// find the fresh token when they get it.
    fn refresh(
        &self,
        operation: &'static str,
        refused: Option<u64>,
    ) -> Pin<Box<dyn Future<Output = Result<Arc<Token>, Error>> + Send + '_>> {
        Box::pin(self.refresh_now(operation, refused, Attempt::UnlessJustFailed))
    }

    async fn refresh_now(
        &self,
        operation: &'static str,
        refused: Option<u64>,
        attempt: Attempt,
    ) -> Result<Arc<Token>, Error> {
        let since = Instant::now();
        let _single = self.refresh.lock().await;
        let now = Instant::now();
        let fresh = self
            .current
            .load()
            .filter(|current| refused != Some(current.generation) && now < current.renew_at);
        if let Some(current) = fresh {
            return Ok(current);
        }
        if attempt == Attempt::UnlessJustFailed {
            if let Some(cause) = self.recent_failure(since) {
                return Err(Error::Session { operation, cause });
            }
        }
        if let Some(current) = self.current.load() {
            let was_refused = refused == Some(current.generation);
            if !was_refused && now < current.renew_at {
                return Ok(current);
            }
            if let Login::Token(_) = self.login {
                // Nothing to log in with: the call gets Infisical's answer.
                return Ok(current);
            }
            let renewable = current.renewable
                && now < current.expires_at
                && current.max_until.is_none_or(|max| now + current.ttl <= max);
            if !was_refused && renewable {
                match self.renew(&current).await {
                    Ok(token) => return Ok(self.install(token)),
                    Err(error) if !error.is_retryable() => {} // refused: log in below
                    Err(error) if now < current.expires_at => {
                        // The server is unreachable but the token still works: use it, and try
                        // again in a moment.
                        let _ = error;
                        let retry_at =
                            now + Duration::from_secs(1).min((current.expires_at - now) / 2);
                        let again = Token {
                            header: current.header.clone(),
                            secret: current.secret.clone(),
                            generation: current.generation,
                            renew_at: retry_at,
                            expires_at: current.expires_at,
                            max_until: current.max_until,
                            ttl: current.ttl,
                            renewable: current.renewable,
                        };
                        let again = Arc::new(again);
                        self.current.store(Some(again.clone()));
                        return Ok(again);
                    }
                    Err(error) => return Err(self.failed(operation, error)),
                }
            }
        }
        let token = self
            .log_in()
            .await
            .map_err(|cause| self.failed(operation, cause))?;
        Ok(self.install(token))
    }

    fn install(&self, token: Token) -> Arc<Token> {
        *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let token = Arc::new(token);
        self.current.store(Some(token.clone()));
        token
    }

    async fn log_in(&self) -> Result<Token, Error> {
        let started = Instant::now();
        let grant: Grant = match &self.login {
            Login::Universal {
                client_id,
                client_secret,
            } => self
                .bare
                .login_with_universal_auth()
                .body(types::LoginWithUniversalAuthBody::new(
                    client_id.clone(),
                    client_secret.expose_secret(),
                ))
                .send()
                .await?
                .into_inner()
                .into(),
            Login::Callback(login) => login(self.bare.clone()).await?,
            Login::Token(_) => unreachable!("a token session never logs in"),
        };
        let max_until = (!grant.max_ttl.is_zero()).then(|| started + grant.max_ttl);
        self.token_from(
            grant.access_token.expose_secret().to_owned(),
            started,
            grant.expires_in,
            max_until,
            true,
        )
    }

    async fn renew(&self, current: &Token) -> Result<Token, Error> {
        let started = Instant::now();
        let secret = current.secret.expose_secret().to_owned();
        let answer = self
            .bare
            .renew_identity_access_token()
            .body(types::RenewIdentityAccessTokenBody::new(secret))
            .send()
            .await?
            .into_inner();
        let grant = Grant::from(answer);
        self.token_from(
            grant.access_token.expose_secret().to_owned(),
            started,
            grant.expires_in,
            current.max_until,
            true,
        )
    }

    fn token_from(
        &self,
        secret: String,
        issued: Instant,
        ttl: Duration,
        max_until: Option<Instant>,
        renewable: bool,
    ) -> Result<Token, Error> {
        let mut header = HeaderValue::from_str(&format!("Bearer {secret}")).map_err(|_| {
            Error::InvalidRequest {
                operation: "session",
                message:
                    "the access token contains characters that cannot be sent in an HTTP header"
                        .into(),
            }
        })?;
        header.set_sensitive(true);
        let (renew_at, expires_at) = if ttl.is_zero() {
            (far_future(issued), far_future(issued))
        } else {
            (
                issued + (ttl - self.margin.before_expiry(ttl)),
                issued + ttl,
            )
        };
        Ok(Token {
            header,
            secret: SecretString::from(secret),
            generation: self.generation.fetch_add(1, Ordering::Relaxed) + 1,
            renew_at,
            expires_at,
            max_until,
            ttl,
            renewable: renewable && !ttl.is_zero(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_is_fixed_plus_proportional_and_at_most_half_the_ttl() {
        let margin = RenewMargin::default();
        assert_eq!(
            margin.before_expiry(Duration::from_secs(7200)),
            Duration::from_secs(725)
        );
        assert_eq!(
            margin.before_expiry(Duration::from_secs(2)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let builder = Session::builder(BaseUrl::Us).universal_auth("id", "very-secret");
        assert!(!format!("{builder:?}").contains("very-secret"));
        let session = Session::builder(BaseUrl::Us)
            .access_token("st.very-secret")
            .build()
            .unwrap();
        let text = format!("{session:?} {:?}", session.client());
        assert!(!text.contains("very-secret"), "{text}");
        let grant = Grant::new("st.very-secret", Duration::from_secs(1), Duration::ZERO);
        assert!(!format!("{grant:?}").contains("very-secret"));
    }

    #[test]
    fn a_session_is_send_sync_and_cheap_to_clone() {
        fn send_sync<T: Send + Sync + Clone>() {}
        send_sync::<Session>();
        assert!(matches!(
            Session::builder(BaseUrl::Us).build(),
            Err(SessionError::NoLogin)
        ));
    }
}
