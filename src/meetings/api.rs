//! Server functions for meetings: coordinators for every panel, a chair for their own.
//! Each checks the panel's scope itself; a meeting of another panel is "not found".
use leptos::prelude::*;

use super::{Attention, MeetingDetail, MeetingSummary};
use crate::{error::ApiError, panels::Panel};

#[cfg(feature = "ssr")]
use crate::{
    audit,
    error::AppError,
    roles::{require, CurrentUser, Role},
    state::AppState,
};

/// The meetings page: meetings of the panels the user runs, what needs attention, and
/// the panels they may schedule for.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeetingsView {
    pub meetings: Vec<MeetingSummary>,
    pub panels: Vec<Panel>,
    pub attention: Vec<Attention>,
}

#[cfg(feature = "ssr")]
async fn scoped(state: &AppState, user: &CurrentUser, id: i64) -> Result<MeetingSummary, ApiError> {
    super::handlers::meeting_for(state, user, id).await.map_err(|e| {
        crate::respond::set_response_status(e.status().as_u16());
        e.into()
    })
}

#[server]
pub async fn list_meetings(panel: Option<String>) -> Result<MeetingsView, ApiError> {
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    let scope = crate::panels::scope(&state.db, &user).await?;
    let panels: Vec<Panel> = crate::panels::list(&state.db).await?.into_iter().filter(|p| scope.allows(p.id)).collect();
    let chosen = panel.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let only = match chosen {
        Some(slug) => Some(panels.iter().find(|p| p.slug == slug).map(|p| p.id).unwrap_or(-1)),
        None if panels.len() == 1 => Some(panels[0].id),
        None if scope == crate::panels::PanelScope::All => None,
        None => Some(-1),
    };
    let meetings = super::repo::list(&state.db, only).await?.into_iter().filter(|m| scope.allows(m.panel_id)).collect();
    let attention =
        super::repo::attention(&state.db, only).await?.into_iter().filter(|a| scope.allows(a.panel_id)).collect();
    Ok(MeetingsView { meetings, panels, attention })
}

