//! The background sender. Wakes when a sign-up queues mail (or every few seconds),
//! sends what is due, and reschedules failures with exponential backoff.
use super::{
    repo,
    transport::{Outgoing, Recipient, Transport},
};
use crate::{
    db::now_unix,
    i18n::{t, tf, Lang},
    state::AppState,
};

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
                Err(e) => tracing::error!(error = %crate::telemetry::error_text(e.as_ref()), "outbox worker"),
            }
            tokio::select! {
                _ = state.mail_wake.notified() => {}
                _ = tokio::time::sleep(state.settings.mail_poll) => {}
            }
        }
    })
}

/// Sends every message that is due; returns how many were attempted. The bookkeeping is
/// batched so that SQLite's single writer is not kept busy by the sender: one write to
/// claim up to 50 messages, one to save their links' tokens (before anything is sent,
/// so no link is ever dead), and one to record every outcome after sending.
pub async fn send_due(state: &AppState, transport: &Transport) -> anyhow::Result<usize> {
    let ids = repo::due(&state.db, 50).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let items = repo::claim_many(&state.db, &ids, LEASE_SECS).await?;
    let mut tokens = Vec::new();
    let mut prepared = Vec::with_capacity(items.len());
    for item in &items {
        let result = render(state, transport, item, &mut tokens).await;
        prepared.push(result);
    }
    repo::save_tokens(&state.db, &tokens).await?;
    // Several at once: each SMTP exchange is a handful of round trips, so one at a time
    // capped sending at about 25 emails a second even on loopback.
    use futures::StreamExt;
    let sending = async {
        let mut queue = items.iter().zip(prepared);
        let mut in_flight = futures::stream::FuturesOrdered::new();
        let mut results = Vec::with_capacity(items.len());
        loop {
            while in_flight.len() < SEND_CONCURRENCY {
                let Some((item, prepared)) = queue.next() else { break };
                in_flight.push_back(deliver(state, transport, item, prepared));
            }
            let Some(result) = in_flight.next().await else { break };
            results.push(result);
        }
        results
    };
    // While the batch is being sent, its claim is renewed well before it runs out, so a
    // slow mail server never lets another instance claim (and send) the same messages.
    let claimed: Vec<i64> = items.iter().map(|i| i.id).collect();
    let renewing = async {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs((LEASE_SECS / 4) as u64)).await;
            if let Err(e) = repo::renew_claims(&state.db, &claimed, LEASE_SECS).await {
                tracing::warn!(error = %crate::telemetry::error_text(&e), "renewing the outbox claim failed");
            }
        }
    };
    let results = tokio::select! {
        results = sending => results,
        _ = renewing => unreachable!("renewing the claim never ends"),
    };
    repo::record_deliveries(&state.db, &results).await?;
    Ok(items.len())
}

/// Emails in flight at once (the SMTP transport keeps up to this many connections open).
const SEND_CONCURRENCY: usize = 8;

/// Sends one claimed message; what happened, to be recorded with the rest of the batch.
async fn deliver(
    state: &AppState,
    transport: &Transport,
    item: &repo::OutboxItem,
    prepared: anyhow::Result<Option<Outgoing>>,
) -> repo::Delivery {
    let retry = |at: i64, error: String, give_up: bool| repo::Delivery {
        id: item.id,
        sent: false,
        next_attempt_at: at,
        error: Some(error),
        give_up,
        provider_id: None,
        reaches_people: false,
    };
    match prepared {
        Ok(Some(message)) => match transport.send(&state.settings.mail_from, message).await {
            Ok(accepted) => repo::Delivery {
                id: item.id,
                sent: true,
                next_attempt_at: 0,
                error: None,
                give_up: false,
                provider_id: accepted.provider_id,
                reaches_people: accepted.reaches_people,
            },
            Err(failed) => {
                // Log the cause, not the message: it holds a name and an address or number.
                let give_up = failed.permanent || item.attempts + 1 >= MAX_ATTEMPTS;
                tracing::warn!(outbox_id = item.id, attempt = item.attempts + 1, give_up, error = %failed.reason, "message not sent");
                retry(now_unix() + backoff(state, item.attempts), failed.reason, give_up)
            }
        },
        Ok(None) => retry(now_unix(), "no way to reach this person".into(), true),
        Err(e) => {
            tracing::error!(outbox_id = item.id, error = %crate::telemetry::error_text(e.as_ref()), "message could not be prepared");
            retry(now_unix() + backoff(state, item.attempts), "prepare failed".into(), false)
        }
    }
}

fn backoff(state: &AppState, attempts: i64) -> i64 {
    let base = state.settings.mail_retry_base.as_secs().max(1) as i64;
    (base << attempts.clamp(0, 12)).min(3600)
}

