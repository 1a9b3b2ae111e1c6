//! A typed client for Infisical's machine-identity auth API.
mod generated;
pub use generated::*;
