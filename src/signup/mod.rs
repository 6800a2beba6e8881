//! The sign-up journey: card landing → questions → check answers → confirmation
//! email → confirmed. Plain HTML forms, one small group of questions per page, all
//! validation on the server. What the person typed travels with them in hidden
//! fields (nothing is stored before they submit), so no answer is ever lost to an
//! error, a "back" or a "change".
mod draft;
pub use draft::{Draft, Step};

#[cfg(feature = "ssr")]
pub mod committer;
#[cfg(feature = "ssr")]
mod form;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;

/// The sign-up journey, confirmation and withdrawal: public by nature.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::routes::Route> {
    use crate::routes::Route;
    use axum::routing::get;
    vec![
        Route::public("/j/{code}/join", get(handlers::start_from_card).post(handlers::answer_from_card)),
        Route::public("/join", get(handlers::start_without_card).post(handlers::answer_without_card)),
        Route::public("/signup/sent/{receipt}", get(handlers::sent).post(handlers::resend)),
        Route::public("/confirm/{token}", get(handlers::confirm)),
        Route::public("/withdraw/{token}", get(handlers::withdraw_page).post(handlers::withdraw)),
        // Short forms for links in text messages (every character is paid for).
        Route::public("/c/{token}", get(handlers::confirm)),
        Route::public("/w/{token}", get(handlers::withdraw_page)),
        // A card code typed into the box on the unknown-card page.
        Route::public("/card", get(handlers::typed_card)),
    ]
}
