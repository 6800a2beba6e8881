//! Parsing data.police.uk monthly stop-and-search CSVs. Accepts CRLF or LF, UTF-8 with
//! or without BOM, blank cells, and both the current and the older coded ethnicity
//! labels. Bad files are refused with the line and column named.
use std::path::Path;

use super::ethnicity::{self, Ethnicity};

pub const HEADER: [&str; 15] = [
    "Type",
    "Date",
    "Part of a policing operation",
    "Policing operation",
    "Latitude",
    "Longitude",
    "Gender",
    "Age range",
    "Self-defined ethnicity",
    "Officer-defined ethnicity",
    "Legislation",
    "Object of search",
    "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
];

/// One search, reduced to what the comparison needs. Every dimension has a value for
/// every search: a known category, `not_stated`, or `not_recognised`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    /// ONS 2021 five-group code, `not_stated` or `not_recognised`: the self-defined
    /// ethnicity, or the officer-defined one when the person's own answer states nothing.
    pub ethnic_group: &'static str,
    /// `self`, `officer` (fallback) or `none`.
    pub ethnic_source: &'static str,
    /// ONS 2021 detailed code from the self-defined answer (officers record five groups
    /// only, so an officer fallback is `not_stated` here), or `not_recognised`.
    pub ethnic_detail: &'static str,
    /// The officer-defined group alone (for rates on the officer-defined basis).
    pub officer_group: &'static str,
    /// `under 10`, `10-17`, `18-24`, `25-34`, `over 34`, `not_stated` or `not_recognised`.
    pub age_range: &'static str,
    /// `Female`, `Male`, `Other`, `not_stated` or `not_recognised`.
    pub gender: &'static str,
    /// Searches panels are asked to watch.
    pub section_60: bool,
    pub strip: bool,
    /// Aged under 18 (`under 10` or `10-17`, as read).
    pub under_18: bool,
    /// The outcome was no further action ("A no further action disposal", or the older
    /// "Nothing found - no further action").
    pub no_further_action: bool,
    /// The file's line the record starts on (1 is the header).
    pub line: u64,
    /// The record as published: the 15 fields exactly as in the file, in [`HEADER`] order.
    pub record: Vec<String>,
}

/// What the importer did with a value it did not take as written.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fate {
    /// A known mangling, read as this category.
    Recovered(&'static str),
    /// Counted as "not recognised".
    NotRecognised,
}

/// (column, value as written) → how many rows, and what was done.
pub type Notes = std::collections::BTreeMap<(&'static str, String), (i64, Fate)>;

#[derive(Debug, PartialEq, Eq)]
pub struct ParsedFile {
    pub force: String,
    pub month: String,
    pub searches: Vec<Search>,
    pub notes: Notes,
}

pub const AGE_RANGES: [&str; 5] = ["under 10", "10-17", "18-24", "25-34", "over 34"];

/// Spreadsheets turn "10-17" into a date ("Oct-17", "17-Oct"); read those back.
fn age(raw: &str) -> Result<&'static str, Fate> {
    let v = raw.trim();
    if let Some(known) = AGE_RANGES.iter().find(|a| a.eq_ignore_ascii_case(v)) {
        return Ok(known);
    }
    match v.to_ascii_lowercase().as_str() {
        "" => Ok("not_stated"),
        "oct-17" | "17-oct" | "10-17 " => Err(Fate::Recovered("10-17")),
        _ => Err(Fate::NotRecognised),
    }
}

fn gender(raw: &str) -> Result<&'static str, Fate> {
    match raw.trim() {
        "" => Ok("not_stated"),
        "Male" => Ok("Male"),
        "Female" => Ok("Female"),
        "Other" => Ok("Other"),
        v if v.eq_ignore_ascii_case("male") || v.eq_ignore_ascii_case("m") => Err(Fate::Recovered("Male")),
        v if v.eq_ignore_ascii_case("female") || v.eq_ignore_ascii_case("f") => Err(Fate::Recovered("Female")),
        v if v.eq_ignore_ascii_case("other") => Err(Fate::Recovered("Other")),
        _ => Err(Fate::NotRecognised),
    }
}

