//! The reference server: an in-memory implementation of [`InfisicalAuthApi`] behind the generated
//! router, plus what a test double needs around it:
//!
//! - `POST /api/v1/identities` (admin token only, not part of Infisical's API): creates an
//!   identity, body `{"id"?: UUID, "name"?: string}`, answers `{"identity": {"id", "name"}}`;
//! - `GET /api/docs/json`: the OpenAPI document the server was generated from, as Infisical
//!   serves it;
//! - a log line per request (method, path, status, latency, reqId; never a header, query or body).
//!
//! Management calls accept the admin token, or an access token issued by this server (used from
//! one of its trusted IPs, counting against its use limit).
//!
//! Serve it on a loopback port for a test (the `reference-server` binary does the same from
//! the command line):
//!
//! ```no_run
//! use infisical_auth_reference::{serve, ReferenceConfig};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let config = ReferenceConfig {
//!     admin_token: "admin-token".into(),
//!     identities: vec!["1d3c7c52-8f0c-4b7e-9a61-3c6c0a3b9e11".into()],
//!     ..Default::default()
//! };
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let base_url = format!("http://{}", listener.local_addr()?);
//! tokio::spawn(async move { serve(listener, &config, std::future::pending()).await });
//! // Point a client at `base_url`; management calls take "admin-token" as bearer token.
//! # let _ = base_url; Ok(()) }
//! ```
//!
//! The OpenAPI document it serves is this crate's copy of the workspace's spec
//! (`openapi/infisical-identity-auth.json`, kept identical by a workspace test).
//!
//! [`InfisicalAuthApi`]: infisical_auth_server::InfisicalAuthApi

mod api;
mod logins;
mod methods;
mod state;
pub mod verify;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use serde_json::{json, Value};

pub use api::ReferenceApi;

use infisical_auth_server::runtime::{
    bearer_token, new_request_id, without_trailing_slashes, ApiFuture, ApiService, RequestId,
};
use infisical_auth_server::{ApiError, RequestContext};

/// The OpenAPI document the server stubs were generated from.
pub const SPEC_JSON: &str = include_str!("../openapi/infisical-identity-auth.json");

/// How to run the reference server. `Debug` redacts the admin token.
#[derive(Clone, Default)]
pub struct ReferenceConfig {
    /// The bearer token that authorises management calls.
    pub admin_token: String,
    /// Identities to create at start (UUIDs).
    pub identities: Vec<String>,
    /// How many further identities to create at start, each with universal auth attached with
    /// the defaults (for load and memory measurements).
    pub seed_identities: usize,
    /// Log a line per request to standard output.
    pub log_requests: bool,
    /// The header TLS-certificate logins read the client certificate from; empty: Infisical's
    /// default, `x-identity-tls-cert-auth-client-cert`.
    pub client_certificate_header: String,
    /// How long a verified login may wait for a provider (JWKS, discovery, bundle endpoint,
    /// TokenReview, STS, LDAP) per call; `None`: 10 seconds.
    pub provider_timeout: Option<std::time::Duration>,
}

impl std::fmt::Debug for ReferenceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceConfig")
            .field("admin_token", &"<redacted>")
            .field("identities", &self.identities)
            .field("seed_identities", &self.seed_identities)
            .field("log_requests", &self.log_requests)
            .field("client_certificate_header", &self.client_certificate_header)
            .field("provider_timeout", &self.provider_timeout)
            .finish()
    }
}

/// Builds the state of a reference server from `config`.
pub fn build(config: &ReferenceConfig) -> Result<Arc<ReferenceApi>, ApiError> {
    let api = Arc::new(
        ReferenceApi::new(config.admin_token.clone())
            .with_client_certificate_header(&config.client_certificate_header)
            .with_provider_timeout(config.provider_timeout),
    );
    for id in &config.identities {
        api.create_identity(Some(id))?;
    }
    for _ in 0..config.seed_identities {
        let id = api.create_identity(None)?;
        api.seed_universal_auth(&id)?;
    }
    Ok(api)
}

/// The whole application: the generated API on `api`, the extra routes, and (if asked) the
/// request log, as an axum router ([`service`] in a router).
pub fn app(api: Arc<ReferenceApi>, log_requests: bool) -> axum::Router {
    axum::Router::new().fallback_service(service(api, log_requests))
}

/// The whole application as one service (what [`serve_api`] serves): the generated API service
/// and the extra routes, behind [`Dialect`].
pub fn service(api: Arc<ReferenceApi>, log_requests: bool) -> Dialect {
    let certificate_header =
        HeaderName::from_bytes(api.client_certificate_header().as_bytes()).ok();
    // Unknown routes and other methods on the extra routes are Infisical's 404, as on the API's.
    let extra = axum::Router::new()
        .route("/api/docs/json", get(docs))
        .route("/api/v1/identities", post(create_identity))
        .fallback(infisical_auth_server::runtime::not_found)
        .method_not_allowed_fallback(infisical_auth_server::runtime::not_found)
        .with_state(api.clone());
    Dialect {
        api: infisical_auth_server::service(api),
        extra,
        certificate_header,
        log_requests,
    }
}

