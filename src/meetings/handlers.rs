//! Meeting routes that are not Leptos pages: attendance (one answer per member, posted as
//! a plain form), reports as printable HTML and CSV, the request list for the force, and
//! the public reports of panels that publish them.
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
    Extension,
};

use super::{repo, report};
use crate::{
    audit,
    domain::Attendance,
    error::AppError,
    i18n::Lang,
    public::{form_pairs, PublicPage, Switcher},
    roles::CurrentUser,
    state::AppState,
};

/// The meeting, if `user` may run meetings of its panel (404 otherwise, as for a meeting
/// that does not exist: a chair learns nothing about other panels).
pub async fn meeting_for(state: &AppState, user: &CurrentUser, id: i64) -> Result<super::MeetingSummary, AppError> {
    let meeting = repo::summary_of(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if !crate::panels::scope(&state.db, user).await?.allows(meeting.panel_id) {
        return Err(AppError::NotFound);
    }
    Ok(meeting)
}

/// `POST /admin/meetings/<id>/attendance`: `a-<recruit id>=present|absent|excused` per member.
pub async fn attendance(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    body: String,
) -> Result<Response, AppError> {
    let meeting = meeting_for(&state, &user, id).await?;
    let mut answers = vec![];
    for (key, value) in form_pairs(&body) {
        let Some(recruit) = key.strip_prefix("a-").and_then(|r| r.parse::<i64>().ok()) else { continue };
        if value.is_empty() {
            continue;
        }
        // "invited" is what sending the invitation records, not an answer about a meeting.
        let status = match Attendance::parse(&value) {
            Ok(Attendance::Invited) | Err(_) => {
                return Err(AppError::Invalid("Attendance must be present, absent or excused".into()))
            }
            Ok(status) => status,
        };
        answers.push((recruit, status));
    }
    let n = repo::record_attendance(&state.db, id, meeting.panel_id, &answers).await?;
    audit::record(&state.db, &user.email, "attendance_recorded", Some(&format!("meeting:{id}")), Some(&n.to_string()))
        .await?;
    Ok(Redirect::to(&format!("/admin/meetings/{id}?saved=attendance#attendance")).into_response())
}

async fn meeting_report_of(state: &AppState, meeting: super::MeetingSummary) -> Result<report::Report, AppError> {
    let panel = crate::panels::by_id(&state.db, meeting.panel_id).await?.ok_or(AppError::NotFound)?;
    let period = format!("meeting on {}", meeting.when);
    Ok(report::build(&state.db, panel, period, vec![meeting]).await?)
}

fn html_page(title: &str, body: String) -> Response {
    let mut page = PublicPage::raw(Lang::En, title.to_string(), body);
    page.switcher = Switcher::None;
    page.into_response()
}

fn csv_response(name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /admin/meetings/<id>/report`: the meeting's report as a page to print or check
/// before publishing.
pub async fn meeting_report(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let meeting = meeting_for(&state, &user, id).await?;
    let r = meeting_report_of(&state, meeting).await?;
    let body = format!(
        "{}<p><a href=\"/admin/meetings/{id}/report.csv\">Download as CSV</a> · <a href=\"/admin/meetings/{id}\">Back to the meeting</a></p>",
        report::to_html(&r)
    );
    Ok(html_page(&format!("{} report", r.panel.name), body))
}

pub async fn meeting_report_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let meeting = meeting_for(&state, &user, id).await?;
    let r = meeting_report_of(&state, meeting).await?;
    let mut bytes = vec![];
    report::to_csv(&r, &mut bytes).map_err(|e| AppError::Internal(e.into()))?;
    Ok(csv_response(&format!("meeting-{id}-report.csv"), bytes))
}

/// `GET /admin/meetings/<id>/request-list.csv`: what the force must bring for each case
/// (date and time, place, type, legislation, object of search), in sample order.
pub async fn request_list(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    meeting_for(&state, &user, id).await?;
    let cases = repo::cases(&state.db, id).await?;
    let columns = ["Date", "Type", "Latitude", "Longitude", "Legislation", "Object of search", "Outcome"];
    let mut w = csv::Writer::from_writer(vec![]);
    let mut header = vec!["Case"];
    header.extend(columns);
    w.write_record(&header).map_err(|e| AppError::Internal(e.into()))?;
    for c in &cases {
        let mut row = vec![c.position.to_string()];
        // The force's own values, but opened in a spreadsheet: no formulas.
        row.extend(columns.iter().map(|col| crate::spreadsheet::defuse_unless_number(c.field(col))));
        w.write_record(&row).map_err(|e| AppError::Internal(e.into()))?;
    }
    let bytes = w.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    audit::record(&state.db, &user.email, "request_list_downloaded", Some(&format!("meeting:{id}")), None).await?;
    Ok(csv_response(&format!("meeting-{id}-request-list.csv"), bytes))
}

/// `GET /admin/panels/<slug>/year/<YYYY>` (`.csv` for the CSV): the panel's year, every
/// meeting published or not, for coordinators and the panel's chair.
pub async fn year_report(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((slug, year)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (year, csv) = match year.strip_suffix(".csv") {
        Some(y) => (y.to_string(), true),
        None => (year, false),
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::NotFound);
    }
    let panel = crate::panels::by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    if !crate::panels::scope(&state.db, &user).await?.allows(panel.id) {
        return Err(AppError::NotFound);
    }
    let meetings = repo::in_year(&state.db, panel.id, &year).await?;
    let r = report::build(&state.db, panel, year.clone(), meetings).await?;
    if csv {
        let mut bytes = vec![];
        report::to_csv(&r, &mut bytes).map_err(|e| AppError::Internal(e.into()))?;
        return Ok(csv_response(&format!("{}-{year}-report.csv", r.panel.slug), bytes));
    }
    let body = format!(
        "{}<p><a href=\"/admin/panels/{}/year/{year}.csv\">Download as CSV</a> · <a href=\"/admin/meetings?panel={}\">Meetings</a></p>",
        report::to_html(&r),
        r.panel.slug,
        r.panel.slug
    );
    Ok(html_page(&format!("{} {year} report", r.panel.name), body))
}

/// `GET /panels/<slug>/reports`: a panel's published reports, for anyone, when the panel
/// publishes them (404 otherwise).
pub async fn public_reports(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response, AppError> {
    let panel = public_panel(&state, &slug).await?;
    let meetings = repo::published_in(&state.db, panel.id, None).await?;
    let mut body = format!("<h1>{}: reports</h1>", crate::public::html_escape(&panel.name));
    if meetings.is_empty() {
        body.push_str("<p>No reports are published yet.</p>");
    } else {
        let mut years: Vec<String> = meetings.iter().map(|m| m.starts_at[..4].to_string()).collect();
        years.dedup();
        body.push_str("<h2>Meetings</h2><ul>");
        for m in &meetings {
            body.push_str(&format!(
                "<li><a href=\"/panels/{}/reports/{}\">{}</a></li>",
                panel.slug,
                m.id,
                crate::public::html_escape(&m.when)
            ));
        }
        body.push_str("</ul><h2>Each year</h2>");
        for y in years {
            let r = report::build(
                &state.db,
                panel.clone(),
                y.clone(),
                repo::published_in(&state.db, panel.id, Some(&y)).await?,
            )
            .await?;
            body.push_str(&format!(
                "<section aria-label=\"{y}\">{}</section>",
                report::to_html(&r).replacen("<h1>", "<h2>", 1).replacen("</h1>", "</h2>", 1)
            ));
        }
    }
    Ok(html_page(&format!("{} reports", panel.name), body))
}

/// `GET /panels/<slug>/reports/<id>`: one published meeting's report.
pub async fn public_meeting_report(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let panel = public_panel(&state, &slug).await?;
    let meeting = repo::summary_of(&state.db, id).await?.filter(|m| m.panel_id == panel.id && m.published);
    let meeting = meeting.ok_or(AppError::NotFound)?;
    let r = meeting_report_of(&state, meeting).await?;
    Ok(html_page(&format!("{} report", panel.name), report::to_html(&r)))
}

async fn public_panel(state: &AppState, slug: &str) -> Result<crate::panels::Panel, AppError> {
    crate::panels::by_slug(&state.db, slug).await?.filter(|p| p.reports_public).ok_or(AppError::NotFound)
}
