//! Where emails go: an SMTP server (`SCRUTINY_SMTP_URL`) or, by default, `.eml`
//! files in `data/outbox/` so a one-machine install works with no mail server.
use std::path::PathBuf;

use anyhow::Context;
use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// One rendered email.
pub struct Outgoing {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub message_id: String,
}

impl Transport {
    pub fn from_settings(smtp_url: Option<&str>, data_dir: &std::path::Path) -> anyhow::Result<Transport> {
        Ok(match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SCRUTINY_SMTP_URL is not a valid SMTP URL")?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            ),
            None => {
                let dir = data_dir.join("outbox");
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create the email folder {}", dir.display()))?;
                Transport::Files(AsyncFileTransport::new(&dir), dir)
            }
        })
    }

    pub async fn send(&self, from: &str, mail: Outgoing) -> anyhow::Result<()> {
        let from: Mailbox = from.parse().context("SCRUTINY_MAIL_FROM is not a valid address")?;
        let to = Mailbox::new(Some(mail.to_name), mail.to.parse().context("recipient address")?);
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject)
            .message_id(Some(mail.message_id))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text)
            .context("building the message")?;
        match self {
            Transport::Smtp(t) => {
                t.send(message).await.context("SMTP server refused or unreachable")?;
            }
            Transport::Files(t, _) => {
                t.send(message).await.context("writing the .eml file")?;
            }
        }
        Ok(())
    }
}
