//! SQL for coordinators' view of recruits.
use super::{
    filter::{RecruitFilter, PAGE_SIZE},
    EqualityDetail, RecruitDetail, RecruitList, RecruitRow,
};
use crate::{
    db::Backend,
    db::{now_unix, Db, DbError},
    domain::RecruitStatus,
    insight::tally,
    signup::erase_in,
};

enum Param {
    Text(String),
    Int(i64),
}

/// A recruit's searched text on PostgreSQL, lower-cased: exactly the expression its trigram
/// index is built on (migrations/postgres/0030_recruit_search.sql), or the index goes unused.
const PG_SEARCH: &str = "LOWER(r.name || E'\\n' || COALESCE(r.email, '') || E'\\n' || COALESCE(r.phone, '') || E'\\n' \
     || COALESCE(r.postcode, '')) LIKE ? ESCAPE '\\'";

/// Past this many matches of a search or an ethnic group combined with other filters, the
/// list says "more than" instead of counting them all (each match costs a lookup).
pub const COUNT_CAP: i64 = 10_000;

/// A (valid) filter as SQL: `FROM … WHERE …`, its parameters in order, and whether a
/// search on SQLite drives the query from its FTS5 index (`s`, whose rowid is the id).
struct Filtered {
    from_where: String,
    params: Vec<Param>,
    by_index: bool,
}

/// Part of a name, email, phone or postcode, in any case, through the trigram index:
/// on SQLite an FTS5 phrase (a run of trigrams is a substring; quoted, so FTS syntax such
/// as `*`, `NEAR`, `-` or `:` is plain text), on PostgreSQL `LIKE` with pg_trgm (`%`, `_`
/// and `\` escaped, so they are plain text too). SQLite's trigrams need three characters:
/// a search of one or two characters reads every recruit (and folds ASCII case only).
fn text_search(backend: Backend, q: &str) -> (&'static str, Param) {
    let like = || format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    match backend {
        Backend::Postgres => (PG_SEARCH, Param::Text(like())),
        Backend::Sqlite if uses_fts(backend, q) => {
            ("s.recruit_search MATCH ?", Param::Text(format!("\"{}\"", q.replace('"', "\"\""))))
        }
        Backend::Sqlite => {
            ("r.id IN (SELECT rowid FROM recruit_search WHERE LOWER(doc) LIKE ? ESCAPE '\\')", Param::Text(like()))
        }
    }
}

fn uses_fts(backend: Backend, q: &str) -> bool {
    backend == Backend::Sqlite && q.chars().count() >= 3
}

/// What the SQL is for: counting needs no batch label; rows are read in the order of the
/// page (see `unindexed`).
#[derive(Clone, Copy, PartialEq)]
enum Purpose {
    Count,
    Rows,
}

