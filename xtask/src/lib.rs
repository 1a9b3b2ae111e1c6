//! The workspace's code generator and spec tools, as a library so that each pipeline stage
//! (load -> 3.1 to 3.0 -> check -> lower -> fix up -> dedupe -> generate -> post-process ->
//! format -> write, run by [`pipeline`]) can be tested alone.
//! `src/main.rs` is the `cargo xtask` command line over these modules.

pub mod bench;
pub mod check;
pub mod config;
pub mod dedupe;
pub mod describe;
pub mod diff;
pub mod document;
pub mod fixups;
pub mod format;
pub mod import;
pub mod lower;
pub mod operation_table;
pub mod passes;
pub mod pipeline;
pub mod postprocess;
pub mod problem;
pub mod progenitor;
pub mod stubs;
pub mod surface;
#[cfg(test)]
mod test_support;
pub mod typify_input;
pub mod write;

/// Everything that can stop a pipeline run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    /// The document could not be parsed.
    #[error("{0}: {1}")]
    Load(String, String),
    /// The config file is invalid.
    #[error("{0}: {1}")]
    Config(String, String),
    /// The document uses constructs the generator does not support.
    #[error("the document cannot be generated:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Unsupported(Vec<problem::Problem>),
    /// Code generation failed.
    #[error("generation failed: {0}")]
    Generate(String),
}
