//! The workspace's code generator and spec tools, as a library so that each pipeline stage
//! (load -> check -> fix up -> generate -> format -> write) can be tested alone.
//! `src/main.rs` is the `cargo xtask` command line over these modules.

pub mod diff;
pub mod import;