fn filtered(f: &RecruitFilter, backend: Backend, purpose: Purpose) -> Filtered {
    let by_index = uses_fts(backend, &f.q);
    // A search starts from the index, in id order, so the first page of a search that
    // matches half a million people reads about fifty of them. CROSS JOIN is how SQLite is
    // told to keep that order: with a plain JOIN it may start from the members (or a card
    // batch) and run the search once per recruit, which took over a minute at a million.
    let mut sql = String::from(if by_index {
        " FROM recruit_search s CROSS JOIN recruits r ON r.id = s.rowid"
    } else {
        " FROM recruits r"
    });
    if purpose != Purpose::Count {
        sql.push_str(" LEFT JOIN card_batches b ON b.id = r.batch_id");
    }
    let mut conds: Vec<String> = Vec::new();
    let mut params = Vec::new();
    let mut add = |cond: &str, p: Vec<Param>, params: &mut Vec<Param>| {
        let mut cond = cond.to_string();
        for (i, _) in p.iter().enumerate() {
            cond = cond.replacen("?", &format!("${}", params.len() + i + 1), 1);
        }
        params.extend(p);
        conds.push(cond);
    };
    if !f.q.is_empty() {
        let (cond, param) = text_search(backend, &f.q);
        add(cond, vec![param], &mut params);
    }
    // For a page on SQLite, status and date are checked on each recruit read in the page's
    // order (ids, names, or the search index) instead of through their indexes: SQLite
    // otherwise reads every member, or everyone in a date range, and sorts them all for
    // fifty rows (`+` keeps a column off its indexes). PostgreSQL weighs this itself.
    let unindexed = if purpose == Purpose::Rows && backend == Backend::Sqlite { "+" } else { "" };
    if !f.status.is_empty() {
        add(&format!("{unindexed}r.status = ?"), vec![Param::Text(f.status.clone())], &mut params);
    }
    if f.batch == "none" {
        add("r.batch_id IS NULL", vec![], &mut params);
    } else if let Ok(id) = f.batch.parse::<i64>() {
        add("r.batch_id = ?", vec![Param::Int(id)], &mut params);
    }
    if !f.panel.is_empty() {
        add("r.panel_id = (SELECT id FROM panels WHERE slug = ?)", vec![Param::Text(f.panel.clone())], &mut params);
    }
    let created = format!("{unindexed}r.created_at");
    let (from, to) = f.created_range();
    if let Some(from) = from {
        add(&format!("{created} >= ?"), vec![Param::Int(from)], &mut params);
    }
    if let Some(to) = to {
        add(&format!("{created} <= ?"), vec![Param::Int(to)], &mut params);
    }
    if !f.age.is_empty() {
        add("r.age_band = ?", vec![Param::Text(f.age.clone())], &mut params);
    }
    // Looked up for each candidate recruit (by its key), never a join the planner may turn
    // into a scan of every equality answer followed by a sort.
    if f.eth == "not_stated" {
        add(
            "NOT EXISTS (SELECT 1 FROM recruit_equality e WHERE e.recruit_id = r.id AND e.ethnic_group IS NOT NULL \
             AND e.ethnic_group <> 'prefer_not')",
            vec![],
            &mut params,
        );
    } else if !f.eth.is_empty() {
        add(
            "EXISTS (SELECT 1 FROM recruit_equality e WHERE e.recruit_id = r.id AND e.ethnic_group = ?)",
            vec![Param::Text(f.eth.clone())],
            &mut params,
        );
    }
    if !conds.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conds.join(" AND "));
    }
    Filtered { from_where: sql, params, by_index }
}

fn order_by(f: &RecruitFilter, by_index: bool) -> &'static str {
    // Everyone listed has the one status asked for: by status is newest first.
    let sort = if f.sort == "status" && !f.status.is_empty() { "newest" } else { f.sort.as_str() };
    match (sort, by_index) {
        // The index's rowid is the recruit's id, and the index reads in rowid order.
        ("oldest", true) => " ORDER BY s.rowid",
        ("oldest", false) => " ORDER BY r.id",
        ("name", _) => " ORDER BY r.name, r.id",
        ("status", _) => " ORDER BY r.status, r.id DESC",
        (_, true) => " ORDER BY s.rowid DESC",
        (_, false) => " ORDER BY r.id DESC",
    }
}

