//! Card lookups for `/j/<code>` without a database round trip each time. A card's batch
//! never changes, so code → batch is kept for good (up to 200,000 codes, then started
//! afresh); a batch's status and expiry are kept for 500 ms, and forgotten at once when
//! this instance voids the batch: a void on another instance (or the CLI) takes effect
//! here within a second. A busy card costs one lookup per batch per 500 ms.
//!
//! Lookups that reach the database are made one at a time per client (a lock per client,
//! striped), each miss counted before the next starts: a burst of guesses sent all at once
//! meets the same limit of 20 as guesses sent one by one (plus at most one in flight on
//! each other instance). Waiting, never refusing: 200 reloads of a real card at once on a
//! cold cache wait for the first lookup and are then answered from the cache.
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use super::repo::{self, CardLookup};
use crate::{
    db::Db,
    domain::{BatchStatus, CardCode, ExpiryDate},
    error::AppError,
    limits::Client,
    state::AppState,
};

const BATCH_TTL: Duration = Duration::from_millis(500);
const MAX_CODES: usize = 200_000;
/// Locks that serialise one client's database lookups (clients share a stripe by hash;
/// two clients on one stripe only wait for each other's millisecond lookups).
const CLIENT_STRIPES: usize = 512;

struct CardCache {
    codes: Mutex<HashMap<String, i64>>,
    batches: Mutex<HashMap<i64, (CardLookup, Instant)>>,
    clients: Vec<tokio::sync::Mutex<()>>,
    stripe_of: std::collections::hash_map::RandomState,
}

impl Default for CardCache {
    fn default() -> Self {
        CardCache {
            codes: Mutex::default(),
            batches: Mutex::default(),
            clients: (0..CLIENT_STRIPES).map(|_| tokio::sync::Mutex::new(())).collect(),
            stripe_of: Default::default(),
        }
    }
}

impl CardCache {
    /// The card, when this instance knows it and its batch's status is fresh.
    fn cached(&self, code: &CardCode) -> Option<CardLookup> {
        let batch = self.codes.lock().expect("card cache").get(code.as_str()).copied()?;
        let batches = self.batches.lock().expect("card cache");
        let (card, at) = batches.get(&batch)?;
        (at.elapsed() < BATCH_TTL).then(|| card.clone())
    }

    /// The lock for `client`'s lookups that go past the cache.
    fn client_lock(&self, client: &str) -> &tokio::sync::Mutex<()> {
        use std::hash::BuildHasher;
        let stripe = self.stripe_of.hash_one(client);
        &self.clients[(stripe % CLIENT_STRIPES as u64) as usize]
    }

    async fn lookup(&self, db: &Db, code: &CardCode) -> Result<Option<CardLookup>, AppError> {
        if let Some(card) = self.cached(code) {
            return Ok(Some(card));
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
    fn forget_batch(&self, batch_id: i64) {
        self.batches.lock().expect("card cache").remove(&batch_id);
    }
}

/// Puts the card cache in the state (startup).
pub fn install(services: &mut http::Extensions) {
    services.insert(std::sync::Arc::new(CardCache::default()));
}

fn cache(state: &AppState) -> &CardCache {
    state.service::<std::sync::Arc<CardCache>>().expect("cards::install runs at startup")
}

/// After voiding a batch on this instance, its cards stop working here at once.
pub fn forget_batch(state: &AppState, batch_id: i64) {
    cache(state).forget_batch(batch_id);
}

/// The card behind `/j/<code>/…`, when it can still be used.
pub enum Card {
    Valid {
        code: CardCode,
        batch_id: i64,
    },
    Unknown,
    NoLongerValid,
    /// This client has tried too many codes that do not exist (guessing).
    Throttled,
}

/// Looks a card up for `client`. Codes that do not exist count against the client,
/// so guessing codes is slowed to a crawl (20 misses per 10 minutes).
pub async fn card(state: &AppState, raw: &str, client: &Client) -> Result<Card, AppError> {
    let client = &client.key();
    if state.card_miss_limiter.is_blocked(client) {
        return Ok(Card::Throttled);
    }
    let cards = cache(state);
    let code = CardCode::parse(raw).ok();
    let cached = code.as_ref().and_then(|code| cards.cached(code));
    let found = match (code, cached) {
        (Some(code), Some(card)) => Some((code, card)),
        (code, _) => {
            // Past the cache: one lookup at a time for this client, its miss counted
            // before the next one is let through.
            let _turn = cards.client_lock(client).lock().await;
            if state.card_miss_limiter.is_blocked(client) {
                return Ok(Card::Throttled);
            }
            let found = match code {
                Some(code) => cards.lookup(&state.db, &code).await?.map(|c| (code, c)),
                None => None,
            };
            if found.is_none() {
                state.card_miss_limiter.allow(client).await;
            }
            found
        }
    };
    let Some((code, card)) = found else {
        return Ok(Card::Unknown);
    };
    let expired =
        card.expires_on.as_deref().and_then(ExpiryDate::parse_iso).is_some_and(|last| last < ExpiryDate::today());
    if card.status != BatchStatus::Active || expired {
        return Ok(Card::NoLongerValid);
    }
    Ok(Card::Valid { code, batch_id: card.batch_id })
}
