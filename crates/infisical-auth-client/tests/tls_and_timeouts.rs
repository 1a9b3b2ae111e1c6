//! The client in real deployments, against the reference server: a self-hosted Infisical behind
//! a private CA (a TLS front whose certificate a CA made for the test issued), a
//! `reqwest::Client` the program built, and per-call timeouts against a slow answer.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use infisical_auth_client::{BaseUrl, Client, ConnectError, Error, RetryPolicy, Session};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The reference server behind HTTPS: `https://localhost:PORT`, and the PEM of the private CA
/// that issued its certificate.
struct TlsFront {
    base: String,
    ca_pem: String,
}

/// A TLS front on 127.0.0.1 for `backend` (`http://127.0.0.1:PORT`): each connection is
/// decrypted and relayed to the backend as it is.
async fn tls_front(backend: &str) -> TlsFront {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "test private CA");
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca, rcgen::KeyPair::generate().unwrap()).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    // The provider named: the build holds both rustls providers (*ring*, aws-lc-rs).
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let backend = backend.trim_start_matches("http://").to_owned();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (acceptor, backend) = (acceptor.clone(), backend.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(&backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    TlsFront {
        base: format!("https://localhost:{port}"),
        ca_pem: ca.pem(),
    }
}

/// The error and its sources, one line each.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(next) = source {
        text.push('\n');
        text.push_str(&next.to_string());
        source = next.source();
    }
    text
}

#[tokio::test]
async fn a_private_ca_given_as_pem_is_trusted_and_its_absence_refuses_the_server() {
    let server = start().await;
    let front = tls_front(&server.base).await;
    let id = server.universal_auth_identity(Role::Member);
    let connect = Client::connect(BaseUrl::SelfHosted(front.base.clone()))
        .bearer_token(server.admin_token())
        .retry(RetryPolicy::none());

    let without = connect.clone().build().expect("client");
    let refused = without
        .get_universal_auth()
        .identity_id(&id.identity_id)
        .send()
        .await
        .expect_err("a certificate of an unknown CA is refused");
    assert!(matches!(refused, Error::Transport { .. }), "{refused:?}");
    let why = chain(&refused).to_ascii_lowercase();
    assert!(why.contains("certificate"), "{why}");
    assert_eq!(server.count(GET), 0, "nothing reached the server");

    let with = connect
        .root_certificate_pem(front.ca_pem.clone())
        .build()
        .expect("client");
    let config = with
        .get_universal_auth()
        .identity_id(&id.identity_id)
        .send()
        .await
        .expect("trusted through the private CA");
    assert_eq!(config.identity_universal_auth.client_id, id.client_id);
    assert_eq!(server.count(GET), 1);
}

#[tokio::test]
async fn a_session_logs_in_and_calls_through_a_private_ca() {
    let server = start().await;
    let front = tls_front(&server.base).await;
    let id = server.universal_auth_identity(Role::Member);
    let session = Session::builder(BaseUrl::SelfHosted(front.base.clone()))
        .root_certificate_pem(front.ca_pem.as_bytes())
        .universal_auth(&id.client_id, &id.client_secret)
        .build()
        .expect("session");
    let config = session
        .get_universal_auth()
        .identity_id(&id.identity_id)
        .send()
        .await
        .expect("a call over HTTPS");
    assert_eq!(config.identity_universal_auth.client_id, id.client_id);
    assert_eq!(server.count(LOGIN), 1);
    session.logout().await.expect("logout over HTTPS");
    assert_eq!(server.count(REVOKE), 1);
}

/// A server that records the head of each request it reads and answers 404 in Infisical's
/// shape.
async fn recording_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let Ok(n) = socket.read(&mut buf).await else {
                    return;
                };
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase());
                let body = r#"{"reqId":"r","statusCode":404,"message":"no","error":"NotFound"}"#;
                let answer = format!(
                    "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (base, heads)
}

