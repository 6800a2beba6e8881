//! SQL for users and the audit log.
use crate::{
    db::{now_unix, Db},
    error::AppError,
};

use super::Role;

pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, AppError> {
    let row: Option<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, email, password_hash, role, disabled FROM users WHERE email_lower = $1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id, email, password_hash, role, disabled)| UserRow {
        id,
        email,
        password_hash,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        disabled: disabled != 0,
    }))
}

/// Adds a user; returns false when the email is already taken.
pub async fn add(db: &Db, email: &str, role: Role, password_hash: &str) -> Result<bool, AppError> {
    let now = now_unix();
    let done = sqlx::query(
        "INSERT INTO users (email, email_lower, password_hash, role, disabled, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5) ON CONFLICT (email_lower) DO NOTHING",
    )
    .bind(email.trim())
    .bind(email.trim().to_lowercase())
    .bind(password_hash)
    .bind(role.code())
    .bind(now)
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(done == 1)
}

pub async fn set_disabled(db: &Db, email: &str, disabled: bool) -> Result<bool, AppError> {
    let done = sqlx::query("UPDATE users SET disabled = $1 WHERE email_lower = $2")
        .bind(i64::from(disabled))
        .bind(email.trim().to_lowercase())
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(done == 1)
}

pub async fn set_password(db: &Db, email: &str, password_hash: &str) -> Result<bool, AppError> {
    let done = sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE email_lower = $3")
        .bind(password_hash)
        .bind(now_unix())
        .bind(email.trim().to_lowercase())
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(done == 1)
}

/// Is this user still allowed in (exists, not disabled)? Checked on every request.
pub async fn is_active(db: &Db, id: i64) -> Result<bool, AppError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT disabled FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(matches!(row, Some((0,))))
}

/// Appends to the audit log: who did what to what, and when. Never personal data in
/// `details` beyond what identifies the subject (an id).
pub async fn audit(db: &Db, actor: &str, action: &str, subject: Option<&str>, details: Option<&str>) -> Result<(), AppError> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)")
        .bind(now_unix())
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(details)
        .execute(db.pool())
        .await?;
    Ok(())
}
