//! The sign-up journey: card landing → questions → check answers → confirmation
//! email → confirmed. Plain HTML forms, one small group of questions per page, all
//! validation on the server. What the person typed travels with them in hidden
//! fields (nothing is stored before they submit), so no answer is ever lost to an
//! error, a "back" or a "change".
mod draft;
pub use draft::{Draft, Step};

#[cfg(feature = "ssr")]
mod committer;
#[cfg(feature = "ssr")]
mod form;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod pages;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
mod submission;

#[cfg(feature = "ssr")]
pub use pages::{before_you_join, card_problem_page, landing};
/// Erasing a person (recruits, retention), a person's timeline, and the answers waiting
/// for an "is this you?" confirmation (the email worker): signup owns the people tables.
#[cfg(feature = "ssr")]
pub use repo::{erase_in, event as record_event, pending_summary, PanelOf};

/// On SQLite, sign-ups are committed in groups (see `committer`); PostgreSQL groups
/// concurrent commits itself.
#[cfg(feature = "ssr")]
pub fn install(db: &crate::db::Db, services: &mut http::Extensions) {
    if db.backend() == crate::db::Backend::Sqlite {
        services.insert(committer::SignupCommitter::spawn(db.clone()));
    }
}

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
