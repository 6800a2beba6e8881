//! Hostile and broken input on every public form: never a 5xx, never unescaped output,
//! always a page that says what to fix.
use rand::{rngs::StdRng, Rng, SeedableRng};

use crate::helpers::{hidden, new_client, spawn_app};

const NASTY: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'; DROP TABLE recruits; --",
    "Robert'); DELETE FROM cards;--",
    "\u{0000}\u{0007}\u{001b}[31m",
    "\u{202e}gnp.exe",
    "ﷺ𒐫𒈙⸻꧅",
    "%00%0d%0aSet-Cookie: x=y",
    "{{7*7}}${7*7}",
    "../../../../etc/passwd",
];

fn random_text(rng: &mut StdRng) -> String {
    let len = rng.gen_range(0..600);
    (0..len).map(|_| char::from_u32(rng.gen_range(0..0x3000)).unwrap_or('?')).collect()
}

#[tokio::test]
async fn public_forms_survive_hostile_input() {
    let app = spawn_app().await;
    let batch = app.create_batch("Fuzz", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    let client = new_client();
    let html = client.get(app.url(&format!("/j/{code}/join"))).send().await.unwrap().text().await.unwrap();
    let (key, started) = (hidden(&html, "key"), hidden(&html, "started"));
    let fields = [
        "name",
        "email",
        "phone",
        "contact_method",
        "age_band",
        "postcode",
        "connection",
        "equality",
        "gender",
        "disability",
        "ethnic_group",
        "ethnic_detail",
        "ethnic_other",
        "step",
        "action",
        "lang",
        "returning",
    ];
    let steps = ["about", "eligibility", "equality-intro", "equality", "ethnicity", "check", "nonsense"];
    let mut rng = StdRng::seed_from_u64(7);
    let mut inputs: Vec<String> = NASTY.iter().map(|s| s.to_string()).collect();
    inputs.push("x".repeat(100_000));
    for _ in 0..40 {
        inputs.push(random_text(&mut rng));
    }
    for (i, input) in inputs.iter().enumerate() {
        let mut form: Vec<(&str, &str)> = fields.iter().map(|f| (*f, input.as_str())).collect();
        form.push(("step", steps[i % steps.len()]));
        form.push(("action", if i % 3 == 0 { "back" } else { "continue" }));
        form.push(("key", &key));
        form.push(("started", &started));
        for url in [format!("/j/{code}/join"), "/join".to_string()] {
            let r = client.post(app.url(&url)).form(&form).send().await.unwrap();
            let status = r.status();
            assert!(status.as_u16() < 500, "{url} input {i}: {status}");
            let body = r.text().await.unwrap();
            assert!(!body.contains("<script>alert") && !body.contains("<img src=x"), "unescaped output for input {i}");
        }
    }
    // Bodies that are not form data at all, or not UTF-8.
    for body in [vec![0xff, 0xfe, 0x00, 0x80], b"name=%ZZ&&&==".to_vec(), vec![b'a'; 70 * 1024]] {
        let r = client
            .post(app.url(&format!("/j/{code}/join")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{}", r.status());
    }
    // Paths and tokens.
    for path in [
        "/j/%00",
        "/j/..%2F..%2Fetc",
        "/confirm/%3Cscript%3E",
        "/withdraw/'%20OR%201=1",
        "/signup/sent/x",
        &format!("/j/{}", "A".repeat(5000)),
    ] {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert!(r.status().as_u16() < 500, "{path}: {}", r.status());
        let body = r.text().await.unwrap();
        assert!(!body.contains("<script>"), "{path}");
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM recruits").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(n, 0, "none of that became a recruit");
}

#[tokio::test]
async fn the_importer_survives_hostile_files() {
    let mut rng = StdRng::seed_from_u64(11);
    let header = scrutiny::demographics::police_uk::HEADER.join(",");
    let mut files: Vec<Vec<u8>> = vec![
        vec![],
        b"\xef\xbb\xbf".to_vec(),
        vec![0xff; 100],
        format!("{header}\n\"unterminated,2022-01-01,,,,,,,,,,,,,\n").into_bytes(),
        format!("{header}\n{}\n", NASTY.join(",")).into_bytes(),
    ];
    for _ in 0..30 {
        let mut f = format!("{header}\n").into_bytes();
        f.extend((0..rng.gen_range(0..2000)).map(|_| rng.gen::<u8>()));
        files.push(f);
    }
    for (i, bytes) in files.iter().enumerate() {
        let result = std::panic::catch_unwind(|| {
            scrutiny::demographics::police_uk::parse(
                std::path::Path::new("2022-01-kent-stop-and-search.csv"),
                bytes,
                None,
            )
        });
        let parsed = result.unwrap_or_else(|_| panic!("file {i} panicked the importer"));
        if let Err(e) = parsed {
            assert!(e.contains("line") || e.contains("empty"), "file {i}: unclear message {e}");
        }
    }
}

/// Fails when hostile text came back as markup.
fn assert_escaped(body: &str, what: &str) {
    assert!(!body.contains("<script>alert") && !body.contains("<img src=x"), "unescaped output: {what}");
}

#[tokio::test]
async fn dashboard_forms_and_filters_survive_hostile_input() {
    use leptos::server_fn::ServerFn;
    use scrutiny::{auth::api::AddUser, cards::api::CreateBatch};
    let app = spawn_app().await; // app.client is an admin
    let batch = app.create_batch("Fuzz", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    crate::retention::sign_up(&app, &code, "fuzz@example.org").await;
    let (public_id,): (String,) =
        sqlx::query_as("SELECT public_id FROM recruits").fetch_one(app.db.pool()).await.unwrap();
    let mut rng = StdRng::seed_from_u64(13);
    let mut inputs: Vec<String> = NASTY.iter().map(|s| s.to_string()).collect();
    inputs.push("x".repeat(20_000));
    for _ in 0..8 {
        inputs.push(random_text(&mut rng));
    }
    let anonymous = new_client();
    let html = "text/html";
    for (i, input) in inputs.iter().enumerate() {
        let s = input.as_str();
        let what = |form: &str| format!("{form}, input {i}");
        // Sign-in.
        let r = anonymous
            .post(app.url("/admin/login"))
            .form(&[("email", s), ("password", s), ("next", s)])
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{}", what("login"));
        if let Some(location) = r.headers().get("location") {
            assert!(location.to_str().unwrap_or("/").starts_with('/'), "login redirects stay on this site");
        }
        assert_escaped(&r.text().await.unwrap(), &what("login"));
        // New card batch (errors come back on the form page).
        let r = app
            .client
            .post(app.url(CreateBatch::PATH))
            .header("accept", html)
            .form(&[("label", s), ("area", s), ("quantity", s), ("expires_on", s)])
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{}", what("new batch"));
        if let Some(location) = r.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string) {
            let page = app.get(&location).await;
            assert!(page.status().as_u16() < 500, "{}", what("new batch page"));
            assert_escaped(&page.text().await.unwrap(), &what("new batch page"));
        }
        // Recruit list filters and export (URLs stay under HTTP's practical length).
        let short: String = s.chars().take(1500).collect();
        let s_url = short.as_str();
        let query = serde_urlencoded::to_string([
            ("q", s_url),
            ("from", s_url),
            ("to", s_url),
            ("eth", s_url),
            ("age", s_url),
            ("sort", s_url),
            ("batch", s_url),
            ("status", s_url),
            ("page", s_url),
        ])
        .unwrap();
        let r = app.get(&format!("/admin/recruits?{query}")).await;
        assert_eq!(r.status(), 200, "{}", what("recruit filters"));
        assert_escaped(&r.text().await.unwrap(), &what("recruit filters"));
        let r = app.get(&format!("/admin/recruits/export.csv?col=name&{query}")).await;
        assert!(r.status().as_u16() < 500, "{}", what("export"));
        // Notes, status changes and invitations.
        let r = app
            .client
            .post(app.url(&format!("/admin/recruits/{public_id}/note")))
            .form(&[("note", s)])
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{}", what("note"));
        let r = app
            .client
            .post(app.url("/admin/recruits/status"))
            .form(&[("id", s), ("status", s), ("back", s)])
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{}", what("status"));
        if let Some(location) = r.headers().get("location") {
            assert!(
                location.to_str().unwrap_or("/").starts_with('/'),
                "status redirects stay on this site: {location:?}"
            );
        }
        let r = app
            .client
            .post(app.url("/admin/recruits/invite"))
            .form(&[("id", public_id.as_str()), ("subject", s), ("message", s), ("action", "send")])
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{}", what("invite"));
        // Users and the audit log.
        let r = app
            .client
            .post(app.url(AddUser::PATH))
            .header("accept", html)
            .form(&[("email", s), ("role", s), ("password", s)])
            .send()
            .await
            .unwrap();
        assert!(r.status().as_u16() < 500, "{}", what("add user"));
        let r = app
            .get(&format!(
                "/admin/audit?{}",
                serde_urlencoded::to_string([("actor", s_url), ("action", s_url)]).unwrap()
            ))
            .await;
        assert!(r.status().as_u16() < 500, "{}", what("audit"));
        assert_escaped(&r.text().await.unwrap(), &what("audit"));
    }
    // The person's page shows every note, escaped.
    let page = app.get(&format!("/admin/recruits/{public_id}")).await.text().await.unwrap();
    assert_escaped(&page, "recruit page with hostile notes");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || page.contains("&lt;script>alert(1)&lt;/script>"),
        "the note is shown as text: {}",
        page.split("<main").nth(1).unwrap_or(&page).chars().take(1500).collect::<String>()
    );
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM card_batches").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(n, 1, "no hostile batch was created");
}

#[tokio::test]
async fn a_line_break_in_a_return_address_is_not_a_server_error() {
    let app = crate::helpers::spawn_app().await;
    let r = app
        .client
        .post(app.url("/admin/recruits/status"))
        .form(&[("status", "contacted"), ("id", "nobody"), ("back", "/admin/recruits\r\nX-Injected: 1")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    assert!(!r.headers().contains_key("x-injected"));
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/admin/recruits?"));
}
