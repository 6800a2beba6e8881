use std::collections::BTreeSet;

use leptos::server_fn::ServerFn;
use scrutiny::{cards::api::CreateBatch, roles::Role, routes::Access};

use crate::helpers::{new_client, spawn_app, TEST_PASSWORD};

/// Routes anyone may use. Adding a public route means adding it here, on purpose.
const PUBLIC: &[&str] = &[
    "/",
    "/health",
    "/privacy",
    "/rights",
    "/accessibility",
    "/join",
    "/j/{code}",
    "/j/{code}/join",
    "/signup/sent/{receipt}",
    "/confirm/{token}",
    "/withdraw/{token}",
    "/admin/login",
    "/admin/logout",
    "/c/{token}",
    "/w/{token}",
    "/notify/callback",
    "/card",
    "/metrics",
    "/panels/{slug}/reports",
    "/panels/{slug}/reports/{id}",
];

/// Every route the server has, with the access it declared: the features' plain routes,
/// the card landing page, the Leptos pages and the server functions. A page or server
/// function without a declared role shows up here as `None`.
fn all_routes() -> Vec<(String, Option<Access>)> {
    let mut routes: Vec<(String, Option<Access>)> =
        scrutiny::startup::feature_routes().into_iter().map(|r| (r.path.to_string(), Some(r.access))).collect();
    routes.push(("/j/{code}".into(), Some(Access::Public)));
    for listing in scrutiny::startup::page_routes() {
        routes.push((listing.path().to_string(), scrutiny::startup::declared_access(listing.path())));
    }
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        routes.push((path.to_string(), scrutiny::startup::declared_access(path)));
    }
    routes
}

fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') || seg.starts_with(':') { "2" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_route_and_server_function_declares_its_role() {
    let routes = all_routes();
    assert!(routes.len() > 30, "found the routes: {routes:?}");
    let undeclared: Vec<_> = routes.iter().filter(|(_, a)| a.is_none()).map(|(p, _)| p.clone()).collect();
    assert!(undeclared.is_empty(), "pages or server functions without a declared role: {undeclared:?}");
    let public: BTreeSet<&str> =
        routes.iter().filter(|(_, a)| *a == Some(Access::Public)).map(|(p, _)| p.as_str()).collect();
    assert_eq!(public, PUBLIC.iter().copied().collect(), "public routes are exactly the deliberate list");
    // Deny by default: a path nobody declared has no access at all.
    assert_eq!(scrutiny::startup::declared_access("/admin/brand-new-page"), None);
    assert_eq!(scrutiny::startup::declared_access("/api/brand_new_function"), None);
}

#[tokio::test]
async fn every_non_public_route_and_every_server_function_refuses_anonymous_callers() {
    let app = spawn_app().await;
    let anonymous = new_client();
    let routes = all_routes();
    let functions: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_string()).collect();
    assert!(functions.len() >= 5, "found the server functions");
    for (route, access) in &routes {
        if *access == Some(Access::Public) {
            continue;
        }
        let url = app.url(&concrete(route));
        if functions.contains(route) {
            let response = anonymous.post(&url).send().await.unwrap();
            assert_eq!(response.status(), 401, "server function {route} answered an anonymous caller");
            assert_eq!(response.headers()["cache-control"], "no-store", "{route}");
            continue;
        }
        let get = anonymous.get(&url).send().await.unwrap();
        let status = get.status().as_u16();
        let to_login = get.headers().get("location").is_some_and(|l| l.to_str().unwrap().starts_with("/admin/login"));
        assert!(
            status == 401 || status == 405 || (status == 303 && to_login),
            "GET {route} gave {status} to an anonymous caller"
        );
        let post = anonymous.post(&url).send().await.unwrap();
        assert!(
            post.status() == 401 || post.status() == 405,
            "POST {route} gave {} to an anonymous caller",
            post.status()
        );
    }
}

