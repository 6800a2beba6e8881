//! Builds the axum router and its state, binds the listener, and hands back an
//! [`Application`] that tests can start on port 0.
use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use axum::{middleware, routing::get, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::{
    compression::{
        predicate::{DefaultPredicate, NotForContentType, Predicate},
        CompressionLayer,
    },
    services::ServeDir,
    timeout::{RequestBodyTimeoutLayer, TimeoutLayer},
};

use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use crate::{
    app::{shell, App},
    auth::{self, access::IDLE_TIMEOUT_SECS, store::DbSessionStore},
    cards,
    config::Settings,
    db::Db,
    email::{transport::Transport, worker},
    health, info, public,
    roles::{CurrentUser, Role},
    routes::{Access, Route},
    scan, security, signup,
    state::AppState,
};

/// The state with every feature's services installed.
async fn state(settings: Settings, db: Db, address: SocketAddr, base_url: Arc<str>) -> anyhow::Result<AppState> {
    let mut services = http::Extensions::new();
    cards::install(&mut services);
    scan::install(&db, &mut services);
    signup::install(&db, &mut services);
    AppState::new(settings, db, address, base_url, services).await
}

/// State for command-line work: the database (migrated) and settings, no listener.
pub async fn cli_state(settings: Settings) -> anyhow::Result<AppState> {
    let db = Db::connect(&settings.database_url).await?;
    db.migrate().await?;
    let base_url: Arc<str> = settings.public_base_url(settings.site_addr).into();
    let address = settings.site_addr;
    state(settings, db, address, base_url).await
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
        let listener = TcpListener::bind(settings.site_addr)
            .await
            .map_err(|e| anyhow::anyhow!("could not listen on {} (LEPTOS_SITE_ADDR): {e}", settings.site_addr))?;
        let address = listener.local_addr()?;
        let base_url: Arc<str> = settings.public_base_url(address).into();
        let state = state(settings, db, address, base_url).await?;
        let transport = Transport::from_settings(&state.settings)?;
        worker::spawn(state.clone(), transport);
        crate::retention::spawn_daily(state.db.clone(), crate::retention::Schedule::from_settings(&state.settings));
        crate::insight::tally::spawn_folding(state.db.clone(), std::time::Duration::from_secs(60));
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
        let state = self.state.clone();
        let header_timeout = self.state.settings.header_timeout;
        let behind_proxy = self.state.settings.trust_proxy > 0;
        crate::serve::serve(self.listener, self.router, header_timeout, behind_proxy, shutdown_signal()).await;
        scan::flush(&state).await;
        Ok(())
    }
}

