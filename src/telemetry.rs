//! Structured logging. `RUST_LOG` filters (default `info`); `SCRUTINY_LOG_FORMAT=json`
//! switches to one JSON object per line for log shippers. Logs never carry
//! personal data: requests are logged by route template, not by URL, and text that comes
//! from outside (a mail server's reply, an error's causes) goes through [`safe_text`].
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_subscriber::{fmt, fmt::MakeWriter, EnvFilter};

/// How often the server's gathered log lines are written out.
const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// Past this many gathered bytes (standard output not being read), lines are dropped and
/// counted instead of making requests wait.
const MAX_GATHERED: usize = 8 << 20;
/// At shutdown, how long the last lines may take to be written out.
const LAST_WRITE: Duration = Duration::from_secs(2);

/// Starts logging to standard output. The server (`gather`) gathers its lines in memory
/// and a thread of its own writes them out every 100 ms, many per write: a request never
/// writes to standard output itself. A line per request written in place cost the card
/// landing page about a fifth of its requests a second on 2 cores (`benches/landing.sh`),
/// and when whatever reads standard output stopped reading, every request waited on it.
/// Now, past 8 MiB gathered, lines are dropped and the count is logged once writing
/// resumes. Hold the guard until the end: dropping it writes out what is gathered (for at
/// most 2 s); a SIGKILL loses at most the last 100 ms.
pub fn init(gather: bool) -> LogGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
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

/// `info`; the session layer's warnings about malformed cookies (their decoding error,
/// written by whoever sends one, as often as they like) only at `error`.
const DEFAULT_FILTER: &str = "info,sqlx=warn,tower_sessions=error";

/// Writes out the gathered log lines when dropped (for at most [`LAST_WRITE`]: a reader
/// that stopped reading must not keep the server from stopping).
pub struct LogGuard(Option<Gathered>);

impl Drop for LogGuard {
    fn drop(&mut self) {
        if let Some(lines) = self.0.take() {
            let (done, wait) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                lines.write_out();
                let _ = done.send(());
            });
            let _ = wait.recv_timeout(LAST_WRITE);
        }
    }
}

/// Log lines waiting to be written to standard output, and how many were dropped.
#[derive(Clone, Default)]
struct Gathered(Arc<Waiting>);

#[derive(Default)]
struct Waiting {
    lines: Mutex<Vec<u8>>,
    dropped: AtomicU64,
}

impl Gathered {
    /// Only the log thread (and shutdown) calls this: it may wait on standard output.
    fn write_out(&self) {
        // Standard output first, so lines written out by two threads keep their order.
        let mut out = std::io::stdout().lock();
        let lines = std::mem::take(&mut *self.0.lines.lock().unwrap_or_else(|e| e.into_inner()));
        let dropped = self.0.dropped.swap(0, Ordering::Relaxed);
        // A closed or full standard output must not stop the server.
        if !lines.is_empty() {
            let _ = out.write_all(&lines);
        }
        if dropped > 0 {
            let _ = writeln!(out, "WARN {dropped} log lines dropped: standard output was not being read");
        }
        let _ = out.flush();
    }
}

/// One log line's writer: appends to the gathered lines, or counts it as dropped.
struct Line<'a>(&'a Gathered);

impl Write for Line<'_> {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut gathered = self.0 .0.lines.lock().unwrap_or_else(|e| e.into_inner());
        if gathered.len() + line.len() > MAX_GATHERED {
            drop(gathered);
            self.0 .0.dropped.fetch_add(1, Ordering::Relaxed);
        } else {
            gathered.extend_from_slice(line);
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

/// An error for the log: its message and each cause on one line (`a: b: c`, never a
/// backtrace), through [`safe_text`]. An `anyhow::Error` as `error_text(e.as_ref())`.
pub fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    safe_text(&text)
}

