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
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::{net::TcpListener, sync::Notify};
use tower_http::{
    compression::{
        predicate::{DefaultPredicate, NotForContentType, Predicate},
        CompressionLayer,
    },
    services::ServeDir,
    timeout::{RequestBodyTimeoutLayer, TimeoutLayer},
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use crate::{
    app::{shell, App},
    auth::{self, access::IDLE_TIMEOUT_SECS, password::PasswordGate, store::DbSessionStore, CurrentUser, Role},
    cards,
    config::Settings,
    db::Db,
    email::{transport::Transport, worker},
    health,
    limits::{LoginThrottle, OncePerWindow, RateLimiter},
    public,
    routes::{Access, Route},
    scan, security,
    signup::{self, guard::Stamper},
};

/// Everything a handler or server function may need, passed explicitly. Cloned for every
/// request (axum's `State`), so it is one shared pointer; fields are reached through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;
    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

pub struct AppStateInner {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub settings: Arc<Settings>,
    /// Public base URL for links in QR codes and emails (never the request's Host).
    pub base_url: Arc<str>,
    /// Signs the start time of sign-up forms.
    pub stamper: Stamper,
    /// Sign-up submissions per client and per card code.
    pub signup_limiter: Arc<RateLimiter>,
    /// Writes card scans in batches.
    pub scans: crate::scan::recorder::ScanRecorder,
    /// Wakes the email worker when mail is queued.
    pub mail_wake: Arc<Notify>,
    /// Lookups of card codes that do not exist, per client (guessing protection).
    pub card_miss_limiter: Arc<RateLimiter>,
    /// Group commit for sign-ups (SQLite only; PostgreSQL groups commits itself).
    pub signups: Option<crate::signup::committer::SignupCommitter>,
    /// The card landing page, rendered once per language.
    pub landing_pages: Arc<crate::scan::LandingPages>,
    /// Card code → batch and batch status, for `/j/<code>`.
    pub card_cache: Arc<crate::cards::cache::CardCache>,
    /// Failed sign-ins per account and client address: 5 free, then doubling delays up to
    /// a minute (one address cannot lock anyone else out).
    pub login_throttle: Arc<LoginThrottle>,
    /// Failed sign-ins per account from all addresses: 30 free, then doubling delays up
    /// to a minute; a browser that signed in to the account before (device cookie) is not
    /// held back by it.
    pub login_account_throttle: Arc<LoginThrottle>,
    /// Sign-in attempts per client address (20 per 15 minutes).
    pub login_client_limiter: Arc<RateLimiter>,
    /// At most two password hashes at once; others wait briefly or get 503.
    pub password_gate: Arc<PasswordGate>,
    /// Scans and journey starts count once per client and card per 30 minutes.
    pub counted_once: Arc<OncePerWindow>,
    /// Requests by route template and status, for `/metrics`.
    pub requests: Arc<crate::metrics::RequestCounts>,
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
        let listener = TcpListener::bind(settings.site_addr)
            .await
            .map_err(|e| anyhow::anyhow!("could not listen on {} (LEPTOS_SITE_ADDR): {e}", settings.site_addr))?;
        let address = listener.local_addr()?;
        let base_url: Arc<str> = settings.public_base_url(address).into();
        let state = AppState::new(settings, db, address, base_url).await?;
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
        let scans = self.state.scans.clone();
        let header_timeout = self.state.settings.header_timeout;
        let behind_proxy = self.state.settings.trust_proxy > 0;
        crate::serve::serve(self.listener, self.router, header_timeout, behind_proxy, shutdown_signal()).await;
        scans.flush().await;
        Ok(())
    }
}

impl AppState {
    /// Can text messages be sent (Notify with an SMS template)?
    pub fn can_text(&self) -> bool {
        self.settings.notify.as_ref().is_some_and(|n| n.sms_template.is_some())
    }

    /// State for command-line work: the database (migrated) and settings, no listener.
    pub async fn for_cli(settings: Settings) -> anyhow::Result<AppState> {
        let db = Db::connect(&settings.database_url).await?;
        db.migrate().await?;
        let base_url: Arc<str> = settings.public_base_url(settings.site_addr).into();
        let address = settings.site_addr;
        AppState::new(settings, db, address, base_url).await
    }

