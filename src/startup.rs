//! Builds the axum router and its state, binds the listener, and hands back an
//! [`Application`] that tests can start on port 0.
use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use axum::{
    extract::{FromRef, MatchedPath, Request},
    middleware,
    routing::get,
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::{
    compression::CompressionLayer,
    services::ServeDir,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{
    app::{shell, App},
    config::Settings,
    db::Db,
    health, public, security,
};

/// Everything a handler or server function may need, passed explicitly.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    /// Public base URL for links in QR codes and emails (never the request's Host).
    pub base_url: Arc<str>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects and migrates the database, binds `LEPTOS_SITE_ADDR` and builds the router.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let db = Db::connect(&settings.database_url).await?;
        db.migrate().await?;
        let listener = TcpListener::bind(settings.site_addr).await.map_err(|e| {
            anyhow::anyhow!("could not listen on {} (LEPTOS_SITE_ADDR): {e}", settings.site_addr)
        })?;
        let address = listener.local_addr()?;
        let base_url: Arc<str> = settings.public_base_url(address).into();
        let leptos_options = LeptosOptions::builder()
            .output_name(settings.output_name.clone())
            .site_root(settings.site_root.clone())
            .site_pkg_dir(settings.site_pkg_dir.clone())
            .site_addr(address)
            .build();
        let state = AppState { leptos_options, db, settings: Arc::new(settings), base_url };
        let router = router(state.clone());
        Ok(Application { listener, address, router, state })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let site_root = PathBuf::from(state.settings.site_root.as_str());
    let pkg_dir = site_root.join(state.settings.site_pkg_dir.as_str());
    let pkg_route = format!("/{}", state.settings.site_pkg_dir);
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/health", get(health::health))
        .route("/", get(public::home))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .nest_service(&pkg_route, ServeDir::new(pkg_dir))
        .fallback_service(
            ServeDir::new(site_root).not_found_service(get(public::not_found).with_state(())),
        )
        .layer(
            // Requests are logged by route template (`/j/{code}`), never by URL: URLs
            // can carry card codes and tokens.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_else(|| "(unmatched)".to_owned());
                    tracing::info_span!("request", method = %request.method(), route)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(middleware::from_fn(security::security_headers))
        .layer(CompressionLayer::new())
        .with_state(state)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
