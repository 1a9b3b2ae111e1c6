//! Reading an OpenAPI document: the one module every stage and command (check, lower, fix-ups,
//! describe, surface, server, diff, import) goes through to load a document, walk its operations,
//! resolve `$ref`s, decide which operations need authentication and escape JSON pointers.

pub mod load;
pub mod ops;
pub mod pointer;
pub mod refs;
