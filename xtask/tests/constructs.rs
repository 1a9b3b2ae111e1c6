//! One small document per OpenAPI construct (`fixtures/constructs/*.yaml`): each generates, and
//! its generated client is the module checked in under `tests/constructs/src/` (compiled, and
//! exercised over loopback, by the `generator-constructs` crate). A generator change shows as a
//! diff of those files; `XTASK_BLESS=1 cargo test -p xtask --test constructs` rewrites them.

use std::path::{Path, PathBuf};

use xtask::config::Config;
use xtask::pipeline::{plan, Layout};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("xtask/tests/fixtures/constructs"))
        .expect("the fixtures folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    out
}

/// The first line where `a` and `b` differ, with a few lines of context.
fn first_difference(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    format!(
        "line {}:\n  checked in: {:?}\n  generated:  {:?}",
        i + 1,
        a.get(i).copied().unwrap_or("<end>"),
        b.get(i).copied().unwrap_or("<end>")
    )
}

#[test]
fn every_construct_generates_the_checked_in_module() {
    let cfg = Config::load(&root().join("openapi/codegen.toml")).expect("codegen.toml");
    let bless = std::env::var_os("XTASK_BLESS").is_some();
    let modules = std::fs::read_to_string(root().join("tests/constructs/src/lib.rs")).unwrap();
    let fixtures = fixtures();
    assert!(fixtures.len() >= 5, "one fixture per construct");
    let mut stale = Vec::new();
    for fixture in fixtures {
        let name = fixture.file_stem().unwrap().to_string_lossy().to_string();
        let spec = xtask::document::load::load(&fixture).expect("the fixture loads");
        let dir = std::env::temp_dir().join(format!("construct-{name}"));
        let planned = plan(&spec, &cfg, &Layout::Standalone { dir: dir.clone() })
            .unwrap_or_else(|e| panic!("{name} does not generate: {e}"));
        let (_, code) = planned
            .files
            .iter()
            .find(|(p, _)| p.ends_with("src/generated.rs"))
            .expect("a generated.rs");
        let target = root().join(format!("tests/constructs/src/{name}.rs"));
        assert!(
            modules.contains(&format!("pub mod {name};")),
            "tests/constructs/src/lib.rs declares `pub mod {name};`"
        );
        let current = std::fs::read_to_string(&target).unwrap_or_default();
        if current != *code {
            if bless {
                std::fs::write(&target, code).unwrap();
            } else {
                stale.push(format!(
                    "{} differs from what {name}.yaml generates, {}",
                    target.display(),
                    first_difference(&current, code)
                ));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nreview the change and rewrite with `XTASK_BLESS=1 cargo test -p xtask --test constructs`",
        stale.join("\n")
    );
}

/// The API surface of each construct's document (every group's page), as snapshots: what a
/// reviewer reads when such a construct changes upstream.
#[test]
fn every_construct_has_a_readable_surface() {
    let cfg = Config::load(&root().join("openapi/codegen.toml")).expect("codegen.toml");
    for fixture in fixtures() {
        let name = fixture.file_stem().unwrap().to_string_lossy().to_string();
        let spec = xtask::document::load::load(&fixture).expect("the fixture loads");
        let fixed = xtask::pipeline::fixed_document(&spec.doc, &cfg).expect("fixes up");
        let pages: Vec<String> = xtask::surface::groups(&fixed)
            .iter()
            .map(|g| xtask::surface::render_group(&fixed, g))
            .collect();
        insta::assert_snapshot!(format!("surface_{name}"), pages.join("\n"));
    }
}
