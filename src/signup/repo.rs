//! SQL for sign-ups: saving a submission (idempotently), receipts, confirmation,
//! withdrawal, and anonymous funnel events.
use sqlx::{Any, Transaction};

use crate::{
    db::{now_unix, Db},
    domain::{AgeBand, AreaConnection, ContactMethod, Disability, Email, EthnicDetail, EthnicGroup, Gender, PersonName, Phone, Postcode},
    email::{repo as outbox, tokens},
    error::AppError,
    i18n::Lang,
    insight::tally,
};

pub struct EqualityAnswers {
    pub gender: Option<Gender>,
    pub disability: Option<Disability>,
    pub ethnic_group: Option<EthnicGroup>,
    pub ethnic_detail: Option<EthnicDetail>,
    pub ethnic_other: Option<String>,
}

pub struct Submission {
    pub batch_id: Option<i64>,
    pub key: String,
    pub name: PersonName,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub contact_method: ContactMethod,
    pub postcode: Option<Postcode>,
    pub connection: AreaConnection,
    pub age_band: AgeBand,
    pub language: Lang,
    /// Present only with explicit consent.
    pub equality: Option<EqualityAnswers>,
}

/// A receipt lets the page after submit show the address used and offer a resend.
pub const RECEIPT_TTL_SECS: i64 = 24 * 3600;

/// Saves a sign-up and queues its confirmation email, all in one transaction.
/// The same form submitted twice finds the first result; the same email address
/// signing up again updates that person instead of creating another. Returns a
/// receipt token for the "check your email" page.
pub async fn submit(db: &Db, s: &Submission) -> Result<String, AppError> {
    // A concurrent twin (same key or same email) can win the race between our check and
    // insert; the second try then finds its row.
    match submit_once(db, s).await {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(submit_once(db, s).await?),
        other => Ok(other?),
    }
}

async fn submit_once(db: &Db, s: &Submission) -> Result<String, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let receipt = submit_in(&mut tx, s).await?;
    tx.commit().await?;
    Ok(receipt)
}

/// Saves one sign-up inside the caller's write transaction (see `submit`); the caller
/// commits. Used directly by the group committer, which saves several per commit.
pub async fn submit_in(tx: &mut Transaction<'static, Any>, s: &Submission) -> Result<String, sqlx::Error> {
    let now = now_unix();
    let receipt = tokens::new_token();

    let seen: Option<(i64,)> = sqlx::query_as("SELECT recruit_id FROM signup_submissions WHERE idempotency_key = $1")
        .bind(&s.key)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some((id,)) = seen {
        set_receipt(tx, id, &receipt, now).await?;
        return Ok(receipt);
    }

    let email_lower = s.email.as_ref().map(Email::normalized);
    let existing: Option<(i64, String)> = match &email_lower {
        Some(e) => sqlx::query_as("SELECT id, status FROM recruits WHERE email_lower = $1")
            .bind(e)
            .fetch_optional(&mut **tx)
            .await?,
        None => None,
    };
    let resubmission = existing.is_some();
    let (id, status) = match existing {
        Some((id, status)) => {
            tally::adjust(&mut **tx, id, -1).await?;
            sqlx::query(
                "UPDATE recruits SET name = $1, email = $2, phone = $3, contact_method = $4, postcode = $5, \
                 area_connection = $6, age_band = $7, language = $8, updated_at = $9, \
                 batch_id = COALESCE(batch_id, $10) WHERE id = $11",
            )
            .bind(s.name.as_str())
            .bind(s.email.as_ref().map(Email::as_str))
            .bind(s.phone.as_ref().map(Phone::as_str))
            .bind(s.contact_method.code())
            .bind(s.postcode.as_ref().map(Postcode::as_str))
            .bind(s.connection.code())
            .bind(s.age_band.code())
            .bind(s.language.code())
            .bind(now)
            .bind(s.batch_id)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            (id, status)
        }
        None => {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO recruits (public_id, batch_id, name, email, email_lower, phone, contact_method, \
                 postcode, area_connection, age_band, language, status, created_at, updated_at, \
                 receipt_hash, receipt_expires) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'new', $12, $12, $13, $14) RETURNING id",
            )
            .bind(tokens::new_token()[..16].to_string())
            .bind(s.batch_id)
            .bind(s.name.as_str())
            .bind(s.email.as_ref().map(Email::as_str))
            .bind(&email_lower)
            .bind(s.phone.as_ref().map(Phone::as_str))
            .bind(s.contact_method.code())
            .bind(s.postcode.as_ref().map(Postcode::as_str))
            .bind(s.connection.code())
            .bind(s.age_band.code())
            .bind(s.language.code())
            .bind(now)
            .bind(tokens::hash(&receipt))
            .bind(now + RECEIPT_TTL_SECS)
            .fetch_one(&mut **tx)
            .await?;
            (id, "new".to_string())
        }
    };

    if resubmission {
        sqlx::query("DELETE FROM recruit_equality WHERE recruit_id = $1").bind(id).execute(&mut **tx).await?;
        set_receipt(tx, id, &receipt, now).await?;
    }
    if let Some(eq) = &s.equality {
        sqlx::query(
            "INSERT INTO recruit_equality (recruit_id, consented_at, ethnic_group, ethnic_detail, ethnic_other, sex, disability) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(now)
        .bind(eq.ethnic_group.map(EthnicGroup::code))
        .bind(eq.ethnic_detail.map(EthnicDetail::code))
        .bind(&eq.ethnic_other)
        .bind(eq.gender.map(Gender::code))
        .bind(eq.disability.map(Disability::code))
        .execute(&mut **tx)
        .await?;
    }
    tally::adjust(&mut **tx, id, 1).await?;
    sqlx::query("INSERT INTO signup_submissions (idempotency_key, recruit_id, created_at) VALUES ($1, $2, $3)")
        .bind(&s.key)
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    if s.email.is_some() && status == "new" {
        outbox::queue(tx, id, "confirm", "").await.map_err(into_sqlx)?;
    }
    event(&mut **tx, s.batch_id, "submitted", now).await?;
    Ok(receipt)
}

