//! The access check. Every route declares who may use it where it is defined
//! ([`crate::routes::Route`] for plain routes; the page table in `app.rs` and each
//! feature's `SERVER_FN_ROLES` for Leptos pages and server functions); anything without
//! a declaration is refused. State-changing requests from other sites are refused, and
//! nothing behind a sign-in is ever cached.
use axum::{
    extract::{MatchedPath, Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use super::repo;
use crate::roles::{CurrentUser, Role};
use crate::{db::now_unix, error::AppError, routes::Access, state::AppState};

pub const SESSION_USER: &str = "user";
/// However active, a session ends this long after login.
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 12 * 3600;
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_SECS: i64 = 30 * 60;
/// Activity moves the idle deadline on at most this often (each move is a write).
const IDLE_REFRESH_SECS: i64 = 60;

/// CSRF defence for browsers: a state-changing request must come from a page of
/// this site (its `Origin`, or failing that its `Referer`, names our host). Session
/// cookies are also `SameSite=Strict`.
fn from_this_site(request: &Request) -> bool {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let headers = request.headers();
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    let source = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|v| v.to_str().ok());
    match source {
        // Non-browser clients (scripts, the CLI) send neither; browsers always do.
        None => true,
        Some(src) => {
            let rest = src.split_once("://").map(|(_, r)| r).unwrap_or("");
            rest.split('/').next() == Some(host)
        }
    }
}

/// Outermost check on every request: cross-site state changes are refused.
pub async fn same_site(request: Request, next: Next) -> Response {
    if !from_this_site(&request) {
        tracing::warn!("cross-site request refused");
        return (StatusCode::FORBIDDEN, "Cross-site request refused").into_response();
    }
    next.run(request).await
}

/// What [`require`] needs: the state and the least role.
#[derive(Clone)]
pub struct Need {
    pub state: AppState,
    pub role: Role,
}

/// Route layer for a route that declared `Access::Signed(role)`.
pub async fn require(State(need): State<Need>, session: Session, request: Request, next: Next) -> Response {
    admit(&need.state, &session, need.role, request, next).await
}

/// What [`declared`] needs: the state and the role each Leptos page and server function
/// declared, by route template (assembled by startup from the features).
#[derive(Clone)]
pub struct Declared {
    pub state: AppState,
    pub roles: fn(&str) -> Option<Access>,
}

/// Route layer for Leptos pages and server functions: looks up the role the page or
/// function declared (by its route template); none declared → refused.
pub async fn declared(
    State(Declared { state, roles }): State<Declared>,
    session: Session,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let path = matched.as_ref().map_or("", |m| m.as_str()).to_string();
    let response = match roles(&path) {
        Some(Access::Public) => next.run(request).await,
        Some(Access::Signed(role)) => admit(&state, &session, role, request, next).await,
        None => {
            tracing::error!(route = path, "route without a declared role refused");
            return no_store(AppError::Forbidden.into_response());
        }
    };
    if path.starts_with("/api/") && response.status() == StatusCode::INTERNAL_SERVER_ERROR {
        return arguments_refused(response).await;
    }
    response
}

/// A server function called with arguments that do not parse answers 400, not 500
/// (Leptos reports them as our `ApiError::Request(Args | Deserialization)`).
async fn arguments_refused(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let bad_arguments = serde_json::from_slice::<crate::error::ApiError>(&bytes).is_ok_and(|e| e.is_bad_arguments());
    if bad_arguments {
        parts.status = StatusCode::BAD_REQUEST;
        parts.headers.remove(header::CONTENT_LENGTH);
        return no_store(Response::from_parts(parts, axum::body::Body::from("The request's fields are not valid.")));
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

async fn admit(state: &AppState, session: &Session, role: Role, mut request: Request, next: Next) -> Response {
    let response = match current_user(state, session).await {
        None if request.method() == Method::GET && !request.uri().path().starts_with("/api/") => {
            let path = request.uri().path();
            let next_url = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
            Redirect::to(&format!("/admin/login?{next_url}")).into_response()
        }
        None => AppError::Unauthorized.into_response(),
        Some(u) if u.role < role => AppError::Forbidden.into_response(),
        Some(u) => {
            request.extensions_mut().insert(u);
            next.run(request).await
        }
    };
    no_store(response)
}

/// Nothing behind a sign-in is kept by browsers or proxies.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The session's user, if the session is within its absolute and idle timeouts, the
/// account is still enabled, and no password change has ended it since sign-in.
/// Activity moves the idle deadline on (at most once a minute).
pub async fn current_user(state: &AppState, session: &Session) -> Option<CurrentUser> {
    let mut user: CurrentUser = session.get(SESSION_USER).await.ok().flatten()?;
    let now = now_unix();
    // Sessions from before `seen_at` existed count from their sign-in.
    let last_seen = if user.seen_at > 0 { user.seen_at } else { user.login_at };
    let fresh = now - user.login_at < ABSOLUTE_TIMEOUT_SECS && now - last_seen < IDLE_TIMEOUT_SECS;
    let account = repo::session_state(&state.db, user.id).await.ok().flatten();
    let valid = matches!(account, Some(a) if !a.disabled && a.session_epoch == user.epoch);
    if !(fresh && valid) {
        let _ = session.flush().await;
        return None;
    }
    if now - user.seen_at >= IDLE_REFRESH_SECS {
        user.seen_at = now;
        // Saving the session moves its expiry (and the cookie's) on by the idle timeout.
        let _ = session.insert(SESSION_USER, user.clone()).await;
    }
    Some(user)
}
