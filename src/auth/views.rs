//! Dashboard pages: users (admins), your account, the audit log (admins).
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::ui::ErrorSummary;

use super::api::{list_audit, list_users, AddUser, ChangePassword, SetEqualityAccess, SetUserDisabled};

fn date_time(unix: i64) -> String {
    let at = crate::domain::utc_of_unix(unix);
    format!("{} {:02}:{:02} UTC", crate::domain::ExpiryDate::of_unix(unix), at.hour(), at.minute())
}

/// "Done" and "problem" messages passed back by the form handlers.
#[component]
fn Outcome() -> impl IntoView {
    let q = use_query_map();
    let error = q.with_untracked(|q| q.get("error"));
    let done = q.with_untracked(|q| q.get("done"));
    view! {
        {error.map(|e| view! { <ErrorSummary messages=vec![e] focus=true/> })}
        {done.map(|d| view! { <p class="notice" role="status">{d}</p> })}
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users());
    let q = use_query_map();
    let email = q.with_untracked(|q| q.get("email").unwrap_or_default());
    view! {
        <Title text="Users – Scrutiny panel"/>
        <h1>"Users"</h1>
        <Outcome/>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => view! {
                        <table tabindex="0">
                            <caption class="visually-hidden">"Dashboard users"</caption>
                            <thead><tr><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Added"</th><th scope="col">"Status"</th><th scope="col">"Equality data"</th><th scope="col"><span class="visually-hidden">"Action"</span></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| {
                                    let label = if u.disabled { "Enable" } else { "Disable" };
                                    let sr = format!(" {}", u.email);
                                    view! {
                                        <tr>
                                            <td>{u.email.clone()}</td>
                                            <td>{u.role.clone()}</td>
                                            <td>{date_time(u.created_at)}</td>
                                            <td>{if u.disabled { "Disabled" } else { "Active" }}</td>
                                            <td>
                                                {if u.equality_access { "Can see" } else { "Counts only" }}
                                                {(u.role != "viewer" || u.equality_access).then(|| view! {
                                                    " "
                                                    <form method="post" action=SetEqualityAccess::url() class="inline">
                                                        <input type="hidden" name="email" value=u.email.clone()/>
                                                        <input type="hidden" name="on" value=(!u.equality_access).to_string()/>
                                                        <button type="submit" class="link-button dark">
                                                            {if u.equality_access { "Withdraw" } else { "Give access" }}
                                                            <span class="visually-hidden">{format!(" to equality data for {}", u.email)}</span>
                                                        </button>
                                                    </form>
                                                })}
                                            </td>
                                            <td>
                                                <form method="post" action=SetUserDisabled::url()>
                                                    <input type="hidden" name="email" value=u.email.clone()/>
                                                    <input type="hidden" name="disabled" value=(!u.disabled).to_string()/>
                                                    <button type="submit" class="link-button dark">{label}<span class="visually-hidden">{sr}</span></button>
                                                </form>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <h2>"Add a user"</h2>
        <form method="post" action=AddUser::url() novalidate>
            <div class="field"><label for="email">"Email address"</label>
                <input type="text" id="email" name="email" value=email autocomplete="off" spellcheck="false"/></div>
            <div class="field"><label for="role">"Role"</label>
                <p class="hint" id="role-hint">"Admin: users and settings. Coordinator: recruits and cards. Chair: one panel’s meetings, ratings and actions. Viewer: aggregate dashboards only."</p>
                <select id="role" name="role" aria-describedby="role-hint">
                    <option value="viewer">"Viewer"</option>
                    <option value="chair">"Chair"</option>
                    <option value="coordinator">"Coordinator"</option>
                    <option value="admin">"Admin"</option>
                </select></div>
            <div class="field"><label for="panel">"Panel (chairs only)"</label>
                <p class="hint" id="panel-hint">"The short name of the panel a chair chairs, for example youth. Leave blank for other roles."</p>
                <input type="text" id="panel" name="panel" aria-describedby="panel-hint" autocomplete="off" spellcheck="false"/></div>
            <div class="field"><label for="password">"First password"</label>
                <p class="hint" id="password-hint">"At least 12 characters. Give it to them securely; they can change it under Your account."</p>
                <input type="password" id="password" name="password" autocomplete="new-password" aria-describedby="password-hint"/></div>
            <button type="submit" class="button">"Add user"</button>
        </form>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let user = use_context::<crate::roles::CurrentUser>();
    view! {
        <Title text="Your account – Scrutiny panel"/>
        <h1>"Your account"</h1>
        {user.map(|u| view! { <p>"Signed in as "<strong>{u.email}</strong>" ("{u.role.code()}")."</p> })}
        <Outcome/>
        <h2>"Change your password"</h2>
        <form method="post" action=ChangePassword::url() novalidate>
            <div class="field"><label for="current">"Current password"</label>
                <input type="password" id="current" name="current" autocomplete="current-password"/></div>
            <div class="field"><label for="new">"New password"</label>
                <p class="hint" id="new-hint">"At least 12 characters. A few unrelated words make a strong password."</p>
                <input type="password" id="new" name="new" autocomplete="new-password" aria-describedby="new-hint"/></div>
            <div class="field"><label for="confirm">"New password again"</label>
                <input type="password" id="confirm" name="confirm" autocomplete="new-password"/></div>
            <button type="submit" class="button">"Change password"</button>
        </form>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let q = use_query_map();
    let actor = q.with_untracked(|q| q.get("actor").unwrap_or_default());
    let action = q.with_untracked(|q| q.get("action").unwrap_or_default());
    let (a, b) = (actor.clone(), action.clone());
    let entries = Resource::new(move || (a.clone(), b.clone()), |(a, b)| list_audit(a, b));
    view! {
        <Title text="Audit log – Scrutiny panel"/>
        <h1>"Audit log"</h1>
        <p>"Who did what, and when. Entries cannot be changed or deleted. The newest 500 matching entries are shown."</p>
        <form method="get" action="/admin/audit" class="filters">
            <div class="field"><label for="actor">"Who (email contains)"</label>
                <input type="text" id="actor" name="actor" value=actor/></div>
            <div class="field"><label for="action">"Action"</label>
                <select id="action" name="action">
                    <option value="" selected=action.is_empty()>"Any"</option>
                    {crate::labels::AUDIT_ACTIONS
                        .iter()
                        .map(|(code, words)| view! { <option value=*code selected=*code == action>{*words}</option> })
                        .collect_view()}
                </select></div>
            <button type="submit" class="button">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(list) => view! {
                        <table tabindex="0">
                            <caption class="visually-hidden">"Audit entries, newest first"</caption>
                            <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"About"</th><th scope="col">"Details"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|e| view! {
                                    <tr><td>{date_time(e.at)}</td><td>{e.actor}</td><td>{crate::labels::audit_action(&e.action)}</td>
                                        <td>{e.subject.unwrap_or_default()}</td><td>{e.details.unwrap_or_default()}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
