//! Recruit text search through its index (an FTS5 trigram table on SQLite, pg_trgm on
//! PostgreSQL): the list finds exactly the people whose name, email, phone or postcode
//! contains the search, in any case and any script; search syntax is plain text; a
//! correction, an erasure and the retention purge leave nothing findable behind.
use leptos::server_fn::ServerFn;
use scrutiny::{db::Backend, recruits::api::EraseRecruit};

use crate::helpers::{spawn_app, TestApp};
use crate::insight::sign_up_named;

/// How many recruits the list says match `q` (0 when it says none match).
async fn found(app: &TestApp, q: &str) -> i64 {
    let response = app.client.get(app.url("/admin/recruits")).query(&[("q", q)]).send().await.unwrap();
    assert_eq!(response.status(), 200, "q={q:?}");
    let html = response.text().await.unwrap();
    assert!(!html.contains("Search for 100 letters or fewer"), "q={q:?} refused");
    if html.contains("No recruits match") {
        return 0;
    }
    html.split(" recruits match.")
        .next()
        .and_then(|s| s.rsplit('>').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count for q={q:?}"))
}

/// The same answer worked out in Rust from every recruit's fields: a case-insensitive
/// substring of one field.
async fn expected(app: &TestApp, q: &str) -> i64 {
    let rows: Vec<(String, Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT name, email, phone, postcode FROM recruits").fetch_all(app.db.pool()).await.unwrap();
    let q = q.to_lowercase();
    rows.iter()
        .filter(|(name, email, phone, postcode)| {
            [Some(name), email.as_ref(), phone.as_ref(), postcode.as_ref()]
                .into_iter()
                .flatten()
                .any(|field| field.to_lowercase().contains(&q))
        })
        .count() as i64
}

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(app.db.pool()).await.unwrap();
}

#[tokio::test]
async fn search_finds_substrings_in_any_case_and_script_and_takes_syntax_literally() {
    let app = spawn_app().await;
    let out = crate::demographics::scrutiny(
        &app.database_url,
        &["seed", "--recruits", "300", "--scans", "10", "--cards", "100", "--batch-size", "100"],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let batch = app.create_batch("Search", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    for (name, email) in [
        ("Łukasz Żółć", "lukasz@example.org"),
        ("Ангелина Иванова", "angelina@example.org"),
        ("محمد علي", "mohammed@example.org"),
        ("Ray \"Near\" Star-Jones", "ray.near@example.org"),
        ("Anne-Marie O'Brien (Annie)", "annie+panel@example.org"),
    ] {
        sign_up_named(&app, &code, name, email, "25-34", None).await;
    }
    // Phone and postcode are searched too (set here as a correction would: the index follows).
    exec(
        &app,
        "UPDATE recruits SET phone = '07700 900123', postcode = 'SW1A 1AA' WHERE email = 'annie+panel@example.org'",
    )
    .await;

    let searches = [
        // Any case, any script; Unicode letters fold on both engines.
        "łukasz",
        "ŁUKASZ",
        "żółć",
        "ИВАНОВА",
        "ангелина",
        "محمد",
        "o'brien",
        "ANNE-MARIE",
        "900123",
        "07700 9",
        "sw1a 1aa",
        "annie+panel@",
        "seed person 12",
        "SEED1@EXAMPLE",
        "example.invalid",
        // FTS5 and LIKE syntax are plain text: quotes, wildcards, operators, columns.
        "\"near\"",
        "\"Near\" Star",
        "ray \"",
        "\"\"\"",
        "near*",
        "nea*",
        "NEAR(ray star)",
        "ray NEAR star",
        "ray OR star",
        "-near",
        "doc:ray",
        "^ray",
        "%",
        "%%%",
        "_",
        "a_b",
        "100%",
        "\\",
        "\\%",
        "'; DROP TABLE recruits; --",
        // Short searches (below a trigram) still work.
        "ł",
        "ж",
        "o'",
        "a",
        "12",
        // Never across two fields (the name ends "Jones", the email starts "ray").
        "jonesray",
        "jones ray.near",
    ];
    for q in searches {
        assert_eq!(found(&app, q).await, expected(&app, q).await, "q={q:?}");
    }
    assert_eq!(found(&app, "łukasz").await, 1);
    assert_eq!(found(&app, "\"near\"").await, 1);
    assert_eq!(found(&app, "near*").await, 0, "a star is a character, not a prefix search");
    assert_eq!(found(&app, "seed person 12").await, 11, "12 and 120–129");
    // 100 characters is the limit; a longer search is refused with a message, not an error.
    let hundred = "ab".repeat(50);
    assert_eq!(found(&app, &hundred).await, 0);
    let long = app.client.get(app.url("/admin/recruits")).query(&[("q", "x".repeat(5000))]).send().await.unwrap();
    assert_eq!(long.status(), 200);
    assert!(long.text().await.unwrap().contains("Search for 100 letters or fewer"));

    // A correction: the old name is gone from the index, the new one is found.
    exec(&app, "UPDATE recruits SET name = 'Lucas Zolc' WHERE email = 'lukasz@example.org'").await;
    assert_eq!(found(&app, "łukasz").await, 0);
    assert_eq!(found(&app, "lucas zolc").await, 1);
    // Filters combine with the search.
    assert_eq!(found(&app, "seed person").await, expected(&app, "seed person").await);
    let with_status = app.get("/admin/recruits?q=seed+person+1&status=member&sort=name").await.text().await.unwrap();
    let (members,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM recruits WHERE status = 'member' AND LOWER(name) LIKE '%seed person 1%'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(with_status.contains(&format!(">{members} recruits match.")) || members == 0, "{members}");
    index_matches_recruits(&app).await;
}

#[tokio::test]
async fn erased_and_purged_recruits_leave_nothing_in_the_search_index() {
    let app = spawn_app().await;
    let batch = app.create_batch("Erasure", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    sign_up_named(&app, &code, "Quentin Erasable", "quentin@example.org", "25-34", None).await;
    sign_up_named(&app, &code, "Petra Purgeable", "petra@example.org", "25-34", None).await;
    sign_up_named(&app, &code, "Kept Person", "kept@example.org", "25-34", None).await;
    assert_eq!(found(&app, "erasable").await, 1);
    assert_eq!(found(&app, "purgeable").await, 1);

    let (public_id,): (String,) = sqlx::query_as("SELECT public_id FROM recruits WHERE email = 'quentin@example.org'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let erased = app
        .client
        .post(app.url(EraseRecruit::PATH))
        .header("accept", "text/html")
        .form(&[("public_id", public_id.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert!(erased.status().is_redirection(), "{}", erased.status());
    assert_eq!(found(&app, "erasable").await, 0);
    assert_eq!(found(&app, "quentin@").await, 0);

    // Unconfirmed for 31 days: the retention purge deletes Petra, and her index entry.
    let old = scrutiny::db::now_unix() - 31 * 86_400;
    exec(
        &app,
        &format!(
            "UPDATE recruits SET created_at = {old}, confirmation_sent_at = {old} WHERE email = 'petra@example.org'"
        ),
    )
    .await;
    let schedule = scrutiny::retention::Schedule { unconfirmed_days: 30, withdrawn_days: 90, scan_days: 365 };
    let report = scrutiny::retention::purge(&app.db, schedule, false).await.unwrap();
    assert_eq!(report.unconfirmed_recruits, 1);
    assert_eq!(found(&app, "purgeable").await, 0);
    assert_eq!(found(&app, "kept person").await, 1);
    index_matches_recruits(&app).await;
}

/// The search index's own table (SQLite's FTS5 table, PostgreSQL's narrow copy of the
/// searched text) holds exactly one entry per recruit, with that recruit's current text
/// (nothing of anyone erased or purged).
async fn index_matches_recruits(app: &TestApp) {
    let sql = match app.db.backend() {
        Backend::Sqlite => {
            "SELECT (SELECT COUNT(*) FROM recruit_search s WHERE NOT EXISTS (SELECT 1 FROM recruits r WHERE r.id = s.rowid \
             AND s.doc = r.name || char(10) || COALESCE(r.email, '') || char(10) || COALESCE(r.phone, '') || char(10) \
             || COALESCE(r.postcode, ''))) + (SELECT COUNT(*) FROM recruits r WHERE NOT EXISTS \
             (SELECT 1 FROM recruit_search s WHERE s.rowid = r.id))"
        }
        Backend::Postgres => {
            "SELECT (SELECT COUNT(*) FROM recruit_search s WHERE NOT EXISTS (SELECT 1 FROM recruits r WHERE r.id = s.id \
             AND s.search_text = lower(r.name || E'\\n' || COALESCE(r.email, '') || E'\\n' || COALESCE(r.phone, '') \
             || E'\\n' || COALESCE(r.postcode, '')))) + (SELECT COUNT(*) FROM recruits r WHERE NOT EXISTS \
             (SELECT 1 FROM recruit_search s WHERE s.id = r.id))"
        }
    };
    let (stale,): (i64,) = sqlx::query_as(sql).fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(stale, 0, "index entries without their recruit, or recruits without one");
}

#[tokio::test]
async fn a_search_matching_thousands_says_more_than_and_pages_in_order() {
    let app = spawn_app().await;
    let out = crate::demographics::scrutiny(
        &app.database_url,
        &["seed", "--recruits", "10050", "--scans", "10", "--cards", "100", "--batch-size", "100"],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = |q: &'static str| {
        let app = &app;
        async move {
            let r = app.client.get(app.url("/admin/recruits")).query(&[("q", q)]).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.text().await.unwrap()
        }
    };
    // Every seeded person matches: counted up to 10,000, then "more than".
    let html = page("Seed person").await;
    assert!(html.contains("More than 10,000 recruits match. Showing 1 to 50."), "{html}");
    assert!(html.contains(">Page 1<") && html.contains("rel=\"next\""));
    assert!(html.contains(">Seed person 10050<"), "newest first");
    let html = app.get("/admin/recruits?q=seed+person&sort=oldest&page=3").await.text().await.unwrap();
    assert!(html.contains(">Seed person 101<") && !html.contains(">Seed person 100<"), "oldest first, page 3");
    let html = app.get("/admin/recruits?q=seed+person&page=202").await.text().await.unwrap();
    assert!(html.contains("Showing 10051 to 10050") || html.contains("No recruits match"), "past the end");
    // Under the cap the count is exact, with or without other filters.
    assert_eq!(found(&app, "person 100").await, expected(&app, "person 100").await);
    assert_eq!(found(&app, "person 1").await, expected(&app, "person 1").await);
    let (members,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM recruits WHERE status = 'member'").fetch_one(app.db.pool()).await.unwrap();
    let html = app.get("/admin/recruits?q=seed&status=member").await.text().await.unwrap();
    assert!(html.contains(&format!(">{members} recruits match.")), "{members}");
}

/// Every combination of search, status, batch, dates, age and ethnic group, in every
/// order: the count and the first page agree with the plain query (a LEFT JOIN and
/// LIKE over every recruit), whichever of the tallies, indexes or capped counts answered.
#[tokio::test]
async fn every_filter_combination_agrees_with_a_plain_query() {
    let app = spawn_app().await;
    let out = crate::demographics::scrutiny(
        &app.database_url,
        &["seed", "--recruits", "400", "--scans", "10", "--cards", "200", "--batch-size", "100"],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    sqlx::query("UPDATE users SET equality_access = 1").execute(app.db.pool()).await.unwrap();
    let (batch,): (i64,) = sqlx::query_as("SELECT MIN(batch_id) FROM recruits WHERE batch_id IS NOT NULL")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let from = scrutiny::domain::ExpiryDate::today().unix_days() * 86_400 - 200 * 86_400;
    let from_day = scrutiny::domain::ExpiryDate::of_unix(from).to_string();
    let filters: [(&str, String, String); 6] = [
        ("q", "q=person+1".into(), "LOWER(r.name) LIKE '%person 1%'".into()),
        ("status", "status=confirmed".into(), "r.status = 'confirmed'".into()),
        ("batch", format!("batch={batch}"), format!("r.batch_id = {batch}")),
        ("dates", format!("from={from_day}"), format!("r.created_at >= {from}")),
        ("age", "age=18-24".into(), "r.age_band = '18-24'".into()),
        ("eth", "eth=white".into(), "e.ethnic_group = 'white'".into()),
    ];
    for mask in 0..64u32 {
        let chosen: Vec<_> = filters.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, f)| f).collect();
        let query: Vec<&str> = chosen.iter().map(|f| f.1.as_str()).collect();
        let mut conds: Vec<&str> = chosen.iter().map(|f| f.2.as_str()).collect();
        conds.push("1 = 1");
        let plain = format!(
            "FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id WHERE {}",
            conds.join(" AND ")
        );
        let (want,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) {plain}")).fetch_one(app.db.pool()).await.unwrap();
        for sort in ["", "&sort=name", "&sort=oldest", "&sort=status"] {
            let html = app.get(&format!("/admin/recruits?{}{sort}", query.join("&"))).await.text().await.unwrap();
            let (got, names) = crate::recruits::list_summary(&html);
            assert_eq!(got, want, "{query:?}{sort}");
            let order = match sort {
                "&sort=name" => "r.name, r.id",
                "&sort=oldest" => "r.id",
                "&sort=status" => "r.status, r.id DESC",
                _ => "r.id DESC",
            };
            let first: Vec<(String,)> = sqlx::query_as(&format!("SELECT r.name {plain} ORDER BY {order} LIMIT 50"))
                .fetch_all(app.db.pool())
                .await
                .unwrap();
            let first: Vec<String> = first.into_iter().map(|(n,)| n).collect();
            assert_eq!(names, first, "{query:?}{sort}");
        }
    }
}

/// The list reads a search in id order once for both its count and its page, and on
/// PostgreSQL chooses how by what the first 10,000 recruits in the page's order hold:
/// when a quarter or more match, the planner reads them in id order; when fewer do, the
/// matches are found through the trigram index (10,050 seeded: every search below with
/// "seed person" or "example.invalid" alone is dense, "person 1" (1,112 matches) and the
/// rarer ones are not, and "seed person" with an age band of 18-24 (about 30%) is dense
/// while with a status of member (about 10%) it is not). SQLite reads every search oldest
/// first (one of one or two characters from the index's copy of each recruit's text), and
/// a newest-first page on its own when more than 10,000 match. Whichever way, every
/// count and page (the first, the last the ids read can serve, the next one, past the
/// end) in every order is the plain query's.
#[tokio::test]
async fn dense_sparse_and_short_searches_list_what_a_plain_query_lists() {
    let app = spawn_app().await;
    let out = crate::demographics::scrutiny(
        &app.database_url,
        &["seed", "--recruits", "10050", "--scans", "10", "--cards", "100", "--batch-size", "100"],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    sqlx::query("UPDATE users SET equality_access = 1").execute(app.db.pool()).await.unwrap();
    let searches: [(&str, &str, &str); 14] = [
        ("seed person", "", ""),
        ("example.invalid", "", ""),
        ("person 1", "", ""),
        ("person 100", "", ""),
        ("seed9999@", "", ""),
        ("nobody", "", ""),
        ("seed person", "age=18-24", "r.age_band = '18-24'"),
        ("seed person", "status=member", "r.status = 'member'"),
        ("person 1", "eth=white", "e.ethnic_group = 'white'"),
        // One or two characters: below a trigram.
        ("1", "", ""),
        ("12", "", ""),
        ("5@", "", ""),
        ("ж", "", ""),
        ("12", "status=confirmed", "r.status = 'confirmed'"),
    ];
    for (q, filter, cond) in searches {
        // No match spans two fields (a search cannot hold the newline between them).
        let like = format!("'%{}%'", q.to_lowercase());
        let mut conds = format!(
            "(LOWER(r.name) LIKE {like} OR LOWER(COALESCE(r.email, '')) LIKE {like} \
             OR LOWER(COALESCE(r.phone, '')) LIKE {like} OR LOWER(COALESCE(r.postcode, '')) LIKE {like})"
        );
        if !cond.is_empty() {
            conds = format!("{conds} AND {cond}");
        }
        let plain = format!("FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id WHERE {conds}");
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {plain}")).fetch_one(app.db.pool()).await.unwrap();
        let says = match n {
            n if n > 10_000 => "More than 10,000 recruits match.".to_string(),
            n => format!(">{n} recruits match."),
        };
        for (sort, order) in
            [("", "r.id DESC"), ("oldest", "r.id"), ("name", "r.name, r.id"), ("status", "r.status, r.id DESC")]
        {
            for page in [1, 2, 200, 201, 202] {
                let query = [("q", q), ("sort", sort), ("page", &page.to_string())]
                    .into_iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| format!("{k}={}", v.replace(' ', "+").replace('@', "%40")))
                    .chain((!filter.is_empty()).then(|| filter.to_string()))
                    .collect::<Vec<_>>()
                    .join("&");
                let html = app.get(&format!("/admin/recruits?{query}")).await.text().await.unwrap();
                let want: Vec<(String,)> = sqlx::query_as(&format!(
                    "SELECT r.name {plain} ORDER BY {order} LIMIT 50 OFFSET {}",
                    (page - 1) * 50
                ))
                .fetch_all(app.db.pool())
                .await
                .unwrap();
                let want: Vec<String> = want.into_iter().map(|(name,)| name).collect();
                let at = format!("{query}: {n} match");
                // A page past the last match says none match, whatever the count.
                let says = if want.is_empty() { "No recruits match" } else { says.as_str() };
                assert!(html.contains(says), "{at}; the page does not say {says:?}");
                let (_, names) = crate::recruits::list_summary(&html);
                assert_eq!(names, want, "{at}");
            }
        }
    }
}
