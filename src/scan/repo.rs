//! SQL for scans: the scan rows and each card's counters.
use crate::db::{Db, DbError};

/// Writes a batch of scans (card code, batch id, time) in one transaction: the scan
/// rows, and each card's counters. Nothing about the person (no IP address, no user
/// agent) is ever stored.
pub async fn record_scans(db: &Db, scans: &[(String, i64, i64)]) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    for chunk in scans.chunks(crate::db::rows_per_insert(3)) {
        let sql = format!(
            "INSERT INTO card_scans (card_code, batch_id, scanned_at) VALUES {}",
            crate::db::values_placeholders(crate::db::Backend::of(&tx), chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (code, batch_id, at) in chunk {
            q = q.bind(code).bind(batch_id).bind(at);
        }
        q.execute(&mut *tx).await?;
    }
    let mut per_card: std::collections::BTreeMap<&str, (i64, i64, i64)> = Default::default();
    for (code, batch_id, at) in scans {
        let e = per_card.entry(code.as_str()).or_insert((0, *at, *batch_id));
        e.0 += 1;
        e.1 = e.1.min(*at);
    }
    // Batch counters: every scan, and each card the first time it is scanned.
    let mut per_batch: std::collections::BTreeMap<i64, (i64, i64)> = Default::default();
    let codes: Vec<&str> = per_card.keys().copied().collect();
    for chunk in codes.chunks(crate::db::rows_per_insert(1)) {
        let list = crate::db::placeholders(crate::db::Backend::of(&tx), chunk.len());
        let sql = format!("SELECT batch_id FROM cards WHERE first_scanned_at IS NULL AND code IN ({list})");
        let mut q = sqlx::query_as::<_, (i64,)>(&sql);
        for code in chunk {
            q = q.bind(*code);
        }
        for (batch_id,) in q.fetch_all(&mut *tx).await? {
            per_batch.entry(batch_id).or_default().0 += 1;
        }
    }
    for (code, (n, first, batch_id)) in per_card {
        per_batch.entry(batch_id).or_default().1 += n;
        sqlx::query(
            "UPDATE cards SET scan_count = scan_count + $1, first_scanned_at = COALESCE(first_scanned_at, $2) WHERE code = $3",
        )
        .bind(n)
        .bind(first)
        .bind(code)
        .execute(&mut *tx)
        .await?;
    }
    for (batch_id, (first_time, n)) in per_batch {
        sqlx::query("UPDATE card_batches SET scanned_cards = scanned_cards + $1, scans = scans + $2 WHERE id = $3")
            .bind(first_time)
            .bind(n)
            .bind(batch_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
