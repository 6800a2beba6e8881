//! SQL for coordinators' view of recruits.
use super::{EqualityDetail, RecruitDetail, RecruitRow};
use crate::{
    db::{now_unix, Db},
    insight::tally,
    error::AppError,
    signup::repo::erase_in,
};

pub async fn list(db: &Db, status: &str, limit: i64, offset: i64) -> Result<Vec<RecruitRow>, AppError> {
    let rows: Vec<(String, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT r.public_id, r.name, r.status, b.label, r.created_at FROM recruits r \
         LEFT JOIN card_batches b ON b.id = r.batch_id \
         WHERE ($1 = '' OR r.status = $1) ORDER BY r.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(public_id, name, status, batch, created_at)| RecruitRow { public_id, name, status, batch, created_at })
        .collect())
}

type DetailRow = (
    i64, String, String, Option<String>, Option<String>, String, Option<String>, String, String, String, String,
    Option<String>, i64, i64, Option<i64>,
);

pub async fn detail(db: &Db, public_id: &str) -> Result<Option<RecruitDetail>, AppError> {
    let row: Option<DetailRow> = sqlx::query_as(
        "SELECT r.id, r.public_id, r.name, r.email, r.phone, r.contact_method, r.postcode, r.area_connection, \
         r.age_band, r.language, r.status, b.label, r.created_at, r.updated_at, r.confirmed_at \
         FROM recruits r LEFT JOIN card_batches b ON b.id = r.batch_id WHERE r.public_id = $1",
    )
    .bind(public_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((id, public_id, name, email, phone, contact_method, postcode, area_connection, age_band, language, status, batch, created_at, updated_at, confirmed_at)) = row
    else {
        return Ok(None);
    };
    let equality: Option<(i64, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as(
            "SELECT consented_at, ethnic_group, ethnic_detail, ethnic_other, sex, disability \
             FROM recruit_equality WHERE recruit_id = $1",
        )
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    let emails: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT kind, status, created_at FROM outbox WHERE recruit_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    let timeline: Vec<(i64, String, String, String)> =
        sqlx::query_as("SELECT at, actor, kind, detail FROM recruit_events WHERE recruit_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    Ok(Some(RecruitDetail {
        public_id, name, email, phone, contact_method, postcode, area_connection, age_band, language, status, batch,
        created_at, updated_at, confirmed_at,
        equality: equality.map(|(consented_at, ethnic_group, ethnic_detail, ethnic_other, gender, disability)| {
            EqualityDetail { consented_at, ethnic_group, ethnic_detail, ethnic_other, gender, disability }
        }),
        emails,
        timeline,
    }))
}

/// Erases a person everywhere; anonymous counts (funnel events, scans) remain.
pub async fn erase(db: &Db, public_id: &str) -> Result<bool, AppError> {
    let mut tx = db.begin_write().await?;
    let row: Option<(i64, Option<i64>)> = sqlx::query_as("SELECT id, batch_id FROM recruits WHERE public_id = $1")
        .bind(public_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((id, batch_id)) = row else {
        tx.commit().await?;
        return Ok(false);
    };
    erase_in(&mut tx, id).await?;
    crate::signup::repo::event(&mut *tx, batch_id, "erased", now_unix()).await?;
    tx.commit().await?;
    Ok(true)
}

/// Moves recruits to `status`, recording each change on their timeline. Returns how
/// many changed (unknown ids and no-op changes are skipped).
pub async fn set_status(db: &Db, public_ids: &[String], status: &str, actor: &str) -> Result<Vec<String>, AppError> {
    let now = now_unix();
    let mut tx = db.begin_write().await?;
    let mut changed = Vec::new();
    for public_id in public_ids {
        let row: Option<(i64, String)> = sqlx::query_as("SELECT id, status FROM recruits WHERE public_id = $1")
            .bind(public_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((id, old)) = row else { continue };
        if old == status {
            continue;
        }
        tally::adjust(&mut *tx, id, -1).await?;
        sqlx::query("UPDATE recruits SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tally::adjust(&mut *tx, id, 1).await?;
        sqlx::query("INSERT INTO recruit_events (recruit_id, at, actor, kind, detail) VALUES ($1, $2, $3, 'status', $4)")
            .bind(id)
            .bind(now)
            .bind(actor)
            .bind(format!("{old} → {status}"))
            .execute(&mut *tx)
            .await?;
        changed.push(public_id.clone());
    }
    tx.commit().await?;
    Ok(changed)
}

pub async fn add_note(db: &Db, public_id: &str, note: &str, actor: &str) -> Result<bool, AppError> {
    let done = sqlx::query(
        "INSERT INTO recruit_events (recruit_id, at, actor, kind, detail) \
         SELECT id, $1, $2, 'note', $3 FROM recruits WHERE public_id = $4",
    )
    .bind(now_unix())
    .bind(actor)
    .bind(note)
    .bind(public_id)
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Every recruit's exportable fields as text, by column name.
pub async fn export_rows(db: &Db, status: &str) -> Result<Vec<std::collections::HashMap<&'static str, String>>, AppError> {
    type Row = (String, Option<String>, Option<String>, String, Option<String>, String, String, String, String, Option<String>, i64, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT r.name, r.email, r.phone, r.contact_method, r.postcode, r.area_connection, r.age_band, r.language, \
         r.status, b.label, r.created_at, r.confirmed_at FROM recruits r LEFT JOIN card_batches b ON b.id = r.batch_id \
         WHERE ($1 = '' OR r.status = $1) ORDER BY r.id",
    )
    .bind(status)
    .fetch_all(db.pool())
    .await?;
    let date = |t: i64| crate::domain::ExpiryDate::of_unix(t).to_string();
    Ok(rows
        .into_iter()
        .map(|(name, email, phone, contact, postcode, area, age, lang, status, batch, created, confirmed)| {
            std::collections::HashMap::from([
                ("name", name),
                ("email", email.unwrap_or_default()),
                ("phone", phone.unwrap_or_default()),
                ("contact_method", contact),
                ("postcode", postcode.unwrap_or_default()),
                ("area_connection", area),
                ("age_band", age),
                ("language", lang),
                ("status", status),
                ("batch", batch.unwrap_or_default()),
                ("created_at", date(created)),
                ("confirmed_at", confirmed.map(date).unwrap_or_default()),
            ])
        })
        .collect())
}
