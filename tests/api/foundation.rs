use crate::helpers::spawn_app;

#[tokio::test]
async fn health_reports_ok_and_the_backend_in_use() {
    let app = spawn_app().await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let expected = if app.database_url.starts_with("postgres") { "postgres" } else { "sqlite" };
    assert_eq!(body["database"], expected);
}

#[tokio::test]
async fn health_is_503_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db.close().await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
}

#[tokio::test]
async fn migrations_ran_at_start() {
    let app = spawn_app().await;
    let rows = sqlx::query("SELECT key FROM settings").fetch_all(app.db.pool()).await;
    assert!(rows.is_ok(), "settings table exists: {:?}", rows.err());
}

#[tokio::test]
async fn home_page_is_plain_html_without_scripts() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(!csp.contains("script-src"), "public pages allow no scripts: {csp}");
    let body = response.text().await.unwrap();
    assert!(body.contains("<h1>Have your say on stop and search</h1>"), "{body}");
    assert!(!body.contains("<script"), "no scripts on public pages");
    assert!(!body.contains(".wasm"), "no wasm on public pages");
    // The one inline stylesheet is allowed by its hash, and nothing else is.
    use base64::Engine;
    use sha2::Digest;
    let css = body.split("<style>").nth(1).unwrap().split("</style>").next().unwrap();
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(css));
    assert!(csp.contains(&format!("style-src 'sha256-{hash}';")), "{csp}");
    assert_eq!(body.matches("<style").count(), 1);
    assert!(!body.contains(" style="), "no inline style attributes (the CSP blocks them)");
}

#[tokio::test]
async fn every_response_has_security_headers() {
    let app = spawn_app().await;
    for path in ["/", "/health", "/admin", "/no-such-page"] {
        let response = app.get(path).await;
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h.contains_key("content-security-policy"), "{path}");
    }
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    for encoding in ["gzip", "br"] {
        let response = app.client.get(app.url("/")).header("accept-encoding", encoding).send().await.unwrap();
        assert_eq!(response.headers()["content-encoding"], encoding);
    }
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_404() {
    let app = spawn_app().await;
    let response = app.get("/definitely/not/here").await;
    assert_eq!(response.status(), 404);
    let body = response.text().await.unwrap();
    assert!(body.contains("Page not found"));
}

#[tokio::test]
async fn dashboard_loads_islands_with_a_nonce_bound_script() {
    let app = spawn_app().await;
    let response = app.get("/admin").await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    let body = response.text().await.unwrap();
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(body.contains(&format!("nonce=\"{nonce}\"")), "script carries the CSP nonce");
    assert!(body.contains("<leptos-island"), "the health widget is an island");
    assert!(body.contains("System status"));
}

#[tokio::test]
async fn the_health_server_function_answers() {
    use leptos::server_fn::ServerFn;
    let app = spawn_app().await;
    let path = <scrutiny::health::api::DatabaseStatus as ServerFn>::PATH;
    let response = app.client.post(app.url(path)).header("accept", "application/json").send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["reachable"], true);
    let expected = if app.database_url.starts_with("postgres") { "postgres" } else { "sqlite" };
    assert_eq!(body["backend"], expected);
}

#[tokio::test]
async fn health_reports_the_outbox_without_failing_for_it() {
    // Mail to a port nobody listens on: messages wait in the outbox.
    let app = crate::helpers::spawn_app_with(&[("SCRUTINY_SMTP_URL", "smtp://127.0.0.1:9")]).await;
    let batch = app.create_batch("Health", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    crate::retention::sign_up(&app, &code, "health@example.org").await;
    let r = app.get("/health").await;
    assert_eq!(r.status(), 200, "the service is up even when mail is not");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert!(body["outbox"]["pending"].as_i64().unwrap() >= 1, "{body}");
    assert!(body["outbox"]["oldest_pending_seconds"].as_i64().unwrap() >= 0);
    assert_eq!(body["outbox"]["failed_last_day"], 0);
    assert!(!body.to_string().contains("health@example.org"), "nothing personal");
}

#[tokio::test]
async fn metrics_need_the_token_and_count_by_route_template() {
    let token = "metrics-token-for-tests-0123456789";
    let app = crate::helpers::spawn_app_with(&[("SCRUTINY_METRICS_TOKEN", token)]).await;
    let batch = app.create_batch("Metrics", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    for _ in 0..3 {
        assert_eq!(reqwest::get(app.url(&format!("/j/{code}"))).await.unwrap().status(), 200);
    }
    reqwest::get(app.url("/j/NOPENOPE2")).await.unwrap();
    let anonymous = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let wrong =
        reqwest::Client::new().get(app.url("/metrics")).bearer_auth("not-the-token-at-all").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let r = reqwest::Client::new().get(app.url("/metrics")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    assert!(text.contains(r#"scrutiny_http_requests_total{route="/j/{code}",status="200"} 3"#), "{text}");
    assert!(text.contains(r#"scrutiny_http_requests_total{route="/j/{code}",status="404"} 1"#), "{text}");
    for metric in [
        "scrutiny_signups_total",
        "scrutiny_card_scans_total",
        "scrutiny_outbox_pending",
        "scrutiny_email_failures_total",
        "scrutiny_db_connections{state=\"idle\"}",
    ] {
        assert!(text.contains(metric), "{metric} missing");
    }
    assert!(!text.contains(&code), "no card code in the metrics");
    // Without a token set, there is no such page.
    let plain = crate::helpers::spawn_app().await;
    assert_eq!(reqwest::get(plain.url("/metrics")).await.unwrap().status(), 404);
}
