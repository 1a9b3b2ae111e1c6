//! Load stage: read an OpenAPI document (JSON or YAML) and fingerprint it.

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Error;

/// A loaded document with the SHA-256 of the exact bytes it was read from.
#[derive(Clone, Debug)]
pub struct LoadedSpec {
    /// The document as JSON.
    pub doc: Value,
    /// Lower-case hex SHA-256 of the source bytes; recorded in every generated header.
    pub sha256: String,
}

/// Reads `path` and parses it as JSON (by a `.json` ending or a leading `{`) or else as YAML.
pub fn load(path: &Path) -> Result<LoadedSpec, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io(path.display().to_string(), e))?;
    parse(&bytes).map_err(|msg| Error::Load(path.display().to_string(), msg))
}

/// Parses document bytes (JSON or YAML) and hashes them.
pub fn parse(bytes: &[u8]) -> Result<LoadedSpec, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let doc: Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?
    } else {
        serde_yaml::from_str(text).map_err(|e| format!("invalid YAML: {e}"))?
    };
    Ok(LoadedSpec {
        doc,
        sha256: sha256_hex(bytes),
    })
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_parse_to_the_same_document() {
        let json = parse(br#"{"openapi": "3.0.3", "paths": {}}"#).unwrap();
        let yaml = parse(b"openapi: 3.0.3\npaths: {}\n").unwrap();
        assert_eq!(json.doc, yaml.doc);
        assert_ne!(json.sha256, yaml.sha256, "the hash is of the bytes read");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse(b"{ not json").unwrap_err().contains("invalid JSON"));
        assert!(parse(&[0xff, 0xfe]).unwrap_err().contains("UTF-8"));
    }
}
