use leptos::prelude::*;

use super::Insight;

/// Everything on the insight page. Viewers may see it: it holds no person's details.
#[server]
pub async fn load_insight() -> Result<Insight, ServerFnError> {
    use super::Comparison;
    use crate::{auth::{require, Role}, demographics::{repo::comparison, suppressed, SUPPRESS_BELOW}, error::AppError, startup::AppState};
    require(Role::Viewer)?;
    let state = expect_context::<AppState>();
    let db = &state.db;
    let funnel = super::repo::funnel(db).await.map_err(AppError::into_server_error)?;
    let trend = super::repo::trend(db).await.map_err(AppError::into_server_error)?;
    let rows = comparison(db, "").await.map_err(AppError::into_server_error)?;
    let known = |dim: &str, f: &dyn Fn(&crate::demographics::repo::ComparisonRow) -> i64| -> i64 {
        rows.iter().filter(|r| r.dimension == dim && crate::demographics::is_stated(&r.category)).map(f).sum()
    };
    let share = |n: i64, total: i64| (total > 0).then(|| n as f64 * 100.0 / total as f64);
    let comparison = rows
        .iter()
        // "Not recognised" is shown whenever an import had such values, and only then.
        .filter(|r| r.category != "not_recognised" || r.recruits + r.members + r.searched > 0)
        .map(|r| {
            let stated = crate::demographics::is_stated(&r.category);
            let rec_total = known(r.dimension, &|x| x.recruits);
            Comparison {
                dimension: r.dimension.to_string(),
                category: r.category.clone(),
                recruits: suppressed(r.recruits),
                members: suppressed(r.members),
                searched: r.searched,
                population: r.population,
                // A suppressed count must not be recoverable from its percentage.
                recruits_pct: (stated && (r.recruits == 0 || r.recruits >= SUPPRESS_BELOW))
                    .then(|| share(r.recruits, rec_total)).flatten(),
                searched_pct: stated.then(|| share(r.searched, known(r.dimension, &|x| x.searched))).flatten(),
                population_pct: r.population.filter(|_| stated)
                    .and_then(|p| share(p, known(r.dimension, &|x| x.population.unwrap_or(0)))),
            }
        })
        .collect();
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
