//! Validation before sending: the shared send path ([`crate::runtime`]) checks every request the
//! generated operations build with the hand-written rules of `infisical-auth-validation` (path,
//! query and body). An invalid request is refused as [`crate::Error::Rejected`] with the typed
//! [`Rejection`] (every issue with its JSON path, code and bound) and is never sent.

use infisical_auth_validation::{validate, Rejection, RequestParts};

/// Validates a built request against the rules of operation `operation_id`, whose path template
/// is `template`.
pub(crate) fn check(
    request: &reqwest::Request,
    operation_id: &str,
    template: &str,
) -> Result<(), Rejection> {
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

    /// The method names the generated builders pass to the shared send path.
    fn routed_method_names() -> Vec<&'static str> {
        const MARK: &str = "crate::runtime::send(client, \"";
        include_str!("generated.rs")
            .split(MARK)
            .skip(1)
            .filter_map(|rest| rest.split_once('"').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_routed_method_is_a_known_operation() {
        let names = routed_method_names();
        assert_eq!(
            names.len(),
            crate::OPERATIONS.len(),
            "one shared send per operation: {names:?}"
        );
        for name in &names {
            let op = crate::runtime::Operation::by_method(name)
                .unwrap_or_else(|| panic!("{name} is not in OPERATIONS"));
            assert!(
                infisical_auth_validation::operation_ids().any(|id| id == op.id),
                "{name} ({}) is unknown to the validation crate",
                op.id
            );
        }
    }

    #[test]
    fn an_unknown_operation_is_refused_not_sent() {
        let request = reqwest::Request::new(
            reqwest::Method::GET,
            "http://127.0.0.1:1/api/v1/auth/universal-auth/identities/x"
                .parse()
                .unwrap(),
        );
        let template = "/api/v1/auth/universal-auth/identities/{identityId}";
        assert_eq!(
            check(&request, "noSuchOperation", template),
            Err(Rejection::UnknownOperation("noSuchOperation".into()))
        );
        assert_eq!(check(&request, "getUniversalAuth", template), Ok(()));
    }
}
