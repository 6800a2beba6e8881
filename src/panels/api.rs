//! Server functions for panels. Listing panels is for everyone signed in (their names are
//! not personal); changing them, members' records and targets is for coordinators; a
//! chair reads their own panel's page.
use leptos::prelude::*;

use super::{DueItem, Member, Panel};
use crate::error::ApiError;

#[cfg(feature = "ssr")]
use crate::{
    audit,
    error::AppError,
    roles::{require, Role},
    state::AppState,
};

/// A panel's page: the panel, its members and what falls due, its meetings and targets.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PanelView {
    pub panel: Panel,
    pub members: Vec<Member>,
    pub due: Vec<DueItem>,
    /// `(ethnic group, per mille)`.
    pub targets: Vec<(String, i64)>,
    /// The signed-in user may change the panel and members' records.
    pub can_edit: bool,
}

#[server]
pub async fn list_panels() -> Result<Vec<Panel>, ApiError> {
    require(Role::Viewer)?;
    let state = expect_context::<AppState>();
    Ok(super::repo::list(&state.db).await?)
}

/// Everything on a panel's page, for coordinators and the panel's chair (members' names
/// and records are personal data: the read is audited).
#[server]
pub async fn load_panel(slug: String) -> Result<PanelView, ApiError> {
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    let Some(panel) = super::repo::by_slug(&state.db, slug.trim()).await? else {
        crate::respond::set_response_status(404);
        return Err(AppError::NotFound.into());
    };
    if !super::scope(&state.db, &user).await?.allows(panel.id) {
        crate::respond::set_response_status(403);
        return Err(AppError::Forbidden.into());
    }
    let members = super::repo::members(&state.db, panel.id).await?;
    let due = super::repo::due_soon(&members, crate::domain::ExpiryDate::today(), super::DUE_WITHIN_DAYS);
    let targets = super::repo::targets(&state.db, panel.id).await?;
    audit::record(&state.db, &user.email, "panel_members_viewed", Some(&format!("panel:{}", panel.id)), None).await?;
    Ok(PanelView { panel, members, due, targets, can_edit: user.role >= Role::Coordinator })
}

