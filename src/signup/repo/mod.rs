//! SQL for sign-ups. Here: saving a submission (idempotently), and a repeat sign-up's
//! answers held until the person confirms them; `confirmation`: receipts, resends and
//! confirm links; `erasure`: withdrawal, erasure and the anonymous funnel events.
use sqlx::{Any, Transaction};

use crate::{
    db::{now_unix, Db, DbError},
    domain::{
        AgeBand, AreaConnection, ContactMethod, Disability, Email, EthnicDetail, EthnicGroup, Gender, PersonName,
        Phone, Postcode,
    },
    email as outbox,
    i18n::Lang,
    insight::tally,
    tokens,
};

mod confirmation;
mod erasure;

pub use confirmation::{confirm, receipt, resend, resend_pending, token_language, Receipt, TokenOutcome};
pub use erasure::{erase_in, event, record_event, withdraw, withdraw_token_valid, PanelOf};

pub struct EqualityAnswers {
    pub gender: Option<Gender>,
    pub disability: Option<Disability>,
    pub ethnic_group: Option<EthnicGroup>,
    pub ethnic_detail: Option<EthnicDetail>,
    pub ethnic_other: Option<String>,
}

pub struct Submission {
    pub batch_id: Option<i64>,
    /// The panel named in the address they joined from (`/join?panel=youth`), as typed:
    /// a card's batch decides first, then this, then the first panel.
    pub panel: Option<String>,
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
    /// Phone only, and a text message service is set up: confirm by text.
    pub confirm_by_text: bool,
}

/// A receipt lets the page after submit show the address used and offer a resend.
pub const RECEIPT_TTL_SECS: i64 = 24 * 3600;

/// What saving a sign-up came to.
#[derive(Debug)]
pub enum Submitted {
    /// Saved (or found saved by the same journey): the receipt for the "check your email"
    /// page.
    Receipt(String),
    /// This journey key was already used for someone else's answers: nothing was saved
    /// and nothing of theirs is shown.
    KeyReused,
}

/// Confirmation emails (including "confirm your new answers") per person per day: the
/// first and two resends. Six sign-ups with one address once sent six emails to it.
pub const MAX_CONFIRMATIONS_PER_DAY: i64 = 3;

/// Saves a sign-up and queues its confirmation email, all in one transaction.
/// The same form submitted twice finds the first result. An email address already on
/// the list never changes that person: the new answers wait (`pending_answers`) until
/// the person confirms them through a link sent to the address already stored.
pub async fn submit(db: &Db, s: &Submission) -> Result<Submitted, DbError> {
    // A concurrent twin (same key or same email) can win the race between our check and
    // insert; the second try then finds its row.
    match submit_once(db, s).await {
        Err(e) if e.is_unique_violation() => Ok(submit_once(db, s).await?),
        other => Ok(other?),
    }
}

async fn submit_once(db: &Db, s: &Submission) -> Result<Submitted, DbError> {
    let mut tx = db.begin_write().await?;
    let receipt = submit_in(&mut tx, s).await?;
    tx.commit().await?;
    Ok(receipt)
}

/// Is the recruit `id` the person this submission describes (same email, or for
/// phone-only sign-ups the same phone)? A journey key replayed by someone else is not.
async fn same_person(tx: &mut Transaction<'static, Any>, id: i64, s: &Submission) -> Result<bool, DbError> {
    let row: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT email_lower, phone FROM recruits WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(match (row, &s.email) {
        (Some((Some(stored), _)), Some(email)) => stored == email.normalized(),
        (Some((None, stored_phone)), None) => stored_phone.as_deref() == s.phone.as_ref().map(Phone::as_str),
        _ => false,
    })
}

