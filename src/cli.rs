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
    /// Card batches: create a print run of cards with unique QR codes, or void one.
    #[command(subcommand)]
    Cards(CardsCommand),
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
    /// Fill an empty database with made-up recruits, cards and scans (and optionally
    /// real data.police.uk files) for benchmarks and demonstrations.
    Seed(crate::seed::SeedArgs),
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user. The password comes from SCRUTINY_PASSWORD or is asked for.
    Add {
        #[arg(long)]
        email: String,
        /// admin (users and settings), coordinator (recruits and cards) or viewer (aggregate dashboards only).
        #[arg(long)]
        role: String,
    },
    /// Disable a user: they can no longer sign in, and their sessions end.
    Disable { email: String },
    /// Set a new password (from SCRUTINY_PASSWORD or asked for).
    ResetPassword { email: String },
}

#[derive(Subcommand, Debug)]
pub enum CardsCommand {
    /// Create a batch of cards and write its print file. Prints the new batch id.
    Create {
        /// What the print run is called, e.g. "Parkside, March 2027".
        #[arg(long)]
        label: String,
        /// How many cards (1 to 20,000).
        #[arg(long)]
        count: String,
        /// Area, team or station the cards go to.
        #[arg(long, default_value = "")]
        area: String,
        /// Last day the cards work (YYYY-MM-DD).
        #[arg(long, default_value = "")]
        expires: String,
        /// a4: A4 sheets, 10 cards up, fronts then mirrored backs; cr80: one card per page.
        #[arg(long, value_enum, default_value = "a4")]
        layout: LayoutArg,
        /// Languages on the card, in card order, e.g. "cy,en" (en, cy, pl, ro, ar; Welsh
        /// always first). Default: the force's default language (and English beside it).
        #[arg(long, default_value = "")]
        languages: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Void a batch: its cards then show a "no longer in use" page that still invites people to join.
    Void {
        /// The batch id printed by `cards create`.
        batch: i64,
    },
    /// Show or change this force's card wording (used by every print file made afterwards).
    Wording {
        /// The language to show or change: en, cy, pl, ro or ar.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Heading on the front, e.g. "Stopped and searched? Know your rights".
        #[arg(long)]
        heading: Option<String>,
        /// Text file for the front: paragraphs separated by blank lines.
        #[arg(long)]
        body_file: Option<std::path::PathBuf>,
        /// The one-line invitation on the back.
        #[arg(long)]
        invitation: Option<String>,
        /// Go back to the default wording for this language.
        #[arg(long)]
        reset: bool,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum LayoutArg {
    A4,
    Cr80,
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Monthly data.police.uk stop-and-search CSVs (YYYY-MM-<force>-stop-and-search.csv).
    /// Re-importing a force-month replaces it; a bad file imports nothing.
    PoliceUk {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Force slug (e.g. metropolitan) for files whose names carry none, like
        /// 2022-09.csv; a file whose name names another force is refused.
        #[arg(long)]
        force: Option<String>,
        /// Import a file with no rows even though its force-month has searches (they are
        /// removed).
        #[arg(long)]
        allow_empty: bool,
    },
    /// Census 2021 ethnic group by local authority and sex, aggregated to force areas.
    Census {
        file: std::path::PathBuf,
        /// Local authority → police force area lookup (LAD20CD, PFA20NM columns).
        #[arg(long)]
        lookup: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// Recruits and members vs people searched vs population (CSV; counts of recruits
    /// and members below 5 are shown as "<5").
    Demographics {
        /// Only this force's searches and population (police.uk slug, e.g. metropolitan).
        #[arg(long)]
        force: Option<String>,
    },
    /// Searches per 1,000 people by ethnic group and the ratio to White (Home Office
    /// method, Census 2021 populations), per force, as CSV:
    /// force,ethnic_group,searches,population,rate_per_1000,ratio_to_white
    Disproportionality {
        /// Only this force (police.uk slug).
        #[arg(long)]
        force: Option<String>,
        /// First month, YYYY-MM.
        #[arg(long)]
        from: Option<String>,
        /// Last month, YYYY-MM.
        #[arg(long)]
        to: Option<String>,
        /// self: self-defined ethnicity with the officer's where none was stated; officer: officer-defined.
        #[arg(long, default_value = "self")]
        basis: String,
    },
}
