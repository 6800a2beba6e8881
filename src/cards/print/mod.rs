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
//! Shaping and fonts, text measuring/wrapping and QR encoding live beside this
//! file in `fonts.rs`, `text.rs` and `qr.rs`.

use std::fmt::{self, Write as _};
use std::io::{self, Write};

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::writers::{Catalog, DocumentInfo, Resources};
use pdf_writer::{Chunk, Content, Filter, Name, Rect, Ref, Str, TextStr};

mod fonts;
use fonts::{FaceId, Used};
mod text;
use text::{fit_paragraphs, wrap_clamped, Fitted, Font, LEADING};

use crate::i18n::{self, Lang};
mod qr;
use qr::{QrEncoder, QrRuns};

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

    /// A small label in every language of the card, each on its own lines in its own
    /// direction (the same words twice are shown once), wrapped to `w`.
    fn labels(&self, label: impl Fn(&CardLanguage) -> &str, w: f32) -> Labels {
        let mut out: Labels = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for l in &self.languages {
            if !seen.contains(&label(l)) {
                seen.push(label(l));
                let font = Font::REGULAR.with_rtl(l.rtl());
                out.push((font, text::wrap(font, label(l), LABEL_SIZE, w)));
            }
        }
        out
    }
}

/// Label lines per language.
type Labels = Vec<(Font, Vec<String>)>;

fn labels_height(labels: &Labels) -> f32 {
    labels.iter().map(|(_, lines)| lines.len()).sum::<usize>() as f32 * LABEL_SIZE * LEADING
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

// ---------------------------------------------------------------------------
// Geometry. PDF user space is in points; everything is specified in mm.

const MM: f32 = 72.0 / 25.4;
/// ISO/IEC 7810 ID-1.
const CARD_W: f32 = 85.6 * MM;
const CARD_H: f32 = 54.0 * MM;
const A4_W: f32 = 210.0 * MM;
const A4_H: f32 = 297.0 * MM;
const COLS: usize = 2;
const ROWS: usize = 5;
const PER_SHEET: usize = COLS * ROWS;
/// Inner margin on both faces: keeps text clear of cutting tolerance.
const MARGIN: f32 = 4.0 * MM;
const CROP_GAP: f32 = 2.0 * MM;
const CROP_LEN: f32 = 5.0 * MM;

/// Square area on the back reserved for the QR code including quiet zone.
const QR_BOX: f32 = 30.0 * MM;
const QR_BOX_X: f32 = 3.0 * MM;
/// Lower bound on the symbol itself (without quiet zone); 20 mm is the
/// brief's minimum for reliable phone scanning, plus a little slack.
const QR_MIN_SYMBOL_MM: f32 = 20.5;
/// Quiet zone in modules, as required by ISO/IEC 18004.
const QUIET: usize = 4;

/// Left edge of the text column on the back, just right of the QR box (its
/// quiet zone already provides the visual gap).
const BACK_TEXT_X: f32 = QR_BOX_X + QR_BOX + 0.5 * MM;

impl Layout {
    fn page_size(self) -> (f32, f32) {
        match self {
            Layout::A4 => (A4_W, A4_H),
            Layout::Cr80 => (CARD_W, CARD_H),
        }
    }

    fn page_count(self, cards: usize) -> usize {
        match self {
            Layout::A4 => 2 * cards.div_ceil(PER_SHEET),
            Layout::Cr80 => 2 * cards,
        }
    }
}

/// Lower-left corner of the grid of cards, centred on the A4 page.
fn a4_grid_origin() -> (f32, f32) {
    ((A4_W - COLS as f32 * CARD_W) / 2.0, (A4_H - ROWS as f32 * CARD_H) / 2.0)
}

/// Lower-left corner of slot `slot` (0..10, left-to-right, top-to-bottom).
fn a4_slot_origin(slot: usize) -> (f32, f32) {
    let (col, row) = (slot % COLS, slot / COLS);
    let (x0, y0) = a4_grid_origin();
    (x0 + col as f32 * CARD_W, y0 + (ROWS - 1 - row) as f32 * CARD_H)
}

/// Slot that holds the back of the card whose front is in `slot`. Long-edge
/// duplex turns the sheet over about its vertical axis: columns swap, rows
/// stay. Because the grid is centred this is an exact mirror image.
fn mirrored_slot(slot: usize) -> usize {
    let (col, row) = (slot % COLS, slot / COLS);
    row * COLS + (COLS - 1 - col)
}

/// Short hairlines in the margin on every card edge line, on both faces, so
/// the guillotine can be lined up from either side.
fn crop_marks(c: &mut Content) {
    let (x0, y0) = a4_grid_origin();
    let (x1, y1) = (x0 + COLS as f32 * CARD_W, y0 + ROWS as f32 * CARD_H);
    for col in 0..=COLS {
        let x = x0 + col as f32 * CARD_W;
        c.move_to(x, y1 + CROP_GAP).line_to(x, y1 + CROP_GAP + CROP_LEN);
        c.move_to(x, y0 - CROP_GAP).line_to(x, y0 - CROP_GAP - CROP_LEN);
    }
    for row in 0..=ROWS {
        let y = y0 + row as f32 * CARD_H;
        c.move_to(x0 - CROP_GAP, y).line_to(x0 - CROP_GAP - CROP_LEN, y);
        c.move_to(x1 + CROP_GAP, y).line_to(x1 + CROP_GAP + CROP_LEN, y);
    }
    c.set_line_width(0.25).stroke();
}

// ---------------------------------------------------------------------------
// QR codes.

/// Module size in mm: fill the QR box, but never let the symbol itself drop
/// below the minimum (only tiny versions hit this, and then the white quiet
/// zone just spills a little outside the box).
fn module_mm(n: usize) -> f32 {
    (QR_BOX / MM / (n + 2 * QUIET) as f32).max(QR_MIN_SYMBOL_MM / n as f32)
}

/// Standalone SVG of the QR code for `url`, sized in mm like the printed one.
pub fn qr_svg(url: &str) -> Result<String, PrintError> {
    let qr = QrEncoder::default().encode(url)?;
    let total = qr.n + 2 * QUIET;
    let size = module_mm(qr.n) * total as f32;
    let mut d = String::with_capacity(qr.runs.len() * 16);
    for &(x, y, len) in &qr.runs {
        let (x, y) = (usize::from(x) + QUIET, usize::from(y) + QUIET);
        let _ = write!(d, "M{x} {y}h{len}v1h-{len}z");
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{size:.1}mm\" height=\"{size:.1}mm\" \
         viewBox=\"0 0 {total} {total}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{total}\" height=\"{total}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{d}\"/></svg>"
    ))
}

