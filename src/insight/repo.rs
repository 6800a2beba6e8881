//! SQL for the funnel and the trend.
use super::{FunnelRow, TrendPoint};
use crate::db::{Db, DbError};

/// Cards printed → scanned → started → submitted → confirmed → members, per batch
/// (batch None = sign-ups without a card) and overall (first row); of one panel's
/// batches and sign-ups, or every panel's (`panel` None).
pub async fn funnel(db: &Db, panel: Option<i64>) -> Result<Vec<FunnelRow>, DbError> {
    let p = panel.unwrap_or(0);
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT b.id, b.label, b.quantity, b.scanned_cards FROM card_batches b WHERE ($1 = 0 OR b.panel_id = $1) \
         ORDER BY b.id",
    )
    .bind(p)
    .fetch_all(db.pool())
    .await?;
    let events: Vec<(Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT batch_id, kind, CAST(SUM(n) AS BIGINT) FROM signup_events WHERE ($1 = 0 OR panel_id = $1) \
         GROUP BY batch_id, kind",
    )
    .bind(p)
    .fetch_all(db.pool())
    .await?;
    let mut members: Vec<(Option<i64>, i64)> = sqlx::query_as(
        "SELECT batch_id, CAST(SUM(n) AS BIGINT) FROM batch_tally WHERE status = 'member' GROUP BY batch_id",
    )
    .fetch_all(db.pool())
    .await?;
    if panel.is_some() {
        // Members without a card, of this panel: the panel's members less those from its
        // batches (the batch tally does not know panels; the recruit tally does).
        let (all,): (i64,) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM recruit_tally WHERE status = 'member' AND panel_id = $1",
        )
        .bind(p)
        .fetch_one(db.pool())
        .await?;
        let from_cards: i64 = members
            .iter()
            .filter(|(b, _)| b.is_some_and(|b| rows.iter().any(|(id, ..)| *id == b)))
            .map(|(_, n)| *n)
            .sum();
        members.retain(|(b, _)| b.is_some());
        members.push((None, all - from_cards));
    }
    let event = |batch: Option<i64>, kind: &str| {
        events.iter().filter(|(b, k, _)| *b == batch && k == kind).map(|(_, _, n)| *n).sum::<i64>()
    };
    let member = |batch: Option<i64>| members.iter().filter(|(b, _)| *b == batch).map(|(_, n)| *n).sum::<i64>();
    let mut out: Vec<FunnelRow> = rows
        .into_iter()
        .map(|(id, label, printed, scanned)| FunnelRow {
            label,
            batch_id: Some(id),
            printed,
            scanned,
            started: event(Some(id), "started"),
            submitted: event(Some(id), "submitted"),
            confirmed: event(Some(id), "confirmed"),
            members: member(Some(id)),
        })
        .collect();
    out.push(FunnelRow {
        label: "Without a card (/join)".into(),
        batch_id: None,
        printed: 0,
        scanned: 0,
        started: event(None, "started"),
        submitted: event(None, "submitted"),
        confirmed: event(None, "confirmed"),
        members: member(None),
    });
    let total = FunnelRow {
        label: "All".into(),
        batch_id: None,
        printed: out.iter().map(|r| r.printed).sum(),
        scanned: out.iter().map(|r| r.scanned).sum(),
        started: out.iter().map(|r| r.started).sum(),
        submitted: out.iter().map(|r| r.submitted).sum(),
        confirmed: out.iter().map(|r| r.confirmed).sum(),
        members: out.iter().map(|r| r.members).sum(),
    };
    out.insert(0, total);
    Ok(out)
}

/// Sign-ups submitted per month (UTC), oldest first (one panel's, or every panel's).
pub async fn trend(db: &Db, panel: Option<i64>) -> Result<Vec<TrendPoint>, DbError> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT at, n FROM signup_events WHERE kind = 'submitted' AND ($1 = 0 OR panel_id = $1) ORDER BY at",
    )
    .bind(panel.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    let mut points: Vec<TrendPoint> = Vec::new();
    for (at, n) in rows {
        let month = crate::domain::ExpiryDate::of_unix(at).to_string()[..7].to_string();
        match points.last_mut() {
            Some(p) if p.month == month => p.submitted += n,
            _ => points.push(TrendPoint { month, submitted: n }),
        }
    }
    Ok(points)
}