/// Saves one sign-up inside the caller's write transaction (see `submit`); the caller
/// commits. Used directly by the group committer, which saves several per commit.
pub async fn submit_in(tx: &mut Transaction<'static, Any>, s: &Submission) -> Result<Submitted, DbError> {
    let now = now_unix();
    let receipt = tokens::new_token();

    let seen: Option<(i64,)> = sqlx::query_as("SELECT recruit_id FROM signup_submissions WHERE idempotency_key = $1")
        .bind(&s.key)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some((id,)) = seen {
        if !same_person(tx, id, s).await? {
            return Ok(Submitted::KeyReused);
        }
        set_receipt(tx, id, &receipt, now).await?;
        return Ok(Submitted::Receipt(receipt));
    }
    let pending: Option<(i64, String)> =
        sqlx::query_as("SELECT id, payload FROM pending_answers WHERE idempotency_key = $1")
            .bind(&s.key)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some((pending_id, payload)) = pending {
        let typed = s.email.as_ref().map(Email::normalized);
        let same = serde_json::from_str::<PendingAnswers>(&payload)
            .is_ok_and(|p| p.email.map(|e| e.to_ascii_lowercase()) == typed);
        if !same {
            return Ok(Submitted::KeyReused);
        }
        set_pending_receipt(tx, pending_id, &receipt, now).await?;
        return Ok(Submitted::Receipt(receipt));
    }

    let email_lower = s.email.as_ref().map(Email::normalized);
    let existing: Option<(i64,)> = match &email_lower {
        Some(e) => {
            sqlx::query_as("SELECT id FROM recruits WHERE email_lower = $1").bind(e).fetch_optional(&mut **tx).await?
        }
        None => None,
    };
    if let Some((id,)) = existing {
        // On PostgreSQL a twin of this very form (a double tap) may have committed between
        // the key check above and the email check: then the key is there now.
        let twin: Option<(i64,)> =
            sqlx::query_as("SELECT recruit_id FROM signup_submissions WHERE idempotency_key = $1")
                .bind(&s.key)
                .fetch_optional(&mut **tx)
                .await?;
        if twin.is_some_and(|(t,)| t == id) {
            set_receipt(tx, id, &receipt, now).await?;
            return Ok(Submitted::Receipt(receipt));
        }
        return hold_for_confirmation(tx, id, s, receipt, now).await;
    }

    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO recruits (public_id, batch_id, name, email, email_lower, phone, contact_method, \
         postcode, area_connection, age_band, language, status, created_at, updated_at, \
         receipt_hash, receipt_expires, panel_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'new', $12, $12, $13, $14, \
         COALESCE((SELECT panel_id FROM card_batches WHERE id = $2), (SELECT id FROM panels WHERE slug = $15), \
         (SELECT MIN(id) FROM panels))) RETURNING id",
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
    .bind(s.panel.as_deref().unwrap_or(""))
    .fetch_one(&mut **tx)
    .await?;
    if let Some(eq) = &s.equality {
        insert_equality(tx, id, eq, now).await?;
    }
    tally::adjust(tx, id, 1).await?;
    sqlx::query("INSERT INTO signup_submissions (idempotency_key, recruit_id, created_at) VALUES ($1, $2, $3)")
        .bind(&s.key)
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    if s.email.is_some() || s.confirm_by_text {
        outbox::queue(tx, id, "confirm", "").await?;
    }
    event(&mut **tx, s.batch_id, PanelOf::Slug(s.panel.as_deref().unwrap_or("")), "submitted", now).await?;
    Ok(Submitted::Receipt(receipt))
}

async fn insert_equality(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    eq: &EqualityAnswers,
    now: i64,
) -> Result<(), DbError> {
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
    Ok(())
}

/// Locks one recruit's row until the transaction ends (PostgreSQL; SQLite's single writer
/// already serialises): reads that decide a write — the running counts, the daily email
/// cap — then see no other writer's half-done change. False when there is no such person.
async fn lock_recruit(tx: &mut Transaction<'_, Any>, recruit_id: i64) -> Result<bool, DbError> {
    let sql = format!("SELECT id FROM recruits WHERE id = $1{}", crate::db::Backend::of(tx).for_update());
    Ok(sqlx::query(&sql).bind(recruit_id).fetch_optional(&mut **tx).await?.is_some())
}

/// Confirmation emails and "did you sign up again?" emails queued for a person in the
/// 24 hours before `now` (the daily cap counts both).
async fn confirmations_today(tx: &mut Transaction<'_, Any>, recruit_id: i64, now: i64) -> Result<i64, DbError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM outbox WHERE recruit_id = $1 AND kind IN ('confirm', 'update') AND created_at > $2",
    )
    .bind(recruit_id)
    .bind(now - 24 * 3600)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// A sign-up with the email address of someone already on the list. Anyone can type
