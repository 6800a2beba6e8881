//! Long fault test (run with `--ignored`; `.ci/test` runs it): the mail server is down
//! for a minute in the middle of 1,000 sign-ups; afterwards every confirmation email
//! has been delivered exactly once.
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use futures::{stream, StreamExt};

use crate::{
    helpers::{hidden, new_client, spawn_app_with},
    smtp::SmtpSink,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "long fault test: cargo test --features ssr --test api -- --ignored"]
async fn a_minute_without_smtp_during_1000_sign_ups_delivers_every_email_once() {
    let outage = std::env::var("SCRUTINY_OUTAGE_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(60u64);
    let total = 1000usize;
    let mut smtp = SmtpSink::start().await;
    let app = spawn_app_with(&[
        ("SCRUTINY_SMTP_URL", &smtp.url()),
        ("SCRUTINY_RATE_LIMIT", "100000"),
        ("SCRUTINY_MAIL_RETRY_SECONDS", "2"),
    ])
    .await;
    let batch = app.create_batch("Outage", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    let base = app.address.clone();

    let done = Arc::new(AtomicUsize::new(0));
    let counter = done.clone();
    let signups = tokio::spawn(async move {
        stream::iter(0..total)
            .for_each_concurrent(16, |i| {
                let (base, code, counter) = (base.clone(), code.clone(), counter.clone());
                async move {
                    let client = new_client();
                    let html = client.get(format!("{base}/j/{code}/join")).send().await.unwrap().text().await.unwrap();
                    let (key, started) = (hidden(&html, "key"), hidden(&html, "started"));
                    let email = format!("outage{i}@example.org");
                    let fields = crate::helpers::whole_form("Outage Test", email.as_str(), &key, &started);
                    let r = client.post(format!("{base}/j/{code}/join")).form(&fields).send().await.unwrap();
                    assert_eq!(r.status(), 303, "sign-up {i} saved");
                    counter.fetch_add(1, Ordering::SeqCst);
                }
            })
            .await
    });
    // A quarter of the way in, the mail server goes down for the outage, while
    // sign-ups carry on.
    while done.load(Ordering::SeqCst) < total / 4 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    smtp.stop();
    tokio::time::sleep(Duration::from_secs(outage)).await;
    smtp.resume().await;
    signups.await.unwrap();
    assert_eq!(done.load(Ordering::SeqCst), total);
    let mail = smtp.wait_for(total, 180).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let mail = if smtp.messages().len() > mail.len() { smtp.messages() } else { mail };
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for m in &mail {
        let to = m.lines().find(|l| l.starts_with("To:")).unwrap_or("").to_string();
        *per_recipient.entry(to).or_default() += 1;
    }
    assert_eq!(per_recipient.len(), total, "every sign-up got its email");
    assert!(per_recipient.values().all(|n| *n == 1), "no email was sent twice");
    let (sent,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = 'sent'").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(sent, total as i64);
    // The outage was felt: some emails needed more than one attempt.
    let (retried,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE attempts > 1").fetch_one(app.db.pool()).await.unwrap();
    assert!(retried > 0, "no email was retried: the outage did not happen");
}

/// A batch that takes longer than its claim's lease must not be claimed (and sent) by
/// another instance: the worker renews the claims it still holds; a claim that has run
/// out (its worker died) is not renewed, and another instance takes the messages over.
#[tokio::test]
async fn a_held_claim_is_renewed_and_a_lapsed_one_is_taken_over() {
    use scrutiny::email::repo::{claim_many, renew_claims};
    let app = crate::helpers::spawn_app().await;
    let now = scrutiny::db::now_unix();
    // Not due for an hour: the app's own worker leaves it alone.
    sqlx::query(
        "INSERT INTO outbox (recruit_id, kind, payload, status, attempts, next_attempt_at, created_at) \
         VALUES (NULL, 'message', '', 'pending', 0, $1, $2)",
    )
    .bind(now + 3600)
    .bind(now)
    .execute(app.db.pool())
    .await
    .unwrap();
    let (id,): (i64,) = sqlx::query_as("SELECT MAX(id) FROM outbox").fetch_one(app.db.pool()).await.unwrap();
    let first = claim_many(&app.db, &[id], 2).await.unwrap();
    assert_eq!(first.len(), 1, "the first instance claims it");
    assert!(claim_many(&app.db, &[id], 2).await.unwrap().is_empty(), "a second instance cannot");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(renew_claims(&app.db, &[id], 3).await.unwrap(), 1, "the holder renews");
    tokio::time::sleep(std::time::Duration::from_millis(2000)).await; // past the first lease
    assert!(claim_many(&app.db, &[id], 2).await.unwrap().is_empty(), "renewed: still not claimable");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await; // the holder died
    assert_eq!(renew_claims(&app.db, &[id], 3).await.unwrap(), 0, "a lapsed claim is not renewed");
    assert_eq!(claim_many(&app.db, &[id], 2).await.unwrap().len(), 1, "another instance takes it over");
}
