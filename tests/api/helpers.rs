use std::collections::HashMap;

use scrutiny::{config::Settings, db::Db, roles::Role, startup::Application};
use sqlx::{Connection, Executor};

pub struct TestApp {
    pub state: scrutiny::state::AppState,
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub database_url: String,
    #[allow(dead_code)] // used by the email tests
    pub data_dir: std::path::PathBuf,
    _tmp: tempfile::TempDir,
}

impl TestApp {
    /// Scans are written in batches; wait until those so far are stored.
    pub async fn flush_scans(&self) {
        scrutiny::scan::flush(&self.state).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request failed")
    }
}

/// A database URL for one test: a temp SQLite file, or a new PostgreSQL database with
/// every migration applied (a copy of [`migrated_postgres_template`]).
pub async fn fresh_database_url(tmp: &std::path::Path) -> String {
    match migrated_postgres_template().await {
        Some(template) => postgres_database_from(Some(template)).await,
        None => sqlite_url(tmp),
    }
}

/// A PostgreSQL database migrated once per test run, then copied for each test (`CREATE
/// DATABASE … TEMPLATE`): migrating each new database took ~150 ms of the server's time,
/// for ~170 tests a run. The migrations themselves still run from nothing, here and in
/// the schema comparison (tests/api/schema.rs), which uses an empty database.
async fn migrated_postgres_template() -> Option<&'static str> {
    static TEMPLATE: tokio::sync::OnceCell<Option<String>> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let url = fresh_postgres_url().await?;
            let db = Db::connect(&url).await.expect("connect to the template database");
            db.migrate().await.expect("migrate the template database");
            // A template cannot be copied while anyone is connected to it.
            db.close().await;
            Some(url.rsplit_once('/').expect("URL has a database part").1.to_string())
        })
        .await
        .as_deref()
}

/// A SQLite database file in `tmp` (created when first opened).
pub fn sqlite_url(tmp: &std::path::Path) -> String {
    format!("sqlite://{}/scrutiny.db", tmp.display())
}

/// A brand-new PostgreSQL database on the server `SCRUTINY_TEST_DATABASE_URL` names,
/// or None when it names none.
pub async fn fresh_postgres_url() -> Option<String> {
    std::env::var("SCRUTINY_TEST_DATABASE_URL").ok().filter(|s| s.starts_with("postgres"))?;
    Some(postgres_database_from(None).await)
}

