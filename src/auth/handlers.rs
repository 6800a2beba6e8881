//! `/admin/login` and `/admin/logout`: plain forms, working with JavaScript off.
use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use leptos::prelude::*;
use tower_sessions::Session;

use super::{access::SESSION_USER, password, repo, CurrentUser};
use crate::{
    db::now_unix,
    error::AppError,
    i18n::Lang,
    public::{PublicPage, Switcher},
    signup::guard::client_key,
    startup::AppState,
};

#[derive(serde::Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Only our own dashboard pages are valid places to return to (no open redirects).
fn safe_next(next: &str) -> String {
    if (next == "/admin" || next.starts_with("/admin/")) && !next.contains("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/admin".to_string()
    }
}

fn login_page(email: &str, next: &str, error: Option<&'static str>) -> PublicPage {
    let email = email.to_string();
    let next = next.to_string();
    PublicPage::new(Lang::En, if error.is_some() { "Error: Sign in" } else { "Sign in" }, view! {
        <h1>"Sign in to the panel dashboard"</h1>
        {error.map(|e| view! {
            <div class="error-summary" role="alert" tabindex="-1">
                <h2>"There is a problem"</h2>
                <p><a href="#email">{e}</a></p>
            </div>
        })}
        <form method="post" action="/admin/login" novalidate>
            <div class="field">
                <label for="email">"Email address"</label>
                <input type="email" id="email" name="email" value=email autocomplete="username" spellcheck="false"/>
            </div>
            <div class="field">
                <label for="password">"Password"</label>
                <input type="password" id="password" name="password" autocomplete="current-password"/>
            </div>
            <input type="hidden" name="next" value=next/>
            <button type="submit" class="button">"Sign in"</button>
        </form>
    })
    .with_switcher(Switcher::None)
}

pub async fn login_form(Query(q): Query<LoginQuery>) -> PublicPage {
    login_page("", &safe_next(q.next.as_deref().unwrap_or("")), None)
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(&form.next);
    let account_key = format!("account:{}", form.email.trim().to_lowercase());
    let client = client_key(peer, &headers, state.settings.trust_proxy);
    if state.login_limiter.is_blocked(&account_key) || state.login_client_limiter.is_blocked(&client) {
        let page = login_page(&form.email, &next, Some("Too many failed attempts. Wait 15 minutes, then try again."));
        return Ok(page.with_status(StatusCode::TOO_MANY_REQUESTS).into_response());
    }
    let user = repo::find_by_email(&state.db, &form.email).await?;
    // Unknown emails cost the same argon2 work as wrong passwords.
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| password::DUMMY_HASH.to_string());
    let matches = password::verify(form.password.clone(), hash).await;
    match user {
        Some(u) if matches && !u.disabled => {
            state.login_limiter.reset(&account_key);
            session.cycle_id().await.map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
            let current = CurrentUser { id: u.id, email: u.email.clone(), role: u.role, login_at: now_unix() };
            session
                .insert(SESSION_USER, current)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
            repo::audit(&state.db, &u.email, "login", None, None).await?;
            Ok(Redirect::to(&next).into_response())
        }
        _ => {
            state.login_limiter.allow(&account_key);
            state.login_client_limiter.allow(&client);
            repo::audit(&state.db, form.email.trim(), "login_failed", None, None).await?;
            let page = login_page(&form.email, &next, Some("The email address or password is not right"));
            Ok(page.with_status(StatusCode::UNAUTHORIZED).into_response())
        }
    }
}

pub async fn logout(State(state): State<AppState>, session: Session) -> Result<Response, AppError> {
    if let Ok(Some(user)) = session.get::<CurrentUser>(SESSION_USER).await {
        repo::audit(&state.db, &user.email, "logout", None, None).await?;
    }
    let _ = session.flush().await;
    Ok(Redirect::to("/admin/login").into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_dashboard_pages_are_return_targets() {
        assert_eq!(safe_next("/admin/cards/2"), "/admin/cards/2");
        assert_eq!(safe_next("https://evil.example/admin"), "/admin");
        assert_eq!(safe_next("//evil.example"), "/admin");
        assert_eq!(safe_next("/admin//evil"), "/admin");
        assert_eq!(safe_next(""), "/admin");
    }
}
