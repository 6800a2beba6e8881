//! Meetings (issue 18): schedule, draw a reproducible sample of real police.uk searches
//! (the same searches `scrutiny sample` gives for the recorded seed and filters), rate
//! cases, raise actions and record replies, record attendance, and the reports: per
//! meeting, per year from the command line, and public only when the panel publishes.
use leptos::server_fn::ServerFn;
use scrutiny::{
    meetings::api::{
        AddAction, DrawMeetingSample, PublishMeeting, RateCase, SaveMinutes, ScheduleMeeting, UpdateAction,
    },
    roles::Role,
};

use crate::{
    demographics::{count, scrutiny, shared_data},
    helpers::{spawn_app, TestApp},
    panels::post_form,
};

fn decoded(location: &str) -> String {
    let q = location.split_once('?').map(|(_, q)| q).unwrap_or("").split('#').next().unwrap().to_string();
    serde_urlencoded::from_str::<Vec<(String, String)>>(&q)
        .unwrap()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect()
}

pub async fn import_bedfordshire(app: &TestApp) {
    let dir = shared_data().join("police-uk");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n.starts_with("2022-") && n.ends_with("-bedfordshire-stop-and-search.csv")
        })
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    let mut args = vec!["import", "police-uk"];
    args.extend(files.iter().map(String::as_str));
    let out = scrutiny(&app.database_url, &args).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

async fn schedule(app: &TestApp, client: &reqwest::Client, panel: &str) -> i64 {
    let l = post_form(
        client,
        app,
        ScheduleMeeting::PATH,
        &[
            ("panel", panel),
            ("starts_at", "2027-03-30T18:30"),
            ("place", "Bedford Town Hall"),
            ("online_link", ""),
            ("agenda", "1. Welcome\n2. Cases"),
        ],
    )
    .await;
    l.strip_prefix("/admin/meetings/").unwrap_or_else(|| panic!("{l}")).parse().unwrap()
}

#[tokio::test]
async fn scheduling_refuses_bad_input_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let l = post_form(
        &app.client,
        &app,
        ScheduleMeeting::PATH,
        &[
            ("panel", "nope"),
            ("starts_at", "2027-02-30T18:30"),
            ("place", ""),
            ("online_link", "javascript:alert(1)"),
            ("agenda", "Bring the \u{7} bell"),
        ],
    )
    .await;
    let q = decoded(&l);
    for expected in [
        "err_panel=",
        "err_starts_at=Enter the date and time",
        "err_online_link=The online link must start with https://",
        "err_agenda=The agenda must not contain control characters",
        "agenda=Bring the",
    ] {
        assert!(q.contains(expected), "{expected} in {q}");
    }
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM meetings").await, 0);
    let id = schedule(&app, &app.client, "panel").await;
    let page = app.get(&format!("/admin/meetings/{id}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Tuesday 30 March 2027, 18:30") && html.contains("Bedford Town Hall"), "{html}");
}

