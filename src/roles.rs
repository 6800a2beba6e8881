//! Who is asking: the signed-in user and their role. Below every feature: routes declare
//! the role they need with these types, and server functions check it with [`require`].
use serde::{Deserialize, Serialize};

/// What a signed-in person may do. Ordered: each role can do what the ones below can.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Aggregate dashboards only: never a name, email or phone.
    Viewer,
    /// Chairs one panel: runs its meetings, rates cases and writes actions for that panel
    /// only (which panel is stored with the account); otherwise sees what a viewer sees.
    Chair,
    /// Everything about recruits and cards.
    Coordinator,
    /// Users and settings too.
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> Result<Role, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "chair" => Ok(Role::Chair),
            "coordinator" => Ok(Role::Coordinator),
            "admin" => Ok(Role::Admin),
            _ => Err("The role must be admin, coordinator, chair or viewer".into()),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Chair => "chair",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
        }
    }
}

/// The signed-in user, as stored in the session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub role: Role,
    /// When they signed in (for the absolute session timeout).
    pub login_at: i64,
    /// The account's session epoch at sign-in: a password change moves it on, which ends
    /// every session issued before.
    #[serde(default)]
    pub epoch: i64,
    /// The last request (for the idle timeout), to the minute.
    #[serde(default)]
    pub seen_at: i64,
}

/// In a server function: the signed-in user, if they have at least `role`.
/// Anonymous callers get 401, others without the role 403.
#[cfg(feature = "ssr")]
pub fn require(role: Role) -> Result<CurrentUser, crate::error::ApiError> {
    use crate::error::AppError;
    let user = leptos::prelude::use_context::<CurrentUser>();
    match user {
        None => {
            crate::respond::set_response_status(401);
            Err(AppError::Unauthorized.into())
        }
        Some(u) if u.role < role => {
            crate::respond::set_response_status(403);
            Err(AppError::Forbidden.into())
        }
        Some(u) => Ok(u),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_parse() {
        assert!(Role::Admin > Role::Coordinator && Role::Coordinator > Role::Chair && Role::Chair > Role::Viewer);
        assert_eq!(Role::parse("chair").unwrap().code(), "chair");
        assert_eq!(Role::parse(" Admin ").unwrap(), Role::Admin);
        assert!(Role::parse("root").is_err());
    }
}
