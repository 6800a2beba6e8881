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

/// `POST /admin/recruits/invite`: `subject`, `message`, `id`…
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
    let mut tx = state.db.begin_write().await?;
    let mut queued = 0;
    for id in &ids {
        let row: Option<(i64, Option<String>)> = sqlx::query_as("SELECT id, email FROM recruits WHERE public_id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((recruit_id, Some(_email))) = row else { continue };
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
