//! Ethnicity labels mapped to the ONS 2021 groups by rule, from the label's own parts —
//! never by looking for a word anywhere in it ("Chinese or other ethnic group - Any other
//! ethnic group (O9)" is Other, not Asian; "White - Romanian" is not Roma).
//!
//! A label is read as: an optional 2001/2011 code at the end ("(W1)", "(O9)", "(NS)"),
//! which decides on its own; otherwise its group part (before " - " in police.uk files,
//! before ": " in census headers) and its detail part. The detailed (19-category) code is
//! decided first and the five-group code is *derived from it*, so the two never disagree.

/// What one label says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ethnicity {
    /// Blank, "Not stated", "Prefer not to say": the officer's view is used instead.
    NotStated,
    /// A detailed ONS 2021 code (`white_roma`, `asian_chinese` …).
    Detail(&'static str),
    /// The group is clear but the detail part is not one we know (counted in the group,
    /// and as "not recognised" in the detailed table).
    GroupOnly(&'static str),
    /// Nothing we can read: counted as "not recognised" and listed at import.
    NotRecognised,
}

impl Ethnicity {
    /// The five-group code, derived from the detail.
    pub fn group(self) -> Option<&'static str> {
        match self {
            Ethnicity::Detail(d) => Some(group_of_detail(d)),
            Ethnicity::GroupOnly(g) => Some(g),
            _ => None,
        }
    }

    pub fn detail(self) -> Option<&'static str> {
        match self {
            Ethnicity::Detail(d) => Some(d),
            _ => None,
        }
    }
}

/// The five-group code of a detailed code (`asian_chinese` → `asian`).
pub fn group_of_detail(detail: &str) -> &'static str {
    ["white", "mixed", "asian", "black"].into_iter().find(|g| detail.starts_with(&format!("{g}_"))).unwrap_or("other")
}

/// The 2001/2011 codes used in older police.uk labels ("Asian or Asian British - Indian (A1)").
fn by_code(code: &str) -> Option<Ethnicity> {
    let detail = match code {
        "w1" => "white_british",
        "w2" => "white_irish",
        "w3" => "white_gypsy_traveller",
        "w9" => "white_other",
        "m1" => "mixed_white_black_caribbean",
        "m2" => "mixed_white_black_african",
        "m3" => "mixed_white_asian",
        "m9" => "mixed_other",
        "a1" => "asian_indian",
        "a2" => "asian_pakistani",
        "a3" => "asian_bangladeshi",
        "a9" => "asian_other",
        "b1" => "black_caribbean",
        "b2" => "black_african",
        "b9" => "black_other",
        // The 2001 "Chinese or other ethnic group": Chinese is Asian in the 2021 census.
        "o1" => "asian_chinese",
        "o9" => "other_any",
        "ns" => return Some(Ethnicity::NotStated),
        _ => return None,
    };
    Some(Ethnicity::Detail(detail))
}

fn is_not_stated(text: &str) -> bool {
    ["not stated", "prefer not to say", "not known", "unknown", "refused", "not recorded"]
        .iter()
        .any(|p| text == *p || text.ends_with(&format!("- {p}")) || text.ends_with(&format!(": {p}")))
}

/// The group a group part names, read from its start (police.uk "Asian/Asian British",
/// "Black or Black British", "Mixed/Multiple ethnic groups"; census "Asian, Asian British
/// or Asian Welsh"; the 2001 "Chinese or other ethnic group").
fn group_part(text: &str) -> Option<&'static str> {
    let first = text.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    match first {
        "white" => Some("white"),
        "mixed" => Some("mixed"),
        "asian" => Some("asian"),
        "black" => Some("black"),
        "other" | "chinese" => Some("other"),
        _ => None,
    }
}

