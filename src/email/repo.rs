//! SQL for the outbox and email tokens.
use sqlx::{Any, Transaction};

use crate::db::{now_unix, Db, DbError};
use crate::tokens;

pub struct OutboxItem {
    pub id: i64,
    pub recruit_id: Option<i64>,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

pub struct Recipient {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub contact_method: String,
    pub language: String,
}

/// Queues an email inside the caller's transaction: saved with the data it is about.
pub async fn queue(tx: &mut Transaction<'_, Any>, recruit_id: i64, kind: &str, payload: &str) -> Result<(), DbError> {
    let now = now_unix();
    sqlx::query(
        "INSERT INTO outbox (recruit_id, kind, payload, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, 'pending', 0, $4, $4)",
    )
    .bind(recruit_id)
    .bind(kind)
    .bind(payload)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn due(db: &Db, limit: i64) -> Result<Vec<i64>, DbError> {
    let now = now_unix();
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
         AND (locked_until IS NULL OR locked_until < $1) ORDER BY id LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Takes messages for sending, in one statement; only one worker (of possibly several
/// instances) wins each. Returns the ones this worker won, oldest first.
pub async fn claim_many(db: &Db, ids: &[i64], lease_secs: i64) -> Result<Vec<OutboxItem>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let now = now_unix();
    let p = |first, n| crate::db::placeholders_from(db.backend(), first, n);
    let (until, at, list) = (p(1, 1), p(2, 1), p(3, ids.len()));
    let sql = format!(
        "UPDATE outbox SET locked_until = {until} WHERE status = 'pending' \
         AND (locked_until IS NULL OR locked_until < {at}) AND id IN ({list}) \
         RETURNING id, recruit_id, kind, payload, attempts"
    );
    let mut q = sqlx::query_as::<_, (i64, Option<i64>, String, String, i64)>(&sql).bind(now + lease_secs).bind(now);
    for id in ids {
        q = q.bind(*id);
    }
    let mut won: Vec<OutboxItem> = q
        .fetch_all(db.writer())
        .await?
        .into_iter()
        .map(|(id, recruit_id, kind, payload, attempts)| OutboxItem { id, recruit_id, kind, payload, attempts })
        .collect();
    won.sort_by_key(|item| item.id);
    Ok(won)
}

/// Keeps this worker's claim on messages it is still sending (a slow batch must not
/// outlive its lease, or another instance would send the same messages again). Only
/// claims that are still held are extended. Returns how many were.
pub async fn renew_claims(db: &Db, ids: &[i64], lease_secs: i64) -> Result<u64, DbError> {
    if ids.is_empty() {
        return Ok(0);
    }
    let now = now_unix();
    let p = |first, n| crate::db::placeholders_from(db.backend(), first, n);
    let (until, at, list) = (p(1, 1), p(2, 1), p(3, ids.len()));
    let sql = format!(
        "UPDATE outbox SET locked_until = {until} WHERE status = 'pending' \
         AND locked_until >= {at} AND id IN ({list})"
    );
    let mut q = sqlx::query(&sql).bind(now + lease_secs).bind(now);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.execute(db.writer()).await?.rows_affected())
}

pub async fn recipient(db: &Db, recruit_id: i64) -> Result<Option<Recipient>, DbError> {
    let row: Option<(String, Option<String>, Option<String>, String, String)> =
        sqlx::query_as("SELECT name, email, phone, contact_method, language FROM recruits WHERE id = $1")
            .bind(recruit_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(name, email, phone, contact_method, language)| Recipient {
        name,
        email,
        phone,
        contact_method,
        language,
    }))
}

/// The result of one delivery attempt.
pub struct Delivery {
    pub id: i64,
    pub sent: bool,
    pub next_attempt_at: i64,
    pub error: Option<String>,
    pub give_up: bool,
    /// Notify's id for the message.
    pub provider_id: Option<String>,
    /// Taken by a service that reaches people (not written to a file).
    pub reaches_people: bool,
}

/// Records a batch of delivery attempts in one write.
pub async fn record_deliveries(db: &Db, results: &[Delivery]) -> Result<(), DbError> {
    if results.is_empty() {
        return Ok(());
    }
    let now = now_unix();
    let mut tx = db.begin_write().await?;
    // A confirmation that really went out starts the clock for unconfirmed sign-ups.
    // The people first, then their emails: the order withdrawal, erasure and
    // confirmation lock them in. Emails first deadlocked on PostgreSQL with someone
    // withdrawing as their confirmation was recorded (a 500 page, and not withdrawn).
    let reached: Vec<i64> = results.iter().filter(|d| d.sent && d.reaches_people).map(|d| d.id).collect();
    if !reached.is_empty() {
        let p = |first, n| crate::db::placeholders_from(db.backend(), first, n);
        let (at, list) = (p(1, 1), p(2, reached.len()));
        let sql = format!(
            "UPDATE recruits SET confirmation_sent_at = COALESCE(confirmation_sent_at, {at}) WHERE id IN \
             (SELECT recruit_id FROM outbox WHERE kind IN ('confirm', 'update') AND id IN ({list}))"
        );
        let mut q = sqlx::query(&sql).bind(now);
        for id in &reached {
            q = q.bind(*id);
        }
        q.execute(&mut *tx).await?;
    }
    // Each email's row written once: a second UPDATE of a row this transaction had
    // already updated makes PostgreSQL check its recruit again (FOR KEY SHARE), which
    // waited behind a withdrawal holding the person while it waited for this row.
    for d in results {
        if d.sent {
            // Notify's id, to match its delivery receipts; files are marked as never sent.
            sqlx::query(
                "UPDATE outbox SET status = 'sent', sent_at = $1, locked_until = NULL, attempts = attempts + 1, \
                 provider_id = $2, delivery = $3 WHERE id = $4",
            )
            .bind(now)
            .bind(&d.provider_id)
            .bind(if d.reaches_people { "accepted" } else { "written-to-file" })
            .bind(d.id)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, locked_until = NULL, \
                 last_error = $2, status = $3 WHERE id = $4",
            )
            .bind(d.next_attempt_at)
            .bind(d.error.as_deref())
            .bind(if d.give_up { "failed" } else { "pending" })
            .bind(d.id)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A single-use token for a link, made before the email is sent; only its hash is stored.
pub struct NewToken {
    hash: String,
    recruit_id: i64,
    purpose: &'static str,
    expires_at: i64,
    /// A confirmation link for a repeat sign-up's answers: which ones it applies.
    pending_id: Option<i64>,
}

impl NewToken {
    /// Makes a token, adds its row to `tokens` and returns the token for the link.
    pub fn push(tokens: &mut Vec<NewToken>, recruit_id: i64, purpose: &'static str, ttl_secs: i64) -> String {
        Self::push_for(tokens, recruit_id, purpose, ttl_secs, None)
    }

    /// A short token (22 characters) for a link in a text message.
    pub fn push_short(
        tokens: &mut Vec<NewToken>,
        recruit_id: i64,
        purpose: &'static str,
        ttl_secs: i64,
        pending_id: Option<i64>,
    ) -> String {
        Self::keep(tokens, tokens::new_short_token(), recruit_id, purpose, ttl_secs, pending_id)
    }

    pub fn push_for(
        tokens: &mut Vec<NewToken>,
        recruit_id: i64,
        purpose: &'static str,
        ttl_secs: i64,
        pending_id: Option<i64>,
    ) -> String {
        Self::keep(tokens, tokens::new_token(), recruit_id, purpose, ttl_secs, pending_id)
    }

    fn keep(
        tokens: &mut Vec<NewToken>,
        token: String,
        recruit_id: i64,
        purpose: &'static str,
        ttl_secs: i64,
        pending_id: Option<i64>,
    ) -> String {
        tokens.push(NewToken {
            hash: tokens::hash(&token),
            recruit_id,
            purpose,
            expires_at: now_unix() + ttl_secs,
            pending_id,
        });
        token
    }
}

/// Saves tokens in one write (before the emails carrying them are sent).
pub async fn save_tokens(db: &Db, new: &[NewToken]) -> Result<(), DbError> {
    if new.is_empty() {
        return Ok(());
    }
    let now = now_unix();
    let mut tx = db.begin_write().await?;
    for chunk in new.chunks(crate::db::rows_per_insert(6)) {
        let sql = format!(
            "INSERT INTO email_tokens (token_hash, recruit_id, purpose, created_at, expires_at, pending_id) VALUES {}",
            crate::db::values_placeholders(crate::db::Backend::of(&tx), chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for t in chunk {
            q = q.bind(&t.hash).bind(t.recruit_id).bind(t.purpose).bind(now).bind(t.expires_at).bind(t.pending_id);
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Counts per status, for the dashboard and tests.
pub async fn status_counts(db: &Db) -> Result<Vec<(String, i64)>, DbError> {
    Ok(sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status")
        .fetch_all(db.pool())
        .await?)
}

/// A delivery receipt from Notify's callback: the message's final status.
pub async fn record_receipt(db: &Db, reference: &str, provider_id: &str, status: &str) -> Result<bool, DbError> {
    let Some(id) = reference.strip_prefix("outbox-").and_then(|n| n.parse::<i64>().ok()) else { return Ok(false) };
    let done =
        sqlx::query("UPDATE outbox SET delivery = $1 WHERE id = $2 AND (provider_id = $3 OR provider_id IS NULL)")
            .bind(status)
            .bind(id)
            .bind(provider_id)
            .execute(db.writer())
            .await?
            .rows_affected();
    Ok(done == 1)
}

/// The outbox at a glance, for `/health`: messages waiting, how long the oldest has
/// waited, and messages given up on in the last day.
pub struct OutboxState {
    pub pending: i64,
    pub oldest_pending_seconds: i64,
    pub failed_last_day: i64,
}

pub async fn outbox_state(db: &Db) -> Result<OutboxState, DbError> {
    let now = now_unix();
    let (pending, oldest): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending'")
            .fetch_one(db.pool())
            .await?;
    let (failed,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = 'failed' AND created_at >= $1")
        .bind(now - 86_400)
        .fetch_one(db.pool())
        .await?;
    Ok(OutboxState { pending, oldest_pending_seconds: oldest.map_or(0, |t| (now - t).max(0)), failed_last_day: failed })
}

/// Whether this exact message was queued for this person since `since` (a second press
/// of Send is not a second invitation).
pub async fn queued_recently(
    tx: &mut Transaction<'_, Any>,
    recruit_id: i64,
    payload: &str,
    since: i64,
) -> Result<bool, DbError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM outbox WHERE recruit_id = $1 AND kind = 'message' AND payload = $2 AND created_at >= $3",
    )
    .bind(recruit_id)
    .bind(payload)
    .bind(since)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}
