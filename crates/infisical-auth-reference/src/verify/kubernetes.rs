//! Kubernetes auth: the caller's service-account token, reviewed by the cluster's API server
//! (`POST <kubernetesHost>/apis/authentication.k8s.io/v1/tokenreviews`, authorised by the
//! configuration's `tokenReviewerJwt`, or by the caller's own token when there is none), then held
//! to `allowedNamespaces`, `allowedNames` and `allowedAudience`.
//!
//! The order and the messages are Infisical's (docs/infisical-behaviour.md, "Verified logins"):
//!
//! 1. `tokenReviewMode: gateway`: 401, a gateway cannot be reached from here; `api` without a host:
//!    400 `Kubernetes host is required when token review mode is set to API`;
//! 2. the TokenReview (a host without a scheme is `https://`; TLS trusts `caCert` when given; the
//!    review's `spec.audiences` is `[allowedAudience]` when set). The API server unreachable or
//!    slow: 401 naming it (Infisical: 400); answering 401 or 403: 401 with its message or
//!    Infisical's default; another error status: 401 with its message;
//! 3. `status.error` set: 401 with that text; `status.authenticated` not true: 401
//!    `Kubernetes token not authenticated`;
//! 4. the username `system:serviceaccount:<namespace>:<name>`; `allowedNamespaces` (comma list of
//!    globs): 401 `Access denied: K8s namespace not allowed.`; `allowedNames`: 401
//!    `Access denied: K8s name not allowed.`; `allowedAudience` not among `status.audiences`:
//!    401 `Access denied: K8s audience not allowed.`

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Value};

use super::fetch::Fetcher;
use super::{comma_list, policy_matches, LoginFailure, VerifiedIdentity};
use infisical_auth_server::types;

const DEFAULT_401: &str = "Token reviewer JWT is invalid or expired. Please verify the token reviewer JWT is correct and has not expired.";
const DEFAULT_403: &str = "Token reviewer JWT does not have permission to perform TokenReviews. Ensure the service account has the 'system:auth-delegator' ClusterRole binding.";

/// What Kubernetes auth checks, from its configuration. `Debug` redacts the reviewer token.
#[derive(Clone, PartialEq)]
pub struct KubernetesSettings {
    /// `api` reviews through `kubernetes_host`; `gateway` through an Infisical gateway.
    pub gateway_mode: bool,
    /// The API server, `host[:port]` or a URL.
    pub kubernetes_host: Option<String>,
    /// PEM CA certificate of the API server; empty: the system's roots.
    pub ca_cert: String,
    /// The token that authorises TokenReviews; empty: the caller's own token.
    pub token_reviewer_jwt: String,
    /// Comma list of namespace globs; empty: any.
    pub allowed_namespaces: String,
    /// Comma list of service-account name globs; empty: any.
    pub allowed_names: String,
    /// An audience the token must have been issued for; empty: any.
    pub allowed_audience: String,
}

impl std::fmt::Debug for KubernetesSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubernetesSettings")
            .field("gateway_mode", &self.gateway_mode)
            .field("kubernetes_host", &self.kubernetes_host)
            .field("ca_cert", &self.ca_cert)
            .field(
                "token_reviewer_jwt",
                &if self.token_reviewer_jwt.is_empty() {
                    ""
                } else {
                    "<redacted>"
                },
            )
            .field("allowed_namespaces", &self.allowed_namespaces)
            .field("allowed_names", &self.allowed_names)
            .field("allowed_audience", &self.allowed_audience)
            .finish()
    }
}

impl From<&types::AttachKubernetesAuthBody> for KubernetesSettings {
    fn from(body: &types::AttachKubernetesAuthBody) -> Self {
        Self {
            gateway_mode: matches!(
                body.token_review_mode,
                types::AttachKubernetesAuthBodyTokenReviewMode::Gateway
            ),
            kubernetes_host: body.kubernetes_host.as_ref().map(|host| host.to_string()),
            ca_cert: body.ca_cert.clone().unwrap_or_default(),
            token_reviewer_jwt: body
                .token_reviewer_jwt
                .as_ref()
                .map(|jwt| jwt.expose_secret().to_owned())
                .unwrap_or_default(),
            allowed_namespaces: body.allowed_namespaces.clone(),
            allowed_names: body.allowed_names.clone(),
            allowed_audience: body.allowed_audience.clone(),
        }
    }
}

impl From<&types::IdentityKubernetesAuth> for KubernetesSettings {
    fn from(stored: &types::IdentityKubernetesAuth) -> Self {
        Self {
            gateway_mode: stored.token_review_mode == "gateway",
            kubernetes_host: stored.kubernetes_host.clone(),
            ca_cert: stored.ca_cert.clone(),
            token_reviewer_jwt: stored
                .token_reviewer_jwt
                .as_ref()
                .map(|jwt| jwt.expose_secret().to_owned())
                .unwrap_or_default(),
            allowed_namespaces: stored.allowed_namespaces.clone(),
            allowed_names: stored.allowed_names.clone(),
            allowed_audience: stored.allowed_audience.clone(),
        }
    }
}

