//! Validation before sending: the shared send path ([`crate::runtime`]) checks the typed values
//! every generated operation puts into its request (path, query and body) with the hand-written
//! rules of `infisical-auth-validation`. An invalid request is refused as
//! [`crate::Error::Rejected`] with the typed [`Rejection`] (every issue with its JSON path, code
//! and bound) and is never sent.

use std::borrow::Cow;

use infisical_auth_validation::{validate, Rejection, RequestParts};

use crate::typed::{text, Typed};

/// Validates the typed values of a request of operation `operation_id`, whose path template is
/// `template`.
pub(crate) fn check(typed: &Typed, operation_id: &str, template: &str) -> Result<(), Rejection> {
    let path: Vec<(&str, &str)> = path_names(template)
        .zip(&typed.path)
        .map(|(name, value)| (name, value.as_str()))
        .collect();
    let query: Vec<(&str, Cow<'_, str>)> = typed
        .query
        .iter()
        .filter_map(|(name, value)| Some((*name, text(value)?)))
        .collect();
    let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (*k, v.as_ref())).collect();
    validate(
        operation_id,
        &RequestParts {
            path: &path,
            query: &query,
            body: typed.body.value(),
        },
    )
}

/// The `{name}` parameters of a path template, in order.
fn path_names(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typed::Body;
    use serde_json::{json, Value};

    fn typed(path: &[&str], query: Vec<(&'static str, Value)>, body: Option<Value>) -> Typed {
        Typed {
            path: path.iter().map(|p| p.to_string()).collect(),
            query,
            headers: vec![],
            body: body.map_or(Body::None, Body::Json),
        }
    }

    #[test]
    fn path_values_pair_with_the_template_names_in_order() {
        let names: Vec<&str> = path_names(
            "/api/v1/auth/universal-auth/identities/{identityId}/client-secrets/{clientSecretId}",
        )
        .collect();
        assert_eq!(names, ["identityId", "clientSecretId"]);
    }

    #[test]
    fn typed_values_are_validated_not_bytes() {
        let template = "/api/v1/auth/universal-auth/identities/{identityId}";
        // A body that breaks the cross-field rule, as the builder's typed body serialises it.
        let body = json!({"accessTokenTTL": 7200, "accessTokenMaxTTL": 3600});
        let err = check(
            &typed(&["id-1"], vec![], Some(body)),
            "attachUniversalAuth",
            template,
        )
        .unwrap_err();
        assert_eq!(err.status(), 422, "{err:?}");
        assert_eq!(
            err.issues()[0].message,
            "Access Token TTL cannot be greater than Access Token Max TTL."
        );
        let fine = json!({"accessTokenTTL": 3600, "accessTokenMaxTTL": 7200});
        assert_eq!(
            check(
                &typed(&["id-1"], vec![], Some(fine)),
                "attachUniversalAuth",
                template
            ),
            Ok(())
        );
    }

    #[test]
    fn query_values_are_checked_as_sent_and_absent_ones_skipped() {
        let template = "/api/v1/auth/token-auth/identities/{identityId}/tokens";
        let op = "getTokenAuthTokens";
        let absent = vec![("limit", Value::Null), ("offset", Value::Null)];
        assert_eq!(check(&typed(&["id-1"], absent, None), op, template), Ok(()));
        let too_many = vec![("limit", json!(100_000)), ("offset", Value::Null)];
        let err = check(&typed(&["id-1"], too_many, None), op, template).unwrap_err();
        assert_eq!(err.status(), 422, "{err:?}");
        assert_eq!(text(&json!(20)).as_deref(), Some("20"));
        assert_eq!(text(&json!("a b")).as_deref(), Some("a b"));
        assert_eq!(text(&Value::Null), None);
    }

    /// The operation ids the generated builders pass to the shared send path.
    fn routed_operation_ids() -> Vec<&'static str> {
        const MARK: &str = "crate::runtime::Request::new(\"";
        include_str!("generated.rs")
            .split(MARK)
            .skip(1)
            .filter_map(|rest| rest.split_once('"').map(|(name, _)| name))
            .collect()
    }

    #[test]
    fn every_routed_operation_is_a_known_operation() {
        let names = routed_operation_ids();
        assert_eq!(
            names.len(),
            crate::OPERATIONS.len(),
            "one shared send per operation: {names:?}"
        );
        for name in &names {
            let op = infisical_auth_types::operation(name)
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
        let template = "/api/v1/auth/universal-auth/identities/{identityId}";
        let get = typed(&["x"], vec![], None);
        assert_eq!(
            check(&get, "noSuchOperation", template),
            Err(Rejection::UnknownOperation("noSuchOperation".into()))
        );
        assert_eq!(check(&get, "getUniversalAuth", template), Ok(()));
    }
}
