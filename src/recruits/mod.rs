//! Recruits: the people who signed up, for coordinators. Every view of a person's
//! details, every export and every erasure is written to the audit log.
pub mod api;
pub mod filter;
mod views;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod invite;
#[cfg(feature = "ssr")]
pub mod pipeline;
#[cfg(feature = "ssr")]
pub mod repo;

use serde::{Deserialize, Serialize};

pub use views::{CallBackPage, InvitePage, RecruitPage, RecruitsPage};

/// What needs doing, for the dashboard home.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ToDo {
    /// Signed up in the last 7 days.
    pub new_this_week: i64,
    /// Waiting for a call (phone only, no text).
    pub waiting_for_call: i64,
    /// Confirmed, not yet contacted.
    pub to_contact: i64,
}

/// Someone who gave only a phone number and has had no text message: waiting for the
/// coordinator to phone them (oldest first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallBack {
    pub public_id: String,
    pub name: String,
    pub phone: String,
    pub signed_up_at: i64,
    /// Whole days since they signed up.
    pub days_waiting: i64,
    /// The last call's outcome ("no answer", "wrong number"), if they were called.
    pub last_call: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecruitRow {
    pub public_id: String,
    pub name: String,
    pub status: crate::domain::RecruitStatus,
    pub batch: Option<String>,
    pub created_at: i64,
}

/// A page of the recruits list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecruitList {
    pub rows: Vec<RecruitRow>,
    /// How many match the filter in all (with `more`: at least this many).
    pub total: i64,
    /// A search matched more than `total` (the count stops at `repo::COUNT_CAP`).
    #[serde(default)]
    pub more: bool,
    /// Every card batch (id, label), newest first, for the filter.
    pub batches: Vec<(i64, String)>,
    /// Every panel (short name, name), for the filter.
    #[serde(default)]
    pub panels: Vec<(String, String)>,
    /// The reader may filter by ethnic group (equality data access): without it, a list
    /// filtered by group would tell them each person's group.
    #[serde(default)]
    pub equality_access: bool,
}

/// The languages an invitation must be written in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteNeeds {
    /// The force's default language code: its version is the `subject`/`message` fields.
    pub default: String,
    /// A Welsh force (default `cy`) sends nobody a message in another language than theirs.
    pub welsh_force: bool,
    /// (language code, people who chose it), most first.
    pub counts: Vec<(String, i64)>,
}

/// Everything held about one person (also the subject access export).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecruitDetail {
    pub public_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub contact_method: String,
    pub postcode: Option<String>,
    pub area_connection: String,
    pub age_band: String,
    pub language: String,
    pub status: crate::domain::RecruitStatus,
    pub batch: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub confirmed_at: Option<i64>,
    /// Present only if they consented to equality monitoring and the reader has equality
    /// data access.
    pub equality: Option<EqualityDetail>,
    /// They gave equality answers, but the reader may not see them beside their name.
    #[serde(default)]
    pub equality_hidden: bool,
    /// Emails queued or sent to them: (kind, status, created_at).
    pub emails: Vec<(String, String, i64)>,
    /// Status changes and notes: (at, actor, kind, detail).
    pub timeline: Vec<(i64, String, String, String)>,
}

/// The pipeline, in order; the last two end it.
pub use crate::labels::STATUSES;

/// Could this be a recruit's public id? (Anything else is not looked up at all.)
pub fn plausible_public_id(s: &str) -> bool {
    // Public ids are the first 16 characters of a URL-safe base64 token.
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    #[test]
    fn public_ids_are_url_safe_base64() {
        for _ in 0..200 {
            #[cfg(feature = "ssr")]
            assert!(super::plausible_public_id(&crate::tokens::new_token()[..16]));
        }
        assert!(!super::plausible_public_id("a\u{0}b"));
        assert!(!super::plausible_public_id("<script>"));
        assert!(!super::plausible_public_id(""));
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EqualityDetail {
    pub consented_at: i64,
    pub ethnic_group: Option<String>,
    pub ethnic_detail: Option<String>,
    pub ethnic_other: Option<String>,
    pub gender: Option<String>,
    pub disability: Option<String>,
}

/// The columns offered for CSV export (name, label).
pub fn export_columns() -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "Name"),
        ("email", "Email"),
        ("phone", "Phone"),
        ("contact_method", "Contact by"),
        ("postcode", "Postcode"),
        ("area_connection", "Area connection"),
        ("age_band", "Age band"),
        ("language", "Language"),
        ("status", "Status"),
        ("batch", "Card batch"),
        ("created_at", "Signed up"),
        ("confirmed_at", "Confirmed"),
    ]
}

/// Everything about a person: coordinators.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::routes::Route> {
    use crate::{roles::Role, routes::Route};
    use axum::routing::{get, post};
    vec![
        Route::signed(Role::Coordinator, "/admin/recruits/{id}/export.json", get(export::export_json)),
        Route::signed(Role::Coordinator, "/admin/recruits/status", post(pipeline::change_status)),
        Route::signed(Role::Coordinator, "/admin/recruits/invite", post(invite::send)),
        Route::signed(Role::Coordinator, "/admin/recruits/export.csv", get(export::export_csv)),
        Route::signed(Role::Coordinator, "/admin/recruits/{id}/note", post(pipeline::add_note)),
        Route::signed(Role::Coordinator, "/admin/recruits/{id}/call", post(pipeline::record_call)),
    ]
}
