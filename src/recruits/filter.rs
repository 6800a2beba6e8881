//! The recruits list's search, filters, sorting and page, as typed in the query string.
//! A value that does not make sense gets a specific message and is left out of the
//! search; everything else still applies, and the form keeps what was typed.
use serde::{Deserialize, Serialize};

use crate::domain::{AgeBand, EthnicGroup, ExpiryDate};

pub const PAGE_SIZE: i64 = 50;
/// The last page anyone can ask for (fifty million people).
pub const MAX_PAGE: i64 = 1_000_000;

pub const SORTS: [(&str, &str); 4] =
    [("newest", "Newest first"), ("oldest", "Oldest first"), ("name", "Name (A to Z)"), ("status", "Status")];

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecruitFilter {
    /// Part of a name, email address, phone number or postcode.
    pub q: String,
    pub status: String,
    /// A batch id, `none` (signed up without a card) or empty.
    pub batch: String,
    /// A panel's short name, or empty.
    #[serde(default)]
    pub panel: String,
    /// Signed up on or after / on or before, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    pub age: String,
    /// An ONS group code, `not_stated`, or empty.
    pub eth: String,
    pub sort: String,
    pub page: i64,
}

impl RecruitFilter {
    /// From query-string values (`get("q")` …).
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |k: &str| get(k).unwrap_or_default().trim().to_string();
        RecruitFilter {
            q: text("q"),
            status: text("status"),
            batch: text("batch"),
            panel: text("panel"),
            from: text("from"),
            to: text("to"),
            age: text("age"),
            eth: text("eth"),
            sort: text("sort"),
            page: get("page").and_then(|p| p.trim().parse().ok()).filter(|p| (1..=MAX_PAGE).contains(p)).unwrap_or(1),
        }
    }

    /// What is wrong, as (field, message); those fields are ignored by [`Self::valid`].
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.q.chars().count() > 100 || self.q.chars().any(char::is_control) {
            out.push(("q", "Search for 100 letters or fewer, without special characters".to_string()));
        }
        if !self.status.is_empty() && crate::domain::RecruitStatus::parse(&self.status).is_err() {
            out.push(("status", "Choose a status from the list".to_string()));
        }
        if !self.batch.is_empty() && self.batch != "none" && self.batch.parse::<i64>().is_err() {
            out.push(("batch", "Choose a card batch from the list".to_string()));
        }
        if !self.panel.is_empty() && crate::domain::PanelSlug::parse(&self.panel).is_err() {
            out.push(("panel", "Choose a panel from the list".to_string()));
        }
        let from = self.date("from", &mut out);
        let to = self.date("to", &mut out);
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                out.push(("to", "The \"to\" date must be the same as or after the \"from\" date".to_string()));
            }
        }
        if !self.age.is_empty() && AgeBand::parse(&self.age).is_err() {
            out.push(("age", "Choose an age band from the list".to_string()));
        }
        let eth_ok = self.eth.is_empty()
            || self.eth == "not_stated"
            || EthnicGroup::ALL.iter().any(|g| *g != EthnicGroup::PreferNot && g.code() == self.eth);
        if !eth_ok {
            out.push(("eth", "Choose an ethnic group from the list".to_string()));
        }
        if !self.sort.is_empty() && !SORTS.iter().any(|(s, _)| *s == self.sort) {
            out.push(("sort", "Choose an order from the list".to_string()));
        }
        out
    }

    fn date(&self, field: &'static str, out: &mut Vec<(&'static str, String)>) -> Option<ExpiryDate> {
        let raw = if field == "from" { &self.from } else { &self.to };
        if raw.is_empty() {
            return None;
        }
        let date = ExpiryDate::parse_iso(raw);
        if date.is_none() {
            let which = if field == "from" { "Signed up from" } else { "Signed up to" };
            out.push((field, format!("{which}: enter a real date as year-month-day, like 2026-03-31")));
        }
        date
    }

    /// The filter with every field that has a problem cleared.
    pub fn valid(&self) -> RecruitFilter {
        let mut f = self.clone();
        // Pages past this hold nothing; the cap keeps the offset arithmetic safe.
        f.page = f.page.clamp(1, MAX_PAGE);
        for (field, _) in self.problems() {
            match field {
                "q" => f.q.clear(),
                "status" => f.status.clear(),
                "batch" => f.batch.clear(),
                "panel" => f.panel.clear(),
                "from" => f.from.clear(),
                "to" => {
                    f.to.clear();
                }
                "age" => f.age.clear(),
                "eth" => f.eth.clear(),
                _ => f.sort.clear(),
            }
        }
        f
    }

    /// Signed up from/to as Unix seconds (start of `from`, end of `to`), once valid.
    pub fn created_range(&self) -> (Option<i64>, Option<i64>) {
        (
            ExpiryDate::parse_iso(&self.from).map(ExpiryDate::first_second),
            ExpiryDate::parse_iso(&self.to).map(ExpiryDate::last_second),
        )
    }

    /// A query string for this filter at `page` (for page links and the export).
    pub fn query_string(&self, page: i64) -> String {
        let pairs = [
            ("q", self.q.as_str()),
            ("status", &self.status),
            ("batch", &self.batch),
            ("panel", &self.panel),
            ("from", &self.from),
            ("to", &self.to),
            ("age", &self.age),
            ("eth", &self.eth),
            ("sort", &self.sort),
        ];
        let mut parts: Vec<String> =
            pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        parts.join("&")
    }

    pub fn is_filtered(&self) -> bool {
        !self.query_string(1).is_empty()
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(pairs: &[(&str, &str)]) -> RecruitFilter {
        RecruitFilter::from_query(|k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn bad_values_get_specific_messages_and_are_ignored() {
        let f = filter(&[("q", " Sam "), ("from", "2026-02-30"), ("age", "18-24"), ("eth", "martian"), ("page", "-3")]);
        assert_eq!(f.q, "Sam");
        assert_eq!(f.page, 1);
        let problems = f.problems();
        assert_eq!(problems.iter().map(|(k, _)| *k).collect::<Vec<_>>(), vec!["from", "eth"]);
        assert!(problems[0].1.contains("real date"));
        let v = f.valid();
        assert_eq!((v.q.as_str(), v.from.as_str(), v.age.as_str(), v.eth.as_str()), ("Sam", "", "18-24", ""));
    }

    #[test]
    fn date_range_must_run_forwards_and_covers_whole_days() {
        let f = filter(&[("from", "2026-03-02"), ("to", "2026-03-01")]);
        assert_eq!(f.problems()[0].0, "to");
        let f = filter(&[("from", "2026-03-01"), ("to", "2026-03-01")]);
        let (from, to) = f.created_range();
        assert_eq!(to.unwrap() - from.unwrap(), 86_399);
    }

    #[test]
    fn query_string_keeps_filters_and_escapes() {
        let f = filter(&[("q", "o'neil & co"), ("status", "member")]);
        assert_eq!(f.query_string(3), "q=o%27neil%20%26%20co&status=member&page=3");
        assert!(!filter(&[]).is_filtered());
    }
}
