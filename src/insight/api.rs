use leptos::prelude::*;

use super::Insight;

/// Everything on the insight page. Viewers may see it: it holds no person's details.
#[server]
pub async fn load_insight() -> Result<Insight, ServerFnError> {
    use super::Comparison;
    use crate::{auth::{require, Role}, demographics::repo::comparison, error::AppError, startup::AppState};
    require(Role::Viewer)?;
    let state = expect_context::<AppState>();
    let db = &state.db;
    let funnel = super::repo::funnel(db).await.map_err(AppError::into_server_error)?;
    let trend = super::repo::trend(db).await.map_err(AppError::into_server_error)?;
    let rows = comparison(db, "").await.map_err(AppError::into_server_error)?;
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
            let of_dimension = |f: &dyn Fn(&crate::demographics::repo::ComparisonRow) -> i64, known_only: bool| -> i64 {
                rows.iter().filter(|x| x.dimension == r.dimension && (!known_only || crate::demographics::is_stated(&x.category))).map(f).sum()
            };
            // Shares of recruits are of all recruits when a "not stated" count is
            // withheld (so the share cannot give it away), else of those who said.
            let unstated_withheld = rows.iter().zip(&shown).any(|(x, s)| x.dimension == r.dimension && !crate::demographics::is_stated(&x.category) && s.0.is_withheld());
            let rec_total = of_dimension(&|x| x.recruits, !unstated_withheld);
            Comparison {
                dimension: r.dimension.to_string(),
                category: r.category.clone(),
                recruits: recruits.text(),
                members: members.text(),
                searched: r.searched,
                population: r.population,
                // A withheld count never has a percentage.
                recruits_pct: (stated && !recruits.is_withheld()).then(|| share(r.recruits, rec_total)).flatten(),
                searched_pct: stated.then(|| share(r.searched, of_dimension(&|x| x.searched, true))).flatten(),
                population_pct: r.population.filter(|_| stated)
                    .and_then(|p| share(p, of_dimension(&|x| x.population.unwrap_or(0), true))),
            }
        })
        .collect();
    let funnel = super::protect_funnel(&funnel);
    let trend = super::protect_trend(&trend);
    let rates = crate::demographics::repo::disproportionality(db, "", "", "", crate::demographics::rates::Basis::SelfDefined)
        .await
        .map_err(AppError::into_server_error)?;
    let watch = crate::demographics::repo::watch_by_month(db).await.map_err(AppError::into_server_error)?;
    Ok(Insight { funnel, trend, comparison, rates, watch })
}

/// The least role each server function here needs, declared beside them: the access
/// check refuses any server function missing from such a table before it runs (each
/// also checks again inside).
#[cfg(feature = "ssr")]
pub const SERVER_FN_ROLES: &[(&str, crate::auth::Role)] = &[
    (<LoadInsight as leptos::server_fn::ServerFn>::PATH, crate::auth::Role::Viewer),
];