#[tokio::test]
async fn a_reqwest_client_of_the_programs_own_keeps_its_settings_and_sends_token_and_user_agent() {
    // Its own settings: a default header, a User-Agent, and a private CA in its own builder.
    let server = start().await;
    let front = tls_front(&server.base).await;
    let own = |ca: Option<&str>| {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-deployment", "blue".parse().unwrap());
        let builder = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent("their-service/1.0");
        match ca {
            Some(pem) => {
                builder.tls_certs_merge([reqwest::Certificate::from_pem(pem.as_bytes()).unwrap()])
            }
            None => builder,
        }
        .build()
        .unwrap()
    };

    let (base, heads) = recording_server().await;
    let client = Client::connect(BaseUrl::SelfHosted(base))
        .http_client(own(None))
        .bearer_token("st.admin-token")
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    let err = client
        .get_universal_auth()
        .identity_id("7d1f0a38-3c5e-4c53-9a0e-4d3c2b1a0f9e")
        .send()
        .await
        .expect_err("404");
    assert_eq!(err.status(), Some(404), "{err:?}");
    let head = heads.lock().unwrap()[0].clone();
    assert!(
        head.contains("\r\nauthorization: bearer st.admin-token\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\nx-deployment: blue\r\n"), "{head}");
    let agent = format!("\r\nuser-agent: {}\r\n", infisical_auth_client::USER_AGENT);
    assert!(head.contains(&agent), "{head}");
    assert!(!head.contains("their-service"), "{head}");

    // Its TLS settings: the private CA is in its builder only, and the call goes through.
    let id = server.universal_auth_identity(Role::Member);
    let session = Session::builder(BaseUrl::SelfHosted(front.base.clone()))
        .http_client(own(Some(&front.ca_pem)))
        .universal_auth(&id.client_id, &id.client_secret)
        .build()
        .expect("session");
    session
        .get_universal_auth()
        .identity_id(&id.identity_id)
        .send()
        .await
        .expect("a call through the program's own client");
    assert_eq!(server.count(LOGIN), 1);
}