/// What a police.uk file name says, and what it must look like.
pub const FILE_NAME_RULE: &str = "the file name must look like YYYY-MM-<force>-stop-and-search.csv (as data.police.uk \
     names them, e.g. 2022-09-metropolitan-stop-and-search.csv); a name with only YYYY-MM and no force \
     (e.g. 2022-09.csv) needs --force SLUG, which names the force of files whose names carry none";

/// `YYYY-MM` and the force slug (when the name carries one) from a file name.
pub fn month_and_force(path: &Path) -> Result<(String, Option<String>), String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name
        .len()
        .checked_sub(4)
        .filter(|i| name.is_char_boundary(*i) && name[*i..].eq_ignore_ascii_case(".csv"))
        .map(|i| &name[..i])
        .ok_or_else(|| format!("{name}: not a .csv file; {FILE_NAME_RULE}"))?;
    let month = stem.get(0..7).ok_or_else(|| format!("{name}: {FILE_NAME_RULE}"))?;
    let (y, m) = month.split_once('-').ok_or_else(|| format!("{name}: {FILE_NAME_RULE}"))?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(format!("{name}: {FILE_NAME_RULE}"));
    }
    let month_number: u32 = m.parse().unwrap_or(0);
    if !(1..=12).contains(&month_number) {
        return Err(format!("{name}: \"{m}\" is not a month (01 to 12); {FILE_NAME_RULE}"));
    }
    let rest = stem[7..].trim_start_matches('-');
    let force = rest.split("-stop-and-search").next().unwrap_or("").trim_matches('-');
    let force = (!force.is_empty() && force != "stop-and-search").then(|| force.to_ascii_lowercase());
    if let Some(f) = &force {
        if !f.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(format!("{name}: \"{f}\" is not a force slug (letters, digits and -); {FILE_NAME_RULE}"));
        }
    }
    Ok((month.to_string(), force))
}

/// The force a file is for: from its name, or `--force` for a name without one. A name
/// that names another force than `--force` is refused.
pub fn force_for(path: &Path, named: Option<String>, flag: Option<&str>) -> Result<String, String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match (named, flag) {
        (Some(n), Some(f)) if n != f => Err(format!(
            "{name}: the file name says the force is \"{n}\", but --force says \"{f}\"; --force only names the force \
             of files whose names carry none (nothing was imported)"
        )),
        (Some(n), _) => Ok(n),
        (None, Some(f)) => Ok(f.to_string()),
        (None, None) => Err(format!("{name}: the file name carries no force; {FILE_NAME_RULE}")),
    }
}

/// Parses a whole file. `force` is `--force` (see [`force_for`]).
pub fn parse(path: &Path, bytes: &[u8], force: Option<&str>) -> Result<ParsedFile, String> {
    parse_reader(path, bytes, force)
}

/// Counts the line breaks that pass through, so a record's line is right even after
/// quoted fields that span lines (the csv crate counts records, not lines).
struct LineCounter<R> {
    inner: R,
    offset: u64,
    breaks: std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<u64>>>,
}

impl<R: std::io::Read> std::io::Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        breaks.extend(buf[..n].iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| self.offset + i as u64));
        self.offset += n as u64;
        Ok(n)
    }
}

