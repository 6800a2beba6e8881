//! Print files and QR images for a batch, generated on demand and streamed: the PDF is
//! written by a blocking task into a bounded channel, so memory stays flat however
//! large the batch.
use std::io::{self, Write};

use axum::{
    body::Body,
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use tokio::sync::mpsc;

use super::{
    print::{self, Layout, PrintCard},
    repo, wording,
};
use crate::{
    domain::{CardCode, CardLanguages},
    error::AppError,
    state::AppState,
};

pub async fn a4_pdf(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, AppError> {
    batch_pdf(state, id, Layout::A4, "a4").await
}

pub async fn cr80_pdf(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, AppError> {
    batch_pdf(state, id, Layout::Cr80, "cr80").await
}

/// Every card of a batch, with its URL, in print order.
pub async fn print_cards(state: &AppState, id: i64) -> Result<Vec<PrintCard>, AppError> {
    repo::get_batch(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let codes = repo::batch_codes(&state.db, id).await?;
    Ok(codes.into_iter().map(|c| PrintCard { url: card_url(&state.base_url, &c), code: c.to_string() }).collect())
}

pub fn card_url(base_url: &str, code: &CardCode) -> String {
    format!("{base_url}/j/{code}")
}

async fn batch_pdf(state: AppState, id: i64, layout: Layout, name: &str) -> Result<Response, AppError> {
    let cards = print_cards(&state, id).await?;
    let batch = repo::get_batch(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let text = wording::card_text(&state, &CardLanguages::from_stored(&batch.languages)).await?;
    let (tx, rx) = mpsc::channel::<Result<Bytes, io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        let mut out = io::BufWriter::with_capacity(64 * 1024, ChannelWriter(tx.clone()));
        let result = print::write_pdf(&mut out, layout, &text, &cards)
            .map_err(|e| io::Error::other(e.to_string()))
            .and_then(|_| out.flush());
        if let Err(e) = result {
            tracing::error!(error = %crate::telemetry::error_text(&e), batch = id, "print file failed");
            let _ = tx.blocking_send(Err(e));
        }
    });
    // Fused: a body wrapper (compression, for one) may poll again after the end, and a bare
    // `unfold` panics then — which sent browsers an empty 200.
    let stream = futures::StreamExt::fuse(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }));
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"batch-{id}-{name}.pdf\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Sends each buffered chunk to the response body; blocks when the client reads slowly.
struct ChannelWriter(mpsc::Sender<Result<Bytes, io::Error>>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "client went away"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `GET /admin/cards/{id}/qr/{code}.svg`: one card's QR code as a vector image.
pub async fn qr_svg(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let raw = file.strip_suffix(".svg").ok_or(AppError::NotFound)?;
    let code = CardCode::parse(raw).map_err(|_| AppError::NotFound)?;
    if !repo::card_in_batch(&state.db, id, &code).await? {
        return Err(AppError::NotFound);
    }
    let svg = print::qr_svg(&card_url(&state.base_url, &code))
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}
