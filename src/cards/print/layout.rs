//! Where things go: the geometry of the print files and of a card, the type sizes,
//! and where each face's text goes. Nothing is drawn here (that is `draw.rs`), so
//! tests and the fit checks can look at a layout without reading content streams.

use pdf_writer::Content;

use super::text::{self, fit_paragraphs, wrap_clamped, Fitted, Font, LEADING};
use super::{CardLanguage, CardText, Layout, PrintCard};

// ---------------------------------------------------------------------------
// Geometry. PDF user space is in points; everything is specified in mm.

pub(super) const MM: f32 = 72.0 / 25.4;
/// ISO/IEC 7810 ID-1.
pub(super) const CARD_W: f32 = 85.6 * MM;
pub(super) const CARD_H: f32 = 54.0 * MM;
const A4_W: f32 = 210.0 * MM;
const A4_H: f32 = 297.0 * MM;
const COLS: usize = 2;
const ROWS: usize = 5;
pub(super) const PER_SHEET: usize = COLS * ROWS;
/// Inner margin on both faces: keeps text clear of cutting tolerance.
pub(super) const MARGIN: f32 = 4.0 * MM;
const CROP_GAP: f32 = 2.0 * MM;
const CROP_LEN: f32 = 5.0 * MM;

/// Square area on the back reserved for the QR code including quiet zone.
pub(super) const QR_BOX: f32 = 30.0 * MM;
pub(super) const QR_BOX_X: f32 = 3.0 * MM;

/// Left edge of the text column on the back, just right of the QR box (its
/// quiet zone already provides the visual gap).
pub(super) const BACK_TEXT_X: f32 = QR_BOX_X + QR_BOX + 0.5 * MM;

impl Layout {
    pub(super) fn page_size(self) -> (f32, f32) {
        match self {
            Layout::A4 => (A4_W, A4_H),
            Layout::Cr80 => (CARD_W, CARD_H),
        }
    }

    pub(super) fn page_count(self, cards: usize) -> usize {
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
pub(super) fn a4_slot_origin(slot: usize) -> (f32, f32) {
    let (col, row) = (slot % COLS, slot / COLS);
    let (x0, y0) = a4_grid_origin();
    (x0 + col as f32 * CARD_W, y0 + (ROWS - 1 - row) as f32 * CARD_H)
}

/// Slot that holds the back of the card whose front is in `slot`. Long-edge
/// duplex turns the sheet over about its vertical axis: columns swap, rows
/// stay. Because the grid is centred this is an exact mirror image.
pub(super) fn mirrored_slot(slot: usize) -> usize {
    let (col, row) = (slot % COLS, slot / COLS);
    row * COLS + (COLS - 1 - col)
}

/// Short hairlines in the margin on every card edge line, on both faces, so
/// the guillotine can be lined up from either side.
pub(super) fn crop_marks(c: &mut Content) {
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
// Card faces.

pub(super) const FORCE_SIZE: f32 = 6.0;
pub(super) const RULE_GAP: f32 = 4.0;
/// The front's body text starts at this size and shrinks (0.25 pt steps) until
/// every language fits; below the minimum it is cut with "…".
const BODY_MAX: f32 = 8.5;
pub(super) const BODY_MIN: f32 = 4.5;
/// Space between two languages' blocks (a hairline is drawn in the middle).
pub(super) const LANG_GAP: f32 = 5.0;
const INVITE_MAX: f32 = 9.0;
const INVITE_MIN: f32 = 5.0;
pub(super) const LABEL_SIZE: f32 = 6.0;
const URL_SIZE: f32 = 7.0;
const CODE_MAX_SIZE: f32 = 13.0;

impl CardText {
    /// A small label in every language of the card, each on its own lines in its own
    /// direction (the same words twice are shown once), wrapped to `w`.
    pub(super) fn labels(&self, label: impl Fn(&CardLanguage) -> &str, w: f32) -> Labels {
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
pub(super) type Labels = Vec<(Font, Vec<String>)>;

fn labels_height(labels: &Labels) -> f32 {
    labels.iter().map(|(_, lines)| lines.len()).sum::<usize>() as f32 * LABEL_SIZE * LEADING
}

/// One language's part of the front.
pub(super) struct FrontBlock {
    pub(super) font: Font,
    pub(super) heading: Vec<String>,
    /// The heading needed more than its two lines and was cut ("…").
    pub(super) heading_cut: bool,
    pub(super) heading_size: f32,
    pub(super) body: Fitted,
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
pub(super) struct FrontLayout {
    pub(super) force: Vec<String>,
    pub(super) blocks: Vec<FrontBlock>,
    /// Languages left off entirely because nothing of them fitted.
    dropped: usize,
    /// Whether the shorter texts were used.
    pub(super) short: bool,
}

impl FrontLayout {
    /// The body size every language was set at.
    pub(super) fn body_size(&self) -> f32 {
        self.blocks[0].body.size
    }

    pub(super) fn truncated(&self) -> bool {
        self.dropped > 0 || self.blocks.iter().any(|b| b.body.truncated)
    }
}

/// Below this, a card with several languages switches to their shorter texts.
const FULL_TEXT_MIN: f32 = 6.0;

pub(super) fn layout_front(text: &CardText) -> FrontLayout {
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

/// The part of the back common to every card: each language's invitation and who
/// runs the panel, then "Scan the QR code or visit:".
pub(super) struct BackLayout {
    pub(super) blocks: Vec<(Font, Fitted, Fitted)>,
    pub(super) scan: Labels,
}

/// Room the per-card part of the back needs: two lines of address, the code label
/// and the code itself.
fn back_tail_reserve(text: &CardText, w: f32) -> f32 {
    let code_labels = labels_height(&text.labels(|l| &l.code, w));
    2.0 * URL_SIZE * LEADING + CODE_GAP + code_labels + CODE_MAX_SIZE * LEADING
}

pub(super) fn layout_back(text: &CardText) -> BackLayout {
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

/// Per-card text on the back: the URL (wrapped, shrunk if very long) and the
/// card code, which is the fallback when the QR code will not scan, so it is
/// set as large as fits.
pub(super) struct BackText {
    pub(super) url: Fitted,
    pub(super) code: Vec<String>,
    pub(super) code_size: f32,
    label_h: f32,
}

pub(super) const CODE_GAP: f32 = 2.0;

impl BackText {
    pub(super) fn new(card: &PrintCard, label: &Labels, template_h: f32) -> BackText {
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

    pub(super) fn height(&self) -> f32 {
        self.url.height() + CODE_GAP + self.label_h + self.code_size * LEADING
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::ELLIPSIS;
    use super::*;
    use crate::i18n::Lang;

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
}
