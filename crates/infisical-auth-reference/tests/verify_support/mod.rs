//! What the verifier tests share: signing keys and tokens made on the spot, and small HTTP servers
//! on 127.0.0.1 that stand in for identity providers (JWKS, discovery, bundle endpoints, the
//! Kubernetes API, STS), each counting the requests it answered.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use base64::Engine as _;
use infisical_auth_reference::verify::{Fetcher, LoginFailure};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A fetcher with short limits, so a stalled provider fails a test's login quickly.
pub fn fetcher() -> Fetcher {
    Fetcher::new(Duration::from_millis(700), 64 * 1024)
}

/// An ES256 signing key with its public forms.
pub struct SigningKey {
    pub kid: String,
    pub pair: rcgen::KeyPair,
}

impl SigningKey {
    pub fn new(kid: &str) -> Self {
        Self {
            kid: kid.to_owned(),
            pair: rcgen::KeyPair::generate().expect("key pair"),
        }
    }

    /// The public key as PEM (SPKI).
    pub fn public_pem(&self) -> String {
        self.pair.public_key_pem()
    }

    /// The public key as a JWK with this key's `kid`.
    pub fn jwk(&self) -> Value {
        let raw = self.pair.public_key_raw();
        assert_eq!(raw.len(), 65, "uncompressed P-256 point");
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        json!({
            "kty": "EC",
            "crv": "P-256",
            "kid": self.kid,
            "use": "sig",
            "alg": "ES256",
            "x": b64(&raw[1..33]),
            "y": b64(&raw[33..65]),
        })
    }

    /// A JWT with `claims`, signed by this key, its header naming the `kid` when `with_kid`.
    pub fn sign(&self, claims: &Value, with_kid: bool) -> String {
        let mut header = Header::new(Algorithm::ES256);
        if with_kid {
            header.kid = Some(self.kid.clone());
        }
        let key = EncodingKey::from_ec_pem(self.pair.serialize_pem().as_bytes()).expect("key");
        jsonwebtoken::encode(&header, claims, &key).expect("sign")
    }
}

/// A JWKS document of `keys`.
pub fn jwks(keys: &[&SigningKey]) -> Value {
    json!({ "keys": keys.iter().map(|key| key.jwk()).collect::<Vec<_>>() })
}

/// A document an HTTP stand-in serves, replaceable while it runs, and how often it was fetched.
#[derive(Clone, Default)]
pub struct Served {
    pub body: Arc<Mutex<String>>,
    pub hits: Arc<AtomicUsize>,
}

impl Served {
    pub fn new(body: impl Into<String>) -> Self {
        let served = Self::default();
        served.set(body);
        served
    }

    pub fn set(&self, body: impl Into<String>) {
        *self.body.lock().unwrap() = body.into();
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// A handler answering the current body as JSON and counting the call.
    pub fn handler(&self) -> axum::routing::MethodRouter {
        let served = self.clone();
        axum::routing::get(move || {
            let served = served.clone();
            async move {
                served.hits.fetch_add(1, Ordering::SeqCst);
                let body = served.body.lock().unwrap().clone();
                ([("content-type", "application/json")], body)
            }
        })
    }
}

/// Serves `router` on 127.0.0.1 (a free port) for the rest of the test.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

/// A loopback port that accepts connections and never answers (a provider that hangs).
pub async fn silent_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    addr
}

/// A loopback port nothing listens on (a provider that is down).
pub async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

/// Asserts a failure's status and message.
#[track_caller]
pub fn assert_failure<T: std::fmt::Debug>(
    result: Result<T, LoginFailure>,
    status: u16,
    message: &str,
) {
    match result {
        Ok(ok) => panic!("expected {status} {message:?}, got Ok({ok:?})"),
        Err(failure) => {
            assert_eq!(
                (failure.status, failure.message.as_str()),
                (status, message),
                "failure"
            );
        }
    }
}

/// Asserts a failure's status and the start of its message.
#[track_caller]
pub fn assert_failure_starts<T: std::fmt::Debug>(
    result: Result<T, LoginFailure>,
    status: u16,
    prefix: &str,
) {
    match result {
        Ok(ok) => panic!("expected {status} {prefix:?}..., got Ok({ok:?})"),
        Err(failure) => {
            assert_eq!(failure.status, status, "status of {:?}", failure.message);
            assert!(
                failure.message.starts_with(prefix),
                "message {:?} should start with {prefix:?}",
                failure.message
            );
        }
    }
}

/// A CA made for a test.
pub fn test_ca(name: &str) -> rcgen::CertifiedIssuer<'static, rcgen::KeyPair> {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap()).unwrap()
}

/// An HTTPS server on 127.0.0.1 whose certificate (for `127.0.0.1`) `ca` issued, answering every
/// request with `body` as JSON and counting them.
pub async fn https_json(
    ca: &rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
    body: String,
) -> (SocketAddr, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = params.signed_by(&key, ca).unwrap();
    // The provider named: with both rustls providers in the build (the client's *ring*, the
    // reference server's aws-lc-rs), `ServerConfig::builder()` cannot pick one and panics.
    let provider = tokio_rustls::rustls::crypto::aws_lc_rs::default_provider();
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (acceptor, body, counter) = (acceptor.clone(), body.clone(), counter.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (addr, hits)
}
