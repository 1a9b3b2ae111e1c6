//! A service that runs on one session for as long as it lives: it never handles a token. The
//! session logs in on the first call, renews before expiry, logs in again at the max TTL, and
//! retries what is safe to retry; on Ctrl-C the service logs out (revokes its token).
//!
//! ```sh
//! INFISICAL_URL=https://eu.infisical.com CLIENT_ID=... CLIENT_SECRET=... IDENTITY_ID=... \
//!   cargo run -p infisical-auth-client --example long_running_service
//! ```

use std::time::Duration;

use infisical_auth_client::{BaseUrl, Session};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("INFISICAL_URL").unwrap_or_else(|_| "https://us.infisical.com".into());
    let identity = std::env::var("IDENTITY_ID")?;
    let session = Session::builder(BaseUrl::SelfHosted(url))
        .universal_auth(std::env::var("CLIENT_ID")?, std::env::var("CLIENT_SECRET")?)
        .build()?;
    // Fail at start-up, not on the first request, if the credentials are wrong.
    session.login().await?;

    // Any number of tasks share the session (a clone is two `Arc`s); one refresh serves them all.
    let worker = {
        let session = session.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(30));
            loop {
                tick.tick().await;
                match session
                    .get_universal_auth()
                    .identity_id(&identity)
                    .send()
                    .await
                {
                    Ok(config) => println!(
                        "access tokens live {} s",
                        config.identity_universal_auth.access_token_ttl
                    ),
                    // One line naming the operation and the cause; `is_retryable` says whether
                    // the next tick may do better.
                    Err(err) => eprintln!("{err} (retryable: {})", err.is_retryable()),
                }
            }
        })
    };

    tokio::signal::ctrl_c().await?;
    worker.abort();
    session.logout().await?;
    Ok(())
}
