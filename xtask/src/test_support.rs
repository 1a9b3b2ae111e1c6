//! What the unit tests of several stages share: the embedded spec and its configuration.

use serde_json::Value;

use crate::config::Config;

/// The embedded spec as published (`openapi/infisical-identity-auth.json`).
pub fn embedded_spec() -> Value {
    serde_json::from_str(include_str!("../../openapi/infisical-identity-auth.json")).unwrap()
}

/// The workspace's configuration (`openapi/codegen.toml`).
pub fn embedded_config() -> Config {
    toml::from_str(include_str!("../../openapi/codegen.toml")).unwrap()
}

/// The embedded spec checked, lowered, fixed up and deduplicated: what the generate stage is
/// given.
pub fn embedded_fixed() -> Value {
    crate::pipeline::fixed_document(&embedded_spec(), &embedded_config()).unwrap()
}
