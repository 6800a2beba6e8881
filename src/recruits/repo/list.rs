//! The recruits list's SQL: search and filters as a query, the count ("N" or "more than
//! 10,000"), one page, and every match for the CSV export.
use crate::recruits::{
    filter::{RecruitFilter, PAGE_SIZE},
    RecruitList, RecruitRow,
};
use crate::{
    db::{placeholders, Backend, Db, DbError},
    domain::RecruitStatus,
};

enum Param {
    Text(String),
    Int(i64),
}

/// A recruit's searched text on PostgreSQL: a stored column, lower-cased, with a trigram
/// index (migrations/postgres/0033_recruit_search_text.sql).
const PG_SEARCH: &str = "r.search_text LIKE ? ESCAPE '\\'";
/// PostgreSQL, a search of one or two characters (below a trigram): a plain check of each
/// recruit read (`strpos`, which the trigram index cannot serve, so the planner never reads
/// all of that index for it)...
const PG_SHORT: &str = "strpos(r.search_text, ?) > 0";
/// ...or, when its matches are sparse, found through the index of each recruit's single
/// characters and pairs (migrations/postgres/0035_recruit_short_search.sql; the expression
/// must be the index's). Never for a dense search: the expression is costly on each row.
const PG_SHORT_INDEXED: &str = "strpos(r.search_text, ?) > 0 AND recruit_short_grams(r.search_text) @> ARRAY[?]";

/// Past this many matches of a search or an ethnic group combined with other filters, the
/// list says "more than" instead of counting them all (each match costs a lookup).
pub const COUNT_CAP: i64 = 10_000;

/// PostgreSQL: how many recruits at the start of the page's order (the newest, or the
/// oldest) are read first, to tell a search whose matches are dense there from one whose
/// matches are not.
const WINDOW: i64 = 10_000;

/// What a query reads first, in id order.
#[derive(Clone, Copy, PartialEq)]
enum Driver {
    /// The recruits (`r`).
    Recruits,
    /// SQLite, a search of three or more characters: its FTS5 trigram index (`s`, whose
    /// rowid is the recruit's id).
    Fts,
    /// SQLite, a search of one or two characters (below a trigram): the index's copy of each
    /// recruit's text (`c`: FTS5's content table, `id` and `c0`), a third the size of a
    /// recruit's row.
    Text,
}

