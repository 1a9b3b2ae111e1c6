//! The cross-field rules ([`CrossRule`]) run on a body whose fields passed the walker: each
//! reports its issue in the walker's context, at the body's root or at the field it names.

use serde_json::Value;

use crate::error::TTL_ABOVE_MAX_MESSAGE;
use crate::rules::{CrossRule, DEFAULT_TTL};
use crate::schema::{Ctx, JsonPath};

/// Runs a cross-field rule on a body that has no type-level issue.
pub(crate) fn check<'v>(rule: CrossRule, get: &dyn Fn(&str) -> Option<&'v Value>, ctx: &mut Ctx) {
    let num = |k: &str| get(k).and_then(Value::as_f64);
    match rule {
        CrossRule::TtlWithinMaxOnAttach => {
            let value_or_default = |v: Option<&Value>| match v {
                None => Some(DEFAULT_TTL),
                Some(x) => x.as_f64(),
            };
            let ttl = value_or_default(get("accessTokenTTL"));
            let max = value_or_default(get("accessTokenMaxTTL"));
            if let (Some(t), Some(m)) = (ttl, max) {
                if t > m {
                    ctx.custom(&JsonPath::Root, TTL_ABOVE_MAX_MESSAGE);
                }
            }
        }
        CrossRule::TtlWithinMaxOnUpdate => {
            if let (Some(t), Some(m)) = (num("accessTokenTTL"), num("accessTokenMaxTTL")) {
                if t != 0.0 && m != 0.0 && t > m {
                    ctx.custom(&JsonPath::Root, TTL_ABOVE_MAX_MESSAGE);
                }
            }
        }
        CrossRule::KubernetesReviewModeOnAttach | CrossRule::KubernetesReviewModeOnUpdate => {
            let attach = rule == CrossRule::KubernetesReviewModeOnAttach;
            let mode = match get("tokenReviewMode").and_then(Value::as_str) {
                Some(m) => m,
                None if attach => "api",
                None => return,
            };
            let missing = |k: &str| match get(k) {
                None => attach,
                Some(v) => v.is_null(),
            };
            if mode == "api" && missing("kubernetesHost") {
                ctx.custom(
                    &JsonPath::Key(&JsonPath::Root, "kubernetesHost"),
                    "When token review mode is set to API, a Kubernetes host must be provided",
                );
            }
            if mode == "gateway" && missing("gatewayId") {
                ctx.custom(
                    &JsonPath::Key(&JsonPath::Root, "gatewayId"),
                    "When token review mode is set to Gateway, a gateway ID must be provided",
                );
            }
        }
    }
}
