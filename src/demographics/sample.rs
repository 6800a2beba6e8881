//! Reproducible samples of imported searches, for a panel to scrutinise.
//!
//! Every imported search has a fixed pseudo-random **draw**: 62 bits of SHA-256 of its
//! force, month and line in the police.uk file. A **seed** (any text, e.g. the meeting's
//! date or a number rolled at the meeting) gives a key, 62 bits of SHA-256 of the seed.
//! The sample is the `size` searches that pass the filters with the smallest
//! `draw XOR key`, in that order. So:
//! - the same files, filters and seed give the same sample on any machine, SQLite or
//!   PostgreSQL, however often the files were re-imported;
//! - for any seed, every search that passes the filters is equally likely to be drawn
//!   (XOR with a fixed key is a one-to-one shuffle of uniformly spread numbers);
//! - a different seed gives a different sample.
//!
//! Anyone holding the same police.uk files can check a panel's sample was not chosen by
//! hand: the seed and filters are all it takes.
use sha2::{Digest, Sha256};

use crate::db::{Db, DbError};

/// Filters panels use (`--only`). Each keeps searches with that property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Only {
    /// More than outer clothing removed.
    StripSearch,
    /// Aged under 18 (as recorded: `under 10` or `10-17`).
    Under18,
    /// Under section 60 of the Criminal Justice and Public Order Act 1994.
    Section60,
    /// The outcome was no further action.
    NoFurtherAction,
}

impl Only {
    pub const ALL: [Only; 4] = [Only::StripSearch, Only::Under18, Only::Section60, Only::NoFurtherAction];

    pub fn parse(raw: &str) -> Result<Only, String> {
        Only::ALL
            .into_iter()
            .find(|o| o.code() == raw.trim())
            .ok_or_else(|| format!("--only \"{raw}\" is not a filter; use {}", Only::ALL.map(|o| o.code()).join(", ")))
    }

    pub fn code(self) -> &'static str {
        match self {
            Only::StripSearch => "strip-search",
            Only::Under18 => "under-18",
            Only::Section60 => "section-60",
            Only::NoFurtherAction => "no-further-action",
        }
    }

    /// The `searches` column that holds the property (0 or 1).
    pub fn column(self) -> &'static str {
        match self {
            Only::StripSearch => "strip",
            Only::Under18 => "under_18",
            Only::Section60 => "section_60",
            Only::NoFurtherAction => "no_further_action",
        }
    }
}

fn bits62(text: &str) -> i64 {
    let digest = Sha256::digest(text.as_bytes());
    let first: [u8; 8] = digest[..8].try_into().expect("32 bytes");
    (u64::from_be_bytes(first) >> 2) as i64
}

/// A search's fixed draw, from where it is in the published data.
pub fn draw(force: &str, month: &str, line: u64) -> i64 {
    bits62(&format!("scrutiny-draw\n{force}\n{month}\n{line}"))
}

/// The key a seed gives.
pub fn key(seed: &str) -> i64 {
    bits62(&format!("scrutiny-seed\n{seed}"))
}

/// Filters on a search's published values, beside the `--only` properties.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Narrow {
    /// `--type`: the Type column exactly (any case), e.g. "Person search".
    pub search_type: Option<String>,
    /// `--legislation`: text the Legislation column contains (any case), e.g. "misuse of drugs".
    pub legislation: Option<String>,
    /// `--outcome`: text the Outcome column contains (any case), e.g. "arrest".
    pub outcome: Option<String>,
    /// `--ethnic-group`: an ONS group (white, mixed, asian, black, other), self-defined
    /// (as the comparison counts it: the officer's when the person stated none) or, as
    /// `officer:<group>`, officer-defined.
    pub ethnic_group: Option<(bool, String)>,
}

impl Narrow {
    /// Checks the values as typed; a problem names its field (`type`, `legislation`,
    /// `outcome`, `ethnic-group`). Empty values are no filter.
    pub fn parse(
        search_type: &str,
        legislation: &str,
        outcome: &str,
        ethnic_group: &str,
    ) -> Result<Narrow, (&'static str, String)> {
        let text = |field: &'static str, raw: &str| -> Result<Option<String>, (&'static str, String)> {
            let v = raw.trim();
            if v.chars().count() > 100 || v.chars().any(char::is_control) {
                return Err((field, "must be at most 100 characters, with no control characters".into()));
            }
            Ok((!v.is_empty()).then(|| v.to_string()))
        };
        let types = ["Person search", "Person and Vehicle search", "Vehicle search"];
        let search_type = match text("type", search_type)? {
            Some(t) => Some(types.iter().find(|x| x.eq_ignore_ascii_case(&t)).map(|x| x.to_string()).ok_or((
                "type",
                format!("\"{t}\" is not a type of search; use {}", types.map(|t| format!("\"{t}\"")).join(", ")),
            ))?),
            None => None,
        };
        let ethnic_group = match text("ethnic-group", ethnic_group)? {
            Some(g) => {
                let lower = g.to_ascii_lowercase();
                let (officer, group) = match lower.strip_prefix("officer:") {
                    Some(rest) => (true, rest.trim().to_string()),
                    None => (false, lower.strip_prefix("self:").unwrap_or(&lower).trim().to_string()),
                };
                if !["white", "mixed", "asian", "black", "other"].contains(&group.as_str()) {
                    return Err((
                        "ethnic-group",
                        format!("\"{g}\" is not a group; use white, mixed, asian, black or other (officer:black for the officer's view)"),
                    ));
                }
                Some((officer, group))
            }
            None => None,
        };
        Ok(Narrow {
            search_type,
            legislation: text("legislation", legislation)?,
            outcome: text("outcome", outcome)?,
            ethnic_group,
        })
    }

    pub fn is_empty(&self) -> bool {
        *self == Narrow::default()
    }

    /// As `name=value` words, in a fixed order (recorded with a meeting's sample).
    pub fn words(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![];
        if let Some(t) = &self.search_type {
            out.push(("type", t.clone()));
        }
        if let Some(l) = &self.legislation {
            out.push(("legislation", l.clone()));
        }
        if let Some(o) = &self.outcome {
            out.push(("outcome", o.clone()));
        }
        if let Some((officer, g)) = &self.ethnic_group {
            out.push(("ethnic-group", if *officer { format!("officer:{g}") } else { g.clone() }));
        }
        out
    }
}