/// How many match, and whether that is only a floor (past [`COUNT_CAP`]). Status, age and
/// ethnic group alone, or a card batch with or without a status, are read from the running
/// tallies (exact, a few rows); other filters on the recruit alone are counted exactly
/// (from indexes); a search or an ethnic group with other filters is counted up to the cap,
/// since each match costs a lookup.
async fn count(db: &Db, f: &RecruitFilter) -> Result<(i64, bool), DbError> {
    let no_rows_needed = f.q.is_empty() && f.from.is_empty() && f.to.is_empty();
    if no_rows_needed && f.batch.is_empty() {
        let mut sql = String::from("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM recruit_tally WHERE 1 = 1");
        let mut params = Vec::new();
        // The recruit tally knows each recruit's panel (migration 0016).
        if !f.panel.is_empty() {
            params.push(Param::Text(f.panel.clone()));
            sql.push_str(&format!(" AND panel_id = (SELECT id FROM panels WHERE slug = ${})", params.len()));
        }
        for (column, value) in [("status", &f.status), ("age_band", &f.age)] {
            if !value.is_empty() {
                params.push(Param::Text(value.clone()));
                sql.push_str(&format!(" AND {column} = ${}", params.len()));
            }
        }
        if f.eth == "not_stated" {
            sql.push_str(" AND (ethnic_group IS NULL OR ethnic_group = 'prefer_not')");
        } else if !f.eth.is_empty() {
            params.push(Param::Text(f.eth.clone()));
            sql.push_str(&format!(" AND ethnic_group = ${}", params.len()));
        }
        let (n,): (i64,) = bind_all(sqlx::query_as(&sql), &params).fetch_one(db.pool()).await?;
        return Ok((n, false));
    }
    // The batch tally does not know panels: with a panel, counted from the recruits below.
    if no_rows_needed && f.age.is_empty() && f.eth.is_empty() && f.panel.is_empty() {
        let mut sql = String::from("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM batch_tally WHERE ");
        let mut params = Vec::new();
        match f.batch.parse::<i64>() {
            Ok(id) => {
                params.push(Param::Int(id));
                sql.push_str("batch_id = $1");
            }
            Err(_) => sql.push_str("batch_id IS NULL"),
        }
        if !f.status.is_empty() {
            params.push(Param::Text(f.status.clone()));
            sql.push_str(&format!(" AND status = ${}", params.len()));
        }
        let (n,): (i64,) = bind_all(sqlx::query_as(&sql), &params).fetch_one(db.pool()).await?;
        return Ok((n, false));
    }
    let q = filtered(f, db.backend(), Purpose::Count);
    let from_where = &q.from_where;
    if f.q.is_empty() && f.eth.is_empty() {
        let (n,): (i64,) =
            bind_all(sqlx::query_as(&format!("SELECT COUNT(*){from_where}")), &q.params).fetch_one(db.pool()).await?;
        return Ok((n, false));
    }
    let sql = format!("SELECT COUNT(*) FROM (SELECT 1 AS one{from_where} LIMIT {}) AS matches", COUNT_CAP + 1);
    let (n,): (i64,) = bind_all(sqlx::query_as(&sql), &q.params).fetch_one(db.pool()).await?;
    Ok((n.min(COUNT_CAP), n > COUNT_CAP))
}

fn bind_all<'q, O>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    params: &'q [Param],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    for p in params {
        q = match p {
            Param::Text(t) => q.bind(t.as_str()),
            Param::Int(i) => q.bind(*i),
        };
    }
    q
}

/// One page of recruits matching a (valid) filter, the number that match in all, and
/// every card batch (for the filter's list).
pub async fn list(db: &Db, f: &RecruitFilter) -> Result<RecruitList, DbError> {
    let (total, more) = count(db, f).await?;
    let query = filtered(f, db.backend(), Purpose::Rows);
    let offset = (f.page.max(1) - 1) * PAGE_SIZE;
    let sql = format!(
        "SELECT r.public_id, r.name, r.status, b.label, r.created_at{}{} LIMIT {PAGE_SIZE} OFFSET {offset}",
        query.from_where,
        order_by(f, query.by_index)
    );
    let rows: Vec<(String, String, String, Option<String>, i64)> =
        bind_all(sqlx::query_as(&sql), &query.params).fetch_all(db.pool()).await?;
    let batches: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, label FROM card_batches ORDER BY id DESC").fetch_all(db.pool()).await?;
    let panels: Vec<(String, String)> =
        sqlx::query_as("SELECT slug, name FROM panels ORDER BY id").fetch_all(db.pool()).await?;
    Ok(RecruitList {
        rows: rows
            .into_iter()
            .map(|(public_id, name, status, batch, created_at)| {
                let status = RecruitStatus::parse(&status).map_err(DbError::data)?;
                Ok(RecruitRow { public_id, name, status, batch, created_at })
            })
            .collect::<Result<_, DbError>>()?,
        total,
        more,
        batches,
        panels,
        equality_access: false,
    })
}

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

/// Every matching recruit's exportable fields as text, by column name.
pub async fn export_rows(
    db: &Db,
    f: &RecruitFilter,
) -> Result<Vec<std::collections::HashMap<&'static str, String>>, DbError> {
    type Row = (
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
        Option<i64>,
    );
    let query = filtered(f, db.backend(), Purpose::Rows);
    let sql = format!(
        "SELECT r.name, r.email, r.phone, r.contact_method, r.postcode, r.area_connection, r.age_band, r.language, \
         r.status, b.label, r.created_at, r.confirmed_at{}{}",
        query.from_where,
        order_by(f, query.by_index)
    );
    let rows: Vec<Row> = bind_all(sqlx::query_as(&sql), &query.params).fetch_all(db.pool()).await?;
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