/// Text from outside (a mail server's or Notify's reply, a driver's message) made fit for
/// logs and the outbox: anything like an email address, a link or a phone number is
/// replaced by `[address]`, `[link]` or `[number]` (mail servers echo the recipient; a
/// provider's error may echo the message, links and tokens included), control characters
/// (terminal escapes, line breaks) become spaces, and it is cut at 500 characters.
pub fn safe_text(text: &str) -> String {
    const MAX: usize = 500;
    let cut: String = text.chars().take(MAX).map(|c| if c.is_control() { ' ' } else { c }).collect();
    let mut out = String::with_capacity(cut.len());
    let mut word = String::new();
    for c in cut.chars() {
        if c.is_whitespace() || "<>()[]{}\"',;".contains(c) {
            push_word(&mut out, &mut word);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    push_word(&mut out, &mut word);
    let mut out = mask_numbers(&out);
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

fn push_word(out: &mut String, word: &mut String) {
    let lower = word.to_ascii_lowercase();
    let shown = if lower.contains('@') || lower.contains("%40") {
        "[address]"
    } else if lower.contains("://")
        || lower.starts_with("www.")
        || lower.contains("/confirm/")
        || lower.contains("/withdraw/")
    {
        "[link]"
    } else {
        word.as_str()
    };
    out.push_str(shown);
    word.clear();
}

/// Runs of nine or more digits, single spaces allowed between them and a `+` before them
/// (`07700 900123`, `+44 7700 900123`), become `[number]`; dates and codes stay.
fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let (mut j, mut digits, mut end) = (i + usize::from(chars[i] == '+'), 0, i);
            while j < chars.len() {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    end = j + 1;
                } else if !(chars[j] == ' ' && chars.get(j + 1).is_some_and(char::is_ascii_digit)) {
                    break;
                }
                j += 1;
            }
            if digits >= 9 {
                out.push_str("[number]");
            } else {
                out.extend(&chars[i..end]);
            }
            i = end;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_loses_addresses_links_numbers_and_escapes() {
        let smtp = "permanent error (550): 5.1.1 <jane.doe@victim.example>: Recipient address rejected";
        assert_eq!(safe_text(smtp), "permanent error (550): 5.1.1 <[address]>: Recipient address rejected");
        let notify = "400 {\"message\": \"bad: https://panel.example/confirm/AbC123 to +447700900123\"}";
        let shown = safe_text(notify);
        assert!(!shown.contains("AbC123") && !shown.contains("7700900123"), "{shown}");
        assert!(shown.contains("[link]") && shown.contains("[number]"), "{shown}");
        assert_eq!(safe_text("red \u{1b}[31mline\r\nforged"), "red  [31mline  forged");
        assert_eq!(safe_text("call 07700 900123 or +44 7700 900123."), "call [number] or [number].");
        assert_eq!(safe_text("Jane.Doe%40victim"), "[address]");
        // Codes (550), dates and ports stay readable.
        assert_eq!(safe_text("port 2525 refused on 2026-11-30 12:00"), "port 2525 refused on 2026-11-30 12:00");
        let long = "x ".repeat(2_000);
        assert_eq!(safe_text(&long).chars().count(), 501);
    }

    #[test]
    fn past_the_limit_lines_are_counted_not_kept_and_never_wait() {
        let lines = Gathered::default();
        lines.0.lines.lock().unwrap().resize(MAX_GATHERED - 10, b'x');
        lines.make_writer().write_all(b"short\n").unwrap();
        lines.make_writer().write_all(b"this one is too long\n").unwrap();
        assert_eq!(lines.0.lines.lock().unwrap().len(), MAX_GATHERED - 4);
        assert_eq!(lines.0.dropped.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn an_error_chain_is_one_line() {
        let e = anyhow::anyhow!("connect refused").context("SMTP server refused or unreachable");
        assert_eq!(error_text(e.as_ref()), "SMTP server refused or unreachable: connect refused");
        let io = std::io::Error::other("pipe\nbroken");
        assert_eq!(error_text(&io), "pipe broken");
    }
}
