//! The insight page: funnel, trend and demographics comparison.
use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    api::load_insight,
    chart::{BarChart, LineChart},
    count_with_share, percent, Comparison, FunnelShown,
};

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "–".into())
}

fn category_label(c: &str) -> String {
    crate::labels::ethnic(c)
}

#[component]
fn FunnelTable(rows: Vec<FunnelShown>) -> impl IntoView {
    view! {
        <table tabindex="0">
            <caption>"From cards to members"</caption>
            <thead><tr>
                <th scope="col">"Batch"</th><th scope="col" class="num">"Printed"</th><th scope="col" class="num">"Scanned"</th>
                <th scope="col" class="num">"Started"</th><th scope="col" class="num">"Sent"</th>
                <th scope="col" class="num">"Confirmed"</th><th scope="col" class="num">"Members"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>
                        <th scope="row">{r.label.clone()}</th>
                        <td class="num">{super::thousands(r.printed)}</td>
                        <td class="num">{format!("{} ({})", super::thousands(r.scanned), percent(r.scanned, r.printed))}</td>
                        <td class="num">{r.started.text()}</td>
                        <td class="num">{count_with_share(r.submitted, r.started)}</td>
                        <td class="num">{count_with_share(r.confirmed, r.submitted)}</td>
                        <td class="num">{count_with_share(r.members, r.confirmed)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <p class="hint">"Percentages are of the step before. Scanned counts cards scanned at least once."</p>
    }
}

#[component]
fn ComparisonTable(caption: &'static str, rows: Vec<Comparison>) -> impl IntoView {
    view! {
        <table tabindex="0">
            <caption>{caption}</caption>
            <thead><tr>
                <th scope="col">"Group"</th><th scope="col" class="num">"Recruits"</th><th scope="col" class="num">"Members"</th>
                <th scope="col" class="num">"Searched"</th><th scope="col" class="num">"Population"</th>
                <th scope="col" class="num">"Recruits %"</th><th scope="col" class="num">"Searched %"</th>
                <th scope="col" class="num">"Population %"</th><th scope="col" class="num">"Gap (points)"</th>
                <th scope="col" class="num">"Ratio"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|c| view! {
                    <tr>
                        <th scope="row">{category_label(&c.category)}</th>
                        <td class="num">{c.recruits.clone()}</td>
                        <td class="num">{c.members.clone()}</td>
                        <td class="num">{super::thousands(c.searched)}</td>
                        <td class="num">{c.population.map(super::thousands).unwrap_or_else(|| "–".into())}</td>
                        <td class="num">{pct(c.recruits_pct)}</td>
                        <td class="num">{pct(c.searched_pct)}</td>
                        <td class="num">{pct(c.population_pct)}</td>
                        <td class="num">{c.gap_points().map(|g| format!("{g:+.1}")).unwrap_or_else(|| "–".into())}</td>
                        // A ratio over a handful of searches says nothing: only from 20 up.
                        <td class="num">{c.representation_ratio().filter(|_| c.searched >= 20).map(|r| format!("{r:.2}")).unwrap_or_else(|| "–".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn rate(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into())
}

/// Disproportionality: rates per 1,000 people and the ratio to White, per force.
#[component]
fn RatesSection(rows: Vec<crate::demographics::rates::RateRow>) -> impl IntoView {
    let forces: Vec<String> = {
        let mut f: Vec<String> = rows.iter().map(|r| r.force.clone()).collect();
        f.dedup();
        f
    };
    // A chart of the ratio to White for up to three forces (three colours that read
    // apart); the table always has them all.
    let charted: Vec<String> = forces.iter().take(3).cloned().collect();
    let bars: Vec<(String, Vec<Option<f64>>)> = crate::demographics::rates::GROUPS
        .iter()
        .filter(|g| **g != "white")
        .map(|g| {
            let values = charted
                .iter()
                .map(|f| rows.iter().find(|r| &r.force == f && r.ethnic_group == *g).and_then(|r| r.ratio_to_white))
                .collect();
            (category_label(g), values)
        })
        .collect();
    let series = charted.clone();
    view! {
        <h2>"Who is searched: rates by ethnic group"</h2>
        <p>"How it is worked out (the Home Office method): for each force, the searches of people in an ethnic group are divided by the number of people in that group living in the force area (Census 2021), per 1,000 people; the ratio divides each group's rate by the White group's (2.00 = searched twice as often). Searches are counted by the person's self-defined ethnicity, or the officer's where the person stated none. Searches with no ethnicity stated are shown but have no rate. A force whose census population cannot be separated from another's shows no rates."</p>
        {(!rows.is_empty() && !charted.is_empty()).then(|| view! {
            <BarChart id="rates" title="Rate of search compared with White people (ratio; 1 = the same rate)".into()
                series=series categories=bars unit="" decimals=1 floor=2.0/>
        })}
        <table tabindex="0">
            <caption>"Searches per 1,000 people and ratio to White, by force"</caption>
            <thead><tr><th scope="col">"Force"</th><th scope="col">"Ethnic group"</th><th scope="col" class="num">"Searches"</th>
                <th scope="col" class="num">"Population"</th><th scope="col" class="num">"Per 1,000"</th><th scope="col" class="num">"Ratio to White"</th></tr></thead>
            <tbody>{rows.into_iter().map(|r| view! {
                <tr><td>{r.force}</td><td>{category_label(&r.ethnic_group)}</td><td class="num">{super::thousands(r.searches)}</td>
                    <td class="num">{r.population.map(super::thousands).unwrap_or_else(|| "–".into())}</td>
                    <td class="num">{rate(r.rate_per_1000)}</td><td class="num">{rate(r.ratio_to_white)}</td></tr>
            }).collect_view()}</tbody>
        </table>
    }
}

/// Per month: the searches panels are asked to watch.
#[component]
fn WatchTable(rows: Vec<crate::demographics::rates::WatchRow>) -> impl IntoView {
    view! {
        <h2>"Searches to watch, by month"</h2>
        <table tabindex="0">
            <caption>"Under-18s, removal of more than outer clothing, and Section 60 (no suspicion needed)"</caption>
            <thead><tr><th scope="col">"Force"</th><th scope="col">"Month"</th><th scope="col" class="num">"Searches"</th>
                <th scope="col" class="num">"Under 18"</th><th scope="col" class="num">"More than outer clothing"</th><th scope="col" class="num">"Section 60"</th></tr></thead>
            <tbody>{rows.into_iter().map(|r| view! {
                <tr><td>{r.force}</td><td>{r.month}</td><td class="num">{super::thousands(r.searches)}</td><td class="num">{r.under_18}</td>
                    <td class="num">{r.strip}</td><td class="num">{r.section_60}</td></tr>
            }).collect_view()}</tbody>
        </table>
    }
}

/// One sentence a person can read instead of the chart.
fn summary(rows: &[Comparison]) -> String {
    let worst = rows
        .iter()
        .filter(|c| crate::demographics::is_stated(&c.category))
        .filter_map(|c| c.gap_points().map(|g| (g, c)))
        .min_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    match worst {
        Some((gap, c)) if gap < 0.0 => format!(
            "The biggest gap: {} people are {} of people searched but {} of recruits ({:+.1} points).",
            category_label(&c.category),
            pct(c.searched_pct),
            pct(c.recruits_pct),
            gap
        ),
        Some(_) => "Every ethnic group is at least as well represented among recruits as among people searched.".into(),
        None => "There are not yet enough recruits, or no imported searches, to compare.".into(),
    }
}

/// Choose the force and months the comparison describes (a plain GET form).
#[component]
fn PlaceForm(place: super::Place) -> impl IntoView {
    let selected = if place.force.is_empty() { "all".to_string() } else { place.force.clone() };
    view! {
        <form method="get" action="/admin/insight" class="filters">
            <div class="field"><label for="force">"Force area"</label>
                <select id="force" name="force">
                    {place.forces.iter().map(|f| {
                        let f = f.clone();
                        view! { <option value=f.clone() selected=f == selected>{f.clone()}</option> }
                    }).collect_view()}
                    <option value="all" selected=selected == "all">"All forces with imported searches"</option>
                </select></div>
            {(place.panels.len() > 1).then(|| view! {
                <div class="field"><label for="panel">"Panel"</label>
                    <select id="panel" name="panel">
                        <option value="" selected=place.panel.is_empty()>"Every panel"</option>
                        {place.panels.iter().map(|(slug, name)| {
                            let sel = *slug == place.panel;
                            view! { <option value=slug.clone() selected=sel>{name.clone()}</option> }
                        }).collect_view()}
                    </select></div>
            })}
            <div class="field"><label for="from">"Searches from (month)"</label>
                <input type="month" id="from" name="from" value=place.from.clone() placeholder="2025-01"/></div>
            <div class="field"><label for="to">"to (month)"</label>
                <input type="month" id="to" name="to" value=place.to.clone() placeholder="2025-12"/></div>
            <button type="submit" class="button">"Show"</button>
        </form>
    }
}

#[component]
pub fn InsightPage() -> impl IntoView {
    let q = leptos_router::hooks::use_query_map();
    let args = q.with_untracked(|q| (q.get("force"), q.get("from"), q.get("to"), q.get("panel")));
    let data = Resource::new(move || args.clone(), |(force, from, to, panel)| load_insight(force, from, to, panel));
    view! {
        <Title text="Insight – Scrutiny panel"/>
        <h1>"Insight"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let by = |dim: &str| d.comparison.iter().filter(|c| c.dimension == dim).cloned().collect::<Vec<_>>();
                        let ethnic = by("ethnic_group");
                        let bars: Vec<(String, Vec<Option<f64>>)> = ethnic.iter().filter(|c| crate::demographics::is_stated(&c.category))
                            .map(|c| (category_label(&c.category), vec![c.recruits_pct, c.searched_pct, c.population_pct])).collect();
                        let sentence = summary(&ethnic);
                        // The chart draws shown months only (a withheld month is a gap); the table says "[c]".
                        let trend: Vec<(String, Option<i64>)> = d.trend.iter().map(|p| (p.month.clone(), p.submitted.value())).collect();
                        let trend_rows: Vec<(String, String)> = d.trend.iter().map(|p| (p.month.clone(), p.submitted.text())).collect();
                        view! {
                            <h2>"Funnel"</h2>
                            <FunnelTable rows=d.funnel.clone()/>
                            <h2>"Sign-ups by month"</h2>
                            <LineChart id="trend" title="Sign-ups sent per month".into() points=trend.clone()/>
                            <table tabindex="0">
                                <caption class="visually-hidden">"Sign-ups sent per month"</caption>
                                <thead><tr><th scope="col">"Month"</th><th scope="col" class="num">"Sign-ups"</th></tr></thead>
                                <tbody>{trend_rows.into_iter().map(|(m, n)| view! { <tr><td>{m}</td><td class="num">{n}</td></tr> }).collect_view()}</tbody>
                            </table>
                            <h2>"Does the panel look like the people searched?"</h2>
                            <PlaceForm place=d.place.clone()/>
                            <ul data-testid="place" class="place">{d.place.describes.iter().map(|t| view! { <li>{t.clone()}</li> }).collect_view()}</ul>
                            <p data-testid="ethnic-summary">{sentence}</p>
                            <BarChart id="ethnic" title="Ethnic group: share of recruits, people searched and population (%)".into()
                                series=vec!["Recruits".into(), "Searched".into(), "Population".into()] categories=bars/>
                            <ComparisonTable caption="Ethnic group (ONS 2021 groups)" rows=ethnic/>
                            {(!d.targets.is_empty()).then(|| view! {
                                <table tabindex="0" data-testid="targets">
                                    <caption>"Progress against the panel’s target make-up (members)"</caption>
                                    <thead><tr><th scope="col">"Ethnic group"</th><th scope="col" class="num">"Target"</th><th scope="col" class="num">"Members"</th><th scope="col" class="num">"Share of members"</th></tr></thead>
                                    <tbody>{d.targets.iter().map(|t| view! {
                                        <tr><td>{category_label(&t.group)}</td><td class="num">{format!("{:.1}%", t.target_pct)}</td>
                                            <td class="num">{t.members.clone()}</td>
                                            <td class="num">{t.members_pct.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "–".into())}</td></tr>
                                    }).collect_view()}</tbody>
                                </table>
                            })}
                            <ComparisonTable caption="Detailed ethnic group (ONS 2021, 19 groups; searches counted by self-defined ethnicity only)" rows=by("ethnic_detail")/>
                            <ComparisonTable caption="Age" rows=by("age")/>
                            <ComparisonTable caption="Gender" rows=by("gender")/>
                            <RatesSection rows=d.rates.clone()/>
                            <WatchTable rows=d.watch.clone()/>
                            <p class="hint">"[c]: withheld, because it is fewer than 5 people or would let such a small number be worked out from the totals; withheld numbers have no percentage. In the sign-ups chart a withheld month is a gap in the line. Gap: recruits' share minus searched people's share. Ratio: recruits' share divided by searched people's share (1.00 = the same), shown when at least 20 people of that group were searched."</p>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
