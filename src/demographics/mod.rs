//! Who is stopped and searched, who lives in the area, and who joins: imports of
//! data.police.uk stop-and-search files and census population, and the comparison.
pub mod api;
pub mod rates;
pub mod suppress;
mod views;
pub use views::ImportsPage;

#[cfg(feature = "ssr")]
pub mod census;
#[cfg(feature = "ssr")]
pub mod cli;
pub mod ethnicity;
#[cfg(feature = "ssr")]
pub mod import;
#[cfg(feature = "ssr")]
pub mod police_uk;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod sample;
/// The comparisons the insight page draws from imported searches and population.
#[cfg(feature = "ssr")]
pub use repo::{
    comparison, comparison_for, disproportionality, imported_in, known_forces, watch_by_month, ComparisonRow, Scope,
};
#[cfg(feature = "ssr")]
pub mod upload;

/// Counts below this are withheld wherever recruits or members are counted (see
/// [`suppress`]), so no small group of people can be picked out.
pub const SUPPRESS_BELOW: i64 = suppress::SMALL;

/// The shared real data (`../shared/data` beside the repository, `SCRUTINY_SHARED_DATA`,
/// or `/work/shared/data`), for tests that read real files.
#[cfg(test)]
pub fn shared_data() -> std::path::PathBuf {
    [
        std::env::var("SCRUTINY_SHARED_DATA").ok().map(std::path::PathBuf::from),
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")),
        Some(std::path::PathBuf::from("/work/shared/data")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.join("police-uk").is_dir())
    .expect("shared data not found: set SCRUTINY_SHARED_DATA to the folder holding police-uk/ and census/")
}

/// A category that says something about people ("not stated" and "not recognised" do
/// not, and are left out of shares and rates).
pub fn is_stated(category: &str) -> bool {
    !matches!(category, "not_stated" | "not_recognised")
}

/// One count on its own, withheld when small (tables use [`suppress::protect`]).
pub fn suppressed(n: i64) -> String {
    suppress::primary(n).text()
}

/// A police force's data.police.uk slug ("metropolitan", "city-of-london",
/// "devon-and-cornwall") from a name as written in the census lookup.
pub fn force_slug(name: &str) -> String {
    let name = name.trim().trim_matches('"');
    let special = match name {
        "Metropolitan Police" => Some("metropolitan"),
        "London, City of" => Some("city-of-london"),
        "Devon & Cornwall" => Some("devon-and-cornwall"),
        _ => None,
    };
    if let Some(s) = special {
        return s.into();
    }
    name.to_lowercase()
        .replace(" & ", " and ")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn detailed_ethnicity_from_police_and_census_labels() {
        let cases = [
            ("White - English/Welsh/Scottish/Northern Irish/British", "white_british"),
            ("White - White British (W1)", "white_british"),
            ("White: English, Welsh, Scottish, Northern Irish or British", "white_british"),
            ("White - Irish", "white_irish"),
            ("White - Gypsy or Irish Traveller", "white_gypsy_traveller"),
            ("White: Gypsy or Irish Traveller", "white_gypsy_traveller"),
            ("White: Roma", "white_roma"),
            ("White - Any other White background", "white_other"),
            ("White: Other White", "white_other"),
            ("Mixed/Multiple ethnic groups - White and Black Caribbean", "mixed_white_black_caribbean"),
            ("Mixed - White and Black African (M2)", "mixed_white_black_african"),
            ("Mixed or Multiple ethnic groups: White and Asian", "mixed_white_asian"),
            ("Mixed/Multiple ethnic groups - Any other Mixed/Multiple ethnic background", "mixed_other"),
            ("Asian/Asian British - Indian", "asian_indian"),
            ("Asian, Asian British or Asian Welsh: Pakistani", "asian_pakistani"),
            ("Asian/Asian British - Bangladeshi", "asian_bangladeshi"),
            ("Chinese or other ethnic group - Chinese (O1)", "asian_chinese"),
            ("Asian/Asian British - Any other Asian background", "asian_other"),
            ("Black/African/Caribbean/Black British - Caribbean", "black_caribbean"),
            ("Black/African/Caribbean/Black British - African", "black_african"),
            ("Black/African/Caribbean/Black British - Any other Black/African/Caribbean background", "black_other"),
            ("Black, Black British, Black Welsh, Caribbean or African: Other Black", "black_other"),
            ("Other ethnic group - Arab", "other_arab"),
            ("Other ethnic group - Any other ethnic group", "other_any"),
            ("Other ethnic group: Any other ethnic group", "other_any"),
        ];
        for (label, code) in cases {
            assert_eq!(ethnicity::classify(label).detail(), Some(code), "{label}");
        }
        assert_eq!(ethnicity::classify("Other ethnic group - Not stated"), ethnicity::Ethnicity::NotStated);
        assert_eq!(ethnicity::classify(" "), ethnicity::Ethnicity::NotStated);
    }

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(suppressed(0), "0");
        assert_eq!(suppressed(4), "[c]");
        assert_eq!(suppressed(5), "5");
    }

    #[test]
    fn force_names_become_police_uk_slugs() {
        assert_eq!(force_slug("Metropolitan Police"), "metropolitan");
        assert_eq!(force_slug("London, City of"), "city-of-london");
        assert_eq!(force_slug("Devon & Cornwall"), "devon-and-cornwall");
        assert_eq!(force_slug("West Yorkshire"), "west-yorkshire");
        assert_eq!(force_slug("Dyfed-Powys"), "dyfed-powys");
    }
}

/// Uploading police.uk files: coordinators. police.uk files run to a few MB; this route
/// alone accepts up to 64 MB.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::routes::Route> {
    use crate::{roles::Role, routes::Route};
    let upload = axum::routing::post(upload::upload).layer(axum::extract::DefaultBodyLimit::max(64 << 20));
    vec![Route::signed(Role::Coordinator, "/admin/imports", upload)]
}