#[test]
fn root_certificates_are_checked_when_the_client_is_built() {
    let base = || BaseUrl::SelfHosted("https://infisical.internal".into());
    let conflict = Client::connect(base())
        .root_certificate_pem("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
        .http_client(reqwest::Client::new())
        .build()
        .unwrap_err();
    assert!(
        matches!(conflict, ConnectError::Conflict(_)),
        "{conflict:?}"
    );
    assert!(
        conflict
            .to_string()
            .contains("root_certificate_pem cannot go with http_client"),
        "{conflict}"
    );

    let ca = rcgen::CertificateParams::new(vec!["ca".to_owned()])
        .unwrap()
        .self_signed(&rcgen::KeyPair::generate().unwrap())
        .unwrap()
        .pem();
    let not_a_certificate = Client::connect(base())
        .root_certificate_pem(ca.clone())
        .root_certificate_pem(rcgen::KeyPair::generate().unwrap().serialize_pem())
        .build()
        .unwrap_err();
    assert_eq!(
        not_a_certificate.to_string(),
        "root certificate 2: holds no PEM `CERTIFICATE` block (-----BEGIN CERTIFICATE-----)"
    );
    // A `CERTIFICATE` block that holds something else (here the CA's key) is refused by name.
    let key = rcgen::KeyPair::generate().unwrap().serialize_pem();
    let key_as_certificate = key.replace("PRIVATE KEY", "CERTIFICATE");
    let not_x509 = Client::connect(base())
        .root_certificate_pem(format!("{ca}{key_as_certificate}"))
        .build()
        .unwrap_err();
    assert!(
        matches!(not_x509, ConnectError::Certificate { index: 1, .. }),
        "{not_x509:?}"
    );
    assert!(
        not_x509
            .to_string()
            .starts_with("root certificate 1: `CERTIFICATE` block 2 is not an X.509 certificate"),
        "{not_x509}"
    );
    let session = Session::builder(base())
        .root_certificate_pem("not PEM at all")
        .access_token("st.token")
        .build()
        .unwrap_err();
    assert!(
        session.to_string().starts_with("root certificate 1: "),
        "{session}"
    );
    assert!(Client::connect(base())
        .root_certificate_pem(ca)
        .build()
        .is_ok());
}

#[tokio::test]
async fn a_per_call_timeout_overrides_the_clients_either_way() {
    let server = start().await;
    let id = server.universal_auth_identity(Role::Member);
    let slow = Duration::from_millis(1500);
    let client = |timeout: Duration| {
        Client::connect(BaseUrl::SelfHosted(server.base.clone()))
            .bearer_token(server.admin_token())
            .timeout(timeout)
            .retry(RetryPolicy::none())
            .build()
            .expect("client")
    };
    let get = |client: Client| {
        let identity = id.identity_id.clone();
        async move {
            let started = Instant::now();
            let outcome = client
                .get_universal_auth()
                .identity_id(identity)
                .send()
                .await;
            (outcome.map(|_| ()), started.elapsed())
        }
    };

    // A patient client, impatient for one call.
    let patient = client(Duration::from_secs(10));
    server.fault(FaultRule::delay(GET, slow));
    let (outcome, elapsed) = get(patient.with_timeout(Duration::from_millis(300))).await;
    assert!(matches!(outcome, Err(Error::Timeout { .. })), "{outcome:?}");
    assert!(elapsed < Duration::from_millis(1200), "{elapsed:?}");
    server.fault(FaultRule::delay(GET, slow));
    let (outcome, elapsed) = get(patient.clone()).await;
    assert!(outcome.is_ok(), "the client's own 10 s: {outcome:?}");
    assert!(elapsed >= slow, "the answer was slow: {elapsed:?}");

    // An impatient client, patient for one call.
    let impatient = client(Duration::from_millis(300));
    server.fault(FaultRule::delay(GET, slow));
    let (outcome, _) = get(impatient.clone()).await;
    assert!(matches!(outcome, Err(Error::Timeout { .. })), "{outcome:?}");
    server.fault(FaultRule::delay(GET, slow));
    let (outcome, _) = get(impatient.with_timeout(Duration::from_secs(10))).await;
    assert!(outcome.is_ok(), "a per-call 10 s: {outcome:?}");
}

#[tokio::test]
async fn a_sessions_per_call_timeout_keeps_its_token() {
    let server = start().await;
    let id = server.universal_auth_identity(Role::Member);
    let session = Session::builder(BaseUrl::SelfHosted(server.base.clone()))
        .universal_auth(&id.client_id, &id.client_secret)
        .retry(RetryPolicy::none())
        .build()
        .expect("session");
    session.login().await.expect("login");
    server.fault(FaultRule::delay(GET, Duration::from_millis(1500)));
    let quick = session.with_timeout(Duration::from_millis(300));
    let outcome = quick
        .get_universal_auth()
        .identity_id(&id.identity_id)
        .send()
        .await;
    assert!(matches!(outcome, Err(Error::Timeout { .. })), "{outcome:?}");
    session
        .with_timeout(Duration::from_secs(10))
        .get_universal_auth()
        .identity_id(&id.identity_id)
        .send()
        .await
        .expect("a copy sends the session's token");
    assert_eq!(server.count(LOGIN), 1, "no second login for the copies");
}

#[test]
fn no_token_or_secret_shows_in_debug_whatever_the_client_carries() {
    let connect = Client::connect(BaseUrl::Us)
        .bearer_token("st.very-secret-token")
        .http_client(reqwest::Client::new());
    let client = connect.clone().build().expect("client");
    let copy = client.with_timeout(Duration::from_secs(1));
    let builder = Session::builder(BaseUrl::Us)
        .root_certificate_pem("-----BEGIN CERTIFICATE-----\n")
        .http_client(reqwest::Client::new())
        .universal_auth("client-id", "very-secret-client-secret");
    for printed in [
        format!("{connect:?}"),
        format!("{client:?}"),
        format!("{copy:?}"),
    ] {
        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
    }
    let printed = format!("{builder:?}");
    assert!(!printed.contains("very-secret"), "{printed}");
    assert!(printed.contains("universal auth"), "{printed}");
}
