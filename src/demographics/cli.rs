//! `scrutiny import …` and `scrutiny report demographics`.
use anyhow::{anyhow, bail, Context};

use super::{census, police_uk, repo, suppressed};
use crate::{
    auth::repo::audit,
    cli::{ImportCommand, ReportCommand},
    startup::AppState,
};

pub async fn import(state: &AppState, command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::PoliceUk { files, force } => {
            // Parse every file before saving any, so one bad file imports nothing.
            let mut parsed = Vec::new();
            for path in &files {
                let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
                let file = tokio::task::block_in_place(|| police_uk::parse(path, &bytes, force.as_deref()))
                    .map_err(|e| anyhow!(e))?;
                parsed.push((path.display().to_string(), file));
            }
            let mut total = 0;
            for (name, file) in &parsed {
                repo::replace_searches(&state.db, name, file).await?;
                println!("{}\t{}\t{} searches", file.force, file.month, file.searches.len());
                total += file.searches.len();
            }
            audit(&state.db, "cli", "import_police_uk", None, Some(&format!("{} files, {total} searches", parsed.len()))).await?;
            println!("imported {total} searches from {} files", parsed.len());
        }
        ImportCommand::Census { file, lookup } => {
            let lookup_bytes = std::fs::read(&lookup).with_context(|| format!("--lookup: cannot read {}", lookup.display()))?;
            let map = census::parse_lookup(&lookup_bytes).map_err(|e| anyhow!(e))?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let (population, unknown) = census::aggregate(&bytes, &map).map_err(|e| anyhow!(e))?;
            if population.is_empty() {
                bail!("no local authority in {} is in the lookup", file.display());
            }
            repo::replace_population(&state.db, &population).await?;
            let forces: std::collections::BTreeSet<_> = population.keys().map(|(f, _, _)| f.clone()).collect();
            println!("population imported for {} force areas", forces.len());
            if !unknown.is_empty() {
                eprintln!("warning: {} local authorities are not in the lookup and were skipped: {}", unknown.len(), unknown.join(" "));
            }
            audit(&state.db, "cli", "import_census", None, Some(&format!("{} force areas", forces.len()))).await?;
        }
    }
    Ok(())
}

pub async fn report(state: &AppState, command: ReportCommand) -> anyhow::Result<()> {
    match command {
        ReportCommand::Demographics { force } => {
            let rows = repo::comparison(&state.db, force.as_deref().unwrap_or("")).await?;
            println!("dimension,category,recruits,members,searched,population");
            for r in rows {
                println!(
                    "{},{},{},{},{},{}",
                    r.dimension,
                    csv_field(&r.category),
                    suppressed(r.recruits),
                    suppressed(r.members),
                    r.searched,
                    r.population.map(|p| p.to_string()).unwrap_or_default()
                );
            }
            audit(&state.db, "cli", "report_demographics", None, None).await?;
        }
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
