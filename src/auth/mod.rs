//! Coordinator access: accounts with roles, database-backed sessions, login with
//! throttling, and one access rule for every route and server function.

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
pub mod repo;
#[cfg(feature = "ssr")]
pub mod store;

/// May this user see equality answers beside names (recruits)?
#[cfg(feature = "ssr")]
pub use repo::has_equality_access;

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
