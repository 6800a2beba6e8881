//! Before the questions: the landing page a card opens, what people worry about before
//! joining, and the pages for cards that cannot be used (each still offers to join).
use axum::response::IntoResponse;
use leptos::prelude::*;

use super::message;
use crate::{
    cards::Card,
    i18n::{t, tf, Lang},
    public::PublicPage,
};

/// What people worry about before joining: vetting, costs, who runs the panel.
pub fn before_you_join(lang: Lang, facts: crate::config::PanelFacts) -> impl IntoView {
    view! {
        <h2>{t(lang, "landing.join_title")}</h2>
        <ul>
            <li>{t(lang, "landing.vetting")}</li>
            <li>{t(lang, if facts.expenses_paid { "landing.expenses_paid" } else { "landing.expenses_none" })}</li>
            <li>{t(lang, if facts.run_by_panel { "landing.run_by_panel" } else { "landing.run_by_pcc" })}</li>
        </ul>
    }
}

/// The landing page without its body (filled in from `scan::LandingPages`).
pub fn landing(lang: Lang, force: &str, start: &str, facts: crate::config::PanelFacts) -> PublicPage {
    let start = format!("{start}?lang={}", lang.code());
    PublicPage::new(
        lang,
        t(lang, "landing.title"),
        view! {
            <h1>{t(lang, "landing.title")}</h1>
            <p class="lead">{tf(lang, "landing.given_by", &[("force", force)])}</p>
            <h2>{t(lang, "landing.what_title")}</h2>
            <p>{t(lang, "landing.what")}</p>
            <h2>{t(lang, "landing.commit_title")}</h2>
            <ul>
                <li>{t(lang, "landing.commit_meetings")}</li>
                <li>{t(lang, "landing.commit_training")}</li>
                <li>{t(lang, "landing.commit_review")}</li>
            </ul>
            <p>{t(lang, "landing.independent")}</p>
            {before_you_join(lang, facts)}
            <h2>{t(lang, "landing.data_title")}</h2>
            <p>{t(lang, "landing.data")}</p>
            <p><a href=format!("/privacy?lang={}", lang.code())>{t(lang, "privacy.title")}</a></p>
            <p><a class="button start" href=start>{t(lang, "landing.start")}</a></p>
            <p>{t(lang, "landing.time")}</p>
            <p><a href=format!("/rights?lang={}", lang.code())>{t(lang, "rights.link")}</a></p>
        },
    )
}

/// A card that cannot be used: explain, then offer the journey without a card.
pub fn join_anyway(lang: Lang, title_key: &'static str, text_key: &'static str) -> PublicPage {
    PublicPage::new(
        lang,
        t(lang, title_key),
        view! {
            <h1>{t(lang, title_key)}</h1>
            <p>{t(lang, text_key)}</p>
            <p><a class="button" href=format!("/join?lang={}", lang.code())>{t(lang, "home.join")}</a></p>
        },
    )
}

/// An unknown card: a box to type the code as printed (a mistyped address is the usual
/// cause), and the way to join without a card.
pub fn unknown_card(lang: Lang) -> PublicPage {
    PublicPage::new(
        lang,
        t(lang, "card.unknown_title"),
        view! {
            <h1>{t(lang, "card.unknown_title")}</h1>
            <p>{t(lang, "card.unknown")}</p>
            <form method="get" action="/card">
                <input type="hidden" name="lang" value=lang.code()/>
                <div class="field">
                    <label for="code">{t(lang, "card.type_code")}</label>
                    <p class="hint" id="code-hint">{t(lang, "card.type_code_hint")}</p>
                    <input type="text" id="code" name="code" class="w-half" dir="ltr" autocomplete="off" autocapitalize="characters"
                        spellcheck="false" aria-describedby="code-hint"/>
                </div>
                <button type="submit" class="button">{t(lang, "form.continue")}</button>
            </form>
            <p>{t(lang, "card.still_join")}</p>
            <p><a href=format!("/join?lang={}", lang.code())>{t(lang, "home.join")}</a></p>
        },
    )
}

/// Unknown (404) or void/expired (410) card: say so kindly, and still offer to join.
pub fn card_problem_page(lang: Lang, card: &Card) -> axum::response::Response {
    let (title, text, status) = match card {
        Card::Unknown => return unknown_card(lang).with_status(http::StatusCode::NOT_FOUND).into_response(),
        Card::Throttled => {
            return message(lang, "card.too_many_title", &["card.too_many"])
                .with_status(http::StatusCode::TOO_MANY_REQUESTS)
                .into_response()
        }
        _ => ("card.void_title", "card.void", http::StatusCode::GONE),
    };
    join_anyway(lang, title, text).with_status(status).into_response()
}