/// Parses a file from a reader, record by record (the text is never held whole).
pub fn parse_reader(path: &Path, input: impl std::io::Read, force: Option<&str>) -> Result<ParsedFile, String> {
    let file = path.display();
    let (month, named_force) = month_and_force(path)?;
    let force = force_for(path, named_force, force)?;
    let breaks = std::rc::Rc::new(std::cell::RefCell::new(std::collections::VecDeque::new()));
    let mut lines_before = 0u64;
    let mut line_at = |byte: u64| {
        let mut b = breaks.borrow_mut();
        // `<=`: after a CRLF the csv crate reports a record as starting at the LF.
        while b.front().is_some_and(|at| *at <= byte) {
            b.pop_front();
            lines_before += 1;
        }
        lines_before + 1
    };
    let counted = LineCounter { inner: input, offset: 0, breaks: breaks.clone() };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(counted);
    let mut record = csv::ByteRecord::new();
    let text_of = |record: &csv::ByteRecord, line: u64| -> Result<Vec<String>, String> {
        record
            .iter()
            .enumerate()
            .map(|(i, f)| {
                std::str::from_utf8(f)
                    .map(|s| s.to_string())
                    .map_err(|_| format!("{file}: line {line}, column {}: the text is not UTF-8", i + 1))
            })
            .collect()
    };
    let read = |reader: &mut csv::Reader<_>, record: &mut csv::ByteRecord| {
        reader.read_byte_record(record).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            format!("{file}: line {line}: {e}")
        })
    };
    if !read(&mut reader, &mut record)? {
        return Err(format!("{file}: the file is empty (not even a header line)"));
    }
    let mut header = text_of(&record, 1)?;
    if let Some(first) = header.first_mut() {
        *first = first.trim_start_matches('\u{feff}').to_string();
    }
    for (i, expected) in HEADER.iter().enumerate() {
        let got = header.get(i).map(|s| s.trim()).unwrap_or("");
        if got != *expected {
            return Err(format!("{file}: line 1, column {}: expected \"{expected}\", found \"{got}\"", i + 1));
        }
    }
    let mut searches = Vec::new();
    let mut notes = Notes::new();
    let mut note = |column: &'static str, raw: &str, fate: Fate| {
        let entry = notes.entry((column, raw.trim().to_string())).or_insert((0, fate));
        entry.0 += 1;
    };
    while read(&mut reader, &mut record)? {
        let line = line_at(record.position().map(|p| p.byte()).unwrap_or(0));
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let fields = text_of(&record, line)?;
        if fields.len() != HEADER.len() {
            return Err(format!("{file}: line {line}: expected {} columns, found {}", HEADER.len(), fields.len()));
        }
        let date = fields[1].trim();
        if date.len() < 10 || !date.as_bytes()[..4].iter().all(u8::is_ascii_digit) || &date[4..5] != "-" {
            return Err(format!("{file}: line {line}, column 2 (Date): \"{date}\" is not a date"));
        }
        let own = ethnicity::classify(&fields[8]);
        let officer = ethnicity::classify_officer(&fields[9]);
        let (chosen, source) = match own {
            Ethnicity::NotStated => (officer, if officer == Ethnicity::NotStated { "none" } else { "officer" }),
            e => (e, "self"),
        };
        let category = |e: Ethnicity| match e {
            Ethnicity::NotStated => "not_stated",
            Ethnicity::NotRecognised => "not_recognised",
            e => e.group().unwrap_or("not_recognised"),
        };
        let ethnic_detail = match own {
            Ethnicity::Detail(d) => d,
            Ethnicity::NotStated => "not_stated",
            Ethnicity::GroupOnly(_) | Ethnicity::NotRecognised => "not_recognised",
        };
        if matches!(own, Ethnicity::GroupOnly(_) | Ethnicity::NotRecognised) {
            note("Self-defined ethnicity", &fields[8], Fate::NotRecognised);
        }
        if source != "self" && officer == Ethnicity::NotRecognised {
            note("Officer-defined ethnicity", &fields[9], Fate::NotRecognised);
        }
        let age_range = age(&fields[7]).unwrap_or_else(|fate| {
            note("Age range", &fields[7], fate.clone());
            match fate {
                Fate::Recovered(to) => to,
                Fate::NotRecognised => "not_recognised",
            }
        });
        let gender = gender(&fields[6]).unwrap_or_else(|fate| {
            note("Gender", &fields[6], fate.clone());
            match fate {
                Fate::Recovered(to) => to,
                Fate::NotRecognised => "not_recognised",
            }
        });
        let legislation = fields[10].to_ascii_lowercase();
        let outcome = fields[12].to_ascii_lowercase();
        searches.push(Search {
            ethnic_group: category(chosen),
            ethnic_source: source,
            ethnic_detail,
            officer_group: category(officer),
            age_range,
            gender,
            section_60: legislation.contains("section 60") && legislation.contains("criminal justice and public order"),
            strip: fields[14].trim().eq_ignore_ascii_case("true"),
            under_18: matches!(age_range, "under 10" | "10-17"),
            no_further_action: outcome.contains("no further action"),
            line,
            record: fields,
        });
    }
    Ok(ParsedFile { force, month, searches, notes })
}

