//! How a feature declares its routes: every route carries the access it needs, written
//! where the route is defined. There is no path table and no default: a route cannot be
//! added without saying who may use it (see `startup::router`, which applies the check,
//! and the route-enumeration test, which fails for a page or server function without a
//! declared role).
use axum::routing::MethodRouter;

use crate::{roles::Role, state::AppState};

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A signed-in user with at least this role.
    Signed(Role),
}

/// One route of a feature.
pub struct Route {
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<AppState>,
}

impl Route {
    pub fn public(path: &'static str, handler: MethodRouter<AppState>) -> Route {
        Route { path, access: Access::Public, handler }
    }

    pub fn signed(role: Role, path: &'static str, handler: MethodRouter<AppState>) -> Route {
        Route { path, access: Access::Signed(role), handler }
    }
}
