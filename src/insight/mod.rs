//! Insight: the recruitment funnel, its trend, and whether recruits look like the
//! people searched and the local population. Charts are server-rendered SVG, each with
//! a data table and a sentence, and counts of recruits below 5 are shown as "<5".
pub mod api;
mod chart;
mod views;

#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod tally;

use serde::{Deserialize, Serialize};

pub use views::InsightPage;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub label: String,
    pub batch_id: Option<i64>,
    pub printed: i64,
    pub scanned: i64,
    pub started: i64,
    pub submitted: i64,
    pub confirmed: i64,
    pub members: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub month: String,
    pub submitted: i64,
}

/// One category of the comparison. Recruit and member counts arrive already
/// suppressed as text ("<5").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub dimension: String,
    pub category: String,
    pub recruits: String,
    pub members: String,
    pub searched: i64,
    pub population: Option<i64>,
    /// Shares of the known categories, in percent (None when suppressed or no data).
    pub recruits_pct: Option<f64>,
    pub searched_pct: Option<f64>,
    pub population_pct: Option<f64>,
}

impl Comparison {
    /// Recruits' share minus searched people's share, in percentage points.
    pub fn gap_points(&self) -> Option<f64> {
        Some(self.recruits_pct? - self.searched_pct?)
    }
    /// Recruits' share divided by searched people's share: 1.0 means "looks like the
    /// people searched"; below 1, under-represented.
    pub fn representation_ratio(&self) -> Option<f64> {
        let (recruits, searched) = (self.recruits_pct?, self.searched_pct?);
        (searched > 0.0).then(|| recruits / searched)
    }
}

/// A funnel row as shown: counts of people withheld when small (and what would give
/// them away); cards printed and scanned are not people and are always shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunnelShown {
    pub label: String,
    pub printed: i64,
    pub scanned: i64,
    pub started: Shown,
    pub submitted: Shown,
    pub confirmed: Shown,
    pub members: Shown,
}

/// Sign-ups per month as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendShown {
    pub month: String,
    pub submitted: Shown,
}

pub use crate::demographics::suppress::Shown;

/// The funnel's people counts protected column by column: the batches' counts add up to
/// the overall row (first), which is itself withheld when small.
pub fn protect_funnel(rows: &[FunnelRow]) -> Vec<FunnelShown> {
    use crate::demographics::suppress::{primary, protect_more};
    let column = |f: fn(&FunnelRow) -> i64| -> Vec<Shown> {
        let Some((all, parts)) = rows.split_first() else { return Vec::new() };
        let values: Vec<i64> = parts.iter().map(f).collect();
        let total = primary(f(all));
        let mut shown: Vec<Shown> = values.iter().map(|n| primary(*n)).collect();
        if total.is_withheld() {
            shown.iter_mut().zip(&values).filter(|(_, n)| **n > 0).for_each(|(s, _)| *s = Shown::Small);
        } else {
            protect_more(&values, &mut shown);
        }
        std::iter::once(total).chain(shown).collect()
    };
    let (started, submitted, confirmed, members) =
        (column(|r| r.started), column(|r| r.submitted), column(|r| r.confirmed), column(|r| r.members));
    rows.iter()
        .enumerate()
        .map(|(i, r)| FunnelShown {
            label: r.label.clone(),
            printed: r.printed,
            scanned: r.scanned,
            started: started[i],
            submitted: submitted[i],
            confirmed: confirmed[i],
            members: members[i],
        })
        .collect()
}

/// Months add up to all sign-ups (shown in the funnel).
pub fn protect_trend(points: &[TrendPoint]) -> Vec<TrendShown> {
    let values: Vec<i64> = points.iter().map(|p| p.submitted).collect();
    let shown = crate::demographics::suppress::protect(&values);
    points.iter().zip(shown).map(|(p, s)| TrendShown { month: p.month.clone(), submitted: s }).collect()
}

/// "n (p%)" when both counts are shown; the count alone (or "[c]") otherwise.
pub fn count_with_share(part: Shown, whole: Shown) -> String {
    match (part, whole) {
        (Shown::Value(p), Shown::Value(w)) => format!("{p} ({})", percent(p, w)),
        (p, _) => p.text(),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Insight {
    /// The place and time the comparison, rates and watch tables describe.
    pub place: Place,
    pub funnel: Vec<FunnelShown>,
    pub trend: Vec<TrendShown>,
    pub comparison: Vec<Comparison>,
    /// Searches per 1,000 people by ethnic group, per force (self-defined basis).
    pub rates: Vec<crate::demographics::rates::RateRow>,
    /// Per force and month: under-18s, strip searches, Section 60.
    pub watch: Vec<crate::demographics::rates::WatchRow>,
    /// The chosen panel's target make-up and where its members stand.
    #[serde(default)]
    pub targets: Vec<TargetRow>,
}

/// One ethnic group's target share of a panel and its members' share now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetRow {
    pub group: String,
    pub target_pct: f64,
    /// Members of that group (withheld when small).
    pub members: String,
    /// Their share of members who gave their group (None when withheld or none).
    pub members_pct: Option<f64>,
}

/// Which force and months the comparison describes, and the choices.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// The force chosen; "" is every force with searches imported in those months.
    pub force: String,
    pub from: String,
    pub to: String,
    /// Forces with imported searches, to choose from.
    pub forces: Vec<String>,
    /// What each column covers, in words.
    pub describes: Vec<String>,
    /// Recruits and members are this panel's, so they are compared only when the place
    /// is the panel's own force.
    pub recruits_here: bool,
    /// The panel chosen (short name); "" is every panel.
    #[serde(default)]
    pub panel: String,
    /// Every panel (short name, name), to choose from.
    #[serde(default)]
    pub panels: Vec<(String, String)>,
}

/// 1234567 → "1,234,567".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

pub fn percent(part: i64, whole: i64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_and_ratios() {
        let c = Comparison {
            dimension: "ethnic_group".into(),
            category: "black".into(),
            recruits: "10".into(),
            members: "0".into(),
            searched: 300,
            population: Some(50),
            recruits_pct: Some(10.0),
            searched_pct: Some(25.0),
            population_pct: Some(5.0),
        };
        assert_eq!(c.gap_points(), Some(-15.0));
        assert_eq!(c.representation_ratio(), Some(0.4));
        assert_eq!(percent(1, 3), "33%");
        assert_eq!(percent(1, 0), "–");
    }
}
