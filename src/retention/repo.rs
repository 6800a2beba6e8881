//! The SQL of the retention schedule. Each rule counts first; unless it is a dry run,
//! it then deletes, all in one transaction.
use super::{PurgeReport, Schedule};
use crate::{db::Db, error::AppError, signup::repo::erase_in};

const DAY: i64 = 86_400;

pub async fn purge(db: &Db, s: Schedule, now: i64, dry_run: bool) -> Result<PurgeReport, AppError> {
    let mut tx = db.begin_write().await?;
    let mut report = PurgeReport::default();

    // People: erased with everything linked to them (anonymous funnel counts stay).
    let people: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, status FROM recruits WHERE (status = 'new' AND created_at < $1) \
         OR (status IN ('withdrawn', 'declined') AND updated_at < $2)",
    )
    .bind(now - s.unconfirmed_days * DAY)
    .bind(now - s.withdrawn_days * DAY)
    .fetch_all(&mut *tx)
    .await?;
    for (id, status) in &people {
        if status == "new" {
            report.unconfirmed_recruits += 1;
        } else {
            report.withdrawn_or_declined_recruits += 1;
        }
        if !dry_run {
            erase_in(&mut tx, *id).await?;
        }
    }

    let rules: [(&str, &str, i64, fn(&mut PurgeReport) -> &mut i64); 4] = [
        // Each card keeps its scan_count and first_scanned_at: scans live on as counts.
        ("card_scans", "scanned_at < $1", now - s.scan_days * DAY, |r| &mut r.scans_folded_into_counts),
        ("sessions", "expires_at < $1", now, |r| &mut r.expired_sessions),
        ("email_tokens", "(used_at IS NOT NULL OR expires_at < $1)", now, |r| &mut r.old_tokens),
        ("outbox", "status = 'sent' AND sent_at < $1", now - 30 * DAY, |r| &mut r.sent_emails),
    ];
    for (table, condition, cutoff, field) in rules {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE {condition}"))
            .bind(cutoff)
            .fetch_one(&mut *tx)
            .await?;
        *field(&mut report) = n;
        if !dry_run && n > 0 {
            sqlx::query(&format!("DELETE FROM {table} WHERE {condition}")).bind(cutoff).execute(&mut *tx).await?;
        }
    }
    if !dry_run {
        // Receipts ("check your email" pages) are short-lived too.
        sqlx::query("UPDATE recruits SET receipt_hash = NULL, receipt_expires = NULL WHERE receipt_expires < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(report)
}
