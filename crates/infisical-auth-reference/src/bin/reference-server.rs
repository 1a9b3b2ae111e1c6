//! `reference-server`: Infisical's machine-identity auth API served from memory, for tests and
//! local development.
//!
//! ```text
//! cargo run --release --bin reference-server -- --listen 127.0.0.1:8080 --admin-token TOKEN \
//!     [--identity UUID]... [--seed-identities N] [--seed FILE] [--fault RULE]...
//!     [--journal-size N] [--quiet]
//! ```
//!
//! Create identities with `--identity`, a seed file or `POST /api/v1/identities` (admin token).
//! Ctrl-C (or SIGTERM) stops it after the requests in flight are answered.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use infisical_auth_reference::{build, serve_api, FaultRule, ReferenceConfig, Seed};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Infisical's machine-identity auth API, in memory.
#[derive(Parser)]
#[command(name = "reference-server", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Bearer token that authorises management calls (or set INFISICAL_ADMIN_TOKEN).
    #[arg(long, env = "INFISICAL_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: String,
    /// An identity to create at start (a UUID); repeat for more.
    #[arg(long = "identity", value_name = "UUID")]
    identities: Vec<String>,
    /// Create N more identities at start, each with universal auth attached (defaults).
    #[arg(long, value_name = "N", default_value_t = 0)]
    seed_identities: usize,
    /// Identities, their roles, auth methods and client secrets to create at start (a JSON or
    /// YAML file; see docs/reference-server.md).
    #[arg(long, value_name = "FILE")]
    seed: Option<std::path::PathBuf>,
    /// A fault rule set at start, as JSON or as key=value pairs
    /// (operationId=loginWithUniversalAuth,status=503,times=2); repeat for more.
    #[arg(long = "fault", value_name = "RULE", value_parser = FaultRule::parse)]
    faults: Vec<FaultRule>,
    /// How many requests the journal (GET /_reference/requests) holds; 0 turns it off.
    #[arg(long, value_name = "N", default_value_t = infisical_auth_reference::journal::DEFAULT_JOURNAL_SIZE)]
    journal_size: usize,
    /// Do not log a line per request.
    #[arg(long)]
    quiet: bool,
    /// The request header TLS-certificate logins read the client certificate (URL-encoded PEM)
    /// from, as set by the TLS-terminating proxy.
    #[arg(
        long,
        env = "IDENTITY_TLS_CERT_AUTH_CLIENT_CERTIFICATE_HEADER_KEY",
        default_value = "x-identity-tls-cert-auth-client-cert"
    )]
    tls_cert_header: String,
    /// How long a verified login waits for a provider (JWKS, OIDC discovery, SPIFFE bundle,
    /// Kubernetes TokenReview, STS, LDAP), per call, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    provider_timeout_ms: u64,
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    eprintln!("reference-server: shutting down");
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let seed = match args.seed.as_deref().map(Seed::from_path).transpose() {
        Ok(seed) => seed,
        Err(e) => {
            eprintln!("reference-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = ReferenceConfig {
        admin_token: args.admin_token,
        identities: args.identities,
        seed_identities: args.seed_identities,
        seed,
        faults: args.faults,
        journal_size: args.journal_size,
        log_requests: !args.quiet,
        client_certificate_header: args.tls_cert_header,
        provider_timeout: Some(std::time::Duration::from_millis(
            args.provider_timeout_ms.max(1),
        )),
    };
    // The state (and its seeded identities) is built before "listening" is printed, so that
    // scripts waiting for that line measure a server that is ready.
    let api = match build(&config) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("reference-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("reference-server: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let local = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    eprintln!("reference-server: listening on http://{local}");
    match serve_api(listener, api, config.log_requests, shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reference-server: {e}");
            ExitCode::FAILURE
        }
    }
}
