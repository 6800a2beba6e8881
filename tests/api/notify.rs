//! A local stand-in for GOV.UK Notify's API v2 that checks what Notify checks — the
//! JWT (HS256 signature with the key's secret, `iss` = the service id, `iat` within 30
//! seconds), the template id's format and that it exists, the recipient, the
//! personalisation the template needs — and answers as Notify does (201 with an id, or
//! `{"status_code": …, "errors": [{"error": …, "message": …}]}`). It can be told to fail
//! the next requests with 400, 403, 429 or 500. The real Notify is never called.
use std::sync::{Arc, Mutex};

use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::post,
    Json, Router,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use scrutiny::roles::Role;

use crate::helpers::{person_client, spawn_app_with, TestApp};

pub const SERVICE_ID: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
pub const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";
pub const SMS_TEMPLATE: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
pub const EMAIL_TEMPLATE: &str = "0c6ee6a4-5cc0-4c0a-9a3b-0f1e5ad1c8b2";
pub const CALLBACK_TOKEN: &str = "a-long-callback-bearer-token-1234";

#[derive(Clone, Debug)]
pub struct Sent {
    pub kind: String,
    pub to: String,
    pub personalisation: serde_json::Value,
    pub reference: String,
    pub id: String,
}

#[derive(Clone, Default)]
struct Shared {
    sent: Arc<Mutex<Vec<Sent>>>,
    /// Statuses to answer the next requests with, in order (then 201 again).
    failures: Arc<Mutex<Vec<u16>>>,
    requests: Arc<Mutex<usize>>,
}

pub struct NotifyStandIn {
    pub url: String,
    shared: Shared,
}

fn error(status: u16, kind: &str, message: &str) -> axum::response::Response {
    let body = serde_json::json!({ "status_code": status, "errors": [{ "error": kind, "message": message }] });
    (StatusCode::from_u16(status).unwrap(), Json(body)).into_response()
}

fn uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Notify's own checks of the bearer token.
fn check_jwt(headers: &HeaderMap) -> Result<(), String> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or("Unauthorized: authentication token must be provided")?;
    let parts: Vec<&str> = token.split('.').collect();
    let [header, claims, signature] = parts[..] else { return Err("Invalid token: signature".into()) };
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).map_err(|_| "Invalid token: header")?)
            .map_err(|_| "Invalid token: header")?;
    if header["alg"] != "HS256" {
        return Err("Invalid token: algorithm used is not HS256".into());
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).map_err(|_| "Invalid token: signature")?)
        .map_err(|_| "Invalid token: signature, api token not found")?;
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).map_err(|_| "Invalid token: claims")?)
            .map_err(|_| "Invalid token: claims")?;
    if claims["iss"] != SERVICE_ID {
        return Err("Invalid token: service not found".into());
    }
    let iat = claims["iat"].as_i64().ok_or("Invalid token: iat")?;
    if (scrutiny::db::now_unix() - iat).abs() > 30 {
        return Err("Invalid token: expired, check that your system clock is accurate".into());
    }
    Ok(())
}

