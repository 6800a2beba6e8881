//! A client for GOV.UK Notify's REST API v2
//! (<https://docs.notifications.service.gov.uk/rest-api.html>).
//!
//! Every request carries a fresh JWT (HS256; claims `iss` = the service id and `iat` = now,
//! in seconds; signed with the API key's secret), as Notify requires: a token more than
//! 30 seconds old is refused. The JWT is written here with the `hmac`/`sha2`/`base64`
//! crates the app already uses (a JWT library would add a dependency tree for two claims).
//! Messages use two generic templates: email with personalisation `subject` and `body`,
//! text messages with `body`. Each carries a `reference` (`outbox-<id>`) that Notify's
//! delivery receipts name.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::config::NotifySettings;

#[derive(Clone)]
pub struct Notify {
    settings: std::sync::Arc<NotifySettings>,
    http: reqwest::Client,
}

/// What went wrong, as Notify says it.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// 400: the request is wrong (a bad number, a missing personalisation, a trial-mode
    /// recipient). Sending it again cannot help.
    #[error("Notify refused the message (400): {0}")]
    Invalid(String),
    /// 403: the key is wrong or revoked, or the clock is off.
    #[error("Notify refused the key (403): {0}")]
    Auth(String),
    /// 429: too many requests.
    #[error("Notify rate limit (429): {0}")]
    RateLimited(String),
    /// 5xx, or no answer.
    #[error("Notify unavailable: {0}")]
    Unavailable(String),
}

impl NotifyError {
    /// Only a 400 is never retried; 403, 429 and 5xx follow the outbox's back-off (and
    /// give up after its maximum number of attempts).
    pub fn is_permanent(&self) -> bool {
        matches!(self, NotifyError::Invalid(_))
    }
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    #[serde(default)]
    error: String,
    #[serde(default)]
    message: String,
}

impl Notify {
    pub fn new(settings: NotifySettings) -> anyhow::Result<Notify> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .connect_timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Notify { settings: std::sync::Arc::new(settings), http })
    }

    pub fn can_email(&self) -> bool {
        self.settings.email_template.is_some()
    }

    pub fn can_sms(&self) -> bool {
        self.settings.sms_template.is_some()
    }

    /// A JWT for one request.
    pub fn token(&self, now: i64) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims =
            URL_SAFE_NO_PAD.encode(serde_json::json!({ "iss": self.settings.service_id, "iat": now }).to_string());
        let signing_input = format!("{header}.{claims}");
        let mut mac = Hmac::<Sha256>::new_from_slice(self.settings.secret.as_bytes()).expect("any key length works");
        mac.update(signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    pub async fn send_email(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        reference: &str,
    ) -> Result<String, NotifyError> {
        let template = self.settings.email_template.as_deref().unwrap_or_default();
        let request = serde_json::json!({
            "email_address": to,
            "template_id": template,
            "personalisation": { "subject": subject, "body": body },
            "reference": reference,
        });
        self.post("/v2/notifications/email", request).await
    }

    pub async fn send_sms(&self, to: &str, body: &str, reference: &str) -> Result<String, NotifyError> {
        let template = self.settings.sms_template.as_deref().unwrap_or_default();
        let request = serde_json::json!({
            "phone_number": to,
            "template_id": template,
            "personalisation": { "body": body },
            "reference": reference,
        });
        self.post("/v2/notifications/sms", request).await
    }

    /// Sends one request; Notify's id for the message when it is accepted (201).
    async fn post(&self, path: &str, body: serde_json::Value) -> Result<String, NotifyError> {
        let response = self
            .http
            .post(format!("{}{path}", self.settings.base_url))
            .bearer_auth(self.token(crate::db::now_unix()))
            .json(&body)
            .send()
            .await
            .map_err(|e| NotifyError::Unavailable(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if status == 201 || status == 200 {
            return serde_json::from_str::<Created>(&text)
                .map(|c| c.id)
                .map_err(|e| NotifyError::Unavailable(format!("unexpected answer: {e}")));
        }
        // Notify's errors name the problem; they never echo the message's text.
        let detail = serde_json::from_str::<ErrorBody>(&text)
            .ok()
            .map(|b| b.errors.iter().map(|e| format!("{}: {}", e.error, e.message)).collect::<Vec<_>>().join("; "))
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| format!("HTTP {status}"));
        Err(match status {
            400 => NotifyError::Invalid(detail),
            401 | 403 => NotifyError::Auth(detail),
            429 => NotifyError::RateLimited(detail),
            _ => NotifyError::Unavailable(detail),
        })
    }
}

/// How many text message fragments `text` takes: 160 characters in one (153 each when
/// split) in the GSM alphabet, 70 (67 each) when any character is outside it (Welsh ŵ ŷ,
/// Polish, Romanian, Arabic). Notify charges by fragment.
pub fn sms_fragments(text: &str) -> usize {
    const GSM: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    const GSM_EXTENDED: &str = "^{}\\[~]|€";
    let gsm = text.chars().all(|c| GSM.contains(c) || GSM_EXTENDED.contains(c));
    let (single, part, length) = if gsm {
        (160, 153, text.chars().map(|c| if GSM_EXTENDED.contains(c) { 2 } else { 1 }).sum::<usize>())
    } else {
        (70, 67, text.encode_utf16().count())
    };
    if length <= single {
        1
    } else {
        length.div_ceil(part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notify() -> Notify {
        Notify::new(NotifySettings {
            service_id: "26785a09-ab16-4eb0-8407-a37497a57506".into(),
            secret: "3d844edf-8d35-48ac-975b-e847b4f122b0".into(),
            base_url: "http://127.0.0.1:1".into(),
            email_template: None,
            sms_template: Some("f33517ff-2a88-4f6e-b855-c550268ce08a".into()),
            callback_token: None,
        })
        .unwrap()
    }

    #[test]
    fn tokens_are_hs256_jwts_with_iss_and_iat() {
        let token = notify().token(1_700_000_000);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "HS256");
        let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["iss"], "26785a09-ab16-4eb0-8407-a37497a57506");
        assert_eq!(claims["iat"], 1_700_000_000);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"3d844edf-8d35-48ac-975b-e847b4f122b0").unwrap();
        mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).expect("signed with the secret");
    }

    #[test]
    fn fragments_follow_the_alphabet() {
        assert_eq!(sms_fragments(&"a".repeat(160)), 1);
        assert_eq!(sms_fragments(&"a".repeat(161)), 2);
        assert_eq!(sms_fragments(&"a".repeat(306)), 2);
        assert_eq!(sms_fragments(&"a".repeat(307)), 3);
        assert_eq!(sms_fragments(&"ŵ".repeat(70)), 1, "Welsh needs the wider alphabet");
        assert_eq!(sms_fragments(&"ŵ".repeat(71)), 2);
        assert_eq!(sms_fragments(&"€".repeat(80)), 1, "two characters each");
        assert_eq!(sms_fragments(&"€".repeat(81)), 2);
    }
}
