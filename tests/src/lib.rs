//! Shared helpers for the workspace tests live in `tests/tests/*.rs`; this library is empty.
