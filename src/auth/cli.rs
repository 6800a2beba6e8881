//! `scrutiny user …`: manage coordinator accounts from the command line.
use anyhow::{anyhow, bail};

use super::repo;
use crate::{audit, password, roles::Role, state::AppState};

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user. The password comes from SCRUTINY_PASSWORD or is asked for.
    Add {
        #[arg(long)]
        email: String,
        /// admin (users and settings), coordinator (recruits and cards), chair (one panel's
        /// meetings, ratings and actions; needs --panel) or viewer (aggregate dashboards only).
        #[arg(long)]
        role: String,
        /// The panel a chair chairs (its short name).
        #[arg(long)]
        panel: Option<String>,
    },
    /// Disable a user: they can no longer sign in, and their sessions end.
    Disable { email: String },
    /// Set a new password (from SCRUTINY_PASSWORD or asked for).
    ResetPassword { email: String },
}

/// The password from `SCRUTINY_PASSWORD`, or asked for at the terminal (twice).
fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("SCRUTINY_PASSWORD") {
        return Ok(p);
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
    let again = rpassword::prompt_password("Same password again: ")?;
    if first != again {
        bail!("the two passwords were different");
    }
    Ok(first)
}

pub async fn run(state: &AppState, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { email, role, panel } => {
            let role = Role::parse(&role).map_err(|e| anyhow!("--role: {e}"))?;
            let panel = match (role, panel) {
                (Role::Chair, Some(slug)) => Some(crate::panels::require_slug(&state.db, "--panel", &slug).await?),
                (Role::Chair, None) => bail!("--panel: a chair chairs one panel; name it (scrutiny panel list)"),
                (_, Some(_)) => bail!("--panel is for chairs only (--role chair)"),
                (_, None) => None,
            };
            if crate::domain::Email::parse(&email).is_err() {
                bail!("--email: enter an email address like name@example.police.uk");
            }
            let pw = read_password()?;
            password::validate_new(&pw).map_err(|e| anyhow!(e))?;
            let hash = password::hash(pw).await?;
            if !repo::add(&state.db, &email, role, &hash).await? {
                bail!("there is already a user with the email {email}");
            }
            if let Some(p) = &panel {
                repo::set_panel(&state.db, &email, Some(p.id)).await?;
            }
            audit::record(&state.db, "cli", "user_added", Some(&email), Some(role.code())).await?;
            println!("added {email} as {}", role.code());
        }
        UserCommand::Disable { email } => {
            if !repo::set_disabled(&state.db, &email, true).await? {
                bail!("there is no user with the email {email}");
            }
            audit::record(&state.db, "cli", "user_disabled", Some(&email), None).await?;
            println!("disabled {email}; their sessions end at their next request");
        }
        UserCommand::ResetPassword { email } => {
            if repo::find_by_email(&state.db, &email).await?.is_none() {
                bail!("there is no user with the email {email}");
            }
            let pw = read_password()?;
            password::validate_new(&pw).map_err(|e| anyhow!(e))?;
            let hash = password::hash(pw).await?;
            repo::set_password(&state.db, &email, &hash).await?;
            audit::record(&state.db, "cli", "password_reset", Some(&email), None).await?;
            println!("password changed for {email}");
        }
    }
    Ok(())
}