/// What to draw.
#[derive(Clone, Debug)]
pub struct Request {
    pub force: String,
    /// First and last month, `YYYY-MM`.
    pub from: String,
    pub to: String,
    pub size: i64,
    pub seed: String,
    pub only: Vec<Only>,
    pub narrow: Narrow,
}

/// A drawn sample: each search's published record (the 15 police.uk fields), in sample
/// order, and how many searches it was drawn from.
pub struct Sample {
    pub records: Vec<Vec<String>>,
    pub candidates: i64,
    /// Searches in the months imported before records were kept (not drawn from).
    pub without_records: i64,
}

/// `YYYY-MM`, a month of the calendar (as data.police.uk names its files).
pub fn is_month(m: &str) -> bool {
    m.len() == 7
        && m.as_bytes()[4] == b'-'
        && m[..4].bytes().chain(m[5..].bytes()).all(|b| b.is_ascii_digit())
        && (1..=12).contains(&m[5..].parse::<u32>().unwrap_or(0))
}

impl Request {
    /// Checks a request as typed (a command line or a meeting's form); a problem names
    /// its field (`force`, `from`, `to`, `size`, `seed` or `only`). Whether the force has
    /// imported searches is for the caller to check.
    pub fn parse(
        force: &str,
        from: &str,
        to: &str,
        size: &str,
        seed: &str,
        only: &[String],
    ) -> Result<Request, (&'static str, String)> {
        let (from, to) = (from.trim(), to.trim());
        for (field, m) in [("from", from), ("to", to)] {
            if !is_month(m) {
                return Err((field, format!("must be a month as YYYY-MM (e.g. 2023-04), not \"{m}\"")));
            }
        }
        if from > to {
            return Err(("from", format!("({from}) is after the last month ({to})")));
        }
        let size: i64 = match size.trim().parse() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => return Err(("size", format!("must be a whole number from 1 to 1000, not \"{size}\""))),
        };
        if seed.trim().is_empty() {
            return Err(("seed", "must not be empty (any text: a date, a number rolled at the meeting)".into()));
        }
        // The seed is used exactly as typed (a space or an accent written another way is
        // another seed), so it must be text one can read back and type again.
        if seed.chars().count() > 200 || seed.chars().any(char::is_control) {
            return Err((
                "seed",
                "must be at most 200 characters, with no control characters (a date or a number is best)".into(),
            ));
        }
        let force = force.trim().to_ascii_lowercase();
        if force.is_empty() {
            return Err(("force", "choose the force whose searches to draw from".into()));
        }
        let mut filters = Vec::new();
        for raw in only {
            let o = Only::parse(raw).map_err(|e| ("only", e))?;
            if !filters.contains(&o) {
                filters.push(o);
            }
        }
        Ok(Request {
            force,
            from: from.into(),
            to: to.into(),
            size,
            seed: seed.into(),
            only: filters,
            narrow: Narrow::default(),
        })
    }
}

pub async fn draw_sample(db: &Db, r: &Request) -> Result<Sample, DbError> {
    let (rows, candidates, without_records) =
        super::repo::sample(db, &r.force, &r.from, &r.to, &r.only, &r.narrow, key(&r.seed), r.size.max(0), 16.0)
            .await?;
    let records = rows
        .iter()
        .map(|json| serde_json::from_str::<Vec<String>>(json).map_err(DbError::data))
        .collect::<Result<_, _>>()?;
    Ok(Sample { records, candidates, without_records })
}

/// The sample as CSV: the police.uk header, then each record as published.
pub fn to_csv(sample: &Sample, out: impl std::io::Write) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(super::police_uk::HEADER)?;
    for record in &sample.records {
        w.write_record(record)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_and_keys_are_fixed_62_bit_numbers() {
        // Pinned: a sample must be the same next year, on any machine.
        assert_eq!(draw("durham", "2019-12", 2), draw("durham", "2019-12", 2));
        assert_ne!(draw("durham", "2019-12", 2), draw("durham", "2019-12", 3));
        assert_ne!(key("1"), key("2"));
        for n in 0..1000 {
            let d = draw("essex", "2021-05", n);
            assert!((0..1 << 62).contains(&d));
        }
        // XOR through | and & (as the SQL does) equals XOR.
        let (a, b) = (draw("a", "2020-01", 1), key("seed"));
        assert_eq!((a | b) - (a & b), a ^ b);
    }

    #[test]
    fn filters_parse_by_their_names() {
        for o in Only::ALL {
            assert_eq!(Only::parse(o.code()), Ok(o));
        }
        let e = Only::parse("strip").unwrap_err();
        assert!(e.contains("strip-search") && e.contains("no-further-action"), "{e}");
    }
}
