//! Durability: kill -9 the server in the middle of 200 concurrent sign-ups; after a
//! restart, every sign-up that was answered with success is there, exactly once.
use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use crate::helpers::{fresh_database_url, hidden, new_client};

/// The caller kills and waits for the server it gets back.
#[allow(clippy::zombie_processes)]
fn start_server(database_url: &str, data_dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("SCRUTINY_DATA_DIR", data_dir)
        .env("SCRUTINY_MIN_FILL_SECONDS", "0")
        .env("SCRUTINY_RATE_LIMIT", "100000")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = Arc::new(Mutex::new(String::new()));
    let stdout = child.stdout.take().unwrap();
    let sink = out.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "server did not start");
        let text = out.lock().unwrap().clone();
        if let Some(pos) = text.find("address=") {
            let addr = text[pos + 8..].split_whitespace().next().unwrap().to_string();
            return (child, format!("http://{addr}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn sign_up(base: String, code: String, i: usize) -> Option<String> {
    let client = new_client();
    let html = client.get(format!("{base}/j/{code}/join")).send().await.ok()?.text().await.ok()?;
    let (key, started) = (hidden(&html, "key"), hidden(&html, "started"));
    let email = format!("crash{i}@example.org");
    let fields = crate::helpers::whole_form("Crash Test", email.as_str(), &key, &started);
    let r = client.post(format!("{base}/j/{code}/join")).form(&fields).send().await.ok()?;
    (r.status() == 303).then_some(email)
}

#[tokio::test]
async fn a_killed_server_loses_no_acknowledged_sign_up() {
    let tmp = tempfile::tempdir().unwrap();
    let database_url = fresh_database_url(tmp.path()).await;
    let pdf = tmp.path().join("cards.pdf");
    let out = Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .args(["cards", "create", "--label", "Crash", "--count", "1", "--out"])
        .arg(&pdf)
        .env("DATABASE_URL", &database_url)
        .output()
        .unwrap();
    assert!(out.status.success());
    let db = scrutiny::db::Db::connect(&database_url).await.unwrap();
    let (code,): (String,) = sqlx::query_as("SELECT code FROM cards").fetch_one(db.pool()).await.unwrap();

    let (mut server, base) = start_server(&database_url, &tmp.path().join("data"));
    let tasks: Vec<_> = (0..200).map(|i| tokio::spawn(sign_up(base.clone(), code.clone(), i))).collect();
    // Let some finish, then kill -9 mid-stream.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recruits").fetch_one(db.pool()).await.unwrap();
        if n >= 40 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    let mut acknowledged = Vec::new();
    for t in tasks {
        if let Some(email) = t.await.unwrap() {
            acknowledged.push(email);
        }
    }
    assert!(
        !acknowledged.is_empty() && acknowledged.len() < 200,
        "the kill landed mid-stream: {} acknowledged",
        acknowledged.len()
    );

    let (mut server, _base) = start_server(&database_url, &tmp.path().join("data"));
    for email in &acknowledged {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recruits WHERE email_lower = $1")
            .bind(email)
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, 1, "{email} was acknowledged, so it must be there exactly once");
        let (q,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM outbox o JOIN recruits r ON r.id = o.recruit_id WHERE r.email_lower = $1 AND o.kind = 'confirm'",
        )
        .bind(email).fetch_one(db.pool()).await.unwrap();
        assert_eq!(q, 1, "{email}'s confirmation email is queued exactly once");
    }
    server.kill().unwrap();
    server.wait().unwrap();
}
