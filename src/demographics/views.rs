//! The imports page: upload police.uk files and see what has been imported.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::ui::ErrorSummary;

use super::api::list_imports;

#[component]
pub fn ImportsPage() -> impl IntoView {
    let q = use_query_map();
    let error = q.with_untracked(|q| q.get("error"));
    let done = q.with_untracked(|q| q.get("done"));
    let imports = Resource::new(|| (), |_| list_imports());
    view! {
        <Title text="Stop and search data – Scrutiny panel"/>
        <h1>"Stop and search data"</h1>
        {error.map(|e| view! { <ErrorSummary messages=vec![e] focus=true/> })}
        {done.map(|d| view! { <p class="notice" role="status">{d}</p> })}
        <p>"Upload the monthly files from data.police.uk (named like 2025-07-cambridgeshire-stop-and-search.csv). Uploading a force and month again replaces it. If any file has a problem, nothing is imported and the line and column are named."</p>
        <form method="post" action="/admin/imports" enctype="multipart/form-data">
            <div class="field"><label for="files">"CSV files"</label>
                <input type="file" id="files" name="files" accept=".csv,text/csv" multiple/></div>
            <button type="submit" class="button">"Import"</button>
        </form>
        <h2>"Imported"</h2>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match imports.await {
                    Ok(list) => view! {
                        <table tabindex="0">
                            <caption class="visually-hidden">"Imported force-months"</caption>
                            <thead><tr><th scope="col">"Force"</th><th scope="col">"Month"</th><th scope="col" class="num">"Searches"</th><th scope="col">"File"</th><th scope="col">"Values not taken as written"</th></tr></thead>
                            <tbody>{list.into_iter().map(|(force, month, rows, file, notes)| {
                                let notes: Vec<String> = notes.lines().map(|l| l.to_string()).collect();
                                // The file's name, not where it was on the server that imported it.
                                let file = file.rsplit(['/', '\\']).next().unwrap_or_default().to_string();
                                view! {
                                    <tr><td>{force}</td><td>{month}</td><td class="num">{rows}</td><td>{file}</td>
                                    <td>{if notes.is_empty() { view! { "None" }.into_any() } else {
                                        view! { <ul class="notes">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> }.into_any()
                                    }}</td></tr>
                                }
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
