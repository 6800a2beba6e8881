//! SQL for imported searches, population and the comparison report.
use std::collections::BTreeMap;

use super::{census::Population, police_uk::ParsedFile};
use crate::db::{now_unix, rows_per_insert, values_placeholders, Backend, Db, DbError};

/// Replaces one force-month with the file's searches, in one transaction: re-importing
/// never double counts, and a failure leaves the previous import untouched.
pub async fn replace_searches(db: &Db, file_name: &str, parsed: &ParsedFile, notes: &str) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM searches WHERE force = $1 AND month = $2")
        .bind(&parsed.force)
        .bind(&parsed.month)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM search_imports WHERE force = $1 AND month = $2")
        .bind(&parsed.force)
        .bind(&parsed.month)
        .execute(&mut *tx)
        .await?;
    for chunk in parsed.searches.chunks(rows_per_insert(16)) {
        let sql = format!(
            "INSERT INTO searches (force, month, ethnic_group, ethnic_source, ethnic_detail, age_range, gender, \
             line, draw, record, search_type, officer_group, under_18, section_60, strip, no_further_action) VALUES {}",
            values_placeholders(Backend::of(&tx), chunk.len(), 16)
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            let record = serde_json::to_string(&s.record).map_err(DbError::data)?;
            q = q
                .bind(&parsed.force)
                .bind(&parsed.month)
                .bind(s.ethnic_group)
                .bind(s.ethnic_source)
                .bind(s.ethnic_detail)
                .bind(s.age_range)
                .bind(s.gender)
                .bind(s.line as i64)
                .bind(super::sample::draw(&parsed.force, &parsed.month, s.line))
                .bind(record)
                .bind(s.record[0].trim().to_string())
                .bind(s.officer_group)
                .bind(s.under_18 as i64)
                .bind(s.section_60 as i64)
                .bind(s.strip as i64)
                .bind(s.no_further_action as i64);
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query("DELETE FROM search_filter_counts WHERE force = $1 AND month = $2")
        .bind(&parsed.force)
        .bind(&parsed.month)
        .execute(&mut *tx)
        .await?;
    let mut combos: BTreeMap<[i64; 4], i64> = BTreeMap::new();
    for s in &parsed.searches {
        let flags = [s.under_18, s.section_60, s.strip, s.no_further_action].map(i64::from);
        *combos.entry(flags).or_default() += 1;
    }
    for ([under_18, section_60, strip, nfa], n) in combos {
        sqlx::query(
            "INSERT INTO search_filter_counts (force, month, under_18, section_60, strip, no_further_action, \
             with_record, n) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
        )
        .bind(&parsed.force)
        .bind(&parsed.month)
        .bind(under_18)
        .bind(section_60)
        .bind(strip)
        .bind(nfa)
        .bind(n)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM search_counts WHERE force = $1 AND month = $2")
        .bind(&parsed.force)
        .bind(&parsed.month)
        .execute(&mut *tx)
        .await?;
    let counts: Vec<((&str, String), i64)> = search_counts(&parsed.searches).into_iter().collect();
    for chunk in counts.chunks(rows_per_insert(5)) {
        let sql = format!(
            "INSERT INTO search_counts (force, month, dimension, category, n) VALUES {}",
            values_placeholders(Backend::of(&tx), chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for ((dimension, category), n) in chunk {
            q = q.bind(&parsed.force).bind(&parsed.month).bind(*dimension).bind(category).bind(*n);
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query("INSERT INTO search_imports (force, month, file_name, rows, imported_at, notes) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&parsed.force)
        .bind(&parsed.month)
        .bind(file_name)
        .bind(parsed.searches.len() as i64)
        .bind(now_unix())
        .bind(notes)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Every force slug with searches or population, sorted.
pub async fn known_forces(db: &Db) -> Result<Vec<String>, DbError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT force FROM search_imports UNION SELECT force FROM population ORDER BY 1")
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(f,)| f).collect())
}

/// Why a force's population cannot be given, when it cannot.
pub async fn population_unavailable(db: &Db, force: &str) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT category FROM population WHERE force = $1 AND dimension = 'unavailable'")
            .bind(force)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(why,)| why))
}

/// Searches already imported for a force-month (0 when none).
pub async fn imported_rows(db: &Db, force: &str, month: &str) -> Result<i64, DbError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT rows FROM search_imports WHERE force = $1 AND month = $2")
        .bind(force)
        .bind(month)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map_or(0, |(n,)| n))
}

