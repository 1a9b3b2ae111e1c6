//! Logins, one function per auth method: universal auth checks its client secret here, in
//! Infisical's order (docs/infisical-behaviour.md#universal-auth-login-lockout-and-tokens); JWT,
//! OIDC, SPIFFE, TLS certificate, Kubernetes, AWS and LDAP auth verify the caller's credential
//! with the identity's typed configuration through [`crate::verify`]
//! (docs/infisical-behaviour.md#verified-logins); the 4 methods whose proof only a cloud provider
//! can check (GCP, Azure, OCI, Alibaba Cloud) read the configuration, then answer 401 saying so.
//! Every successful login issues its token with [`ReferenceApi::issue_login`].

use std::sync::Arc;

use infisical_auth_server::{types, ApiError, RequestContext};

use super::api::{Issued, ReferenceApi, FORBIDDEN_IP};
use super::methods::{self, Stored};
use super::state::{digest, now_secs, Lockout};
use super::verify;

const INVALID_CREDENTIALS: &str = "Invalid credentials";

/// A login's answer from an issued token (every login answers the same type).
fn login_answer(issued: Issued) -> types::AccessTokenResponse {
    types::AccessTokenResponse {
        access_token: issued.access_token.into(),
        access_token_max_ttl: issued.max_ttl as u64,
        expires_in: issued.expires_in as u64,
        token_type: types::AccessTokenResponseTokenType::Bearer,
    }
}

/// Infisical's 404 for a login to an identity without the method (or no such identity).
fn not_configured(method: &str) -> ApiError {
    ApiError::not_found(format!(
        "{method} auth method not found for identity, did you configure {method} auth?"
    ))
}

/// The 401 of a login whose proof only `provider` can check.
fn cannot_verify(method: &str, provider: &str) -> ApiError {
    ApiError::unauthorized(format!(
        "{method} login cannot be verified by this reference server: it works offline and cannot reach {provider}"
    ))
}

/// The check of a login's proof that only a cloud provider could make: offline, none can be
/// made, so it is the method's 401.
fn offline_proof(unverifiable: ApiError) -> Result<(), ApiError> {
    Err(unverifiable)
}

impl ReferenceApi {
    /// Issues the access token of a login with method `M`'s configuration: its TTL, max TTL,
    /// period, use limit and trusted IPs.
    pub(crate) fn issue_login<M: Stored>(
        &self,
        identity_id: &str,
        auth_method: &'static str,
        config: &M,
    ) -> Issued {
        self.issue(identity_id.into(), auth_method, &config.tokens(), |_| ())
            .0
    }

    /// The configuration of method `M` a login for `identity_id` is checked against; an unknown
    /// identity or method is the method's 401, as Infisical does not say which.
    fn login_config<M: Stored>(&self, identity_id: &str, unknown: ApiError) -> Result<M, ApiError> {
        let config = self.config::<M>(identity_id).map_err(|_| unknown)?;
        crate::journal::note_identity(&Arc::from(identity_id));
        Ok(config)
    }

