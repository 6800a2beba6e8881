//! Receipts (the page after sending), resends of the confirmation message, and the
//! confirm links, including a repeat sign-up's answers applied once confirmed.
use sqlx::{Any, Transaction};

use super::{
    confirmations_today, event, insert_equality, lock_recruit, EqualityAnswers, PendingAnswers,
    MAX_CONFIRMATIONS_PER_DAY,
};
use crate::{
    db::{now_unix, Db, DbError},
    domain::{Disability, EthnicDetail, EthnicGroup, Gender},
    email as outbox,
    i18n::Lang,
    insight::tally,
    tokens,
};

pub struct Receipt {
    pub recruit_id: i64,
    /// A repeat sign-up's answers (waiting for the person to confirm them).
    pub pending_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: String,
    pub resends: i64,
}

pub async fn receipt(db: &Db, token: &str) -> Result<Option<Receipt>, DbError> {
    if !tokens::looks_valid(token) {
        return Ok(None);
    }
    let row: Option<(i64, Option<String>, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT id, email, phone, status, resends FROM recruits WHERE receipt_hash = $1 AND receipt_expires > $2",
    )
    .bind(tokens::hash(token))
    .bind(now_unix())
    .fetch_optional(db.pool())
    .await?;
    if let Some((recruit_id, email, phone, status, resends)) = row {
        return Ok(Some(Receipt { recruit_id, pending_id: None, email, phone, status, resends }));
    }
    // A repeat sign-up: only what this person typed, never what is stored about anyone.
    // It looks and behaves like a new person's (a resend button included), so the page
    // does not tell anyone whether an address is on the list.
    let pending: Option<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT id, recruit_id, payload, resends FROM pending_answers WHERE receipt_hash = $1 AND receipt_expires > $2",
    )
    .bind(tokens::hash(token))
    .bind(now_unix())
    .fetch_optional(db.pool())
    .await?;
    Ok(pending.and_then(|(pending_id, recruit_id, payload, resends)| {
        let p: PendingAnswers = serde_json::from_str(&payload).ok()?;
        Some(Receipt {
            recruit_id,
            pending_id: Some(pending_id),
            email: p.email,
            phone: p.phone,
            status: "new".into(),
            resends,
        })
    }))
}

/// Queues the confirmation email again (at most `max` times per person).
pub async fn resend(db: &Db, recruit_id: i64, max: i64, by_text: bool) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    lock_recruit(&mut tx, recruit_id).await?;
    let sent_today = confirmations_today(&mut tx, recruit_id, now_unix()).await?;
    if sent_today >= MAX_CONFIRMATIONS_PER_DAY {
        tx.commit().await?;
        return Ok(false);
    }
    let updated = sqlx::query(
        "UPDATE recruits SET resends = resends + 1 WHERE id = $1 AND resends < $2 AND status = 'new' \
         AND (email IS NOT NULL OR ($3 = 1 AND phone IS NOT NULL))",
    )
    .bind(recruit_id)
    .bind(max)
    .bind(i64::from(by_text))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 1 {
        outbox::queue(&mut tx, recruit_id, "confirm", "").await?;
    }
    tx.commit().await?;
    Ok(updated == 1)
}

/// "Send the email again" on a repeat sign-up's page: the "did you sign up again?" email
/// to the address on record, within the same limits as any resend.
pub async fn resend_pending(db: &Db, pending_id: i64, recruit_id: i64, max: i64) -> Result<bool, DbError> {
    let now = now_unix();
    let mut tx = db.begin_write().await?;
    lock_recruit(&mut tx, recruit_id).await?;
    let updated = sqlx::query(
        "UPDATE pending_answers SET resends = resends + 1 WHERE id = $1 AND recruit_id = $2 AND resends < $3",
    )
    .bind(pending_id)
    .bind(recruit_id)
    .bind(max)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let sent_today = confirmations_today(&mut tx, recruit_id, now).await?;
    let queue = updated == 1 && sent_today < MAX_CONFIRMATIONS_PER_DAY;
    if queue {
        outbox::queue(&mut tx, recruit_id, "update", &pending_id.to_string()).await?;
    }
    tx.commit().await?;
    Ok(queue)
}

pub enum TokenOutcome {
    Done,
    /// A repeat sign-up's answers were confirmed and applied.
    Updated,
    AlreadyDone,
    Expired,
    Unknown,
}

/// The language of the person a link is for (links from messages open in their language).
pub async fn token_language(db: &Db, token: &str) -> Result<Option<Lang>, DbError> {
    if !tokens::looks_valid(token) {
        return Ok(None);
    }
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT r.language FROM email_tokens t JOIN recruits r ON r.id = t.recruit_id WHERE t.token_hash = $1",
    )
    .bind(tokens::hash(token))
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(l,)| Lang::parse(&l)))
}

