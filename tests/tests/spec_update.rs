//! Replays a real spec update: the universal-auth update operation grew from 5 to 10 body fields
//! (and 5 response fields) between two revisions of Infisical's docs. The older revision is the
//! seed-001 fixture of the diff tests (`xtask/tests/fixtures/seed-001-update-universal-auth.json`,
//! checked against the seed page there), dropped into the current spec.
//!
//! * Surface: the older spec's universal-auth page differs from the committed snapshot
//!   (`snapshots/surface__universal_auth.snap`), and the difference is exactly the new fields of
//!   the update operation, request and response, and the name of the update answer's configuration:
//!   in the older spec it is a copy of its own (it lacks the new fields), in the current one the
//!   `IdentityUniversalAuth` the retrieve, attach and delete answers share (one type per API
//!   concept, `xtask/src/dedupe.rs`); the current spec renders the committed snapshot.
//! * The real pipeline in a temporary copy of the workspace layout: the older spec generates and
//!   `--check` passes; with the newer spec dropped in, `--check` lists every generated file as
//!   stale and writes nothing; `codegen` then makes the tree fresh, with the new fields typed.
//! * `cargo xtask diff` names the same fields, non-breaking.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use serde_json::Value;
use workspace_tests::{config, workspace_root};
use xtask::config::Config;
use xtask::diff::Location;
use xtask::pipeline::{fixed_document, run, Layout};
use xtask::write::Mode;

const UA_PATH: &str = "/api/v1/auth/universal-auth/identities/{identityId}";
const UPDATE_POINTER: &str =
    "/paths/~1api~1v1~1auth~1universal-auth~1identities~1{identityId}/patch";
const UPDATE_HEADING: &str =
    "## updateUniversalAuth: PATCH /api/v1/auth/universal-auth/identities/{identityId}";
const TAG: &str = "Universal Auth";

/// The fields the newer revision added, with their Rust names.
const NEW_FIELDS: [(&str, &str); 5] = [
    ("accessTokenPeriod", "access_token_period"),
    ("lockoutEnabled", "lockout_enabled"),
    ("lockoutThreshold", "lockout_threshold"),
    ("lockoutDurationSeconds", "lockout_duration_seconds"),
    (
        "lockoutCounterResetSeconds",
        "lockout_counter_reset_seconds",
    ),
];

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn current_spec_path() -> PathBuf {
    workspace_root().join("openapi").join(&config().spec)
}

fn current_spec() -> Value {
    read_json(&current_spec_path())
}

/// The seed-001 revision of the universal-auth update operation.
fn seed_001_operation() -> Value {
    read_json(&workspace_root().join("xtask/tests/fixtures/seed-001-update-universal-auth.json"))
}

/// The current spec with the universal-auth update operation as seed 001 shows it.
fn older_spec() -> Value {
    let mut doc = current_spec();
    *doc.pointer_mut(UPDATE_POINTER)
        .expect("the update operation") = seed_001_operation();
    doc
}

fn property_names(schema: Option<&Value>) -> Vec<String> {
    schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn request_fields(op: &Value) -> Vec<String> {
    property_names(op.pointer("/requestBody/content/application~1json/schema"))
}

fn response_fields(op: &Value) -> Vec<String> {
    property_names(op.pointer(
        "/responses/200/content/application~1json/schema/properties/identityUniversalAuth",
    ))
}

/// The committed surface snapshot without insta's header.
fn committed_snapshot() -> String {
    let path = workspace_root().join("tests/tests/snapshots/surface__universal_auth.snap");
    let text = std::fs::read_to_string(&path).unwrap();
    let (_, body) = text
        .strip_prefix("---\n")
        .and_then(|t| t.split_once("\n---\n"))
        .expect("an insta snapshot header");
    body.to_string()
}

fn surface(doc: &Value) -> String {
    xtask::surface::render_group(&fixed_document(doc, &config()).expect("fixes up"), TAG)
}

/// One line of a surface page with the operation (`## ` heading) and block (`request body`,
/// `response 200`) it is in, so that equal lines of different operations never match.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Line<'a> {
    section: &'a str,
    block: &'a str,
    text: &'a str,
}

impl Line<'_> {
    /// The field path a field line names (`  a.b: type, ...` -> `a.b`).
    fn field(&self) -> &str {
        self.text
            .trim_start()
            .split_once(": ")
            .map_or(self.text, |(f, _)| f)
    }
}

fn located(page: &str) -> Vec<Line<'_>> {
    let (mut section, mut block) = ("", "");
    page.trim_end()
        .lines()
        .map(|text| {
            if text.starts_with("## ") {
                (section, block) = (text, "");
            } else if !text.starts_with(' ') && text.ends_with(':') {
                // `request body:`, `request body (optional):`, `response 200:`.
                block = text.trim_end_matches(':');
            }
            Line {
                section,
                block,
                text,
            }
        })
        .collect()
}

