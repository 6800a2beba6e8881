//! Small numbers that could identify someone are withheld, and so is whatever would let
//! them be worked out again.
//!
//! The rule (also in the README):
//! 1. **Primary**: a count of people from 1 to 4 is withheld.
//! 2. **Secondary**: cells that add up to a total anyone can see (a dimension's
//!    categories add up to all recruits, the batches' counts to the overall row, the
//!    months to all sign-ups, the detailed groups to their group) are checked together.
//!    Knowing the total and every shown cell, an attacker knows the sum of the withheld
//!    ones, that a "<5" is 1 to 4 and that a "[c]" is at least 5. While that pins any
//!    withheld cell to a single value, the smallest shown non-zero cell of the set is
//!    withheld too (shown as "[c]").
//! 3. Every withheld cell is shown as "[c]", whichever the reason, and never with a
//!    percentage.
//!
//! Zeros are shown: they say nobody, not who.

use serde::{Deserialize, Serialize};

/// Counts below this are withheld.
pub const SMALL: i64 = 5;

/// How a withheld count reads.
pub const WITHHELD: &str = "[c]";

/// How a count is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shown {
    Value(i64),
    /// 1 to 4: "<5".
    Small,
    /// Withheld so that a small number elsewhere cannot be worked out: "[c]".
    Withheld,
}

impl Shown {
    /// "[c]" for any withheld cell: one marker, so nobody can tell a small number from
    /// one withheld to protect it.
    pub fn text(self) -> String {
        match self {
            Shown::Value(n) => n.to_string(),
            Shown::Small | Shown::Withheld => WITHHELD.into(),
        }
    }

    pub fn value(self) -> Option<i64> {
        match self {
            Shown::Value(n) => Some(n),
            _ => None,
        }
    }

    pub fn is_withheld(self) -> bool {
        !matches!(self, Shown::Value(_))
    }
}

/// Primary suppression of one count.
pub fn primary(n: i64) -> Shown {
    if (1..SMALL).contains(&n) {
        Shown::Small
    } else {
        Shown::Value(n)
    }
}

/// The values each withheld cell of a set could have, given the set's total (known), the
/// shown cells and what the markers say ("<5": 1–4, "[c]": 5 or more): (lowest, highest).
pub fn feasible(shown: &[Shown], total: i64) -> Vec<Option<(i64, i64)>> {
    let known: i64 = shown.iter().filter_map(|s| s.value()).sum();
    let rest = total - known;
    let bounds = |s: &Shown| match s {
        Shown::Small => (1, SMALL - 1),
        Shown::Withheld => (SMALL, rest.max(SMALL)),
        Shown::Value(n) => (*n, *n),
    };
    shown
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if !s.is_withheld() {
                return None;
            }
            let (lo, hi) = bounds(s);
            let others = shown.iter().enumerate().filter(|(j, t)| *j != i && t.is_withheld());
            let (others_lo, others_hi) = others.fold((0, 0), |(a, b), (_, t)| {
                let (l, h) = bounds(t);
                (a + l, b + h)
            });
            Some((lo.max(rest - others_hi), hi.min(rest - others_lo)))
        })
        .collect()
}

/// Shows a set of counts that add up to a total everyone can see (`values` sum to it):
/// primary suppression, then secondary until no withheld cell can be worked out.
pub fn protect(values: &[i64]) -> Vec<Shown> {
    let mut shown: Vec<Shown> = values.iter().map(|n| primary(*n)).collect();
    protect_more(values, &mut shown);
    shown
}

/// Secondary suppression over cells already shown as `shown` (which may hold cells
/// withheld by another set).
pub fn protect_more(values: &[i64], shown: &mut [Shown]) {
    let total: i64 = values.iter().sum();
    loop {
        let pinned = feasible(shown, total).iter().flatten().any(|(lo, hi)| lo >= hi);
        if !pinned {
            return;
        }
        let next = values
            .iter()
            .enumerate()
            .filter(|(i, n)| **n > 0 && !shown[*i].is_withheld())
            .min_by_key(|(_, n)| **n)
            .map(|(i, _)| i);
        match next {
            Some(i) => shown[i] = Shown::Withheld,
            // Nothing left to withhold: every non-zero cell is withheld already.
            None => return,
        }
    }
}

/// One row of a comparison: (dimension, category, recruits, members).
pub type Row<'a> = (&'a str, &'a str, i64, i64);