/// Adds a panel (`id` empty) or changes one, from the dashboard form; on bad input, back
/// to the form with what was typed and a message per field.
#[server]
pub async fn save_panel(
    id: String,
    slug: String,
    name: String,
    kind: String,
    area: String,
    min_age: String,
    term_limit_months: String,
    safeguarding_lead: String,
    reports_public: Option<String>,
) -> Result<(), ApiError> {
    use crate::domain::{optional_text, required_text, PanelKind, PanelSlug};
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let existing = match id.trim() {
        "" => None,
        raw => match raw.parse::<i64>().ok() {
            Some(id) => super::repo::by_id(&state.db, id).await?,
            None => None,
        },
    };
    if !id.trim().is_empty() && existing.is_none() {
        crate::respond::set_response_status(404);
        return Err(AppError::NotFound.into());
    }
    let mut errors: Vec<(&str, String)> = vec![];
    let mut check = |field: &'static str, r: Result<(), String>| {
        if let Err(e) = r {
            errors.push((field, e));
        }
    };
    let slug_p = PanelSlug::parse(&slug);
    let name_p = required_text(&name, "The panel's name", 120);
    let kind_p = PanelKind::parse(&kind);
    let area_p = optional_text(&area, "The area", 80);
    let min_age_p = match min_age.trim() {
        "" => Ok(None),
        raw => super_min_age(raw).map(Some),
    };
    let term_p = match term_limit_months.trim() {
        "" => Ok(None),
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|m| (1..=240).contains(m))
            .map(Some)
            .ok_or_else(|| "The term limit must be a number of months from 1 to 240".to_string()),
    };
    let lead_p = optional_text(&safeguarding_lead, "The safeguarding lead", 120);
    check("slug", slug_p.as_ref().map(drop).map_err(Clone::clone));
    check("name", name_p.as_ref().map(drop).map_err(Clone::clone));
    check("kind", kind_p.as_ref().map(drop).map_err(Clone::clone));
    check("area", area_p.as_ref().map(drop).map_err(Clone::clone));
    check("min_age", min_age_p.as_ref().map(drop).map_err(Clone::clone));
    check("term_limit_months", term_p.as_ref().map(drop).map_err(Clone::clone));
    check("safeguarding_lead", lead_p.as_ref().map(drop).map_err(Clone::clone));
    let form = match &existing {
        Some(p) => format!("/admin/panels/{}", p.slug),
        None => "/admin/panels".to_string(),
    };
    let back = |errors: Vec<(&str, String)>| {
        let mut q: Vec<(String, String)> = vec![
            ("slug".into(), slug.clone()),
            ("name".into(), name.clone()),
            ("kind".into(), kind.clone()),
            ("area".into(), area.clone()),
            ("min_age".into(), min_age.clone()),
            ("term_limit_months".into(), term_limit_months.clone()),
            ("safeguarding_lead".into(), safeguarding_lead.clone()),
        ];
        q.extend(errors.into_iter().map(|(f, e)| (format!("err_{f}"), e)));
        leptos_axum::redirect(&format!("{form}?{}#panel-form", serde_urlencoded::to_string(&q).unwrap_or_default()));
    };
    if !errors.is_empty() {
        back(errors);
        return Ok(());
    }
    let fields = super::repo::PanelFields {
        slug: slug_p.map_err(AppError::Invalid)?.to_string(),
        name: name_p.map_err(AppError::Invalid)?,
        kind: kind_p.map_err(AppError::Invalid)?,
        area: area_p.map_err(AppError::Invalid)?,
        min_age: min_age_p.map_err(AppError::Invalid)?,
        term_limit_months: term_p.map_err(AppError::Invalid)?,
        safeguarding_lead: lead_p.map_err(AppError::Invalid)?,
        reports_public: reports_public.is_some(),
    };
    let taken = "Another panel already has this short name".to_string();
    match existing {
        None => match super::repo::add(&state.db, &fields).await? {
            Some(id) => {
                audit::record(&state.db, &user.email, "panel_added", Some(&format!("panel:{id}")), Some(&fields.slug))
                    .await?;
                leptos_axum::redirect(&format!("/admin/panels/{}?saved=1", fields.slug));
            }
            None => back(vec![("slug", taken)]),
        },
        Some(p) => {
            if super::repo::update(&state.db, p.id, &fields).await? {
                audit::record(&state.db, &user.email, "panel_changed", Some(&format!("panel:{}", p.id)), None).await?;
                leptos_axum::redirect(&format!("/admin/panels/{}?saved=1", fields.slug));
            } else {
                back(vec![("slug", taken)]);
            }
        }
    }
    Ok(())
}

#[cfg(feature = "ssr")]
fn super_min_age(raw: &str) -> Result<i64, String> {
    super::cli::parse_min_age(raw).map_err(|_| "The minimum age must be 16 or 18".to_string())
}

