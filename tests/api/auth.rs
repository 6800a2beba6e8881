use std::collections::BTreeSet;

use leptos::server_fn::ServerFn;
use scrutiny::{auth::Role, cards::api::CreateBatch};

use crate::helpers::{new_client, spawn_app, TEST_PASSWORD};

/// Routes anyone may use. Adding a public route means adding it here, on purpose.
const PUBLIC: &[&str] = &[
    "/", "/health", "/privacy", "/rights", "/join", "/j/{code}", "/j/{code}/join",
    "/signup/sent/{receipt}", "/confirm/{token}", "/withdraw/{token}", "/admin/login",
];

/// Every route the server has: axum routes (read from startup.rs, so a new one is
/// picked up automatically) and the Leptos page routes.
fn all_page_routes() -> BTreeSet<String> {
    let source = include_str!("../../src/startup.rs");
    let mut routes: BTreeSet<String> = source
        .split(".route(\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect();
    for listing in leptos_axum::generate_route_list(scrutiny::app::App) {
        routes.insert(listing.path().to_string());
    }
    routes
}

fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') || seg.starts_with(':') { "2" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_non_public_route_and_every_server_function_refuses_anonymous_callers() {
    let app = spawn_app().await;
    let anonymous = new_client();
    let routes = all_page_routes();
    assert!(routes.len() > 15, "found the routes: {routes:?}");
    for route in &routes {
        if PUBLIC.contains(&route.as_str()) {
            continue;
        }
        let url = app.url(&concrete(route));
        let get = anonymous.get(&url).send().await.unwrap();
        let status = get.status().as_u16();
        let to_login = get.headers().get("location").is_some_and(|l| l.to_str().unwrap().starts_with("/admin/login"));
        assert!(status == 401 || status == 405 || (status == 303 && to_login), "GET {route} gave {status} to an anonymous caller");
        let post = anonymous.post(&url).send().await.unwrap();
        assert!(post.status() == 401 || post.status() == 405, "POST {route} gave {} to an anonymous caller", post.status());
    }
    let functions: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(functions.len() >= 5, "found the server functions");
    for (path, _) in functions {
        let response = anonymous.post(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 401, "server function {path} answered an anonymous caller");
    }
    // And the public list is not stale: each of those really is a route.
    for public in PUBLIC {
        assert!(routes.contains(*public), "{public} is listed public but is not a route");
    }
}

#[tokio::test]
async fn viewers_see_aggregates_only_and_cannot_use_coordinator_functions() {
    let app = spawn_app().await;
    let viewer = app.client_as(Role::Viewer).await;
    assert_eq!(viewer.get(app.url("/admin")).send().await.unwrap().status(), 200);
    assert_eq!(viewer.get(app.url("/admin/cards")).send().await.unwrap().status(), 403);
    assert_eq!(viewer.get(app.url("/admin/cards/1/cards-a4.pdf")).send().await.unwrap().status(), 403);
    let response = viewer
        .post(app.url(CreateBatch::PATH))
        .form(&[("label", "x"), ("area", ""), ("quantity", "1"), ("expires_on", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let coordinator = app.client_as(Role::Coordinator).await;
    assert_eq!(coordinator.get(app.url("/admin/cards")).send().await.unwrap().status(), 200);
}

async fn login(app: &crate::helpers::TestApp, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
    client
        .post(app.url("/admin/login"))
        .form(&[("email", email), ("password", password), ("next", "/admin/cards")])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_issues_a_strict_http_only_session_and_logout_ends_it() {
    let app = spawn_app().await;
    let client = new_client();
    app.sign_in(&new_client(), Role::Coordinator).await; // creates the account
    let response = login(&app, &client, "coordinator@test.example", TEST_PASSWORD).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/admin/cards", "back to where they were going");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("scrutiny_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let again = login(&app, &client, "coordinator@test.example", TEST_PASSWORD).await;
    let cookie2 = again.headers()["set-cookie"].to_str().unwrap().to_string();
    assert_ne!(cookie.split(';').next(), cookie2.split(';').next(), "a new session id at every login");
    assert_eq!(client.get(app.url("/admin/cards")).send().await.unwrap().status(), 200);
    assert_eq!(client.post(app.url("/admin/logout")).send().await.unwrap().status(), 303);
    assert_eq!(client.get(app.url("/admin/cards")).send().await.unwrap().status(), 303, "signed out");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action IN ('login', 'logout')")
        .fetch_one(app.db.pool()).await.unwrap();
    assert!(n >= 3, "logins and logout are audited");
}

#[tokio::test]
async fn wrong_passwords_and_unknown_accounts_get_the_same_answer_then_throttling() {
    let app = spawn_app().await;
    app.sign_in(&new_client(), Role::Viewer).await;
    let client = new_client();
    let unknown = login(&app, &client, "nobody@test.example", "whatever whatever").await;
    assert_eq!(unknown.status(), 401);
    let unknown_text = unknown.text().await.unwrap();
    for _ in 0..5 {
        let wrong = login(&app, &client, "viewer@test.example", "not the password").await;
        assert_eq!(wrong.status(), 401);
        assert_eq!(wrong.text().await.unwrap().replace("viewer@test.example", "nobody@test.example"), unknown_text);
    }
    let blocked = login(&app, &client, "viewer@test.example", TEST_PASSWORD).await;
    assert_eq!(blocked.status(), 429, "even the right password waits after repeated failures");
    assert!(blocked.text().await.unwrap().contains("Wait 15 minutes"));
    // Other accounts are unaffected (from a different client).
    app.sign_in(&new_client(), Role::Admin).await;
}

#[tokio::test]
async fn a_disabled_users_session_ends_at_the_next_request() {
    let app = spawn_app().await;
    let client = app.client_as(Role::Coordinator).await;
    assert_eq!(client.get(app.url("/admin/cards")).send().await.unwrap().status(), 200);
    scrutiny::auth::repo::set_disabled(&app.db, "coordinator@test.example", true).await.unwrap();
    assert_eq!(client.get(app.url("/admin/cards")).send().await.unwrap().status(), 303);
    assert_eq!(login(&app, &new_client(), "coordinator@test.example", TEST_PASSWORD).await.status(), 401);
}

#[tokio::test]
async fn cross_site_form_posts_are_refused() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url(CreateBatch::PATH))
        .header("origin", "https://evil.example")
        .form(&[("label", "x"), ("area", ""), ("quantity", "1"), ("expires_on", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let same_site = app
        .client
        .post(app.url(CreateBatch::PATH))
        .header("origin", app.address.clone())
        .header("accept", "text/html")
        .form(&[("label", "x"), ("area", ""), ("quantity", "1"), ("expires_on", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), 302);
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM card_batches").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(n, 1, "only the same-site post created a batch");
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    let app = spawn_app().await;
    let update = sqlx::query("UPDATE audit_log SET actor = 'someone else'").execute(app.db.pool()).await;
    assert!(update.is_err());
    let delete = sqlx::query("DELETE FROM audit_log").execute(app.db.pool()).await;
    assert!(delete.is_err());
}
