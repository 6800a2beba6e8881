//! Where messages go: GOV.UK Notify (email and text messages, `SCRUTINY_NOTIFY_*`), an
//! SMTP server (`SCRUTINY_SMTP_URL`, email only) or, by default, `.eml` files in
//! `data/outbox/` so a one-machine install works with no mail server. Files are for
//! trying it out: nothing written there counts as sent to a person (see `reaches_people`).
use anyhow::Context;
use lettre::{
    message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart},
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use super::notify::{Notify, NotifyError};
use crate::config::Settings;

#[derive(Clone)]
pub struct Transport {
    email: EmailTransport,
    /// Text messages: Notify with an SMS template, or none.
    sms: Option<Notify>,
}

#[derive(Clone)]
enum EmailTransport {
    Notify(Notify),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

/// Who a message goes to, and by which channel.
#[derive(Clone, Debug)]
pub enum Recipient {
    Email { address: String, name: String },
    Sms { phone: String },
}

/// One rendered message.
pub struct Outgoing {
    pub to: Recipient,
    /// Emails only.
    pub subject: String,
    pub text: String,
    /// Stable per outbox row (`outbox-<id>`): the Message-ID of an email, the `reference`
    /// given to Notify (its delivery receipts name it).
    pub reference: String,
    /// An iCalendar file (meeting invitations), attached to emails sent by SMTP or to the
    /// outbox folder as `meeting.ics`. Notify's email API takes no attachments: there the
    /// text alone carries the date, time and place.
    pub calendar: Option<String>,
}

/// What the service said.
#[derive(Debug)]
pub struct Accepted {
    /// Notify's id for the message, when Notify took it.
    pub provider_id: Option<String>,
    /// Accepted by a service that reaches people (SMTP or Notify), not written to a file.
    pub reaches_people: bool,
}

/// A failed send: `permanent` ones (Notify's 400: the request itself is wrong) are never
/// retried; the rest are, with the outbox's back-off.
#[derive(Debug)]
pub struct Failed {
    pub reason: String,
    pub permanent: bool,
}

impl Transport {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Transport> {
        let notify = settings.notify.clone().map(Notify::new).transpose()?;
        let email = match (&notify, &settings.smtp_url) {
            (Some(n), _) if n.can_email() => EmailTransport::Notify(n.clone()),
            (_, Some(url)) => EmailTransport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SCRUTINY_SMTP_URL is not a valid SMTP URL")?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ),
            _ => {
                let dir = settings.data_dir.join("outbox");
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create the email folder {}", dir.display()))?;
                EmailTransport::Files(AsyncFileTransport::new(&dir))
            }
        };
        Ok(Transport { email, sms: notify.filter(Notify::can_sms) })
    }

    /// Can emails carry attachments (SMTP and the outbox folder can; Notify's API cannot)?
    pub fn attaches_files(&self) -> bool {
        !matches!(self.email, EmailTransport::Notify(_))
    }

    /// Can text messages be sent?
    pub fn can_sms(&self) -> bool {
        self.sms.is_some()
    }

    pub async fn send(&self, from: &str, message: Outgoing) -> Result<Accepted, Failed> {
        // The reason is kept in the outbox and logged: through safe_text, since a mail
        // server's reply names the recipient (`550 5.1.1 <address>: rejected`).
        let temporary =
            |e: anyhow::Error| Failed { reason: crate::telemetry::error_text(e.as_ref()), permanent: false };
        match (&message.to, &self.email, &self.sms) {
            (Recipient::Sms { phone }, _, Some(notify)) => {
                let id = notify.send_sms(phone, &message.text, &message.reference).await.map_err(Failed::from)?;
                Ok(Accepted { provider_id: Some(id), reaches_people: true })
            }
            (Recipient::Sms { .. }, _, None) => {
                Err(Failed { reason: "no text message service is configured".into(), permanent: true })
            }
            (Recipient::Email { address, .. }, EmailTransport::Notify(notify), _) => {
                let id = notify
                    .send_email(address, &message.subject, &message.text, &message.reference)
                    .await
                    .map_err(Failed::from)?;
                Ok(Accepted { provider_id: Some(id), reaches_people: true })
            }
            (Recipient::Email { address, name }, transport, _) => {
                let from: Mailbox =
                    from.parse().context("SCRUTINY_MAIL_FROM is not a valid address").map_err(temporary)?;
                let to =
                    Mailbox::new(Some(name.clone()), address.parse().context("recipient address").map_err(temporary)?);
                let builder = Message::builder()
                    .from(from)
                    .to(to)
                    .subject(message.subject)
                    .message_id(Some(format!("<{}@scrutiny>", message.reference)));
                let mail = match message.calendar {
                    None => builder.header(ContentType::TEXT_PLAIN).body(message.text),
                    Some(ics) => {
                        let calendar = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                            .context("calendar content type")
                            .map_err(temporary)?;
                        builder.multipart(
                            MultiPart::mixed()
                                .singlepart(SinglePart::plain(message.text))
                                .singlepart(Attachment::new("meeting.ics".into()).body(ics, calendar)),
                        )
                    }
                }
                .context("building the message")
                .map_err(temporary)?;
                match transport {
                    EmailTransport::Smtp(t) => {
                        t.send(mail).await.context("SMTP server refused or unreachable").map_err(temporary)?;
                        Ok(Accepted { provider_id: None, reaches_people: true })
                    }
                    EmailTransport::Files(t) => {
                        t.send(mail).await.context("writing the .eml file").map_err(temporary)?;
                        Ok(Accepted { provider_id: None, reaches_people: false })
                    }
                    EmailTransport::Notify(_) => unreachable!("matched above"),
                }
            }
        }
    }
}

impl From<NotifyError> for Failed {
    fn from(e: NotifyError) -> Failed {
        // Notify's error message may echo what was sent (address, links, tokens).
        Failed { permanent: e.is_permanent(), reason: crate::telemetry::safe_text(&e.to_string()) }
    }
}
