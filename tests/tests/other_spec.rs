//! `cargo xtask codegen --spec PATH --out DIR` on another Infisical tag group (Identities, whose
//! operations have no operationIds): the pipeline writes a self-contained crate that cargo accepts,
//! and an unsupported document is refused with the JSON pointer of the construct.

use std::path::Path;
use std::process::Command;

use workspace_tests::{config, workspace_root};
use xtask::pipeline::{run, Layout};
use xtask::write::Mode;

#[test]
fn another_tag_group_becomes_a_crate_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("identities-client");
    let spec = workspace_root().join("tests/fixtures/infisical-identities.json");
    let report = run(
        &spec,
        &config(),
        &Layout::Standalone { dir: out.clone() },
        Mode::Write,
    )
    .expect("generates");
    assert_eq!(report.plan.operations, 5);
    let code = std::fs::read_to_string(out.join("src/generated.rs")).unwrap();
    for method in [
        "get_api_v1_identities_by_identity_id",
        "post_api_v1_identities",
        "patch_api_v1_identities_by_identity_id",
        "delete_api_v1_identities_by_identity_id",
        "post_api_v1_identities_search",
    ] {
        assert!(
            code.contains(&format!("pub fn {method}(")),
            "{method} is generated"
        );
    }
    // Reuse the workspace's lock file so the check resolves offline to crates already fetched.
    std::fs::copy(workspace_root().join("Cargo.lock"), out.join("Cargo.lock")).unwrap();
    let target = workspace_root().join("target/standalone-check");
    let status = Command::new(env!("CARGO"))
        .args(["check", "--offline", "--quiet"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "the generated crate in {} does not build",
        out.display()
    );
}

#[test]
fn an_unsupported_document_is_refused_with_a_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("cookie-param.yaml");
    std::fs::write(
        &spec_path,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - {in: cookie, name: session, schema: {type: string}}\n      responses:\n        '200': {description: ok}\n",
    )
    .unwrap();
    let err = run(
        &spec_path,
        &config(),
        &Layout::Standalone {
            dir: dir.path().join("out"),
        },
        Mode::Write,
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("/paths/~1a/get/parameters/0/in"), "{text}");
    assert!(text.contains("cookie"), "{text}");
    assert!(
        !Path::new(&dir.path().join("out")).exists(),
        "nothing is written"
    );
}
