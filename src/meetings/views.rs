//! Dashboard pages for meetings: the list (with what needs attention and a form to
//! schedule one) and a meeting's page, where the panel's work is recorded. Rendered on the
//! server; every form posts without JavaScript.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    api::{
        list_meetings, load_meeting, AddAction, DrawMeetingSample, InviteMembers, MeetingsView, PublishMeeting,
        RateCase, SaveMinutes, ScheduleMeeting, UpdateAction,
    },
    Case, MeetingDetail,
};
use crate::{
    domain::{ActionStatus, Attendance, Rating, Theme},
    ui::{ErrorSummary, Field},
};

fn q(key: &str) -> String {
    use_query_map().with_untracked(|q| q.get(key).unwrap_or_default())
}

#[component]
pub fn MeetingsPage() -> impl IntoView {
    let panel = use_query_map().with_untracked(|q| q.get("panel"));
    let data = Resource::new(move || panel.clone(), list_meetings);
    view! {
        <Title text="Meetings – Scrutiny panel"/>
        <h1>"Meetings"</h1>
        <Suspense fallback=|| view! { <p>"Loading meetings…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <MeetingsBody v=v/> }.into_any(),
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MeetingsBody(v: MeetingsView) -> impl IntoView {
    let MeetingsView { meetings, panels, attention } = v;
    let errors: Vec<(String, String)> = ["panel", "starts_at", "place", "online_link", "agenda"]
        .into_iter()
        .filter_map(|f| {
            let e = q(&format!("err_{f}"));
            (!e.is_empty()).then(|| (e, format!("#{f}")))
        })
        .collect();
    let chosen = q("panel");
    view! {
        {(!attention.is_empty()).then(|| view! {
            <h2 id="attention">"Needs attention"</h2>
            <ul>{attention.into_iter().map(|a| view! {
                <li><a href=format!("/admin/meetings/{}", a.meeting_id)>{format!("{}, {}", a.panel_name, a.when)}</a>{format!(": {}", a.what)}</li>
            }).collect_view()}</ul>
        })}
        <h2>"Meetings"</h2>
        {
            let mut years: Vec<(String, String, String)> = meetings.iter().map(|m| (m.panel_slug.clone(), m.panel_name.clone(), m.starts_at.get(..4).unwrap_or("").to_string())).collect();
            years.sort();
            years.dedup();
            (!years.is_empty()).then(|| view! {
                <p>"Each year’s report: "{years.into_iter().map(|(slug, name, year)| view! {
                    <a href=format!("/admin/panels/{slug}/year/{year}")>{format!("{name} {year}")}</a>" "
                }).collect_view()}</p>
            })
        }
        {if meetings.is_empty() {
            view! { <p>"No meetings yet."</p> }.into_any()
        } else {
            view! {
                <table tabindex="0">
                    <caption class="visually-hidden">"Meetings, latest first"</caption>
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Panel"</th><th scope="col">"Where"</th><th scope="col" class="num">"Cases rated"</th><th scope="col">"Report"</th></tr></thead>
                    <tbody>{meetings.into_iter().map(|m| view! {
                        <tr>
                            <td><a href=format!("/admin/meetings/{}", m.id)>{m.when.clone()}</a></td>
                            <td>{m.panel_name.clone()}</td>
                            <td>{m.place.clone().or(m.online_link.clone().map(|_| "Online".into())).unwrap_or_default()}</td>
                            <td class="num">{format!("{} of {}", m.rated, m.cases)}</td>
                            <td>{if m.published { "Published" } else { "Not published" }}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            }.into_any()
        }}
        <h2 id="schedule">"Schedule a meeting"</h2>
        {(!errors.is_empty()).then(|| view! { <ErrorSummary focus=true links=errors/> })}
        {if panels.is_empty() {
            view! { <p>"You do not run any panel’s meetings."</p> }.into_any()
        } else {
            view! {
                <form method="post" action=ScheduleMeeting::url() novalidate>
                    <div class=if q("err_panel").is_empty() { "field" } else { "field field-error" }>
                        <label for="panel">"Panel"</label>
                        <select id="panel" name="panel">{panels.into_iter().map(|p| {
                            let sel = p.slug == chosen;
                            view! { <option value=p.slug.clone() selected=sel>{p.name.clone()}</option> }
                        }).collect_view()}</select>
                    </div>
                    <Field name="starts_at" kind="datetime-local" label="Date and time" hint="Local time, for example 2027-03-30T18:30." value=q("starts_at") error=q("err_starts_at")/>
                    <Field name="place" label="Place" hint="The address or room. Leave blank for an online meeting." value=q("place") error=q("err_place")/>
                    <Field name="online_link" kind="url" label="Online link (optional)" value=q("online_link") error=q("err_online_link")/>
                    <Field name="agenda" kind="textarea" label="Agenda (optional)" value=q("agenda") error=q("err_agenda")/>
                    <button type="submit" class="button">"Schedule meeting"</button>
                </form>
            }.into_any()
        }}
    }
}

#[component]
pub fn MeetingPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(move || id, load_meeting);
    view! {
        <Suspense fallback=|| view! { <p>"Loading the meeting…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <MeetingBody d=d/> }.into_any(),
                    Err(e) => view! {
                        <Title text="Meeting – Scrutiny panel"/>
                        <h1>"Meeting"</h1>
                        <p class="error-message">{e.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MeetingBody(d: MeetingDetail) -> impl IntoView {
    let MeetingDetail { meeting, agenda, minutes, sample, cases, actions, attendance, forces } = d;
    let id = meeting.id;
    let saved = q("saved");
    let n_cases = cases.len();
    view! {
        <Title text=format!("{}, {} – Scrutiny panel", meeting.panel_name, meeting.when)/>
        <h1>{format!("{}: {}", meeting.panel_name, meeting.when)}</h1>
        {(!saved.is_empty()).then(|| view! { <div class="notice" role="status"><p>"Saved."</p></div> })}
        <p>{meeting.place.clone().unwrap_or_default()}
            {meeting.online_link.clone().map(|l| view! { " "<a href=l.clone() rel="noopener noreferrer">"Online link"</a> })}</p>
        {agenda.map(|a| view! { <h2>"Agenda"</h2><p class="preserve-lines">{a}</p> })}

        <h2 id="sample">"Cases to scrutinise"</h2>
        {match sample.clone() {
            Some(s) => view! {
                <p>{format!("{} searches drawn at random from {} by {} from {} to {}{}, seed “{}”. Anyone can draw the same sample with:",
                    n_cases, s.candidates, s.force, s.from, s.to,
                    {
                        let all: Vec<String> = s.only.iter().cloned().chain(s.narrow.iter().map(|(k, v)| format!("{k} “{v}”"))).collect();
                        if all.is_empty() { String::new() } else { format!(" (only {})", all.join(", ")) }
                    }, s.seed)}</p>
                <pre><code>{s.command()}</code></pre>
                <p><a href=format!("/admin/meetings/{id}/request-list.csv")>"Download the request list for the force (CSV)"</a></p>
            }.into_any(),
            None => view! { <p>"No sample drawn yet. Draw one below: the force then brings the records and footage of those searches."</p> }.into_any(),
        }}
        {(!cases.iter().any(|c| c.rating.is_some())).then(|| view! { <SampleForm id=id forces=forces.clone()/> })}
        <div id="cases">{cases.into_iter().map(|c| view! { <CaseCard id=id c=c/> }).collect_view()}</div>

        <h2 id="actions">"Actions raised with the force"</h2>
        {actions.into_iter().map(|a| {
            let aid = a.id;
            let mine = q("action") == aid.to_string();
            view! {
                <section class="action" id=format!("action-{aid}") aria-labelledby=format!("action-{aid}-h")>
                    <h3 id=format!("action-{aid}-h")>{a.text.clone()}</h3>
                    <p>{format!("Owner: {}. Due: {}. {}{}", a.owner, a.due_on.clone().unwrap_or_else(|| "no date".into()), a.status.label(),
                        a.case_position.map(|p| format!(". About case {p}")).unwrap_or_default())}
                        {a.overdue.then(|| view! { <strong>" Overdue."</strong> })}</p>
                    {a.reply.clone().map(|r| view! { <p class="preserve-lines">{format!("Reply ({}): {r}", a.replied_on.clone().unwrap_or_default())}</p> })}
                    {(mine && !q("err_update").is_empty()).then(|| view! { <ErrorSummary messages=vec![q("err_update")]/> })}
                    <details>
                        <summary>"Record the force’s reply"</summary>
                        <form method="post" action=UpdateAction::url() novalidate>
                            <input type="hidden" name="id" value=id.to_string()/>
                            <input type="hidden" name="action_id" value=aid.to_string()/>
                            <div class="field"><label for=format!("status-{aid}")>"Status"</label>
                                <select id=format!("status-{aid}") name="status">{ActionStatus::ALL.iter().map(|s| view! {
                                    <option value=s.code() selected=*s == a.status>{s.label()}</option>
                                }).collect_view()}</select></div>
                            <Field name="reply" id=format!("reply-{aid}") kind="textarea" label="The force’s reply" value=a.reply.clone().unwrap_or_default()/>
                            <Field name="replied_on" id=format!("replied-{aid}") kind="date" label="Replied on" value=a.replied_on.clone().unwrap_or_default()/>
                            <button type="submit" class="button secondary">"Save reply"</button>
                        </form>
                    </details>
                </section>
            }
        }).collect_view()}
        <h3 id="new-action">"Raise an action"</h3>
        {(!q("err_action").is_empty()).then(|| view! { <ErrorSummary messages=vec![q("err_action")]/> })}
        <form method="post" action=AddAction::url() novalidate>
            <input type="hidden" name="id" value=id.to_string()/>
            <Field name="text" label="Action" hint="What the panel asks the force to do." value=q("text")/>
            <Field name="owner" label="Owner at the force" value=q("owner")/>
            <Field name="due_on" kind="date" label="Due by (optional)" value=q("due_on")/>
            <Field name="case_position" label="About case number (optional)" value=q("case_position")/>
            <button type="submit" class="button secondary">"Raise action"</button>
        </form>

        <h2 id="attendance">"Invitations and attendance"</h2>
        {(!q("invited").is_empty()).then(|| view! { <div class="notice" role="status"><p>{format!("{} member(s) invited.", q("invited"))}</p></div> })}
        <form method="post" action=InviteMembers::url()>
            <input type="hidden" name="id" value=id.to_string()/>
            <p class="hint">"Each member who has not been invited yet gets an invitation in their language: by email with a calendar file, or by text message if that is how they asked to be contacted."</p>
            <button type="submit" class="button secondary">"Invite members"</button>
        </form>
        {if attendance.is_empty() {
            view! { <p>"The panel has no members yet."</p> }.into_any()
        } else {
            view! {
                <form method="post" action=format!("/admin/meetings/{id}/attendance")>
                    {attendance.into_iter().map(|a| {
                        let name = format!("a-{}", a.recruit_id);
                        view! {
                            <fieldset class="attendance">
                                <legend>{a.name.clone()}</legend>
                                <div class="radios inline">
                                    {[Attendance::Present, Attendance::Absent, Attendance::Excused].into_iter().map(|s| {
                                        let rid = format!("{name}-{}", s.code());
                                        view! {
                                            <div class="radio">
                                                <input type="radio" id=rid.clone() name=name.clone() value=s.code() checked=a.status == Some(s)/>
                                                <label for=rid>{s.label()}</label>
                                            </div>
                                        }
                                    }).collect_view()}
                                </div>
                            </fieldset>
                        }
                    }).collect_view()}
                    <button type="submit" class="button secondary">"Save attendance"</button>
                </form>
            }.into_any()
        }}

        <h2 id="minutes">"Minutes"</h2>
        {(!q("err_minutes").is_empty()).then(|| view! { <ErrorSummary messages=vec![q("err_minutes")]/> })}
        <form method="post" action=SaveMinutes::url() novalidate>
            <input type="hidden" name="id" value=id.to_string()/>
            <Field name="minutes" id="minutes-text" kind="textarea" label="Minutes" value=if q("err_minutes").is_empty() { minutes.unwrap_or_default() } else { q("minutes") } error=q("err_minutes")/>
            <button type="submit" class="button secondary">"Save minutes"</button>
        </form>

        <h2 id="publish">"Report"</h2>
        <p><a href=format!("/admin/meetings/{id}/report")>"Read the report"</a>" · "<a href=format!("/admin/meetings/{id}/report.csv")>"Download it as CSV"</a></p>
        <form method="post" action=PublishMeeting::url()>
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="publish" value=if meeting.published { "no" } else { "yes" }/>
            <p>{if meeting.published { "The report is published (on the panel’s public page when the panel publishes its reports)." } else { "The report is not published." }}</p>
            <button type="submit" class="button secondary">{if meeting.published { "Take the report back" } else { "Publish the report" }}</button>
        </form>
    }
}

#[component]
fn SampleForm(id: i64, forces: Vec<String>) -> impl IntoView {
    let errors: Vec<(String, String)> =
        ["force", "from", "to", "size", "seed", "search_type", "legislation", "outcome", "ethnic_group"]
            .into_iter()
            .filter_map(|f| {
                let e = q(&format!("err_{f}"));
                (!e.is_empty()).then(|| (e, format!("#{f}")))
            })
            .collect();
    let only: Vec<String> = use_query_map().with_untracked(|q| q.get_all("only")).unwrap_or_default();
    let chosen = q("force");
    let size = match q("size") {
        s if s.is_empty() => "10".to_string(),
        s => s,
    };
    view! {
        <h3>"Draw the sample"</h3>
        {(!errors.is_empty()).then(|| view! { <ErrorSummary links=errors/> })}
        {if forces.is_empty() {
            view! { <p>"No searches are imported yet: import the force’s data.police.uk files under "<a href="/admin/imports">"Search data"</a>" first."</p> }.into_any()
        } else {
            view! {
                <form method="post" action=DrawMeetingSample::url() novalidate>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class=if q("err_force").is_empty() { "field" } else { "field field-error" }>
                        <label for="force">"Force"</label>
                        <select id="force" name="force">{forces.into_iter().map(|f| {
                            let sel = f == chosen;
                            view! { <option value=f.clone() selected=sel>{f.clone()}</option> }
                        }).collect_view()}</select>
                    </div>
                    <Field name="from" label="First month" hint="YYYY-MM, for example 2024-01." value=q("from") error=q("err_from")/>
                    <Field name="to" label="Last month" hint="YYYY-MM." value=q("to") error=q("err_to")/>
                    <Field name="size" label="Number of cases" hint="1 to 1,000." value=size error=q("err_size")/>
                    <Field name="seed" label="Seed" hint="Any text, for example the meeting’s date or a number rolled at the meeting. The same seed always draws the same searches." value=q("seed") error=q("err_seed")/>
                    <div class=if q("err_search_type").is_empty() { "field" } else { "field field-error" }>
                        <label for="search_type">"Type of search (optional)"</label>
                        <select id="search_type" name="search_type">
                            {["", "Person search", "Person and Vehicle search", "Vehicle search"].into_iter().map(|t| {
                                let sel = q("search_type") == t;
                                view! { <option value=t selected=sel>{if t.is_empty() { "Any" } else { t }}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <Field name="legislation" label="Legislation contains (optional)" hint="For example “misuse of drugs” or “section 60”." value=q("legislation") error=q("err_legislation")/>
                    <Field name="outcome" label="Outcome contains (optional)" hint="For example “arrest” or “community resolution”." value=q("outcome") error=q("err_outcome")/>
                    <div class=if q("err_ethnic_group").is_empty() { "field" } else { "field field-error" }>
                        <label for="ethnic_group">"Ethnic group (optional)"</label>
                        <select id="ethnic_group" name="ethnic_group">
                            {[("", "Any"), ("white", "White (self-defined)"), ("mixed", "Mixed (self-defined)"), ("asian", "Asian (self-defined)"),
                              ("black", "Black (self-defined)"), ("other", "Other (self-defined)"), ("officer:white", "White (officer-defined)"),
                              ("officer:mixed", "Mixed (officer-defined)"), ("officer:asian", "Asian (officer-defined)"),
                              ("officer:black", "Black (officer-defined)"), ("officer:other", "Other (officer-defined)")]
                                .into_iter().map(|(v, label)| {
                                    let sel = q("ethnic_group") == v;
                                    view! { <option value=v selected=sel>{label}</option> }
                                }).collect_view()}
                        </select>
                    </div>
                    <fieldset>
                        <legend>"Only searches that (optional)"</legend>
                        <div class="checkboxes">
                            {[("strip_search", "strip-search", "Removed more than outer clothing"), ("under_18", "under-18", "Were of someone under 18"),
                              ("section_60", "section-60", "Used Section 60"), ("no_further_action", "no-further-action", "Ended with no further action")]
                                .into_iter().map(|(name, code, label)| view! {
                                    <div class="checkbox">
                                        <input type="checkbox" id=name name=name value="on" checked=only.iter().any(|o| o == code)/>
                                        <label for=name>{label}</label>
                                    </div>
                                }).collect_view()}
                        </div>
                    </fieldset>
                    <button type="submit" class="button">"Draw sample"</button>
                </form>
            }.into_any()
        }}
    }
}

#[component]
fn CaseCard(id: i64, c: Case) -> impl IntoView {
    let pos = c.position;
    let mine = q("case") == pos.to_string();
    let error = if mine { q("err_rating") } else { String::new() };
    let reasons = if mine { q("reasons") } else { c.reasons.clone().unwrap_or_default() };
    // After a mistake, what was chosen in the form, not what is saved.
    let (rating, themes) = if mine {
        let themes = use_query_map().with_untracked(|q| q.get_all("theme")).unwrap_or_default();
        (
            Rating::parse(&q("rating")).ok(),
            Theme::ALL.iter().copied().filter(|t| themes.iter().any(|x| x == t.code())).collect(),
        )
    } else {
        (c.rating, c.themes.clone())
    };
    let summary = format!(
        "{} on {}: {} (outcome: {})",
        c.field("Type"),
        c.field("Date").get(..16).unwrap_or(c.field("Date")).replace('T', " "),
        match c.field("Object of search") {
            "" => "object not recorded",
            o => o,
        },
        match c.field("Outcome") {
            "" => "not recorded",
            o => o,
        }
    );
    let fid = move |f: &str| format!("{f}-{pos}");
    view! {
        <section class="case" id=format!("case-{pos}") aria-labelledby=format!("case-{pos}-h")>
            <h3 id=format!("case-{pos}-h")>{format!("Case {pos}")}{c.rating.map(|r| format!(": {}", r.label()))}</h3>
            <p>{summary}</p>
            <details>
                <summary>"Every field as published"</summary>
                <dl>{c.fields.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{if v.is_empty() { "–".to_string() } else { v.clone() }}</dd> }).collect_view()}</dl>
            </details>
            {(!error.is_empty()).then(|| view! { <ErrorSummary messages=vec![error.clone()]/> })}
            <form method="post" action=RateCase::url() novalidate>
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="position" value=pos.to_string()/>
                <fieldset id=fid("rating")>
                    <legend>"Rating"</legend>
                    <div class="radios">{Rating::ALL.iter().map(|r| {
                        let rid = fid(&format!("rating-{}", r.code()));
                        view! {
                            <div class="radio">
                                <input type="radio" id=rid.clone() name="rating" value=r.code() checked=rating == Some(*r)/>
                                <label for=rid>{r.label()}</label>
                            </div>
                        }
                    }).collect_view()}</div>
                </fieldset>
                <fieldset>
                    <legend>"Themes"</legend>
                    <div class="checkboxes">{Theme::ALL.iter().map(|t| {
                        let name = t.code().replace('-', "_");
                        let tid = fid(t.code());
                        view! {
                            <div class="checkbox">
                                <input type="checkbox" id=tid.clone() name=name value="on" checked=themes.contains(t)/>
                                <label for=tid>{t.label()}</label>
                            </div>
                        }
                    }).collect_view()}</div>
                </fieldset>
                <Field name="reasons" id=fid("reasons") kind="textarea" label="Reasons" value=reasons/>
                <button type="submit" class="button secondary">{format!("Save rating for case {pos}")}</button>
            </form>
        </section>
    }
}
