//! Create a client secret for an identity's universal auth: valid for a day, usable 10 times.
//! The secret is shown once; store it where your workload reads it.
//!
//! `INFISICAL_TOKEN=... IDENTITY_ID=... cargo run --example create_client_secret`

use infisical_auth_client::{types, BaseUrl, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("INFISICAL_TOKEN")?;
    let identity_id = std::env::var("IDENTITY_ID")?;
    let client = Client::connect(BaseUrl::Us).bearer_token(token).build()?;

    let created = client
        .create_universal_auth_client_secret()
        .identity_id(identity_id)
        .body(types::CreateUniversalAuthClientSecretBody {
            description: "ci runner".into(),
            ttl: 86400.0,
            num_uses_limit: 10.0,
        })
        .send()
        .await?
        .into_inner();
    // `Debug` of the response redacts the secret; print it deliberately, once.
    println!("client secret: {}", created.client_secret.expose_secret());
    println!(
        "prefix (shown from now on): {}",
        created.client_secret_data.client_secret_prefix
    );
    Ok(())
}
