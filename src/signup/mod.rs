//! The sign-up journey: card landing → questions → check answers → confirmation
//! email → confirmed. Plain HTML forms, one small group of questions per page, all
//! validation on the server. What the person typed travels with them in hidden
//! fields (nothing is stored before they submit), so no answer is ever lost to an
//! error, a "back" or a "change".
mod draft;
pub use draft::{Draft, Step};

#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
mod form;
#[cfg(feature = "ssr")]
pub mod committer;
#[cfg(feature = "ssr")]
pub mod repo;
