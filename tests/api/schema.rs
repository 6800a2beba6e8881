//! The SQLite and PostgreSQL migrations are written twice (their DDL differs); this
//! checks they build the same tables, with the same columns and the same nullability.
use std::collections::BTreeMap;

use scrutiny::db::{Backend, Db};

use crate::helpers::{drop_postgres_database, fresh_postgres_url, sqlite_url};

/// Table → column → nullable (lower-case names: PostgreSQL folds unquoted names).
type Schema = BTreeMap<String, BTreeMap<String, bool>>;

/// The tables the migrations made (not sqlx's bookkeeping, not SQLite's own, not the search
/// index's own table on either (`recruit_search`: SQLite's FTS5 table and its shadow tables,
/// PostgreSQL's narrow copy of the text with its trigram index), nor PostgreSQL's generated
/// columns: the searched text is also kept in the recruits row there, as a stored column).
async fn live_schema(db: &Db) -> Schema {
    let columns: Vec<(String, String, bool)> = match db.backend() {
        Backend::Sqlite => {
            // An INTEGER PRIMARY KEY is the rowid, never NULL, though SQLite reports it
            // as nullable (PostgreSQL's primary keys are NOT NULL).
            sqlx::query_as::<_, (String, String, i64)>(
                "SELECT t.name, c.name, c.\"notnull\" = 0 AND NOT (c.pk = 1 AND upper(c.type) = 'INTEGER' \
                 AND (SELECT count(*) FROM pragma_table_info(t.name) k WHERE k.pk > 0) = 1) \
                 FROM sqlite_master t, pragma_table_info(t.name) c \
                 WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                 AND t.name <> '_sqlx_migrations' \
                 AND t.name NOT IN (SELECT v.name FROM sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%') \
                 AND t.name NOT IN (SELECT v.name || s.suffix FROM sqlite_master v, \
                     (SELECT '_data' AS suffix UNION ALL SELECT '_idx' UNION ALL SELECT '_content' \
                      UNION ALL SELECT '_docsize' UNION ALL SELECT '_config') s \
                     WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%')",
            )
            .fetch_all(db.pool())
            .await
            .unwrap()
            .into_iter()
            .map(|(t, c, nullable)| (t, c, nullable != 0))
            .collect()
        }
        Backend::Postgres => sqlx::query_as::<_, (String, String, String)>(
            "SELECT c.table_name::text, c.column_name::text, c.is_nullable::text \
             FROM information_schema.columns c JOIN information_schema.tables t \
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE t.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
             AND t.table_name NOT IN ('_sqlx_migrations', 'recruit_search') AND c.is_generated = 'NEVER'",
        )
        .fetch_all(db.pool())
        .await
        .unwrap()
        .into_iter()
        .map(|(t, c, nullable)| (t, c, nullable == "YES"))
        .collect(),
    };
    let mut schema = Schema::new();
    for (table, column, nullable) in columns {
        schema.entry(table.to_lowercase()).or_default().insert(column.to_lowercase(), nullable);
    }
    schema
}

/// Every way two schemas differ, one line each, naming the table and column.
fn differences((a_name, a): (&str, &Schema), (b_name, b): (&str, &Schema)) -> Vec<String> {
    let nullable = |n: bool| if n { "nullable" } else { "NOT NULL" };
    let mut out = Vec::new();
    for (table, a_cols) in a {
        let Some(b_cols) = b.get(table) else {
            out.push(format!("table {table}: only in {a_name}"));
            continue;
        };
        for (column, a_null) in a_cols {
            match b_cols.get(column) {
                None => out.push(format!("table {table}, column {column}: only in {a_name}")),
                Some(b_null) if b_null != a_null => out.push(format!(
                    "table {table}, column {column}: {} in {a_name}, {} in {b_name}",
                    nullable(*a_null),
                    nullable(*b_null)
                )),
                Some(_) => {}
            }
        }
        for column in b_cols.keys().filter(|c| !a_cols.contains_key(*c)) {
            out.push(format!("table {table}, column {column}: only in {b_name}"));
        }
    }
    for table in b.keys().filter(|t| !a.contains_key(*t)) {
        out.push(format!("table {table}: only in {b_name}"));
    }
    out
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_make_the_same_tables_and_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(&sqlite_url(tmp.path())).await.unwrap();
    sqlite.migrate().await.unwrap();
    let sqlite_schema = live_schema(&sqlite).await;
    sqlite.close().await;
    assert!(
        sqlite_schema.len() >= 10 && sqlite_schema.values().all(|cols| !cols.is_empty()),
        "the SQLite migrations made too little: {sqlite_schema:?}"
    );
    assert!(sqlite_schema.contains_key("recruits") && !sqlite_schema.contains_key("_sqlx_migrations"));

    let Some(pg_url) = fresh_postgres_url().await else {
        eprintln!(
            "schema: SQLite migrations checked ({} tables); comparison with PostgreSQL skipped \
             (set SCRUTINY_TEST_DATABASE_URL=postgres://… to run it)",
            sqlite_schema.len()
        );
        return;
    };
    let pg = Db::connect(&pg_url).await.unwrap();
    pg.migrate().await.unwrap();
    let pg_schema = live_schema(&pg).await;
    pg.close().await;
    drop_postgres_database(&pg_url).await;

    let found = differences(("sqlite", &sqlite_schema), ("postgres", &pg_schema));
    assert!(found.is_empty(), "the SQLite and PostgreSQL migrations differ:\n  {}", found.join("\n  "));
}

