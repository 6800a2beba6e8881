//! Panels: a force or PCC runs several (district panels, a youth panel, a use-of-force
//! panel). Every card batch and every recruit belongs to one. Here: the panels, their
//! target composition and their members' records (role, term, vetting status, training),
//! for coordinators; a chair sees and runs their own panel only.
pub mod api;
mod views;

#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub use repo::{by_id, by_slug, list, min_age_for, subject_access, targets};

use serde::{Deserialize, Serialize};

pub use views::{PanelPage, PanelsPage};

use crate::domain::{MemberRole, PanelKind, VettingStatus};

/// A panel as the dashboard shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: PanelKind,
    pub area: Option<String>,
    /// None: the force's minimum age.
    pub min_age: Option<i64>,
    pub term_limit_months: Option<i64>,
    pub safeguarding_lead: Option<String>,
    pub reports_public: bool,
}

/// What is recorded about a member once they join (dates as `YYYY-MM-DD`). Vetting is
/// its level, status and expiry only, never its content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MemberRecord {
    pub role: MemberRole,
    pub term_start: Option<String>,
    pub term_end: Option<String>,
    pub vetting_level: Option<String>,
    pub vetting_status: Option<VettingStatus>,
    pub vetting_expires: Option<String>,
    pub confidentiality_on: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub id: i64,
    pub course: String,
    pub taken_on: String,
    pub expires_on: Option<String>,
}

/// A member of a panel: a recruit whose status is "member".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub recruit_id: i64,
    pub public_id: String,
    pub name: String,
    /// Whether a meeting invitation can go by email.
    pub has_email: bool,
    /// Under 18 when they signed up: the panel's safeguarding lead is responsible.
    pub under_18: bool,
    pub record: MemberRecord,
    pub training: Vec<Training>,
    /// Meetings they were present at, of those with attendance recorded.
    pub attended: i64,
    pub meetings: i64,
}

impl Member {
    /// Attendance as a whole percentage, when any meeting has attendance recorded.
    pub fn attendance_percent(&self) -> Option<i64> {
        (self.meetings > 0).then(|| (self.attended * 100 + self.meetings / 2) / self.meetings)
    }
}

/// Something about a member that falls due: vetting, a training course, their term.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DueItem {
    pub recruit_id: i64,
    pub name: String,
    pub what: String,
    pub on: String,
    pub overdue: bool,
}

/// Days ahead the "due soon" list looks.
pub const DUE_WITHIN_DAYS: i64 = 60;

/// Which panels a signed-in user may work on: every panel, or the one they chair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelScope {
    All,
    One(i64),
    None,
}

impl PanelScope {
    pub fn allows(self, panel_id: i64) -> bool {
        match self {
            PanelScope::All => true,
            PanelScope::One(id) => id == panel_id,
            PanelScope::None => false,
        }
    }
}

/// The panels `user` may run meetings for: coordinators and admins every panel, a chair
/// the panel stored with their account, anyone else none.
#[cfg(feature = "ssr")]
pub async fn scope(db: &crate::db::Db, user: &crate::roles::CurrentUser) -> Result<PanelScope, crate::db::DbError> {
    use crate::roles::Role;
    Ok(match user.role {
        Role::Coordinator | Role::Admin => PanelScope::All,
        Role::Chair => repo::chaired_by(db, user.id).await?.map_or(PanelScope::None, PanelScope::One),
        Role::Viewer => PanelScope::None,
    })
}

/// The panel named by `slug`, or an error naming the flag (for commands).
#[cfg(feature = "ssr")]
pub async fn require_slug(db: &crate::db::Db, flag: &str, slug: &str) -> anyhow::Result<Panel> {
    let parsed = crate::domain::PanelSlug::parse(slug).map_err(|e| anyhow::anyhow!("{flag}: {e}"))?;
    match repo::by_slug(db, parsed.as_str()).await? {
        Some(p) => Ok(p),
        None => {
            let known: Vec<String> = repo::list(db).await?.into_iter().map(|p| p.slug).collect();
            anyhow::bail!("{flag}: there is no panel {slug:?} (panels: {})", known.join(", "))
        }
    }
}
