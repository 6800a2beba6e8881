//! Census 2021 ethnic group by local authority and sex, aggregated to police force
//! areas through a local-authority → force lookup.
use std::collections::{BTreeMap, HashMap};

/// (force slug, dimension, category) → people.
pub type Population = BTreeMap<(String, String, String), i64>;

fn group_of(column: &str) -> Option<&'static str> {
    let c = column.trim().to_ascii_lowercase();
    [("asian", "asian"), ("black", "black"), ("mixed", "mixed"), ("white", "white"), ("other ethnic group", "other")]
        .into_iter()
        .find(|(prefix, _)| c.starts_with(prefix))
        .map(|(_, g)| g)
}

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

/// Aggregates the census table to force areas. Returns the population and the local
/// authority codes the lookup does not know (reported, not fatal).
pub fn aggregate(bytes: &[u8], lookup: &HashMap<String, String>) -> Result<(Population, Vec<String>), String> {
    let mut r = reader(bytes);
    let headers = r.headers().map_err(|e| format!("census: line 1: {e}"))?.clone();
    if headers.get(0).map(str::trim) != Some("Geography Code") || headers.get(2).map(str::trim) != Some("Sex") {
        return Err("census: line 1: expected columns \"Geography Code\", \"Geography Name\", \"Sex\", then ethnic groups".into());
    }
    let groups: Vec<Option<(&'static str, Option<&'static str>)>> =
        headers.iter().map(|h| group_of(h).map(|g| (g, super::ethnic_detail_of(h)))).collect();
    let mut population = Population::new();
    let mut unknown = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("census: line {line}: {e}"))?;
        let code = rec.get(0).unwrap_or("").trim();
        let Some(force) = lookup.get(code) else {
            if !code.is_empty() && !unknown.iter().any(|u| u == code) {
                unknown.push(code.to_string());
            }
            continue;
        };
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
                cell.parse().map_err(|_| format!("census: line {line}, column {}: \"{cell}\" is not a number", col + 1))?
            };
            *population.entry((force.clone(), "ethnic_group".into(), group.to_string())).or_default() += n;
            *population.entry((force.clone(), "gender".into(), sex.to_string())).or_default() += n;
            if let Some(detail) = detail {
                *population.entry((force.clone(), "ethnic_detail".into(), detail.to_string())).or_default() += n;
            }
        }
    }
    Ok((population, unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_to_forces_and_sexes() {
        let lookup = parse_lookup(b"\xEF\xBB\xBFFID,LAD20CD,LAD20NM,CSP20CD,CSP20NM,PFA20CD,PFA20NM\n1,E1,A,x,y,P1,\"London, City of\"\n2,E2,B,x,y,P2,Kent\n").unwrap();
        assert_eq!(lookup["E1"], "city-of-london");
        let census = b"Geography Code,Geography Name,Sex,\"Asian, Asian British or Asian Welsh: Indian\",White: Irish,Other ethnic group: Arab\nE1,A,Female,10,,5\nE1,A,Male,1,2,3\nE9,Z,Male,100,100,100\n";
        let (pop, unknown) = aggregate(census, &lookup).unwrap();
        assert_eq!(pop[&("city-of-london".into(), "ethnic_group".into(), "asian".into())], 11);
        assert_eq!(pop[&("city-of-london".into(), "ethnic_group".into(), "white".into())], 2);
        assert_eq!(pop[&("city-of-london".into(), "gender".into(), "Female".into())], 15);
        assert_eq!(pop[&("city-of-london".into(), "ethnic_detail".into(), "asian_indian".into())], 11);
        assert_eq!(pop[&("city-of-london".into(), "ethnic_detail".into(), "other_arab".into())], 8);
        assert_eq!(unknown, vec!["E9".to_string()]);
    }
}