/// Searches counted by (dimension, category), the categories the comparison uses.
fn search_counts(searches: &[super::police_uk::Search]) -> BTreeMap<(&'static str, String), i64> {
    let mut counts = BTreeMap::new();
    let stated = |s: &str| if s.is_empty() || s == "unknown" { "not_stated".to_string() } else { s.to_string() };
    for s in searches {
        *counts.entry(("ethnic_group", stated(s.ethnic_group))).or_default() += 1;
        *counts.entry(("ethnic_group_officer", stated(s.officer_group))).or_default() += 1;
        *counts.entry(("ethnic_detail", stated(s.ethnic_detail))).or_default() += 1;
        *counts.entry(("age", stated(s.age_range))).or_default() += 1;
        *counts.entry(("gender", stated(s.gender))).or_default() += 1;
        // What panels are asked to watch, per force-month.
        for (watch, yes) in [
            ("under_18", matches!(s.age_range, "under 10" | "10-17")),
            ("strip", s.strip),
            ("section_60", s.section_60),
        ] {
            if yes {
                *counts.entry(("watch", watch.to_string())).or_default() += 1;
            }
        }
    }
    counts
}

/// Replaces the population; forces in `unavailable` get a marker row (dimension
/// `unavailable`, the reason as category) instead of numbers.
pub async fn replace_population(
    db: &Db,
    population: &Population,
    unavailable: &[(String, String)],
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM population").execute(&mut *tx).await?;
    for (force, why) in unavailable {
        sqlx::query("INSERT INTO population (force, dimension, category, people) VALUES ($1, 'unavailable', $2, 0)")
            .bind(force)
            .bind(why)
            .execute(&mut *tx)
            .await?;
    }
    for ((force, dimension, category), people) in population {
        sqlx::query("INSERT INTO population (force, dimension, category, people) VALUES ($1, $2, $3, $4)")
            .bind(force)
            .bind(dimension)
            .bind(category)
            .bind(people)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonRow {
    pub dimension: &'static str,
    pub category: String,
    pub recruits: i64,
    pub members: i64,
    pub searched: i64,
    pub population: Option<i64>,
}

/// The place and time a comparison describes: one force (or "" for every force with
/// imported searches) and the months of searches (`YYYY-MM`, "" for no bound).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub force: &'a str,
    pub from: &'a str,
    pub to: &'a str,
}

/// Runs a `category, count` query; the scope's force, from and to are bound as `$1`,
/// `$2`, `$3`, as many as the query uses.
async fn grouped(db: &Db, sql: &str, scope: Scope<'_>) -> Result<BTreeMap<String, i64>, DbError> {
    let mut query = sqlx::query_as::<_, (String, i64)>(sql);
    for (i, value) in [scope.force, scope.from, scope.to].into_iter().enumerate() {
        if sql.contains(&format!("${}", i + 1)) {
            query = query.bind(value);
        }
    }
    Ok(query.fetch_all(db.pool()).await?.into_iter().collect())
}

/// The forces with searches imported in the scope's months (the scope's force only,
/// when it names one), each with its first and last month.
pub async fn imported_in(db: &Db, scope: Scope<'_>) -> Result<Vec<(String, String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT force, MIN(month), MAX(month) FROM search_imports WHERE ($1 = '' OR force = $1) \
         AND ($2 = '' OR month >= $2) AND ($3 = '' OR month <= $3) GROUP BY force ORDER BY force",
    )
    .bind(scope.force)
    .bind(scope.from)
    .bind(scope.to)
    .fetch_all(db.pool())
    .await?)
}

/// Recruits and members vs people searched vs population, by ethnic group, age and gender.
/// Searches and population describe the same place: the scope's force, or (no force)
/// exactly the forces with searches imported in the scope's months; searches are those
/// months'. Population is None when any of those forces has none (never a partial sum).
pub async fn comparison(db: &Db, scope: Scope<'_>) -> Result<Vec<ComparisonRow>, DbError> {
    comparison_for(db, scope, None).await
}

