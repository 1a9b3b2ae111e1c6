//! Reading an OpenAPI document: the one module every stage and command (check, lower, fix-ups,
//! describe, surface, server, diff, import) goes through to load a document, walk its operations,
//! resolve `$ref`s, decide which operations need authentication and escape JSON pointers; an
//! OpenAPI 3.1 document is lowered to the 3.0 model here (`openapi31`).

pub mod load;
pub mod openapi31;
pub mod openapi31_twin;
pub mod ops;
pub mod pointer;
pub mod refs;
