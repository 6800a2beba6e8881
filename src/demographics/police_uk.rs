//! Parsing data.police.uk monthly stop-and-search CSVs. Accepts CRLF or LF, UTF-8 with
//! or without BOM, blank cells, and both the current and the older coded ethnicity
//! labels. Bad files are refused with the line and column named.
use std::path::Path;

pub const HEADER: [&str; 15] = [
    "Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude", "Gender",
    "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation", "Object of search",
    "Outcome", "Outcome linked to object of search", "Removal of more than just outer clothing",
];

/// One search, reduced to what the comparison needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    /// ONS 2021 high-level group code (`white`, `mixed`, `asian`, `black`, `other`) or `unknown`.
    pub ethnic_group: &'static str,
    /// `self` (self-defined), `officer` (officer-defined fallback, used only when the
    /// person's own answer is missing or "not stated") or `none`.
    pub ethnic_source: &'static str,
    /// ONS 2021 detailed code, from the self-defined answer only (officers record five groups).
    pub ethnic_detail: Option<&'static str>,
    pub age_range: String,
    pub gender: String,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ParsedFile {
    pub force: String,
    pub month: String,
    pub searches: Vec<Search>,
}

/// Maps a self-defined ethnicity label (current or legacy coded form) to an ONS group.
pub fn self_defined_group(label: &str) -> Option<&'static str> {
    let l = label.trim();
    if l.is_empty() || l.to_ascii_lowercase().contains("not stated") {
        return None;
    }
    let lower = l.to_ascii_lowercase();
    let group = lower.split(" - ").next().unwrap_or("");
    // Census 2021 puts Chinese in the Asian group (the 2001 coding had "Chinese or other").
    if lower.contains("chinese") {
        return Some("asian");
    }
    Some(super::ons_group_of(group))
}

fn officer_defined_group(label: &str) -> Option<&'static str> {
    match label.trim().to_ascii_lowercase().as_str() {
        "white" => Some("white"),
        "black" => Some("black"),
        "asian" => Some("asian"),
        "mixed" => Some("mixed"),
        "other" => Some("other"),
        _ => None,
    }
}

/// `YYYY-MM` and force slug from `YYYY-MM-<force>-stop-and-search.csv`.
pub fn month_and_force(path: &Path) -> Option<(String, String)> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".csv")?;
    let month = stem.get(0..7)?;
    let (y, m) = month.split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = stem.get(8..)?;
    let force = rest.split("-stop-and-search").next()?.to_string();
    (!force.is_empty()).then(|| (month.to_string(), force))
}

/// Parses a whole file. `force` overrides the name from the file name.
pub fn parse(path: &Path, bytes: &[u8], force: Option<&str>) -> Result<ParsedFile, String> {
    let file = path.display();
    let (month, named_force) = month_and_force(path).ok_or_else(|| {
        format!("{file}: the file name must look like YYYY-MM-<force>-stop-and-search.csv")
    })?;
    let force = force.map(str::to_string).unwrap_or(named_force);
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        format!("{file}: line {line}: the file is not UTF-8 text")
    })?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = records
        .next()
        .ok_or_else(|| format!("{file}: the file is empty"))?
        .map_err(|e| format!("{file}: line 1: {e}"))?;
    for (i, expected) in HEADER.iter().enumerate() {
        let got = header.get(i).unwrap_or("").trim();
        if got != *expected {
            return Err(format!("{file}: line 1, column {}: expected \"{expected}\", found \"{got}\"", i + 1));
        }
    }
    let mut searches = Vec::new();
    for record in records {
        let record = record.map_err(|e| format!("{file}: {e}"))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != HEADER.len() {
            return Err(format!("{file}: line {line}: expected {} columns, found {}", HEADER.len(), record.len()));
        }
        let date = record.get(1).unwrap_or("");
        if date.len() < 10 || !date.as_bytes()[..4].iter().all(u8::is_ascii_digit) || &date[4..5] != "-" {
            return Err(format!("{file}: line {line}, column 2 (Date): \"{date}\" is not a date"));
        }
        let self_defined = record.get(8).unwrap_or("");
        let (ethnic_group, ethnic_source) = match self_defined_group(self_defined) {
            Some(g) => (g, "self"),
            None => match officer_defined_group(record.get(9).unwrap_or("")) {
                Some(g) => (g, "officer"),
                None => ("unknown", "none"),
            },
        };
        searches.push(Search {
            ethnic_group,
            ethnic_source,
            ethnic_detail: super::ethnic_detail_of(self_defined),
            age_range: record.get(7).unwrap_or("").trim().to_string(),
            gender: record.get(6).unwrap_or("").trim().to_string(),
        });
    }
    Ok(ParsedFile { force, month, searches })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing";

    #[test]
    fn labels_map_to_ons_groups_current_and_legacy() {
        assert_eq!(self_defined_group("White - English/Welsh/Scottish/Northern Irish/British"), Some("white"));
        assert_eq!(self_defined_group("White - White British (W1)"), Some("white"));
        assert_eq!(self_defined_group("Black or Black British - African (B2)"), Some("black"));
        assert_eq!(self_defined_group("Chinese or other ethnic group - Chinese (O1)"), Some("asian"));
        assert_eq!(self_defined_group("Other ethnic group - Not stated"), None);
        assert_eq!(self_defined_group("Mixed/Multiple ethnic groups - White and Asian"), Some("mixed"));
        assert_eq!(self_defined_group("Other ethnic group - Arab"), Some("other"));
    }

    #[test]
    fn officer_defined_is_only_a_fallback() {
        let csv = format!("\u{feff}{HEAD}\r\nPerson search,2022-09-01T10:00:00+00:00,False,,,,Male,18-24,Other ethnic group - Not stated,Black,,,,,\r\nPerson search,2022-09-01T10:00:00+00:00,False,,,,Male,18-24,White - Irish,Black,,,,,\r\nPerson search,2022-09-01T10:00:00+00:00,False,,,,Male,18-24,,,,,,,\r\n");
        let parsed = parse(Path::new("2022-09-kent-stop-and-search.csv"), csv.as_bytes(), None).unwrap();
        assert_eq!(parsed.force, "kent");
        assert_eq!(parsed.month, "2022-09");
        let groups: Vec<_> = parsed.searches.iter().map(|s| (s.ethnic_group, s.ethnic_source)).collect();
        assert_eq!(groups, vec![("black", "officer"), ("white", "self"), ("unknown", "none")]);
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
        assert!(e.contains("not UTF-8"), "{e}");
    }

    #[test]
    fn identical_rows_are_separate_searches() {
        let row = "Person search,2022-09-01T10:00:00+00:00,False,,,,Male,18-24,White - Irish,White,,,,,";
        let csv = format!("{HEAD}\n{row}\n{row}\n{row}\n");
        let parsed = parse(Path::new("2022-09-kent-stop-and-search.csv"), csv.as_bytes(), None).unwrap();
        assert_eq!(parsed.searches.len(), 3);
    }
}
