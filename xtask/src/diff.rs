//! Semantic diff of two OpenAPI documents (issue 5). Owned by the diff helper.
