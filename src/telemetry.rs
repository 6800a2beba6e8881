//! Structured logging. `RUST_LOG` filters (default `info`); `SCRUTINY_LOG_FORMAT=json`
//! switches to one JSON object per line for log shippers. Logs never carry
//! personal data: requests are logged by route template, not by URL.
use tracing_subscriber::{fmt, EnvFilter};

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let json = std::env::var("SCRUTINY_LOG_FORMAT").map(|v| v == "json").unwrap_or(false);
    use std::io::IsTerminal;
    // Colours only for people at a terminal; log files and collectors get plain text.
    let builder = fmt().with_env_filter(filter).with_target(false).with_ansi(std::io::stdout().is_terminal());
    // try_init: tests start many apps in one process.
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}
