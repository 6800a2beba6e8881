use leptos::prelude::*;

/// Imported force-months: (force, month, searches, file name, notes: what was recovered
/// or not recognised, one per line).
#[server]
pub async fn list_imports() -> Result<Vec<(String, String, i64, String, String)>, ServerFnError> {
    use crate::{
        error::AppError,
        roles::{require, Role},
        state::AppState,
    };
    require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    sqlx::query_as("SELECT force, month, rows, file_name, notes FROM search_imports ORDER BY force, month")
        .fetch_all(state.db.pool())
        .await
        .map_err(|e| AppError::from(e).into_server_error())
}

/// The least role each server function here needs, declared beside them: the access
/// check refuses any server function missing from such a table before it runs (each
/// also checks again inside).
#[cfg(feature = "ssr")]
pub const SERVER_FN_ROLES: &[(&str, crate::roles::Role)] =
    &[(<ListImports as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator)];
