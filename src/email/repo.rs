//! SQL for the outbox and email tokens.
use sqlx::{Any, Transaction};

use super::tokens;
use crate::{
    db::{now_unix, Db},
    error::AppError,
};

pub struct OutboxItem {
    pub id: i64,
    pub recruit_id: Option<i64>,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

pub struct Recipient {
    pub name: String,
    pub email: Option<String>,
    pub language: String,
}

/// Queues an email inside the caller's transaction: saved with the data it is about.
pub async fn queue(tx: &mut Transaction<'_, Any>, recruit_id: i64, kind: &str, payload: &str) -> Result<(), AppError> {
    let now = now_unix();
    sqlx::query(
        "INSERT INTO outbox (recruit_id, kind, payload, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, 'pending', 0, $4, $4)",
    )
    .bind(recruit_id)
    .bind(kind)
    .bind(payload)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn due(db: &Db, limit: i64) -> Result<Vec<i64>, AppError> {
    let now = now_unix();
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
         AND (locked_until IS NULL OR locked_until < $1) ORDER BY id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Takes a message for sending; only one worker (of possibly several instances) wins.
pub async fn claim(db: &Db, id: i64, lease_secs: i64) -> Result<Option<OutboxItem>, AppError> {
    let now = now_unix();
    let claimed = sqlx::query(
        "UPDATE outbox SET locked_until = $1 WHERE id = $2 AND status = 'pending' \
         AND (locked_until IS NULL OR locked_until < $3)",
    )
    .bind(now + lease_secs)
    .bind(id)
    .bind(now)
    .execute(db.pool())
    .await?
    .rows_affected();
    if claimed != 1 {
        return Ok(None);
    }
    let row: Option<(i64, Option<i64>, String, String, i64)> =
        sqlx::query_as("SELECT id, recruit_id, kind, payload, attempts FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(id, recruit_id, kind, payload, attempts)| OutboxItem { id, recruit_id, kind, payload, attempts }))
}

pub async fn recipient(db: &Db, recruit_id: i64) -> Result<Option<Recipient>, AppError> {
    let row: Option<(String, Option<String>, String)> =
        sqlx::query_as("SELECT name, email, language FROM recruits WHERE id = $1")
            .bind(recruit_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(name, email, language)| Recipient { name, email, language }))
}

pub async fn mark_sent(db: &Db, id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $1, locked_until = NULL, attempts = attempts + 1 WHERE id = $2")
        .bind(now_unix())
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn mark_retry(db: &Db, id: i64, next_attempt_at: i64, error: &str, give_up: bool) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, locked_until = NULL, \
         last_error = $2, status = $3 WHERE id = $4",
    )
    .bind(next_attempt_at)
    .bind(error)
    .bind(if give_up { "failed" } else { "pending" })
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Creates a single-use token for a link and returns it; only its hash is stored.
pub async fn create_token(db: &Db, recruit_id: i64, purpose: &str, ttl_secs: i64) -> Result<String, AppError> {
    let token = tokens::new_token();
    let now = now_unix();
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, recruit_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tokens::hash(&token))
    .bind(recruit_id)
    .bind(purpose)
    .bind(now)
    .bind(now + ttl_secs)
    .execute(db.pool())
    .await?;
    Ok(token)
}

/// Counts per status, for the dashboard and tests.
pub async fn status_counts(db: &Db) -> Result<Vec<(String, i64)>, AppError> {
    Ok(sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status")
        .fetch_all(db.pool())
        .await?)
}
