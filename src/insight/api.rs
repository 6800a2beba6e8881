use leptos::prelude::*;

use crate::error::ApiError;

use super::Insight;

/// Everything on the insight page. Viewers may see it: it holds no person's details.
/// `force` (a police.uk slug, "all" for every imported force) and the months `from`–`to`
/// (`YYYY-MM`) choose the place and time the comparison describes; anything else, or
/// nothing, means the panel's own force and every month imported.
#[server]
pub async fn load_insight(
    force: Option<String>,
    from: Option<String>,
    to: Option<String>,
    panel: Option<String>,
) -> Result<Insight, ApiError> {
    use super::Comparison;
    use crate::{
        demographics::{imported_in, Scope},
        roles::{require, Role},
        state::AppState,
    };
    require(Role::Viewer)?;
    let state = expect_context::<AppState>();
    let db = &state.db;
    // Values that make no sense are left out, and the page says so.
    let mut notes: Vec<String> = Vec::new();
    // One panel's recruits, funnel and target, or every panel's.
    let panels = crate::panels::list(db).await?;
    let chosen = panel.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let panel = match chosen {
        Some(slug) => {
            let found = panels.iter().find(|p| p.slug == slug).cloned();
            if found.is_none() {
                notes.push(format!(
                    "There is no panel \u{201c}{}\u{201d}, so this shows every panel.",
                    slug.chars().take(40).collect::<String>()
                ));
            }
            found
        }
        None if panels.len() == 1 => panels.first().cloned(),
        None => None,
    };
    let panel_id = panel.as_ref().map(|p| p.id);
    let funnel = super::repo::funnel(db, panel_id).await?;
    let trend = super::repo::trend(db, panel_id).await?;
    let mut month = |m: Option<String>, which: &str| {
        let m = m.map(|m| m.trim().to_string()).unwrap_or_default();
        if m.is_empty() || (m.len() == 7 && crate::domain::ExpiryDate::parse_iso(&format!("{m}-01")).is_some()) {
            m
        } else {
            notes.push(format!("The {which} month must look like 2025-01, so it was left out."));
            String::new()
        }
    };
    let (mut from, mut to) = (month(from, "first"), month(to, "last"));
    if !from.is_empty() && !to.is_empty() && from > to {
        std::mem::swap(&mut from, &mut to);
        notes.push("The months were the wrong way round, so they were swapped.".into());
    }
    let asked_force = force.clone();
    let all = imported_in(db, Scope { force: "", from: "", to: "" }).await?;
    let forces: Vec<String> = all.iter().map(|(f, _, _)| f.clone()).collect();
    let panel_force = panel_force(&state.settings, &forces);
    let force = match force.as_deref() {
        Some("all") => String::new(),
        Some(f) if forces.iter().any(|x| x == f) => f.to_string(),
        _ => match &panel_force {
            Some(p) if forces.contains(p) => p.clone(),
            _ if forces.len() == 1 => forces[0].clone(),
            _ => String::new(),
        },
    };
    if let Some(f) = asked_force.as_deref().filter(|f| !f.is_empty() && *f != "all" && !forces.iter().any(|x| x == f)) {
        let shown = if force.is_empty() { "all forces with imported searches".to_string() } else { force.clone() };
        notes.push(format!(
            "No searches are imported for \u{201c}{}\u{201d}, so this shows {shown}.",
            f.chars().take(40).collect::<String>()
        ));
    }
    let scope = Scope { force: &force, from: &from, to: &to };
    let recruits_here = match &panel_force {
        Some(p) => *p == force,
        None => forces.len() <= 1,
    };
    let rows = crate::demographics::comparison_for(db, scope, panel_id).await?;
    let shown = crate::demographics::suppress::protect_comparison(
        &rows.iter().map(|r| (r.dimension, r.category.as_str(), r.recruits, r.members)).collect::<Vec<_>>(),
    );
    let share = |n: i64, total: i64| (total > 0).then(|| n as f64 * 100.0 / total as f64);
    let comparison = rows
        .iter()
        .zip(&shown)
        // "Not recognised" is shown whenever an import had such values, and only then.
        .filter(|(r, _)| r.category != "not_recognised" || r.recruits + r.members + r.searched > 0)
        .map(|(r, (recruits, members))| {
            let stated = crate::demographics::is_stated(&r.category);
            let of_dimension = |f: &dyn Fn(&crate::demographics::ComparisonRow) -> i64, known_only: bool| -> i64 {
                rows.iter()
                    .filter(|x| {
                        x.dimension == r.dimension && (!known_only || crate::demographics::is_stated(&x.category))
                    })
                    .map(f)
                    .sum()
            };
            // Shares of recruits are of all recruits when a "not stated" count is
            // withheld (so the share cannot give it away), else of those who said.
            let unstated_withheld = rows.iter().zip(&shown).any(|(x, s)| {
                x.dimension == r.dimension && !crate::demographics::is_stated(&x.category) && s.0.is_withheld()
            });
            let rec_total = of_dimension(&|x| x.recruits, !unstated_withheld);
            let hidden = || "–".to_string();
            Comparison {
                dimension: r.dimension.to_string(),
                category: r.category.clone(),
                recruits: if recruits_here { recruits.text() } else { hidden() },
                members: if recruits_here { members.text() } else { hidden() },
                searched: r.searched,
                population: r.population,
                // A withheld count never has a percentage.
                recruits_pct: (recruits_here && stated && !recruits.is_withheld())
                    .then(|| share(r.recruits, rec_total))
                    .flatten(),
                searched_pct: stated.then(|| share(r.searched, of_dimension(&|x| x.searched, true))).flatten(),
                population_pct: r
                    .population
                    .filter(|_| stated)
                    .and_then(|p| share(p, of_dimension(&|x| x.population.unwrap_or(0), true))),
            }
        })
        .collect();
    let funnel = super::protect_funnel(&funnel);
    let trend = super::protect_trend(&trend);
    let rates =
        crate::demographics::disproportionality(db, &force, &from, &to, crate::demographics::rates::Basis::SelfDefined)
            .await?;
    let mut watch = crate::demographics::watch_by_month(db).await?;
    watch.retain(|w| {
        (force.is_empty() || w.force == force)
            && (from.is_empty() || w.month >= from)
            && (to.is_empty() || w.month <= to)
    });
    // In words: which forces and months each column is.
    let covered = imported_in(db, scope).await?;
    let mut describes = Vec::new();
    if covered.is_empty() {
        describes.push("Searched: no searches are imported for this place and these months.".to_string());
    } else {
        // Each force with its own months: forces imported for different months are not
        // the same period, and the page must not suggest they are.
        let each: Vec<String> = covered
            .iter()
            .map(|(f, a, b)| if a == b { format!("{f} {a}") } else { format!("{f}, searches from {a} to {b}") })
            .collect();
        describes.push(format!("Searched: {} (data.police.uk).", each.join("; ")));
    }
    describes.push(if rows.iter().any(|r| r.population.is_some()) {
        "Population: Census 2021, the same force area.".to_string()
    } else {
        "Population: not available for this place (no census import for it, or its census area is shared with another force), so no population shares are shown.".to_string()
    });
    describes.push(if recruits_here {
        format!("Recruits and members: everyone who has signed up to this panel ({}), at any time.", state.settings.force_name)
    } else {
        format!(
            "Recruits and members: not shown, because they are this panel's ({}) and this place is not its force area{}.",
            state.settings.force_name,
            panel_force.as_deref().map(|p| format!(" ({p})")).unwrap_or_default()
        )
    });
    describes.extend(notes);
    // Progress against the panel's target make-up: members' shares of those who said.
    let mut targets = Vec::new();
    if let Some(p) = &panel {
        let wanted = crate::panels::targets(db, p.id).await?;
        let eth: Vec<&crate::demographics::ComparisonRow> =
            rows.iter().filter(|r| r.dimension == "ethnic_group").collect();
        let members_stated: i64 =
            eth.iter().filter(|r| crate::demographics::is_stated(&r.category)).map(|r| r.members).sum();
        for (group, per_mille) in wanted {
            let members = eth.iter().find(|r| r.category == group).map_or(0, |r| r.members);
            let shown = crate::demographics::suppressed(members);
            // A share of a withheld count would give it away.
            let withheld = shown != members.to_string();
            targets.push(super::TargetRow {
                group: group.clone(),
                target_pct: per_mille as f64 / 10.0,
                members: shown,
                members_pct: (!withheld && members_stated > 0).then(|| members as f64 * 100.0 / members_stated as f64),
            });
        }
    }
    describes.insert(
        0,
        match &panel {
            Some(p) => format!("Panel: {} (its cards, sign-ups and members).", p.name),
            None => "Panel: every panel together.".to_string(),
        },
    );
    let place = super::Place {
        force,
        from,
        to,
        forces,
        describes,
        recruits_here,
        panel: panel.map(|p| p.slug).unwrap_or_default(),
        panels: panels.into_iter().map(|p| (p.slug, p.name)).collect(),
    };
    Ok(Insight { place, funnel, trend, comparison, rates, watch, targets })
}

/// The panel's own force among data.police.uk slugs: `SCRUTINY_POLICE_UK_FORCE`, or the
/// imported force whose slug the force's name contains ("Cambridgeshire Constabulary" →
/// `cambridgeshire`), the longest if several do.
#[cfg(feature = "ssr")]
fn panel_force(settings: &crate::config::Settings, imported: &[String]) -> Option<String> {
    if let Some(f) = &settings.police_uk_force {
        return Some(f.clone());
    }
    let name = crate::demographics::force_slug(&settings.force_name);
    imported.iter().filter(|f| name.contains(f.as_str())).max_by_key(|f| f.len()).cloned()
}

/// The least role each server function here needs, declared beside them: the access
/// check refuses any server function missing from such a table before it runs (each
/// also checks again inside).
#[cfg(feature = "ssr")]
pub const SERVER_FN_ROLES: &[(&str, crate::roles::Role)] =
    &[(<LoadInsight as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Viewer)];
