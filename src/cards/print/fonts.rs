//! Embedded fonts for the print files.
//!
//! Noto Sans (Latin with Welsh, Polish and Romanian letters) and Noto Sans Arabic, in
//! regular and bold, are compiled into the binary (`assets/fonts`, SIL Open Font
//! Licence). Text is put in visual order with `unicode-bidi`, shaped with `rustybuzz`
//! (HarfBuzz's algorithm: Arabic joining forms and the lam-alef ligature), and the
//! glyphs a file uses are embedded as subsets (`subsetter`) in CID fonts whose
//! ToUnicode maps give back exactly the text that was written when a reader copies it
//! or `pdftotext` extracts it.
//!
//! Print files stream page by page, so glyphs are numbered in the subset as they are
//! first drawn ([`Used`]) and the fonts themselves are written after the last page.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use rustybuzz::{Direction, Face, Feature, UnicodeBuffer};
use subsetter::GlyphRemapper;
use unicode_bidi::{Level, ParagraphBidiInfo};

/// The weight to set text in; the script picks the face.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Style {
    Regular,
    Bold,
}

/// One embedded font file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum FaceId {
    Sans,
    SansBold,
    Arabic,
    ArabicBold,
}

impl FaceId {
    pub(crate) const ALL: [FaceId; 4] = [FaceId::Sans, FaceId::SansBold, FaceId::Arabic, FaceId::ArabicBold];

    fn index(self) -> usize {
        self as usize
    }

    fn data(self) -> &'static [u8] {
        match self {
            FaceId::Sans => include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf"),
            FaceId::SansBold => include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf"),
            FaceId::Arabic => include_bytes!("../../../assets/fonts/NotoSansArabic-Regular.ttf"),
            FaceId::ArabicBold => include_bytes!("../../../assets/fonts/NotoSansArabic-Bold.ttf"),
        }
    }

    /// Resource name inside content streams (`/F1 8 Tf`).
    pub(crate) fn resource_name(self) -> &'static [u8] {
        match self {
            FaceId::Sans => b"F1",
            FaceId::SansBold => b"F2",
            FaceId::Arabic => b"F3",
            FaceId::ArabicBold => b"F4",
        }
    }

    /// PostScript name with the six-letter tag the PDF standard asks of a subset.
    pub(crate) fn subset_name(self) -> &'static [u8] {
        match self {
            FaceId::Sans => b"SCRTNA+NotoSans-Regular",
            FaceId::SansBold => b"SCRTNB+NotoSans-Bold",
            FaceId::Arabic => b"SCRTNC+NotoSansArabic-Regular",
            FaceId::ArabicBold => b"SCRTND+NotoSansArabic-Bold",
        }
    }

    fn for_style(style: Style, arabic: bool) -> FaceId {
        match (style, arabic) {
            (Style::Regular, false) => FaceId::Sans,
            (Style::Bold, false) => FaceId::SansBold,
            (Style::Regular, true) => FaceId::Arabic,
            (Style::Bold, true) => FaceId::ArabicBold,
        }
    }
}

/// A parsed face, with a quick table for printable ASCII (card codes and addresses
/// are drawn on every card, and need no shaping).
struct Loaded {
    face: Face<'static>,
    /// 1000 / units per em.
    scale: f32,
    ascii: [(u16, u16); 95],
}

struct Faces([Loaded; 4]);

fn faces() -> &'static Faces {
    static FACES: OnceLock<Faces> = OnceLock::new();
    FACES.get_or_init(|| {
        Faces(FaceId::ALL.map(|id| {
            let face = Face::from_slice(id.data(), 0).expect("embedded font parses");
            let scale = 1000.0 / f32::from(face.units_per_em() as u16);
            let mut ascii = [(0, 0); 95];
            for (i, slot) in ascii.iter_mut().enumerate() {
                let c = char::from(32 + i as u8);
                let gid = face.glyph_index(c).unwrap_or_default();
                *slot = (gid.0, face.glyph_hor_advance(gid).unwrap_or(0));
            }
            Loaded { face, scale, ascii }
        }))
    })
}

impl Faces {
    fn get(&self, id: FaceId) -> &Loaded {
        &self.0[id.index()]
    }
}

/// Arabic-script characters (letters, marks, digits, punctuation, presentation forms).
fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{0870}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Combining marks (accents typed as separate characters, Arabic vowel signs).
pub(crate) fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}' | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}')
}

/// Whether the embedded fonts can draw `c` (white space always can).
pub(crate) fn printable(c: char) -> bool {
    if c.is_whitespace() || matches!(c, '\u{200C}' | '\u{200D}') {
        return true;
    }
    let all = faces();
    [FaceId::Sans, FaceId::Arabic].iter().any(|&id| all.get(id).face.glyph_index(c).is_some())
}

