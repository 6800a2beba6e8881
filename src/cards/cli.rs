//! `scrutiny cards …`: the same operations as the dashboard, for scripts and print rooms.
use std::io::Write;

use anyhow::{anyhow, Context};

use super::{download, print, repo, wording};
use crate::{
    cli::{CardsCommand, LayoutArg},
    domain::{BatchLabel, BatchQuantity, CardLanguages, ExpiryDate, OptionalArea},
    i18n::Lang,
    startup::AppState,
};

pub async fn run(state: &AppState, command: CardsCommand) -> anyhow::Result<()> {
    match command {
        CardsCommand::Create { label, count, area, expires, layout, languages, out } => {
            let languages = CardLanguages::parse(&languages, &wording::default_languages(state))
                .map_err(|e| anyhow!("--languages: {e}"))?;
            let new = repo::NewBatch {
                label: BatchLabel::parse(&label).map_err(|e| anyhow!("--label: {e}"))?,
                area: OptionalArea::parse(&area).map_err(|e| anyhow!("--area: {e}"))?,
                quantity: BatchQuantity::parse(&count).map_err(|e| anyhow!("--count: {e}"))?,
                expires_on: ExpiryDate::parse(&expires, ExpiryDate::today())
                    .map_err(|e| anyhow!("--expires: {e}"))?,
                languages: languages.clone(),
                created_by: "cli".into(),
            };
            // Open the output first so a bad path fails before anything is saved.
            let file = std::fs::File::create(&out)
                .with_context(|| format!("--out: cannot write {}", out.display()))?;
            // The wording must fit before a batch is made of it.
            let text = wording::card_text(state, &languages).await?;
            let (size, short) = print::check_fit(&text).map_err(|e| anyhow!("--languages: {e}"))?;
            let id = repo::create_batch(&state.db, new).await?;
            let cards = download::print_cards(state, id).await?;
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
            eprintln!(
                "batch {id}: {} cards ({languages}, front text {size} pt{}) written to {}",
                count.trim(),
                if short { ", the shorter wording" } else { "" },
                out.display()
            );
        }
        CardsCommand::Wording { lang, heading, body_file, invitation, reset } => {
            use crate::settings::repo as settings;
            let lang = Lang::ALL
                .into_iter()
                .find(|l| l.code() == lang.trim().to_ascii_lowercase())
                .ok_or_else(|| anyhow!("--lang: \u{201c}{lang}\u{201d} is not a card language: use en, cy, pl, ro or ar"))?;
            // Check everything before saving anything.
            let body = match &body_file {
                Some(path) => {
                    let body = std::fs::read_to_string(path)
                        .with_context(|| format!("--body-file: cannot read {} (it must be UTF-8 text)", path.display()))?;
                    if print::split_paragraphs(&body).is_empty() {
                        anyhow::bail!("--body-file: {} has no text", path.display());
                    }
                    Some(body)
                }
                None => None,
            };
            for (flag, value) in [("--heading", &heading), ("--invitation", &invitation)] {
                if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                    anyhow::bail!("{flag} is empty: leave it out to keep the current text, or use --reset");
                }
            }
            if reset {
                for part in wording::PARTS {
                    settings::delete(&state.db, &wording::key(lang, part)).await?;
                }
            }
            if let Some(h) = heading {
                settings::set(&state.db, &wording::key(lang, "heading"), h.trim()).await?;
            }
            if let Some(body) = body {
                settings::set(&state.db, &wording::key(lang, "body"), &body).await?;
            }
            if let Some(i) = invitation {
                settings::set(&state.db, &wording::key(lang, "invitation"), i.trim()).await?;
            }
            let text = wording::card_language(state, lang).await?;
            println!("{}\n", text.heading);
            for p in &text.body {
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
