//! Information pages: start page, privacy notice, rights after a stop and search.
use axum::{
    extract::{Query, State},
    http::HeaderMap,
};
use leptos::prelude::*;

use crate::{
    i18n::{t, tf},
    public::{request_lang, LangQuery, PublicPage},
    state::AppState,
};

fn paragraphs(texts: Vec<String>) -> impl IntoView {
    texts.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()
}

/// `GET /`: what this site is, for anyone who arrives without a card.
pub async fn home(State(state): State<AppState>, Query(q): Query<LangQuery>, headers: HeaderMap) -> PublicPage {
    let (lang, chosen) = request_lang(q.lang.as_deref(), &headers, state.settings.default_language);
    let force = state.settings.force_name.clone();
    let page = PublicPage::new(
        lang,
        t(lang, "home.title"),
        view! {
            <h1>{t(lang, "home.title")}</h1>
            <p>{tf(lang, "home.intro", &[("force", &force)])}</p>
            <p>{t(lang, "home.card")}</p>
            {crate::signup::before_you_join(lang, state.settings.panel)}
            <p><a class="button" href=format!("/join?lang={}", lang.code())>{t(lang, "home.join")}</a></p>
        },
    );
    if chosen {
        page.remember_lang()
    } else {
        page
    }
}

/// `GET /privacy`: the privacy notice.
pub async fn privacy(State(state): State<AppState>, Query(q): Query<LangQuery>, headers: HeaderMap) -> PublicPage {
    let (lang, chosen) = request_lang(q.lang.as_deref(), &headers, state.settings.default_language);
    let force = state.settings.force_name.clone();
    let email = state.settings.panel_email.clone();
    let args = [("force", force.as_str()), ("email", email.as_str())];
    let section = |title: &'static str, body: &'static str| {
        let title = t(lang, title);
        let body = tf(lang, body, &args);
        view! { <h2>{title}</h2><p>{body}</p> }
    };
    let page = PublicPage::new(
        lang,
        t(lang, "privacy.title"),
        view! {
            <h1>{t(lang, "privacy.title")}</h1>
            {paragraphs(vec![tf(lang, "privacy.intro", &args)])}
            {section("privacy.controller_title", "privacy.controller")}
            {section("privacy.purpose_title", "privacy.purpose")}
            {section("privacy.basis_title", "privacy.basis")}
            {section("privacy.equality_title", "privacy.equality")}
            {section("privacy.retention_title", "privacy.retention")}
            {section("privacy.card_title", "privacy.card")}
            {section("privacy.rights_title", "privacy.rights")}
            {section("privacy.contact_title", "privacy.contact")}
        },
    );
    if chosen {
        page.remember_lang()
    } else {
        page
    }
}

/// `GET /rights`: what a person is entitled to after a stop and search.
pub async fn rights(State(state): State<AppState>, Query(q): Query<LangQuery>, headers: HeaderMap) -> PublicPage {
    let (lang, chosen) = request_lang(q.lang.as_deref(), &headers, state.settings.default_language);
    let items = ["rights.g", "rights.o", "rights.w", "rights.i", "rights.s", "rights.e", "rights.l", "rights.y"];
    let page = PublicPage::new(
        lang,
        t(lang, "rights.title"),
        view! {
            <h1>{t(lang, "rights.title")}</h1>
            <p>{t(lang, "rights.intro")}</p>
            <ul>{items.into_iter().map(|k| view! { <li>{t(lang, k)}</li> }).collect_view()}</ul>
            <h2>{t(lang, "rights.record_title")}</h2>
            <p>{t(lang, "rights.record")}</p>
            <h2>{t(lang, "rights.complain_title")}</h2>
            <p>{t(lang, "rights.complain")}</p>
        },
    );
    if chosen {
        page.remember_lang()
    } else {
        page
    }
}

/// When this version of the accessibility statement was written and tested; a force
/// that reviews it again sets `SCRUTINY_ACCESSIBILITY_REVIEWED`.
pub const ACCESSIBILITY_PREPARED: &str = "2026-11-30";

/// `GET /accessibility`: the accessibility statement (Public Sector Bodies (Websites and
/// Mobile Applications) (No. 2) Accessibility Regulations 2018, regulation 8), following
/// the GOV.UK model statement.
pub async fn accessibility(
    State(state): State<AppState>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> PublicPage {
    let (lang, chosen) = request_lang(q.lang.as_deref(), &headers, state.settings.default_language);
    let force = state.settings.force_name.clone();
    let email = state.settings.panel_email.clone();
    let reviewed = state.settings.accessibility_reviewed.clone().unwrap_or_else(|| ACCESSIBILITY_PREPARED.into());
    let args = [("force", force.as_str()), ("email", email.as_str()), ("date", reviewed.as_str())];
    let section = |title: &'static str, body: &'static str| {
        let title = t(lang, title);
        let body = tf(lang, body, &args);
        view! { <h2>{title}</h2><p>{body}</p> }
    };
    let page = PublicPage::new(
        lang,
        t(lang, "a11y.title"),
        view! {
            <h1>{t(lang, "a11y.title")}</h1>
            <p>{tf(lang, "a11y.intro", &args)}</p>
            {section("a11y.status_title", "a11y.status")}
            <h2>{t(lang, "a11y.issues_title")}</h2>
            <ul><li>{t(lang, "a11y.issue_card")}</li><li>{t(lang, "a11y.issue_translation")}</li></ul>
            {section("a11y.format_title", "a11y.format")}
            {section("a11y.report_title", "a11y.report")}
            {section("a11y.enforcement_title", "a11y.enforcement")}
            {section("a11y.testing_title", "a11y.testing")}
            <p>{tf(lang, "a11y.reviewed", &args)}</p>
        },
    );
    if chosen {
        page.remember_lang()
    } else {
        page
    }
}

/// The public information pages.
pub fn routes() -> Vec<crate::routes::Route> {
    use crate::routes::Route;
    use axum::routing::get;
    vec![
        Route::public("/", get(home)),
        Route::public("/privacy", get(privacy)),
        Route::public("/rights", get(rights)),
        Route::public("/accessibility", get(accessibility)),
    ]
}
