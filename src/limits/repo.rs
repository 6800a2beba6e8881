//! SQL for rate limits shared by several instances (PostgreSQL): one row per limit and
//! hashed key (never an address), a fixed window each.
use crate::db::{now_unix, Db, DbError};

/// Counts one attempt; returns the attempts in the current window, this one included.
pub async fn count(db: &Db, scope: &str, key: &str, window_secs: i64) -> Result<i64, DbError> {
    let now = now_unix();
    let (n,): (i64,) = sqlx::query_as(
        "INSERT INTO rate_limits (scope, key, window_start, n) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (scope, key) DO UPDATE SET \
         n = CASE WHEN rate_limits.window_start <= $4 THEN 1 ELSE rate_limits.n + 1 END, \
         window_start = CASE WHEN rate_limits.window_start <= $4 THEN $3 ELSE rate_limits.window_start END \
         RETURNING n",
    )
    .bind(scope)
    .bind(key)
    .bind(now)
    .bind(now - window_secs)
    .fetch_one(db.writer())
    .await?;
    if n == 1 && key.as_bytes().first().is_some_and(|b| *b == b'0') {
        // Now and then (a sixteenth of new windows), forget windows over a day old.
        sqlx::query("DELETE FROM rate_limits WHERE window_start < $1").bind(now - 86_400).execute(db.writer()).await?;
    }
    Ok(n)
}

/// Gives one attempt back.
pub async fn refund(db: &Db, scope: &str, key: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE rate_limits SET n = n - 1 WHERE scope = $1 AND key = $2 AND n > 0")
        .bind(scope)
        .bind(key)
        .execute(db.writer())
        .await?;
    Ok(())
}
