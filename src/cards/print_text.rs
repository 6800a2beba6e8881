//! Text helpers for `print.rs`: WinAnsi encoding, standard-14 font metrics,
//! width-based word wrapping and "shrink until it fits" paragraph fitting.
//!
//! Kept separate so the PDF/layout code in `print.rs` stays readable. Nothing
//! here knows about PDF objects; it only measures and splits strings.

/// The three non-embedded PDF standard-14 fonts we use. Not embedding keeps a
/// 10,000-card file small, and every PDF reader/RIP must provide these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Font {
    Helvetica,
    HelveticaBold,
    CourierBold,
}

impl Font {
    /// Resource name used inside content streams (`/F1 7 Tf`).
    pub(crate) fn resource_name(self) -> &'static [u8] {
        match self {
            Font::Helvetica => b"F1",
            Font::HelveticaBold => b"F2",
            Font::CourierBold => b"F3",
        }
    }

    /// PostScript name of the standard-14 font.
    pub(crate) fn base_font(self) -> &'static [u8] {
        match self {
            Font::Helvetica => b"Helvetica",
            Font::HelveticaBold => b"Helvetica-Bold",
            Font::CourierBold => b"Courier-Bold",
        }
    }

    /// Advance width of one WinAnsi byte, in 1/1000 em.
    fn glyph_width(self, byte: u8) -> u16 {
        let (ascii, extra): (&[u16; 95], &[(u8, u16)]) = match self {
            // Courier is monospaced: every glyph is 600.
            Font::CourierBold => return 600,
            Font::Helvetica => (&HELVETICA, HELVETICA_EXTRA),
            Font::HelveticaBold => (&HELVETICA_BOLD, HELVETICA_BOLD_EXTRA),
        };
        match byte {
            32..=126 => ascii[usize::from(byte - 32)],
            _ => extra
                .iter()
                .find(|&&(b, _)| b == byte)
                .map_or(FALLBACK_WIDTH, |&(_, w)| w),
        }
    }
}

/// Adobe AFM advance widths (1/1000 em) for WinAnsi codes 32..=126 (checked
/// against the metric-compatible URW Nimbus Sans AFMs). Note 39 is
/// `quotesingle` and 96 is `grave` in WinAnsi (not the curly quotes of
/// StandardEncoding), so their widths differ from some published tables.
#[rustfmt::skip]
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // '0'..'?'
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // '@'..'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 'P'..'_'
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // '`'..'o'
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,      // 'p'..'~'
];

#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// Widths of the non-ASCII punctuation that default/force wording is likely to
/// contain. The generic 556 fallback would under-measure the em dash and
/// ellipsis (1000) and let a line overflow, so those are listed explicitly.
const HELVETICA_EXTRA: &[(u8, u16)] = &[
    (0x85, 1000),
    (0x91, 222),
    (0x92, 222),
    (0x93, 333),
    (0x94, 333),
    (0x95, 350),
    (0x96, 556),
    (0x97, 1000),
    (0xA0, 278),
];
const HELVETICA_BOLD_EXTRA: &[(u8, u16)] = &[
    (0x85, 1000),
    (0x91, 278),
    (0x92, 278),
    (0x93, 500),
    (0x94, 500),
    (0x95, 350),
    (0x96, 556),
    (0x97, 1000),
    (0xA0, 278),
];
/// Width assumed for any other glyph (most Latin-1 letters are 500–722).
const FALLBACK_WIDTH: u16 = 556;

/// The horizontal ellipsis, WinAnsi 0x85.
pub(crate) const ELLIPSIS: char = '\u{2026}';

/// Maps one character to its WinAnsiEncoding byte, or `?` if it has none.
///
/// 0xA0..=0xFF coincide with Latin-1; 0x80..=0x9F hold the Windows-1252
/// extras (curly quotes, dashes, bullet, euro, ...).
pub(crate) fn winansi_byte(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{A0}'..='\u{FF}' => c as u8,
        '\u{20AC}' => 0x80,
        '\u{201A}' => 0x82,
        '\u{0192}' => 0x83,
        '\u{201E}' => 0x84,
        '\u{2026}' => 0x85,
        '\u{2020}' => 0x86,
        '\u{2021}' => 0x87,
        '\u{02C6}' => 0x88,
        '\u{2030}' => 0x89,
        '\u{0160}' => 0x8A,
        '\u{2039}' => 0x8B,
        '\u{0152}' => 0x8C,
        '\u{017D}' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '\u{2022}' => 0x95,
        '\u{2013}' => 0x96,
        '\u{2014}' => 0x97,
        '\u{02DC}' => 0x98,
        '\u{2122}' => 0x99,
        '\u{0161}' => 0x9A,
        '\u{203A}' => 0x9B,
        '\u{0153}' => 0x9C,
        '\u{017E}' => 0x9E,
        '\u{0178}' => 0x9F,
        // Tabs/newlines would be drawn as missing glyphs; a space is harmless.
        '\t' | '\n' | '\r' => b' ',
        _ => b'?',
    }
}

