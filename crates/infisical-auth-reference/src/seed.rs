//! A seed file (`--seed FILE`, JSON or YAML): the identities a local stack starts with, their
//! organization roles, their auth methods (each with its attach body, validated and normalised
//! as the API validates it) and universal-auth client secrets with fixed values, so that the
//! stack starts the same every time.
//!
//! ```yaml
//! identities:
//!   - id: 7d7f0c1e-3b5a-4c2e-9f61-2a0d5e8b4c33
//!     role: member
//!     authMethods:
//!       universalAuth:
//!         clientId: ci-runner            # optional: a fixed client id
//!         accessTokenTTL: 3600
//!       tokenAuth: {}
//!     clientSecrets:
//!       - secret: a-fixed-client-secret  # at least 8 characters
//!         description: ci
//! ```
//!
//! A bad seed stops the start with an error naming the entry (`identities[0]`), the field and
//! the rule it breaks. Secrets never appear in `Debug` or in errors.

use std::collections::BTreeMap;
use std::path::Path;

use infisical_auth_server::{types, ApiError};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::api::ReferenceApi;
use crate::methods;
use crate::roles::{Caller, Role};

/// A seed: identities to create at start.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    /// The identities, created in order.
    pub identities: Vec<SeedIdentity>,
}

/// One identity of a seed.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedIdentity {
    /// Its id (a UUID); a fresh one when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// Its organization role (`no-access` when absent, as Infisical's).
    #[serde(default)]
    pub role: Role,
    /// Auth methods to attach, by name (`universalAuth`, `tokenAuth`, `awsAuth`, `gcpAuth`,
    /// `azureAuth`, `kubernetesAuth`, `oidcAuth`, `jwtAuth`, `ldapAuth`, `ociAuth`,
    /// `tlsCertAuth`, `alicloudAuth`, `spiffeAuth`), each with its attach body as the API takes
    /// it; `universalAuth` may add `clientId`, a fixed client id.
    #[serde(default)]
    pub auth_methods: BTreeMap<String, Value>,
    /// Universal-auth client secrets with fixed values.
    #[serde(default)]
    pub client_secrets: Vec<SeedSecret>,
}

/// A client secret of a seed. `Debug` redacts the secret.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedSecret {
    /// The secret's value (at least 8 characters).
    pub secret: String,
    /// Its description.
    #[serde(default)]
    pub description: String,
    /// Its lifetime in seconds (0: none).
    #[serde(default)]
    pub ttl: f64,
    /// How many logins it allows (0: unlimited).
    #[serde(default)]
    pub num_uses_limit: f64,
}

impl std::fmt::Debug for SeedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedSecret")
            .field("secret", &"<redacted>")
            .field("description", &self.description)
            .field("ttl", &self.ttl)
            .field("num_uses_limit", &self.num_uses_limit)
            .finish()
    }
}

/// Why a seed cannot be read or applied: the entry, the field and the rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedError(pub String);

impl std::fmt::Display for SeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "seed: {}", self.0)
    }
}

impl std::error::Error for SeedError {}

fn error(message: impl Into<String>) -> SeedError {
    SeedError(message.into())
}

/// A value read into `T`, an error naming the field's path.
fn typed<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| match e.path().to_string() {
        path if path == "." => e.inner().to_string(),
        path => format!("{path}: {}", e.inner()),
    })
}

/// The operationId of each method's attach, by its name in a seed.
const METHODS: [(&str, &str); 13] = [
    ("universalAuth", "attachUniversalAuth"),
    ("tokenAuth", "attachTokenAuth"),
    ("awsAuth", "attachAwsAuth"),
    ("gcpAuth", "attachGcpAuth"),
    ("azureAuth", "attachAzureAuth"),
    ("kubernetesAuth", "attachKubernetesAuth"),
    ("oidcAuth", "attachOidcAuth"),
    ("jwtAuth", "attachJwtAuth"),
    ("ldapAuth", "attachLdapAuth"),
    ("ociAuth", "attachOciAuth"),
    ("tlsCertAuth", "attachTlsCertAuth"),
    ("alicloudAuth", "attachAlicloudAuth"),
    ("spiffeAuth", "attachSpiffeAuth"),
];

