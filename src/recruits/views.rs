//! Recruit pages for coordinators.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    api::{get_recruit, list_call_back, list_recruits, EraseRecruit},
    filter::{RecruitFilter, MAX_PAGE, PAGE_SIZE, SORTS},
};
use crate::{domain::AgeBand, ui::ErrorSummary};

fn date_of(unix: i64) -> String {
    crate::domain::ExpiryDate::of_unix(unix).to_string()
}

fn field_class(problems: &[(&'static str, String)], name: &str) -> &'static str {
    if problems.iter().any(|(f, _)| *f == name) {
        "field field-error"
    } else {
        "field"
    }
}

fn field_error(problems: &[(&'static str, String)], name: &str) -> Option<impl IntoView> {
    problems.iter().find(|(f, _)| *f == name).map(|(f, m)| {
        view! { <p class="error-message" id=format!("{f}-error")><span class="visually-hidden">"Error: "</span>{m.clone()}</p> }
    })
}

fn status_label(code: &str) -> String {
    crate::labels::status(code)
}

#[component]
pub fn RecruitsPage() -> impl IntoView {
    let q = use_query_map();
    let filter = q.with_untracked(|q| RecruitFilter::from_query(|k| q.get(k)));
    let problems = filter.problems();
    let erased = q.with_untracked(|q| q.get("done")).is_some();
    let changed = q.with_untracked(|q| q.get("changed"));
    let invited = q.with_untracked(|q| q.get("invited"));
    let without_email = q.with_untracked(|q| q.get("without_email")).unwrap_or_default();
    let problem = q.with_untracked(|q| q.get("error"));
    let f = filter.clone();
    let rows = Resource::new(move || f.clone(), list_recruits);
    let f = filter.clone();
    let p = problems.clone();
    let eth_problem: Option<String> = problems.iter().find(|(k, _)| *k == "eth").map(|(_, m)| m.clone());
    let valid = filter.valid();
    let back = format!("/admin/recruits?{}", valid.query_string(valid.page));
    view! {
        <Title text="Recruits – Scrutiny panel"/>
        <h1>"Recruits"</h1>
        {erased.then(|| view! { <p class="notice" role="status">"The person's details have been erased."</p> })}
        {changed.map(|n| view! { <p class="notice" role="status">{format!("Status changed for {n} people.")}</p> })}
        {invited.map(|n| view! { <p class="notice" role="status">{format!("Invitation queued for {n} people ({without_email} selected have no email address).")}</p> })}
        {problem.map(|e| {
            let message = if e == "none" { "Select at least one person" } else { "Choose a status" };
            view! { <ErrorSummary heading=None messages=vec![message.to_string()]/> }
        })}
        {(!problems.is_empty()).then(|| view! {
            <ErrorSummary heading="Some filters were not used" heading_id="filter-problem"
                links={problems.iter().map(|(field, m)| (m.clone(), format!("#{field}"))).collect::<Vec<_>>()}/>
        })}
        <form method="get" action="/admin/recruits" class="filters" role="search" aria-label="Find recruits">
            <div class=field_class(&p, "q")><label for="q">"Search"</label>
                <p class="hint" id="q-hint">"Part of a name, email address, phone number or postcode"</p>
                {field_error(&p, "q")}
                <input type="search" id="q" name="q" value=f.q.clone() maxlength="100" aria-describedby="q-hint"/></div>
            <div class=field_class(&p, "status")><label for="status">"Status"</label>
                {field_error(&p, "status")}
                <select id="status" name="status">
                    <option value="" selected=f.status.is_empty()>"Any"</option>
                    {super::STATUSES.into_iter().map(|(v, label)| view! {
                        <option value=v selected=v == f.status>{label}</option>
                    }).collect_view()}
                </select></div>
            <div class=field_class(&p, "age")><label for="age">"Age band"</label>
                {field_error(&p, "age")}
                <select id="age" name="age">
                    <option value="" selected=f.age.is_empty()>"Any"</option>
                    {AgeBand::ALL.iter().map(|a| { let c = a.code(); view! {
                        <option value=c selected=c == f.age>{crate::labels::age_band(c)}</option>
                    }}).collect_view()}
                </select></div>
            <div class=field_class(&p, "from")><label for="from">"Signed up from"</label>
                {field_error(&p, "from")}
                <input type="date" id="from" name="from" value=f.from.clone()/></div>
            <div class=field_class(&p, "to")><label for="to">"Signed up to"</label>
                {field_error(&p, "to")}
                <input type="date" id="to" name="to" value=f.to.clone()/></div>
            <Suspense fallback=|| ()>
                {move || { let eth_problem = eth_problem.clone(); Suspend::new(async move {
                    let (batches, panels, equality_access) = rows.await.map(|l| (l.batches, l.panels, l.equality_access)).unwrap_or_default();
                    let panel = use_query_map().with_untracked(|q| q.get("panel").unwrap_or_default());
                    let current = use_query_map().with_untracked(|q| q.get("batch").unwrap_or_default());
                    let eth = use_query_map().with_untracked(|q| q.get("eth").unwrap_or_default());
                    view! {
                        // Only users with equality data access can filter by group: a list
                        // filtered by group tells the reader each listed person's group.
                        {equality_access.then(|| view! {
                            <div class=if eth_problem.is_some() { "field field-error" } else { "field" }><label for="eth">"Ethnic group"</label>
                                {eth_problem.clone().map(|m| view! { <p class="error-message">{m}</p> })}
                                <select id="eth" name="eth">
                                    <option value="" selected=eth.is_empty()>"Any"</option>
                                    {[("white", "White"), ("mixed", "Mixed or multiple"), ("asian", "Asian"), ("black", "Black"), ("other", "Other"), ("not_stated", "Not stated")]
                                        .into_iter().map(|(v, label)| view! { <option value=v selected=v == eth>{label}</option> }).collect_view()}
                                </select></div>
                        })}
                        {(!equality_access && !eth.is_empty()).then(|| view! {
                            <p class="notice" role="status">"Filtering by ethnic group needs equality data access (ask an admin): the list is not filtered by group."</p>
                        })}
                        {(panels.len() > 1 || !panel.is_empty()).then(|| view! {
                            <div class="field"><label for="panel">"Panel"</label>
                                <select id="panel" name="panel">
                                    <option value="" selected=panel.is_empty()>"Any"</option>
                                    {panels.into_iter().map(|(slug, name)| { let sel = slug == panel; view! {
                                        <option value=slug selected=sel>{name}</option>
                                    }}).collect_view()}
                                </select></div>
                        })}
                        <div class="field"><label for="batch">"Card batch"</label>
                            <select id="batch" name="batch">
                                <option value="" selected=current.is_empty()>"Any"</option>
                                <option value="none" selected=current == "none">"No card (/join)"</option>
                                {batches.into_iter().map(|(id, label)| { let v = id.to_string(); let sel = v == current; view! {
                                    <option value=v selected=sel>{label}</option>
                                }}).collect_view()}
                            </select></div>
                    }
                })}}
            </Suspense>
            <div class=field_class(&p, "sort")><label for="sort">"Order"</label>
                {field_error(&p, "sort")}
                <select id="sort" name="sort">
                    {SORTS.into_iter().map(|(v, label)| view! {
                        <option value=v selected=v == f.sort || (f.sort.is_empty() && v == "newest")>{label}</option>
                    }).collect_view()}
                </select></div>
            <button type="submit" class="button">"Apply"</button>
            {filter.is_filtered().then(|| view! { <a href="/admin/recruits" class="button secondary">"Clear filters"</a> })}
        </form>
        <details class="export">
            <summary>"Export these recruits to a spreadsheet (CSV)"</summary>
            <form method="get" action="/admin/recruits/export.csv">
                <fieldset><legend>"Columns"</legend>
                    {super::export_columns().into_iter().map(|(c, label)| view! {
                        <div><input type="checkbox" name="col" value=c id=format!("col-{c}") checked=matches!(c, "name" | "email" | "status")/>
                            <label for=format!("col-{c}") class="inline">{label}</label></div>
                    }).collect_view()}
                </fieldset>
                {[("q", valid.q.clone()), ("status", valid.status.clone()), ("batch", valid.batch.clone()), ("panel", valid.panel.clone()), ("from", valid.from.clone()),
                  ("to", valid.to.clone()), ("age", valid.age.clone()), ("eth", valid.eth.clone()), ("sort", valid.sort.clone())]
                    .into_iter().filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| view! { <input type="hidden" name=k value=v/> }).collect_view()}
                <p class="hint">"Exports the recruits that match the filters above. Exports are recorded in the audit log. Equality answers are never exported per person."</p>
                <button type="submit" class="button secondary">"Download CSV"</button>
            </form>
        </details>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let valid = valid.clone();
                let back = back.clone();
                Suspend::new(async move {
                match rows.await {
                    Ok(list) if list.rows.is_empty() => view! {
                        <p role="status">{if valid.is_filtered() { "No recruits match these filters." } else { "No recruits yet." }}</p>
                    }.into_any(),
                    Ok(list) => {
                        let pages = (list.total + PAGE_SIZE - 1) / PAGE_SIZE;
                        let page = valid.page;
                        let first = (page - 1) * PAGE_SIZE + 1;
                        let last = first + list.rows.len() as i64 - 1;
                        view! {
                        <p role="status">{if list.more {
                            format!("More than {} recruits match. Showing {first} to {last}.", thousands(list.total))
                        } else {
                            format!("{} recruits match. Showing {first} to {last}.", list.total)
                        }}</p>
                        <form method="post" action="/admin/recruits/status">
                        <input type="hidden" name="back" value=back/>
                        <table tabindex="0">
                            <caption class="visually-hidden">"Recruits"</caption>
                            <thead><tr><th scope="col"><span class="visually-hidden">"Select"</span></th><th scope="col">"Name"</th><th scope="col">"Status"</th><th scope="col">"Card batch"</th><th scope="col">"Signed up"</th></tr></thead>
                            <tbody>
                                {list.rows.into_iter().map(|r| view! {
                                    <tr>
                                        <td><input type="checkbox" name="id" value=r.public_id.clone() id=format!("sel-{}", r.public_id)
                                            aria-label=format!("Select {}", r.name)/></td>
                                        <td><a href=format!("/admin/recruits/{}", r.public_id)>{r.name}</a></td>
                                        <td>{status_label(r.status.code())}</td>
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
                        <nav class="pagination" aria-label="Pages of recruits">
                            <p>{if list.more { format!("Page {page}") } else { format!("Page {page} of {}", pages.max(1)) }}</p>
                            {(page > 1).then(|| view! { <a rel="prev" href=format!("/admin/recruits?{}", valid.query_string(page - 1))>"Previous page"</a> })}
                            " "
                            {(page < pages || (list.more && last - first + 1 == PAGE_SIZE && page < MAX_PAGE)).then(|| view! { <a rel="next" href=format!("/admin/recruits?{}", valid.query_string(page + 1))>"Next page"</a> })}
                        </nav>
                    }.into_any()
                    }
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}}
        </Suspense>
    }
}

#[component]
pub fn RecruitPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let detail = Resource::new(id, get_recruit);
    let error = use_query_map().with_untracked(|q| q.get("error"));
    let tick_error = error.as_deref() == Some("tick");
    let note_error = error.as_deref() == Some("note");
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(Some(r)) => {
                        let export = format!("/admin/recruits/{}/export.json", r.public_id);
                        let eq = r.equality.clone();
                        view! {
                            <Title text=format!("{} – recruit – Scrutiny panel", r.name)/>
                            <h1>{r.name.clone()}</h1>
                            <dl class="summary">
                                <dt>"Status"</dt><dd>{crate::labels::status(r.status.code())}</dd>
                                <dt>"Email"</dt><dd>{r.email.clone().unwrap_or_else(|| "–".into())}</dd>
                                <dt>"Phone"</dt><dd>{r.phone.clone().unwrap_or_else(|| "–".into())}</dd>
                                <dt>"Contact by"</dt><dd>{crate::labels::contact_method(&r.contact_method)}</dd>
                                <dt>"Age band"</dt><dd>{crate::labels::age_band(&r.age_band)}</dd>
                                <dt>"Lives, works or studies in the area"</dt><dd>{crate::labels::area_connection(&r.area_connection)}</dd>
                                <dt>"Postcode"</dt><dd>{r.postcode.clone().unwrap_or_else(|| "–".into())}</dd>
                                <dt>"Language"</dt><dd>{crate::labels::language(&r.language)}</dd>
                                <dt>"Card batch"</dt><dd>{r.batch.clone().unwrap_or_else(|| "No card".into())}</dd>
                                <dt>"Signed up"</dt><dd>{date_of(r.created_at)}</dd>
                                <dt>"Confirmed"</dt><dd>{r.confirmed_at.map(date_of).unwrap_or_else(|| "Not yet".into())}</dd>
                            </dl>
                            <h2>"Equality monitoring"</h2>
                            {match eq {
                                None if r.equality_hidden => view! {
                                    <p>"Given, with their consent. Equality answers are kept apart from names: they are shown beside a person only to users an admin has given equality data access (each view is in the audit log). Counts by group are on the insight page."</p>
                                }.into_any(),
                                None => view! { <p>"Not given (no consent)."</p> }.into_any(),
                                Some(e) => view! {
                                    <dl class="summary">
                                        <dt>"Ethnic group"</dt><dd>{e.ethnic_detail.or(e.ethnic_group).map(|c| crate::labels::ethnic(&c)).unwrap_or_else(|| "–".into())}</dd>
                                        <dt>"Described as"</dt><dd>{e.ethnic_other.unwrap_or_else(|| "–".into())}</dd>
                                        <dt>"Gender"</dt><dd>{e.gender.map(|c| crate::labels::gender(&c)).unwrap_or_else(|| "–".into())}</dd>
                                        <dt>"Disability"</dt><dd>{e.disability.map(|c| crate::labels::disability(&c)).unwrap_or_else(|| "–".into())}</dd>
                                    </dl>
                                }.into_any(),
                            }}
                            <h2>"Pipeline"</h2>
                            <form method="post" action="/admin/recruits/status" class="filters">
                                <input type="hidden" name="id" value=r.public_id.clone()/>
                                <input type="hidden" name="back" value=format!("/admin/recruits/{}", r.public_id)/>
                                <div class="field"><label for="status">"Status"</label>
                                    <select id="status" name="status">
                                        {super::STATUSES.into_iter().map(|(v, label)| view! { <option value=v selected=v == r.status.code()>{label}</option> }).collect_view()}
                                    </select></div>
                                <button type="submit" class="button">"Save status"</button>
                            </form>
                            <form method="post" action=format!("/admin/recruits/{}/note", r.public_id)>
                                <div class=if note_error { "field field-error" } else { "field" }><label for="note">"Add a note"</label>
                                    {note_error.then(|| view! { <p class="error-message" id="note-error">"Enter a note of up to 2,000 characters, without special control characters"</p> })}
                                    <textarea id="note" name="note" rows="3" aria-describedby=note_error.then_some("note-error")></textarea></div>
                                <button type="submit" class="button">"Add note"</button>
                            </form>
                            <h3>"Timeline"</h3>
                            <ol class="timeline">
                                <li>{format!("{} – signed up", date_of(r.created_at))}</li>
                                {r.timeline.clone().into_iter().map(|(at, actor, kind, detail)| view! {
                                    <li>{format!("{} – {} – {}: {}", date_of(at), actor, if kind == "note" { "note" } else { "status" }, detail)}</li>
                                }).collect_view()}
                            </ol>
                            <h3>"Emails and text messages"</h3>
                            <table tabindex="0">
                                <caption class="visually-hidden">"Emails and text messages to this person"</caption>
                                <thead><tr><th scope="col">"Queued"</th><th scope="col">"Kind"</th><th scope="col">"Delivery"</th></tr></thead>
                                <tbody>
                                    {r.emails.clone().into_iter().map(|(kind, status, at)| view! {
                                        <tr><td>{date_of(at)}</td>
                                            <td>{match kind.as_str() { "confirm" => "Confirmation", "update" => "New answers to confirm", _ => "Message" }}</td>
                                            <td>{match status.as_str() {
                                                "sent" | "accepted" | "sending" => "Sent",
                                                "delivered" => "Delivered",
                                                "permanent-failure" => "Not delivered (the address or number does not exist)",
                                                "temporary-failure" => "Not delivered (phone off or inbox full; Notify gave up)",
                                                "technical-failure" => "Not delivered (a problem at Notify)",
                                                "written-to-file" => "Written to the outbox folder (no mail service: not sent)",
                                                "failed" => "Failed (gave up)",
                                                _ => "Waiting to send",
                                            }}</td></tr>
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
                        crate::respond::set_response_status(404);
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
    let error = q.with_untracked(|q| q.get("error")).unwrap_or_default();
    let error_lang = q.with_untracked(|q| q.get("lang")).and_then(|c| crate::i18n::Lang::parse(&c));
    let count = ids.len();
    let joined = ids.join(",");
    let needs = Resource::new(move || joined.clone(), super::api::invite_languages);
    let error_text = match error.as_str() {
        "" => None,
        "none" => Some("Select at least one person on the recruits page".to_string()),
        "subject" => Some("Enter a subject of 150 characters or fewer, on one line".to_string()),
        "message" => {
            Some("Enter a message of 5,000 characters or fewer, without special control characters".to_string())
        }
        "missing" => Some(format!(
            "Write the message in {} too: people who chose it would otherwise get another language",
            error_lang.map(|l| l.native_name()).unwrap_or("every language")
        )),
        _ => Some(format!(
            "Enter a subject and a message in {}, or leave both empty",
            error_lang.map(|l| l.native_name()).unwrap_or("that language")
        )),
    };
    view! {
        <Title text="Write an invitation – Scrutiny panel"/>
        <h1>"Write an invitation"</h1>
        {error_text.map(|e| view! { <ErrorSummary messages=vec![e]/> })}
        <p>{format!("To {count} selected people, each by the way they chose to be contacted: email, or a text message when they chose the phone and texts can be sent. Every message includes a link to leave the list. You will see the email and the text message, with its length, before anything is sent.")}</p>
        <form method="post" action="/admin/recruits/invite" novalidate>
            {ids.into_iter().map(|id| view! { <input type="hidden" name="id" value=id/> }).collect_view()}
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let needs = match needs.await {
                        Ok(n) => n,
                        Err(e) => return view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                    };
                    let default = crate::i18n::Lang::parse(&needs.default).unwrap_or(crate::i18n::Lang::En);
                    let mut langs: Vec<(crate::i18n::Lang, i64)> = needs
                        .counts
                        .iter()
                        .filter_map(|(c, n)| crate::i18n::Lang::parse(c).map(|l| (l, *n)))
                        .collect();
                    // The force's own language first (it is the one everybody else falls back to).
                    if !langs.iter().any(|(l, _)| *l == default) {
                        langs.insert(0, (default, 0));
                    }
                    langs.sort_by_key(|(l, _)| *l != default);
                    let chosen = langs.iter().filter(|(_, n)| *n > 0).count();
                    let others = langs.len() > 1;
                    view! {
                        {others.then(|| view! {
                            <p>{format!(
                                "The selected people chose {} languages. Write the message in each: everyone gets their own language. {}",
                                chosen,
                                if needs.welsh_force {
                                    "As a Welsh force, nothing is sent until every language is written."
                                } else {
                                    "Anyone whose language you leave empty gets the first version written, and the preview warns you first."
                                }
                            )}</p>
                        })}
                        {langs.into_iter().map(|(lang, n)| {
                            let (subject, message) = if lang == default {
                                ("subject".to_string(), "message".to_string())
                            } else {
                                (format!("subject_{}", lang.code()), format!("message_{}", lang.code()))
                            };
                            let people = match n { 0 => "nobody selected".to_string(), 1 => "1 person".to_string(), n => format!("{n} people") };
                            let hint_id = format!("{message}-hint");
                            let default_subject = (lang == crate::i18n::Lang::En && lang == default).then_some("Community scrutiny panel: next meeting");
                            view! {
                                <fieldset class="field">
                                    <legend>{format!("{} ({people})", lang.native_name())}</legend>
                                    <div class="field"><label for=subject.clone()>"Subject"</label>
                                        <input type="text" id=subject.clone() name=subject value=default_subject lang=lang.html_lang() dir=lang.dir()/></div>
                                    <div class="field"><label for=message.clone()>"Message"</label>
                                        <p class="hint" id=hint_id.clone()>"Say when and where the meeting is, and how to reply."</p>
                                        <textarea id=message.clone() name=message rows="8" aria-describedby=hint_id lang=lang.html_lang() dir=lang.dir()></textarea></div>
                                </fieldset>
                            }
                        }).collect_view()}
                    }.into_any()
                })}
            </Suspense>
            <button type="submit" name="action" value="preview" class="button">"Preview"</button>
        </form>
    }
}

/// People waiting for a call, oldest first: the number, how long they have waited, and
/// buttons to record what happened.
#[component]
pub fn CallBackPage() -> impl IntoView {
    let q = use_query_map();
    let done = q.with_untracked(|q| q.get("done")).is_some();
    let rows = Resource::new(|| (), |_| list_call_back());
    view! {
        <Title text="Waiting for a call – Scrutiny panel"/>
        <h1>"Waiting for a call"</h1>
        <p>"These people gave only a phone number, and no text message could be sent to them. Phone them, oldest first, and record what happened. Nobody here is deleted for not confirming: they never received anything to confirm."</p>
        {done.then(|| view! { <p class="notice" role="status">"Call recorded."</p> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(list) if list.is_empty() => view! { <p>"Nobody is waiting for a call."</p> }.into_any(),
                    Ok(list) => {
                        view! {
                            <table tabindex="0">
                                <caption class="visually-hidden">"People waiting for a call, oldest first"</caption>
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Phone"</th><th scope="col" class="num">"Days waiting"</th>
                                    <th scope="col">"Last call"</th><th scope="col">"Record the call"</th></tr></thead>
                                <tbody>{list.into_iter().map(|c| {
                                    let days = c.days_waiting;
                                    let action = format!("/admin/recruits/{}/call", c.public_id);
                                    view! {
                                        <tr>
                                            <td><a href=format!("/admin/recruits/{}", c.public_id)>{c.name}</a></td>
                                            <td><a href=format!("tel:{}", c.phone) dir="ltr">{c.phone.clone()}</a></td>
                                            <td class="num">{days}</td>
                                            <td>{c.last_call.unwrap_or_else(|| "Not called yet".into())}</td>
                                            <td>
                                                <form method="post" action=action class="inline">
                                                    <button type="submit" name="outcome" value="reached" class="button">"Reached: wants to join"</button>
                                                    " "<button type="submit" name="outcome" value="no_answer" class="button secondary">"No answer"</button>
                                                    " "<button type="submit" name="outcome" value="wrong_number" class="button secondary">"Wrong number"</button>
                                                </form>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// 10000 as "10,000".
fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
