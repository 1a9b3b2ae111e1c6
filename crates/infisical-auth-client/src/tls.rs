//! The crypto provider behind HTTPS with the default feature `rustls-ring`.
//!
//! reqwest 0.13's own `rustls` feature (this crate's `rustls`) brings rustls's default provider,
//! aws-lc-rs, whose C library (aws-lc-sys) is compiled by every clean build of a user's project.
//! `rustls-ring` turns on `reqwest/rustls-no-provider` and *ring* instead (what Infisical's
//! official Rust SDK builds on), and installs it as the process's rustls provider before the
//! client builds its HTTP client (`Client::connect`, `Client::new`, a session), unless the
//! program has installed one already: a program that calls
//! `rustls::crypto::CryptoProvider::install_default` first (for aws-lc-rs, FIPS, ...) keeps its
//! choice. A `reqwest::Client` the program built itself (`Connect::http_client`) is its own
//! affair. Certificates are verified against the platform's roots
//! (rustls-platform-verifier, which on Linux also reads `SSL_CERT_FILE` and `SSL_CERT_DIR`).
//!
//! With both providers in one build (rustls's `ring` and `aws_lc_rs` features), rustls cannot
//! pick one by itself: code that calls `ClientConfig::builder()` or `ServerConfig::builder()`
//! before this client is built must install a provider first, or use `builder_with_provider`.

/// Installs *ring* as the process's rustls provider if none is installed yet.
#[cfg(feature = "rustls-ring")]
pub(crate) fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // An error means another thread installed a provider in between: that one serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Without `rustls-ring` there is nothing to install: reqwest's `rustls` feature brings its own
/// provider, and without TLS only `http://` base URLs work.
#[cfg(not(feature = "rustls-ring"))]
pub(crate) fn ensure_crypto_provider() {}
