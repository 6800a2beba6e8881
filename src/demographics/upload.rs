//! `POST /admin/imports`: police.uk files uploaded from the dashboard. Same rules as
//! the CLI: every file is parsed before any is saved; a bad file imports nothing.
use axum::{
    extract::{Extension, Multipart, State},
    response::{IntoResponse, Redirect, Response},
};

use super::{import, police_uk};
use crate::{audit, error::AppError, roles::CurrentUser, state::AppState};

fn back(pairs: &[(&str, String)]) -> Response {
    let qs = serde_urlencoded::to_string(pairs).unwrap_or_default();
    Redirect::to(&format!("/admin/imports?{qs}")).into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let mut parsed = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Ok(back(&[("error", format!("The upload did not complete: {e}"))])),
        };
        let Some(name) = field.file_name().map(str::to_string).filter(|n| !n.is_empty()) else { continue };
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return Ok(back(&[("error", format!("{name}: the upload did not complete: {e}"))])),
        };
        // Only the file's own name matters (browsers may send a path).
        let name = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_string();
        let path = std::path::PathBuf::from(&name);
        match tokio::task::spawn_blocking(move || police_uk::parse(&path, &bytes, None)).await {
            Ok(Ok(file)) => parsed.push(import::Incoming { name, file }),
            Ok(Err(e)) => return Ok(back(&[("error", e)])),
            Err(e) => return Err(AppError::Internal(e.into())),
        }
    }
    if parsed.is_empty() {
        return Ok(back(&[("error", "Choose at least one data.police.uk CSV file".into())]));
    }
    if let Err(problem) = import::check(&state.db, &parsed, false).await? {
        return Ok(back(&[("error", problem)]));
    }
    import::save(&state.db, &parsed).await?;
    let total: usize = parsed.iter().map(|f| f.file.searches.len()).sum();
    audit::record(
        &state.db,
        &user.email,
        "import_police_uk",
        None,
        Some(&format!("{} files, {total} searches", parsed.len())),
    )
    .await?;
    Ok(back(&[(
        "done",
        format!("Imported {total} searches from {} file{}", parsed.len(), if parsed.len() == 1 { "" } else { "s" }),
    )]))
}