fn into_sqlx(e: AppError) -> sqlx::Error {
    sqlx::Error::Protocol(e.to_string())
}

async fn set_receipt(tx: &mut Transaction<'_, Any>, id: i64, receipt: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE recruits SET receipt_hash = $1, receipt_expires = $2 WHERE id = $3")
        .bind(tokens::hash(receipt))
        .bind(now + RECEIPT_TTL_SECS)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Counts an anonymous funnel event (started, submitted, confirmed, withdrawn, erased),
/// inside a transaction or on the pool. These counts outlive the person.
pub async fn event<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    batch_id: Option<i64>,
    kind: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO signup_events (batch_id, kind, at) VALUES ($1, $2, $3)")
        .bind(batch_id)
        .bind(kind)
        .bind(at)
        .execute(executor)
        .await?;
    Ok(())
}

/// Counts an anonymous funnel event now ("started" when the first question is shown).
pub async fn record_event(db: &Db, batch_id: Option<i64>, kind: &str) -> Result<(), AppError> {
    Ok(event(db.writer(), batch_id, kind, now_unix()).await?)
}

pub struct Receipt {
    pub recruit_id: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub status: String,
    pub resends: i64,
}

pub async fn receipt(db: &Db, token: &str) -> Result<Option<Receipt>, AppError> {
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
    Ok(row.map(|(recruit_id, email, phone, status, resends)| Receipt { recruit_id, email, phone, status, resends }))
}

/// Queues the confirmation email again (at most `max` times per person).
pub async fn resend(db: &Db, recruit_id: i64, max: i64) -> Result<bool, AppError> {
    let mut tx = db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE recruits SET resends = resends + 1 WHERE id = $1 AND resends < $2 AND status = 'new' AND email IS NOT NULL",
    )
    .bind(recruit_id)
    .bind(max)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 1 {
        outbox::queue(&mut tx, recruit_id, "confirm", "").await?;
    }
    tx.commit().await?;
    Ok(updated == 1)
}

pub enum TokenOutcome {
    Done,
    AlreadyDone,
    Expired,
    Unknown,
}

/// Confirms the email address behind a single-use link.
pub async fn confirm(db: &Db, token: &str) -> Result<TokenOutcome, AppError> {
    if !tokens::looks_valid(token) {
        return Ok(TokenOutcome::Unknown);
    }
    let now = now_unix();
    let mut tx = db.begin_write().await?;
    let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT recruit_id, expires_at, used_at FROM email_tokens WHERE token_hash = $1 AND purpose = 'confirm'",
    )
    .bind(tokens::hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let outcome = match row {
        None => TokenOutcome::Unknown,
        Some((_, _, Some(_))) => TokenOutcome::AlreadyDone,
        Some((_, expires, None)) if expires <= now => TokenOutcome::Expired,
        Some((recruit_id, _, None)) => {
            sqlx::query("UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(tokens::hash(token))
                .execute(&mut *tx)
                .await?;
            let batch: Option<(Option<i64>, String)> =
                sqlx::query_as("SELECT batch_id, status FROM recruits WHERE id = $1")
                    .bind(recruit_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            match batch {
                Some((batch_id, status)) if status == "new" => {
                    tally::adjust(&mut *tx, recruit_id, -1).await?;
                    sqlx::query("UPDATE recruits SET status = 'confirmed', confirmed_at = $1, updated_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(recruit_id)
                        .execute(&mut *tx)
                        .await?;
                    tally::adjust(&mut *tx, recruit_id, 1).await?;
                    event(&mut *tx, batch_id, "confirmed", now).await?;
                    TokenOutcome::Done
                }
                Some(_) => TokenOutcome::AlreadyDone,
                None => TokenOutcome::Unknown,
            }
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// Is this a live withdraw link? (Shown before the person presses the button.)
pub async fn withdraw_token_valid(db: &Db, token: &str) -> Result<bool, AppError> {
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
pub async fn withdraw(db: &Db, token: &str) -> Result<bool, AppError> {
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
    let batch: Option<(Option<i64>,)> = sqlx::query_as("SELECT batch_id FROM recruits WHERE id = $1")
        .bind(recruit_id)
        .fetch_optional(&mut *tx)
        .await?;
    erase_in(&mut tx, recruit_id).await?;
    event(&mut *tx, batch.and_then(|(b,)| b), "withdrawn", now_unix()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Deletes everything about one person (child rows first, for databases without cascades).
pub async fn erase_in(tx: &mut Transaction<'_, Any>, recruit_id: i64) -> Result<(), sqlx::Error> {
    tally::adjust(&mut **tx, recruit_id, -1).await?;
    for sql in [
        "DELETE FROM recruit_events WHERE recruit_id = $1",
        "DELETE FROM recruit_equality WHERE recruit_id = $1",
        "DELETE FROM email_tokens WHERE recruit_id = $1",
        "DELETE FROM signup_submissions WHERE recruit_id = $1",
        "DELETE FROM outbox WHERE recruit_id = $1",
        "DELETE FROM recruits WHERE id = $1",
    ] {
        sqlx::query(sql).bind(recruit_id).execute(&mut **tx).await?;
    }
    Ok(())
}
