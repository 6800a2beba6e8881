//! A meeting as an iCalendar file (RFC 5545), attached to email invitations so the
//! meeting goes into the person's calendar. Written by hand (about forty lines): the
//! crates that do this bring in a second date library; the rules used are RFC 5545's
//! content lines (CRLF, folded at 75 octets without splitting a character), TEXT escaping
//! (`\\`, `\;`, `\,`, `\n`) and a VTIMEZONE for the local time the meeting is given in.

use crate::domain::MeetingTime;

/// What the calendar entry says.
pub struct CalendarEvent<'a> {
    /// Stable per meeting (a calendar updates the same entry when sent again).
    pub uid: String,
    pub starts_at: MeetingTime,
    pub minutes_long: i64,
    pub summary: &'a str,
    pub location: Option<&'a str>,
    pub url: Option<&'a str>,
    pub description: Option<&'a str>,
    /// When the file was made, as `YYYYMMDDTHHMMSSZ` (UTC).
    pub stamp: String,
}

/// Europe/London: GMT in winter, BST (UTC+1) from the last Sunday of March at 01:00 UTC
/// to the last Sunday of October at 01:00 UTC.
const LONDON: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nTZNAME:BST\r\nDTSTART:19700329T010000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nDTSTART:19701025T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// TEXT value escaping (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded so no line is longer than 75 octets (3.1), ending in CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn local(t: MeetingTime) -> String {
    let (d, tm) = (t.date(), t.time());
    format!("{:04}{:02}{:02}T{:02}{:02}00", d.year(), u8::from(d.month()), d.day(), tm.hour(), tm.minute())
}

/// The calendar file for one meeting.
pub fn calendar(e: &CalendarEvent) -> String {
    let end = e.starts_at.plus_minutes(e.minutes_long.clamp(1, 24 * 60));
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//scrutiny//panel meetings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    out.push_str(LONDON);
    line(&mut out, "BEGIN:VEVENT");
    line(&mut out, &format!("UID:{}", escape(&e.uid)));
    line(&mut out, &format!("DTSTAMP:{}", e.stamp));
    line(&mut out, &format!("DTSTART;TZID=Europe/London:{}", local(e.starts_at)));
    line(&mut out, &format!("DTEND;TZID=Europe/London:{}", local(end)));
    line(&mut out, &format!("SUMMARY:{}", escape(e.summary)));
    if let Some(l) = e.location {
        line(&mut out, &format!("LOCATION:{}", escape(l)));
    }
    if let Some(u) = e.url {
        line(&mut out, &format!("URL:{}", u.chars().filter(|c| !c.is_control()).collect::<String>()));
    }
    if let Some(d) = e.description {
        line(&mut out, &format!("DESCRIPTION:{}", escape(d)));
    }
    line(&mut out, "END:VEVENT");
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(summary: &'a str, description: Option<&'a str>) -> CalendarEvent<'a> {
        CalendarEvent {
            uid: "meeting-7@scrutiny.example".into(),
            starts_at: MeetingTime::parse("2027-03-30T18:30").unwrap(),
            minutes_long: 120,
            summary,
            location: Some("Town Hall, Room 2; Bedford"),
            url: None,
            description,
            stamp: "20270301T090000Z".into(),
        }
    }

    #[test]
    fn a_meeting_is_a_valid_calendar_event_in_london_time() {
        let ics = calendar(&event("Youth panel meeting", None));
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"), "{ics}");
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(ics.contains("\r\nDTSTART;TZID=Europe/London:20270330T183000\r\n"), "{ics}");
        assert!(ics.contains("\r\nDTEND;TZID=Europe/London:20270330T203000\r\n"), "{ics}");
        assert!(ics.contains("TZID:Europe/London\r\n") && ics.contains("BEGIN:DAYLIGHT"), "the TZID is defined");
        assert!(ics.contains("LOCATION:Town Hall\\, Room 2\\; Bedford\r\n"), "{ics}");
        // Every line ends in CRLF; no bare LF.
        assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
    }

    #[test]
    fn long_and_multiline_text_is_escaped_and_folded_at_75_octets() {
        let agenda =
            "1. Welcome, apologies\n2. Cases: grounds \\ conduct\n".to_string() + &"Pwyllgor craffu ŵŷ ".repeat(12);
        let ics = calendar(&event("Panel", Some(&agenda)));
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(
            unfolded.contains("DESCRIPTION:1. Welcome\\, apologies\\n2. Cases: grounds \\\\ conduct\\nPwyllgor"),
            "{unfolded}"
        );
        assert!(unfolded.contains(&"Pwyllgor craffu ŵŷ ".repeat(12)), "folding never splits a character");
    }

    #[test]
    fn a_meeting_past_midnight_ends_the_next_day() {
        let mut e = event("Late", None);
        e.starts_at = MeetingTime::parse("2027-12-31T23:30").unwrap();
        let ics = calendar(&e);
        assert!(ics.contains("DTEND;TZID=Europe/London:20280101T013000"), "{ics}");
    }
}
