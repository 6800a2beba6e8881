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
//! part of the back) is drawn once as a Form XObject and reused, fonts are the
//! non-embedded standard 14, and the file is streamed to the writer page by
//! page instead of being assembled in memory.
//!
//! Text measuring/wrapping and QR encoding live next to this file in
//! `print_text.rs` and `print_qr.rs`.

use std::fmt::{self, Write as _};
use std::io::{self, Write};

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::writers::{Catalog, DocumentInfo, Resources};
use pdf_writer::{Chunk, Content, Filter, Name, Rect, Ref, Str, TextStr};

// `#[path]` so the helper files sit beside this one (`cards/print_text.rs`,
// `cards/print_qr.rs`) without needing `mod` lines in the parent module.
#[path = "print_text.rs"]
mod text;
use text::{Fitted, Font, LEADING, encode_winansi, fit_paragraphs, wrap_clamped};
#[path = "print_qr.rs"]
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

/// Wording printed on every card of a batch (configurable per police force).
#[derive(Clone, Debug)]
pub struct CardText {
    /// Printed small at the top of the front, e.g. "Cambridgeshire Constabulary".
    pub force_name: String,
    /// Bold heading on the front (wrapped to at most two lines).
    pub front_heading: String,
    /// Paragraphs for the front, each wrapped to fit.
    pub front_body: Vec<String>,
    /// One line (wrapped if needed) at the top of the back.
    pub invitation: String,
}

impl CardText {
    /// Plain-English default wording: the GOWISELY information the officer
    /// must give, how to get the search record and how to complain.
    pub fn default_for(force_name: &str) -> CardText {
        CardText {
            force_name: force_name.to_string(),
            front_heading: "Stopped and searched? Know your rights".to_string(),
            front_body: vec![
                "Before searching you, the officer must tell you: why they are searching you \
                 (the grounds); what they are looking for; their name or number, and show \
                 their warrant card if not in uniform; the police station they work from; \
                 that you can have a copy of the search record; the law they are using; and \
                 that you are being detained so they can search you."
                    .to_string(),
                "To get a copy of the record, ask the officer at the time, or ask at any \
                 police station within 3 months of the search."
                    .to_string(),
                format!(
                    "To complain, contact {force_name}\u{2019}s professional standards \
                     department, or the Independent Office for Police Conduct (IOPC): \
                     policeconduct.gov.uk"
                ),
            ],
            invitation:
                "Have your say on stop and search \u{2014} join our community scrutiny panel"
                    .to_string(),
        }
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
}

impl fmt::Display for PrintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrintError::Io(e) => write!(f, "could not write print file: {e}"),
            PrintError::Qr(e) => write!(f, "could not make QR code: {e}"),
            PrintError::NoCards => f.write_str("no cards to print"),
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
const QR_BOX: f32 = 27.0 * MM;
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
    (
        (A4_W - COLS as f32 * CARD_W) / 2.0,
        (A4_H - ROWS as f32 * CARD_H) / 2.0,
    )
}

/// Lower-left corner of slot `slot` (0..10, left-to-right, top-to-bottom).
fn a4_slot_origin(slot: usize) -> (f32, f32) {
    let (col, row) = (slot % COLS, slot / COLS);
    let (x0, y0) = a4_grid_origin();
    (
        x0 + col as f32 * CARD_W,
        y0 + (ROWS - 1 - row) as f32 * CARD_H,
    )
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
        c.move_to(x, y1 + CROP_GAP)
            .line_to(x, y1 + CROP_GAP + CROP_LEN);
        c.move_to(x, y0 - CROP_GAP)
            .line_to(x, y0 - CROP_GAP - CROP_LEN);
    }
    for row in 0..=ROWS {
        let y = y0 + row as f32 * CARD_H;
        c.move_to(x0 - CROP_GAP, y)
            .line_to(x0 - CROP_GAP - CROP_LEN, y);
        c.move_to(x1 + CROP_GAP, y)
            .line_to(x1 + CROP_GAP + CROP_LEN, y);
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
        c.rect(
            f32::from(rx) + QUIET as f32,
            f32::from(ry) + QUIET as f32,
            f32::from(len),
            1.0,
        );
    }
    // One fill for the whole symbol: the rasteriser sees a single shape, so
    // there are no anti-aliasing seams between adjacent rows.
    c.fill_nonzero();
    c.restore_state();
}

// ---------------------------------------------------------------------------
// Card faces.

