//! Log in with universal auth (client id and secret), then renew the access token before it
//! expires. Login and renew need no bearer token.
//!
//! `CLIENT_ID=... CLIENT_SECRET=... cargo run --example login_and_renew`

use infisical_auth_client::{types, BaseUrl, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(BaseUrl::Us).build()?;
    let login = client
        .login_with_universal_auth()
        .body(types::LoginWithUniversalAuthBody::new(
            std::env::var("CLIENT_ID").unwrap_or_default(),
            std::env::var("CLIENT_SECRET").unwrap_or_default(),
        ))
        .send()
        .await?
        .into_inner();
    println!(
        "logged in: token valid for {} s (at most {} s)",
        login.expires_in, login.access_token_max_ttl
    );

    let renewed = client
        .renew_identity_access_token()
        .body(types::RenewIdentityAccessTokenBody::new(
            login.access_token.expose_secret(),
        ))
        .send()
        .await?
        .into_inner();
    println!("renewed: valid for {} s more", renewed.expires_in);
    Ok(())
}
