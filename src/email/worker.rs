//! The background sender. Wakes when a sign-up queues mail (or every few seconds),
//! sends what is due, and reschedules failures with exponential backoff.
use super::{
    repo,
    transport::{Outgoing, Transport},
};
use crate::{db::now_unix, i18n::{tf, t, Lang}, startup::AppState};

/// Links to confirm expire after 7 days; withdraw links live as long as the data.
pub const CONFIRM_TTL_SECS: i64 = 7 * 24 * 3600;
const WITHDRAW_TTL_SECS: i64 = 5 * 365 * 24 * 3600;
const MAX_ATTEMPTS: i64 = 60;
const LEASE_SECS: i64 = 120;

pub fn spawn(state: AppState, transport: Transport) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match send_due(&state, &transport).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = ?e, "outbox worker"),
            }
            tokio::select! {
                _ = state.mail_wake.notified() => {}
                _ = tokio::time::sleep(state.settings.mail_poll) => {}
            }
        }
    })
}

/// Sends every message that is due; returns how many were attempted.
pub async fn send_due(state: &AppState, transport: &Transport) -> anyhow::Result<usize> {
    let ids = repo::due(&state.db, 50).await?;
    let mut attempted = 0;
    for id in ids {
        let Some(item) = repo::claim(&state.db, id, LEASE_SECS).await? else { continue };
        attempted += 1;
        match render(state, &item).await {
            Ok(Some(mail)) => match transport.send(&state.settings.mail_from, mail).await {
                Ok(()) => repo::mark_sent(&state.db, item.id).await?,
                Err(e) => {
                    // Log the cause, not the message: it holds a name and address.
                    tracing::warn!(outbox_id = item.id, attempt = item.attempts + 1, error = %e, "email not sent; will retry");
                    let delay = backoff(state, item.attempts);
                    let give_up = item.attempts + 1 >= MAX_ATTEMPTS;
                    repo::mark_retry(&state.db, item.id, now_unix() + delay, &e.to_string(), give_up).await?;
                }
            },
            Ok(None) => repo::mark_retry(&state.db, item.id, now_unix(), "no recipient", true).await?,
            Err(e) => {
                tracing::error!(outbox_id = item.id, error = ?e, "email could not be prepared");
                repo::mark_retry(&state.db, item.id, now_unix() + backoff(state, item.attempts), "prepare failed", false).await?;
            }
        }
    }
    Ok(attempted)
}

fn backoff(state: &AppState, attempts: i64) -> i64 {
    let base = state.settings.mail_retry_base.as_secs().max(1) as i64;
    (base << attempts.clamp(0, 12)).min(3600)
}

async fn render(state: &AppState, item: &repo::OutboxItem) -> anyhow::Result<Option<Outgoing>> {
    let Some(recruit_id) = item.recruit_id else { return Ok(None) };
    let Some(person) = repo::recipient(&state.db, recruit_id).await? else { return Ok(None) };
    let Some(to) = person.email.clone() else { return Ok(None) };
    let lang = Lang::parse(&person.language).unwrap_or(Lang::En);
    let base = &state.base_url;
    let withdraw = repo::create_token(&state.db, recruit_id, "withdraw", WITHDRAW_TTL_SECS).await?;
    let withdraw_url = format!("{base}/withdraw/{withdraw}");
    let force = state.settings.force_name.as_str();
    let contact = state.settings.panel_email.as_str();
    let (subject, text) = match item.kind.as_str() {
        "confirm" => {
            let confirm = repo::create_token(&state.db, recruit_id, "confirm", CONFIRM_TTL_SECS).await?;
            let confirm_url = format!("{base}/confirm/{confirm}");
            (
                t(lang, "email.confirm.subject").to_string(),
                tf(lang, "email.confirm.body", &[
                    ("name", &person.name),
                    ("force", force),
                    ("confirm_url", &confirm_url),
                    ("withdraw_url", &withdraw_url),
                    ("contact", contact),
                ]),
            )
        }
        "message" => {
            // A coordinator's message (invitations); payload is "subject\n\nbody".
            let (subject, body) = item.payload.split_once("\n\n").unwrap_or((&item.payload, ""));
            (
                subject.to_string(),
                format!("{body}\n\n{}", tf(lang, "email.footer", &[("withdraw_url", &withdraw_url), ("contact", contact)])),
            )
        }
        other => anyhow::bail!("unknown email kind {other}"),
    };
    Ok(Some(Outgoing {
        to,
        to_name: person.name,
        subject,
        text,
        message_id: format!("<outbox-{}@scrutiny>", item.id),
    }))
}