/// Verifies a Kubernetes-auth login's service-account token (see the module documentation).
pub async fn verify(
    fetcher: &Fetcher,
    settings: &KubernetesSettings,
    token: &str,
) -> Result<VerifiedIdentity, LoginFailure> {
    if settings.gateway_mode {
        return Err(LoginFailure::unauthorized(
            "Kubernetes auth through an Infisical gateway cannot be verified by this reference server: use tokenReviewMode \"api\" with a kubernetesHost",
        ));
    }
    let Some(host) = settings
        .kubernetes_host
        .as_deref()
        .filter(|host| !host.is_empty())
    else {
        return Err(LoginFailure::bad_request(
            "Kubernetes host is required when token review mode is set to API",
        ));
    };
    let base = if host.starts_with("http://") || host.starts_with("https://") {
        host.trim_end_matches('/').to_owned()
    } else {
        format!("https://{}", host.trim_end_matches('/'))
    };
    let url = format!("{base}/apis/authentication.k8s.io/v1/tokenreviews");
    let mut spec = json!({ "token": token });
    if !settings.allowed_audience.is_empty() {
        spec["audiences"] = json!([settings.allowed_audience]);
    }
    let body = json!({
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenReview",
        "spec": spec,
    });
    let reviewer = if settings.token_reviewer_jwt.is_empty() {
        token
    } else {
        &settings.token_reviewer_jwt
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut authorization = HeaderValue::from_str(&format!("Bearer {reviewer}"))
        .map_err(|_| LoginFailure::unauthorized("Kubernetes token not authenticated"))?;
    authorization.set_sensitive(true);
    headers.insert(AUTHORIZATION, authorization);

    let target = host.to_owned();
    let answer = fetcher
        .send(
            Method::POST,
            &url,
            headers,
            Some(body.to_string().into_bytes()),
            Some(&settings.ca_cert),
        )
        .await
        .map_err(|error| {
            LoginFailure::unauthorized(format!(
                "Failed to communicate with Kubernetes API server at {target}: {error}"
            ))
        })?;
    let data: Option<Value> = serde_json::from_slice(&answer.body).ok();
    let message = data
        .as_ref()
        .and_then(|data| data.get("message")?.as_str())
        .filter(|m| !m.is_empty())
        .map(str::to_owned);
    match answer.status.as_u16() {
        200..=299 => {}
        401 => {
            return Err(LoginFailure::unauthorized(
                message.unwrap_or_else(|| DEFAULT_401.into()),
            ))
        }
        403 => {
            return Err(LoginFailure::unauthorized(
                message.unwrap_or_else(|| DEFAULT_403.into()),
            ))
        }
        status => {
            return Err(LoginFailure::unauthorized(
                message.unwrap_or_else(|| format!("Kubernetes returned HTTP {status}")),
            ))
        }
    }
    let Some(status) = data.as_ref().and_then(|data| data.get("status")) else {
        return Err(LoginFailure::unauthorized("Failed to review token"));
    };
    if let Some(error) = status.get("error") {
        let text = error
            .as_str()
            .map_or_else(|| error.to_string(), str::to_owned);
        return Err(LoginFailure::unauthorized(text));
    }
    if status.get("authenticated") != Some(&Value::Bool(true)) {
        return Err(LoginFailure::unauthorized(
            "Kubernetes token not authenticated",
        ));
    }
    let username = status
        .pointer("/user/username")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some((namespace, name)) = service_account(username) else {
        return Err(LoginFailure::unauthorized(
            "Access denied: the reviewed token is not a service account's.",
        ));
    };

    if !settings.allowed_namespaces.trim().is_empty()
        && !comma_list(&settings.allowed_namespaces)
            .any(|pattern| policy_matches(namespace, pattern))
    {
        return Err(LoginFailure::unauthorized(
            "Access denied: K8s namespace not allowed.",
        ));
    }
    if !settings.allowed_names.trim().is_empty()
        && !comma_list(&settings.allowed_names).any(|pattern| policy_matches(name, pattern))
    {
        return Err(LoginFailure::unauthorized(
            "Access denied: K8s name not allowed.",
        ));
    }
    if !settings.allowed_audience.is_empty() {
        let allowed = status
            .get("audiences")
            .and_then(Value::as_array)
            .is_some_and(|auds| {
                auds.iter()
                    .any(|aud| aud.as_str() == Some(settings.allowed_audience.as_str()))
            });
        if !allowed {
            return Err(LoginFailure::unauthorized(
                "Access denied: K8s audience not allowed.",
            ));
        }
    }
    Ok(VerifiedIdentity::Kubernetes {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
    })
}

/// The namespace and name of `system:serviceaccount:<namespace>:<name>`.
fn service_account(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix("system:serviceaccount:")?;
    let (namespace, name) = rest.split_once(':')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains(':')).then_some((namespace, name))
}
