//! `scrutiny panel …`: add and list panels from the command line.
use anyhow::{anyhow, bail};

use super::repo::{self, PanelFields};
use crate::{
    audit,
    domain::{optional_text, required_text, PanelKind, PanelSlug},
    state::AppState,
};

#[derive(clap::Subcommand, Debug)]
pub enum PanelCommand {
    /// Add a panel (a district panel, a youth panel, a use-of-force panel…).
    Add {
        /// Short name used in addresses and commands, e.g. "youth" (/join?panel=youth).
        #[arg(long)]
        slug: String,
        /// The panel's name, e.g. "Youth scrutiny panel".
        #[arg(long)]
        name: String,
        /// stop-search, use-of-force, youth or joint.
        #[arg(long, default_value = "stop-search")]
        kind: String,
        /// The district or area it covers.
        #[arg(long, default_value = "")]
        area: String,
        /// 16 or 18: the youngest who may join (default: the force's SCRUTINY_MIN_AGE).
        #[arg(long)]
        min_age: Option<String>,
    },
    /// List the panels: short name, kind, name.
    List,
}

/// `--min-age`: 16 or 18.
pub fn parse_min_age(raw: &str) -> Result<i64, String> {
    match raw.trim() {
        "16" => Ok(16),
        "18" => Ok(18),
        _ => Err("the minimum age must be 16 or 18".into()),
    }
}

pub async fn run(state: &AppState, command: PanelCommand) -> anyhow::Result<()> {
    match command {
        PanelCommand::Add { slug, name, kind, area, min_age } => {
            let fields = PanelFields {
                slug: PanelSlug::parse(&slug).map_err(|e| anyhow!("--slug: {e}"))?.to_string(),
                name: required_text(&name, "The panel's name", 120).map_err(|e| anyhow!("--name: {e}"))?,
                kind: PanelKind::parse(&kind).map_err(|e| anyhow!("--kind: {e}"))?,
                area: optional_text(&area, "The area", 80).map_err(|e| anyhow!("--area: {e}"))?,
                min_age: min_age.map(|m| parse_min_age(&m)).transpose().map_err(|e| anyhow!("--min-age: {e}"))?,
                term_limit_months: None,
                safeguarding_lead: None,
                reports_public: false,
            };
            let Some(id) = repo::add(&state.db, &fields).await? else {
                bail!("--slug: there is already a panel called {}", fields.slug);
            };
            audit::record(&state.db, "cli", "panel_added", Some(&format!("panel:{id}")), Some(&fields.slug)).await?;
            println!("added panel {} ({})", fields.slug, fields.name);
        }
        PanelCommand::List => {
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            out.write_record(["slug", "kind", "name", "area", "min_age"])?;
            for p in repo::list(&state.db).await? {
                let min_age = p.min_age.map(|m| m.to_string()).unwrap_or_default();
                out.write_record([&p.slug, p.kind.code(), &p.name, p.area.as_deref().unwrap_or(""), &min_age])?;
            }
            out.flush()?;
        }
    }
    Ok(())
}
