//! The SQL of the retention schedule: a dry run counts; a real run deletes in short
//! transactions of at most 500 rows (safe to stop at any point: the next run goes on).
use super::{PurgeReport, Schedule};
use crate::{
    db::{Db, DbError},
    domain::RecruitStatus,
    signup::erase_in,
};

const DAY: i64 = 86_400;

/// Rows deleted per transaction: a big backlog (the first purge after a long gap) is
/// worked through in short transactions, so sign-ups never wait long for the writer.
const CHUNK: i64 = 500;

pub async fn purge(db: &Db, s: Schedule, now: i64, dry_run: bool) -> Result<PurgeReport, DbError> {
    let mut report = PurgeReport::default();

    // People: erased with everything linked to them (anonymous funnel counts stay).
    // Unconfirmed people only once a confirmation really reached a service that delivers
    // it (SMTP or Notify, not a file): someone waiting for a call is never purged for it.
    let people_sql = "SELECT id, status FROM recruits WHERE (status = 'new' AND confirmation_sent_at < $1) \
         OR (status IN ('withdrawn', 'declined') AND updated_at < $2) ORDER BY id LIMIT $3";
    loop {
        let mut tx = db.begin_write().await?;
        let people: Vec<(i64, String)> = sqlx::query_as(people_sql)
            .bind(now - s.unconfirmed_days * DAY)
            .bind(now - s.withdrawn_days * DAY)
            .bind(if dry_run { i64::MAX } else { CHUNK })
            .fetch_all(&mut *tx)
            .await?;
        for (id, status) in &people {
            if RecruitStatus::parse(status) == Ok(RecruitStatus::New) {
                report.unconfirmed_recruits += 1;
            } else {
                report.withdrawn_or_declined_recruits += 1;
            }
            if !dry_run {
                erase_in(&mut tx, *id).await?;
            }
        }
        tx.commit().await?;
        if dry_run || (people.len() as i64) < CHUNK {
            break;
        }
    }

    let rules: [(&str, &str, &str, i64, fn(&mut PurgeReport) -> &mut i64); 5] = [
        // Each card keeps its scan_count and first_scanned_at: scans live on as counts.
        ("card_scans", "id", "scanned_at < $1", now - s.scan_days * DAY, |r| &mut r.scans_folded_into_counts),
        ("sessions", "id", "expires_at < $1", now, |r| &mut r.expired_sessions),
        ("email_tokens", "token_hash", "(used_at IS NOT NULL OR expires_at < $1)", now, |r| &mut r.old_tokens),
        ("outbox", "id", "status = 'sent' AND sent_at < $1", now - 30 * DAY, |r| &mut r.sent_emails),
        // Answers from a repeat sign-up that the person never confirmed (links last 7 days).
        ("pending_answers", "id", "created_at < $1", now - 8 * DAY, |r| &mut r.unconfirmed_pending_answers),
    ];
    for (table, key, condition, cutoff, field) in rules {
        if dry_run {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE {condition}"))
                .bind(cutoff)
                .fetch_one(db.pool())
                .await?;
            *field(&mut report) = n;
            continue;
        }
        let sql =
            format!("DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} WHERE {condition} LIMIT {CHUNK})");
        loop {
            let mut tx = db.begin_write().await?;
            let n = sqlx::query(&sql).bind(cutoff).execute(&mut *tx).await?.rows_affected() as i64;
            tx.commit().await?;
            *field(&mut report) += n;
            if n < CHUNK {
                break;
            }
        }
    }
    if !dry_run {
        // Receipts ("check your email" pages) are short-lived too.
        sqlx::query("UPDATE recruits SET receipt_hash = NULL, receipt_expires = NULL WHERE receipt_expires < $1")
            .bind(now)
            .execute(db.writer())
            .await?;
    }
    Ok(report)
}
