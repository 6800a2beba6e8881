//! One import of police.uk files, from the command line or the dashboard: every file is
//! parsed and the set checked before anything is saved, so a problem imports nothing.
use super::{police_uk::ParsedFile, repo};
use crate::{db::Db, error::AppError};

/// A parsed file and the name it came with.
pub struct Incoming {
    pub name: String,
    pub file: ParsedFile,
}

/// Problems with the set as a whole: two files for one force-month (naming both), and a
/// file without rows that would empty a force-month that has searches (unless the user
/// asked for exactly that with `allow_empty`).
pub async fn check(db: &Db, files: &[Incoming], allow_empty: bool) -> Result<Result<(), String>, AppError> {
    for (i, a) in files.iter().enumerate() {
        if let Some(b) = files[..i].iter().find(|b| b.file.force == a.file.force && b.file.month == a.file.month) {
            return Ok(Err(format!(
                "{} and {} are both {} {}: import one file per force and month (nothing was imported)",
                b.name, a.name, a.file.force, a.file.month
            )));
        }
    }
    if !allow_empty {
        for f in files.iter().filter(|f| f.file.searches.is_empty()) {
            let existing = repo::imported_rows(db, &f.file.force, &f.file.month).await?;
            if existing > 0 {
                return Ok(Err(format!(
                    "{}: the file has a header but no searches, and {} {} already has {existing} searches; importing it \
                     would remove them. Check the file, or import it with --allow-empty if the month really had none \
                     (nothing was imported)",
                    f.name, f.file.force, f.file.month
                )));
            }
        }
    }
    Ok(Ok(()))
}

/// Saves every file (each force-month replaced in its own transaction) and returns one
/// line per file for the person importing, with what was recovered or not recognised.
pub async fn save(db: &Db, files: &[Incoming]) -> Result<Vec<String>, AppError> {
    let mut lines = Vec::new();
    for f in files {
        let notes = super::police_uk::describe_notes(&f.file.notes);
        repo::replace_searches(db, &f.name, &f.file, &notes.join("\n")).await?;
        lines.push(format!("{}\t{}\t{} searches", f.file.force, f.file.month, f.file.searches.len()));
        lines.extend(notes.into_iter().map(|n| format!("  {}: {n}", f.name)));
    }
    Ok(lines)
}