/// A line diff (longest common subsequence): the lines only in `old`, and only in `new`.
fn line_diff<'a>(old: &[Line<'a>], new: &[Line<'a>]) -> (Vec<Line<'a>>, Vec<Line<'a>>) {
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if old[i] == new[j] {
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            removed.push(old[i].clone());
            i += 1;
        } else {
            added.push(new[j].clone());
            j += 1;
        }
    }
    removed.extend(old[i..].iter().cloned());
    added.extend(new[j..].iter().cloned());
    (removed, added)
}

#[test]
fn the_seed_001_operation_lacks_exactly_the_new_fields() {
    let older = seed_001_operation();
    let current = current_spec();
    let current_op = current.pointer(UPDATE_POINTER).unwrap();
    for (field, _) in NEW_FIELDS {
        for (which, old, new) in [
            (
                "request",
                request_fields(&older),
                request_fields(current_op),
            ),
            (
                "response",
                response_fields(&older),
                response_fields(current_op),
            ),
        ] {
            assert!(
                !old.iter().any(|f| f == field),
                "{which} {field} in seed 001"
            );
            assert!(new.iter().any(|f| f == field), "{which} {field} now");
        }
    }
    assert_eq!(request_fields(&older).len(), 5);
    assert_eq!(request_fields(current_op).len(), 10);
}

#[test]
fn the_older_surface_differs_from_the_committed_snapshot_by_exactly_the_new_fields() {
    let committed = committed_snapshot();
    let old_page = surface(&older_spec());
    let new_page = surface(&current_spec());

    // The "tests pass" state: the current spec renders exactly the committed snapshot.
    assert_eq!(new_page.trim_end(), committed.trim_end());

    // The older spec does not, and the difference is the new fields of the update and, since its
    // answer's configuration was a copy of its own, that configuration's type name.
    assert_ne!(old_page.trim_end(), committed.trim_end());
    let (removed, added) = line_diff(&located(&old_page), &located(&committed));
    let texts = |lines: &[Line<'_>]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.section == UPDATE_HEADING && l.field() == "identityUniversalAuth")
            .map(|l| l.text.trim().to_string())
            .collect()
    };
    assert_eq!(removed.len(), 1, "{removed:#?}");
    assert_eq!(texts(&removed), ["identityUniversalAuth: object, required"]);
    assert_eq!(
        texts(&added),
        ["identityUniversalAuth: IdentityUniversalAuth (object), required"]
    );
    let mut named: Vec<(&str, &str, String)> = added
        .iter()
        .filter(|l| l.field() != "identityUniversalAuth")
        .map(|l| (l.section, l.block, l.field().to_string()))
        .collect();
    named.sort();
    let mut expected: Vec<(&str, &str, String)> = NEW_FIELDS
        .iter()
        .flat_map(|(f, _)| {
            [
                (UPDATE_HEADING, "request body", f.to_string()),
                (
                    UPDATE_HEADING,
                    "response 200",
                    format!("identityUniversalAuth.{f}"),
                ),
            ]
        })
        .collect();
    expected.sort();
    assert_eq!(named, expected, "added lines: {added:#?}");
}

#[test]
fn insta_holds_the_committed_snapshot_against_the_older_surface() {
    // A temporary copy of the committed snapshot, so that insta's pending files land there.
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("surface__universal_auth.snap");
    let committed_file =
        workspace_root().join("tests/tests/snapshots/surface__universal_auth.snap");
    std::fs::copy(&committed_file, &snap).unwrap();
    let committed_text = std::fs::read_to_string(&snap).unwrap();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir.path());
    settings.set_prepend_module_to_snapshot(false);

    // The current spec passes.
    let new_page = surface(&current_spec());
    settings.bind(|| insta::assert_snapshot!("surface__universal_auth", new_page));
    let passed_text = std::fs::read_to_string(&snap).unwrap();
    assert_eq!(
        passed_text, committed_text,
        "a passing assertion rewrote nothing"
    );

    // The older spec fails (or, under `cargo insta test` / INSTA_FORCE_PASS, leaves a pending or
    // rewritten snapshot behind): either way insta sees the change.
    let old_page = surface(&older_spec());
    let failed = catch_unwind(AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!("surface__universal_auth", old_page))
    }))
    .is_err();
    let pending = dir.path().join("surface__universal_auth.snap.new").exists();
    let rewritten = std::fs::read_to_string(&snap).unwrap() != passed_text;
    assert!(
        failed || pending || rewritten,
        "insta accepted the older surface against the committed snapshot"
    );
}

