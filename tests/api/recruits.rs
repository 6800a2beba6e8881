use leptos::server_fn::ServerFn;
use scrutiny::{recruits::api::EraseRecruit, roles::Role};

use crate::{helpers::spawn_app, retention::sign_up};

async fn audit_count(app: &crate::helpers::TestApp, action: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn coordinators_view_export_and_erase_a_person_and_every_step_is_audited() {
    let app = spawn_app().await;
    let batch = app.create_batch("Recruits", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    sign_up(&app, &code, "river@example.org").await;
    let (public_id,): (String,) =
        sqlx::query_as("SELECT public_id FROM recruits").fetch_one(app.db.pool()).await.unwrap();

    let list = app.get("/admin/recruits").await.text().await.unwrap();
    assert!(list.contains("Casey Doe"));
    let detail = app.get(&format!("/admin/recruits/{public_id}")).await.text().await.unwrap();
    assert!(detail.contains("river@example.org"));
    assert_eq!(audit_count(&app, "recruit_viewed").await, 1);

    let viewer = app.client_as(Role::Viewer).await;
    assert_eq!(viewer.get(app.url(&format!("/admin/recruits/{public_id}"))).send().await.unwrap().status(), 403);
    assert_eq!(
        viewer.get(app.url(&format!("/admin/recruits/{public_id}/export.json"))).send().await.unwrap().status(),
        403
    );

    let export = app.get(&format!("/admin/recruits/{public_id}/export.json")).await;
    assert_eq!(export.status(), 200);
    assert!(export.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let json: serde_json::Value = export.json().await.unwrap();
    assert_eq!(json["person"]["email"], "river@example.org");
    assert_eq!(json["person"]["emails"][0][0], "confirm");
    assert_eq!(json["person"]["status"], "new", "the stored code, as the person's other answers");
    assert_eq!(audit_count(&app, "recruit_exported").await, 1);

    let without_tick = app
        .client
        .post(app.url(EraseRecruit::PATH))
        .header("accept", "text/html")
        .form(&[("public_id", public_id.as_str())])
        .send()
        .await
        .unwrap();
    assert!(without_tick.headers()["location"].to_str().unwrap().contains("error=tick"));
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recruits").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(n, 1, "nothing erased without the confirmation");

    app.client
        .post(app.url(EraseRecruit::PATH))
        .header("accept", "text/html")
        .form(&[("public_id", public_id.as_str()), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    for table in ["recruits", "recruit_equality", "email_tokens", "signup_submissions", "outbox"] {
        let (n,): (i64,) =
            sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(n, 0, "{table}");
    }
    assert_eq!(audit_count(&app, "recruit_erased").await, 1);
    let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM signup_events WHERE kind IN ('submitted', 'erased')")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(events, 2, "anonymous counts remain");
    assert_eq!(app.get(&format!("/admin/recruits/{public_id}")).await.status(), 404);
}

#[tokio::test]
async fn statuses_change_one_at_a_time_or_in_bulk_with_a_timeline() {
    let app = spawn_app().await;
    let batch = app.create_batch("Pipeline", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    for i in 0..3 {
        sign_up(&app, &code, &format!("pipe{i}@example.org")).await;
    }
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT public_id FROM recruits ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let r = app
        .client
        .post(app.url("/admin/recruits/status"))
        .form(&[("status", "contacted"), ("id", &ids[0].0), ("id", &ids[1].0), ("back", "/admin/recruits")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/admin/recruits?changed=2");
    let r = app
        .client
        .post(app.url("/admin/recruits/status"))
        .form(&[("status", "member"), ("id", &ids[0].0), ("back", &format!("/admin/recruits/{}", ids[0].0))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let bad = app
        .client
        .post(app.url("/admin/recruits/status"))
        .form(&[("status", "astronaut"), ("id", &ids[2].0)])
        .send()
        .await
        .unwrap();
    assert!(bad.headers()["location"].to_str().unwrap().contains("error=status"));
    app.client
        .post(app.url(&format!("/admin/recruits/{}/note", ids[0].0)))
        .form(&[("note", "Met at the youth centre")])
        .send()
        .await
        .unwrap();
    let page = app.get(&format!("/admin/recruits/{}", ids[0].0)).await.text().await.unwrap();
    assert!(page.contains("new → contacted") && page.contains("contacted → member"), "timeline");
    assert!(page.contains("Met at the youth centre"));
    let (members,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM recruits WHERE status = 'member'").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(members, 1);
    assert_eq!(audit_count(&app, "recruit_status_changed").await, 3);
    let viewer = app.client_as(Role::Viewer).await;
    let r = viewer
        .post(app.url("/admin/recruits/status"))
        .form(&[("status", "member"), ("id", &ids[2].0)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn invitations_go_to_the_selected_people_through_the_outbox() {
    let smtp = crate::smtp::SmtpSink::start().await;
    let app = crate::helpers::spawn_app_with(&[("SCRUTINY_SMTP_URL", &smtp.url())]).await;
    let batch = app.create_batch("Invites", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    for i in 0..3 {
        sign_up(&app, &code, &format!("inv{i}@example.org")).await;
    }
    smtp.wait_for(3, 10).await; // the three confirmation emails
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT public_id FROM recruits ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let compose =
        app.get(&format!("/admin/recruits/invite?id={}&id={}", ids[0].0, ids[1].0)).await.text().await.unwrap();
    assert!(compose.contains("To 2 selected people"));
    // First the preview (nothing sent), then the send.
    let fields = [
        ("id", ids[0].0.as_str()),
        ("id", ids[1].0.as_str()),
        ("subject", "Panel meeting 3 March"),
        ("message", "7pm at Parkside Community Centre."),
    ];
    let preview = app.client.post(app.url("/admin/recruits/invite")).form(&fields).send().await.unwrap();
    assert_eq!(preview.status(), 200);
    let preview = preview.text().await.unwrap();
    assert!(preview.contains("2 by email, 0 by text message"), "{preview}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 3, "a preview sends nothing");
    let mut send = fields.to_vec();
    send.push(("action", "send"));
    let r = app.client.post(app.url("/admin/recruits/invite")).form(&send).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/admin/recruits?invited=2&without_email=0");
    let mail = smtp.wait_for(5, 10).await;
    let invitations: Vec<_> = mail.iter().filter(|m| m.contains("Panel meeting 3 March")).collect();
    assert_eq!(invitations.len(), 2);
    assert!(invitations
        .iter()
        .all(|m| m.contains("Parkside Community Centre") && crate::smtp::link_in(m, "/withdraw/").is_some()));
    assert!(!mail.iter().any(|m| m.contains("Panel meeting") && m.contains("inv2@example.org")), "only the selected");
    let empty = app
        .client
        .post(app.url("/admin/recruits/invite"))
        .form(&[("subject", "x"), ("message", "y")])
        .send()
        .await
        .unwrap();
    assert!(empty.headers()["location"].to_str().unwrap().contains("error=none"));
    // The mail server has the message a moment before the worker records it as sent (seen
    // once with ~170 tests running four at a time): the page is read until it says so.
    let mut page = String::new();
    for _ in 0..50 {
        page = app.get(&format!("/admin/recruits/{}", ids[0].0)).await.text().await.unwrap();
        if page.contains("<td>Message</td><td>Sent</td>") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(page.contains("Invitation sent: Panel meeting 3 March"));
    assert!(page.contains("<td>Message</td><td>Sent</td>"), "delivery tracked per person");
}

#[tokio::test]
async fn csv_export_has_the_chosen_columns_defuses_formulas_and_is_audited() {
    let app = spawn_app().await;
    let batch = app.create_batch("Export", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    sign_up(&app, &code, "csv@example.org").await;
    sqlx::query("UPDATE recruits SET name = '=HYPERLINK(\"x\")'").execute(app.db.pool()).await.unwrap();
    let r = app.get("/admin/recruits/export.csv?col=name&col=email&col=batch").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("\"Name\",\"Email\",\"Card batch\""));
    assert_eq!(lines.next(), Some("\"'=HYPERLINK(\"\"x\"\")\",\"csv@example.org\",\"Export\""));
    assert!(!csv.contains("25-34"), "only the chosen columns");
    assert_eq!(audit_count(&app, "recruits_exported").await, 1);
    assert_eq!(app.get("/admin/recruits/export.csv").await.status(), 422, "no columns chosen");
    let viewer = app.client_as(Role::Viewer).await;
    assert_eq!(viewer.get(app.url("/admin/recruits/export.csv?col=name")).send().await.unwrap().status(), 403);
}

/// How many people the list page says match, and the names on the page.
pub fn list_summary(html: &str) -> (i64, Vec<String>) {
    let total = html
        .split(" recruits match.")
        .next()
        .and_then(|s| s.rsplit('>').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let names = html
        .split("href=\"/admin/recruits/")
        .skip(1)
        .filter(|s| !s.starts_with("call-back"))
        .filter_map(|s| s.split_once("\">").map(|(_, rest)| rest.split('<').next().unwrap_or("").to_string()))
        .filter(|n| !n.is_empty() && !n.contains('='))
        .collect();
    (total, names)
}

async fn sql_count(app: &crate::helpers::TestApp, sql: &str) -> i64 {
    crate::demographics::count(&app.db, sql).await
}

#[tokio::test]
async fn the_list_searches_filters_sorts_and_pages() {
    use crate::insight::sign_up_named;
    let app = spawn_app().await;
    let out = crate::demographics::scrutiny(
        &app.database_url,
        &["seed", "--recruits", "130", "--scans", "100", "--cards", "200", "--batch-size", "100"],
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let batch = app.create_batch("Riverside", 2).await;
    let code = app.codes_of(batch).await[0].clone();
    sign_up_named(&app, &code, "Zebedee O'Neil", "zeb@example.org", "16-17", Some(("black", "black_caribbean", "man")))
        .await;
    sign_up_named(&app, &code, "Aaron Able", "aaron_b@example.org", "18-24", None).await;

    // This coordinator may filter by ethnic group (equality data access, given by an admin).
    sqlx::query("UPDATE users SET equality_access = 1").execute(app.db.pool()).await.unwrap();
    let (total, names) = list_summary(&app.get("/admin/recruits").await.text().await.unwrap());
    assert_eq!(total, 132);
    assert_eq!(names.len(), 50);
    assert_eq!(names[0], "Aaron Able", "newest first");
    let page3 = app.get("/admin/recruits?page=3").await.text().await.unwrap();
    assert!(page3.contains("Page 3 of 3"));
    assert_eq!(list_summary(&page3).1.len(), 32);
    assert!(page3.contains("rel=\"prev\"") && !page3.contains("rel=\"next\""));

    // Search: any part of a name, email, phone or postcode, any case; wildcards are literal.
    let (n, names) = list_summary(&app.get("/admin/recruits?q=zEBEDee").await.text().await.unwrap());
    assert_eq!((n, names), (1, vec!["Zebedee O'Neil".to_string()]));
    assert_eq!(list_summary(&app.get("/admin/recruits?q=n_b%40example").await.text().await.unwrap()).0, 1);
    // "_" is not a wildcard: "seed1@…" would match "d_@" as a pattern.
    assert!(app.get("/admin/recruits?q=d_%40").await.text().await.unwrap().contains("No recruits match"));
    let none = app.get("/admin/recruits?q=%25%25%25_x").await.text().await.unwrap();
    assert!(none.contains("No recruits match these filters."));

    // Filters agree with an independent count in SQL.
    for (query, sql) in [
        ("status=member", "SELECT COUNT(*) FROM recruits WHERE status = 'member'"),
        ("age=18-24&status=confirmed", "SELECT COUNT(*) FROM recruits WHERE age_band = '18-24' AND status = 'confirmed'"),
        ("eth=black", "SELECT COUNT(*) FROM recruit_equality WHERE ethnic_group = 'black'"),
        ("eth=not_stated", "SELECT COUNT(*) FROM recruits r LEFT JOIN recruit_equality e ON e.recruit_id = r.id WHERE e.ethnic_group IS NULL OR e.ethnic_group = 'prefer_not'"),
        ("batch=none", "SELECT COUNT(*) FROM recruits WHERE batch_id IS NULL"),
        (&format!("batch={batch}"), &format!("SELECT COUNT(*) FROM recruits WHERE batch_id = {batch}")),
    ] {
        let (n, _) = list_summary(&app.get(&format!("/admin/recruits?{query}")).await.text().await.unwrap());
        assert_eq!(n, sql_count(&app, sql).await, "{query}");
    }
    let today = scrutiny::domain::ExpiryDate::today().to_string();
    let (n, _) =
        list_summary(&app.get(&format!("/admin/recruits?from={today}&to={today}")).await.text().await.unwrap());
    let start = scrutiny::domain::ExpiryDate::today().unix_days() * 86_400;
    assert_eq!(n, sql_count(&app, &format!("SELECT COUNT(*) FROM recruits WHERE created_at >= {start}")).await);

    // Sorting by name.
    let (_, names) = list_summary(&app.get("/admin/recruits?sort=name").await.text().await.unwrap());
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(names[0], "Aaron Able");

    // A bad value is named and left out; the rest of the filter still applies.
    let page = app.get("/admin/recruits?from=2026-02-30&q=zebedee").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Signed up from: enter a real date"), "{html}");
    assert!(html.contains("value=\"2026-02-30\""), "what was typed is kept");
    assert_eq!(list_summary(&html).0, 1);

    // The export follows the same filter, and refuses a bad one with a message.
    let csv = app.get("/admin/recruits/export.csv?col=name&col=email&q=zebedee").await.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains("zeb@example.org"));
    let bad = app.get("/admin/recruits/export.csv?col=name&eth=martian").await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("Choose an ethnic group from the list"));
}

#[tokio::test]
async fn the_dashboard_shows_words_not_codes() {
    let app = crate::helpers::spawn_app().await;
    let batch = app.create_batch("Words", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    crate::insight::sign_up_named(
        &app,
        &code,
        "Wren Words",
        "wren@example.org",
        "65plus",
        Some(("white", "white_other", "woman")),
    )
    .await;
    let (id,): (String,) = sqlx::query_as("SELECT public_id FROM recruits").fetch_one(app.db.pool()).await.unwrap();
    sqlx::query("UPDATE recruits SET status = 'vetted', language = 'cy', area_connection = 'live,study'")
        .execute(app.db.pool())
        .await
        .unwrap();
    // Equality answers beside a name: hidden until an admin gives this user access.
    let page = app.get(&format!("/admin/recruits/{id}")).await.text().await.unwrap();
    assert!(
        page.contains("Given, with their consent") && !page.contains("White: any other") && !page.contains("Woman"),
        "{page}"
    );
    let sar = app.get(&format!("/admin/recruits/{id}/export.json")).await.text().await.unwrap();
    assert!(sar.contains("equality_not_included") && !sar.contains("white_other"), "{sar}");
    // Nor by filtering: a list filtered by group would name each listed person's group.
    let list = app.get("/admin/recruits?eth=black").await.text().await.unwrap();
    assert!(
        list.contains("Wren Words") && list.contains("needs equality data access") && !list.contains(r#"id="eth""#),
        "{list}"
    );
    let csv = app.get("/admin/recruits/export.csv?col=name&eth=white").await;
    assert_eq!(csv.status(), 422);
    assert!(csv.text().await.unwrap().contains("equality data access"));
    let r = app
        .client
        .post(app.url(<scrutiny::auth::api::SetEqualityAccess as leptos::server_fn::ServerFn>::PATH))
        .header("accept", "text/html")
        .form(&[("email", "admin@test.example"), ("on", "true")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let users = app.get("/admin/users").await.text().await.unwrap();
    assert!(users.contains("Can see"), "the users page says who can");
    let list = app.get("/admin/recruits?eth=black").await.text().await.unwrap();
    assert!(!list.contains("Wren Words") && list.contains(r#"id="eth""#), "with access the filter applies");
    let page = app.get(&format!("/admin/recruits/{id}")).await.text().await.unwrap();
    for want in
        ["Vetted", "65 or over", "Lives here, studies here", "Cymraeg (Welsh)", "White: any other", "Woman", "Email"]
    {
        assert!(page.contains(want), "{want} missing");
    }
    for code in ["65plus", "live,study", "white_other", ">vetted<", ">cy<"] {
        assert!(!page.contains(code), "raw code {code} shown");
    }
    app.get("/admin/recruits").await;
    let audit = app.get("/admin/audit").await.text().await.unwrap();
    assert!(
        audit.contains("Recruits list viewed") && audit.contains("Recruit&#x27;s record viewed")
            || audit.contains("Recruit's record viewed"),
        "{audit}"
    );
    assert!(!audit.contains("<td>recruits_listed</td>"));
    assert!(audit.contains("Equality data access given") && audit.contains("Equality answers viewed"), "both audited");
    let sar = app.get(&format!("/admin/recruits/{id}/export.json")).await.text().await.unwrap();
    assert!(
        sar.contains("white_other") && !sar.contains("\"equality_not_included\": \"This"),
        "complete with access: {sar}"
    );
    // A viewer sees no people, so cannot be given access.
    app.sign_in(&crate::helpers::new_client(), scrutiny::roles::Role::Viewer).await;
    let r = app
        .client
        .post(app.url(<scrutiny::auth::api::SetEqualityAccess as leptos::server_fn::ServerFn>::PATH))
        .header("accept", "text/html")
        .form(&[("email", "viewer@test.example"), ("on", "true")])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"].to_str().unwrap().contains("error="));
}
