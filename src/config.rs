//! Settings read from environment variables. Every variable has a default
//! that runs on one machine with no setup; the README lists them all.
use std::{env, net::SocketAddr, path::PathBuf};

use anyhow::{anyhow, Context};

#[derive(Clone, Debug)]
pub struct Settings {
    /// `LEPTOS_SITE_ADDR`: where the server listens.
    pub site_addr: SocketAddr,
    /// `DATABASE_URL`: `sqlite://…` (default, file under the data dir) or `postgres://…`.
    pub database_url: String,
    /// `SCRUTINY_BASE_URL`: public URL used in QR codes and email links, without trailing slash.
    /// `None` means "derive from the listen address once bound".
    pub base_url: Option<String>,
    /// `SCRUTINY_SMTP_URL`: e.g. `smtp://127.0.0.1:2525`. `None` → `.eml` files in `data/outbox/`.
    pub smtp_url: Option<String>,
    /// `SCRUTINY_MAIL_FROM`: the From header of every email.
    pub mail_from: String,
    /// `SCRUTINY_DATA_DIR`: folder for the SQLite file, the email outbox and backups.
    pub data_dir: PathBuf,
    /// `SCRUTINY_FORCE_NAME`: the police force named on cards and public pages.
    pub force_name: String,
    /// `SCRUTINY_PANEL_EMAIL`: where the public can contact the panel coordinator.
    pub panel_email: String,
    /// `SCRUTINY_MIN_AGE`: youngest age that can join (16 or 18); younger people see the youth route.
    pub min_age: u8,
    /// `SCRUTINY_DEFAULT_LANGUAGE` (en, cy, pl, ro or ar; default en): the language a
    /// visitor gets before choosing, and the first language of cards and messages.
    /// Welsh forces set `cy`.
    pub default_language: crate::i18n::Lang,
    /// `SCRUTINY_PANEL_RUN_BY` (`pcc`, default, or `panel`) and `SCRUTINY_EXPENSES` (`paid`,
    /// default, or `none`): what the public pages say about who runs the panel and whether
    /// members' costs are paid back.
    pub panel: PanelFacts,
    /// `SCRUTINY_POLICE_UK_FORCE`: the panel's force as data.police.uk names it
    /// (`cambridgeshire`); unset: found from `SCRUTINY_FORCE_NAME` among imported forces.
    pub police_uk_force: Option<String>,
    /// `SCRUTINY_METRICS_TOKEN` (16+ characters): `GET /metrics` answers requests that send
    /// it as `Authorization: Bearer …`; unset, `/metrics` does not exist (404).
    pub metrics_token: Option<String>,
    /// `SCRUTINY_BILINGUAL_MESSAGES=1`: every email and text carries the default language
    /// first and then the person's own (for a Welsh force: Welsh, then English).
    pub bilingual_messages: bool,
    /// `SCRUTINY_ACCESSIBILITY_REVIEWED` (YYYY-MM-DD): when the accessibility statement
    /// was last reviewed; shown on `/accessibility`.
    pub accessibility_reviewed: Option<String>,
    /// `SCRUTINY_MIN_FILL_SECONDS`: a sign-up submitted faster than this after the form was
    /// first shown is treated as automated (asked to submit again).
    pub min_fill_secs: u64,
    /// `SCRUTINY_SECRET`: key for signing form timestamps. Unset → generated once and kept
    /// in the database.
    pub secret: Option<String>,
    /// `SCRUTINY_MAIL_RETRY_SECONDS`: first retry delay for a failed email (doubles each time, max 1 h).
    pub mail_retry_base: std::time::Duration,
    /// `SCRUTINY_MAIL_POLL_SECONDS`: how often the email worker looks for due mail.
    pub mail_poll: std::time::Duration,
    /// `SCRUTINY_RATE_LIMIT`: sign-up submissions allowed per client and per card code per hour.
    pub rate_limit: u32,
    /// `SCRUTINY_TRUST_PROXY`: how many proxies of ours sit in front (0 = none). With N,
    /// the client address is the N-th `X-Forwarded-For` entry from the right (the one our
    /// outermost proxy wrote); entries further left are the client's own and ignored.
    /// `1`, `true` and `yes` mean one proxy.
    pub trust_proxy: u8,
    /// `SCRUTINY_HEADER_TIMEOUT_SECONDS`: a connection must send its request headers
    /// within this time (also between requests on a kept-alive connection).
    pub header_timeout: std::time::Duration,
    /// `SCRUTINY_REQUEST_TIMEOUT_SECONDS`: a request must be answered (headers sent) and
    /// its body received within this time.
    pub request_timeout: std::time::Duration,
    /// `SCRUTINY_RETAIN_UNCONFIRMED_DAYS`: unconfirmed sign-ups are deleted after this.
    pub retain_unconfirmed_days: i64,
    /// `SCRUTINY_RETAIN_WITHDRAWN_DAYS`: withdrawn or declined people are deleted after this.
    pub retain_withdrawn_days: i64,
    /// `SCRUTINY_RETAIN_SCAN_DAYS`: scan records older than this are kept only as counts.
    pub retain_scan_days: i64,
    /// GOV.UK Notify (`SCRUTINY_NOTIFY_*`): when set, email and text messages go through it.
    pub notify: Option<NotifySettings>,
    /// `LEPTOS_SITE_ROOT`: built static files (wasm, css, public assets).
    pub site_root: String,
    /// `LEPTOS_SITE_PKG_DIR`: folder under the site root holding the wasm/js/css bundle.
    pub site_pkg_dir: String,
    /// `LEPTOS_OUTPUT_NAME`: base name of the bundle files.
    pub output_name: String,
}

