//! Group commit for sign-ups on SQLite. SQLite has one writer and each commit waits for
//! the disk (`synchronous=FULL`), so one transaction per sign-up caps throughput at the
//! disk's flush rate and makes a queue. Here, sign-ups that arrive while a commit is
//! under way are saved together in the next transaction, each inside its own savepoint
//! (one failing does not affect the others), and every person gets their answer only
//! after the commit that holds their sign-up: a success response still means "on disk".
//! PostgreSQL commits concurrent transactions together by itself and does not use this.
use tokio::sync::{mpsc, oneshot};

use super::repo::{self, Submission, Submitted};
use crate::{
    db::{Db, DbError},
    error::AppError,
};

/// At most this many sign-ups per commit.
const MAX_GROUP: usize = 64;

enum Outcome {
    Saved(Submitted),
    Failed(AppError),
    /// Lost a unique-key race (a twin submitted elsewhere): try again on its own.
    Retry(Submission),
}

type Reply = oneshot::Sender<Outcome>;

#[derive(Clone)]
pub struct SignupCommitter {
    queue: mpsc::Sender<(Submission, Reply)>,
}

impl SignupCommitter {
    pub fn spawn(db: Db) -> SignupCommitter {
        let (queue, mut incoming) = mpsc::channel::<(Submission, Reply)>(1024);
        tokio::spawn(async move {
            while let Some(first) = incoming.recv().await {
                let mut group = vec![first];
                while group.len() < MAX_GROUP {
                    match incoming.try_recv() {
                        Ok(next) => group.push(next),
                        Err(_) => break,
                    }
                }
                commit_group(&db, group).await;
            }
        });
        SignupCommitter { queue }
    }

    /// Saves a sign-up; returns its receipt once it is committed.
    pub async fn submit(&self, db: &Db, s: Submission) -> Result<Submitted, AppError> {
        let (reply, answer) = oneshot::channel();
        if self.queue.send((s, reply)).await.is_err() {
            return Err(AppError::Internal(anyhow::anyhow!("sign-up committer stopped")));
        }
        match answer.await {
            Ok(Outcome::Saved(receipt)) => Ok(receipt),
            Ok(Outcome::Retry(s)) => Ok(repo::submit(db, &s).await?),
            Ok(Outcome::Failed(e)) => Err(e),
            Err(_) => Err(AppError::Internal(anyhow::anyhow!("sign-up committer stopped"))),
        }
    }
}

fn failed(message: &str) -> Outcome {
    Outcome::Failed(AppError::Internal(anyhow::anyhow!("sign-up not saved: {message}")))
}

async fn savepoint(tx: &mut sqlx::Transaction<'static, sqlx::Any>, sql: &str) -> Result<(), DbError> {
    sqlx::query(sql).execute(&mut **tx).await?;
    Ok(())
}

async fn commit_group(db: &Db, group: Vec<(Submission, Reply)>) {
    let mut tx = match db.begin_write().await {
        Ok(tx) => tx,
        Err(e) => {
            for (_, reply) in group {
                let _ = reply.send(failed(&e.to_string()));
            }
            return;
        }
    };
    let mut outcomes = Vec::with_capacity(group.len());
    for (s, reply) in group {
        let saved = match savepoint(&mut tx, "SAVEPOINT signup").await {
            Ok(()) => repo::submit_in(&mut tx, &s).await,
            Err(e) => Err(e),
        };
        let outcome = match saved {
            Ok(receipt) => savepoint(&mut tx, "RELEASE SAVEPOINT signup").await.map(|_| Outcome::Saved(receipt)),
            Err(e) => {
                let undone = async {
                    savepoint(&mut tx, "ROLLBACK TO SAVEPOINT signup").await?;
                    savepoint(&mut tx, "RELEASE SAVEPOINT signup").await
                };
                match (undone.await, e) {
                    (Err(undo), _) => Err(undo),
                    (Ok(()), e) if e.is_unique_violation() => Ok(Outcome::Retry(s)),
                    (Ok(()), e) => Ok(Outcome::Failed(e.into())),
                }
            }
        };
        match outcome {
            Ok(o) => outcomes.push((o, reply)),
            Err(e) => {
                // The transaction itself is broken: nobody in this group is saved.
                let message = e.to_string();
                let _ = reply.send(failed(&message));
                for (_, reply) in outcomes {
                    let _ = reply.send(failed(&message));
                }
                return;
            }
        }
    }
    match tx.commit().await {
        Ok(()) => {
            for (outcome, reply) in outcomes {
                let _ = reply.send(outcome);
            }
        }
        Err(e) => {
            let message = e.to_string();
            for (_, reply) in outcomes {
                let _ = reply.send(failed(&message));
            }
        }
    }
}