async fn create(
    State(shared): State<Shared>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> axum::response::Response {
    *shared.requests.lock().unwrap() += 1;
    if let Err(message) = check_jwt(&headers) {
        return error(403, "AuthError", &message);
    }
    let forced = {
        let mut f = shared.failures.lock().unwrap();
        (!f.is_empty()).then(|| f.remove(0))
    };
    match forced {
        Some(400) => return error(400, "BadRequestError", "Can't send to this recipient using a team-only API key"),
        Some(403) => return error(403, "AuthError", "Invalid token: API key not found"),
        Some(429) => {
            return error(
                429,
                "RateLimitError",
                "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
            )
        }
        Some(s) => return error(s, "Exception", "Internal server error"),
        None => {}
    }
    let template = body["template_id"].as_str().unwrap_or("");
    if !uuid(template) {
        return error(400, "ValidationError", "template_id is not a valid UUID");
    }
    let (to, needs) = match kind.as_str() {
        "sms" => {
            let phone = body["phone_number"].as_str().unwrap_or("");
            let digits = phone.trim_start_matches('+');
            if !phone.starts_with('+')
                || !digits.bytes().all(|b| b.is_ascii_digit())
                || !(8..=15).contains(&digits.len())
            {
                return error(400, "ValidationError", "phone_number Not a valid phone number");
            }
            if template != SMS_TEMPLATE {
                return error(400, "BadRequestError", "Template not found");
            }
            (phone.to_string(), vec!["body"])
        }
        "email" => {
            let email = body["email_address"].as_str().unwrap_or("");
            if !email.contains('@') {
                return error(400, "ValidationError", "email_address Not a valid email address");
            }
            if template != EMAIL_TEMPLATE {
                return error(400, "BadRequestError", "Template not found");
            }
            (email.to_string(), vec!["subject", "body"])
        }
        _ => return error(404, "NotFound", "Not found"),
    };
    for key in needs {
        if !body["personalisation"][key].is_string() {
            return error(400, "BadRequestError", &format!("Missing personalisation: {key}"));
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    let reference = body["reference"].as_str().unwrap_or("").to_string();
    shared.sent.lock().unwrap().push(Sent {
        kind: kind.clone(),
        to,
        personalisation: body["personalisation"].clone(),
        reference: reference.clone(),
        id: id.clone(),
    });
    let answer = serde_json::json!({
        "id": id, "reference": reference, "uri": format!("/v2/notifications/{id}"),
        "template": { "id": template, "version": 1, "uri": format!("/v2/template/{template}") },
        "content": { "body": body["personalisation"]["body"] },
    });
    (StatusCode::CREATED, Json(answer)).into_response()
}

impl NotifyStandIn {
    pub async fn start() -> NotifyStandIn {
        let shared = Shared::default();
        let app = Router::new().route("/v2/notifications/{kind}", post(create)).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        NotifyStandIn { url, shared }
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.shared.sent.lock().unwrap().clone()
    }

    pub fn requests(&self) -> usize {
        *self.shared.requests.lock().unwrap()
    }

    /// The next requests fail with these statuses, in order.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.shared.failures.lock().unwrap().extend_from_slice(statuses);
    }

    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Sent> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let sent = self.sent();
            if sent.len() >= n {
                return sent;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "Notify stand-in: {} of {n} messages after {secs} s",
                sent.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SCRUTINY_NOTIFY_API_KEY", format!("scrutiny_test-{SERVICE_ID}-{SECRET}")),
            ("SCRUTINY_NOTIFY_BASE_URL", self.url.clone()),
            ("SCRUTINY_NOTIFY_SMS_TEMPLATE", SMS_TEMPLATE.into()),
            ("SCRUTINY_NOTIFY_EMAIL_TEMPLATE", EMAIL_TEMPLATE.into()),
            ("SCRUTINY_NOTIFY_CALLBACK_TOKEN", CALLBACK_TOKEN.into()),
        ]
    }
}

/// The app, sending through the stand-in.
pub async fn app_with_notify(extra: &[(&str, &str)]) -> (TestApp, NotifyStandIn) {
    let notify = NotifyStandIn::start().await;
    let env = notify.env();
    let mut all: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.extend_from_slice(extra);
    (spawn_app_with(&all).await, notify)
}

/// A phone-only sign-up from a card, as a person on their phone would.
pub async fn phone_only_sign_up(app: &TestApp, code: &str, phone: &str, lang: &str) -> reqwest::Response {
    let person = person_client(phone);
    let html = person.get(app.url(&format!("/j/{code}/join?lang={lang}"))).send().await.unwrap().text().await.unwrap();
    let (key, started) = (crate::helpers::hidden(&html, "key"), crate::helpers::hidden(&html, "started"));
    let fields = [
        ("name", "Jay Phone"),
        ("email", ""),
        ("phone", phone),
        ("contact_method", "phone"),
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
    let sent = r.headers()["location"].to_str().unwrap().to_string();
    person.get(app.url(&sent)).send().await.unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    crate::demographics::count(&app.db, sql).await
}

#[tokio::test]
async fn a_phone_only_sign_up_is_confirmed_by_a_text_in_their_language() {
    let (app, notify) = app_with_notify(&[]).await;
    let batch = app.create_batch("Phones", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    let page = phone_only_sign_up(&app, &code, "07700 900 982", "cy").await.text().await.unwrap();
    assert!(page.contains("Gwiriwch eich negeseuon testun"), "the sent page says a text is on its way: {page}");
    assert!(page.contains("+447700900982"), "the number in its one canonical form");
    let sent = notify.wait_for(1, 10).await;
    assert_eq!(sent[0].kind, "sms");
    assert_eq!(sent[0].to, "+447700900982");
    let body = sent[0].personalisation["body"].as_str().unwrap().to_string();
    assert!(body.contains("Panel craffu cymunedol"), "in Welsh: {body}");
    assert!(
        scrutiny::email::notify::sms_fragments(&body) <= 2,
        "one or two fragments: {} characters",
        body.chars().count()
    );
    assert!(sent[0].reference.starts_with("outbox-"));
    // The delivery is recorded with Notify's id, and the clock for unconfirmed sign-ups starts.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM outbox WHERE delivery = 'accepted' AND provider_id IS NOT NULL").await,
        1
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM recruits WHERE confirmation_sent_at IS NOT NULL").await, 1);

    // Notify's delivery receipt, with and without the bearer token.
    let receipt = serde_json::json!({ "id": sent[0].id, "reference": sent[0].reference, "to": sent[0].to, "status": "delivered",
        "created_at": "2026-11-29T10:00:00.000Z", "completed_at": null, "sent_at": null, "notification_type": "sms" });
    let client = reqwest::Client::new();
    let r = client.post(app.url("/notify/callback")).json(&receipt).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = client
        .post(app.url("/notify/callback"))
        .bearer_auth("wrong-token-wrong-token")
        .json(&receipt)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client.post(app.url("/notify/callback")).bearer_auth(CALLBACK_TOKEN).json(&receipt).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE delivery = 'delivered'").await, 1);
    let (id,): (String,) = sqlx::query_as("SELECT public_id FROM recruits").fetch_one(app.db.pool()).await.unwrap();
    let person = app.get(&format!("/admin/recruits/{id}")).await.text().await.unwrap();
    assert!(person.contains("<td>Confirmation</td><td>Delivered</td>"), "delivery shown per person");

    // The short link confirms the person and opens in their language.
    let link = body.split_whitespace().find(|w| w.contains("/c/")).unwrap();
    let path = link.split_once("://").unwrap().1.split_once('/').unwrap().1;
    let page = app.get(&format!("/{path}")).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("lang=\"cy\""), "Welsh page from a Welsh text");
    assert!(page.contains("rhif ffôn"), "it says the phone number is confirmed: {page}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM recruits WHERE status = 'confirmed'").await, 1);
}

#[tokio::test]
async fn notify_errors_follow_the_retry_rules() {
    let (app, notify) = app_with_notify(&[]).await;
    let batch = app.create_batch("Errors", 2).await;
    let codes = app.codes_of(batch).await;
    // 429, 500 and 403 are retried with back-off until Notify takes the message.
    notify.fail_next(&[429, 500, 403]);
    phone_only_sign_up(&app, &codes[0], "07700 900 111", "en").await;
    let sent = notify.wait_for(1, 20).await;
    assert_eq!(sent.len(), 1);
    assert!(notify.requests() >= 4, "three refusals, then accepted");
    // The worker records the send just after Notify has it: give it a moment under load.
    for _ in 0..50 {
        if count(&app, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await, 1);
    // A 400 is never retried: the message is marked failed at once.
    notify.fail_next(&[400]);
    let before = notify.requests();
    phone_only_sign_up(&app, &codes[1], "07700 900 222", "en").await;
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    assert_eq!(notify.requests(), before + 1, "one try only");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE status = 'failed' AND last_error LIKE '%400%'").await, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM recruits WHERE confirmation_sent_at IS NULL").await,
        1,
        "not a sent confirmation"
    );
}

