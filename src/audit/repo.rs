//! SQL for the audit log.
use crate::db::{now_unix, Db, DbError};

/// Appends to the audit log: who did what to what, and when. Never personal data in
/// `details` beyond what identifies the subject (an id).
/// Writes one audit entry. Text that came from a form (a mistyped sign-in email) is
/// kept to 500 characters without control characters, so any input can be recorded.
pub async fn record(
    db: &Db,
    actor: &str,
    action: &str,
    subject: Option<&str>,
    details: Option<&str>,
) -> Result<(), DbError> {
    let clean = |s: &str| s.chars().filter(|c| !c.is_control()).take(500).collect::<String>();
    sqlx::query("INSERT INTO audit_log (at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)")
        .bind(now_unix())
        .bind(clean(actor))
        .bind(action)
        .bind(subject.map(clean))
        .bind(details.map(clean))
        .execute(db.writer())
        .await?;
    Ok(())
}

pub struct AuditRow {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub details: Option<String>,
}

/// The newest audit entries, optionally only those whose actor or action contains the
/// given text.
pub async fn list(db: &Db, actor: &str, action: &str, limit: i64) -> Result<Vec<AuditRow>, DbError> {
    let rows: Vec<(i64, String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT at, actor, action, subject, details FROM audit_log \
         WHERE ($1 = '' OR LOWER(actor) LIKE $2) AND ($3 = '' OR action = $3) \
         ORDER BY id DESC LIMIT $4",
    )
    .bind(actor)
    .bind(format!("%{}%", actor.to_lowercase()))
    .bind(action)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, actor, action, subject, details)| AuditRow { at, actor, action, subject, details })
        .collect())
}
