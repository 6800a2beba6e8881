//! Health of the running service: `GET /health` for load balancers and monitoring,
//! and a small dashboard widget that re-checks the database on demand.
pub mod api;
#[cfg(feature = "ssr")]
mod repo;

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
        Some(Ok(s)) => {
            format!("Database ({}) answered: {}.", s.backend, if s.reachable { "reachable" } else { "NOT reachable" })
        }
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
pub use handler::{health, metrics};

#[cfg(feature = "ssr")]
mod handler {
    use axum::{extract::State, http::StatusCode, response::IntoResponse, Json};

    use super::repo;
    use crate::state::AppState;

    /// `GET /health`: 200 with `{"status":"ok",…}` when the database answers, 503 otherwise.
    /// The outbox is reported (waiting messages, the oldest one's age, failures in the
    /// last day) but never fails the check: mail trouble is not a reason to stop serving.
    pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
        let reachable = state.db.is_reachable().await;
        let outbox = if reachable { crate::email::outbox_state(&state.db).await.ok() } else { None };
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

    /// `GET /metrics`: Prometheus text format, for a monitoring system holding the token
    /// (`SCRUTINY_METRICS_TOKEN`); 404 when no token is set, 401 without the right one.
    /// Counts only: nothing personal, routes by template.
    pub async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> axum::response::Response {
        use std::fmt::Write;
        let Some(expected) = state.settings.metrics_token.as_deref() else {
            return StatusCode::NOT_FOUND.into_response();
        };
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| crate::forms::same_secret(expected, g)) {
            return (StatusCode::UNAUTHORIZED, [(axum::http::header::WWW_AUTHENTICATE, "Bearer")]).into_response();
        }
        let mut out = String::new();
        let _ =
            writeln!(out, "# HELP scrutiny_http_requests_total HTTP requests answered, by route template and status.");
        let _ = writeln!(out, "# TYPE scrutiny_http_requests_total counter");
        for (route, status, n) in state.requests.snapshot() {
            let _ = writeln!(
                out,
                "scrutiny_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                crate::metrics::label(&route)
            );
        }
        let totals = repo::totals(&state.db).await.unwrap_or_else(|e| {
            tracing::warn!(error = %crate::telemetry::error_text(&e), "metrics: totals unavailable");
            repo::Totals::default()
        });
        let (signups, scans, failed) = (totals.signups, totals.scans, totals.email_failures);
        let gauges: [(&str, &str, &str, i64); 3] = [
            ("scrutiny_signups_total", "counter", "Sign-ups sent (the journey's last step).", signups),
            ("scrutiny_card_scans_total", "counter", "Card landing pages counted as scans.", scans),
            ("scrutiny_email_failures_total", "counter", "Messages given up on after every retry.", failed),
        ];
        for (name, kind, help, v) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
        }
        if let Ok(o) = crate::email::outbox_state(&state.db).await {
            let _ = writeln!(out, "# HELP scrutiny_outbox_pending Messages waiting to be sent.\n# TYPE scrutiny_outbox_pending gauge\nscrutiny_outbox_pending {}", o.pending);
            let _ = writeln!(out, "# HELP scrutiny_outbox_oldest_pending_seconds Age of the oldest waiting message.\n# TYPE scrutiny_outbox_oldest_pending_seconds gauge\nscrutiny_outbox_oldest_pending_seconds {}", o.oldest_pending_seconds);
        }
        let pool = state.db.pool();
        let (size, idle) = (pool.size(), pool.num_idle() as u32);
        let _ = writeln!(out, "# HELP scrutiny_db_connections Database connections of the read pool, by state.\n# TYPE scrutiny_db_connections gauge");
        let _ = writeln!(
            out,
            "scrutiny_db_connections{{state=\"idle\"}} {idle}\nscrutiny_db_connections{{state=\"in_use\"}} {}",
            size.saturating_sub(idle)
        );
        ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], out).into_response()
    }
}

/// Public: load balancers and monitors ask it.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::routes::Route> {
    vec![
        crate::routes::Route::public("/health", axum::routing::get(health)),
        // Token-protected inside (SCRUTINY_METRICS_TOKEN); absent when no token is set.
        crate::routes::Route::public("/metrics", axum::routing::get(metrics)),
    ]
}
