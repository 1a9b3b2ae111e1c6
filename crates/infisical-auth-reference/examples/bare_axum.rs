//! The benchmark's baseline: a bare axum handler that reads the request's body, as a handler of a
//! write or a login does, and answers a fixed JSON body of the size of a universal-auth
//! configuration answer, on any method and path (`bench/load.sh`).
//!
//! ```text
//! cargo run --release --example bare_axum -- 127.0.0.1:8081
//! ```

use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;

const BODY: &str = r#"{"identityUniversalAuth":{"accessTokenMaxTTL":2592000.0,"accessTokenNumUsesLimit":0.0,"accessTokenPeriod":0.0,"accessTokenTTL":2592000.0,"accessTokenTrustedIps":[{"ipAddress":"0.0.0.0","prefix":0,"type":"ipv4"},{"ipAddress":"::","prefix":0,"type":"ipv6"}],"clientId":"1ec8306e-ea81-4745-8ea7-9430bee3bc09","clientSecretTrustedIps":[{"ipAddress":"0.0.0.0","prefix":0,"type":"ipv4"},{"ipAddress":"::","prefix":0,"type":"ipv6"}],"createdAt":"2026-11-25T06:18:33.272Z","id":"6d27d593-92e1-4d4b-955f-1c6fd1cf0201","identityId":"c4e425d7-dfcf-436b-a9fa-23876cb8b9b1","lockoutCounterResetSeconds":30.0,"lockoutDurationSeconds":300.0,"lockoutEnabled":true,"lockoutThreshold":3.0,"updatedAt":"2026-11-25T06:18:33.294Z"}}"#;

async fn fixed(body: Bytes) -> impl IntoResponse {
    std::hint::black_box(body);
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        BODY,
    )
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".into());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("bare-axum: listening on http://{}", listener.local_addr()?);
    let app = axum::Router::new().fallback(fixed);
    axum::serve(listener, app).await
}
