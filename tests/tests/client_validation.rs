//! The client's validation before sending, held to the generated tables:
//! - every row of the `OPERATIONS` table (what the client's send path looks an operation up in) names an
//!   operation the validation crate knows, with the same path parameters, and all of them are covered, so the
//!   send path never meets an operation it cannot validate;
//! - for every operation whose request body has a constraint, one invalid request built through the
//!   generated client's typed builder is refused with a typed validation error naming the broken field,
//!   and a counting server on loopback sees no request at all;
//! - every length bound on a string of a request body is refused at its field's path, by the validation
//!   crate and by the client before sending (most of them left to the validation layer by the generator,
//!   which makes their constrained-string newtypes plain `String`s).

use std::collections::BTreeSet;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use infisical_auth_client::{types, BaseUrl, Client, Error, OPERATIONS};
use infisical_auth_validation::{
    constraints, cross_rules, display_path, has_body, operation_ids, validate, FieldConstraint,
    FieldType, Issue, IssueCode, Location, PathSegment, Rejection, RequestParts,
};
use serde_json::{json, Value};
use workspace_tests::{example, fixed_spec};

const ID: &str = "7d1f0a38-3c5e-4c53-9a0e-4d3c2b1a0f9e";

#[test]
fn every_client_operation_is_known_to_validation() {
    let known: BTreeSet<&str> = operation_ids().collect();
    let count = xtask::document::ops::operations(&fixed_spec()).len();
    assert_eq!(
        known.len(),
        count,
        "validation knows every operation of the spec"
    );
    assert_eq!(OPERATIONS.len(), count, "the table has every operation");
    let ids: BTreeSet<&str> = OPERATIONS.iter().map(|op| op.id).collect();
    assert_eq!(
        ids.len(),
        count,
        "operation ids are unique (the send path finds a row by id)"
    );
    assert_eq!(
        ids, known,
        "table rows and validated operations are the same set"
    );
    for op in OPERATIONS.iter() {
        let (id, http, template) = (op.id, op.method, op.path);
        // The hook passes the template's `{name}` segments as path parameters: they must be the ones
        // validation requires, or every call would be refused for a missing parameter.
        let from_template: BTreeSet<&str> = template
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let required: BTreeSet<&str> = constraints(id)
            .iter()
            .filter(|c| c.location == Location::Path)
            .map(|c| c.path.as_str())
            .collect();
        assert_eq!(
            from_template, required,
            "{id} ({http}): path parameters of {template}"
        );
        // A body is validated exactly when the operation sends one.
        let sends_body = matches!(http, "POST" | "PATCH" | "PUT")
            && constraints(id).iter().any(|c| c.location == Location::Body);
        assert!(
            !sends_body || has_body(id),
            "{id}: body fields but no body rule"
        );
        assert_eq!(
            op.has_body,
            has_body(id),
            "{id}: a body exactly where validation has a body rule"
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Invalid requests through the generated client

/// A counting mock: answers 200 `{}` to everything and counts what it saw.
struct Counter {
    addr: SocketAddr,
    seen: Arc<AtomicUsize>,
}

impl Counter {
    async fn start() -> Counter {
        let seen = Arc::new(AtomicUsize::new(0));
        let count = seen.clone();
        let app = axum::Router::new().fallback(move || {
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::SeqCst);
                ([("content-type", "application/json")], "{}")
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Counter { addr, seen }
    }

    fn client(&self) -> Client {
        Client::connect(BaseUrl::SelfHosted(format!("http://{}", self.addr)))
            .bearer_token("admin-token")
            .build()
            .unwrap()
    }

    fn seen(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }
}

type Sent<'a> = Pin<Box<dyn Future<Output = Result<(), Error>> + 'a>>;

/// One operation with a body: its id, and how to send a JSON body through its typed builder. `send`
/// answers `None` when the JSON does not deserialize into the operation's typed body (the type itself
/// refuses it); the typed value is then what goes through the client.
struct Row {
    id: &'static str,
    send: for<'a> fn(&'a Client, Value) -> Option<(Value, Sent<'a>)>,
}

macro_rules! rows {
    ($($id:literal => $method:ident($body:ident) $(.$param:ident)*;)*) => {
        fn rows() -> Vec<Row> {
            vec![$(Row {
                id: $id,
                send: {
                    fn send(client: &Client, body: Value) -> Option<(Value, Sent<'_>)> {
                        let typed: types::$body = serde_json::from_value(body).ok()?;
                        let wire = serde_json::to_value(&typed).ok()?;
                        let sent: Sent<'_> = Box::pin(async move {
                            client.$method()$(.$param(ID))*.body(typed).send().await.map(|_| ())
                        });
                        Some((wire, sent))
                    }
                    send
                },
            },)*]
        }
    };
}

rows! {
    "attachAlicloudAuth" => attach_alicloud_auth(AttachAlicloudAuthBody).identity_id;
    "updateAlicloudAuth" => update_alicloud_auth(UpdateAlicloudAuthBody).identity_id;
    "loginWithAlicloudAuth" => login_with_alicloud_auth(LoginWithAlicloudAuthBody);
    "attachAwsAuth" => attach_aws_auth(AttachAwsAuthBody).identity_id;
    "updateAwsAuth" => update_aws_auth(UpdateAwsAuthBody).identity_id;
    "loginWithAwsAuth" => login_with_aws_auth(LoginWithAwsAuthBody);
    "attachAzureAuth" => attach_azure_auth(AttachAzureAuthBody).identity_id;
    "updateAzureAuth" => update_azure_auth(UpdateAzureAuthBody).identity_id;
    "loginWithAzureAuth" => login_with_azure_auth(LoginWithAzureAuthBody);
    "attachGcpAuth" => attach_gcp_auth(AttachGcpAuthBody).identity_id;
    "updateGcpAuth" => update_gcp_auth(UpdateGcpAuthBody).identity_id;
    "loginWithGcpAuth" => login_with_gcp_auth(LoginWithGcpAuthBody);
    "attachJwtAuth" => attach_jwt_auth(AttachJwtAuthBody).identity_id;
    "updateJwtAuth" => update_jwt_auth(UpdateJwtAuthBody).identity_id;
    "loginWithJwtAuth" => login_with_jwt_auth(LoginWithJwtAuthBody);
    "attachKubernetesAuth" => attach_kubernetes_auth(AttachKubernetesAuthBody).identity_id;
    "updateKubernetesAuth" => update_kubernetes_auth(UpdateKubernetesAuthBody).identity_id;
    "loginWithKubernetesAuth" => login_with_kubernetes_auth(LoginWithKubernetesAuthBody);
    "attachLdapAuth" => attach_ldap_auth(AttachLdapAuthBody).identity_id;
    "updateLdapAuth" => update_ldap_auth(UpdateLdapAuthBody).identity_id;
    "loginWithLdapAuth" => login_with_ldap_auth(LoginWithLdapAuthBody);
    "attachOciAuth" => attach_oci_auth(AttachOciAuthBody).identity_id;
    "updateOciAuth" => update_oci_auth(UpdateOciAuthBody).identity_id;
    "loginWithOciAuth" => login_with_oci_auth(LoginWithOciAuthBody);
    "attachOidcAuth" => attach_oidc_auth(AttachOidcAuthBody).identity_id;
    "updateOidcAuth" => update_oidc_auth(UpdateOidcAuthBody).identity_id;
    "loginWithOidcAuth" => login_with_oidc_auth(LoginWithOidcAuthBody);
    "attachSpiffeAuth" => attach_spiffe_auth(AttachSpiffeAuthBody).identity_id;
    "updateSpiffeAuth" => update_spiffe_auth(UpdateSpiffeAuthBody).identity_id;
    "loginWithSpiffeAuth" => login_with_spiffe_auth(LoginWithSpiffeAuthBody);
    "attachTlsCertAuth" => attach_tls_cert_auth(AttachTlsCertAuthBody).identity_id;
    "updateTlsCertAuth" => update_tls_cert_auth(UpdateTlsCertAuthBody).identity_id;
    "loginWithTlsCertAuth" => login_with_tls_cert_auth(LoginWithTlsCertAuthBody);
    "attachTokenAuth" => attach_token_auth(AttachTokenAuthBody).identity_id;
    "updateTokenAuth" => update_token_auth(UpdateTokenAuthBody).identity_id;
    "createTokenAuthToken" => create_token_auth_token(CreateTokenAuthTokenBody).identity_id;
    "updateTokenAuthToken" => update_token_auth_token(UpdateTokenAuthTokenBody).token_id;
    "renewIdentityAccessToken" => renew_identity_access_token(RenewIdentityAccessTokenBody);
    "revokeIdentityAccessToken" => revoke_identity_access_token(RevokeIdentityAccessTokenBody);
    "attachUniversalAuth" => attach_universal_auth(AttachUniversalAuthBody).identity_id;
    "updateUniversalAuth" => update_universal_auth(UpdateUniversalAuthBody).identity_id;
    "createUniversalAuthClientSecret" => create_universal_auth_client_secret(CreateUniversalAuthClientSecretBody).identity_id;
    "loginWithUniversalAuth" => login_with_universal_auth(LoginWithUniversalAuthBody);
}

/// Whether a body field carries a constraint beyond its JSON type and presence.
fn is_constrained(c: &FieldConstraint) -> bool {
    c.location == Location::Body
        && (c.minimum.is_some()
            || c.maximum.is_some()
            || c.min_length.is_some()
            || c.max_length.is_some()
            || c.min_items.is_some()
            || !c.enum_values.is_empty()
            || c.format.is_some()
            || c.integral
            || c.rule.is_some())
}

/// The operations whose request body has at least one constraint (a field's or a cross-field rule).
fn constrained_operations() -> BTreeSet<&'static str> {
    operation_ids()
        .filter(|id| {
            has_body(id)
                && (constraints(id).iter().any(is_constrained) || !cross_rules(id).is_empty())
        })
        .collect()
}

/// One way to break a body: the field path pattern (`a.b[].c`) and the value to put there.
struct Breakage {
    what: String,
    path: String,
    value: Value,
}

/// Every value that breaks one constraint of `c`, most type-friendly first (ranges and item counts,
/// which the generated types do not enforce, before lengths, enums and formats, which they may).
fn breakages(c: &FieldConstraint) -> Vec<Breakage> {
    let mut out = Vec::new();
    let mut push = |what: String, value: Value| {
        out.push(Breakage {
            what: format!("{} {what}", c.path),
            path: c.path.clone(),
            value,
        })
    };
    let number = |n: f64| {
        if n.fract() == 0.0 {
            json!(n as i64)
        } else {
            json!(n)
        }
    };
    if let Some(m) = c.maximum {
        push(format!("maximum {m} + 1"), number(m + 1.0));
    }
    if let Some(m) = c.minimum {
        push(format!("minimum {m} - 1"), number(m - 1.0));
    }
    if c.integral || c.ty == FieldType::Integer {
        push("a fraction".into(), json!(c.minimum.unwrap_or(0.0) + 0.5));
    }
    if let Some(n) = c.min_items.filter(|n| *n >= 1) {
        push(format!("{} items (minItems {n})", n - 1), json!([]));
    }
    if c.path.ends_with("ipAddress") {
        push("an invalid trusted IP".into(), json!("10.0.0.1/33"));
    }
    if c.rule.is_some() {
        push("breaking its rule".into(), json!("::not valid::"));
    }
    if let Some(n) = c.max_length {
        push(
            format!("length {} (maxLength {n})", n + 1),
            json!("a".repeat(n as usize + 1)),
        );
    }
    if let Some(n) = c.min_length.filter(|n| *n >= 1) {
        push(
            format!("length {} (minLength {n})", n - 1),
            json!("a".repeat(n as usize - 1)),
        );
    }
    if !c.enum_values.is_empty() {
        push("outside the enum".into(), json!("zz-not-in-enum"));
    }
    if c.format.is_some() {
        push("a bad format".into(), json!("not a valid value"));
    }
    out
}

/// TTL above max TTL, for the bodies with the TTL rule.
fn ttl_breakage() -> Breakage {
    Breakage {
        what: "accessTokenTTL above accessTokenMaxTTL".into(),
        path: "accessTokenTTL".into(),
        value: json!(7200),
    }
}

/// Puts `value` at `path` in `body` (the first item of each list on the way); `None` when the base
/// body does not reach that far.
fn set_at(body: &Value, path: &str, value: Value) -> Option<Value> {
    fn go(v: &mut Value, steps: &[&str], value: Value) -> Option<()> {
        let (first, rest) = steps.split_first()?;
        let (key, items) = match first.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (*first, false),
        };
        let obj = v.as_object_mut()?;
        if rest.is_empty() && !items {
            obj.insert(key.to_owned(), value);
            return Some(());
        }
        let child = obj.get_mut(key)?;
        if items {
            let first_item = child.as_array_mut()?.first_mut()?;
            if rest.is_empty() {
                *first_item = value;
                return Some(());
            }
            go(first_item, rest, value)
        } else {
            go(child, rest, value)
        }
    }
    let mut out = body.clone();
    let steps: Vec<&str> = path.split('.').collect();
    go(&mut out, &steps, value)?;
    Some(out)
}

