//! Server functions for recruits (coordinators and admins only; viewers never see a person).
use leptos::prelude::*;

use super::{RecruitDetail, RecruitRow};

#[cfg(feature = "ssr")]
use crate::{
    auth::{repo::audit, require, Role},
    error::AppError,
    startup::AppState,
};

#[server]
pub async fn list_recruits(status: String, page: i64) -> Result<Vec<RecruitRow>, ServerFnError> {
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let page = page.max(1);
    let rows = super::repo::list(&state.db, status.trim(), 50, (page - 1) * 50).await.map_err(AppError::into_server_error)?;
    audit(&state.db, &user.email, "recruits_listed", None, Some(&format!("page {page}")))
        .await
        .map_err(AppError::into_server_error)?;
    Ok(rows)
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
