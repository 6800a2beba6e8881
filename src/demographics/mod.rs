//! Who is stopped and searched, who lives in the area, and who joins: imports of
//! data.police.uk stop-and-search files and census population, and the comparison.
pub mod api;
mod views;
pub use views::ImportsPage;

#[cfg(feature = "ssr")]
pub mod census;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod police_uk;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod upload;

/// Counts below this are shown as "<5" wherever recruits or members are counted, so
/// no small group of people can be picked out.
pub const SUPPRESS_BELOW: i64 = 5;

pub fn suppressed(n: i64) -> String {
    if (1..SUPPRESS_BELOW).contains(&n) {
        "<5".into()
    } else {
        n.to_string()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed() {
        assert_eq!(suppressed(0), "0");
        assert_eq!(suppressed(4), "<5");
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
