//! What the server does around its routes for each request ([`Dialect`]), and the connection
//! loop that serves it ([`serve_api`]).
//!
//! For each request, in order: trailing slashes are removed (as on the API's routes,
//! docs/infisical-behaviour.md#request-dialect); `/_reference/...` goes to the control routes,
//! neither faulted nor journaled; the operation is looked up (when a fault rule is set or the
//! journal is on: the stubs' router matches the request once, and serves it with that match); a
//! fault rule that applies answers, delays or drops the
//! request before the API sees it; otherwise the request goes to the API or to the extra routes,
//! TLS-certificate logins with the client-certificate header; the answer is journaled and logged.
//!
//! The connection loop is hyper's HTTP/1 server, as `axum::serve` runs it, with one difference:
//! a request a fault rule drops ends its connection without an answer.

use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::response::Response;
use infisical_auth_server::runtime::{
    new_request_id, without_trailing_slashes, ApiFuture, ApiService, Found, Operation, RequestId,
    DRAIN_LIMIT,
};

use crate::faults::Fault;
use crate::journal::{take_noted, Record};
use crate::{routes, verify, ReferenceApi};

/// The path of the TLS-certificate login, the one operation that reads the client-certificate
/// header.
const TLS_CERT_LOGIN: &str = "/api/v1/auth/tls-cert-auth/login";

/// The control routes' prefix.
const CONTROL: &str = "/_reference";

/// Marks the answer to a request whose connection a fault rule drops: [`serve_api`] closes the
/// connection instead of answering (another server sends the 503 it carries, with
/// `Connection: close`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DropConnection;

/// The whole application as one tower service (see the module documentation).
#[derive(Clone)]
pub struct Dialect {
    state: Arc<ReferenceApi>,
    api: ApiService<ReferenceApi>,
    extra: axum::Router,
    /// The header TLS-certificate logins read the client certificate from, the proxy's.
    certificate_header: Option<HeaderName>,
    log_requests: bool,
}

impl std::fmt::Debug for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dialect")
            .field("log_requests", &self.log_requests)
            .finish_non_exhaustive()
    }
}

type Boxed = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// Where a request goes, as far as [`Dialect::call`] matched it.
enum Routed {
    /// One of the API's paths (its operation, or the 404 of a method the path does not take).
    Api(Found),
    /// Not one of the API's paths: the extra routes.
    NotApi,
    /// Not matched yet (neither the journal nor a fault rule needed it): the API's router
    /// matches it when serving.
    NotLookedUp,
}

enum Inner {
    /// An API request, as is.
    Api(ApiFuture),
    /// Anything else.
    Boxed(Boxed),
}

/// The answer of [`Dialect`] to come: the API's own future for an API request (or a boxed one
/// for anything else), journaled and logged when it is ready.
pub struct DialectFuture {
    inner: Inner,
    watch: Option<Watch>,
}

/// What the journal and the log line need of a request, gathered while it is served.
struct Watch {
    state: Arc<ReferenceApi>,
    journal: bool,
    /// The method and path for the log line.
    log: Option<(Method, String)>,
    start: Instant,
    at: SystemTime,
    operation: Option<&'static Operation>,
    /// The method of a request that matched no operation.
    method: Option<Method>,
    client_ip: Option<IpAddr>,
    identity_id: Option<Box<str>>,
    noted_identity: Option<Arc<str>>,
    caller: Option<Arc<str>>,
    fault: Option<&'static str>,
}

impl Watch {
    fn finish(self, response: &Response) {
        let request_id = response
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone());
        let dropped = response.extensions().get::<DropConnection>().is_some();
        let latency = self.start.elapsed();
        if let Some((method, path)) = &self.log {
            let status = if dropped {
                "dropped".to_owned()
            } else {
                response.status().as_u16().to_string()
            };
            println!(
                "{method} {path} {status} {:.3}ms {}",
                latency.as_secs_f64() * 1000.0,
                request_id.as_deref().unwrap_or("-")
            );
        }
        if self.journal {
            let status = (!dropped).then(|| response.status().as_u16());
            self.record(status, request_id, latency);
        }
    }

    /// Journals and logs a request whose future was dropped before its answer was ready (the
    /// client went away): no status, no request id.
    fn unanswered(self) {
        let latency = self.start.elapsed();
        if let Some((method, path)) = &self.log {
            println!(
                "{method} {path} unanswered {:.3}ms -",
                latency.as_secs_f64() * 1000.0
            );
        }
        if self.journal {
            self.record(None, None, latency);
        }
    }

    fn record(self, status: Option<u16>, req_id: Option<String>, latency: std::time::Duration) {
        let identity_id = self
            .identity_id
            .or_else(|| self.noted_identity.as_deref().map(Box::from));
        self.state.journal().record(Record {
            at: self.at,
            operation: self.operation,
            method: self.method,
            status,
            latency,
            req_id,
            client_ip: self.client_ip,
            identity_id,
            caller: self.caller,
            fault: self.fault,
        });
    }
}