/// Which recruits a PostgreSQL search reads (SQLite always drives a search from its index).
#[derive(Clone, Copy, PartialEq)]
enum Source {
    /// As the planner chooses.
    Planned,
    /// As the planner chooses, a search known to match few (short ones through their index).
    Sparse,
    /// Only the first [`WINDOW`] recruits in id order (`DESC`: the newest).
    Window(&'static str),
}

/// A (valid) filter as SQL: `FROM … WHERE …`, its parameters in order, and what drives it.
struct Filtered {
    from_where: String,
    params: Vec<Param>,
    driver: Driver,
}

/// Part of a name, email, phone or postcode, in any case: on SQLite an FTS5 phrase (a run
/// of trigrams is a substring; quoted, so FTS syntax such as `*`, `NEAR`, `-` or `:` is
/// plain text), on PostgreSQL `LIKE` with pg_trgm (`%`, `_` and `\` escaped, so they are
/// plain text too). SQLite's trigrams need three characters: a search of one or two is a
/// `LIKE` on each recruit's text, which folds ASCII letters only (SQLite's `LIKE` ignores
/// ASCII case, as `LOWER` did before it; neither touches other letters).
fn text_search(backend: Backend, q: &str, source: Source) -> (&'static str, Vec<Param>) {
    let lower = q.to_lowercase();
    let like = || format!("%{}%", lower.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    match backend {
        Backend::Postgres if uses_fts(q) => (PG_SEARCH, vec![Param::Text(like())]),
        // Lower-casing can lengthen a character (İ): its first two are still in every match.
        Backend::Postgres if source == Source::Sparse => {
            let first_two = lower.chars().take(2).collect();
            (PG_SHORT_INDEXED, vec![Param::Text(lower), Param::Text(first_two)])
        }
        Backend::Postgres => (PG_SHORT, vec![Param::Text(lower)]),
        Backend::Sqlite if uses_fts(q) => {
            ("s.recruit_search MATCH ?", vec![Param::Text(format!("\"{}\"", q.replace('"', "\"\"")))])
        }
        Backend::Sqlite => ("c.c0 LIKE ? ESCAPE '\\'", vec![Param::Text(like())]),
    }
}

fn uses_fts(q: &str) -> bool {
    q.chars().count() >= 3
}

/// What the SQL is for: counting needs no batch label; rows are read in the order of the
/// page (see `unindexed`).
#[derive(Clone, Copy, PartialEq)]
enum Purpose {
    Count,
    Rows,
}

fn filtered(f: &RecruitFilter, backend: Backend, purpose: Purpose, source: Source) -> Filtered {
    let driver = match backend {
        Backend::Sqlite if uses_fts(&f.q) => Driver::Fts,
        Backend::Sqlite if !f.q.is_empty() => Driver::Text,
        _ => Driver::Recruits,
    };
    // A search starts from the index (or its text), in id order, so the first page of a
    // search that matches half a million people reads about fifty of them. CROSS JOIN is
    // how SQLite is told to keep that order: with a plain JOIN it may start from the
    // members (or a card batch) and run the search once per recruit, which took over a
    // minute at a million.
    let mut sql = match (driver, source) {
        (Driver::Fts, _) => " FROM recruit_search s CROSS JOIN recruits r ON r.id = s.rowid".to_string(),
        (Driver::Text, _) => " FROM recruit_search_content c CROSS JOIN recruits r ON r.id = c.id".to_string(),
        (Driver::Recruits, Source::Window(dir)) => {
            format!(" FROM (SELECT * FROM recruits ORDER BY id {dir} LIMIT {WINDOW}) r")
        }
        // Only the search (and the ethnic group, looked up by id) to check: the narrow copy
        // of the searched text (migrations/postgres/0036), whose candidates cost less to
        // check again than the recruits' rows. As `r`, with the same `id` and `search_text`.
        (Driver::Recruits, Source::Sparse) if purpose == Purpose::Count && searched_text_only(f) => {
            " FROM recruit_search r".to_string()
        }
        (Driver::Recruits, Source::Planned | Source::Sparse) => " FROM recruits r".to_string(),
    };
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
        let (cond, search_params) = text_search(backend, &f.q, source);
        add(cond, search_params, &mut params);
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
    Filtered { from_where: sql, params, driver }
}

/// A search of three or more characters, and no filter but the ethnic group: nothing to
/// check in the recruit's row itself.
fn searched_text_only(f: &RecruitFilter) -> bool {
    uses_fts(&f.q)
        && f.status.is_empty()
        && f.batch.is_empty()
        && f.panel.is_empty()
        && f.from.is_empty()
        && f.to.is_empty()
        && f.age.is_empty()
}

/// `DESC` or `ASC` when the page is in id order (newest or oldest first); None by name,
/// or by status when more than one status is listed.
fn id_order(f: &RecruitFilter) -> Option<&'static str> {
    match f.sort.as_str() {
        "oldest" => Some("ASC"),
        "name" => None,
        // Everyone listed has the one status asked for: by status is newest first.
        "status" if f.status.is_empty() => None,
        _ => Some("DESC"),
    }
}

fn order_by(f: &RecruitFilter, driver: Driver) -> String {
    // The index's rowid (or its text's id) is the recruit's id, and is read in that order.
    let id = match driver {
        Driver::Fts => "s.rowid",
        Driver::Text => "c.id",
        Driver::Recruits => "r.id",
    };
    match id_order(f) {
        Some(dir) => format!(" ORDER BY {id} {dir}"),
        None if f.sort == "name" => " ORDER BY r.name, r.id".to_string(),
        None => " ORDER BY r.status, r.id DESC".to_string(),
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
    let q = filtered(f, db.backend(), Purpose::Count, Source::Planned);
    let from_where = &q.from_where;
    if f.q.is_empty() && f.eth.is_empty() {
        let (n,): (i64,) =
            bind_all(sqlx::query_as(&format!("SELECT COUNT(*){from_where}")), &q.params).fetch_one(db.pool()).await?;
        return Ok((n, false));
    }
    let sql = format!("SELECT COUNT(*) FROM (SELECT 1 AS one{from_where} LIMIT {}) AS matches", COUNT_CAP + 1);
    let (n,): (i64,) = bind_all(sqlx::query_as(&sql), &q.params).fetch_one(db.pool()).await?;
    Ok(capped(n))
}

/// A count that stopped at [`COUNT_CAP`] + 1: what the list says, and whether it is a floor.
fn capped(n: i64) -> (i64, bool) {
    (n.min(COUNT_CAP), n > COUNT_CAP)
}

/// A search listed in id order, read once for both the count and the page: how many
/// match up to [`COUNT_CAP`] + 1, and the ids on the page (when the page lies within those
/// matches). Counting and then reading the page read the same matches twice; fetching
/// every id instead cost 2-3 µs a row in the driver. None in another order.
///
/// SQLite reads the matches from the search index, oldest first. PostgreSQL first counts the
/// matches among the first [`WINDOW`] recruits in the page's order: when a quarter or more
/// match, the matches are dense where the page starts, and the planner chooses (it reads
/// recruits in id order, stopping at the cap); otherwise the matches are found through the
/// trigram index (one or two characters: the index of single characters and pairs), which
/// finds every one (checking each, about 0.3 µs) and keeps the first in id order. Either way the same rows in the same order; the two differ only in time.
/// The planner cannot tell them apart: it assumes matches are spread evenly, and for a
/// search matching a tenth of everyone but none of the newest 800,000 it read 800,000
/// recruits for fifty (700 ms), and counted them by reading as many.
async fn walk(db: &Db, f: &RecruitFilter, offset: i64) -> Result<Option<Walked>, DbError> {
    let Some(dir) = id_order(f) else { return Ok(None) };
    if f.q.is_empty() {
        return Ok(None);
    }
    let backend = db.backend();
    // The order the matches are read in (`read`), which may differ from the page's.
    let (source, order, read) = match backend {
        // FTS5 reads its index backwards at about two thirds of the speed: oldest first,
        // whatever the page's order. When more than the cap match, the newest are then
        // not among those read, and the page is read on its own (newest first, it stops
        // at the page).
        Backend::Sqlite => {
            let id = if filtered(f, backend, Purpose::Count, Source::Planned).driver == Driver::Fts {
                "s.rowid"
            } else {
                "c.id"
            };
            (Source::Planned, format!(" ORDER BY {id} ASC"), "ASC")
        }
        Backend::Postgres => {
            let window = filtered(f, backend, Purpose::Count, Source::Window(dir));
            let sql = format!("SELECT COUNT(*) FROM (SELECT 1 AS one{}) AS w", window.from_where);
            let (dense,): (i64,) = bind_all(sqlx::query_as(&sql), &window.params).fetch_one(db.pool()).await?;
            if dense * 4 >= WINDOW {
                // The planner walks the primary key when it expects many matches (as here),
                // and uses the index when it expects few, which then costs little.
                (Source::Planned, format!(" ORDER BY r.id {dir}"), dir)
            } else {
                // `r.id + 0`: an order the primary key cannot give, so the planner does not walk it.
                (Source::Sparse, format!(" ORDER BY r.id + 0 {dir}"), dir)
            }
        }
    };
    let q = filtered(f, backend, Purpose::Count, source);
    // The count first (part 0), then the page's ids in order (part 1).
    let sql = format!(
        "WITH m AS MATERIALIZED (SELECT r.id AS id{}{order} LIMIT {}) \
         SELECT CAST(0 AS BIGINT) AS part, COUNT(*) AS v FROM m \
         UNION ALL SELECT CAST(1 AS BIGINT), id FROM (SELECT id FROM m ORDER BY id {dir} LIMIT {PAGE_SIZE} OFFSET {offset}) AS p \
         ORDER BY part, v {dir}",
        q.from_where,
        COUNT_CAP + 1
    );
    let rows: Vec<(i64, i64)> = bind_all(sqlx::query_as(&sql), &q.params).fetch_all(db.pool()).await?;
    let matches = rows.iter().find(|(part, _)| *part == 0).map_or(0, |(_, n)| *n);
    let ids: Vec<i64> = rows.into_iter().filter(|(part, _)| *part == 1).map(|(_, id)| id).collect();
    // Every match was read, or the page lies among those read in its order; otherwise the
    // page is read on its own.
    let page = (matches <= COUNT_CAP || (read == dir && offset + PAGE_SIZE <= matches)).then_some(ids);
    Ok(Some(Walked { matches, page }))
}

/// What [`walk`] read: matches up to [`COUNT_CAP`] + 1, and the page's ids if it could.
struct Walked {
    matches: i64,
    page: Option<Vec<i64>>,
}

/// The query with its parameters, planned for them each time: a statement kept prepared is
/// planned once without them after five runs on PostgreSQL, and that plan assumes a search
/// matches a default share of everyone (a search of two characters then read every
/// recruit, 0.7 s against 0.06 s).
fn bind_all<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    params: &'q [Param],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    let mut q = q.persistent(false);
    for p in params {
        q = match p {
            Param::Text(t) => q.bind(t.as_str()),
            Param::Int(i) => q.bind(*i),
        };
    }
    q
}

type ListRow = (String, String, String, Option<String>, i64);
const LIST_COLUMNS: &str = "SELECT r.public_id, r.name, r.status, b.label, r.created_at";

/// One page of recruits matching a (valid) filter, the number that match in all, and
/// every card batch (for the filter's list).
pub async fn list(db: &Db, f: &RecruitFilter) -> Result<RecruitList, DbError> {
    let offset = (f.page.max(1) - 1) * PAGE_SIZE;
    let walked = walk(db, f, offset).await?;
    let (total, more) = match &walked {
        Some(walked) => capped(walked.matches),
        None => count(db, f).await?,
    };
    let rows: Vec<ListRow> = match walked.and_then(|w| w.page) {
        Some(ids) => rows_by_id(db, &ids, id_order(f).unwrap_or("DESC")).await?,
        None => {
            let query = filtered(f, db.backend(), Purpose::Rows, Source::Planned);
            let sql = format!(
                "{LIST_COLUMNS}{}{} LIMIT {PAGE_SIZE} OFFSET {offset}",
                query.from_where,
                order_by(f, query.driver)
            );
            bind_all(sqlx::query_as(&sql), &query.params).fetch_all(db.pool()).await?
        }
    };
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

/// The list's rows for these recruits, in id order (`dir`).
async fn rows_by_id(db: &Db, ids: &[i64], dir: &str) -> Result<Vec<ListRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{LIST_COLUMNS} FROM recruits r LEFT JOIN card_batches b ON b.id = r.batch_id WHERE r.id IN ({}) \
         ORDER BY r.id {dir}",
        placeholders(db.backend(), ids.len())
    );
    let params: Vec<Param> = ids.iter().map(|id| Param::Int(*id)).collect();
    Ok(bind_all(sqlx::query_as(&sql), &params).fetch_all(db.pool()).await?)
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
    let query = filtered(f, db.backend(), Purpose::Rows, Source::Planned);
    let sql = format!(
        "SELECT r.name, r.email, r.phone, r.contact_method, r.postcode, r.area_connection, r.age_band, r.language, \
         r.status, b.label, r.created_at, r.confirmed_at{}{}",
        query.from_where,
        order_by(f, query.driver)
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
