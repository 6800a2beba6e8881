//! SQL for panels, their target composition and their members' records.
use super::{DueItem, Member, MemberRecord, Panel, Training};
use crate::{
    db::{now_unix, Db, DbError},
    domain::{ExpiryDate, MemberRole, PanelKind, VettingStatus},
};

type PanelRow = (i64, String, String, String, Option<String>, Option<i64>, Option<i64>, Option<String>, i64);

const PANEL_COLUMNS: &str = "id, slug, name, kind, area, min_age, term_limit_months, safeguarding_lead, reports_public";

fn panel(r: PanelRow) -> Result<Panel, DbError> {
    let (id, slug, name, kind, area, min_age, term_limit_months, safeguarding_lead, public) = r;
    Ok(Panel {
        id,
        kind: PanelKind::parse(&kind).map_err(|_| DbError::data(format!("panel {id}: kind {kind:?}")))?,
        slug,
        name,
        area,
        min_age,
        term_limit_months,
        safeguarding_lead,
        reports_public: public != 0,
    })
}

/// Every panel, in the order they were added.
pub async fn list(db: &Db) -> Result<Vec<Panel>, DbError> {
    let rows: Vec<PanelRow> =
        sqlx::query_as(&format!("SELECT {PANEL_COLUMNS} FROM panels ORDER BY id")).fetch_all(db.pool()).await?;
    rows.into_iter().map(panel).collect()
}

pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<Panel>, DbError> {
    let row: Option<PanelRow> = sqlx::query_as(&format!("SELECT {PANEL_COLUMNS} FROM panels WHERE slug = $1"))
        .bind(slug)
        .fetch_optional(db.pool())
        .await?;
    row.map(panel).transpose()
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Panel>, DbError> {
    let row: Option<PanelRow> = sqlx::query_as(&format!("SELECT {PANEL_COLUMNS} FROM panels WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.map(panel).transpose()
}

/// What a panel is (everything but its id).
pub struct PanelFields {
    pub slug: String,
    pub name: String,
    pub kind: PanelKind,
    pub area: Option<String>,
    pub min_age: Option<i64>,
    pub term_limit_months: Option<i64>,
    pub safeguarding_lead: Option<String>,
    pub reports_public: bool,
}

/// Adds a panel; `None` when the short name is taken (nothing is changed then).
pub async fn add(db: &Db, p: &PanelFields) -> Result<Option<i64>, DbError> {
    let mut tx = db.begin_write().await?;
    let taken: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM panels WHERE slug = $1").bind(&p.slug).fetch_optional(&mut *tx).await?;
    if taken.is_some() {
        return Ok(None);
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO panels (slug, name, kind, area, min_age, term_limit_months, safeguarding_lead, reports_public, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(&p.slug)
    .bind(&p.name)
    .bind(p.kind.code())
    .bind(p.area.as_deref())
    .bind(p.min_age)
    .bind(p.term_limit_months)
    .bind(p.safeguarding_lead.as_deref())
    .bind(i64::from(p.reports_public))
    .bind(now_unix())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Changes a panel; false when the short name belongs to another panel or the panel is gone.
pub async fn update(db: &Db, id: i64, p: &PanelFields) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM panels WHERE slug = $1 AND id <> $2")
        .bind(&p.slug)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Ok(false);
    }
    let done = sqlx::query(
        "UPDATE panels SET slug = $1, name = $2, kind = $3, area = $4, min_age = $5, term_limit_months = $6, \
         safeguarding_lead = $7, reports_public = $8 WHERE id = $9",
    )
    .bind(&p.slug)
    .bind(&p.name)
    .bind(p.kind.code())
    .bind(p.area.as_deref())
    .bind(p.min_age)
    .bind(p.term_limit_months)
    .bind(p.safeguarding_lead.as_deref())
    .bind(i64::from(p.reports_public))
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(done == 1)
}

/// The target share of each ethnic group, per thousand.
pub async fn targets(db: &Db, panel_id: i64) -> Result<Vec<(String, i64)>, DbError> {
    Ok(sqlx::query_as("SELECT ethnic_group, per_mille FROM panel_targets WHERE panel_id = $1 ORDER BY ethnic_group")
        .bind(panel_id)
        .fetch_all(db.pool())
        .await?)
}

/// Replaces the panel's targets with these (all at once: a failure keeps the old ones).
pub async fn set_targets(db: &Db, panel_id: i64, targets: &[(String, i64)]) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM panel_targets WHERE panel_id = $1").bind(panel_id).execute(&mut *tx).await?;
    for (group, per_mille) in targets {
        sqlx::query("INSERT INTO panel_targets (panel_id, ethnic_group, per_mille) VALUES ($1, $2, $3)")
            .bind(panel_id)
            .bind(group)
            .bind(per_mille)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The panel a user chairs (chairs only).
pub async fn chaired_by(db: &Db, user_id: i64) -> Result<Option<i64>, DbError> {
    let row: Option<(Option<i64>,)> = sqlx::query_as("SELECT panel_id FROM users WHERE id = $1 AND role = 'chair'")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.and_then(|(p,)| p))
}

type MemberRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// The panel's members (recruits whose status is "member"), with their records.
pub async fn members(db: &Db, panel_id: i64) -> Result<Vec<Member>, DbError> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT r.id, r.public_id, r.name, m.role, m.term_start, m.term_end, m.vetting_level, m.vetting_status, \
         m.vetting_expires, m.confidentiality_on, r.email, r.age_band \
         FROM recruits r LEFT JOIN panel_members m ON m.recruit_id = r.id \
         WHERE r.panel_id = $1 AND r.status = 'member' ORDER BY r.name, r.id",
    )
    .bind(panel_id)
    .fetch_all(db.pool())
    .await?;
    let mut members = Vec::with_capacity(rows.len());
    for (id, public_id, name, role, term_start, term_end, level, vetting, vetting_expires, conf, email, age_band) in
        rows
    {
        members.push(Member {
            recruit_id: id,
            public_id,
            name,
            has_email: email.is_some(),
            under_18: matches!(age_band.as_str(), "under16" | "16-17"),
            record: MemberRecord {
                role: role.as_deref().and_then(|r| MemberRole::parse(r).ok()).unwrap_or(MemberRole::Member),
                term_start,
                term_end,
                vetting_level: level,
                vetting_status: vetting.as_deref().and_then(|v| VettingStatus::parse(v).ok()),
                vetting_expires,
                confidentiality_on: conf,
            },
            training: vec![],
            attended: 0,
            meetings: 0,
        });
    }
    let ids: Vec<i64> = members.iter().map(|m| m.recruit_id).collect();
    if ids.is_empty() {
        return Ok(members);
    }
    let training: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT t.id, t.recruit_id, t.course, t.taken_on, t.expires_on FROM member_training t \
         JOIN recruits r ON r.id = t.recruit_id WHERE r.panel_id = $1 ORDER BY t.taken_on, t.id",
    )
    .bind(panel_id)
    .fetch_all(db.pool())
    .await?;
    for (id, recruit, course, taken, expires) in training {
        if let Some(m) = members.iter_mut().find(|m| m.recruit_id == recruit) {
            m.training.push(Training { id, course, taken_on: taken, expires_on: expires });
        }
    }
    // Attendance at the panel's meetings that have happened (recorded as present,
    // absent or excused; "invited" is not yet an answer).
    let attendance: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT a.recruit_id, SUM(CASE WHEN a.status = 'present' THEN 1 ELSE 0 END), COUNT(*) \
         FROM meeting_attendance a JOIN meetings mt ON mt.id = a.meeting_id \
         WHERE mt.panel_id = $1 AND a.status <> 'invited' GROUP BY a.recruit_id",
    )
    .bind(panel_id)
    .fetch_all(db.pool())
    .await?;
    for (recruit, present, total) in attendance {
        if let Some(m) = members.iter_mut().find(|m| m.recruit_id == recruit) {
            m.attended = present;
            m.meetings = total;
        }
    }
    Ok(members)
}

