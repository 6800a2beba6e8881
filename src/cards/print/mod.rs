//! Print files for stop-and-search "know your rights" cards.
//!
//! Each card is ISO/IEC 7810 ID-1 (bank-card) size. The front carries the
//! force's wording (identical on every card); the back carries a QR code and
//! the short join URL and card code that are unique to the card.
//!
//! Two print files are supported:
//! - [`Layout::A4`]: 10-up sheets for office printers, fronts on odd pages and
//!   mirrored backs on even pages so long-edge duplex lines up, crop marks in
//!   the margins;
//! - [`Layout::Cr80`]: one card per page (front, then back) for card printers.
//!
//! Batches can run to tens of thousands of cards, so the front (and the fixed
//! part of the back) is drawn once as a Form XObject and reused, and the file
//! is streamed to the writer page by page instead of being assembled in memory.
//! Fonts are embedded subsets of Noto Sans and Noto Sans Arabic, written after
//! the last page once every glyph the file uses is known.
//!
//! A card can carry several languages (Welsh first on bilingual cards): the
//! front stacks each language's heading and body, the back each language's
//! invitation, all set at one size chosen to fit.
//!
//! The parts, in this folder:
//! - `layout.rs`: page and card geometry, type sizes, and where each face's text
//!   goes (measured only, so tests can check it);
//! - `draw.rs`: the faces drawn into PDF content streams;
//! - `fit.rs`: the checks made before a batch is made ([`check_fit`],
//!   [`check_printable`]);
//! - `writer.rs`: the PDF streamed page by page ([`write_pdf`]);
//! - `fonts.rs`: shaping and the embedded fonts; `text.rs`: measuring and
//!   wrapping text; `qr.rs`: QR codes ([`qr_svg`]).

use std::fmt;
use std::io;

use crate::i18n::{self, Lang};

mod draw;
mod fit;
mod fonts;
mod layout;
mod qr;
mod text;
mod writer;

pub use fit::{check_fit, check_printable};
pub use qr::qr_svg;
pub use writer::write_pdf;

/// Which print file to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A4 portrait sheets, 2 × 5 cards, fronts then mirrored backs.
    A4,
    /// One card-sized page per side: front, back, front, back, ...
    Cr80,
}

/// Wording printed on every card of a batch (configurable per police force and
/// language).
#[derive(Clone, Debug)]
pub struct CardText {
    /// Printed small at the top of the front, e.g. "Cambridgeshire Constabulary".
    pub force_name: String,
    /// The languages on the card, in the order printed (at least one).
    pub languages: Vec<CardLanguage>,
}

/// One language's wording on a card.
#[derive(Clone, Debug)]
pub struct CardLanguage {
    pub lang: Lang,
    /// Bold heading on the front (wrapped to at most two lines).
    pub heading: String,
    /// Paragraphs for the front, each wrapped to fit.
    pub body: Vec<String>,
    /// A shorter front, used when several languages share a card and the full text
    /// would be smaller than 6 pt.
    pub short_body: Vec<String>,
    /// The invitation at the top of the back.
    pub invitation: String,
    /// Who runs the panel, under the invitation.
    pub independent: String,
    /// "Scan the QR code or visit:"
    pub scan: String,
    /// "Card code:"
    pub code: String,
}

impl CardLanguage {
    /// The default wording in `lang`: the GOWISELY information the officer must give,
    /// how to get the search record and how to complain; on the back, the invitation.
    pub fn default_for(lang: Lang, force_name: &str) -> CardLanguage {
        let t = |key| i18n::t(lang, key).to_string();
        CardLanguage {
            lang,
            heading: t("cardprint.heading"),
            body: split_paragraphs(&i18n::tf(lang, "cardprint.body", &[("force", force_name)])),
            short_body: split_paragraphs(&i18n::tf(lang, "cardprint.body_short", &[("force", force_name)])),
            invitation: t("cardprint.invitation"),
            independent: t("cardprint.independent"),
            scan: t("cardprint.scan"),
            code: t("cardprint.code"),
        }
    }

    fn rtl(&self) -> bool {
        self.lang.dir() == "rtl"
    }
}

/// Paragraphs separated by blank lines (spaces on them are ignored), each with its
/// whitespace collapsed; a byte-order mark at the start is dropped.
pub fn split_paragraphs(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in body.trim_start_matches('\u{FEFF}').lines().chain([""]) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join(" ").split_whitespace().collect::<Vec<_>>().join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    out
}

