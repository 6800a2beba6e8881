//! Answers a person gives about themselves. `parse` errors are translation keys
//! (see `i18n`), so the message reaches the person in their language.
use serde::{Deserialize, Serialize};

pub type ErrKey = &'static str;

fn tidy(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, ErrKey> {
        let v = tidy(raw);
        if v.is_empty() {
            return Err("err.name.required");
        }
        if v.chars().count() > 100 {
            return Err("err.name.too_long");
        }
        if has_control(&v) || v.chars().any(|c| "<>{}[]\\|@#$%^*=_~`".contains(c)) {
            return Err("err.name.invalid");
        }
        Ok(PersonName(v))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ErrKey> {
        let v = raw.trim();
        if v.chars().count() > 254 {
            return Err("err.email.too_long");
        }
        let Some((local, domain)) = v.split_once('@') else { return Err("err.email.invalid") };
        let ok = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !v.chars().any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"".contains(c));
        if !ok {
            return Err("err.email.invalid");
        }
        Ok(Email(v.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// For finding the same person again: email addresses compare case-insensitively, in
    /// ASCII only. Full Unicode lower-casing folds look-alikes into plain letters (the
    /// Kelvin sign U+212A becomes "k"), which let one address squat another's.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    /// One canonical form, E.164: UK numbers written nationally ("07700 900 982",
    /// "(01223) 123456") become +44…; international numbers keep their + or 00 prefix
    /// ("+48 601 234 567", "0048…"). Spaces, dashes and brackets are ignored.
    pub fn parse(raw: &str) -> Result<Self, ErrKey> {
        let v = tidy(raw);
        if has_control(&v) || !v.chars().all(|c| c.is_ascii_digit() || " +()-.".contains(c)) {
            return Err("err.phone.invalid");
        }
        if v.chars().skip(1).any(|c| c == '+') {
            return Err("err.phone.invalid");
        }
        let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
        let international = if v.starts_with('+') {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_string()
        } else if let Some(national) = digits.strip_prefix('0') {
            // A UK number: 10 digits after the trunk 0 (mobiles 07…, geographic 01/02, 03).
            if national.len() != 10 {
                return Err("err.phone.invalid");
            }
            format!("44{national}")
        } else {
            return Err("err.phone.invalid");
        };
        // +44 then a trunk 0 written by mistake: "+44 (0)7700 900982".
        let international = match international.strip_prefix("440") {
            Some(rest) if rest.len() == 10 => format!("44{rest}"),
            _ => international,
        };
        if !(8..=15).contains(&international.len()) || international.starts_with('0') {
            return Err("err.phone.invalid");
        }
        if international.starts_with("44") && international.len() != 12 {
            return Err("err.phone.invalid");
        }
        Ok(Phone(format!("+{international}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A UK mobile (+447…), the numbers that can receive a text for certain.
    pub fn is_uk_mobile(&self) -> bool {
        self.0.starts_with("+447")
    }
}

/// A UK postcode, normalised to upper case with one space: `CB1 1AA`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(raw: &str) -> Result<Self, ErrKey> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
        let n = compact.len();
        if !(5..=7).contains(&n) || !compact.is_ascii() {
            return Err("err.postcode.invalid");
        }
        let (outward, inward) = compact.split_at(n - 3);
        let inward_ok = {
            let b = inward.as_bytes();
            b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
        };
        let outward_ok = outward.as_bytes()[0].is_ascii_alphabetic()
            && outward.bytes().all(|c| c.is_ascii_alphanumeric())
            && outward.bytes().any(|c| c.is_ascii_digit());
        if !(inward_ok && outward_ok) {
            return Err("err.postcode.invalid");
        }
        Ok(Postcode(format!("{outward} {inward}")))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

choice!(
    /// How the person would like the coordinator to get in touch.
    ContactMethod, "err.contact_method.required", [Email = "email", Phone = "phone", Either = "either"]
);

choice!(
    /// Age band; "under 16" leads to the youth route when the minimum age is 16.
    AgeBand, "err.age.required", [
        Under16 = "under16", From16To17 = "16-17", From18To24 = "18-24", From25To34 = "25-34",
        From35To44 = "35-44", From45To54 = "45-54", From55To64 = "55-64", Over65 = "65plus",
    ]
);

impl AgeBand {
    /// The youngest age in the band.
    pub fn lower_bound(self) -> u8 {
        match self {
            AgeBand::Under16 => 0,
            AgeBand::From16To17 => 16,
            AgeBand::From18To24 => 18,
            AgeBand::From25To34 => 25,
            AgeBand::From35To44 => 35,
            AgeBand::From45To54 => 45,
            AgeBand::From55To64 => 55,
            AgeBand::Over65 => 65,
        }
    }
}

choice!(
    /// Connection to the force area.
    AreaLink, "err.connection.required", [Live = "live", Work = "work", Study = "study", None = "none"]
);

/// One or more of live/work/study, or none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaConnection(Vec<AreaLink>);

impl AreaConnection {
    pub fn parse(values: &[String]) -> Result<Self, ErrKey> {
        let mut links = Vec::new();
        for v in values {
            let link = AreaLink::parse(v)?;
            if !links.contains(&link) {
                links.push(link);
            }
        }
        if links.is_empty() {
            return Err("err.connection.required");
        }
        if links.contains(&AreaLink::None) && links.len() > 1 {
            return Err("err.connection.none_and_other");
        }
        links.sort_by_key(|l| AreaLink::ALL.iter().position(|x| x == l));
        Ok(AreaConnection(links))
    }

    pub fn links(&self) -> &[AreaLink] {
        &self.0
    }

    /// Stored as a comma-separated list of codes.
    pub fn code(&self) -> String {
        self.0.iter().map(|l| l.code()).collect::<Vec<_>>().join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(PersonName::parse("  Aisha   Khan ").unwrap().as_str(), "Aisha Khan");
        assert_eq!(PersonName::parse("Siân O'Neill-Jones").unwrap().as_str(), "Siân O'Neill-Jones");
        assert_eq!(PersonName::parse("عمر").unwrap().as_str(), "عمر");
        assert_eq!(PersonName::parse(" ").unwrap_err(), "err.name.required");
        assert_eq!(PersonName::parse(&"a".repeat(101)).unwrap_err(), "err.name.too_long");
        assert_eq!(PersonName::parse("<script>").unwrap_err(), "err.name.invalid");
        assert_eq!(PersonName::parse("a\u{7}b").unwrap_err(), "err.name.invalid");
    }

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" Sam@Example.org ").unwrap().normalized(), "sam@example.org");
        for bad in ["sam", "sam@", "@x.org", "sam@x", "sam@@x.org", "sa m@x.org", "sam@x..org", "sam@.x.org"] {
            assert_eq!(Email::parse(bad).unwrap_err(), "err.email.invalid", "{bad}");
        }
        assert_eq!(Email::parse(&format!("{}@x.org", "a".repeat(260))).unwrap_err(), "err.email.too_long");
    }

    #[test]
    fn phones() {
        assert!(Phone::parse("07700 900123").is_ok());
        assert!(Phone::parse("+44 (0)1223 123456").is_ok());
        assert_eq!(Phone::parse("12345").unwrap_err(), "err.phone.invalid");
        assert_eq!(Phone::parse("0770090012a").unwrap_err(), "err.phone.invalid");
        assert_eq!(Phone::parse("07700+900123").unwrap_err(), "err.phone.invalid");
        // One canonical form.
        for same in [
            "07700 900123",
            "07700-900-123",
            "+44 7700 900123",
            "+44 (0)7700 900123",
            "0044 7700 900123",
            "(07700) 900123",
        ] {
            assert_eq!(Phone::parse(same).unwrap().as_str(), "+447700900123", "{same}");
        }
        assert!(Phone::parse("07700 900123").unwrap().is_uk_mobile());
        assert_eq!(Phone::parse("01223 123456").unwrap().as_str(), "+441223123456");
        assert!(!Phone::parse("01223 123456").unwrap().is_uk_mobile());
        assert_eq!(Phone::parse("+48 601 234 567").unwrap().as_str(), "+48601234567");
        assert_eq!(Phone::parse("0040 712 345 678").unwrap().as_str(), "+40712345678");
        assert_eq!(Phone::parse("0770090012").unwrap_err(), "err.phone.invalid", "a digit short");
        assert_eq!(Phone::parse("+44 7700 9001234").unwrap_err(), "err.phone.invalid", "a digit long");
    }

    #[test]
    fn postcodes() {
        assert_eq!(Postcode::parse("cb11aa").unwrap().as_str(), "CB1 1AA");
        assert_eq!(Postcode::parse(" SW1A 2AA ").unwrap().as_str(), "SW1A 2AA");
        assert_eq!(Postcode::parse("M1 1AE").unwrap().as_str(), "M1 1AE");
        for bad in ["CB1", "12345", "CB1 1A1", "ÇB1 1AA", "CBB 1AA"] {
            assert!(Postcode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn choices_round_trip_their_codes() {
        for band in AgeBand::ALL {
            assert_eq!(AgeBand::parse(band.code()).unwrap(), *band);
        }
        assert_eq!(AgeBand::parse("").unwrap_err(), "err.age.required");
        assert_eq!(ContactMethod::parse("pigeon").unwrap_err(), "err.contact_method.required");
    }

    #[test]
    fn area_connection() {
        let c = AreaConnection::parse(&["work".into(), "live".into(), "work".into()]).unwrap();
        assert_eq!(c.code(), "live,work");
        assert_eq!(AreaConnection::parse(&[]).unwrap_err(), "err.connection.required");
        assert_eq!(
            AreaConnection::parse(&["none".into(), "live".into()]).unwrap_err(),
            "err.connection.none_and_other"
        );
    }
}