/// Confirms the email address (or phone number) behind a single-use link.
pub async fn confirm(db: &Db, token: &str) -> Result<TokenOutcome, DbError> {
    if !tokens::looks_valid(token) {
        return Ok(TokenOutcome::Unknown);
    }
    let now = now_unix();
    let mut tx = db.begin_write().await?;
    let row: Option<(i64, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT recruit_id, expires_at, used_at, pending_id FROM email_tokens WHERE token_hash = $1 AND purpose = 'confirm'",
    )
    .bind(tokens::hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let outcome = match row {
        None => TokenOutcome::Unknown,
        Some((_, _, Some(_), _)) => TokenOutcome::AlreadyDone,
        Some((_, expires, None, _)) if expires <= now => TokenOutcome::Expired,
        // The person first, then their token: the order erasure takes them in (a link
        // opened while the person withdraws would otherwise deadlock on PostgreSQL).
        Some((recruit_id, _, None, _)) if !lock_recruit(&mut tx, recruit_id).await? => TokenOutcome::Unknown,
        Some((recruit_id, _, None, pending_id)) => {
            sqlx::query("UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(tokens::hash(token))
                .execute(&mut *tx)
                .await?;
            let updated = match pending_id {
                Some(pending_id) => apply_pending(&mut tx, recruit_id, pending_id, now).await?,
                None => false,
            };
            let sql = format!(
                "SELECT batch_id, status, panel_id FROM recruits WHERE id = $1{}",
                crate::db::Backend::of(&tx).for_update()
            );
            let batch: Option<(Option<i64>, String, i64)> =
                sqlx::query_as(&sql).bind(recruit_id).fetch_optional(&mut *tx).await?;
            match batch {
                Some((batch_id, status, panel_id)) if status == "new" => {
                    tally::adjust(&mut tx, recruit_id, -1).await?;
                    sqlx::query(
                        "UPDATE recruits SET status = 'confirmed', confirmed_at = $1, updated_at = $1 WHERE id = $2",
                    )
                    .bind(now)
                    .bind(recruit_id)
                    .execute(&mut *tx)
                    .await?;
                    tally::adjust(&mut tx, recruit_id, 1).await?;
                    event(&mut *tx, batch_id, super::PanelOf::Id(panel_id), "confirmed", now).await?;
                    if updated {
                        TokenOutcome::Updated
                    } else {
                        TokenOutcome::Done
                    }
                }
                Some(_) if updated => TokenOutcome::Updated,
                Some(_) => TokenOutcome::AlreadyDone,
                None => TokenOutcome::Unknown,
            }
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Applies a person's pending answers (they confirmed them by email): the recruit's
/// details and equality answers are replaced, the running counts follow, and the
/// timeline says so. Unconfirmed people are confirmed too (the link proves the address).
async fn apply_pending(
    tx: &mut Transaction<'_, Any>,
    recruit_id: i64,
    pending_id: i64,
    now: i64,
) -> Result<bool, DbError> {
    if !lock_recruit(tx, recruit_id).await? {
        return Ok(false);
    }
    let row: Option<(String,)> =
        sqlx::query_as("SELECT payload FROM pending_answers WHERE id = $1 AND recruit_id = $2")
            .bind(pending_id)
            .bind(recruit_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(answers) = row.and_then(|(p,)| serde_json::from_str::<PendingAnswers>(&p).ok()) else { return Ok(false) };
    tally::adjust(tx, recruit_id, -1).await?;
    sqlx::query(
        "UPDATE recruits SET name = $1, phone = $2, contact_method = $3, postcode = $4, area_connection = $5, \
         age_band = $6, language = $7, updated_at = $8, batch_id = COALESCE(batch_id, $9) WHERE id = $10",
    )
    .bind(&answers.name)
    .bind(&answers.phone)
    .bind(&answers.contact_method)
    .bind(&answers.postcode)
    .bind(&answers.connection)
    .bind(&answers.age_band)
    .bind(&answers.language)
    .bind(now)
    .bind(answers.batch_id)
    .bind(recruit_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM recruit_equality WHERE recruit_id = $1").bind(recruit_id).execute(&mut **tx).await?;
    if let Some(e) = &answers.equality {
        let eq = EqualityAnswers {
            gender: e.gender.as_deref().and_then(|v| Gender::parse(v).ok()),
            disability: e.disability.as_deref().and_then(|v| Disability::parse(v).ok()),
            ethnic_group: e.ethnic_group.as_deref().and_then(|v| EthnicGroup::parse(v).ok()),
            ethnic_detail: e.ethnic_detail.as_deref().and_then(|v| EthnicDetail::parse(v).ok()),
            ethnic_other: e.ethnic_other.clone(),
        };
        insert_equality(tx, recruit_id, &eq, now).await?;
    }
    tally::adjust(tx, recruit_id, 1).await?;
    sqlx::query("DELETE FROM pending_answers WHERE id = $1").bind(pending_id).execute(&mut **tx).await?;
    sqlx::query("INSERT INTO recruit_events (recruit_id, at, actor, kind, detail) VALUES ($1, $2, 'the person', 'note', $3)")
        .bind(recruit_id)
        .bind(now)
        .bind("The person confirmed new answers from a repeat sign-up (link sent to the address on record); their details were updated.")
        .execute(&mut **tx)
        .await?;
    Ok(true)
}
