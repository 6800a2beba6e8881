//! SQL for meetings, their sampled cases, ratings, attendance and actions.
use super::{Action, AttendanceRow, Case, MeetingSummary, SampleRecord};
use crate::{
    db::{now_unix, Db, DbError},
    domain::{ActionStatus, Attendance, ExpiryDate, MeetingTime, Rating, Theme},
};

const SUMMARY: &str = "SELECT m.id, m.panel_id, p.slug, p.name, m.starts_at, m.place, m.online_link, m.published, \
     (SELECT COUNT(*) FROM meeting_cases c WHERE c.meeting_id = m.id), \
     (SELECT COUNT(*) FROM meeting_cases c WHERE c.meeting_id = m.id AND c.rating IS NOT NULL) \
     FROM meetings m JOIN panels p ON p.id = m.panel_id";

type SummaryRow = (i64, i64, String, String, String, Option<String>, Option<String>, i64, i64, i64);

fn summary(r: SummaryRow) -> MeetingSummary {
    let (id, panel_id, panel_slug, panel_name, starts_at, place, online_link, published, cases, rated) = r;
    let when = MeetingTime::parse(&starts_at).map(|t| t.human()).unwrap_or_else(|_| starts_at.clone());
    MeetingSummary {
        id,
        panel_id,
        panel_slug,
        panel_name,
        starts_at,
        when,
        place,
        online_link,
        cases,
        rated,
        published: published != 0,
    }
}

/// Meetings of one panel (or every panel: `None`), soonest last.
pub async fn list(db: &Db, panel_id: Option<i64>) -> Result<Vec<MeetingSummary>, DbError> {
    let rows: Vec<SummaryRow> =
        sqlx::query_as(&format!("{SUMMARY} WHERE ($1 = 0 OR m.panel_id = $1) ORDER BY m.starts_at DESC, m.id DESC"))
            .bind(panel_id.unwrap_or(0))
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(summary).collect())
}

/// A panel's published meetings in a year (`YYYY`), in date order.
pub async fn published_in(db: &Db, panel_id: i64, year: Option<&str>) -> Result<Vec<MeetingSummary>, DbError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "{SUMMARY} WHERE m.panel_id = $1 AND m.published = 1 AND ($2 = '' OR m.starts_at LIKE $2 || '-%') \
         ORDER BY m.starts_at, m.id"
    ))
    .bind(panel_id)
    .bind(year.unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(summary).collect())
}

/// A panel's meetings in a year, published or not (the annual report for the panel).
pub async fn in_year(db: &Db, panel_id: i64, year: &str) -> Result<Vec<MeetingSummary>, DbError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "{SUMMARY} WHERE m.panel_id = $1 AND m.starts_at LIKE $2 || '-%' ORDER BY m.starts_at, m.id"
    ))
    .bind(panel_id)
    .bind(year)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(summary).collect())
}

