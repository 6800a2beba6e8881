//! The one access rule. Everything under `/admin` (except the login page) and every
//! server function under `/api` needs a signed-in user with the right role; all
//! other paths are public. State-changing requests from other sites are refused.
use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use super::{repo, CurrentUser, Role};
use crate::{db::now_unix, error::AppError, startup::AppState};

pub const SESSION_USER: &str = "user";
/// However active, a session ends this long after login.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 3600;

/// Paths that need a signed-in user.
pub fn is_protected(path: &str) -> bool {
    let admin = path == "/admin" || path.starts_with("/admin/");
    (admin && path != "/admin/login") || path.starts_with("/api/")
}

/// The least role a protected page needs. Server functions check their own role too.
pub fn required_role(path: &str) -> Role {
    if path.starts_with("/admin/users") || path.starts_with("/admin/audit") {
        Role::Admin
    } else if path.starts_with("/admin/cards") || path.starts_with("/admin/recruits") || path.starts_with("/admin/imports") {
        Role::Coordinator
    } else {
        Role::Viewer
    }
}

/// CSRF defence for browsers: a state-changing request must come from a page of
/// this site (its `Origin`, or failing that its `Referer`, names our host). Session
/// cookies are also `SameSite=Strict`.
fn from_this_site(request: &Request) -> bool {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let headers = request.headers();
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match source {
        // Non-browser clients (scripts, the CLI) send neither; browsers always do.
        None => true,
        Some(src) => {
            let rest = src.split_once("://").map(|(_, r)| r).unwrap_or("");
            rest.split('/').next() == Some(host)
        }
    }
}

pub async fn access(State(state): State<AppState>, session: Session, mut request: Request, next: Next) -> Response {
    if !from_this_site(&request) {
        tracing::warn!("cross-site request refused");
        return (StatusCode::FORBIDDEN, "Cross-site request refused").into_response();
    }
    let path = request.uri().path().to_string();
    if !is_protected(&path) {
        return next.run(request).await;
    }
    let user = current_user(&state, &session).await;
    match user {
        None if request.method() == Method::GET && !path.starts_with("/api/") => {
            let next_url = serde_urlencoded::to_string([("next", path.as_str())]).unwrap_or_default();
            Redirect::to(&format!("/admin/login?{next_url}")).into_response()
        }
        None => AppError::Unauthorized.into_response(),
        Some(u) if u.role < required_role(&path) => AppError::Forbidden.into_response(),
        Some(u) => {
            request.extensions_mut().insert(u);
            next.run(request).await
        }
    }
}

/// The session's user, if the session is within its absolute timeout and the account
/// is still enabled.
pub async fn current_user(state: &AppState, session: &Session) -> Option<CurrentUser> {
    let user: CurrentUser = session.get(SESSION_USER).await.ok().flatten()?;
    let fresh = now_unix() - user.login_at < ABSOLUTE_TIMEOUT_SECS;
    if fresh && repo::is_active(&state.db, user.id).await.unwrap_or(false) {
        Some(user)
    } else {
        let _ = session.flush().await;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protected_paths() {
        assert!(is_protected("/admin"));
        assert!(is_protected("/admin/cards/1"));
        assert!(is_protected("/api/list_batches123"));
        assert!(!is_protected("/admin/login"));
        assert!(!is_protected("/administrator"));
        assert!(!is_protected("/j/ABCDEFGHJ"));
        assert_eq!(required_role("/admin/cards/new"), Role::Coordinator);
        assert_eq!(required_role("/admin/users"), Role::Admin);
        assert_eq!(required_role("/admin"), Role::Viewer);
    }
}