/// One glyph, positioned in 1/1000 em of the text size.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Glyph {
    /// Glyph id in the original font.
    pub gid: u16,
    /// Advance after shaping.
    pub advance: f32,
    /// The font's own advance for the glyph (what a PDF reader assumes).
    pub natural: f32,
    pub dx: f32,
    pub dy: f32,
    /// The text this glyph stands for (byte range of the line; empty for the second
    /// and later glyphs of one cluster).
    pub text: (u32, u32),
}

/// A run of glyphs from one face, in visual (left-to-right) order.
#[derive(Clone, Debug)]
pub(crate) struct Run {
    pub face: FaceId,
    /// Shaped right to left (glyphs are still listed left to right).
    pub rtl: bool,
    pub glyphs: Vec<Glyph>,
}

/// A line ready to draw: runs in visual order, and its width in 1/1000 em.
#[derive(Clone, Debug)]
pub(crate) struct Shaped {
    pub text: String,
    pub runs: Vec<Run>,
    pub width: f32,
}

/// Features turned off so that measuring a word alone gives the same width as
/// drawing it in a line, and so copied text has no "ﬁ"-style ligatures. Arabic's
/// required forms and ligatures (`init`, `medi`, `fina`, `rlig`) are not affected.
fn features() -> &'static [Feature] {
    static F: OnceLock<Vec<Feature>> = OnceLock::new();
    F.get_or_init(|| ["-kern", "-liga", "-clig"].iter().map(|f| f.parse().expect("valid feature")).collect())
}

/// Width of `text` in 1/1000 em (as one line; `rtl` is the paragraph's direction).
pub(crate) fn width(style: Style, text: &str, rtl: bool) -> f32 {
    if !rtl && text.bytes().all(|b| (32..127).contains(&b)) {
        let f = faces().get(FaceId::for_style(style, false));
        let units: u32 = text.bytes().map(|b| u32::from(f.ascii[usize::from(b - 32)].1)).sum();
        return units as f32 * f.scale;
    }
    shape(style, text, rtl).width
}

/// Lays out one line: bidi reordering, a face per script, shaping.
pub(crate) fn shape(style: Style, text: &str, rtl: bool) -> Shaped {
    let all = faces();
    let mut runs = Vec::new();
    let mut width = 0.0;
    if !rtl && text.bytes().all(|b| (32..127).contains(&b)) {
        let id = FaceId::for_style(style, false);
        let f = all.get(id);
        let glyphs: Vec<Glyph> = text
            .bytes()
            .enumerate()
            .map(|(i, b)| {
                let (gid, adv) = f.ascii[usize::from(b - 32)];
                let advance = f32::from(adv) * f.scale;
                width += advance;
                Glyph { gid, advance, natural: advance, dx: 0.0, dy: 0.0, text: (i as u32, i as u32 + 1) }
            })
            .collect();
        if !glyphs.is_empty() {
            runs.push(Run { face: id, rtl: false, glyphs });
        }
        return Shaped { text: text.to_string(), runs, width };
    }
    let level = if rtl { Level::rtl() } else { Level::ltr() };
    let bidi = ParagraphBidiInfo::new(text, Some(level));
    let (levels, level_runs) = bidi.visual_runs(0..text.len());
    for range in level_runs {
        if range.is_empty() {
            continue;
        }
        let run_rtl = levels[range.start].is_rtl();
        let mut segments = face_segments(style, &text[range.clone()], range.start);
        if run_rtl {
            segments.reverse();
        }
        for (id, seg) in segments {
            let shaped = shape_segment(all.get(id), id, text, seg, run_rtl);
            width += shaped.glyphs.iter().map(|g| g.advance).sum::<f32>();
            runs.push(shaped);
        }
    }
    Shaped { text: text.to_string(), runs, width }
}

/// Splits `s` (starting at byte `base` of the line) into runs that one face can draw:
/// Arabic letters in the Arabic face, other letters in Noto Sans, and spaces, digits
/// and punctuation with their neighbours.
fn face_segments(style: Style, s: &str, base: usize) -> Vec<(FaceId, Range<usize>)> {
    let all = faces();
    let strong: Vec<(usize, char, Option<bool>)> = s
        .char_indices()
        .map(|(i, c)| {
            let arabic = if is_arabic(c) {
                Some(true)
            } else if c.is_alphabetic() {
                Some(false)
            } else {
                None
            };
            (i, c, arabic)
        })
        .collect();
    let mut out: Vec<(FaceId, Range<usize>)> = Vec::new();
    let mut prev: Option<bool> = None;
    for (k, &(i, c, arabic)) in strong.iter().enumerate() {
        let mut want = arabic.or(prev).or_else(|| strong[k + 1..].iter().find_map(|x| x.2)).unwrap_or(false);
        // Neutral characters the preferred face lacks go to the other one.
        let id = FaceId::for_style(style, want);
        if all.get(id).face.glyph_index(c).is_none() && !c.is_whitespace() {
            want = !want;
        }
        prev = arabic.or(prev);
        let id = FaceId::for_style(style, want);
        let start = base + i;
        let end = start + c.len_utf8();
        match out.last_mut() {
            Some((last, r)) if *last == id && r.end == start => r.end = end,
            _ => out.push((id, start..end)),
        }
    }
    out
}

