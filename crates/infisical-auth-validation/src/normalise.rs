//! List normalisation where Infisical normalises before storing: trimmed strings (`ipAddress`, `tenancyOcid`,
//! client-secret `description`, `organizationSlug`), OCI usernames joined with ", " (null when empty), TLS common
//! names joined with "," (null when empty), and the comma allow-lists of AWS, GCP and Azure joined with ", ".
//! It rewrites values in place and never fails: run it after [`crate::validate`] accepted the request.

use serde_json::Value;

use crate::ops;
use crate::rules::comma_items;
use crate::schema::{Prop, Shape};

fn trim_props(props: &[Prop], v: &mut Value) {
    let Some(obj) = v.as_object_mut() else { return };
    for p in props {
        if !may_trim(&p.shape) {
            continue;
        }
        if let Some(x) = obj.get_mut(p.name) {
            trim_node(&p.shape, x);
        }
    }
}

/// Whether [`trim_node`] can change a value of shape `s` (so that properties it leaves alone
/// are not looked up).
fn may_trim(s: &Shape) -> bool {
    match s {
        Shape::Str(c) => c.trim,
        Shape::Arr { item, .. } => may_trim(item),
        Shape::Obj(_) | Shape::Tagged { .. } | Shape::Untagged(_) => true,
        _ => false,
    }
}

fn trim_node(s: &Shape, v: &mut Value) {
    match s {
        Shape::Str(c) if c.trim => {
            if let Value::String(text) = v {
                let t = text.trim();
                if t.len() != text.len() {
                    *text = t.to_owned();
                }
            }
        }
        Shape::Arr { item, .. } => {
            if let Value::Array(items) = v {
                for x in items {
                    trim_node(item, x);
                }
            }
        }
        Shape::Obj(props) => trim_props(props, v),
        Shape::Tagged { options, .. } | Shape::Untagged(options) => {
            for o in options.iter() {
                trim_props(o.props, v);
            }
        }
        _ => {}
    }
}

/// Rewrites a comma list: items trimmed, empties dropped, joined with `sep`; `null` when empty if `null_when_empty`.
fn join_list(v: &mut Value, key: &str, sep: &str, null_when_empty: bool) {
    let Some(Value::String(text)) = v.get(key) else {
        return;
    };
    let items: Vec<&str> = comma_items(text).collect();
    let new = if items.is_empty() && null_when_empty {
        Value::Null
    } else {
        Value::String(items.join(sep))
    };
    if let Some(obj) = v.as_object_mut() {
        obj.insert(key.to_owned(), new);
    }
}

/// Normalises a request body of `operation_id` in place the way Infisical does before storing it. Unknown
/// operations and non-object bodies are left as they are.
pub fn normalise(operation_id: &str, body: &mut Value) {
    let Some(op) = ops::find(operation_id) else {
        return;
    };
    if let Some(s) = &op.body {
        trim_node(s, body);
    }
    let Some(method) = operation_id
        .strip_prefix("attach")
        .or_else(|| operation_id.strip_prefix("update"))
    else {
        return;
    };
    match method {
        "OciAuth" => join_list(body, "allowedUsernames", ", ", true),
        "TlsCertAuth" => join_list(body, "allowedCommonNames", ",", true),
        "AwsAuth" => {
            join_list(body, "allowedAccountIds", ", ", false);
            join_list(body, "allowedPrincipalArns", ", ", false);
        }
        "GcpAuth" => {
            join_list(body, "allowedServiceAccounts", ", ", false);
            join_list(body, "allowedProjects", ", ", false);
            join_list(body, "allowedZones", ", ", false);
        }
        "AzureAuth" => join_list(body, "allowedServicePrincipalIds", ", ", false),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn trims_trusted_ips_everywhere() {
        let mut b = json!({"clientSecretTrustedIps": [{"ipAddress": " 1.2.3.4 "}], "accessTokenTrustedIps": [{"ipAddress": "::/0\n"}]});
        normalise("attachUniversalAuth", &mut b);
        assert_eq!(
            b,
            json!({"clientSecretTrustedIps": [{"ipAddress": "1.2.3.4"}], "accessTokenTrustedIps": [{"ipAddress": "::/0"}]})
        );
    }

    #[test]
    fn oci_usernames_joined_or_null() {
        let mut b =
            json!({"tenancyOcid": " ocid1.tenancy.oc1..x ", "allowedUsernames": "alice ,, bob,"});
        normalise("attachOciAuth", &mut b);
        assert_eq!(
            b,
            json!({"tenancyOcid": "ocid1.tenancy.oc1..x", "allowedUsernames": "alice, bob"})
        );
        let mut b = json!({"tenancyOcid": "ocid1.tenancy.oc1..x", "allowedUsernames": " , "});
        normalise("updateOciAuth", &mut b);
        assert_eq!(b["allowedUsernames"], Value::Null);
    }

    #[test]
    fn tls_common_names_joined_without_space() {
        let mut b = json!({"allowedCommonNames": "a.example, b.example ,"});
        normalise("updateTlsCertAuth", &mut b);
        assert_eq!(b["allowedCommonNames"], "a.example,b.example");
    }

    #[test]
    fn cloud_allow_lists() {
        let mut b = json!({"type": "iam", "allowedProjects": "p1,p2 , ", "allowedZones": ""});
        normalise("attachGcpAuth", &mut b);
        assert_eq!(
            b,
            json!({"type": "iam", "allowedProjects": "p1, p2", "allowedZones": ""})
        );
        let mut b = json!({"allowedAccountIds": "123456789012 ,210987654321"});
        normalise("updateAwsAuth", &mut b);
        assert_eq!(b["allowedAccountIds"], "123456789012, 210987654321");
    }

    #[test]
    fn description_and_slug_trimmed_other_ops_untouched() {
        let mut b = json!({"description": "  ci  "});
        normalise("createUniversalAuthClientSecret", &mut b);
        assert_eq!(b["description"], "ci");
        let mut b = json!({"clientId": " x ", "clientSecret": " y ", "organizationSlug": " acme "});
        normalise("loginWithUniversalAuth", &mut b);
        assert_eq!(
            b,
            json!({"clientId": " x ", "clientSecret": " y ", "organizationSlug": "acme"})
        );
        let mut b = json!({"x": " y "});
        normalise("noSuchOp", &mut b);
        assert_eq!(b, json!({"x": " y "}));
    }
}
