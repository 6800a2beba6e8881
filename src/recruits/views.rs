//! Recruit pages for coordinators.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{get_recruit, list_recruits, EraseRecruit};

fn date_of(unix: i64) -> String {
    crate::domain::ExpiryDate::of_unix(unix).to_string()
}

#[component]
pub fn RecruitsPage() -> impl IntoView {
    let q = use_query_map();
    let status = q.with_untracked(|q| q.get("status").unwrap_or_default());
    let page = q.with_untracked(|q| q.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1));
    let erased = q.with_untracked(|q| q.get("done")).is_some();
    let changed = q.with_untracked(|q| q.get("changed"));
    let invited = q.with_untracked(|q| q.get("invited"));
    let without_email = q.with_untracked(|q| q.get("without_email")).unwrap_or_default();
    let problem = q.with_untracked(|q| q.get("error"));
    let s = status.clone();
    let rows = Resource::new(move || (s.clone(), page), |(s, p)| list_recruits(s, p));
    view! {
        <Title text="Recruits – scrutiny"/>
        <h1>"Recruits"</h1>
        {erased.then(|| view! { <p class="notice" role="status">"The person's details have been erased."</p> })}
        {changed.map(|n| view! { <p class="notice" role="status">{format!("Status changed for {n} people.")}</p> })}
        {invited.map(|n| view! { <p class="notice" role="status">{format!("Invitation queued for {n} people ({without_email} selected have no email address).")}</p> })}
        {problem.map(|e| view! { <div class="error-summary" role="alert"><p>{
            if e == "none" { "Select at least one person" } else { "Choose a status" }
        }</p></div> })}
        <form method="get" action="/admin/recruits" class="filters">
            <div class="field"><label for="status">"Status"</label>
                <select id="status" name="status">
                    <option value="" selected=status.is_empty()>"Any"</option>
                    {super::STATUSES.into_iter().map(|(v, label)| view! {
                        <option value=v selected=v == status>{label}</option>
                    }).collect_view()}
                </select></div>
            <button type="submit" class="button">"Filter"</button>
        </form>
        <details class="export">
            <summary>"Export to a spreadsheet (CSV)"</summary>
            <form method="get" action="/admin/recruits/export.csv">
                <fieldset><legend>"Columns"</legend>
                    {super::export_columns().into_iter().map(|(c, label)| view! {
                        <div><input type="checkbox" name="col" value=c id=format!("col-{c}") checked=matches!(c, "name" | "email" | "status")/>
                            <label for=format!("col-{c}") class="inline">{label}</label></div>
                    }).collect_view()}
                </fieldset>
                <input type="hidden" name="status" value=status.clone()/>
                <p class="hint">"Exports are recorded in the audit log. Equality answers are never exported per person."</p>
                <button type="submit" class="button secondary">"Download CSV"</button>
            </form>
        </details>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(list) if list.is_empty() => view! { <p>"No recruits match."</p> }.into_any(),
                    Ok(list) => view! {
                        <form method="post" action="/admin/recruits/status">
                        <input type="hidden" name="back" value="/admin/recruits"/>
                        <table>
                            <caption class="visually-hidden">"Recruits, newest first"</caption>
                            <thead><tr><th scope="col"><span class="visually-hidden">"Select"</span></th><th scope="col">"Name"</th><th scope="col">"Status"</th><th scope="col">"Card batch"</th><th scope="col">"Signed up"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|r| view! {
                                    <tr>
                                        <td><input type="checkbox" name="id" value=r.public_id.clone() id=format!("sel-{}", r.public_id)
                                            aria-label=format!("Select {}", r.name)/></td>
                                        <td><a href=format!("/admin/recruits/{}", r.public_id)>{r.name}</a></td>
                                        <td>{r.status}</td>
                                        <td>{r.batch.unwrap_or_else(|| "No card".into())}</td>
                                        <td>{date_of(r.created_at)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <div class="filters">
                            <div class="field"><label for="bulk-status">"Move the selected people to"</label>
                                <select id="bulk-status" name="status">
                                    {super::STATUSES.into_iter().map(|(v, label)| view! { <option value=v>{label}</option> }).collect_view()}
                                </select></div>
                            <button type="submit" class="button">"Change status"</button>
                            <button type="submit" class="button secondary" formaction="/admin/recruits/invite" formmethod="get">"Write an invitation to the selected people"</button>
                        </div>
                        </form>
                        <p><a href=format!("/admin/recruits?status={}&page={}", status_for_link(), page + 1)>"Next page"</a></p>
                    }.into_any(),
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn status_for_link() -> String {
    use_query_map().with_untracked(|q| q.get("status").unwrap_or_default())
}

#[component]
pub fn RecruitPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let detail = Resource::new(id, get_recruit);
    let tick_error = use_query_map().with_untracked(|q| q.get("error")).is_some();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(Some(r)) => {
                        let export = format!("/admin/recruits/{}/export.json", r.public_id);
                        let eq = r.equality.clone();
                        view! {
                            <Title text=format!("{} – recruit – scrutiny", r.name)/>
                            <h1>{r.name.clone()}</h1>
                            <dl class="summary">
                                <dt>"Status"</dt><dd>{r.status.clone()}</dd>
                                <dt>"Email"</dt><dd>{r.email.clone().unwrap_or_else(|| "–".into())}</dd>
                                <dt>"Phone"</dt><dd>{r.phone.clone().unwrap_or_else(|| "–".into())}</dd>
                                <dt>"Contact by"</dt><dd>{r.contact_method.clone()}</dd>
                                <dt>"Age band"</dt><dd>{r.age_band.clone()}</dd>
                                <dt>"Lives, works or studies in the area"</dt><dd>{r.area_connection.clone()}</dd>
                                <dt>"Postcode"</dt><dd>{r.postcode.clone().unwrap_or_else(|| "–".into())}</dd>
                                <dt>"Language"</dt><dd>{r.language.clone()}</dd>
                                <dt>"Card batch"</dt><dd>{r.batch.clone().unwrap_or_else(|| "No card".into())}</dd>
                                <dt>"Signed up"</dt><dd>{date_of(r.created_at)}</dd>
                                <dt>"Confirmed"</dt><dd>{r.confirmed_at.map(date_of).unwrap_or_else(|| "Not yet".into())}</dd>
                            </dl>
                            <h2>"Equality monitoring"</h2>
                            {match eq {
                                None => view! { <p>"Not given (no consent)."</p> }.into_any(),
                                Some(e) => view! {
                                    <dl class="summary">
                                        <dt>"Ethnic group"</dt><dd>{e.ethnic_detail.or(e.ethnic_group).unwrap_or_else(|| "–".into())}</dd>
                                        <dt>"Described as"</dt><dd>{e.ethnic_other.unwrap_or_else(|| "–".into())}</dd>
                                        <dt>"Gender"</dt><dd>{e.gender.unwrap_or_else(|| "–".into())}</dd>
                                        <dt>"Disability"</dt><dd>{e.disability.unwrap_or_else(|| "–".into())}</dd>
                                    </dl>
                                }.into_any(),
                            }}
                            <h2>"Pipeline"</h2>
                            <form method="post" action="/admin/recruits/status" class="filters">
                                <input type="hidden" name="id" value=r.public_id.clone()/>
                                <input type="hidden" name="back" value=format!("/admin/recruits/{}", r.public_id)/>
                                <div class="field"><label for="status">"Status"</label>
                                    <select id="status" name="status">
                                        {super::STATUSES.into_iter().map(|(v, label)| view! { <option value=v selected=v == r.status>{label}</option> }).collect_view()}
                                    </select></div>
                                <button type="submit" class="button">"Save status"</button>
                            </form>
                            <form method="post" action=format!("/admin/recruits/{}/note", r.public_id)>
                                <div class="field"><label for="note">"Add a note"</label>
                                    <textarea id="note" name="note" rows="3"></textarea></div>
                                <button type="submit" class="button">"Add note"</button>
                            </form>
                            <h3>"Timeline"</h3>
                            <ol class="timeline">
                                <li>{format!("{} – signed up", date_of(r.created_at))}</li>
                                {r.timeline.clone().into_iter().map(|(at, actor, kind, detail)| view! {
                                    <li>{format!("{} – {} – {}: {}", date_of(at), actor, if kind == "note" { "note" } else { "status" }, detail)}</li>
                                }).collect_view()}
                            </ol>
                            <h3>"Emails"</h3>
                            <table>
                                <caption class="visually-hidden">"Emails to this person"</caption>
                                <thead><tr><th scope="col">"Queued"</th><th scope="col">"Kind"</th><th scope="col">"Delivery"</th></tr></thead>
                                <tbody>
                                    {r.emails.clone().into_iter().map(|(kind, status, at)| view! {
                                        <tr><td>{date_of(at)}</td>
                                            <td>{if kind == "confirm" { "Confirmation".to_string() } else { "Message".to_string() }}</td>
                                            <td>{match status.as_str() { "sent" => "Sent", "failed" => "Failed (gave up)", _ => "Waiting to send" }}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>"Subject access"</h2>
                            <p><a href=export>"Download everything held about this person (JSON)"</a></p>
                            <h2>"Erase this person"</h2>
                            <p>"Deletes their contact details, answers and emails everywhere. Only anonymous counts remain. This cannot be undone."</p>
                            <form method="post" action=EraseRecruit::url()>
                                <input type="hidden" name="public_id" value=r.public_id.clone()/>
                                <div class=if tick_error { "field field-error" } else { "field" }>
                                    {tick_error.then(|| view! { <p class="error-message" id="confirm-error">"Tick the box to confirm"</p> })}
                                    <input type="checkbox" id="confirm" name="confirm" value="yes"/>
                                    <label for="confirm" class="inline">"I understand this permanently erases this person's data"</label>
                                </div>
                                <button type="submit" class="button button-warning">"Erase"</button>
                            </form>
                        }.into_any()
                    }
                    Ok(None) => {
                        crate::app::set_response_status(404);
                        view! { <h1>"Not found"</h1><p>"This person may have been erased. "<a href="/admin/recruits">"All recruits"</a></p> }.into_any()
                    }
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let q = use_query_map();
    let ids = q.with_untracked(|q| q.get_all("id").unwrap_or_default());
    let error = q.with_untracked(|q| q.get("error"));
    let count = ids.len();
    view! {
        <Title text="Write an invitation – scrutiny"/>
        <h1>"Write an invitation"</h1>
        {error.map(|e| view! { <div class="error-summary" role="alert"><h2>"There is a problem"</h2><p>{match e.as_str() {
            "none" => "Select at least one person on the recruits page",
            "subject" => "Enter a subject of 150 characters or fewer, on one line",
            _ => "Enter a message of 5,000 characters or fewer",
        }}</p></div> })}
        <p>{format!("To {count} selected people. People without an email address are skipped; every email includes a link to leave the list.")}</p>
        <form method="post" action="/admin/recruits/invite" novalidate>
            {ids.into_iter().map(|id| view! { <input type="hidden" name="id" value=id/> }).collect_view()}
            <div class="field"><label for="subject">"Subject"</label>
                <input type="text" id="subject" name="subject" value="Community scrutiny panel: next meeting"/></div>
            <div class="field"><label for="message">"Message"</label>
                <p class="hint" id="message-hint">"Say when and where the meeting is, and how to reply."</p>
                <textarea id="message" name="message" rows="8" aria-describedby="message-hint"></textarea></div>
            <button type="submit" class="button">"Send invitation"</button>
        </form>
    }
}
