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
use tokio::{net::TcpListener, sync::Notify};
use tower_http::{
    compression::CompressionLayer,
    services::ServeDir,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use crate::{
    app::{shell, App},
    auth::{self, store::DbSessionStore, CurrentUser},
    config::Settings,
    cards,
    db::Db,
    email::{transport::Transport, worker},
    health, public, scan, security,
    signup::{
        self,
        guard::{RateLimiter, Stamper},
    },
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
    /// Failed logins per account (5 per 15 minutes).
    pub login_limiter: Arc<RateLimiter>,
    /// Failed logins per client address (20 per 15 minutes).
    pub login_client_limiter: Arc<RateLimiter>,
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
        let state = AppState::new(settings, db, address, base_url).await?;
        let transport = Transport::from_settings(state.settings.smtp_url.as_deref(), &state.settings.data_dir)?;
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
        let served = axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await;
        scans.flush().await;
        served
    }
}

impl AppState {
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
            signups: (db.backend() == crate::db::Backend::Sqlite)
                .then(|| crate::signup::committer::SignupCommitter::spawn(db.clone())),
            login_limiter: Arc::new(RateLimiter::new(5, std::time::Duration::from_secs(15 * 60))),
            login_client_limiter: Arc::new(RateLimiter::new(20, std::time::Duration::from_secs(15 * 60))),
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

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let site_root = PathBuf::from(state.settings.site_root.as_str());
    let pkg_dir = site_root.join(state.settings.site_pkg_dir.as_str());
    let pkg_route = format!("/{}", state.settings.site_pkg_dir);
    let context_state = state.clone();
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("scrutiny_session")
        .with_secure(state.base_url.starts_with("https://"))
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(30)));
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/health", get(health::health))
        .route("/", get(public::info::home))
        .route("/privacy", get(public::info::privacy))
        .route("/admin/login", get(auth::handlers::login_form).post(auth::handlers::login))
        .route("/admin/logout", axum::routing::post(auth::handlers::logout))
        .route("/rights", get(public::info::rights))
        .route("/j/{code}/join", get(signup::handlers::start_from_card).post(signup::handlers::answer_from_card))
        .route("/join", get(signup::handlers::start_without_card).post(signup::handlers::answer_without_card))
        .route("/signup/sent/{receipt}", get(signup::handlers::sent).post(signup::handlers::resend))
        .route("/confirm/{token}", get(signup::handlers::confirm))
        .route("/withdraw/{token}", get(signup::handlers::withdraw_page).post(signup::handlers::withdraw))
        .route("/admin/cards/{id}/cards-a4.pdf", get(cards::download::a4_pdf))
        .route("/admin/cards/{id}/cards-cr80.pdf", get(cards::download::cr80_pdf))
        .route("/admin/cards/{id}/qr/{file}", get(cards::download::qr_svg))
        .route("/admin/recruits/{id}/export.json", get(crate::recruits::export::export_json))
        .route("/admin/recruits/status", axum::routing::post(crate::recruits::pipeline::change_status))
        .route("/admin/recruits/invite", axum::routing::post(crate::recruits::invite::send))
        .route("/admin/recruits/export.csv", get(crate::recruits::export::export_csv))
        // police.uk files run to a few MB; this route alone accepts up to 64 MB.
        .route("/admin/imports", axum::routing::post(upload_police_uk).layer(axum::extract::DefaultBodyLimit::max(64 << 20)))
        .route("/admin/recruits/{id}/note", axum::routing::post(crate::recruits::pipeline::add_note))
        .leptos_routes_with_context(
            &state,
            routes,
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
        .nest_service(&pkg_route, ServeDir::new(pkg_dir))
        .fallback_service(
            ServeDir::new(site_root).not_found_service(get(public::not_found).with_state(())),
        )
        .layer(request_log())
        // Public forms are small; refuse anything larger before reading it.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .layer(middleware::from_fn_with_state(state.clone(), auth::access::access))
        .layer(sessions)
        .layer(security::security_headers())
        .layer(CompressionLayer::new())
        .with_state(state.clone())
        // The card landing page is the busiest route and needs neither sessions nor the
        // dashboard's access check: it gets only security headers and compression.
        .merge(
            Router::new()
                .route("/j/{code}", get(scan::landing))
                .layer(request_log())
                .layer(security::security_headers())
                .layer(CompressionLayer::new())
                .with_state(state),
        )
}

use crate::demographics::upload::upload as upload_police_uk;

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