/// The notes of a file as lines for people ("Age range \"Oct-17\": 12 rows read as 10-17").
pub fn describe_notes(notes: &Notes) -> Vec<String> {
    notes
        .iter()
        .map(|((column, raw), (n, fate))| {
            let rows = if *n == 1 { "1 row".to_string() } else { format!("{n} rows") };
            match fate {
                Fate::Recovered(to) => format!("{column} \"{raw}\": {rows} read as \"{to}\" (recovered)"),
                Fate::NotRecognised => format!("{column} \"{raw}\": {rows} counted as \"not recognised\""),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing";

    #[test]
    fn officer_defined_is_only_a_fallback() {
        let csv = format!("\u{feff}{HEAD}\r\nPerson search,2022-09-01T10:00:00+00:00,False,,,,Male,18-24,Other ethnic group - Not stated,Black,,,,,\r\nPerson search,2022-09-01T10:00:00+00:00,False,,,,Male,18-24,White - Irish,Black,,,,,\r\nPerson search,2022-09-01T10:00:00+00:00,False,,,,Male,18-24,,,,,,,\r\n");
        let parsed = parse(Path::new("2022-09-kent-stop-and-search.csv"), csv.as_bytes(), None).unwrap();
        assert_eq!(parsed.force, "kent");
        assert_eq!(parsed.month, "2022-09");
        let groups: Vec<_> = parsed.searches.iter().map(|s| (s.ethnic_group, s.ethnic_source)).collect();
        assert_eq!(groups, vec![("black", "officer"), ("white", "self"), ("not_stated", "none")]);
    }

    #[test]
    fn bad_files_name_the_line_and_column() {
        let bad_date = format!("{HEAD}\nPerson search,yesterday,False,,,,Male,18-24,,,,,,,\n");
        let e = parse(Path::new("2022-09-kent-stop-and-search.csv"), bad_date.as_bytes(), None).unwrap_err();
        assert!(e.contains("line 2, column 2 (Date)"), "{e}");
        let short = format!("{HEAD}\nPerson search,2022-09-01,False\n");
        let e = parse(Path::new("2022-09-kent-stop-and-search.csv"), short.as_bytes(), None).unwrap_err();
        assert!(e.contains("line 2: expected 15 columns, found 3"), "{e}");
        let e = parse(Path::new("2022-09-kent-stop-and-search.csv"), b"Type,When\n", None).unwrap_err();
        assert!(e.contains("line 1, column 2"), "{e}");
        let e = parse(Path::new("searches.csv"), HEAD.as_bytes(), None).unwrap_err();
        assert!(e.contains("YYYY-MM-<force>"), "{e}");
        let e = parse(Path::new("2022-09-kent-stop-and-search.csv"), b"Type\xff\n", None).unwrap_err();
        assert!(e.contains("line 1, column 1") && e.contains("not UTF-8"), "{e}");
    }

    #[test]
    fn lines_are_right_for_crlf_and_fields_spanning_lines() {
        let row = "Person search,2022-09-01T10:00:00+00:00,False,,,,Male,18-24,White - Irish,White,,,,,";
        let csv = format!("{HEAD}\r\n{row}\r\nPerson search,2022-09-01,False,\"two\r\nlines\",,,Male,18-24,,,,,,,\r\nPerson search,soon,False,,,,Male,18-24,,,,,,,\r\n");
        let e = parse(Path::new("2022-09-kent-stop-and-search.csv"), csv.as_bytes(), None).unwrap_err();
        assert!(e.contains("line 5, column 2 (Date)"), "{e}");
    }

    #[test]
    fn file_names_are_checked_and_force_only_names_files_without_one() {
        let p = |s: &str| month_and_force(Path::new(s));
        assert_eq!(p("2022-09-kent-stop-and-search.csv").unwrap(), ("2022-09".into(), Some("kent".into())));
        assert_eq!(p("2022-09-KENT-stop-and-search.CSV").unwrap(), ("2022-09".into(), Some("kent".into())));
        assert_eq!(
            p("2025-07-cambridgeshire-stop-and-search-sample.csv").unwrap().1.as_deref(),
            Some("cambridgeshire")
        );
        assert_eq!(p("2022-09.csv").unwrap(), ("2022-09".into(), None));
        assert_eq!(p("2022-09-stop-and-search.csv").unwrap(), ("2022-09".into(), None));
        assert!(p("2022-13-kent-stop-and-search.csv").unwrap_err().contains("\"13\" is not a month"));
        assert!(p("2022-00-kent-stop-and-search.csv").is_err());
        assert!(p("2022-09-kent-stop-and-search.txt").unwrap_err().contains("not a .csv file"));
        let path = Path::new("2022-09-kent-stop-and-search.csv");
        assert_eq!(force_for(path, Some("kent".into()), None).unwrap(), "kent");
        assert_eq!(force_for(path, Some("kent".into()), Some("kent")).unwrap(), "kent");
        let e = force_for(path, Some("kent".into()), Some("essex")).unwrap_err();
        assert!(e.contains("\"kent\"") && e.contains("--force"), "{e}");
        assert_eq!(force_for(Path::new("2022-09.csv"), None, Some("essex")).unwrap(), "essex");
        assert!(force_for(Path::new("2022-09.csv"), None, None).unwrap_err().contains("--force"));
    }

    #[test]
    fn every_search_counts_once_in_every_dimension_with_manglings_recovered_and_listed() {
        let rows = [
            "Person search,2022-09-01,False,,,,Male,Oct-17,White - Irish,White,,,,,",
            "Person search,2022-09-01,False,,,,Female,18-24,Martian,Black,,,,,",
            "Person search,2022-09-01,False,,,,Unknown,99-100,,,Criminal Justice and Public Order Act 1994 (section 60),,,,True",
            "Person search,2022-09-01,False,,,,,,White - Romanian,,,,,,",
        ];
        let csv = format!("{HEAD}\n{}\n", rows.join("\n"));
        let parsed = parse(Path::new("2022-09-kent-stop-and-search.csv"), csv.as_bytes(), None).unwrap();
        let s = &parsed.searches;
        assert_eq!(s.len(), 4);
        assert_eq!(
            s.iter().map(|x| x.age_range).collect::<Vec<_>>(),
            ["10-17", "18-24", "not_recognised", "not_stated"]
        );
        assert_eq!(s.iter().map(|x| x.gender).collect::<Vec<_>>(), ["Male", "Female", "not_recognised", "not_stated"]);
        assert_eq!(
            s.iter().map(|x| x.ethnic_group).collect::<Vec<_>>(),
            ["white", "not_recognised", "not_stated", "white"]
        );
        assert_eq!(
            s.iter().map(|x| x.ethnic_detail).collect::<Vec<_>>(),
            ["white_irish", "not_recognised", "not_stated", "not_recognised"]
        );
        assert!(s[2].section_60 && s[2].strip && !s[0].section_60);
        let notes = describe_notes(&parsed.notes);
        assert!(notes.contains(&"Age range \"Oct-17\": 1 row read as \"10-17\" (recovered)".to_string()), "{notes:?}");
        assert!(
            notes.contains(&"Self-defined ethnicity \"Martian\": 1 row counted as \"not recognised\"".to_string()),
            "{notes:?}"
        );
        assert!(notes.iter().any(|n| n.starts_with("Gender \"Unknown\"")), "{notes:?}");
    }

    #[test]
    fn identical_rows_are_separate_searches() {
        let row = "Person search,2022-09-01T10:00:00+00:00,False,,,,Male,18-24,White - Irish,White,,,,,";
        let csv = format!("{HEAD}\n{row}\n{row}\n{row}\n");
        let parsed = parse(Path::new("2022-09-kent-stop-and-search.csv"), csv.as_bytes(), None).unwrap();
        assert_eq!(parsed.searches.len(), 3);
    }
}
