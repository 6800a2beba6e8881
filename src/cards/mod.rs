//! Card batches: print runs of stop-and-search cards, each card with its own QR code
//! leading to `/j/<code>`. Views for the dashboard live here; SQL in `repo`, print
//! files in `print`, downloads in `download`.
pub mod api;
mod views;

#[cfg(feature = "ssr")]
mod cache;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod download;
#[cfg(feature = "ssr")]
pub mod print;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod wording;

#[cfg(feature = "ssr")]
pub use cache::{card, forget_batch, install, Card};
use serde::{Deserialize, Serialize};

pub use views::{BatchDetailPage, BatchListPage, NewBatchPage};

/// A batch as the dashboard lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchSummary {
    pub id: i64,
    pub label: String,
    pub area: Option<String>,
    /// Cards printed.
    pub quantity: i64,
    pub created_by: String,
    pub created_at: i64,
    pub expires_on: Option<String>,
    pub status: crate::domain::BatchStatus,
    /// Distinct cards scanned at least once.
    pub scanned: i64,
    /// All landing-page fetches.
    pub scans: i64,
    /// Languages printed on the cards, in card order, e.g. `cy,en`.
    pub languages: String,
    /// The panel the cards' recruits join (its name).
    pub panel: String,
}

impl BatchSummary {
    pub fn is_void(&self) -> bool {
        self.status == crate::domain::BatchStatus::Void
    }

    /// Share of printed cards scanned at least once, as a whole percentage.
    pub fn scanned_percent(&self) -> i64 {
        if self.quantity == 0 {
            0
        } else {
            (self.scanned * 100 + self.quantity / 2) / self.quantity
        }
    }
}

/// A batch with the first few of its codes, for the detail page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchDetail {
    pub batch: BatchSummary,
    pub sample_codes: Vec<String>,
    pub base_url: String,
}

/// Print files and QR images: coordinators.
#[cfg(feature = "ssr")]
pub fn routes() -> Vec<crate::routes::Route> {
    use crate::{roles::Role, routes::Route};
    use axum::routing::get;
    vec![
        Route::signed(Role::Coordinator, "/admin/cards/{id}/cards-a4.pdf", get(download::a4_pdf)),
        Route::signed(Role::Coordinator, "/admin/cards/{id}/cards-cr80.pdf", get(download::cr80_pdf)),
        Route::signed(Role::Coordinator, "/admin/cards/{id}/qr/{file}", get(download::qr_svg)),
    ]
}
