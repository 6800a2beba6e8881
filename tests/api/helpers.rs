use std::collections::HashMap;

use scrutiny::{config::Settings, db::Db, startup::Application};
use sqlx::{Connection, Executor};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub database_url: String,
    #[allow(dead_code)] // used by the email tests
    pub data_dir: std::path::PathBuf,
    _tmp: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request failed")
    }
}

/// A database URL for one test: a temp SQLite file, or a brand-new PostgreSQL database.
pub async fn fresh_database_url(tmp: &std::path::Path) -> String {
    match std::env::var("SCRUTINY_TEST_DATABASE_URL") {
        Ok(server) if server.starts_with("postgres") => {
            let name = format!("scrutiny_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&server)
                .await
                .expect("SCRUTINY_TEST_DATABASE_URL: cannot connect to PostgreSQL");
            conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str())
                .await
                .expect("create test database");
            let (base, _) = server.rsplit_once('/').expect("URL has a database part");
            format!("{base}/{name}")
        }
        _ => format!("sqlite://{}/scrutiny.db", tmp.display()),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the real server on port 0; `extra` overrides environment settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        scrutiny::telemetry::init();
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database_url(tmp.path()).await;
    let data_dir = tmp.path().join("data");
    let mut env: HashMap<String, String> = HashMap::from([
        ("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into()),
        ("DATABASE_URL".into(), database_url.clone()),
        ("SCRUTINY_DATA_DIR".into(), data_dir.display().to_string()),
    ]);
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("settings");
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://{}", app.address());
    let db = app.state().db.clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap();
    TestApp { address, client, db, database_url, data_dir, _tmp: tmp }
}
