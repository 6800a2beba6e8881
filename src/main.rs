use clap::Parser;
use scrutiny::{
    cli::{Cli, Command, ReportCommand},
    config::Settings,
    db::Db,
    startup::Application,
};

#[tokio::main]
async fn main() {
    // Errors end the command with their message and causes on one line each, not a
    // backtrace (RUST_BACKTRACE may be set for the server's sake).
    if let Err(e) = run().await {
        eprintln!("Error: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if !matches!(cli.command, None | Some(Command::Serve)) {
        // A command's output piped into `head` ends it quietly, as for any Unix tool
        // (Rust ignores SIGPIPE, so println! would panic on the closed pipe).
        #[cfg(unix)]
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    // Held to the end of the command: dropping it writes out the server's queued log lines.
    let _log = scrutiny::telemetry::init(matches!(cli.command, None | Some(Command::Serve)));
    let settings = Settings::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings).await?;
            tracing::info!(address = %app.address(), base_url = %app.base_url(), "scrutiny is listening");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let db = Db::connect(&settings.database_url).await?;
            db.migrate().await?;
            println!("migrations applied ({})", db.backend().name());
        }
        Command::Cards(command) => {
            let state = scrutiny::startup::cli_state(settings).await?;
            scrutiny::cards::cli::run(&state, command).await?;
        }
        Command::Panel(command) => {
            let state = scrutiny::startup::cli_state(settings).await?;
            scrutiny::panels::cli::run(&state, command).await?;
        }
        Command::Import(command) => {
            let state = scrutiny::startup::cli_state(settings).await?;
            scrutiny::demographics::cli::import(&state, command).await?;
        }
        Command::Sample(args) => {
            let state = scrutiny::startup::cli_state(settings).await?;
            scrutiny::demographics::cli::sample(&state, args).await?;
        }
        Command::Report(command) => {
            let state = scrutiny::startup::cli_state(settings).await?;
            match command {
                ReportCommand::Searches(command) => scrutiny::demographics::cli::report(&state, command).await?,
                ReportCommand::Panel(args) => scrutiny::meetings::cli::panel_report(&state, args).await?,
            }
        }
        Command::Purge { dry_run } => {
            let state = scrutiny::startup::cli_state(settings).await?;
            let schedule = scrutiny::retention::Schedule::from_settings(&state.settings);
            let report = scrutiny::retention::purge(&state.db, schedule, dry_run).await?;
            println!("{}", if dry_run { "would delete:" } else { "deleted:" });
            println!("{report}");
            scrutiny::audit::record(&state.db, "cli", if dry_run { "purge_dry_run" } else { "purge" }, None, None)
                .await?;
        }
        Command::Backup { file } => {
            let db = Db::connect(&settings.database_url).await?;
            scrutiny::db::backup::backup(&db, &file).await?;
            println!("backup written to {}", file.display());
        }
        Command::Seed(args) => {
            let db = Db::connect(&settings.database_url).await?;
            db.migrate().await?;
            scrutiny::seed::run(&db, args).await?;
        }
        Command::User(command) => {
            let state = scrutiny::startup::cli_state(settings).await?;
            scrutiny::auth::cli::run(&state, command).await?;
        }
    }
    Ok(())
}
