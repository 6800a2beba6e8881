//! Census 2021 ethnic group by local authority and sex, aggregated to police force
//! areas through a local-authority → force lookup.
use std::collections::{BTreeMap, HashMap};

/// (force slug, dimension, category) → people.
pub type Population = BTreeMap<(String, String, String), i64>;

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new().flexible(true).from_reader(bytes)
}

/// LA code → force slug, from a lookup with `LAD20CD` and `PFA20NM` columns.
pub fn parse_lookup(bytes: &[u8]) -> Result<HashMap<String, String>, String> {
    let mut r = reader(bytes);
    let headers = r.headers().map_err(|e| format!("lookup: line 1: {e}"))?.clone();
    let col = |name: &str| {
        headers.iter().position(|h| h.trim() == name).ok_or_else(|| format!("lookup: line 1: no {name} column"))
    };
    let (la, force) = (col("LAD20CD")?, col("PFA20NM")?);
    let mut map = HashMap::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("lookup: line {}: {e}", i + 2))?;
        if let (Some(code), Some(name)) = (rec.get(la), rec.get(force)) {
            if !code.trim().is_empty() && !name.trim().is_empty() {
                map.insert(code.trim().to_string(), super::force_slug(name));
            }
        }
    }
    Ok(map)
}

/// Councils created after the 2020 lookup (2019 Dorset and BCP, 2020 Buckinghamshire,
/// 2021 North and West Northamptonshire, 2023 Cumberland, Westmorland and Furness, North
/// Yorkshire, Somerset), with their police force areas. A lookup that knows a code wins.
pub const SUCCESSOR_COUNCILS: [(&str, &str, &str); 9] = [
    ("E06000058", "Bournemouth, Christchurch and Poole", "dorset"),
    ("E06000059", "Dorset", "dorset"),
    ("E06000060", "Buckinghamshire", "thames-valley"),
    ("E06000061", "North Northamptonshire", "northamptonshire"),
    ("E06000062", "West Northamptonshire", "northamptonshire"),
    ("E06000063", "Cumberland", "cumbria"),
    ("E06000064", "Westmorland and Furness", "cumbria"),
    ("E06000065", "North Yorkshire", "north-yorkshire"),
    ("E06000066", "Somerset", "avon-and-somerset"),
];

/// Areas census tables publish merged whose parts belong to different forces. The rule:
/// the merged area counts for the force that holds most of its population, and the other
/// force's population is marked unavailable (never a number that is really another
/// force's). City of London (about 8,600 people) is published with Westminster (about
/// 204,000, Metropolitan Police): it counts for the Metropolitan Police.
/// (code, census name, force it counts for, force left without a population)
pub const MERGED_AREAS: [(&str, &str, &str, &str); 1] =
    [("E09000001", "City of London and Westminster", "metropolitan", "city-of-london")];

/// Rows that are sums of local authorities (regions, countries), not areas of their own.
fn is_aggregate(code: &str) -> bool {
    ["E12", "E92", "W92", "K02", "K03", "K04", "E13", "W08"].iter().any(|p| code.starts_with(p))
}

/// What an import of a census table found besides the numbers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct CensusReport {
    /// Local authority codes (and names) neither the lookup nor the built-in list knows.
    pub unknown: Vec<(String, String)>,
    /// Forces whose population cannot be given, and why.
    pub unavailable: Vec<(String, String)>,
    /// Region and country rows left out (they repeat the areas).
    pub aggregate_rows: usize,
}