/// The detailed code for a detail part within `group` ("any other …" is the group's other).
fn detail_in(group: &str, detail: &str) -> Option<&'static str> {
    let words: Vec<&str> = detail.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    let other = detail.starts_with("any other") || detail.starts_with("other ") || detail == "other";
    Some(match group {
        "white" if has("gypsy") || has("traveller") => "white_gypsy_traveller",
        "white" if has("roma") => "white_roma",
        "white" if has("british") || has("english") || has("welsh") || has("scottish") => "white_british",
        "white" if has("irish") => "white_irish",
        "white" if other => "white_other",
        "mixed" if has("caribbean") => "mixed_white_black_caribbean",
        "mixed" if has("african") => "mixed_white_black_african",
        "mixed" if has("asian") => "mixed_white_asian",
        "mixed" if other => "mixed_other",
        "asian" if has("indian") => "asian_indian",
        "asian" if has("pakistani") => "asian_pakistani",
        "asian" if has("bangladeshi") => "asian_bangladeshi",
        "asian" if has("chinese") => "asian_chinese",
        "asian" if other => "asian_other",
        "black" if other => "black_other",
        "black" if has("caribbean") => "black_caribbean",
        "black" if has("african") => "black_african",
        // "Chinese or other ethnic group - Chinese", and 2021's "Other ethnic group - Arab".
        "other" if has("chinese") => "asian_chinese",
        "other" if has("arab") => "other_arab",
        "other" if other => "other_any",
        _ => return None,
    })
}

/// Reads a self-defined ethnicity label (police.uk, any vintage) or a census column name.
pub fn classify(label: &str) -> Ethnicity {
    let text = label.trim().to_lowercase();
    if text.is_empty() || is_not_stated(&text) {
        return Ethnicity::NotStated;
    }
    // A trailing code decides on its own.
    if let Some(code) = text.strip_suffix(')').and_then(|t| t.rsplit_once('(')).map(|(_, c)| c.trim()) {
        if let Some(e) = by_code(code) {
            return e;
        }
    }
    let (group_text, detail_text) =
        text.split_once(" - ").or_else(|| text.split_once(": ")).unwrap_or((text.as_str(), ""));
    let Some(group) = group_part(group_text) else { return Ethnicity::NotRecognised };
    let detail_text = detail_text.split(" (").next().unwrap_or(detail_text).trim();
    if detail_text.is_empty() {
        return Ethnicity::GroupOnly(group);
    }
    match detail_in(group, detail_text) {
        Some(d) => Ethnicity::Detail(d),
        None => Ethnicity::GroupOnly(group),
    }
}

