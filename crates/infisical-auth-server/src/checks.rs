//! The validation layer between parsing and serde: the rules of `infisical-auth-validation`
//! (ranges, trusted IPs, cross-field rules), answered 422 with every issue or 400 for an invalid
//! IP entry, then Infisical's normalisation of the accepted body (trimmed strings, joined lists).

use std::borrow::Cow;

use infisical_auth_validation::{normalise, validate as rules, Rejection, RequestParts};
use serde_json::Value;

use crate::error::ApiError;

/// Checks one request of `operation_id` and normalises its body in place. Operations the
/// validation crate does not know pass unchecked.
pub fn validate(
    operation_id: &str,
    path: &[(Cow<'static, str>, String)],
    query: &str,
    body: Option<&mut Value>,
) -> Result<(), ApiError> {
    let path: Vec<(&str, &str)> = path.iter().map(|(k, v)| (&**k, v.as_str())).collect();
    let query_pairs: Vec<(String, String)> = if query.is_empty() {
        Vec::new()
    } else {
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    };
    let query: Vec<(&str, &str)> = query_pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let outcome = rules(
        operation_id,
        &RequestParts {
            path: &path,
            query: &query,
            body: body.as_deref(),
        },
    );
    match outcome {
        Ok(()) | Err(Rejection::UnknownOperation(_)) => {
            if let Some(body) = body {
                normalise(operation_id, body);
            }
            Ok(())
        }
        Err(rejection) => Err(ApiError::from(rejection)),
    }
}
