//! SQL for coordinators' view of recruits.
mod list;

pub use list::{export_rows, list, COUNT_CAP};

use super::{EqualityDetail, RecruitDetail};
use crate::{
    db::Backend,
    db::{now_unix, Db, DbError},
    domain::RecruitStatus,
    insight::tally,
    signup::erase_in,
};

type DetailRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    Option<i64>,
);

pub async fn detail(db: &Db, public_id: &str) -> Result<Option<RecruitDetail>, DbError> {
    if !super::plausible_public_id(public_id) {
        return Ok(None);
    }
    let row: Option<DetailRow> = sqlx::query_as(
        "SELECT r.id, r.public_id, r.name, r.email, r.phone, r.contact_method, r.postcode, r.area_connection, \
         r.age_band, r.language, r.status, b.label, r.created_at, r.updated_at, r.confirmed_at \
         FROM recruits r LEFT JOIN card_batches b ON b.id = r.batch_id WHERE r.public_id = $1",
    )
    .bind(public_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((
        id,
        public_id,
        name,
        email,
        phone,
        contact_method,
        postcode,
        area_connection,
        age_band,
        language,
        status,
        batch,
        created_at,
        updated_at,
        confirmed_at,
    )) = row
    else {
        return Ok(None);
    };
    let status = RecruitStatus::parse(&status).map_err(DbError::data)?;
    let equality: Option<(i64, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as(
            "SELECT consented_at, ethnic_group, ethnic_detail, ethnic_other, sex, disability \
             FROM recruit_equality WHERE recruit_id = $1",
        )
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    let emails: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, CASE WHEN status = 'sent' AND delivery IS NOT NULL THEN delivery ELSE status END, created_at \
             FROM outbox WHERE recruit_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let timeline: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT at, actor, kind, detail FROM recruit_events WHERE recruit_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    Ok(Some(RecruitDetail {
        public_id,
        name,
        email,
        phone,
        contact_method,
        postcode,
        area_connection,
        age_band,
        language,
        status,
        batch,
        created_at,
        updated_at,
        confirmed_at,
        equality_hidden: false,
        equality: equality.map(|(consented_at, ethnic_group, ethnic_detail, ethnic_other, gender, disability)| {
            EqualityDetail { consented_at, ethnic_group, ethnic_detail, ethnic_other, gender, disability }
        }),
        emails,
        timeline,
    }))
}

/// Erases a person everywhere; anonymous counts (funnel events, scans) remain.
pub async fn erase(db: &Db, public_id: &str) -> Result<bool, DbError> {
    if !super::plausible_public_id(public_id) {
        return Ok(false);
    }
    let mut tx = db.begin_write().await?;
    let sql =
        format!("SELECT id, batch_id, panel_id FROM recruits WHERE public_id = $1{}", Backend::of(&tx).for_update());
    let row: Option<(i64, Option<i64>, i64)> = sqlx::query_as(&sql).bind(public_id).fetch_optional(&mut *tx).await?;
    let Some((id, batch_id, panel_id)) = row else {
        tx.commit().await?;
        return Ok(false);
    };
    erase_in(&mut tx, id).await?;
    crate::signup::record_event(&mut *tx, batch_id, crate::signup::PanelOf::Id(panel_id), "erased", now_unix()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Moves recruits to `status`, recording each change on their timeline. Returns how
/// many changed (unknown ids and no-op changes are skipped).
pub async fn set_status(
    db: &Db,
    public_ids: &[String],
    status: RecruitStatus,
    actor: &str,
) -> Result<Vec<String>, DbError> {
    let now = now_unix();
    let mut tx = db.begin_write().await?;
    let mut changed = Vec::new();
    // One order for everyone, so two coordinators' overlapping selections lock the same
    // rows in the same order and never deadlock.
    let mut ids: Vec<&String> = public_ids.iter().filter(|id| super::plausible_public_id(id)).collect();
    ids.sort();
    ids.dedup();
    for public_id in ids {
        // Locked: two coordinators changing one person at once must not both move the
        // running counts from the same old status (members once showed -2).
        let sql = format!("SELECT id, status FROM recruits WHERE public_id = $1{}", Backend::of(&tx).for_update());
        let row: Option<(i64, String)> = sqlx::query_as(&sql).bind(public_id).fetch_optional(&mut *tx).await?;
        let Some((id, old)) = row else { continue };
        if old == status.code() {
            continue;
        }
        tally::adjust(&mut tx, id, -1).await?;
        sqlx::query("UPDATE recruits SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.code())
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tally::adjust(&mut tx, id, 1).await?;
        sqlx::query(
            "INSERT INTO recruit_events (recruit_id, at, actor, kind, detail) VALUES ($1, $2, $3, 'status', $4)",
        )
        .bind(id)
        .bind(now)
        .bind(actor)
        .bind(format!("{old} → {}", status.code()))
        .execute(&mut *tx)
        .await?;
        changed.push(public_id.clone());
    }
    tx.commit().await?;
    Ok(changed)
}

pub async fn add_note(db: &Db, public_id: &str, note: &str, actor: &str) -> Result<bool, DbError> {
    if !super::plausible_public_id(public_id) {
        return Ok(false);
    }
    let done = sqlx::query(
        "INSERT INTO recruit_events (recruit_id, at, actor, kind, detail) \
         SELECT id, $1, $2, 'note', $3 FROM recruits WHERE public_id = $4",
    )
    .bind(now_unix())
    .bind(actor)
    .bind(note)
    .bind(public_id)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// People waiting for a call: phone only, still unconfirmed, never sent a text. Oldest
/// first.
pub async fn call_back_queue(db: &Db) -> Result<Vec<super::CallBack>, DbError> {
    let rows: Vec<(String, String, Option<String>, i64, Option<String>)> = sqlx::query_as(
        "SELECT r.public_id, r.name, r.phone, r.created_at, \
         (SELECT e.detail FROM recruit_events e WHERE e.recruit_id = r.id AND e.kind = 'note' AND e.detail LIKE 'Call: %' \
          ORDER BY e.id DESC LIMIT 1) \
         FROM recruits r WHERE r.status = 'new' AND r.email IS NULL AND r.phone IS NOT NULL \
         AND r.confirmation_sent_at IS NULL ORDER BY r.created_at, r.id LIMIT 500",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(public_id, name, phone, signed_up_at, last)| super::CallBack {
            public_id,
            name,
            phone: phone.unwrap_or_default(),
            signed_up_at,
            days_waiting: ((now_unix() - signed_up_at) / 86_400).max(0),
            last_call: last.map(|d| d.trim_start_matches("Call: ").to_string()),
        })
        .collect())
}

/// What needs doing: sign-ups this week, people waiting for a call, people to contact.
pub async fn to_do(db: &Db) -> Result<super::ToDo, DbError> {
    let (new_this_week, waiting_for_call, to_contact): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM recruits WHERE created_at > $1), \
         (SELECT COUNT(*) FROM recruits WHERE status = 'new' AND email IS NULL AND phone IS NOT NULL AND confirmation_sent_at IS NULL), \
         (SELECT COUNT(*) FROM recruits WHERE status = 'confirmed')",
    )
    .bind(now_unix() - 7 * 86_400)
    .fetch_one(db.pool())
    .await?;
    Ok(super::ToDo { new_this_week, waiting_for_call, to_contact })
}

/// How a coordinator's message reaches one person: their ids, contacts and language.
pub struct Recipient {
    pub id: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub contact_method: String,
    pub language: String,
}

/// The people behind `public_ids` (unknown ids skipped), in the order given.
pub async fn recipients<'e, E>(db: E, public_ids: &[String]) -> Result<Vec<Recipient>, DbError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any> + Copy,
{
    let mut out = Vec::with_capacity(public_ids.len());
    for id in public_ids {
        let row: Option<(i64, Option<String>, Option<String>, String, String)> =
            sqlx::query_as("SELECT id, email, phone, contact_method, language FROM recruits WHERE public_id = $1")
                .bind(id)
                .fetch_optional(db)
                .await?;
        if let Some((id, email, phone, contact_method, language)) = row {
            out.push(Recipient { id, email, phone, contact_method, language });
        }
    }
    Ok(out)
}

/// One invitation to queue: the message and the note for the person's timeline.
pub struct Invitation {
    pub recruit_id: i64,
    pub payload: String,
    pub note: String,
}

/// Queues invitations and notes them on each timeline, in one transaction. The same
/// message to the same person within ten minutes is a second press of Send (or a
/// resent form), not a new invitation: it is skipped. Returns how many were queued.
pub async fn queue_invitations(db: &Db, actor: &str, invitations: &[Invitation]) -> Result<usize, DbError> {
    let mut tx = db.begin_write().await?;
    let mut queued = 0;
    for i in invitations {
        if crate::email::queued_recently(&mut tx, i.recruit_id, &i.payload, now_unix() - 600).await? {
            continue;
        }
        crate::email::queue(&mut tx, i.recruit_id, "message", &i.payload).await?;
        sqlx::query("INSERT INTO recruit_events (recruit_id, at, actor, kind, detail) VALUES ($1, $2, $3, 'note', $4)")
            .bind(i.recruit_id)
            .bind(now_unix())
            .bind(actor)
            .bind(&i.note)
            .execute(&mut *tx)
            .await?;
        queued += 1;
    }
    tx.commit().await?;
    Ok(queued)
}