/// The message for one outbox row, by the person's channel; the tokens its links need
/// are added to `tokens` (saved before anything is sent). None: no way to reach them.
async fn render(
    state: &AppState,
    transport: &Transport,
    item: &repo::OutboxItem,
    tokens: &mut Vec<repo::NewToken>,
) -> anyhow::Result<Option<Outgoing>> {
    let Some(recruit_id) = item.recruit_id else { return Ok(None) };
    let Some(person) = repo::recipient(&state.db, recruit_id).await? else { return Ok(None) };
    let lang = Lang::parse(&person.language).unwrap_or(state.settings.default_language);
    // A bilingual force (SCRUTINY_BILINGUAL_MESSAGES) sends its own language first, then
    // the person's, in one message.
    let second = (state.settings.bilingual_messages && lang != state.settings.default_language).then_some(lang);
    let first = if second.is_some() { state.settings.default_language } else { lang };
    let subject_of = |key: &str| match second {
        Some(l) => format!("{} / {}", t(first, key), t(l, key)),
        None => t(first, key).to_string(),
    };
    let body_of = |key: &str, args: &[(&str, &str)]| match second {
        Some(l) => format!("{}\n\n\u{2014}\u{2014}\u{2014}\n\n{}", tf(first, key, args), tf(l, key, args)),
        None => tf(first, key, args),
    };
    let base = &state.base_url;
    let force = state.settings.force_name.as_str();
    let contact = state.settings.panel_email.as_str();
    let reference = format!("outbox-{}", item.id);
    let by_text = person.phone.is_some() && transport.can_sms();
    // Confirmations go by email when there is an address, else by text; other messages
    // follow the person's choice of contact.
    let channel = match item.kind.as_str() {
        "confirm" | "update" if person.email.is_some() => Channel::Email,
        "confirm" if by_text => Channel::Sms,
        "message" if person.contact_method == "phone" && by_text => Channel::Sms,
        "message" if person.email.is_some() => Channel::Email,
        "message" if by_text => Channel::Sms,
        "meeting" if person.contact_method == "phone" && by_text => Channel::Sms,
        "meeting" if person.email.is_some() => Channel::Email,
        "meeting" if by_text => Channel::Sms,
        _ => return Ok(None),
    };
    // Links carry the person's language (a Welsh speaker's link opens Welsh pages).
    let lang_q = format!("?lang={}", lang.code());
    if item.kind == "meeting" {
        // Like every message to a person, it says how to leave the list.
        let leave = if channel == Channel::Sms {
            let withdraw = repo::NewToken::push_short(tokens, recruit_id, "withdraw", WITHDRAW_TTL_SECS, None);
            tf(lang, "sms.footer", &[("url", &format!("{base}/w/{withdraw}"))])
        } else {
            let withdraw = repo::NewToken::push(tokens, recruit_id, "withdraw", WITHDRAW_TTL_SECS);
            let withdraw_url = format!("{base}/withdraw/{withdraw}{lang_q}");
            tf(lang, "email.footer", &[("withdraw_url", &withdraw_url), ("contact", contact)])
        };
        let invitation = Invitation { person: &person, lang, by_text: channel == Channel::Sms, leave };
        return meeting_invitation(state, transport, item, invitation, reference).await;
    }
    if channel == Channel::Sms {
        let phone = person.phone.clone().unwrap_or_default();
        let text = match item.kind.as_str() {
            "confirm" => {
                let confirm = repo::NewToken::push_short(tokens, recruit_id, "confirm", CONFIRM_TTL_SECS, None);
                body_of("sms.confirm", &[("force", force), ("url", &format!("{base}/c/{confirm}"))])
            }
            _ => {
                let withdraw = repo::NewToken::push_short(tokens, recruit_id, "withdraw", WITHDRAW_TTL_SECS, None);
                let (_, body) = item.payload.split_once("\n\n").unwrap_or(("", &item.payload));
                format!("{body}\n{}", tf(lang, "sms.footer", &[("url", &format!("{base}/w/{withdraw}"))]))
            }
        };
        return Ok(Some(Outgoing {
            to: Recipient::Sms { phone },
            subject: String::new(),
            text,
            reference,
            calendar: None,
        }));
    }
    let Some(to) = person.email.clone() else { return Ok(None) };
    let withdraw = repo::NewToken::push(tokens, recruit_id, "withdraw", WITHDRAW_TTL_SECS);
    let withdraw_url = format!("{base}/withdraw/{withdraw}{lang_q}");
    let (subject, text) = match item.kind.as_str() {
        "confirm" => {
            let confirm = repo::NewToken::push(tokens, recruit_id, "confirm", CONFIRM_TTL_SECS);
            let confirm_url = format!("{base}/confirm/{confirm}{lang_q}");
            (
                subject_of("email.confirm.subject"),
                body_of(
                    "email.confirm.body",
                    &[
                        ("name", &person.name),
                        ("force", force),
                        ("confirm_url", &confirm_url),
                        ("withdraw_url", &withdraw_url),
                        ("contact", contact),
                    ],
                ),
            )
        }
        "update" => {
            // Someone signed up again with this address: ask the person (at the address on
            // record) whether to use the new answers. The link applies those answers only.
            let pending_id: i64 = item.payload.parse().map_err(|_| anyhow::anyhow!("update email without answers"))?;
            // What would be applied, so the person can see whether it was them.
            let answers = crate::signup::pending_summary(&state.db, pending_id).await?.unwrap_or_default();
            let confirm = repo::NewToken::push_for(tokens, recruit_id, "confirm", CONFIRM_TTL_SECS, Some(pending_id));
            let confirm_url = format!("{base}/confirm/{confirm}{lang_q}");
            (
                subject_of("email.update.subject"),
                body_of(
                    "email.update.body",
                    &[
                        ("name", &person.name),
                        ("answers", &answers),
                        ("force", force),
                        ("confirm_url", &confirm_url),
                        ("withdraw_url", &withdraw_url),
                        ("contact", contact),
                    ],
                ),
            )
        }
        _ => {
            // A coordinator's message (invitations); payload is "subject\n\nbody".
            let (subject, body) = item.payload.split_once("\n\n").unwrap_or((&item.payload, ""));
            (
                subject.to_string(),
                format!(
                    "{body}\n\n{}",
                    tf(lang, "email.footer", &[("withdraw_url", &withdraw_url), ("contact", contact)])
                ),
            )
        }
    };
    Ok(Some(Outgoing {
        to: Recipient::Email { address: to, name: person.name },
        subject,
        text,
        reference,
        calendar: None,
    }))
}

