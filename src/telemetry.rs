//! Structured logging. `RUST_LOG` filters (default `info`); `SCRUTINY_LOG_FORMAT=json`
//! switches to one JSON object per line for log shippers. Logs never carry
//! personal data: requests are logged by route template, not by URL.
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_subscriber::{fmt, fmt::MakeWriter, EnvFilter};

/// How often the server's gathered log lines are written out.
const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// Past this many gathered bytes, the request that logs writes them out itself.
const MAX_GATHERED: usize = 1 << 20;

/// Starts logging to standard output. The server (`gather`) gathers its lines in memory
/// and writes them out every 100 ms, many per write. A line per request written in place
/// (or through a writer thread woken for each) cost the card landing page about a tenth
/// of its requests a second on 2 cores (`benches/landing.sh`). Nothing is dropped: past
/// 1 MiB gathered, the request that logs writes them out itself. Hold the guard until the
/// end: dropping it writes out what is gathered (a SIGKILL loses at most the last 100 ms).
pub fn init(gather: bool) -> LogGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("SCRUTINY_LOG_FORMAT").map(|v| v == "json").unwrap_or(false);
    use std::io::IsTerminal;
    // Colours only for people at a terminal; log files and collectors get plain text.
    let builder = fmt().with_env_filter(filter).with_target(false).with_ansi(std::io::stdout().is_terminal());
    if !gather {
        // try_init: tests start many apps in one process.
        let _ = if json { builder.json().try_init() } else { builder.try_init() };
        return LogGuard(None);
    }
    let lines = Gathered::default();
    let builder = builder.with_writer(lines.clone());
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
    let flusher = lines.clone();
    std::thread::Builder::new()
        .name("scrutiny-log".into())
        .spawn(move || loop {
            std::thread::sleep(FLUSH_EVERY);
            flusher.write_out();
        })
        .expect("a thread to write out the logs");
    LogGuard(Some(lines))
}

/// Writes out the gathered log lines when dropped.
pub struct LogGuard(Option<Gathered>);

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Some(lines) = &self.0 {
            lines.write_out();
        }
    }
}

/// Log lines waiting to be written to standard output.
#[derive(Clone, Default)]
struct Gathered(Arc<Mutex<Vec<u8>>>);

impl Gathered {
    fn write_out(&self) {
        // Standard output first, so lines written out by two threads keep their order.
        let mut out = std::io::stdout().lock();
        let lines = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
        if !lines.is_empty() {
            // A closed or full standard output must not stop the server.
            let _ = out.write_all(&lines).and_then(|_| out.flush());
        }
    }
}

/// One log line's writer: appends to the gathered lines.
struct Line<'a>(&'a Gathered);

impl Write for Line<'_> {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let full = {
            let mut gathered = self.0 .0.lock().unwrap_or_else(|e| e.into_inner());
            gathered.extend_from_slice(line);
            gathered.len() > MAX_GATHERED
        };
        if full {
            self.0.write_out();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Gathered {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        Line(self)
    }
}
