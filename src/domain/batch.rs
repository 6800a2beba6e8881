use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

pub(super) fn clean(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn check_text(value: &str, what: &str, max: usize) -> Result<(), String> {
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

/// Last day the cards in a batch are valid (inclusive), as `YYYY-MM-DD`. Also the
/// (UTC) date of a stored time: every time is stored as Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpiryDate(Date);

/// 1970-01-01, day 0 of Unix time.
const EPOCH: Date = OffsetDateTime::UNIX_EPOCH.date();

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

    /// `YYYY-MM-DD` (years 2000 to 2200) naming a day on the calendar.
    pub fn parse_iso(raw: &str) -> Option<Self> {
        let mut parts = raw.trim().splitn(3, '-');
        let year: u16 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        if !(2000..=2200).contains(&year) {
            return None;
        }
        Date::from_calendar_date(i32::from(year), Month::try_from(month).ok()?, day).ok().map(ExpiryDate)
    }

    /// Today's date (UTC) from the system clock.
    #[cfg(feature = "ssr")]
    pub fn today() -> Self {
        ExpiryDate(OffsetDateTime::now_utc().date())
    }

    /// The (UTC) date of a Unix timestamp in seconds, the form every time is stored in.
    pub fn of_unix(secs: i64) -> Self {
        ExpiryDate(utc_of_unix(secs).date())
    }

    /// Days since 1970-01-01 (the inverse of [`Self::from_unix_days`]).
    pub fn unix_days(self) -> i64 {
        (self.0 - EPOCH).whole_days()
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_unix_days(days: i64) -> Self {
        let julian = i64::from(EPOCH.to_julian_day()).saturating_add(days);
        let date = i32::try_from(julian).ok().and_then(|j| Date::from_julian_day(j).ok());
        ExpiryDate(date.unwrap_or(if days < 0 { Date::MIN } else { Date::MAX }))
    }

    /// The calendar day.
    pub fn date(self) -> Date {
        self.0
    }

    /// The day `days` later (or earlier, when negative).
    pub fn plus_days(self, days: i64) -> Self {
        ExpiryDate::from_unix_days(self.unix_days().saturating_add(days))
    }

    /// The first second of this day (UTC), in Unix seconds.
    pub fn first_second(self) -> i64 {
        self.0.midnight().assume_utc().unix_timestamp()
    }

    /// The last second of this day (UTC), in Unix seconds (which are whole).
    pub fn last_second(self) -> i64 {
        self.0.with_time(Time::MAX).assume_utc().unix_timestamp()
    }
}

/// A Unix timestamp in seconds as a UTC date and time (clamped to the years `time` handles).
pub fn utc_of_unix(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs)
        .unwrap_or_else(|_| if secs < 0 { PrimitiveDateTime::MIN } else { PrimitiveDateTime::MAX }.assume_utc())
}

impl std::fmt::Display for ExpiryDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0.year(), u8::from(self.0.month()), self.0.day())
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

    #[test]
    fn a_day_runs_from_its_first_to_its_last_second() {
        let day = ExpiryDate::parse_iso("2026-11-26").unwrap();
        assert_eq!((day.first_second(), day.last_second()), (1_795_651_200, 1_795_651_200 + 86_399));
        assert_eq!(ExpiryDate::of_unix(day.last_second()), day);
        assert_eq!(ExpiryDate::of_unix(day.last_second() + 1).to_string(), "2026-11-27");
        assert_eq!(ExpiryDate::of_unix(-1).to_string(), "1969-12-31");
        let at = utc_of_unix(1_795_651_200 + 13 * 3_600 + 7 * 60 + 59);
        assert_eq!((at.hour(), at.minute()), (13, 7));
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