/// Schedules a meeting from the form; on bad input, back to the form with what was typed.
#[server]
pub async fn schedule_meeting(
    panel: String,
    starts_at: String,
    place: String,
    online_link: String,
    agenda: String,
) -> Result<(), ApiError> {
    use crate::domain::{optional_long_text, optional_text, MeetingTime};
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    let scope = crate::panels::scope(&state.db, &user).await?;
    let found = crate::panels::by_slug(&state.db, panel.trim()).await?.filter(|p| scope.allows(p.id));
    let mut errors: Vec<(&str, String)> = vec![];
    if found.is_none() {
        errors.push(("panel", "Choose the panel the meeting is for".into()));
    }
    let time = MeetingTime::parse(&starts_at).map_err(|e| errors.push(("starts_at", e))).ok();
    let place_p = optional_text(&place, "The place", 200).map_err(|e| errors.push(("place", e))).ok().flatten();
    let link_p = optional_text(&online_link, "The online link", 500)
        .and_then(|l| match l {
            Some(l) if !(l.starts_with("https://") || l.starts_with("http://")) => {
                Err("The online link must start with https://".to_string())
            }
            other => Ok(other),
        })
        .map_err(|e| errors.push(("online_link", e)))
        .ok()
        .flatten();
    let agenda_p =
        optional_long_text(&agenda, "The agenda", 10_000).map_err(|e| errors.push(("agenda", e))).ok().flatten();
    if place_p.is_none() && link_p.is_none() && !errors.iter().any(|(f, _)| *f == "place" || *f == "online_link") {
        errors.push(("place", "Enter a place or an online link".into()));
    }
    match (found, time, errors.is_empty()) {
        (Some(p), Some(t), true) => {
            let new = super::repo::NewMeeting {
                panel_id: p.id,
                starts_at: t,
                place: place_p,
                online_link: link_p,
                agenda: agenda_p,
                created_by: user.email.clone(),
            };
            let id = super::repo::schedule(&state.db, &new).await?;
            audit::record(&state.db, &user.email, "meeting_scheduled", Some(&format!("meeting:{id}")), Some(&p.slug))
                .await?;
            leptos_axum::redirect(&format!("/admin/meetings/{id}"));
        }
        _ => {
            let mut q: Vec<(String, String)> = vec![
                ("panel".into(), panel),
                ("starts_at".into(), starts_at),
                ("place".into(), place),
                ("online_link".into(), online_link),
                ("agenda".into(), agenda),
            ];
            q.extend(errors.into_iter().map(|(f, e)| (format!("err_{f}"), e)));
            leptos_axum::redirect(&format!(
                "/admin/meetings?{}#schedule",
                serde_urlencoded::to_string(&q).unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// Everything on a meeting's page (members' names for attendance: audited).
#[server]
pub async fn load_meeting(id: i64) -> Result<MeetingDetail, ApiError> {
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    let meeting = scoped(&state, &user, id).await?;
    let (agenda, minutes, sample) = super::repo::texts(&state.db, id).await?;
    let cases = super::repo::cases(&state.db, id).await?;
    let actions = super::repo::actions(&state.db, id).await?;
    let attendance = super::repo::attendance(&state.db, id, meeting.panel_id).await?;
    let forces = crate::demographics::known_forces(&state.db).await?;
    audit::record(&state.db, &user.email, "meeting_viewed", Some(&format!("meeting:{id}")), None).await?;
    Ok(MeetingDetail { meeting, agenda, minutes, sample, cases, actions, attendance, forces })
}

#[server]
pub async fn save_minutes(id: i64, minutes: String) -> Result<(), ApiError> {
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    scoped(&state, &user, id).await?;
    match crate::domain::optional_long_text(&minutes, "The minutes", 10_000) {
        Ok(m) => {
            super::repo::set_minutes(&state.db, id, m.as_deref()).await?;
            audit::record(&state.db, &user.email, "minutes_saved", Some(&format!("meeting:{id}")), None).await?;
            leptos_axum::redirect(&format!("/admin/meetings/{id}?saved=minutes#minutes"));
        }
        Err(e) => {
            let q = serde_urlencoded::to_string([("minutes", minutes), ("err_minutes", e)]).unwrap_or_default();
            leptos_axum::redirect(&format!("/admin/meetings/{id}?{q}#minutes"));
        }
    }
    Ok(())
}

/// Draws the meeting's sample (reproducible: the seed and filters are kept with it).
#[server]
pub async fn draw_meeting_sample(
    id: i64,
    force: String,
    from: String,
    to: String,
    size: String,
    seed: String,
    strip_search: Option<String>,
    under_18: Option<String>,
    section_60: Option<String>,
    no_further_action: Option<String>,
    #[server(default)] search_type: String,
    #[server(default)] legislation: String,
    #[server(default)] outcome: String,
    #[server(default)] ethnic_group: String,
) -> Result<(), ApiError> {
    use crate::demographics::sample::{draw_sample, Narrow, Request};
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    scoped(&state, &user, id).await?;
    let only: Vec<String> = [
        ("strip-search", &strip_search),
        ("under-18", &under_18),
        ("section-60", &section_60),
        ("no-further-action", &no_further_action),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_some())
    .map(|(c, _)| c.to_string())
    .collect();
    let back = |field: &str, e: String| {
        let mut q = vec![
            ("force".to_string(), force.clone()),
            ("from".into(), from.clone()),
            ("to".into(), to.clone()),
            ("size".into(), size.clone()),
            ("seed".into(), seed.clone()),
            ("search_type".into(), search_type.clone()),
            ("legislation".into(), legislation.clone()),
            ("outcome".into(), outcome.clone()),
            ("ethnic_group".into(), ethnic_group.clone()),
            (format!("err_{field}"), e),
        ];
        q.extend(only.iter().map(|o| ("only".to_string(), o.clone())));
        leptos_axum::redirect(&format!(
            "/admin/meetings/{id}?{}#sample",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        ));
    };
    let parsed = Request::parse(&force, &from, &to, &size, &seed, &only).and_then(|mut r| {
        r.narrow = Narrow::parse(&search_type, &legislation, &outcome, &ethnic_group)?;
        Ok(r)
    });
    let request = match parsed {
        Ok(r) => r,
        Err((field, e)) => {
            let message = match field {
                "from" => format!("The first month {e}"),
                "to" => format!("The last month {e}"),
                "size" => format!("The number of cases {e}"),
                "seed" => format!("The seed {e}"),
                "type" => format!("The type of search {e}"),
                "legislation" => format!("The legislation {e}"),
                "outcome" => format!("The outcome {e}"),
                "ethnic-group" => format!("The ethnic group {e}"),
                // The sampler's words ("choose the force…") are not a sentence after "The force".
                "force" => "Choose a force whose searches are imported".to_string(),
                _ => format!("The filters: {e}"),
            };
            let field = match field {
                "type" => "search_type",
                "ethnic-group" => "ethnic_group",
                f => f,
            };
            back(field, message);
            return Ok(());
        }
    };
    if !crate::demographics::known_forces(&state.db).await?.contains(&request.force) {
        back("force", "Choose a force whose searches are imported".into());
        return Ok(());
    }
    let sample = draw_sample(&state.db, &request).await?;
    if sample.records.is_empty() {
        back("from", "No searches to draw from in these months with these filters".into());
        return Ok(());
    }
    let record = super::SampleRecord {
        force: request.force.clone(),
        from: request.from.clone(),
        to: request.to.clone(),
        size: request.size,
        seed: request.seed.clone(),
        only: request.only.iter().map(|o| o.code().to_string()).collect(),
        narrow: request.narrow.words().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        candidates: sample.candidates,
    };
    if !super::repo::store_sample(&state.db, id, &record, &sample.records).await? {
        back("seed", "Cases are already rated: the sample cannot be drawn again".into());
        return Ok(());
    }
    audit::record(&state.db, &user.email, "sample_drawn", Some(&format!("meeting:{id}")), Some(&record.command()))
        .await?;
    leptos_axum::redirect(&format!("/admin/meetings/{id}?saved=sample#cases"));
    Ok(())
}

/// Rates one case, with reasons and themes.
#[server]
pub async fn rate_case(
    id: i64,
    position: i64,
    rating: Option<String>,
    reasons: String,
    grounds: Option<String>,
    conduct: Option<String>,
    use_of_force: Option<String>,
    handcuffing: Option<String>,
    body_worn_video: Option<String>,
    record_quality: Option<String>,
) -> Result<(), ApiError> {
    use crate::domain::{optional_long_text, Rating, Theme};
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    scoped(&state, &user, id).await?;
    let themes: Vec<Theme> = [
        (Theme::Grounds, &grounds),
        (Theme::Conduct, &conduct),
        (Theme::UseOfForce, &use_of_force),
        (Theme::Handcuffing, &handcuffing),
        (Theme::BodyWornVideo, &body_worn_video),
        (Theme::RecordQuality, &record_quality),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_some())
    .map(|(t, _)| t)
    .collect();
    let parsed = Rating::parse(rating.as_deref().unwrap_or(""))
        .and_then(|r| optional_long_text(&reasons, "The reasons", 10_000).map(|x| (r, x)));
    match parsed {
        Ok((r, reasons)) => {
            if !super::repo::rate(&state.db, id, position, r, reasons.as_deref(), &themes, &user.email).await? {
                crate::respond::set_response_status(404);
                return Err(AppError::NotFound.into());
            }
            audit::record(
                &state.db,
                &user.email,
                "case_rated",
                Some(&format!("meeting:{id}")),
                Some(&format!("case {position}: {}", r.code())),
            )
            .await?;
            leptos_axum::redirect(&format!("/admin/meetings/{id}?saved=case-{position}#case-{position}"));
        }
        Err(e) => {
            // Back to the case with everything chosen and typed (the rating, the themes).
            let mut q = vec![("case", position.to_string()), ("reasons", reasons), ("err_rating", e)];
            q.extend(rating.filter(|r| Rating::parse(r).is_ok()).map(|r| ("rating", r)));
            q.extend(themes.iter().map(|t| ("theme", t.code().to_string())));
            let q = serde_urlencoded::to_string(q).unwrap_or_default();
            leptos_axum::redirect(&format!("/admin/meetings/{id}?{q}#case-{position}"));
        }
    }
    Ok(())
}

/// Raises an action with the force (about the meeting, or one case).
#[server]
pub async fn add_action(
    id: i64,
    case_position: String,
    text: String,
    owner: String,
    due_on: String,
) -> Result<(), ApiError> {
    use crate::domain::{optional_day, required_text};
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    let meeting = scoped(&state, &user, id).await?;
    let parsed = (|| -> Result<super::repo::NewAction, String> {
        let case_position = match case_position.trim() {
            "" => None,
            raw => Some(
                raw.parse::<i64>()
                    .ok()
                    .filter(|p| (1..=meeting.cases).contains(p))
                    .ok_or_else(|| format!("The case must be a number from 1 to {}", meeting.cases))?,
            ),
        };
        Ok(super::repo::NewAction {
            case_position,
            text: required_text(&text, "The action", 500)?,
            owner: required_text(&owner, "Who owns it at the force", 120)?,
            due_on: optional_day(&due_on, "The due date")?,
            created_by: user.email.clone(),
        })
    })();
    match parsed {
        Ok(a) => {
            let action = super::repo::add_action(&state.db, id, &a).await?;
            audit::record(
                &state.db,
                &user.email,
                "action_raised",
                Some(&format!("action:{action}")),
                Some(&format!("meeting:{id}")),
            )
            .await?;
            leptos_axum::redirect(&format!("/admin/meetings/{id}?saved=action#actions"));
        }
        Err(e) => {
            let q = serde_urlencoded::to_string([
                ("case_position", case_position),
                ("text", text),
                ("owner", owner),
                ("due_on", due_on),
                ("err_action", e),
            ])
            .unwrap_or_default();
            leptos_axum::redirect(&format!("/admin/meetings/{id}?{q}#new-action"));
        }
    }
    Ok(())
}

/// Records the force's reply to an action and its status.
#[server]
pub async fn update_action(
    id: i64,
    action_id: i64,
    status: String,
    reply: String,
    replied_on: String,
) -> Result<(), ApiError> {
    use crate::domain::{optional_day, optional_long_text, ActionStatus};
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    scoped(&state, &user, id).await?;
    let parsed = (|| -> Result<_, String> {
        Ok((
            ActionStatus::parse(&status)?,
            optional_long_text(&reply, "The reply", 10_000)?,
            optional_day(&replied_on, "The date of the reply")?,
        ))
    })();
    match parsed {
        Ok((status, reply, replied_on)) => {
            if !super::repo::update_action(&state.db, id, action_id, status, reply.as_deref(), replied_on).await? {
                crate::respond::set_response_status(404);
                return Err(AppError::NotFound.into());
            }
            audit::record(
                &state.db,
                &user.email,
                "action_updated",
                Some(&format!("action:{action_id}")),
                Some(status.code()),
            )
            .await?;
            leptos_axum::redirect(&format!("/admin/meetings/{id}?saved=action#action-{action_id}"));
        }
        Err(e) => {
            let q =
                serde_urlencoded::to_string([("action", action_id.to_string()), ("err_update", e)]).unwrap_or_default();
            leptos_axum::redirect(&format!("/admin/meetings/{id}?{q}#action-{action_id}"));
        }
    }
    Ok(())
}

/// Publishes the meeting's report (on the panel's public page, if the panel publishes) or
/// takes it back.
#[server]
pub async fn publish_meeting(id: i64, publish: String) -> Result<(), ApiError> {
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    scoped(&state, &user, id).await?;
    let on = publish == "yes";
    super::repo::set_published(&state.db, id, on).await?;
    audit::record(
        &state.db,
        &user.email,
        if on { "meeting_published" } else { "meeting_unpublished" },
        Some(&format!("meeting:{id}")),
        None,
    )
    .await?;
    leptos_axum::redirect(&format!("/admin/meetings/{id}?saved=published#publish"));
    Ok(())
}

/// Invites the panel's members who have not been invited yet: by email with a calendar
/// file, or by text message, in each person's language.
#[server]
pub async fn invite_members(id: i64) -> Result<(), ApiError> {
    let user = require(Role::Chair)?;
    let state = expect_context::<AppState>();
    let meeting = scoped(&state, &user, id).await?;
    let n = super::repo::invite(&state.db, id, meeting.panel_id).await?;
    state.mail_wake.notify_one();
    audit::record(&state.db, &user.email, "members_invited", Some(&format!("meeting:{id}")), Some(&n.to_string()))
        .await?;
    leptos_axum::redirect(&format!("/admin/meetings/{id}?invited={n}#attendance"));
    Ok(())
}

#[cfg(feature = "ssr")]
pub const SERVER_FN_ROLES: &[(&str, crate::roles::Role)] = &[
    (<ListMeetings as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
    (<ScheduleMeeting as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
    (<LoadMeeting as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
    (<SaveMinutes as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
    (<DrawMeetingSample as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
    (<RateCase as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
    (<AddAction as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
    (<UpdateAction as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
    (<PublishMeeting as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
    (<InviteMembers as leptos::server_fn::ServerFn>::PATH, crate::roles::Role::Chair),
];
