//! The `scrutiny` command line. With no subcommand it serves the web app.
use clap::{Parser, Subcommand};

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
}
