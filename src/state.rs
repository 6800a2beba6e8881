//! `AppState`: what every handler and server function may need, passed explicitly.
//! It sits below the features: it holds the database, settings and the shared services
//! (rate limits, form stamps, the password gate, request counts). A service that belongs
//! to one feature (the card cache, the scan recorder, the sign-up group commit, the
//! prerendered landing page) is installed at startup by that feature
//! (`<feature>::install`) and reached through that feature's own functions, so this
//! module never names a feature.
use std::{net::SocketAddr, sync::Arc};

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use tokio::sync::Notify;

use crate::{
    config::Settings,
    db::Db,
    forms::Stamper,
    limits::{LoginThrottle, OncePerWindow, RateLimiter, SharedStore},
    metrics::RequestCounts,
    password::PasswordGate,
};

/// Cloned for every request (axum's `State`), so it is one shared pointer; fields are
/// reached through `Deref`.
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
    /// Wakes the email worker when mail is queued.
    pub mail_wake: Arc<Notify>,
    /// Lookups of card codes that do not exist, per client (guessing protection).
    pub card_miss_limiter: Arc<RateLimiter>,
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
    pub requests: Arc<RequestCounts>,
    /// Services owned by one feature, by type (see the module comment).
    services: http::Extensions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The state for a server listening on `address` (or for command-line work), with
    /// the features' services already installed in `services`.
    pub async fn new(
        settings: Settings,
        db: Db,
        address: SocketAddr,
        base_url: Arc<str>,
        services: http::Extensions,
    ) -> anyhow::Result<AppState> {
        let secret = match &settings.secret {
            Some(s) => s.clone(),
            None => form_secret(&db).await?,
        };
        // Several instances share one PostgreSQL database: their limits must agree.
        // SQLite serves one instance, which keeps its limits in memory.
        let store = |scope: &'static str| {
            (db.backend() == crate::db::Backend::Postgres).then(|| SharedStore::new(db.clone(), scope, &secret))
        };
        let share = |limiter: RateLimiter, scope: &'static str| {
            Arc::new(match store(scope) {
                Some(store) => limiter.shared(store),
                None => limiter,
            })
        };
        let share_throttle = |throttle: LoginThrottle, scope: &'static str| {
            Arc::new(match store(scope) {
                Some(store) => throttle.shared(store),
                None => throttle,
            })
        };
        let once = OncePerWindow::new(std::time::Duration::from_secs(30 * 60));
        let counted_once = Arc::new(match store("counted_once") {
            Some(store) => once.shared(store),
            None => once,
        });
        Ok(AppState(Arc::new(AppStateInner {
            leptos_options: leptos_options(&settings, address),
            stamper: Stamper::new(&secret),
            signup_limiter: share(
                RateLimiter::new(settings.rate_limit, std::time::Duration::from_secs(3600)),
                "signup",
            ),
            mail_wake: Arc::new(Notify::new()),
            card_miss_limiter: share(RateLimiter::new(20, std::time::Duration::from_secs(10 * 60)), "card_miss"),
            requests: Arc::default(),
            login_throttle: share_throttle(LoginThrottle::new(5, std::time::Duration::from_secs(60)), "login_pair"),
            login_account_throttle: share_throttle(
                LoginThrottle::new(30, std::time::Duration::from_secs(60)),
                "login_account",
            ),
            login_client_limiter: share(RateLimiter::new(20, std::time::Duration::from_secs(15 * 60)), "login_client"),
            password_gate: Arc::new(PasswordGate::new(2, std::time::Duration::from_secs(2))),
            counted_once,
            services,
            db,
            settings: Arc::new(settings),
            base_url,
        })))
    }

    /// A feature's service, if startup installed one of this type.
    pub fn service<T: Clone + Send + Sync + 'static>(&self) -> Option<&T> {
        self.services.get::<T>()
    }

    /// Can text messages be sent (Notify with an SMS template)?
    pub fn can_text(&self) -> bool {
        self.settings.notify.as_ref().is_some_and(|n| n.sms_template.is_some())
    }
}

/// The key that signs form timestamps: generated once, kept in the database so every
/// instance (and every restart) agrees.
async fn form_secret(db: &Db) -> anyhow::Result<String> {
    use crate::settings::repo as settings;
    if let Some(secret) = settings::get(db, "secret.forms").await? {
        return Ok(secret);
    }
    let fresh = crate::tokens::new_token();
    settings::set_if_absent(db, "secret.forms", &fresh).await?;
    Ok(settings::get(db, "secret.forms").await?.unwrap_or(fresh))
}

fn leptos_options(settings: &Settings, address: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(settings.output_name.clone())
        .site_root(settings.site_root.clone())
        // An embedded site is asked for under its version, so browsers may keep it a year.
        .site_pkg_dir(match crate::assets::embedded(&settings.site_pkg_dir) {
            Some(site) => format!("{}/{}", settings.site_pkg_dir.trim_matches('/'), site.version()),
            None => settings.site_pkg_dir.clone(),
        })
        .site_addr(address)
        .build()
}
