//! CHANGELOG.md records each release of the library crates in the terms of `cargo xtask diff`:
//! its latest release is the crates' version, and every change it lists names a change id the
//! diff reports, with the right classification.

use std::collections::BTreeMap;

use workspace_tests::workspace_root;

/// The releases of CHANGELOG.md, newest first: (version, lines of its section).
fn releases() -> Vec<(String, Vec<String>)> {
    let text =
        std::fs::read_to_string(workspace_root().join("CHANGELOG.md")).expect("CHANGELOG.md");
    let mut releases: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(version) = line.strip_prefix("## ") {
            releases.push((version.trim().to_string(), Vec::new()));
        } else if let Some((_, lines)) = releases.last_mut() {
            lines.push(line.to_string());
        }
    }
    releases
}

#[test]
fn the_latest_release_is_the_crates_version() {
    let releases = releases();
    let latest = releases.first().map(|(v, _)| v.as_str());
    // Every crate of the set takes the workspace's version, as this test crate does.
    assert_eq!(
        latest,
        Some(env!("CARGO_PKG_VERSION")),
        "CHANGELOG.md's latest release is not the crates' version: add its entry (`cargo xtask diff` prints it)"
    );
    let mut seen = std::collections::BTreeSet::new();
    for (version, _) in &releases {
        xtask::diff::Version::parse(version).expect("a release heading is MAJOR.MINOR.PATCH");
        assert!(
            seen.insert(version.clone()),
            "release {version} listed twice"
        );
    }
}

#[test]
fn every_change_is_in_the_diffs_terms() {
    let categories: BTreeMap<String, bool> = xtask::diff::categories()
        .into_iter()
        .map(|c| (c.id, c.breaking))
        .collect();
    for (version, lines) in releases() {
        let mut section = None;
        let mut changes = 0;
        for line in &lines {
            if let Some(title) = line.strip_prefix("### ") {
                section = Some(match title {
                    "Breaking" => true,
                    "Non-breaking" => false,
                    other => panic!("{version}: unknown section {other:?}"),
                });
                continue;
            }
            let Some(change) = line.strip_prefix("- ") else {
                continue;
            };
            let breaking =
                section.unwrap_or_else(|| panic!("{version}: {line:?} is in no section"));
            // "- `operationId`: `change-id`, location ...: detail"
            let id = change
                .split_once(": `")
                .and_then(|(_, rest)| rest.split_once('`'))
                .map(|(id, _)| id)
                .unwrap_or_else(|| panic!("{version}: {line:?} names no change id"));
            assert_eq!(
                categories.get(id),
                Some(&breaking),
                "{version}: {line:?}: `{id}` is not a {} change id of the diff",
                if breaking { "breaking" } else { "non-breaking" }
            );
            changes += 1;
        }
        let no_changes = lines.iter().any(|l| l == "No API changes.");
        assert!(
            changes > 0 || no_changes,
            "{version}: neither changes nor \"No API changes.\""
        );
    }
}
