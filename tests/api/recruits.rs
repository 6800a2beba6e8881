use leptos::server_fn::ServerFn;
use scrutiny::{auth::Role, recruits::api::EraseRecruit};

use crate::{helpers::spawn_app, retention::sign_up};

async fn audit_count(app: &crate::helpers::TestApp, action: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action).fetch_one(app.db.pool()).await.unwrap();
    n
}

#[tokio::test]
async fn coordinators_view_export_and_erase_a_person_and_every_step_is_audited() {
    let app = spawn_app().await;
    let batch = app.create_batch("Recruits", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    sign_up(&app, &code, "river@example.org").await;
    let (public_id,): (String,) = sqlx::query_as("SELECT public_id FROM recruits").fetch_one(app.db.pool()).await.unwrap();

    let list = app.get("/admin/recruits").await.text().await.unwrap();
    assert!(list.contains("Casey Doe"));
    let detail = app.get(&format!("/admin/recruits/{public_id}")).await.text().await.unwrap();
    assert!(detail.contains("river@example.org"));
    assert_eq!(audit_count(&app, "recruit_viewed").await, 1);

    let viewer = app.client_as(Role::Viewer).await;
    assert_eq!(viewer.get(app.url(&format!("/admin/recruits/{public_id}"))).send().await.unwrap().status(), 403);
    assert_eq!(viewer.get(app.url(&format!("/admin/recruits/{public_id}/export.json"))).send().await.unwrap().status(), 403);

    let export = app.get(&format!("/admin/recruits/{public_id}/export.json")).await;
    assert_eq!(export.status(), 200);
    assert!(export.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
    let json: serde_json::Value = export.json().await.unwrap();
    assert_eq!(json["person"]["email"], "river@example.org");
    assert_eq!(json["person"]["emails"][0][0], "confirm");
    assert_eq!(audit_count(&app, "recruit_exported").await, 1);

    let without_tick = app.client.post(app.url(EraseRecruit::PATH)).header("accept", "text/html")
        .form(&[("public_id", public_id.as_str())]).send().await.unwrap();
    assert!(without_tick.headers()["location"].to_str().unwrap().contains("error=tick"));
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recruits").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(n, 1, "nothing erased without the confirmation");

    app.client.post(app.url(EraseRecruit::PATH)).header("accept", "text/html")
        .form(&[("public_id", public_id.as_str()), ("confirm", "yes")]).send().await.unwrap();
    for table in ["recruits", "recruit_equality", "email_tokens", "signup_submissions", "outbox"] {
        let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(n, 0, "{table}");
    }
    assert_eq!(audit_count(&app, "recruit_erased").await, 1);
    let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM signup_events WHERE kind IN ('submitted', 'erased')")
        .fetch_one(app.db.pool()).await.unwrap();
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
    let ids: Vec<(String,)> = sqlx::query_as("SELECT public_id FROM recruits ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let r = app.client.post(app.url("/admin/recruits/status"))
        .form(&[("status", "contacted"), ("id", &ids[0].0), ("id", &ids[1].0), ("back", "/admin/recruits")])
        .send().await.unwrap();
    assert_eq!(r.headers()["location"], "/admin/recruits?changed=2");
    let r = app.client.post(app.url("/admin/recruits/status"))
        .form(&[("status", "member"), ("id", &ids[0].0), ("back", &format!("/admin/recruits/{}", ids[0].0))])
        .send().await.unwrap();
    assert_eq!(r.status(), 303);
    let bad = app.client.post(app.url("/admin/recruits/status")).form(&[("status", "astronaut"), ("id", &ids[2].0)]).send().await.unwrap();
    assert!(bad.headers()["location"].to_str().unwrap().contains("error=status"));
    app.client.post(app.url(&format!("/admin/recruits/{}/note", ids[0].0))).form(&[("note", "Met at the youth centre")]).send().await.unwrap();
    let page = app.get(&format!("/admin/recruits/{}", ids[0].0)).await.text().await.unwrap();
    assert!(page.contains("new → contacted") && page.contains("contacted → member"), "timeline");
    assert!(page.contains("Met at the youth centre"));
    let (members,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recruits WHERE status = 'member'").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(members, 1);
    assert_eq!(audit_count(&app, "recruit_status_changed").await, 3);
    let viewer = app.client_as(Role::Viewer).await;
    let r = viewer.post(app.url("/admin/recruits/status")).form(&[("status", "member"), ("id", &ids[2].0)]).send().await.unwrap();
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
    let ids: Vec<(String,)> = sqlx::query_as("SELECT public_id FROM recruits ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let compose = app.get(&format!("/admin/recruits/invite?id={}&id={}", ids[0].0, ids[1].0)).await.text().await.unwrap();
    assert!(compose.contains("To 2 selected people"));
    let r = app.client.post(app.url("/admin/recruits/invite"))
        .form(&[("id", ids[0].0.as_str()), ("id", ids[1].0.as_str()), ("subject", "Panel meeting 3 March"), ("message", "7pm at Parkside Community Centre.")])
        .send().await.unwrap();
    assert_eq!(r.headers()["location"], "/admin/recruits?invited=2&without_email=0");
    let mail = smtp.wait_for(5, 10).await;
    let invitations: Vec<_> = mail.iter().filter(|m| m.contains("Panel meeting 3 March")).collect();
    assert_eq!(invitations.len(), 2);
    assert!(invitations.iter().all(|m| m.contains("Parkside Community Centre") && crate::smtp::link_in(m, "/withdraw/").is_some()));
    assert!(!mail.iter().any(|m| m.contains("Panel meeting") && m.contains("inv2@example.org")), "only the selected");
    let empty = app.client.post(app.url("/admin/recruits/invite")).form(&[("subject", "x"), ("message", "y")]).send().await.unwrap();
    assert!(empty.headers()["location"].to_str().unwrap().contains("error=none"));
    let page = app.get(&format!("/admin/recruits/{}", ids[0].0)).await.text().await.unwrap();
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
