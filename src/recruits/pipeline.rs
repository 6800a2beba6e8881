//! Status changes (one person or many at once) and notes, from plain form posts.
use axum::{
    extract::{Extension, Path, State},
    response::{IntoResponse, Redirect, Response},
};

use super::repo;
use crate::{
    audit,
    domain::RecruitStatus,
    error::AppError,
    public::{form_field, form_fields, form_pairs},
    roles::CurrentUser,
    state::AppState,
};

/// `POST /admin/recruits/status`: `status=…&id=…&id=…` (a bulk change from the list, or
/// one person from their page). `back` says where to return.
pub async fn change_status(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: String,
) -> Result<Response, AppError> {
    let form = form_pairs(&body);
    let status = form_field(&form, "status").to_string();
    let back = Some(form_field(&form, "back"))
        // Our own pages only, and nothing that cannot go in a Location header.
        .filter(|b| {
            b.starts_with("/admin/recruits")
                && !b.contains("//")
                && !b.contains('\\')
                && b.chars().all(|c| c.is_ascii_graphic())
        })
        .unwrap_or("/admin/recruits")
        .to_string();
    let ids: Vec<String> = form_fields(&form, "id").take(1000).map(str::to_string).collect();
    let sep = if back.contains('?') { '&' } else { '?' };
    let Ok(status) = RecruitStatus::parse(&status) else {
        return Ok(Redirect::to(&format!("{back}{sep}error=status")).into_response());
    };
    if ids.is_empty() {
        return Ok(Redirect::to(&format!("{back}{sep}error=none")).into_response());
    }
    let changed = repo::set_status(&state.db, &ids, status, &user.email).await?;
    for id in &changed {
        audit::record(
            &state.db,
            &user.email,
            "recruit_status_changed",
            Some(&format!("recruit:{id}")),
            Some(status.code()),
        )
        .await?;
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
    let form = form_pairs(&body);
    let note = form_field(&form, "note").trim().to_string();
    let back = format!("/admin/recruits/{public_id}");
    if note.is_empty() || note.chars().count() > 2000 || crate::public::has_control_chars(&note) {
        return Ok(Redirect::to(&format!("{back}?error=note")).into_response());
    }
    if !repo::add_note(&state.db, &public_id, &note, &user.email).await? {
        return Err(AppError::NotFound);
    }
    audit::record(&state.db, &user.email, "recruit_note_added", Some(&format!("recruit:{public_id}")), None).await?;
    Ok(Redirect::to(&back).into_response())
}

/// `POST /admin/recruits/{id}/call`: the outcome of a call to someone waiting for one:
/// `reached` (they confirm they want to join: status confirmed), `no_answer` or
/// `wrong_number`. Each goes on the person's timeline.
pub async fn record_call(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(public_id): Path<String>,
    body: String,
) -> Result<Response, AppError> {
    if !super::plausible_public_id(&public_id) {
        return Err(AppError::NotFound);
    }
    let form = form_pairs(&body);
    let (note, confirm) = match form_field(&form, "outcome") {
        "reached" => ("Call: reached; they want to join", true),
        "no_answer" => ("Call: no answer", false),
        "wrong_number" => ("Call: wrong number", false),
        _ => return Ok(Redirect::to("/admin/recruits/call-back?error=outcome").into_response()),
    };
    if !repo::add_note(&state.db, &public_id, note, &user.email).await? {
        return Err(AppError::NotFound);
    }
    if confirm {
        repo::set_status(&state.db, std::slice::from_ref(&public_id), RecruitStatus::Confirmed, &user.email).await?;
    }
    audit::record(&state.db, &user.email, "recruit_call_recorded", Some(&format!("recruit:{public_id}")), Some(note))
        .await?;
    Ok(Redirect::to("/admin/recruits/call-back?done=1").into_response())
}
