//! `cargo xtask codegen --check` end to end, in process: the real pipeline ([`pipeline::run`]: load
//! -> check -> fix up -> generate -> format -> write) writes the workspace layout into a temporary
//! root, then check mode runs over that tree. An untouched tree has nothing stale; after a hand
//! edit of one generated file, check mode reports exactly that file and writes nothing (the edit
//! stays, no other file changes); write mode then restores it. `--verbose` names every pass.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use xtask::config::Config;
use xtask::pipeline::{self, Layout, Report};
use xtask::write::Mode;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The workspace's config and spec path, as `cargo xtask codegen` finds them.
fn config_and_spec() -> (Config, PathBuf) {
    let root = workspace_root();
    let cfg = Config::load(&root.join("openapi/codegen.toml")).expect("codegen.toml loads");
    let spec = root.join("openapi").join(&cfg.spec);
    (cfg, spec)
}

/// `cargo xtask codegen [--check]` with the workspace root at `root`.
fn codegen(root: &Path, mode: Mode) -> Report {
    let (cfg, spec) = config_and_spec();
    pipeline::run(
        &spec,
        &cfg,
        &Layout::Workspace {
            root: root.to_path_buf(),
        },
        mode,
    )
    .expect("codegen runs")
}

/// Every file under `dir` with its contents and modification time.
fn tree(dir: &Path) -> BTreeMap<PathBuf, (String, SystemTime)> {
    xtask::write::files_under(dir)
        .into_iter()
        .map(|path| {
            let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            (path, (text, modified))
        })
        .collect()
}

/// The files codegen writes in the workspace layout under `root`, per codegen.toml.
fn expected_files(root: &Path) -> Vec<PathBuf> {
    let (cfg, _) = config_and_spec();
    let mut files = vec![
        root.join(&cfg.output.types).join("src/generated.rs"),
        root.join(&cfg.output.client).join("src/generated.rs"),
    ];
    files.extend(
        cfg.output
            .server
            .map(|s| root.join(s).join("src/generated.rs")),
    );
    files.extend(
        cfg.output
            .schema_index
            .map(|s| root.join(s).join("src/schema_index/generated.rs")),
    );
    files.sort();
    files
}

fn sorted(mut paths: Vec<PathBuf>) -> Vec<PathBuf> {
    paths.sort();
    paths
}

#[test]
fn an_empty_tree_is_all_stale_and_check_mode_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let report = codegen(dir.path(), Mode::Check);
    assert_eq!(sorted(report.touched), expected_files(dir.path()));
    assert!(tree(dir.path()).is_empty(), "check mode wrote files");
}

#[test]
fn check_mode_after_a_hand_edit_reports_exactly_that_file_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();

    // `cargo xtask codegen` into the temporary root writes every generated file.
    let written = codegen(root, Mode::Write);
    let (_, spec_path) = config_and_spec();
    let spec = xtask::document::load::load(&spec_path).unwrap();
    assert_eq!(
        written.plan.operations,
        xtask::document::ops::operations(&spec.doc).len()
    );
    assert_eq!(sorted(written.touched), expected_files(root));
    let generated = tree(root);
    assert_eq!(
        generated.keys().cloned().collect::<Vec<_>>(),
        expected_files(root),
        "write mode wrote exactly the planned files"
    );

    // Untouched: `--check` reports nothing stale and a second write changes nothing.
    let clean = codegen(root, Mode::Check);
    assert!(clean.touched.is_empty(), "stale: {:?}", clean.touched);
    assert!(codegen(root, Mode::Write).touched.is_empty());
    assert_eq!(tree(root), generated, "a fresh tree is left alone");

    // A hand edit of the client: `--check` lists exactly that file ...
    let (cfg, _) = config_and_spec();
    let edited = root.join(&cfg.output.client).join("src/generated.rs");
    let original = &generated[&edited].0;
    let marker = "pub struct Client {";
    assert!(original.contains(marker), "the client defines `Client`");
    let hand_edited = original.replacen(marker, "pub struct Client {\n    pub extra: u8,", 1);
    std::fs::write(&edited, &hand_edited).unwrap();
    let before_check = tree(root);

    let stale = codegen(root, Mode::Check);
    assert_eq!(stale.touched, vec![edited.clone()]);

    // ... and writes nothing: the edit stays, every file keeps its content and mtime.
    let after_check = tree(root);
    assert_eq!(after_check, before_check, "check mode wrote something");
    assert_eq!(after_check[&edited].0, hand_edited);
    for (path, (text, _)) in &after_check {
        if path != &edited {
            assert_eq!(text, &generated[path].0, "{} changed", path.display());
        }
    }

    // Plain `cargo xtask codegen` rewrites only that file, and the tree is fresh again.
    let repaired = codegen(root, Mode::Write);
    assert_eq!(repaired.touched, vec![edited.clone()]);
    assert_eq!(&std::fs::read_to_string(&edited).unwrap(), original);
    assert!(codegen(root, Mode::Check).touched.is_empty());
}

#[test]
fn check_mode_reports_a_deleted_file_without_recreating_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    codegen(root, Mode::Write);
    let (cfg, _) = config_and_spec();
    let deleted = root.join(&cfg.output.types).join("src/generated.rs");
    std::fs::remove_file(&deleted).unwrap();
    let before = tree(root);

    let stale = codegen(root, Mode::Check);
    assert_eq!(stale.touched, vec![deleted.clone()]);
    assert!(!deleted.exists(), "check mode recreated the file");
    assert_eq!(tree(root), before);
}

/// `cargo xtask codegen --verbose` prints every post-processing pass, those of the other layout
/// marked as skipped, with how many places each changed.
#[test]
fn verbose_names_every_post_processing_pass() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--check", "--verbose"])
        .output()
        .expect("the xtask runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let post: Vec<&str> = text
        .lines()
        .filter_map(
            |line| match line.split_whitespace().collect::<Vec<_>>()[..] {
                ["post", name, ..] => Some(name),
                _ => None,
            },
        )
        .collect();
    let passes: Vec<&str> = xtask::postprocess::PASSES.iter().map(|p| p.name).collect();
    for name in &passes {
        assert!(post.contains(name), "`{name}` in\n{text}");
    }
    assert_eq!(post.len(), passes.len(), "{text}");
    assert!(
        text.contains("redirects_as_success               - (standalone layout only)"),
        "{text}"
    );
}