/// The concrete JSON path of a path pattern, first items taken.
fn concrete(path: &str) -> Vec<PathSegment> {
    let mut out = Vec::new();
    for part in path.split('.') {
        match part.strip_suffix("[]") {
            Some(k) => {
                out.push(PathSegment::Key(k.to_owned()));
                out.push(PathSegment::Index(0));
            }
            None => out.push(PathSegment::Key(part.to_owned())),
        }
    }
    out
}

fn rejection_paths(r: &Rejection) -> Vec<Vec<PathSegment>> {
    match r {
        Rejection::Unprocessable(issues) => issues
            .iter()
            .flat_map(|i| {
                std::iter::once(i.path.clone())
                    .chain(i.union_errors.iter().flatten().map(|u| u.path.clone()))
            })
            .collect(),
        Rejection::BadRequest { path, .. } => vec![path.clone()],
        Rejection::UnknownOperation(_) => Vec::new(),
    }
}

#[tokio::test]
async fn invalid_bodies_are_refused_before_sending_for_every_constrained_operation() {
    let server = Counter::start().await;
    let client = server.client();
    let doc = fixed_spec();
    let spec_ops = xtask::document::ops::operations(&doc);
    let rows = rows();

    // The table covers every operation with a body, so none can be left out of this test.
    let row_ids: BTreeSet<&str> = rows.iter().map(|r| r.id).collect();
    let with_body: BTreeSet<&str> = operation_ids().filter(|id| has_body(id)).collect();
    assert_eq!(row_ids, with_body, "one row per operation with a body");
    let constrained = constrained_operations();
    assert!(
        constrained.len() >= 40,
        "constrained operations: {constrained:?}"
    );

    let mut refused = Vec::new();
    let mut uncovered = Vec::new();
    for row in rows.iter().filter(|r| constrained.contains(r.id)) {
        let op = spec_ops
            .iter()
            .find(|o| o.id() == Some(row.id))
            .expect("operation in the spec");
        let base = example(&doc, op.body_schema().expect("a body schema"));
        let path_params: Vec<(&str, &str)> = constraints(row.id)
            .iter()
            .filter(|c| c.location == Location::Path)
            .map(|c| (c.path.as_str(), ID))
            .collect();
        let mut candidates: Vec<Breakage> =
            constraints(row.id).iter().flat_map(breakages).collect();
        if !cross_rules(row.id).is_empty() {
            candidates.push(ttl_breakage());
        }
        // The first breakage that the typed body can carry and that validation refuses.
        let chosen = candidates.into_iter().find_map(|b| {
            let mut body = set_at(&base, &b.path, b.value.clone())?;
            if b.what.starts_with("accessTokenTTL above") {
                body = set_at(&body, "accessTokenMaxTTL", json!(3600))?;
            }
            let (wire, _) = (row.send)(&client, body.clone())?;
            let parts = RequestParts {
                path: &path_params,
                query: &[],
                body: Some(&wire),
            };
            let r = validate(row.id, &parts).err()?;
            rejection_paths(&r)
                .contains(&concrete(&b.path))
                .then_some((b, body))
        });
        let Some((breakage, body)) = chosen else {
            uncovered.push(row.id);
            continue;
        };
        let before = server.seen();
        let (_, sent) = (row.send)(&client, body).expect("deserialized above");
        let err = sent
            .await
            .expect_err(&format!("{}: {} is refused", row.id, breakage.what));
        let r = err.rejection().cloned().unwrap_or_else(|| {
            panic!(
                "{}: {}: a typed validation error, got {err:?}",
                row.id, breakage.what
            )
        });
        assert!(
            matches!(r.status(), 400 | 422),
            "{}: {}: {r}",
            row.id,
            breakage.what
        );
        assert!(
            rejection_paths(&r).contains(&concrete(&breakage.path)),
            "{}: {}: the error names {}: {r}",
            row.id,
            breakage.what,
            display_path(&concrete(&breakage.path))
        );
        assert_eq!(
            server.seen(),
            before,
            "{}: {}: nothing was sent",
            row.id,
            breakage.what
        );
        refused.push(format!("{}: {} -> {}", row.id, breakage.what, r.status()));
    }
    eprintln!("refused before sending:\n  {}", refused.join("\n  "));
    assert_eq!(
        uncovered,
        Vec::<&str>::new(),
        "operations with a constrained body but no invalid request through the typed client"
    );
    assert_eq!(refused.len(), constrained.len());
    assert_eq!(server.seen(), 0, "the server saw no request at all");

    // The server does count: a valid request goes out.
    client
        .get_universal_auth()
        .identity_id(ID)
        .send()
        .await
        .ok();
    assert_eq!(server.seen(), 1);
}