impl Drop for DialectFuture {
    fn drop(&mut self) {
        if let Some(watch) = self.watch.take() {
            watch.unanswered();
        }
    }
}

impl Future for DialectFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let Some(watch) = &mut this.watch else {
            return match &mut this.inner {
                Inner::Api(future) => Pin::new(future).poll(cx),
                Inner::Boxed(future) => future.as_mut().poll(cx),
            };
        };
        // What handlers note while polled here is this request's (see journal::take_noted).
        drop(take_noted());
        let polled = match &mut this.inner {
            Inner::Api(future) => Pin::new(future).poll(cx),
            Inner::Boxed(future) => future.as_mut().poll(cx),
        };
        let noted = take_noted();
        if noted.identity.is_some() {
            watch.noted_identity = noted.identity;
        }
        if noted.caller.is_some() {
            watch.caller = noted.caller;
        }
        let Poll::Ready(Ok(response)) = polled else {
            return polled;
        };
        if let Some(watch) = this.watch.take() {
            watch.finish(&response);
        }
        Poll::Ready(Ok(response))
    }
}

impl Dialect {
    /// The application on `api`, logging a line per request when `log_requests`.
    pub fn new(api: Arc<ReferenceApi>, log_requests: bool) -> Dialect {
        let certificate_header =
            HeaderName::from_bytes(api.client_certificate_header().as_bytes()).ok();
        Dialect {
            api: infisical_auth_server::service(Arc::clone(&api)),
            extra: crate::control::router(Arc::clone(&api)),
            state: api,
            certificate_header,
            log_requests,
        }
    }

    /// Serves `request` at once: the API's route or the extra routes', TLS-certificate logins in
    /// the scope of their client-certificate header. `routed` is what [`Dialect::call`] found.
    fn serve_now(&mut self, request: Request, routed: Routed) -> Inner {
        // Only TLS-certificate logins read the header (the scope costs every other request).
        let certificate = self
            .certificate_header
            .as_ref()
            .filter(|_| request.uri().path() == TLS_CERT_LOGIN)
            .and_then(|name| request.headers().get(name))
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        // Routing only picks the handler: it runs when polled, inside the certificate's scope.
        let routed = match routed {
            Routed::Api(found) => Ok(self.api.serve(found, request)),
            Routed::NotApi => Err(request),
            Routed::NotLookedUp => self.api.route(request),
        }
        .map_err(|request| {
            let mut extra = self.extra.clone();
            async move { tower::Service::call(&mut extra, request).await }
        });
        match (routed, certificate) {
            (Ok(api), None) => Inner::Api(api),
            (Ok(api), Some(certificate)) => Inner::Boxed(Box::pin(
                verify::with_client_certificate(Some(certificate), api),
            )),
            (Err(extra), None) => Inner::Boxed(Box::pin(extra)),
            (Err(extra), Some(certificate)) => Inner::Boxed(Box::pin(
                verify::with_client_certificate(Some(certificate), extra),
            )),
        }
    }

