//! The panel at work (issue 18) attacked from outside: CSV files opened as a spreadsheet
//! would open them, small numbers worked out from what a published report shows, and a
//! chair or a viewer trying every route of a panel that is not theirs.
use leptos::server_fn::ServerFn;
use scrutiny::{
    meetings::api::{
        AddAction, DrawMeetingSample, LoadMeeting, PublishMeeting, RateCase, SaveMinutes, ScheduleMeeting, UpdateAction,
    },
    roles::Role,
};

use crate::{
    demographics::{count, scrutiny},
    helpers::{spawn_app, TestApp},
    panels::post_form,
};

async fn schedule(app: &TestApp, client: &reqwest::Client, panel: &str) -> i64 {
    let l = post_form(
        client,
        app,
        ScheduleMeeting::PATH,
        &[("panel", panel), ("starts_at", "2027-03-30T18:30"), ("place", "Hall"), ("online_link", ""), ("agenda", "")],
    )
    .await;
    l.strip_prefix("/admin/meetings/").unwrap_or_else(|| panic!("{l}")).parse().unwrap()
}

/// Every cell of a CSV file as a spreadsheet reads it.
fn cells(csv_text: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv_text.as_bytes());
    r.records().flat_map(|rec| rec.unwrap().iter().map(str::to_string).collect::<Vec<_>>()).collect()
}

/// A cell a spreadsheet would run as a formula (numbers such as -0.43 are only numbers).
fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err()
}

