//! The API's routes as one tower service ([`ApiService`]): the paths of the generated
//! `OPERATIONS` table in a `matchit` tree (the router axum itself uses, so a path matches exactly
//! as it would in an axum router), each request handed to its operation's handler with its
//! percent-decoded path parameters. It answers as the axum router it replaces did: a known path
//! with another method is Infisical's 404 with an `Allow` header listing the path's methods, an
//! unknown path is the 404 without it, `HEAD` is served by the path's `GET` operation, and every
//! answer carries its `Content-Length` (a `HEAD` answer without its body).
//!
//! It costs a fraction of an axum router per request: no request extensions for the matched
//! path, the original URI and the parameters, no boxed service cloned per request, one boxed
//! handler future.

use std::borrow::Cow;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::response::Response;

use crate::runtime::{not_found, Operation};
use crate::InfisicalAuthApi;

/// A handler's answer to come (one per request, boxed).
pub type HandlerFuture = Pin<Box<dyn Future<Output = Response> + Send>>;

/// The generated dispatch: runs operation `index` (a row of the operations table) on a request
/// with its path parameters.
pub type Dispatch<T> = fn(usize, Arc<T>, Request, PathParams) -> HandlerFuture;

/// The path parameters of a request as its route matched them, percent-decoded, by name; or the
/// fact that one of them is not UTF-8 once decoded (which the operation answers 400, after
/// authentication, as it did behind axum).
#[derive(Debug)]
pub struct PathParams(pub(crate) Result<Vec<(Cow<'static, str>, String)>, InvalidPathParam>);

/// A path parameter that is not UTF-8 once percent-decoded.
#[derive(Debug)]
pub(crate) struct InvalidPathParam;

impl PathParams {
    /// The values of `params` under `names`, the route's parameter names in template order
    /// (matchit's order).
    fn decode(names: &[&'static str], params: &matchit::Params<'_, '_>) -> PathParams {
        let mut decoded = Vec::with_capacity(names.len());
        for (name, (_, value)) in names.iter().zip(params.iter()) {
            let value = if value.contains('%') {
                match percent_encoding::percent_decode_str(value).decode_utf8() {
                    Ok(value) => value.into_owned(),
                    Err(_) => return PathParams(Err(InvalidPathParam)),
                }
            } else {
                value.to_owned()
            };
            decoded.push((Cow::Borrowed(*name), value));
        }
        PathParams(Ok(decoded))
    }
}

/// The parameter names of a path template (`{identityId}`), in order.
fn parameter_names(template: &'static str) -> Vec<&'static str> {
    template
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// The operations of one path.
struct PathRoute {
    /// The names of the path's parameters, in order.
    names: Vec<&'static str>,
    /// Each method and its operation's index, in table order.
    methods: Vec<(Method, usize)>,
    /// The `Allow` header of a 404 for another method: the methods in table order, `GET`
    /// followed by `HEAD` (axum's).
    allow: HeaderValue,
}

impl PathRoute {
    /// The operation serving `method`: its own, or the path's `GET` for a `HEAD`.
    fn operation(&self, method: &Method) -> Option<usize> {
        let find = |wanted: &Method| {
            self.methods
                .iter()
                .find(|(m, _)| m == wanted)
                .map(|&(_, index)| index)
        };
        find(method).or_else(|| {
            if method == Method::HEAD {
                find(&Method::GET)
            } else {
                None
            }
        })
    }
}

struct Table {
    operations: &'static [Operation],
    paths: matchit::Router<usize>,
    routes: Vec<PathRoute>,
}

impl Table {
    fn new(operations: &'static [Operation]) -> Table {
        let mut paths = matchit::Router::new();
        let mut routes: Vec<PathRoute> = Vec::new();
        let mut templates: Vec<&str> = Vec::new();
        let mut allows: Vec<String> = Vec::new();
        for (index, operation) in operations.iter().enumerate() {
            let method = Method::from_bytes(operation.method.as_bytes())
                .expect("the operations table holds HTTP methods");
            let at = match templates.iter().position(|t| *t == operation.path) {
                Some(at) => at,
                None => {
                    paths
                        .insert(operation.path, templates.len())
                        .expect("the operations table's paths form a valid route tree");
                    templates.push(operation.path);
                    routes.push(PathRoute {
                        names: parameter_names(operation.path),
                        methods: Vec::new(),
                        allow: HeaderValue::from_static(""),
                    });
                    allows.push(String::new());
                    templates.len() - 1
                }
            };
            let names: &[&str] = if method == Method::GET {
                &["GET", "HEAD"]
            } else {
                &[operation.method]
            };
            let allow = &mut allows[at];
            for name in names {
                if allow.is_empty() {
                    allow.push_str(name);
                } else if !allow.contains(name) {
                    allow.push(',');
                    allow.push_str(name);
                }
            }
            routes[at].methods.push((method, index));
        }
        for (route, allow) in routes.iter_mut().zip(allows) {
            route.allow = HeaderValue::from_str(&allow).expect("method names are header values");
        }
        Table {
            operations,
            paths,
            routes,
        }
    }
}

/// Every operation of the API on `api`, as one service (see the module documentation). The
/// generated `service` function builds it; the crate's `router` puts it in an axum router.
pub struct ApiService<T> {
    api: Arc<T>,
    table: Arc<Table>,
    dispatch: Dispatch<T>,
}

impl<T> Clone for ApiService<T> {
    fn clone(&self) -> Self {
        ApiService {
            api: Arc::clone(&self.api),
            table: Arc::clone(&self.table),
            dispatch: self.dispatch,
        }
    }
}

impl<T> std::fmt::Debug for ApiService<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiService")
            .field("paths", &self.table.routes.len())
            .finish_non_exhaustive()
    }
}

impl<T: InfisicalAuthApi> ApiService<T> {
    /// The service of `operations` (the generated table) on `api`, `dispatch` running each.
    pub fn new(api: Arc<T>, operations: &'static [Operation], dispatch: Dispatch<T>) -> Self {
        ApiService {
            api,
            table: Arc::new(Table::new(operations)),
            dispatch,
        }
    }

    /// Serves `request` if its path is one of the API's (with another method, the 404
    /// Infisical answers); gives it back otherwise, for routes of the caller's own.
    #[allow(clippy::result_large_err)]
    pub fn route(&self, request: Request) -> Result<ApiFuture, Request> {
        match self.find(&request) {
            Some(found) => Ok(self.serve(found, request)),
            None => Err(request),
        }
    }

    /// Matches `request` to the API's routes without serving it: `None` when its path is not
    /// one of the API's. A caller that needs the operation before the request is served (to
    /// record it, or to answer in its place) matches once here, then hands the match to
    /// [`ApiService::serve`].
    pub fn find(&self, request: &Request) -> Option<Found> {
        let matched = self.table.paths.at(request.uri().path()).ok()?;
        let route_index = *matched.value;
        let route = &self.table.routes[route_index];
        let operation = route.operation(request.method());
        Some(Found {
            route: route_index,
            operation: operation.map(|index| (index, &self.table.operations[index])),
            params: PathParams::decode(&route.names, &matched.params),
        })
    }

    /// Serves `request` as [`ApiService::find`] matched it (`found` must come from this
    /// service and this request).
    pub fn serve(&self, found: Found, request: Request) -> ApiFuture {
        let head = request.method() == Method::HEAD;
        match found.operation {
            Some((index, _)) => ApiFuture {
                inner: (self.dispatch)(index, Arc::clone(&self.api), request, found.params),
                head,
                allow: None,
            },
            None => ApiFuture {
                inner: Box::pin(not_found(request)),
                head,
                allow: Some(self.table.routes[found.route].allow.clone()),
            },
        }
    }
}

/// A request matched to the API's routes by [`ApiService::find`], not served yet.
#[derive(Debug)]
pub struct Found {
    route: usize,
    operation: Option<(usize, &'static Operation)>,
    params: PathParams,
}

impl Found {
    /// The operation the request is for; `None` when its path is the API's but no operation
    /// of that path takes its method (answered 404 with `Allow`).
    pub fn operation(&self) -> Option<&'static Operation> {
        self.operation.map(|(_, operation)| operation)
    }

    /// The path parameter `name`, percent-decoded; `None` when the path has none of that name
    /// or its value is not UTF-8 once decoded.
    pub fn param(&self, name: &str) -> Option<&str> {
        let params = self.params.0.as_ref().ok()?;
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }
}

impl<T: InfisicalAuthApi> tower::Service<Request> for ApiService<T> {
    type Response = Response;
    type Error = Infallible;
    type Future = ApiFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> ApiFuture {
        self.route(request).unwrap_or_else(|request| ApiFuture {
            head: request.method() == Method::HEAD,
            inner: Box::pin(not_found(request)),
            allow: None,
        })
    }
}

/// The answer of an [`ApiService`] to come.
pub struct ApiFuture {
    inner: HandlerFuture,
    /// A `HEAD` request: the answer goes without its body.
    head: bool,
    /// The `Allow` header of a 404 for a known path.
    allow: Option<HeaderValue>,
}

impl std::fmt::Debug for ApiFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiFuture")
            .field("head", &self.head)
            .finish_non_exhaustive()
    }
}

impl Future for ApiFuture {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut response = match this.inner.as_mut().poll(cx) {
            Poll::Ready(response) => response,
            Poll::Pending => return Poll::Pending,
        };
        let headers = response.headers_mut();
        if let Some(allow) = this.allow.take() {
            if !headers.contains_key(header::ALLOW) {
                headers.insert(header::ALLOW, allow);
            }
        }
        if !response.headers().contains_key(header::CONTENT_LENGTH) {
            if let Some(len) = response.body().size_hint().exact() {
                let value = HeaderValue::from(len);
                response.headers_mut().insert(header::CONTENT_LENGTH, value);
            }
        }
        if this.head {
            *response.body_mut() = Body::empty();
        }
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPS: [Operation; 4] = [
        Operation {
            id: "get",
            method: "GET",
            path: "/things/{id}",
            secured: true,
            has_body: false,
            retry: infisical_auth_types::RetryClass::Unrepeatable,
        },
        Operation {
            id: "post",
            method: "POST",
            path: "/things/{id}",
            secured: true,
            has_body: true,
            retry: infisical_auth_types::RetryClass::Unrepeatable,
        },
        Operation {
            id: "login",
            method: "POST",
            path: "/things/login",
            secured: false,
            has_body: true,
            retry: infisical_auth_types::RetryClass::Unrepeatable,
        },
        Operation {
            id: "delete",
            method: "DELETE",
            path: "/things/{id}",
            secured: true,
            has_body: false,
            retry: infisical_auth_types::RetryClass::Unrepeatable,
        },
    ];

    #[test]
    fn paths_match_as_in_axum_and_methods_are_listed_as_axum_lists_them() {
        let table = Table::new(&OPS);
        let route = |path: &str| table.paths.at(path).map(|m| *m.value).ok();
        let things = route("/things/a%20b").expect("a thing");
        assert_eq!(route("/things/login"), Some(1 - things));
        assert_eq!(route("/things"), None);
        assert_eq!(route("/things/a/b"), None);
        let methods = &table.routes[things];
        assert_eq!(methods.allow, "GET,HEAD,POST,DELETE");
        assert_eq!(methods.operation(&Method::HEAD), Some(0));
        assert_eq!(methods.operation(&Method::DELETE), Some(3));
        assert_eq!(methods.operation(&Method::PUT), None);
        assert_eq!(table.routes[1 - things].allow, "POST");
    }

    #[test]
    fn parameters_are_percent_decoded_and_must_be_utf8() {
        let mut router = matchit::Router::new();
        router.insert("/x/{id}/y/{other}", ()).unwrap();
        let names = parameter_names("/x/{id}/y/{other}");
        assert_eq!(names, ["id", "other"]);
        let decode = |path: &str| PathParams::decode(&names, &router.at(path).unwrap().params).0;
        assert_eq!(
            decode("/x/a%20b%2Fc/y/plain").unwrap(),
            vec![
                (Cow::Borrowed("id"), "a b/c".to_owned()),
                (Cow::Borrowed("other"), "plain".to_owned())
            ]
        );
        assert!(decode("/x/%FF/y/z").is_err());
        assert_eq!(decode("/x/%zz/y/z").unwrap()[0].1, "%zz");
    }
}
