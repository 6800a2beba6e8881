//! SQL for rate limits shared by several instances (PostgreSQL): one row per limit and
//! hashed key (never an address), a fixed window each; the sign-in throttle keeps an
//! account's failures and last attempt in the same table (`n`, `window_start`).
use std::time::Duration;

use crate::db::{now_unix, Backend, Db, DbError};

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

/// Reserves one sign-in attempt for `key` under the throttle `scope`: reads its failures
/// (forgotten after `forget_secs` idle) and the seconds since the last attempt, locked for
/// this transaction, and asks `wait` whether it must wait; if not, counts the attempt.
/// Returns the wait, or None when the attempt was counted.
pub async fn reserve_attempt(
    db: &Db,
    scope: &str,
    key: &str,
    forget_secs: i64,
    wait: impl Fn(u32, Duration) -> Option<Duration>,
) -> Result<Option<Duration>, DbError> {
    let now = now_unix();
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO rate_limits (scope, key, window_start, n) VALUES ($1, $2, $3, 0) ON CONFLICT (scope, key) DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let sql = format!(
        "SELECT window_start, n FROM rate_limits WHERE scope = $1 AND key = $2{}",
        Backend::of(&tx).for_update()
    );
    let (last, n): (i64, i64) = sqlx::query_as(&sql).bind(scope).bind(key).fetch_one(&mut *tx).await?;
    let idle = (now - last).max(0);
    let failures = if idle >= forget_secs { 0 } else { n };
    if let Some(wait) = wait(u32::try_from(failures).unwrap_or(u32::MAX), Duration::from_secs(idle as u64)) {
        tx.rollback().await?;
        return Ok(Some(wait));
    }
    sqlx::query("UPDATE rate_limits SET n = $3, window_start = $4 WHERE scope = $1 AND key = $2")
        .bind(scope)
        .bind(key)
        .bind(failures + 1)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(None)
}

/// Forgets `key`'s failures (the password was right).
pub async fn forget(db: &Db, scope: &str, key: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM rate_limits WHERE scope = $1 AND key = $2")
        .bind(scope)
        .bind(key)
        .execute(db.writer())
        .await?;
    Ok(())
}
