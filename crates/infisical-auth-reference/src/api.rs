//! The reference server's implementation of [`InfisicalAuthApi`]: every trait method works on the
//! typed state (`state`, `methods`) and answers with the generated response types, built
//! directly. Configuration operations share four generic steps (retrieve, attach, update,
//! delete) over each method's stored type; logins are in `logins`.

use std::sync::Arc;

use infisical_auth_server::{
    types, ApiError, GetTokenAuthTokensQuery, InfisicalAuthApi, RequestContext,
};

use super::methods::{self, Fit, Meta, Patch, Stored, TokenSettings};
use super::roles::{Action, Caller, Role};
use super::state::{
    digest, new_secret, now_secs, now_time, secret_data, token_data, AccessToken, ClientSecret,
    Identity, State, Tokens,
};

/// The in-memory implementation behind `reference-server`.
pub struct ReferenceApi {
    admin_token: String,
    pub(crate) state: State,
    pub(crate) tokens: Tokens,
    /// What verified logins share: the bounded fetcher with its key cache, LDAP lockouts, the
    /// client-certificate header.
    pub(crate) verifiers: crate::verify::Verifiers,
    /// The fault rules.
    faults: crate::faults::Faults,
    /// The latest requests.
    journal: crate::journal::Journal,
}

impl std::fmt::Debug for ReferenceApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceApi")
            .field("admin_token", &"<redacted>")
            .finish_non_exhaustive()
    }
}

fn identity_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Failed to find identity with ID {id}"))
}

fn not_attached<M: Stored>() -> ApiError {
    ApiError::bad_request(format!("The identity does not have {}", M::WORDS))
}

pub(crate) const FORBIDDEN_IP: &str =
    "You are not allowed to access this resource from the current IP address";

/// An access token just issued: its text (shown once) and lifetimes as a login answers them.
#[derive(Debug)]
pub(crate) struct Issued {
    /// The token's text.
    pub access_token: String,
    /// `expiresIn`.
    pub expires_in: f64,
    /// `accessTokenMaxTTL`.
    pub max_ttl: f64,
}

impl ReferenceApi {
    /// A server with no identities whose management calls accept `admin_token`.
    pub fn new(admin_token: impl Into<String>) -> Self {
        ReferenceApi {
            admin_token: admin_token.into(),
            state: State::default(),
            tokens: Tokens::default(),
            verifiers: crate::verify::Verifiers::default(),
            faults: crate::faults::Faults::default(),
            journal: crate::journal::Journal::default(),
        }
    }

    /// Keeps the latest `size` requests in the journal (0: none).
    pub fn with_journal_size(mut self, size: usize) -> Self {
        self.journal = crate::journal::Journal::new(size);
        self
    }

    /// The fault rules: add, list and clear them.
    pub fn faults(&self) -> &crate::faults::Faults {
        &self.faults
    }

    /// The journal of the latest requests.
    pub fn journal(&self) -> &crate::journal::Journal {
        &self.journal
    }

    /// Reads TLS-certificate logins' client certificate from header `name` (Infisical's
    /// `IDENTITY_TLS_CERT_AUTH_CLIENT_CERTIFICATE_HEADER_KEY`) instead of
    /// `x-identity-tls-cert-auth-client-cert`.
    pub fn with_client_certificate_header(mut self, name: &str) -> Self {
        if !name.trim().is_empty() {
            self.verifiers.client_certificate_header = name.trim().to_ascii_lowercase();
        }
        self
    }

