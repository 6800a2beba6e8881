//! The dashboard shell, `<App/>` and its route table. Public pages are not here:
//! they are plain server-rendered pages (see `public`).
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    auth::{AccountPage, AuditPage, UsersPage},
    cards::{BatchDetailPage, BatchListPage, NewBatchPage},
    demographics::ImportsPage,
    health::HealthPanel,
    insight::InsightPage,
    meetings::{MeetingPage, MeetingsPage},
    panels::{PanelPage, PanelsPage},
    recruits::{CallBackPage, InvitePage, RecruitPage, RecruitsPage},
};

/// The least role each dashboard page below needs (axum's path syntax). The access check
/// refuses a page that is missing here, and the route-enumeration test fails for it.
pub const PAGE_ROLES: &[(&str, crate::roles::Role)] = {
    use crate::roles::Role::*;
    &[
        ("/admin", Viewer),
        ("/admin/cards", Coordinator),
        ("/admin/cards/new", Coordinator),
        ("/admin/cards/{id}", Coordinator),
        ("/admin/insight", Viewer),
        ("/admin/imports", Coordinator),
        ("/admin/recruits", Coordinator),
        ("/admin/recruits/invite", Coordinator),
        ("/admin/recruits/call-back", Coordinator),
        ("/admin/recruits/{id}", Coordinator),
        ("/admin/panels", Coordinator),
        ("/admin/panels/{slug}", Chair),
        ("/admin/meetings", Chair),
        ("/admin/meetings/{id}", Chair),
        ("/admin/users", Admin),
        ("/admin/audit", Admin),
        ("/admin/account", Viewer),
    ]
};

/// The HTML document around every dashboard page. Only here are hydration scripts
/// emitted, and only for islands.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    leptos::nonce::provide_nonce();
    let nonce = leptos::nonce::use_nonce().map(|n| n.as_inner().to_string()).unwrap_or_default();
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::header::CONTENT_SECURITY_POLICY,
            http::HeaderValue::from_str(&crate::security::dashboard_csp(&nonce)).expect("nonce is url-safe base64"),
        );
    }
    let css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // No favicon request: one fewer round trip, no 404.
                <link rel="icon" href="data:,"/>
                <HydrationScripts options islands=true/>
                <link rel="stylesheet" href=css/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <header class="masthead">
                <a href="/admin" class="brand">"Scrutiny panel dashboard"</a>
                <DashboardNav/>
                <SignedIn/>
            </header>
            <main id="main" class="page">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/admin") view=AdminHome ssr=SsrMode::Async/>
                    <Route path=path!("/admin/cards") view=BatchListPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/cards/new") view=NewBatchPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/cards/:id") view=BatchDetailPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/insight") view=InsightPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/imports") view=ImportsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/recruits") view=RecruitsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/recruits/invite") view=InvitePage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/recruits/call-back") view=CallBackPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/recruits/:id") view=RecruitPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/panels") view=PanelsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/panels/:slug") view=PanelPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/meetings") view=MeetingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/meetings/:id") view=MeetingPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/account") view=AccountPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// Links for what the signed-in user's role allows.
#[component]
fn DashboardNav() -> impl IntoView {
    use crate::roles::{CurrentUser, Role};
    let role = use_context::<CurrentUser>().map(|u| u.role);
    let at_least = move |r: Role| role.is_some_and(|have| have >= r);
    view! {
        <nav aria-label="Dashboard">
            {at_least(Role::Viewer).then(|| view! { <a href="/admin/insight">"Insight"</a> })}
            {at_least(Role::Chair).then(|| view! { <a href="/admin/meetings">"Meetings"</a> })}
            {at_least(Role::Coordinator).then(|| view! { <a href="/admin/panels">"Panels"</a><a href="/admin/recruits">"Recruits"</a><a href="/admin/recruits/call-back">"Waiting for a call"</a><a href="/admin/cards">"Card batches"</a><a href="/admin/imports">"Search data"</a> })}
            {at_least(Role::Admin).then(|| view! { <a href="/admin/users">"Users"</a><a href="/admin/audit">"Audit log"</a> })}
            {role.is_some().then(|| view! { <a href="/admin/account">"Your account"</a> })}
        </nav>
    }
}

/// Who is signed in, with a sign-out button (a form: works with JavaScript off).
#[component]
fn SignedIn() -> impl IntoView {
    let user = use_context::<crate::roles::CurrentUser>();
    user.map(|u| {
        view! {
            <form method="post" action="/admin/logout" class="signed-in">
                <span>{u.email}" ("{u.role.code()}")"</span>
                <button type="submit" class="link-button">"Sign out"</button>
            </form>
        }
    })
}

#[component]
fn AdminHome() -> impl IntoView {
    // Coordinators land on what needs doing; everyone sees where the numbers are.
    let coordinator =
        use_context::<crate::roles::CurrentUser>().is_some_and(|u| u.role >= crate::roles::Role::Coordinator);
    let todo = coordinator.then(|| Resource::new(|| (), |_| crate::recruits::api::to_do()));
    // Coordinators and chairs: what the panels' meetings left to follow up.
    let runs_meetings = use_context::<crate::roles::CurrentUser>().is_some_and(|u| u.role >= crate::roles::Role::Chair);
    let meetings = runs_meetings.then(|| Resource::new(|| (), |_| crate::meetings::api::list_meetings(None)));
    view! {
        <Title text="Dashboard – Scrutiny panel"/>
        <h1>"Dashboard"</h1>
        {todo.map(|todo| view! {
            <h2>"What needs doing"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    todo.await.ok().map(|t| view! {
                        <ul class="todo">
                            <li><a href="/admin/recruits/call-back">{format!("{} waiting for a call", t.waiting_for_call)}</a></li>
                            <li><a href="/admin/recruits?status=confirmed">{format!("{} confirmed and not yet contacted", t.to_contact)}</a></li>
                            <li><a href="/admin/recruits?sort=newest">{format!("{} signed up in the last 7 days", t.new_this_week)}</a></li>
                        </ul>
                    })
                })}
            </Suspense>
        })}
        {meetings.map(|meetings| view! {
            <h2>"Meetings"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    meetings.await.ok().map(|m| view! {
                        <ul class="todo">
                            <li><a href="/admin/meetings#attention">{format!("{} red ratings or overdue actions to follow up", m.attention.len())}</a></li>
                            <li><a href="/admin/meetings#schedule">"Schedule a meeting"</a></li>
                        </ul>
                    })
                })}
            </Suspense>
        })}
        <p>"The funnel, the panel's make-up against the people searched, and search rates are under "<a href="/admin/insight">"Insight"</a>"."</p>
        <h2>"System"</h2>
        <HealthPanel/>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    crate::respond::set_response_status(404);
    view! {
        <Title text="Page not found – Scrutiny panel"/>
        <h1>"Page not found"</h1>
        <p>"Check the address, or go back to the " <a href="/admin">"dashboard"</a> "."</p>
    }
}