impl Seed {
    /// Reads a seed from `text`: JSON when it starts with `{`, else YAML.
    pub fn parse(text: &str) -> Result<Seed, SeedError> {
        let value: Value = if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| error(format!("not valid JSON: {e}")))?
        } else {
            serde_yaml::from_str(text).map_err(|e| error(format!("not valid YAML: {e}")))?
        };
        typed(value).map_err(error)
    }

    /// Reads the seed file at `path`.
    pub fn from_path(path: &Path) -> Result<Seed, SeedError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| error(format!("cannot read {}: {e}", path.display())))?;
        Seed::parse(&text)
    }

    /// Creates the seed's identities, methods and secrets in `api`.
    pub fn apply(&self, api: &ReferenceApi) -> Result<(), SeedError> {
        for (index, identity) in self.identities.iter().enumerate() {
            let entry = match &identity.id {
                Some(id) => format!("identities[{index}] ({id})"),
                None => format!("identities[{index}]"),
            };
            identity
                .apply(api)
                .map_err(|message| error(format!("{entry}: {message}")))?;
        }
        Ok(())
    }
}

/// An API error as a seed error's text.
fn api_error(error: ApiError) -> String {
    match error.message() {
        Some(types::ErrorMessage::Text(text)) => text.clone(),
        _ => error.to_string(),
    }
}

impl SeedIdentity {
    fn apply(&self, api: &ReferenceApi) -> Result<(), String> {
        for name in self.auth_methods.keys() {
            if !METHODS.iter().any(|(known, _)| known == name) {
                let known: Vec<_> = METHODS.iter().map(|(m, _)| *m).collect();
                return Err(format!(
                    "authMethods.{name}: not an auth method (one of {})",
                    known.join(", ")
                ));
            }
        }
        if !self.client_secrets.is_empty() && !self.auth_methods.contains_key("universalAuth") {
            return Err("clientSecrets: need authMethods.universalAuth".into());
        }
        let id = api
            .create_identity(self.id.as_deref(), self.role)
            .map_err(|e| format!("id: {}", api_error(e)))?;
        // In the order of METHODS, so that a seed applies the same whatever its key order.
        for (name, operation) in METHODS {
            let Some(body) = self.auth_methods.get(name) else {
                continue;
            };
            attach(api, &id, name, operation, body.clone())
                .map_err(|message| format!("authMethods.{name}: {message}"))?;
        }
        for (index, secret) in self.client_secrets.iter().enumerate() {
            let field = format!("clientSecrets[{index}]");
            if secret.secret.chars().count() < 8 {
                return Err(format!("{field}.secret: must be at least 8 characters"));
            }
            let body = serde_json::json!({
                "description": secret.description,
                "ttl": secret.ttl,
                "numUsesLimit": secret.num_uses_limit,
            });
            let body: types::CreateUniversalAuthClientSecretBody =
                checked("createUniversalAuthClientSecret", body)
                    .map_err(|message| format!("{field}: {message}"))?;
            api.add_secret(&Caller::Admin, &id, body, secret.secret.clone())
                .map_err(|e| format!("{field}: {}", api_error(e)))?;
        }
        Ok(())
    }
}

/// A body validated and normalised as the API does, then typed.
fn checked<B: DeserializeOwned>(operation: &str, mut body: Value) -> Result<B, String> {
    if !body.is_object() {
        return Err("must be an object (the attach body)".into());
    }
    infisical_auth_validation::validate_body(operation, &body).map_err(|r| r.to_string())?;
    infisical_auth_validation::normalise(operation, &mut body);
    typed(body)
}

