//! Loading a document: bytes (JSON or YAML, with or without a BOM) to a JSON value whose root is
//! an object, fingerprinted by the SHA-256 of the bytes. Every stage and command that reads a
//! document (codegen, diff, import, the tests) loads it here.

use std::path::Path;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::pointer;
use crate::Error;

/// A loaded document with the SHA-256 of the exact bytes it was read from.
#[derive(Clone, Debug)]
pub struct LoadedSpec {
    /// The document as JSON.
    pub doc: Value,
    /// Lower-case hex SHA-256 of the source bytes; recorded in every generated header.
    pub sha256: String,
}

/// Why a document could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not UTF-8.
    #[error("not UTF-8: {0}")]
    NotUtf8(String),
    /// The text looks like JSON (starts with `{`) but does not parse.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The text is not valid YAML.
    #[error("invalid YAML: {0}")]
    Yaml(String),
    /// The document parses but cannot be a JSON document at `pointer`.
    #[error("invalid document at {}: {message}", if pointer.is_empty() { "(root)" } else { pointer.as_str() })]
    Invalid {
        /// RFC 6901 JSON pointer of the offending value (`""` is the root).
        pointer: String,
        /// What is wrong.
        message: String,
    },
}

/// Reads `path` and loads it ([`parse`]).
pub fn load(path: &Path) -> Result<LoadedSpec, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io(path.display().to_string(), e))?;
    parse(&bytes).map_err(|e| Error::Load(path.display().to_string(), e.to_string()))
}

/// Parses document bytes ([`parse_text`]) and hashes them.
pub fn parse(bytes: &[u8]) -> Result<LoadedSpec, LoadError> {
    let text = std::str::from_utf8(bytes).map_err(|e| LoadError::NotUtf8(e.to_string()))?;
    Ok(LoadedSpec {
        doc: parse_text(text)?,
        sha256: sha256_hex(bytes),
    })
}

/// Parses a document: JSON if it starts with `{` (after a BOM and whitespace), else YAML. YAML
/// mapping keys that are numbers or booleans (`200:`) become strings; other non-string keys, YAML
/// tags and non-finite numbers are errors naming their JSON pointer. The root must be an object.
pub fn parse_text(text: &str) -> Result<Value, LoadError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let doc = if trimmed.starts_with('{') {
        serde_json::from_str::<Value>(trimmed).map_err(|e| LoadError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?
    } else {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str(trimmed).map_err(|e| LoadError::Yaml(e.to_string()))?;
        yaml_to_json(yaml, "")?
    };
    if !doc.is_object() {
        return Err(invalid("", "the document is not an object"));
    }
    Ok(doc)
}

fn invalid(pointer: &str, message: impl Into<String>) -> LoadError {
    LoadError::Invalid {
        pointer: pointer.to_string(),
        message: message.into(),
    }
}

fn yaml_to_json(v: serde_yaml::Value, ptr: &str) -> Result<Value, LoadError> {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                match serde_json::Number::from_f64(f) {
                    Some(n) => Value::Number(n),
                    None => return Err(invalid(ptr, format!("number `{f}` is not finite"))),
                }
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(seq) => Value::Array(
            seq.into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, &format!("{ptr}/{i}")))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => return Err(invalid(ptr, "a mapping key is not a string")),
                };
                let value = yaml_to_json(v, &pointer::join(ptr, &key))?;
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            return Err(invalid(
                ptr,
                format!("YAML tag `{}` is not supported", t.tag),
            ))
        }
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
    use serde_json::json;

    use super::*;

    #[test]
    fn json_and_yaml_parse_to_the_same_document() {
        let json = parse(br#"{"openapi": "3.0.3", "paths": {}}"#).unwrap();
        let yaml = parse(b"openapi: 3.0.3\npaths: {}\n").unwrap();
        assert_eq!(json.doc, yaml.doc);
        assert_ne!(json.sha256, yaml.sha256, "the hash is of the bytes read");
        let bom = parse("\u{feff}{\"openapi\": \"3.0.3\", \"paths\": {}}".as_bytes()).unwrap();
        assert_eq!(bom.doc, json.doc);
    }

    #[test]
    fn yaml_keys_and_numbers_become_json() {
        let doc = parse_text("openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\nx: 1.5\n").unwrap();
        assert_eq!(
            doc["paths"]["/a"]["get"]["responses"]["200"]["description"],
            "ok"
        );
        assert_eq!(doc["x"], json!(1.5));
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        assert!(matches!(
            parse_text("{\"a\": "),
            Err(LoadError::Json { .. })
        ));
        assert!(matches!(parse_text("a: [1"), Err(LoadError::Yaml(_))));
        assert!(matches!(
            parse_text("[1, 2]"),
            Err(LoadError::Invalid { .. })
        ));
        assert!(matches!(parse_text("- 1"), Err(LoadError::Invalid { .. })));
        assert!(matches!(parse(&[0xff, 0xfe]), Err(LoadError::NotUtf8(_))));
        let err = parse_text("a:\n  b/c: !custom 1\n").unwrap_err();
        assert!(err.to_string().contains("/a/b~1c"), "{err}");
        let err = parse_text("a:\n  ? [1, 2]\n  : x\n").unwrap_err();
        assert!(err.to_string().contains("/a"), "{err}");
        let err = parse_text("a: .nan\n").unwrap_err();
        assert!(err.to_string().contains("/a"), "{err}");
    }
}
