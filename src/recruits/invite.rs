//! Invitations: a coordinator writes one message (a meeting's date and place) to the
//! selected people; each copy goes through the email outbox, so it is retried until
//! delivered, and each person's page shows whether theirs was sent.
use axum::{
    extract::{Extension, State},
    response::{IntoResponse, Redirect, Response},
};

use crate::{
    auth::{repo::audit, CurrentUser},
    db::now_unix,
    error::AppError,
    public::{form_field, form_fields, form_pairs},
    startup::AppState,
};

/// How a person gets a coordinator's message: by text when they chose the phone and a
/// text service is set up, else by email, else by text; None when neither works.
fn channel(state: &AppState, email: Option<&str>, phone: Option<&str>, method: &str) -> Option<&'static str> {
    let text = phone.is_some() && state.can_text();
    match () {
        _ if method == "phone" && text => Some("text"),
        _ if email.is_some() => Some("email"),
        _ if text => Some("text"),
        _ => None,
    }
}

/// Before sending: how many go by email and by text, and the text message as it will be
/// read, with its length in fragments (a long message costs several).
async fn preview(state: &AppState, ids: &[String], subject: &str, message: &str) -> Result<Response, AppError> {
    let (mut by_email, mut by_text, mut unreachable) = (0, 0, 0);
    for id in ids {
        let row: Option<(Option<String>, Option<String>, String)> =
            sqlx::query_as("SELECT email, phone, contact_method FROM recruits WHERE public_id = $1")
                .bind(id)
                .fetch_optional(state.db.pool())
                .await?;
        match row.as_ref().and_then(|(e, p, m)| channel(state, e.as_deref(), p.as_deref(), m)) {
            Some("email") => by_email += 1,
            Some(_) => by_text += 1,
            None => unreachable += 1,
        }
    }
    // The text as sent: the message and the footer with a withdraw link (a 22-character token).
    let footer = crate::i18n::tf(crate::i18n::Lang::En, "sms.footer", &[("url", &format!("{}/w/{}", state.base_url, "x".repeat(22)))]);
    let text = format!("{message}\n{footer}");
    let fragments = crate::email::notify::sms_fragments(&text);
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let hidden: String = ids.iter().map(|id| format!("<input type=\"hidden\" name=\"id\" value=\"{}\">", esc(id))).collect();
    let text_part = if by_text > 0 {
        format!(
            "<h2>The text message</h2><p>{by_text} people will get this by text. It is {} characters: \
             <strong>{fragments} text message fragment{}</strong> each (Notify charges by fragment; one holds 160 plain \
             characters, or 70 with letters such as ŵ, ą or Arabic).</p><pre class=\"sms\">{}</pre>",
            text.chars().count(),
            if fragments == 1 { "" } else { "s" },
            esc(&text)
        )
    } else {
        String::new()
    };
    let html = format!(
        "<h1>Check the invitation</h1><p>{by_email} by email, {by_text} by text message{}.</p>\
         <h2>The email</h2><p><strong>{}</strong></p><pre>{}</pre>{text_part}\
         <form method=\"post\" action=\"/admin/recruits/invite\">{hidden}\
         <input type=\"hidden\" name=\"subject\" value=\"{}\"><input type=\"hidden\" name=\"message\" value=\"{}\">\
         <button type=\"submit\" name=\"action\" value=\"send\" class=\"button\">Send invitation</button></form>",
        if unreachable > 0 { format!(", {unreachable} cannot be reached (no email, and no text service)") } else { String::new() },
        esc(subject),
        esc(message),
        esc(subject),
        esc(message),
    );
    let page = crate::public::PublicPage::raw(crate::i18n::Lang::En, "Check the invitation", html)
        .with_switcher(crate::public::Switcher::None);
    let mut response = page.into_response();
    response.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /admin/recruits/invite`: `subject`, `message`, `id`…; `action=send` sends,
/// anything else shows the preview first.
pub async fn send(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: String,
) -> Result<Response, AppError> {
    let form = form_pairs(&body);
    let ids: Vec<String> = form_fields(&form, "id").take(1000).map(str::to_string).collect();
    let (subject, message) = (form_field(&form, "subject").trim(), form_field(&form, "message").trim());
    let query: String = ids.iter().map(|id| format!("&id={}", id)).collect();
    let problem = if ids.is_empty() {
        Some("none")
    } else if subject.is_empty() || subject.chars().count() > 150 || subject.chars().any(char::is_control) {
        Some("subject")
    } else if message.is_empty() || message.chars().count() > 5000 || crate::public::has_control_chars(message) {
        Some("message")
    } else {
        None
    };
    if let Some(p) = problem {
        return Ok(Redirect::to(&format!("/admin/recruits/invite?error={p}{query}")).into_response());
    }
    if form_field(&form, "action") != "send" {
        return preview(&state, &ids, subject, message).await;
    }
    let mut tx = state.db.begin_write().await?;
    let mut queued = 0;
    for id in &ids {
        let row: Option<(i64, Option<String>, Option<String>, String)> =
            sqlx::query_as("SELECT id, email, phone, contact_method FROM recruits WHERE public_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((recruit_id, email, phone, method)) = row else { continue };
        if channel(&state, email.as_deref(), phone.as_deref(), &method).is_none() {
            continue;
        }
        crate::email::repo::queue(&mut tx, recruit_id, "message", &format!("{subject}\n\n{message}")).await?;
        sqlx::query("INSERT INTO recruit_events (recruit_id, at, actor, kind, detail) VALUES ($1, $2, $3, 'note', $4)")
            .bind(recruit_id)
            .bind(now_unix())
            .bind(&user.email)
            .bind(format!("Invitation sent: {subject}"))
            .execute(&mut *tx)
            .await?;
        queued += 1;
    }
    tx.commit().await?;
    state.mail_wake.notify_one();
    audit(&state.db, &user.email, "invitation_sent", None, Some(&format!("{queued} of {} selected", ids.len()))).await?;
    Ok(Redirect::to(&format!("/admin/recruits?invited={queued}&without_email={}", ids.len() - queued)).into_response())
}
