//! Health of the running service: `GET /health` for load balancers and monitoring,
//! and a small dashboard widget that re-checks the database on demand.
pub mod api;

use leptos::prelude::*;

pub use api::database_status;

/// Dashboard widget: shows whether the database answers, with a button to check again.
#[component]
pub fn HealthPanel() -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="health-heading">
            <h2 id="health-heading">"System status"</h2>
            <HealthCheck/>
        </section>
    }
}

#[island]
fn HealthCheck() -> impl IntoView {
    let checks = RwSignal::new(0u32);
    let check = Action::new(|_: &()| database_status());
    let status = move || match check.value().get() {
        None => "Not checked yet in this visit.".to_string(),
        Some(Ok(s)) => format!("Database ({}) answered: {}.", s.backend, if s.reachable { "reachable" } else { "NOT reachable" }),
        Some(Err(e)) => format!("Could not check: {e}"),
    };
    view! {
        <p role="status" data-testid="health-status">{status}</p>
        <p data-testid="health-checks">{move || format!("Checks this visit: {}", checks.get())}</p>
        <button
            type="button"
            class="button"
            on:click=move |_| {
                checks.update(|n| *n += 1);
                check.dispatch(());
            }
        >
            "Check the database now"
        </button>
    }
}

#[cfg(feature = "ssr")]
pub use handler::health;

#[cfg(feature = "ssr")]
mod handler {
    use axum::{extract::State, http::StatusCode, response::IntoResponse, Json};

    use crate::startup::AppState;

    /// `GET /health`: 200 with `{"status":"ok",…}` when the database answers, 503 otherwise.
    /// The outbox is reported (waiting messages, the oldest one's age, failures in the
    /// last day) but never fails the check: mail trouble is not a reason to stop serving.
    pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
        let reachable = state.db.is_reachable().await;
        let outbox = if reachable { crate::email::repo::outbox_state(&state.db).await.ok() } else { None };
        let body = serde_json::json!({
            "status": if reachable { "ok" } else { "unavailable" },
            "database": state.db.backend().name(),
            "version": env!("CARGO_PKG_VERSION"),
            "outbox": outbox.map(|o| serde_json::json!({
                "pending": o.pending,
                "oldest_pending_seconds": o.oldest_pending_seconds,
                "failed_last_day": o.failed_last_day,
            })),
        });
        let code = if reachable { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
        (code, Json(body))
    }
}

/// Public: load balancers and monitors ask it.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::routes::Route> {
    vec![crate::routes::Route::public("/health", axum::routing::get(health))]
}
