//! Records scans in batches: one transaction per ~50 ms instead of one (with its fsync)
//! per page view, so a burst of scans never queues behind SQLite's single writer. A
//! crash can lose at most the last ~50 ms of scan counts; sign-ups are never batched.
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::repo;
use crate::{
    db::{now_unix, Db},
    limits::SharedOnce,
};

enum Msg {
    Scan { code: String, batch_id: i64, at: i64, once: Option<SharedOnce> },
    Flush(oneshot::Sender<()>),
}

#[derive(Clone)]
pub struct ScanRecorder {
    tx: mpsc::Sender<Msg>,
}

const MAX_BATCH: usize = 2000;
const WINDOW: Duration = Duration::from_millis(50);

impl ScanRecorder {
    pub fn spawn(db: Db) -> ScanRecorder {
        let (tx, mut rx) = mpsc::channel::<Msg>(100_000);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut scans = Vec::new();
                let mut waiting = Vec::new();
                type Scan = (String, i64, i64, Option<SharedOnce>);
                let take = |m: Msg, scans: &mut Vec<Scan>, waiting: &mut Vec<oneshot::Sender<()>>| match m {
                    Msg::Scan { code, batch_id, at, once } => scans.push((code, batch_id, at, once)),
                    Msg::Flush(done) => waiting.push(done),
                };
                take(first, &mut scans, &mut waiting);
                let deadline = tokio::time::Instant::now() + WINDOW;
                while scans.len() < MAX_BATCH && waiting.is_empty() {
                    match tokio::time::timeout_at(deadline, rx.recv()).await {
                        Ok(Some(m)) => take(m, &mut scans, &mut waiting),
                        _ => break,
                    }
                }
                // With several instances, a person's reload may have been counted by
                // another one: those scans are dropped here, off the request's path.
                let mut counted = Vec::with_capacity(scans.len());
                for (code, batch_id, at, once) in scans {
                    match once {
                        Some(once) if !once.first().await => {}
                        _ => counted.push((code, batch_id, at)),
                    }
                }
                let scans = counted;
                if !scans.is_empty() {
                    if let Err(e) = repo::record_scans(&db, &scans).await {
                        tracing::error!(error = %crate::telemetry::error_text(&e), count = scans.len(), "recording scans failed");
                    }
                }
                for done in waiting {
                    let _ = done.send(());
                }
            }
        });
        ScanRecorder { tx }
    }

    /// Queues one scan; it is written within ~50 ms (unless `once` says another instance
    /// has counted this person's scan of this card already).
    pub async fn record(&self, code: &str, batch_id: i64, once: Option<SharedOnce>) {
        let msg = Msg::Scan { code: code.to_string(), batch_id, at: now_unix(), once };
        if self.tx.send(msg).await.is_err() {
            tracing::error!("scan recorder has stopped");
        }
    }

    /// Waits until every scan queued so far is written (shutdown, tests).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Msg::Flush(done)).await.is_ok() {
            let _ = wait.await;
        }
    }
}
