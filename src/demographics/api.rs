use leptos::prelude::*;

use crate::error::ApiError;

/// Imported force-months: (force, month, searches, file name, notes: what was recovered
/// or not recognised, one per line).
#[server]
pub async fn list_imports() -> Result<Vec<(String, String, i64, String, String)>, ApiError> {
    use crate::{
        roles::{require, Role},
        state::AppState,
    };
    require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    Ok(super::repo::list_imports(&state.db).await?)
}

/// The least role each server function here needs, declared beside them: the access
/// check refuses any server function missing from such a table before it runs (each
/// also checks again inside).
#[cfg(feature = "ssr")]
pub const SERVER_FN_ROLES: &[(&str, crate::roles::Role)] =
    &[(<ListImports as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator)];
