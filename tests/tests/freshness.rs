//! The checked-in generated files are exactly what `cargo xtask codegen` produces from the spec:
//! the same test as `cargo xtask codegen --check`, inside `cargo test`.

use workspace_tests::{config, spec, workspace_root};
use xtask::format;
use xtask::pipeline::{plan, Layout};

#[test]
fn generated_files_are_fresh() {
    let spec = spec();
    let plan = plan(
        &spec,
        &config(),
        &Layout::Workspace {
            root: workspace_root(),
        },
    )
    .expect("codegen plans");
    let mut stale = Vec::new();
    for (path, contents) in &plan.files {
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(
            format::recorded_sha256(&on_disk).unwrap_or("none"),
            format::recorded_sha256(contents).unwrap_or("?"),
            "{} was generated from another spec",
            path.display()
        );
        if &on_disk != contents {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files, run `cargo xtask codegen`: {stale:?}"
    );
}

#[test]
fn generation_is_deterministic() {
    let spec = spec();
    let layout = Layout::Workspace {
        root: workspace_root(),
    };
    let a = plan(&spec, &config(), &layout).unwrap();
    let b = plan(&spec, &config(), &layout).unwrap();
    assert_eq!(a.files, b.files);
    assert_eq!(
        a.operations,
        xtask::document::ops::operations(&spec.doc).len()
    );
}

/// The reference server serves (and packages) its own copy of the spec, under its crate, so that
/// the crate builds from its packaged contents alone: the copy is the spec in `openapi/`, byte
/// for byte.
#[test]
fn the_reference_server_serves_the_embedded_spec() {
    let root = workspace_root();
    let name = &config().spec;
    let spec = std::fs::read(root.join("openapi").join(name)).expect("the spec reads");
    let copy_path = root
        .join("crates/infisical-auth-reference/openapi")
        .join(name);
    let copy = std::fs::read(&copy_path).unwrap_or_default();
    assert!(
        copy == spec,
        "{} differs from openapi/{}: copy the spec there",
        copy_path.display(),
        name.display()
    );
}