const FORCE_SIZE: f32 = 6.0;
const HEADING_SIZE: f32 = 8.5;
const RULE_GAP: f32 = 4.0;
const INVITE_SIZE: f32 = 8.5;
const LABEL_SIZE: f32 = 6.0;
const URL_SIZE: f32 = 7.0;
const CODE_MAX_SIZE: f32 = 13.0;

/// Writes lines top-down from a moving top edge, so layout code reads like
/// the card does.
struct Pen<'a> {
    c: &'a mut Content,
    x: f32,
    top: f32,
}

impl Pen<'_> {
    fn lines(&mut self, font: Font, size: f32, leading: f32, lines: &[String]) {
        self.c.begin_text();
        self.c.set_font(Name(font.resource_name()), size);
        for line in lines {
            // Helvetica rises 0.718 em and descends 0.207 em; a baseline
            // 0.86 em below the top centres that in a 1.2 em line box.
            let baseline = self.top - 0.86 * size;
            self.c
                .set_text_matrix([1.0, 0.0, 0.0, 1.0, self.x, baseline]);
            show(self.c, line);
            self.top -= leading;
        }
        self.c.end_text();
    }

    fn gap(&mut self, pt: f32) {
        self.top -= pt;
    }
}

/// Shows `s` encoded as WinAnsi. pdf-writer's `Str` escapes `(`, `)` and `\`
/// (or switches to a hex string for bytes above 0x7F).
fn show(c: &mut Content, s: &str) {
    c.show(Str(&encode_winansi(s)));
}

/// Where the front's text goes; separate from drawing so tests can check it.
struct FrontLayout {
    force: Vec<String>,
    heading: Vec<String>,
    body: Fitted,
}

fn layout_front(text: &CardText) -> FrontLayout {
    let w = CARD_W - 2.0 * MARGIN;
    let force = wrap_clamped(Font::Helvetica, &text.force_name, FORCE_SIZE, w, 1);
    let heading = wrap_clamped(Font::HelveticaBold, &text.front_heading, HEADING_SIZE, w, 2);
    let used = (force.len() as f32 * FORCE_SIZE + heading.len() as f32 * HEADING_SIZE) * LEADING
        + RULE_GAP;
    let body_h = CARD_H - 2.0 * MARGIN - used;
    let body = fit_paragraphs(Font::Helvetica, &text.front_body, w, body_h, 6.5, 5.0);
    FrontLayout {
        force,
        heading,
        body,
    }
}

fn front_content(text: &CardText) -> Vec<u8> {
    let l = layout_front(text);
    let mut c = Content::new();
    let mut pen = Pen {
        c: &mut c,
        x: MARGIN,
        top: CARD_H - MARGIN,
    };
    pen.lines(Font::Helvetica, FORCE_SIZE, FORCE_SIZE * LEADING, &l.force);
    pen.lines(
        Font::HelveticaBold,
        HEADING_SIZE,
        HEADING_SIZE * LEADING,
        &l.heading,
    );
    let rule_y = pen.top - RULE_GAP / 2.0;
    pen.gap(RULE_GAP);
    for (i, para) in l.body.paragraphs.iter().enumerate() {
        if i > 0 {
            pen.gap(l.body.gap);
        }
        pen.lines(Font::Helvetica, l.body.size, l.body.leading, para);
    }
    c.move_to(MARGIN, rule_y).line_to(CARD_W - MARGIN, rule_y);
    c.set_line_width(0.5).stroke();
    c.finish().into_vec()
}

/// The part of the back common to every card, drawn once as a Form XObject
/// from the top margin down. Returns its content and height.
fn back_template(text: &CardText) -> (Vec<u8>, f32) {
    let w = CARD_W - MARGIN - BACK_TEXT_X;
    let invite = fit_paragraphs(
        Font::HelveticaBold,
        &[&text.invitation],
        w,
        4.0 * INVITE_SIZE * LEADING,
        INVITE_SIZE,
        6.5,
    );
    let mut c = Content::new();
    let top = CARD_H - MARGIN;
    let mut pen = Pen {
        c: &mut c,
        x: BACK_TEXT_X,
        top,
    };
    for para in &invite.paragraphs {
        pen.lines(Font::HelveticaBold, invite.size, invite.leading, para);
    }
    pen.gap(3.0);
    pen.lines(
        Font::Helvetica,
        LABEL_SIZE,
        LABEL_SIZE * LEADING,
        &["Scan the QR code or visit:".into()],
    );
    let height = top - pen.top;
    (c.finish().into_vec(), height)
}

