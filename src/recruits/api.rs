//! Server functions for recruits (coordinators and admins only; viewers never see a person).
use crate::error::ApiError;
use leptos::prelude::*;

use super::{filter::RecruitFilter, RecruitDetail, RecruitList};

#[cfg(feature = "ssr")]
use crate::{
    audit,
    error::AppError,
    roles::{require, Role},
    state::AppState,
};

/// One page of recruits; fields of the filter that make no sense are ignored (the page
/// shows why).
#[server]
pub async fn list_recruits(filter: RecruitFilter) -> Result<RecruitList, ApiError> {
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let mut filter = filter.valid();
    // Filtering by ethnic group names each listed person's group: only for users with
    // equality data access (the page offers the filter to no one else).
    let equality_access = crate::auth::has_equality_access(&state.db, user.id).await?;
    if !equality_access {
        filter.eth.clear();
    }
    let mut list = super::repo::list(&state.db, &filter).await?;
    list.equality_access = equality_access;
    // That a search happened, never what was typed (search text holds names, emails and
    // phone numbers, and the audit log is kept for good).
    let detail = format!("page {}{}", filter.page, if filter.is_filtered() { "; with search or filters" } else { "" });
    audit::record(&state.db, &user.email, "recruits_listed", None, Some(&detail)).await?;
    Ok(list)
}

#[server]
pub async fn get_recruit(public_id: String) -> Result<Option<RecruitDetail>, ApiError> {
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let mut detail = super::repo::detail(&state.db, &public_id).await?;
    if let Some(d) = detail.as_mut() {
        audit::record(&state.db, &user.email, "recruit_viewed", Some(&format!("recruit:{public_id}")), None).await?;
        equality_for(&state, &user, d, &public_id).await?;
    }
    Ok(detail)
}

/// Equality answers beside a name only for users an admin named for it (audited);
/// for everyone else they are hidden and the page says they exist.
#[cfg(feature = "ssr")]
pub async fn equality_for(
    state: &AppState,
    user: &crate::roles::CurrentUser,
    d: &mut RecruitDetail,
    public_id: &str,
) -> Result<(), AppError> {
    if d.equality.is_none() {
        return Ok(());
    }
    if crate::auth::has_equality_access(&state.db, user.id).await? {
        audit::record(&state.db, &user.email, "equality_viewed", Some(&format!("recruit:{public_id}")), None).await?;
    } else {
        d.equality = None;
        d.equality_hidden = true;
    }
    Ok(())
}

/// Erases a person (their request, or a coordinator's decision). Needs the
/// confirmation box ticked.
#[server]
pub async fn erase_recruit(public_id: String, confirm: Option<String>) -> Result<(), ApiError> {
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    // Parsed before it goes anywhere near a header or the database.
    if !super::plausible_public_id(&public_id) {
        crate::respond::set_response_status(404);
        return Err(AppError::NotFound.into());
    }
    if confirm.as_deref() != Some("yes") {
        leptos_axum::redirect(&format!("/admin/recruits/{public_id}?error=tick"));
        return Ok(());
    }
    if super::repo::erase(&state.db, &public_id).await? {
        audit::record(&state.db, &user.email, "recruit_erased", Some(&format!("recruit:{public_id}")), None).await?;
    }
    leptos_axum::redirect("/admin/recruits?done=erased");
    Ok(())
}

/// What needs doing, for the dashboard home (coordinators).
#[server]
pub async fn to_do() -> Result<super::ToDo, ApiError> {
    require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    Ok(super::repo::to_do(&state.db).await?)
}

/// The call-back queue: people who gave only a phone number and had no text message.
#[server]
pub async fn list_call_back() -> Result<Vec<super::CallBack>, ApiError> {
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let rows = super::repo::call_back_queue(&state.db).await?;
    audit::record(&state.db, &user.email, "call_back_listed", None, Some(&format!("{} people", rows.len()))).await?;
    Ok(rows)
}

/// The least role each server function here needs, declared beside them: the access
/// check refuses any server function missing from such a table before it runs (each
/// also checks again inside).
/// For the invitation form: the force's default language and, per language the selected
/// people chose, how many chose it (most first). `ids` are public ids separated by commas.
#[server]
pub async fn invite_languages(ids: String) -> Result<super::InviteNeeds, ApiError> {
    require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let ids: Vec<String> = ids.split(',').filter(|s| !s.is_empty()).take(1000).map(str::to_string).collect();
    let people = super::repo::recipients(state.db.pool(), &ids).await?;
    let mut counts: Vec<(String, i64)> = Vec::new();
    for p in people {
        let code = crate::i18n::Lang::parse(&p.language).unwrap_or(state.settings.default_language).code().to_string();
        match counts.iter_mut().find(|(c, _)| *c == code) {
            Some((_, n)) => *n += 1,
            None => counts.push((code, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(super::InviteNeeds {
        default: state.settings.default_language.code().to_string(),
        welsh_force: state.settings.default_language == crate::i18n::Lang::Cy,
        counts,
    })
}

#[cfg(feature = "ssr")]
pub const SERVER_FN_ROLES: &[(&str, crate::roles::Role)] = &[
    (<ListRecruits as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<GetRecruit as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<EraseRecruit as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<ListCallBack as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<ToDo as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<InviteLanguages as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
];