    async fn new(settings: Settings, db: Db, address: SocketAddr, base_url: Arc<str>) -> anyhow::Result<AppState> {
        let secret = match &settings.secret {
            Some(s) => s.clone(),
            None => form_secret(&db).await?,
        };
        Ok(AppState(Arc::new(AppStateInner {
            leptos_options: leptos_options(&settings, address),
            stamper: Stamper::new(&secret),
            signup_limiter: Arc::new(RateLimiter::new(settings.rate_limit, std::time::Duration::from_secs(3600))),
            mail_wake: Arc::new(Notify::new()),
            scans: crate::scan::recorder::ScanRecorder::spawn(db.clone()),
            card_miss_limiter: Arc::new(RateLimiter::new(20, std::time::Duration::from_secs(10 * 60))),
            card_cache: Arc::default(),
            landing_pages: Arc::default(),
            requests: Arc::default(),
            signups: (db.backend() == crate::db::Backend::Sqlite)
                .then(|| crate::signup::committer::SignupCommitter::spawn(db.clone())),
            login_throttle: Arc::new(LoginThrottle::new(5, std::time::Duration::from_secs(60))),
            login_account_throttle: Arc::new(LoginThrottle::new(30, std::time::Duration::from_secs(60))),
            login_client_limiter: Arc::new(RateLimiter::new(20, std::time::Duration::from_secs(15 * 60))),
            password_gate: Arc::new(PasswordGate::new(2, std::time::Duration::from_secs(2))),
            counted_once: Arc::new(OncePerWindow::new(std::time::Duration::from_secs(30 * 60))),
            db,
            settings: Arc::new(settings),
            base_url,
        })))
    }
}

/// The key that signs form timestamps: generated once, kept in the database so every
/// instance (and every restart) agrees.
async fn form_secret(db: &Db) -> anyhow::Result<String> {
    use crate::settings::repo as settings;
    if let Some(secret) = settings::get(db, "secret.forms").await? {
        return Ok(secret);
    }
    let fresh = crate::email::tokens::new_token();
    settings::set_if_absent(db, "secret.forms", &fresh).await?;
    Ok(settings::get(db, "secret.forms").await?.unwrap_or(fresh))
}

fn leptos_options(settings: &Settings, address: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(settings.output_name.clone())
        .site_root(settings.site_root.clone())
        .site_pkg_dir(settings.site_pkg_dir.clone())
        .site_addr(address)
        .build()
}

type RequestLog = TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    fn(&Request) -> tracing::Span,
    (),
    DefaultOnResponse,
>;

/// Requests are logged by route template (`/j/{code}`), never by URL: URLs can carry card
/// codes and tokens.
fn request_log() -> RequestLog {
    fn span(request: &Request) -> tracing::Span {
        // Fields are worked out only when the span is enabled (not at all under RUST_LOG=warn).
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = request.extensions().get::<MatchedPath>().map_or("(unmatched)", |p| p.as_str()),
        )
    }
    TraceLayer::new_for_http()
        .make_span_with(span as fn(&Request) -> tracing::Span)
        .on_request(())
        .on_response(DefaultOnResponse::new().level(Level::INFO))
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
        public::routes(),
        auth::routes(),
        signup::routes(),
        crate::email::routes(),
        cards::routes(),
        crate::recruits::routes(),
        crate::demographics::routes(),
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

/// Compression for text; never for PDFs (already compressed, and streamed) or images.
fn compression() -> CompressionLayer<impl Predicate + Clone> {
    CompressionLayer::new().compress_when(DefaultPredicate::new().and(NotForContentType::const_new("application/pdf")))
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
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::access::declared));

    plain
        .merge(pages)
        .nest_service(&pkg_route, ServeDir::new(pkg_dir))
        .fallback_service(ServeDir::new(site_root).not_found_service(get(public::not_found).with_state(())))
        .layer(middleware::from_fn_with_state(state.requests.clone(), crate::metrics::count_requests))
        .layer(request_log())
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
                .layer(middleware::from_fn_with_state(state.requests.clone(), crate::metrics::count_requests))
                .layer(request_log())
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