/// Whom a meeting invitation goes to, how, and its "leave the list" footer.
struct Invitation<'a> {
    person: &'a repo::Recipient,
    lang: Lang,
    by_text: bool,
    leave: String,
}

/// An invitation to a panel meeting (payload: the meeting's id), in the person's
/// language, by their channel; by email with the meeting as a calendar file.
async fn meeting_invitation(
    state: &AppState,
    transport: &Transport,
    item: &repo::OutboxItem,
    invitation: Invitation<'_>,
    reference: String,
) -> anyhow::Result<Option<Outgoing>> {
    let Invitation { person, lang, by_text, leave } = invitation;
    let meeting_id: i64 = item.payload.parse().map_err(|_| anyhow::anyhow!("meeting invitation without a meeting"))?;
    // A meeting deleted since: nothing to say (given up, not retried).
    let Some(m) = crate::meetings::invitation(&state.db, meeting_id).await? else { return Ok(None) };
    let when = if lang == Lang::En { m.starts_at.human() } else { m.starts_at.numeric() };
    let online = m.online_link.as_deref().map(|l| tf(lang, "meeting.online", &[("link", l)]));
    let place = match (m.place.as_deref(), online.as_deref()) {
        (Some(p), Some(o)) => format!("{p} ({o})"),
        (Some(p), None) => p.to_string(),
        (None, Some(o)) => o.to_string(),
        (None, None) => String::new(),
    };
    let contact = state.settings.panel_email.as_str();
    let args =
        [("panel", m.panel_name.as_str()), ("when", when.as_str()), ("where", place.as_str()), ("contact", contact)];
    if by_text {
        let Some(phone) = person.phone.clone() else { return Ok(None) };
        let text = format!("{}\n{leave}", tf(lang, "sms.meeting", &args));
        return Ok(Some(Outgoing {
            to: Recipient::Sms { phone },
            subject: String::new(),
            text,
            reference,
            calendar: None,
        }));
    }
    let Some(address) = person.email.clone() else { return Ok(None) };
    let agenda = m.agenda.as_deref().map(|a| tf(lang, "email.meeting.agenda", &[("agenda", a)])).unwrap_or_default();
    // Notify's email API takes no attachment: there the text alone says when and where.
    let calendar_note = if transport.attaches_files() { t(lang, "email.meeting.calendar") } else { "" };
    let mut body_args = args.to_vec();
    body_args.push(("name", person.name.as_str()));
    body_args.push(("agenda", agenda.as_str()));
    body_args.push(("calendar", calendar_note));
    let host = state.base_url.split("://").nth(1).unwrap_or("scrutiny").split('/').next().unwrap_or("scrutiny");
    let stamp = crate::domain::utc_of_unix(now_unix());
    let ics = crate::meetings::ics::calendar(&crate::meetings::ics::CalendarEvent {
        uid: format!("meeting-{meeting_id}@{host}"),
        starts_at: m.starts_at,
        minutes_long: m.minutes_long,
        summary: &m.panel_name,
        location: (!place.is_empty()).then_some(place.as_str()),
        url: m.online_link.as_deref(),
        description: m.agenda.as_deref(),
        stamp: format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            stamp.year(),
            u8::from(stamp.month()),
            stamp.day(),
            stamp.hour(),
            stamp.minute(),
            stamp.second()
        ),
    });
    Ok(Some(Outgoing {
        to: Recipient::Email { address, name: person.name.clone() },
        subject: tf(lang, "email.meeting.subject", &args),
        text: format!("{}\n\n{leave}", tf(lang, "email.meeting.body", &body_args)),
        reference,
        calendar: transport.attaches_files().then_some(ics),
    }))
}

#[derive(PartialEq, Eq)]
enum Channel {
    Email,
    Sms,
}
