//! Tests of `cargo xtask import` (issue 5): filtering a full Infisical document down to the
//! identity-auth operations, the canonical form (re-importing is a no-op, YAML and JSON give the
//! same text) and the diff printed against the replaced file.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{json, Value};
use xtask::document::load::parse_text as load_document;
use xtask::import::{canonical_json, import, ImportConfig, ImportError};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> ImportConfig {
    ImportConfig::load(&manifest_dir().join("../openapi/import.toml")).expect("openapi/import.toml")
}

fn current_text() -> String {
    std::fs::read_to_string(manifest_dir().join("../openapi/infisical-identity-auth.json"))
        .expect("the spec file")
}

fn current_spec() -> Value {
    serde_json::from_str(&current_text()).unwrap()
}

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if xtask::document::ops::METHODS.contains(&method.as_str()) {
                out.insert((method.clone(), path.clone()));
            }
        }
    }
    out
}

fn error_body() -> Value {
    json!({"description": "Default Response", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"message": {"type": "string"}}, "additionalProperties": false
    }}}})
}

/// A stand-in for Infisical's full document: the current identity-auth spec plus operations of
/// other tags (on their own paths and on an identity-auth path), an untagged operation, their
/// tags, a component schema they use, and Infisical's own description; keys in another order.
fn full_document() -> Value {
    let current = current_spec();
    let mut paths = serde_json::Map::new();
    let secret_op = |tag: &str, id: &str| {
        json!({
            "tags": [tag],
            "operationId": id,
            "security": [{"bearerAuth": []}],
            "responses": {
                "200": {"description": "Default Response", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/SecretRaw"
                }}}},
                "400": error_body()
            }
        })
    };
    paths.insert(
        "/api/v3/secrets/raw".into(),
        json!({"get": secret_op("Secrets", "listSecretsRaw"), "post": secret_op("Secrets", "createSecretRaw")}),
    );
    paths.insert(
        "/api/status".into(),
        json!({"get": {"operationId": "status", "responses": {"200": {"description": "ok"}}}}),
    );
    // Identity paths in reverse order, one of them with an extra operation of another tag.
    let mut identity: Vec<(&String, &Value)> =
        current["paths"].as_object().unwrap().iter().collect();
    identity.reverse();
    for (path, item) in identity {
        let mut item = item.clone();
        if path == "/api/v1/auth/universal-auth/identities/{identityId}" {
            item["put"] = secret_op("Identities", "replaceIdentity");
        }
        paths.insert(path.clone(), item);
    }
    paths.insert(
        "/api/v2/workspace".into(),
        json!({"get": secret_op("Projects", "listProjects")}),
    );
    let mut tags = vec![json!({"name": "Secrets", "description": "Secrets of a project"})];
    tags.extend(current["tags"].as_array().unwrap().iter().cloned());
    tags.insert(5, json!({"name": "Projects"}));
    tags.push(json!({"name": "Identities"}));
    json!({
        "paths": paths,
        "components": {
            "schemas": {"SecretRaw": {"type": "object", "properties": {"secretKey": {"type": "string"}}}},
            "securitySchemes": current["components"]["securitySchemes"].clone()
        },
        "tags": tags,
        "security": current["security"].clone(),
        "servers": current["servers"].clone(),
        "info": {"version": "0.0.1", "title": "Infisical API", "description": "List of all available APIs that can be consumed"},
        "openapi": "3.0.3"
    })
}

