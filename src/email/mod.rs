//! Email: a durable outbox in the database and a background worker that sends it.
//!
//! A sign-up only *queues* its email (in the same transaction that saves the person),
//! so it is never lost when SMTP is down. The worker renders each message at send
//! time — creating the single-use tokens then, so only their hashes are ever stored —
//! retries with exponential backoff, and marks a message sent once the server has
//! accepted it. Each message carries a stable `Message-ID` (`outbox-<id>`), so the
//! rare resend after a crash between "accepted" and "marked" can be recognised.
#[cfg(feature = "ssr")]
pub mod callback;
#[cfg(feature = "ssr")]
pub mod notify;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod transport;
#[cfg(feature = "ssr")]
pub mod worker;

/// What other features use: queue a message (in their own transaction), check for a
/// recent one, and the outbox's state for `/health`.
#[cfg(feature = "ssr")]
pub use repo::{outbox_state, queue, queued_recently};

/// Notify's delivery receipts: public, authenticated by the bearer token Notify sends.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::routes::Route> {
    vec![crate::routes::Route::public("/notify/callback", axum::routing::post(callback::receipt))]
}
