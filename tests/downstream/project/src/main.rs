//! A user's program on the packaged `infisical-auth-client`: as an administrator (a bearer token)
//! it attaches universal auth to an identity and creates a client secret, then, as the identity,
//! logs in with a `Session` and reads the configuration back, and logs out.
//!
//! `downstream BASE_URL ADMIN_TOKEN IDENTITY_ID [CA_PEM_FILE]`: with CA_PEM_FILE, the private
//! CA's certificate in it is trusted beside the platform's roots (a self-hosted Infisical behind
//! a private CA). Exits non-zero, with the error, on any failure.

use infisical_auth_client::{types, BaseUrl, Client, Session};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (base_url, admin_token, identity_id, ca) = match args.as_slice() {
        [base, token, identity] => (base, token, identity, None),
        [base, token, identity, ca] => (base, token, identity, Some(std::fs::read(ca)?)),
        _ => return Err("usage: downstream BASE_URL ADMIN_TOKEN IDENTITY_ID [CA_PEM_FILE]".into()),
    };
    let base_url = BaseUrl::SelfHosted(base_url.clone());

    #[cfg(not(feature = "private-ca"))]
    if ca.is_some() {
        return Err("built without the client's TLS: no private CA to trust".into());
    }
    let mut admin = Client::connect(base_url.clone()).bearer_token(admin_token);
    #[cfg(feature = "private-ca")]
    if let Some(ca) = &ca {
        admin = admin.root_certificate_pem(ca.clone());
    }
    let admin = admin.build()?;
    let attached = admin
        .attach_universal_auth()
        .identity_id(identity_id)
        .body(types::AttachUniversalAuthBody {
            access_token_ttl: 600,
            ..Default::default()
        })
        .send()
        .await?;
    let client_id = attached.identity_universal_auth.client_id.clone();
    let secret = admin
        .create_universal_auth_client_secret()
        .identity_id(identity_id)
        .body(types::CreateUniversalAuthClientSecretBody {
            description: "downstream".into(),
            ..Default::default()
        })
        .send()
        .await?;

    let mut session = Session::builder(base_url)
        .universal_auth(client_id.clone(), secret.client_secret.expose_secret());
    #[cfg(feature = "private-ca")]
    if let Some(ca) = ca {
        session = session.root_certificate_pem(ca);
    }
    let session = session.build()?;
    let config = session
        .get_universal_auth()
        .identity_id(identity_id)
        .send()
        .await?;
    if config.identity_universal_auth.client_id != client_id
        || config.identity_universal_auth.access_token_ttl != 600
    {
        return Err(format!("unexpected configuration: {:?}", config.into_inner()).into());
    }
    session.logout().await?;
    println!("downstream: logged in as {client_id}, read the configuration back, logged out");
    Ok(())
}