/// Draws the symbol centred in the QR box whose lower-left corner is (x, y).
fn draw_qr(c: &mut Content, qr: &QrRuns, x: f32, y: f32) {
    let m = module_mm(qr.n) * MM;
    let size = m * (qr.n + 2 * QUIET) as f32;
    let off = (QR_BOX - size) / 2.0;
    c.save_state();
    // Scale to module units and flip y, so every rectangle is given in small
    // integers exactly as the QR matrix is stored (compact, compresses well).
    c.transform([m, 0.0, 0.0, -m, x + off, y + off + size]);
    for &(rx, ry, len) in &qr.runs {
        c.rect(f32::from(rx) + QUIET as f32, f32::from(ry) + QUIET as f32, f32::from(len), 1.0);
    }
    // One fill for the whole symbol: the rasteriser sees a single shape, so
    // there are no anti-aliasing seams between adjacent rows.
    c.fill_nonzero();
    c.restore_state();
}

// ---------------------------------------------------------------------------
// Card faces.

const FORCE_SIZE: f32 = 6.0;
const RULE_GAP: f32 = 4.0;
/// The front's body text starts at this size and shrinks (0.25 pt steps) until
/// every language fits; below the minimum it is cut with "…".
const BODY_MAX: f32 = 8.5;
const BODY_MIN: f32 = 4.5;
/// Space between two languages' blocks (a hairline is drawn in the middle).
const LANG_GAP: f32 = 5.0;
const INVITE_MAX: f32 = 9.0;
const INVITE_MIN: f32 = 5.0;
const LABEL_SIZE: f32 = 6.0;
const URL_SIZE: f32 = 7.0;
const CODE_MAX_SIZE: f32 = 13.0;

/// Writes lines top-down from a moving top edge, so layout code reads like
/// the card does. Right-to-left lines are set flush right.
struct Pen<'a> {
    c: &'a mut Content,
    used: &'a mut Used,
    x: f32,
    width: f32,
    top: f32,
}

impl Pen<'_> {
    fn lines(&mut self, font: Font, size: f32, leading: f32, lines: &[String]) {
        self.c.begin_text();
        for line in lines {
            // Noto Sans rises 1.069 em and descends 0.293 em; a baseline 0.9 em
            // below the top keeps capitals and accents inside a 1.2 em line box.
            let baseline = self.top - 0.9 * size;
            let shaped = fonts::shape(font.style, line, font.rtl);
            let w = shaped.width * size / 1000.0;
            let x = if font.rtl { self.x + self.width - w } else { self.x };
            show(self.c, self.used, &shaped, x, baseline, size);
            self.top -= leading;
        }
        self.c.end_text();
    }

    fn gap(&mut self, pt: f32) {
        self.top -= pt;
    }
}

/// Draws a shaped line with its left end at (x, baseline). Glyphs are shown by
/// their number in the subset (two bytes each, Identity-H); where shaping moved a
/// glyph from its natural advance, a TJ adjustment says so, and marks placed off
/// the baseline get their own text position.
fn show(c: &mut Content, used: &mut Used, line: &fonts::Shaped, x: f32, baseline: f32, size: f32) {
    let k = size / 1000.0;
    let mut pen_x = x;
    for run in &line.runs {
        c.set_font(Name(run.face.resource_name()), size);
        let glyphs = &run.glyphs;
        let mut i = 0;
        while i < glyphs.len() {
            let g = &glyphs[i];
            if g.dx != 0.0 || g.dy != 0.0 {
                c.set_text_matrix([1.0, 0.0, 0.0, 1.0, pen_x + g.dx * k, baseline + g.dy * k]);
                let cid = used.cid(run.face, run.rtl, g, &line.text);
                c.show(Str(&cid.to_be_bytes()));
                pen_x += g.advance * k;
                i += 1;
                continue;
            }
            c.set_text_matrix([1.0, 0.0, 0.0, 1.0, pen_x, baseline]);
            let mut shown = c.show_positioned();
            let mut items = shown.items();
            let mut buf = Vec::with_capacity(2 * glyphs.len());
            while i < glyphs.len() && glyphs[i].dx == 0.0 && glyphs[i].dy == 0.0 {
                let g = &glyphs[i];
                buf.extend_from_slice(&used.cid(run.face, run.rtl, g, &line.text).to_be_bytes());
                let off = g.natural - g.advance;
                if off.abs() > 0.01 {
                    items.show(Str(&buf));
                    buf.clear();
                    items.adjust(off);
                }
                pen_x += g.advance * k;
                i += 1;
            }
            if !buf.is_empty() {
                items.show(Str(&buf));
            }
        }
    }
}

/// One language's part of the front.
struct FrontBlock {
    font: Font,
    heading: Vec<String>,
    /// The heading needed more than its two lines and was cut ("…").
    heading_cut: bool,
    heading_size: f32,
    body: Fitted,
}

impl FrontBlock {
    fn new(l: &CardLanguage, short: bool, size: f32, w: f32, max_h: f32) -> FrontBlock {
        let heading_size = size + 1.0;
        let bold = Font::BOLD.with_rtl(l.rtl());
        let heading = wrap_clamped(bold, &l.heading, heading_size, w, 2);
        let heading_cut = text::wrap(bold, &l.heading, heading_size, w).len() > 2;
        let font = Font::REGULAR.with_rtl(l.rtl());
        let body = if short { &l.short_body } else { &l.body };
        let room = max_h - heading.len() as f32 * heading_size * LEADING - RULE_GAP;
        let body = fit_paragraphs(font, body, w, room, size, size);
        FrontBlock { font, heading, heading_cut, heading_size, body }
    }

    fn height(&self) -> f32 {
        self.heading.len() as f32 * self.heading_size * LEADING + RULE_GAP + self.body.height()
    }
}

