//! Which operation a request is for, as the fault rules and the journal name it: the API's
//! operations (the generated `OPERATIONS` table) and the server's own routes, matched by path
//! template in a `matchit` tree (the matcher the stubs' router uses), with the `identityId`
//! path parameter when the template has one.

use std::sync::OnceLock;

use axum::http::Method;
use infisical_auth_server::runtime::Operation;
use infisical_auth_server::OPERATIONS;

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

/// The operation a request matched.
#[derive(Clone, Copy, Debug)]
pub struct Matched<'p> {
    /// Its row: operationId, method, path template.
    pub operation: &'static Operation,
    /// Whether it is one of the API's operations (fault rules apply to those only).
    pub in_api: bool,
    /// The `identityId` path parameter, as sent (percent-encoded).
    pub identity_id: Option<&'p str>,
}

struct Table {
    paths: matchit::Router<usize>,
    /// Per path: each method and its operation.
    routes: Vec<Vec<(Method, &'static Operation, bool)>>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut paths = matchit::Router::new();
        let mut templates: Vec<&'static str> = Vec::new();
        let mut routes: Vec<Vec<(Method, &'static Operation, bool)>> = Vec::new();
        let all = OPERATIONS
            .iter()
            .map(|op| (op, true))
            .chain(EXTRA.iter().map(|op| (op, false)));
        for (operation, in_api) in all {
            let at = match templates.iter().position(|t| *t == operation.path) {
                Some(at) => at,
                None => {
                    // The generated table's paths form a valid tree (the stubs' router builds
                    // the same one); the extra paths do not overlap them.
                    if paths.insert(operation.path, templates.len()).is_err() {
                        continue;
                    }
                    templates.push(operation.path);
                    routes.push(Vec::new());
                    templates.len() - 1
                }
            };
            if let Ok(method) = Method::from_bytes(operation.method.as_bytes()) {
                routes[at].push((method, operation, in_api));
            }
        }
        Table { paths, routes }
    })
}

/// The operation `method` and `path` (trailing slashes removed) are for, if any (`HEAD` is the
/// path's `GET`, as the router serves it).
pub fn lookup<'p>(method: &Method, path: &'p str) -> Option<Matched<'p>> {
    let table = table();
    let matched = table.paths.at(path).ok()?;
    let route = &table.routes[*matched.value];
    let find = |wanted: &Method| route.iter().find(|(m, _, _)| m == wanted);
    let &(_, operation, in_api) = find(method).or_else(|| {
        if method == Method::HEAD {
            find(&Method::GET)
        } else {
            None
        }
    })?;
    Some(Matched {
        operation,
        in_api,
        identity_id: matched.params.get("identityId"),
    })
}

/// Whether `id` is the operationId of one of the API's operations.
pub fn is_operation(id: &str) -> bool {
    OPERATIONS.iter().any(|op| op.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_matched_to_their_operation_and_identity() {
        let get = lookup(&Method::GET, "/api/v1/auth/universal-auth/identities/1234").unwrap();
        assert_eq!(get.operation.id, "getUniversalAuth");
        assert_eq!(
            get.operation.path,
            "/api/v1/auth/universal-auth/identities/{identityId}"
        );
        assert_eq!(get.identity_id, Some("1234"));
        assert!(get.in_api);
        let head = lookup(&Method::HEAD, "/api/v1/auth/universal-auth/identities/1").unwrap();
        assert_eq!(head.operation.id, "getUniversalAuth");
        let login = lookup(&Method::POST, "/api/v1/auth/universal-auth/login").unwrap();
        assert_eq!(login.operation.id, "loginWithUniversalAuth");
        assert_eq!(login.identity_id, None);
        let create = lookup(&Method::POST, "/api/v1/identities").unwrap();
        assert_eq!(
            (create.operation.id, create.in_api),
            ("createIdentity", false)
        );
        assert!(lookup(&Method::PUT, "/api/v1/auth/universal-auth/login").is_none());
        assert!(lookup(&Method::GET, "/nowhere").is_none());
        assert!(is_operation("loginWithUniversalAuth"));
        assert!(!is_operation("createIdentity"));
    }
}
