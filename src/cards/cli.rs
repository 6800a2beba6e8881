//! `scrutiny cards …`: the same operations as the dashboard, for scripts and print rooms.
use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
};

use anyhow::{anyhow, Context};

use super::{download, print, repo, wording};
use crate::{
    domain::{BatchLabel, BatchQuantity, CardCode, CardLanguages, ExpiryDate, OptionalArea},
    i18n::Lang,
    state::AppState,
};

#[derive(clap::Subcommand, Debug)]
pub enum CardsCommand {
    /// Create a batch of cards and write its print file. Prints the new batch id.
    Create {
        /// What the print run is called, e.g. "Parkside, March 2027".
        #[arg(long)]
        label: String,
        /// How many cards (1 to 20,000).
        #[arg(long)]
        count: String,
        /// Area, team or station the cards go to.
        #[arg(long, default_value = "")]
        area: String,
        /// Last day the cards work (YYYY-MM-DD).
        #[arg(long, default_value = "")]
        expires: String,
        /// a4: A4 sheets, 10 cards up, fronts then mirrored backs; cr80: one card per page.
        #[arg(long, value_enum, default_value = "a4")]
        layout: LayoutArg,
        /// Languages on the card, in card order, e.g. "cy,en" (en, cy, pl, ro, ar; Welsh
        /// always first). Default: the force's default language (and English beside it).
        #[arg(long, default_value = "")]
        languages: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: std::path::PathBuf,
        /// The panel the cards' recruits join (its short name; `scrutiny panel list`).
        /// May be left out while the force has one panel.
        #[arg(long)]
        panel: Option<String>,
    },
    /// Void a batch: its cards then show a "no longer in use" page that still invites people to join.
    Void {
        /// The batch id printed by `cards create`.
        batch: i64,
    },
    /// Show or change this force's card wording (used by every print file made afterwards).
    Wording {
        /// The language to show or change: en, cy, pl, ro or ar.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Heading on the front, e.g. "Stopped and searched? Know your rights".
        #[arg(long)]
        heading: Option<String>,
        /// Text file for the front: paragraphs separated by blank lines.
        #[arg(long)]
        body_file: Option<std::path::PathBuf>,
        /// The one-line invitation on the back.
        #[arg(long)]
        invitation: Option<String>,
        /// Go back to the default wording for this language.
        #[arg(long)]
        reset: bool,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum LayoutArg {
    A4,
    Cr80,
}

/// `<out>.partial-<pid>` in the same folder (so the final rename stays on one disk).
fn partial_path(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "cards.pdf".into());
    out.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// A print file written over the SQLite database (or its journal) would destroy it.
fn refuse_database_file(out: &Path, database_url: &str) -> anyhow::Result<()> {
    let Some(rest) = database_url.strip_prefix("sqlite:") else { return Ok(()) };
    let db = PathBuf::from(rest.trim_start_matches("//").split('?').next().unwrap_or(""));
    let canonical = |p: &Path| -> Option<PathBuf> {
        let parent = p.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?))
    };
    let (Some(out), Some(db)) = (canonical(out), canonical(&db)) else { return Ok(()) };
    for suffix in ["", "-wal", "-shm", "-journal"] {
        if out.as_os_str() == format!("{}{suffix}", db.display()).as_str() {
            anyhow::bail!("--out: {} is the database; choose another file for the cards", out.display());
        }
    }
    Ok(())
}

