//! Retention: personal data is kept only as long as the schedule allows.
//! `scrutiny purge` applies it (with `--dry-run` to preview) and the server runs
//! it once a day.
#[cfg(feature = "ssr")]
pub mod repo;

#[cfg(feature = "ssr")]
pub use schedule::*;

#[cfg(feature = "ssr")]
mod schedule {
    use std::time::Duration;

    use super::repo;
    use crate::{
        config::Settings,
        db::{now_unix, Db, DbError},
    };

    /// How long each kind of record is kept, in days.
    #[derive(Clone, Copy, Debug)]
    pub struct Schedule {
        pub unconfirmed_days: i64,
        pub withdrawn_days: i64,
        pub scan_days: i64,
    }

    impl Schedule {
        pub fn from_settings(s: &Settings) -> Schedule {
            Schedule {
                unconfirmed_days: s.retain_unconfirmed_days,
                withdrawn_days: s.retain_withdrawn_days,
                scan_days: s.retain_scan_days,
            }
        }
    }

    /// What a purge removed (or, in a dry run, would remove).
    #[derive(Debug, Default, PartialEq, Eq)]
    pub struct PurgeReport {
        pub unconfirmed_recruits: i64,
        pub withdrawn_or_declined_recruits: i64,
        pub scans_folded_into_counts: i64,
        pub expired_sessions: i64,
        pub old_tokens: i64,
        pub sent_emails: i64,
        pub unconfirmed_pending_answers: i64,
    }

    impl std::fmt::Display for PurgeReport {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            writeln!(f, "unconfirmed sign-ups:            {}", self.unconfirmed_recruits)?;
            writeln!(f, "withdrawn or declined people:    {}", self.withdrawn_or_declined_recruits)?;
            writeln!(f, "scan records (counts are kept):  {}", self.scans_folded_into_counts)?;
            writeln!(f, "expired sessions:                {}", self.expired_sessions)?;
            writeln!(f, "used or expired email links:     {}", self.old_tokens)?;
            writeln!(f, "sent emails:                     {}", self.sent_emails)?;
            write!(f, "answers never confirmed (8 days): {}", self.unconfirmed_pending_answers)
        }
    }

    pub async fn purge(db: &Db, schedule: Schedule, dry_run: bool) -> Result<PurgeReport, DbError> {
        repo::purge(db, schedule, now_unix(), dry_run).await
    }

    /// Runs the purge once a day in the server.
    pub fn spawn_daily(db: Db, schedule: Schedule) {
        tokio::spawn(async move {
            loop {
                match purge(&db, schedule, false).await {
                    Ok(report) => tracing::info!(?report, "retention purge done"),
                    Err(e) => tracing::error!(error = %crate::telemetry::error_text(&e), "retention purge failed"),
                }
                tokio::time::sleep(Duration::from_secs(24 * 3600)).await;
            }
        });
    }
}
