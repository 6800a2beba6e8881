use serde::{Deserialize, Serialize};

fn clean(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn check_text(value: &str, what: &str, max: usize) -> Result<(), String> {
    if value.chars().count() > max {
        return Err(format!("{what} must be {max} characters or fewer"));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(format!("{what} must not contain control characters"));
    }
    Ok(())
}

/// What a print run is called, e.g. "Parkside station, March".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchLabel(String);

impl BatchLabel {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = clean(raw);
        if value.is_empty() {
            return Err("Enter a label for the batch, for example the station and month".into());
        }
        check_text(&value, "The label", 80)?;
        Ok(BatchLabel(value))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Optional area, team or station the cards go to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionalArea(Option<String>);

impl OptionalArea {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = clean(raw);
        if value.is_empty() {
            return Ok(OptionalArea(None));
        }
        check_text(&value, "The area or team", 80)?;
        Ok(OptionalArea(Some(value)))
    }
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

/// How many cards to print: 1 to 20,000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchQuantity(u32);

impl BatchQuantity {
    pub const MAX: u32 = 20_000;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let digits: String = raw.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
        if digits.is_empty() {
            return Err("Enter how many cards to print".into());
        }
        let n: u32 = digits.parse().map_err(|_| "The number of cards must be a whole number, like 500".to_string())?;
        Self::new(n)
    }

    pub fn new(n: u32) -> Result<Self, String> {
        if n == 0 || n > Self::MAX {
            return Err(format!("The number of cards must be between 1 and {}", "20,000"));
        }
        Ok(BatchQuantity(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// Last day the cards in a batch are valid (inclusive), as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExpiryDate {
    year: u16,
    month: u8,
    day: u8,
}

impl ExpiryDate {
    /// `today` is `YYYY-MM-DD`; an expiry in the past is refused.
    pub fn parse(raw: &str, today: ExpiryDate) -> Result<Option<Self>, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let date =
            Self::parse_iso(raw).ok_or_else(|| "The expiry date must be a real date, like 2027-03-31".to_string())?;
        if date < today {
            return Err("The expiry date must be today or in the future".into());
        }
        Ok(Some(date))
    }

    pub fn parse_iso(raw: &str) -> Option<Self> {
        let mut parts = raw.trim().splitn(3, '-');
        let year: u16 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        if !(2000..=2200).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        (1..=days).contains(&day).then_some(ExpiryDate { year, month, day })
    }

    /// Today's date (UTC) from the system clock.
    #[cfg(feature = "ssr")]
    pub fn today() -> Self {
        let secs =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        Self::of_unix(secs)
    }

    /// The (UTC) date of a Unix timestamp in seconds, the form every time is stored in.
    pub fn of_unix(secs: i64) -> Self {
        Self::from_unix_days(secs.div_euclid(86_400))
    }

    /// Days since 1970-01-01 (the inverse of [`Self::from_unix_days`]).
    pub fn unix_days(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    pub fn from_unix_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        ExpiryDate { year, month, day }
    }
}

impl std::fmt::Display for ExpiryDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_days_round_trip() {
        for days in [0, 59, 60, 365, 11_016, 20_000, 20_418, 47_482] {
            assert_eq!(ExpiryDate::from_unix_days(days).unix_days(), days);
        }
        assert_eq!(ExpiryDate::parse_iso("2026-11-26").unwrap().unix_days() * 86_400, 1_795_651_200);
    }

    #[test]
    fn labels_are_trimmed_and_required() {
        assert_eq!(BatchLabel::parse("  Parkside   March ").unwrap().as_str(), "Parkside March");
        assert!(BatchLabel::parse("   ").unwrap_err().contains("Enter a label"));
        assert!(BatchLabel::parse(&"x".repeat(81)).unwrap_err().contains("80"));
        assert!(BatchLabel::parse("a\u{0}b").is_err());
    }

    #[test]
    fn quantity_is_between_1_and_20000() {
        assert_eq!(BatchQuantity::parse("1,000").unwrap().get(), 1000);
        assert!(BatchQuantity::parse("0").is_err());
        assert!(BatchQuantity::parse("20001").is_err());
        assert!(BatchQuantity::parse("12.5").unwrap_err().contains("whole number"));
        assert!(BatchQuantity::parse("").unwrap_err().contains("how many"));
        assert_eq!(BatchQuantity::parse("20000").unwrap().get(), 20_000);
    }

    #[test]
    fn expiry_dates_are_real_and_not_past() {
        let today = ExpiryDate::parse_iso("2026-11-26").unwrap();
        assert_eq!(ExpiryDate::parse("", today).unwrap(), None);
        assert!(ExpiryDate::parse("2026-02-30", today).is_err());
        assert!(ExpiryDate::parse("2026-11-25", today).unwrap_err().contains("future"));
        assert_eq!(ExpiryDate::parse("2028-02-29", today).unwrap().unwrap().to_string(), "2028-02-29");
        assert!(ExpiryDate::parse("next week", today).is_err());
    }

    #[test]
    fn unix_days_convert_to_dates() {
        assert_eq!(ExpiryDate::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(ExpiryDate::from_unix_days(20_418).to_string(), "2025-11-26");
        assert_eq!(ExpiryDate::from_unix_days(19_417).to_string(), "2023-03-01");
    }
}

/// The languages printed on a batch's cards, in card order: no repeats, at most
/// five, Welsh first whenever it is included (Welsh Language Standards).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardLanguages(Vec<crate::i18n::Lang>);

impl CardLanguages {
    /// `raw` is comma-separated codes, e.g. `cy,en`. Empty means `default`.
    pub fn parse(raw: &str, default: &CardLanguages) -> Result<Self, String> {
        use crate::i18n::Lang;
        let mut langs: Vec<Lang> = Vec::new();
        for code in raw.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let lang = Lang::from_code(code).ok_or_else(|| {
                format!("\u{201c}{code}\u{201d} is not a card language: use en, cy, pl, ro or ar, separated by commas")
            })?;
            if langs.contains(&lang) {
                return Err(format!("{code} is listed twice"));
            }
            langs.push(lang);
        }
        if langs.is_empty() {
            if !raw.trim().is_empty() {
                return Err("no language given: use en, cy, pl, ro or ar, separated by commas".into());
            }
            return Ok(default.clone());
        }
        Ok(Self::ordered(langs))
    }

    /// The default for a force: its default language, and English beside it when
    /// that is another language (a Welsh force's cards are bilingual, Welsh first).
    pub fn default_for(lang: crate::i18n::Lang) -> Self {
        use crate::i18n::Lang;
        if lang == Lang::En {
            CardLanguages(vec![Lang::En])
        } else {
            CardLanguages(vec![lang, Lang::En])
        }
    }

    fn ordered(mut langs: Vec<crate::i18n::Lang>) -> Self {
        use crate::i18n::Lang;
        if let Some(i) = langs.iter().position(|&l| l == Lang::Cy) {
            let cy = langs.remove(i);
            langs.insert(0, cy);
        }
        CardLanguages(langs)
    }

    /// Stored form, e.g. `cy,en`; unknown codes in old rows are skipped.
    pub fn from_stored(s: &str) -> Self {
        let langs: Vec<_> = s.split(',').filter_map(crate::i18n::Lang::parse).collect();
        if langs.is_empty() {
            CardLanguages(vec![crate::i18n::Lang::En])
        } else {
            Self::ordered(langs)
        }
    }

    pub fn langs(&self) -> &[crate::i18n::Lang] {
        &self.0
    }
}

impl std::fmt::Display for CardLanguages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let codes: Vec<&str> = self.0.iter().map(|l| l.code()).collect();
        f.write_str(&codes.join(","))
    }
}

#[cfg(test)]
mod card_language_tests {
    use super::CardLanguages;
    use crate::i18n::Lang;

    #[test]
    fn welsh_goes_first_and_bad_codes_are_named() {
        let en = CardLanguages::default_for(Lang::En);
        assert_eq!(CardLanguages::parse("", &en).unwrap(), en);
        assert_eq!(CardLanguages::parse("pl, en", &en).unwrap().to_string(), "pl,en");
        assert_eq!(CardLanguages::parse("en,cy", &en).unwrap().to_string(), "cy,en");
        assert_eq!(CardLanguages::parse("ar,ro,cy", &en).unwrap().to_string(), "cy,ar,ro");
        let e = CardLanguages::parse("en,fr", &en).unwrap_err();
        assert!(e.contains("fr") && e.contains("en, cy, pl, ro or ar"), "{e}");
        assert!(CardLanguages::parse("en,EN", &en).unwrap_err().contains("twice"));
        assert_eq!(CardLanguages::default_for(Lang::Cy).to_string(), "cy,en");
        assert_eq!(CardLanguages::from_stored("cy,en").langs(), [Lang::Cy, Lang::En]);
    }
}
