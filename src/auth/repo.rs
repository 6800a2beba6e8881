//! SQL for users and the audit log.
use crate::db::{now_unix, Db, DbError};

use crate::roles::Role;

pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub session_epoch: i64,
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, DbError> {
    if crate::public::has_control_chars(email) {
        return Ok(None);
    }
    let row: Option<(i64, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, email, password_hash, role, disabled, session_epoch FROM users WHERE email_lower = $1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id, email, password_hash, role, disabled, session_epoch)| UserRow {
        id,
        email,
        password_hash,
        role: Role::parse(&role).unwrap_or(Role::Viewer),
        disabled: disabled != 0,
        session_epoch,
    }))
}

/// Adds a user; returns false when the email is already taken.
pub async fn add(db: &Db, email: &str, role: Role, password_hash: &str) -> Result<bool, DbError> {
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
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// The panel a chair chairs (chairs see and run that panel only).
pub async fn set_panel(db: &Db, email: &str, panel_id: Option<i64>) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE users SET panel_id = $1 WHERE email_lower = $2")
        .bind(panel_id)
        .bind(email.trim().to_lowercase())
        .execute(db.writer())
        .await?
        .rows_affected();
    Ok(done == 1)
}

pub async fn set_disabled(db: &Db, email: &str, disabled: bool) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE users SET disabled = $1 WHERE email_lower = $2")
        .bind(i64::from(disabled))
        .bind(email.trim().to_lowercase())
        .execute(db.writer())
        .await?
        .rows_affected();
    Ok(done == 1)
}

/// Sets a new password and ends every session issued before (the session epoch moves
/// on). Returns the new epoch, or None when there is no such user.
pub async fn set_password(db: &Db, email: &str, password_hash: &str) -> Result<Option<i64>, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE users SET password_hash = $1, password_changed_at = $2, session_epoch = session_epoch + 1 \
         WHERE email_lower = $3 RETURNING session_epoch",
    )
    .bind(password_hash)
    .bind(now_unix())
    .bind(email.trim().to_lowercase())
    .fetch_optional(db.writer())
    .await?;
    Ok(row.map(|(epoch,)| epoch))
}

pub struct SessionState {
    pub disabled: bool,
    pub session_epoch: i64,
}

/// What decides whether a session still holds: checked on every signed-in request.
pub async fn session_state(db: &Db, id: i64) -> Result<Option<SessionState>, DbError> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT disabled, session_epoch FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(disabled, session_epoch)| SessionState { disabled: disabled != 0, session_epoch }))
}

pub struct UserListRow {
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: i64,
    pub equality_access: bool,
}

pub async fn list_users(db: &Db) -> Result<Vec<UserListRow>, DbError> {
    let rows: Vec<(String, String, i64, i64, i64)> =
        sqlx::query_as("SELECT email, role, disabled, created_at, equality_access FROM users ORDER BY email_lower")
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(email, role, disabled, created_at, equality)| UserListRow {
            email,
            role,
            disabled: disabled != 0,
            created_at,
            equality_access: equality != 0,
        })
        .collect())
}

/// Whether this user may see equality answers beside a person's name.
pub async fn has_equality_access(db: &Db, user_id: i64) -> Result<bool, DbError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT equality_access FROM users WHERE id = $1 AND disabled = 0")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some_and(|(a,)| a != 0))
}

/// Grants or withdraws equality data access; false when there is no such user.
pub async fn set_equality_access(db: &Db, email: &str, on: bool) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE users SET equality_access = $1 WHERE email_lower = $2")
        .bind(i64::from(on))
        .bind(email.trim().to_lowercase())
        .execute(db.writer())
        .await?
        .rows_affected();
    Ok(done == 1)
}
