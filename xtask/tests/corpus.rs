//! The generator on every Infisical document it should follow: the embedded spec and the five
//! full documents Infisical published in 2023 (`fixtures/infisical-history/`, 107 to 248
//! operations: no tags, no operationIds, `$ref`s, header parameters, redirect-only operations).
//! Each generates a standalone client crate with one method per operation, and server stubs for
//! it; the largest is built here, all of them by the ignored test that CI runs
//! (`cargo test -p xtask --test corpus -- --ignored`).

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::config::Config;
use xtask::document::ops;
use xtask::pipeline::{plan, Layout};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn config() -> Config {
    Config::load(&root().join("openapi/codegen.toml")).expect("codegen.toml")
}

/// Every document of the corpus, smallest first.
fn corpus() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> =
        std::fs::read_dir(root().join("xtask/tests/fixtures/infisical-history"))
            .expect("the history fixtures")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
    docs.sort();
    assert_eq!(docs.len(), 5, "the five 2023 documents");
    docs.push(root().join("openapi").join(config().spec));
    docs
}

/// Writes the standalone crate for `doc` under `dir` and returns its operation count.
fn generate(doc: &Path, dir: &Path) -> usize {
    let spec = xtask::document::load::load(doc).expect("the document loads");
    let planned = plan(
        &spec,
        &config(),
        &Layout::Standalone {
            dir: dir.to_path_buf(),
        },
    )
    .unwrap_or_else(|e| panic!("{} does not generate: {e}", doc.display()));
    xtask::write::ensure_files(&planned.files, xtask::write::Mode::Write).expect("written");
    planned.operations
}

/// `cargo check` of a generated crate, offline, with the workspace's lock file.
fn builds(dir: &Path) {
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("lock file");
    let output = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", root().join("target/corpus-check"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the crate generated in {} does not build:\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_document_generates_a_method_per_operation_and_server_stubs() {
    let tmp = tempfile::tempdir().unwrap();
    for doc in corpus() {
        let name = doc.file_stem().unwrap().to_string_lossy().to_string();
        let dir = tmp.path().join(&name);
        let loaded = xtask::document::load::load(&doc).unwrap();
        let expected = ops::operations(&loaded.doc).len();
        assert_eq!(generate(&doc, &dir), expected, "{name}");
        let code = std::fs::read_to_string(dir.join("src/generated.rs")).unwrap();
        assert_eq!(
            code.matches("pub async fn send(").count(),
            expected,
            "{name}: one builder per operation"
        );
        // The server stubs: one trait method per operation, typed from progenitor's names.
        let prepared = xtask::pipeline::prepare(&loaded.doc, &config()).unwrap();
        let generated = xtask::progenitor::generate(
            xtask::describe::document(&prepared.doc),
            &Default::default(),
            false,
        )
        .unwrap();
        let server = xtask::stubs::generate(&prepared.doc, &generated.operations, "types")
            .unwrap_or_else(|e| panic!("{name}: server stubs: {e}"));
        let text = prettyplease::unparse(&server);
        assert_eq!(
            text.matches("runtime::serve_routed(").count(),
            expected,
            "{name}: one handler per operation"
        );
        // The operation table the client and the stubs read, in the types.
        assert!(
            code.contains(&format!("OPERATIONS: [crate::Operation; {expected}]")),
            "{name}"
        );
    }
}

/// Each document's OpenAPI 3.1 rewrite (`nullable` as `"null"` types, `const`, numeric exclusive
/// bounds; its `$ref`s with a `type` beside them as they are) is prepared into exactly the
/// document its 3.0 form is (check, lower, fix up, dedupe): the crates generated from both are
/// the same, without building them twice.
#[test]
fn every_document_in_a_31_rewrite_prepares_as_its_30_form() {
    for doc in corpus() {
        let name = doc.file_stem().unwrap().to_string_lossy().to_string();
        let loaded = xtask::document::load::load(&doc).unwrap().doc;
        let twin = xtask::document::openapi31_twin::as_openapi_31(&loaded);
        let from_30 = xtask::pipeline::prepare(&loaded, &config()).unwrap();
        let mut from_31 = xtask::pipeline::prepare(&twin, &config())
            .unwrap_or_else(|e| panic!("{name} in 3.1: {e}"));
        assert_eq!(from_31.notes, from_30.notes, "{name}");
        from_31.doc["openapi"] = from_30.doc["openapi"].clone();
        assert!(
            from_31.doc == from_30.doc,
            "{name}: the 3.1 rewrite prepares differently"
        );
    }
}

#[test]
fn the_largest_document_builds() {
    let largest = corpus()
        .into_iter()
        .max_by_key(|d| {
            let doc = xtask::document::load::load(d).unwrap().doc;
            ops::operations(&doc).len()
        })
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("largest");
    generate(&largest, &dir);
    builds(&dir);
}

#[test]
#[ignore = "builds six crates (about two minutes); CI runs it"]
fn every_document_builds() {
    let tmp = tempfile::tempdir().unwrap();
    for doc in corpus() {
        let dir = tmp
            .path()
            .join(doc.file_stem().unwrap().to_string_lossy().to_string());
        generate(&doc, &dir);
        builds(&dir);
    }
}