/// Saves a member's record from the panel page.
#[server]
pub async fn save_member(
    slug: String,
    recruit_id: i64,
    role: String,
    term_start: String,
    term_end: String,
    vetting_level: String,
    vetting_status: String,
    vetting_expires: String,
    confidentiality_on: String,
) -> Result<(), ApiError> {
    use crate::domain::{optional_day, optional_text, MemberRole, VettingStatus};
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let panel = panel_or_404(&state, &slug).await?;
    let day = |raw: &str, what: &str| optional_day(raw, what).map(|d| d.map(|d| d.to_string()));
    let parsed = (|| -> Result<super::MemberRecord, String> {
        let record = super::MemberRecord {
            role: MemberRole::parse(&role)?,
            term_start: day(&term_start, "The start of the term")?,
            term_end: day(&term_end, "The end of the term")?,
            vetting_level: optional_text(&vetting_level, "The vetting level", 60)?,
            vetting_status: match vetting_status.trim() {
                "" => None,
                raw => Some(VettingStatus::parse(raw)?),
            },
            vetting_expires: day(&vetting_expires, "The vetting expiry date")?,
            confidentiality_on: day(&confidentiality_on, "The date of the confidentiality agreement")?,
        };
        if let (Some(s), Some(e)) = (&record.term_start, &record.term_end) {
            if e < s {
                return Err("The term must end after it starts".into());
            }
            if let (Some(limit), Some(s), Some(e)) = (
                panel.term_limit_months,
                crate::domain::ExpiryDate::parse_iso(s),
                crate::domain::ExpiryDate::parse_iso(e),
            ) {
                if e.unix_days() - s.unix_days() > limit * 31 {
                    return Err(format!("The term is longer than this panel's limit of {limit} months"));
                }
            }
        }
        Ok(record)
    })();
    let anchor = format!("member-{recruit_id}");
    match parsed {
        Err(e) => {
            let q = serde_urlencoded::to_string([("member", recruit_id.to_string()), ("err_member", e)])
                .unwrap_or_default();
            leptos_axum::redirect(&format!("/admin/panels/{}?{q}#{anchor}", panel.slug));
        }
        Ok(record) => {
            if !super::repo::save_member(&state.db, panel.id, recruit_id, &record).await? {
                crate::respond::set_response_status(404);
                return Err(AppError::NotFound.into());
            }
            audit::record(
                &state.db,
                &user.email,
                "member_record_changed",
                Some(&format!("recruit:{recruit_id}")),
                None,
            )
            .await?;
            leptos_axum::redirect(&format!("/admin/panels/{}?saved_member={recruit_id}#{anchor}", panel.slug));
        }
    }
    Ok(())
}

/// Records a training course a member took.
#[server]
pub async fn add_training(
    slug: String,
    recruit_id: i64,
    course: String,
    taken_on: String,
    expires_on: String,
) -> Result<(), ApiError> {
    use crate::domain::{optional_day, required_text};
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let panel = panel_or_404(&state, &slug).await?;
    let parsed = (|| -> Result<_, String> {
        let course = required_text(&course, "The course", 120)?;
        let taken = optional_day(&taken_on, "The date taken")?.ok_or("Enter the date the course was taken")?;
        let expires = optional_day(&expires_on, "The expiry date")?;
        if expires.is_some_and(|e| e < taken) {
            return Err("The training must expire after it was taken".to_string());
        }
        Ok((course, taken, expires))
    })();
    let anchor = format!("member-{recruit_id}");
    match parsed {
        Err(e) => {
            let q = serde_urlencoded::to_string([("member", recruit_id.to_string()), ("err_training", e)])
                .unwrap_or_default();
            leptos_axum::redirect(&format!("/admin/panels/{}?{q}#{anchor}", panel.slug));
        }
        Ok((course, taken, expires)) => {
            if !super::repo::add_training(&state.db, panel.id, recruit_id, &course, taken, expires).await? {
                crate::respond::set_response_status(404);
                return Err(AppError::NotFound.into());
            }
            audit::record(
                &state.db,
                &user.email,
                "member_training_added",
                Some(&format!("recruit:{recruit_id}")),
                None,
            )
            .await?;
            leptos_axum::redirect(&format!("/admin/panels/{}?saved_member={recruit_id}#{anchor}", panel.slug));
        }
    }
    Ok(())
}

