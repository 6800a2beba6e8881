//! The wording printed on cards, per language: the default is each language's
//! `cardprint.*` text; a force can replace the heading, the body and the invitation
//! for any language in the `settings` table (`card.<lang>.heading`,
//! `card.<lang>.body` — paragraphs separated by blank lines — and
//! `card.<lang>.invitation`).
use super::print::{split_paragraphs, CardLanguage, CardText};
use crate::{domain::CardLanguages, error::AppError, i18n::Lang, settings::repo as settings, state::AppState};

/// The parts a force can change, as named in the settings keys.
pub const PARTS: [&str; 3] = ["heading", "body", "invitation"];

pub fn key(lang: Lang, part: &str) -> String {
    format!("card.{}.{part}", lang.code())
}

/// One language's wording: the force's own where set, the default otherwise.
pub async fn card_language(state: &AppState, lang: Lang) -> Result<CardLanguage, AppError> {
    let mut l = CardLanguage::default_for(lang, &state.settings.force_name);
    if let Some(h) = settings::get(&state.db, &key(lang, "heading")).await? {
        l.heading = h;
    }
    if let Some(body) = settings::get(&state.db, &key(lang, "body")).await? {
        // The force's own text is printed whatever else shares the card (never swapped
        // for the default shorter text); if it cannot fit, making the batch says so.
        l.body = split_paragraphs(&body);
        l.short_body = l.body.clone();
    }
    if let Some(i) = settings::get(&state.db, &key(lang, "invitation")).await? {
        l.invitation = i;
    }
    Ok(l)
}

pub async fn card_text(state: &AppState, langs: &CardLanguages) -> Result<CardText, AppError> {
    let mut languages = Vec::new();
    for &lang in langs.langs() {
        languages.push(card_language(state, lang).await?);
    }
    Ok(CardText { force_name: state.settings.force_name.clone(), languages })
}

/// The languages a new batch gets when none are chosen.
pub fn default_languages(state: &AppState) -> CardLanguages {
    CardLanguages::default_for(state.settings.default_language)
}