/// The Leptos page routes, generated once per process. Generating them sets a
/// process-wide flag for a moment, during which a Resource starting elsewhere never
/// resolves (a known Leptos issue): never do it while a server is answering requests.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Every plain route, from each feature, each with the access it declared.
pub fn feature_routes() -> Vec<Route> {
    [
        health::routes(),
        info::routes(),
        auth::routes(),
        signup::routes(),
        crate::email::routes(),
        cards::routes(),
        crate::recruits::routes(),
        crate::demographics::routes(),
        crate::meetings::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Server functions and the least role each declared, from each feature.
pub fn server_fn_roles() -> impl Iterator<Item = (&'static str, Role)> {
    [
        auth::api::SERVER_FN_ROLES,
        cards::api::SERVER_FN_ROLES,
        crate::recruits::api::SERVER_FN_ROLES,
        crate::demographics::api::SERVER_FN_ROLES,
        crate::insight::api::SERVER_FN_ROLES,
        crate::panels::api::SERVER_FN_ROLES,
        crate::meetings::api::SERVER_FN_ROLES,
        health::api::SERVER_FN_ROLES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// The access a Leptos page or server function declared, by its route template; None
/// when it declared nothing (refused).
pub fn declared_access(path: &str) -> Option<Access> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<&'static str, Role>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| crate::app::PAGE_ROLES.iter().copied().chain(server_fn_roles()).collect());
    table.get(path).map(|role| Access::Signed(*role))
}

/// Compression for text; never for PDFs (already compressed, and streamed) or images, nor
/// for a response with an ETag: that names one representation (the embedded site answers
/// in the encodings it made once, each with its own ETag), and compressing it again per
/// request would send other bytes under the same tag.
fn compression() -> CompressionLayer<impl Predicate> {
    let untagged = |_: http::StatusCode, _: http::Version, headers: &http::HeaderMap, _: &http::Extensions| {
        !headers.contains_key(http::header::ETAG)
    };
    CompressionLayer::new()
        .compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/pdf")).and(untagged))
}

pub fn router(state: AppState) -> Router {
    let site_root = PathBuf::from(state.settings.site_root.as_str());
    let pkg_dir = site_root.join(state.settings.site_pkg_dir.as_str());
    let pkg_route = format!("/{}", state.settings.site_pkg_dir);
    let context_state = state.clone();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("scrutiny_session")
        .with_secure(state.base_url.starts_with("https://"))
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(IDLE_TIMEOUT_SECS)));
    let shell_options = state.leptos_options.clone();
    let timeout = state.settings.request_timeout;

    // Plain routes: each with the access its feature declared.
    let mut plain: Router<AppState> = Router::new();
    for Route { path, access, handler } in feature_routes() {
        let handler = match access {
            Access::Public => handler,
            Access::Signed(role) => handler.route_layer(middleware::from_fn_with_state(
                auth::access::Need { state: state.clone(), role },
                auth::access::require,
            )),
        };
        plain = plain.route(path, handler);
    }
    // Dashboard pages and server functions: the role each declared, looked up by route.
    let pages: Router<AppState> = Router::new()
        .leptos_routes_with_context(
            &state,
            page_routes(),
            move || {
                provide_context(context_state.clone());
                // The access layer put the signed-in user on the request.
                if let Some(parts) = use_context::<http::request::Parts>() {
                    if let Some(user) = parts.extensions.get::<CurrentUser>() {
                        provide_context(user.clone());
                    }
                }
            },
            move || shell(shell_options.clone()),
        )
        .route_layer(middleware::from_fn_with_state(
            auth::access::Declared { state: state.clone(), roles: declared_access },
            auth::access::declared,
        ));

    let site: Router<AppState> = match crate::assets::embedded(&state.settings.site_pkg_dir) {
        // A release binary built with its site: every static file from memory.
        Some(site) => Router::new().fallback(move |request| crate::assets::serve(site.clone(), request)),
        // Development: the site cargo-leptos keeps rebuilding, from disk.
        None => Router::new()
            .nest_service(&pkg_route, ServeDir::new(pkg_dir))
            .fallback_service(ServeDir::new(site_root).not_found_service(get(public::not_found).with_state(()))),
    };
    plain
        .merge(pages)
        .merge(site)
        .layer(middleware::from_fn_with_state(state.requests.clone(), crate::metrics::record_request))
        // Public forms are small; refuse anything larger before reading it.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .layer(RequestBodyTimeoutLayer::new(timeout))
        .layer(TimeoutLayer::with_status_code(http::StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(sessions)
        .layer(middleware::from_fn(auth::access::same_site))
        .layer(security::security_headers())
        .layer(compression())
        .with_state(state.clone())
        // The card landing page is the busiest route and needs neither sessions nor the
        // dashboard's access check: it gets only security headers and compression.
        .merge(
            Router::new()
                .route("/j/{code}", get(scan::landing))
                .layer(middleware::from_fn_with_state(state.requests.clone(), crate::metrics::record_request))
                .layer(TimeoutLayer::with_status_code(http::StatusCode::REQUEST_TIMEOUT, timeout))
                .layer(security::security_headers())
                .layer(compression())
                .with_state(state),
        )
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
