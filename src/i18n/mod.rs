//! The one translation mechanism for every user-facing public text.
//!
//! Each language is a table of `key → text` (`en.rs`, `cy.rs`, …). English is complete
//! by definition; a unit test makes sure every other language has every key and the
//! same `{placeholders}`. Missing keys fall back to English rather than failing.
//! Welsh, Polish, Romanian and Arabic need professional review before go-live (see
//! the README).
mod ar;
mod cy;
mod en;
mod pl;
mod ro;

use std::{collections::HashMap, sync::OnceLock};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Cy,
    Pl,
    Ro,
    Ar,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Cy, Lang::Pl, Lang::Ro, Lang::Ar];
    /// The order languages are printed on a card: Welsh first (Welsh Language Standards).
    pub const CARD_ORDER: [Lang; 5] = [Lang::Cy, Lang::En, Lang::Pl, Lang::Ro, Lang::Ar];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Cy => "cy",
            Lang::Pl => "pl",
            Lang::Ro => "ro",
            Lang::Ar => "ar",
        }
    }

    /// The `lang` attribute for the HTML document.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::En => "en-GB",
            Lang::Cy => "cy",
            Lang::Pl => "pl",
            Lang::Ro => "ro",
            Lang::Ar => "ar",
        }
    }

    pub fn dir(self) -> &'static str {
        if self == Lang::Ar {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The language's name in itself, for the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Cy => "Cymraeg",
            Lang::Pl => "Polski",
            Lang::Ro => "Română",
            Lang::Ar => "العربية",
        }
    }

    /// Exactly one of our codes (`cy`, any case, spaces around ignored): for settings and
    /// command-line flags, where `cy-GB` would be a mistake rather than a preference.
    pub fn from_code(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        let primary = code.split(['-', '_']).next().unwrap_or("");
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The first supported language in an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut choices: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut bits = part.split(';');
                let lang = Lang::parse(bits.next()?)?;
                let q =
                    bits.find_map(|b| b.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        choices.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        choices.first().map(|(_, l)| *l)
    }

    fn table(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::En => en::STRINGS,
            Lang::Cy => cy::STRINGS,
            Lang::Pl => pl::STRINGS,
            Lang::Ro => ro::STRINGS,
            Lang::Ar => ar::STRINGS,
        }
    }
}

type Tables = HashMap<Lang, HashMap<&'static str, &'static str>>;

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| Lang::ALL.into_iter().map(|l| (l, l.table().iter().copied().collect())).collect())
}

/// The text for `key` in `lang`, falling back to English, then to the key itself.
pub fn t(lang: Lang, key: &str) -> &'static str {
    let all = tables();
    all[&lang].get(key).or_else(|| all[&Lang::En].get(key)).copied().unwrap_or_else(|| {
        debug_assert!(false, "missing translation key {key}");
        "?"
    })
}

/// `t` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut text = t(lang, key).to_string();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Answers joined into one phrase as the language writes a list: after the first item,
/// a capital that only marks the start of an answer becomes small in Welsh, Polish and
/// Romanian ("Mieszkam tutaj, uczę się tutaj"; English keeps "I live here, I work here"),
/// and Arabic separates with its own comma.
pub fn join_list(lang: Lang, items: &[&str]) -> String {
    let sep = if lang == Lang::Ar { "\u{060C} " } else { ", " };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if i == 0 || !matches!(lang, Lang::Cy | Lang::Pl | Lang::Ro) {
                return item.to_string();
            }
            let mut chars = item.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(n, _)| n)).collect();
        out.sort();
        out
    }

    #[test]
    fn every_language_has_every_key_with_the_same_placeholders() {
        let en: HashMap<_, _> = en::STRINGS.iter().copied().collect();
        assert_eq!(en.len(), en::STRINGS.len(), "duplicate English keys");
        for lang in Lang::ALL {
            let table: HashMap<_, _> = lang.table().iter().copied().collect();
            assert_eq!(table.len(), lang.table().len(), "duplicate keys in {lang:?}");
            for (key, english) in &en {
                let text = table.get(key).unwrap_or_else(|| panic!("{lang:?} lacks {key}"));
                assert!(!text.trim().is_empty(), "{lang:?} {key} is empty");
                assert_eq!(placeholders(text), placeholders(english), "{lang:?} {key}");
            }
            for key in table.keys() {
                assert!(en.contains_key(key), "{lang:?} has unknown key {key}");
            }
        }
    }

    #[test]
    fn language_choice_from_codes_and_headers() {
        assert_eq!(Lang::parse("CY"), Some(Lang::Cy));
        assert_eq!(Lang::parse("pl-PL"), Some(Lang::Pl));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::from_accept_language("fr-FR,ro;q=0.8,en;q=0.5"), Some(Lang::Ro));
        assert_eq!(Lang::from_accept_language("de"), None);
        assert_eq!(Lang::Ar.dir(), "rtl");
    }

    #[test]
    fn lists_read_as_each_language_writes_them() {
        assert_eq!(join_list(Lang::Pl, &["Mieszkam tutaj", "Uczę się tutaj"]), "Mieszkam tutaj, uczę się tutaj");
        assert_eq!(join_list(Lang::Ro, &["Locuiesc aici", "Studiez aici"]), "Locuiesc aici, studiez aici");
        assert_eq!(join_list(Lang::En, &["I live here", "I work here"]), "I live here, I work here");
        assert_eq!(join_list(Lang::Ar, &["أعيش هنا", "أعمل هنا"]), "أعيش هنا، أعمل هنا");
        assert_eq!(join_list(Lang::Cy, &["Rwy'n byw yma"]), "Rwy'n byw yma");
    }

    #[test]
    fn placeholders_are_filled() {
        assert!(tf(Lang::En, "landing.given_by", &[("force", "Kent Police")]).contains("Kent Police"));
    }
}