/// A one-month police.uk file for `force` whose searches carry formulas where the force
/// writes free text.
fn hostile_police_uk_file(dir: &std::path::Path, force: &str) -> String {
    let path = dir.join(format!("2022-01-{force}-stop-and-search.csv"));
    let mut text = scrutiny::demographics::police_uk::HEADER.join(",");
    text.push('\n');
    for i in 0..3 {
        text.push_str(&format!(
            "Person search,2022-01-0{}T05:00:00+00:00,False,,52.005702,-0.429307,Male,18-24,,White,\
             Misuse of Drugs Act 1971 (section 23),\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"drugs\"\")\",\
             @SUM(1+1)*cmd|' /C calc'!A0,,False\n",
            i + 1
        ));
    }
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn csv_files_opened_in_a_spreadsheet_run_no_formula() {
    let app = spawn_app().await;
    // A panel name, an action, its owner and the force's reply, all typed by people.
    let out = scrutiny(
        &app.database_url,
        &["panel", "add", "--slug", "evil", "--name", "=HYPERLINK(\"http://evil.example/\",\"Panel\")"],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id = schedule(&app, &app.client, "evil").await;
    let tmp = tempfile::tempdir().unwrap();
    let file = hostile_police_uk_file(tmp.path(), "bedfordshire");
    let out = scrutiny(&app.database_url, &["import", "police-uk", &file]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let id_s = id.to_string();
    let l = post_form(
        &app.client,
        &app,
        DrawMeetingSample::PATH,
        &[
            ("id", &id_s),
            ("force", "bedfordshire"),
            ("from", "2022-01"),
            ("to", "2022-01"),
            ("size", "3"),
            ("seed", "x"),
        ],
    )
    .await;
    assert!(l.contains("saved=sample"), "{l}");
    let l = post_form(
        &app.client,
        &app,
        AddAction::PATH,
        &[("id", &id_s), ("case_position", ""), ("text", "=1+2"), ("owner", "@SUM(A1)"), ("due_on", "")],
    )
    .await;
    assert!(l.contains("saved=action"), "{l}");
    let action = count(&app.db, "SELECT MAX(id) FROM panel_actions").await.to_string();
    let l = post_form(
        &app.client,
        &app,
        UpdateAction::PATH,
        &[("id", &id_s), ("action_id", &action), ("status", "replied"), ("reply", "-2+3"), ("replied_on", "")],
    )
    .await;
    assert!(l.contains("saved=action"), "{l}");

    let report = app.get(&format!("/admin/meetings/{id}/report.csv")).await.text().await.unwrap();
    let requests = app.get(&format!("/admin/meetings/{id}/request-list.csv")).await.text().await.unwrap();
    let year = scrutiny(&app.database_url, &["report", "panel", "--panel", "evil", "--year", "2027"]).await;
    assert!(year.status.success(), "{}", String::from_utf8_lossy(&year.stderr));
    let year = String::from_utf8(year.stdout).unwrap();
    for (what, text) in [("meeting report", &report), ("request list", &requests), ("annual report", &year)] {
        let bad: Vec<String> = cells(text).into_iter().filter(|c| runs_as_formula(c)).collect();
        assert!(bad.is_empty(), "{what}: cells a spreadsheet would run: {bad:?}\n{text}");
    }
    // Defused, not lost: the text is there after the quote mark; numbers stay numbers.
    assert!(report.contains("'=HYPERLINK(") && report.contains("'=1+2,owner: @SUM(A1)"), "{report}");
    assert!(requests.contains("'=HYPERLINK(") && requests.contains(",-0.429307,"), "{requests}");
}

#[tokio::test]
async fn a_published_report_withholds_what_its_attendance_gives_away() {
    let app = spawn_app().await;
    sqlx::query("UPDATE panels SET reports_public = 1 WHERE slug = 'panel'").execute(app.db.pool()).await.unwrap();
    // Six members: five White, one Black. Attendance shows all six were there, so the
    // panel's size is public; a White count of 5 beside a withheld Black count gives 1.
    let batch = app.create_batch("Members", 6).await;
    let codes = app.codes_of(batch).await;
    for (i, code) in codes.iter().enumerate() {
        let eq = if i == 0 { ("black", "black_african", "woman") } else { ("white", "white_british", "man") };
        let email = format!("member{i}@example.org");
        crate::insight::sign_up_named(&app, code, &format!("Member {i}"), &email, "25-34", Some(eq)).await;
    }
    sqlx::query("UPDATE recruits SET status = 'member'").execute(app.db.pool()).await.unwrap();
    let id = schedule(&app, &app.client, "panel").await;
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM recruits").fetch_all(app.db.pool()).await.unwrap();
    let form: Vec<(String, &str)> = ids.iter().map(|(r,)| (format!("a-{r}"), "present")).collect();
    let r = app
        .client
        .post(app.url(&format!("/admin/meetings/{id}/attendance")))
        .header("origin", app.url(""))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    post_form(&app.client, &app, PublishMeeting::PATH, &[("id", &id.to_string()), ("publish", "yes")]).await;

    let csv = app.get(&format!("/admin/meetings/{id}/report.csv")).await.text().await.unwrap();
    assert!(csv.contains("attendance,\"Tuesday 30 March 2027, 18:30\",present,6"), "{csv}");
    assert!(csv.contains("makeup,black,members,[c]"), "{csv}");
    assert!(csv.contains("makeup,white,members,[c]"), "5 of 6 would give the other one away: {csv}");
    let public = reqwest::get(app.url(&format!("/panels/panel/reports/{id}"))).await.unwrap().text().await.unwrap();
    assert!(public.contains("<td class=\"num\">6</td>"), "attendance is public: {public}");
    assert!(!public.contains("<td class=\"num\">5</td>"), "{public}");
}

#[tokio::test]
async fn a_chair_and_a_viewer_can_do_nothing_to_another_panels_meeting() {
    let app = spawn_app().await;
    crate::panels::add_panel(&app, "youth", "Youth panel", "youth").await;
    let youth = crate::panels::panel_id(&app, "youth").await;
    let chair = app.client_as(Role::Chair).await;
    sqlx::query("UPDATE users SET panel_id = $1 WHERE email_lower = 'chair@test.example'")
        .bind(youth)
        .execute(app.db.pool())
        .await
        .unwrap();
    let viewer = app.client_as(Role::Viewer).await;
    let mine = schedule(&app, &chair, "youth").await;
    let other = schedule(&app, &app.client, "panel").await;
    crate::meetings::import_bedfordshire(&app).await;
    let other_s = other.to_string();
    let l = post_form(
        &app.client,
        &app,
        DrawMeetingSample::PATH,
        &[
            ("id", &other_s),
            ("force", "bedfordshire"),
            ("from", "2022-01"),
            ("to", "2022-01"),
            ("size", "3"),
            ("seed", "x"),
        ],
    )
    .await;
    assert!(l.contains("saved=sample"), "{l}");
    post_form(
        &app.client,
        &app,
        AddAction::PATH,
        &[("id", &other_s), ("case_position", "1"), ("text", "Theirs"), ("owner", "Them"), ("due_on", "")],
    )
    .await;
    let their_action = count(&app.db, "SELECT MAX(id) FROM panel_actions").await.to_string();
    let batch = app.create_batch_for("Members", 1, "panel").await;
    let member = crate::retention::sign_up(&app, &app.codes_of(batch).await[0], "m@example.org").await;
    sqlx::query("UPDATE recruits SET status = 'member' WHERE id = $1")
        .bind(member)
        .execute(app.db.pool())
        .await
        .unwrap();
    let before = snapshot(&app).await;

    for (who, client, status) in [("chair", &chair, 404), ("viewer", &viewer, 403)] {
        for path in [
            format!("/admin/meetings/{other}"),
            format!("/admin/meetings/{other}/report"),
            format!("/admin/meetings/{other}/report.csv"),
            format!("/admin/meetings/{other}/request-list.csv"),
        ] {
            let s = client.get(app.url(&path)).send().await.unwrap().status();
            assert!(s == status || (who == "viewer" && s == 404) || s == 303, "{who} {path}: {s}");
            if s == 303 {
                panic!("{who} {path}: redirected (to sign in?)");
            }
        }
        let r = client
            .post(app.url(&format!("/admin/meetings/{other}/attendance")))
            .header("origin", app.url(""))
            .form(&[(format!("a-{member}"), "absent")])
            .send()
            .await
            .unwrap();
        assert!(matches!(r.status().as_u16(), 403 | 404), "{who} attendance: {}", r.status());
        let posts: Vec<(&str, Vec<(&str, &str)>)> = vec![
            (LoadMeeting::PATH, vec![("id", &other_s)]),
            (SaveMinutes::PATH, vec![("id", &other_s), ("minutes", "hijack")]),
            (PublishMeeting::PATH, vec![("id", &other_s), ("publish", "yes")]),
            (RateCase::PATH, vec![("id", &other_s), ("position", "1"), ("rating", "red"), ("reasons", "hijack")]),
            (
                AddAction::PATH,
                vec![("id", &other_s), ("case_position", ""), ("text", "hijack"), ("owner", "x"), ("due_on", "")],
            ),
            (
                UpdateAction::PATH,
                vec![
                    ("id", &other_s),
                    ("action_id", &their_action),
                    ("status", "closed"),
                    ("reply", "hijack"),
                    ("replied_on", ""),
                ],
            ),
            (
                DrawMeetingSample::PATH,
                vec![
                    ("id", &other_s),
                    ("force", "bedfordshire"),
                    ("from", "2022-01"),
                    ("to", "2022-02"),
                    ("size", "9"),
                    ("seed", "y"),
                ],
            ),
        ];
        for (path, fields) in posts {
            let r = client.post(app.url(path)).header("accept", "text/html").form(&fields).send().await.unwrap();
            assert!(matches!(r.status().as_u16(), 403 | 404), "{who} {path}: {}", r.status());
        }
    }
    // Their own meeting does not open a door to another's action.
    let mine_s = mine.to_string();
    let r = chair
        .post(app.url(UpdateAction::PATH))
        .header("accept", "text/html")
        .form(&[
            ("id", mine_s.as_str()),
            ("action_id", &their_action),
            ("status", "closed"),
            ("reply", "x"),
            ("replied_on", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = chair
        .post(app.url(&format!("/admin/meetings/{mine}/attendance")))
        .header("origin", app.url(""))
        .form(&[(format!("a-{member}"), "present")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "recorded for nobody: the member is not of this panel");
    assert_eq!(snapshot(&app).await, before, "nothing of the other panel changed");
    let list = chair.get(app.url("/admin/meetings?panel=panel")).send().await.unwrap().text().await.unwrap();
    assert!(!list.contains(&format!("/admin/meetings/{other}\"")), "{list}");
}

/// What another panel's chair must not be able to change.
async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut out = vec![];
    for sql in [
        "SELECT COUNT(*) FROM meeting_attendance",
        "SELECT COUNT(*) FROM meetings WHERE minutes IS NOT NULL OR published <> 0",
        "SELECT COUNT(*) FROM meeting_cases WHERE rating IS NOT NULL",
        "SELECT COUNT(*) FROM meeting_cases",
        "SELECT COUNT(*) FROM panel_actions",
        "SELECT COUNT(*) FROM panel_actions WHERE status <> 'open' OR reply IS NOT NULL",
    ] {
        out.push(count(&app.db, sql).await);
    }
    out
}

#[tokio::test]
async fn drawing_the_sample_from_several_browsers_at_once_keeps_one_whole_sample() {
    let app = spawn_app().await;
    crate::meetings::import_bedfordshire(&app).await;
    let id = schedule(&app, &app.client, "panel").await;
    let id_s = id.to_string();
    let seeds: Vec<String> = (0..6).map(|i| format!("seed {i}")).collect();
    let draws = seeds.iter().map(|seed| {
        let (app, id_s) = (&app, &id_s);
        async move {
            app.client
                .post(app.url(DrawMeetingSample::PATH))
                .header("accept", "text/html")
                .form(&[
                    ("id", id_s.as_str()),
                    ("force", "bedfordshire"),
                    ("from", "2022-01"),
                    ("to", "2022-12"),
                    ("size", "20"),
                    ("seed", seed.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    let statuses = futures::future::join_all(draws).await;
    assert!(statuses.iter().all(|s| s.is_redirection()), "{statuses:?}");
    // One sample, whole: its cases are exactly those the recorded seed draws.
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM meeting_cases").await, 20);
    let (seed,): (String,) = sqlx::query_as("SELECT sample_seed FROM meetings WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let out = scrutiny(
        &app.database_url,
        &["sample", "--force", "bedfordshire", "--from", "2022-01", "--to", "2022-12", "--size", "20", "--seed", &seed],
    )
    .await;
    let expected: Vec<String> = cells_by_row(&String::from_utf8(out.stdout).unwrap()).into_iter().skip(1).collect();
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT record FROM meeting_cases WHERE meeting_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    let stored: Vec<String> =
        stored.into_iter().map(|(r,)| serde_json::from_str::<Vec<String>>(&r).unwrap().join("\u{1f}")).collect();
    assert_eq!(stored, expected, "the cases are the sample of the seed recorded ({seed})");
}

/// Each CSV row's cells joined by U+001F.
fn cells_by_row(csv_text: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_text.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().collect::<Vec<_>>().join("\u{1f}")).collect()
}

#[tokio::test]
async fn the_meeting_page_names_each_field_once_and_an_empty_force_in_plain_words() {
    let app = spawn_app().await;
    let id = schedule(&app, &app.client, "panel").await;
    let id_s = id.to_string();
    // The page's minutes box is labelled: its id is not also the heading's.
    let html = app.get(&format!("/admin/meetings/{id}")).await.text().await.unwrap();
    let ids: Vec<&str> = html.split(" id=\"").skip(1).filter_map(|s| s.split('"').next()).collect();
    let mut seen = std::collections::BTreeSet::new();
    let twice: Vec<&&str> = ids.iter().filter(|i| !seen.insert(**i)).collect();
    assert!(twice.is_empty(), "ids used twice: {twice:?}");
    // A force left empty is named in plain words.
    let l = post_form(
        &app.client,
        &app,
        DrawMeetingSample::PATH,
        &[("id", &id_s), ("force", ""), ("from", "2022-01"), ("to", "2022-01"), ("size", "3"), ("seed", "x")],
    )
    .await;
    let q: Vec<(String, String)> =
        serde_urlencoded::from_str(l.split_once('?').unwrap().1.split('#').next().unwrap()).unwrap();
    assert!(q.contains(&("err_force".into(), "Choose a force whose searches are imported".into())), "{q:?}");
}
