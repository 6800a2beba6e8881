//! `scrutiny cards …`: the same operations as the dashboard, for scripts and print rooms.
use std::io::Write;

use anyhow::{anyhow, Context};

use super::{download, print, repo, wording};
use crate::{
    cli::{CardsCommand, LayoutArg},
    domain::{BatchLabel, BatchQuantity, ExpiryDate, OptionalArea},
    startup::AppState,
};

pub async fn run(state: &AppState, command: CardsCommand) -> anyhow::Result<()> {
    match command {
        CardsCommand::Create { label, count, area, expires, layout, out } => {
            let new = repo::NewBatch {
                label: BatchLabel::parse(&label).map_err(|e| anyhow!("--label: {e}"))?,
                area: OptionalArea::parse(&area).map_err(|e| anyhow!("--area: {e}"))?,
                quantity: BatchQuantity::parse(&count).map_err(|e| anyhow!("--count: {e}"))?,
                expires_on: ExpiryDate::parse(&expires, ExpiryDate::today())
                    .map_err(|e| anyhow!("--expires: {e}"))?,
                created_by: "cli".into(),
            };
            // Open the output first so a bad path fails before anything is saved.
            let file = std::fs::File::create(&out)
                .with_context(|| format!("--out: cannot write {}", out.display()))?;
            let id = repo::create_batch(&state.db, new).await?;
            let cards = download::print_cards(state, id).await?;
            let text = wording::card_text(state).await?;
            let layout = match layout {
                LayoutArg::A4 => print::Layout::A4,
                LayoutArg::Cr80 => print::Layout::Cr80,
            };
            tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                let mut w = std::io::BufWriter::with_capacity(256 * 1024, file);
                print::write_pdf(&mut w, layout, &text, &cards).map_err(|e| anyhow!("{e}"))?;
                w.flush()?;
                Ok(())
            })
            .await??;
            println!("{id}");
            eprintln!("batch {id}: {} cards written to {}", count.trim(), out.display());
        }
        CardsCommand::Wording { heading, body_file, invitation, reset } => {
            use crate::settings::repo as settings;
            if reset {
                for key in ["card.front_heading", "card.front_body", "card.invitation"] {
                    settings::delete(&state.db, key).await?;
                }
            }
            if let Some(h) = heading {
                settings::set(&state.db, "card.front_heading", h.trim()).await?;
            }
            if let Some(path) = body_file {
                let body = std::fs::read_to_string(&path)
                    .with_context(|| format!("--body-file: cannot read {}", path.display()))?;
                settings::set(&state.db, "card.front_body", &body).await?;
            }
            if let Some(i) = invitation {
                settings::set(&state.db, "card.invitation", i.trim()).await?;
            }
            let text = wording::card_text(state).await?;
            println!("{}\n", text.front_heading);
            for p in &text.front_body {
                println!("{p}\n");
            }
            println!("Back: {}", text.invitation);
        }
        CardsCommand::Void { batch } => {
            if repo::void_batch(&state.db, batch).await? {
                println!("batch {batch} is now void");
            } else if repo::get_batch(&state.db, batch).await?.is_some() {
                println!("batch {batch} was already void");
            } else {
                anyhow::bail!("there is no batch {batch}");
            }
        }
    }
    Ok(())
}