impl CardText {
    /// Default wording in each of `langs` (English if none), in that order.
    pub fn default_for(force_name: &str, langs: &[Lang]) -> CardText {
        let langs = if langs.is_empty() { &[Lang::En][..] } else { langs };
        CardText {
            force_name: force_name.to_string(),
            languages: langs.iter().map(|&l| CardLanguage::default_for(l, force_name)).collect(),
        }
    }

    fn first(&self) -> &CardLanguage {
        &self.languages[0]
    }
}

/// One card to print.
#[derive(Clone, Debug)]
pub struct PrintCard {
    /// Human-readable card code, e.g. `ABCD23456`.
    pub code: String,
    /// Short join URL, `<base>/j/<code>`; encoded verbatim in the QR code.
    pub url: String,
}

#[derive(Debug)]
pub enum PrintError {
    Io(io::Error),
    /// The URL could not be encoded as a QR code (e.g. far too long).
    Qr(String),
    /// A PDF with no pages is invalid, so an empty batch is refused.
    NoCards,
    /// An embedded font could not be subset (a bug, not bad input).
    Font(String),
}

impl fmt::Display for PrintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrintError::Io(e) => write!(f, "could not write print file: {e}"),
            PrintError::Qr(e) => write!(f, "could not make QR code: {e}"),
            PrintError::NoCards => f.write_str("no cards to print"),
            PrintError::Font(e) => write!(f, "could not embed a font: {e}"),
        }
    }
}

