//! The reference server's implementation of [`InfisicalAuthApi`]: every trait method turns its
//! typed input into JSON, [`ReferenceApi::dispatch`] runs the operation on the in-memory state,
//! and the answer is fitted to the spec's response schema and typed again.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockWriteGuard};

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::shape::{response_schemas, shape};
use super::state::{
    digest, new_secret, now_iso, now_secs, store_trusted_ips, AccessToken, ClientSecret, Identity,
    Lockout, State, TokenSettings, Tokens,
};
use infisical_auth_server::{
    types, ApiError, GetTokenAuthTokensQuery, InfisicalAuthApi, RequestContext,
};

/// The in-memory implementation behind `reference-server`.
pub struct ReferenceApi {
    admin_token: String,
    schemas: HashMap<String, Value>,
    state: RwLock<State>,
    tokens: Tokens,
}

impl std::fmt::Debug for ReferenceApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceApi")
            .field("admin_token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// The request's typed input as JSON.
fn to_json<T: Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|_| ApiError::internal())
}

/// The auth-method key of a configuration operation, e.g. `UniversalAuth` for `getUniversalAuth`.
fn method_key<'a>(op: &'a str, prefix: &str) -> &'a str {
    &op[prefix.len()..]
}

/// `UniversalAuth` as Infisical's messages name it: `universal auth`.
fn method_words(key: &str) -> String {
    let mut out = String::new();
    for (i, c) in key.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn identity_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Failed to find identity with ID {id}"))
}

fn not_attached(key: &str) -> ApiError {
    ApiError::bad_request(format!("The identity does not have {}", method_words(key)))
}

/// LDAP configurations can name a template; this server holds none.
fn check_ldap_template(key: &str, body: &Map<String, Value>) -> Result<(), ApiError> {
    match body.get("templateId") {
        Some(Value::String(id)) if key == "LdapAuth" => Err(ApiError::not_found(format!(
            "Failed to find LDAP configuration template with ID {id}: this reference server holds no templates"
        ))),
        _ => Ok(()),
    }
}