/// Encodes a string as WinAnsi bytes (one byte per char, `?` if unencodable).
pub(crate) fn encode_winansi(s: &str) -> Vec<u8> {
    s.chars().map(winansi_byte).collect()
}

/// Width of `s` in points when set in `font` at `size` pt.
pub(crate) fn text_width(font: Font, s: &str, size: f32) -> f32 {
    let units: u32 = s
        .chars()
        .map(|c| u32::from(font.glyph_width(winansi_byte(c))))
        .sum();
    units as f32 * size / 1000.0
}

/// Greedy word wrap to `max_width` points. Words wider than a whole line
/// (typically URLs) are broken between characters rather than overflowing,
/// because overflowing text would be cut off at the card edge.
pub(crate) fn wrap(font: Font, text: &str, size: f32, max_width: f32) -> Vec<String> {
    let space = text_width(font, " ", size);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_w = 0.0;
    for word in text.split_whitespace() {
        let w = text_width(font, word, size);
        if !line.is_empty() && line_w + space + w <= max_width {
            line.push(' ');
            line.push_str(word);
            line_w += space + w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if w <= max_width {
            line.push_str(word);
            line_w = w;
            continue;
        }
        // Break an over-long word, always taking at least one char per line
        // so a box narrower than one glyph cannot loop forever.
        line_w = 0.0;
        for c in word.chars() {
            let cw = text_width(font, c.encode_utf8(&mut [0; 4]), size);
            if !line.is_empty() && line_w + cw > max_width {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            line.push(c);
            line_w += cw;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Shortens `line` until `line + "…"` fits in `max_width`. Used only when the
/// wording is too long even at the minimum size, so it is visibly cut rather
/// than silently spilling off the card.
pub(crate) fn ellipsize(font: Font, line: &str, size: f32, max_width: f32) -> String {
    let mut s = line.trim_end().to_string();
    loop {
        let candidate = format!("{s}{ELLIPSIS}");
        if s.is_empty() || text_width(font, &candidate, size) <= max_width {
            return candidate;
        }
        s.pop();
        // Prefer ending on a whole word with no dangling space before the "…".
        s.truncate(s.trim_end().len());
    }
}

/// Wraps `text` and keeps at most `max_lines`, ending with "…" if cut. For
/// short fixed-size items (force name, heading) where shrinking the font
/// would hurt more than a rare, visible cut.
pub(crate) fn wrap_clamped(
    font: Font,
    text: &str,
    size: f32,
    max_width: f32,
    max_lines: usize,
) -> Vec<String> {
    let mut lines = wrap(font, text, size, max_width);
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = ellipsize(font, last, size, max_width);
        }
    }
    lines
}

/// Paragraphs wrapped at a size chosen to fit a box.
#[derive(Debug)]
pub(crate) struct Fitted {
    pub size: f32,
    /// Baseline-to-baseline distance.
    pub leading: f32,
    /// Extra space between paragraphs.
    pub gap: f32,
    pub paragraphs: Vec<Vec<String>>,
    /// True if text had to be cut (and an ellipsis added) to fit.
    pub truncated: bool,
}

impl Fitted {
    pub(crate) fn height(&self) -> f32 {
        let lines: usize = self.paragraphs.iter().map(Vec::len).sum();
        let gaps = self.paragraphs.len().saturating_sub(1);
        lines as f32 * self.leading + gaps as f32 * self.gap
    }
}

/// Line spacing as a multiple of the font size; 1.2 is the usual comfortable
/// value for small sans-serif text.
pub(crate) const LEADING: f32 = 1.2;

/// Wraps `paragraphs` to `max_width` at the largest size from `start` down to
/// `min` (0.25 pt steps) whose total height fits `max_height`. If even `min`
/// does not fit, keeps as many lines as fit and ends the last with "…".
pub(crate) fn fit_paragraphs<S: AsRef<str>>(
    font: Font,
    paragraphs: &[S],
    max_width: f32,
    max_height: f32,
    start: f32,
    min: f32,
) -> Fitted {
    let layout = |size: f32| {
        let leading = size * LEADING;
        Fitted {
            size,
            leading,
            gap: leading * 0.4,
            paragraphs: paragraphs
                .iter()
                .map(|p| wrap(font, p.as_ref(), size, max_width))
                .collect(),
            truncated: false,
        }
    };
    let mut size = start;
    loop {
        let fitted = layout(size);
        if fitted.height() <= max_height + 1e-3 {
            return fitted;
        }
        if size - 0.25 < min - 1e-3 {
            return truncate(font, fitted, max_width, max_height);
        }
        size -= 0.25;
    }
}

/// Drops whole lines from the end until the text fits, then marks the cut.
fn truncate(font: Font, mut f: Fitted, max_width: f32, max_height: f32) -> Fitted {
    f.truncated = true;
    while f.height() > max_height + 1e-3 {
        match f.paragraphs.last_mut() {
            Some(p) if p.len() > 1 => {
                p.pop();
            }
            Some(_) => {
                f.paragraphs.pop();
            }
            None => break,
        }
    }
    if let Some(last) = f.paragraphs.last_mut().and_then(|p| p.last_mut()) {
        *last = ellipsize(font, last, f.size, max_width);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winansi_maps_typographic_characters() {
        assert_eq!(
            encode_winansi("“a” ‘b’ – — • é €…"),
            b"\x93a\x94 \x91b\x92 \x96 \x97 \x95 \xe9 \x80\x85"
        );
        assert_eq!(encode_winansi("Zoë £5"), b"Zo\xeb \xa35");
        // Not in WinAnsi: CJK, emoji, Greek.
        assert_eq!(encode_winansi("a中😀λb"), b"a???b");
    }

    #[test]
    fn widths_match_afm() {
        // "Helvetica" in Helvetica: H722 e556 l222 v500 e556 t278 i222 c500 a556 = 4112.
        assert!((text_width(Font::Helvetica, "Helvetica", 10.0) - 41.12).abs() < 1e-3);
        assert!((text_width(Font::HelveticaBold, "Wi", 1000.0) - 1222.0).abs() < 1e-3);
        assert_eq!(text_width(Font::CourierBold, "ABCD2345", 10.0), 48.0);
        // The em dash is measured as a full em, not the 556 fallback.
        assert_eq!(text_width(Font::Helvetica, "—", 1000.0), 1000.0);
        assert_eq!(text_width(Font::Helvetica, "λ", 1000.0), 556.0); // drawn as '?'
    }

    #[test]
    fn wrap_never_exceeds_width_and_keeps_all_words() {
        let text = "Have your say on stop and search — join our community scrutiny panel \
                    https://panel.example.police.uk/j/ABCD23456/with/a/very/long/tail";
        for max in [40.0, 80.0, 150.0, 220.0] {
            let lines = wrap(Font::HelveticaBold, text, 8.0, max);
            assert!(lines.len() > 1);
            for l in &lines {
                assert!(
                    text_width(Font::HelveticaBold, l, 8.0) <= max,
                    "{l:?} wider than {max}"
                );
            }
            // Only whitespace is lost: rejoining gives back every character.
            let joined: String = lines.concat().split_whitespace().collect();
            let orig: String = text.split_whitespace().collect();
            assert_eq!(joined, orig);
        }
    }

    #[test]
    fn wrap_handles_degenerate_boxes() {
        assert!(wrap(Font::Helvetica, "   ", 7.0, 100.0).is_empty());
        // Narrower than one glyph: one char per line, no infinite loop.
        assert_eq!(wrap(Font::Helvetica, "abc", 7.0, 0.1), ["a", "b", "c"]);
    }

    #[test]
    fn fit_shrinks_then_truncates() {
        let paras = ["word ".repeat(40)];
        let roomy = fit_paragraphs(Font::Helvetica, &paras, 200.0, 200.0, 6.5, 5.0);
        assert_eq!((roomy.size, roomy.truncated), (6.5, false));

        // Tall enough only at a smaller size.
        let tight_h = fit_paragraphs(Font::Helvetica, &paras, 200.0, 1000.0, 5.0, 5.0).height();
        let shrunk = fit_paragraphs(Font::Helvetica, &paras, 200.0, tight_h, 6.5, 5.0);
        assert!(shrunk.size < 6.5 && !shrunk.truncated);
        assert!(shrunk.height() <= tight_h + 1e-3);

        let cut = fit_paragraphs(Font::Helvetica, &paras, 200.0, 14.0, 6.5, 5.0);
        assert!(cut.truncated && cut.size == 5.0 && cut.height() <= 14.0);
        let last = cut.paragraphs.last().unwrap().last().unwrap();
        assert!(last.ends_with(ELLIPSIS), "{last:?}");
        assert!(text_width(Font::Helvetica, last, 5.0) <= 200.0);
    }
}