// ---------------------------------------------------------------------------------------------------------------
// String limits

/// One step from a request body to one of its fields.
#[derive(Clone, Debug)]
enum Step {
    /// An object property, by its wire name.
    Key(String),
    /// The items of an array.
    Items,
    /// Option `n` of a union (`anyOf`).
    Option(usize),
}

/// The string fields with a length or pattern bound below `schema` (`$ref`s followed), each as
/// the steps from `schema` to it (a recursive schema to a depth of 8).
fn bounded_strings(doc: &Value, schema: &Value, steps: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    if steps.len() > 8 {
        return;
    }
    let schema = xtask::document::refs::resolve(doc, schema);
    let bounds = ["maxLength", "minLength", "pattern"];
    if schema["type"] == "string" && bounds.iter().any(|b| schema.get(b).is_some()) {
        out.push(steps.clone());
    }
    let mut below = |step: Step, child: &Value| {
        steps.push(step);
        bounded_strings(doc, child, steps, out);
        steps.pop();
    };
    for (key, prop) in schema["properties"].as_object().into_iter().flatten() {
        below(Step::Key(key.clone()), prop);
    }
    if let Some(items) = schema.get("items") {
        below(Step::Items, items);
    }
    for (index, option) in schema["anyOf"].as_array().into_iter().flatten().enumerate() {
        below(Step::Option(index), option);
    }
}

