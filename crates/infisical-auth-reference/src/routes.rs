//! The server's own routes as the journal names them, beside the API's operations (the
//! generated `OPERATIONS` table, which the stubs' router matches): `createIdentity` and
//! `getApiDocs`.

use axum::http::Method;
use infisical_auth_server::runtime::Operation;

/// The server's own routes that the journal records, beside the API's operations.
const EXTRA: [Operation; 2] = [
    Operation {
        id: "createIdentity",
        method: "POST",
        path: "/api/v1/identities",
        secured: true,
        has_body: true,
        retry: infisical_auth_server::types::RetryClass::Unrepeatable,
    },
    Operation {
        id: "getApiDocs",
        method: "GET",
        path: "/api/docs/json",
        secured: false,
        has_body: false,
        retry: infisical_auth_server::types::RetryClass::Read,
    },
];

/// The server's own route `method` and `path` (trailing slashes removed) are for, if any
/// (`HEAD` is the path's `GET`, as the router serves it). The API's operations are matched by
/// the stubs' router itself ([`ApiService::find`](infisical_auth_server::runtime::ApiService::find)).
pub fn extra(method: &Method, path: &str) -> Option<&'static Operation> {
    EXTRA.iter().find(|op| {
        op.path == path
            && (op.method == method.as_str() || (method == Method::HEAD && op.method == "GET"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_own_routes_are_named() {
        let create = extra(&Method::POST, "/api/v1/identities").unwrap();
        assert_eq!(create.id, "createIdentity");
        assert_eq!(
            extra(&Method::HEAD, "/api/docs/json").unwrap().id,
            "getApiDocs"
        );
        assert!(extra(&Method::GET, "/api/v1/identities").is_none());
        assert!(extra(&Method::GET, "/nowhere").is_none());
    }

    #[test]
    fn the_stubs_router_matches_an_api_request_once_for_the_journal_and_the_faults() {
        use axum::extract::Request;
        let api =
            infisical_auth_server::service(std::sync::Arc::new(crate::ReferenceApi::new("admin")));
        let request = |method: Method, path: &str| {
            Request::builder()
                .method(method)
                .uri(path)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        let get = request(Method::GET, "/api/v1/auth/universal-auth/identities/a%20b");
        let found = api.find(&get).expect("an API path");
        assert_eq!(found.operation().unwrap().id, "getUniversalAuth");
        assert_eq!(found.param("identityId"), Some("a b"));
        let head = request(Method::HEAD, "/api/v1/auth/universal-auth/identities/1");
        assert_eq!(
            api.find(&head).unwrap().operation().unwrap().id,
            "getUniversalAuth"
        );
        let login = request(Method::POST, "/api/v1/auth/universal-auth/login");
        let found = api.find(&login).unwrap();
        assert_eq!(found.operation().unwrap().id, "loginWithUniversalAuth");
        assert_eq!(found.param("identityId"), None);
        // The API's path with a method it does not take: matched, no operation (404 with Allow).
        let put = request(Method::PUT, "/api/v1/auth/universal-auth/login");
        assert!(api.find(&put).unwrap().operation().is_none());
        assert!(api.find(&request(Method::GET, "/nowhere")).is_none());
        assert!(api
            .find(&request(Method::POST, "/api/v1/identities"))
            .is_none());
    }
}
