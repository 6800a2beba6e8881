//! The one storage story: sqlx's `Any` driver over SQLite (default) or PostgreSQL.
//!
//! Why `Any`: every query is written once, in the portable subset of SQL that both
//! engines accept (`$1` placeholders, integers for timestamps, text for everything
//! else), and the same integration suite runs against both. The cost is that
//! `query!` compile-time checking is unavailable (it cannot target `Any`), so the
//! test suite is what proves the SQL, on both backends. DDL differs slightly
//! between the engines, so migrations live per backend in `migrations/<backend>`.
pub mod backup;
mod error;

pub use error::DbError;

use std::{path::Path, str::FromStr, time::Duration};

use anyhow::Context;
use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, Executor,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// The backend behind a connection or transaction (`&*tx`).
    pub fn of(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }

    /// ` FOR UPDATE` on PostgreSQL (lock the rows read, so a read-then-write in one
    /// transaction cannot interleave with another's); nothing on SQLite, whose single
    /// writer already serialises write transactions.
    pub fn for_update(self) -> &'static str {
        match self {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    /// Where writes go. SQLite: a pool of one connection, so writers queue in order
    /// inside the app instead of sleeping in SQLite's busy handler (which backs off in
    /// steps of up to 100 ms and made the slowest sign-ups slow). PostgreSQL: `pool`.
    writer: AnyPool,
    backend: Backend,
}

/// The migrations of each backend, listed by `build.rs` (version, description, SQL).
mod migrations {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

/// A backend's migrations as sqlx's migrator takes them: what its `migrate!` macro built at
/// compile time, built at start instead (without sqlx's `macros` feature: see `build.rs`).
/// `Migration::new` computes the checksum as the macro did (SHA-384 of the SQL), so
/// databases migrated by earlier builds keep matching.
#[derive(Debug)]
struct Embedded(&'static [(i64, &'static str, &'static str)]);

impl<'s> sqlx::migrate::MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> futures::future::BoxFuture<'s, Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>> {
        use sqlx::migrate::{Migration, MigrationType};
        use std::borrow::Cow;
        let migrations = self
            .0
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    Cow::Borrowed(sql),
                    sql.starts_with("-- no-transaction"),
                )
            })
            .collect();
        Box::pin(async move { Ok(migrations) })
    }
}

impl Db {
    /// Opens the pool. For SQLite the file and its folder are created when missing,
    /// and every connection gets WAL, a busy timeout and foreign keys.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url);
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .with_context(|| format!("DATABASE_URL is not a valid {} URL", backend.name()))?;
        let open = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(10))
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            // synchronous=FULL: a sign-up that got a success response survives
                            // a crash or power cut, not only a killed process.
                            // busy_timeout first: switching to WAL can itself wait for a lock.
                            conn.execute(
                                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
                            )
                            .await?;
                        } else {
                            // No JIT compiling of queries: PostgreSQL compiles any query it
                            // estimates as costly, which for a recruits search counted to
                            // 10,001 at a million recruits spent ~190 ms compiling a 250 ms
                            // query (measured with EXPLAIN ANALYZE). Our queries read little.
                            conn.execute("SET jit = off").await?;
                        }
                        Ok(())
                    })
                })
                .connect_with(options.clone())
        };
        let context = || format!("could not open the {} database", backend.name());
        let (pool, writer) = match backend {
            // One writer at a time is SQLite's model; a few readers alongside it.
            Backend::Sqlite => {
                let writer = open(1).await.with_context(context)?;
                (open(8).await.with_context(context)?, writer)
            }
            Backend::Postgres => {
                let pool = open(16).await.with_context(context)?;
                (pool.clone(), pool)
            }
        };
        Ok(Db { pool, writer, backend })
    }

    /// Applies pending migrations for this backend.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrations = match self.backend {
            Backend::Sqlite => migrations::SQLITE,
            Backend::Postgres => migrations::POSTGRES,
        };
        let migrator = sqlx::migrate::Migrator::new(Embedded(migrations)).await.context("database migrations")?;
        migrator.run(&self.pool).await.context("database migration failed")?;
        Ok(())
    }

    /// Starts a transaction that will write, on the writer connection. On SQLite it also
    /// takes the write lock up front (`BEGIN IMMEDIATE`), so another process writing to
    /// the same file (a CLI command) makes it wait rather than fail on a lock upgrade.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.writer.begin().await,
        }
    }

    /// For reads (several at once).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// For single-statement writes outside [`Self::begin_write`]. Never use it while
    /// holding a write transaction: on SQLite that waits for itself.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// True when a trivial query round-trips.
    pub async fn is_reachable(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await
    }
}

