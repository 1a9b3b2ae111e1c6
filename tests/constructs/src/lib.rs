//! What `cargo xtask codegen --spec F --out DIR` generates for each document of
//! `xtask/tests/fixtures/constructs/`: one module per construct, each the `src/generated.rs` of
//! the standalone crate, checked in so that a change in the generator is a reviewable diff
//! (`xtask/tests/constructs.rs` fails when a module is stale; `XTASK_BLESS=1` rewrites them), and
//! compiled here. The tests in `tests/` call each module's client against a loopback server.

#[rustfmt::skip]
pub mod answers_without_a_body;
#[rustfmt::skip]
pub mod component_references;
#[rustfmt::skip]
pub mod header_parameters;
#[rustfmt::skip]
pub mod media_types;
#[rustfmt::skip]
pub mod openapi31_components;
#[rustfmt::skip]
pub mod openapi31_keywords;
#[rustfmt::skip]
pub mod openapi31_nullable;
#[rustfmt::skip]
pub mod primitive_unions;

// The types crate's hand-written modules that generated types refer to through `crate::`, as a
// standalone crate has them (copied there by `cargo xtask codegen --out`).
#[path = "../../../crates/infisical-auth-types/src/js_timestamp.rs"]
pub mod js_timestamp;
#[path = "../../../crates/infisical-auth-types/src/operation.rs"]
mod operation;
pub use operation::{Operation, RetryClass};
#[path = "../../../crates/infisical-auth-types/src/secret.rs"]
mod secret;
pub use secret::Secret;
#[path = "../../../crates/infisical-auth-types/src/three_state.rs"]
pub mod three_state;
