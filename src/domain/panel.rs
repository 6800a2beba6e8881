//! The panel at work: panels, their members, meetings, ratings and actions. Parsed once,
//! where a form or a command line is read; the messages are the dashboard's (English).
use serde::{Deserialize, Serialize};
use time::{Date, Month, PrimitiveDateTime, Time};

use super::{
    batch::{check_text, clean},
    ExpiryDate,
};

/// A panel's short name in addresses and commands, e.g. `youth` or `north-district`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PanelSlug(String);

impl PanelSlug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim().to_ascii_lowercase();
        if value.is_empty() {
            return Err("Enter a short name for the panel, like youth or north-district".into());
        }
        let ok_chars = value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok_chars || value.len() > 40 || value.starts_with('-') || value.ends_with('-') || value.contains("--") {
            return Err(
                "The short name must be 1 to 40 letters a to z, digits or single hyphens, like north-district".into()
            );
        }
        Ok(PanelSlug(value))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PanelSlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Characters that reorder the text around them (bidirectional overrides and isolates):
/// in a name or an action on a published report they would make it read otherwise than
/// it was written. Right-to-left text needs none of them.
fn check_direction(value: &str, what: &str) -> Result<(), String> {
    if value.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')) {
        return Err(format!("{what} must not contain characters that change the direction of the text"));
    }
    Ok(())
}

/// Required one-line text (a name, an owner), at most `max` characters.
pub fn required_text(raw: &str, what: &str, max: usize) -> Result<String, String> {
    let value = clean(raw);
    if value.is_empty() {
        return Err(format!("Enter {}", what.to_lowercase()));
    }
    check_text(&value, what, max)?;
    check_direction(&value, what)?;
    Ok(value)
}

/// Optional one-line text: `None` when blank.
pub fn optional_text(raw: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let value = clean(raw);
    if value.is_empty() {
        return Ok(None);
    }
    check_text(&value, what, max)?;
    check_direction(&value, what)?;
    Ok(Some(value))
}

/// Optional text of several paragraphs (an agenda, minutes, reasons): line breaks kept,
/// other control characters refused.
pub fn optional_long_text(raw: &str, what: &str, max: usize) -> Result<Option<String>, String> {
    let value = raw.replace("\r\n", "\n").trim().to_string();
    if value.is_empty() {
        return Ok(None);
    }
    if value.chars().count() > max {
        return Err(format!("{what} must be {max} characters or fewer"));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(format!("{what} must not contain control characters"));
    }
    check_direction(&value, what)?;
    Ok(Some(value))
}

/// An optional calendar day, `YYYY-MM-DD` (any day, past or future).
pub fn optional_day(raw: &str, what: &str) -> Result<Option<ExpiryDate>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    ExpiryDate::parse_iso(raw).map(Some).ok_or_else(|| format!("{what} must be a real date, like 2027-03-31"))
}

macro_rules! dashboard_choice {
    ($(#[$m:meta])* $name:ident, $err:literal, [$($variant:ident = $code:literal : $label:literal),+ $(,)?]) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn parse(raw: &str) -> Result<Self, String> {
                match raw.trim().to_ascii_lowercase().as_str() {
                    $($code => Ok($name::$variant),)+
                    _ => Err($err.to_string()),
                }
            }

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// How the dashboard and reports name it.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
    };
}

dashboard_choice!(
    /// What a panel scrutinises.
    PanelKind, "The kind must be stop-search, use-of-force, youth or joint", [
        StopSearch = "stop-search": "Stop and search",
        UseOfForce = "use-of-force": "Use of force",
        Youth = "youth": "Youth panel",
        Joint = "joint": "Stop and search and use of force",
    ]
);

dashboard_choice!(
    /// A member's place on the panel.
    MemberRole, "The role must be member, chair or vice-chair", [
        Member = "member": "Member",
        Chair = "chair": "Chair",
        ViceChair = "vice-chair": "Vice-chair",
    ]
);

// Written out: the enum comes from `dashboard_choice!`, which has no `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for MemberRole {
    fn default() -> Self {
        MemberRole::Member
    }
}

dashboard_choice!(
    /// Where vetting stands (never what it found).
    VettingStatus, "Vetting must be not-started, applied, cleared, refused or expired", [
        NotStarted = "not-started": "Not started",
        Applied = "applied": "Applied",
        Cleared = "cleared": "Cleared",
        Refused = "refused": "Refused",
        Expired = "expired": "Expired",
    ]
);

dashboard_choice!(
    /// Whether a member came to a meeting.
    Attendance, "Attendance must be present, absent or excused", [
        Invited = "invited": "Invited",
        Present = "present": "Present",
        Absent = "absent": "Absent",
        Excused = "excused": "Excused",
    ]
);

dashboard_choice!(
    /// The panel's view of one search.
    Rating, "Choose a rating: green, amber or red", [
        Green = "green": "Green: no concerns",
        Amber = "amber": "Amber: some concerns",
        Red = "red": "Red: serious concerns",
    ]
);