pub async fn run(state: &AppState, command: CardsCommand) -> anyhow::Result<()> {
    match command {
        CardsCommand::Create { label, count, area, expires, layout, languages, out, panel } => {
            let panel_id = match panel {
                Some(slug) => crate::panels::require_slug(&state.db, "--panel", &slug).await?.id,
                None => {
                    let panels = crate::panels::list(&state.db).await?;
                    match panels.as_slice() {
                        [only] => only.id,
                        _ => anyhow::bail!(
                            "--panel: say which panel the cards are for ({})",
                            panels.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    }
                }
            };
            let languages = CardLanguages::parse(&languages, &wording::default_languages(state))
                .map_err(|e| anyhow!("--languages: {e}"))?;
            let new = repo::NewBatch {
                label: BatchLabel::parse(&label).map_err(|e| anyhow!("--label: {e}"))?,
                area: OptionalArea::parse(&area).map_err(|e| anyhow!("--area: {e}"))?,
                quantity: BatchQuantity::parse(&count).map_err(|e| anyhow!("--count: {e}"))?,
                expires_on: ExpiryDate::parse(&expires, ExpiryDate::today()).map_err(|e| anyhow!("--expires: {e}"))?,
                languages: languages.clone(),
                created_by: "cli".into(),
                panel_id,
            };
            // Everything is checked before anything is saved or any file touched: the
            // wording must print and fit, and --out must not be the database.
            let text = wording::card_text(state, &languages).await?;
            let sample = download::card_url(&state.base_url, &CardCode::generate());
            let (size, short) = print::check_fit(&text, &sample).map_err(|e| anyhow!("--languages: {e}"))?;
            refuse_database_file(&out, &state.settings.database_url)?;
            // A file is written beside --out under another name and renamed when
            // complete, so a failure never leaves a half file, nor empties a file that was
            // there. A device or pipe (/dev/stdout, a printer's FIFO) is written directly.
            let special = std::fs::metadata(&out).is_ok_and(|m| !m.is_file() && !m.is_dir());
            let partial = if special { out.clone() } else { partial_path(&out) };
            let mut options = std::fs::OpenOptions::new();
            options.write(true);
            if !special {
                options.create_new(true);
            }
            let file = options.open(&partial).with_context(|| format!("--out: cannot write {}", out.display()))?;
            let id = repo::create_batch(&state.db, new).await?;
            let layout = match layout {
                LayoutArg::A4 => print::Layout::A4,
                LayoutArg::Cr80 => print::Layout::Cr80,
            };
            let written = async {
                let cards = download::print_cards(state, id).await?;
                tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                    let mut w = std::io::BufWriter::with_capacity(256 * 1024, file);
                    print::write_pdf(&mut w, layout, &text, &cards).map_err(|e| anyhow!("{e}"))?;
                    w.flush()?;
                    let file = w.into_inner().map_err(|e| e.into_error())?;
                    if !special {
                        file.sync_all()?;
                    }
                    Ok(())
                })
                .await??;
                if !special {
                    std::fs::rename(&partial, &out)?;
                }
                anyhow::Ok(())
            }
            .await;
            if let Err(e) = written {
                // No print file, no batch: cards nobody can print must not exist.
                if !special {
                    let _ = std::fs::remove_file(&partial);
                }
                repo::delete_unprinted_batch(&state.db, id).await?;
                anyhow::bail!("--out: could not write {}: {e:#}. No batch was made.", out.display());
            }
            println!("{id}");
            if size < 6.0 {
                eprintln!("note: the front text is {size} pt, hard to read; fewer languages make it larger");
            }
            eprintln!(
                "batch {id}: {} cards ({languages}, front text {size} pt{}) written to {}",
                count.trim(),
                if short { ", the shorter wording" } else { "" },
                out.display()
            );
        }
        CardsCommand::Wording { lang, heading, body_file, invitation, reset } => {
            use crate::settings::repo as settings;
            let lang = Lang::from_code(&lang).ok_or_else(|| {
                anyhow!("--lang: \u{201c}{lang}\u{201d} is not a card language: use en, cy, pl, ro or ar")
            })?;
            // Check everything before saving anything.
            let body = match &body_file {
                Some(path) => {
                    let body = read_body(path)?;
                    let paragraphs = print::split_paragraphs(&body);
                    if paragraphs.is_empty() {
                        anyhow::bail!("--body-file: {} has no text", path.display());
                    }
                    for (i, p) in paragraphs.iter().enumerate() {
                        print::check_printable(p)
                            .map_err(|e| anyhow!("--body-file: paragraph {} of {}: {e}", i + 1, path.display()))?;
                    }
                    Some(body)
                }
                None => None,
            };
            for (flag, value) in [("--heading", &heading), ("--invitation", &invitation)] {
                let Some(v) = value else { continue };
                if v.chars()
                    .all(|c| c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'))
                {
                    anyhow::bail!("{flag} is empty: leave it out to keep the current text, or use --reset");
                }
                print::check_printable(v).map_err(|e| anyhow!("{flag}: {e}"))?;
            }
            // The new wording must still make a card on its own (one language).
            let mut trial = wording::card_language(state, lang).await?;
            if let Some(h) = &heading {
                trial.heading = h.trim().to_string();
            }
            if let Some(b) = &body {
                trial.body = print::split_paragraphs(b);
                trial.short_body = trial.body.clone();
            }
            if let Some(i) = &invitation {
                trial.invitation = i.trim().to_string();
            }
            let text = print::CardText { force_name: state.settings.force_name.clone(), languages: vec![trial] };
            let sample = download::card_url(&state.base_url, &CardCode::generate());
            print::check_fit(&text, &sample).map_err(|e| anyhow!("{e}; nothing was saved"))?;
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

/// Card text is short: a body file of more than 16 KB is not card text (and a device
/// such as /dev/zero would never end).
fn read_body(path: &Path) -> anyhow::Result<String> {
    const MAX: u64 = 16 * 1024;
    if path.is_dir() {
        anyhow::bail!("--body-file: {} is a folder, not a text file", path.display());
    }
    let file = std::fs::File::open(path).with_context(|| format!("--body-file: cannot open {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("--body-file: cannot read {}", path.display()))?;
    if bytes.len() as u64 > MAX {
        anyhow::bail!("--body-file: {} is longer than 16 KB; card text must be short", path.display());
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "--body-file: {} is not UTF-8 text (byte {} is not valid); save it as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}
