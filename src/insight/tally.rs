//! Running counts for the dashboard, so its pages read a few hundred rows instead of
//! millions. Writers only ever append (+1/-1 rows, one funnel event per row), which
//! keeps concurrent sign-ups from queuing on one hot counter row; [`fold`] later
//! adds the rows up in one transaction. Readers always `SUM(n)`, so a count is
//! exact whether or not the rows have been folded yet.
use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::db::{rows_per_insert, values_placeholders, Backend, Db, DbError};

/// Moves one recruit's current cell (batch, status, age band, equality answers) by
/// `sign`: call with -1 before changing or deleting a recruit and +1 after.
pub async fn adjust(conn: &mut AnyConnection, recruit_id: i64, sign: i64) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO recruit_tally (status, age_band, ethnic_group, ethnic_detail, sex, panel_id, n) \
         SELECT r.status, r.age_band, e.ethnic_group, e.ethnic_detail, e.sex, r.panel_id, $2 \
         FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id WHERE r.id = $1",
    )
    .bind(recruit_id)
    .bind(sign)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO batch_tally (batch_id, status, n) SELECT batch_id, status, $2 FROM recruits WHERE id = $1",
    )
    .bind(recruit_id)
    .bind(sign)
    .execute(conn)
    .await?;
    Ok(())
}

/// Recounts both tallies from the recruits themselves, inside the caller's write
/// transaction (used after bulk loading; migration 0007 does the same in SQL).
pub async fn rebuild(conn: &mut AnyConnection) -> Result<(), DbError> {
    sqlx::query("DELETE FROM recruit_tally").execute(&mut *conn).await?;
    sqlx::query("DELETE FROM batch_tally").execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO recruit_tally (status, age_band, ethnic_group, ethnic_detail, sex, panel_id, n) \
         SELECT r.status, r.age_band, e.ethnic_group, e.ethnic_detail, e.sex, r.panel_id, COUNT(*) \
         FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id \
         GROUP BY r.status, r.age_band, e.ethnic_group, e.ethnic_detail, e.sex, r.panel_id",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO batch_tally (batch_id, status, n) SELECT batch_id, status, COUNT(*) FROM recruits GROUP BY batch_id, status")
        .execute(conn)
        .await?;
    Ok(())
}

type Cell = (String, String, Option<String>, Option<String>, Option<String>, i64);

/// Adds up appended rows: recruit cells, batch counts, and funnel events per batch,
/// kind and month. Each table is emptied with `DELETE … RETURNING` and rewritten from
/// exactly the rows it returned, so rows another writer commits meanwhile are never lost.
pub async fn fold(db: &Db) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let rows: Vec<(String, String, Option<String>, Option<String>, Option<String>, i64, i64)> = sqlx::query_as(
        "DELETE FROM recruit_tally RETURNING status, age_band, ethnic_group, ethnic_detail, sex, panel_id, n",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut cells: HashMap<Cell, i64> = HashMap::new();
    for (status, age, group, detail, sex, panel, n) in rows {
        *cells.entry((status, age, group, detail, sex, panel)).or_default() += n;
    }
    let cells: Vec<_> = cells.into_iter().filter(|(_, n)| *n != 0).collect();
    for chunk in cells.chunks(rows_per_insert(7)) {
        let sql = format!(
            "INSERT INTO recruit_tally (status, age_band, ethnic_group, ethnic_detail, sex, panel_id, n) VALUES {}",
            values_placeholders(Backend::of(&tx), chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for ((status, age, group, detail, sex, panel), n) in chunk {
            q = q.bind(status).bind(age).bind(group).bind(detail).bind(sex).bind(*panel).bind(*n);
        }
        q.execute(&mut *tx).await?;
    }

    let rows: Vec<(Option<i64>, String, i64)> =
        sqlx::query_as("DELETE FROM batch_tally RETURNING batch_id, status, n").fetch_all(&mut *tx).await?;
    let mut batches: HashMap<(Option<i64>, String), i64> = HashMap::new();
    for (batch, status, n) in rows {
        *batches.entry((batch, status)).or_default() += n;
    }
    let batches: Vec<_> = batches.into_iter().filter(|(_, n)| *n != 0).collect();
    for chunk in batches.chunks(rows_per_insert(3)) {
        let sql = format!(
            "INSERT INTO batch_tally (batch_id, status, n) VALUES {}",
            values_placeholders(Backend::of(&tx), chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for ((batch, status), n) in chunk {
            q = q.bind(*batch).bind(status).bind(*n);
        }
        q.execute(&mut *tx).await?;
    }

    let events: Vec<(Option<i64>, String, i64, i64, i64)> =
        sqlx::query_as("DELETE FROM signup_events RETURNING batch_id, kind, at, panel_id, n")
            .fetch_all(&mut *tx)
            .await?;
    let mut days: HashMap<(Option<i64>, String, i64, i64), i64> = HashMap::new();
    for (batch, kind, at, panel, n) in events {
        *days.entry((batch, kind, month_start(at), panel)).or_default() += n;
    }
    let days: Vec<_> = days.into_iter().collect();
    for chunk in days.chunks(rows_per_insert(5)) {
        let sql = format!(
            "INSERT INTO signup_events (batch_id, kind, at, panel_id, n) VALUES {}",
            values_placeholders(Backend::of(&tx), chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for ((batch, kind, day, panel), n) in chunk {
            q = q.bind(*batch).bind(kind).bind(*day).bind(*panel).bind(*n);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The first second (UTC) of the month `at` falls in.
pub fn month_start(at: i64) -> i64 {
    time::OffsetDateTime::from_unix_timestamp(at)
        .and_then(|t| t.replace_day(1))
        .map_or(at, |t| t.replace_time(time::Time::MIDNIGHT).unix_timestamp())
}

/// Folds every `period` in the background (first run one period after start).
pub fn spawn_folding(db: Db, period: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        loop {
            tick.tick().await;
            if let Err(e) = fold(&db).await {
                tracing::warn!(error = %crate::telemetry::error_text(&e), "folding dashboard counts failed; will retry");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn month_start_is_the_first_second_of_the_month() {
        assert_eq!(super::month_start(1_795_651_200 + 3_600), 1_793_491_200); // 2026-11-26 01:00 → 2026-11-01
        assert_eq!(super::month_start(1_793_491_200), 1_793_491_200);
    }
}