#[test]
fn import_config_lists_the_13_tags_of_the_spec() {
    let cfg = config();
    let spec = current_spec();
    let spec_tags: Vec<&str> = spec["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(cfg.tags, spec_tags);
    assert_eq!(cfg.tags.len(), 13);
    assert_eq!(
        cfg.output,
        PathBuf::from("openapi/infisical-identity-auth.json")
    );
    assert!(manifest_dir().join("..").join(&cfg.output).is_file());
}

#[test]
fn import_keeps_exactly_the_identity_operations() {
    let full = full_document();
    let count = operations(&current_spec()).len();
    assert_eq!(
        operations(&full).len(),
        count + 5,
        "the fixture adds five other operations"
    );
    let outcome = import(&serde_json::to_string(&full).unwrap(), &config(), None).unwrap();
    assert_eq!(outcome.operations, count);
    let current = current_spec();
    assert_eq!(operations(&outcome.document), operations(&current));
    // The one left-out operation under an auth path is reported, with what would keep it.
    let unlisted: Vec<(&str, usize)> = outcome
        .unlisted_auth
        .iter()
        .map(|g| (g.group.as_str(), g.operations))
        .collect();
    assert_eq!(unlisted, [("Identities", 1)]);
    // Nothing of the other tags survives: no tag, no component, no path.
    assert_eq!(outcome.document["tags"], current["tags"]);
    assert_eq!(outcome.document["components"], current["components"]);
    for gone in [
        "\"Secrets\"",
        "SecretRaw",
        "listSecretsRaw",
        "replaceIdentity",
        "/api/status",
    ] {
        assert!(!outcome.text.contains(gone), "{gone} was not filtered out");
    }
    // And the result is the project's spec, semantically.
    assert_eq!(outcome.document, current);
    // Without a file to replace, the diff lists every operation as added.
    assert_eq!(outcome.report.operations.len(), count);
    assert!(outcome
        .report
        .changes()
        .all(|(_, c)| c.id == "endpoint-added"));
}

#[test]
fn importing_the_same_document_twice_is_byte_identical() {
    let text = serde_json::to_string_pretty(&full_document()).unwrap();
    let first = import(&text, &config(), None).unwrap();
    let second = import(&text, &config(), Some(&first.document)).unwrap();
    assert_eq!(first.text, second.text);
    assert!(second.report.is_empty());
    assert!(second.diff_markdown.contains("No API changes."));
    // Re-importing the written file itself is a no-op too.
    let third = import(&first.text, &config(), Some(&first.document)).unwrap();
    assert_eq!(third.text, first.text);
}

#[test]
fn yaml_and_json_inputs_give_the_same_text() {
    let full = full_document();
    let json_text = serde_json::to_string(&full).unwrap();
    let yaml_text = serde_yaml::to_string(&full).unwrap();
    assert!(!yaml_text.trim_start().starts_with('{'));
    assert_eq!(load_document(&yaml_text).unwrap(), full);
    let from_json = import(&json_text, &config(), None).unwrap();
    let from_yaml = import(&yaml_text, &config(), None).unwrap();
    assert_eq!(from_json.text, from_yaml.text);
}

/// A full document published as OpenAPI 3.1 (YAML, with its identity-auth path items moved into
/// `components.pathItems`, and webhooks) imports: the same operations, written in 3.1, with no
/// API change against the 3.0 import; re-importing it is a no-op.
#[test]
fn a_31_document_imports_with_no_api_change_against_its_30_form() {
    let full = full_document();
    let from_30 = import(&serde_json::to_string(&full).unwrap(), &config(), None).unwrap();
    let mut twin = xtask::document::openapi31_twin::as_openapi_31(&full);
    let path = "/api/v1/auth/token-auth/identities/{identityId}/tokens";
    let item = twin["paths"][path].take();
    twin["components"]["pathItems"] = json!({ "TokenAuthTokens": item });
    twin["paths"][path] = json!({"$ref": "#/components/pathItems/TokenAuthTokens"});
    twin["webhooks"] =
        json!({"secretChanged": {"post": {"responses": {"200": {"description": "ok"}}}}});
    let text = serde_yaml::to_string(&twin).unwrap();
    let from_31 = import(&text, &config(), Some(&from_30.document)).unwrap();
    assert_eq!(from_31.document["openapi"], "3.1.0");
    assert_eq!(operations(&from_31.document), operations(&from_30.document));
    assert!(from_31.report.is_empty(), "{}", from_31.diff_markdown);
    let again = import(&from_31.text, &config(), Some(&from_31.document)).unwrap();
    assert_eq!(again.text, from_31.text);
}

#[test]
fn importing_the_current_spec_reproduces_it() {
    let current = current_spec();
    let outcome = import(&current_text(), &config(), Some(&current)).unwrap();
    assert_eq!(outcome.document, current);
    assert_eq!(
        serde_json::from_str::<Value>(&outcome.text).unwrap(),
        current
    );
    assert_eq!(outcome.operations, operations(&current).len());
    assert!(outcome.report.is_empty());
    assert!(outcome.report.problems.is_empty());
}

#[test]
fn canonicalising_twice_is_identical() {
    let once = canonical_json(&full_document());
    let twice = canonical_json(&load_document(&once).unwrap());
    assert_eq!(once, twice);
    let spec_once = canonical_json(&current_spec());
    assert_eq!(
        canonical_json(&load_document(&spec_once).unwrap()),
        spec_once
    );
    assert!(spec_once.ends_with("}\n") && !spec_once.ends_with("\n\n"));
}

#[test]
fn canonical_form_of_the_spec_file_only_reorders_keys() {
    // The fixed key orders follow Infisical's generator, so canonicalising the current file
    // only moves lines (commas aside): 9 places where Infisical's own order is inconsistent.
    let text = current_text();
    let canonical = canonical_json(&current_spec());
    let lines = |t: &str| {
        let mut v: Vec<String> = t
            .lines()
            .map(|l| l.trim_end_matches(',').to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(lines(&text), lines(&canonical));
}

#[test]
fn import_prints_the_diff_against_the_replaced_file() {
    // The file holds the seed-001 revision of universal-auth update; the import brings the
    // current one.
    let mut older = current_spec();
    let fixture = std::fs::read_to_string(
        manifest_dir().join("tests/fixtures/seed-001-update-universal-auth.json"),
    )
    .unwrap();
    older["paths"]["/api/v1/auth/universal-auth/identities/{identityId}"]["patch"] =
        serde_json::from_str(&fixture).unwrap();
    let outcome = import(&current_text(), &config(), Some(&older)).unwrap();
    assert!(!outcome.report.has_breaking());
    assert_eq!(outcome.report.non_breaking_count(), 10);
    assert_eq!(
        outcome.diff_markdown,
        xtask::diff::diff(&older, &current_spec()).to_markdown()
    );
}

#[test]
fn small_yaml_document_snapshot() {
    let text = std::fs::read_to_string(manifest_dir().join("tests/fixtures/full-sample.yaml"))
        .expect("fixture");
    // The workspace's config lists 13 tags; the sample has two of them: the other eleven are
    // named in the error rather than skipped.
    let err = import(&text, &config(), None).unwrap_err();
    let ImportError::UnusedEntries(entries) = &err else {
        panic!("{err}")
    };
    assert_eq!(entries.len(), 11, "{err}");
    assert!(err.to_string().contains("tag `LDAP Auth`"), "{err}");
    let mut cfg = config();
    cfg.tags = vec!["Universal Auth".into(), "Token Auth".into()];
    let outcome = import(&text, &cfg, None).unwrap();
    assert_eq!(outcome.operations, 2);
    insta::assert_snapshot!("full_sample_canonical", outcome.text);
    // What `cargo xtask import` prints is the report at the crates' version; the snapshot is
    // taken at a fixed one so that a release does not change it.
    assert_eq!(outcome.diff_markdown, outcome.report.to_markdown());
    insta::assert_snapshot!(
        "full_sample_diff",
        outcome
            .report
            .to_markdown_at(xtask::diff::Version::parse("0.1.0").unwrap())
    );
}

#[test]
fn malformed_documents_are_errors_naming_the_pointer() {
    let cfg = config();
    let err = import("openapi: 2.0\npaths: {}\n", &cfg, None).unwrap_err();
    assert!(
        matches!(&err, ImportError::Invalid { pointer, .. } if pointer == "/openapi"),
        "{err}"
    );

    let err = import("{\"openapi\": \"3.0.3\", \"paths\": []}", &cfg, None).unwrap_err();
    assert!(
        matches!(&err, ImportError::Invalid { pointer, .. } if pointer == "/paths"),
        "{err}"
    );

    let err = import(
        "{\"openapi\": \"3.0.3\", \"paths\": {\"/a\": {\"get\": {\"tags\": \"Universal Auth\"}}}}",
        &cfg,
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid document at /paths/~1a/get/tags: not a list"
    );

    let mut full = full_document();
    full["paths"]["/api/v1/auth/universal-auth/login"]["post"]["requestBody"]["content"]
        ["application/json"]["schema"]["properties"]["clientId"]["minLength"] = json!("one");
    let err = import(&serde_json::to_string(&full).unwrap(), &cfg, None).unwrap_err();
    assert!(
        err.to_string().contains(
            "/paths/~1api~1v1~1auth~1universal-auth~1login/post/requestBody/content/application~1json/schema/properties/clientId/minLength"
        ),
        "{err}"
    );

    let err = import(
        "{\"openapi\": \"3.0.3\", \"paths\": {\"/a\": {\"get\": {\"tags\": [\"Secrets\"]}}}}",
        &cfg,
        None,
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::NoOperations(_)), "{err}");

    for garbage in ["", "null", "42", "{", "[", "openapi: [", "\u{feff}{}"] {
        assert!(import(garbage, &cfg, None).is_err(), "{garbage:?}");
    }
}

#[test]
fn a_new_auth_method_left_out_is_named_with_what_keeps_it() {
    let mut full = full_document();
    let login = full["paths"]["/api/v1/auth/universal-auth/login"].clone();
    // A new tagged method, and an untagged one of the shape of Infisical's 2023 documents.
    let mut tagged = login.clone();
    tagged["post"]["tags"] = json!(["Quantum Auth"]);
    tagged["post"]["operationId"] = json!("loginWithQuantumAuth");
    full["paths"]["/api/v1/auth/quantum-auth/login"] = tagged;
    let mut untagged = login;
    untagged["post"].as_object_mut().unwrap().remove("tags");
    untagged["post"]["operationId"] = json!("loginWithNewAuth");
    full["paths"]["/api/v1/auth/new-auth/login"] = untagged.clone();
    full["paths"]["/api/v1/auth/new-auth/renew"] = untagged;
    full["paths"]["/api/v1/auth/new-auth/renew"]["post"]["operationId"] = json!("renewNewAuth");
    let text = serde_json::to_string(&full).unwrap();
    let outcome = import(&text, &config(), None).unwrap();
    let groups: Vec<(&str, usize, &str)> = outcome
        .unlisted_auth
        .iter()
        .map(|g| (g.group.as_str(), g.operations, g.to_keep.as_str()))
        .collect();
    assert_eq!(
        groups,
        [
            (
                "/api/v1/auth/new-auth",
                2,
                "add \"/api/v1/auth/new-auth\" to `path_prefixes`"
            ),
            ("Identities", 1, "add \"Identities\" to `tags`"),
            ("Quantum Auth", 1, "add \"Quantum Auth\" to `tags`"),
        ]
    );
    // Doing what the report says keeps them.
    let mut cfg = config();
    cfg.tags.push("Quantum Auth".into());
    cfg.path_prefixes.push("/api/v1/auth/new-auth".into());
    let kept = import(&text, &cfg, None).unwrap();
    assert_eq!(kept.unlisted_auth.len(), 1, "only Identities is left");
    assert_eq!(kept.operations, outcome.operations + 3);
    // A prefix that matches nothing is an error naming it.
    cfg.path_prefixes.push("/api/v9/auth/gone".into());
    let err = import(&text, &cfg, None).unwrap_err();
    assert!(err.to_string().contains("`/api/v9/auth/gone`"), "{err}");
}