    /// Serves `request` as fault rule `fault` says.
    fn faulted(&self, request: Request, fault: Fault, routed: Routed) -> Inner {
        let mut this = self.clone();
        Inner::Boxed(Box::pin(async move {
            if fault.status.is_none() && !fault.drop {
                // A delay: then the request is served as usual.
                if let Some(delay) = fault.delay {
                    tokio::time::sleep(delay).await;
                }
                return match this.serve_now(request, routed) {
                    Inner::Api(future) => future.await,
                    Inner::Boxed(future) => future.await,
                };
            }
            let request_id = new_request_id();
            // The request is read in full first (a client that writes its body before reading
            // gets the answer, and a drop comes after the request is read).
            let read = axum::body::to_bytes(request.into_body(), DRAIN_LIMIT as usize)
                .await
                .is_ok();
            if let Some(delay) = fault.delay {
                tokio::time::sleep(delay).await;
            }
            let mut response = match fault.status {
                Some((status, retry_after)) => Fault::answer(status, retry_after, &request_id),
                None => {
                    let mut response = Fault::answer(503, None, &request_id);
                    response.extensions_mut().insert(DropConnection);
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                    response
                }
            };
            if !read {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            response.extensions_mut().insert(RequestId(request_id));
            Ok(response)
        }))
    }
}

impl tower::Service<Request> for Dialect {
    type Response = Response;
    type Error = Infallible;
    type Future = DialectFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> DialectFuture {
        let request = without_trailing_slashes(request);
        let path = request.uri().path();
        if path == CONTROL || path.starts_with("/_reference/") {
            let mut extra = self.extra.clone();
            return DialectFuture {
                inner: Inner::Boxed(Box::pin(async move {
                    tower::Service::call(&mut extra, request).await
                })),
                watch: None,
            };
        }
        let journal = self.state.journal().enabled();
        let faults = self.state.faults().any();
        // One match of the API's routes serves the journal, the fault rules and the request.
        let routed = if journal || faults {
            match self.api.find(&request) {
                Some(found) => Routed::Api(found),
                None => Routed::NotApi,
            }
        } else {
            Routed::NotLookedUp
        };
        let operation = match &routed {
            Routed::Api(found) => found.operation(),
            Routed::NotApi => routes::extra(request.method(), path),
            Routed::NotLookedUp => None,
        };
        let fault = match (&routed, operation) {
            (Routed::Api(_), Some(operation)) if faults => self.state.faults().take(operation.id),
            _ => None,
        };
        let watch = (journal || self.log_requests).then(|| Watch {
            state: Arc::clone(&self.state),
            journal,
            log: self
                .log_requests
                .then(|| (request.method().clone(), path.to_owned())),
            start: Instant::now(),
            at: SystemTime::now(),
            operation,
            method: operation.is_none().then(|| request.method().clone()),
            client_ip: request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_canonical()),
            identity_id: match &routed {
                Routed::Api(found) if operation.is_some() => {
                    found.param("identityId").map(Box::from)
                }
                _ => None,
            },
            noted_identity: None,
            caller: None,
            fault: fault.as_ref().map(Fault::kind),
        });
        let inner = match fault {
            Some(fault) => self.faulted(request, fault, routed),
            None => self.serve_now(request, routed),
        };
        DialectFuture { inner, watch }
    }
}

/// Why a connection was closed without an answer: a fault rule dropped its request.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault rule")
    }
}

impl std::error::Error for Dropped {}

/// [`Dialect`] as one connection's hyper service: the caller's address in each request's
/// extensions (as axum's connect info puts it), a dropped request an error that ends the
/// connection.
#[derive(Clone)]
struct Connection {
    dialect: Dialect,
    remote: SocketAddr,
}

impl hyper::service::Service<hyper::Request<hyper::body::Incoming>> for Connection {
    type Response = Response;
    type Error = Dropped;
    type Future = ConnectionFuture;

    fn call(&self, request: hyper::Request<hyper::body::Incoming>) -> ConnectionFuture {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(self.remote));
        let mut dialect = self.dialect.clone();
        ConnectionFuture(tower::Service::call(&mut dialect, request))
    }
}

struct ConnectionFuture(DialectFuture);

impl Future for ConnectionFuture {
    type Output = Result<Response, Dropped>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match Pin::new(&mut self.get_mut().0).poll(cx) {
            Poll::Ready(Ok(response))
                if response.extensions().get::<DropConnection>().is_some() =>
            {
                Poll::Ready(Err(Dropped))
            }
            Poll::Ready(Ok(response)) => Poll::Ready(Ok(response)),
            Poll::Ready(Err(never)) => match never {},
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Serves an already [`build`](crate::build)t `api` on `listener` until `shutdown` completes:
/// then it stops accepting and waits for the requests in flight (idle connections are closed).
pub async fn serve_api(
    listener: tokio::net::TcpListener,
    api: Arc<ReferenceApi>,
    log_requests: bool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let dialect = Dialect::new(api, log_requests);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let http = hyper::server::conn::http1::Builder::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    accept_error(error).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = Connection {
            dialect: dialect.clone(),
            remote,
        };
        let connection =
            graceful.watch(http.serve_connection(hyper_util::rt::TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection that ends in error (a dropped request, a client gone) just ends.
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// What `axum::serve` does on a failed accept: a connection error (the peer gave up) is
/// ignored; anything else (out of file descriptors) waits a second before accepting again.
async fn accept_error(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
