//! Subject access: everything held about one person as a JSON file (audited).
use axum::{
    extract::{Extension, Path, State},
    http::header,
    response::{IntoResponse, Response},
};

use crate::{audit, error::AppError, roles::CurrentUser, state::AppState};

pub async fn export_json(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(public_id): Path<String>,
) -> Result<Response, AppError> {
    let mut detail = super::repo::detail(&state.db, &public_id).await?.ok_or(AppError::NotFound)?;
    audit::record(&state.db, &user.email, "recruit_exported", Some(&format!("recruit:{public_id}")), None).await?;
    // A complete answer includes the equality answers: only a user with equality data
    // access can download them; anyone else's file says they are held.
    super::api::equality_for(&state, &user, &mut detail, &public_id).await?;
    let panel = crate::panels::subject_access(&state.db, &public_id).await?;
    let body = serde_json::to_string_pretty(&serde_json::json!({
        "about": "Everything the community scrutiny panel holds about this person.",
        "controller": state.settings.force_name,
        "contact": state.settings.panel_email,
        "equality_not_included": detail.equality_hidden.then_some(
            "This person gave equality answers. They are not in this file: ask a user with equality data access to download it for a complete response."
        ),
        "person": detail,
        "panel": panel,
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

/// `GET /admin/recruits/export.csv?col=…&q=…&status=…`: the chosen columns for every
/// recruit the list's filter matches. Audited.
pub async fn export_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).unwrap_or_default();
    // Equality answers are not among the columns: they are never exported per person.
    let cols: Vec<(&str, &str)> =
        super::export_columns().into_iter().filter(|(c, _)| pairs.iter().any(|(k, v)| k == "col" && v == c)).collect();
    if cols.is_empty() {
        return Err(AppError::Invalid("Choose at least one column to export".into()));
    }
    let filter =
        super::filter::RecruitFilter::from_query(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()));
    if let Some((_, problem)) = filter.problems().into_iter().next() {
        return Err(AppError::Invalid(problem));
    }
    if !filter.eth.is_empty() && !crate::auth::has_equality_access(&state.db, user.id).await? {
        return Err(AppError::Invalid(
            "Exporting by ethnic group needs equality data access (it would show each person's group)".into(),
        ));
    }
    let rows = super::repo::export_rows(&state.db, &filter).await?;
    // Every cell quoted, CRLF line ends (RFC 4180).
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let internal = |e: csv::Error| AppError::Internal(e.into());
    out.write_record(cols.iter().map(|(_, h)| crate::spreadsheet::defuse_formula(h))).map_err(internal)?;
    for row in &rows {
        out.write_record(
            cols.iter().map(|(c, _)| crate::spreadsheet::defuse_formula(row.get(c).map(String::as_str).unwrap_or(""))),
        )
        .map_err(internal)?;
    }
    let out = out.into_inner().map_err(|e| AppError::Internal(e.into_error().into()))?;
    let names: Vec<&str> = cols.iter().map(|(c, _)| *c).collect();
    let by_group = if filter.eth.is_empty() { String::new() } else { "; filtered by ethnic group".to_string() };
    audit::record(
        &state.db,
        &user.email,
        "recruits_exported",
        None,
        Some(&format!("{} rows; columns {}{by_group}", rows.len(), names.join(" "))),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"recruits.csv\"".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        out,
    )
        .into_response())
}