fn shape_segment(f: &Loaded, id: FaceId, line: &str, seg: Range<usize>, rtl: bool) -> Run {
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(&line[seg.clone()]);
    buffer.set_direction(if rtl { Direction::RightToLeft } else { Direction::LeftToRight });
    // A mark keeps its own letter (not merged into its base's cluster), so each
    // glyph maps to the letters it draws.
    buffer.set_cluster_level(rustybuzz::BufferClusterLevel::MonotoneCharacters);
    buffer.guess_segment_properties();
    let out = rustybuzz::shape(&f.face, features(), buffer);
    let infos = out.glyph_infos();
    let positions = out.glyph_positions();
    // Cluster values are byte offsets into the segment; a cluster's text runs to the
    // next larger cluster value.
    let mut starts: Vec<u32> = infos.iter().map(|i| i.cluster).collect();
    starts.sort_unstable();
    starts.dedup();
    let seg_len = (seg.end - seg.start) as u32;
    let mut seen = std::collections::HashSet::new();
    let glyphs = infos
        .iter()
        .zip(positions)
        .map(|(info, pos)| {
            let c = info.cluster;
            let text = if seen.insert(c) {
                let next = starts.iter().copied().find(|&s| s > c).unwrap_or(seg_len);
                (seg.start as u32 + c, seg.start as u32 + next)
            } else {
                (0, 0)
            };
            let gid = info.glyph_id as u16;
            let natural = f.face.glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(gid));
            Glyph {
                gid,
                advance: pos.x_advance as f32 * f.scale,
                natural: f32::from(natural.unwrap_or(0)) * f.scale,
                dx: pos.x_offset as f32 * f.scale,
                dy: pos.y_offset as f32 * f.scale,
                text,
            }
        })
        .collect();
    Run { face: id, rtl, glyphs }
}

/// The glyphs a print file has drawn so far, numbered for the subset, and the text
/// each stands for (for the ToUnicode map).
pub(crate) struct Used {
    remap: [GlyphRemapper; 4],
    unicode: [HashMap<u16, String>; 4],
}

impl Used {
    pub(crate) fn new() -> Used {
        Used { remap: std::array::from_fn(|_| GlyphRemapper::new()), unicode: std::array::from_fn(|_| HashMap::new()) }
    }

    /// The glyph's number in the subset, recording what it reads as.
    ///
    /// A right-to-left glyph standing for several letters (Arabic lam-alef) is
    /// recorded with its letters reversed: text extractors (poppler's `pdftotext`,
    /// among others) reverse right-to-left text after mapping glyphs to letters, so
    /// this is what gives back the letters in the order they were written.
    pub(crate) fn cid(&mut self, face: FaceId, rtl: bool, g: &Glyph, line: &str) -> u16 {
        let i = face.index();
        let cid = self.remap[i].remap(g.gid);
        if g.text.1 > g.text.0 {
            self.unicode[i].entry(cid).or_insert_with(|| {
                let text = &line[g.text.0 as usize..g.text.1 as usize];
                if rtl {
                    text.chars().rev().collect()
                } else {
                    text.to_string()
                }
            });
        }
        cid
    }

    /// Everything needed to write one face's font objects.
    pub(crate) fn font(&self, face: FaceId) -> Result<FontData, String> {
        let i = face.index();
        let f = faces().get(face);
        let remap = &self.remap[i];
        let data =
            subsetter::subset(face.data(), 0, remap).map_err(|e| format!("could not subset {:?}: {e:?}", face))?;
        let widths = remap
            .remapped_gids()
            .map(|old| {
                let adv = f.face.glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(old));
                f32::from(adv.unwrap_or(0)) * f.scale
            })
            .collect();
        let mut unicode: Vec<(u16, String)> = self.unicode[i].iter().map(|(k, v)| (*k, v.clone())).collect();
        unicode.sort();
        let bbox = f.face.global_bounding_box();
        let s = f.scale;
        Ok(FontData {
            data,
            widths,
            unicode,
            bbox: [
                f32::from(bbox.x_min) * s,
                f32::from(bbox.y_min) * s,
                f32::from(bbox.x_max) * s,
                f32::from(bbox.y_max) * s,
            ],
            ascent: f32::from(f.face.ascender()) * s,
            descent: f32::from(f.face.descender()) * s,
            cap_height: f32::from(f.face.capital_height().unwrap_or(f.face.ascender())) * s,
        })
    }
}