/// Protects the recruits and members columns of a comparison (every dimension's
/// categories add up to all recruits, and all members; the detailed groups add up to
/// their group). Returns (recruits, members) as shown, row by row.
pub fn protect_comparison(rows: &[Row]) -> Vec<(Shown, Shown)> {
    let mut out: Vec<(Shown, Shown)> = rows.iter().map(|r| (primary(r.2), primary(r.3))).collect();
    for column in 0..2 {
        let value = |i: usize| if column == 0 { rows[i].2 } else { rows[i].3 };
        let get = |out: &Vec<(Shown, Shown)>, i: usize| if column == 0 { out[i].0 } else { out[i].1 };
        let set = |out: &mut Vec<(Shown, Shown)>, i: usize, s: Shown| {
            if column == 0 {
                out[i].0 = s
            } else {
                out[i].1 = s
            }
        };
        let mut dimensions: Vec<&str> = rows.iter().map(|r| r.0).collect();
        dimensions.dedup();
        // Twice: withholding a detail can pin its group's other details, and the reverse.
        for _ in 0..3 {
            for dim in &dimensions {
                let idx: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].0 == *dim).collect();
                let values: Vec<i64> = idx.iter().map(|i| value(*i)).collect();
                let mut shown: Vec<Shown> = idx.iter().map(|i| get(&out, *i)).collect();
                protect_more(&values, &mut shown);
                for (k, i) in idx.iter().enumerate() {
                    set(&mut out, *i, shown[k]);
                }
            }
            // Detailed groups within each group: withheld with their group, and protected
            // against the group's total when it is shown.
            for group in ["white", "mixed", "asian", "black", "other"] {
                let Some(g) = (0..rows.len()).find(|i| rows[*i].0 == "ethnic_group" && rows[*i].1 == group) else {
                    continue;
                };
                let idx: Vec<usize> = (0..rows.len())
                    .filter(|i| rows[*i].0 == "ethnic_detail" && super::ethnicity::group_of_detail(rows[*i].1) == group)
                    .filter(|i| super::is_stated(rows[*i].1))
                    .collect();
                if get(&out, g).is_withheld() {
                    for i in &idx {
                        if value(*i) > 0 {
                            let now = Shown::Withheld.max_with(get(&out, *i));
                            set(&mut out, *i, now);
                        }
                    }
                } else {
                    let values: Vec<i64> = idx.iter().map(|i| value(*i)).collect();
                    let mut shown: Vec<Shown> = idx.iter().map(|i| get(&out, *i)).collect();
                    protect_more(&values, &mut shown);
                    for (k, i) in idx.iter().enumerate() {
                        set(&mut out, *i, shown[k]);
                    }
                }
            }
        }
        // A withheld count among zeros is no secret: "0, 0, [c], 0" says everyone who
        // answered is in that one group. Where a dimension withholds anything, its zeros
        // are withheld too, so a withheld cell could be any of them.
        for dim in &dimensions {
            let idx: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].0 == *dim).collect();
            if idx.iter().any(|i| get(&out, *i).is_withheld()) {
                for i in idx {
                    if value(i) == 0 {
                        set(&mut out, i, Shown::Withheld);
                    }
                }
            }
        }
    }
    out
}

impl Shown {
    /// Keeps "small" when a cell is already withheld for being small.
    fn max_with(self, current: Shown) -> Shown {
        if current == Shown::Small {
            Shown::Small
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_beside_a_withheld_count_are_withheld_too() {
        let rows: Vec<Row> = vec![
            ("ethnic_group", "white", 0, 0),
            ("ethnic_group", "black", 1, 0),
            ("ethnic_group", "asian", 0, 0),
            ("ethnic_group", "not_stated", 40, 0),
        ];
        let shown = protect_comparison(&rows);
        assert!(shown.iter().take(3).all(|(r, _)| r.is_withheld()), "{shown:?}");
        // Nothing withheld in a dimension: zeros are shown as zeros.
        let rows: Vec<Row> = vec![("gender", "Female", 20, 0), ("gender", "Male", 30, 0), ("gender", "Other", 0, 0)];
        assert_eq!(protect_comparison(&rows)[2].0.text(), "0");
    }

    fn texts(s: &[Shown]) -> Vec<String> {
        s.iter()
            .map(|x| match x {
                Shown::Small => "<5".into(),
                Shown::Withheld => "[c]".into(),
                Shown::Value(n) => n.to_string(),
            })
            .collect()
    }

    #[test]
    fn one_small_cell_takes_a_second_with_it() {
        // Total 20 is visible elsewhere: 3 alone would be 20 - 17.
        assert_eq!(texts(&protect(&[10, 7, 3, 0])), ["10", "[c]", "<5", "0"]);
        // Two small cells: 1 + 1 = 2 would pin both (both must be 1).
        let shown = protect(&[10, 1, 1, 6]);
        assert!(feasible(&shown, 18).iter().flatten().all(|(lo, hi)| lo < hi), "{shown:?}");
        // Nothing small: nothing withheld.
        assert_eq!(texts(&protect(&[10, 7, 0])), ["10", "7", "0"]);
        // 4 + 4 = 8 pins both at 4.
        let shown = protect(&[4, 4, 20]);
        assert!(feasible(&shown, 28).iter().flatten().all(|(lo, hi)| lo < hi), "{shown:?}");
    }

    #[test]
    fn a_group_withheld_withholds_its_details() {
        let rows = [
            ("ethnic_group", "white", 20, 0),
            ("ethnic_group", "black", 3, 0),
            ("ethnic_group", "asian", 7, 0),
            ("ethnic_detail", "white_british", 18, 0),
            ("ethnic_detail", "white_irish", 2, 0),
            ("ethnic_detail", "black_african", 3, 0),
            ("ethnic_detail", "asian_indian", 7, 0),
        ];
        let shown = protect_comparison(&rows);
        assert!(shown[1].0.is_withheld() && shown[2].0.is_withheld(), "black small, asian withheld with it: {shown:?}");
        assert!(shown[5].0.is_withheld() && shown[6].0.is_withheld(), "their details too: {shown:?}");
        assert!(
            shown[3].0.is_withheld() && shown[4].0.is_withheld(),
            "white_irish small, white_british with it: {shown:?}"
        );
    }

    #[test]
    fn no_withheld_cell_is_ever_pinned() {
        // Every small table of counts up to 12 in three to four cells.
        for a in 0..12 {
            for b in 0..12 {
                for c in 0..8 {
                    for d in [0, 1, 5] {
                        let values = [a, b, c, d];
                        let shown = protect(&values);
                        let total: i64 = values.iter().sum();
                        let all_withheld = values.iter().zip(&shown).all(|(v, s)| *v == 0 || s.is_withheld());
                        for (i, f) in feasible(&shown, total).into_iter().enumerate() {
                            if let Some((lo, hi)) = f {
                                assert!(lo < hi || all_withheld, "{values:?} → {shown:?}: cell {i} is pinned to {lo}");
                                assert!((lo..=hi).contains(&values[i]), "{values:?}: the truth is feasible");
                            }
                        }
                    }
                }
            }
        }
    }
}