fn num(value: &Value, key: &str) -> f64 {
    value.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

const FORBIDDEN_IP: &str =
    "You are not allowed to access this resource from the current IP address";
const INVALID_CREDENTIALS: &str = "Invalid credentials";

/// Logins whose proof only the identity provider can check: the method's name and the party
/// that would have to be asked.
fn offline_login(op: &str) -> Option<(&'static str, &'static str)> {
    Some(match op {
        "loginWithAwsAuth" => ("AWS Auth", "AWS STS"),
        "loginWithGcpAuth" => ("GCP Auth", "Google Cloud"),
        "loginWithAzureAuth" => ("Azure Auth", "Azure AD"),
        "loginWithKubernetesAuth" => ("Kubernetes Auth", "the Kubernetes TokenReview API"),
        "loginWithOidcAuth" => ("OIDC Auth", "the OIDC provider"),
        "loginWithJwtAuth" => ("JWT Auth", "the issuer's keys"),
        "loginWithLdapAuth" => ("LDAP Auth", "the LDAP server"),
        "loginWithOciAuth" => ("OCI Auth", "Oracle Cloud"),
        "loginWithTlsCertAuth" => ("TLS Certificate Auth", "a verified TLS client certificate"),
        "loginWithAlicloudAuth" => ("Alibaba Cloud Auth", "Alibaba Cloud STS"),
        "loginWithSpiffeAuth" => ("SPIFFE Auth", "the SPIFFE trust bundle"),
        _ => return None,
    })
}

impl ReferenceApi {
    /// A server with no identities whose management calls accept `admin_token`, answering per
    /// the response schemas of `spec` (the OpenAPI document).
    pub fn new(admin_token: impl Into<String>, spec: &Value) -> Self {
        ReferenceApi {
            admin_token: admin_token.into(),
            schemas: response_schemas(spec),
            state: RwLock::new(State::default()),
            tokens: Tokens::default(),
        }
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Creates an identity (`id` a UUID, or a fresh one) and returns its id.
    pub fn create_identity(&self, id: Option<&str>) -> Result<String, ApiError> {
        let id = match id {
            Some(text) => uuid::Uuid::parse_str(text)
                .map_err(|_| ApiError::bad_request("Identity id must be a UUID"))?
                .hyphenated()
                .to_string(),
            None => uuid::Uuid::new_v4().to_string(),
        };
        let mut state = self.write();
        if state.identities.contains_key(&id) {
            return Err(ApiError::bad_request(format!(
                "Identity with ID {id} already exists"
            )));
        }
        state.identities.insert(id.clone(), Identity::default());
        Ok(id)
    }

    /// How many access tokens are held (expired ones are removed shortly after expiry).
    pub fn token_count(&self) -> usize {
        self.tokens.len()
    }

    /// How many identities are held.
    pub fn identity_count(&self) -> usize {
        self.state.read().map(|s| s.identities.len()).unwrap_or(0)
    }

    /// Whether `token` is the admin token (compared in constant time).
    fn is_admin(&self, token: &str) -> bool {
        let (a, b) = (token.as_bytes(), self.admin_token.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The caller's bearer token when it is not the admin token (`None` for the admin); no token
    /// is a 401.
    fn access_token_of<'c>(&self, ctx: &'c RequestContext) -> Result<Option<&'c str>, ApiError> {
        let token = ctx
            .bearer_token
            .as_deref()
            .ok_or_else(|| ApiError::unauthorized("Token missing"))?;
        Ok((!self.is_admin(token)).then_some(token))
    }

    /// Authorises a management call: the admin token, or a usable access token of this server
    /// used from one of its trusted IPs (which counts as a use).
    pub fn authorize(&self, ctx: &RequestContext) -> Result<(), ApiError> {
        let Some(token) = self.access_token_of(ctx)? else {
            return Ok(());
        };
        let now = now_secs();
        self.tokens
            .with_text(token, |access| {
                vet_access_token(access, ctx, now)?;
                access.uses += 1;
                access.last_used = Some(now);
                Ok(())
            })
            .unwrap_or_else(|| Err(ApiError::unauthorized("Token missing")))
    }

    /// What [`authorize`](Self::authorize) decides, without counting a use: the router asks it
    /// before reading the body, so an unknown token is a 401 whatever the body holds.
    pub fn authenticate_token(&self, ctx: &RequestContext) -> Result<(), ApiError> {
        let Some(token) = self.access_token_of(ctx)? else {
            return Ok(());
        };
        let now = now_secs();
        self.tokens
            .with_text(token, |access| vet_access_token(access, ctx, now))
            .unwrap_or_else(|| Err(ApiError::unauthorized("Token missing")))
    }

    /// Fits `value` to the 200 schema of `op` and types it.
    fn respond<R: DeserializeOwned>(
        &self,
        op: &str,
        value: Result<Value, ApiError>,
    ) -> Result<R, ApiError> {
        let value = value?;
        let schema = self.schemas.get(op).ok_or_else(ApiError::internal)?;
        serde_path_to_error::deserialize(shape(&value, schema, &now_iso())).map_err(
            |e: serde_path_to_error::Error<serde_json::Error>| {
                // The field's path only: serde's message could quote a value (a secret).
                eprintln!(
                    "reference-server: the answer of {op} does not fit its type at `{}`",
                    e.path()
                );
                ApiError::internal()
            },
        )
    }

    /// A configuration retrieve (`op`, e.g. `getUniversalAuth`): the typed answer is built once
    /// and kept until the identity's configurations change.
    fn retrieve<R>(
        &self,
        op: &'static str,
        identity_id: &str,
        ctx: &RequestContext,
    ) -> Result<R, ApiError>
    where
        R: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        self.authorize(ctx)?;
        {
            let state = self.state.read().unwrap_or_else(|p| p.into_inner());
            let cached = state
                .identities
                .get(identity_id)
                .and_then(|identity| identity.answers.0.get(op))
                .and_then(|answer| answer.downcast_ref::<R>());
            if let Some(answer) = cached {
                return Ok(answer.clone());
            }
        }
        let answer: R = self.respond(
            op,
            self.config(op, method_key(op, "get"), identity_id, false),
        )?;
        if let Some(identity) = self.write().identities.get_mut(identity_id) {
            identity.answers.0.insert(op, Arc::new(answer.clone()));
        }
        Ok(answer)
    }

    /// `{wrapper: config}` for a configuration answer of `op` (the wrapper is the one property
    /// of its 200 schema, e.g. `identityUniversalAuth`).
    fn wrap(&self, op: &str, config: Value) -> Value {
        let wrapper = self
            .schemas
            .get(op)
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .and_then(|p| p.keys().next().cloned())
            .unwrap_or_default();
        let mut out = Map::new();
        out.insert(wrapper, config);
        Value::Object(out)
    }

    /// Runs operation `op` (its path parameters in template order, its query and body as JSON).
    pub fn dispatch(
        &self,
        op: &str,
        ctx: &RequestContext,
        path: &[&str],
        query: Option<Value>,
        body: Option<Value>,
    ) -> Result<Value, ApiError> {
        let body = body.unwrap_or(Value::Null);
        let id = path.first().copied().unwrap_or("");
        if let Some((method, provider)) = offline_login(op) {
            return Err(ApiError::unauthorized(format!(
                "{method} login cannot be verified by this reference server: it works offline and cannot reach {provider}"
            )));
        }
        self.authorize(ctx)?;
        match op {
            "createUniversalAuthClientSecret" => self.create_secret(op, id, &body),
            "listUniversalAuthClientSecrets" => self.list_secrets(id),
            "getUniversalAuthClientSecret" | "revokeUniversalAuthClientSecret" => self.secret(
                id,
                path.get(1).copied().unwrap_or(""),
                op.starts_with("revoke"),
            ),
            "clearUniversalAuthLockouts" | "clearLdapAuthLockouts" => self.clear_lockouts(op, id),
            "refreshSpiffeBundle" => self.refresh_bundle(op, id),
            "createTokenAuthToken" => self.create_token(id, &body),
            "getTokenAuthTokens" => self.list_tokens(id, query.unwrap_or(Value::Null)),
            "getTokenAuthTokenById" | "updateTokenAuthToken" | "revokeTokenAuthToken" => {
                self.token_by_id(op, id, &body)
            }
            _ if op.starts_with("attach") => self.attach(op, method_key(op, "attach"), id, body),
            _ if op.starts_with("update") => self.update(op, method_key(op, "update"), id, body),
            _ if op.starts_with("get") => self.config(op, method_key(op, "get"), id, false),
            _ if op.starts_with("delete") => self.config(op, method_key(op, "delete"), id, true),
            _ => Err(ApiError::not_found(format!(
                "Operation {op} is not implemented"
            ))),
        }
    }

    fn attach(
        &self,
        op: &str,
        key: &str,
        identity_id: &str,
        body: Value,
    ) -> Result<Value, ApiError> {
        let Value::Object(mut config) = body else {
            return Err(ApiError::bad_request("Expected an object body"));
        };
        check_ldap_template(key, &config)?;
        store_trusted_ips(&mut config)?;
        let now = now_iso();
        config.insert("id".into(), Value::String(uuid::Uuid::new_v4().to_string()));
        config.insert("identityId".into(), Value::String(identity_id.to_owned()));
        config.insert("createdAt".into(), Value::String(now.clone()));
        config.insert("updatedAt".into(), Value::String(now));
        let mut state = self.write();
        let identity = state
            .identities
            .get_mut(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        if identity.configs.contains_key(key) {
            return Err(ApiError::bad_request(format!(
                "Failed to add {} to already configured identity",
                method_words(key)
            )));
        }
        let client_id = (key == "UniversalAuth").then(|| uuid::Uuid::new_v4().to_string());
        if let Some(client_id) = &client_id {
            config.insert("clientId".into(), Value::String(client_id.clone()));
        }
        let config = Value::Object(config);
        identity.answers.0.clear();
        identity.configs.insert(key.to_owned(), config.clone());
        if key == "UniversalAuth" {
            identity.refresh_universal_auth(identity_id);
        }
        if let Some(client_id) = client_id {
            state.client_ids.insert(client_id, identity_id.to_owned());
        }
        Ok(self.wrap(op, config))
    }

    fn update(
        &self,
        op: &str,
        key: &str,
        identity_id: &str,
        body: Value,
    ) -> Result<Value, ApiError> {
        let Value::Object(mut changes) = body else {
            return Err(ApiError::bad_request("Expected an object body"));
        };
        check_ldap_template(key, &changes)?;
        store_trusted_ips(&mut changes)?;
        let mut state = self.write();
        let identity = state
            .identities
            .get_mut(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        identity.answers.0.clear();
        let stored = identity
            .configs
            .get_mut(key)
            .ok_or_else(|| not_attached(key))?;
        let effective = |k: &str| {
            changes
                .get(k)
                .and_then(Value::as_f64)
                .unwrap_or_else(|| num(stored, k))
        };
        let (ttl, max_ttl) = (effective("accessTokenTTL"), effective("accessTokenMaxTTL"));
        if max_ttl > 0.0 && ttl > max_ttl {
            return Err(ApiError::bad_request(
                infisical_auth_validation::EFFECTIVE_TTL_MESSAGE,
            ));
        }
        if let Value::Object(target) = stored {
            for (k, v) in changes {
                if !matches!(k.as_str(), "id" | "identityId" | "clientId" | "createdAt") {
                    target.insert(k, v);
                }
            }
            target.insert("updatedAt".into(), Value::String(now_iso()));
        }
        let config = stored.clone();
        if key == "UniversalAuth" {
            identity.refresh_universal_auth(identity_id);
        }
        Ok(self.wrap(op, config))
    }

    fn config(
        &self,
        op: &str,
        key: &str,
        identity_id: &str,
        remove: bool,
    ) -> Result<Value, ApiError> {
        let mut state = self.write();
        let identity = state
            .identities
            .get_mut(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        let config = if remove {
            identity.answers.0.clear();
            let config = identity
                .configs
                .remove(key)
                .ok_or_else(|| not_attached(key))?;
            if key == "UniversalAuth" {
                identity.secrets.clear();
                identity.lockout = None;
                identity.universal_auth = None;
                if let Some(client_id) = config.get("clientId").and_then(Value::as_str) {
                    state.client_ids.remove(client_id);
                }
            }
            config
        } else {
            identity
                .configs
                .get(key)
                .cloned()
                .ok_or_else(|| not_attached(key))?
        };
        Ok(self.wrap(op, config))
    }

    fn refresh_bundle(&self, op: &str, identity_id: &str) -> Result<Value, ApiError> {
        let mut state = self.write();
        let identity = state
            .identities
            .get_mut(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        identity.answers.0.clear();
        let stored = identity
            .configs
            .get_mut("SpiffeAuth")
            .ok_or_else(|| not_attached("SpiffeAuth"))?;
        let now = now_iso();
        if let Some(Value::Object(dist)) = stored.get_mut("trustBundleDistribution") {
            if dist.get("profile").and_then(Value::as_str) == Some("https_web_bundle") {
                dist.insert(
                    "cachedBundleLastRefreshedAt".into(),
                    Value::String(now.clone()),
                );
            }
        }
        if let Value::Object(target) = stored {
            target.insert("updatedAt".into(), Value::String(now));
        }
        let config = stored.clone();
        Ok(self.wrap(op, config))
    }

    fn ua_config<'a>(
        state: &'a mut State,
        identity_id: &str,
    ) -> Result<(&'a mut Identity, Value), ApiError> {
        let identity = state
            .identities
            .get_mut(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        let ua_id = identity
            .configs
            .get("UniversalAuth")
            .and_then(|c| c.get("id"))
            .cloned()
            .ok_or_else(|| not_attached("UniversalAuth"))?;
        Ok((identity, ua_id))
    }

    fn create_secret(&self, _op: &str, identity_id: &str, body: &Value) -> Result<Value, ApiError> {
        let mut state = self.write();
        let (identity, ua_id) = Self::ua_config(&mut state, identity_id)?;
        let secret = new_secret();
        let now = now_iso();
        let record = ClientSecret {
            id: uuid::Uuid::new_v4().to_string().into(),
            digest: digest(&secret),
            prefix: secret[..4].to_owned(),
            description: body
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            created_at: now.clone(),
            created: now_secs(),
            updated_at: now,
            ttl: num(body, "ttl"),
            uses: 0,
            uses_limit: num(body, "numUsesLimit"),
            revoked: false,
        };
        let data = record.data(&ua_id);
        identity.secrets.push(record);
        Ok(json!({"clientSecret": secret, "clientSecretData": data}))
    }

    fn list_secrets(&self, identity_id: &str) -> Result<Value, ApiError> {
        let mut state = self.write();
        let (identity, ua_id) = Self::ua_config(&mut state, identity_id)?;
        let data: Vec<Value> = identity
            .secrets
            .iter()
            .filter(|s| !s.revoked)
            .map(|s| s.data(&ua_id))
            .collect();
        Ok(json!({"clientSecretData": data}))
    }

    fn secret(&self, identity_id: &str, secret_id: &str, revoke: bool) -> Result<Value, ApiError> {
        let mut state = self.write();
        let (identity, ua_id) = Self::ua_config(&mut state, identity_id)?;
        let secret = identity
            .secrets
            .iter_mut()
            .find(|s| *s.id == *secret_id)
            .ok_or_else(|| {
                ApiError::not_found(format!("Failed to find client secret with ID {secret_id}"))
            })?;
        if revoke {
            secret.revoked = true;
            secret.updated_at = now_iso();
        }
        Ok(json!({"clientSecretData": secret.data(&ua_id)}))
    }

    fn clear_lockouts(&self, op: &str, identity_id: &str) -> Result<Value, ApiError> {
        let key = if op == "clearLdapAuthLockouts" {
            "LdapAuth"
        } else {
            "UniversalAuth"
        };
        let mut state = self.write();
        let identity = state
            .identities
            .get_mut(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        if !identity.configs.contains_key(key) {
            return Err(not_attached(key));
        }
        let deleted = if key == "UniversalAuth" {
            u32::from(identity.lockout.take().is_some())
        } else {
            0
        };
        Ok(json!({"deleted": deleted}))
    }

    /// Universal-auth login, checked in Infisical's order
    /// (docs/infisical-behaviour.md#universal-auth-login-lockout-and-tokens). The identity's lock
    /// is held only to check the secret and count the use; the token is issued after it, into
    /// its own shard.
    fn login_universal(
        &self,
        ctx: &RequestContext,
        body: &types::LoginWithUniversalAuthBody,
    ) -> Result<types::LoginWithUniversalAuthResponse, ApiError> {
        let now = now_secs();
        let wanted = digest(body.client_secret.expose_secret());
        let (identity_id, settings, secret_id) = {
            let mut state = self.write();
            let state = &mut *state;
            let identity_id = state
                .client_ids
                .get(body.client_id.as_str())
                .ok_or_else(|| ApiError::unauthorized(INVALID_CREDENTIALS))?;
            let identity = state
                .identities
                .get_mut(identity_id)
                .ok_or_else(|| ApiError::unauthorized(INVALID_CREDENTIALS))?;
            let settings = identity
                .universal_auth
                .clone()
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
            (settings.identity_id.clone(), settings, secret_id)
        };
        let mut token = AccessToken::issue(identity_id, "universal-auth", &settings.tokens, now);
        token.client_secret_id = Some(secret_id);
        let (expires_in, max_ttl) = token.lifetimes(now);
        let text = self.tokens.insert(token, now);
        Ok(types::LoginWithUniversalAuthResponse {
            access_token: text.into(),
            expires_in,
            access_token_max_ttl: max_ttl,
            token_type: types::LoginWithUniversalAuthResponseTokenType::Bearer,
        })
    }

    /// Token renew: extends the token of the body (never the bearer's) by its TTL, up to its max
    /// TTL from creation, or by its period.
    fn renew(
        &self,
        ctx: &RequestContext,
        body: &types::RenewIdentityAccessTokenBody,
    ) -> Result<types::RenewIdentityAccessTokenResponse, ApiError> {
        let now = now_secs();
        let (expires_in, max_ttl) = self
            .tokens
            .with_text(body.access_token.expose_secret(), |token| {
                if let Some(error) = token.unusable(now) {
                    return Err(error);
                }
                if !token.admits(ctx.client_ip) {
                    return Err(ApiError::forbidden(FORBIDDEN_IP));
                }
                if token.period > 0.0 {
                    token.expires_at = Some(now + token.period);
                } else if token.ttl > 0.0 {
                    let mut end = now + token.ttl;
                    if token.max_ttl > 0.0 {
                        end = end.min(token.created + token.max_ttl);
                    }
                    if end <= now {
                        return Err(ApiError::unauthorized(
                            "Failed to renew access token due to Max TTL expiration",
                        ));
                    }
                    token.expires_at = Some(end);
                }
                token.last_renewed = Some(now);
                Ok(token.lifetimes(now))
            })
            .unwrap_or_else(|| Err(ApiError::unauthorized("Invalid access token")))?;
        Ok(types::RenewIdentityAccessTokenResponse {
            access_token: body.access_token.clone(),
            expires_in,
            access_token_max_ttl: max_ttl,
            token_type: types::RenewIdentityAccessTokenResponseTokenType::Bearer,
        })
    }

    /// Token revoke by the token's text.
    fn revoke_token_text(
        &self,
        body: &types::RevokeIdentityAccessTokenBody,
    ) -> Result<types::RevokeIdentityAccessTokenResponse, ApiError> {
        let now = now_secs();
        self.tokens
            .with_text(body.access_token.expose_secret(), |token| {
                token.revoked = true;
                token.updated = now;
            })
            .ok_or_else(|| ApiError::unauthorized("Invalid access token"))?;
        Ok(types::RevokeIdentityAccessTokenResponse {
            message: "Successfully revoked access token".to_owned(),
        })
    }

    fn create_token(&self, identity_id: &str, body: &Value) -> Result<Value, ApiError> {
        let now = now_secs();
        let settings = {
            let state = self.state.read().unwrap_or_else(|p| p.into_inner());
            let identity = state
                .identities
                .get(identity_id)
                .ok_or_else(|| identity_not_found(identity_id))?;
            let config = identity
                .configs
                .get("TokenAuth")
                .ok_or_else(|| not_attached("TokenAuth"))?;
            TokenSettings::from_config(config)
        };
        let mut token = AccessToken::issue(identity_id.into(), "token-auth", &settings, now);
        token.name = body.get("name").and_then(Value::as_str).map(str::to_owned);
        let data = token.data();
        let (expires_in, max_ttl) = token.lifetimes(now);
        let text = self.tokens.insert(token, now);
        Ok(json!({
            "accessToken": text,
            "expiresIn": expires_in,
            "accessTokenMaxTTL": max_ttl,
            "tokenType": "Bearer",
            "tokenData": data,
        }))
    }

    fn list_tokens(&self, identity_id: &str, query: Value) -> Result<Value, ApiError> {
        let offset = query
            .get("offset")
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
            .max(0.0) as usize;
        let limit = query
            .get("limit")
            .and_then(Value::as_f64)
            .unwrap_or(20.0)
            .max(0.0) as usize;
        {
            let state = self.state.read().unwrap_or_else(|p| p.into_inner());
            let identity = state
                .identities
                .get(identity_id)
                .ok_or_else(|| identity_not_found(identity_id))?;
            if !identity.configs.contains_key("TokenAuth") {
                return Err(not_attached("TokenAuth"));
            }
        }
        let page: Vec<Value> = self
            .tokens
            .of_identity(identity_id, "token-auth")
            .iter()
            .skip(offset)
            .take(limit)
            .map(AccessToken::data)
            .collect();
        Ok(json!({"tokens": page}))
    }

    fn token_by_id(&self, op: &str, token_id: &str, body: &Value) -> Result<Value, ApiError> {
        let now = now_secs();
        self.tokens
            .with_id(token_id, |token| match op {
                "updateTokenAuthToken" => {
                    if let Some(name) = body.get("name").and_then(Value::as_str) {
                        token.name = Some(name.to_owned());
                    }
                    token.updated = now;
                    json!({"token": token.data()})
                }
                "revokeTokenAuthToken" => {
                    token.revoked = true;
                    token.updated = now;
                    json!({"message": "Successfully revoked access token"})
                }
                _ => json!({"token": token.data()}),
            })
            .ok_or_else(|| ApiError::not_found(format!("Failed to find token with ID {token_id}")))
    }
}

/// Whether `access` may be used now by the caller of `ctx` (not revoked, expired or used up; from
/// one of its trusted IPs).
fn vet_access_token(access: &AccessToken, ctx: &RequestContext, now: f64) -> Result<(), ApiError> {
    if let Some(error) = access.unusable(now) {
        return Err(error);
    }
    if !access.admits(ctx.client_ip) {
        return Err(ApiError::forbidden(FORBIDDEN_IP));
    }
    Ok(())
}

macro_rules! op {
    (retrieve $name:ident, $id:literal, (identity_id), $resp:ident) => {
        async fn $name(&self, identity_id: String, ctx: RequestContext) -> Result<types::$resp, ApiError> {
            self.retrieve($id, &identity_id, &ctx)
        }
    };
    ($name:ident, $id:literal, ($($p:ident),*), $resp:ident) => {
        async fn $name(&self, $($p: String,)* ctx: RequestContext) -> Result<types::$resp, ApiError> {
            self.respond($id, self.dispatch($id, &ctx, &[$($p.as_str()),*], None, None))
        }
    };
    ($name:ident, $id:literal, ($($p:ident),*), body $body:ident, $resp:ident) => {
        async fn $name(&self, $($p: String,)* body: types::$body, ctx: RequestContext) -> Result<types::$resp, ApiError> {
            let body = to_json(&body)?;
            self.respond($id, self.dispatch($id, &ctx, &[$($p.as_str()),*], None, Some(body)))
        }
    };
}

impl InfisicalAuthApi for ReferenceApi {
    async fn authenticate(&self, ctx: &RequestContext) -> Result<(), ApiError> {
        self.authenticate_token(ctx)
    }

    async fn get_token_auth_tokens(
        &self,
        identity_id: String,
        query: GetTokenAuthTokensQuery,
        ctx: RequestContext,
    ) -> Result<types::GetTokenAuthTokensResponse, ApiError> {
        let query = to_json(&query)?;
        self.respond(
            "getTokenAuthTokens",
            self.dispatch(
                "getTokenAuthTokens",
                &ctx,
                &[&identity_id],
                Some(query),
                None,
            ),
        )
    }

    op!(
        retrieve get_alicloud_auth,
        "getAlicloudAuth",
        (identity_id),
        GetAlicloudAuthResponse
    );
    op!(attach_alicloud_auth, "attachAlicloudAuth", (identity_id), body AttachAlicloudAuthBody, AttachAlicloudAuthResponse);
    op!(
        delete_alicloud_auth,
        "deleteAlicloudAuth",
        (identity_id),
        DeleteAlicloudAuthResponse
    );
    op!(update_alicloud_auth, "updateAlicloudAuth", (identity_id), body UpdateAlicloudAuthBody, UpdateAlicloudAuthResponse);
    op!(login_with_alicloud_auth, "loginWithAlicloudAuth", (), body LoginWithAlicloudAuthBody, LoginWithAlicloudAuthResponse);
    op!(
        retrieve get_aws_auth,
        "getAwsAuth",
        (identity_id),
        GetAwsAuthResponse
    );
    op!(attach_aws_auth, "attachAwsAuth", (identity_id), body AttachAwsAuthBody, AttachAwsAuthResponse);
    op!(
        delete_aws_auth,
        "deleteAwsAuth",
        (identity_id),
        DeleteAwsAuthResponse
    );
    op!(update_aws_auth, "updateAwsAuth", (identity_id), body UpdateAwsAuthBody, UpdateAwsAuthResponse);
    op!(login_with_aws_auth, "loginWithAwsAuth", (), body LoginWithAwsAuthBody, LoginWithAwsAuthResponse);
    op!(
        retrieve get_azure_auth,
        "getAzureAuth",
        (identity_id),
        GetAzureAuthResponse
    );
    op!(attach_azure_auth, "attachAzureAuth", (identity_id), body AttachAzureAuthBody, AttachAzureAuthResponse);
    op!(
        delete_azure_auth,
        "deleteAzureAuth",
        (identity_id),
        DeleteAzureAuthResponse
    );
    op!(update_azure_auth, "updateAzureAuth", (identity_id), body UpdateAzureAuthBody, UpdateAzureAuthResponse);
    op!(login_with_azure_auth, "loginWithAzureAuth", (), body LoginWithAzureAuthBody, LoginWithAzureAuthResponse);
    op!(
        retrieve get_gcp_auth,
        "getGcpAuth",
        (identity_id),
        GetGcpAuthResponse
    );
    op!(attach_gcp_auth, "attachGcpAuth", (identity_id), body AttachGcpAuthBody, AttachGcpAuthResponse);
    op!(
        delete_gcp_auth,
        "deleteGcpAuth",
        (identity_id),
        DeleteGcpAuthResponse
    );
    op!(update_gcp_auth, "updateGcpAuth", (identity_id), body UpdateGcpAuthBody, UpdateGcpAuthResponse);
    op!(login_with_gcp_auth, "loginWithGcpAuth", (), body LoginWithGcpAuthBody, LoginWithGcpAuthResponse);
    op!(
        retrieve get_jwt_auth,
        "getJwtAuth",
        (identity_id),
        GetJwtAuthResponse
    );
    op!(attach_jwt_auth, "attachJwtAuth", (identity_id), body AttachJwtAuthBody, AttachJwtAuthResponse);
    op!(
        delete_jwt_auth,
        "deleteJwtAuth",
        (identity_id),
        DeleteJwtAuthResponse
    );
    op!(update_jwt_auth, "updateJwtAuth", (identity_id), body UpdateJwtAuthBody, UpdateJwtAuthResponse);
    op!(login_with_jwt_auth, "loginWithJwtAuth", (), body LoginWithJwtAuthBody, LoginWithJwtAuthResponse);
    op!(
        retrieve get_kubernetes_auth,
        "getKubernetesAuth",
        (identity_id),
        GetKubernetesAuthResponse
    );
    op!(attach_kubernetes_auth, "attachKubernetesAuth", (identity_id), body AttachKubernetesAuthBody, AttachKubernetesAuthResponse);
    op!(
        delete_kubernetes_auth,
        "deleteKubernetesAuth",
        (identity_id),
        DeleteKubernetesAuthResponse
    );
    op!(update_kubernetes_auth, "updateKubernetesAuth", (identity_id), body UpdateKubernetesAuthBody, UpdateKubernetesAuthResponse);
    op!(login_with_kubernetes_auth, "loginWithKubernetesAuth", (), body LoginWithKubernetesAuthBody, LoginWithKubernetesAuthResponse);
    op!(
        retrieve get_ldap_auth,
        "getLdapAuth",
        (identity_id),
        GetLdapAuthResponse
    );
    op!(attach_ldap_auth, "attachLdapAuth", (identity_id), body AttachLdapAuthBody, AttachLdapAuthResponse);
    op!(
        delete_ldap_auth,
        "deleteLdapAuth",
        (identity_id),
        DeleteLdapAuthResponse
    );
    op!(update_ldap_auth, "updateLdapAuth", (identity_id), body UpdateLdapAuthBody, UpdateLdapAuthResponse);
    op!(
        clear_ldap_auth_lockouts,
        "clearLdapAuthLockouts",
        (identity_id),
        ClearLdapAuthLockoutsResponse
    );
    op!(login_with_ldap_auth, "loginWithLdapAuth", (), body LoginWithLdapAuthBody, LoginWithLdapAuthResponse);
    op!(
        retrieve get_oci_auth,
        "getOciAuth",
        (identity_id),
        GetOciAuthResponse
    );
    op!(attach_oci_auth, "attachOciAuth", (identity_id), body AttachOciAuthBody, AttachOciAuthResponse);
    op!(
        delete_oci_auth,
        "deleteOciAuth",
        (identity_id),
        DeleteOciAuthResponse
    );
    op!(update_oci_auth, "updateOciAuth", (identity_id), body UpdateOciAuthBody, UpdateOciAuthResponse);
    op!(login_with_oci_auth, "loginWithOciAuth", (), body LoginWithOciAuthBody, LoginWithOciAuthResponse);
    op!(
        retrieve get_oidc_auth,
        "getOidcAuth",
        (identity_id),
        GetOidcAuthResponse
    );
    op!(attach_oidc_auth, "attachOidcAuth", (identity_id), body AttachOidcAuthBody, AttachOidcAuthResponse);
    op!(
        delete_oidc_auth,
        "deleteOidcAuth",
        (identity_id),
        DeleteOidcAuthResponse
    );
    op!(update_oidc_auth, "updateOidcAuth", (identity_id), body UpdateOidcAuthBody, UpdateOidcAuthResponse);
    op!(login_with_oidc_auth, "loginWithOidcAuth", (), body LoginWithOidcAuthBody, LoginWithOidcAuthResponse);
    op!(
        retrieve get_spiffe_auth,
        "getSpiffeAuth",
        (identity_id),
        GetSpiffeAuthResponse
    );
    op!(attach_spiffe_auth, "attachSpiffeAuth", (identity_id), body AttachSpiffeAuthBody, AttachSpiffeAuthResponse);
    op!(
        delete_spiffe_auth,
        "deleteSpiffeAuth",
        (identity_id),
        DeleteSpiffeAuthResponse
    );
    op!(update_spiffe_auth, "updateSpiffeAuth", (identity_id), body UpdateSpiffeAuthBody, UpdateSpiffeAuthResponse);
    op!(
        refresh_spiffe_bundle,
        "refreshSpiffeBundle",
        (identity_id),
        RefreshSpiffeBundleResponse
    );
    op!(login_with_spiffe_auth, "loginWithSpiffeAuth", (), body LoginWithSpiffeAuthBody, LoginWithSpiffeAuthResponse);
    op!(
        retrieve get_tls_cert_auth,
        "getTlsCertAuth",
        (identity_id),
        GetTlsCertAuthResponse
    );
    op!(attach_tls_cert_auth, "attachTlsCertAuth", (identity_id), body AttachTlsCertAuthBody, AttachTlsCertAuthResponse);
    op!(
        delete_tls_cert_auth,
        "deleteTlsCertAuth",
        (identity_id),
        DeleteTlsCertAuthResponse
    );
    op!(update_tls_cert_auth, "updateTlsCertAuth", (identity_id), body UpdateTlsCertAuthBody, UpdateTlsCertAuthResponse);
    op!(login_with_tls_cert_auth, "loginWithTlsCertAuth", (), body LoginWithTlsCertAuthBody, LoginWithTlsCertAuthResponse);
    op!(
        retrieve get_token_auth,
        "getTokenAuth",
        (identity_id),
        GetTokenAuthResponse
    );
    op!(attach_token_auth, "attachTokenAuth", (identity_id), body AttachTokenAuthBody, AttachTokenAuthResponse);
    op!(
        delete_token_auth,
        "deleteTokenAuth",
        (identity_id),
        DeleteTokenAuthResponse
    );
    op!(update_token_auth, "updateTokenAuth", (identity_id), body UpdateTokenAuthBody, UpdateTokenAuthResponse);
    // getTokenAuthTokens: query, written out below
    op!(create_token_auth_token, "createTokenAuthToken", (identity_id), body CreateTokenAuthTokenBody, CreateTokenAuthTokenResponse);
    op!(
        get_token_auth_token_by_id,
        "getTokenAuthTokenById",
        (token_id),
        GetTokenAuthTokenByIdResponse
    );
    op!(update_token_auth_token, "updateTokenAuthToken", (token_id), body UpdateTokenAuthTokenBody, UpdateTokenAuthTokenResponse);
    op!(
        revoke_token_auth_token,
        "revokeTokenAuthToken",
        (token_id),
        RevokeTokenAuthTokenResponse
    );
    async fn renew_identity_access_token(
        &self,
        body: types::RenewIdentityAccessTokenBody,
        ctx: RequestContext,
    ) -> Result<types::RenewIdentityAccessTokenResponse, ApiError> {
        self.renew(&ctx, &body)
    }

    async fn revoke_identity_access_token(
        &self,
        body: types::RevokeIdentityAccessTokenBody,
        _ctx: RequestContext,
    ) -> Result<types::RevokeIdentityAccessTokenResponse, ApiError> {
        self.revoke_token_text(&body)
    }
    op!(
        retrieve get_universal_auth,
        "getUniversalAuth",
        (identity_id),
        GetUniversalAuthResponse
    );
    op!(attach_universal_auth, "attachUniversalAuth", (identity_id), body AttachUniversalAuthBody, AttachUniversalAuthResponse);
    op!(
        delete_universal_auth,
        "deleteUniversalAuth",
        (identity_id),
        DeleteUniversalAuthResponse
    );
    op!(update_universal_auth, "updateUniversalAuth", (identity_id), body UpdateUniversalAuthBody, UpdateUniversalAuthResponse);
    op!(
        clear_universal_auth_lockouts,
        "clearUniversalAuthLockouts",
        (identity_id),
        ClearUniversalAuthLockoutsResponse
    );
    op!(
        list_universal_auth_client_secrets,
        "listUniversalAuthClientSecrets",
        (identity_id),
        ListUniversalAuthClientSecretsResponse
    );
    op!(create_universal_auth_client_secret, "createUniversalAuthClientSecret", (identity_id), body CreateUniversalAuthClientSecretBody, CreateUniversalAuthClientSecretResponse);
    op!(
        get_universal_auth_client_secret,
        "getUniversalAuthClientSecret",
        (identity_id, client_secret_id),
        GetUniversalAuthClientSecretResponse
    );
    op!(
        revoke_universal_auth_client_secret,
        "revokeUniversalAuthClientSecret",
        (identity_id, client_secret_id),
        RevokeUniversalAuthClientSecretResponse
    );
    async fn login_with_universal_auth(
        &self,
        body: types::LoginWithUniversalAuthBody,
        ctx: RequestContext,
    ) -> Result<types::LoginWithUniversalAuthResponse, ApiError> {
        self.login_universal(&ctx, &body)
    }
}