#[tokio::test]
async fn emails_go_through_notify_too_with_subject_and_body() {
    let (app, notify) = app_with_notify(&[]).await;
    let batch = app.create_batch("Email", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    crate::retention::sign_up(&app, &code, "notify@example.org").await;
    let sent = notify.wait_for(1, 10).await;
    assert_eq!(sent[0].kind, "email");
    assert_eq!(sent[0].to, "notify@example.org");
    assert!(sent[0].personalisation["subject"].as_str().unwrap().contains("confirm"));
    assert!(sent[0].personalisation["body"].as_str().unwrap().contains("/confirm/"));
}

#[tokio::test]
async fn nobody_is_purged_for_not_confirming_a_message_they_never_received() {
    // No text service: the phone-only person waits for a call and is not purged.
    let app = spawn_app_with(&[]).await;
    let batch = app.create_batch("Waiting", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    let page = phone_only_sign_up(&app, &code, "07700 900 333", "en").await.text().await.unwrap();
    assert!(page.contains("will phone you"), "{page}");
    sqlx::query("UPDATE recruits SET created_at = created_at - 400 * 86400").execute(app.db.pool()).await.unwrap();
    let purged = scrutiny::retention::purge(
        &app.db,
        scrutiny::retention::Schedule { unconfirmed_days: 0, withdrawn_days: 90, scan_days: 365 },
        false,
    )
    .await
    .unwrap();
    assert_eq!(purged.unconfirmed_recruits, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM recruits").await, 1, "still waiting for a call");
    // An email written to the outbox folder is not a message anyone received either.
    crate::retention::sign_up(&app, &code, "filed@example.org").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE delivery = 'written-to-file'").await, 1);
    scrutiny::retention::purge(
        &app.db,
        scrutiny::retention::Schedule { unconfirmed_days: 0, withdrawn_days: 90, scan_days: 365 },
        false,
    )
    .await
    .unwrap();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM recruits").await, 2);

    // Sent a text (accepted by Notify) and never confirmed: purged.
    let (app, notify) = app_with_notify(&[]).await;
    let batch = app.create_batch("Texted", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    phone_only_sign_up(&app, &code, "07700 900 444", "en").await;
    notify.wait_for(1, 10).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    sqlx::query("UPDATE recruits SET confirmation_sent_at = confirmation_sent_at - 1")
        .execute(app.db.pool())
        .await
        .unwrap();
    let purged = scrutiny::retention::purge(
        &app.db,
        scrutiny::retention::Schedule { unconfirmed_days: 0, withdrawn_days: 90, scan_days: 365 },
        false,
    )
    .await
    .unwrap();
    assert_eq!(purged.unconfirmed_recruits, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM recruits").await, 0);
}

#[tokio::test]
async fn invitations_go_by_each_persons_channel_and_texts_are_previewed_with_their_length() {
    let (app, notify) = app_with_notify(&[]).await;
    let batch = app.create_batch("Channels", 2).await;
    let codes = app.codes_of(batch).await;
    phone_only_sign_up(&app, &codes[0], "07700 900 555", "en").await;
    crate::retention::sign_up(&app, &codes[1], "by.email@example.org").await;
    notify.wait_for(2, 10).await; // the two confirmations
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT public_id FROM recruits ORDER BY id").fetch_all(app.db.pool()).await.unwrap();
    let message =
        "Panel meeting on 3 March, 7pm, Parkside Community Centre. Reply to this number to say if you can come.";
    let fields =
        [("id", ids[0].0.as_str()), ("id", ids[1].0.as_str()), ("subject", "Panel meeting"), ("message", message)];
    let preview =
        app.client.post(app.url("/admin/recruits/invite")).form(&fields).send().await.unwrap().text().await.unwrap();
    assert!(preview.contains("1 by email, 1 by text message"), "{preview}");
    assert!(preview.contains("2 text message fragments"), "a 160+ character text is two fragments: {preview}");
    let mut send = fields.to_vec();
    send.push(("action", "send"));
    app.client.post(app.url("/admin/recruits/invite")).form(&send).send().await.unwrap();
    let sent = notify.wait_for(4, 10).await;
    let invites: Vec<_> = sent.iter().skip(2).collect();
    assert!(invites.iter().any(|s| s.kind == "sms"
        && s.to == "+447700900555"
        && s.personalisation["body"].as_str().unwrap().contains("Parkside")));
    assert!(invites.iter().any(|s| s.kind == "email"
        && s.to == "by.email@example.org"
        && s.personalisation["subject"] == "Panel meeting"));
    let sms = invites.iter().find(|s| s.kind == "sms").unwrap();
    assert!(sms.personalisation["body"].as_str().unwrap().contains("/w/"), "a short link to leave the list");
}

#[tokio::test]
async fn coordinators_phone_people_waiting_for_a_call_and_record_it() {
    let app = spawn_app_with(&[]).await; // no text service
    let batch = app.create_batch("Calls", 2).await;
    let codes = app.codes_of(batch).await;
    phone_only_sign_up(&app, &codes[0], "07700 900 666", "en").await;
    phone_only_sign_up(&app, &codes[1], "+48 601 234 567", "pl").await;
    sqlx::query("UPDATE recruits SET created_at = created_at - 3 * 86400 WHERE phone = '+447700900666'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let page = app.get("/admin/recruits/call-back").await.text().await.unwrap();
    let first = page.find("+447700900666").expect("listed");
    let second = page.find("+48601234567").expect("listed");
    assert!(first < second, "oldest first");
    assert!(page.contains("<td class=\"num\">3</td>"), "days waiting");
    let viewer = app.client_as(Role::Viewer).await;
    assert_eq!(viewer.get(app.url("/admin/recruits/call-back")).send().await.unwrap().status(), 403);

    let (id,): (String,) = sqlx::query_as("SELECT public_id FROM recruits WHERE phone = '+447700900666'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let r = app
        .client
        .post(app.url(&format!("/admin/recruits/{id}/call")))
        .form(&[("outcome", "no_answer")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = app.get("/admin/recruits/call-back").await.text().await.unwrap();
    assert!(page.contains("no answer"), "the last call is shown");
    app.client
        .post(app.url(&format!("/admin/recruits/{id}/call")))
        .form(&[("outcome", "reached")])
        .send()
        .await
        .unwrap();
    let page = app.get("/admin/recruits/call-back").await.text().await.unwrap();
    assert!(!page.contains("+447700900666"), "reached: no longer waiting");
    let (status,): (String,) = sqlx::query_as("SELECT status FROM recruits WHERE public_id = $1")
        .bind(&id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "confirmed");
    let timeline = app.get(&format!("/admin/recruits/{id}")).await.text().await.unwrap();
    assert!(timeline.contains("Call: no answer") && timeline.contains("Call: reached"), "on the timeline");
}

#[tokio::test]
async fn coordinators_land_on_what_needs_doing() {
    let app = spawn_app_with(&[]).await;
    let batch = app.create_batch("Home", 1).await;
    let code = app.codes_of(batch).await[0].clone();
    phone_only_sign_up(&app, &code, "07700 900 777", "en").await;
    let coordinator = app.client_as(Role::Coordinator).await;
    let home = coordinator.get(app.url("/admin")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("1 waiting for a call") && home.contains("1 signed up in the last 7 days"), "{home}");
    let viewer = app.client_as(Role::Viewer).await;
    let home = viewer.get(app.url("/admin")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(!home.text().await.unwrap().contains("waiting for a call"), "viewers see aggregates only");
}
