//! `POST /notify/callback`: GOV.UK Notify's delivery receipts (set the callback URL and a
//! bearer token in Notify's API integration settings; the same token in
//! `SCRUTINY_NOTIFY_CALLBACK_TOKEN`). Each receipt names our `reference` and the final
//! status (delivered, permanent-failure, temporary-failure, technical-failure), which the
//! recruit's page shows.
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    Json,
};
use serde::Deserialize;

use crate::state::AppState;

#[derive(Deserialize)]
pub struct Receipt {
    id: String,
    #[serde(default)]
    reference: Option<String>,
    status: String,
}

const STATUSES: [&str; 6] =
    ["delivered", "permanent-failure", "temporary-failure", "technical-failure", "sending", "sent"];

pub async fn receipt(State(state): State<AppState>, headers: HeaderMap, Json(r): Json<Receipt>) -> StatusCode {
    let expected = state.settings.notify.as_ref().and_then(|n| n.callback_token.as_deref());
    let given =
        headers.get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let allowed = match (expected, given) {
        (Some(e), Some(g)) => crate::forms::same_secret(e, g),
        _ => false,
    };
    if !allowed {
        return StatusCode::UNAUTHORIZED;
    }
    if !STATUSES.contains(&r.status.as_str()) || r.id.len() > 64 {
        return StatusCode::BAD_REQUEST;
    }
    match crate::email::repo::record_receipt(&state.db, r.reference.as_deref().unwrap_or(""), &r.id, &r.status).await {
        Ok(true) => StatusCode::NO_CONTENT,
        // Not ours (or already erased): nothing to do, and Notify should not retry.
        Ok(false) => StatusCode::NO_CONTENT,
        Err(e) => {
            tracing::error!(error = %crate::telemetry::error_text(&e), "delivery receipt not recorded");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
