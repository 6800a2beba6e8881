//! Meetings: the panel at work. A coordinator or the panel's chair schedules a meeting,
//! draws a reproducible sample of the force's published searches for it (the seed and
//! filters are kept with the meeting), records attendance and minutes, rates each case,
//! raises actions with the force and records the force's replies; reports per meeting and
//! per year follow (`report`), published at `/panels/<slug>/reports` when the panel says so.
pub mod api;
mod views;

#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
mod handlers;
#[cfg(feature = "ssr")]
pub mod ics;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod report;

use serde::{Deserialize, Serialize};

pub use views::{MeetingPage, MeetingsPage};

use crate::domain::{ActionStatus, Attendance, Rating, Theme};

/// A meeting as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeetingSummary {
    pub id: i64,
    pub panel_id: i64,
    pub panel_slug: String,
    pub panel_name: String,
    /// `YYYY-MM-DDTHH:MM`, local time.
    pub starts_at: String,
    /// "Tuesday 30 March 2027, 18:30".
    pub when: String,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub cases: i64,
    pub rated: i64,
    pub published: bool,
}

/// How a meeting's sample was drawn: enough to draw it again (`scrutiny sample` with the
/// same values gives the same searches in the same order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleRecord {
    pub force: String,
    pub from: String,
    pub to: String,
    pub size: i64,
    pub seed: String,
    /// Filter codes (`strip-search`, `under-18`, `section-60`, `no-further-action`).
    pub only: Vec<String>,
    /// Filters on published values: (`type`, `legislation`, `outcome` or `ethnic-group`, value).
    #[serde(default)]
    pub narrow: Vec<(String, String)>,
    /// How many searches it was drawn from.
    pub candidates: i64,
}

impl SampleRecord {
    /// The command that draws the same sample.
    pub fn command(&self) -> String {
        let mut c = format!(
            "scrutiny sample --force {} --from {} --to {} --size {} --seed '{}'",
            self.force,
            self.from,
            self.to,
            self.size,
            self.seed.replace('\'', "'\\''")
        );
        for o in &self.only {
            c.push_str(&format!(" --only {o}"));
        }
        for (flag, value) in &self.narrow {
            c.push_str(&format!(" --{flag} '{}'", value.replace('\'', "'\\''")));
        }
        c
    }
}

/// One sampled search, its police.uk fields as published, and the panel's rating.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub position: i64,
    /// `(police.uk column, value)`, in the file's column order.
    pub fields: Vec<(String, String)>,
    pub rating: Option<Rating>,
    pub reasons: Option<String>,
    pub themes: Vec<Theme>,
}

impl Case {
    pub fn field(&self, column: &str) -> &str {
        self.fields.iter().find(|(c, _)| c == column).map(|(_, v)| v.as_str()).unwrap_or("")
    }
}

/// An action the panel raised with the force.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub id: i64,
    pub meeting_id: i64,
    pub case_position: Option<i64>,
    pub text: String,
    pub owner: String,
    pub due_on: Option<String>,
    pub status: ActionStatus,
    pub reply: Option<String>,
    pub replied_on: Option<String>,
    /// Open and past its due date.
    pub overdue: bool,
}

/// A member's attendance at a meeting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttendanceRow {
    pub recruit_id: i64,
    pub name: String,
    pub status: Option<Attendance>,
}

/// Everything on a meeting's page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeetingDetail {
    pub meeting: MeetingSummary,
    pub agenda: Option<String>,
    pub minutes: Option<String>,
    pub sample: Option<SampleRecord>,
    pub cases: Vec<Case>,
    pub actions: Vec<Action>,
    pub attendance: Vec<AttendanceRow>,
    /// Forces with imported searches (for the sample form).
    pub forces: Vec<String>,
}

/// A red rating or an overdue action, for the coordinator's attention.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attention {
    pub meeting_id: i64,
    pub panel_id: i64,
    pub panel_name: String,
    pub when: String,
    pub what: String,
}

/// Routes that are not Leptos pages: attendance (a form with one answer per member),
/// reports as printable HTML and CSV, and the public reports of panels that publish them.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::routes::Route> {
    use crate::{roles::Role, routes::Route};
    use axum::routing::{get, post};
    vec![
        Route::signed(Role::Chair, "/admin/meetings/{id}/attendance", post(handlers::attendance)),
        Route::signed(Role::Chair, "/admin/meetings/{id}/report", get(handlers::meeting_report)),
        Route::signed(Role::Chair, "/admin/meetings/{id}/report.csv", get(handlers::meeting_report_csv)),
        Route::signed(Role::Chair, "/admin/meetings/{id}/request-list.csv", get(handlers::request_list)),
        Route::signed(Role::Chair, "/admin/panels/{slug}/year/{year}", get(handlers::year_report)),
        Route::public("/panels/{slug}/reports", get(handlers::public_reports)),
        Route::public("/panels/{slug}/reports/{id}", get(handlers::public_meeting_report)),
    ]
}

/// What a meeting invitation says (the email worker renders it in each person's language).
#[cfg(feature = "ssr")]
pub struct Invitation {
    pub panel_name: String,
    pub starts_at: crate::domain::MeetingTime,
    pub minutes_long: i64,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub agenda: Option<String>,
}

#[cfg(feature = "ssr")]
pub async fn invitation(db: &crate::db::Db, meeting_id: i64) -> Result<Option<Invitation>, crate::db::DbError> {
    repo::invitation(db, meeting_id).await
}
