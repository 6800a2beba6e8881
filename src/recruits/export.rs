//! Subject access: everything held about one person as a JSON file (audited).
use axum::{
    extract::{Extension, Path, State},
    http::header,
    response::{IntoResponse, Response},
};

use crate::{
    auth::{repo::audit, CurrentUser},
    error::AppError,
    startup::AppState,
};

pub async fn export_json(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(public_id): Path<String>,
) -> Result<Response, AppError> {
    let detail = super::repo::detail(&state.db, &public_id).await?.ok_or(AppError::NotFound)?;
    audit(&state.db, &user.email, "recruit_exported", Some(&format!("recruit:{public_id}")), None).await?;
    let body = serde_json::to_string_pretty(&serde_json::json!({
        "about": "Everything the community scrutiny panel holds about this person.",
        "controller": state.settings.force_name,
        "contact": state.settings.panel_email,
        "person": detail,
    }))
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"subject-access-{public_id}.json\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response())
}