    /// Universal-auth login. The identity's lock is held only to check the secret and count the
    /// use; the token is issued after it, into its own shard.
    pub(crate) fn login_universal_auth(
        &self,
        ctx: &RequestContext,
        body: &types::LoginWithUniversalAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let now = now_secs();
        let wanted = digest(body.client_secret.expose_secret());
        let identity_id: Arc<str> = self
            .state
            .client_ids
            .read(&body.client_id)
            .get(body.client_id.as_str())
            .cloned()
            .ok_or_else(|| ApiError::unauthorized(INVALID_CREDENTIALS))?;
        crate::journal::note_identity(&identity_id);
        let (settings, secret_id) = {
            let mut shard = self.state.identities.write(&identity_id);
            let identity = shard
                .get_mut(&*identity_id)
                .ok_or_else(|| ApiError::unauthorized(INVALID_CREDENTIALS))?;
            let settings = identity
                .universal_auth_settings(&identity_id)
                .ok_or_else(|| ApiError::unauthorized(INVALID_CREDENTIALS))?;
            if ctx.client_ip.is_unspecified()
                || !settings.client_secret_trusted_ips.allows(ctx.client_ip)
            {
                return Err(ApiError::forbidden(FORBIDDEN_IP));
            }
            // A lock or a count whose time is over is forgotten.
            if identity.lockout.is_some_and(|l| {
                l.locked_until <= now && now - l.last_failure > settings.lockout_counter_reset
            }) {
                identity.lockout = None;
            }
            if settings.lockout_enabled && identity.lockout.is_some_and(|l| l.locked_until > now) {
                return Err(ApiError::unauthorized(
                    "This identity auth method is temporarily locked, please try again later",
                ));
            }
            let Some(secret) = identity
                .secrets
                .iter_mut()
                .find(|s| !s.revoked && s.digest == wanted)
            else {
                if settings.lockout_enabled {
                    let lockout = identity.lockout.get_or_insert_with(Lockout::default);
                    if now - lockout.last_failure > settings.lockout_counter_reset {
                        lockout.failures = 0;
                    }
                    lockout.failures += 1;
                    lockout.last_failure = now;
                    if lockout.failures >= settings.lockout_threshold {
                        lockout.locked_until = now + settings.lockout_duration;
                        lockout.failures = 0;
                    }
                }
                return Err(ApiError::unauthorized(INVALID_CREDENTIALS));
            };
            if secret.ttl > 0.0 && secret.created + secret.ttl <= now {
                return Err(ApiError::unauthorized(
                    "Access denied due to expired client secret",
                ));
            }
            if secret.uses_limit > 0.0 && secret.uses as f64 >= secret.uses_limit {
                return Err(ApiError::unauthorized(
                    "Access denied due to client secret usage limit reached",
                ));
            }
            secret.uses += 1;
            let secret_id = secret.id.clone();
            identity.lockout = None;
            (settings, secret_id)
        };
        let (issued, _) = self.issue(
            settings.identity_id.clone(),
            "universal-auth",
            &settings.tokens,
            |token| token.client_secret_id = Some(secret_id),
        );
        Ok(login_answer(issued))
    }