/// Attaches method `name` to identity `id` with `body`, checked as the API checks it.
fn attach(
    api: &ReferenceApi,
    id: &str,
    name: &str,
    operation: &str,
    mut body: Value,
) -> Result<(), String> {
    let admin = Caller::Admin;
    macro_rules! attach_with {
        ($body:ident, $build:path) => {{
            let body: types::$body = checked(operation, body)?;
            api.attach_config(&admin, id, |meta| $build(body, meta), |_| ())
                .map(drop)
                .map_err(api_error)
        }};
    }
    match name {
        "universalAuth" => {
            let client_id = match body.as_object_mut().and_then(|o| o.remove("clientId")) {
                None => None,
                Some(Value::String(text)) if !text.trim().is_empty() && text.trim() == text => {
                    Some(text)
                }
                Some(_) => {
                    return Err(
                        "clientId: must be a non-empty string without surrounding spaces".into(),
                    )
                }
            };
            let body: types::AttachUniversalAuthBody = checked(operation, body)?;
            api.attach_universal_auth_with(&admin, id, body, client_id)
                .map(drop)
                .map_err(api_error)
        }
        "tokenAuth" => attach_with!(AttachTokenAuthBody, methods::attach_token),
        "awsAuth" => attach_with!(AttachAwsAuthBody, methods::attach_aws),
        "gcpAuth" => attach_with!(AttachGcpAuthBody, methods::attach_gcp),
        "azureAuth" => attach_with!(AttachAzureAuthBody, methods::attach_azure),
        "kubernetesAuth" => attach_with!(AttachKubernetesAuthBody, methods::attach_kubernetes),
        "oidcAuth" => attach_with!(AttachOidcAuthBody, methods::attach_oidc),
        "jwtAuth" => attach_with!(AttachJwtAuthBody, methods::attach_jwt),
        "ldapAuth" => attach_with!(AttachLdapAuthBody, methods::attach_ldap),
        "ociAuth" => attach_with!(AttachOciAuthBody, methods::attach_oci),
        "tlsCertAuth" => attach_with!(AttachTlsCertAuthBody, methods::attach_tls_cert),
        "alicloudAuth" => attach_with!(AttachAlicloudAuthBody, methods::attach_alicloud),
        "spiffeAuth" => attach_with!(AttachSpiffeAuthBody, methods::attach_spiffe),
        _ => Err("not an auth method".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "7d7f0c1e-3b5a-4c2e-9f61-2a0d5e8b4c33";

    fn applied(text: &str) -> Result<ReferenceApi, SeedError> {
        let api = ReferenceApi::new("admin");
        Seed::parse(text)?.apply(&api)?;
        Ok(api)
    }

    #[test]
    fn a_yaml_seed_creates_identities_methods_and_secrets() {
        let api = applied(&format!(
            "identities:\n  - id: {ID}\n    role: member\n    authMethods:\n      universalAuth:\n        clientId: ci-runner\n        accessTokenTTL: 60\n      tokenAuth: {{}}\n    clientSecrets:\n      - secret: fixed-secret-value\n"
        ))
        .unwrap();
        assert_eq!(api.identity_role(ID), Some(Role::Member));
        let config: methods::Universal = api.config(ID).unwrap();
        assert_eq!(
            (config.client_id.as_str(), config.access_token_ttl),
            ("ci-runner", 60)
        );
        assert!(api.config::<methods::Token>(ID).is_ok());
    }

    #[test]
    fn a_json_seed_reads_the_same() {
        let api = applied(&format!(
            r#"{{"identities": [{{"id": "{ID}", "authMethods": {{"jwtAuth": {{"configurationType": "static", "publicKeys": [], "boundIssuer": "x"}}}}}}]}}"#
        ));
        // A static JWT configuration needs keys: refused as the API refuses it.
        let refused = api.unwrap_err().to_string();
        assert!(
            refused.starts_with(&format!(
                "seed: identities[0] ({ID}): authMethods.jwtAuth: "
            )),
            "{refused}"
        );
    }

    #[test]
    fn a_bad_seed_names_the_entry_the_field_and_the_rule() {
        let refused = |text: &str| applied(text).unwrap_err().to_string();
        assert_eq!(
            refused("identities:\n  - role: owner\n"),
            "seed: identities[0].role: unknown variant `owner`, expected one of `no-access`, `member`, `admin`"
        );
        assert!(refused(
            "identities:\n  - authMethods:\n      universalAuth:\n        accessTokenTTL: -1\n"
        )
        .starts_with(
            "seed: identities[0]: authMethods.universalAuth: request failed validation (422)"
        ));
        assert!(
            refused("identities:\n  - authMethods:\n      magicAuth: {}\n")
                .starts_with("seed: identities[0]: authMethods.magicAuth: not an auth method")
        );
        assert_eq!(
            refused("identities:\n  - clientSecrets:\n      - secret: abcdefgh\n"),
            "seed: identities[0]: clientSecrets: need authMethods.universalAuth"
        );
        assert_eq!(
            refused("identities:\n  - authMethods: {universalAuth: {}}\n    clientSecrets:\n      - secret: short\n"),
            "seed: identities[0]: clientSecrets[0].secret: must be at least 8 characters"
        );
        assert!(
            refused(&format!("identities:\n  - id: {ID}\n  - id: {ID}\n"))
                .starts_with(&format!("seed: identities[1] ({ID}): id: Identity with ID"))
        );
        assert!(refused("identities:\n  - id: nope\n").contains("id: Identity id must be a UUID"));
        assert!(refused("identities: [\n").starts_with("seed: not valid YAML"));
        assert!(refused("{\"identities\": 3}").starts_with("seed: identities: invalid type"));
        assert!(refused("identities:\n  - extra: 1\n").contains("unknown field `extra`"));
    }

    #[test]
    fn secrets_are_never_shown() {
        let seed = Seed::parse(
            "identities:\n  - authMethods: {universalAuth: {}}\n    clientSecrets:\n      - secret: very-secret-value\n",
        )
        .unwrap();
        assert!(!format!("{seed:?}").contains("very-secret"));
    }
}