/// The field's path as the validation crate writes it: keys joined by `.`, `[]` for array items
/// (`accessTokenTrustedIps[].ipAddress`); union options are not part of it.
fn field_path(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Items => out.push_str("[]"),
            Step::Option(_) => {}
        }
    }
    out
}

/// The schema at `steps` below `schema` in `doc` (`$ref`s followed).
fn schema_at<'a>(doc: &'a Value, schema: &'a Value, steps: &[Step]) -> &'a Value {
    let schema = xtask::document::refs::resolve(doc, schema);
    let Some((step, rest)) = steps.split_first() else {
        return schema;
    };
    let next = match step {
        Step::Key(k) => &schema["properties"][k],
        Step::Items => &schema["items"],
        Step::Option(index) => &schema["anyOf"][*index],
    };
    assert!(!next.is_null(), "{step:?} is not in {schema}");
    schema_at(doc, next, rest)
}

/// An instance of `schema` that follows `steps` to `leaf`: the union options on the way, one item
/// for an array, every other property as in [`sample`].
fn instance(doc: &Value, schema: &Value, steps: &[Step], leaf: &Value) -> Value {
    let schema = xtask::document::refs::resolve(doc, schema);
    let Some((step, rest)) = steps.split_first() else {
        return leaf.clone();
    };
    match step {
        Step::Option(index) => instance(doc, &schema["anyOf"][*index], rest, leaf),
        Step::Items => json!([instance(doc, &schema["items"], rest, leaf)]),
        Step::Key(key) => {
            let mut out = serde_json::Map::new();
            for (name, prop) in schema["properties"].as_object().into_iter().flatten() {
                let value = if name == key {
                    instance(doc, prop, rest, leaf)
                } else {
                    sample(doc, prop)
                };
                out.insert(name.clone(), value);
            }
            Value::Object(out)
        }
    }
}