pub async fn summary_of(db: &Db, id: i64) -> Result<Option<MeetingSummary>, DbError> {
    let row: Option<SummaryRow> =
        sqlx::query_as(&format!("{SUMMARY} WHERE m.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    Ok(row.map(summary))
}

pub struct NewMeeting {
    pub panel_id: i64,
    pub starts_at: MeetingTime,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub agenda: Option<String>,
    pub created_by: String,
}

pub async fn schedule(db: &Db, m: &NewMeeting) -> Result<i64, DbError> {
    let mut tx = db.begin_write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO meetings (panel_id, starts_at, place, online_link, agenda, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(m.panel_id)
    .bind(m.starts_at.code())
    .bind(m.place.as_deref())
    .bind(m.online_link.as_deref())
    .bind(m.agenda.as_deref())
    .bind(&m.created_by)
    .bind(now_unix())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A sample's filters as kept with its meeting (JSON).
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct StoredFilters {
    only: Vec<String>,
    #[serde(default)]
    narrow: Vec<(String, String)>,
}

/// Agenda, minutes and the recorded sample of a meeting.
pub async fn texts(db: &Db, id: i64) -> Result<(Option<String>, Option<String>, Option<SampleRecord>), DbError> {
    type Row = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<i64>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT agenda, minutes, sample_force, sample_from, sample_to, sample_size, sample_seed, sample_filters, \
         sampled_from FROM meetings WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    let Some((agenda, minutes, force, from, to, size, seed, filters, candidates)) = row else {
        return Ok((None, None, None));
    };
    let stored: StoredFilters = filters.as_deref().and_then(|f| serde_json::from_str(f).ok()).unwrap_or_default();
    let sample = match (force, from, to, size, seed) {
        (Some(force), Some(from), Some(to), Some(size), Some(seed)) => Some(SampleRecord {
            force,
            from,
            to,
            size,
            seed,
            only: stored.only,
            narrow: stored.narrow,
            candidates: candidates.unwrap_or(0),
        }),
        _ => None,
    };
    Ok((agenda, minutes, sample))
}

pub async fn set_minutes(db: &Db, id: i64, minutes: Option<&str>) -> Result<(), DbError> {
    sqlx::query("UPDATE meetings SET minutes = $1 WHERE id = $2").bind(minutes).bind(id).execute(db.writer()).await?;
    Ok(())
}

pub async fn set_published(db: &Db, id: i64, published: bool) -> Result<(), DbError> {
    sqlx::query("UPDATE meetings SET published = $1 WHERE id = $2")
        .bind(i64::from(published))
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Stores a drawn sample as the meeting's cases, with how it was drawn. Refused (false)
/// once any case has a rating: drawing again would throw the panel's work away.
pub async fn store_sample(db: &Db, id: i64, sample: &SampleRecord, records: &[Vec<String>]) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    // One draw of a meeting at a time: on PostgreSQL this takes the meeting's row lock (two
    // draws at once each inserted case 1 and one failed on the key); SQLite's write
    // transaction already runs alone.
    sqlx::query("UPDATE meetings SET sample_size = sample_size WHERE id = $1").bind(id).execute(&mut *tx).await?;
    // The delete reads each case as last committed, so a rating saved while this draw
    // ran is seen here and kept, not thrown away with the old sample.
    let removed: Vec<(Option<String>,)> =
        sqlx::query_as("DELETE FROM meeting_cases WHERE meeting_id = $1 RETURNING rating")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    if removed.iter().any(|(rating,)| rating.is_some()) {
        tx.rollback().await?;
        return Ok(false);
    }
    for (i, record) in records.iter().enumerate() {
        sqlx::query("INSERT INTO meeting_cases (meeting_id, position, record) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(i as i64 + 1)
            .bind(serde_json::to_string(record).map_err(DbError::data)?)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE meetings SET sample_force = $1, sample_from = $2, sample_to = $3, sample_size = $4, sample_seed = $5, \
         sample_filters = $6, sampled_from = $7 WHERE id = $8",
    )
    .bind(&sample.force)
    .bind(&sample.from)
    .bind(&sample.to)
    .bind(sample.size)
    .bind(&sample.seed)
    .bind(
        serde_json::to_string(&StoredFilters { only: sample.only.clone(), narrow: sample.narrow.clone() })
            .map_err(DbError::data)?,
    )
    .bind(sample.candidates)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn cases(db: &Db, id: i64) -> Result<Vec<Case>, DbError> {
    let rows: Vec<(i64, String, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT position, record, rating, reasons, themes FROM meeting_cases WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(position, record, rating, reasons, themes)| {
            let values: Vec<String> = serde_json::from_str(&record).map_err(DbError::data)?;
            let header = crate::demographics::police_uk::HEADER;
            Ok(Case {
                position,
                fields: header.iter().map(|h| h.to_string()).zip(values).collect(),
                rating: rating.as_deref().map(Rating::parse).transpose().map_err(DbError::data)?,
                reasons,
                themes: themes
                    .unwrap_or_default()
                    .split(',')
                    .filter(|t| !t.is_empty())
                    .filter_map(|t| Theme::parse(t).ok())
                    .collect(),
            })
        })
        .collect()
}

/// Rates a case; false when the meeting has no such case.
pub async fn rate(
    db: &Db,
    id: i64,
    position: i64,
    rating: Rating,
    reasons: Option<&str>,
    themes: &[Theme],
    by: &str,
) -> Result<bool, DbError> {
    let themes: Vec<&str> = themes.iter().map(|t| t.code()).collect();
    let done = sqlx::query(
        "UPDATE meeting_cases SET rating = $1, reasons = $2, themes = $3, rated_by = $4, rated_at = $5 \
         WHERE meeting_id = $6 AND position = $7",
    )
    .bind(rating.code())
    .bind(reasons)
    .bind(themes.join(","))
    .bind(by)
    .bind(now_unix())
    .bind(id)
    .bind(position)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// The panel's members with their attendance at this meeting (members who have left are
/// listed while they have an answer recorded).
pub async fn attendance(db: &Db, id: i64, panel_id: i64) -> Result<Vec<AttendanceRow>, DbError> {
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT r.id, r.name, a.status FROM recruits r \
         LEFT JOIN meeting_attendance a ON a.recruit_id = r.id AND a.meeting_id = $1 \
         WHERE (r.panel_id = $2 AND r.status = 'member') OR a.status IS NOT NULL ORDER BY r.name, r.id",
    )
    .bind(id)
    .bind(panel_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(recruit_id, name, status)| AttendanceRow {
            recruit_id,
            name,
            status: status.as_deref().and_then(|s| Attendance::parse(s).ok()),
        })
        .collect())
}

/// Records attendance for members of the meeting's panel; others are ignored. Returns
/// how many were recorded.
pub async fn record_attendance(
    db: &Db,
    id: i64,
    panel_id: i64,
    answers: &[(i64, Attendance)],
) -> Result<usize, DbError> {
    let mut tx = db.begin_write().await?;
    let mut recorded = 0;
    for (recruit_id, status) in answers {
        let member: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM recruits WHERE id = $1 AND ((panel_id = $2 AND status = 'member') OR id IN \
             (SELECT recruit_id FROM meeting_attendance WHERE meeting_id = $3))",
        )
        .bind(recruit_id)
        .bind(panel_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if member.is_none() {
            continue;
        }
        sqlx::query("DELETE FROM meeting_attendance WHERE meeting_id = $1 AND recruit_id = $2")
            .bind(id)
            .bind(recruit_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO meeting_attendance (meeting_id, recruit_id, status) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(recruit_id)
            .bind(status.code())
            .execute(&mut *tx)
            .await?;
        recorded += 1;
    }
    tx.commit().await?;
    Ok(recorded)
}

type ActionRow = (i64, i64, Option<i64>, String, String, Option<String>, String, Option<String>, Option<String>);

fn action(r: ActionRow, today: ExpiryDate) -> Result<Action, DbError> {
    let (id, meeting_id, case_position, text, owner, due_on, status, reply, replied_on) = r;
    let status = ActionStatus::parse(&status).map_err(DbError::data)?;
    let overdue = status == ActionStatus::Open
        && due_on.as_deref().and_then(ExpiryDate::parse_iso).is_some_and(|due| due < today);
    Ok(Action { id, meeting_id, case_position, text, owner, due_on, status, reply, replied_on, overdue })
}

const ACTION_COLUMNS: &str = "a.id, a.meeting_id, a.case_position, a.text, a.owner, a.due_on, a.status, a.reply, \
     a.replied_on";

pub async fn actions(db: &Db, meeting_id: i64) -> Result<Vec<Action>, DbError> {
    let rows: Vec<ActionRow> =
        sqlx::query_as(&format!("SELECT {ACTION_COLUMNS} FROM panel_actions a WHERE a.meeting_id = $1 ORDER BY a.id"))
            .bind(meeting_id)
            .fetch_all(db.pool())
            .await?;
    let today = ExpiryDate::today();
    rows.into_iter().map(|r| action(r, today)).collect()
}

pub struct NewAction {
    pub case_position: Option<i64>,
    pub text: String,
    pub owner: String,
    pub due_on: Option<ExpiryDate>,
    pub created_by: String,
}

pub async fn add_action(db: &Db, meeting_id: i64, a: &NewAction) -> Result<i64, DbError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO panel_actions (meeting_id, case_position, text, owner, due_on, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) RETURNING id",
    )
    .bind(meeting_id)
    .bind(a.case_position)
    .bind(&a.text)
    .bind(&a.owner)
    .bind(a.due_on.map(|d| d.to_string()))
    .bind(&a.created_by)
    .bind(now_unix())
    .fetch_one(db.writer())
    .await?;
    Ok(id)
}

/// Records the force's reply and the action's status; false when the action is not this
/// meeting's.
pub async fn update_action(
    db: &Db,
    meeting_id: i64,
    action_id: i64,
    status: ActionStatus,
    reply: Option<&str>,
    replied_on: Option<ExpiryDate>,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE panel_actions SET status = $1, reply = $2, replied_on = $3 WHERE id = $4 AND meeting_id = $5",
    )
    .bind(status.code())
    .bind(reply)
    .bind(replied_on.map(|d| d.to_string()))
    .bind(action_id)
    .bind(meeting_id)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Red ratings and overdue actions of the given panels (`None`: every panel).
pub async fn attention(db: &Db, panel_id: Option<i64>) -> Result<Vec<super::Attention>, DbError> {
    let mut out = vec![];
    let reds: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
        "SELECT m.id, m.panel_id, p.name, m.starts_at, c.position FROM meeting_cases c JOIN meetings m ON m.id = c.meeting_id \
         JOIN panels p ON p.id = m.panel_id WHERE c.rating = 'red' AND ($1 = 0 OR m.panel_id = $1) \
         ORDER BY m.starts_at DESC, c.position",
    )
    .bind(panel_id.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    let when = |s: &str| MeetingTime::parse(s).map(|t| t.human()).unwrap_or_else(|_| s.to_string());
    for (meeting_id, panel_id, panel_name, starts_at, position) in reds {
        out.push(super::Attention {
            meeting_id,
            panel_id,
            panel_name,
            when: when(&starts_at),
            what: format!("Case {position} rated red"),
        });
    }
    let today = ExpiryDate::today().to_string();
    let overdue: Vec<(i64, i64, String, String, String, String)> = sqlx::query_as(
        "SELECT m.id, m.panel_id, p.name, m.starts_at, a.text, a.due_on FROM panel_actions a JOIN meetings m ON m.id = a.meeting_id \
         JOIN panels p ON p.id = m.panel_id WHERE a.status = 'open' AND a.due_on IS NOT NULL AND a.due_on < $1 \
         AND ($2 = 0 OR m.panel_id = $2) ORDER BY a.due_on",
    )
    .bind(&today)
    .bind(panel_id.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    for (meeting_id, panel_id, panel_name, starts_at, text, due) in overdue {
        out.push(super::Attention {
            meeting_id,
            panel_id,
            panel_name,
            when: when(&starts_at),
            what: format!("Action overdue since {due}: {text}"),
        });
    }
    Ok(out)
}

/// Members of the panel by ethnic group (only those who answered; "not_stated" for the
/// rest), for the make-up in reports.
pub async fn members_by_group(db: &Db, panel_id: i64) -> Result<Vec<(String, i64)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT CASE WHEN e.ethnic_group IS NULL OR e.ethnic_group = 'prefer_not' THEN 'not_stated' \
         ELSE e.ethnic_group END AS g, COUNT(*) FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id \
         WHERE r.panel_id = $1 AND r.status = 'member' GROUP BY g ORDER BY g",
    )
    .bind(panel_id)
    .fetch_all(db.pool())
    .await?)
}

/// Attendance counts for meetings: `(meeting, present, absent, excused)`.
pub async fn attendance_counts(db: &Db, meeting_id: i64) -> Result<(i64, i64, i64), DbError> {
    let (present, absent, excused): (i64, i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'present' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN status = 'absent' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN status = 'excused' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM meeting_attendance WHERE meeting_id = $1",
    )
    .bind(meeting_id)
    .fetch_one(db.pool())
    .await?;
    Ok((present, absent, excused))
}

pub async fn invitation(db: &Db, id: i64) -> Result<Option<super::Invitation>, DbError> {
    type Row = (String, String, i64, Option<String>, Option<String>, Option<String>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT p.name, m.starts_at, m.minutes_long, m.place, m.online_link, m.agenda FROM meetings m \
         JOIN panels p ON p.id = m.panel_id WHERE m.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|(panel_name, starts_at, minutes_long, place, online_link, agenda)| {
        Ok(super::Invitation {
            panel_name,
            starts_at: MeetingTime::parse(&starts_at).map_err(DbError::data)?,
            minutes_long,
            place,
            online_link,
            agenda,
        })
    })
    .transpose()
}

/// Invites the panel's members who have not been invited yet (nor answered): one message
/// each through the outbox, in the same transaction that records them as invited.
/// Returns how many were invited.
pub async fn invite(db: &Db, id: i64, panel_id: i64) -> Result<usize, DbError> {
    let mut tx = db.begin_write().await?;
    let members: Vec<(i64,)> = sqlx::query_as(
        "SELECT r.id FROM recruits r WHERE r.panel_id = $1 AND r.status = 'member' \
         AND NOT EXISTS (SELECT 1 FROM meeting_attendance a WHERE a.meeting_id = $2 AND a.recruit_id = r.id) \
         ORDER BY r.id",
    )
    .bind(panel_id)
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    for (recruit,) in &members {
        sqlx::query("INSERT INTO meeting_attendance (meeting_id, recruit_id, status) VALUES ($1, $2, 'invited')")
            .bind(id)
            .bind(recruit)
            .execute(&mut *tx)
            .await?;
        crate::email::queue(&mut tx, *recruit, "meeting", &id.to_string()).await?;
    }
    tx.commit().await?;
    Ok(members.len())
}
