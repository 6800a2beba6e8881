use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DbHealth {
    pub backend: String,
    pub reachable: bool,
}

#[server]
pub async fn database_status() -> Result<DbHealth, ServerFnError> {
    crate::auth::require(crate::auth::Role::Viewer)?;
    let state = expect_context::<crate::startup::AppState>();
    Ok(DbHealth {
        backend: state.db.backend().name().to_string(),
        reachable: state.db.is_reachable().await,
    })
}
