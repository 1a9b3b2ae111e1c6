//! `cargo xtask`: the workspace's generator and spec tools. See `cargo xtask --help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::config::Config;
use xtask::pipeline::{self, Layout};
use xtask::write::Mode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Code generation and spec maintenance for the Infisical identity-auth workspace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate the types, client and server crates from the spec (default: openapi/codegen.toml).
    Codegen {
        /// Write nothing; exit non-zero listing each generated file that is stale.
        #[arg(long)]
        check: bool,
        /// Another OpenAPI 3.0 document (JSON or YAML) to generate from.
        #[arg(long, requires = "out")]
        spec: Option<PathBuf>,
        /// With --spec: the folder to write a self-contained client crate into.
        #[arg(long, requires = "spec")]
        out: Option<PathBuf>,
        /// Print every lowering and fix-up pass with the number of places it changed.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Print, per operation, what changed between two OpenAPI documents (Markdown), each change
    /// marked breaking or not for a client user.
    Diff {
        /// The older document (JSON or YAML).
        old: PathBuf,
        /// The newer document (JSON or YAML).
        new: PathBuf,
        /// Exit non-zero when any change is breaking.
        #[arg(long)]
        fail_on_breaking: bool,
    },
    /// Benchmark codegen and the generated client's build time against openapi-generator's
    /// `rust` generator on the same spec (medians; Markdown on stdout).
    Bench {
        /// Runs per measure (builds use at most 3).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Only how codegen time grows with the document (no openapi-generator, no builds).
        #[arg(long)]
        scaling: bool,
    },
    /// Import Infisical's full OpenAPI document: keep the identity-auth operations (tags in
    /// openapi/import.toml), write the spec file in canonical form, print the diff against it.
    Import {
        /// Infisical's document (JSON or YAML), as served at /api/docs/json.
        path: PathBuf,
    },
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codegen {
            check,
            spec,
            out,
            verbose,
        } => {
            let root = workspace_root();
            let cfg_path = root.join("openapi/codegen.toml");
            let cfg = match Config::load(&cfg_path) {
                Ok(cfg) => cfg,
                Err(e) => return fail(&e),
            };
            let (spec_path, layout) = match (spec, out) {
                (Some(spec), Some(out)) => (spec, Layout::Standalone { dir: out }),
                _ => (
                    root.join("openapi").join(&cfg.spec),
                    Layout::Workspace { root: root.clone() },
                ),
            };
            let mode = if check { Mode::Check } else { Mode::Write };
            let report = match pipeline::run(&spec_path, &cfg, &layout, mode) {
                Ok(report) => report,
                Err(e) => return fail(&e),
            };
            let shown = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
            if verbose {
                for (stage, pass) in &report.plan.passes {
                    println!("{stage:>8} {:<30} {:>5} changed", pass.name, pass.changes);
                }
                // The generate steps and post-processing passes of the other layout, which this
                // run skipped.
                let ran = |name: &str| report.plan.passes.iter().any(|(_, p)| p.name == name);
                let steps = xtask::typify_input::STEPS
                    .iter()
                    .map(|s| ("generate", s.name, s.layouts));
                let post = xtask::postprocess::PASSES
                    .iter()
                    .map(|p| ("post", p.name, p.layouts));
                for (stage, name, layouts) in steps.chain(post).filter(|(_, n, _)| !ran(n)) {
                    let only = layouts.only();
                    println!("{stage:>8} {name:<30}     - ({only} layout only)");
                }
            }
            for warning in &report.plan.warnings {
                eprintln!("note: {warning} (in the document given with --spec)");
            }
            for note in &report.plan.notes {
                eprintln!("note: {note}");
            }
            if check && !report.touched.is_empty() {
                eprintln!("stale generated files (run `cargo xtask codegen`):");
                for path in &report.touched {
                    eprintln!("  {}", shown(path));
                }
                return ExitCode::FAILURE;
            }
            println!(
                "codegen: {} operations, {} types, {} files ({} {}) in {} ms",
                report.plan.operations,
                report.plan.types,
                report.plan.files.len(),
                report.touched.len(),
                if check { "stale" } else { "written" },
                report.millis
            );
            ExitCode::SUCCESS
        }
        Command::Diff {
            old,
            new,
            fail_on_breaking,
        } => diff(&old, &new, fail_on_breaking).unwrap_or_else(|e| {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }),
        Command::Bench { runs, scaling } => {
            let root = workspace_root();
            let spec = root.join("openapi/infisical-identity-auth.json");
            let result = if scaling {
                xtask::bench::bench_scaling(&root, &spec, runs)
                    .map(|rows| format!("| codegen cost by document size (median of {runs}) | time | ratio |\n|---|---|---|\n{rows}"))
            } else {
                xtask::bench::bench(&root, &spec, runs)
            };
            match result {
                Ok(table) => {
                    print!("{table}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Import { path } => import(&path).unwrap_or_else(|e| {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }),
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn diff(old: &Path, new: &Path, fail_on_breaking: bool) -> Result<ExitCode, String> {
    let old_doc = xtask::document::load::parse_text(&read(old)?)
        .map_err(|e| format!("{}: {e}", old.display()))?;
    let new_doc = xtask::document::load::parse_text(&read(new)?)
        .map_err(|e| format!("{}: {e}", new.display()))?;
    let report = xtask::diff::diff(&old_doc, &new_doc);
    print!("{}", report.to_markdown());
    Ok(if fail_on_breaking && report.has_breaking() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn import(path: &Path) -> Result<ExitCode, String> {
    let root = workspace_root();
    let cfg = xtask::import::ImportConfig::load(&root.join(xtask::import::DEFAULT_CONFIG_PATH))
        .map_err(|e| e.to_string())?;
    let target = root.join(&cfg.output);
    let existing = match std::fs::read_to_string(&target) {
        Ok(text) => Some(
            xtask::document::load::parse_text(&text)
                .map_err(|e| format!("{}: {e}", target.display()))?,
        ),
        Err(_) => None,
    };
    let outcome =
        xtask::import::import(&read(path)?, &cfg, existing.as_ref()).map_err(|e| e.to_string())?;
    let changed = xtask::write::ensure_file(&target, &outcome.text, Mode::Write)
        .map_err(|e| e.to_string())?;
    print!("{}", outcome.diff_markdown);
    if !outcome.unlisted_auth.is_empty() {
        eprintln!("warning: operations that look like auth methods were left out:");
        for group in &outcome.unlisted_auth {
            eprintln!(
                "  {} ({} operations): to keep them, {} in openapi/import.toml",
                group.group, group.operations, group.to_keep
            );
        }
    }
    eprintln!(
        "import: {} operations -> {} ({})",
        outcome.operations,
        cfg.output.display(),
        if changed == xtask::write::Outcome::Fresh {
            "unchanged"
        } else {
            "written; now run `cargo xtask codegen`"
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn fail(e: &xtask::Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::FAILURE
}