#[test]
fn differences_name_the_table_and_column() {
    let schema = |tables: &[(&str, &[(&str, bool)])]| -> Schema {
        tables
            .iter()
            .map(|(t, cols)| (t.to_string(), cols.iter().map(|(c, n)| (c.to_string(), *n)).collect()))
            .collect()
    };
    let a = schema(&[("cards", &[("code", false), ("note", true)]), ("only_a", &[("id", false)])]);
    let b = schema(&[("cards", &[("code", true), ("extra", true)]), ("only_b", &[("id", false)])]);
    assert_eq!(
        differences(("sqlite", &a), ("postgres", &b)),
        [
            "table cards, column code: NOT NULL in sqlite, nullable in postgres",
            "table cards, column note: only in sqlite",
            "table cards, column extra: only in postgres",
            "table only_a: only in sqlite",
            "table only_b: only in postgres",
        ]
    );
    assert!(differences(("sqlite", &a), ("postgres", &a)).is_empty());
}

/// The migrations are embedded by `build.rs` and hashed at start (no longer by sqlx's
/// `migrate!` macro): each must still be recorded with the checksum earlier builds recorded,
/// or every database they migrated would refuse to start ("previously applied but has been
/// modified"). This also catches an edit to a migration that has already shipped.
#[tokio::test]
async fn migrations_are_recorded_as_databases_migrated_by_earlier_builds_recorded_them() {
    let fixture = include_str!("fixtures/migration-checksums.tsv");
    let recorded_by = |backend: &str| -> Vec<(i64, String, String)> {
        fixture
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .filter(|f| f[0] == backend)
            .map(|f| (f[1].parse().unwrap(), f[2].to_string(), f[3].to_string()))
            .collect()
    };
    async fn recorded(db: &Db) -> Vec<(i64, String, String)> {
        let rows: Vec<(i64, Vec<u8>, String)> =
            sqlx::query_as("SELECT version, checksum, description FROM _sqlx_migrations ORDER BY version")
                .fetch_all(db.pool())
                .await
                .unwrap();
        rows.into_iter().map(|(v, c, d)| (v, c.iter().map(|b| format!("{b:02x}")).collect(), d)).collect()
    }
    fn compare(backend: &str, earlier: &[(i64, String, String)], now: &[(i64, String, String)]) {
        assert!(earlier.len() >= 19, "{backend}: the fixture lists too few migrations");
        for old in earlier {
            let new = now.iter().find(|n| n.0 == old.0);
            assert_eq!(new, Some(old), "{backend}: migration {} is recorded differently", old.0);
        }
    }

    let tmp = tempfile::tempdir().unwrap();
    let sqlite = Db::connect(&sqlite_url(tmp.path())).await.unwrap();
    sqlite.migrate().await.unwrap();
    compare("sqlite", &recorded_by("sqlite"), &recorded(&sqlite).await);
    sqlite.close().await;

    let Some(pg_url) = fresh_postgres_url().await else { return };
    let pg = Db::connect(&pg_url).await.unwrap();
    pg.migrate().await.unwrap();
    compare("postgres", &recorded_by("postgres"), &recorded(&pg).await);
    pg.close().await;
    drop_postgres_database(&pg_url).await;
}
