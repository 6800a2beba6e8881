//! Server functions for recruits (coordinators and admins only; viewers never see a person).
use leptos::prelude::*;

use super::{filter::RecruitFilter, RecruitDetail, RecruitList};

#[cfg(feature = "ssr")]
use crate::{
    auth::{repo::audit, require, Role},
    error::AppError,
    startup::AppState,
};

/// One page of recruits; fields of the filter that make no sense are ignored (the page
/// shows why).
#[server]
pub async fn list_recruits(filter: RecruitFilter) -> Result<RecruitList, ServerFnError> {
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let filter = filter.valid();
    let list = super::repo::list(&state.db, &filter).await.map_err(AppError::into_server_error)?;
    let detail = format!("page {}{}", filter.page, if filter.is_filtered() { format!("; {}", filter.query_string(1)) } else { String::new() });
    audit(&state.db, &user.email, "recruits_listed", None, Some(&detail)).await.map_err(AppError::into_server_error)?;
    Ok(list)
}

#[server]
pub async fn get_recruit(public_id: String) -> Result<Option<RecruitDetail>, ServerFnError> {
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let detail = super::repo::detail(&state.db, &public_id).await.map_err(AppError::into_server_error)?;
    if detail.is_some() {
        audit(&state.db, &user.email, "recruit_viewed", Some(&format!("recruit:{public_id}")), None)
            .await
            .map_err(AppError::into_server_error)?;
    }
    Ok(detail)
}

/// Erases a person (their request, or a coordinator's decision). Needs the
/// confirmation box ticked.
#[server]
pub async fn erase_recruit(public_id: String, confirm: Option<String>) -> Result<(), ServerFnError> {
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    if confirm.as_deref() != Some("yes") {
        leptos_axum::redirect(&format!("/admin/recruits/{public_id}?error=tick"));
        return Ok(());
    }
    if super::repo::erase(&state.db, &public_id).await.map_err(AppError::into_server_error)? {
        audit(&state.db, &user.email, "recruit_erased", Some(&format!("recruit:{public_id}")), None)
            .await
            .map_err(AppError::into_server_error)?;
    }
    leptos_axum::redirect("/admin/recruits?done=erased");
    Ok(())
}