/// Where the front's text goes; separate from drawing so tests can check it.
struct FrontLayout {
    force: Vec<String>,
    blocks: Vec<FrontBlock>,
    /// Languages left off entirely because nothing of them fitted.
    dropped: usize,
    /// Whether the shorter texts were used.
    short: bool,
}

impl FrontLayout {
    /// The body size every language was set at.
    fn body_size(&self) -> f32 {
        self.blocks[0].body.size
    }

    fn truncated(&self) -> bool {
        self.dropped > 0 || self.blocks.iter().any(|b| b.body.truncated)
    }
}

/// Below this, a card with several languages switches to their shorter texts.
const FULL_TEXT_MIN: f32 = 6.0;

fn layout_front(text: &CardText) -> FrontLayout {
    let w = CARD_W - 2.0 * MARGIN;
    let force = wrap_clamped(Font::REGULAR, &text.force_name, FORCE_SIZE, w, 1);
    let avail = CARD_H - 2.0 * MARGIN - force.len() as f32 * FORCE_SIZE * LEADING;
    let n = text.languages.len();
    let gaps = n.saturating_sub(1) as f32 * LANG_GAP;
    let passes: &[(bool, f32)] = if n > 1 { &[(false, FULL_TEXT_MIN), (true, BODY_MIN)] } else { &[(false, BODY_MIN)] };
    for &(short, min) in passes {
        let mut size = BODY_MAX;
        while size >= min - 1e-3 {
            let blocks: Vec<FrontBlock> =
                text.languages.iter().map(|l| FrontBlock::new(l, short, size, w, f32::INFINITY)).collect();
            let total: f32 = blocks.iter().map(FrontBlock::height).sum::<f32>() + gaps;
            if total <= avail + 1e-3 {
                return FrontLayout { force, blocks, dropped: 0, short };
            }
            size -= 0.25;
        }
    }
    // Even the smallest size does not fit: keep languages in order while they fit,
    // cut the one that overflows (ending "…") and leave off any after it.
    let short = n > 1;
    let mut room = avail;
    let mut blocks = Vec::new();
    for (i, l) in text.languages.iter().enumerate() {
        if i > 0 {
            room -= LANG_GAP;
        }
        let block = FrontBlock::new(l, short, BODY_MIN, w, room);
        if block.body.paragraphs.is_empty() || block.height() > room + 1e-3 {
            break;
        }
        room -= block.height();
        blocks.push(block);
    }
    let dropped = n - blocks.len();
    if blocks.is_empty() {
        // Not even a heading fits (an absurd heading): show the first language, cut.
        blocks.push(FrontBlock::new(&text.languages[0], short, BODY_MIN, w, avail));
    }
    FrontLayout { force, blocks, dropped, short }
}

/// How a card will look, checked before a batch is made: the front's body size in
/// points and whether the languages' shorter default texts were used; or why the
/// wording cannot be printed (characters the fonts lack, a heading cut short, text
/// that does not fit on the front or the back). `sample_url` is a card address as it
/// will be printed.
pub fn check_fit(text: &CardText, sample_url: &str) -> Result<(f32, bool), String> {
    if text.languages.is_empty() {
        return Err("no language chosen".into());
    }
    for l in &text.languages {
        for (what, value) in [("heading", &l.heading), ("invitation", &l.invitation)] {
            check_printable(value).map_err(|e| format!("the {} {what}: {e}", l.lang.native_name()))?;
        }
        for p in l.body.iter().chain(&l.short_body) {
            check_printable(p).map_err(|e| format!("the {} text: {e}", l.lang.native_name()))?;
        }
    }
    check_printable(&text.force_name).map_err(|e| format!("the force name: {e}"))?;
    let codes: Vec<&str> = text.languages.iter().map(|l| l.lang.code()).collect();
    let advice = if codes.len() > 1 { "choose fewer languages or shorten the text" } else { "shorten the text" };
    let front = layout_front(text);
    if let Some((_, l)) = front.blocks.iter().zip(&text.languages).find(|(b, _)| b.heading_cut) {
        return Err(format!("the {} heading is longer than two lines on a card: shorten it", l.lang.native_name()));
    }
    if front.truncated() {
        return Err(format!(
            "the wording in {} does not fit on one card even at {BODY_MIN} pt: {advice}",
            codes.join(", ")
        ));
    }
    let mut used = Used::new();
    let (_, template_h) = back_template(text, &mut used);
    let w = CARD_W - MARGIN - BACK_TEXT_X;
    let card = PrintCard { code: "WWWWWWWWW".into(), url: sample_url.to_string() };
    let back = BackText::new(&card, &text.labels(|l| &l.code, w), template_h);
    if back.url.truncated || template_h + back.height() > CARD_H - 2.0 * MARGIN + 1e-3 {
        return Err(format!(
            "the back of the card (the invitation in {} with the web address and card code) does not fit: {advice}",
            codes.join(", ")
        ));
    }
    let short = front.short && text.languages.iter().any(|l| l.short_body != l.body);
    Ok((front.body_size(), short))
}

/// Letters the card fonts can print: refuses control characters, direction overrides
/// (they make printed text read differently from what was typed), piles of accents on
/// one letter, and characters neither Noto Sans nor Noto Sans Arabic has.
pub fn check_printable(s: &str) -> Result<(), String> {
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("it contains control characters".into());
    }
    if s.contains(['\u{202D}', '\u{202E}']) {
        return Err("it contains a direction override (U+202D or U+202E), which would print the text in another order than typed".into());
    }
    let mut marks = 0;
    for c in s.chars() {
        if fonts::is_mark(c) {
            marks += 1;
            if marks > 3 {
                return Err("it has more than three accents on one letter".into());
            }
        } else {
            marks = 0;
        }
    }
    let mut missing: Vec<char> = s.chars().filter(|&c| !fonts::printable(c)).collect();
    missing.dedup();
    if !missing.is_empty() {
        let shown: String = missing.iter().take(8).map(|c| format!("{c} (U+{:04X}) ", *c as u32)).collect();
        return Err(format!(
            "the card fonts cannot print {}: they cover Latin letters (with Welsh, Polish and Romanian) and Arabic",
            shown.trim_end()
        ));
    }
    Ok(())
}

