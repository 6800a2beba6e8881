use leptos::prelude::*;

/// Imported force-months: (force, month, searches, file name).
#[server]
pub async fn list_imports() -> Result<Vec<(String, String, i64, String)>, ServerFnError> {
    use crate::{auth::{require, Role}, error::AppError, startup::AppState};
    require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    sqlx::query_as("SELECT force, month, rows, file_name FROM search_imports ORDER BY force, month")
        .fetch_all(state.db.pool())
        .await
        .map_err(|e| AppError::from(e).into_server_error())
}