/// What people considering joining ask about: who runs the panel, and whether costs are
/// paid back (each force's own arrangement).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PanelFacts {
    pub run_by_panel: bool,
    pub expenses_paid: bool,
}

/// GOV.UK Notify: an API key (`{key_name}-{service_id}-{secret}`, the last two UUIDs),
/// the API's address and the two generic templates.
#[derive(Clone)]
pub struct NotifySettings {
    pub service_id: String,
    pub secret: String,
    /// `SCRUTINY_NOTIFY_BASE_URL`, default `https://api.notifications.service.gov.uk`.
    pub base_url: String,
    /// `SCRUTINY_NOTIFY_EMAIL_TEMPLATE`: personalisation `subject` and `body`.
    pub email_template: Option<String>,
    /// `SCRUTINY_NOTIFY_SMS_TEMPLATE`: personalisation `body`.
    pub sms_template: Option<String>,
    /// `SCRUTINY_NOTIFY_CALLBACK_TOKEN`: the bearer token Notify sends to our delivery
    /// receipt callback (`POST /notify/callback`); unset, the callback is refused.
    pub callback_token: Option<String>,
}

impl std::fmt::Debug for NotifySettings {
    // Never the secret, in any log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotifySettings")
            .field("service_id", &self.service_id)
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// A UUID as Notify writes them (8-4-4-4-12 hex digits).
pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn notify(get: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<NotifySettings>> {
    let Some(key) = get("SCRUTINY_NOTIFY_API_KEY") else { return Ok(None) };
    let key = key.trim();
    let bad =
        || anyhow!("SCRUTINY_NOTIFY_API_KEY must look like {{key_name}}-{{service_id}}-{{secret}}, as Notify shows it");
    if key.len() < 74 {
        return Err(bad());
    }
    let (rest, secret) = key.split_at(key.len() - 36);
    let service_id = rest.strip_suffix('-').filter(|r| r.len() >= 36).map(|r| &r[r.len() - 36..]).ok_or_else(bad)?;
    if !is_uuid(secret) || !is_uuid(service_id) {
        return Err(bad());
    }
    let template = |name: &str| -> anyhow::Result<Option<String>> {
        match get(name) {
            Some(t) if is_uuid(t.trim()) => Ok(Some(t.trim().to_string())),
            Some(_) => Err(anyhow!("{name} must be a Notify template id (a UUID)")),
            None => Ok(None),
        }
    };
    let email_template = template("SCRUTINY_NOTIFY_EMAIL_TEMPLATE")?;
    let sms_template = template("SCRUTINY_NOTIFY_SMS_TEMPLATE")?;
    if email_template.is_none() && sms_template.is_none() {
        return Err(anyhow!(
            "SCRUTINY_NOTIFY_API_KEY is set but neither SCRUTINY_NOTIFY_EMAIL_TEMPLATE nor SCRUTINY_NOTIFY_SMS_TEMPLATE is"
        ));
    }
    let base_url = get("SCRUTINY_NOTIFY_BASE_URL").unwrap_or_else(|| "https://api.notifications.service.gov.uk".into());
    if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
        return Err(anyhow!("SCRUTINY_NOTIFY_BASE_URL must start with https://"));
    }
    Ok(Some(NotifySettings {
        service_id: service_id.to_string(),
        secret: secret.to_string(),
        base_url: base_url.trim_end_matches('/').to_string(),
        email_template,
        sms_template,
        callback_token: get("SCRUTINY_NOTIFY_CALLBACK_TOKEN").filter(|t| t.len() >= 16),
    }))
}

fn number(get: &impl Fn(&str) -> Option<String>, key: &str, default: u64) -> anyhow::Result<u64> {
    match get(key) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| anyhow!("{key} must be a whole number")),
    }
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Builds settings from any key lookup (the environment in production, a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let site_addr = get("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .context("LEPTOS_SITE_ADDR must look like 127.0.0.1:3000")?;
        let data_dir = PathBuf::from(get("SCRUTINY_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url =
            get("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}", data_dir.join("scrutiny.db").display()));
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(anyhow!("DATABASE_URL must start with sqlite:// or postgres://"));
        }
        let base_url = match get("SCRUTINY_BASE_URL") {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(url.trim_end_matches('/').to_string())
            }
            Some(_) => return Err(anyhow!("SCRUTINY_BASE_URL must start with http:// or https://")),
            None => None,
        };
        let smtp_url = get("SCRUTINY_SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(anyhow!("SCRUTINY_SMTP_URL must start with smtp:// or smtps://"));
            }
        }
        Ok(Settings {
            site_addr,
            database_url,
            base_url,
            smtp_url,
            mail_from: get("SCRUTINY_MAIL_FROM").unwrap_or_else(|| "Community Scrutiny Panel <panel@localhost>".into()),
            data_dir,
            force_name: get("SCRUTINY_FORCE_NAME").unwrap_or_else(|| "Example Constabulary".into()),
            panel_email: get("SCRUTINY_PANEL_EMAIL").unwrap_or_else(|| "panel@localhost".into()),
            min_age: match get("SCRUTINY_MIN_AGE").as_deref() {
                None | Some("16") => 16,
                Some("18") => 18,
                Some(_) => return Err(anyhow!("SCRUTINY_MIN_AGE must be 16 or 18")),
            },
            default_language: match get("SCRUTINY_DEFAULT_LANGUAGE") {
                None => crate::i18n::Lang::En,
                Some(code) => crate::i18n::Lang::from_code(&code)
                    .ok_or_else(|| anyhow!("SCRUTINY_DEFAULT_LANGUAGE must be one of en, cy, pl, ro, ar"))?,
            },
            panel: PanelFacts {
                run_by_panel: match get("SCRUTINY_PANEL_RUN_BY").as_deref() {
                    None | Some("pcc") => false,
                    Some("panel") => true,
                    Some(_) => return Err(anyhow!("SCRUTINY_PANEL_RUN_BY must be pcc or panel")),
                },
                expenses_paid: match get("SCRUTINY_EXPENSES").as_deref() {
                    None | Some("paid") => true,
                    Some("none") => false,
                    Some(_) => return Err(anyhow!("SCRUTINY_EXPENSES must be paid or none")),
                },
            },
            metrics_token: match get("SCRUTINY_METRICS_TOKEN") {
                None => None,
                Some(t) if t.trim().len() >= 16 => Some(t.trim().to_string()),
                Some(_) => return Err(anyhow!("SCRUTINY_METRICS_TOKEN must be at least 16 characters")),
            },
            police_uk_force: get("SCRUTINY_POLICE_UK_FORCE").map(|f| f.trim().to_lowercase()).filter(|f| !f.is_empty()),
            bilingual_messages: match get("SCRUTINY_BILINGUAL_MESSAGES").as_deref() {
                None | Some("0") | Some("") => false,
                Some("1") => true,
                Some(_) => return Err(anyhow!("SCRUTINY_BILINGUAL_MESSAGES must be 0 or 1")),
            },
            accessibility_reviewed: match get("SCRUTINY_ACCESSIBILITY_REVIEWED") {
                None => None,
                Some(d) => Some(
                    crate::domain::ExpiryDate::parse_iso(&d)
                        .ok_or_else(|| anyhow!("SCRUTINY_ACCESSIBILITY_REVIEWED must be a date like 2026-11-30"))?
                        .to_string(),
                ),
            },
            min_fill_secs: number(&get, "SCRUTINY_MIN_FILL_SECONDS", 3)?,
            secret: get("SCRUTINY_SECRET"),
            mail_retry_base: std::time::Duration::from_secs(number(&get, "SCRUTINY_MAIL_RETRY_SECONDS", 5)?),
            mail_poll: std::time::Duration::from_secs(number(&get, "SCRUTINY_MAIL_POLL_SECONDS", 5)?.max(1)),
            rate_limit: number(&get, "SCRUTINY_RATE_LIMIT", 30)? as u32,
            retain_unconfirmed_days: number(&get, "SCRUTINY_RETAIN_UNCONFIRMED_DAYS", 30)? as i64,
            retain_withdrawn_days: number(&get, "SCRUTINY_RETAIN_WITHDRAWN_DAYS", 90)? as i64,
            retain_scan_days: number(&get, "SCRUTINY_RETAIN_SCAN_DAYS", 365)? as i64,
            trust_proxy: match get("SCRUTINY_TRUST_PROXY").as_deref().map(str::trim) {
                None | Some("0" | "false" | "no") => 0,
                Some("true" | "yes") => 1,
                Some(n) => {
                    n.parse::<u8>().ok().filter(|n| *n <= 10).ok_or_else(|| {
                        anyhow!("SCRUTINY_TRUST_PROXY must be the number of proxies in front (0 to 10)")
                    })?
                }
            },
            header_timeout: std::time::Duration::from_secs(number(&get, "SCRUTINY_HEADER_TIMEOUT_SECONDS", 10)?.max(1)),
            request_timeout: std::time::Duration::from_secs(
                number(&get, "SCRUTINY_REQUEST_TIMEOUT_SECONDS", 60)?.max(1),
            ),
            notify: notify(&get)?,
            site_root: get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            site_pkg_dir: get("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".into()),
            output_name: get("LEPTOS_OUTPUT_NAME").unwrap_or_else(|| "scrutiny".into()),
        })
    }

    /// The public base URL, derived from the bound address when not configured.
    pub fn public_base_url(&self, bound: SocketAddr) -> String {
        match &self.base_url {
            Some(url) => url.clone(),
            None if bound.ip().is_unspecified() => format!("http://localhost:{}", bound.port()),
            None => format!("http://{bound}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_on_one_machine() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.database_url, "sqlite://data/scrutiny.db");
        assert!(s.smtp_url.is_none());
        assert_eq!(s.public_base_url(s.site_addr), "http://127.0.0.1:3000");
    }

    #[test]
    fn base_url_is_configured_without_trailing_slash() {
        let s = settings(&[("SCRUTINY_BASE_URL", "https://panel.example.police.uk/")]).unwrap();
        assert_eq!(s.public_base_url(s.site_addr), "https://panel.example.police.uk");
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        let e = settings(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert!(e.to_string().contains("DATABASE_URL"));
        let e = settings(&[("LEPTOS_SITE_ADDR", "nonsense")]).unwrap_err();
        assert!(e.to_string().contains("LEPTOS_SITE_ADDR"));
        let e = settings(&[("SCRUTINY_SMTP_URL", "http://x")]).unwrap_err();
        assert!(e.to_string().contains("SCRUTINY_SMTP_URL"));
        let e = settings(&[("SCRUTINY_TRUST_PROXY", "maybe")]).unwrap_err();
        assert!(e.to_string().contains("SCRUTINY_TRUST_PROXY"));
    }

    #[test]
    fn notify_keys_are_split_into_service_and_secret() {
        let key = "scrutiny_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";
        let s = settings(&[
            ("SCRUTINY_NOTIFY_API_KEY", key),
            ("SCRUTINY_NOTIFY_SMS_TEMPLATE", "f33517ff-2a88-4f6e-b855-c550268ce08a"),
        ])
        .unwrap();
        let n = s.notify.unwrap();
        assert_eq!(n.service_id, "26785a09-ab16-4eb0-8407-a37497a57506");
        assert_eq!(n.secret, "3d844edf-8d35-48ac-975b-e847b4f122b0");
        assert_eq!(n.base_url, "https://api.notifications.service.gov.uk");
        assert!(!format!("{n:?}").contains("3d844edf"), "the secret never reaches a log");
        let e = settings(&[("SCRUTINY_NOTIFY_API_KEY", "nonsense")]).unwrap_err();
        assert!(e.to_string().contains("SCRUTINY_NOTIFY_API_KEY"));
        let e = settings(&[("SCRUTINY_NOTIFY_API_KEY", key), ("SCRUTINY_NOTIFY_SMS_TEMPLATE", "sms")]).unwrap_err();
        assert!(e.to_string().contains("SCRUTINY_NOTIFY_SMS_TEMPLATE"));
    }

    #[test]
    fn proxy_trust_counts_hops() {
        assert_eq!(settings(&[]).unwrap().trust_proxy, 0);
        assert_eq!(settings(&[("SCRUTINY_TRUST_PROXY", "1")]).unwrap().trust_proxy, 1);
        assert_eq!(settings(&[("SCRUTINY_TRUST_PROXY", "true")]).unwrap().trust_proxy, 1);
        assert_eq!(settings(&[("SCRUTINY_TRUST_PROXY", "2")]).unwrap().trust_proxy, 2);
    }

    #[test]
    fn unspecified_listen_address_derives_localhost() {
        let s = settings(&[("LEPTOS_SITE_ADDR", "0.0.0.0:8080")]).unwrap();
        assert_eq!(s.public_base_url(s.site_addr), "http://localhost:8080");
    }
}