/// The path of the TLS-certificate login, the one operation that reads the client-certificate
/// header.
const TLS_CERT_LOGIN: &str = "/api/v1/auth/tls-cert-auth/login";

/// What the server does around its routes for each request: trailing slashes removed before
/// routing (as on the API's routes, docs/infisical-behaviour.md#request-dialect), the request
/// routed to the API or to the extra routes, the client-certificate header handed to
/// TLS-certificate logins, and the request log line.
#[derive(Clone)]
pub struct Dialect {
    api: ApiService<ReferenceApi>,
    extra: axum::Router,
    /// The header TLS-certificate logins read the client certificate from, the proxy's.
    certificate_header: Option<HeaderName>,
    log_requests: bool,
}

/// The answer of [`Dialect`] to come: the API's own future for an API request served without a
/// log line or a certificate, a boxed one otherwise.
pub enum DialectFuture {
    /// An API request, as is.
    Api(ApiFuture),
    /// Anything else.
    Boxed(Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>),
}

impl Future for DialectFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            DialectFuture::Api(future) => Pin::new(future).poll(cx),
            DialectFuture::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}

impl tower::Service<Request> for Dialect {
    type Response = Response;
    type Error = Infallible;
    type Future = DialectFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let request = without_trailing_slashes(request);
        // Only TLS-certificate logins read the header (the scope costs every other request).
        let certificate = self
            .certificate_header
            .as_ref()
            .filter(|_| request.uri().path() == TLS_CERT_LOGIN)
            .and_then(|name| request.headers().get(name))
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let log = self.log_requests.then(|| {
            (
                Instant::now(),
                request.method().clone(),
                request.uri().path().to_owned(),
            )
        });
        // Routing only picks the handler: it runs when polled, inside the certificate's scope.
        let routed = self
            .api
            .route(request)
            .map_err(|request| self.extra.call(request));
        let routed = match routed {
            Ok(api) if certificate.is_none() && log.is_none() => return DialectFuture::Api(api),
            routed => routed,
        };
        DialectFuture::Boxed(Box::pin(async move {
            let serve = async move {
                match routed {
                    Ok(api) => api.await,
                    Err(extra) => extra.await,
                }
            };
            let served = match certificate {
                Some(certificate) => {
                    verify::with_client_certificate(Some(certificate), serve).await
                }
                None => serve.await,
            };
            let response = match served {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if let Some((start, method, path)) = log {
                log_request(&method, &path, &response, start);
            }
            Ok(response)
        }))
    }
}

/// Serves `config` on `listener` until `shutdown` completes (connections are drained first).
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: &ReferenceConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let api = build(config).map_err(|e| std::io::Error::other(e.to_string()))?;
    serve_api(listener, api, config.log_requests, shutdown).await
}

/// Serves an already [`build`]t `api` on `listener` until `shutdown` completes.
pub async fn serve_api(
    listener: tokio::net::TcpListener,
    api: Arc<ReferenceApi>,
    log_requests: bool,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = service(api, log_requests);
    axum::serve(
        listener,
        axum::ServiceExt::<Request>::into_make_service_with_connect_info::<SocketAddr>(service),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn docs() -> Response {
    let mut response = Response::new(axum::body::Body::from(SPEC_JSON));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

async fn create_identity(
    State(api): State<Arc<ReferenceApi>>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = new_request_id();
    let outcome = (|| {
        let token =
            bearer_token(&headers).ok_or_else(|| ApiError::unauthorized("Token missing"))?;
        let ctx = RequestContext {
            bearer_token: Some(token),
            client_ip: connect.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| {
                c.0 .0.ip().to_canonical()
            }),
            request_id: request_id.clone(),
        };
        api.authorize(&ctx)?;
        let body: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("Body is not valid JSON: {e}")))?
        };
        let id = body.get("id").and_then(Value::as_str);
        let name = body.get("name").and_then(Value::as_str);
        let id = api.create_identity(id)?;
        let name = name
            .map(str::to_owned)
            .unwrap_or_else(|| format!("identity-{}", &id[..8]));
        Ok::<_, ApiError>(json!({"identity": {"id": id, "name": name}}))
    })();
    let mut response = match outcome {
        Ok(value) => (StatusCode::OK, axum::Json(value)).into_response(),
        Err(error) => error.to_response(&request_id),
    };
    response.extensions_mut().insert(RequestId(request_id));
    response
}

/// The log line of one request: method, path, status, latency and request id (never a header,
/// query or body).
fn log_request(method: &Method, path: &str, response: &Response, start: Instant) {
    let request_id = response
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.as_str())
        .unwrap_or("-");
    println!(
        "{method} {path} {} {:.3}ms {request_id}",
        response.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_admin_token() {
        let config = ReferenceConfig {
            admin_token: "very-secret-admin-token".into(),
            ..ReferenceConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
