use leptos::prelude::*;

use crate::error::ApiError;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DbHealth {
    pub backend: String,
    pub reachable: bool,
}

#[server]
pub async fn database_status() -> Result<DbHealth, ApiError> {
    crate::roles::require(crate::roles::Role::Viewer)?;
    let state = expect_context::<crate::state::AppState>();
    Ok(DbHealth { backend: state.db.backend().name().to_string(), reachable: state.db.is_reachable().await })
}

/// The least role each server function here needs, declared beside them: the access
/// check refuses any server function missing from such a table before it runs (each
/// also checks again inside).
#[cfg(feature = "ssr")]
pub const SERVER_FN_ROLES: &[(&str, crate::roles::Role)] =
    &[(<DatabaseStatus as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Viewer)];
