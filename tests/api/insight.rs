//! The dashboard's running counts (insight::tally) always equal a recount of the rows
//! they summarise, through sign-ups, corrections, status changes and erasure, and
//! before and after folding.
use scrutiny::domain::RecruitStatus;

use crate::helpers::{hidden, new_client, spawn_app, TestApp};

/// Signs someone up through the real form, optionally answering the equality questions
/// (ethnic group, detailed group, gender).
pub async fn sign_up_with(app: &TestApp, code: &str, email: &str, age: &str, eq: Option<(&str, &str, &str)>) {
    sign_up_named(app, code, "Sam Doe", email, age, eq).await
}

pub async fn sign_up_named(
    app: &TestApp,
    code: &str,
    name: &str,
    email: &str,
    age: &str,
    eq: Option<(&str, &str, &str)>,
) {
    // Each sign-up is a person of their own (the funnel counts people, not requests).
    let person = crate::helpers::person_client(email);
    let html = person.get(app.url(&format!("/j/{code}/join"))).send().await.unwrap().text().await.unwrap();
    let (key, started) = (hidden(&html, "key"), hidden(&html, "started"));
    let mut fields = vec![
        ("name", name),
        ("email", email),
        ("contact_method", "email"),
        ("age_band", age),
        ("connection", "live"),
        ("key", &key),
        ("started", &started),
        ("step", "check"),
        ("action", "continue"),
        ("lang", "en"),
    ];
    match eq {
        None => fields.push(("equality", "no")),
        Some((group, detail, gender)) => fields.extend([
            ("equality", "yes"),
            ("ethnic_group", group),
            ("ethnic_detail", detail),
            ("gender", gender),
            ("disability", "no"),
        ]),
    }
    let r = person.post(app.url(&format!("/j/{code}/join"))).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
}

type Cell = (String, String, Option<String>, Option<String>, Option<String>, i64);

