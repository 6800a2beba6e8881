//! After the answers are sent: "check your email" and its resend, and the confirm and
//! withdraw links from messages.
use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

use super::{
    form_lang, pages,
    repo::{self, TokenOutcome},
};
use crate::{
    error::AppError,
    i18n::Lang,
    limits::Client,
    public::{form_pairs, request_lang, LangQuery, PublicPage},
    state::AppState,
};

/// Resends of the confirmation email (with the first, the daily cap).
const MAX_RESENDS: i64 = repo::MAX_CONFIRMATIONS_PER_DAY - 1;

#[derive(serde::Deserialize, Default)]
pub struct SentQuery {
    lang: Option<String>,
    resent: Option<String>,
}

/// `GET /signup/sent/<receipt>`: "check your email", with the address used.
pub async fn sent(
    State(state): State<AppState>,
    Path(receipt): Path<String>,
    Query(q): Query<SentQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (lang, _) = request_lang(q.lang.as_deref(), &headers, state.settings.default_language);
    let Some(r) = repo::receipt(&state.db, &receipt).await? else {
        return Ok(pages::message(lang, "sent.expired_title", &["sent.expired"])
            .with_status(StatusCode::NOT_FOUND)
            .into_response());
    };
    let by_text = r.email.is_none() && r.phone.is_some() && state.can_text();
    let can_resend = r.status == "new" && r.resends < MAX_RESENDS && (r.email.is_some() || by_text);
    Ok(pages::sent(
        lang,
        r.email.as_deref(),
        r.phone.as_deref(),
        by_text,
        &format!("/signup/sent/{receipt}"),
        q.resent.is_some(),
        can_resend,
        r.status == "new" && r.resends >= MAX_RESENDS && (r.email.is_some() || by_text),
        state.settings.panel,
        &state.settings.panel_email,
    )
    .into_response())
}

/// `POST /signup/sent/<receipt>`: send the confirmation email again.
pub async fn resend(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(receipt): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, AppError> {
    let lang = form_lang(&form_pairs(&body), state.settings.default_language);
    if !state.signup_limiter.allow(&Client::identify(peer, &headers, state.settings.trust_proxy).key()).await {
        return Err(AppError::RateLimited);
    }
    let Some(r) = repo::receipt(&state.db, &receipt).await? else {
        return Ok(pages::message(lang, "sent.expired_title", &["sent.expired"])
            .with_status(StatusCode::NOT_FOUND)
            .into_response());
    };
    match r.pending_id {
        Some(pending_id) => {
            repo::resend_pending(&state.db, pending_id, r.recruit_id, MAX_RESENDS).await?;
        }
        None => {
            repo::resend(&state.db, r.recruit_id, MAX_RESENDS, state.can_text()).await?;
        }
    }
    state.mail_wake.notify_one();
    Ok(Redirect::to(&format!("/signup/sent/{receipt}?lang={}&resent=1", lang.code())).into_response())
}

/// The language of a page opened from a link in a message: the link's own `?lang=`,
/// else the person's (a link in a text has none), else the browser's.
async fn link_lang(
    state: &AppState,
    query_lang: Option<&str>,
    token: &str,
    headers: &HeaderMap,
) -> Result<Lang, AppError> {
    if let Some(l) = query_lang.and_then(Lang::parse) {
        return Ok(l);
    }
    Ok(match repo::token_language(&state.db, token).await? {
        Some(l) => l,
        None => request_lang(None, headers, state.settings.default_language).0,
    })
}

/// `GET /confirm/<token>`.
pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let lang = link_lang(&state, q.lang.as_deref(), &token, &headers).await?;
    let page: PublicPage = match repo::confirm(&state.db, &token).await? {
        // A 22-character token came in a text message: it confirmed a phone number.
        TokenOutcome::Done if token.len() == 22 => {
            pages::message(lang, "confirm.text_done_title", &["confirm.done", "sent.next"])
        }
        TokenOutcome::Done => pages::message(lang, "confirm.done_title", &["confirm.done", "sent.next"]),
        TokenOutcome::Updated => pages::message(lang, "confirm.updated_title", &["confirm.updated", "sent.next"]),
        TokenOutcome::AlreadyDone => pages::message(lang, "confirm.already_title", &["confirm.already"]),
        TokenOutcome::Expired => {
            pages::broken_confirm(lang, "confirm.expired_title", "confirm.expired").with_status(StatusCode::GONE)
        }
        TokenOutcome::Unknown => {
            pages::broken_confirm(lang, "confirm.unknown_title", "confirm.unknown").with_status(StatusCode::NOT_FOUND)
        }
    };
    Ok(page.into_response())
}

/// `GET /withdraw/<token>`: asks before deleting (mail scanners follow links).
pub async fn withdraw_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let lang = link_lang(&state, q.lang.as_deref(), &token, &headers).await?;
    if !repo::withdraw_token_valid(&state.db, &token).await? {
        return Ok(pages::broken_withdraw(lang, &state.settings.panel_email)
            .with_status(StatusCode::NOT_FOUND)
            .into_response());
    }
    Ok(pages::withdraw_form(lang, &format!("/withdraw/{token}?lang={}", lang.code())).into_response())
}

/// `POST /withdraw/<token>`: removes the person's data.
pub async fn withdraw(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let lang = form_lang(&form_pairs(&body), state.settings.default_language);
    if repo::withdraw(&state.db, &token).await? {
        Ok(pages::message(lang, "withdraw.done_title", &["withdraw.done"]).into_response())
    } else {
        Ok(pages::broken_withdraw(lang, &state.settings.panel_email).with_status(StatusCode::NOT_FOUND).into_response())
    }
}