impl std::error::Error for PrintError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PrintError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for PrintError {
    fn from(e: io::Error) -> Self {
        PrintError::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::layout::layout_front;
    use super::*;
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// A batch of `n` cards with distinct codes, for the tests in this folder.
    pub(super) fn cards(n: usize) -> Vec<PrintCard> {
        // Unambiguous alphabet (no I, L, O, U, 0, 1), 9-character codes.
        const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";
        (0..n)
            .map(|i| {
                let mut v = i + 1_000_003;
                let code: String = (0..9)
                    .map(|_| {
                        let ch = ALPHABET[v % ALPHABET.len()] as char;
                        v /= ALPHABET.len();
                        ch
                    })
                    .collect();
                PrintCard { url: format!("https://panel.example.police.uk/j/{code}"), code }
            })
            .collect()
    }

    #[test]
    fn paragraphs_split_on_blank_lines_even_with_spaces_on_them() {
        assert_eq!(split_paragraphs("\u{feff}One\ntwo.\n   \n\nThree."), ["One two.", "Three."]);
        assert!(split_paragraphs(" \n\t\n").is_empty());
    }

    // End to end: print files made through the public API, rendered, scanned and
    // read back with poppler and zbar (skipped where those tools are missing).

    fn on_path(tool: &str) -> bool {
        Command::new(tool).arg("-v").output().is_ok()
    }

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cardprint-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// `pdfinfo` fields, e.g. "Pages" -> "4".
    fn pdfinfo(pdf: &Path) -> BTreeMap<String, String> {
        let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
        assert!(out.status.success(), "pdfinfo failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect()
    }

    /// Renders every page at 300 dpi and returns all QR payloads found.
    fn decode_all(pdf: &Path, dir: &Path) -> Vec<String> {
        let status =
            Command::new("pdftoppm").args(["-r", "300", "-png"]).arg(pdf).arg(dir.join("page")).status().unwrap();
        assert!(status.success());
        let mut pngs: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .collect();
        pngs.sort();
        let mut urls = Vec::new();
        for png in pngs {
            // Exit status 4 just means "no symbol" (the front pages).
            let out = Command::new("zbarimg").args(["--raw", "-q"]).arg(&png).output().unwrap();
            assert!(matches!(out.status.code(), Some(0 | 4)), "zbarimg failed on {png:?}");
            urls.extend(String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()).map(String::from));
        }
        urls.sort();
        urls
    }

    #[test]
    fn end_to_end_render_and_scan() {
        if !["pdftoppm", "zbarimg", "pdfinfo"].into_iter().all(on_path) {
            println!("skipping end_to_end_render_and_scan: pdftoppm/zbarimg/pdfinfo not on PATH");
            return;
        }
        let text = CardText::default_for("Cambridgeshire Constabulary", &[Lang::Cy, Lang::En]);
        for (layout, n, pages, size) in
            [(Layout::A4, 12, "4", "595.276 x 841.89 pts (A4)"), (Layout::Cr80, 3, "6", "242.646 x 153.071 pts")]
        {
            let dir = scratch_dir(&format!("{layout:?}"));
            let pdf = dir.join("cards.pdf");
            let batch = cards(n);
            write_pdf(std::fs::File::create(&pdf).unwrap(), layout, &text, &batch).unwrap();

            let info = pdfinfo(&pdf);
            assert_eq!(info["Pages"], pages, "{layout:?}");
            assert_eq!(info["Page size"], size, "{layout:?}");

            let mut expected: Vec<String> = batch.iter().map(|c| c.url.clone()).collect();
            expected.sort();
            // Each card's URL decoded exactly once, nothing else.
            assert_eq!(decode_all(&pdf, &dir), expected, "{layout:?}");
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    /// `pdftotext` of a print file, whitespace collapsed (lines wrap anywhere) and
    /// without the direction marks poppler puts around right-to-left lines.
    fn extracted(pdf: &Path) -> String {
        let out = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(pdf).arg("-").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text: String = String::from_utf8(out.stdout)
            .unwrap()
            .chars()
            .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
            .collect();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn squash(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn pdftotext_gives_back_every_language() {
        if !["pdftotext", "pdftoppm"].into_iter().all(on_path) {
            println!("skipping: poppler-utils not on PATH");
            return;
        }
        for langs in [[Lang::Cy, Lang::En], [Lang::Pl, Lang::Ro], [Lang::Ar, Lang::En]] {
            let mut text = CardText::default_for("Heddlu Dyfed-Powys Police", &langs);
            // Wording a force might set, with letters the PDF standard fonts could not print.
            for l in &mut text.languages {
                match l.lang {
                    Lang::Cy => l.heading = "Ŵyr a ŷd: stopio a chwilio".into(),
                    Lang::Pl => l.heading = "Zażółć gęślą jaźń".into(),
                    Lang::Ro => l.heading = "Știți-vă drepturile, țară".into(),
                    Lang::Ar => l.heading = "اعرف حقوقك في الإيقاف والتفتيش".into(),
                    _ => {}
                }
            }
            let front = layout_front(&text);
            let dir = scratch_dir(&format!("lang-{:?}", langs[0]));
            let pdf = dir.join("cards.pdf");
            write_pdf(std::fs::File::create(&pdf).unwrap(), Layout::Cr80, &text, &cards(1)).unwrap();
            let got = extracted(&pdf);
            for l in &text.languages {
                // Headings come back exactly, in every language.
                assert!(got.contains(&squash(&l.heading)), "{:?}: {:?} not in {got}", l.lang, l.heading);
                let body = if front.short { &l.short_body } else { &l.body };
                for p in body.iter().chain([&l.invitation, &l.independent]) {
                    if l.lang == Lang::Ar {
                        // pdftotext reorders a right-to-left line at neutral characters
                        // (dash, Arabic comma, Latin names) by its own rules; each word
                        // must still come back letter for letter.
                        for word in p.split_whitespace() {
                            let word = word.trim_matches(|c: char| !c.is_alphanumeric());
                            assert!(got.contains(word), "Ar word {word:?} not in {got}");
                        }
                    } else {
                        assert!(got.contains(&squash(p)), "{:?} paragraph {p:?} not in {got}", l.lang);
                    }
                }
            }
            assert!(got.contains(&cards(1)[0].code));
            // Rendered, the front has ink where the text is (glyphs drawn, not blank).
            let status = Command::new("pdftoppm")
                .args(["-r", "150", "-gray", "-f", "1", "-l", "1"])
                .arg(&pdf)
                .arg(dir.join("front"))
                .status()
                .unwrap();
            assert!(status.success());
            let pgm = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.extension().is_some_and(|e| e == "pgm"))
                .unwrap();
            let bytes = std::fs::read(&pgm).unwrap();
            let dark = bytes.iter().skip(20).filter(|&&b| b < 128).count();
            assert!(dark > 5_000, "{langs:?}: front nearly blank ({dark} dark pixels)");
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
}
