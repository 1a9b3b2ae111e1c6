//! Codegen configuration, read from `openapi/codegen.toml` (config in a file, not in code).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Error;

/// The contents of `openapi/codegen.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The spec file, relative to the config file's folder.
    pub spec: PathBuf,
    /// Where each generated file goes, relative to the workspace root.
    pub output: Output,
    /// Names for the options of `anyOf` unions that carry no tag, keyed by the union's JSON pointer.
    #[serde(default)]
    pub any_of_names: BTreeMap<String, Vec<String>>,
    /// Names of shared schemas (see [`crate::dedupe`]): the default name the naming rule gives
    /// one -> the name it gets instead.
    #[serde(default)]
    pub shared_names: BTreeMap<String, String>,
    /// Wire names of fields whose values are secrets: never printed by `Debug`.
    #[serde(default)]
    pub secret_fields: Vec<String>,
    /// Types that derive both `Serialize` and `Deserialize` whatever the types crate's features,
    /// with every type they reach (see the `serde_by_direction` pass,
    /// [`crate::postprocess::PASSES`]): those hand-written code reads and writes on both sides. A
    /// name that is not a generated type is an error.
    #[serde(default)]
    pub serde_both_ways: Vec<String>,
    /// Answer fields declared `number` that are counters or durations in seconds: integers,
    /// never negative (see the fix-up `whole_numbers_in_answers`). A name no property of the
    /// document has is an error.
    #[serde(default)]
    pub whole_number_answers: Vec<String>,
    /// The operations whose retry class is not the one their method gives (see
    /// [`crate::operation_table`]).
    #[serde(default)]
    pub retry: Retry,
}

/// `[retry]`: exceptions to the retry class an operation's method gives it (`GET` and `HEAD`
/// read, every other method unrepeatable).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Operations that renew or revoke a token: repeating one changes nothing more, so the
    /// client may send it again after a request that may have reached the server.
    #[serde(default)]
    pub token_lifecycle: Vec<String>,
}

/// Output locations.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// The shared types crate's folder.
    pub types: PathBuf,
    /// The client crate's folder.
    pub client: PathBuf,
    /// The server-stub crate's folder.
    #[serde(default)]
    pub server: Option<PathBuf>,
    /// A crate (the workspace tests) that gets `src/schema_index/generated.rs`: the JSON schema of
    /// every operation's Rust request and response type, for the schema conformance test.
    #[serde(default)]
    pub schema_index: Option<PathBuf>,
}

impl Config {
    /// Reads and parses the config file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::Io(path.display().to_string(), e))?;
        toml::from_str(&text).map_err(|e| Error::Config(path.display().to_string(), e.to_string()))
    }
}

/// The Rust name of the crate in `folder` (its last component, `-` as `_`).
pub fn crate_ident(folder: &Path) -> String {
    folder
        .file_name()
        .map(|n| n.to_string_lossy().replace('-', "_"))
        .unwrap_or_else(|| "generated".into())
}
