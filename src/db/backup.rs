//! Online backups. SQLite: `VACUUM INTO` writes a consistent copy while the app keeps
//! running. PostgreSQL: use `pg_dump` (see the README), which is the standard tool.
use std::path::Path;

use anyhow::{bail, Context};

use super::{Backend, Db};

pub async fn backup(db: &Db, target: &Path) -> anyhow::Result<()> {
    if db.backend() == Backend::Postgres {
        bail!("for PostgreSQL use pg_dump, e.g. `pg_dump --format=custom --file=scrutiny.dump \"$DATABASE_URL\"`");
    }
    if target.exists() {
        bail!("{} already exists; choose a new file name", target.display());
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let path = target.to_str().context("the backup path must be valid UTF-8")?;
    sqlx::query("VACUUM INTO $1").bind(path).execute(db.pool()).await.context("VACUUM INTO failed")?;
    Ok(())
}