/// [`example`], with the first option of a union (`anyOf`) at any depth of objects.
fn sample(doc: &Value, schema: &Value) -> Value {
    let schema = xtask::document::refs::resolve(doc, schema);
    if let Some(first) = schema.get("anyOf").and_then(|o| o.get(0)) {
        return sample(doc, first);
    }
    match schema.get("properties").and_then(Value::as_object) {
        Some(props) => Value::Object(
            props
                .iter()
                .map(|(name, prop)| (name.clone(), sample(doc, prop)))
                .collect(),
        ),
        None => example(doc, schema),
    }
}

/// Every issue of a rejection, those inside union errors included, as `(path, code)`.
fn issues(r: &Rejection) -> Vec<(Vec<PathSegment>, IssueCode)> {
    fn walk(issues: &[Issue], out: &mut Vec<(Vec<PathSegment>, IssueCode)>) {
        for i in issues {
            out.push((i.path.clone(), i.code));
            for u in &i.union_errors {
                walk(u, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Rejection::Unprocessable(list) = r {
        walk(list, &mut out);
    }
    out
}

/// Every length bound on a string of any request body (`maxLength`, `minLength`) is held before
/// sending: the validation crate rejects a value that breaks it with `too_big`/`too_small` at the
/// field's JSON path, and the generated client either refuses it on `send` with that path (the
/// field is a plain `String`: the generator leaves most bounds to the validation layer, step
/// `plain_body_strings`) or cannot hold it at all (the field kept typify's checking newtype,
/// since an answer or a parameter shares it). No body string has a `pattern`, which the validation
/// crate has no rule for (a string with one keeps typify's newtype).
#[tokio::test]
async fn string_limits_of_request_bodies_are_refused_before_sending() {
    let doc = fixed_spec();
    let spec_ops = xtask::document::ops::operations(&doc);
    let rows = rows();
    let server = Counter::start().await;
    let client = server.client();
    let (mut checked, mut by_type) = (Vec::new(), Vec::new());
    for op in &spec_ops {
        let (Some(id), Some(body)) = (op.id(), op.body_schema()) else {
            continue;
        };
        let mut fields = Vec::new();
        bounded_strings(&doc, body, &mut Vec::new(), &mut fields);
        for steps in fields {
            let path = field_path(&steps);
            let schema = schema_at(&doc, body, &steps);
            let what = format!("{id}: {path}");
            assert!(
                schema.get("pattern").is_none(),
                "{what}: the validation crate has no `pattern` rule; add one"
            );
            let mut breakages = Vec::new();
            if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
                breakages.push(("maxLength", IssueCode::TooBig, "a".repeat(max as usize + 1)));
            }
            if let Some(min) = schema
                .get("minLength")
                .and_then(Value::as_u64)
                .filter(|m| *m > 0)
            {
                breakages.push((
                    "minLength",
                    IssueCode::TooSmall,
                    "a".repeat(min as usize - 1),
                ));
            }
            assert!(!breakages.is_empty(), "{what}: no length bound in {schema}");
            let at = concrete(&path);
            let path_params: Vec<(&str, &str)> = constraints(id)
                .iter()
                .filter(|c| c.location == Location::Path)
                .map(|c| (c.path.as_str(), ID))
                .collect();
            let row = rows
                .iter()
                .find(|r| r.id == id)
                .expect("a row per operation with a body");
            let shortest = schema.get("minLength").and_then(Value::as_u64).unwrap_or(1);
            let fine = instance(
                &doc,
                body,
                &steps,
                &json!("a".repeat(shortest.max(1) as usize)),
            );
            assert!(
                (row.send)(&client, fine).is_some(),
                "{what}: the typed body takes a valid value"
            );
            for (bound, code, value) in breakages {
                let body = instance(&doc, body, &steps, &json!(value));
                let r = validate(
                    id,
                    &RequestParts {
                        path: &path_params,
                        query: &[],
                        body: Some(&body),
                    },
                )
                .expect_err(&format!("{what}: breaking {bound} is rejected"));
                assert!(
                    issues(&r).contains(&(at.clone(), code)),
                    "{what}: {bound} broken: {code:?} at {}: {r}",
                    display_path(&at)
                );
                let Some((_, sent)) = (row.send)(&client, body) else {
                    // The typed body cannot hold it: a checking newtype.
                    by_type.push(format!("{what} {bound}"));
                    continue;
                };
                let err = sent
                    .await
                    .expect_err(&format!("{what}: {bound} broken is refused"));
                let r = err
                    .rejection()
                    .unwrap_or_else(|| panic!("{what}: a typed validation error, got {err:?}"));
                assert!(
                    issues(r).contains(&(at.clone(), code)),
                    "{what}: the client's error names {}: {r}",
                    display_path(&at)
                );
                checked.push(format!("{what} {bound}"));
            }
        }
    }
    assert!(
        checked.len() >= 40,
        "bounds the client's validation refused: {checked:?}"
    );
    assert_eq!(server.seen(), 0, "nothing was sent");
    eprintln!(
        "refused by validation before sending ({}):\n  {}\nrefused by the typed body ({}):\n  {}",
        checked.len(),
        checked.join("\n  "),
        by_type.len(),
        by_type.join("\n  ")
    );
}