fn front_content(text: &CardText, used: &mut Used) -> Vec<u8> {
    let l = layout_front(text);
    let mut c = Content::new();
    let mut rules = Vec::new();
    let w = CARD_W - 2.0 * MARGIN;
    let mut pen = Pen { c: &mut c, used, x: MARGIN, width: w, top: CARD_H - MARGIN };
    let force_font = Font::REGULAR.with_rtl(text.first().rtl());
    pen.lines(force_font, FORCE_SIZE, FORCE_SIZE * LEADING, &l.force);
    for (i, block) in l.blocks.iter().enumerate() {
        if i > 0 {
            rules.push((pen.top - LANG_GAP / 2.0, 0.25));
            pen.gap(LANG_GAP);
        }
        let bold = Font::BOLD.with_rtl(block.font.rtl);
        pen.lines(bold, block.heading_size, block.heading_size * LEADING, &block.heading);
        rules.push((pen.top - RULE_GAP / 2.0, 0.5));
        pen.gap(RULE_GAP);
        for (j, para) in block.body.paragraphs.iter().enumerate() {
            if j > 0 {
                pen.gap(block.body.gap);
            }
            pen.lines(block.font, block.body.size, block.body.leading, para);
        }
    }
    for (y, width) in rules {
        c.move_to(MARGIN, y).line_to(CARD_W - MARGIN, y);
        c.set_line_width(width).stroke();
    }
    c.finish().into_vec()
}

/// The part of the back common to every card: each language's invitation and who
/// runs the panel, then "Scan the QR code or visit:".
struct BackLayout {
    blocks: Vec<(Font, Fitted, Fitted)>,
    scan: Labels,
}

/// Room the per-card part of the back needs: two lines of address, the code label
/// and the code itself.
fn back_tail_reserve(text: &CardText, w: f32) -> f32 {
    let code_labels = labels_height(&text.labels(|l| &l.code, w));
    2.0 * URL_SIZE * LEADING + CODE_GAP + code_labels + CODE_MAX_SIZE * LEADING
}

fn layout_back(text: &CardText) -> BackLayout {
    let w = CARD_W - MARGIN - BACK_TEXT_X;
    let scan = text.labels(|l| &l.scan, w);
    let fixed = 3.0 + labels_height(&scan);
    let avail = CARD_H - 2.0 * MARGIN - back_tail_reserve(text, w) - fixed;
    let n = text.languages.len();
    let gaps = n.saturating_sub(1) as f32 * 2.5;
    // Who runs the panel is said in every language if it fits, else in the first only,
    // else not at all (the invitations come first).
    let passes: Vec<usize> = if n > 1 { vec![n, 1, 0] } else { vec![1, 0] };
    let mut last = None;
    for keep in passes {
        let mut size = INVITE_MAX;
        while size >= INVITE_MIN - 1e-3 {
            let blocks: Vec<(Font, Fitted, Fitted)> = text
                .languages
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let bold = Font::BOLD.with_rtl(l.rtl());
                    let regular = Font::REGULAR.with_rtl(l.rtl());
                    let small = (size * 0.75).max(INVITE_MIN * 0.9);
                    let independent: &[&String] = if i < keep { &[&l.independent] } else { &[] };
                    (
                        regular,
                        fit_paragraphs(bold, &[&l.invitation], w, f32::INFINITY, size, size),
                        fit_paragraphs(regular, independent, w, f32::INFINITY, small, small),
                    )
                })
                .collect();
            let total: f32 = blocks.iter().map(|(_, a, b)| a.height() + 1.0 + b.height()).sum::<f32>() + gaps;
            if total <= avail + 1e-3 {
                return BackLayout { blocks, scan };
            }
            last = Some(blocks);
            size -= 0.25;
        }
    }
    // Does not fit: `check_fit` refuses such wording before a batch is made.
    BackLayout { blocks: last.unwrap_or_default(), scan }
}

/// The part of the back common to every card, drawn once as a Form XObject
/// from the top margin down. Returns its content and height.
fn back_template(text: &CardText, used: &mut Used) -> (Vec<u8>, f32) {
    let l = layout_back(text);
    let w = CARD_W - MARGIN - BACK_TEXT_X;
    let mut c = Content::new();
    let top = CARD_H - MARGIN;
    let mut pen = Pen { c: &mut c, used, x: BACK_TEXT_X, width: w, top };
    for (i, (regular, invite, independent)) in l.blocks.iter().enumerate() {
        if i > 0 {
            pen.gap(2.5);
        }
        let bold = Font::BOLD.with_rtl(regular.rtl);
        for para in &invite.paragraphs {
            pen.lines(bold, invite.size, invite.leading, para);
        }
        pen.gap(1.0);
        for para in &independent.paragraphs {
            pen.lines(*regular, independent.size, independent.leading, para);
        }
    }
    pen.gap(3.0);
    for (font, lines) in &l.scan {
        pen.lines(*font, LABEL_SIZE, LABEL_SIZE * LEADING, lines);
    }
    let height = top - pen.top;
    (c.finish().into_vec(), height)
}

/// Per-card text on the back: the URL (wrapped, shrunk if very long) and the
/// card code, which is the fallback when the QR code will not scan, so it is
/// set as large as fits.
struct BackText {
    url: Fitted,
    code: Vec<String>,
    code_size: f32,
    label_h: f32,
}

const CODE_GAP: f32 = 2.0;

impl BackText {
    fn new(card: &PrintCard, label: &Labels, template_h: f32) -> BackText {
        let w = CARD_W - MARGIN - BACK_TEXT_X;
        let natural = text::text_width(Font::BOLD, &card.code, 1.0).max(0.1);
        let code_size = (w / natural).min(CODE_MAX_SIZE);
        let code = wrap_clamped(Font::BOLD, &card.code, code_size, w, 1);
        let label_h = labels_height(label);
        let tail = CODE_GAP + label_h + code_size * LEADING;
        let url_h = CARD_H - 2.0 * MARGIN - template_h - tail;
        let url = fit_paragraphs(Font::REGULAR, &[&card.url], w, url_h, URL_SIZE, 5.0);
        BackText { url, code, code_size, label_h }
    }

    fn height(&self) -> f32 {
        self.url.height() + CODE_GAP + self.label_h + self.code_size * LEADING
    }
}

