//! Server functions for users, the signed-in user's own password, and the audit log.
use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::repo;
#[cfg(feature = "ssr")]
use crate::{
    audit,
    error::AppError,
    password,
    roles::{require, Role},
    state::AppState,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserSummary {
    pub email: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: i64,
    /// May see equality answers beside a person's name.
    #[serde(default)]
    pub equality_access: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub details: Option<String>,
}

#[cfg(feature = "ssr")]
fn back_to(path: &str, pairs: &[(&str, String)]) {
    let qs = serde_urlencoded::to_string(pairs).unwrap_or_default();
    leptos_axum::redirect(&format!("{path}?{qs}"));
}

#[server]
pub async fn list_users() -> Result<Vec<UserSummary>, ApiError> {
    require(Role::Admin)?;
    let state = expect_context::<AppState>();
    let rows = repo::list_users(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|r| UserSummary {
            email: r.email,
            role: r.role,
            disabled: r.disabled,
            created_at: r.created_at,
            equality_access: r.equality_access,
        })
        .collect())
}

/// Adds a user from the dashboard (admins only). Bad input returns to the form with a message.
#[server]
pub async fn add_user(email: String, role: String, password: String, panel: Option<String>) -> Result<(), ApiError> {
    let admin = require(Role::Admin)?;
    let state = expect_context::<AppState>();
    let panel = panel.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
    let chaired = match &panel {
        Some(slug) => crate::panels::by_slug(&state.db, slug).await?,
        None => None,
    };
    let problem = if crate::domain::Email::parse(&email).is_err() {
        Some("Enter an email address like name@force.police.uk".to_string())
    } else if let Err(e) = Role::parse(&role) {
        Some(e)
    } else if Role::parse(&role) == Ok(Role::Chair) && chaired.is_none() {
        Some("Choose the panel a chair chairs".to_string())
    } else {
        password::validate_new(&password).err()
    };
    if let Some(message) = problem {
        back_to("/admin/users", &[("error", message), ("email", email), ("role", role)]);
        return Ok(());
    }
    let role = Role::parse(&role).expect("checked above");
    let hash = password::hash(password).await.map_err(AppError::Internal)?;
    if !repo::add(&state.db, &email, role, &hash).await? {
        back_to(
            "/admin/users",
            &[("error", "There is already a user with that email address".into()), ("email", email)],
        );
        return Ok(());
    }
    if role == Role::Chair {
        repo::set_panel(&state.db, &email, chaired.map(|p| p.id)).await?;
    }
    audit::record(&state.db, &admin.email, "user_added", Some(email.trim()), Some(role.code())).await?;
    back_to("/admin/users", &[("done", format!("Added {}", email.trim()))]);
    Ok(())
}

#[server]
pub async fn set_user_disabled(email: String, disabled: bool) -> Result<(), ApiError> {
    let admin = require(Role::Admin)?;
    let state = expect_context::<AppState>();
    if email.trim().eq_ignore_ascii_case(&admin.email) {
        back_to("/admin/users", &[("error", "You cannot disable your own account".into())]);
        return Ok(());
    }
    repo::set_disabled(&state.db, &email, disabled).await?;
    let action = if disabled { "user_disabled" } else { "user_enabled" };
    audit::record(&state.db, &admin.email, action, Some(email.trim()), None).await?;
    back_to("/admin/users", &[("done", format!("Updated {}", email.trim()))]);
    Ok(())
}

/// Gives or withdraws equality data access (admins only; audited). Only coordinators
/// and admins see people at all, so it is refused for viewers.
#[server]
pub async fn set_equality_access(email: String, on: bool) -> Result<(), ApiError> {
    let admin = require(Role::Admin)?;
    let state = expect_context::<AppState>();
    let user = repo::find_by_email(&state.db, &email).await?;
    match user {
        None => back_to("/admin/users", &[("error", "There is no user with that email address".into())]),
        Some(u) if on && u.role == Role::Viewer => back_to(
            "/admin/users",
            &[("error", "Viewers see no people, so they cannot have equality data access".into())],
        ),
        Some(u) => {
            repo::set_equality_access(&state.db, &u.email, on).await?;
            let action = if on { "equality_access_granted" } else { "equality_access_withdrawn" };
            audit::record(&state.db, &admin.email, action, Some(&u.email), None).await?;
            back_to("/admin/users", &[("done", format!("Updated {}", u.email))]);
        }
    }
    Ok(())
}

/// Any signed-in user changes their own password (the current one is required).
#[server]
pub async fn change_password(current: String, new: String, confirm: String) -> Result<(), ApiError> {
    let user = require(Role::Viewer)?;
    let state = expect_context::<AppState>();
    let row = repo::find_by_email(&state.db, &user.email).await?;
    let hash = row.map(|r| r.password_hash).unwrap_or_else(|| password::DUMMY_HASH.into());
    let busy = || ApiError::from(AppError::Busy);
    // The current password is guessed against like a sign-in: reserved, throttled, audited.
    let key = format!("change:{}", user.id);
    if let Err(wait) = state.login_throttle.reserve(&key).await {
        back_to(
            "/admin/account",
            &[("error", format!("Too many wrong passwords. Wait {} seconds, then try again.", wait.as_secs().max(1)))],
        );
        return Ok(());
    }
    let right = state.password_gate.verify(current, hash).await.map_err(|_| busy())?;
    if !right {
        audit::record(&state.db, &user.email, "password_change_failed", None, None).await?;
    } else {
        state.login_throttle.succeeded(&key).await;
    }
    let problem = if !right {
        Some("Your current password is not right".to_string())
    } else if new != confirm {
        Some("The new passwords are not the same".to_string())
    } else {
        password::validate_new(&new).err()
    };
    if let Some(message) = problem {
        back_to("/admin/account", &[("error", message)]);
        return Ok(());
    }
    let hash = state.password_gate.hash(new).await.map_err(|_| busy())?.map_err(AppError::Internal)?;
    let epoch = repo::set_password(&state.db, &user.email, &hash).await?;
    // Every other session of this user ends; this one carries on in the new epoch.
    if let Some(epoch) = epoch {
        let session: tower_sessions::Session = leptos_axum::extract().await.map_err(ApiError::Request)?;
        session
            .insert(super::access::SESSION_USER, crate::roles::CurrentUser { epoch, ..user.clone() })
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("session: {e}")))?;
    }
    audit::record(&state.db, &user.email, "password_changed", Some(&user.email), None).await?;
    back_to("/admin/account", &[("done", "Your password has been changed".into())]);
    Ok(())
}

#[server]
pub async fn list_audit(actor: String, action: String) -> Result<Vec<AuditEntry>, ApiError> {
    let admin = require(Role::Admin)?;
    let state = expect_context::<AppState>();
    let clean = |s: &str| s.trim().chars().filter(|c| !c.is_control()).collect::<String>();
    let rows = audit::list(&state.db, &clean(&actor), &clean(&action), 500).await?;
    audit::record(&state.db, &admin.email, "audit_viewed", None, None).await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry { at: r.at, actor: r.actor, action: r.action, subject: r.subject, details: r.details })
        .collect())
}

/// The least role each server function here needs, declared beside them: the access
/// check refuses any server function missing from such a table before it runs (each
/// also checks again inside).
#[cfg(feature = "ssr")]
pub const SERVER_FN_ROLES: &[(&str, crate::roles::Role)] = &[
    (<ListUsers as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Admin),
    (<AddUser as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Admin),
    (<SetUserDisabled as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Admin),
    (<SetEqualityAccess as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Admin),
    (<ChangePassword as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Viewer),
    (<ListAudit as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Admin),
];
