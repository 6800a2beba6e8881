//! SQL for card batches, cards and scans.
use std::collections::HashSet;

use sqlx::{Any, Transaction};

use super::BatchSummary;
use crate::{
    db::{now_unix, Db, DbError},
    domain::{BatchLabel, BatchQuantity, BatchStatus, CardCode, CardLanguages, ExpiryDate, OptionalArea},
};

pub struct NewBatch {
    pub label: BatchLabel,
    pub area: OptionalArea,
    pub quantity: BatchQuantity,
    pub expires_on: Option<ExpiryDate>,
    pub languages: CardLanguages,
    pub created_by: String,
    /// The panel its recruits join.
    pub panel_id: i64,
}

/// Cards per INSERT (3 parameters each): see `db::rows_per_insert`.
const INSERT_CHUNK: usize = 80;

const BATCH_COLUMNS: &str = "b.id, b.label, b.area, b.quantity, b.created_by, b.created_at, \
     b.expires_on, b.status, \
     b.scanned_cards AS scanned, b.scans, b.languages, \
     (SELECT p.name FROM panels p WHERE p.id = b.panel_id) AS panel";

/// A batch as `BATCH_COLUMNS` read it (by hand: sqlx's derive needs its `macros` feature,
/// see `build.rs`).
fn batch_of(row: sqlx::any::AnyRow) -> Result<BatchSummary, sqlx::Error> {
    use sqlx::Row;
    let status: String = row.try_get("status")?;
    let panel: Option<String> = row.try_get("panel")?;
    Ok(BatchSummary {
        id: row.try_get("id")?,
        label: row.try_get("label")?,
        area: row.try_get("area")?,
        quantity: row.try_get("quantity")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        expires_on: row.try_get("expires_on")?,
        status: BatchStatus::parse(&status).unwrap_or(BatchStatus::Void),
        scanned: row.try_get("scanned")?,
        scans: row.try_get("scans")?,
        languages: row.try_get("languages")?,
        panel: panel.unwrap_or_default(),
    })
}

/// Creates the batch and its cards in one transaction; codes are unique across all batches.
pub async fn create_batch(db: &Db, new: NewBatch) -> Result<i64, DbError> {
    let mut tx = db.begin_write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO card_batches (label, area, quantity, created_by, created_at, expires_on, status, languages, \
         panel_id) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8) RETURNING id",
    )
    .bind(new.label.as_str())
    .bind(new.area.as_deref())
    .bind(i64::from(new.quantity.get()))
    .bind(&new.created_by)
    .bind(now_unix())
    .bind(new.expires_on.map(|d| d.to_string()))
    .bind(new.languages.to_string())
    .bind(new.panel_id)
    .fetch_one(&mut *tx)
    .await?;

    let wanted = new.quantity.get() as usize;
    let mut position = 0usize;
    while position < wanted {
        // Draw distinct codes; a clash with an existing card is skipped by ON CONFLICT
        // and simply drawn again on the next pass.
        let mut draw: HashSet<CardCode> = HashSet::new();
        while draw.len() < (wanted - position).min(INSERT_CHUNK) {
            draw.insert(CardCode::generate());
        }
        let codes: Vec<CardCode> = draw.into_iter().collect();
        position += insert_cards(&mut tx, id, position, &codes).await?;
    }
    tx.commit().await?;
    Ok(id)
}

async fn insert_cards(
    tx: &mut Transaction<'_, Any>,
    batch_id: i64,
    start: usize,
    codes: &[CardCode],
) -> Result<usize, DbError> {
    // Positions are assigned after the insert so that skipped duplicates leave no gaps.
    let sql = format!(
        "INSERT INTO cards (code, batch_id, position) VALUES {} ON CONFLICT (code) DO NOTHING",
        crate::db::values_placeholders(crate::db::Backend::of(tx), codes.len(), 3)
    );
    let mut query = sqlx::query(&sql);
    for (i, code) in codes.iter().enumerate() {
        query = query.bind(code.as_str()).bind(batch_id).bind((start + i) as i64);
    }
    let inserted = query.execute(&mut **tx).await?.rows_affected() as usize;
    if inserted != codes.len() {
        // Rare: renumber this chunk's rows so positions stay 0..n without gaps.
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT code FROM cards WHERE batch_id = $1 AND position >= $2 ORDER BY position")
                .bind(batch_id)
                .bind(start as i64)
                .fetch_all(&mut **tx)
                .await?;
        for (offset, (code,)) in rows.iter().enumerate() {
            sqlx::query("UPDATE cards SET position = $1 WHERE code = $2")
                .bind((start + offset) as i64)
                .bind(code)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(inserted)
}

pub async fn list_batches(db: &Db) -> Result<Vec<BatchSummary>, DbError> {
    let sql = format!("SELECT {BATCH_COLUMNS} FROM card_batches b ORDER BY b.id DESC");
    Ok(sqlx::query(&sql).try_map(batch_of).fetch_all(db.pool()).await?)
}

pub async fn get_batch(db: &Db, id: i64) -> Result<Option<BatchSummary>, DbError> {
    let sql = format!("SELECT {BATCH_COLUMNS} FROM card_batches b WHERE b.id = $1");
    Ok(sqlx::query(&sql).bind(id).try_map(batch_of).fetch_optional(db.pool()).await?)
}

/// The batch's codes in print order.
pub async fn batch_codes(db: &Db, id: i64) -> Result<Vec<CardCode>, DbError> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT code FROM cards WHERE batch_id = $1 ORDER BY position")
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    rows.into_iter().map(|(c,)| CardCode::parse(&c).map_err(DbError::data)).collect()
}

pub async fn card_in_batch(db: &Db, id: i64, code: &CardCode) -> Result<bool, DbError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT batch_id FROM cards WHERE code = $1 AND batch_id = $2")
        .bind(code.as_str())
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.is_some())
}

/// Marks a batch void; its cards then lead to the "card no longer valid" page.
/// Returns false when there is no such active batch.
pub async fn void_batch(db: &Db, id: i64) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE card_batches SET status = 'void', voided_at = $1 WHERE id = $2 AND status = 'active'")
            .bind(now_unix())
            .bind(id)
            .execute(db.writer())
            .await?
            .rows_affected();
    Ok(done == 1)
}

/// What a scan needs to know about a card.
#[derive(Clone)]
pub struct CardLookup {
    pub batch_id: i64,
    pub status: BatchStatus,
    pub expires_on: Option<String>,
}

pub async fn lookup_card(db: &Db, code: &CardCode) -> Result<Option<CardLookup>, DbError> {
    let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT b.id, b.status, b.expires_on FROM cards c \
         JOIN card_batches b ON b.id = c.batch_id WHERE c.code = $1",
    )
    .bind(code.as_str())
    .fetch_optional(db.pool())
    .await?;
    row.map(|(batch_id, status, expires_on)| {
        let status = BatchStatus::parse(&status).map_err(DbError::data)?;
        Ok(CardLookup { batch_id, status, expires_on })
    })
    .transpose()
}

/// Removes a batch whose print file could not be written (its cards were never handed
/// out, so nothing else refers to them).
pub async fn delete_unprinted_batch(db: &Db, id: i64) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM cards WHERE batch_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM card_batches WHERE id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
