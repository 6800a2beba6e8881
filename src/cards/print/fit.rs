//! Checks made before a batch is made or wording is saved: every character can be
//! printed, and the wording fits on both faces (laid out exactly as the print file
//! will be).

use super::draw::back_template;
use super::fonts::{self, Used};
use super::layout::{layout_front, BackText, BACK_TEXT_X, BODY_MIN, CARD_H, CARD_W, MARGIN};
use super::{CardText, PrintCard};

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

#[cfg(test)]
mod tests {
    use super::super::tests::cards;
    use super::super::text::{text_width, ELLIPSIS};
    use super::super::CardLanguage;
    use super::*;
    use crate::i18n::Lang;

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
}