/// [`comparison`] with the recruits and members of one panel only (`None`: every panel).
pub async fn comparison_for(db: &Db, scope: Scope<'_>, panel: Option<i64>) -> Result<Vec<ComparisonRow>, DbError> {
    let force = scope.force;
    // Recruits and members come from the running tally (see insight::tally), never a
    // scan of every recruit: the same counts, read from a few hundred rows.
    let tally = |case: &str, members_only: bool| {
        let mut conds = vec![];
        if members_only {
            conds.push("status = 'member'".to_string());
        }
        if let Some(p) = panel {
            conds.push(format!("panel_id = {p}"));
        }
        let filter = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
        format!("SELECT {case}, CAST(SUM(n) AS BIGINT) FROM recruit_tally{filter} GROUP BY 1")
    };
    let eth_case =
        "CASE WHEN ethnic_group IS NULL OR ethnic_group = 'prefer_not' THEN 'not_stated' ELSE ethnic_group END";
    let recruits_eth = grouped(db, &tally(eth_case, false), scope).await?;
    let members_eth = grouped(db, &tally(eth_case, true), scope).await?;
    let searched = |dimension: &str| {
        format!(
            "SELECT category, CAST(SUM(n) AS BIGINT) FROM search_counts WHERE dimension = '{dimension}' \
             AND ($1 = '' OR force = $1) AND ($2 = '' OR month >= $2) AND ($3 = '' OR month <= $3) GROUP BY category"
        )
    };
    // The population of the same place: the force, or the forces searched in those months.
    let population = |dimension: &str| {
        format!(
            "SELECT category, CAST(SUM(people) AS BIGINT) FROM population WHERE dimension = '{dimension}' \
             AND (force = $1 OR ($1 = '' AND force IN (SELECT force FROM search_imports \
             WHERE ($2 = '' OR month >= $2) AND ($3 = '' OR month <= $3)))) GROUP BY category"
        )
    };
    let searched_eth = grouped(db, &searched("ethnic_group"), scope).await?;
    let pop_eth = grouped(db, &population("ethnic_group"), scope).await?;

    let detail_case =
        "CASE WHEN ethnic_detail IS NULL OR ethnic_detail = 'prefer_not' THEN 'not_stated' ELSE ethnic_detail END";
    let recruits_detail = grouped(db, &tally(detail_case, false), scope).await?;
    let members_detail = grouped(db, &tally(detail_case, true), scope).await?;
    let searched_detail = grouped(db, &searched("ethnic_detail"), scope).await?;
    let pop_detail = grouped(db, &population("ethnic_detail"), scope).await?;

    let age_case = "CASE WHEN age_band IN ('under16', '16-17') THEN '10-17' WHEN age_band IN ('18-24', '25-34') THEN age_band ELSE 'over 34' END";
    let recruits_age = grouped(db, &tally(age_case, false), scope).await?;
    let members_age = grouped(db, &tally(age_case, true), scope).await?;
    let searched_age = grouped(db, &searched("age"), scope).await?;

    let gender_case = "CASE sex WHEN 'woman' THEN 'Female' WHEN 'man' THEN 'Male' WHEN 'non_binary' THEN 'Other' WHEN 'another' THEN 'Other' ELSE 'not_stated' END";
    let recruits_gender = grouped(db, &tally(gender_case, false), scope).await?;
    let members_gender = grouped(db, &tally(gender_case, true), scope).await?;
    let searched_gender = grouped(db, &searched("gender"), scope).await?;
    let pop_gender = grouped(db, &population("gender"), scope).await?;

    // Every force of the place needs its own census figures: a force whose population is
    // unavailable or was never imported means none is shown, never a partial number.
    let places: Vec<String> = if force.is_empty() {
        imported_in(db, scope).await?.into_iter().map(|(f, _, _)| f).collect()
    } else {
        vec![force.to_string()]
    };
    let mut population_known = !places.is_empty();
    for f in &places {
        let (has,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM population WHERE force = $1 AND dimension = 'ethnic_group'")
                .bind(f)
                .fetch_one(db.pool())
                .await?;
        if has == 0 || population_unavailable(db, f).await?.is_some() {
            population_known = false;
        }
    }
    let mut out = Vec::new();
    let mut add = |dimension: &'static str,
                   cats: &[&str],
                   r: &BTreeMap<String, i64>,
                   m: &BTreeMap<String, i64>,
                   s: &BTreeMap<String, i64>,
                   p: Option<&BTreeMap<String, i64>>| {
        for c in cats {
            // Never a negative count on any page, whatever the tally holds.
            let get = |map: &BTreeMap<String, i64>| map.get(*c).copied().unwrap_or(0).max(0);
            out.push(ComparisonRow {
                dimension,
                category: c.to_string(),
                recruits: get(r),
                members: get(m),
                searched: get(s),
                population: p.map(get).filter(|_| super::is_stated(c) && population_known),
            });
        }
    };
    add(
        "ethnic_group",
        &["white", "mixed", "asian", "black", "other", "not_stated", "not_recognised"],
        &recruits_eth,
        &members_eth,
        &searched_eth,
        Some(&pop_eth),
    );
    let details: Vec<&str> = crate::domain::EthnicDetail::ALL
        .iter()
        .filter(|d| d.group().is_some())
        .map(|d| d.code())
        .chain(["not_stated", "not_recognised"])
        .collect();
    add("ethnic_detail", &details, &recruits_detail, &members_detail, &searched_detail, Some(&pop_detail));
    add(
        "age",
        &["under 10", "10-17", "18-24", "25-34", "over 34", "not_stated", "not_recognised"],
        &recruits_age,
        &members_age,
        &searched_age,
        None,
    );
    add(
        "gender",
        &["Female", "Male", "Other", "not_stated", "not_recognised"],
        &recruits_gender,
        &members_gender,
        &searched_gender,
        Some(&pop_gender),
    );
    Ok(out)
}

/// Searches by ethnic group (on `basis`) and population, per force, for the months from
/// `from` to `to` (inclusive, `YYYY-MM`; empty for no bound); one force or all.
pub async fn disproportionality(
    db: &Db,
    force: &str,
    from: &str,
    to: &str,
    basis: super::rates::Basis,
) -> Result<Vec<super::rates::RateRow>, DbError> {
    let searches: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT force, category, CAST(SUM(n) AS BIGINT) FROM search_counts WHERE dimension = $1 \
         AND ($2 = '' OR force = $2) AND ($3 = '' OR month >= $3) AND ($4 = '' OR month <= $4) GROUP BY force, category",
    )
    .bind(basis.dimension())
    .bind(force)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    let people: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT force, category, CAST(SUM(people) AS BIGINT) FROM population WHERE dimension = 'ethnic_group' \
         AND ($1 = '' OR force = $1) GROUP BY force, category",
    )
    .bind(force)
    .fetch_all(db.pool())
    .await?;
    let unavailable: Vec<(String,)> =
        sqlx::query_as("SELECT force FROM population WHERE dimension = 'unavailable'").fetch_all(db.pool()).await?;
    let mut by_force: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for (f, category, n) in searches {
        *by_force.entry(f).or_default().entry(category).or_default() += n;
    }
    let mut pop: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for (f, category, n) in people {
        pop.entry(f).or_default().insert(category, n);
    }
    Ok(by_force
        .iter()
        .flat_map(|(f, s)| {
            let p = pop.get(f).filter(|_| !unavailable.iter().any(|(u,)| u == f));
            super::rates::rates(f, s, p)
        })
        .collect())
}

