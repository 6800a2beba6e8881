//! Text helpers for the print files: width-based word wrapping and "shrink until
//! it fits" paragraph fitting, measured with the embedded fonts (`fonts.rs`).
//!
//! Kept separate so the layout code in `layout.rs` stays readable. Nothing
//! here knows about PDF objects; it only measures and splits strings.
use super::fonts::{self, Style};

/// How a piece of text is set: weight, and the direction of its paragraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Font {
    pub style: Style,
    pub rtl: bool,
}

impl Font {
    pub(crate) const REGULAR: Font = Font { style: Style::Regular, rtl: false };
    pub(crate) const BOLD: Font = Font { style: Style::Bold, rtl: false };

    pub(crate) fn with_rtl(self, rtl: bool) -> Font {
        Font { rtl, ..self }
    }
}

/// The horizontal ellipsis.
pub(crate) const ELLIPSIS: char = '\u{2026}';

/// Width of `s` in points when set in `font` at `size` pt.
pub(crate) fn text_width(font: Font, s: &str, size: f32) -> f32 {
    fonts::width(font.style, s, font.rtl) * size / 1000.0
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
pub(crate) fn wrap_clamped(font: Font, text: &str, size: f32, max_width: f32, max_lines: usize) -> Vec<String> {
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
            paragraphs: paragraphs.iter().map(|p| wrap(font, p.as_ref(), size, max_width)).collect(),
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
    fn widths_come_from_the_embedded_font() {
        // Noto Sans's advance for 'W' is 930/1000 em (Helvetica's was 944).
        let w = text_width(Font::REGULAR, "W", 1000.0);
        assert!((w - 930.0).abs() < 1.0, "{w}");
        // Welsh circumflex letters are real glyphs with real widths, not a fallback.
        assert!(text_width(Font::REGULAR, "ŵ", 10.0) > text_width(Font::REGULAR, "i", 10.0));
        // Bold is wider; widths scale with size.
        assert!(text_width(Font::BOLD, "panel", 10.0) > text_width(Font::REGULAR, "panel", 10.0));
        let ten = text_width(Font::REGULAR, "Zażółć", 10.0);
        assert!((text_width(Font::REGULAR, "Zażółć", 20.0) - 2.0 * ten).abs() < 1e-3);
    }

    #[test]
    fn wrap_never_exceeds_width_and_keeps_all_words() {
        let text = "Have your say on stop and search — join our community scrutiny panel \
                    https://panel.example.police.uk/j/ABCD23456/with/a/very/long/tail";
        for max in [40.0, 80.0, 150.0, 220.0] {
            let lines = wrap(Font::BOLD, text, 8.0, max);
            assert!(lines.len() > 1);
            for l in &lines {
                assert!(text_width(Font::BOLD, l, 8.0) <= max, "{l:?} wider than {max}");
            }
            // Only whitespace is lost: rejoining gives back every character.
            let joined: String = lines.concat().split_whitespace().collect();
            let orig: String = text.split_whitespace().collect();
            assert_eq!(joined, orig);
        }
    }

    #[test]
    fn wrap_handles_degenerate_boxes() {
        assert!(wrap(Font::REGULAR, "   ", 7.0, 100.0).is_empty());
        // Narrower than one glyph: one char per line, no infinite loop.
        assert_eq!(wrap(Font::REGULAR, "abc", 7.0, 0.1), ["a", "b", "c"]);
    }

    #[test]
    fn fit_shrinks_then_truncates() {
        let paras = ["word ".repeat(40)];
        let roomy = fit_paragraphs(Font::REGULAR, &paras, 200.0, 200.0, 6.5, 5.0);
        assert_eq!((roomy.size, roomy.truncated), (6.5, false));

        // Tall enough only at a smaller size.
        let tight_h = fit_paragraphs(Font::REGULAR, &paras, 200.0, 1000.0, 5.0, 5.0).height();
        let shrunk = fit_paragraphs(Font::REGULAR, &paras, 200.0, tight_h, 6.5, 5.0);
        assert!(shrunk.size < 6.5 && !shrunk.truncated);
        assert!(shrunk.height() <= tight_h + 1e-3);

        let cut = fit_paragraphs(Font::REGULAR, &paras, 200.0, 14.0, 6.5, 5.0);
        assert!(cut.truncated && cut.size == 5.0 && cut.height() <= 14.0);
        let last = cut.paragraphs.last().unwrap().last().unwrap();
        assert!(last.ends_with(ELLIPSIS), "{last:?}");
        assert!(text_width(Font::REGULAR, last, 5.0) <= 200.0);
    }
}
