//! Card lookups for `/j/<code>` without a database round trip each time. A card's batch
//! never changes, so code → batch is kept for good (up to 200,000 codes, then started
//! afresh); a batch's status and expiry are kept for 10 seconds, and forgotten at once
//! when this instance voids the batch (another instance, or the CLI, is seen within 10 s).
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use super::repo::{self, CardLookup};
use crate::{db::Db, domain::CardCode, error::AppError};

const BATCH_TTL: Duration = Duration::from_secs(10);
const MAX_CODES: usize = 200_000;

#[derive(Default)]
pub struct CardCache {
    codes: Mutex<HashMap<String, i64>>,
    batches: Mutex<HashMap<i64, (CardLookup, Instant)>>,
}

impl CardCache {
    pub async fn lookup(&self, db: &Db, code: &CardCode) -> Result<Option<CardLookup>, AppError> {
        let batch = self.codes.lock().expect("card cache").get(code.as_str()).copied();
        if let Some(batch) = batch {
            if let Some((card, at)) = self.batches.lock().expect("card cache").get(&batch) {
                if at.elapsed() < BATCH_TTL {
                    return Ok(Some(card.clone()));
                }
            }
        }
        let found = repo::lookup_card(db, code).await?;
        if let Some(card) = &found {
            let mut codes = self.codes.lock().expect("card cache");
            if codes.len() >= MAX_CODES {
                codes.clear();
            }
            codes.insert(code.as_str().to_string(), card.batch_id);
            drop(codes);
            self.batches.lock().expect("card cache").insert(card.batch_id, (card.clone(), Instant::now()));
        }
        Ok(found)
    }

    /// After voiding a batch here, its cards stop working at once.
    pub fn forget_batch(&self, batch_id: i64) {
        self.batches.lock().expect("card cache").remove(&batch_id);
    }
}