/// Every file under `dir` with its contents.
fn tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    xtask::write::files_under(dir)
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

/// The body of `pub struct UpdateUniversalAuthBody` in a generated types file.
fn update_body_struct(types: &str) -> &str {
    let start = types
        .find("pub struct UpdateUniversalAuthBody {")
        .expect("the update body type");
    types[start..].split_once("\n}").expect("struct end").0
}

#[test]
fn replaying_the_update_through_the_pipeline_in_a_temporary_workspace() {
    let ws = tempfile::tempdir().unwrap();
    let root = ws.path();
    std::fs::create_dir_all(root.join("openapi")).unwrap();
    std::fs::copy(
        workspace_root().join("openapi/codegen.toml"),
        root.join("openapi/codegen.toml"),
    )
    .unwrap();
    let cfg = Config::load(&root.join("openapi/codegen.toml")).unwrap();
    let spec_path = root.join("openapi").join(&cfg.spec);
    let layout = Layout::Workspace {
        root: root.to_path_buf(),
    };
    let types_file = root.join(&cfg.output.types).join("src/generated.rs");

    // Older spec -> `cargo xtask codegen` -> `--check` passes.
    std::fs::write(
        &spec_path,
        serde_json::to_vec_pretty(&older_spec()).unwrap(),
    )
    .unwrap();
    let written = run(&spec_path, &cfg, &layout, Mode::Write).unwrap();
    assert_eq!(
        written.plan.operations,
        xtask::document::ops::operations(&older_spec()).len()
    );
    let mut planned: Vec<PathBuf> = written.plan.files.iter().map(|(p, _)| p.clone()).collect();
    planned.sort();
    assert_eq!(written.touched.len(), planned.len());
    assert!(run(&spec_path, &cfg, &layout, Mode::Check)
        .unwrap()
        .touched
        .is_empty());
    let old_types = std::fs::read_to_string(&types_file).unwrap();
    for (_, rust) in NEW_FIELDS {
        assert!(
            !update_body_struct(&old_types).contains(&format!("pub {rust}:")),
            "{rust} generated from the older spec"
        );
    }
    let old_loaded = xtask::document::load::load(&spec_path).unwrap();
    assert_ne!(
        surface(&old_loaded.doc).trim_end(),
        committed_snapshot().trim_end()
    );

    // The newer spec dropped in as it is: `--check` lists every generated file (each records the
    // spec's SHA-256) and writes nothing.
    std::fs::copy(current_spec_path(), &spec_path).unwrap();
    let before = tree(root);
    let stale = run(&spec_path, &cfg, &layout, Mode::Check).unwrap();
    let mut stale_files = stale.touched.clone();
    stale_files.sort();
    assert_eq!(stale_files, planned);
    assert_eq!(tree(root), before, "check mode wrote something");

    // `cargo xtask codegen` -> fresh again, the new fields are typed, and the surface is the
    // committed snapshot.
    let rewritten = run(&spec_path, &cfg, &layout, Mode::Write).unwrap();
    assert_eq!(rewritten.touched.len(), planned.len());
    assert!(run(&spec_path, &cfg, &layout, Mode::Check)
        .unwrap()
        .touched
        .is_empty());
    let new_types = std::fs::read_to_string(&types_file).unwrap();
    for (_, rust) in NEW_FIELDS {
        assert!(
            update_body_struct(&new_types).contains(&format!("pub {rust}:")),
            "{rust} missing from the newer types"
        );
    }
    let new_loaded = xtask::document::load::load(&spec_path).unwrap();
    assert_eq!(
        surface(&new_loaded.doc).trim_end(),
        committed_snapshot().trim_end()
    );
}

#[test]
fn the_semantic_diff_names_the_same_fields_non_breaking() {
    let report = xtask::diff::diff(&older_spec(), &current_spec());
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(!report.has_breaking(), "{}", report.to_markdown());
    assert_eq!(report.operations.len(), 1);
    let op = report.operation("PATCH", UA_PATH).expect("the update");
    let mut changed: Vec<(Location, String)> = op
        .changes
        .iter()
        .map(|c| (c.location.clone(), c.field.clone()))
        .collect();
    changed.sort();
    let mut expected: Vec<(Location, String)> = NEW_FIELDS
        .iter()
        .flat_map(|(f, _)| {
            [
                (Location::RequestBody, f.to_string()),
                (
                    Location::Response {
                        status: "200".into(),
                    },
                    format!("identityUniversalAuth.{f}"),
                ),
            ]
        })
        .collect();
    expected.sort();
    assert_eq!(changed, expected);
}