/// Per-card text on the back: the URL (wrapped, shrunk if very long) and the
/// card code, which is the fallback when the QR code will not scan, so it is
/// set as large as fits (Courier: every glyph is 0.6 em).
struct BackText {
    url: Fitted,
    code: Vec<String>,
    code_size: f32,
}

const CODE_GAP: f32 = 2.0;

impl BackText {
    fn new(card: &PrintCard, template_h: f32) -> BackText {
        let w = CARD_W - MARGIN - BACK_TEXT_X;
        let code_size = (w / (0.6 * card.code.chars().count().max(1) as f32)).min(CODE_MAX_SIZE);
        let code = wrap_clamped(Font::CourierBold, &card.code, code_size, w, 1);
        let tail = CODE_GAP + (LABEL_SIZE + code_size) * LEADING;
        let url_h = CARD_H - 2.0 * MARGIN - template_h - tail;
        let url = fit_paragraphs(Font::Helvetica, &[&card.url], w, url_h, URL_SIZE, 5.0);
        BackText {
            url,
            code,
            code_size,
        }
    }

    fn height(&self) -> f32 {
        self.url.height() + CODE_GAP + (LABEL_SIZE + self.code_size) * LEADING
    }
}

/// Draws one card's back with its lower-left corner at (x, y).
fn draw_back(
    c: &mut Content,
    qr: &mut QrEncoder,
    card: &PrintCard,
    template_h: f32,
    x: f32,
    y: f32,
) -> Result<(), PrintError> {
    let qr = qr.encode(&card.url)?;
    let text = BackText::new(card, template_h);
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
    let mut pen = Pen {
        c,
        x: BACK_TEXT_X,
        top,
    };
    for para in &text.url.paragraphs {
        pen.lines(Font::Helvetica, text.url.size, text.url.leading, para);
    }
    pen.gap(CODE_GAP);
    pen.lines(
        Font::Helvetica,
        LABEL_SIZE,
        LABEL_SIZE * LEADING,
        &["Card code:".into()],
    );
    pen.lines(
        Font::CourierBold,
        text.code_size,
        text.code_size * LEADING,
        &text.code,
    );
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
const FONTS: [(Font, Ref); 3] = [
    (Font::Helvetica, Ref::new(3)),
    (Font::HelveticaBold, Ref::new(4)),
    (Font::CourierBold, Ref::new(5)),
];
const FRONT_FORM: Ref = Ref::new(6);
const BACK_FORM: Ref = Ref::new(7);
const PAGE_RESOURCES: Ref = Ref::new(8);
const INFO: Ref = Ref::new(9);
const FIRST_PAGE: i32 = 10;

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
    for (font, id) in FONTS {
        fonts.pair(Name(font.resource_name()), id);
    }
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
        let mut s = PdfStream {
            out,
            buf: Vec::with_capacity(Self::FLUSH_AT * 2),
            pos: 0,
            offsets: vec![0; objects + 1],
        };
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
        debug_assert!(
            self.offsets[1..].iter().all(|&o| o > 0),
            "object id allocated but never written"
        );
        let xref_at = self.pos;
        let mut xref = String::with_capacity(20 * self.offsets.len() + 100);
        let _ = write!(
            xref,
            "xref\n0 {}\n0000000000 65535 f\r\n",
            self.offsets.len()
        );
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
pub fn write_pdf<W: Write>(
    out: W,
    layout: Layout,
    text: &CardText,
    cards: &[PrintCard],
) -> Result<(), PrintError> {
    if cards.is_empty() {
        return Err(PrintError::NoCards);
    }
    for card in cards {
        qr::check(&card.url)?;
    }
    let (page_w, page_h) = layout.page_size();
    let pages = layout.page_count(cards.len());
    let mut pdf = PdfStream::new(out, FIRST_PAGE as usize - 1 + 2 * pages)?;

    for (font, id) in FONTS {
        pdf.object(id, |c| {
            c.type1_font(id)
                .base_font(Name(font.base_font()))
                .encoding_predefined(Name(b"WinAnsiEncoding"));
        })?;
    }
    let (back, template_h) = back_template(text);
    let mut qr = QrEncoder::default();
    for (id, content) in [(FRONT_FORM, front_content(text)), (BACK_FORM, back)] {
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
        res.x_objects()
            .pair(Name(b"Fr"), FRONT_FORM)
            .pair(Name(b"Bk"), BACK_FORM);
        font_resources(res);
    })?;
    pdf.object(INFO, |c| {
        c.indirect(INFO)
            .start::<DocumentInfo>()
            .title(TextStr("Stop and search cards"))
            .creator(TextStr("scrutiny"));
    })?;

    let mut page_no = 0;
    let mut page = |pdf: &mut PdfStream<W>, content: &[u8]| -> io::Result<()> {
        let id = page_ref(page_no);
        let content_id = Ref::new(id.get() + 1);
        page_no += 1;
        pdf.object(id, |c| {
            let mut p = c.page(id);
            p.parent(PAGES)
                .media_box(Rect::new(0.0, 0.0, page_w, page_h))
                .contents(content_id);
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
                    draw_back(&mut c, &mut qr, card, template_h, x, y)?;
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
                draw_back(&mut c, &mut qr, card, template_h, 0.0, 0.0)?;
                page(&mut pdf, &deflate(&c.finish()))?;
            }
        }
    }

    // The page tree goes last, once every page has been written: its Kids
    // array is the only thing that grows with the batch (~10 bytes a page).
    pdf.object(PAGES, |c| {
        c.pages(PAGES)
            .kids((0..pages).map(page_ref))
            .count(pages as i32);
    })?;
    pdf.object(CATALOG, |c| {
        c.indirect(CATALOG).start::<Catalog>().pages(PAGES);
    })?;
    pdf.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::text::{ELLIPSIS, text_width};
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
                PrintCard {
                    url: format!("https://panel.example.police.uk/j/{code}"),
                    code,
                }
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
            assert!(
                x >= 0.0 && y >= 0.0 && x + CARD_W <= A4_W && y + CARD_H <= A4_H,
                "slot {slot}"
            );
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
        assert_eq!(
            (0..PER_SHEET).map(mirrored_slot).collect::<Vec<_>>(),
            [1, 0, 3, 2, 5, 4, 7, 6, 9, 8]
        );
        for slot in 0..PER_SHEET {
            let (fx, fy) = a4_slot_origin(slot);
            let (bx, by) = a4_slot_origin(mirrored_slot(slot));
            // Flipping the sheet about its vertical centre line maps the
            // front's rectangle exactly onto the back's.
            assert!(
                approx(bx, A4_W - (fx + CARD_W)) && approx(by, fy),
                "slot {slot}"
            );
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
    fn text_is_winansi_encoded_and_escaped() {
        let mut c = Content::new();
        show(&mut c, r"a(b\c");
        show(&mut c, "officer’s — “x”");
        let out = String::from_utf8_lossy(&c.finish().into_vec()).into_owned();
        // Unbalanced parenthesis and backslash escaped in a literal string.
        assert!(out.contains(r"(a\(b\\c) Tj"), "{out}");
        // Non-ASCII WinAnsi bytes: ’ = 92, — = 97, “ = 93, ” = 94 (hex string).
        assert!(out.contains("<6F6666696365729273209720937894> Tj"), "{out}");
    }

    #[test]
    fn default_text_fits_front_and_back_without_truncation() {
        for force in [
            "Cambridgeshire Constabulary",
            "Devon and Cornwall Police",
            "Metropolitan Police Service",
        ] {
            let text = CardText::default_for(force);
            let front = layout_front(&text);
            assert!(
                !front.body.truncated,
                "{force}: body cut at {} pt",
                front.body.size
            );
            assert!(front.body.size >= 5.0);
            assert_eq!((front.force.len(), front.heading.len()), (1, 1));
            let w = CARD_W - 2.0 * MARGIN;
            for line in front.body.paragraphs.iter().flatten() {
                assert!(text_width(Font::Helvetica, line, front.body.size) <= w);
                assert!(!line.contains(ELLIPSIS));
            }
            // GOWISELY items, record and complaint routes all present.
            let all = text.front_body.join(" ");
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
            ] {
                assert!(all.contains(needle), "missing {needle:?}");
            }

            let (_, template_h) = back_template(&text);
            let back = BackText::new(&cards(1)[0], template_h);
            assert!(!back.url.truncated);
            assert!(template_h + back.height() <= CARD_H - 2.0 * MARGIN);
        }
    }

    #[test]
    fn over_long_wording_is_truncated_with_ellipsis() {
        let mut text = CardText::default_for("Cambridgeshire Constabulary");
        text.front_body
            .push("Lorem ipsum dolor sit amet. ".repeat(30));
        let front = layout_front(&text);
        assert!(front.body.truncated && front.body.size == 5.0);
        assert!(
            front
                .body
                .paragraphs
                .last()
                .unwrap()
                .last()
                .unwrap()
                .ends_with(ELLIPSIS)
        );
    }

    #[test]
    fn qr_svg_is_one_path_with_quiet_zone_viewbox() {
        let url = "https://panel.example.police.uk/j/ABCD23456";
        // Same version as qrcode's own encoder would pick.
        let n = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M)
            .unwrap()
            .width();
        assert_eq!(QrEncoder::default().encode(url).unwrap().n, n);
        assert!((25..=33).contains(&n), "unexpected version: {n} modules");
        let svg = qr_svg(url).unwrap();
        assert!(
            svg.contains(&format!("viewBox=\"0 0 {0} {0}\"", n + 8)),
            "{svg}"
        );
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.contains(r##"fill="#fff""##) && !svg.contains("<rect x="));
        assert!(svg.contains("mm\" height=\""));
        // Merged runs: fewer subpaths than dark modules, yet together they
        // cover exactly the dark modules (each run is `h{len}v1h-{len}z`).
        let dark = QrEncoder::default()
            .modules(url)
            .unwrap()
            .1
            .iter()
            .filter(|&&d| d)
            .count();
        let d = svg.split(" d=\"").nth(1).unwrap();
        let covered: usize = d
            .split('h')
            .skip(1)
            .step_by(2)
            .map(|s| s.split('v').next().unwrap().parse::<usize>().unwrap())
            .sum();
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
        write_pdf(
            &mut pdf,
            Layout::A4,
            &CardText::default_for("Test Police"),
            &cards(12),
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-1.4\n") && pdf.ends_with(b"%%EOF\n"));
        // The tail (xref + trailer) is ASCII; the body may hold binary streams.
        let tail = String::from_utf8_lossy(&pdf[pdf.len() - 40..]).into_owned();
        let startxref: usize = tail
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let xref = std::str::from_utf8(&pdf[startxref..]).unwrap();
        assert!(xref.starts_with("xref\n0 "));
        let entries: Vec<usize> = xref
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n"))
            .map(|l| l[..10].parse().unwrap())
            .collect();
        assert_eq!(entries.len(), FIRST_PAGE as usize - 1 + 2 * 4); // 4 pages, each page + content
        for (i, off) in entries.iter().enumerate() {
            assert!(
                pdf[*off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {}",
                i + 1
            );
        }
    }

    #[test]
    fn bad_url_fails_before_writing() {
        let mut batch = cards(3);
        batch[2].url = format!("https://x.example/j/{}", "a".repeat(3000));
        let mut out = Vec::new();
        let err = write_pdf(&mut out, Layout::A4, &CardText::default_for("X"), &batch);
        assert!(matches!(err, Err(PrintError::Qr(_))));
        assert!(out.is_empty());
    }

    #[test]
    fn empty_batch_is_an_error() {
        let err =
            write_pdf(Vec::new(), Layout::Cr80, &CardText::default_for("X"), &[]).unwrap_err();
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
        assert!(
            out.status.success(),
            "pdfinfo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect()
    }

    /// Renders every page at 300 dpi and returns all QR payloads found.
    fn decode_all(pdf: &Path, dir: &Path) -> Vec<String> {
        let status = Command::new("pdftoppm")
            .args(["-r", "300", "-png"])
            .arg(pdf)
            .arg(dir.join("page"))
            .status()
            .unwrap();
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
            let out = Command::new("zbarimg")
                .args(["--raw", "-q"])
                .arg(&png)
                .output()
                .unwrap();
            assert!(
                matches!(out.status.code(), Some(0 | 4)),
                "zbarimg failed on {png:?}"
            );
            urls.extend(
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(String::from),
            );
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
        let text = CardText::default_for("Cambridgeshire Constabulary");
        for (layout, n, pages, size) in [
            (Layout::A4, 12, "4", "595.276 x 841.89 pts (A4)"),
            (Layout::Cr80, 3, "6", "242.646 x 153.071 pts"),
        ] {
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

    #[test]
    #[ignore = "timing; run with --release -- --ignored --nocapture"]
    fn ten_thousand_a4_cards() {
        let batch = cards(10_000);
        let dir = scratch_dir("perf");
        let path = dir.join("cards.pdf");
        let start = std::time::Instant::now();
        write_pdf(
            std::fs::File::create(&path).unwrap(),
            Layout::A4,
            &CardText::default_for("Cambridgeshire Constabulary"),
            &batch,
        )
        .unwrap();
        let elapsed = start.elapsed();
        let size = std::fs::metadata(&path).unwrap().len();
        println!(
            "10,000 A4 cards: {elapsed:.2?}, {:.1} MB ({size} bytes)",
            size as f64 / 1e6
        );
        if !cfg!(debug_assertions) {
            assert!(elapsed.as_secs_f32() < 3.0);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
