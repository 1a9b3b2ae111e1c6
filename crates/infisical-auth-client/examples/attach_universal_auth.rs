//! Attach universal auth to an identity, allowing client secrets only from an office network and
//! access tokens from anywhere, with one-hour tokens.
//!
//! `INFISICAL_URL=https://eu.infisical.com INFISICAL_TOKEN=... IDENTITY_ID=... cargo run --example attach_universal_auth`

use infisical_auth_client::{types, BaseUrl, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("INFISICAL_URL").unwrap_or_else(|_| "https://us.infisical.com".into());
    let token = std::env::var("INFISICAL_TOKEN")?;
    let identity_id = std::env::var("IDENTITY_ID")?;
    let client = Client::connect(BaseUrl::SelfHosted(url))
        .bearer_token(token)
        .build()?;

    let office = |ip: &str| types::TrustedIpEntry {
        ip_address: ip.into(),
    };
    let result = client
        .attach_universal_auth()
        .identity_id(identity_id)
        .body(types::AttachUniversalAuthBody {
            client_secret_trusted_ips: vec![office("203.0.113.0/24"), office("2001:db8::/32")],
            access_token_ttl: 3600,
            access_token_max_ttl: 86400,
            ..Default::default()
        })
        .send()
        .await;
    match result {
        Ok(config) => println!(
            "attached: client id {}",
            config.identity_universal_auth.client_id
        ),
        Err(err) => match err.req_id() {
            Some(req_id) => eprintln!("Infisical refused ({req_id}): {err}"),
            None => eprintln!("request failed: {err}"),
        },
    }
    Ok(())
}