/// Draws one card's back with its lower-left corner at (x, y).
#[allow(clippy::too_many_arguments)]
fn draw_back(
    c: &mut Content,
    used: &mut Used,
    qr: QrRuns,
    card: &PrintCard,
    label: &Labels,
    template_h: f32,
    x: f32,
    y: f32,
) -> Result<(), PrintError> {
    let text = BackText::new(card, label, template_h);
    c.save_state();
    c.transform([1.0, 0.0, 0.0, 1.0, x, y]);
    draw_qr(c, &qr, QR_BOX_X, (CARD_H - QR_BOX) / 2.0);

    // Centre the text block vertically, level with the QR code. The template
    // was drawn from the top margin, so shift it down by the same amount.
    let block_h = template_h + text.height();
    let shift = (CARD_H - MARGIN - (CARD_H + block_h) / 2.0).max(0.0);
    c.save_state();
    c.transform([1.0, 0.0, 0.0, 1.0, 0.0, -shift]);
    c.x_object(Name(b"Bk"));
    c.restore_state();

    let top = CARD_H - MARGIN - shift - template_h;
    let w = CARD_W - MARGIN - BACK_TEXT_X;
    let mut pen = Pen { c, used, x: BACK_TEXT_X, width: w, top };
    for para in &text.url.paragraphs {
        pen.lines(Font::REGULAR, text.url.size, text.url.leading, para);
    }
    pen.gap(CODE_GAP);
    for (font, lines) in label {
        pen.lines(*font, LABEL_SIZE, LABEL_SIZE * LEADING, lines);
    }
    pen.lines(Font::BOLD, text.code_size, text.code_size * LEADING, &text.code);
    c.restore_state();
    Ok(())
}

/// Places the shared front Form XObject at (x, y).
fn draw_front(c: &mut Content, x: f32, y: f32) {
    c.save_state();
    c.transform([1.0, 0.0, 0.0, 1.0, x, y]);
    c.x_object(Name(b"Fr"));
    c.restore_state();
}

// ---------------------------------------------------------------------------
// PDF output.

/// Fixed object ids; page `i` is `FIRST_PAGE + 2i`, its content stream the
/// id after it, so every reference is known before anything is written.
const CATALOG: Ref = Ref::new(1);
const PAGES: Ref = Ref::new(2);
/// Each embedded face takes five objects: the Type0 font, its CID font, font
/// descriptor, ToUnicode map and font file.
const FONT_BASE: i32 = 3;
const FONT_OBJECTS: i32 = 5;
const FRONT_FORM: Ref = Ref::new(FONT_BASE + 4 * FONT_OBJECTS);
const BACK_FORM: Ref = Ref::new(FRONT_FORM.get() + 1);
const PAGE_RESOURCES: Ref = Ref::new(FRONT_FORM.get() + 2);
const INFO: Ref = Ref::new(FRONT_FORM.get() + 3);
const FIRST_PAGE: i32 = FRONT_FORM.get() + 4;

/// The objects of face `face`: Type0 font, CID font, descriptor, ToUnicode, file.
fn font_refs(face: FaceId) -> [Ref; 5] {
    let i = FaceId::ALL.iter().position(|&f| f == face).expect("known face") as i32;
    let base = FONT_BASE + i * FONT_OBJECTS;
    [0, 1, 2, 3, 4].map(|k| Ref::new(base + k))
}

fn page_ref(i: usize) -> Ref {
    Ref::new(FIRST_PAGE + 2 * i as i32)
}

/// Level 1: content streams are small and repetitive, so the fastest level
/// already gets most of the gain; higher levels cost time on 10,000 cards.
fn deflate(data: &[u8]) -> Vec<u8> {
    compress_to_vec_zlib(data, 1)
}

fn font_resources(mut res: Resources<'_>) {
    let mut fonts = res.fonts();
    for face in FaceId::ALL {
        fonts.pair(Name(face.resource_name()), font_refs(face)[0]);
    }
}

/// Writes one face as a Type0 font with an embedded TrueType subset (CIDFontType2,
/// Identity-H: a glyph's two-byte code is its number in the subset) and a ToUnicode
/// map, so copied or extracted text reads as written.
fn write_font<W: Write>(pdf: &mut PdfStream<W>, face: FaceId, used: &Used) -> Result<(), PrintError> {
    let [type0, cid, descriptor, to_unicode, file] = font_refs(face);
    let data = used.font(face).map_err(PrintError::Font)?;
    let name = Name(face.subset_name());
    let system_info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    pdf.object(type0, |c| {
        c.type0_font(type0)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(to_unicode);
    })?;
    pdf.object(cid, |c| {
        let mut font = c.cid_font(cid);
        font.subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(system_info)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        font.widths().consecutive(0, data.widths.iter().copied());
    })?;
    pdf.object(descriptor, |c| {
        let [x0, y0, x1, y1] = data.bbox;
        c.font_descriptor(descriptor)
            .name(name)
            .flags(FontFlags::SYMBOLIC)
            .bbox(Rect::new(x0, y0, x1, y1))
            .italic_angle(0.0)
            .ascent(data.ascent)
            .descent(data.descent)
            .cap_height(data.cap_height)
            .stem_v(if matches!(face, FaceId::SansBold | FaceId::ArabicBold) { 140.0 } else { 80.0 })
            .font_file2(file);
    })?;
    let mut cmap =
        UnicodeCmap::new(Name(b"Custom"), SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"UCS"), supplement: 0 });
    for (cid, text) in &data.unicode {
        cmap.pair_with_multiple(*cid, text.chars());
    }
    let cmap = cmap.finish();
    pdf.object(to_unicode, |c| {
        c.cmap(to_unicode, &cmap);
    })?;
    let compressed = deflate(&data.data);
    pdf.object(file, |c| {
        c.stream(file, &compressed).filter(Filter::FlateDecode).pair(Name(b"Length1"), data.data.len() as i32);
    })?;
    Ok(())
}

/// Streams indirect objects to the output as they are produced. pdf-writer's
/// `Pdf` holds the whole file in memory until `finish()` and its `Chunk` does
/// not expose object offsets, so we write each object through its own
/// `Chunk`, note where it starts, and emit the header, xref table and trailer
/// ourselves. Memory is one page plus 8 bytes per object.
struct PdfStream<W: Write> {
    out: W,
    buf: Vec<u8>,
    pos: u64,
    /// Byte offset of each object, indexed by id (index 0 unused).
    offsets: Vec<u64>,
}

