//! The server's own routes beside the API's: `POST /api/v1/identities`, `GET /api/docs/json`,
//! and the control routes of the test double, admin token only (docs/reference-server.md):
//!
//! - `POST /_reference/faults` adds a fault rule, `GET` lists the rules with their remaining
//!   counts, `DELETE` clears them;
//! - `GET /_reference/requests[?operationId=ID]` reads the journal, oldest first; `DELETE`
//!   clears it.
//!
//! Every refusal is in Infisical's error shape; a bad body names the field and the rule.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use infisical_auth_server::runtime::{bearer_token, new_request_id, RequestId};
use infisical_auth_server::{ApiError, RequestContext};
use serde_json::{json, Value};

use crate::faults::FaultRule;
use crate::roles::{Action, Role};
use crate::{ReferenceApi, SPEC_JSON};

/// The extra routes on `api`; anything else is Infisical's 404.
pub(crate) fn router(api: Arc<ReferenceApi>) -> axum::Router {
    axum::Router::new()
        .route("/api/docs/json", get(docs))
        .route("/api/v1/identities", post(create_identity))
        .route(
            "/_reference/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route(
            "/_reference/requests",
            get(list_requests).delete(clear_requests),
        )
        .fallback(infisical_auth_server::runtime::not_found)
        .method_not_allowed_fallback(infisical_auth_server::runtime::not_found)
        .with_state(api)
}

async fn docs() -> Response {
    let mut response = Response::new(axum::body::Body::from(SPEC_JSON));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// A JSON answer, or the error in Infisical's shape, with its request id.
fn answer(outcome: Result<Value, ApiError>) -> Response {
    let request_id = new_request_id();
    let mut response = match outcome {
        Ok(value) => (StatusCode::OK, axum::Json(value)).into_response(),
        Err(error) => error.to_response(&request_id),
    };
    response.extensions_mut().insert(RequestId(request_id));
    response
}

/// A request body as JSON (an empty body is `null`).
fn json_body(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Body is not valid JSON: {e}")))
}

async fn create_identity(
    State(api): State<Arc<ReferenceApi>>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer((|| {
        let token =
            bearer_token(&headers).ok_or_else(|| ApiError::unauthorized("Token missing"))?;
        let ctx = RequestContext {
            bearer_token: Some(token),
            client_ip: connect.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| {
                c.0 .0.ip().to_canonical()
            }),
            request_id: String::new(),
        };
        let caller = api.authorize(&ctx)?;
        let body = json_body(&body)?;
        let text = |field: &str| -> Result<Option<&str>, ApiError> {
            match body.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text)),
                Some(_) => Err(ApiError::bad_request(format!("{field}: must be a string"))),
            }
        };
        let role = match text("role")? {
            Some(role) => role.parse::<Role>().map_err(ApiError::bad_request)?,
            None => Role::NoAccess,
        };
        // Creating an identity needs `create` on identities, and a role no more privileged than
        // the caller's own.
        caller.allow(Action::Create, role, || {
            "Failed to create a more privileged identity".to_owned()
        })?;
        let id = api.create_identity(text("id")?, role)?;
        let name = text("name")?
            .map(str::to_owned)
            .unwrap_or_else(|| format!("identity-{}", &id[..8]));
        Ok(json!({"identity": {"id": id, "name": name, "role": role}}))
    })())
}

/// Control routes take the admin token only: none is 401, another is 403.
fn admin_only(api: &ReferenceApi, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = bearer_token(headers).ok_or_else(|| ApiError::unauthorized("Token missing"))?;
    if api.is_admin(&token) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "The reference server's control routes take the admin token only",
        ))
    }
}

async fn add_fault(
    State(api): State<Arc<ReferenceApi>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer((|| {
        admin_only(&api, &headers)?;
        let rule = FaultRule::from_json(json_body(&body)?).map_err(ApiError::bad_request)?;
        let status = api.faults().add(rule).map_err(ApiError::bad_request)?;
        Ok(json!({ "rule": status }))
    })())
}

async fn list_faults(State(api): State<Arc<ReferenceApi>>, headers: HeaderMap) -> Response {
    answer(admin_only(&api, &headers).map(|()| json!({ "rules": api.faults().list() })))
}

async fn clear_faults(State(api): State<Arc<ReferenceApi>>, headers: HeaderMap) -> Response {
    answer(admin_only(&api, &headers).map(|()| json!({ "deleted": api.faults().clear() })))
}

/// The `operationId` of a journal query; any other parameter is refused by name.
fn operation_filter(query: Option<&str>) -> Result<Option<String>, ApiError> {
    let mut operation = None;
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if key != "operationId" {
            return Err(ApiError::bad_request(format!(
                "{key}: not a parameter of this route (only operationId)"
            )));
        }
        operation = Some(value.into_owned());
    }
    Ok(operation)
}

async fn list_requests(
    State(api): State<Arc<ReferenceApi>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    answer((|| {
        admin_only(&api, &headers)?;
        let operation = operation_filter(query.as_deref())?;
        Ok(json!({
            "capacity": api.journal().capacity(),
            "requests": api.journal().entries(operation.as_deref()),
        }))
    })())
}

async fn clear_requests(State(api): State<Arc<ReferenceApi>>, headers: HeaderMap) -> Response {
    answer(admin_only(&api, &headers).map(|()| json!({ "deleted": api.journal().clear() })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_operation_id_filters_the_journal() {
        assert_eq!(operation_filter(None).unwrap(), None);
        assert_eq!(
            operation_filter(Some("operationId=getUniversalAuth")).unwrap(),
            Some("getUniversalAuth".into())
        );
        let refused = operation_filter(Some("limit=3")).unwrap_err();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert!(refused.to_string().contains("limit: not a parameter"));
    }

    #[test]
    fn admins_only() {
        let api = ReferenceApi::new("admin");
        let mut headers = HeaderMap::new();
        assert_eq!(
            admin_only(&api, &headers).unwrap_err().status(),
            StatusCode::UNAUTHORIZED
        );
        headers.insert(header::AUTHORIZATION, "Bearer other".parse().unwrap());
        assert_eq!(
            admin_only(&api, &headers).unwrap_err().status(),
            StatusCode::FORBIDDEN
        );
        headers.insert(header::AUTHORIZATION, "Bearer admin".parse().unwrap());
        assert!(admin_only(&api, &headers).is_ok());
    }
}
