//! The recruits list's SQL: search and filters as a query, the count ("N" or "more than
//! 10,000"), one page, and every match for the CSV export.
use crate::recruits::{
    filter::{RecruitFilter, PAGE_SIZE},
    RecruitList, RecruitRow,
};
use crate::{
    db::Backend,
    db::{Db, DbError},
    domain::RecruitStatus,
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