pub async fn watch_by_month(db: &Db) -> Result<Vec<super::rates::WatchRow>, DbError> {
    use super::rates::WatchRow;
    let rows: Vec<(String, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT i.force, i.month, i.rows, \
         CAST(COALESCE(SUM(CASE WHEN c.category = 'under_18' THEN c.n END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN c.category = 'strip' THEN c.n END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN c.category = 'section_60' THEN c.n END), 0) AS BIGINT) \
         FROM search_imports i LEFT JOIN search_counts c ON c.force = i.force AND c.month = i.month AND c.dimension = 'watch' \
         GROUP BY i.force, i.month, i.rows ORDER BY i.force, i.month",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(force, month, searches, under_18, strip, section_60)| WatchRow {
            force,
            month,
            searches,
            under_18,
            strip,
            section_60,
        })
        .collect())
}

/// Imported force-months, for the imports page: (force, month, searches, file name, notes).
pub async fn list_imports(db: &Db) -> Result<Vec<(String, String, i64, String, String)>, DbError> {
    Ok(sqlx::query_as("SELECT force, month, rows, file_name, notes FROM search_imports ORDER BY force, month")
        .fetch_all(db.pool())
        .await?)
}

/// The sample's SQL (method in `sample.rs`): how many searches in a force's months pass
/// `only` (and how many have no record; from the importer's `search_filter_counts`), then
/// the first `size` of them in the order of
/// `draw XOR key`. Rather than ordering every candidate, it reads the searches whose draw
/// shares its leading bits with the key (their XOR is below `2^shift`, everyone else's is
/// not), a range of the `(force, draw)` index sized to hold about `spare` times `size`
/// candidates (16 in use), and widens the range until it holds `size` of them: the
/// result is exactly the first `size` of the whole order.
pub async fn sample(
    db: &Db,
    force: &str,
    from: &str,
    to: &str,
    only: &[super::sample::Only],
    narrow: &super::sample::Narrow,
    key: i64,
    size: i64,
    spare: f64,
) -> Result<(Vec<String>, i64, i64), DbError> {
    let mut filter = String::new();
    for o in only {
        filter.push_str(" AND ");
        filter.push_str(o.column());
        filter.push_str(" = 1");
    }
    // Filters on published values, each with one bound value: `$` + number from `first`.
    let field = |i: usize| match db.backend() {
        crate::db::Backend::Sqlite => format!("json_extract(record, '$[{i}]')"),
        crate::db::Backend::Postgres => format!("(record::json->>{i})"),
    };
    let like =
        |s: &str| format!("%{}%", s.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let mut conds: Vec<(String, String)> = vec![];
    if let Some(t) = &narrow.search_type {
        conds.push(("LOWER(search_type) = ".into(), t.to_lowercase()));
    }
    if let Some(l) = &narrow.legislation {
        conds.push((format!("LOWER({}) LIKE ", field(10)), like(l)));
    }
    if let Some(o) = &narrow.outcome {
        conds.push((format!("LOWER({}) LIKE ", field(12)), like(o)));
    }
    if let Some((officer, g)) = &narrow.ethnic_group {
        conds.push((format!("{} = ", if *officer { "officer_group" } else { "ethnic_group" }), g.clone()));
    }
    let narrow_sql = |first: usize| -> String {
        conds
            .iter()
            .enumerate()
            .map(|(i, (cond, _))| {
                let escape = if cond.contains("LIKE") { " ESCAPE '\\'" } else { "" };
                format!(" AND {cond}${}{escape}", first + i)
            })
            .collect()
    };
    let binds: Vec<&String> = conds.iter().map(|(_, v)| v).collect();
    let (mut candidates, without_records): (i64, i64) = sqlx::query_as(&format!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN with_record = 1{filter} THEN n ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN with_record = 0 THEN n ELSE 0 END), 0) AS BIGINT) \
         FROM search_filter_counts WHERE force = $1 AND month >= $2 AND month <= $3"
    ))
    .bind(force)
    .bind(from)
    .bind(to)
    .fetch_one(db.pool())
    .await?;
    if !conds.is_empty() && candidates > 0 {
        // Counted from the searches themselves: the kept counts know only the flags.
        let sql = format!(
            "SELECT COUNT(*) FROM searches WHERE force = $1 AND month >= $2 AND month <= $3 \
             AND record IS NOT NULL{filter}{}",
            narrow_sql(4)
        );
        let mut q = sqlx::query_as::<_, (i64,)>(&sql).bind(force).bind(from).bind(to);
        for b in &binds {
            q = q.bind(*b);
        }
        candidates = q.fetch_one(db.pool()).await?.0;
    }
    let filter = format!("{filter}{}", narrow_sql(8));
    if candidates == 0 || size <= 0 {
        return Ok((Vec::new(), candidates, without_records));
    }
    // The smallest range expected to hold spare × size candidates.
    let share = (spare * size as f64 / candidates as f64).min(1.0);
    let mut shift = (62 + share.log2().ceil() as i64).clamp(0, 62);
    loop {
        let low = (key >> shift) << shift;
        let high = low + (1i64 << shift);
        // XOR as (a | b) - (a & b): both engines have | and &, and with 62-bit values
        // the subtraction cannot overflow.
        let sql = format!(
            "SELECT record FROM searches WHERE force = $1 AND draw >= $4 AND draw < $5 \
             AND month >= $2 AND month <= $3{filter} \
             ORDER BY ((draw | $6) - (draw & $6)), month, line LIMIT $7"
        );
        let mut q = sqlx::query_as::<_, (String,)>(&sql)
            .bind(force)
            .bind(from)
            .bind(to)
            .bind(low)
            .bind(high)
            .bind(key)
            .bind(size);
        for b in &binds {
            q = q.bind(*b);
        }
        let rows: Vec<(String,)> = q.fetch_all(db.pool()).await?;
        if rows.len() as i64 >= size || shift >= 62 {
            return Ok((rows.into_iter().map(|(r,)| r).collect(), candidates, without_records));
        }
        shift = (shift + 4).min(62);
    }
}
