//! Server functions for card batches: thin, they parse, call the repo and map errors.
use crate::error::ApiError;
use leptos::prelude::*;

use super::{BatchDetail, BatchSummary};

#[cfg(feature = "ssr")]
use crate::{
    audit,
    roles::{self, Role},
    state::AppState,
};

#[server]
pub async fn list_batches() -> Result<Vec<BatchSummary>, ApiError> {
    roles::require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    Ok(super::repo::list_batches(&state.db).await?)
}

#[server]
pub async fn get_batch(id: i64) -> Result<Option<BatchDetail>, ApiError> {
    roles::require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let Some(batch) = super::repo::get_batch(&state.db, id).await? else {
        return Ok(None);
    };
    let codes = super::repo::batch_codes(&state.db, id).await?;
    Ok(Some(BatchDetail {
        batch,
        sample_codes: codes.into_iter().take(12).map(|c| c.to_string()).collect(),
        base_url: state.base_url.to_string(),
    }))
}

/// Creates a batch from the dashboard form. Works as a plain HTML form post: on bad
/// input it sends the person back to the form with every value they typed and a
/// message per field; on success, to the new batch's page.
#[server]
pub async fn create_batch(
    label: String,
    area: String,
    quantity: String,
    expires_on: String,
    lang_cy: Option<String>,
    lang_en: Option<String>,
    lang_pl: Option<String>,
    lang_ro: Option<String>,
    lang_ar: Option<String>,
    panel: Option<String>,
) -> Result<(), ApiError> {
    use crate::domain::{BatchLabel, BatchQuantity, CardLanguages, ExpiryDate, OptionalArea};
    let user = roles::require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let label_p = BatchLabel::parse(&label);
    let area_p = OptionalArea::parse(&area);
    let quantity_p = BatchQuantity::parse(&quantity);
    let expires_p = ExpiryDate::parse(&expires_on, ExpiryDate::today());
    // The panel the cards' recruits join: as chosen, or the only one there is.
    let panels = crate::panels::list(&state.db).await?;
    let panel_p = match panel.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(slug) => {
            panels.iter().find(|p| p.slug == slug).map(|p| p.id).ok_or("Choose a panel from the list".to_string())
        }
        None if panels.len() == 1 => Ok(panels[0].id),
        None => Err("Choose the panel these cards invite people to".to_string()),
    };
    // Ticked languages in the form's order (Welsh first); none ticked: the force's usual.
    let ticked: Vec<&str> = [("cy", &lang_cy), ("en", &lang_en), ("pl", &lang_pl), ("ro", &lang_ro), ("ar", &lang_ar)]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(code, _)| code)
        .collect();
    let languages_p = match CardLanguages::parse(&ticked.join(","), &super::wording::default_languages(&state)) {
        Ok(langs) => {
            let text = super::wording::card_text(&state, &langs).await?;
            let sample = super::download::card_url(&state.base_url, &crate::domain::CardCode::generate());
            match super::print::check_fit(&text, &sample) {
                Ok(_) => Ok(langs),
                Err(e) if langs.langs().len() > 1 => Err(format!(
                    "The text in {} languages does not fit on one card: choose fewer languages ({e})",
                    langs.langs().len()
                )),
                Err(e) => Err(format!("The card wording cannot be printed: {e}")),
            }
        }
        Err(e) => Err(e),
    };
    match (label_p, area_p, quantity_p, expires_p, languages_p, panel_p) {
        (Ok(label), Ok(area), Ok(quantity), Ok(expires_on), Ok(languages), Ok(panel_id)) => {
            let new = super::repo::NewBatch {
                label,
                area,
                quantity,
                expires_on,
                languages,
                created_by: user.email.clone(),
                panel_id,
            };
            let quantity = new.quantity.get().to_string();
            let id = super::repo::create_batch(&state.db, new).await?;
            audit::record(&state.db, &user.email, "batch_created", Some(&format!("batch:{id}")), Some(&quantity))
                .await?;
            leptos_axum::redirect(&format!("/admin/cards/{id}"));
            Ok(())
        }
        (l, a, q, e, langs, p) => {
            let mut query: Vec<(&str, String)> = vec![
                ("label", label.clone()),
                ("area", area.clone()),
                ("quantity", quantity.clone()),
                ("expires_on", expires_on.clone()),
                ("panel", panel.clone().unwrap_or_default()),
            ];
            for code in &ticked {
                query.push(("lang", code.to_string()));
            }
            if let Err(m) = l {
                query.push(("err_label", m));
            }
            if let Err(m) = a {
                query.push(("err_area", m));
            }
            if let Err(m) = q {
                query.push(("err_quantity", m));
            }
            if let Err(m) = e {
                query.push(("err_expires_on", m));
            }
            if let Err(m) = langs {
                query.push(("err_languages", m));
            }
            if let Err(m) = p {
                query.push(("err_panel", m));
            }
            let qs = serde_urlencoded::to_string(&query).unwrap_or_default();
            leptos_axum::redirect(&format!("/admin/cards/new?{qs}"));
            Ok(())
        }
    }
}

/// Voids a batch: its cards then lead to a page that still explains how to join.
#[server]
pub async fn void_batch(id: i64, confirm: Option<String>) -> Result<(), ApiError> {
    let user = roles::require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    // One click only asks: "Are you sure?" (cards in people's pockets stop working).
    if confirm.as_deref() != Some("yes") {
        leptos_axum::redirect(&format!("/admin/cards/{id}?void=ask#void"));
        return Ok(());
    }
    if super::repo::void_batch(&state.db, id).await? {
        super::forget_batch(&state, id);
        audit::record(&state.db, &user.email, "batch_voided", Some(&format!("batch:{id}")), None).await?;
    }
    leptos_axum::redirect(&format!("/admin/cards/{id}?voided=1"));
    Ok(())
}

/// The least role each server function here needs, declared beside them: the access
/// check refuses any server function missing from such a table before it runs (each
/// also checks again inside).
#[cfg(feature = "ssr")]
pub const SERVER_FN_ROLES: &[(&str, crate::roles::Role)] = &[
    (<ListBatches as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<GetBatch as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<CreateBatch as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<VoidBatch as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
];
