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
//! [`InfisicalAuthApi`]: infisical_auth_server::InfisicalAuthApi

mod api;
mod logins;
mod methods;
mod state;
pub mod verify;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use serde_json::{json, Value};

pub use api::ReferenceApi;

use infisical_auth_server::runtime::{bearer_token, new_request_id, RequestId};
use infisical_auth_server::{ApiError, RequestContext};

/// The OpenAPI document the server stubs were generated from.
pub const SPEC_JSON: &str = include_str!("../../../openapi/infisical-identity-auth.json");

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

/// The whole application: the generated router on `api`, the extra routes, and (if asked) the
/// request log.
pub fn app(api: Arc<ReferenceApi>, log_requests: bool) -> axum::Router {
    let api_for_header = api.clone();
    let extra = axum::Router::new()
        .route("/api/docs/json", get(docs))
        .route("/api/v1/identities", post(create_identity))
        .with_state(api.clone());
    // The extra routes join after the generated router's fallbacks were set: set the
    // method-not-allowed one again so that e.g. `DELETE /api/docs/json` is Infisical's 404 too,
    // and ignore trailing slashes on them as on the API's routes.
    let app = infisical_auth_server::runtime::ignore_trailing_slashes(
        infisical_auth_server::router(api)
            .merge(extra)
            .method_not_allowed_fallback(infisical_auth_server::runtime::not_found),
    );
    // TLS-certificate logins read the client certificate from a header the proxy sets.
    let header = api_header(&api_for_header);
    let app = app.layer(middleware::from_fn(move |request: Request, next: Next| {
        let value = request
            .headers()
            .get(&*header)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        verify::with_client_certificate(value, next.run(request))
    }));
    if log_requests {
        app.layer(middleware::from_fn(log_request))
    } else {
        app
    }
}

fn api_header(api: &ReferenceApi) -> Arc<str> {
    api.client_certificate_header().into()
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
    let app = app(api, log_requests);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
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

async fn log_request(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
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
    response
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
