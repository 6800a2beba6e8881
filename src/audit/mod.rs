//! The audit log: who did what to what, and when. Every feature records here (sign-ins,
//! reads of personal data, erasures, card batches); admins read it on the dashboard.
//! Below the features, so any of them may write to it.
mod repo;

pub use repo::{list, record, AuditRow};
