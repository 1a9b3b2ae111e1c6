//! The loopback server the construct tests run the generated clients against: it records every
//! request as it saw it ([`Seen`]) and answers with the routes of the test file that starts it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};

/// One request as the server saw it.
#[derive(Clone, Debug)]
#[allow(dead_code)] // Each test file reads the parts it checks.
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Every request the server received, oldest first.
pub type Log = Arc<Mutex<Vec<Seen>>>;

/// A test file's answers: by method, path and body.
pub type Routes = fn(&str, &str, Bytes) -> Response;

/// A JSON answer.
pub fn json(value: serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

async fn answer(State((log, routes)): State<(Log, Routes)>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    log.lock().unwrap().push(Seen {
        method: parts.method.clone(),
        path: path.clone(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    routes(parts.method.as_str(), &path, body)
}

/// Starts a loopback server answering with `routes`; its base URL and its log.
pub async fn server(routes: Routes) -> (String, Log) {
    let log: Log = Arc::default();
    let app = axum::Router::new()
        .fallback(answer)
        .with_state((log.clone(), routes));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), log)
}

/// The latest request the server received.
pub fn last(log: &Log) -> Seen {
    log.lock()
        .unwrap()
        .last()
        .cloned()
        .expect("a request reached the server")
}
