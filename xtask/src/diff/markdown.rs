//! A [`DiffReport`] in Markdown: what `cargo xtask diff` and `cargo xtask import` print (the
//! changes per operation, the release they need) and the CHANGELOG.md entry that records them.

use super::report::DiffReport;
use super::version::{Bump, Version, CRATES_VERSION};

impl DiffReport {
    /// [`DiffReport::to_markdown_at`] for the crates' version ([`CRATES_VERSION`]): what
    /// `cargo xtask diff` and `cargo xtask import` print.
    pub fn to_markdown(&self) -> String {
        let current =
            Version::parse(CRATES_VERSION).expect("the crates' version is MAJOR.MINOR.PATCH");
        self.to_markdown_at(current)
    }

    /// Renders the report as Markdown for crates at version `current`: a summary line, the
    /// release the changes need ([`DiffReport::version_line`]), the list of operations with
    /// breaking changes, then one section per operation with a table of its changes, then the
    /// problems, then the CHANGELOG.md entry for the release ([`DiffReport::changelog_entry`]).
    pub fn to_markdown_at(&self, current: Version) -> String {
        let mut out = String::from("# API changes\n\n");
        let ops = self.operations.len();
        out.push_str(&format!(
            "**{} breaking, {} non-breaking** changes in {ops} operation{}.\n",
            self.breaking_count(),
            self.non_breaking_count(),
            if ops == 1 { "" } else { "s" }
        ));
        out.push_str(&format!("\n{}\n", self.version_line(current)));
        if self.is_empty() {
            out.push_str("\nNo API changes.\n");
        }
        let breaking_ops: Vec<String> = self
            .operations
            .iter()
            .filter(|op| op.changes.iter().any(|c| c.breaking))
            .map(|op| format!("`{}`", op.label()))
            .collect();
        if !breaking_ops.is_empty() {
            out.push_str(&format!(
                "\nBreaking changes in: {}.\n",
                breaking_ops.join(", ")
            ));
        }
        for op in &self.operations {
            out.push_str(&format!("\n## `{} {}`", op.method.to_uppercase(), op.path));
            if let Some(id) = &op.operation_id {
                out.push_str(&format!(" ({})", md_code(id)));
            }
            out.push_str("\n\n| | change | location | field | detail |\n|---|---|---|---|---|\n");
            for c in &op.changes {
                let mark = if c.breaking {
                    "**breaking**"
                } else {
                    "non-breaking"
                };
                let field = if c.field.is_empty() {
                    String::new()
                } else {
                    md_code(&c.field)
                };
                out.push_str(&format!(
                    "| {mark} | `{}` | {} | {} | {} |\n",
                    c.id,
                    c.location,
                    md_cell(&field),
                    md_cell(&c.detail)
                ));
            }
        }
        if !self.problems.is_empty() {
            out.push_str("\n## Problems (skipped parts of the documents)\n\n");
            for p in &self.problems {
                out.push_str(&format!("- {}\n", md_cell(&p.to_string())));
            }
        }
        let next = current.bumped(self.bump(current));
        out.push_str(&format!(
            "\n## CHANGELOG.md entry\n\n````markdown\n{}````\n",
            self.changelog_entry(next)
        ));
        out
    }

    /// The line of [`DiffReport::to_markdown_at`] saying which release the changes need.
    pub fn version_line(&self, current: Version) -> String {
        let bump = self.bump(current);
        let next = current.bumped(bump);
        let why = match bump {
            Bump::Major => "breaking changes for a client user",
            Bump::Minor if self.has_breaking() => {
                "breaking changes for a client user, which before 1.0 take a minor bump"
            }
            Bump::Minor => "additions or other non-breaking changes",
            Bump::Patch => "nothing in the API changed",
        };
        let mut line = format!("Release: **{bump}**, {current} -> {next} ({why}).");
        if !self.problems.is_empty() {
            line.push_str(
                " Parts of the documents were skipped (below): check them before relying on this.",
            );
        }
        line
    }

    /// The CHANGELOG.md section for releasing these changes as `version`: a heading, the
    /// counts, then one line per change (breaking ones first), each naming the operation, the
    /// change id, where it is and what changed, as the diff reports it.
    pub fn changelog_entry(&self, version: Version) -> String {
        let ops = self.operations.len();
        let mut out = format!("## {version}\n\n");
        if self.is_empty() {
            out.push_str("No API changes.\n");
            return out;
        }
        out.push_str(&format!(
            "{} breaking, {} non-breaking API changes in {ops} operation{}.\n",
            self.breaking_count(),
            self.non_breaking_count(),
            if ops == 1 { "" } else { "s" }
        ));
        for (title, breaking) in [("Breaking", true), ("Non-breaking", false)] {
            let lines: Vec<String> = self
                .changes()
                .filter(|(_, c)| c.breaking == breaking)
                .map(|(op, c)| {
                    let name = op
                        .operation_id
                        .as_deref()
                        .map(md_code)
                        .unwrap_or_else(|| md_code(&op.label()));
                    let mut line = format!("- {name}: `{}`, {}", c.id, c.location);
                    if !c.field.is_empty() {
                        line.push_str(&format!(" {}", md_code(&c.field)));
                    }
                    line.push_str(&format!(": {}", c.detail.replace('\n', " ")));
                    line
                })
                .collect();
            if !lines.is_empty() {
                out.push_str(&format!("\n### {title}\n\n{}\n", lines.join("\n")));
            }
        }
        out
    }
}

/// Inline code that survives backticks in the text.
pub(super) fn md_code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Escapes a table cell.
pub(super) fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
