//! Status changes (one person or many at once) and notes, from plain form posts.
use axum::{
    extract::{Extension, Path, State},
    response::{IntoResponse, Redirect, Response},
};

use super::{is_status, repo};
use crate::{
    auth::{repo::audit, CurrentUser},
    error::AppError,
    startup::AppState,
};

fn pairs(body: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(body).unwrap_or_default()
}

/// `POST /admin/recruits/status`: `status=…&id=…&id=…` (a bulk change from the list, or
/// one person from their page). `back` says where to return.
pub async fn change_status(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: String,
) -> Result<Response, AppError> {
    let form = pairs(&body);
    let status = form.iter().find(|(k, _)| k == "status").map(|(_, v)| v.clone()).unwrap_or_default();
    let back = form
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.clone())
        .filter(|b| b.starts_with("/admin/recruits") && !b.contains("//"))
        .unwrap_or_else(|| "/admin/recruits".into());
    let ids: Vec<String> = form.iter().filter(|(k, _)| k == "id").map(|(_, v)| v.clone()).take(1000).collect();
    let sep = if back.contains('?') { '&' } else { '?' };
    if !is_status(&status) {
        return Ok(Redirect::to(&format!("{back}{sep}error=status")).into_response());
    }
    if ids.is_empty() {
        return Ok(Redirect::to(&format!("{back}{sep}error=none")).into_response());
    }
    let changed = repo::set_status(&state.db, &ids, &status, &user.email).await?;
    for id in &changed {
        audit(&state.db, &user.email, "recruit_status_changed", Some(&format!("recruit:{id}")), Some(&status)).await?;
    }
    Ok(Redirect::to(&format!("{back}{sep}changed={}", changed.len())).into_response())
}

/// `POST /admin/recruits/{id}/note`.
pub async fn add_note(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(public_id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    let form = pairs(&body);
    let note = form.iter().find(|(k, _)| k == "note").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let back = format!("/admin/recruits/{public_id}");
    if note.is_empty() || note.chars().count() > 2000 {
        return Ok(Redirect::to(&format!("{back}?error=note")).into_response());
    }
    if !repo::add_note(&state.db, &public_id, &note, &user.email).await? {
        return Err(AppError::NotFound);
    }
    audit(&state.db, &user.email, "recruit_note_added", Some(&format!("recruit:{public_id}")), None).await?;
    Ok(Redirect::to(&back).into_response())
}
