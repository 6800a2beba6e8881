//! Several panels per force (issue 18): panels from the command line and the dashboard,
//! cards and recruits belonging to a panel, the recruits list filtered by panel, members'
//! records and what falls due, and a chair who sees their own panel only.
use leptos::server_fn::ServerFn;
use scrutiny::{
    panels::api::{AddTraining, SaveMember, SavePanel, SaveTargets},
    roles::Role,
};

use crate::{
    demographics::{count, scrutiny},
    helpers::{spawn_app, TestApp},
};

/// Posts a form like a browser without JavaScript; returns the redirect's Location.
pub async fn post_form(client: &reqwest::Client, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> String {
    let r = client
        .post(app.url(path))
        .header("accept", "text/html,application/xhtml+xml")
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_string());
    assert!(status.is_redirection(), "{path}: status {status}: {}", r.text().await.unwrap_or_default());
    location.unwrap()
}

fn decoded(location: &str) -> String {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    let q = query.split('#').next().unwrap();
    serde_urlencoded::from_str::<Vec<(String, String)>>(q)
        .unwrap()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect()
}

pub async fn add_panel(app: &TestApp, slug: &str, name: &str, kind: &str) {
    let out = scrutiny(&app.database_url, &["panel", "add", "--slug", slug, "--name", name, "--kind", kind]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

pub async fn panel_id(app: &TestApp, slug: &str) -> i64 {
    count(&app.db, &format!("SELECT id FROM panels WHERE slug = '{slug}'")).await
}

impl TestApp {
    /// A batch of cards for `panel`, through the dashboard form.
    pub async fn create_batch_for(&self, label: &str, quantity: u32, panel: &str) -> i64 {
        let q = quantity.to_string();
        let location = self
            .post_batch_form(&[("label", label), ("area", ""), ("quantity", &q), ("expires_on", ""), ("panel", panel)])
            .await;
        location.strip_prefix("/admin/cards/").unwrap_or_else(|| panic!("{location}")).parse().unwrap()
    }
}

#[tokio::test]
async fn an_existing_force_is_one_panel_and_more_can_be_added_from_the_command_line() {
    let app = spawn_app().await;
    // A new (or migrated) database has the one default panel, which existing batches join.
    let batch = app.create_batch("Before panels", 1).await;
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM panels").await, 1);
    assert_eq!(count(&app.db, &format!("SELECT panel_id FROM card_batches WHERE id = {batch}")).await, 1);

    let db = app.database_url.clone();
    let out = scrutiny(
        &db,
        &[
            "panel",
            "add",
            "--slug",
            "youth",
            "--name",
            "Youth panel",
            "--kind",
            "youth",
            "--area",
            "North",
            "--min-age",
            "16",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Each bad value is refused naming its flag, and nothing is added.
    for (args, flag) in [
        (vec!["--slug", "youth", "--name", "Again"], "--slug"),
        (vec!["--slug", "Bad Slug!", "--name", "X"], "--slug"),
        (vec!["--slug", "ok", "--name", "  "], "--name"),
        (vec!["--slug", "ok", "--name", "X", "--kind", "football"], "--kind"),
        (vec!["--slug", "ok", "--name", "X", "--min-age", "14"], "--min-age"),
    ] {
        let mut all = vec!["panel", "add"];
        all.extend(args);
        let out = scrutiny(&db, &all).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(flag), "{all:?}: {stderr}");
    }
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM panels").await, 2);
    let list = scrutiny(&db, &["panel", "list"]).await;
    let list = String::from_utf8(list.stdout).unwrap();
    assert_eq!(list, "slug,kind,name,area,min_age\npanel,stop-search,Stop and search scrutiny panel,,\nyouth,youth,Youth panel,North,16\n");

    // With two panels, cards must say which one they are for.
    let pdf = tempfile::NamedTempFile::new().unwrap();
    let path = pdf.path().with_extension("pdf");
    let create = |panel: Option<&'static str>| {
        let mut args = vec!["cards", "create", "--label", "Youth cards", "--count", "3"];
        args.extend(["--out", path.to_str().unwrap()]);
        if let Some(p) = panel {
            args.extend(["--panel", p]);
        }
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let refused = scrutiny(&db, &create(None).iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--panel"), "{:?}", refused);
    let unknown = scrutiny(&db, &create(Some("nope")).iter().map(String::as_str).collect::<Vec<_>>()).await;
    let unknown_err = String::from_utf8_lossy(&unknown.stderr);
    assert!(unknown_err.contains("--panel") && unknown_err.contains("youth"), "{unknown_err}");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM card_batches").await, 1, "nothing saved when refused");
    let made = scrutiny(&db, &create(Some("youth")).iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let youth = panel_id(&app, "youth").await;
    assert_eq!(count(&app.db, "SELECT panel_id FROM card_batches WHERE label = 'Youth cards'").await, youth);
    std::fs::remove_file(&path).ok();
}

#[tokio::test]
async fn recruits_join_the_panel_of_their_card_or_of_the_join_address() {
    let app = spawn_app().await;
    add_panel(&app, "youth", "Youth panel", "youth").await;
    // The dashboard form needs a panel once there are two.
    let location =
        app.post_batch_form(&[("label", "No panel"), ("area", ""), ("quantity", "2"), ("expires_on", "")]).await;
    assert!(decoded(&location).contains("err_panel=Choose the panel"), "{location}");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM card_batches").await, 0);

    let youth_batch = app.create_batch_for("Youth cards", 2, "youth").await;
    let main_batch = app.create_batch_for("Main cards", 2, "panel").await;
    let youth_code = app.codes_of(youth_batch).await[0].clone();
    let main_code = app.codes_of(main_batch).await[0].clone();
    crate::retention::sign_up(&app, &youth_code, "young@example.org").await;
    crate::retention::sign_up(&app, &main_code, "main@example.org").await;

    // Without a card: the panel the address names, carried through every step.
    for (email, address) in [("joined@example.org", "/join?panel=youth"), ("plain@example.org", "/join")] {
        let person = crate::helpers::person_client(email);
        let html = person.get(app.url(address)).send().await.unwrap().text().await.unwrap();
        let checked = html.split("name=\"panel\"").skip(1).find(|r| r.split('>').next().unwrap().contains("checked"));
        let checked = checked.unwrap().split('"').nth(1).unwrap().to_string();
        assert_eq!(checked, if address.contains("youth") { "youth" } else { "" }, "the radio checked on {address}");
        let fields = [
            ("name", "Alex Doe"),
            ("email", email),
            ("contact_method", "email"),
            ("age_band", "18-24"),
            ("connection", "live"),
            ("key", &crate::helpers::hidden(&html, "key")),
            ("started", &crate::helpers::hidden(&html, "started")),
            ("step", "check"),
            ("action", "continue"),
            ("lang", "en"),
            ("equality", "no"),
            // The radio the address pre-checked (or "not sure"), as a browser sends it.
            ("panel", if address.contains("youth") { "youth" } else { "" }),
        ];
        let r = person.post(app.url("/join")).form(&fields).send().await.unwrap();
        assert_eq!(r.status(), 303);
    }
    let panel_of = |email: &'static str| {
        let db = app.db.clone();
        async move {
            let (slug,): (String,) = sqlx::query_as(
                "SELECT p.slug FROM recruits r JOIN panels p ON p.id = r.panel_id WHERE r.email_lower = $1",
            )
            .bind(email)
            .fetch_one(db.pool())
            .await
            .unwrap();
            slug
        }
    };
    assert_eq!(panel_of("young@example.org").await, "youth");
    assert_eq!(panel_of("main@example.org").await, "panel");
    assert_eq!(panel_of("joined@example.org").await, "youth");
    assert_eq!(panel_of("plain@example.org").await, "panel", "no panel named: the first panel");
    // The funnel counts a sign-up without a card for the panel its address named.
    let youth = panel_id(&app, "youth").await;
    let funnel = scrutiny::insight::repo::funnel(&app.db, Some(youth)).await.unwrap();
    let cardless = funnel.iter().find(|r| r.batch_id.is_none() && r.label != "All").unwrap();
    assert_eq!((cardless.started, cardless.submitted), (1, 1), "{funnel:?}");
    assert_eq!(funnel[0].submitted, 2, "{funnel:?}");

    // The recruits list and its export filter by panel.
    let page = app.get("/admin/recruits?panel=youth").await.text().await.unwrap();
    assert!(page.contains("young@example.org") || page.contains("Casey Doe"));
    let export = app.get("/admin/recruits/export.csv?col=email&panel=youth").await.text().await.unwrap();
    let mut emails: Vec<&str> = export.lines().skip(1).map(|l| l.trim_matches('"')).collect();
    emails.sort();
    assert_eq!(emails, ["joined@example.org", "young@example.org"], "{export}");
    let export = app.get("/admin/recruits/export.csv?col=email&panel=panel").await.text().await.unwrap();
    assert_eq!(export.lines().skip(1).count(), 2, "{export}");
}

#[tokio::test]
async fn the_dashboard_adds_and_edits_panels_and_keeps_what_was_typed_on_errors() {
    let app = spawn_app().await;
    let location = post_form(
        &app.client,
        &app,
        SavePanel::PATH,
        &[
            ("id", ""),
            ("slug", "North District"),
            ("name", ""),
            ("kind", "youth"),
            ("area", "North"),
            ("min_age", "15"),
            ("term_limit_months", "abc"),
            ("safeguarding_lead", ""),
        ],
    )
    .await;
    let q = decoded(&location);
    for expected in [
        "err_slug=",
        "err_name=Enter",
        "err_min_age=The minimum age must be 16 or 18",
        "err_term_limit_months=",
        "area=North",
    ] {
        assert!(q.contains(expected), "{expected} in {q}");
    }
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM panels").await, 1, "nothing saved");
    let location = post_form(
        &app.client,
        &app,
        SavePanel::PATH,
        &[
            ("id", ""),
            ("slug", "north"),
            ("name", "North panel"),
            ("kind", "stop-search"),
            ("area", ""),
            ("min_age", ""),
            ("term_limit_months", "36"),
            ("safeguarding_lead", "Jo Lead"),
            ("reports_public", "on"),
        ],
    )
    .await;
    assert_eq!(location, "/admin/panels/north?saved=1");
    let id = panel_id(&app, "north").await;
    // Renaming onto another panel's short name is refused; the panel is unchanged.
    let location = post_form(
        &app.client,
        &app,
        SavePanel::PATH,
        &[
            ("id", &id.to_string()),
            ("slug", "panel"),
            ("name", "Renamed"),
            ("kind", "joint"),
            ("area", ""),
            ("min_age", ""),
            ("term_limit_months", ""),
            ("safeguarding_lead", ""),
        ],
    )
    .await;
    assert!(decoded(&location).contains("err_slug=Another panel"), "{location}");
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM panels WHERE name = 'North panel' AND term_limit_months = 36").await,
        1
    );
    let page = app.get("/admin/panels/north").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("North panel") && html.contains("Jo Lead"), "{html}");
    assert_eq!(app.get("/admin/panels/nowhere").await.status(), 404);
}

#[tokio::test]
async fn members_records_training_and_what_falls_due() {
    let app = spawn_app().await;
    let batch = app.create_batch("Members", 3).await;
    let codes = app.codes_of(batch).await;
    let sam = crate::retention::sign_up(&app, &codes[0], "sam@example.org").await;
    let kim = crate::retention::sign_up(&app, &codes[1], "kim@example.org").await;
    for id in [sam, kim] {
        sqlx::query("UPDATE recruits SET status = 'member' WHERE id = $1")
            .bind(id)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    let today = scrutiny::domain::ExpiryDate::today();
    let soon = today.plus_days(30).to_string();
    let later = today.plus_days(90).to_string();
    let past = today.plus_days(-400).to_string();
    let save = |id: i64, fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let mut all: Vec<(&str, String)> = vec![("slug", "panel".into()), ("recruit_id", id.to_string())];
            all.extend(fields);
            let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(&app.client, app, SaveMember::PATH, &pairs).await
        }
    };
    let base = |vetting_expires: &str, term_end: &str| {
        vec![
            ("role", "member".to_string()),
            ("term_start", past.clone()),
            ("term_end", term_end.to_string()),
            ("vetting_level", "NPPV2".into()),
            ("vetting_status", "cleared".into()),
            ("vetting_expires", vetting_expires.to_string()),
            ("confidentiality_on", past.clone()),
        ]
    };
    assert!(save(sam, base(&soon, &later)).await.contains("saved_member"));
    assert!(save(kim, base(&later, &later)).await.contains("saved_member"));
    // A term that ends before it starts, or a date that is not one, is refused.
    let mut bad = base(&soon, &past);
    bad[1].1 = today.to_string();
    let location = save(kim, bad).await;
    assert!(decoded(&location).contains("err_member=The term must end after it starts"), "{location}");
    let location = save(kim, base("2027-02-30", &later)).await;
    assert!(decoded(&location).contains("err_member=The vetting expiry date must be a real date"), "{location}");
    // A recruit who is not a member of this panel has no record to change.
    let stranger = crate::retention::sign_up(&app, &codes[2], "stranger@example.org").await;
    let r = app
        .client
        .post(app.url(SaveMember::PATH))
        .header("accept", "text/html")
        .form(&[
            ("slug", "panel"),
            ("recruit_id", &stranger.to_string()),
            ("role", "member"),
            ("term_start", ""),
            ("term_end", ""),
            ("vetting_level", ""),
            ("vetting_status", ""),
            ("vetting_expires", ""),
            ("confidentiality_on", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Training: the latest of each course counts.
    let today_s = today.to_string();
    for (course, taken, expires) in
        [("Unconscious bias", past.as_str(), soon.as_str()), ("Unconscious bias", today_s.as_str(), later.as_str())]
    {
        let l = post_form(
            &app.client,
            &app,
            AddTraining::PATH,
            &[
                ("slug", "panel"),
                ("recruit_id", &kim.to_string()),
                ("course", course),
                ("taken_on", taken),
                ("expires_on", expires),
            ],
        )
        .await;
        assert!(l.contains("saved_member"), "{l}");
    }
    let members = scrutiny::panels::repo::members(&app.db, 1).await.unwrap();
    let due = scrutiny::panels::repo::due_soon(&members, today, 60);
    let due: Vec<(String, String)> = due.into_iter().map(|d| (d.name, d.what)).collect();
    assert_eq!(due, [("Casey Doe".to_string(), "Vetting expires".to_string())], "only what falls due within 60 days");
    let page = app.get("/admin/panels/panel").await.text().await.unwrap();
    assert!(page.contains("Vetting expires") && page.contains("NPPV2"), "the panel page shows records and what is due");
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM audit_log WHERE action = 'panel_members_viewed'").await, 1);

    // A subject access file includes the panel, the member record and training.
    let (public_id,): (String,) = sqlx::query_as("SELECT public_id FROM recruits WHERE id = $1")
        .bind(kim)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let sar: serde_json::Value =
        app.get(&format!("/admin/recruits/{public_id}/export.json")).await.json().await.unwrap();
    assert_eq!(sar["panel"]["panel"]["short_name"], "panel");
    assert_eq!(sar["panel"]["member_record"]["vetting_level"], "NPPV2");
    assert_eq!(sar["panel"]["training"].as_array().unwrap().len(), 2, "{sar}");

    // Targets: percentages, refused when they add up to more than 100.
    let l = post_form(
        &app.client,
        &app,
        SaveTargets::PATH,
        &[("slug", "panel"), ("white", "60"), ("mixed", "10"), ("asian", "20"), ("black", "30"), ("other", "")],
    )
    .await;
    assert!(decoded(&l).contains("err_targets=The targets add up to more than 100%"), "{l}");
    let l = post_form(
        &app.client,
        &app,
        SaveTargets::PATH,
        &[("slug", "panel"), ("white", "60"), ("mixed", "5.5"), ("asian", "15"), ("black", "12%"), ("other", "")],
    )
    .await;
    assert!(l.contains("saved=1"), "{l}");
    assert_eq!(
        count(&app.db, "SELECT CAST(SUM(per_mille) AS BIGINT) FROM panel_targets WHERE panel_id = 1").await,
        925
    );
}

#[tokio::test]
async fn a_chair_runs_their_own_panel_only_and_sees_no_recruits() {
    let app = spawn_app().await;
    add_panel(&app, "youth", "Youth panel", "youth").await;
    // Chairs are added with their panel (the command line refuses a chair without one).
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .args(["user", "add", "--email", "chair@test.example", "--role", "chair"])
        .env("DATABASE_URL", &app.database_url)
        .env("SCRUTINY_PASSWORD", crate::helpers::TEST_PASSWORD)
        .output()
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("--panel"), "{out:?}");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_scrutiny"))
        .args(["user", "add", "--email", "chair@test.example", "--role", "chair", "--panel", "youth"])
        .env("DATABASE_URL", &app.database_url)
        .env("SCRUTINY_PASSWORD", crate::helpers::TEST_PASSWORD)
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let chair = app.client_as(Role::Chair).await;
    let get = |path: &'static str| {
        let chair = chair.clone();
        let url = app.url(path);
        async move { chair.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(get("/admin/panels/youth").await, 200);
    assert_eq!(get("/admin/panels/panel").await, 403, "another panel's members are not the chair's to see");
    assert_eq!(get("/admin/recruits").await, 403);
    assert_eq!(get("/admin/panels").await, 403, "managing panels is for coordinators");
    assert_eq!(get("/admin/meetings").await, 200);
    // A chair cannot change a panel or a member's record.
    let r = chair
        .post(app.url(SavePanel::PATH))
        .header("accept", "text/html")
        .form(&[
            ("id", ""),
            ("slug", "x"),
            ("name", "X"),
            ("kind", "youth"),
            ("area", ""),
            ("min_age", ""),
            ("term_limit_months", ""),
            ("safeguarding_lead", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // A viewer sees neither panels' members nor meetings.
    let viewer = app.client_as(Role::Viewer).await;
    for path in ["/admin/panels/youth", "/admin/meetings"] {
        assert_eq!(viewer.get(app.url(path)).send().await.unwrap().status(), 403, "{path}");
    }
}

#[tokio::test]
async fn insight_shows_one_panels_funnel_make_up_and_progress_against_its_target() {
    let app = spawn_app().await;
    add_panel(&app, "youth", "Youth panel", "youth").await;
    let youth_batch = app.create_batch_for("Youth cards", 10, "youth").await;
    let main_batch = app.create_batch_for("Main cards", 10, "panel").await;
    let youth_codes = app.codes_of(youth_batch).await;
    let main_codes = app.codes_of(main_batch).await;
    // Six young Black members and one White recruit of the main panel.
    for (i, code) in youth_codes.iter().take(6).enumerate() {
        let email = format!("young{i}@example.org");
        crate::insight::sign_up_with(&app, code, &email, "16-17", Some(("black", "black_african", "woman"))).await;
    }
    crate::insight::sign_up_with(
        &app,
        &main_codes[0],
        "main@example.org",
        "25-34",
        Some(("white", "white_british", "man")),
    )
    .await;
    let youth_ids: Vec<(String,)> =
        sqlx::query_as("SELECT public_id FROM recruits WHERE panel_id = (SELECT id FROM panels WHERE slug = 'youth')")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    let ids: Vec<String> = youth_ids.into_iter().map(|(p,)| p).collect();
    scrutiny::recruits::repo::set_status(&app.db, &ids, scrutiny::domain::RecruitStatus::Member, "test").await.unwrap();
    let l = post_form(
        &app.client,
        &app,
        SaveTargets::PATH,
        &[("slug", "youth"), ("white", "50"), ("mixed", ""), ("asian", ""), ("black", "30"), ("other", "")],
    )
    .await;
    assert!(l.contains("saved=1"), "{l}");

    let youth = panel_id(&app, "youth").await;
    let funnel = scrutiny::insight::repo::funnel(&app.db, Some(youth)).await.unwrap();
    assert_eq!((funnel[0].submitted, funnel[0].members, funnel[0].printed), (6, 6, 10), "{funnel:?}");
    assert!(funnel.iter().all(|r| r.label != "Main cards"), "only the panel's batches");
    let all = scrutiny::insight::repo::funnel(&app.db, None).await.unwrap();
    assert_eq!((all[0].submitted, all[0].members, all[0].printed), (7, 6, 20));
    // The same after the running counts are folded.
    scrutiny::insight::tally::fold(&app.db).await.unwrap();
    assert_eq!(scrutiny::insight::repo::funnel(&app.db, Some(youth)).await.unwrap(), funnel);

    // The recruits list counts a panel's recruits right with every shortcut it takes
    // (the running counts; a batch of another panel; a search).
    for (query, n) in [
        ("panel=youth", 6),
        ("panel=youth&status=member", 6),
        ("panel=panel&status=member", 0),
        ("panel=panel", 1),
        (&format!("panel=youth&batch={main_batch}") as &str, 0),
        (&format!("panel=panel&batch={main_batch}&status=new") as &str, 1),
        ("panel=youth&age=16-17&eth=black", 6),
        ("panel=youth&q=young", 6),
        ("panel=panel&q=young", 0),
    ] {
        let page = app.get(&format!("/admin/recruits?{query}")).await.text().await.unwrap();
        let expected = if n == 0 { "No recruits match".to_string() } else { format!("{n} recruits match") };
        assert!(page.contains(&expected), "{query}: expected {expected:?}");
    }

    let html = app.get("/admin/insight?panel=youth").await.text().await.unwrap();
    assert!(html.contains("Panel: Youth panel"), "the page says which panel");
    let targets =
        html.split("data-testid=\"targets\"").nth(1).expect("a targets table").split("</table>").next().unwrap();
    // Six members, all Black: 100% against a 30% target; White: 0 members against 50%.
    assert!(targets.contains("30.0%") && targets.contains("100.0%"), "{targets}");
    assert!(targets.contains("50.0%"), "{targets}");
    let every = app.get("/admin/insight?panel=").await.text().await.unwrap();
    assert!(every.contains("Panel: every panel together") && !every.contains("data-testid=\"targets\""));
    let unknown = app.get("/admin/insight?panel=nope").await.text().await.unwrap();
    assert!(unknown.contains("There is no panel"), "a panel that does not exist is said, not an error");
}

/// Posts the first page (age, connection and, without a card, the panel) as a phone
/// would; returns where it leads.
async fn first_page(app: &TestApp, path: &str, age: &str, panel: Option<&str>) -> String {
    let person = crate::helpers::person_client(&format!("{path}{age}{panel:?}"));
    let html = person.get(app.url(path)).send().await.unwrap().text().await.unwrap();
    let key = crate::helpers::hidden(&html, "key");
    let started = crate::helpers::hidden(&html, "started");
    let mut fields = vec![
        ("age_band", age),
        ("connection", "live"),
        ("key", key.as_str()),
        ("started", started.as_str()),
        ("step", "eligibility"),
        ("action", "continue"),
        ("lang", "en"),
    ];
    if let Some(p) = panel {
        fields.push(("panel", p));
    }
    let post_to = path.split('?').next().unwrap();
    let r = person.post(app.url(post_to)).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 303);
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn without_a_card_people_choose_a_panel_and_each_panel_has_its_minimum_age() {
    let app = crate::helpers::spawn_app_with(&[("SCRUTINY_MIN_AGE", "18")]).await;
    // With one panel nobody is asked.
    let html = app.client.get(app.url("/join")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("Which panel would you like to join?"));
    let out = scrutiny(
        &app.database_url,
        &["panel", "add", "--slug", "youth", "--name", "Youth panel", "--kind", "youth", "--min-age", "16"],
    )
    .await;
    assert!(out.status.success());
    let html = app.client.get(app.url("/join")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Which panel would you like to join?") && html.contains("Youth panel"), "{html}");
    assert_eq!(html.matches("name=\"panel\"").count(), 3, "two panels and 'not sure', no hidden copy");
    // 16-17: the youth panel takes them, the force's panel (18) does not.
    assert!(first_page(&app, "/join", "16-17", Some("youth")).await.contains("s="), "on to the next question");
    assert!(first_page(&app, "/join", "16-17", Some("")).await.contains("youth=1"));
    assert!(first_page(&app, "/join", "16-17", Some("panel")).await.contains("youth=1"));
    // The address can name the panel too: it is the one chosen on the first page.
    let html = app.client.get(app.url("/join?panel=youth")).send().await.unwrap().text().await.unwrap();
    let radio = html.split("value=\"youth\"").nth(1).unwrap().split('>').next().unwrap();
    assert!(radio.contains("checked"), "{radio}");
    // With a card, the card's panel decides.
    let youth_batch = app.create_batch_for("Youth cards", 1, "youth").await;
    let main_batch = app.create_batch_for("Main cards", 1, "panel").await;
    let youth_code = app.codes_of(youth_batch).await[0].clone();
    let main_code = app.codes_of(main_batch).await[0].clone();
    assert!(first_page(&app, &format!("/j/{youth_code}/join"), "16-17", None).await.contains("s="));
    let to_youth_page = first_page(&app, &format!("/j/{main_code}/join"), "16-17", None).await;
    assert!(to_youth_page.contains("youth=1"), "{to_youth_page}");
    // The youth page says the age of the panel they tried.
    let page = app.client.get(app.url(&to_youth_page)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("18"), "{page}");
    // A whole journey without a card, choosing the youth panel on the first page.
    let l = first_page(&app, "/join", "16-17", Some("youth")).await;
    let page = app.client.get(app.url(&l)).send().await.unwrap().text().await.unwrap();
    assert_eq!(crate::helpers::hidden(&page, "panel"), "youth", "the choice is carried through the journey");
}

#[tokio::test]
async fn a_target_can_be_the_share_of_people_searched() {
    let app = spawn_app().await;
    let form = [
        ("slug", "panel"),
        ("white", ""),
        ("mixed", ""),
        ("asian", ""),
        ("black", ""),
        ("other", ""),
        ("from_searched", "yes"),
    ];
    let l = post_form(&app.client, &app, SaveTargets::PATH, &form).await;
    assert!(decoded(&l).contains("err_targets=Import the force's searches first"), "{l}");
    let file = crate::demographics::shared_data().join("police-uk/2022-03-bedfordshire-stop-and-search.csv");
    let out = scrutiny(&app.database_url, &["import", "police-uk", file.to_str().unwrap()]).await;
    assert!(out.status.success());
    let l = post_form(&app.client, &app, SaveTargets::PATH, &form).await;
    assert!(l.contains("saved=1"), "{l}");
    // The same shares as the comparison's searched column, to a tenth of a percent.
    let report = scrutiny(&app.database_url, &["report", "demographics", "--force", "bedfordshire"]).await;
    let report = String::from_utf8(report.stdout).unwrap();
    let searched = |g: &str| -> i64 {
        report
            .lines()
            .find(|l| l.starts_with(&format!("ethnic_group,{g},")))
            .unwrap()
            .split(',')
            .nth(4)
            .unwrap()
            .parse()
            .unwrap()
    };
    let groups = ["white", "mixed", "asian", "black", "other"];
    let total: i64 = groups.iter().map(|g| searched(g)).sum();
    let targets = scrutiny::panels::repo::targets(&app.db, 1).await.unwrap();
    for g in groups {
        let expected = (searched(g) as f64 * 1000.0 / total as f64).round() as i64;
        let got = targets.iter().find(|(x, _)| x == g).map(|(_, p)| *p).unwrap();
        assert!((got - expected).abs() <= 1, "{g}: {got} per mille, expected {expected}");
    }
}
