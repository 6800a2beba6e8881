//! The `scrutiny` command line. With no subcommand it serves the web app.
use clap::{Parser, Subcommand};

use crate::{
    auth::cli::UserCommand, cards::cli::CardsCommand, demographics::cli::ImportCommand, panels::cli::PanelCommand,
};

#[derive(Parser, Debug)]
#[command(
    name = "scrutiny",
    version,
    about = "Recruit people who were stopped and searched onto your community scrutiny panel.",
    long_about = "Recruit people who were stopped and searched onto your community scrutiny panel.\n\n\
        Configuration comes from environment variables (see the README): DATABASE_URL, \
        LEPTOS_SITE_ADDR, SCRUTINY_BASE_URL, SCRUTINY_SMTP_URL, SCRUTINY_MAIL_FROM, RUST_LOG. \
        With no subcommand, scrutiny serves the web app."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (the default): migrates the database, then listens on LEPTOS_SITE_ADDR.
    Serve,
    /// Apply pending database migrations to DATABASE_URL and exit.
    Migrate,
    /// Card batches: create a print run of cards with unique QR codes, or void one.
    #[command(subcommand)]
    Cards(CardsCommand),
    /// Panels: add a district, youth or use-of-force panel, or list them.
    #[command(subcommand)]
    Panel(PanelCommand),
    /// Coordinator accounts: add, disable, reset a password.
    #[command(subcommand)]
    User(UserCommand),
    /// Import data: stop-and-search records from data.police.uk, or census population.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Reports as CSV on standard output.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Apply the retention schedule now (the server also does it daily).
    Purge {
        /// Only show what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a consistent copy of the SQLite database to FILE while the app runs
    /// (restore: stop the app, use the copy as DATABASE_URL). PostgreSQL: use pg_dump.
    Backup { file: std::path::PathBuf },
    /// A reproducible random sample of imported police.uk searches for the panel to
    /// scrutinise, as CSV (the police.uk columns and values as published, in sample order).
    Sample(crate::demographics::cli::SampleArgs),
    /// Fill an empty database with made-up recruits, cards and scans (and optionally
    /// real data.police.uk files) for benchmarks and demonstrations.
    Seed(crate::seed::SeedArgs),
}

/// `scrutiny report …`: the search data's reports and the panels'.
#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    #[command(flatten)]
    Searches(crate::demographics::cli::ReportCommand),
    /// A panel's year as CSV (section,item,detail,value): meetings, cases reviewed by type
    /// and rating, themes, actions and replies, attendance, and the panel's make-up against
    /// the people searched (member counts below 5 withheld, as on the insight page).
    Panel(crate::meetings::cli::PanelReportArgs),
}
