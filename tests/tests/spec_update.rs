//! Replays a real spec update (the universal-auth update body grew from 5 to 10 fields between two
//! revisions of Infisical's docs, seed 001 vs the current spec) in a temporary folder: the older
//! spec generates and its surface snapshot passes; the newer spec makes that snapshot fail, and the
//! change is named in API terms by the surface and by `cargo xtask diff`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use serde_json::Value;
use workspace_tests::{config, spec};
use xtask::codegen::{fixed_document, plan, Layout};
use xtask::spec::LoadedSpec;
use xtask::write::{ensure_files, Mode};

/// The fields the newer revision added to the universal-auth update body.
const NEW_FIELDS: [&str; 5] = [
    "accessTokenPeriod",
    "lockoutEnabled",
    "lockoutThreshold",
    "lockoutDurationSeconds",
    "lockoutCounterResetSeconds",
];

/// The current spec with the universal-auth update body as seed 001 shows it (5 fields).
fn older_spec(current: &Value) -> Value {
    let mut doc = current.clone();
    let body = doc
        .pointer_mut("/paths/~1api~1v1~1auth~1universal-auth~1identities~1{identityId}/patch/requestBody/content/application~1json/schema/properties")
        .and_then(Value::as_object_mut)
        .expect("the update body has properties");
    for field in NEW_FIELDS {
        assert!(
            body.remove(field).is_some(),
            "{field} is in the current spec"
        );
    }
    assert_eq!(body.len(), 5);
    doc
}

fn loaded(doc: &Value) -> LoadedSpec {
    let bytes = serde_json::to_vec_pretty(doc).unwrap();
    xtask::spec::parse(&bytes).unwrap()
}

#[test]
fn replaying_the_seed_001_update() {
    let current = spec().doc;
    let older = older_spec(&current);
    let dir = tempfile::tempdir().unwrap();
    let cfg = config();

    // Older spec: codegen into the temporary workspace, record the surface snapshot, it passes.
    let old_plan = plan(
        &loaded(&older),
        &cfg,
        &Layout::Workspace {
            root: dir.path().to_path_buf(),
        },
    )
    .unwrap();
    ensure_files(&old_plan.files, Mode::Write).unwrap();
    let old_types =
        std::fs::read_to_string(dir.path().join(&cfg.output.types).join("src/generated.rs"))
            .unwrap();
    let struct_body = |types: &str| -> String {
        let start = types
            .find("pub struct UpdateUniversalAuthBody {")
            .expect("the update body type");
        types[start..]
            .split_once("\n}")
            .expect("struct end")
            .0
            .to_string()
    };
    assert!(!struct_body(&old_types).contains("access_token_period"));
    let old_page =
        xtask::surface::render_tag(&fixed_document(&older, &cfg).unwrap(), "Universal Auth");
    let snapshots = dir.path().join("snapshots");
    std::fs::create_dir_all(&snapshots).unwrap();
    std::fs::write(
        snapshots.join("universal_auth.snap"),
        format!("---\nsource: tests/tests/surface.rs\nexpression: page\n---\n{old_page}\n"),
    )
    .unwrap();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(&snapshots);
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("universal_auth", old_page.clone()));

    // Newer spec: codegen again; the same snapshot now fails.
    let new_plan = plan(
        &loaded(&current),
        &cfg,
        &Layout::Workspace {
            root: dir.path().to_path_buf(),
        },
    )
    .unwrap();
    let rewritten = ensure_files(&new_plan.files, Mode::Write).unwrap();
    assert!(
        rewritten
            .iter()
            .any(|p| p.ends_with("infisical-auth-types/src/generated.rs")),
        "the types change"
    );
    let new_types =
        std::fs::read_to_string(dir.path().join(&cfg.output.types).join("src/generated.rs"))
            .unwrap();
    assert!(struct_body(&new_types).contains("pub access_token_period: ::std::option::Option<i64>"));
    let new_page =
        xtask::surface::render_tag(&fixed_document(&current, &cfg).unwrap(), "Universal Auth");
    let failed = catch_unwind(AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!("universal_auth", new_page.clone()))
    }));
    assert!(
        failed.is_err(),
        "the surface snapshot must fail after the update"
    );

    // What the reviewer reads: the lines the update adds name exactly the new fields.
    let added: Vec<&str> = new_page
        .lines()
        .filter(|l| !old_page.lines().any(|o| o == *l))
        .collect();
    for field in NEW_FIELDS {
        assert!(
            added
                .iter()
                .any(|l| l.trim_start().starts_with(&format!("{field}:"))),
            "{field} is named: {added:#?}"
        );
    }
    assert_eq!(added.len(), NEW_FIELDS.len(), "{added:#?}");

    // And the semantic diff says the same, non-breaking.
    let report = xtask::diff::diff(&older, &current);
    let markdown = report.to_markdown();
    assert!(!report.has_breaking(), "{markdown}");
    for field in NEW_FIELDS {
        assert!(
            markdown.contains(&format!("`{field}`")),
            "{field} in the diff: {markdown}"
        );
    }
}
