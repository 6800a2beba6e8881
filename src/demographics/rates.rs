//! Disproportionality the Home Office way: searches per 1,000 people of each ethnic group
//! (Census 2021 population of the force area), and each group's rate divided by the
//! White group's. "Not stated" searches are shown but have no rate (there is no
//! population of "not stated" people), so they are left out of the rates.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Which ethnicity a search is counted under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Basis {
    /// The person's self-defined ethnicity; the officer's when they stated none.
    SelfDefined,
    /// The officer-defined ethnicity (five groups).
    Officer,
}

impl Basis {
    pub fn parse(raw: &str) -> Result<Basis, String> {
        match raw {
            "self" => Ok(Basis::SelfDefined),
            "officer" => Ok(Basis::Officer),
            other => Err(format!("--basis must be self or officer, not \"{other}\"")),
        }
    }

    /// The `search_counts` dimension for this basis.
    pub fn dimension(self) -> &'static str {
        match self {
            Basis::SelfDefined => "ethnic_group",
            Basis::Officer => "ethnic_group_officer",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Basis::SelfDefined => "self-defined ethnicity (the officer's view where the person stated none)",
            Basis::Officer => "officer-defined ethnicity",
        }
    }
}

/// One line of the table (and of `scrutiny report disproportionality`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateRow {
    pub force: String,
    pub ethnic_group: String,
    pub searches: i64,
    /// None when the force's population is unavailable or the group is "not stated".
    pub population: Option<i64>,
    pub rate_per_1000: Option<f64>,
    pub ratio_to_white: Option<f64>,
}

/// Per force and month: all searches, and those panels are asked to watch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchRow {
    pub force: String,
    pub month: String,
    pub searches: i64,
    pub under_18: i64,
    /// Removal of more than outer clothing.
    pub strip: i64,
    /// Criminal Justice and Public Order Act 1994, section 60 (no suspicion needed).
    pub section_60: i64,
}

pub const GROUPS: [&str; 5] = ["white", "mixed", "asian", "black", "other"];

/// Rates for each force from its searches and population by group. `population` is None
/// for a force whose population is unavailable.
pub fn rates(
    force: &str,
    searches: &BTreeMap<String, i64>,
    population: Option<&BTreeMap<String, i64>>,
) -> Vec<RateRow> {
    let rate = |group: &str| -> Option<f64> {
        let people = *population?.get(group)?;
        (people > 0).then(|| *searches.get(group).unwrap_or(&0) as f64 * 1000.0 / people as f64)
    };
    let white = rate("white").filter(|r| *r > 0.0);
    let mut rows: Vec<RateRow> = GROUPS
        .iter()
        .map(|g| {
            let r = rate(g);
            RateRow {
                force: force.to_string(),
                ethnic_group: g.to_string(),
                searches: *searches.get(*g).unwrap_or(&0),
                population: population.and_then(|p| p.get(*g).copied()),
                rate_per_1000: r,
                ratio_to_white: r.zip(white).map(|(r, w)| r / w),
            }
        })
        .collect();
    let unstated: i64 = searches.iter().filter(|(g, _)| !GROUPS.contains(&g.as_str())).map(|(_, n)| *n).sum();
    rows.push(RateRow {
        force: force.to_string(),
        ethnic_group: "not_stated".into(),
        searches: unstated,
        population: None,
        rate_per_1000: None,
        ratio_to_white: None,
    });
    rows
}

/// A number for the CSV: two decimals, empty when there is none.
pub fn cell(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_per_thousand_and_ratio_to_white() {
        let searches: BTreeMap<String, i64> =
            [("white", 100), ("black", 60), ("asian", 0), ("not_stated", 7), ("not_recognised", 1)]
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect();
        let population: BTreeMap<String, i64> = [("white", 100_000), ("black", 10_000), ("asian", 5_000), ("mixed", 0)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        let rows = rates("kent", &searches, Some(&population));
        let get = |g: &str| rows.iter().find(|r| r.ethnic_group == g).unwrap().clone();
        assert_eq!(get("white").rate_per_1000, Some(1.0));
        assert_eq!(get("black").rate_per_1000, Some(6.0));
        assert_eq!(get("black").ratio_to_white, Some(6.0));
        assert_eq!(get("asian").rate_per_1000, Some(0.0));
        assert_eq!(get("mixed").rate_per_1000, None, "no population, no rate");
        assert_eq!(get("other").population, None);
        assert_eq!((get("not_stated").searches, get("not_stated").rate_per_1000), (8, None));
        let unavailable = rates("city-of-london", &searches, None);
        assert!(unavailable.iter().all(|r| r.rate_per_1000.is_none() && r.population.is_none()));
    }
}
