//! Organization roles and who may manage an identity's auth methods
//! (docs/reference-server.md#permissions, docs/infisical-behaviour.md#who-may-manage-an-identity).
//!
//! Every identity has one of Infisical's built-in organization roles. A management call made
//! with an identity's access token needs its role to grant the call's action on the `identity`
//! subject (`admin`: every identity action; `member`: read, create, edit, delete; `no-access`:
//! none), else 403 `PermissionDenied` `"You are not allowed to <action> on identity"`; and the
//! identity acted on may not have a more privileged role than the caller's (Infisical's
//! permission boundary), else 403 `PermissionBoundaryError` naming what failed. The admin token
//! may do everything.

use std::sync::Arc;

use axum::http::StatusCode;
use infisical_auth_server::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An organization role, as Infisical's create-identity call takes it (`role`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// `no-access`: no permission on identities (Infisical's default for a new identity).
    #[default]
    NoAccess,
    /// `member`: read, create, edit and delete identities.
    Member,
    /// `admin`: every identity permission, privileges included.
    Admin,
}

impl Role {
    /// Its slug: `admin`, `member`, `no-access`.
    pub fn slug(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::NoAccess => "no-access",
        }
    }

    /// Whether the role grants `action` on the `identity` subject.
    pub fn can(self, action: Action) -> bool {
        // Read, create, edit and delete are granted together (admin, member) or not at all.
        match action {
            Action::Read | Action::Create | Action::Edit | Action::Delete => self != Role::NoAccess,
        }
    }

    /// The privilege actions on identities the role grants beyond read, create, edit and delete.
    fn privileges(self) -> &'static [&'static str] {
        match self {
            Role::Admin => &[
                "grant-privileges",
                "revoke-auth",
                "create-token",
                "get-token",
                "delete-token",
            ],
            Role::Member | Role::NoAccess => &[],
        }
    }

    /// The identity actions the role grants, basic and privilege.
    fn actions(self) -> Vec<&'static str> {
        let basic = if self == Role::NoAccess {
            &[][..]
        } else {
            &["read", "create", "edit", "delete"][..]
        };
        basic.iter().chain(self.privileges()).copied().collect()
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Role, String> {
        match text.trim() {
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            "no-access" => Ok(Role::NoAccess),
            other => Err(format!(
                "role: `{other}` is not a role (admin, member or no-access)"
            )),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}

/// An action on the `identity` subject a management call needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Retrieve a configuration, list or read client secrets and tokens.
    Read,
    /// Attach a method, create a client secret.
    Create,
    /// Update or revoke a method, clear lockouts, create, update or revoke token-auth tokens.
    Edit,
    /// Revoke a client secret.
    Delete,
}

impl Action {
    fn word(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Edit => "edit",
            Action::Delete => "delete",
        }
    }
}

/// Who makes a management call.
#[derive(Clone, Debug)]
pub enum Caller {
    /// The admin token: every call allowed.
    Admin,
    /// An access token of this identity, with its role.
    Identity {
        /// The identity's id.
        id: Arc<str>,
        /// Its role.
        role: Role,
    },
}

impl Caller {
    /// Whether the caller may make a call needing `action` on an identity of role `target`;
    /// `boundary` is the message of the 403 when the target's role is more privileged.
    pub fn allow(
        &self,
        action: Action,
        target: Role,
        boundary: impl FnOnce() -> String,
    ) -> Result<(), ApiError> {
        let Caller::Identity { role, .. } = self else {
            return Ok(());
        };
        if !role.can(action) {
            // Infisical lists the caller's rules for the action; a role without it has none.
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "PermissionDenied",
                format!("You are not allowed to {} on identity", action.word()),
            )
            .with_details(json!([])));
        }
        if target > *role {
            let held = role.actions();
            let missing: Vec<_> = target
                .actions()
                .into_iter()
                .filter(|a| !held.contains(a))
                .map(|a| json!({"action": a, "subject": "identity"}))
                .collect();
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "PermissionBoundaryError",
                boundary(),
            )
            .with_details(json!({ "missingPermissions": missing })));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(role: Role) -> Caller {
        Caller::Identity {
            id: "id".into(),
            role,
        }
    }

    #[test]
    fn roles_read_and_print_as_infisicals_slugs() {
        for role in [Role::Admin, Role::Member, Role::NoAccess] {
            assert_eq!(role.slug().parse::<Role>().unwrap(), role);
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::json!(role.slug())
            );
        }
        assert!("owner"
            .parse::<Role>()
            .unwrap_err()
            .starts_with("role: `owner`"));
        assert_eq!(Role::default(), Role::NoAccess);
    }

    #[test]
    fn permission_then_boundary() {
        let message = || "Failed to x of identity with more privileged role".to_owned();
        assert!(Caller::Admin
            .allow(Action::Edit, Role::Admin, message)
            .is_ok());
        assert!(identity(Role::Admin)
            .allow(Action::Delete, Role::Admin, message)
            .is_ok());
        assert!(identity(Role::Member)
            .allow(Action::Create, Role::NoAccess, message)
            .is_ok());
        let denied = identity(Role::NoAccess)
            .allow(Action::Read, Role::NoAccess, message)
            .unwrap_err();
        assert_eq!(denied.status(), StatusCode::FORBIDDEN);
        assert_eq!(denied.error(), "PermissionDenied");
        assert_eq!(
            denied.to_string(),
            "403 PermissionDenied: You are not allowed to read on identity"
        );
        let bounded = identity(Role::Member)
            .allow(Action::Read, Role::Admin, message)
            .unwrap_err();
        assert_eq!(bounded.error(), "PermissionBoundaryError");
        assert_eq!(
            bounded.details().unwrap()["missingPermissions"][0],
            json!({"action": "grant-privileges", "subject": "identity"})
        );
    }
}
