//! Validation before sending: every request the generated operations build passes through
//! progenitor's `pre` hook, where the hand-written rules of `infisical-auth-validation` check its
//! path, query and body. An invalid request returns an error and is never sent; the typed
//! [`Rejection`] (every issue with its JSON path, code and bound) is recovered with
//! [`rejection`].

use infisical_auth_validation::{validate, Rejection, RequestParts};
use progenitor_client::{ClientHooks, OperationInfo};

use crate::{ApiError, Client, Error, OPERATIONS};

/// The first line of the `Error::Custom` text of a request refused before sending.
const MARK: &str = "invalid request, not sent: ";

impl ClientHooks<()> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        match check(request, info.operation_id) {
            Ok(()) => Ok(()),
            Err(rejection) => Err(Error::Custom(format!(
                "{MARK}{rejection}\n{}",
                rejection.to_infisical_body("req-client000000")
            ))),
        }
    }
}

/// Validates a built request against the rules of the operation whose client method is
/// `method_name` (what progenitor reports as the operation id).
///
/// There is no silent pass: a method missing from [`OPERATIONS`], or an operation the validation
/// crate does not know, is refused as [`Rejection::UnknownOperation`] (nothing is sent). Neither
/// can happen with the generated code as it stands: the tests below and
/// `tests/tests/client_validation.rs` prove every generated method is in the table and every row
/// is known to `infisical-auth-validation`, so a spec update that adds an operation fails those
/// tests instead of shipping an unvalidated method.
pub fn check(request: &reqwest::Request, method_name: &str) -> Result<(), Rejection> {
    let Some((operation_id, _, _, template)) = OPERATIONS
        .iter()
        .find(|(_, name, _, _)| *name == method_name)
    else {
        return Err(Rejection::UnknownOperation(method_name.to_owned()));
    };
    let path = path_params(template, request.url().path());
    let path: Vec<(&str, &str)> = path.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let query: Vec<(String, String)> = request.url().query_pairs().into_owned().collect();
    let query: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let body = request
        .body()
        .and_then(|b| b.as_bytes())
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(bytes).ok());
    validate(
        operation_id,
        &RequestParts {
            path: &path,
            query: &query,
            body: body.as_ref(),
        },
    )
}

/// The path parameters of `path` matched against `template` (`{name}` segments), decoded.
fn path_params<'t>(template: &'t str, path: &str) -> Vec<(&'t str, String)> {
    let path_segments: Vec<&str> = path.rsplit('/').collect();
    let template_segments: Vec<&str> = template.rsplit('/').collect();
    template_segments
        .iter()
        .zip(path_segments)
        .filter_map(|(t, p)| {
            let name = t.strip_prefix('{')?.strip_suffix('}')?;
            let value = percent_decode(p);
            Some((name, value))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The validation failure of a request that was refused before sending, if `err` is one.
pub fn rejection(err: &ApiError) -> Option<Rejection> {
    let Error::Custom(text) = err else {
        return None;
    };
    let json = text.strip_prefix(MARK)?.split_once('\n')?.1;
    Rejection::from_infisical_body(&serde_json::from_str(json).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_come_back_decoded() {
        let params = path_params(
            "/api/v1/auth/universal-auth/identities/{identityId}/client-secrets/{clientSecretId}",
            "/api/v1/auth/universal-auth/identities/a%20b/client-secrets/c",
        );
        assert_eq!(
            params,
            vec![
                ("clientSecretId", "c".to_string()),
                ("identityId", "a b".to_string())
            ]
        );
        assert_eq!(percent_decode("100%"), "100%");
    }

    /// The method names progenitor reports to the `pre` hook, read from the generated code.
    fn hook_method_names() -> Vec<&'static str> {
        const MARK: &str = "operation_id: \"";
        include_str!("generated.rs")
            .split(MARK)
            .skip(1)
            .filter_map(|rest| rest.split_once('"').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_hooked_method_is_in_the_operations_table() {
        let names = hook_method_names();
        assert_eq!(
            names.len(),
            OPERATIONS.len(),
            "one `pre` call per operation: {names:?}"
        );
        for name in &names {
            let row = OPERATIONS.iter().find(|(_, m, _, _)| m == name);
            let (operation_id, ..) = row.unwrap_or_else(|| panic!("{name} is not in OPERATIONS"));
            assert!(
                infisical_auth_validation::operation_ids().any(|id| id == *operation_id),
                "{name} ({operation_id}) is unknown to the validation crate"
            );
        }
    }

    #[test]
    fn an_unknown_method_is_refused_not_sent() {
        let request = reqwest::Request::new(
            reqwest::Method::GET,
            "http://127.0.0.1:1/api/v1/auth/universal-auth/identities/x"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            check(&request, "no_such_method"),
            Err(Rejection::UnknownOperation("no_such_method".into()))
        );
        assert_eq!(check(&request, "get_universal_auth"), Ok(()));
    }
}
