//! `cargo xtask bench`: codegen speed and the build time of the generated client, side by side
//! with openapi-generator's `rust` generator on the same spec, in one run. Prints a Markdown table
//! of medians and ratios (the README quotes it). Needs Java 17 and installs
//! `openapi-generator-cli` from PyPI with pip when it is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The openapi-generator release measured against.
const OPENAPI_GENERATOR: &str = "openapi-generator-cli==7.26.0";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut() -> Result<(), String>) -> Result<Duration, String> {
    let mut samples = Vec::new();
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        f()?;
        samples.push(start.elapsed());
    }
    Ok(median(samples))
}

/// Medians of `a` and `b` run alternately `runs` times each (a, b, a, b...), so that load from
/// elsewhere on a shared machine falls on both sides alike.
fn paired(
    runs: usize,
    mut a: impl FnMut() -> Result<(), String>,
    mut b: impl FnMut() -> Result<(), String>,
) -> Result<(Duration, Duration), String> {
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        a()?;
        left.push(start.elapsed());
        let start = Instant::now();
        b()?;
        right.push(start.elapsed());
    }
    Ok((median(left), median(right)))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().map_err(|e| format!("{shown}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{shown} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn touch(path: &Path) -> Result<(), String> {
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Cargo for a build the bench times: both sides in the dev profile with the same debug info
/// (the workspace's own setting, line tables only, which openapi-generator's crate would
/// otherwise not share).
fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only");
    cargo
}

/// The largest document of the generator corpus (Infisical's full document of 2023-11-23).
pub const LARGEST_HISTORY_DOCUMENT: &str =
    "xtask/tests/fixtures/infisical-history/infisical-2023-11-23-53ac0569.json";

/// How codegen time grows with the document: warm `cargo xtask codegen --spec F --out DIR` of
/// the embedded spec and of the largest corpus document, side by side (Markdown rows).
pub fn bench_scaling(root: &Path, spec: &Path, runs: usize) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let work = root.join("target/bench");
    let largest = root.join(LARGEST_HISTORY_DOCUMENT);
    let count = |path: &Path| -> Result<usize, String> {
        let doc = crate::document::load::load(path).map_err(|e| e.to_string())?;
        Ok(crate::document::ops::operations(&doc.doc).len())
    };
    let mut timings = Vec::new();
    for (name, doc) in [("embedded", spec), ("history", largest.as_path())] {
        eprintln!(
            "bench: cargo xtask codegen --spec {} x{runs}",
            doc.display()
        );
        let out = work.join(format!("scaling-{name}"));
        let cmd = || {
            let mut c = Command::new(&exe);
            c.arg("codegen")
                .arg("--spec")
                .arg(doc)
                .arg("--out")
                .arg(&out);
            c
        };
        run(&mut cmd())?;
        timings.push((count(doc)?, time(runs, || run(&mut cmd()))?));
    }
    let (small_ops, small) = timings[0];
    let (large_ops, large) = timings[1];
    let ratio = large.as_secs_f64() / small.as_secs_f64();
    Ok(format!(
        "| warm `codegen --spec F --out DIR`, {small_ops} operations (embedded spec) | {:.3} s | |\n\
         | warm `codegen --spec F --out DIR`, {large_ops} operations (Infisical 2023-11-23) | {:.3} s | {ratio:.2}x the embedded spec for {:.2}x the operations (aim: at most 3.5x) |\n",
        small.as_secs_f64(),
        large.as_secs_f64(),
        large_ops as f64 / small_ops as f64,
    ))
}

