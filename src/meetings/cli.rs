//! `scrutiny report panel`: a panel's year as CSV.
use anyhow::bail;

use super::{repo, report};
use crate::state::AppState;

/// `scrutiny report panel --panel S --year YYYY`
#[derive(clap::Args, Debug)]
pub struct PanelReportArgs {
    /// The panel's short name.
    #[arg(long)]
    panel: String,
    /// The year, e.g. 2027.
    #[arg(long)]
    year: String,
}

/// Writes the annual summary as CSV (`section,item,detail,value`) on standard output:
/// every meeting of the year, published or not.
pub async fn panel_report(state: &AppState, args: PanelReportArgs) -> anyhow::Result<()> {
    let year = args.year.trim();
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) || !("2000".."2201").contains(&year) {
        bail!("--year must be a year like 2027, not {:?}", args.year);
    }
    let panel = crate::panels::require_slug(&state.db, "--panel", &args.panel).await?;
    let meetings = repo::in_year(&state.db, panel.id, year).await?;
    let r = report::build(&state.db, panel, year.to_string(), meetings).await?;
    let mut out = vec![];
    report::to_csv(&r, &mut out)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), &out)?;
    crate::audit::record(&state.db, "cli", "panel_report", None, Some(&format!("{} {year}", r.panel.slug))).await?;
    Ok(())
}
