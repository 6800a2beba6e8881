//! Force-level settings that can change at run time (stored in the `settings` table),
//! such as the wording printed on cards.
#[cfg(feature = "ssr")]
pub mod repo;
