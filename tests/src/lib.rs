//! Helpers shared by the workspace tests in `tests/tests/`: where the workspace is, and the
//! fixed-up default spec the generated crates come from.

use std::path::PathBuf;

use serde_json::Value;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

/// The codegen config, `openapi/codegen.toml`.
pub fn config() -> xtask::config::Config {
    xtask::config::Config::load(&workspace_root().join("openapi/codegen.toml"))
        .expect("codegen.toml loads")
}

/// The default spec as loaded.
pub fn spec() -> xtask::spec::LoadedSpec {
    let cfg = config();
    xtask::spec::load(&workspace_root().join("openapi").join(&cfg.spec)).expect("the spec loads")
}

/// The default spec after check and fix-ups: what the generated crates are made from.
pub fn fixed_spec() -> Value {
    xtask::codegen::fixed_document(&spec().doc, &config()).expect("the default spec generates")
}