/// A subset font and its metrics, in 1/1000 em.
pub(crate) struct FontData {
    pub data: Vec<u8>,
    /// Advance of each glyph of the subset, by new glyph id.
    pub widths: Vec<f32>,
    pub unicode: Vec<(u16, String)>,
    pub bbox: [f32; 4],
    pub ascent: f32,
    pub descent: f32,
    pub cap_height: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(s: &Shaped) -> Vec<String> {
        s.runs
            .iter()
            .flat_map(|r| r.glyphs.iter())
            .filter(|g| g.text.1 > g.text.0)
            .map(|g| s.text[g.text.0 as usize..g.text.1 as usize].to_string())
            .collect()
    }

    #[test]
    fn welsh_polish_and_romanian_letters_have_glyphs() {
        for word in ["ŵyr ŷd", "Zażółć gęślą jaźń", "ședință țară"] {
            let s = shape(Style::Regular, word, false);
            assert!(s.runs.iter().all(|r| r.face == FaceId::Sans));
            assert!(s.runs.iter().flat_map(|r| &r.glyphs).all(|g| g.gid != 0), "{word}");
            assert_eq!(text_of(&s).concat(), word);
        }
    }

    #[test]
    fn arabic_is_shaped_and_laid_right_to_left() {
        let word = "السلام";
        let s = shape(Style::Regular, word, true);
        assert_eq!(s.runs.len(), 1);
        assert_eq!(s.runs[0].face, FaceId::Arabic);
        let glyphs = &s.runs[0].glyphs;
        assert!(glyphs.iter().all(|g| g.gid != 0));
        // Visual order is right to left: the first glyph drawn is the last letter.
        assert_eq!(&s.text[glyphs[0].text.0 as usize..glyphs[0].text.1 as usize], "م");
        // Joining forms differ from the isolated letter: ل inside a word is not ل alone.
        let alone = shape(Style::Regular, "ل", true).runs[0].glyphs[0].gid;
        assert!(glyphs.iter().all(|g| g.gid != alone));
        // Every character is accounted for once (lam-alef may be one glyph for two).
        let mut back: Vec<char> = text_of(&s).concat().chars().collect();
        back.sort();
        let mut orig: Vec<char> = word.chars().collect();
        orig.sort();
        assert_eq!(back, orig);
    }

    #[test]
    fn mixed_lines_keep_latin_left_to_right() {
        // An Arabic sentence with a web address: the address stays in reading order.
        let s = shape(Style::Regular, "زوروا policeconduct.gov.uk الآن", true);
        let latin: Vec<&Run> = s.runs.iter().filter(|r| r.face == FaceId::Sans).collect();
        let t: String = latin
            .iter()
            .flat_map(|r| &r.glyphs)
            .filter(|g| g.text.1 > g.text.0)
            .map(|g| &s.text[g.text.0 as usize..g.text.1 as usize])
            .collect();
        assert!(t.contains("policeconduct.gov.uk"), "{t:?}");
        // The Arabic word read first is drawn rightmost: it is the last run, and its
        // glyphs, read right to left, spell it.
        let last = s.runs.last().unwrap();
        assert_eq!(last.face, FaceId::Arabic);
        let spelled: String = last.glyphs.iter().rev().map(|g| &s.text[g.text.0 as usize..g.text.1 as usize]).collect();
        assert_eq!(spelled.trim(), "زوروا");
    }

    #[test]
    fn a_mark_reads_as_its_own_letter() {
        // Shadda on ta: two glyphs, each standing for its own character.
        let s = shape(Style::Regular, "يفتّش", true);
        let texts: Vec<&str> = s.runs[0].glyphs.iter().map(|g| &s.text[g.text.0 as usize..g.text.1 as usize]).collect();
        assert!(texts.contains(&"\u{651}") && texts.contains(&"ت"), "{texts:?}");
    }

    #[test]
    fn measuring_a_word_matches_drawing_it() {
        for (w, rtl) in [("Cymraeg", false), ("ŵyr", false), ("اللغة", true)] {
            let a = width(Style::Bold, w, rtl);
            let b = shape(Style::Bold, w, rtl).width;
            assert!((a - b).abs() < 1e-3 && a > 0.0, "{w}: {a} vs {b}");
        }
    }
}