    /// Bounds each call a verified login makes to a provider by `timeout` (`None`: 10 s).
    pub fn with_provider_timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
        if let Some(timeout) = timeout {
            self.verifiers.fetcher =
                crate::verify::Fetcher::new(timeout, crate::verify::fetch::DEFAULT_MAX_BODY);
        }
        self
    }

    /// The header TLS-certificate logins read the client certificate from.
    pub fn client_certificate_header(&self) -> &str {
        &self.verifiers.client_certificate_header
    }

    /// Creates an identity (`id` a UUID, or a fresh one) with organization role `role` and
    /// returns its id.
    pub fn create_identity(&self, id: Option<&str>, role: Role) -> Result<String, ApiError> {
        let id = match id {
            Some(text) => uuid::Uuid::parse_str(text)
                .map_err(|_| ApiError::bad_request("Identity id must be a UUID"))?
                .hyphenated()
                .to_string(),
            None => uuid::Uuid::new_v4().to_string(),
        };
        let mut shard = self.state.identities.write(&id);
        if shard.contains_key(&id) {
            return Err(ApiError::bad_request(format!(
                "Identity with ID {id} already exists"
            )));
        }
        shard.insert(
            id.clone(),
            Identity {
                role,
                ..Identity::default()
            },
        );
        Ok(id)
    }

    /// Attaches universal auth with its defaults to `identity_id` (for seeding at start).
    pub fn seed_universal_auth(&self, identity_id: &str) -> Result<(), ApiError> {
        self.attach_universal_auth_config(
            &Caller::Admin,
            identity_id,
            types::AttachUniversalAuthBody::default(),
        )
        .map(drop)
    }

    /// The organization role of `identity_id`, if it exists.
    pub fn identity_role(&self, identity_id: &str) -> Option<Role> {
        self.state
            .identities
            .read(identity_id)
            .get(identity_id)
            .map(|i| i.role)
    }

    /// Revokes every access token of `identity_id` (issued by any method), as if each had been
    /// revoked through the API: the next call with one of them is refused. How many were
    /// revoked.
    pub fn revoke_access_tokens(&self, identity_id: &str) -> usize {
        self.tokens.revoke_of_identity(identity_id, now_secs())
    }

    /// How many access tokens are held (expired ones are removed shortly after expiry).
    pub fn token_count(&self) -> usize {
        self.tokens.len()
    }

    /// How many identities are held.
    pub fn identity_count(&self) -> usize {
        self.state.identities.len()
    }

    /// Whether `token` is the admin token (compared in constant time).
    pub(crate) fn is_admin(&self, token: &str) -> bool {
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
    /// used from one of its trusted IPs (which counts as a use); who the caller is, with its
    /// role, for the call's permission check.
    pub fn authorize(&self, ctx: &RequestContext) -> Result<Caller, ApiError> {
        let Some(token) = self.access_token_of(ctx)? else {
            return Ok(Caller::Admin);
        };
        let now = now_secs();
        let identity = self
            .tokens
            .with_text(token, |access| {
                vet_access_token(access, ctx, now)?;
                access.uses += 1;
                access.last_used = Some(now);
                Ok(Arc::clone(&access.identity_id))
            })
            .unwrap_or_else(|| Err(ApiError::unauthorized("Token missing")))?;
        crate::journal::note_caller(&identity);
        // Identities are never removed; a token outliving its identity would have no rights.
        let role = self.identity_role(&identity).unwrap_or_default();
        Ok(Caller::Identity { id: identity, role })
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

    /// Runs `f` on identity `identity_id` (404 if unknown), its shard locked for writing.
    fn with_identity<R>(
        &self,
        identity_id: &str,
        f: impl FnOnce(&mut Identity) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        let mut shard = self.state.identities.write(identity_id);
        let identity = shard
            .get_mut(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        f(identity)
    }

    /// A copy of the stored configuration of method `M` of `identity_id`, for an answer.
    pub(crate) fn config<M: Stored>(&self, identity_id: &str) -> Result<M, ApiError> {
        let shard = self.state.identities.read(identity_id);
        let identity = shard
            .get(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        M::slot(&identity.configs)
            .as_deref()
            .cloned()
            .ok_or_else(not_attached::<M>)
    }

    /// A configuration retrieve.
    fn retrieve<M: Stored>(&self, ctx: &RequestContext, identity_id: &str) -> Result<M, ApiError> {
        let caller = self.authorize(ctx)?;
        let shard = self.state.identities.read(identity_id);
        let identity = shard
            .get(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        let config = M::slot(&identity.configs)
            .as_deref()
            .ok_or_else(not_attached::<M>)?;
        caller.allow(Action::Read, identity.role, || {
            format!(
                "Failed to read {} of identity with more privileged role",
                M::WORDS
            )
        })?;
        Ok(config.clone())
    }

    /// A configuration attach: `build` makes it from the body (its trusted IPs checked), then it
    /// is attached unless the identity is unknown (404) or already has it (400).
    fn attach<M: Stored>(
        &self,
        ctx: &RequestContext,
        identity_id: &str,
        build: impl FnOnce(Meta) -> Result<M, ApiError>,
    ) -> Result<M, ApiError> {
        let caller = self.authorize(ctx)?;
        self.attach_config(&caller, identity_id, build, |_| ())
    }

    /// Attaches the configuration `build` makes, if `caller` may; `then` runs on the identity
    /// after it.
    pub(crate) fn attach_config<M: Stored>(
        &self,
        caller: &Caller,
        identity_id: &str,
        build: impl FnOnce(Meta) -> Result<M, ApiError>,
        then: impl FnOnce(&mut Identity),
    ) -> Result<M, ApiError> {
        let meta = Meta {
            id: uuid::Uuid::new_v4(),
            identity_id: uuid::Uuid::parse_str(identity_id).unwrap_or_default(),
            now: now_time(),
        };
        let config = build(meta)?;
        self.with_identity(identity_id, |identity| {
            let slot = M::slot_mut(&mut identity.configs);
            if slot.is_some() {
                return Err(ApiError::bad_request(format!(
                    "Failed to add {} to already configured identity",
                    M::WORDS
                )));
            }
            caller.allow(Action::Create, identity.role, || {
                format!(
                    "Failed to add {} to identity with more privileged role",
                    M::WORDS
                )
            })?;
            let slot = M::slot_mut(&mut identity.configs);
            *slot = Some(Box::new(config.clone()));
            then(identity);
            Ok(config)
        })
    }

    /// A configuration update: fields the body names change, the others are kept; the effective
    /// TTL may not exceed the effective max TTL (docs/infisical-behaviour.md#order-of-checks).
    fn update<M: Stored, B>(
        &self,
        ctx: &RequestContext,
        identity_id: &str,
        body: B,
        read: fn(B) -> Result<Patch<M>, ApiError>,
        then: impl FnOnce(&mut Identity),
    ) -> Result<M, ApiError> {
        let caller = self.authorize(ctx)?;
        let patch = read(body)?;
        self.with_identity(identity_id, |identity| {
            let role = identity.role;
            let stored = M::slot_mut(&mut identity.configs)
                .as_deref_mut()
                .ok_or_else(not_attached::<M>)?;
            let ttl = patch.ttl.unwrap_or_else(|| stored.ttl());
            let max_ttl = patch.max_ttl.unwrap_or_else(|| stored.max_ttl());
            if max_ttl > 0.0 && ttl > max_ttl {
                return Err(ApiError::bad_request(
                    infisical_auth_validation::EFFECTIVE_TTL_MESSAGE,
                ));
            }
            caller.allow(Action::Edit, role, || {
                format!(
                    "Failed to update {} of identity with more privileged role",
                    M::WORDS
                )
            })?;
            (patch.apply)(stored);
            stored.touch(now_time());
            let config = stored.clone();
            then(identity);
            Ok(config)
        })
    }

    /// A configuration delete; `then` runs on the identity and the removed configuration.
    fn delete<M: Stored>(
        &self,
        ctx: &RequestContext,
        identity_id: &str,
        then: impl FnOnce(&mut Identity, &M),
    ) -> Result<M, ApiError> {
        let caller = self.authorize(ctx)?;
        self.with_identity(identity_id, |identity| {
            if M::slot(&identity.configs).is_none() {
                return Err(not_attached::<M>());
            }
            caller.allow(Action::Edit, identity.role, || {
                format!(
                    "Failed to revoke {} of identity with more privileged role",
                    M::WORDS
                )
            })?;
            let config = M::slot_mut(&mut identity.configs)
                .take()
                .ok_or_else(not_attached::<M>)?;
            then(identity, &config);
            Ok(*config)
        })
    }

    /// Attaches universal auth: a new client id, registered for logins.
    pub(crate) fn attach_universal_auth_config(
        &self,
        caller: &Caller,
        identity_id: &str,
        body: types::AttachUniversalAuthBody,
    ) -> Result<methods::Universal, ApiError> {
        self.attach_universal_auth_with(caller, identity_id, body, None)
    }

    /// Attaches universal auth with client id `client_id` (a fresh UUID when `None`; a given one
    /// must not be taken).
    pub(crate) fn attach_universal_auth_with(
        &self,
        caller: &Caller,
        identity_id: &str,
        body: types::AttachUniversalAuthBody,
        client_id: Option<String>,
    ) -> Result<methods::Universal, ApiError> {
        let client_id = match client_id {
            Some(given) => {
                if self.state.client_ids.read(&given).contains_key(&given) {
                    return Err(ApiError::bad_request(format!(
                        "Client id {given} is already taken"
                    )));
                }
                given
            }
            None => uuid::Uuid::new_v4().to_string(),
        };
        let config = self.attach_config(
            caller,
            identity_id,
            |meta| methods::attach_universal(body, meta, client_id.clone()),
            |identity| identity.forget_universal_auth_settings(),
        )?;
        self.state
            .client_ids
            .write(&client_id)
            .insert(client_id, identity_id.into());
        Ok(config)
    }

    /// The universal-auth configuration id of `identity`, the client secrets' `identityUAId`.
    fn ua_id(identity: &Identity) -> Result<uuid::Uuid, ApiError> {
        identity
            .configs
            .universal
            .as_ref()
            .map(|c| c.id)
            .ok_or_else(not_attached::<methods::Universal>)
    }

    fn create_secret(
        &self,
        ctx: &RequestContext,
        identity_id: &str,
        body: types::CreateUniversalAuthClientSecretBody,
    ) -> Result<types::CreateUniversalAuthClientSecretResponse, ApiError> {
        let caller = self.authorize(ctx)?;
        self.add_secret(&caller, identity_id, body, new_secret())
    }

    /// Adds client secret `secret` to `identity_id`'s universal auth, if `caller` may.
    pub(crate) fn add_secret(
        &self,
        caller: &Caller,
        identity_id: &str,
        body: types::CreateUniversalAuthClientSecretBody,
        secret: String,
    ) -> Result<types::CreateUniversalAuthClientSecretResponse, ApiError> {
        self.with_identity(identity_id, |identity| {
            let ua_id = Self::ua_id(identity)?;
            caller.allow(Action::Create, identity.role, || {
                "Failed to create client secret for more privileged identity".to_owned()
            })?;
            if identity.secrets.iter().any(|s| s.digest == digest(&secret)) {
                return Err(ApiError::bad_request(
                    "The identity already has this client secret",
                ));
            }
            let now = now_time();
            let record = ClientSecret {
                id: uuid::Uuid::new_v4().to_string().into(),
                digest: digest(&secret),
                prefix: secret.chars().take(4).collect(),
                description: body.description,
                created_at: now,
                created: now_secs(),
                updated_at: now,
                ttl: body.ttl,
                uses: 0,
                uses_limit: body.num_uses_limit,
                revoked: false,
            };
            let data = secret_data!(ClientSecretData, &record, ua_id);
            identity.secrets.push(record);
            Ok(types::CreateUniversalAuthClientSecretResponse {
                client_secret: secret.into(),
                client_secret_data: data,
            })
        })
    }

    fn list_secrets(
        &self,
        ctx: &RequestContext,
        identity_id: &str,
    ) -> Result<types::ListUniversalAuthClientSecretsResponse, ApiError> {
        let caller = self.authorize(ctx)?;
        let shard = self.state.identities.read(identity_id);
        let identity = shard
            .get(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        let ua_id = Self::ua_id(identity)?;
        caller.allow(Action::Read, identity.role, || {
            "Failed to get identity client secret with more privileged role".to_owned()
        })?;
        Ok(types::ListUniversalAuthClientSecretsResponse {
            client_secret_data: identity
                .secrets
                .iter()
                .filter(|s| !s.revoked)
                .map(|s| secret_data!(ClientSecretData, s, ua_id))
                .collect(),
        })
    }

    /// Runs `f` on client secret `secret_id` of `identity_id` and universal auth's id, if the
    /// caller may (`action`, `boundary` the message of a more privileged identity's 403).
    fn with_secret<R>(
        &self,
        ctx: &RequestContext,
        identity_id: &str,
        secret_id: &str,
        (action, boundary): (Action, &str),
        f: impl FnOnce(&mut ClientSecret, uuid::Uuid) -> R,
    ) -> Result<R, ApiError> {
        let caller = self.authorize(ctx)?;
        self.with_identity(identity_id, |identity| {
            let ua_id = Self::ua_id(identity)?;
            let role = identity.role;
            let secret = identity
                .secrets
                .iter_mut()
                .find(|s| *s.id == *secret_id)
                .ok_or_else(|| {
                    ApiError::not_found(format!("Failed to find client secret with ID {secret_id}"))
                })?;
            caller.allow(action, role, || boundary.to_owned())?;
            Ok(f(secret, ua_id))
        })
    }

    /// Clears the lockouts of method `M` (this server locks only universal auth out).
    fn clear_lockouts<M: Stored>(
        &self,
        ctx: &RequestContext,
        identity_id: &str,
    ) -> Result<f64, ApiError> {
        let caller = self.authorize(ctx)?;
        self.with_identity(identity_id, |identity| {
            if M::slot(&identity.configs).is_none() {
                return Err(not_attached::<M>());
            }
            caller.allow(Action::Edit, identity.role, || {
                format!(
                    "Failed to clear lockouts of {} of identity with more privileged role",
                    M::WORDS
                )
            })?;
            let is_universal =
                std::any::TypeId::of::<M>() == std::any::TypeId::of::<methods::Universal>();
            let is_ldap = std::any::TypeId::of::<M>() == std::any::TypeId::of::<methods::Ldap>();
            Ok(if is_universal && identity.lockout.take().is_some() {
                1.0
            } else if is_ldap {
                self.verifiers.ldap_lockouts.clear(identity_id) as f64
            } else {
                0.0
            })
        })
    }

    /// Issues an access token for `identity_id` with a method's token settings (TTL, max TTL,
    /// period, use limit, trusted IPs); `shape` sets what the method adds (a name, a secret) and
    /// reads what its answer needs of the token.
    pub(crate) fn issue<R>(
        &self,
        identity_id: Arc<str>,
        auth_method: &'static str,
        settings: &Arc<TokenSettings>,
        shape: impl FnOnce(&mut AccessToken) -> R,
    ) -> (Issued, R) {
        let now = now_secs();
        let mut token = AccessToken::issue(identity_id, auth_method, settings, now);
        let extra = shape(&mut token);
        let (expires_in, max_ttl) = token.lifetimes(now);
        let access_token = self.tokens.insert(token, now);
        (
            Issued {
                access_token,
                expires_in,
                max_ttl,
            },
            extra,
        )
    }

    fn create_token(
        &self,
        ctx: &RequestContext,
        identity_id: &str,
        body: types::CreateTokenAuthTokenBody,
    ) -> Result<types::CreateTokenAuthTokenResponse, ApiError> {
        let caller = self.authorize(ctx)?;
        let settings = self
            .permitted_config::<methods::Token>(&caller, identity_id, Action::Edit, || {
                "Failed to create token for identity with more privileged role".to_owned()
            })?
            .tokens();
        let (issued, data) = self.issue(identity_id.into(), "token-auth", &settings, |t| {
            t.name = body.name.map(String::into_boxed_str);
            token_data!(TokenAuthToken, t)
        });
        Ok(types::CreateTokenAuthTokenResponse {
            access_token: issued.access_token.into(),
            access_token_max_ttl: issued.max_ttl as u64,
            expires_in: issued.expires_in as u64,
            token_data: data,
            token_type: types::CreateTokenAuthTokenResponseTokenType::Bearer,
        })
    }

    fn list_tokens(
        &self,
        ctx: &RequestContext,
        identity_id: &str,
        query: GetTokenAuthTokensQuery,
    ) -> Result<types::GetTokenAuthTokensResponse, ApiError> {
        let caller = self.authorize(ctx)?;
        let offset = query.offset.unwrap_or(0).max(0) as usize;
        let limit = query.limit.unwrap_or(20).max(0) as usize;
        self.permitted_config::<methods::Token>(&caller, identity_id, Action::Read, || {
            "Failed to get tokens of identity with more privileged role".to_owned()
        })?;
        Ok(types::GetTokenAuthTokensResponse {
            tokens: self
                .tokens
                .of_identity(identity_id, "token-auth")
                .iter()
                .skip(offset)
                .take(limit)
                .map(|t| token_data!(TokenAuthToken, t))
                .collect(),
        })
    }

    /// The configuration of method `M` of `identity_id`, if `caller` may make a call needing
    /// `action` on it.
    fn permitted_config<M: Stored>(
        &self,
        caller: &Caller,
        identity_id: &str,
        action: Action,
        boundary: impl FnOnce() -> String,
    ) -> Result<M, ApiError> {
        let shard = self.state.identities.read(identity_id);
        let identity = shard
            .get(identity_id)
            .ok_or_else(|| identity_not_found(identity_id))?;
        let config = M::slot(&identity.configs)
            .as_deref()
            .ok_or_else(not_attached::<M>)?;
        caller.allow(action, identity.role, boundary)?;
        Ok(config.clone())
    }

    /// Runs `f` on the token-auth token `token_id` (404 if unknown), if the caller may make a
    /// call needing `action` on its identity (`boundary` the message of a more privileged
    /// identity's 403).
    fn with_token<R>(
        &self,
        ctx: &RequestContext,
        token_id: &str,
        (action, boundary): (Action, &str),
        f: impl FnOnce(&mut AccessToken) -> R,
    ) -> Result<R, ApiError> {
        let caller = self.authorize(ctx)?;
        let not_found = || ApiError::not_found(format!("Failed to find token with ID {token_id}"));
        let identity = self
            .tokens
            .with_id(token_id, |t| Arc::clone(&t.identity_id))
            .ok_or_else(not_found)?;
        crate::journal::note_identity(&identity);
        let role = self.identity_role(&identity).unwrap_or_default();
        caller.allow(action, role, || boundary.to_owned())?;
        self.tokens.with_id(token_id, f).ok_or_else(not_found)
    }

    /// Token renew: extends the token of the body (never the bearer's) by its TTL, up to its max
    /// TTL from creation, or by its period.
    fn renew(
        &self,
        ctx: &RequestContext,
        body: types::RenewIdentityAccessTokenBody,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        let now = now_secs();
        let (expires_in, max_ttl) = self
            .tokens
            .with_text(body.access_token.expose_secret(), |token| {
                crate::journal::note_identity(&token.identity_id);
                if let Some(error) = token.unusable(now) {
                    return Err(error);
                }
                if !token.admits(ctx.client_ip) {
                    return Err(ApiError::forbidden(FORBIDDEN_IP));
                }
                let settings = Arc::clone(&token.settings);
                if settings.period > 0.0 {
                    token.expires_at = Some(now + settings.period);
                } else if settings.ttl > 0.0 {
                    let mut end = now + settings.ttl;
                    if settings.max_ttl > 0.0 {
                        end = end.min(token.created + settings.max_ttl);
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
        Ok(types::AccessTokenResponse {
            access_token: body.access_token,
            expires_in: expires_in as u64,
            access_token_max_ttl: max_ttl as u64,
            token_type: types::AccessTokenResponseTokenType::Bearer,
        })
    }

    /// Token revoke by the token's text.
    fn revoke_token_text(
        &self,
        body: &types::RevokeIdentityAccessTokenBody,
    ) -> Result<types::MessageResponse, ApiError> {
        let now = now_secs();
        self.tokens
            .with_text(body.access_token.expose_secret(), |token| {
                crate::journal::note_identity(&token.identity_id);
                token.revoked = true;
                token.updated = now;
            })
            .ok_or_else(|| ApiError::unauthorized("Invalid access token"))?;
        Ok(types::MessageResponse {
            message: "Successfully revoked access token".to_owned(),
        })
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

/// The retrieve, attach, update and delete operations of one auth method (`$field` the answers'
/// one property, e.g. `identity_aws_auth`) and its login.
macro_rules! method_ops {
    (
        $stored:ident, $field:ident,
        $get:ident -> $get_r:ident,
        $attach:ident($attach_b:ident) -> $attach_r:ident = $build:path,
        $update:ident($update_b:ident) -> $update_r:ident = $read:path,
        $delete:ident -> $delete_r:ident,
        $login:ident($login_b:ident) -> $login_r:ident = $login_fn:ident
    ) => {
        async fn $get(
            &self,
            identity_id: String,
            ctx: RequestContext,
        ) -> Result<types::$get_r, ApiError> {
            let config: methods::$stored = self.retrieve(&ctx, &identity_id)?;
            Ok(types::$get_r { $field: config })
        }

        async fn $attach(
            &self,
            identity_id: String,
            body: types::$attach_b,
            ctx: RequestContext,
        ) -> Result<types::$attach_r, ApiError> {
            let config = self.attach(&ctx, &identity_id, |meta| $build(body, meta))?;
            Ok(types::$attach_r {
                $field: config.fit(),
            })
        }

        async fn $update(
            &self,
            identity_id: String,
            body: types::$update_b,
            ctx: RequestContext,
        ) -> Result<types::$update_r, ApiError> {
            let config = self.update(&ctx, &identity_id, body, $read, |_| ())?;
            Ok(types::$update_r {
                $field: config.fit(),
            })
        }

        async fn $delete(
            &self,
            identity_id: String,
            ctx: RequestContext,
        ) -> Result<types::$delete_r, ApiError> {
            let config = self.delete::<methods::$stored>(&ctx, &identity_id, |_, _| ())?;
            Ok(types::$delete_r {
                $field: config.fit(),
            })
        }

        async fn $login(
            &self,
            body: types::$login_b,
            ctx: RequestContext,
        ) -> Result<types::$login_r, ApiError> {
            self.$login_fn(&ctx, body).await
        }
    };
}

impl InfisicalAuthApi for ReferenceApi {
    async fn authenticate(&self, ctx: &RequestContext) -> Result<(), ApiError> {
        self.authenticate_token(ctx)
    }

    method_ops!(
        Alicloud, identity_ali_cloud_auth,
        get_alicloud_auth -> GetAlicloudAuthResponse,
        attach_alicloud_auth(AttachAlicloudAuthBody) -> AttachAlicloudAuthResponse = methods::attach_alicloud,
        update_alicloud_auth(UpdateAlicloudAuthBody) -> UpdateAlicloudAuthResponse = methods::update_alicloud,
        delete_alicloud_auth -> DeleteAlicloudAuthResponse,
        login_with_alicloud_auth(LoginWithAlicloudAuthBody) -> AccessTokenResponse = login_alicloud_auth
    );
    method_ops!(
        Aws, identity_aws_auth,
        get_aws_auth -> GetAwsAuthResponse,
        attach_aws_auth(AttachAwsAuthBody) -> AttachAwsAuthResponse = methods::attach_aws,
        update_aws_auth(UpdateAwsAuthBody) -> UpdateAwsAuthResponse = methods::update_aws,
        delete_aws_auth -> DeleteAwsAuthResponse,
        login_with_aws_auth(LoginWithAwsAuthBody) -> AccessTokenResponse = login_aws_auth
    );
    method_ops!(
        Azure, identity_azure_auth,
        get_azure_auth -> GetAzureAuthResponse,
        attach_azure_auth(AttachAzureAuthBody) -> AttachAzureAuthResponse = methods::attach_azure,
        update_azure_auth(UpdateAzureAuthBody) -> UpdateAzureAuthResponse = methods::update_azure,
        delete_azure_auth -> DeleteAzureAuthResponse,
        login_with_azure_auth(LoginWithAzureAuthBody) -> AccessTokenResponse = login_azure_auth
    );
    method_ops!(
        Gcp, identity_gcp_auth,
        get_gcp_auth -> GetGcpAuthResponse,
        attach_gcp_auth(AttachGcpAuthBody) -> AttachGcpAuthResponse = methods::attach_gcp,
        update_gcp_auth(UpdateGcpAuthBody) -> UpdateGcpAuthResponse = methods::update_gcp,
        delete_gcp_auth -> DeleteGcpAuthResponse,
        login_with_gcp_auth(LoginWithGcpAuthBody) -> AccessTokenResponse = login_gcp_auth
    );
    method_ops!(
        Jwt, identity_jwt_auth,
        get_jwt_auth -> GetJwtAuthResponse,
        attach_jwt_auth(AttachJwtAuthBody) -> AttachJwtAuthResponse = methods::attach_jwt,
        update_jwt_auth(UpdateJwtAuthBody) -> UpdateJwtAuthResponse = methods::update_jwt,
        delete_jwt_auth -> DeleteJwtAuthResponse,
        login_with_jwt_auth(LoginWithJwtAuthBody) -> AccessTokenResponse = login_jwt_auth
    );
    method_ops!(
        Kubernetes, identity_kubernetes_auth,
        get_kubernetes_auth -> GetKubernetesAuthResponse,
        attach_kubernetes_auth(AttachKubernetesAuthBody) -> AttachKubernetesAuthResponse = methods::attach_kubernetes,
        update_kubernetes_auth(UpdateKubernetesAuthBody) -> UpdateKubernetesAuthResponse = methods::update_kubernetes,
        delete_kubernetes_auth -> DeleteKubernetesAuthResponse,
        login_with_kubernetes_auth(LoginWithKubernetesAuthBody) -> AccessTokenResponse = login_kubernetes_auth
    );
    method_ops!(
        Ldap, identity_ldap_auth,
        get_ldap_auth -> GetLdapAuthResponse,
        attach_ldap_auth(AttachLdapAuthBody) -> AttachLdapAuthResponse = methods::attach_ldap,
        update_ldap_auth(UpdateLdapAuthBody) -> UpdateLdapAuthResponse = methods::update_ldap,
        delete_ldap_auth -> DeleteLdapAuthResponse,
        login_with_ldap_auth(LoginWithLdapAuthBody) -> AccessTokenResponse = login_ldap_auth
    );
    method_ops!(
        Oci, identity_oci_auth,
        get_oci_auth -> GetOciAuthResponse,
        attach_oci_auth(AttachOciAuthBody) -> AttachOciAuthResponse = methods::attach_oci,
        update_oci_auth(UpdateOciAuthBody) -> UpdateOciAuthResponse = methods::update_oci,
        delete_oci_auth -> DeleteOciAuthResponse,
        login_with_oci_auth(LoginWithOciAuthBody) -> AccessTokenResponse = login_oci_auth
    );
    method_ops!(
        Oidc, identity_oidc_auth,
        get_oidc_auth -> GetOidcAuthResponse,
        attach_oidc_auth(AttachOidcAuthBody) -> AttachOidcAuthResponse = methods::attach_oidc,
        update_oidc_auth(UpdateOidcAuthBody) -> UpdateOidcAuthResponse = methods::update_oidc,
        delete_oidc_auth -> DeleteOidcAuthResponse,
        login_with_oidc_auth(LoginWithOidcAuthBody) -> AccessTokenResponse = login_oidc_auth
    );
    method_ops!(
        Spiffe, identity_spiffe_auth,
        get_spiffe_auth -> GetSpiffeAuthResponse,
        attach_spiffe_auth(AttachSpiffeAuthBody) -> AttachSpiffeAuthResponse = methods::attach_spiffe,
        update_spiffe_auth(UpdateSpiffeAuthBody) -> UpdateSpiffeAuthResponse = methods::update_spiffe,
        delete_spiffe_auth -> DeleteSpiffeAuthResponse,
        login_with_spiffe_auth(LoginWithSpiffeAuthBody) -> AccessTokenResponse = login_spiffe_auth
    );
    method_ops!(
        TlsCert, identity_tls_cert_auth,
        get_tls_cert_auth -> GetTlsCertAuthResponse,
        attach_tls_cert_auth(AttachTlsCertAuthBody) -> AttachTlsCertAuthResponse = methods::attach_tls_cert,
        update_tls_cert_auth(UpdateTlsCertAuthBody) -> UpdateTlsCertAuthResponse = methods::update_tls_cert,
        delete_tls_cert_auth -> DeleteTlsCertAuthResponse,
        login_with_tls_cert_auth(LoginWithTlsCertAuthBody) -> AccessTokenResponse = login_tls_cert_auth
    );

    async fn clear_ldap_auth_lockouts(
        &self,
        identity_id: String,
        ctx: RequestContext,
    ) -> Result<types::DeletedResponse, ApiError> {
        let deleted = self.clear_lockouts::<methods::Ldap>(&ctx, &identity_id)?;
        Ok(types::DeletedResponse {
            deleted: deleted as u64,
        })
    }

    async fn refresh_spiffe_bundle(
        &self,
        identity_id: String,
        ctx: RequestContext,
    ) -> Result<types::RefreshSpiffeBundleResponse, ApiError> {
        let caller = self.authorize(&ctx)?;
        let config = self.with_identity(&identity_id, |identity| {
            let role = identity.role;
            let stored = identity
                .configs
                .spiffe
                .as_deref_mut()
                .ok_or_else(not_attached::<methods::Spiffe>)?;
            caller.allow(Action::Edit, role, || {
                "Failed to refresh the SPIFFE bundle of identity with more privileged role"
                    .to_owned()
            })?;
            methods::refresh_bundle(stored, now_time());
            Ok(stored.clone())
        })?;
        Ok(types::RefreshSpiffeBundleResponse {
            identity_spiffe_auth: config.fit(),
        })
    }

    async fn get_token_auth(
        &self,
        identity_id: String,
        ctx: RequestContext,
    ) -> Result<types::GetTokenAuthResponse, ApiError> {
        let config: methods::Token = self.retrieve(&ctx, &identity_id)?;
        Ok(types::GetTokenAuthResponse {
            identity_token_auth: config,
        })
    }

    async fn attach_token_auth(
        &self,
        identity_id: String,
        body: types::AttachTokenAuthBody,
        ctx: RequestContext,
    ) -> Result<types::AttachTokenAuthResponse, ApiError> {
        let config = self.attach(&ctx, &identity_id, |meta| methods::attach_token(body, meta))?;
        Ok(types::AttachTokenAuthResponse {
            identity_token_auth: config.fit(),
        })
    }

    async fn update_token_auth(
        &self,
        identity_id: String,
        body: types::UpdateTokenAuthBody,
        ctx: RequestContext,
    ) -> Result<types::UpdateTokenAuthResponse, ApiError> {
        let config = self.update(&ctx, &identity_id, body, methods::update_token, |_| ())?;
        Ok(types::UpdateTokenAuthResponse {
            identity_token_auth: config.fit(),
        })
    }

    async fn delete_token_auth(
        &self,
        identity_id: String,
        ctx: RequestContext,
    ) -> Result<types::DeleteTokenAuthResponse, ApiError> {
        let config = self.delete::<methods::Token>(&ctx, &identity_id, |_, _| ())?;
        Ok(types::DeleteTokenAuthResponse {
            identity_token_auth: config.fit(),
        })
    }

    async fn get_token_auth_tokens(
        &self,
        identity_id: String,
        query: GetTokenAuthTokensQuery,
        ctx: RequestContext,
    ) -> Result<types::GetTokenAuthTokensResponse, ApiError> {
        self.list_tokens(&ctx, &identity_id, query)
    }

    async fn create_token_auth_token(
        &self,
        identity_id: String,
        body: types::CreateTokenAuthTokenBody,
        ctx: RequestContext,
    ) -> Result<types::CreateTokenAuthTokenResponse, ApiError> {
        self.create_token(&ctx, &identity_id, body)
    }

    async fn get_token_auth_token_by_id(
        &self,
        token_id: String,
        ctx: RequestContext,
    ) -> Result<types::GetTokenAuthTokenByIdResponse, ApiError> {
        let token = self.with_token(
            &ctx,
            &token_id,
            (
                Action::Read,
                "Failed to get token of identity with more privileged role",
            ),
            |t| token_data!(TokenAuthToken, t),
        )?;
        Ok(types::GetTokenAuthTokenByIdResponse { token })
    }

    async fn update_token_auth_token(
        &self,
        token_id: String,
        body: types::UpdateTokenAuthTokenBody,
        ctx: RequestContext,
    ) -> Result<types::UpdateTokenAuthTokenResponse, ApiError> {
        let now = now_secs();
        let update = (
            Action::Edit,
            "Failed to update token of identity with more privileged role",
        );
        let token = self.with_token(&ctx, &token_id, update, |t| {
            if let Some(name) = body.name {
                t.name = Some(name.into());
            }
            t.updated = now;
            token_data!(TokenAuthToken, t)
        })?;
        Ok(types::UpdateTokenAuthTokenResponse { token })
    }

    async fn revoke_token_auth_token(
        &self,
        token_id: String,
        ctx: RequestContext,
    ) -> Result<types::MessageResponse, ApiError> {
        let now = now_secs();
        let revoke = (
            Action::Edit,
            "Failed to revoke token of identity with more privileged role",
        );
        self.with_token(&ctx, &token_id, revoke, |t| {
            t.revoked = true;
            t.updated = now;
        })?;
        Ok(types::MessageResponse {
            message: "Successfully revoked access token".to_owned(),
        })
    }

    async fn renew_identity_access_token(
        &self,
        body: types::RenewIdentityAccessTokenBody,
        ctx: RequestContext,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        self.renew(&ctx, body)
    }

    async fn revoke_identity_access_token(
        &self,
        body: types::RevokeIdentityAccessTokenBody,
        _ctx: RequestContext,
    ) -> Result<types::MessageResponse, ApiError> {
        self.revoke_token_text(&body)
    }

    async fn get_universal_auth(
        &self,
        identity_id: String,
        ctx: RequestContext,
    ) -> Result<types::GetUniversalAuthResponse, ApiError> {
        let config: methods::Universal = self.retrieve(&ctx, &identity_id)?;
        Ok(types::GetUniversalAuthResponse {
            identity_universal_auth: config,
        })
    }

    async fn attach_universal_auth(
        &self,
        identity_id: String,
        body: types::AttachUniversalAuthBody,
        ctx: RequestContext,
    ) -> Result<types::AttachUniversalAuthResponse, ApiError> {
        let caller = self.authorize(&ctx)?;
        let config = self.attach_universal_auth_config(&caller, &identity_id, body)?;
        Ok(types::AttachUniversalAuthResponse {
            identity_universal_auth: config.fit(),
        })
    }

    async fn update_universal_auth(
        &self,
        identity_id: String,
        body: types::UpdateUniversalAuthBody,
        ctx: RequestContext,
    ) -> Result<types::UpdateUniversalAuthResponse, ApiError> {
        let config = self.update(
            &ctx,
            &identity_id,
            body,
            methods::update_universal,
            |identity| identity.forget_universal_auth_settings(),
        )?;
        Ok(types::UpdateUniversalAuthResponse {
            identity_universal_auth: config.fit(),
        })
    }

    async fn delete_universal_auth(
        &self,
        identity_id: String,
        ctx: RequestContext,
    ) -> Result<types::DeleteUniversalAuthResponse, ApiError> {
        let config = self.delete::<methods::Universal>(&ctx, &identity_id, |identity, _| {
            identity.secrets.clear();
            identity.lockout = None;
            identity.universal_auth = None;
        })?;
        self.state
            .client_ids
            .write(&config.client_id)
            .remove(&config.client_id);
        Ok(types::DeleteUniversalAuthResponse {
            identity_universal_auth: config.fit(),
        })
    }

    async fn clear_universal_auth_lockouts(
        &self,
        identity_id: String,
        ctx: RequestContext,
    ) -> Result<types::DeletedResponse, ApiError> {
        let deleted = self.clear_lockouts::<methods::Universal>(&ctx, &identity_id)?;
        Ok(types::DeletedResponse {
            deleted: deleted as u64,
        })
    }

    async fn list_universal_auth_client_secrets(
        &self,
        identity_id: String,
        ctx: RequestContext,
    ) -> Result<types::ListUniversalAuthClientSecretsResponse, ApiError> {
        self.list_secrets(&ctx, &identity_id)
    }

    async fn create_universal_auth_client_secret(
        &self,
        identity_id: String,
        body: types::CreateUniversalAuthClientSecretBody,
        ctx: RequestContext,
    ) -> Result<types::CreateUniversalAuthClientSecretResponse, ApiError> {
        self.create_secret(&ctx, &identity_id, body)
    }

    async fn get_universal_auth_client_secret(
        &self,
        identity_id: String,
        client_secret_id: String,
        ctx: RequestContext,
    ) -> Result<types::GetUniversalAuthClientSecretResponse, ApiError> {
        let read = (
            Action::Read,
            "Failed to read identity client secret of identity with more privileged role",
        );
        let data = self.with_secret(&ctx, &identity_id, &client_secret_id, read, |s, ua_id| {
            secret_data!(ClientSecretData, s, ua_id)
        })?;
        Ok(types::GetUniversalAuthClientSecretResponse {
            client_secret_data: data,
        })
    }

    async fn revoke_universal_auth_client_secret(
        &self,
        identity_id: String,
        client_secret_id: String,
        ctx: RequestContext,
    ) -> Result<types::RevokeUniversalAuthClientSecretResponse, ApiError> {
        let revoke = (
            Action::Delete,
            "Failed to revoke identity client secret with more privileged role",
        );
        let data =
            self.with_secret(&ctx, &identity_id, &client_secret_id, revoke, |s, ua_id| {
                s.revoked = true;
                s.updated_at = now_time();
                secret_data!(ClientSecretData, s, ua_id)
            })?;
        Ok(types::RevokeUniversalAuthClientSecretResponse {
            client_secret_data: data,
        })
    }

    async fn login_with_universal_auth(
        &self,
        body: types::LoginWithUniversalAuthBody,
        ctx: RequestContext,
    ) -> Result<types::AccessTokenResponse, ApiError> {
        self.login_universal_auth(&ctx, &body)
    }
}