#[tokio::test]
async fn nothing_behind_a_sign_in_is_cacheable() {
    let app = spawn_app().await;
    let batch = app.create_batch("Cache", 2).await;
    let code = app.codes_of(batch).await[0].clone();
    crate::retention::sign_up(&app, &code, "cache@example.org").await;
    let (id,): (String,) = sqlx::query_as("SELECT public_id FROM recruits").fetch_one(app.db.pool()).await.unwrap();
    for path in [
        "/admin".to_string(),
        "/admin/insight".into(),
        format!("/admin/recruits/{id}"),
        format!("/admin/recruits/{id}/export.json"),
        "/admin/recruits/export.csv?col=name".into(),
        format!("/admin/cards/{batch}"),
        format!("/admin/cards/{batch}/qr/{code}.svg"),
        "/admin/users".into(),
        "/admin/audit".into(),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
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

async fn login(
    app: &crate::helpers::TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
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
    let session_cookie = |r: &reqwest::Response| {
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with("scrutiny_session="))
            .unwrap()
    };
    let cookie = session_cookie(&response);
    assert!(cookie.starts_with("scrutiny_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let again = login(&app, &client, "coordinator@test.example", TEST_PASSWORD).await;
    let cookie2 = session_cookie(&again);
    assert_ne!(cookie.split(';').next(), cookie2.split(';').next(), "a new session id at every login");
    assert_eq!(client.get(app.url("/admin/cards")).send().await.unwrap().status(), 200);
    assert_eq!(client.post(app.url("/admin/logout")).send().await.unwrap().status(), 303);
    assert_eq!(client.get(app.url("/admin/cards")).send().await.unwrap().status(), 303, "signed out");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action IN ('login', 'logout')")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
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
    assert!(blocked.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert!(blocked.text().await.unwrap().contains("Too many failed attempts for this account. Wait 1 second"));
    // A growing delay, not a lockout: after the wait, the right password works.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(login(&app, &client, "viewer@test.example", TEST_PASSWORD).await.status(), 303);
    // Other accounts are unaffected (from a different client).
    app.sign_in(&new_client(), Role::Admin).await;
}

/// Two instances on one PostgreSQL database share the per-account sign-in throttle:
/// wrong passwords spread over both meet one growing delay, and a right one clears it on
/// both. (SQLite serves one instance and keeps the throttle in memory.)
#[tokio::test]
async fn the_sign_in_throttle_holds_across_two_instances() {
    let a = spawn_app().await;
    if !a.database_url.starts_with("postgres") {
        return;
    }
    let b = crate::helpers::spawn_app_with(&[("DATABASE_URL", a.database_url.as_str())]).await;
    a.sign_in(&new_client(), Role::Viewer).await;
    let client = new_client();
    for i in 0..5 {
        let app = if i % 2 == 0 { &a } else { &b };
        assert_eq!(login(app, &client, "viewer@test.example", "not the password").await.status(), 401, "attempt {i}");
    }
    for app in [&a, &b] {
        let blocked = login(app, &client, "viewer@test.example", TEST_PASSWORD).await;
        assert_eq!(blocked.status(), 429, "five failures over two instances hold back both");
    }
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(login(&b, &client, "viewer@test.example", TEST_PASSWORD).await.status(), 303);
    // The right password cleared the failures for both instances.
    assert_eq!(login(&a, &client, "viewer@test.example", "not the password").await.status(), 401);
    assert_eq!(login(&a, &client, "viewer@test.example", TEST_PASSWORD).await.status(), 303);
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

/// Found by attacking two instances: a request that loaded the session before sign-out
/// finished, and saved it afterwards (a tab's request in flight at the click, on this or
/// another instance), signed the person in again. A save never brings a session back.
#[tokio::test]
async fn a_session_saved_after_sign_out_stays_signed_out() {
    use tower_sessions::SessionStore;
    let app = spawn_app().await;
    let before: BTreeSet<String> = session_ids(&app).await;
    let client = app.client_as(Role::Coordinator).await;
    let id = session_ids(&app).await.difference(&before).next().cloned().expect("a new session");
    let store = scrutiny::auth::store::DbSessionStore::new(app.db.clone());
    let record = store.load(&id.parse().unwrap()).await.unwrap().expect("the session is stored");
    let out = client.post(app.url("/admin/logout")).header("origin", app.url("")).send().await.unwrap();
    assert_eq!(out.status(), 303);
    // The in-flight request finishes now and saves what it loaded.
    store.save(&record).await.unwrap();
    assert!(!session_ids(&app).await.contains(&id), "the session came back");
    let page = client.get(app.url("/admin")).send().await.unwrap();
    assert!(page.status().is_redirection(), "still signed in after signing out: {}", page.status());
}

async fn session_ids(app: &crate::helpers::TestApp) -> BTreeSet<String> {
    sqlx::query_as::<_, (String,)>("SELECT id FROM sessions")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|(id,)| id)
        .collect()
}