#[tokio::test]
async fn a_meeting_draws_the_same_sample_as_the_command_and_the_panel_rates_and_reports() {
    let app = spawn_app().await;
    import_bedfordshire(&app).await;
    let id = schedule(&app, &app.client, "panel").await;
    let draw = |fields: Vec<(&'static str, &'static str)>| {
        let app = &app;
        async move {
            let mut all = vec![("id", id.to_string())];
            all.extend(fields.into_iter().map(|(k, v)| (k, v.to_string())));
            let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(&app.client, app, DrawMeetingSample::PATH, &pairs).await
        }
    };
    // Bad values are named; nothing is drawn.
    let l =
        draw(vec![("force", "bedfordshire"), ("from", "2022-13"), ("to", "2022-12"), ("size", "5000"), ("seed", "")])
            .await;
    assert!(decoded(&l).contains("err_from=The first month must be a month"), "{l}");
    let l = draw(vec![("force", "durham"), ("from", "2022-01"), ("to", "2022-12"), ("size", "8"), ("seed", "x")]).await;
    assert!(decoded(&l).contains("err_force="), "{l}");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM meeting_cases").await, 0);

    let l = draw(vec![
        ("force", "bedfordshire"),
        ("from", "2022-01"),
        ("to", "2022-12"),
        ("size", "8"),
        ("seed", "meeting 2027-03-30"),
        ("no_further_action", "on"),
        ("search_type", "Person search"),
    ])
    .await;
    assert!(l.contains("saved=sample"), "{l}");
    // The cases are exactly what `scrutiny sample` prints for the recorded seed and filters.
    let out = scrutiny(
        &app.database_url,
        &[
            "sample",
            "--force",
            "bedfordshire",
            "--from",
            "2022-01",
            "--to",
            "2022-12",
            "--size",
            "8",
            "--seed",
            "meeting 2027-03-30",
            "--only",
            "no-further-action",
            "--type",
            "Person search",
        ],
    )
    .await;
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let expected: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let cases = scrutiny::meetings::repo::cases(&app.db, id).await.unwrap();
    let got: Vec<Vec<String>> = cases.iter().map(|c| c.fields.iter().map(|(_, v)| v.clone()).collect()).collect();
    assert_eq!(got.len(), 8);
    assert_eq!(got, expected, "the meeting's cases are the command's sample, in order");
    let html = app.get(&format!("/admin/meetings/{id}")).await.text().await.unwrap();
    assert!(
        html.contains(
            "--seed &#x27;meeting 2027-03-30&#x27; --only no-further-action --type &#x27;Person search&#x27;"
        ) || html.contains("--seed 'meeting 2027-03-30' --only no-further-action --type 'Person search'"),
        "the page shows the command to check it"
    );

    // The request list for the force: one line per case, in sample order.
    let list = app.get(&format!("/admin/meetings/{id}/request-list.csv")).await.text().await.unwrap();
    assert_eq!(list.lines().count(), 9, "{list}");
    assert!(list.starts_with("Case,Date,Type,Latitude,Longitude,Legislation,Object of search,Outcome"));

    // Ratings with reasons and themes; an unknown case is not found; no rating is refused.
    let rate = |position: &'static str, rating: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let app = &app;
        async move {
            let mut all = vec![
                ("id", id.to_string()),
                ("position", position.to_string()),
                ("reasons", "Grounds were thin".to_string()),
            ];
            if !rating.is_empty() {
                all.push(("rating", rating.to_string()));
            }
            all.extend(extra.into_iter().map(|(k, v)| (k, v.to_string())));
            let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.client.post(app.url(RateCase::PATH)).header("accept", "text/html").form(&pairs).send().await.unwrap()
        }
    };
    assert!(rate("1", "red", vec![("grounds", "on"), ("body_worn_video", "on")]).await.status().is_redirection());
    assert!(rate("2", "green", vec![]).await.status().is_redirection());
    assert_eq!(rate("99", "amber", vec![]).await.status(), 404);
    let r = rate("3", "", vec![]).await;
    let l = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        decoded(&l).contains("err_rating=Choose a rating") && decoded(&l).contains("reasons=Grounds were thin"),
        "{l}"
    );
    let cases = scrutiny::meetings::repo::cases(&app.db, id).await.unwrap();
    assert_eq!(cases[0].rating, Some(scrutiny::domain::Rating::Red));
    assert_eq!(cases[0].themes, [scrutiny::domain::Theme::Grounds, scrutiny::domain::Theme::BodyWornVideo]);
    // Once a case is rated the sample cannot be drawn again (the work would be lost).
    let l = draw(vec![
        ("force", "bedfordshire"),
        ("from", "2022-01"),
        ("to", "2022-12"),
        ("size", "8"),
        ("seed", "another"),
    ])
    .await;
    assert!(decoded(&l).contains("err_seed=Cases are already rated"), "{l}");
    assert_eq!(scrutiny::meetings::repo::cases(&app.db, id).await.unwrap(), cases);

    // Actions: one overdue, listed for the coordinator with the red rating.
    let l = post_form(
        &app.client,
        &app,
        AddAction::PATH,
        &[
            ("id", &id.to_string()),
            ("case_position", "1"),
            ("text", "Review the grounds recorded"),
            ("owner", "Inspector Shaw"),
            ("due_on", "2020-01-31"),
        ],
    )
    .await;
    assert!(l.contains("saved=action"), "{l}");
    let l = post_form(
        &app.client,
        &app,
        AddAction::PATH,
        &[("id", &id.to_string()), ("case_position", "40"), ("text", "X"), ("owner", "Y"), ("due_on", "")],
    )
    .await;
    assert!(decoded(&l).contains("err_action=The case must be a number from 1 to 8"), "{l}");
    let meetings = app.get("/admin/meetings").await.text().await.unwrap();
    assert!(
        meetings.contains("Case 1 rated red") && meetings.contains("Action overdue since 2020-01-31"),
        "{meetings}"
    );
    let home = app.get("/admin").await.text().await.unwrap();
    assert!(home.contains("2 red ratings or overdue actions to follow up"), "the dashboard's home says so");
    let action: i64 = count(&app.db, "SELECT id FROM panel_actions").await;
    let l = post_form(
        &app.client,
        &app,
        UpdateAction::PATH,
        &[
            ("id", &id.to_string()),
            ("action_id", &action.to_string()),
            ("status", "replied"),
            ("reply", "Briefing given to the team"),
            ("replied_on", "2027-04-10"),
        ],
    )
    .await;
    assert!(l.contains("saved=action"), "{l}");
    let meetings = app.get("/admin/meetings").await.text().await.unwrap();
    assert!(!meetings.contains("Action overdue"), "a replied action is no longer overdue");

    // Attendance of the panel's members; others are ignored.
    let batch = app.create_batch("Members", 2).await;
    let codes = app.codes_of(batch).await;
    let member = crate::retention::sign_up(&app, &codes[0], "member@example.org").await;
    let outsider = crate::retention::sign_up(&app, &codes[1], "outsider@example.org").await;
    sqlx::query("UPDATE recruits SET status = 'member' WHERE id = $1")
        .bind(member)
        .execute(app.db.pool())
        .await
        .unwrap();
    let r = app
        .client
        .post(app.url(&format!("/admin/meetings/{id}/attendance")))
        .header("origin", app.url(""))
        .form(&[(format!("a-{member}"), "present"), (format!("a-{outsider}"), "present")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{:?}", r.headers().get("location"));
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM meeting_attendance WHERE status = 'present'").await, 1);
    // "invited" is recorded by sending invitations, never posted as an answer.
    let r = app
        .client
        .post(app.url(&format!("/admin/meetings/{id}/attendance")))
        .header("origin", app.url(""))
        .form(&[(format!("a-{member}"), "invited")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("present, absent or excused"));
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM meeting_attendance WHERE status = 'present'").await, 1, "kept");
    let members = scrutiny::panels::repo::members(&app.db, 1).await.unwrap();
    assert_eq!(members[0].attendance_percent(), Some(100));
    let l = post_form(
        &app.client,
        &app,
        SaveMinutes::PATH,
        &[("id", &id.to_string()), ("minutes", "Quorate.\nEight cases.")],
    )
    .await;
    assert!(l.contains("saved=minutes"));

    // The report: cases by type and rating, themes, actions, attendance; CSV too.
    let csv = app.get(&format!("/admin/meetings/{id}/report.csv")).await.text().await.unwrap();
    let rated_red = csv.lines().filter(|l| l.starts_with("cases,") && l.contains(",red,")).count();
    assert_eq!(rated_red, 1, "{csv}");
    let not_rated: i64 = csv
        .lines()
        .filter(|l| l.starts_with("cases,") && l.contains(",not rated,"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(not_rated, 6, "{csv}");
    assert!(
        csv.contains("themes,grounds,,1")
            && csv.contains("themes,body-worn-video,,1")
            && csv.contains("actions,replied,,1"),
        "{csv}"
    );
    assert!(csv.contains("attendance,\"Tuesday 30 March 2027, 18:30\",present,1"), "{csv}");
    let withheld = scrutiny::demographics::suppressed(1);
    assert_ne!(withheld, "1");
    assert!(csv.contains(&format!("makeup,not_stated,members,{withheld}")), "small counts are withheld: {csv}");
    let html = app.get(&format!("/admin/meetings/{id}/report")).await.text().await.unwrap();
    assert!(!html.contains("Casey Doe"), "reports name no member");

    // Public only when the panel publishes its reports and the meeting is published.
    assert_eq!(app.client.get(app.url("/panels/panel/reports")).send().await.unwrap().status(), 404);
    sqlx::query("UPDATE panels SET reports_public = 1 WHERE slug = 'panel'").execute(app.db.pool()).await.unwrap();
    let anon = crate::helpers::new_client();
    let public = anon.get(app.url("/panels/panel/reports")).send().await.unwrap().text().await.unwrap();
    assert!(public.contains("No reports are published yet"), "{public}");
    assert_eq!(anon.get(app.url(&format!("/panels/panel/reports/{id}"))).send().await.unwrap().status(), 404);
    let l = post_form(&app.client, &app, PublishMeeting::PATH, &[("id", &id.to_string()), ("publish", "yes")]).await;
    assert!(l.contains("saved=published"));
    let public = anon.get(app.url("/panels/panel/reports")).send().await.unwrap().text().await.unwrap();
    assert!(public.contains("Red: serious concerns") && public.contains("Briefing given to the team"), "{public}");
    assert!(!public.contains("Casey Doe") && !public.contains("member@example.org"));
    assert_eq!(anon.get(app.url(&format!("/panels/panel/reports/{id}"))).send().await.unwrap().status(), 200);

    // The year's summary from the command line is the same report.
    let out = scrutiny(&app.database_url, &["report", "panel", "--panel", "panel", "--year", "2027"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let year = String::from_utf8(out.stdout).unwrap();
    assert!(
        year.starts_with(
            "section,item,detail,value\npanel,panel,Stop and search scrutiny panel,2027\nmeetings,held,,1\n"
        ),
        "{year}"
    );
    assert!(year.contains("themes,grounds,,1"), "{year}");
    for (args, flag) in
        [(vec!["--panel", "nope", "--year", "2027"], "--panel"), (vec!["--panel", "panel", "--year", "27"], "--year")]
    {
        let mut all = vec!["report", "panel"];
        all.extend(args);
        let out = scrutiny(&app.database_url, &all).await;
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains(flag), "{all:?}");
    }
    // The dashboard's year report is the same CSV.
    let web = app.get("/admin/panels/panel/year/2027.csv").await.text().await.unwrap();
    assert_eq!(web, year);
    let html = app.get("/admin/panels/panel/year/2027").await.text().await.unwrap();
    assert!(html.contains("Stop and search scrutiny panel: 2027") && !html.contains("Casey Doe"), "{html}");
    assert_eq!(app.get("/admin/panels/panel/year/27").await.status(), 404);
    assert_eq!(app.get("/admin/panels/nope/year/2027").await.status(), 404);
    let empty = scrutiny(&app.database_url, &["report", "panel", "--panel", "panel", "--year", "2026"]).await;
    assert!(String::from_utf8(empty.stdout).unwrap().contains("meetings,held,,0"));
}

#[tokio::test]
async fn a_chair_sees_only_their_panels_meetings() {
    let app = spawn_app().await;
    crate::panels::add_panel(&app, "youth", "Youth panel", "youth").await;
    let youth = crate::panels::panel_id(&app, "youth").await;
    let other = schedule(&app, &app.client, "panel").await;
    let chair = app.client_as(Role::Chair).await;
    sqlx::query("UPDATE users SET panel_id = $1 WHERE email_lower = 'chair@test.example'")
        .bind(youth)
        .execute(app.db.pool())
        .await
        .unwrap();
    let mine = schedule(&app, &chair, "youth").await;
    // Scheduling for another panel is refused as if it did not exist.
    let l = post_form(
        &chair,
        &app,
        ScheduleMeeting::PATH,
        &[("panel", "panel"), ("starts_at", "2027-03-30T18:30"), ("place", "X"), ("online_link", ""), ("agenda", "")],
    )
    .await;
    assert!(decoded(&l).contains("err_panel="), "{l}");
    assert_eq!(chair.get(app.url(&format!("/admin/meetings/{mine}"))).send().await.unwrap().status(), 200);
    for path in [
        format!("/admin/meetings/{other}"),
        format!("/admin/meetings/{other}/report"),
        format!("/admin/meetings/{other}/report.csv"),
    ] {
        assert_eq!(chair.get(app.url(&path)).send().await.unwrap().status(), 404, "{path}");
    }
    let r = chair
        .post(app.url(SaveMinutes::PATH))
        .header("accept", "text/html")
        .form(&[("id", other.to_string().as_str()), ("minutes", "hijack")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM meetings WHERE minutes IS NOT NULL").await, 0);
    assert_eq!(chair.get(app.url("/admin/panels/panel/year/2027")).send().await.unwrap().status(), 404);
    assert_eq!(chair.get(app.url("/admin/panels/youth/year/2027")).send().await.unwrap().status(), 200);
    let list = chair.get(app.url("/admin/meetings")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Youth panel") && !list.contains("Stop and search scrutiny panel"), "{list}");
}

/// The .eml files in the outbox folder whose text contains `marker`, soft line breaks of
/// quoted-printable undone.
fn outbox_files(app: &TestApp, marker: &str) -> Vec<String> {
    let dir = app.data_dir.join("outbox");
    std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|f| std::fs::read_to_string(f.path()).unwrap_or_default())
        .map(|t| t.replace("=\r\n", "").replace("=3D", "="))
        .filter(|t| t.contains(marker))
        .collect()
}

#[tokio::test]
async fn members_are_invited_once_in_their_language_with_a_calendar_file() {
    let app = spawn_app().await;
    let batch = app.create_batch("Members", 3).await;
    let codes = app.codes_of(batch).await;
    let welsh = crate::retention::sign_up(&app, &codes[0], "cymraeg@example.org").await;
    let english = crate::retention::sign_up(&app, &codes[1], "english@example.org").await;
    let not_member = crate::retention::sign_up(&app, &codes[2], "recruit@example.org").await;
    for (id, lang) in [(welsh, "cy"), (english, "en")] {
        sqlx::query("UPDATE recruits SET status = 'member', language = $1 WHERE id = $2")
            .bind(lang)
            .bind(id)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    let id = schedule(&app, &app.client, "panel").await;
    let id_s = id.to_string();
    let fields = [("id", id_s.as_str())];
    let invite = || post_form(&app.client, &app, scrutiny::meetings::api::InviteMembers::PATH, &fields);
    let l = invite().await;
    assert!(l.contains("invited=2"), "{l}");
    assert!(invite().await.contains("invited=0"), "each member is invited once");
    assert_eq!(
        count(&app.db, &format!("SELECT COUNT(*) FROM outbox WHERE kind = 'meeting' AND recruit_id = {not_member}"))
            .await,
        0
    );
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM meeting_attendance WHERE status = 'invited'").await, 2);
    // The worker sends them (to the outbox folder here).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while count(&app.db, "SELECT COUNT(*) FROM outbox WHERE kind = 'meeting' AND status = 'sent'").await < 2 {
        assert!(std::time::Instant::now() < deadline, "invitations not sent");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let cy = outbox_files(&app, "cymraeg@example.org");
    let cy = cy.iter().find(|t| t.contains("text/calendar")).expect("a Welsh invitation with a calendar file");
    assert!(cy.contains("Rydych wedi eich gwahodd") && cy.contains("30/03/2027 18:30"), "{cy}");
    let en = outbox_files(&app, "english@example.org");
    let en = en.iter().find(|t| t.contains("text/calendar")).expect("an English invitation with a calendar file");
    assert!(en.contains("You are invited") && en.contains("Tuesday 30 March 2027, 18:30"), "{en}");
    assert!(en.contains("A calendar invitation is attached"), "{en}");
    assert!(en.contains("Bedford Town Hall"), "{en}");
    assert!(en.contains("DTSTART;TZID=Europe/London:20270330T183000"), "{en}");
    assert!(en.contains(&format!("UID:meeting-{id}@")), "{en}");
    // Like every message, it says how to leave the list, by a link that works.
    for (text, lang) in [(en, "en"), (cy, "cy")] {
        let link = crate::smtp::link_in(text, "/withdraw/").unwrap_or_else(|| panic!("no leave link: {text}"));
        assert!(link.ends_with(&format!("?lang={lang}")), "{link}");
        let path = link.split_once("/withdraw/").map(|(_, rest)| format!("/withdraw/{rest}")).unwrap();
        assert_eq!(app.get(&path).await.status(), 200, "{link}");
    }
}

#[tokio::test]
async fn a_member_who_asked_for_texts_is_invited_by_text_in_their_language() {
    let (app, notify) = crate::notify::app_with_notify(&[]).await;
    let batch = app.create_batch("Texts", 2).await;
    let codes = app.codes_of(batch).await;
    crate::notify::phone_only_sign_up(&app, &codes[0], "07700 900 556", "pl").await;
    crate::retention::sign_up(&app, &codes[1], "by.email@example.org").await;
    notify.wait_for(2, 10).await; // the two confirmations
    sqlx::query("UPDATE recruits SET status = 'member'").execute(app.db.pool()).await.unwrap();
    let id = schedule(&app, &app.client, "panel").await;
    post_form(&app.client, &app, scrutiny::meetings::api::InviteMembers::PATH, &[("id", &id.to_string())]).await;
    let sent = notify.wait_for(4, 15).await;
    let sms = sent.iter().skip(2).find(|s| s.kind == "sms").expect("a text message");
    let body = sms.personalisation["body"].as_str().unwrap();
    assert_eq!(sms.to, "+447700900556");
    assert!(body.contains("następne spotkanie 30/03/2027 18:30, Bedford Town Hall"), "{body}");
    assert!(body.contains("/w/"), "a text says how to leave the list too: {body}");
    // Notify's email API takes no attachment: the email itself says when and where.
    let email = sent.iter().skip(2).find(|s| s.kind == "email").expect("an email");
    let text = email.personalisation["body"].as_str().unwrap();
    assert!(text.contains("Tuesday 30 March 2027, 18:30") && text.contains("Bedford Town Hall"), "{text}");
    assert!(!text.contains("attached"), "no attachment is promised: {text}");
    assert!(text.contains("/withdraw/"), "{text}");
}

#[tokio::test]
async fn the_longest_minutes_allowed_are_saved_in_any_script() {
    let app = spawn_app().await;
    let id = schedule(&app, &app.client, "panel").await;
    // 10,000 Arabic letters are 60 KB once a browser has percent-encoded them.
    let minutes = "ب".repeat(9_999) + "\n";
    let l = post_form(&app.client, &app, SaveMinutes::PATH, &[("id", &id.to_string()), ("minutes", &minutes)]).await;
    assert!(l.contains("saved=minutes"), "{l}");
    let (saved,): (String,) =
        sqlx::query_as("SELECT minutes FROM meetings WHERE id = $1").bind(id).fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(saved.chars().count(), 9_999);
    let l =
        post_form(&app.client, &app, SaveMinutes::PATH, &[("id", &id.to_string()), ("minutes", &"b".repeat(10_001))])
            .await;
    assert!(decoded(&l).contains("err_minutes=The minutes must be 10000 characters or fewer"), "{l}");
}
