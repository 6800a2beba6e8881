//! Small server-rendered SVG charts. Each chart is an image with a title and a
//! description; the same numbers are always in a table next to it.
use leptos::prelude::*;

/// Bar colours; the legend's swatches use the same colours from the stylesheet
/// (`.swatch-0` …): the dashboard's content security policy refuses `style=` attributes.
const SERIES_COLOURS: [&str; 3] = ["#1d70b8", "#d4351c", "#505a5f"];

/// Grouped bars: for each category, one bar per series (values in percent; None = no bar).
#[component]
pub fn BarChart(
    id: &'static str,
    title: String,
    series: Vec<String>,
    categories: Vec<(String, Vec<Option<f64>>)>,
    /// After the axis values ("%" for shares, "" for ratios).
    #[prop(default = "%")]
    unit: &'static str,
    /// Decimals on the bar labels.
    #[prop(default = 0)]
    decimals: usize,
    /// The axis reaches at least this.
    #[prop(default = 10.0)]
    floor: f64,
) -> impl IntoView {
    let (w, h, left, bottom) = (640.0_f64, 280.0_f64, 40.0_f64, 40.0_f64);
    let max = categories.iter().flat_map(|(_, v)| v.iter().flatten()).cloned().fold(floor, f64::max).ceil();
    let group_w = (w - left) / categories.len().max(1) as f64;
    let bar_w = (group_w - 16.0) / series.len().max(1) as f64;
    let y = move |v: f64| (h - bottom) - v / max * (h - bottom - 20.0);
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-labelledby=labelled_by width="100%">
                <title id=title_id>{title.clone()}</title>
                <line x1=left y1=y(0.0) x2=w y2=y(0.0) stroke="#0b0c0c"/>
                <text x="0" y=y(max) font-size="12">{format!("{max:.0}{unit}")}</text>
                <text x="0" y=y(0.0) font-size="12">{format!("0{unit}")}</text>
                {categories.into_iter().enumerate().map(|(gi, (label, values))| {
                    let gx = left + gi as f64 * group_w + 8.0;
                    view! {
                        <g>
                            {values.into_iter().enumerate().map(|(si, v)| v.map(|v| {
                                let x = gx + si as f64 * bar_w;
                                view! {
                                    <rect x=x y=y(v) width=(bar_w - 2.0).max(1.0) height=(y(0.0) - y(v)).max(0.0) fill=SERIES_COLOURS[si % 3]/>
                                    <text x=x + bar_w / 2.0 - 1.0 y=y(v) - 3.0 font-size="10" text-anchor="middle">{format!("{v:.decimals$}")}</text>
                                }
                            })).collect_view()}
                            <text x=gx + group_w / 2.0 - 8.0 y=h - bottom + 16.0 font-size="12" text-anchor="middle">{label}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <figcaption>
                {series.into_iter().enumerate().map(|(i, s)| view! {
                    <span class="key"><span class=format!("swatch swatch-{}", i % 3)></span>{s}</span>
                }).collect_view()}
            </figcaption>
        </figure>
    }
}

/// A line over months. A month whose count is withheld (`None`) is a gap in the line,
/// never drawn as 0.
#[component]
pub fn LineChart(id: &'static str, title: String, points: Vec<(String, Option<i64>)>) -> impl IntoView {
    // Room on the right as well as the left, so the last month's label is not cut off.
    let (w, h, left, right, bottom) = (640.0_f64, 220.0_f64, 40.0_f64, 40.0_f64, 40.0_f64);
    let max = points.iter().filter_map(|(_, v)| *v).max().unwrap_or(1).max(1) as f64;
    let n = points.len().max(2) as f64;
    let x = move |i: usize| left + i as f64 * (w - left - right) / (n - 1.0);
    let y = move |v: i64| (h - bottom) - v as f64 / max * (h - bottom - 20.0);
    // One polyline per run of shown months.
    let mut runs: Vec<String> = vec![String::new()];
    for (i, (_, v)) in points.iter().enumerate() {
        match v {
            Some(v) => runs.last_mut().expect("one run").push_str(&format!("{},{} ", x(i), y(*v))),
            None if !runs.last().expect("one run").is_empty() => runs.push(String::new()),
            None => {}
        }
    }
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-labelledby=labelled_by width="100%">
                <title id=title_id>{title}</title>
                <line x1=left y1=y(0) x2=w - right / 2.0 y2=y(0) stroke="#0b0c0c"/>
                <text x="0" y=y(max as i64) font-size="12">{format!("{max}")}</text>
                {runs.into_iter().filter(|r| !r.is_empty()).map(|path| view! {
                    <polyline points=path fill="none" stroke="#1d70b8" stroke-width="3"/>
                }).collect_view()}
                {points.iter().enumerate().map(|(i, (m, v))| view! {
                    {v.map(|v| view! { <circle cx=x(i) cy=y(v) r="4" fill="#1d70b8"/> })}
                    <text x=x(i) y=h - bottom + 16.0 font-size="11" text-anchor="middle">{m.clone()}</text>
                }).collect_view()}
            </svg>
        </figure>
    }
}