/// Is the recruit a member of this panel? (Read inside the transaction that changes them.)
async fn is_member(tx: &mut sqlx::Transaction<'_, sqlx::Any>, panel_id: i64, recruit_id: i64) -> Result<bool, DbError> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM recruits WHERE id = $1 AND panel_id = $2 AND status = 'member'")
            .bind(recruit_id)
            .bind(panel_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}

/// Saves a member's record (the recruit must be a member of this panel): false otherwise.
pub async fn save_member(db: &Db, panel_id: i64, recruit_id: i64, r: &MemberRecord) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    if !is_member(&mut tx, panel_id, recruit_id).await? {
        return Ok(false);
    }
    sqlx::query("DELETE FROM panel_members WHERE recruit_id = $1").bind(recruit_id).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO panel_members (recruit_id, role, term_start, term_end, vetting_level, vetting_status, \
         vetting_expires, confidentiality_on, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(recruit_id)
    .bind(r.role.code())
    .bind(r.term_start.as_deref())
    .bind(r.term_end.as_deref())
    .bind(r.vetting_level.as_deref())
    .bind(r.vetting_status.map(|v| v.code()))
    .bind(r.vetting_expires.as_deref())
    .bind(r.confidentiality_on.as_deref())
    .bind(now_unix())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Records a training course for a member of this panel: false when they are not one.
pub async fn add_training(
    db: &Db,
    panel_id: i64,
    recruit_id: i64,
    course: &str,
    taken_on: ExpiryDate,
    expires_on: Option<ExpiryDate>,
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    if !is_member(&mut tx, panel_id, recruit_id).await? {
        return Ok(false);
    }
    sqlx::query("INSERT INTO member_training (recruit_id, course, taken_on, expires_on) VALUES ($1, $2, $3, $4)")
        .bind(recruit_id)
        .bind(course)
        .bind(taken_on.to_string())
        .bind(expires_on.map(|d| d.to_string()))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Vetting, training and terms ending between `today` and `today + days` (or already
/// ended but still recorded as current), soonest first.
pub fn due_soon(members: &[Member], today: ExpiryDate, days: i64) -> Vec<DueItem> {
    let until = today.plus_days(days);
    let mut due = vec![];
    for m in members {
        let mut push = |what: String, on: &Option<String>| {
            let Some(on) = on.as_deref().and_then(ExpiryDate::parse_iso) else { return };
            if on <= until {
                due.push(DueItem {
                    recruit_id: m.recruit_id,
                    name: m.name.clone(),
                    what,
                    on: on.to_string(),
                    overdue: on < today,
                });
            }
        };
        push("Vetting expires".into(), &m.record.vetting_expires);
        push("Term ends".into(), &m.record.term_end);
        // Only the latest of each course counts (a renewed course replaces the old).
        let mut latest: Vec<&Training> = vec![];
        for t in &m.training {
            match latest.iter_mut().find(|l| l.course.eq_ignore_ascii_case(&t.course)) {
                Some(l) if l.taken_on <= t.taken_on => *l = t,
                Some(_) => {}
                None => latest.push(t),
            }
        }
        for t in latest {
            push(format!("Training expires: {}", t.course), &t.expires_on);
        }
    }
    due.sort_by(|a, b| a.on.cmp(&b.on).then(a.name.cmp(&b.name)));
    due
}

/// The youngest a panel takes (None: the force's setting): the panel of a card's batch,
/// else the panel named by its short name.
pub async fn min_age_for(db: &Db, batch_id: Option<i64>, slug: &str) -> Result<Option<i64>, DbError> {
    let row: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT min_age FROM panels WHERE id = COALESCE((SELECT panel_id FROM card_batches WHERE id = $1), \
         (SELECT id FROM panels WHERE slug = $2))",
    )
    .bind(batch_id)
    .bind(slug)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(m,)| m))
}

/// What a subject access file says about a person's place on a panel: the panel, their
/// member record, training and attendance at meetings.
pub async fn subject_access(db: &Db, public_id: &str) -> Result<serde_json::Value, DbError> {
    let panel: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT r.id, p.slug, p.name FROM recruits r JOIN panels p ON p.id = r.panel_id WHERE r.public_id = $1",
    )
    .bind(public_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((id, slug, name)) = panel else { return Ok(serde_json::Value::Null) };
    type RecordRow =
        (String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
    let record: Option<RecordRow> = sqlx::query_as(
        "SELECT role, term_start, term_end, vetting_level, vetting_status, vetting_expires, confidentiality_on \
         FROM panel_members WHERE recruit_id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let training: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT course, taken_on, expires_on FROM member_training WHERE recruit_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    let attendance: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.starts_at, a.status FROM meeting_attendance a JOIN meetings m ON m.id = a.meeting_id \
         WHERE a.recruit_id = $1 ORDER BY m.starts_at",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(serde_json::json!({
        "panel": { "short_name": slug, "name": name },
        "member_record": record.map(|(role, term_start, term_end, level, status, expires, confidentiality)| serde_json::json!({
            "role": role, "term_start": term_start, "term_end": term_end, "vetting_level": level,
            "vetting_status": status, "vetting_expires": expires, "confidentiality_agreement": confidentiality,
        })),
        "training": training.into_iter().map(|(course, taken, expires)| serde_json::json!({
            "course": course, "taken_on": taken, "expires_on": expires,
        })).collect::<Vec<_>>(),
        "meetings": attendance.into_iter().map(|(when, status)| serde_json::json!({ "meeting": when, "attendance": status }))
            .collect::<Vec<_>>(),
    }))
}