    /// AWS auth login: the signed `sts:GetCallerIdentity` request is forwarded to STS.
    pub(crate) async fn login_aws_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithAwsAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let config: methods::Aws = self.login_config(&body.identity_id, not_configured("AWS"))?;
        let request = verify::aws::SignedRequest {
            method: &body.iam_http_request_method,
            body_base64: &body.iam_request_body,
            headers_base64: body.iam_request_headers.expose_secret(),
        };
        verify::aws::verify(&self.verifiers.fetcher, &(&config).into(), &request).await?;
        let issued = self.issue_login(&body.identity_id, "aws-auth", &config);
        Ok(login_answer(issued))
    }

    /// GCP auth login: the proof is a Google-signed identity token or service-account JWT.
    pub(crate) async fn login_gcp_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithGcpAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let unverifiable = || cannot_verify("GCP Auth", "Google Cloud");
        let config: methods::Gcp = self.login_config(&body.identity_id, unverifiable())?;
        offline_proof(unverifiable())?;
        let issued = self.issue_login(&body.identity_id, "gcp-auth", &config);
        Ok(login_answer(issued))
    }

    /// Azure auth login: the proof is a managed-identity token signed by Azure AD.
    pub(crate) async fn login_azure_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithAzureAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let unverifiable = || cannot_verify("Azure Auth", "Azure AD");
        let config: methods::Azure = self.login_config(&body.identity_id, unverifiable())?;
        offline_proof(unverifiable())?;
        let issued = self.issue_login(&body.identity_id, "azure-auth", &config);
        Ok(login_answer(issued))
    }

    /// Kubernetes auth login: the service-account token is reviewed by the cluster.
    pub(crate) async fn login_kubernetes_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithKubernetesAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let config: methods::Kubernetes =
            self.login_config(&body.identity_id, not_configured("Kubernetes"))?;
        verify::kubernetes::verify(
            &self.verifiers.fetcher,
            &(&config).into(),
            body.jwt.expose_secret(),
        )
        .await?;
        let issued = self.issue_login(&body.identity_id, "kubernetes-auth", &config);
        Ok(login_answer(issued))
    }

    /// OIDC auth login: the ID token is verified with the keys the provider's discovery names.
    pub(crate) async fn login_oidc_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithOidcAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let config: methods::Oidc = self.login_config(&body.identity_id, not_configured("OIDC"))?;
        verify::oidc::verify(
            &self.verifiers.fetcher,
            &(&config).into(),
            body.jwt.expose_secret(),
        )
        .await?;
        let issued = self.issue_login(&body.identity_id, "oidc-auth", &config);
        Ok(login_answer(issued))
    }

    /// JWT auth login: the JWT is checked against the configured public keys or JWKS.
    pub(crate) async fn login_jwt_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithJwtAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let config: methods::Jwt = self.login_config(&body.identity_id, not_configured("JWT"))?;
        verify::jwt::verify(
            &self.verifiers.fetcher,
            &(&config).into(),
            body.jwt.expose_secret(),
        )
        .await?;
        let issued = self.issue_login(&body.identity_id, "jwt-auth", &config);
        Ok(login_answer(issued))
    }

    /// LDAP auth login: the user's password is checked by binding to the directory, within the
    /// configuration's lockout.
    pub(crate) async fn login_ldap_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithLdapAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let identity_id = body.identity_id.to_string();
        let config: methods::Ldap = self.login_config(
            &identity_id,
            ApiError::not_found(format!("LDAP auth with ID '{identity_id}' not found")),
        )?;
        let username = body.username.trim();
        let policy = verify::ldap::LockoutPolicy::from(&config);
        let lockouts = &self.verifiers.ldap_lockouts;
        lockouts.check(&identity_id, username, &policy)?;
        let verified = verify::ldap::verify(
            &(&config).into(),
            username,
            body.password.expose_secret().trim(),
            self.verifiers.fetcher.timeout(),
        )
        .await;
        match verified {
            Ok(_) => lockouts.succeeded(&identity_id, username),
            Err(failure) => {
                lockouts.failed(&identity_id, username, &policy);
                return Err(failure.into());
            }
        }
        let issued = self.issue_login(&identity_id, "ldap-auth", &config);
        Ok(login_answer(issued))
    }

    /// OCI auth login: the proof is a request signed with the user's Oracle Cloud API key.
    pub(crate) async fn login_oci_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithOciAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let unverifiable = || cannot_verify("OCI Auth", "Oracle Cloud");
        let config: methods::Oci = self.login_config(&body.identity_id, unverifiable())?;
        offline_proof(unverifiable())?;
        let issued = self.issue_login(&body.identity_id, "oci-auth", &config);
        Ok(login_answer(issued))
    }

    /// TLS-certificate auth login: the client certificate, from the request header the proxy
    /// sets, is verified against the configured CA.
    pub(crate) async fn login_tls_cert_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithTlsCertAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        // Infisical reads the header before it looks the identity up.
        let Some(header) = verify::client_certificate().filter(|value| !value.is_empty()) else {
            return Err(ApiError::bad_request("Missing TLS certificate in header"));
        };
        let config: methods::TlsCert =
            self.login_config(&body.identity_id, not_configured("TLS Certificate"))?;
        verify::tls_cert::verify(&(&config).into(), Some(&header))?;
        let issued = self.issue_login(&body.identity_id, "tls-cert-auth", &config);
        Ok(login_answer(issued))
    }

    /// Alibaba Cloud auth login: the proof is a signed `GetCallerIdentity` request.
    pub(crate) async fn login_alicloud_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithAlicloudAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let unverifiable = || cannot_verify("Alibaba Cloud Auth", "Alibaba Cloud STS");
        let config: methods::Alicloud = self.login_config(&body.identity_id, unverifiable())?;
        offline_proof(unverifiable())?;
        let issued = self.issue_login(&body.identity_id, "alicloud-auth", &config);
        Ok(login_answer(issued))
    }

    /// SPIFFE auth login: the JWT-SVID is checked against the trust bundle.
    pub(crate) async fn login_spiffe_auth(
        &self,
        _ctx: &RequestContext,
        body: types::LoginWithSpiffeAuthBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let config: methods::Spiffe =
            self.login_config(&body.identity_id, not_configured("SPIFFE"))?;
        verify::spiffe::verify(
            &self.verifiers.fetcher,
            &(&config).into(),
            body.jwt.expose_secret(),
        )
        .await?;
        let issued = self.issue_login(&body.identity_id, "spiffe-auth", &config);
        Ok(login_answer(issued))
    }
}