/// Aggregates the census table to force areas (see [`SUCCESSOR_COUNCILS`] and
/// [`MERGED_AREAS`]). Returns the population and what was found on the way.
pub fn aggregate(bytes: &[u8], lookup: &HashMap<String, String>) -> Result<(Population, CensusReport), String> {
    let mut r = reader(bytes);
    let headers = r.headers().map_err(|e| format!("census: line 1: {e}"))?.clone();
    if headers.get(0).map(str::trim) != Some("Geography Code") || headers.get(2).map(str::trim) != Some("Sex") {
        return Err(
            "census: line 1: expected columns \"Geography Code\", \"Geography Name\", \"Sex\", then ethnic groups"
                .into(),
        );
    }
    // Each column's detailed code, and the group derived from it (they cannot disagree).
    let groups: Vec<Option<(&'static str, Option<&'static str>)>> = headers
        .iter()
        .map(|h| {
            let e = super::ethnicity::classify(h);
            e.group().map(|g| (g, e.detail()))
        })
        .collect();
    let mut population = Population::new();
    let mut report = CensusReport::default();
    let successors: HashMap<&str, String> = SUCCESSOR_COUNCILS.iter().map(|(c, _, f)| (*c, f.to_string())).collect();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("census: line {line}: {e}"))?;
        let code = rec.get(0).unwrap_or("").trim();
        let name = rec.get(1).unwrap_or("").trim();
        if is_aggregate(code) {
            report.aggregate_rows += 1;
            continue;
        }
        let merged =
            MERGED_AREAS.iter().find(|(c, census_name, _, _)| *c == code && name.eq_ignore_ascii_case(census_name));
        if let Some((_, census_name, _, without)) = merged {
            let why = format!(
                "the census publishes it merged with another force's area ({census_name}), counted for that force"
            );
            if !report.unavailable.iter().any(|(f, _)| f == without) {
                report.unavailable.push((without.to_string(), why));
            }
        }
        let force = match merged {
            Some((_, _, counts_for, _)) => counts_for.to_string(),
            None => match lookup.get(code).or_else(|| successors.get(code)) {
                Some(f) => f.clone(),
                None => {
                    if !code.is_empty() && !report.unknown.iter().any(|(u, _)| u == code) {
                        report.unknown.push((code.to_string(), name.to_string()));
                    }
                    continue;
                }
            },
        };
        let force = &force;
        let sex = match rec.get(2).unwrap_or("").trim() {
            "Female" => "Female",
            "Male" => "Male",
            other => return Err(format!("census: line {line}, column 3 (Sex): unexpected \"{other}\"")),
        };
        for (col, group) in groups.iter().enumerate().skip(3) {
            let Some((group, detail)) = group else { continue };
            let cell = rec.get(col).unwrap_or("").trim();
            let n: i64 = if cell.is_empty() {
                0
            } else {
                cell.parse()
                    .map_err(|_| format!("census: line {line}, column {}: \"{cell}\" is not a number", col + 1))?
            };
            *population.entry((force.clone(), "ethnic_group".into(), group.to_string())).or_default() += n;
            *population.entry((force.clone(), "gender".into(), sex.to_string())).or_default() += n;
            if let Some(detail) = detail {
                *population.entry((force.clone(), "ethnic_detail".into(), detail.to_string())).or_default() += n;
            }
        }
    }
    for (force, _) in &report.unavailable {
        population.retain(|(f, _, _), _| f != force);
    }
    Ok((population, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_to_forces_and_sexes() {
        let lookup = parse_lookup(b"\xEF\xBB\xBFFID,LAD20CD,LAD20NM,CSP20CD,CSP20NM,PFA20CD,PFA20NM\n1,E1,A,x,y,P1,\"London, City of\"\n2,E2,B,x,y,P2,Kent\n").unwrap();
        assert_eq!(lookup["E1"], "city-of-london");
        let census = b"Geography Code,Geography Name,Sex,\"Asian, Asian British or Asian Welsh: Indian\",White: Irish,Other ethnic group: Arab\nE1,A,Female,10,,5\nE1,A,Male,1,2,3\nE9,Z,Male,100,100,100\n";
        let (pop, report) = aggregate(census, &lookup).unwrap();
        let unknown: Vec<String> = report.unknown.into_iter().map(|(c, _)| c).collect();
        assert_eq!(pop[&("city-of-london".into(), "ethnic_group".into(), "asian".into())], 11);
        assert_eq!(pop[&("city-of-london".into(), "ethnic_group".into(), "white".into())], 2);
        assert_eq!(pop[&("city-of-london".into(), "gender".into(), "Female".into())], 15);
        assert_eq!(pop[&("city-of-london".into(), "ethnic_detail".into(), "asian_indian".into())], 11);
        assert_eq!(pop[&("city-of-london".into(), "ethnic_detail".into(), "other_arab".into())], 8);
        assert_eq!(unknown, vec!["E9".to_string()]);
    }

    /// The shared census file and the 2020 lookup: the City of London is not given
    /// Westminster's population (it was 25 times too large), the Metropolitan Police is,
    /// Northamptonshire's 2021 councils count, and regions are not areas.
    #[test]
    fn merged_areas_and_new_councils_in_the_real_files() {
        let root = crate::demographics::shared_data().join("census");
        let lookup = parse_lookup(&std::fs::read(root.join("blackthrive-la_to_force_2020.csv")).unwrap()).unwrap();
        let (pop, report) =
            aggregate(&std::fs::read(root.join("census2021-ethnic19-by-sex-LA.csv")).unwrap(), &lookup).unwrap();
        let total = |force: &str| -> i64 {
            pop.iter().filter(|((f, d, _), _)| f == force && d == "gender").map(|(_, n)| *n).sum()
        };
        assert_eq!(total("city-of-london"), 0);
        assert!(
            report.unavailable.iter().any(|(f, why)| f == "city-of-london" && why.contains("Westminster")),
            "{report:?}"
        );
        let met = total("metropolitan");
        assert!((8_500_000..9_000_000).contains(&met), "Metropolitan Police: {met}");
        let northants = total("northamptonshire");
        assert!((750_000..800_000).contains(&northants), "Northamptonshire: {northants}");
        assert!(report.unknown.is_empty(), "{:?}", report.unknown);
        assert!(report.aggregate_rows > 0);
        let england_and_wales: i64 = pop.iter().filter(|((_, d, _), _)| d == "gender").map(|(_, n)| *n).sum();
        assert!((59_000_000..60_000_000).contains(&england_and_wales), "{england_and_wales}");
    }
}
