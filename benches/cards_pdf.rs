//! Card print-file benchmark: a 10,000-card batch as an A4 PDF (and CR80), timed,
//! with peak memory and file size. Run: `cargo bench --features ssr --bench cards_pdf`.
//! Goals: at most 3 s for 10,000 A4 cards (card-batches issue); at most 1 s for
//! 10,000 A4 cards in two languages with embedded fonts (the Welsh-first issue).
//! `LANGS=cy,en` (default) picks the languages.
use std::{
    io::{self, Write},
    time::Instant,
};

use scrutiny::{
    cards::print::{write_pdf, CardText, Layout, PrintCard},
    domain::CardCode,
    i18n::Lang,
};

/// Counts bytes without keeping them, like a socket would.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Peak resident memory of this process so far (Linux), in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    let n = std::env::var("CARDS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000usize);
    let cards: Vec<PrintCard> = (0..n)
        .map(|_| {
            let code = CardCode::generate();
            PrintCard { url: format!("https://panel.example.police.uk/j/{code}"), code: code.to_string() }
        })
        .collect();
    let langs: Vec<Lang> = std::env::var("LANGS")
        .unwrap_or_else(|_| "cy,en".into())
        .split(',')
        .map(|c| Lang::parse(c).expect("LANGS: en, cy, pl, ro, ar"))
        .collect();
    let text = CardText::default_for("Heddlu Dyfed-Powys Police", &langs);
    println!("cards: {n}; languages {langs:?}; peak RSS before: {:.1} MiB", peak_rss_mib());
    for (layout, name) in [(Layout::A4, "A4 10-up"), (Layout::Cr80, "CR80")] {
        let mut runs = Vec::new();
        let mut size = 0;
        for _ in 0..3 {
            let mut out = Counter(0);
            let start = Instant::now();
            write_pdf(&mut out, layout, &text, &cards).expect("pdf");
            runs.push(start.elapsed().as_secs_f64());
            size = out.0;
        }
        runs.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "{name}: best {:.2} s, median {:.2} s over 3 runs; {:.1} MB; peak RSS {:.1} MiB",
            runs[0],
            runs[1],
            size as f64 / 1e6,
            peak_rss_mib()
        );
    }
}
