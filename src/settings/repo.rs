use crate::db::{now_unix, Db, DbError};

pub async fn get(db: &Db, key: &str) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(db.pool()).await?;
    Ok(row.map(|(v,)| v))
}

pub async fn set(db: &Db, key: &str, value: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value)
    .bind(now_unix())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Sets a value only if the key has none yet (first writer wins across instances).
pub async fn set_if_absent(db: &Db, key: &str, value: &str) -> Result<(), DbError> {
    sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .bind(now_unix())
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn delete(db: &Db, key: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM settings WHERE key = $1").bind(key).execute(db.writer()).await?;
    Ok(())
}
