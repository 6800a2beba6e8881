//! The card faces drawn into PDF content streams: lines of shaped text, the front and
//! the part of the back common to every card (each drawn once and reused as a Form
//! XObject), and each card's own back.

use pdf_writer::{Content, Name, Str};

use super::fonts::{self, Used};
use super::layout::{
    layout_back, layout_front, BackText, Labels, BACK_TEXT_X, CARD_H, CARD_W, CODE_GAP, FORCE_SIZE, LABEL_SIZE,
    LANG_GAP, MARGIN, QR_BOX, QR_BOX_X, RULE_GAP,
};
use super::qr::{draw_qr, QrRuns};
use super::text::{Font, LEADING};
use super::{CardText, PrintCard, PrintError};

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

pub(super) fn front_content(text: &CardText, used: &mut Used) -> Vec<u8> {
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

/// The part of the back common to every card, drawn once as a Form XObject
/// from the top margin down. Returns its content and height.
pub(super) fn back_template(text: &CardText, used: &mut Used) -> (Vec<u8>, f32) {
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

/// Draws one card's back with its lower-left corner at (x, y).
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_back(
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
pub(super) fn draw_front(c: &mut Content, x: f32, y: f32) {
    c.save_state();
    c.transform([1.0, 0.0, 0.0, 1.0, x, y]);
    c.x_object(Name(b"Fr"));
    c.restore_state();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

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
}