/// Creates the SQLite file's folder and asks sqlx to create the file (`mode=rwc`).
fn prepare_sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path.is_empty() || path == ":memory:" {
        anyhow::bail!("DATABASE_URL must name a SQLite file (in-memory databases lose data)");
    }
    if let Some(parent) = Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).with_context(|| format!("could not create folder {}", parent.display()))?;
        }
    }
    Ok(match query {
        Some(q) if q.contains("mode=") => format!("sqlite://{path}?{q}"),
        Some(q) => format!("sqlite://{path}?{q}&mode=rwc"),
        None => format!("sqlite://{path}?mode=rwc"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_url_gets_create_mode() {
        let dir = std::env::temp_dir().join(format!("scrutiny-db-{}", std::process::id()));
        let url = format!("sqlite://{}/x.db", dir.display());
        let prepared = prepare_sqlite_url(&url).unwrap();
        assert!(prepared.ends_with("x.db?mode=rwc"));
        assert!(dir.is_dir(), "folder is created");
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn memory_databases_are_refused() {
        assert!(prepare_sqlite_url("sqlite::memory:").is_err());
    }

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(Backend::from_url("sqlite://data/x.db"), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://u@h/db"), Backend::Postgres);
    }
}

/// Seconds since the Unix epoch: every timestamp is stored like this, on both backends.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Rows per multi-row INSERT of `cols` columns: about 250 parameters (PostgreSQL and
/// SQLite both cap a statement's parameters; this stays far below either).
pub fn rows_per_insert(cols: usize) -> usize {
    (250 / cols.max(1)).max(1)
}

/// `n` parameter placeholders separated by commas, numbered from `$1` on PostgreSQL and
/// anonymous `?` on SQLite. SQLite resolves each numbered `$n` by name, in time that
/// grows with how many there are (500 rows of 7 columns took 21 ms to prepare); `?` is
/// taken in order with no lookup.
pub fn placeholders(backend: Backend, n: usize) -> String {
    placeholders_from(backend, 1, n)
}

/// `n` placeholders for parameters `first`, `first + 1`, … (SQL with several lists).
/// Every parameter of the statement must come from these helpers: SQLite cannot mix
/// `?` with `$n`.
pub fn placeholders_from(backend: Backend, first: usize, n: usize) -> String {
    let mut sql = String::with_capacity(n * 5);
    for i in first..first + n {
        if i > first {
            sql.push_str(", ");
        }
        push_placeholder(&mut sql, backend, i);
    }
    sql
}

/// `($1, $2), ($3, $4), …` (or `(?, ?), …` on SQLite) for a multi-row INSERT of `rows`
/// rows of `cols` values. The statement must have no other parameters.
pub fn values_placeholders(backend: Backend, rows: usize, cols: usize) -> String {
    let mut sql = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            push_placeholder(&mut sql, backend, r * cols + c + 1);
        }
        sql.push(')');
    }
    sql
}

fn push_placeholder(sql: &mut String, backend: Backend, i: usize) {
    match backend {
        Backend::Sqlite => sql.push('?'),
        Backend::Postgres => {
            sql.push('$');
            sql.push_str(&i.to_string());
        }
    }
}

#[cfg(test)]
mod placeholder_tests {
    #[test]
    fn numbers_placeholders_row_by_row() {
        use super::{placeholders, values_placeholders, Backend::*};
        assert_eq!(values_placeholders(Postgres, 2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values_placeholders(Postgres, 1, 1), "($1)");
        assert_eq!(values_placeholders(Sqlite, 2, 2), "(?, ?), (?, ?)");
        assert_eq!(placeholders(Postgres, 3), "$1, $2, $3");
        assert_eq!(placeholders(Sqlite, 2), "?, ?");
        assert_eq!(super::placeholders_from(Postgres, 3, 2), "$3, $4");
        assert_eq!(super::placeholders_from(Sqlite, 3, 2), "?, ?");
    }
}
