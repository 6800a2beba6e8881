//! The wording printed on cards: a sensible default per force, overridable per force in
//! the `settings` table (`card.front_heading`, `card.front_body` — paragraphs separated
//! by blank lines — and `card.invitation`).
use super::print::CardText;
use crate::{error::AppError, settings::repo as settings, startup::AppState};

pub async fn card_text(state: &AppState) -> Result<CardText, AppError> {
    let mut text = CardText::default_for(&state.settings.force_name);
    if let Some(h) = settings::get(&state.db, "card.front_heading").await? {
        text.front_heading = h;
    }
    if let Some(body) = settings::get(&state.db, "card.front_body").await? {
        text.front_body = body
            .replace("\r\n", "\n")
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect();
    }
    if let Some(i) = settings::get(&state.db, "card.invitation").await? {
        text.invitation = i;
    }
    Ok(text)
}