impl<W: Write> PdfStream<W> {
    const FLUSH_AT: usize = 256 * 1024;

    fn new(out: W, objects: usize) -> io::Result<Self> {
        let mut s =
            PdfStream { out, buf: Vec::with_capacity(Self::FLUSH_AT * 2), pos: 0, offsets: vec![0; objects + 1] };
        // The binary comment tells transfer tools the file is not text.
        s.emit(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")?;
        Ok(s)
    }

    /// `f` must write exactly one indirect object, with id `id`.
    fn object(&mut self, id: Ref, f: impl FnOnce(&mut Chunk)) -> io::Result<()> {
        let mut chunk = Chunk::new();
        f(&mut chunk);
        self.offsets[id.get() as usize] = self.pos;
        self.emit(chunk.as_bytes())
    }

    fn stream(&mut self, id: Ref, content: &[u8]) -> io::Result<()> {
        self.object(id, |c| {
            c.stream(id, content).filter(Filter::FlateDecode);
        })
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(bytes);
        self.pos += bytes.len() as u64;
        if self.buf.len() >= Self::FLUSH_AT {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        debug_assert!(self.offsets[1..].iter().all(|&o| o > 0), "object id allocated but never written");
        let xref_at = self.pos;
        let mut xref = String::with_capacity(20 * self.offsets.len() + 100);
        let _ = write!(xref, "xref\n0 {}\n0000000000 65535 f\r\n", self.offsets.len());
        for off in &self.offsets[1..] {
            let _ = write!(xref, "{off:010} 00000 n\r\n");
        }
        let _ = write!(
            xref,
            "trailer\n<< /Size {} /Root {} 0 R /Info {} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            self.offsets.len(),
            CATALOG.get(),
            INFO.get()
        );
        self.emit(xref.as_bytes())?;
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }
}

/// Writes the whole print file for `cards` to `out`, page by page (output is
/// buffered internally in 256 KB blocks, so `out` needn't be a `BufWriter`).
///
/// Every URL is checked before anything is written, so a `Qr` or `NoCards`
/// error leaves `out` untouched; after an `Io` error the output is partial
/// and must be discarded.
pub fn write_pdf<W: Write>(out: W, layout: Layout, text: &CardText, cards: &[PrintCard]) -> Result<(), PrintError> {
    if cards.is_empty() || text.languages.is_empty() {
        return Err(PrintError::NoCards);
    }
    for card in cards {
        qr::check(&card.url)?;
    }
    let (page_w, page_h) = layout.page_size();
    let pages = layout.page_count(cards.len());
    let mut pdf = PdfStream::new(out, FIRST_PAGE as usize - 1 + 2 * pages)?;

    let mut used = Used::new();
    let front = front_content(text, &mut used);
    let (back, template_h) = back_template(text, &mut used);
    let code_label = text.labels(|l| &l.code, CARD_W - MARGIN - BACK_TEXT_X);
    for (id, content) in [(FRONT_FORM, front), (BACK_FORM, back)] {
        let data = deflate(&content);
        pdf.object(id, |c| {
            let mut form = c.form_xobject(id, &data);
            form.filter(Filter::FlateDecode);
            form.bbox(Rect::new(0.0, 0.0, CARD_W, CARD_H));
            font_resources(form.resources());
        })?;
    }
    pdf.object(PAGE_RESOURCES, |c| {
        let mut res = c.indirect(PAGE_RESOURCES).start::<Resources>();
        res.x_objects().pair(Name(b"Fr"), FRONT_FORM).pair(Name(b"Bk"), BACK_FORM);
        font_resources(res);
    })?;
    pdf.object(INFO, |c| {
        c.indirect(INFO).start::<DocumentInfo>().title(TextStr("Stop and search cards")).creator(TextStr("scrutiny"));
    })?;

    // QR codes are most of the work: a second thread encodes them, in card order,
    // a little ahead of the pages that draw them.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<QrRuns, PrintError>>(64);
        scope.spawn(move || {
            let mut encoder = QrEncoder::default();
            for card in cards {
                if tx.send(encoder.encode(&card.url)).is_err() {
                    break;
                }
            }
        });
        let next_qr = || rx.recv().map_err(|_| PrintError::Qr("encoder stopped".into()))?;
        let mut page_no = 0;
        let mut page = |pdf: &mut PdfStream<W>, content: &[u8]| -> io::Result<()> {
            let id = page_ref(page_no);
            let content_id = Ref::new(id.get() + 1);
            page_no += 1;
            pdf.object(id, |c| {
                let mut p = c.page(id);
                p.parent(PAGES).media_box(Rect::new(0.0, 0.0, page_w, page_h)).contents(content_id);
                p.pair(Name(b"Resources"), PAGE_RESOURCES);
            })?;
            pdf.stream(content_id, content)
        };

        match layout {
            Layout::A4 => {
                // Every full sheet has the same front page: build it once.
                let front_page = |n: usize| {
                    let mut c = Content::new();
                    crop_marks(&mut c);
                    (0..n).for_each(|slot| {
                        let (x, y) = a4_slot_origin(slot);
                        draw_front(&mut c, x, y);
                    });
                    deflate(&c.finish())
                };
                let full_front = front_page(PER_SHEET);
                for sheet in cards.chunks(PER_SHEET) {
                    if sheet.len() == PER_SHEET {
                        page(&mut pdf, &full_front)?;
                    } else {
                        page(&mut pdf, &front_page(sheet.len()))?;
                    }
                    let mut c = Content::new();
                    crop_marks(&mut c);
                    for (slot, card) in sheet.iter().enumerate() {
                        let (x, y) = a4_slot_origin(mirrored_slot(slot));
                        draw_back(&mut c, &mut used, next_qr()?, card, &code_label, template_h, x, y)?;
                    }
                    page(&mut pdf, &deflate(&c.finish()))?;
                }
            }
            Layout::Cr80 => {
                let mut c = Content::new();
                draw_front(&mut c, 0.0, 0.0);
                let front = deflate(&c.finish());
                for card in cards {
                    page(&mut pdf, &front)?;
                    let mut c = Content::new();
                    draw_back(&mut c, &mut used, next_qr()?, card, &code_label, template_h, 0.0, 0.0)?;
                    page(&mut pdf, &deflate(&c.finish()))?;
                }
            }
        }

        // The fonts go after the pages: only now is every glyph the file uses known.
        for face in FaceId::ALL {
            write_font(&mut pdf, face, &used)?;
        }
        // The page tree goes last, once every page has been written: its Kids
        // array is the only thing that grows with the batch (~10 bytes a page).
        pdf.object(PAGES, |c| {
            c.pages(PAGES).kids((0..pages).map(page_ref)).count(pages as i32);
        })?;
        pdf.object(CATALOG, |c| {
            c.indirect(CATALOG).start::<Catalog>().pages(PAGES);
        })?;
        pdf.finish()?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::text::{text_width, ELLIPSIS};
    use super::*;
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    fn cards(n: usize) -> Vec<PrintCard> {
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

    fn approx(a: f32, b: f32) -> bool {
        (a - b).abs() < 0.01
    }

    #[test]
    fn a4_slots_are_on_the_page_butted_and_centred() {
        let (x0, y0) = a4_grid_origin();
        // Crop marks need room: 2 mm gap + 5 mm line inside every margin.
        assert!(x0 > CROP_GAP + CROP_LEN && y0 > CROP_GAP + CROP_LEN);
        for slot in 0..PER_SHEET {
            let (x, y) = a4_slot_origin(slot);
            assert!(x >= 0.0 && y >= 0.0 && x + CARD_W <= A4_W && y + CARD_H <= A4_H, "slot {slot}");
        }
        // Slot 0 is top-left, slot 9 bottom-right; neighbours share edges.
        assert!(approx(a4_slot_origin(0).0, x0));
        assert!(approx(a4_slot_origin(0).1 + CARD_H, A4_H - y0));
        assert!(approx(a4_slot_origin(1).0, x0 + CARD_W));
        assert!(approx(a4_slot_origin(2).1 + CARD_H, a4_slot_origin(0).1));
        let (x9, y9) = a4_slot_origin(9);
        assert!(approx(x9 + CARD_W, A4_W - x0) && approx(y9, y0));
    }

    #[test]
    fn backs_are_mirrored_for_long_edge_duplex() {
        assert_eq!((0..PER_SHEET).map(mirrored_slot).collect::<Vec<_>>(), [1, 0, 3, 2, 5, 4, 7, 6, 9, 8]);
        for slot in 0..PER_SHEET {
            let (fx, fy) = a4_slot_origin(slot);
            let (bx, by) = a4_slot_origin(mirrored_slot(slot));
            // Flipping the sheet about its vertical centre line maps the
            // front's rectangle exactly onto the back's.
            assert!(approx(bx, A4_W - (fx + CARD_W)) && approx(by, fy), "slot {slot}");
        }
    }

    #[test]
    fn page_sizes_and_counts() {
        let (w, h) = Layout::Cr80.page_size();
        assert!(approx(w, 242.646) && approx(h, 153.071));
        let (w, h) = Layout::A4.page_size();
        assert!(approx(w, 595.276) && approx(h, 841.89));
        assert_eq!(Layout::A4.page_count(10), 2);
        assert_eq!(Layout::A4.page_count(12), 4);
        assert_eq!(Layout::Cr80.page_count(3), 6);
    }

    #[test]
    fn glyphs_are_shown_by_subset_number() {
        let mut c = Content::new();
        let mut used = Used::new();
        let line = fonts::shape(fonts::Style::Regular, "ab a", false);
        show(&mut c, &mut used, &line, 0.0, 0.0, 10.0);
        let out = String::from_utf8_lossy(&c.finish().into_vec()).into_owned();
        // Subset numbers start at 1 (0 is .notdef) in order of first use: a b space a.
        assert!(out.contains("/F1 10 Tf"), "{out}");
        assert!(out.contains(r"[(\000\001\000\002\000\003\000\001)] TJ"), "{out}");
    }

    fn all_text(l: &CardLanguage) -> String {
        format!("{} {} {} {}", l.heading, l.body.join(" "), l.invitation, l.independent)
    }

    #[test]
    fn default_text_fits_front_and_back_in_every_language() {
        let mut sets: Vec<Vec<Lang>> = Lang::ALL.iter().map(|&l| vec![l]).collect();
        sets.push(vec![Lang::Cy, Lang::En]);
        sets.push(vec![Lang::En, Lang::Pl]);
        sets.push(vec![Lang::En, Lang::Ar]);
        for force in ["Cambridgeshire Constabulary", "Devon and Cornwall Police", "Heddlu Dyfed-Powys Police"] {
            for langs in &sets {
                let text = CardText::default_for(force, langs);
                let front = layout_front(&text);
                assert!(!front.truncated(), "{force} {langs:?}: body cut at {} pt", front.body_size());
                // One language: the 7.5–8 pt the card was asked to use; two: still legible.
                println!("{force} {langs:?}: {} pt, short text: {}", front.body_size(), front.short);
                // One language: 6.5 pt or more (English 7.5, as the card issue asked);
                // two: the full text at 6 pt or more, or the shorter text.
                let min = match (langs.len(), langs[0]) {
                    (1, Lang::En) => 7.5,
                    (1, _) => 6.5,
                    _ => 5.0,
                };
                assert!(front.body_size() >= min, "{force} {langs:?}: {} pt", front.body_size());
                let w = CARD_W - 2.0 * MARGIN;
                for block in &front.blocks {
                    for line in block.body.paragraphs.iter().flatten() {
                        assert!(text_width(block.font, line, block.body.size) <= w + 1e-3);
                        assert!(!line.contains(ELLIPSIS));
                    }
                }
                let mut used = Used::new();
                let (_, template_h) = back_template(&text, &mut used);
                let back =
                    BackText::new(&cards(1)[0], &text.labels(|l| &l.code, CARD_W - MARGIN - BACK_TEXT_X), template_h);
                assert!(!back.url.truncated);
                assert!(template_h + back.height() <= CARD_H - 2.0 * MARGIN, "{force} {langs:?}");
            }
        }
        // GOWISELY items, record and complaint routes all present in English.
        let all = all_text(&CardText::default_for("X", &[Lang::En]).languages[0]);
        for needle in [
            "grounds",
            "looking for",
            "name or number",
            "warrant card",
            "station",
            "copy of the search record",
            "law",
            "detained",
            "3 months",
            "professional standards",
            "IOPC",
            "policeconduct.gov.uk",
            "independent",
        ] {
            assert!(all.contains(needle), "missing {needle:?}");
        }
        // Every language names the force and the IOPC's address.
        for lang in Lang::ALL {
            let all = all_text(&CardText::default_for("Kent Police", &[lang]).languages[0]);
            assert!(all.contains("Kent Police") && all.contains("policeconduct.gov.uk"), "{lang:?}");
        }
    }

    #[test]
    fn paragraphs_split_on_blank_lines_even_with_spaces_on_them() {
        assert_eq!(split_paragraphs("\u{feff}One\ntwo.\n   \n\nThree."), ["One two.", "Three."]);
        assert!(split_paragraphs(" \n\t\n").is_empty());
    }

    #[test]
    fn only_printable_wording_passes() {
        for ok in ["Ŵyr ŷd", "Zażółć gęślą", "ședință", "اعرف حقوقك", "ab\u{301}c", "5 × 3 – “quoted” …"]
        {
            assert!(check_printable(ok).is_ok(), "{ok}");
        }
        for (bad, says) in [
            ("中文", "中"),
            ("a\u{7}", "control"),
            ("\u{202E}x", "override"),
            ("e\u{301}\u{301}\u{301}\u{301}", "accents"),
            ("😀", "U+1F600"),
        ] {
            let e = check_printable(bad).unwrap_err();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
    }

    #[test]
    fn right_to_left_lines_are_set_flush_right() {
        let text = CardText::default_for("Kent Police", &[Lang::Ar]);
        let mut used = Used::new();
        let content = String::from_utf8_lossy(&front_content(&text, &mut used)).into_owned();
        // The body's first line ends at the right margin, so it starts well right of it.
        let xs: Vec<f32> = content
            .lines()
            .filter(|l| l.ends_with(" Tm"))
            .map(|l| l.split(' ').nth(4).unwrap().parse().unwrap())
            .collect();
        assert!(xs.iter().any(|&x| x > MARGIN + 5.0), "{xs:?}");
        assert!(content.contains("/F3 "), "Arabic face used");
    }

    #[test]
    fn over_long_wording_is_truncated_with_ellipsis() {
        let mut text = CardText::default_for("Cambridgeshire Constabulary", &[Lang::Cy, Lang::En]);
        text.languages[1].body.push("Lorem ipsum dolor sit amet. ".repeat(30));
        text.languages[1].short_body.push("Lorem ipsum dolor sit amet. ".repeat(30));
        let front = layout_front(&text);
        assert!(front.truncated() && front.body_size() == BODY_MIN);
        let last = front.blocks.last().unwrap();
        assert!(last.body.paragraphs.last().unwrap().last().unwrap().ends_with(ELLIPSIS));
        // The Welsh block above it is whole.
        assert!(!front.blocks[0].body.truncated);
    }

    #[test]
    fn qr_svg_is_one_path_with_quiet_zone_viewbox() {
        let url = "https://panel.example.police.uk/j/ABCD23456";
        // Same version as qrcode's own encoder would pick.
        let n = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M).unwrap().width();
        assert_eq!(QrEncoder::default().encode(url).unwrap().n, n);
        assert!((25..=33).contains(&n), "unexpected version: {n} modules");
        let svg = qr_svg(url).unwrap();
        assert!(svg.contains(&format!("viewBox=\"0 0 {0} {0}\"", n + 8)), "{svg}");
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.contains(r##"fill="#fff""##) && !svg.contains("<rect x="));
        assert!(svg.contains("mm\" height=\""));
        // Merged runs: fewer subpaths than dark modules, yet together they
        // cover exactly the dark modules (each run is `h{len}v1h-{len}z`).
        let dark = QrEncoder::default().modules(url).unwrap().1.iter().filter(|&&d| d).count();
        let d = svg.split(" d=\"").nth(1).unwrap();
        let covered: usize =
            d.split('h').skip(1).step_by(2).map(|s| s.split('v').next().unwrap().parse::<usize>().unwrap()).sum();
        assert_eq!(covered, dark);
        assert!(svg.matches('M').count() < dark * 3 / 4);
    }

    #[test]
    fn qr_symbol_is_at_least_20mm_for_every_version() {
        for version in 1..=10 {
            let n = 17 + 4 * version;
            assert!(module_mm(n) * n as f32 >= 20.0, "version {version}");
        }
    }

    #[test]
    fn xref_offsets_point_at_objects() {
        let mut pdf = Vec::new();
        write_pdf(&mut pdf, Layout::A4, &CardText::default_for("Test Police", &[Lang::En]), &cards(12)).unwrap();
        assert!(pdf.starts_with(b"%PDF-1.4\n") && pdf.ends_with(b"%%EOF\n"));
        // The tail (xref + trailer) is ASCII; the body may hold binary streams.
        let tail = String::from_utf8_lossy(&pdf[pdf.len() - 40..]).into_owned();
        let startxref: usize = tail.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        let xref = std::str::from_utf8(&pdf[startxref..]).unwrap();
        assert!(xref.starts_with("xref\n0 "));
        let entries: Vec<usize> =
            xref.lines().skip(3).take_while(|l| l.ends_with(" n")).map(|l| l[..10].parse().unwrap()).collect();
        assert_eq!(entries.len(), FIRST_PAGE as usize - 1 + 2 * 4); // 4 pages, each page + content
        for (i, off) in entries.iter().enumerate() {
            assert!(pdf[*off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {}", i + 1);
        }
    }

    #[test]
    fn bad_url_fails_before_writing() {
        let mut batch = cards(3);
        batch[2].url = format!("https://x.example/j/{}", "a".repeat(3000));
        let mut out = Vec::new();
        let err = write_pdf(&mut out, Layout::A4, &CardText::default_for("X", &[Lang::En]), &batch);
        assert!(matches!(err, Err(PrintError::Qr(_))));
        assert!(out.is_empty());
    }

    #[test]
    fn empty_batch_is_an_error() {
        let err = write_pdf(Vec::new(), Layout::Cr80, &CardText::default_for("X", &[Lang::En]), &[]).unwrap_err();
        assert!(matches!(err, PrintError::NoCards));
    }

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
