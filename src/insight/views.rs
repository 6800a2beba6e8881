//! The insight page: funnel, trend and demographics comparison.
use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    api::load_insight,
    chart::{BarChart, LineChart},
    percent, Comparison, FunnelRow,
};

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "–".into())
}

fn category_label(c: &str) -> String {
    match c {
        "white" => "White".into(),
        "mixed" => "Mixed or Multiple".into(),
        "asian" => "Asian".into(),
        "black" => "Black".into(),
        "other" => "Other".into(),
        "not_stated" => "Not stated".into(),
        "not_recognised" => "Not recognised (see the imports page)".into(),
        "white_british" => "White: English, Welsh, Scottish, Northern Irish or British".into(),
        "white_irish" => "White: Irish".into(),
        "white_gypsy_traveller" => "White: Gypsy or Irish Traveller".into(),
        "white_roma" => "White: Roma".into(),
        "white_other" => "White: any other".into(),
        "mixed_white_black_caribbean" => "Mixed: White and Black Caribbean".into(),
        "mixed_white_black_african" => "Mixed: White and Black African".into(),
        "mixed_white_asian" => "Mixed: White and Asian".into(),
        "mixed_other" => "Mixed: any other".into(),
        "asian_indian" => "Asian: Indian".into(),
        "asian_pakistani" => "Asian: Pakistani".into(),
        "asian_bangladeshi" => "Asian: Bangladeshi".into(),
        "asian_chinese" => "Asian: Chinese".into(),
        "asian_other" => "Asian: any other".into(),
        "black_caribbean" => "Black: Caribbean".into(),
        "black_african" => "Black: African".into(),
        "black_other" => "Black: any other".into(),
        "other_arab" => "Other: Arab".into(),
        "other_any" => "Other: any other".into(),
        other => other.into(),
    }
}

#[component]
fn FunnelTable(rows: Vec<FunnelRow>) -> impl IntoView {
    view! {
        <table>
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
                        <td class="num">{r.printed}</td>
                        <td class="num">{format!("{} ({})", r.scanned, percent(r.scanned, r.printed))}</td>
                        <td class="num">{r.started}</td>
                        <td class="num">{format!("{} ({})", r.submitted, percent(r.submitted, r.started))}</td>
                        <td class="num">{format!("{} ({})", r.confirmed, percent(r.confirmed, r.submitted))}</td>
                        <td class="num">{format!("{} ({})", r.members, percent(r.members, r.confirmed))}</td>
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
        <table>
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
                        <td class="num">{c.searched}</td>
                        <td class="num">{c.population.map(|p| p.to_string()).unwrap_or_else(|| "–".into())}</td>
                        <td class="num">{pct(c.recruits_pct)}</td>
                        <td class="num">{pct(c.searched_pct)}</td>
                        <td class="num">{pct(c.population_pct)}</td>
                        <td class="num">{c.gap_points().map(|g| format!("{g:+.1}")).unwrap_or_else(|| "–".into())}</td>
                        <td class="num">{c.representation_ratio().map(|r| format!("{r:.2}")).unwrap_or_else(|| "–".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
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
            category_label(&c.category), pct(c.searched_pct), pct(c.recruits_pct), gap
        ),
        Some(_) => "Every ethnic group is at least as well represented among recruits as among people searched.".into(),
        None => "There are not yet enough recruits, or no imported searches, to compare.".into(),
    }
}

#[component]
pub fn InsightPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| load_insight());
    view! {
        <Title text="Insight – scrutiny"/>
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
                        let trend: Vec<(String, i64)> = d.trend.iter().map(|p| (p.month.clone(), p.submitted)).collect();
                        view! {
                            <h2>"Funnel"</h2>
                            <FunnelTable rows=d.funnel.clone()/>
                            <h2>"Sign-ups by month"</h2>
                            <LineChart id="trend" title="Sign-ups sent per month".into() points=trend.clone()/>
                            <table>
                                <caption class="visually-hidden">"Sign-ups sent per month"</caption>
                                <thead><tr><th scope="col">"Month"</th><th scope="col" class="num">"Sign-ups"</th></tr></thead>
                                <tbody>{trend.into_iter().map(|(m, n)| view! { <tr><td>{m}</td><td class="num">{n}</td></tr> }).collect_view()}</tbody>
                            </table>
                            <h2>"Does the panel look like the people searched?"</h2>
                            <p data-testid="ethnic-summary">{sentence}</p>
                            <BarChart id="ethnic" title="Ethnic group: share of recruits, people searched and population (%)".into()
                                series=vec!["Recruits", "Searched", "Population"] categories=bars/>
                            <ComparisonTable caption="Ethnic group (ONS 2021 groups)" rows=ethnic/>
                            <ComparisonTable caption="Detailed ethnic group (ONS 2021, 19 groups; searches counted by self-defined ethnicity only)" rows=by("ethnic_detail")/>
                            <ComparisonTable caption="Age" rows=by("age")/>
                            <ComparisonTable caption="Gender" rows=by("gender")/>
                            <p class="hint">"Counts of recruits or members from 1 to 4 are shown as <5 and left out of percentages, so nobody can be identified. Gap: recruits' share minus searched people's share. Ratio: recruits' share divided by searched people's share (1.00 = the same)."</p>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
