//! Value types. Raw input becomes one of these through `parse`, which says in plain
//! words what is wrong; past the edge of the system, code takes these types.

/// A closed list of answers, each stored as a stable code (used by `person` and
/// `equality`; the invoking module needs `Serialize`, `Deserialize` and `ErrKey` in scope).
macro_rules! choice {
    ($(#[$m:meta])* $name:ident, $err:literal, [$($variant:ident = $code:literal),+ $(,)?]) => {
        $(#[$m])*
        /// Serialised as its stored code (exports and server functions read like the database).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn parse(raw: &str) -> Result<Self, ErrKey> {
                match raw.trim() {
                    $($code => Ok($name::$variant),)+
                    _ => Err($err),
                }
            }

            /// Stable code, stored in the database and used as the form value.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }
    };
}

mod batch;
mod card_code;
mod equality;
mod panel;
mod person;
mod status;

pub use batch::{utc_of_unix, BatchLabel, BatchQuantity, CardLanguages, ExpiryDate, OptionalArea};
pub use card_code::CardCode;
pub use equality::{parse_ethnic_other, Disability, EthnicDetail, EthnicGroup, Gender};
pub use panel::{
    optional_day, optional_long_text, optional_text, required_text, ActionStatus, Attendance, MeetingTime, MemberRole,
    PanelKind, PanelSlug, Rating, Theme, VettingStatus,
};
pub use person::{AgeBand, AreaConnection, AreaLink, ContactMethod, Email, ErrKey, PersonName, Phone, Postcode};
pub use status::{BatchStatus, EqualityConsent, RecruitStatus};
