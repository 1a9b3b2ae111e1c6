//! Import of a full Infisical OpenAPI document (issue 5). Owned by the diff helper.