/// Sets the target composition by ethnic group, as whole percentages (blank: no target).
#[server]
pub async fn save_targets(
    slug: String,
    white: String,
    mixed: String,
    asian: String,
    black: String,
    other: String,
    #[server(default)] from_searched: Option<String>,
) -> Result<(), ApiError> {
    let user = require(Role::Coordinator)?;
    let state = expect_context::<AppState>();
    let panel = panel_or_404(&state, &slug).await?;
    let mut targets = vec![];
    let mut error = None;
    // "Use the share of people searched": the force's own searches (SCRUTINY_POLICE_UK_FORCE,
    // or the one force imported), every month imported, by self-defined ethnic group.
    let (mut white, mut mixed, mut asian, mut black, mut other) = (white, mixed, asian, black, other);
    if from_searched.is_some() {
        let forces = crate::demographics::known_forces(&state.db).await?;
        let force = state.settings.police_uk_force.clone().or_else(|| (forces.len() == 1).then(|| forces[0].clone()));
        match force.filter(|f| forces.contains(f)) {
            None => {
                error = Some("Import the force's searches first (Search data), or set SCRUTINY_POLICE_UK_FORCE".into())
            }
            Some(force) => {
                let rows = crate::demographics::comparison(
                    &state.db,
                    crate::demographics::Scope { force: &force, from: "", to: "" },
                )
                .await?;
                let eth: Vec<_> = rows
                    .iter()
                    .filter(|r| r.dimension == "ethnic_group" && crate::demographics::is_stated(&r.category))
                    .collect();
                let total: i64 = eth.iter().map(|r| r.searched).sum();
                let share = |g: &str| {
                    let n = eth.iter().find(|r| r.category == g).map_or(0, |r| r.searched);
                    if total == 0 {
                        String::new()
                    } else {
                        format!("{:.1}", n as f64 * 100.0 / total as f64)
                    }
                };
                (white, mixed, asian, black, other) =
                    (share("white"), share("mixed"), share("asian"), share("black"), share("other"));
            }
        }
    }
    for (group, raw) in [("white", &white), ("mixed", &mixed), ("asian", &asian), ("black", &black), ("other", &other)]
    {
        match raw.trim().trim_end_matches('%').trim() {
            "" => {}
            v => match v.parse::<f64>().ok().filter(|p| p.is_finite() && (0.0..=100.0).contains(p)) {
                Some(p) => targets.push((group.to_string(), (p * 10.0).round() as i64)),
                None => error = Some(format!("The target for {group} must be a percentage from 0 to 100")),
            },
        }
    }
    // Shares rounded to a tenth may add up to a little over 100 (half a tenth each at most).
    let slack = if from_searched.is_some() { 3 } else { 0 };
    if error.is_none() && targets.iter().map(|(_, p)| p).sum::<i64>() > 1000 + slack {
        error = Some("The targets add up to more than 100%".into());
    }
    if let Some(e) = error {
        let q = serde_urlencoded::to_string([
            ("t_white", white),
            ("t_mixed", mixed),
            ("t_asian", asian),
            ("t_black", black),
            ("t_other", other),
            ("err_targets", e),
        ])
        .unwrap_or_default();
        leptos_axum::redirect(&format!("/admin/panels/{}?{q}#targets", panel.slug));
        return Ok(());
    }
    super::repo::set_targets(&state.db, panel.id, &targets).await?;
    audit::record(&state.db, &user.email, "panel_targets_changed", Some(&format!("panel:{}", panel.id)), None).await?;
    leptos_axum::redirect(&format!("/admin/panels/{}?saved=1#targets", panel.slug));
    Ok(())
}

#[cfg(feature = "ssr")]
async fn panel_or_404(state: &AppState, slug: &str) -> Result<Panel, ApiError> {
    match super::repo::by_slug(&state.db, slug.trim()).await? {
        Some(p) => Ok(p),
        None => {
            crate::respond::set_response_status(404);
            Err(AppError::NotFound.into())
        }
    }
}

#[cfg(feature = "ssr")]
pub const SERVER_FN_ROLES: &[(&str, crate::roles::Role)] = &[
    (<ListPanels as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Viewer),
    (<LoadPanel as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
    (<SavePanel as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<SaveMember as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<AddTraining as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
    (<SaveTargets as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Coordinator),
];