/// anyone's address, so nothing about the person changes: the answers wait, the person
/// is asked (at the address already stored, at most a few times a day) whether to use
/// them, and their timeline says so. The page after sending looks the same as for a new
/// sign-up, so it does not reveal who is on the list.
async fn hold_for_confirmation(
    tx: &mut Transaction<'static, Any>,
    recruit_id: i64,
    s: &Submission,
    receipt: String,
    now: i64,
) -> Result<Submitted, DbError> {
    // Locked: parallel repeat sign-ups for one person count their emails one at a time
    // (on PostgreSQL thirty at once once sent eighteen).
    lock_recruit(tx, recruit_id).await?;
    let payload = serde_json::to_string(&PendingAnswers::from(s)).map_err(DbError::data)?;
    let (pending_id,): (i64,) = sqlx::query_as(
        "INSERT INTO pending_answers (recruit_id, idempotency_key, payload, receipt_hash, receipt_expires, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(recruit_id)
    .bind(&s.key)
    .bind(payload)
    .bind(tokens::hash(&receipt))
    .bind(now + RECEIPT_TTL_SECS)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let sent_today = confirmations_today(tx, recruit_id, now).await?;
    let detail = if sent_today < MAX_CONFIRMATIONS_PER_DAY {
        outbox::queue(tx, recruit_id, "update", &pending_id.to_string()).await?;
        "Someone signed up again with this email address. Nothing has changed: the new answers \
         are used only if the person confirms them through a link emailed to the address on record."
    } else {
        "Someone signed up again with this email address. Nothing has changed, and no email was \
         sent (daily limit of confirmation emails reached)."
    };
    sqlx::query(
        "INSERT INTO recruit_events (recruit_id, at, actor, kind, detail) VALUES ($1, $2, 'sign-up form', 'note', $3)",
    )
    .bind(recruit_id)
    .bind(now)
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    // Not a "submitted" funnel event: the funnel counts people, and this person was counted
    // when they first signed up (a correction counted again made "Sent" exceed "Started").
    Ok(Submitted::Receipt(receipt))
}

/// A repeat sign-up's answers, kept as the codes the form parsed them into.
#[derive(serde::Serialize, serde::Deserialize)]
struct PendingAnswers {
    batch_id: Option<i64>,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    contact_method: String,
    postcode: Option<String>,
    connection: String,
    age_band: String,
    language: String,
    equality: Option<PendingEquality>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PendingEquality {
    gender: Option<String>,
    disability: Option<String>,
    ethnic_group: Option<String>,
    ethnic_detail: Option<String>,
    ethnic_other: Option<String>,
}

impl From<&Submission> for PendingAnswers {
    fn from(s: &Submission) -> Self {
        PendingAnswers {
            batch_id: s.batch_id,
            name: s.name.as_str().to_string(),
            // As typed (the page after sending shows it back exactly as for anyone else).
            email: s.email.as_ref().map(|e| e.as_str().to_string()),
            phone: s.phone.as_ref().map(|p| p.as_str().to_string()),
            contact_method: s.contact_method.code().to_string(),
            postcode: s.postcode.as_ref().map(|p| p.as_str().to_string()),
            connection: s.connection.code().to_string(),
            age_band: s.age_band.code().to_string(),
            language: s.language.code().to_string(),
            equality: s.equality.as_ref().map(|e| PendingEquality {
                gender: e.gender.map(|g| g.code().to_string()),
                disability: e.disability.map(|d| d.code().to_string()),
                ethnic_group: e.ethnic_group.map(|g| g.code().to_string()),
                ethnic_detail: e.ethnic_detail.map(|d| d.code().to_string()),
                ethnic_other: e.ethnic_other.clone(),
            }),
        }
    }
}

/// A repeat sign-up's answers as lines for the "did you sign up again?" email: name,
/// phone, postcode and age band (what would replace the stored ones), nothing else.
pub async fn pending_summary(db: &Db, pending_id: i64) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT payload FROM pending_answers WHERE id = $1")
        .bind(pending_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.and_then(|(p,)| serde_json::from_str::<PendingAnswers>(&p).ok()).map(|a| {
        let mut lines = vec![format!("- {}", a.name)];
        if let Some(phone) = &a.phone {
            lines.push(format!("- {phone}"));
        }
        if let Some(postcode) = &a.postcode {
            lines.push(format!("- {postcode}"));
        }
        lines.push(format!("- {}", a.age_band));
        lines.join("\n")
    }))
}

async fn set_pending_receipt(tx: &mut Transaction<'_, Any>, id: i64, receipt: &str, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE pending_answers SET receipt_hash = $1, receipt_expires = $2 WHERE id = $3")
        .bind(tokens::hash(receipt))
        .bind(now + RECEIPT_TTL_SECS)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn set_receipt(tx: &mut Transaction<'_, Any>, id: i64, receipt: &str, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE recruits SET receipt_hash = $1, receipt_expires = $2 WHERE id = $3")
        .bind(tokens::hash(receipt))
        .bind(now + RECEIPT_TTL_SECS)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether a journey (its idempotency key) has been sent already: its step addresses
/// then open nothing, so answers do not live on in a browser's history.
pub async fn journey_sent(db: &Db, key: &str) -> Result<bool, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM signup_submissions WHERE idempotency_key = $1 \
         UNION ALL SELECT 1 FROM pending_answers WHERE idempotency_key = $1",
    )
    .bind(key)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}
