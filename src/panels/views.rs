//! Dashboard pages for panels: the list (with a form to add one) and a panel's page (its
//! settings, members' records, what falls due, target composition).
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    api::{list_panels, load_panel, AddTraining, PanelView, SaveMember, SavePanel, SaveTargets},
    Member, Panel,
};
use crate::{
    domain::{MemberRole, PanelKind, VettingStatus},
    ui::{ErrorSummary, Field},
};

const PANEL_FIELDS: [&str; 7] = ["slug", "name", "kind", "area", "min_age", "term_limit_months", "safeguarding_lead"];

#[component]
pub fn PanelsPage() -> impl IntoView {
    let panels = Resource::new(|| (), |_| list_panels());
    view! {
        <Title text="Panels – Scrutiny panel"/>
        <h1>"Panels"</h1>
        <p>"Each card batch and each recruit belongs to one panel. People who join without a card can be sent to a panel with an address like "<code>"/join?panel=youth"</code>"."</p>
        <Suspense fallback=|| view! { <p>"Loading panels…"</p> }>
            {move || Suspend::new(async move {
                match panels.await {
                    Ok(list) => view! {
                        <table tabindex="0">
                            <caption class="visually-hidden">"Panels"</caption>
                            <thead><tr><th scope="col">"Panel"</th><th scope="col">"Short name"</th><th scope="col">"Kind"</th><th scope="col">"Area"</th><th scope="col">"Meetings"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|p| view! {
                                    <tr>
                                        <td><a href=format!("/admin/panels/{}", p.slug)>{p.name.clone()}</a></td>
                                        <td><code>{p.slug.clone()}</code></td>
                                        <td>{p.kind.label()}</td>
                                        <td>{p.area.clone().unwrap_or_default()}</td>
                                        <td><a href=format!("/admin/panels/{}/meetings", p.slug)>"Meetings"<span class="visually-hidden">{format!(" of {}", p.name)}</span></a></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <h2 id="panel-form">"Add a panel"</h2>
        <PanelForm panel=None/>
    }
}

/// The form to add a panel (`panel` None) or change one; after an error it shows what was
/// typed, from the address.
#[component]
fn PanelForm(panel: Option<Panel>) -> impl IntoView {
    let query = use_query_map();
    let typed = query.with_untracked(|q| PANEL_FIELDS.iter().any(|f| q.get(&format!("err_{f}")).is_some()));
    let value = move |key: &str, saved: String| {
        if typed {
            query.with_untracked(|q| q.get(key).unwrap_or_default())
        } else {
            saved
        }
    };
    let err = move |key: &str| query.with_untracked(|q| q.get(&format!("err_{key}")).unwrap_or_default());
    let errors: Vec<(String, String)> = PANEL_FIELDS
        .iter()
        .filter_map(|f| {
            let e = err(f);
            (!e.is_empty()).then(|| (e, format!("#{f}")))
        })
        .collect();
    let p = panel.clone();
    let get = move |f: fn(&Panel) -> String| p.as_ref().map(f).unwrap_or_default();
    let kind_now = value("kind", get(|p| p.kind.code().to_string()));
    let public = panel.as_ref().is_some_and(|p| p.reports_public);
    view! {
        {(!errors.is_empty()).then(|| view! { <ErrorSummary focus=true links=errors/> })}
        <form method="post" action=SavePanel::url() novalidate>
            <input type="hidden" name="id" value=panel.as_ref().map(|p| p.id.to_string()).unwrap_or_default()/>
            <Field name="name" label="Name" hint="For example “Youth scrutiny panel”." value=value("name", get(|p| p.name.clone())) error=err("name")/>
            <Field name="slug" label="Short name" hint="Letters a to z, digits and hyphens, used in addresses: /join?panel=youth."
                value=value("slug", get(|p| p.slug.clone())) error=err("slug")/>
            <div class=if err("kind").is_empty() { "field" } else { "field field-error" }>
                <label for="kind">"Kind"</label>
                <select id="kind" name="kind">
                    {PanelKind::ALL.iter().map(|k| view! {
                        <option value=k.code() selected=kind_now == k.code()>{k.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <Field name="area" label="Area (optional)" hint="The district it covers." value=value("area", get(|p| p.area.clone().unwrap_or_default())) error=err("area")/>
            <Field name="min_age" label="Minimum age (optional)" hint="16 or 18. Blank: the force’s usual minimum age."
                value=value("min_age", get(|p| p.min_age.map(|m| m.to_string()).unwrap_or_default())) error=err("min_age")/>
            <Field name="term_limit_months" label="Term limit in months (optional)" hint="The longest term a member may serve, for example 36."
                value=value("term_limit_months", get(|p| p.term_limit_months.map(|m| m.to_string()).unwrap_or_default())) error=err("term_limit_months")/>
            <Field name="safeguarding_lead" label="Safeguarding lead (optional)" hint="The named person responsible for members under 18."
                value=value("safeguarding_lead", get(|p| p.safeguarding_lead.clone().unwrap_or_default())) error=err("safeguarding_lead")/>
            <div class="checkbox">
                <input type="checkbox" id="reports_public" name="reports_public" value="on" checked=public/>
                <label for="reports_public">"Publish this panel’s reports at /panels/<short name>/reports"</label>
            </div>
            <button type="submit" class="button">{if panel.is_some() { "Save panel" } else { "Add panel" }}</button>
        </form>
    }
}

#[component]
pub fn PanelPage() -> impl IntoView {
    let params = use_params_map();
    let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    let view_data = Resource::new(move || slug.clone(), load_panel);
    let query = use_query_map();
    let saved = query.with_untracked(|q| q.get("saved").is_some());
    view! {
        <Suspense fallback=|| view! { <p>"Loading the panel…"</p> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(v) => view! { <PanelBody v=v saved=saved/> }.into_any(),
                    Err(e) => view! {
                        <Title text="Panel – Scrutiny panel"/>
                        <h1>"Panel"</h1>
                        <p class="error-message">{e.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PanelBody(v: PanelView, saved: bool) -> impl IntoView {
    let PanelView { panel, members, due, targets, can_edit } = v;
    let slug = panel.slug.clone();
    let under_18 = members.iter().filter(|m| m.under_18).count();
    view! {
        <Title text=format!("{} – Scrutiny panel", panel.name)/>
        <h1>{panel.name.clone()}</h1>
        {saved.then(|| view! { <div class="notice" role="status"><p>"Saved."</p></div> })}
        <p>{panel.kind.label()}{panel.area.clone().map(|a| format!(", {a}"))}". "
            <a href=format!("/admin/panels/{slug}/meetings")>"Meetings, samples and reports"</a>
            {can_edit.then(|| view! { " · "<a href=format!("/admin/recruits?panel={slug}")>"Recruits for this panel"</a> })}</p>
        {(under_18 > 0).then(|| view! {
            <p class="notice">{format!("{under_18} member(s) joined under 18. Safeguarding lead: {}.",
                panel.safeguarding_lead.clone().unwrap_or_else(|| "not named yet".into()))}</p>
        })}
        <h2 id="due">"Due in the next 60 days"</h2>
        {if due.is_empty() {
            view! { <p>"Nothing: no vetting, training or term ends within 60 days."</p> }.into_any()
        } else {
            view! {
                <table tabindex="0">
                    <caption class="visually-hidden">"Vetting, training and terms due soon"</caption>
                    <thead><tr><th scope="col">"Member"</th><th scope="col">"What"</th><th scope="col">"When"</th></tr></thead>
                    <tbody>{due.into_iter().map(|d| view! {
                        <tr><td><a href=format!("#member-{}", d.recruit_id)>{d.name}</a></td><td>{d.what}</td>
                            <td>{if d.overdue { format!("{} (overdue)", d.on) } else { d.on }}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            }.into_any()
        }}
        <h2 id="members">{format!("Members ({})", members.len())}</h2>
        {if members.is_empty() {
            view! { <p>"No members yet. A recruit whose status is set to “Member” appears here."</p> }.into_any()
        } else {
            view! { <div>{members.into_iter().map(|m| view! { <MemberCard m=m slug=slug.clone() can_edit=can_edit/> }).collect_view()}</div> }.into_any()
        }}
        <Targets slug=slug.clone() targets=targets can_edit=can_edit/>
        {can_edit.then(|| view! {
            <h2 id="panel-form">"Change the panel"</h2>
            <PanelForm panel=Some(panel)/>
        })}
    }
}

#[component]
fn MemberCard(m: Member, slug: String, can_edit: bool) -> impl IntoView {
    let query = use_query_map();
    let mine = query.with_untracked(|q| q.get("member").as_deref() == Some(&m.recruit_id.to_string()));
    let err = move |k: &str| if mine { query.with_untracked(|q| q.get(k).unwrap_or_default()) } else { String::new() };
    let id = m.recruit_id;
    let r = m.record.clone();
    let attendance = match m.attendance_percent() {
        Some(p) => format!("{p}% ({} of {} meetings)", m.attended, m.meetings),
        None => "no meetings recorded yet".into(),
    };
    let fid = move |f: &str| format!("{f}-{id}");
    view! {
        <section class="member" id=format!("member-{id}") aria-labelledby=format!("member-{id}-name")>
            <h3 id=format!("member-{id}-name")>{m.name.clone()}{m.under_18.then_some(" (joined under 18)")}</h3>
            <p>{r.role.label()}", attendance "{attendance}"."
                {m.record.vetting_status.map(|v| format!(" Vetting: {}.", v.label()))}</p>
            {(!m.training.is_empty()).then(|| view! {
                <ul>{m.training.iter().map(|t| view! {
                    <li>{format!("{}, taken {}{}", t.course, t.taken_on, t.expires_on.as_ref().map(|e| format!(", expires {e}")).unwrap_or_default())}</li>
                }).collect_view()}</ul>
            })}
            // Type-erased: this form nested in the members' list overflows rustc's query
            // depth when the wasm build computes the hydration future's layout.
            {can_edit.then(|| view! {
                <details open=mine>
                    <summary>"Change "{m.name.clone()}"’s record"</summary>
                    {(!err("err_member").is_empty()).then(|| view! { <ErrorSummary messages=vec![err("err_member")]/> })}
                    <form method="post" action=SaveMember::url() novalidate>
                        <input type="hidden" name="slug" value=slug.clone()/>
                        <input type="hidden" name="recruit_id" value=id.to_string()/>
                        <div class="field"><label for=fid("role")>"Role"</label>
                            <select id=fid("role") name="role">{MemberRole::ALL.iter().map(|x| view! {
                                <option value=x.code() selected=*x == r.role>{x.label()}</option>
                            }).collect_view()}</select></div>
                        <Field name="term_start" id=fid("term_start") kind="date" label="Term starts" value=r.term_start.clone().unwrap_or_default()/>
                        <Field name="term_end" id=fid("term_end") kind="date" label="Term ends" value=r.term_end.clone().unwrap_or_default()/>
                        <Field name="vetting_level" id=fid("vetting_level") label="Vetting level" hint="For example NPPV2. Only the level and status are kept, never what vetting found." value=r.vetting_level.clone().unwrap_or_default()/>
                        <div class="field"><label for=fid("vetting_status")>"Vetting status"</label>
                            <select id=fid("vetting_status") name="vetting_status">
                                <option value="">"Not recorded"</option>
                                {VettingStatus::ALL.iter().map(|x| view! {
                                    <option value=x.code() selected=Some(*x) == r.vetting_status>{x.label()}</option>
                                }).collect_view()}
                            </select></div>
                        <Field name="vetting_expires" id=fid("vetting_expires") kind="date" label="Vetting expires" value=r.vetting_expires.clone().unwrap_or_default()/>
                        <Field name="confidentiality_on" id=fid("confidentiality_on") kind="date" label="Confidentiality agreement signed on" value=r.confidentiality_on.clone().unwrap_or_default()/>
                        <button type="submit" class="button">"Save record"</button>
                    </form>
                    <h4>"Add a training course"</h4>
                    {(!err("err_training").is_empty()).then(|| view! { <ErrorSummary messages=vec![err("err_training")]/> })}
                    <form method="post" action=AddTraining::url() novalidate>
                        <input type="hidden" name="slug" value=slug.clone()/>
                        <input type="hidden" name="recruit_id" value=id.to_string()/>
                        <Field name="course" id=fid("course") label="Course" value=""/>
                        <Field name="taken_on" id=fid("taken_on") kind="date" label="Taken on" value=""/>
                        <Field name="expires_on" id=fid("expires_on") kind="date" label="Expires on (optional)" value=""/>
                        <button type="submit" class="button secondary">"Add course"</button>
                    </form>
                </details>
            }.into_any())}
        </section>
    }
}

#[component]
fn Targets(slug: String, targets: Vec<(String, i64)>, can_edit: bool) -> impl IntoView {
    let query = use_query_map();
    let error = query.with_untracked(|q| q.get("err_targets").unwrap_or_default());
    let groups = [
        ("white", "White"),
        ("mixed", "Mixed or multiple"),
        ("asian", "Asian"),
        ("black", "Black"),
        ("other", "Other"),
    ];
    let saved_value = |g: &str| {
        targets.iter().find(|(x, _)| x == g).map(|(_, pm)| format!("{}", *pm as f64 / 10.0)).unwrap_or_default()
    };
    view! {
        <h2 id="targets">"Target make-up"</h2>
        <p>"The share of the panel each ethnic group should make up, for example the share of people searched. The insight page shows progress against it."</p>
        {(!error.is_empty()).then(|| view! { <ErrorSummary messages=vec![error.clone()]/> })}
        {if can_edit {
            view! {
                <form method="post" action=SaveTargets::url() novalidate>
                    <input type="hidden" name="slug" value=slug/>
                    {groups.into_iter().map(|(g, label)| {
                        let typed = query.with_untracked(|q| q.get(&format!("t_{g}")));
                        let v = typed.unwrap_or_else(|| saved_value(g));
                        view! {
                            <div class="field"><label for=format!("target-{g}")>{format!("{label} (%)")}</label>
                                <input type="text" inputmode="decimal" id=format!("target-{g}") name=g value=v/></div>
                        }
                    }).collect_view()}
                    <button type="submit" class="button secondary">"Save targets"</button>
                    " "
                    <button type="submit" class="button secondary" name="from_searched" value="yes">"Use the share of people searched"</button>
                </form>
            }.into_any()
        } else {
            view! { <ul>{groups.into_iter().map(|(g, label)| view! { <li>{format!("{label}: {}", match saved_value(g).as_str() { "" => "no target".to_string(), v => format!("{v}%") })}</li> }).collect_view()}</ul> }.into_any()
        }}
    }
}
