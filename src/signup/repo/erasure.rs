//! Withdrawal (the link in every message) and erasure of a person, and the anonymous
//! funnel events, which outlive them.
use sqlx::{Any, Transaction};

use super::lock_recruit;
use crate::{
    db::{now_unix, Db, DbError},
    insight::tally,
    tokens,
};

/// Which panel a funnel event counts for, when it has no card (a card's batch decides
/// first): the recruit's panel, the panel the address named, or the first panel.
#[derive(Clone, Copy, Debug)]
pub enum PanelOf<'a> {
    Id(i64),
    Slug(&'a str),
}

/// Counts an anonymous funnel event (started, submitted, confirmed, withdrawn, erased),
/// inside a transaction or on the pool. These counts outlive the person.
pub async fn event<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    batch_id: Option<i64>,
    panel: PanelOf<'_>,
    kind: &str,
    at: i64,
) -> Result<(), DbError> {
    let (id, slug) = match panel {
        PanelOf::Id(id) => (Some(id), ""),
        PanelOf::Slug(s) => (None, s),
    };
    sqlx::query(
        "INSERT INTO signup_events (batch_id, kind, at, panel_id) VALUES ($1, $2, $3, \
         COALESCE((SELECT panel_id FROM card_batches WHERE id = $1), $4, (SELECT id FROM panels WHERE slug = $5), \
         (SELECT MIN(id) FROM panels)))",
    )
    .bind(batch_id)
    .bind(kind)
    .bind(at)
    .bind(id)
    .bind(slug)
    .execute(executor)
    .await?;
    Ok(())
}

/// Counts an anonymous funnel event now ("started" when the first question is shown).
pub async fn record_event(db: &Db, batch_id: Option<i64>, panel: PanelOf<'_>, kind: &str) -> Result<(), DbError> {
    event(db.writer(), batch_id, panel, kind, now_unix()).await
}

/// Is this a live withdraw link? (Shown before the person presses the button.)
pub async fn withdraw_token_valid(db: &Db, token: &str) -> Result<bool, DbError> {
    if !tokens::looks_valid(token) {
        return Ok(false);
    }
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT recruit_id FROM email_tokens WHERE token_hash = $1 AND purpose = 'withdraw' AND expires_at > $2",
    )
    .bind(tokens::hash(token))
    .bind(now_unix())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

/// Removes the person behind a withdraw link: contact details, equality answers,
/// tokens and queued email all go; only anonymous counts remain.
pub async fn withdraw(db: &Db, token: &str) -> Result<bool, DbError> {
    if !tokens::looks_valid(token) {
        return Ok(false);
    }
    let mut tx = db.begin_write().await?;
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT recruit_id FROM email_tokens WHERE token_hash = $1 AND purpose = 'withdraw' AND expires_at > $2",
    )
    .bind(tokens::hash(token))
    .bind(now_unix())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((recruit_id,)) = row else {
        tx.commit().await?;
        return Ok(false);
    };
    let batch: Option<(Option<i64>, i64)> = sqlx::query_as("SELECT batch_id, panel_id FROM recruits WHERE id = $1")
        .bind(recruit_id)
        .fetch_optional(&mut *tx)
        .await?;
    erase_in(&mut tx, recruit_id).await?;
    let (batch, panel) = batch.unwrap_or((None, 0));
    event(&mut *tx, batch, PanelOf::Id(panel), "withdrawn", now_unix()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Deletes everything about one person (child rows first, for databases without cascades).
pub async fn erase_in(tx: &mut Transaction<'_, Any>, recruit_id: i64) -> Result<(), DbError> {
    // Locked, and only once: a withdrawal, an erasure and a purge of one person at the
    // same time must take them off the running counts once.
    if !lock_recruit(tx, recruit_id).await? {
        return Ok(());
    }
    tally::adjust(tx, recruit_id, -1).await?;
    for sql in [
        "DELETE FROM recruit_events WHERE recruit_id = $1",
        "DELETE FROM recruit_equality WHERE recruit_id = $1",
        "DELETE FROM email_tokens WHERE recruit_id = $1",
        "DELETE FROM signup_submissions WHERE recruit_id = $1",
        "DELETE FROM pending_answers WHERE recruit_id = $1",
        "DELETE FROM outbox WHERE recruit_id = $1",
        "DELETE FROM recruits WHERE id = $1",
    ] {
        sqlx::query(sql).bind(recruit_id).execute(&mut **tx).await?;
    }
    Ok(())
}
