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

use super::{access::SESSION_USER, repo};
use crate::{
    audit,
    db::now_unix,
    error::AppError,
    i18n::Lang,
    limits::Client,
    password,
    public::{PublicPage, Switcher},
    roles::CurrentUser,
    state::AppState,
    ui::ErrorSummary,
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

/// Where to go after signing in: one of our own dashboard pages, as a path that is
/// always a valid `Location` (no open redirects, no header injection); anything else is
/// the dashboard home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnTo(String);

impl ReturnTo {
    pub fn parse(raw: &str) -> ReturnTo {
        let safe_chars = raw.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'\\' | b'"' | b'<' | b'>'));
        let ours = raw == "/admin" || raw.starts_with("/admin/") || raw.starts_with("/admin?");
        let dot_segment =
            raw.split(['/', '?']).any(|seg| seg == ".." || seg == "." || seg.contains("%2e") || seg.contains("%2E"));
        if ours && safe_chars && !dot_segment && !raw.contains("//") && raw.len() <= 512 {
            ReturnTo(raw.to_string())
        } else {
            ReturnTo("/admin".to_string())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn login_page(email: &str, next: &str, error: Option<String>) -> PublicPage {
    let email = email.to_string();
    let next = next.to_string();
    PublicPage::new(
        Lang::En,
        if error.is_some() { "Error: Sign in" } else { "Sign in" },
        view! {
            <h1>"Sign in to the panel dashboard"</h1>
            {error.map(|e| view! {
                <ErrorSummary focus=true>
                    <p><a href="#email">{e}</a></p>
                </ErrorSummary>
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
        },
    )
    .with_switcher(Switcher::None)
}

pub async fn login_form(Query(q): Query<LoginQuery>) -> PublicPage {
    login_page("", ReturnTo::parse(q.next.as_deref().unwrap_or("")).as_str(), None)
}

fn wait_words(wait: std::time::Duration) -> String {
    let secs = wait.as_secs().max(1);
    if secs < 90 {
        format!("{secs} second{}", if secs == 1 { "" } else { "s" })
    } else {
        format!("{} minutes", secs.div_ceil(60))
    }
}

fn refused(email: &str, next: &ReturnTo, status: StatusCode, wait: std::time::Duration, message: String) -> Response {
    let mut response = login_page(email, next.as_str(), Some(message)).with_status(status).into_response();
    if let Ok(v) = http::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        response.headers_mut().insert(http::header::RETRY_AFTER, v);
    }
    response
}

const DEVICE_COOKIE: &str = "scrutiny_device";

/// A long-lived cookie saying "this browser signed in to account N" (a MAC with the
/// site's secret, nothing else): such a browser is not held back by the account-wide
/// sign-in throttle.
fn device_cookie(state: &AppState, user_id: i64) -> String {
    let value = format!("{user_id}.{}", state.stamper.sign(&format!("device:{user_id}")));
    let secure = if state.base_url.starts_with("https://") { "; Secure" } else { "" };
    format!("{DEVICE_COOKIE}={value}; Path=/admin/login; Max-Age=31536000; HttpOnly; SameSite=Strict{secure}")
}

fn device_known(state: &AppState, headers: &HeaderMap, user_id: i64) -> bool {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(DEVICE_COOKIE).and_then(|c| c.strip_prefix('=')))
        .any(|value| {
            value.split_once('.').is_some_and(|(id, mac)| {
                id.parse::<i64>() == Ok(user_id) && state.stamper.signed(&format!("device:{user_id}"), mac)
            })
        })
}

/// Emails longer than this are no account of ours (RFC 5321 caps an address at 254).
const MAX_EMAIL_LEN: usize = 320;

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = ReturnTo::parse(&form.next);
    let email = form.email.trim();
    // Shown back in the form only when it could be an address; limiter keys are hashed.
    let shown = if email.len() <= MAX_EMAIL_LEN { email } else { "" };
    let client = Client::identify(peer, &headers, state.settings.trust_proxy).key();
    // Attempts are reserved before the (slow) password check, so parallel requests
    // cannot all be checked while the first ones are still running.
    if !state.login_client_limiter.allow(&client).await {
        let wait = std::time::Duration::from_secs(15 * 60);
        let message = format!("Too many attempts from this connection. Wait {}, then try again.", wait_words(wait));
        return Ok(refused(shown, &next, StatusCode::TOO_MANY_REQUESTS, wait, message));
    }
    // Per account and address: one address (an attacker's) can only hold itself back.
    let account = email.to_ascii_lowercase();
    let account_waits = |wait: std::time::Duration| {
        let message = format!("Too many failed attempts for this account. Wait {}, then try again.", wait_words(wait));
        refused(shown, &next, StatusCode::TOO_MANY_REQUESTS, wait, message)
    };
    let pair_key = format!("account:{account}|{client}");
    if let Err(wait) = state.login_throttle.reserve(&pair_key).await {
        return Ok(account_waits(wait));
    }
    let user = if email.len() <= MAX_EMAIL_LEN { repo::find_by_email(&state.db, email).await? } else { None };
    // Per account from everywhere (many addresses), unless this browser signed in to the
    // account before: a distributed attack cannot lock out a coordinator's own browser.
    let known_device = user.as_ref().is_some_and(|u| device_known(&state, &headers, u.id));
    let account_key = format!("account:{account}");
    if !known_device {
        if let Err(wait) = state.login_account_throttle.reserve(&account_key).await {
            return Ok(account_waits(wait));
        }
    }
    // Unknown emails cost the same argon2 work as wrong passwords.
    let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| password::DUMMY_HASH.to_string());
    let Ok(matches) = state.password_gate.verify(form.password, hash).await else {
        let wait = std::time::Duration::from_secs(password::BUSY_RETRY_AFTER_SECS);
        let message = "The service is busy. Wait a few seconds, then try again.".to_string();
        return Ok(refused(shown, &next, StatusCode::SERVICE_UNAVAILABLE, wait, message));
    };
    match user {
        Some(u) if matches && !u.disabled => {
            state.login_throttle.succeeded(&pair_key).await;
            state.login_client_limiter.refund(&client).await;
            state.login_account_throttle.succeeded(&account_key).await;
            session.cycle_id().await.map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
            let now = now_unix();
            let current = CurrentUser {
                id: u.id,
                email: u.email.clone(),
                role: u.role,
                login_at: now,
                epoch: u.session_epoch,
                seen_at: now,
            };
            session
                .insert(SESSION_USER, current)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
            audit::record(&state.db, &u.email, "login", None, None).await?;
            let mut response = Redirect::to(next.as_str()).into_response();
            if let Ok(cookie) = http::HeaderValue::from_str(&device_cookie(&state, u.id)) {
                response.headers_mut().append(http::header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        account => {
            // Never what was typed (people type passwords into the email box): the
            // account, when there is one, or only that there is none.
            let actor = account.as_ref().map_or("unknown account", |u| u.email.as_str());
            audit::record(&state.db, actor, "login_failed", None, None).await?;
            let page = login_page(shown, next.as_str(), Some("The email address or password is not right".into()));
            Ok(page.with_status(StatusCode::UNAUTHORIZED).into_response())
        }
    }
}

pub async fn logout(State(state): State<AppState>, session: Session) -> Result<Response, AppError> {
    if let Ok(Some(user)) = session.get::<CurrentUser>(SESSION_USER).await {
        audit::record(&state.db, &user.email, "logout", None, None).await?;
    }
    let _ = session.flush().await;
    Ok(Redirect::to("/admin/login").into_response())
}

#[cfg(test)]
mod tests {
    use super::ReturnTo;

    #[test]
    fn only_dashboard_pages_are_return_targets() {
        let to = |s: &str| ReturnTo::parse(s).as_str().to_string();
        assert_eq!(to("/admin/cards/2"), "/admin/cards/2");
        assert_eq!(to("/admin/recruits?status=new&page=2"), "/admin/recruits?status=new&page=2");
        assert_eq!(to("https://evil.example/admin"), "/admin");
        assert_eq!(to("//evil.example"), "/admin");
        assert_eq!(to("/admin//evil"), "/admin");
        assert_eq!(to("/administrator"), "/admin");
        assert_eq!(to("/admin/../j/CZVKF6NNP"), "/admin", "stays on the dashboard");
        assert_eq!(to("/admin/%2e%2e/j/x"), "/admin");
        assert_eq!(to(""), "/admin");
        assert_eq!(to("/admin/\r\nSet-Cookie: x=1"), "/admin", "header injection");
        assert_eq!(to("/admin/caf\u{e9}"), "/admin");
        assert_eq!(to(&format!("/admin/{}", "a".repeat(600))), "/admin");
    }
}