/// Runs the benchmark and returns the Markdown report.
pub fn bench(root: &Path, spec: &Path, runs: usize) -> Result<String, String> {
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;

    // 1. Generation, warm: the command a user runs, with the binary built (each run loads,
    //    checks, fixes up, generates, formats and writes every file that differs), alternating
    //    with openapi-generator's.
    if Command::new("openapi-generator-cli")
        .arg("version")
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        run(Command::new("python3").args(["-m", "pip", "install", "--quiet", OPENAPI_GENERATOR]))?;
    }
    let oag_out = work.join("openapi-generator-rust");
    let oag_generate = || {
        let _ = std::fs::remove_dir_all(&oag_out);
        run(Command::new("openapi-generator-cli")
            .args([
                "generate",
                "-g",
                "rust",
                "--skip-validate-spec",
                "--package-name",
                "oag_client",
                "-i",
            ])
            .arg(spec)
            .arg("-o")
            .arg(&oag_out))
    };
    eprintln!("bench: cargo xtask codegen and openapi-generator rust, alternately x{runs}");
    let (ours_gen, oag_gen) = paired(
        runs,
        || run(Command::new(&exe).arg("codegen").current_dir(root)),
        oag_generate,
    )?;
    // Keep openapi-generator's crate out of this workspace.
    let manifest = oag_out.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    if !text.contains("[workspace]") {
        std::fs::write(&manifest, format!("{text}\n[workspace]\n")).map_err(|e| e.to_string())?;
    }

    // 2. Build times with dependencies already built: from scratch (the crates cleaned) and after
    //    a touch of the generated sources, ours and openapi-generator's alternately.
    eprintln!("bench: building both clients once (dependencies)");
    let ours_build = || {
        run(cargo()
            .args(["build", "--quiet", "-p", "infisical-auth-client"])
            .current_dir(root))
    };
    let oag_target = work.join("openapi-generator-target");
    let oag_build = || {
        run(cargo()
            .args(["build", "--quiet"])
            .env("CARGO_TARGET_DIR", &oag_target)
            .current_dir(&oag_out))
    };
    ours_build()?;
    oag_build()?;
    let builds = runs.clamp(1, 3);
    eprintln!("bench: building both clients from scratch, alternately x{builds}");
    let (ours_scratch, oag_scratch) = paired(
        builds,
        || {
            run(cargo()
                .args([
                    "clean",
                    "--quiet",
                    "-p",
                    "infisical-auth-types",
                    "-p",
                    "infisical-auth-client",
                ])
                .current_dir(root))?;
            ours_build()
        },
        || {
            run(cargo()
                .args(["clean", "--quiet", "-p", "oag_client"])
                .env("CARGO_TARGET_DIR", &oag_target)
                .current_dir(&oag_out))?;
            oag_build()
        },
    )?;
    let generated: Vec<PathBuf> = [
        "crates/infisical-auth-types/src/generated.rs",
        "crates/infisical-auth-client/src/generated.rs",
    ]
    .iter()
    .map(|p| root.join(p))
    .collect();
    eprintln!("bench: rebuilding both clients after a touch, alternately x{builds}");
    let (ours_touch, oag_touch) = paired(
        builds,
        || {
            generated.iter().try_for_each(|p| touch(p))?;
            ours_build()
        },
        || {
            touch(&oag_out.join("src/lib.rs"))?;
            oag_build()
        },
    )?;

    let lines = |dir: &Path| -> usize {
        crate::write::files_under(dir)
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(|t| t.lines().count())
            .sum()
    };
    let ours_lines: usize = generated
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|t| t.lines().count())
        .sum();
    let oag_lines = lines(&oag_out.join("src"));
    let scaling = bench_scaling(root, spec, runs)?;
    let s = |d: Duration| format!("{:.3} s", d.as_secs_f64());
    let ratio = |a: Duration, b: Duration| format!("{:.1}x", b.as_secs_f64() / a.as_secs_f64());
    Ok(format!(
        "| measure (median) | this workspace | openapi-generator `rust` | openapi-generator / ours |\n|---|---|---|---|\n\
         | generate the 78-operation client (warm, {runs} runs) | {} | {} | {} |\n\
         | generated Rust lines | {ours_lines} | {oag_lines} | |\n\
         | build the generated crate(s), dependencies built ({builds} runs) | {} | {} | {} |\n\
         | rebuild after touching the generated sources ({builds} runs) | {} | {} | {} |\n\n\
         | codegen cost by document size (median of {runs}) | time | ratio |\n|---|---|---|\n{scaling}",
        s(ours_gen), s(oag_gen), ratio(ours_gen, oag_gen),
        s(ours_scratch), s(oag_scratch), ratio(ours_scratch, oag_scratch),
        s(ours_touch), s(oag_touch), ratio(ours_touch, oag_touch),
    ))
}
