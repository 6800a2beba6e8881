//! Durable sign-ups per second against the release binary, with latency percentiles.
//! `cargo bench --features ssr --bench signups` (SQLite in a temp folder), or with
//! `BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL. `SIGNUPS` (default 5000) and
//! `CONCURRENCY` (default 32) tune it. Client and server share this machine's cores.
//! Confirmation emails go to an SMTP server on loopback (the tests' sink), as in a real
//! deployment; `SCRUTINY_SMTP_URL` points them elsewhere. (Without SMTP the app writes
//! `.eml` files, and on ext4 every database fsync then also waits for those files.)
use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use futures::{stream, StreamExt};

#[path = "../tests/api/smtp.rs"]
#[allow(dead_code)]
mod smtp;
use scrutiny::forms::Stamper;

fn main() {
    let total: usize = std::env::var("SIGNUPS").ok().and_then(|v| v.parse().ok()).unwrap_or(5000);
    let concurrency: usize = std::env::var("CONCURRENCY").ok().and_then(|v| v.parse().ok()).unwrap_or(32);
    let tmp = tempfile::tempdir().unwrap();
    let database_url =
        std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| format!("sqlite://{}/bench.db", tmp.path().display()));
    let bin = env!("CARGO_BIN_EXE_scrutiny");
    let pdf = tmp.path().join("c.pdf");
    let out = Command::new(bin)
        .args(["cards", "create", "--label", "Bench", "--count", "1", "--out"])
        .arg(&pdf)
        .env("DATABASE_URL", &database_url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sink = rt.block_on(smtp::SmtpSink::start());
    let smtp_url = std::env::var("SCRUTINY_SMTP_URL").unwrap_or_else(|_| sink.url());
    let mut server = Command::new(bin)
        .arg("serve")
        .env("DATABASE_URL", &database_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("SCRUTINY_DATA_DIR", tmp.path().join("data"))
        .env("SCRUTINY_SECRET", "bench-secret")
        .env("SCRUTINY_SMTP_URL", &smtp_url)
        .env("SCRUTINY_MIN_FILL_SECONDS", "0")
        .env("SCRUTINY_RATE_LIMIT", "100000000")
        .env("RUST_LOG", "warn,scrutiny=info")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(pos) = line.find("address=") {
            break line[pos + 8..].split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let base = format!("http://{address}");
    let code = rt.block_on(async {
        let db = scrutiny::db::Db::connect(&database_url).await.unwrap();
        let (code,): (String,) = sqlx::query_as("SELECT code FROM cards").fetch_one(db.pool()).await.unwrap();
        code
    });
    let stamper = Stamper::new("bench-secret");
    let stamped_at = scrutiny::db::now_unix() - 60;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = format!("{base}/j/{code}/join");
    let run = Instant::now();
    let mut latencies: Vec<Duration> = rt.block_on(async {
        stream::iter(0..total)
            .map(|i| {
                let (client, url) = (client.clone(), url.clone());
                // Each form's stamp is bound to its key (43 URL-safe characters).
                let key = format!("bench-key-{i:08}-{}", "0".repeat(24));
                let started = stamper.stamp(stamped_at, &key);
                async move {
                    let email = format!("bench{i}@example.org");
                    let fields = [
                        ("name", "Bench Mark"),
                        ("email", email.as_str()),
                        ("contact_method", "email"),
                        ("age_band", "18-24"),
                        ("connection", "live"),
                        ("equality", "no"),
                        ("key", key.as_str()),
                        ("started", started.as_str()),
                        ("step", "check"),
                        ("action", "continue"),
                        ("lang", "en"),
                    ];
                    let t = Instant::now();
                    let r = client.post(&url).form(&fields).send().await.unwrap();
                    assert_eq!(r.status(), 303, "sign-up {i}");
                    t.elapsed()
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await
    });
    let elapsed = run.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let backend = if database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!(
        "{backend}: {total} durable sign-ups in {:.2} s = {:.0}/s (concurrency {concurrency}); p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3,
    );
    rt.block_on(async {
        let db = scrutiny::db::Db::connect(&database_url).await.unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recruits").fetch_one(db.pool()).await.unwrap();
        assert_eq!(n as usize, total, "every acknowledged sign-up is stored");
    });
    if smtp_url == sink.url() {
        let sent = Instant::now();
        let got = rt.block_on(sink.wait_for(total, 120)).len();
        println!(
            "confirmation emails received by SMTP: {got} ({:.1} s after the last sign-up)",
            sent.elapsed().as_secs_f64()
        );
    }
    server.kill().ok();
    server.wait().ok();
}