dashboard_choice!(
    /// What a rating was about.
    Theme, "Unknown theme", [
        Grounds = "grounds": "Grounds for the search",
        Conduct = "conduct": "Officer conduct",
        UseOfForce = "use-of-force": "Use of force",
        Handcuffing = "handcuffing": "Handcuffing",
        BodyWornVideo = "body-worn-video": "Body-worn video use",
        RecordQuality = "record-quality": "Record quality",
    ]
);

dashboard_choice!(
    /// Where an action raised with the force stands.
    ActionStatus, "The status must be open, replied or closed", [
        Open = "open": "Open",
        Replied = "replied": "Force replied",
        Closed = "closed": "Closed",
    ]
);

/// When a meeting starts, in the force's local time (`YYYY-MM-DDTHH:MM`, as a browser's
/// `datetime-local` field sends it; a space instead of the `T` is accepted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MeetingTime(PrimitiveDateTime);

impl MeetingTime {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || "Enter the date and time like 2027-03-31T18:30".to_string();
        let raw = raw.trim().replace(' ', "T");
        let (day, clock) = raw.split_once('T').ok_or_else(bad)?;
        let day = ExpiryDate::parse_iso(day).ok_or_else(bad)?;
        let (h, m) = clock.split_once(':').ok_or_else(bad)?;
        let (h, m): (u8, u8) = (h.parse().map_err(|_| bad())?, m.get(..2).unwrap_or(m).parse().map_err(|_| bad())?);
        let time = Time::from_hms(h, m, 0).map_err(|_| bad())?;
        Ok(MeetingTime(PrimitiveDateTime::new(day.date(), time)))
    }

    pub fn date(self) -> Date {
        self.0.date()
    }

    pub fn time(self) -> Time {
        self.0.time()
    }

    /// `minutes` later (local time, as a calendar shows it).
    pub fn plus_minutes(self, minutes: i64) -> Self {
        MeetingTime(self.0.saturating_add(time::Duration::minutes(minutes)))
    }

    /// "30/03/2027 18:30": for messages in languages other than English.
    pub fn numeric(self) -> String {
        let d = self.0.date();
        format!("{:02}/{:02}/{} {:02}:{:02}", d.day(), u8::from(d.month()), d.year(), self.0.hour(), self.0.minute())
    }

    /// `YYYY-MM-DDTHH:MM`, as stored.
    pub fn code(self) -> String {
        let d = self.0.date();
        format!("{:04}-{:02}-{:02}T{:02}:{:02}", d.year(), u8::from(d.month()), d.day(), self.0.hour(), self.0.minute())
    }

    /// "Tuesday 30 March 2027, 18:30".
    pub fn human(self) -> String {
        let d = self.0.date();
        format!(
            "{} {} {} {}, {:02}:{:02}",
            d.weekday(),
            d.day(),
            month_name(d.month()),
            d.year(),
            self.0.hour(),
            self.0.minute()
        )
    }
}

fn month_name(m: Month) -> String {
    m.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_address_safe() {
        assert_eq!(PanelSlug::parse(" North-District ").unwrap().as_str(), "north-district");
        for bad in ["", "-x", "x-", "a--b", "a b", "ü", "a/b", &"x".repeat(41)] {
            assert!(PanelSlug::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn meeting_times_parse_as_browsers_send_them() {
        let t = MeetingTime::parse("2027-03-30T18:30").unwrap();
        assert_eq!(t.code(), "2027-03-30T18:30");
        assert_eq!(t.human(), "Tuesday 30 March 2027, 18:30");
        assert_eq!(MeetingTime::parse("2027-03-30 18:30:00").unwrap(), t);
        for bad in ["", "2027-03-30", "2027-02-30T18:30", "2027-03-30T25:00", "tomorrow", "2027-03-30T18"] {
            assert!(MeetingTime::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn choices_round_trip() {
        for r in Rating::ALL {
            assert_eq!(Rating::parse(r.code()), Ok(*r));
        }
        assert_eq!(PanelKind::parse("Youth"), Ok(PanelKind::Youth));
        assert!(Theme::parse("grounds; drop").is_err());
        assert_eq!(optional_long_text(" a\r\nb ", "Minutes", 10).unwrap().as_deref(), Some("a\nb"));
        assert!(optional_long_text("a\u{7}", "Minutes", 10).is_err());
        // Arabic is fine; a direction override is not (it would make a published action read otherwise).
        assert!(required_text("مراجعة الأسباب", "The action", 50).is_ok());
        for c in ['\u{202E}', '\u{2066}'] {
            assert!(required_text(&format!("pay {c}01$"), "The action", 50).is_err());
            assert!(optional_long_text(&format!("a{c}b"), "Minutes", 50).is_err());
        }
        assert!(optional_day("2027-02-30", "The date").is_err());
    }
}
