//! `cargo xtask`: the workspace's generator and spec tools. See `cargo xtask --help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::codegen::{self, Layout};
use xtask::config::Config;
use xtask::write::Mode;

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
        Command::Codegen { check, spec, out } => {
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
            let report = match codegen::run(&spec_path, &cfg, &layout, mode) {
                Ok(report) => report,
                Err(e) => return fail(&e),
            };
            let shown = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
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
    }
}

fn fail(e: &xtask::Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::FAILURE
}