/// Reads an officer-defined ethnicity (five groups, no detail).
pub fn classify_officer(label: &str) -> Ethnicity {
    match label.trim().to_lowercase().as_str() {
        "" => Ethnicity::NotStated,
        "white" => Ethnicity::GroupOnly("white"),
        "black" => Ethnicity::GroupOnly("black"),
        "asian" => Ethnicity::GroupOnly("asian"),
        "mixed" => Ethnicity::GroupOnly("mixed"),
        "other" => Ethnicity::GroupOnly("other"),
        _ => Ethnicity::NotRecognised,
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn older_coded_labels_decide_by_their_code() {
        assert_eq!(classify("Chinese or other ethnic group - Chinese (O1)"), Ethnicity::Detail("asian_chinese"));
        assert_eq!(
            classify("Chinese or other ethnic group - Any other ethnic group (O9)"),
            Ethnicity::Detail("other_any")
        );
        assert_eq!(classify("Chinese or other ethnic group - Any other ethnic group (O9)").group(), Some("other"));
        assert_eq!(classify("White - White British (W1)"), Ethnicity::Detail("white_british"));
        assert_eq!(classify("Black or Black British - African (B2)"), Ethnicity::Detail("black_african"));
        assert_eq!(classify("Not Stated (NS)"), Ethnicity::NotStated);
    }

    #[test]
    fn current_and_2021_labels() {
        assert_eq!(
            classify("White - English/Welsh/Scottish/Northern Irish/British"),
            Ethnicity::Detail("white_british")
        );
        assert_eq!(classify("White - Gypsy or Irish Traveller"), Ethnicity::Detail("white_gypsy_traveller"));
        assert_eq!(classify("White - Irish"), Ethnicity::Detail("white_irish"));
        assert_eq!(classify("White - Roma"), Ethnicity::Detail("white_roma"));
        assert_eq!(classify("White - Romanian"), Ethnicity::GroupOnly("white"), "not Roma");
        assert_eq!(classify("Other ethnic group - Arab"), Ethnicity::Detail("other_arab"));
        assert_eq!(classify("Other ethnic group - Not stated"), Ethnicity::NotStated);
        assert_eq!(classify("Asian/Asian British - Chinese"), Ethnicity::Detail("asian_chinese"));
        assert_eq!(
            classify("Black/African/Caribbean/Black British - Any other Black/African/Caribbean background"),
            Ethnicity::Detail("black_other"),
            "an 'any other' label that names Caribbean is still 'any other'"
        );
        assert_eq!(
            classify("Mixed/Multiple ethnic groups - White and Black Caribbean"),
            Ethnicity::Detail("mixed_white_black_caribbean")
        );
        assert_eq!(classify("Prefer not to say"), Ethnicity::NotStated);
        assert_eq!(classify("Martian"), Ethnicity::NotRecognised);
    }

    #[test]
    fn census_headers() {
        assert_eq!(classify("Asian, Asian British or Asian Welsh: Chinese"), Ethnicity::Detail("asian_chinese"));
        assert_eq!(
            classify("White: English, Welsh, Scottish, Northern Irish or British"),
            Ethnicity::Detail("white_british")
        );
        assert_eq!(
            classify("Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups"),
            Ethnicity::Detail("mixed_other")
        );
        assert_eq!(classify("Other ethnic group: Any other ethnic group"), Ethnicity::Detail("other_any"));
        assert_eq!(
            classify("Black, Black British, Black Welsh, Caribbean or African: Other Black"),
            Ethnicity::Detail("black_other")
        );
    }

    /// Every label in the shared reference lists, and every label seen in the shared
    /// police.uk files: known, with the group and the detail agreeing.
    #[test]
    fn every_reference_and_observed_label_maps_and_agrees() {
        let root = crate::demographics::shared_data();
        let reference: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("reference/ethnic-group-classifications.json")).unwrap(),
        )
        .unwrap();
        let mut labels: Vec<String> = Vec::new();
        for key in [
            "police_uk_self_defined_2011_18_plus_not_stated_observed",
            "police_uk_self_defined_legacy_16_plus_1_observed_met_2016",
        ] {
            labels.extend(reference[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()));
        }
        let census = &reference["census2021_ew_19_categories"]["by_group"];
        let mut census_details = std::collections::BTreeSet::new();
        for (group, details) in census.as_object().unwrap() {
            for d in details.as_array().unwrap() {
                let e = classify(&format!("{group}: {}", d.as_str().unwrap()));
                let Ethnicity::Detail(code) = e else { panic!("census {group}: {d} → {e:?}") };
                census_details.insert(code);
            }
        }
        assert_eq!(census_details.len(), 19, "the 19 census columns map to 19 different codes");
        for entry in std::fs::read_dir(root.join("police-uk")).unwrap() {
            let path = entry.unwrap().path();
            let mut r = csv::Reader::from_path(&path).unwrap();
            for rec in r.records() {
                labels.push(rec.unwrap().get(8).unwrap_or("").to_string());
            }
        }
        labels.sort();
        labels.dedup();
        assert!(labels.len() > 30, "{labels:?}");
        for label in &labels {
            let e = classify(label);
            assert_ne!(e, Ethnicity::NotRecognised, "{label:?}");
            if let Ethnicity::Detail(d) = e {
                assert!(census_details.contains(d), "{label:?} → {d}, not a census category");
                let group_word = label.to_lowercase();
                if group_word.starts_with("white") {
                    assert_eq!(e.group(), Some("white"), "{label}");
                }
            }
        }
    }
}
