//! `scrutiny import …` and `scrutiny report demographics`.
use anyhow::{anyhow, bail, Context};

use super::{census, import, police_uk, repo};
use crate::{audit, state::AppState};

#[derive(clap::Subcommand, Debug)]
pub enum ImportCommand {
    /// Monthly data.police.uk stop-and-search CSVs (YYYY-MM-<force>-stop-and-search.csv).
    /// Re-importing a force-month replaces it; a bad file imports nothing.
    PoliceUk {
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// Force slug (e.g. metropolitan) for files whose names carry none, like
        /// 2022-09.csv; a file whose name names another force is refused.
        #[arg(long)]
        force: Option<String>,
        /// Import a file with no rows even though its force-month has searches (they are
        /// removed).
        #[arg(long)]
        allow_empty: bool,
    },
    /// Census 2021 ethnic group by local authority and sex, aggregated to force areas.
    Census {
        file: std::path::PathBuf,
        /// Local authority → police force area lookup (LAD20CD, PFA20NM columns).
        #[arg(long)]
        lookup: std::path::PathBuf,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum ReportCommand {
    /// Recruits and members vs people searched vs population (CSV; counts of recruits
    /// and members below 5 are shown as "<5").
    Demographics {
        /// Only this force's searches and population (police.uk slug, e.g. metropolitan).
        #[arg(long)]
        force: Option<String>,
    },
    /// Searches per 1,000 people by ethnic group and the ratio to White (Home Office
    /// method, Census 2021 populations), per force, as CSV:
    /// force,ethnic_group,searches,population,rate_per_1000,ratio_to_white
    Disproportionality {
        /// Only this force (police.uk slug).
        #[arg(long)]
        force: Option<String>,
        /// First month, YYYY-MM.
        #[arg(long)]
        from: Option<String>,
        /// Last month, YYYY-MM.
        #[arg(long)]
        to: Option<String>,
        /// self: self-defined ethnicity with the officer's where none was stated; officer: officer-defined.
        #[arg(long, default_value = "self")]
        basis: String,
    },
}

pub async fn import(state: &AppState, command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::PoliceUk { files, force, allow_empty } => {
            // Parse every file (read as a stream) and check the set before saving any,
            // so one problem imports nothing.
            let mut parsed = Vec::new();
            for path in &files {
                let reader = std::io::BufReader::with_capacity(
                    256 * 1024,
                    std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?,
                );
                let file = tokio::task::block_in_place(|| police_uk::parse_reader(path, reader, force.as_deref()))
                    .map_err(|e| anyhow!(e))?;
                parsed.push(import::Incoming { name: path.display().to_string(), file });
            }
            import::check(&state.db, &parsed, allow_empty).await?.map_err(|e| anyhow!(e))?;
            for line in import::save(&state.db, &parsed).await? {
                println!("{line}");
            }
            let total: usize = parsed.iter().map(|f| f.file.searches.len()).sum();
            audit::record(
                &state.db,
                "cli",
                "import_police_uk",
                None,
                Some(&format!("{} files, {total} searches", parsed.len())),
            )
            .await?;
            println!(
                "imported {total} searches from {} file{}",
                parsed.len(),
                if parsed.len() == 1 { "" } else { "s" }
            );
        }
        ImportCommand::Census { file, lookup } => {
            let lookup_bytes =
                std::fs::read(&lookup).with_context(|| format!("--lookup: cannot read {}", lookup.display()))?;
            let map = census::parse_lookup(&lookup_bytes).map_err(|e| anyhow!(e))?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let (population, found) = census::aggregate(&bytes, &map).map_err(|e| anyhow!(e))?;
            if population.is_empty() {
                bail!("no local authority in {} is in the lookup", file.display());
            }
            repo::replace_population(&state.db, &population, &found.unavailable).await?;
            let forces: std::collections::BTreeSet<_> = population.keys().map(|(f, _, _)| f.clone()).collect();
            println!("population imported for {} force areas", forces.len());
            let file_name = file.display();
            for (force, why) in &found.unavailable {
                eprintln!("warning: {file_name}: {force}: population not available: {why}");
            }
            if !found.unknown.is_empty() {
                let list: Vec<String> = found.unknown.iter().map(|(c, n)| format!("{c} ({n})")).collect();
                eprintln!(
                    "warning: {file_name}: {} local authorities are in neither {} nor the built-in list of new councils, \
                     and were skipped: {}",
                    list.len(),
                    lookup.display(),
                    list.join(", ")
                );
            }
            audit::record(&state.db, "cli", "import_census", None, Some(&format!("{} force areas", forces.len())))
                .await?;
        }
    }
    Ok(())
}

pub async fn report(state: &AppState, command: ReportCommand) -> anyhow::Result<()> {
    match command {
        ReportCommand::Demographics { force } => {
            if let Some(f) = &force {
                require_known_force(state, f).await?;
            }
            let scope = repo::Scope { force: force.as_deref().unwrap_or(""), from: "", to: "" };
            let rows = repo::comparison(&state.db, scope).await?;
            // The same protection as the insight page: small counts and whatever would
            // give them away are withheld ("[c]").
            let shown = super::suppress::protect_comparison(
                &rows.iter().map(|r| (r.dimension, r.category.as_str(), r.recruits, r.members)).collect::<Vec<_>>(),
            );
            print_csv(
                &["dimension", "category", "recruits", "members", "searched", "population"],
                rows.iter().zip(shown).map(|(r, (recruits, members))| {
                    vec![
                        r.dimension.to_string(),
                        r.category.clone(),
                        recruits.text(),
                        members.text(),
                        r.searched.to_string(),
                        r.population.map(|p| p.to_string()).unwrap_or_default(),
                    ]
                }),
            )?;
            audit::record(&state.db, "cli", "report_demographics", None, None).await?;
        }
        ReportCommand::Disproportionality { force, from, to, basis } => {
            let basis = super::rates::Basis::parse(&basis).map_err(|e| anyhow!(e))?;
            for (flag, month) in [("--from", &from), ("--to", &to)] {
                if let Some(m) = month {
                    check_month(flag, m)?;
                }
            }
            if let Some(f) = &force {
                require_known_force(state, f).await?;
            }
            let rows = repo::disproportionality(
                &state.db,
                force.as_deref().unwrap_or(""),
                from.as_deref().unwrap_or(""),
                to.as_deref().unwrap_or(""),
                basis,
            )
            .await?;
            print_csv(
                &["force", "ethnic_group", "searches", "population", "rate_per_1000", "ratio_to_white"],
                rows.into_iter().map(|r| {
                    vec![
                        r.force,
                        r.ethnic_group,
                        r.searches.to_string(),
                        r.population.map(|p| p.to_string()).unwrap_or_default(),
                        super::rates::cell(r.rate_per_1000),
                        super::rates::cell(r.ratio_to_white),
                    ]
                }),
            )?;
            audit::record(&state.db, "cli", "report_disproportionality", None, None).await?;
        }
    }
    Ok(())
}

/// A report as CSV on stdout: a header line, then one line per row; fields are quoted
/// only where they need it. A closed pipe (`| head`) ends the report quietly.
fn print_csv(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> anyhow::Result<()> {
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    let written = out
        .write_record(header)
        .and_then(|()| rows.into_iter().try_for_each(|row| out.write_record(&row)))
        .and_then(|()| Ok(out.flush()?));
    match written {
        Err(e) if matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe) => Ok(()),
        written => Ok(written?),
    }
}

/// `--force` must name a force in the imported data; the error lists the ones there are.
async fn require_known_force(state: &AppState, force: &str) -> anyhow::Result<()> {
    let known = repo::known_forces(&state.db).await?;
    if !known.iter().any(|k| k == force) {
        bail!("--force: no force \"{force}\" in the imported data; the forces are: {}", known.join(", "));
    }
    Ok(())
}

fn check_month(flag: &str, m: &str) -> anyhow::Result<()> {
    if !super::sample::is_month(m) {
        bail!("{flag} must be a month as YYYY-MM (e.g. 2023-04), not \"{m}\"");
    }
    Ok(())
}

/// `scrutiny sample`: a reproducible random sample of imported searches, for a panel to
/// scrutinise (see `sample.rs` for the method).
#[derive(clap::Args, Debug)]
pub struct SampleArgs {
    /// The force (police.uk slug, e.g. durham).
    #[arg(long)]
    force: String,
    /// First month, YYYY-MM.
    #[arg(long)]
    from: String,
    /// Last month, YYYY-MM.
    #[arg(long)]
    to: String,
    /// How many searches (1 to 1,000).
    #[arg(long)]
    size: String,
    /// Any text; the same seed, files and filters always give the same sample.
    #[arg(long)]
    seed: String,
    /// Only searches with this property (repeat to combine): strip-search, under-18,
    /// section-60, no-further-action.
    #[arg(long)]
    only: Vec<String>,
    /// Only this type of search: "Person search", "Person and Vehicle search" or "Vehicle search".
    #[arg(long = "type", default_value = "")]
    search_type: String,
    /// Only searches whose legislation contains this text (any case), e.g. "misuse of drugs".
    #[arg(long, default_value = "")]
    legislation: String,
    /// Only searches whose outcome contains this text (any case), e.g. "arrest".
    #[arg(long, default_value = "")]
    outcome: String,
    /// Only this ethnic group (white, mixed, asian, black, other) as the person defined it
    /// (the officer's where they gave none), or officer:<group> as the officer recorded it.
    #[arg(long, default_value = "")]
    ethnic_group: String,
}

/// Prints the sample as CSV (the police.uk columns and values as published, in sample
/// order) and, on standard error, what it was drawn from.
pub async fn sample(state: &AppState, args: SampleArgs) -> anyhow::Result<()> {
    use super::sample::{draw_sample, to_csv, Request};
    let mut request = Request::parse(&args.force, &args.from, &args.to, &args.size, &args.seed, &args.only)
        .map_err(|(field, e)| if field == "only" { anyhow!(e) } else { anyhow!("--{field} {e}") })?;
    request.narrow =
        super::sample::Narrow::parse(&args.search_type, &args.legislation, &args.outcome, &args.ethnic_group)
            .map_err(|(field, e)| anyhow!("--{field}: {e}"))?;
    require_known_force(state, &request.force).await?;
    let sample = draw_sample(&state.db, &request).await?;
    let filters = request
        .only
        .iter()
        .map(|o| o.code().to_string())
        .chain(request.narrow.words().into_iter().map(|(k, v)| format!("{k} {v:?}")))
        .collect::<Vec<_>>()
        .join(", ");
    eprintln!(
        "{} of {} searches ({} {} to {}{}), seed {:?}",
        sample.records.len(),
        sample.candidates,
        request.force,
        request.from,
        request.to,
        if filters.is_empty() { String::new() } else { format!("; only {filters}") },
        request.seed
    );
    if sample.without_records > 0 {
        eprintln!(
            "{} searches in these months were imported before records were kept and cannot be drawn: import \
             their files again",
            sample.without_records
        );
    }
    if sample.candidates == 0 && sample.without_records == 0 {
        eprintln!(
            "no searches to draw from: {} has none imported in these months{}",
            request.force,
            if filters.is_empty() { "" } else { " with these properties" }
        );
    }
    let mut csv = Vec::new();
    to_csv(&sample, &mut csv)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &csv)?;
    audit::record(
        &state.db,
        "cli",
        "sample_drawn",
        None,
        Some(&format!(
            "{} {}..{} size {} seed {:?} only [{filters}]: {} of {}",
            request.force,
            request.from,
            request.to,
            request.size,
            request.seed,
            sample.records.len(),
            sample.candidates
        )),
    )
    .await?;
    Ok(())
}
