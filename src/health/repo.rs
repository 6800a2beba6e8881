//! SQL for `/metrics`: running totals kept elsewhere, read in one place.
use crate::db::{Db, DbError};

#[derive(Default)]
pub struct Totals {
    pub signups: i64,
    pub scans: i64,
    pub email_failures: i64,
}

pub async fn totals(db: &Db) -> Result<Totals, DbError> {
    let scalar = |sql: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db.pool()).await?;
        Ok::<i64, DbError>(n)
    };
    Ok(Totals {
        signups: scalar("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM signup_events WHERE kind = 'submitted'")
            .await?,
        scans: scalar("SELECT CAST(COALESCE(SUM(scans), 0) AS BIGINT) FROM card_batches").await?,
        email_failures: scalar("SELECT COUNT(*) FROM outbox WHERE status = 'failed'").await?,
    })
}
