//! The official SDK's counterpart of tests/downstream/project: log in with universal auth and
//! read something (a secret). Built by bench/build-weight.sh, not run.

use infisical::secrets::GetSecretRequest;
use infisical::{AuthMethod, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, client_id, client_secret] = args.as_slice() else {
        return Err("usage: on-infisical-sdk BASE_URL CLIENT_ID CLIENT_SECRET".into());
    };
    let mut client = Client::builder().base_url(base_url).build().await?;
    client
        .login(AuthMethod::new_universal_auth(client_id, client_secret))
        .await?;
    let request = GetSecretRequest::builder("API_KEY", "project-id", "dev").build();
    let secret = client.secrets().get(request).await?;
    println!("{}", secret.secret_key);
    Ok(())
}
