//! The client in real deployments: the `User-Agent` it sends, and the bound on what it reads of
//! an answer (declared by `Content-Length`, or streamed without one). Loopback servers of a few
//! lines stand in for a misbehaving Infisical.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use infisical_auth_client::{BaseUrl, Client, Error, RetryPolicy, USER_AGENT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const ID: &str = "7d1f0a38-3c5e-4c53-9a0e-4d3c2b1a0f9e";

fn client(base: String, limit: Option<usize>) -> Client {
    let connect = Client::connect(BaseUrl::SelfHosted(base))
        .bearer_token("token")
        .retry(RetryPolicy::none());
    match limit {
        Some(limit) => connect.max_answer_bytes(limit),
        None => connect,
    }
    .build()
    .expect("client")
}

/// A server that reads one request, remembers its head, and answers `head` then `body_chunks`
/// chunks of `chunk` bytes (counting what it managed to write).
async fn serve_once(
    head: &'static str,
    chunk: usize,
    body_chunks: usize,
    chunked: bool,
) -> (String, Arc<Mutex<String>>, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(String::new()));
    let written = Arc::new(AtomicUsize::new(0));
    let (seen2, written2) = (seen.clone(), written.clone());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let n = socket.read(&mut buf).await.unwrap();
        *seen2.lock().unwrap() = String::from_utf8_lossy(&buf[..n]).into_owned();
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let data = vec![b'a'; chunk];
        for _ in 0..body_chunks {
            let frame = if chunked {
                let mut frame = format!("{chunk:x}\r\n").into_bytes();
                frame.extend_from_slice(&data);
                frame.extend_from_slice(b"\r\n");
                frame
            } else {
                data.clone()
            };
            if socket.write_all(&frame).await.is_err() {
                return;
            }
            written2.fetch_add(chunk, Ordering::SeqCst);
        }
        if chunked {
            let _ = socket.write_all(b"0\r\n\r\n").await;
        }
    });
    (base, seen, written)
}

#[tokio::test]
async fn every_request_names_the_crate_and_its_version() {
    let head =
        "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
    let (base, seen, _) = serve_once(head, 0, 0, false).await;
    let _ = client(base, None)
        .get_universal_auth()
        .identity_id(ID)
        .send()
        .await;
    let request = seen.lock().unwrap().to_ascii_lowercase();
    assert_eq!(
        USER_AGENT,
        concat!("infisical-auth-client/", env!("CARGO_PKG_VERSION"))
    );
    assert!(
        request.contains(&format!(
            "user-agent: {}\r\n",
            USER_AGENT.to_ascii_lowercase()
        )),
        "{request}"
    );
}

#[tokio::test]
async fn an_answer_declared_larger_than_the_bound_is_refused_unread() {
    // 4 MiB declared, the bound 1 MiB: refused on the declared length.
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4194304\r\n\r\n";
    let (base, _, _) = serve_once(head, 64 * 1024, 64, false).await;
    let err = client(base, Some(1024 * 1024))
        .get_universal_auth()
        .identity_id(ID)
        .send()
        .await
        .expect_err("too large");
    assert!(
        matches!(err, Error::AnswerTooLarge { operation: "getUniversalAuth", limit } if limit == 1024 * 1024),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(
        err.to_string().contains("larger than 1048576 bytes"),
        "{err}"
    );
}

#[tokio::test]
async fn a_streamed_answer_is_read_no_further_than_the_bound() {
    // 256 MiB streamed without a length: the client stops after 1 MiB, so the server cannot write
    // much beyond what the socket buffers hold.
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    let (base, _, written) = serve_once(head, 64 * 1024, 4096, true).await;
    let err = client(base, Some(1024 * 1024))
        .get_universal_auth()
        .identity_id(ID)
        .send()
        .await
        .expect_err("too large");
    assert!(matches!(err, Error::AnswerTooLarge { .. }), "{err:?}");
    // Give the server a moment to notice the closed connection.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let sent = written.load(Ordering::SeqCst);
    assert!(
        sent < 64 * 1024 * 1024,
        "the server wrote {sent} bytes: the client read on past the bound"
    );
}
