//! Welsh first and every language: the force's default language, the accessibility
//! statement, invitations written per language, and bilingual messages.
use crate::{
    helpers::{hidden, person_client, spawn_app_with, TestApp},
    smtp::{decoded, SmtpSink},
};

/// Signs up `email` through the card journey in `lang` (the language they chose).
async fn sign_up_in(app: &TestApp, code: &str, email: &str, lang: &str) {
    let person = person_client(email);
    let html = person.get(app.url(&format!("/j/{code}/join?lang={lang}"))).send().await.unwrap().text().await.unwrap();
    let (key, started) = (hidden(&html, "key"), hidden(&html, "started"));
    let fields = [
        ("name", "Sam Jones"),
        ("email", email),
        ("contact_method", "email"),
        ("age_band", "18-24"),
        ("connection", "live"),
        ("equality", "no"),
        ("key", &key),
        ("started", &started),
        ("step", "check"),
        ("action", "continue"),
        ("lang", lang),
    ];
    let r = person.post(app.url(&format!("/j/{code}/join"))).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
}

async fn page_lang(app: &TestApp, path: &str, accept: Option<&str>) -> String {
    let mut req = reqwest::Client::new().get(app.url(path));
    if let Some(a) = accept {
        req = req.header("accept-language", a);
    }
    let html = req.send().await.unwrap().text().await.unwrap();
    html.split("<html lang=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn a_welsh_force_serves_welsh_before_anyone_chooses() {
    let app = spawn_app_with(&[("SCRUTINY_DEFAULT_LANGUAGE", "cy")]).await;
    let batch = app.create_batch("Cerdyn", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    for path in
        ["/", "/privacy", "/rights", "/accessibility", "/join", &format!("/j/{code}"), &format!("/j/{code}/join")]
    {
        // A phone set to English, or saying nothing, gets Welsh; the switch offers English.
        for accept in [None, Some("en-GB,en;q=0.9")] {
            assert_eq!(page_lang(&app, path, accept).await, "cy", "{path} {accept:?}");
        }
        // Someone whose phone asks for Polish gets Polish; a choice is kept.
        assert_eq!(page_lang(&app, path, Some("pl-PL,pl;q=0.9,en;q=0.5")).await, "pl", "{path}");
        let sep = if path.contains('?') { '&' } else { '?' };
        assert_eq!(page_lang(&app, &format!("{path}{sep}lang=en"), None).await, "en-GB", "{path}");
    }
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains(r#"<a href="?lang=en" lang="en" hreflang="en">English</a>"#), "{html}");

    // An English force is unchanged: English unless the phone asks for another language.
    let en = spawn_app_with(&[]).await;
    assert_eq!(page_lang(&en, "/", None).await, "en-GB");
    assert_eq!(page_lang(&en, "/", Some("cy")).await, "cy");
}

#[tokio::test]
async fn the_accessibility_statement_is_in_every_language_and_linked_from_every_page() {
    let app = spawn_app_with(&[
        ("SCRUTINY_ACCESSIBILITY_REVIEWED", "2027-01-15"),
        ("SCRUTINY_PANEL_EMAIL", "panel@pcc.example"),
    ])
    .await;
    for lang in ["en", "cy", "pl", "ro", "ar"] {
        let r = app.get(&format!("/accessibility?lang={lang}")).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        // What a reader sees: the page without its inlined stylesheet.
        let visible = html.split("</style>").nth(1).unwrap();
        for want in ["WCAG", "2.2", "EHRC", "panel@pcc.example", "2027-01-15", "<h1>"] {
            assert!(visible.contains(want), "{lang}: {want} missing");
        }
        assert!(html.len() < 14 * 1024, "{lang}: {} bytes", html.len());
        assert!(!html.contains("<script"), "no scripts");
        // Every public page links to it in the page's own language.
        for path in ["/", "/privacy", "/rights", "/join"] {
            let page = app.get(&format!("{path}?lang={lang}")).await.text().await.unwrap();
            assert!(page.contains(&format!("href=\"/accessibility?lang={lang}\"")), "{path} {lang}");
        }
    }
    let ar = app.get("/accessibility?lang=ar").await.text().await.unwrap();
    assert!(ar.contains(r#"<html lang="ar" dir="rtl">"#));
    // A bad review date is refused at start, naming the variable.
    let bad = scrutiny::config::Settings::from_lookup(|k| {
        (k == "SCRUTINY_ACCESSIBILITY_REVIEWED").then(|| "last week".to_string())
    });
    assert!(bad.unwrap_err().to_string().contains("SCRUTINY_ACCESSIBILITY_REVIEWED"));
    let bad = scrutiny::config::Settings::from_lookup(|k| (k == "SCRUTINY_DEFAULT_LANGUAGE").then(|| "fr".to_string()));
    assert!(bad.unwrap_err().to_string().contains("SCRUTINY_DEFAULT_LANGUAGE"));
}

/// The invitation payload queued for `email` ("subject\n\nbody").
async fn queued_for(app: &TestApp, email: &str) -> Option<String> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT o.payload FROM outbox o JOIN recruits r ON r.id = o.recruit_id WHERE r.email_lower = $1 AND o.kind = 'message'",
    )
    .bind(email)
    .fetch_optional(app.db.pool())
    .await
    .unwrap();
    row.map(|(p,)| p)
}

async fn ids(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT public_id FROM recruits ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    rows.into_iter().map(|(i,)| i).collect()
}

#[tokio::test]
async fn an_invitation_reaches_each_person_in_their_own_language() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(&[("SCRUTINY_SMTP_URL", &smtp.url())]).await;
    let batch = app.create_batch("Invites", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    for (email, lang) in
        [("en@example.org", "en"), ("cy@example.org", "cy"), ("pl@example.org", "pl"), ("pl2@example.org", "pl")]
    {
        sign_up_in(&app, &code, email, lang).await;
    }
    smtp.wait_for(4, 10).await;
    let ids = ids(&app).await;
    let query: String = ids.iter().map(|i| format!("id={i}&")).collect();
    // The form asks for each language the people chose, with how many chose it.
    let compose = app.get(&format!("/admin/recruits/invite?{query}")).await.text().await.unwrap();
    for want in [
        "Polski (2 people)",
        "Cymraeg (1 person)",
        "English (1 person)",
        r#"name="message_pl""#,
        r#"name="message_cy""#,
    ] {
        assert!(compose.contains(want), "{want} not in the form: {compose}");
    }
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|i| ("id", i.as_str())).collect();
    fields.extend([
        ("subject", "Panel meeting"),
        ("message", "Tuesday 7pm at Parkside."),
        ("subject_cy", "Cyfarfod y panel"),
        ("message_cy", "Nos Fawrth am 7yh ym Mharc-ochr. Ŵyr ac ŷd."),
    ]);
    // Polish left empty: the preview warns before anything is sent.
    let preview =
        app.client.post(app.url("/admin/recruits/invite")).form(&fields).send().await.unwrap().text().await.unwrap();
    assert!(preview.contains("2 people chose Polski but there is no Polski version"), "{preview}");
    assert!(preview.contains("Nos Fawrth am 7yh"), "the Welsh version is shown: {preview}");
    assert!(queued_for(&app, "pl@example.org").await.is_none(), "a preview sends nothing");
    fields
        .extend([("subject_pl", "Spotkanie panelu"), ("message_pl", "Wtorek o 19:00 w Parkside. Zażółć gęślą jaźń.")]);
    let preview =
        app.client.post(app.url("/admin/recruits/invite")).form(&fields).send().await.unwrap().text().await.unwrap();
    assert!(!preview.contains("there is no"), "{preview}");
    fields.push(("action", "send"));
    let r = app.client.post(app.url("/admin/recruits/invite")).form(&fields).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/admin/recruits?invited=4&without_email=0");
    assert_eq!(queued_for(&app, "en@example.org").await.unwrap(), "Panel meeting\n\nTuesday 7pm at Parkside.");
    assert_eq!(
        queued_for(&app, "cy@example.org").await.unwrap(),
        "Cyfarfod y panel\n\nNos Fawrth am 7yh ym Mharc-ochr. Ŵyr ac ŷd."
    );
    for pl in ["pl@example.org", "pl2@example.org"] {
        assert_eq!(
            queued_for(&app, pl).await.unwrap(),
            "Spotkanie panelu\n\nWtorek o 19:00 w Parkside. Zażółć gęślą jaźń."
        );
    }
    // And as delivered: the Welsh email, letter for letter, with its footer in Welsh.
    let mail: Vec<String> = smtp.wait_for(8, 10).await.iter().map(|m| decoded(m)).collect();
    let welsh = mail
        .iter()
        .find(|m| m.contains("To: ") && m.contains("cy@example.org") && m.contains("Cyfarfod y panel"))
        .expect("Welsh email");
    assert!(welsh.contains("Ŵyr ac ŷd") && welsh.contains("?lang=cy"), "{welsh}");
    assert!(!mail.iter().any(|m| m.contains("pl@example.org") && m.contains("Panel meeting")), "no Pole got English");
}

#[tokio::test]
async fn a_welsh_force_refuses_to_send_anyone_another_language() {
    let app = spawn_app_with(&[("SCRUTINY_DEFAULT_LANGUAGE", "cy")]).await;
    let batch = app.create_batch("Invites", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    sign_up_in(&app, &code, "en@example.org", "en").await;
    sign_up_in(&app, &code, "cy@example.org", "cy").await;
    let ids = ids(&app).await;
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|i| ("id", i.as_str())).collect();
    // The force's own language (Welsh) is the main version; English is missing.
    fields.extend([("subject", "Cyfarfod y panel"), ("message", "Nos Fawrth am 7yh."), ("action", "send")]);
    let r = app.client.post(app.url("/admin/recruits/invite")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("Write the message in English too"), "{page}");
    // Everything typed is still there to finish.
    assert!(page.contains("Nos Fawrth am 7yh.") && page.contains(r#"value="Cyfarfod y panel""#), "{page}");
    assert!(queued_for(&app, "cy@example.org").await.is_none(), "nothing sent to anyone");
    fields.extend([("subject_en", "Panel meeting"), ("message_en", "Tuesday 7pm.")]);
    let r = app.client.post(app.url("/admin/recruits/invite")).form(&fields).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/admin/recruits?invited=2&without_email=0");
    assert_eq!(queued_for(&app, "en@example.org").await.unwrap(), "Panel meeting\n\nTuesday 7pm.");
}

#[tokio::test]
async fn a_bilingual_force_sends_welsh_first_then_the_persons_language() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(&[
        ("SCRUTINY_SMTP_URL", &smtp.url()),
        ("SCRUTINY_DEFAULT_LANGUAGE", "cy"),
        ("SCRUTINY_BILINGUAL_MESSAGES", "1"),
    ])
    .await;
    let batch = app.create_batch("Dwyieithog", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    sign_up_in(&app, &code, "english@example.org", "en").await;
    sign_up_in(&app, &code, "cymraeg@example.org", "cy").await;
    let mail: Vec<String> = smtp.wait_for(2, 10).await.iter().map(|m| decoded(m)).collect();
    let to_english = mail.iter().find(|m| m.contains("english@example.org")).unwrap();
    let cy_subject = "Cadarnhewch eich bod am ymuno â'r panel craffu cymunedol";
    let en_subject = "Please confirm you want to join the community scrutiny panel";
    assert!(to_english.contains(&format!("Subject: {cy_subject} / {en_subject}")), "{to_english}");
    let body = to_english.split_once("\n\n").unwrap().1;
    let (cy_at, en_at) = (body.find("Diolch").expect(body), body.find("Thank you").expect(body));
    assert!(cy_at < en_at, "Welsh first: {body}");
    // A Welsh speaker gets Welsh only (it is both the force's and their language).
    let to_welsh = mail.iter().find(|m| m.contains("cymraeg@example.org")).unwrap();
    assert!(to_welsh.contains(&format!("Subject: {cy_subject}\n")) && !to_welsh.contains("Thank you"), "{to_welsh}");
}

#[tokio::test]
async fn the_landing_and_sent_pages_answer_what_people_worry_about() {
    let app = spawn_app_with(&[("SCRUTINY_EXPENSES", "none"), ("SCRUTINY_PANEL_RUN_BY", "panel")]).await;
    let batch = app.create_batch("Worries", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    let landing = app.get(&format!("/j/{code}")).await.text().await.unwrap();
    for want in [
        "Before you join",
        "vetting check",
        "A past conviction does not automatically stop you",
        "not paid",
        "run by its own members",
    ] {
        assert!(landing.contains(want), "{want} not on the landing page");
    }
    let welsh = app.get(&format!("/j/{code}?lang=cy")).await.text().await.unwrap();
    assert!(welsh.contains("Cyn i chi ymuno") && welsh.contains("fetio"), "in Welsh too");
    let default = spawn_app_with(&[]).await;
    let b = default.create_batch("Worries", 1).await;
    let c = default.codes_of(b).await[0].clone();
    let landing = default.get(&format!("/j/{c}")).await.text().await.unwrap();
    assert!(landing.contains("paid back") && landing.contains("Police and Crime Commissioner"), "the defaults");
    assert!(landing.len() < 14 * 1024, "{} bytes", landing.len());

    // After sending: the same facts, and when the resend limit is reached, why the button is gone.
    let person = person_client("worried@example.org");
    let html = person.get(app.url(&format!("/j/{code}/join"))).send().await.unwrap().text().await.unwrap();
    let (key, started) = (hidden(&html, "key"), hidden(&html, "started"));
    let fields = [
        ("name", "Sam Jones"),
        ("email", "worried@example.org"),
        ("contact_method", "email"),
        ("age_band", "18-24"),
        ("connection", "live"),
        ("equality", "no"),
        ("key", &key),
        ("started", &started),
        ("step", "check"),
        ("action", "continue"),
        ("lang", "en"),
    ];
    let r = person.post(app.url(&format!("/j/{code}/join"))).form(&fields).send().await.unwrap();
    let sent = r.headers()["location"].to_str().unwrap().to_string();
    let page = person.get(app.url(&sent)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Before you join") && page.contains("vetting"), "{page}");
    let action = sent.split('?').next().unwrap().to_string();
    for _ in 0..2 {
        person.post(app.url(&action)).form(&[("lang", "en")]).send().await.unwrap();
    }
    let page = person.get(app.url(&sent)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("Send the email again") && page.contains("as many times as we can in one day"), "{page}");
    assert!(page.contains("mailto:"), "a way on: the panel's address");
}

#[tokio::test]
async fn every_end_page_offers_a_way_on() {
    let app = spawn_app_with(&[("SCRUTINY_PANEL_EMAIL", "panel@pcc.example")]).await;
    let batch = app.create_batch("Ways on", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    // An unknown card: a box to type the code, which leads to the card typed.
    let r = app.get("/j/NOTACODE1").await;
    assert_eq!(r.status(), 404);
    let page = r.text().await.unwrap();
    assert!(page.contains(r#"action="/card""#) && page.contains(r#"name="code""#), "{page}");
    let typed = format!("{} {}", code[..4].to_lowercase(), &code[4..]);
    let r = app.get(&format!("/card?code={}&lang=cy", typed.replace(' ', "+"))).await;
    assert_eq!(r.headers()["location"], format!("/j/{code}?lang=cy").as_str());
    // Nothing that could be a code: the way to join without one, not a 404.
    let r = app.get("/card?code=%EF%BC%A1%E2%80%AE&lang=pl").await;
    assert_eq!(r.headers()["location"], "/join?lang=pl");
    // People who come without a card read the same facts before joining.
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("Before you join") && home.contains("vetting"), "{home}");
    // A broken confirm link leads to the start; a broken withdraw link gives the address.
    let page = app.get("/confirm/nonsense-token-that-is-not-real").await.text().await.unwrap();
    assert!(page.contains(r#"href="/join?lang=en""#), "{page}");
    let page = app.get("/withdraw/nonsense-token-that-is-not-real").await.text().await.unwrap();
    assert!(page.contains("mailto:panel@pcc.example"), "{page}");
    // Too young: a way back; and the site title always leads home.
    let person = person_client("young@example.org");
    let html = person.get(app.url(&format!("/j/{code}/join"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"<a class="brand" href="/?lang=en">"#));
    let (key, started) = (hidden(&html, "key"), hidden(&html, "started"));
    let r = person
        .post(app.url(&format!("/j/{code}/join")))
        .form(&[
            ("step", "eligibility"),
            ("action", "continue"),
            ("key", &key),
            ("started", &started),
            ("age_band", "under16"),
            ("connection", "live"),
            ("lang", "en"),
        ])
        .send()
        .await
        .unwrap();
    let page = if r.status() == 303 {
        let to = r.headers()["location"].to_str().unwrap().to_string();
        person.get(app.url(&to)).send().await.unwrap().text().await.unwrap()
    } else {
        r.text().await.unwrap()
    };
    assert!(page.contains(&format!(r#"href="/j/{code}/join?lang=en""#)) && page.contains(">Back<"), "{page}");
    assert!(!page.contains("Email address"), "nothing personal was asked before age");
}

#[tokio::test]
async fn an_invitation_with_a_mistake_comes_back_with_everything_typed_and_is_sent_once() {
    let app = spawn_app_with(&[]).await;
    let batch = app.create_batch("Mistakes", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    sign_up_in(&app, &code, "gwen@example.org", "cy").await;
    let ids = ids(&app).await;
    let long = "P".repeat(151);
    // Only the Welsh version, and its subject too long: the form comes back, text kept.
    let fields =
        [("id", ids[0].as_str()), ("subject_cy", long.as_str()), ("message_cy", "Neges hir iawn am y cyfarfod.")];
    let r = app.client.post(app.url("/admin/recruits/invite")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("The Cymraeg subject must be 150 characters or fewer"), "{page}");
    assert!(page.contains("Neges hir iawn am y cyfarfod.") && page.contains(&long), "nothing typed is lost");
    // Welsh only is enough for a Welsh reader (no English version needed when nobody chose English).
    let mut fields = vec![("id", ids[0].as_str()), ("subject_cy", "Cyfarfod"), ("message_cy", "Nos Fawrth.")];
    let preview =
        app.client.post(app.url("/admin/recruits/invite")).form(&fields).send().await.unwrap().text().await.unwrap();
    assert!(preview.contains("Check the invitation") && !preview.contains("there is no"), "{preview}");
    fields.push(("action", "send"));
    for _ in 0..2 {
        app.client.post(app.url("/admin/recruits/invite")).form(&fields).send().await.unwrap();
    }
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE kind = 'message'").fetch_one(app.db.pool()).await.unwrap();
    assert_eq!(n, 1, "pressing Send twice sends once");
}
