use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::{Arc, Mutex},
};

use scrutiny::retention::{purge, PurgeReport, Schedule};

use crate::helpers::{hidden, new_client, spawn_app, spawn_app_with, TestApp};

const SCHEDULE: Schedule = Schedule { unconfirmed_days: 30, withdrawn_days: 90, scan_days: 365 };
const DAY: i64 = 86_400;

/// Signs someone up through the public form and returns their recruit id.
/// Signs "Casey Doe" up through the real form (no equality answers); returns their id.
pub async fn sign_up(app: &TestApp, code: &str, email: &str) -> i64 {
    crate::insight::sign_up_named(app, code, "Casey Doe", email, "25-34", None).await;
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM recruits WHERE email_lower = $1")
        .bind(email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(app.db.pool()).await.unwrap();
}

#[tokio::test]
async fn purge_follows_the_schedule_and_dry_run_changes_nothing() {
    let app = spawn_app().await;
    let batch = app.create_batch("Retention", 2).await;
    let code = app.codes_of(batch).await[0].clone();
    let old_unconfirmed = sign_up(&app, &code, "old@example.org").await;
    let recent_unconfirmed = sign_up(&app, &code, "recent@example.org").await;
    let old_withdrawn = sign_up(&app, &code, "gone@example.org").await;
    let old_confirmed = sign_up(&app, &code, "member@example.org").await;
    let now = scrutiny::db::now_unix();
    // Their confirmation email was accepted by a mail service 31 days ago (the clock for
    // unconfirmed sign-ups starts then, not at sign-up).
    exec(
        &app,
        &format!(
            "UPDATE recruits SET created_at = {0}, confirmation_sent_at = {0} WHERE id = {old_unconfirmed}",
            now - 31 * DAY
        ),
    )
    .await;
    exec(
        &app,
        &format!("UPDATE recruits SET confirmation_sent_at = {} WHERE id = {recent_unconfirmed}", now - 2 * DAY),
    )
    .await;
    exec(
        &app,
        &format!(
            "UPDATE recruits SET status = 'withdrawn', updated_at = {} WHERE id = {old_withdrawn}",
            now - 91 * DAY
        ),
    )
    .await;
    exec(
        &app,
        &format!(
            "UPDATE recruits SET status = 'confirmed', created_at = {} WHERE id = {old_confirmed}",
            now - 400 * DAY
        ),
    )
    .await;
    for person in ["first scanner", "second scanner"] {
        crate::helpers::person_client(person).get(app.url(&format!("/j/{code}"))).send().await.unwrap();
    }
    app.flush_scans().await;
    exec(
        &app,
        &format!("UPDATE card_scans SET scanned_at = {} WHERE id IN (SELECT MIN(id) FROM card_scans)", now - 400 * DAY),
    )
    .await;

    let preview = purge(&app.db, SCHEDULE, true).await.unwrap();
    assert_eq!(preview.unconfirmed_recruits, 1);
    assert_eq!(preview.withdrawn_or_declined_recruits, 1);
    assert_eq!(preview.scans_folded_into_counts, 1);
    let (people,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recruits").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(people, 4, "a dry run deletes nothing");

    let done: PurgeReport = purge(&app.db, SCHEDULE, false).await.unwrap();
    assert_eq!(done.unconfirmed_recruits, 1);
    let left: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM recruits ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    assert_eq!(left, vec![(recent_unconfirmed,), (old_confirmed,)]);
    let (scans, counted): (i64, i64) =
        sqlx::query_as("SELECT (SELECT COUNT(*) FROM card_scans), (SELECT CAST(SUM(scan_count) AS BIGINT) FROM cards)")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!((scans, counted), (1, 2), "old scans are kept only as counts");
    assert_eq!(purge(&app.db, SCHEDULE, false).await.unwrap().unconfirmed_recruits, 0, "idempotent");
}

#[tokio::test]
async fn backup_is_consistent_while_running_and_restores() {
    let app = spawn_app().await;
    if app.database_url.starts_with("postgres") {
        // PostgreSQL backups use pg_dump (README); `scrutiny backup` says so.
        let out = Command::new(env!("CARGO_BIN_EXE_scrutiny"))
            .args(["backup", "/tmp/x.db"])
            .env("DATABASE_URL", &app.database_url)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        return;
    }
    let batch = app.create_batch("Backed up", 4).await;
    let code = app.codes_of(batch).await[0].clone();
    sign_up(&app, &code, "kept@example.org").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.db");
    let out = Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .arg("backup")
        .arg(&file)
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .arg("backup")
        .arg(&file)
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(!again.status.success(), "never overwrites an existing file");

    // Restore: run the app on the copy.
    let restored_url = format!("sqlite://{}", file.display());
    let restored = spawn_app_with(&[("DATABASE_URL", &restored_url)]).await;
    let (people,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recruits WHERE email_lower = 'kept@example.org'")
        .fetch_one(restored.db.pool())
        .await
        .unwrap();
    assert_eq!(people, 1);
    assert_eq!(restored.get(&format!("/j/{code}")).await.status(), 200, "cards work from the restored copy");
}

#[tokio::test]
async fn no_personal_data_reaches_the_logs() {
    let app = spawn_app().await; // only to make a database with a card in it
    let batch = app.create_batch("Logs", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    if app.database_url.starts_with("postgres") {
        return; // the binary below shares this SQLite file; the PostgreSQL run covers the rest
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .arg("serve")
        .env("DATABASE_URL", &app.database_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("SCRUTINY_DATA_DIR", app.data_dir.join("logs-test"))
        .env("SCRUTINY_MIN_FILL_SECONDS", "0")
        .env("SCRUTINY_MAIL_POLL_SECONDS", "1")
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let logs = Arc::new(Mutex::new(String::new()));
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let logs = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                logs.lock().unwrap().push_str(&line);
                logs.lock().unwrap().push('\n');
            }
        });
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let address = loop {
        assert!(std::time::Instant::now() < deadline, "server did not log its address");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let text = logs.lock().unwrap().clone();
        if let Some(pos) = text.find("address=") {
            break text[pos + 8..].split_whitespace().next().unwrap().to_string();
        }
    };
    let base = format!("http://{address}");
    let client = new_client();
    let html = client.get(format!("{base}/j/{code}/join")).send().await.unwrap().text().await.unwrap();
    let (key, started) = (hidden(&html, "key"), hidden(&html, "started"));
    let fields = [
        ("name", "Zebedee Quartermaine"),
        ("email", "zebedee.q@example.org"),
        ("phone", "07700 900123"),
        ("contact_method", "email"),
        ("age_band", "25-34"),
        ("postcode", "SW1A 2AA"),
        ("connection", "work"),
        ("equality", "yes"),
        ("ethnic_group", "other"),
        ("ethnic_detail", "other_any"),
        ("ethnic_other", "Kurdish"),
        ("key", &key),
        ("started", &started),
        ("step", "check"),
        ("action", "continue"),
        ("lang", "en"),
    ];
    let r = client.post(format!("{base}/j/{code}/join")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let sent = r.headers()["location"].to_str().unwrap().to_string();
    client.get(format!("{base}{sent}")).send().await.unwrap();
    // A method is text the requester chooses: it reached the log verbatim (a card code).
    let odd = reqwest::Method::from_bytes(code.as_bytes()).unwrap();
    client.request(odd, format!("{base}/admin")).send().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await; // let the email worker run
    child.kill().unwrap();
    child.wait().unwrap();
    let text = logs.lock().unwrap().clone();
    assert!(text.contains("request"), "logs were captured: {}", &text[..text.len().min(500)]);
    // One line per request, by route template and status; written out while the server ran
    // (it was killed, so nothing was written at exit).
    assert!(text.contains(r#"request method=POST route="/j/{code}/join" status=303"#), "{text}");
    assert!(text.contains(r#"request method=(other) route="/admin""#), "{text}");
    for secret in ["Zebedee", "Quartermaine", "zebedee.q", "07700", "SW1A", "Kurdish", &code, &key, &sent[14..40]] {
        assert!(!text.contains(secret), "the logs contain {secret}");
    }
}

/// Whatever reads the server's standard output may stop reading (a paused terminal, a
/// stuck log shipper). Found from outside: after about 12,000 requests every request waited
/// on the full pipe, and SIGTERM did not stop the server. Now requests never write to it,
/// and the server stops within seconds with the reader still stuck.
#[tokio::test]
async fn a_log_reader_that_stops_reading_stops_nothing() {
    let app = spawn_app().await;
    let batch = app.create_batch("Stuck log", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    if app.database_url.starts_with("postgres") {
        return; // the binary below shares this SQLite file
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .arg("serve")
        .env("DATABASE_URL", &app.database_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("SCRUTINY_DATA_DIR", app.data_dir.join("stuck-log"))
        .env("SCRUTINY_RATE_LIMIT", "1000000")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Read up to the address, then never again: the pipe (64 KiB) fills after ~600 lines.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let address = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "server ended before its address");
        if let Some(pos) = line.find("address=") {
            break line[pos + 8..].split_whitespace().next().unwrap().to_string();
        }
    };
    let client = new_client();
    let url = format!("http://{address}/j/{code}");
    for i in 0..3_000 {
        let answer = tokio::time::timeout(std::time::Duration::from_secs(5), client.get(&url).send()).await;
        assert!(matches!(&answer, Ok(Ok(r)) if r.status() == 200), "request {i} not answered: {answer:?}");
    }
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(15) {
            child.kill().unwrap();
            panic!("the server did not stop within 15 s of SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    drop(stdout);
}

#[tokio::test]
async fn a_large_backlog_is_purged_completely_in_short_transactions() {
    let app = spawn_app().await;
    let batch = app.create_batch("Backlog", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    let old = scrutiny::db::now_unix() - 400 * DAY;
    // 1,201 year-old scans (more than two chunks of 500) and 1,201 expired sessions.
    for start in (0..1201).step_by(300) {
        let n = (1201 - start).min(300);
        let values: Vec<String> = (0..n).map(|_| format!("('{code}', {batch}, {old})")).collect();
        exec(&app, &format!("INSERT INTO card_scans (card_code, batch_id, scanned_at) VALUES {}", values.join(", ")))
            .await;
        let sessions: Vec<String> = (0..n).map(|i| format!("('s{}', '{{}}', {old})", start + i)).collect();
        exec(&app, &format!("INSERT INTO sessions (id, data, expires_at) VALUES {}", sessions.join(", "))).await;
    }
    let schedule = scrutiny::retention::Schedule::from_settings(&app.state.settings);
    let dry = scrutiny::retention::purge(&app.db, schedule, true).await.unwrap();
    assert_eq!((dry.scans_folded_into_counts, dry.expired_sessions), (1201, 1201));
    let done = scrutiny::retention::purge(&app.db, schedule, false).await.unwrap();
    assert_eq!((done.scans_folded_into_counts, done.expired_sessions), (1201, 1201));
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM card_scans").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(left, 0);
}