async fn tally_cells(app: &TestApp) -> Vec<Cell> {
    sqlx::query_as(
        "SELECT status, age_band, ethnic_group, ethnic_detail, sex, CAST(SUM(n) AS BIGINT) FROM recruit_tally \
         GROUP BY status, age_band, ethnic_group, ethnic_detail, sex HAVING SUM(n) <> 0 ORDER BY 1, 2, 3, 4, 5",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

async fn recount_cells(app: &TestApp) -> Vec<Cell> {
    sqlx::query_as(
        "SELECT r.status, r.age_band, e.ethnic_group, e.ethnic_detail, e.sex, COUNT(*) \
         FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id \
         GROUP BY r.status, r.age_band, e.ethnic_group, e.ethnic_detail, e.sex ORDER BY 1, 2, 3, 4, 5",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

async fn batch_cells(app: &TestApp, table_sql: &str) -> Vec<(Option<i64>, String, i64)> {
    sqlx::query_as(table_sql).fetch_all(app.db.pool()).await.unwrap()
}

async fn batches_match(app: &TestApp) {
    let tally = batch_cells(app, "SELECT batch_id, status, CAST(SUM(n) AS BIGINT) FROM batch_tally GROUP BY batch_id, status HAVING SUM(n) <> 0 ORDER BY 1, 2").await;
    let recount =
        batch_cells(app, "SELECT batch_id, status, COUNT(*) FROM recruits GROUP BY batch_id, status ORDER BY 1, 2")
            .await;
    assert_eq!(tally, recount);
}

async fn public_id(app: &TestApp, email: &str) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT public_id FROM recruits WHERE email_lower = $1")
        .bind(email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn running_counts_match_a_recount_through_every_change() {
    let app = spawn_app().await;
    let batch = app.create_batch("Tally", 3).await;
    let codes = app.codes_of(batch).await;
    sign_up_with(&app, &codes[0], "a@example.org", "16-17", Some(("black", "black_african", "man"))).await;
    sign_up_with(&app, &codes[0], "b@example.org", "18-24", Some(("asian", "asian_pakistani", "woman"))).await;
    sign_up_with(&app, &codes[1], "c@example.org", "18-24", None).await;
    sign_up_with(&app, &codes[2], "d@example.org", "25-34", Some(("mixed", "mixed_white_asian", "non_binary"))).await;
    assert_eq!(recount_cells(&app).await.iter().map(|c| c.5).sum::<i64>(), 4);
    assert_eq!(tally_cells(&app).await, recount_cells(&app).await);
    batches_match(&app).await;

    // A correction (same email again) changes nothing until the person confirms it from
    // their inbox; then it moves them to a new cell instead of adding one.
    sign_up_with(&app, &codes[1], "c@example.org", "25-34", Some(("white", "white_roma", "woman"))).await;
    assert_eq!(tally_cells(&app).await, recount_cells(&app).await);
    assert_eq!(recount_cells(&app).await.iter().filter(|c| c.3.as_deref() == Some("white_roma")).count(), 0, "not yet");
    let link = crate::helpers::outbox_link(&app, "Did you sign up again", "/confirm/").await;
    let path = link.split_once("://").unwrap().1.split_once('/').unwrap().1;
    let page = app.get(&format!("/{path}")).await.text().await.unwrap();
    assert!(page.contains("your new answers are saved"), "{page}");
    // Status changes and erasure.
    let (a, b, d) = (
        public_id(&app, "a@example.org").await,
        public_id(&app, "b@example.org").await,
        public_id(&app, "d@example.org").await,
    );
    scrutiny::recruits::repo::set_status(&app.db, &[a.clone(), b.clone()], RecruitStatus::Member, "test")
        .await
        .unwrap();
    scrutiny::recruits::repo::set_status(&app.db, std::slice::from_ref(&b), RecruitStatus::Withdrawn, "test")
        .await
        .unwrap();
    assert!(scrutiny::recruits::repo::erase(&app.db, &d).await.unwrap());
    let before = recount_cells(&app).await;
    assert_eq!(before.iter().map(|c| c.5).sum::<i64>(), 3);
    assert_eq!(tally_cells(&app).await, before);
    batches_match(&app).await;

    let insight_before = scrutiny::insight::repo::funnel(&app.db, None).await.unwrap();
    let comparison_before = scrutiny::demographics::repo::comparison(
        &app.db,
        scrutiny::demographics::repo::Scope { force: "", from: "", to: "" },
    )
    .await
    .unwrap();
    let (raw_rows,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM recruit_tally").fetch_one(app.db.pool()).await.unwrap();
    scrutiny::insight::tally::fold(&app.db).await.unwrap();
    let (folded_rows,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM recruit_tally").fetch_one(app.db.pool()).await.unwrap();
    assert!(folded_rows < raw_rows, "folding {raw_rows} rows left {folded_rows}");
    assert_eq!(folded_rows, before.len() as i64);
    assert_eq!(tally_cells(&app).await, before);
    batches_match(&app).await;
    assert_eq!(scrutiny::insight::repo::funnel(&app.db, None).await.unwrap(), insight_before);
    assert_eq!(
        scrutiny::demographics::repo::comparison(
            &app.db,
            scrutiny::demographics::repo::Scope { force: "", from: "", to: "" }
        )
        .await
        .unwrap(),
        comparison_before
    );

    // The comparison reads what people answered: one Black African man (member), one
    // White Roma woman; the withdrawn Pakistani woman is still a recruit, not a member.
    let get = |dim: &str, cat: &str| {
        comparison_before.iter().find(|r| r.dimension == dim && r.category == cat).cloned().unwrap()
    };
    assert_eq!((get("ethnic_group", "black").recruits, get("ethnic_group", "black").members), (1, 1));
    assert_eq!(get("ethnic_detail", "white_roma").recruits, 1);
    assert_eq!(get("ethnic_detail", "asian_pakistani").recruits, 1);
    assert_eq!(get("ethnic_detail", "mixed_white_asian").recruits, 0);
    assert_eq!(get("age", "10-17").members, 1);
    // Funnel: 4 people sent the form (the correction is the same person, not counted again:
    // "Sent" exceeded "Started" when it was), one erased, one member.
    let all = &insight_before[0];
    assert_eq!((all.printed, all.submitted, all.members), (3, 4, 1));

    // After folding, new changes still count.
    sign_up_with(&app, &codes[2], "e@example.org", "18-24", Some(("other", "other_arab", "man"))).await;
    assert_eq!(tally_cells(&app).await, recount_cells(&app).await);
    batches_match(&app).await;
    assert_eq!(scrutiny::insight::repo::funnel(&app.db, None).await.unwrap()[0].submitted, 5);
}

#[tokio::test]
async fn seed_fills_an_empty_database_consistently_and_refuses_real_data() {
    use crate::demographics::{count, scrutiny};
    let app = spawn_app().await;
    let out = scrutiny(
        &app.database_url,
        &["seed", "--recruits", "400", "--scans", "1000", "--cards", "700", "--batch-size", "300"],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM recruits").await, 400);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM cards").await, 700);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM card_batches").await, 3);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM card_scans").await, 1000);
    // Batch counters agree with the cards they count.
    assert_eq!(count(&app.db, "SELECT CAST(SUM(scans) AS BIGINT) FROM card_batches").await, 1000);
    assert_eq!(
        count(&app.db, "SELECT CAST(SUM(scanned_cards) AS BIGINT) FROM card_batches").await,
        count(&app.db, "SELECT COUNT(*) FROM cards WHERE first_scanned_at IS NOT NULL").await
    );
    assert_eq!(tally_cells(&app).await, recount_cells(&app).await);
    batches_match(&app).await;
    let funnel = scrutiny::insight::repo::funnel(&app.db, None).await.unwrap();
    assert_eq!((funnel[0].printed, funnel[0].submitted), (700, 400));
    assert_eq!(funnel[0].members, count(&app.db, "SELECT COUNT(*) FROM recruits WHERE status = 'member'").await);

    // The app goes on working on seeded data: a real sign-up gets a fresh id.
    let code: (String,) = sqlx::query_as("SELECT code FROM cards LIMIT 1").fetch_one(app.db.pool()).await.unwrap();
    sign_up_with(&app, &code.0, "real@example.org", "18-24", None).await;
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM recruits").await, 401);

    let again = scrutiny(&app.database_url, &["seed", "--recruits", "10", "--scans", "10"]).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("only fills an empty database"));
}

#[tokio::test]
async fn concurrent_sign_ups_are_each_saved_once_and_a_double_post_once() {
    let app = crate::helpers::spawn_app_with(&[("SCRUTINY_RATE_LIMIT", "1000")]).await;
    let batch = app.create_batch("Group", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    let emails: Vec<String> = (0..40).map(|i| format!("group{i}@example.org")).collect();
    futures::future::join_all(emails.iter().map(|e| sign_up_with(&app, &code, e, "18-24", None))).await;

    // The same form posted twice at once (a double tap): one person, one email.
    let html = app.get(&format!("/j/{code}/join")).await.text().await.unwrap();
    let (key, started) = (hidden(&html, "key"), hidden(&html, "started"));
    let fields = [
        ("name", "Twin Tap"),
        ("email", "twin@example.org"),
        ("contact_method", "email"),
        ("age_band", "25-34"),
        ("connection", "live"),
        ("equality", "no"),
        ("key", &key),
        ("started", &started),
        ("step", "check"),
        ("action", "continue"),
        ("lang", "en"),
    ];
    let post = || new_client().post(app.url(&format!("/j/{code}/join"))).form(&fields).send();
    let (a, b) = tokio::join!(post(), post());
    assert_eq!(
        (a.unwrap().status(), b.unwrap().status()),
        (reqwest::StatusCode::SEE_OTHER, reqwest::StatusCode::SEE_OTHER)
    );

    let count = |sql: &'static str| crate::demographics::count(&app.db, sql);
    assert_eq!(count("SELECT COUNT(*) FROM recruits").await, 41);
    assert_eq!(count("SELECT COUNT(DISTINCT email_lower) FROM recruits").await, 41);
    assert_eq!(count("SELECT COUNT(*) FROM outbox WHERE kind = 'confirm'").await, 41);
    assert_eq!(count("SELECT CAST(SUM(n) AS BIGINT) FROM signup_events WHERE kind = 'submitted'").await, 41);
    assert_eq!(tally_cells(&app).await, recount_cells(&app).await);
}

/// Several coordinators changing the same people at once (and erasing some) leave the
/// running counts equal to a recount, never negative. Run on PostgreSQL too, where
/// transactions really interleave.
#[tokio::test]
async fn concurrent_status_changes_keep_the_counts_exact() {
    let app = spawn_app().await;
    let batch = app.create_batch("Race", 2).await;
    let codes = app.codes_of(batch).await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let email = format!("race{i}@example.org");
        sign_up_with(&app, &codes[i % 2], &email, "18-24", Some(("black", "black_african", "man"))).await;
        ids.push(public_id(&app, &email).await);
    }
    let statuses = ["confirmed", "contacted", "interviewed", "vetted", "member", "declined", "withdrawn"];
    let changes = (0..40).map(|round| {
        let db = app.db.clone();
        let ids = ids.clone();
        async move {
            let status = statuses[round % statuses.len()];
            // Everyone at once, in different orders (and one erasure now and then).
            let mut batch: Vec<String> = ids.iter().cycle().skip(round % ids.len()).take(ids.len()).cloned().collect();
            if round % 2 == 1 {
                batch.reverse();
            }
            let result =
                scrutiny::recruits::repo::set_status(&db, &batch, RecruitStatus::parse(status).unwrap(), "race").await;
            if round == 17 {
                let _ = scrutiny::recruits::repo::erase(&db, &ids[3]).await;
            }
            result.map(|_| ())
        }
    });
    let results = futures::future::join_all(changes).await;
    // PostgreSQL may refuse a transaction as a deadlock victim; that one changed nothing.
    for r in &results {
        if let Err(e) = r {
            assert!(format!("{e:?}").contains("deadlock"), "{e:?}");
        }
    }
    assert_eq!(tally_cells(&app).await, recount_cells(&app).await, "tally equals a recount");
    batches_match(&app).await;
    let (negative,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM (SELECT status FROM recruit_tally GROUP BY status, age_band, ethnic_group, ethnic_detail, sex HAVING SUM(n) < 0) t",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(negative, 0);
}

/// The cells of the insight page's tables, as a viewer sees them: for each table (by its
/// caption), rows of (label, cells as text).
fn tables(page: &str) -> Vec<(String, Vec<(String, Vec<String>)>)> {
    // `<table>` or `<table tabindex="0">` (tables that scroll on phones take focus).
    page.split("<table")
        .skip(1)
        .map(|t| {
            let t = t.split_once('>').map_or(t, |(_, rest)| rest);
            let t = t.split("</table>").next().unwrap();
            let caption = t
                .split("<caption")
                .nth(1)
                .and_then(|c| c.split('>').nth(1))
                .map(|c| c.split('<').next().unwrap().to_string())
                .unwrap_or_default();
            let rows = t
                .split("<tr>")
                .skip(1)
                .filter(|r| r.contains("<td"))
                .map(|r| {
                    let label = r
                        .split("<th scope=\"row\">")
                        .nth(1)
                        .map(|x| x.split('<').next().unwrap().to_string())
                        .unwrap_or_default();
                    let cells = r
                        .split("<td")
                        .skip(1)
                        .map(|c| c.split('>').nth(1).unwrap().split('<').next().unwrap().to_string())
                        .collect();
                    (label, cells)
                })
                .collect();
            (caption, rows)
        })
        .collect()
}

/// Plays the attacker against the insight page: knowing the number of recruits and
/// members (assume the worst: the attacker knows them exactly), every shown cell and
/// every percentage, no withheld recruit or member count can be worked out.
#[tokio::test]
async fn no_withheld_count_can_be_worked_out_from_what_is_shown() {
    let app = spawn_app().await;
    let batch = app.create_batch("Attack", 3).await;
    let codes = app.codes_of(batch).await;
    // A realistic small panel: many groups of one to four people.
    let people = [
        ("18-24", Some(("white", "white_british", "man"))),
        ("18-24", Some(("white", "white_british", "woman"))),
        ("25-34", Some(("white", "white_british", "man"))),
        ("25-34", Some(("white", "white_british", "man"))),
        ("25-34", Some(("white", "white_british", "woman"))),
        ("35-44", Some(("white", "white_british", "man"))),
        ("18-24", Some(("white", "white_irish", "man"))),
        ("16-17", Some(("black", "black_african", "man"))),
        ("18-24", Some(("black", "black_caribbean", "man"))),
        ("18-24", Some(("black", "black_african", "woman"))),
        ("18-24", Some(("asian", "asian_pakistani", "man"))),
        ("25-34", None),
        ("25-34", None),
        ("45-54", Some(("mixed", "mixed_white_black_caribbean", "non_binary"))),
    ];
    for (i, (age, eq)) in people.iter().enumerate() {
        sign_up_with(&app, &codes[i % 3], &format!("attack{i}@example.org"), age, *eq).await;
    }
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT public_id FROM recruits ORDER BY id LIMIT 3").fetch_all(app.db.pool()).await.unwrap();
    scrutiny::recruits::repo::set_status(
        &app.db,
        &ids.into_iter().map(|(i,)| i).collect::<Vec<_>>(),
        RecruitStatus::Member,
        "test",
    )
    .await
    .unwrap();
    let (recruits, members) = (people.len() as i64, 3i64);

    let viewer = app.client_as(scrutiny::roles::Role::Viewer).await;
    let page = viewer.get(app.url("/admin/insight")).send().await.unwrap().text().await.unwrap();
    let all = tables(&page);
    let mut withheld_seen = 0;
    for (caption, rows) in all
        .iter()
        .filter(|(c, _)| c.starts_with("Ethnic group") || c.starts_with("Detailed") || c == "Age" || c == "Gender")
    {
        for (column, total) in [(0usize, recruits), (1, members)] {
            let shown: Vec<Option<i64>> = rows.iter().map(|(_, cells)| cells[column].parse::<i64>().ok()).collect();
            for (label, cells) in rows {
                if cells[column] == "[c]" {
                    withheld_seen += 1;
                    assert_eq!(cells[4 + 1], "–", "{caption} {label}: a withheld count has no percentage");
                } else {
                    assert!(
                        cells[column].parse::<i64>().is_ok(),
                        "{caption} {label}: {:?} is a number or [c]",
                        cells[column]
                    );
                    assert!(
                        !(1..5).contains(&cells[column].parse::<i64>().unwrap()),
                        "{caption} {label}: a small number is shown"
                    );
                }
            }
            if caption.starts_with("Detailed") {
                continue; // checked against its groups below
            }
            // Differencing: the withheld cells share what the shown ones leave of the total.
            let withheld = shown.iter().filter(|v| v.is_none()).count() as i64;
            let rest = total - shown.iter().flatten().sum::<i64>();
            // A total below 5 is itself withheld everywhere (checked below), so the
            // attacker does not have it.
            if withheld > 0 && total >= 5 {
                // One withheld cell would be the rest. Several share it, and since zeros
                // beside a withheld count are withheld too, each may be anything from 0
                // up: the attacker cannot pin any of them.
                let zeros_withheld = rows.iter().any(|(_, cells)| cells[column] == "0");
                assert!(
                    withheld >= 2 && !zeros_withheld,
                    "{caption} column {column}: {withheld} withheld cells share {rest}"
                );
            }
        }
        // Percentages of recruits: the total they imply is one the attacker already has
        // (all recruits, or those who said), never a total that differs by a withheld cell.
        let unstated_shown: i64 = rows
            .iter()
            .filter(|(l, _)| l == "Not stated" || l.starts_with("Not recognised"))
            .map(|(_, c)| c[0].parse::<i64>().unwrap_or(-1000))
            .sum();
        for (label, cells) in rows {
            if let (Ok(n), Some(p)) =
                (cells[0].parse::<f64>(), cells[4].strip_suffix('%').and_then(|p| p.parse::<f64>().ok()))
            {
                if p > 0.0 {
                    let implied = (n * 100.0 / p).round() as i64;
                    assert!(
                        implied == recruits || (unstated_shown >= 0 && implied == recruits - unstated_shown),
                        "{caption} {label}: percentages imply {implied}"
                    );
                }
            }
        }
    }
    assert!(withheld_seen > 5, "the data has small groups to protect");
    let funnel = &all.iter().find(|(c, _)| c == "From cards to members").unwrap().1;
    let everyone = funnel.iter().find(|(l, _)| l == "All").unwrap();
    assert_eq!(everyone.1[5], "[c]", "three members in all: the total is withheld too");
    // The funnel and the months: people counts of 1 to 4 are never shown.
    for (caption, rows) in all.iter().filter(|(c, _)| c == "From cards to members" || c.contains("per month")) {
        for (label, cells) in rows {
            for c in cells.iter().skip(if caption.starts_with("From") { 2 } else { 0 }) {
                let n: Option<i64> = c.split(' ').next().and_then(|x| x.parse().ok());
                assert!(!n.is_some_and(|n| (1..5).contains(&n)), "{caption} {label}: {c}");
            }
        }
    }
}