/// A new database on the PostgreSQL test server: empty, or a copy of `template`.
async fn postgres_database_from(template: Option<&str>) -> String {
    let server = std::env::var("SCRUTINY_TEST_DATABASE_URL").expect("a PostgreSQL test server");
    let name = format!("scrutiny_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn =
        sqlx::PgConnection::connect(&server).await.expect("SCRUTINY_TEST_DATABASE_URL: cannot connect to PostgreSQL");
    let from = template.map(|t| format!(r#" TEMPLATE "{t}""#)).unwrap_or_default();
    conn.execute(format!(r#"CREATE DATABASE "{name}"{from}"#).as_str()).await.expect("create test database");
    let (base, _) = server.rsplit_once('/').expect("URL has a database part");
    format!("{base}/{name}")
}

/// Drops a database [`fresh_postgres_url`] made (close every pool on it first).
pub async fn drop_postgres_database(url: &str) {
    let server = std::env::var("SCRUTINY_TEST_DATABASE_URL").expect("a PostgreSQL test server");
    let (_, name) = url.rsplit_once('/').expect("URL has a database part");
    assert!(name.starts_with("scrutiny_test_"), "only test databases are dropped: {name}");
    let mut conn = sqlx::PgConnection::connect(&server).await.expect("connect to PostgreSQL");
    conn.execute(format!(r#"DROP DATABASE "{name}""#).as_str()).await.expect("drop test database");
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the real server on port 0; `extra` overrides environment settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        scrutiny::telemetry::init(false);
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(tmp.path()).await;
    let data_dir = tmp.path().join("data");
    let mut env: HashMap<String, String> = HashMap::from([
        ("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into()),
        ("DATABASE_URL".into(), database_url.clone()),
        ("SCRUTINY_DATA_DIR".into(), data_dir.display().to_string()),
        // Tests submit forms instantly; the minimum fill time has its own test.
        ("SCRUTINY_MIN_FILL_SECONDS".into(), "0".into()),
        ("SCRUTINY_MAIL_RETRY_SECONDS".into(), "1".into()),
        ("SCRUTINY_MAIL_POLL_SECONDS".into(), "1".into()),
        // As deployed behind one proxy: `person_client` gives each simulated person an
        // address of their own through X-Forwarded-For (clients without it are the peer).
        ("SCRUTINY_TRUST_PROXY".into(), "1".into()),
    ]);
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("settings");
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://{}", app.address());
    let db = app.state().db.clone();
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let client = new_client();
    let app = TestApp { state, address, client, db, database_url, data_dir, _tmp: tmp };
    // The default client is a signed-in admin; other tests make their own clients.
    app.sign_in(&app.client, Role::Admin).await;
    app
}

pub fn new_client() -> reqwest::Client {
    client_builder().build().unwrap()
}

/// Never hang a test on a request the server read and never answered: fail with the URL.
fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .timeout(std::time::Duration::from_secs(60))
}

/// A client standing for one person: their own address, as our (trusted) proxy would
/// report it. `seed` picks the address, so the same seed is the same person.
pub fn person_client(seed: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", ip_for(seed).parse().unwrap());
    client_builder().default_headers(headers).build().unwrap()
}

pub fn ip_for(seed: &str) -> String {
    let h = seed.bytes().fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
    format!("10.{}.{}.{}", (h >> 16) & 0xff, (h >> 8) & 0xff, (h & 0xff).max(1))
}

/// The first link to `path` in an email in the outbox folder (no SMTP configured) whose
/// text contains `marker`; waits up to 10 s for the worker to write it.
pub async fn outbox_link(app: &TestApp, marker: &str, path: &str) -> String {
    let dir = app.data_dir.join("outbox");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        for f in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(f.path()).unwrap_or_default().replace("\r\n", "\n");
            let text = text.replace("=\n", "").replace("=3D", "=");
            if text.contains(marker) {
                if let Some(link) = crate::smtp::link_in(&text, path) {
                    return link;
                }
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no email with {marker:?} and a {path} link in the outbox folder"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

pub const TEST_PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Creates `<role>@test.example` (once) and signs `client` in as that user.
    pub async fn sign_in(&self, client: &reqwest::Client, role: Role) {
        let email = format!("{}@test.example", role.code());
        if scrutiny::auth::repo::find_by_email(&self.db, &email).await.unwrap().is_none() {
            let hash = scrutiny::password::hash(TEST_PASSWORD.into()).await.unwrap();
            scrutiny::auth::repo::add(&self.db, &email, role, &hash).await.unwrap();
        }
        let response = client
            .post(self.url("/admin/login"))
            .form(&[("email", email.as_str()), ("password", TEST_PASSWORD), ("next", "/admin")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "sign-in as {email}");
    }

    pub async fn client_as(&self, role: Role) -> reqwest::Client {
        let client = new_client();
        self.sign_in(&client, role).await;
        client
    }
}

/// The whole sign-up form as sent from its last step ("check"): `name` and `email`, by
/// email, 18–24, lives in the area, no equality answers, with the journey's `key` and
/// `started` stamp from the form page.
pub fn whole_form<'a>(name: &'a str, email: &'a str, key: &'a str, started: &'a str) -> [(&'a str, &'a str); 11] {
    [
        ("name", name),
        ("email", email),
        ("contact_method", "email"),
        ("age_band", "18-24"),
        ("connection", "live"),
        ("equality", "no"),
        ("key", key),
        ("started", started),
        ("step", "check"),
        ("action", "continue"),
        ("lang", "en"),
    ]
}

/// The value of a hidden input in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker).unwrap_or_else(|| panic!("no hidden {name}")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}
