//! Coordinator access: accounts with roles, database-backed sessions, login with
//! throttling, and one access rule for every route and server function.
use serde::{Deserialize, Serialize};

pub mod api;
mod views;
pub use views::{AccountPage, AuditPage, UsersPage};

#[cfg(feature = "ssr")]
pub mod access;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod store;

/// What a signed-in person may do. Ordered: each role can do what the ones below can.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// Aggregate dashboards only: never a name, email or phone.
    Viewer,
    /// Everything about recruits and cards.
    Coordinator,
    /// Users and settings too.
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> Result<Role, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "coordinator" => Ok(Role::Coordinator),
            "admin" => Ok(Role::Admin),
            _ => Err("The role must be admin, coordinator or viewer".into()),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
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
pub fn require(role: Role) -> Result<CurrentUser, leptos::prelude::ServerFnError> {
    use crate::error::AppError;
    let user = leptos::prelude::use_context::<CurrentUser>();
    match user {
        None => {
            crate::app::set_response_status(401);
            Err(AppError::Unauthorized.into_server_error())
        }
        Some(u) if u.role < role => {
            crate::app::set_response_status(403);
            Err(AppError::Forbidden.into_server_error())
        }
        Some(u) => Ok(u),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_parse() {
        assert!(Role::Admin > Role::Coordinator && Role::Coordinator > Role::Viewer);
        assert_eq!(Role::parse(" Admin ").unwrap(), Role::Admin);
        assert!(Role::parse("root").is_err());
    }
}

/// Signing in and out are public (they are how one gets a session).
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::routes::Route> {
    use crate::routes::Route;
    use axum::routing::{get, post};
    vec![
        // A sign-in form is a few hundred bytes; 60 KB bodies in parallel cost memory.
        Route::public(
            "/admin/login",
            get(handlers::login_form).post(handlers::login).layer(axum::extract::DefaultBodyLimit::max(8 * 1024)),
        ),
        Route::public("/admin/logout", post(handlers::logout)),
    ]
}
