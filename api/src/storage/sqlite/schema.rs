//! The on-disk schema: ordered migration steps and the code that applies them.
//!
//! The schema version is SQLite's `PRAGMA user_version`. [`MIGRATIONS`] lists the steps
//! in order; [`migrate`] applies the missing ones, each in its own transaction together
//! with the version bump. A file written by a newer build is refused rather than guessed at.

use rusqlite::Connection;

use super::db;
use crate::storage::StoreError;

/// The schema, as ordered migration steps. Step `i` moves `user_version` from `i` to
/// `i + 1`. Never edit a released step; append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: plans with versions, analyses, jobs, schedules, tokens.
    r"
    CREATE TABLE plans (
        id TEXT PRIMARY KEY,
        latest_version INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE plan_versions (
        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        crs TEXT NOT NULL,
        body BLOB NOT NULL,
        summary TEXT NOT NULL,
        locations TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (plan_id, version)
    );
    CREATE TABLE analyses (
        plan_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        document BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (plan_id, version),
        FOREIGN KEY (plan_id, version) REFERENCES plan_versions(plan_id, version)
            ON DELETE CASCADE
    );
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        plan_version INTEGER NOT NULL,
        options TEXT NOT NULL,
        status TEXT NOT NULL,
        percent REAL NOT NULL DEFAULT 0,
        incumbent REAL,
        bound REAL,
        schedule_id TEXT,
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX jobs_by_status ON jobs(status, created_at);
    CREATE TABLE schedules (
        id TEXT PRIMARY KEY,
        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        plan_version INTEGER NOT NULL,
        job_id TEXT,
        document BLOB NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        secret_hash BLOB NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    ",
    // 2: the original upload of imported plan versions, beside the converted GeoJSON.
    r"
    CREATE TABLE plan_sources (
        plan_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        file_name TEXT,
        mapping TEXT NOT NULL,
        crs TEXT,
        body BLOB NOT NULL,
        PRIMARY KEY (plan_id, version),
        FOREIGN KEY (plan_id, version) REFERENCES plan_versions(plan_id, version)
            ON DELETE CASCADE
    );
    ",
    // 3: accepted progress report rows, with who sent them and when (history kept).
    r"
    CREATE TABLE progress_rows (
        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        report_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        item_id TEXT NOT NULL,
        row TEXT NOT NULL,
        sent_by TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (report_id, seq)
    );
    CREATE INDEX progress_rows_by_plan ON progress_rows(plan_id, item_id);
    ",
];

/// The schema version recorded in the open database.
pub(super) fn version(connection: &Connection) -> Result<i64, StoreError> {
    connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(db("reading the schema version"))
}

/// Applies every missing migration step, each in one transaction with its version bump.
pub(super) fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let found = version(connection)?;
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    for (step, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip_while(|(i, _)| i64::try_from(*i).unwrap_or(i64::MAX) < found)
    {
        let tx = connection
            .transaction()
            .map_err(db("starting a migration"))?;
        tx.execute_batch(sql).map_err(db("applying a migration"))?;
        let version = i64::try_from(step + 1).unwrap_or(i64::MAX);
        tx.pragma_update(None, "user_version", version)
            .map_err(db("recording the schema version"))?;
        tx.commit().map_err(db("committing a migration"))?;
        tracing::info!(version = step + 1, "database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::ids::random_id;
    use crate::storage::sqlite::SqliteStore;

    #[test]
    fn a_fresh_database_is_migrated_to_the_newest_schema() {
        let store = SqliteStore::in_memory().expect("open");
        assert_eq!(
            store.schema_version().expect("version"),
            i64::try_from(MIGRATIONS.len()).expect("small")
        );
    }

    #[test]
    fn a_database_from_a_newer_build_is_refused() {
        let dir = std::env::temp_dir().join(format!("digonce-store-{}", random_id("t")));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("db.sqlite3");
        {
            let connection = Connection::open(&path).expect("open");
            connection
                .pragma_update(None, "user_version", 99)
                .expect("set version");
        }
        let error = SqliteStore::open(&path).expect_err("newer schema");
        assert!(matches!(error, StoreError::SchemaTooNew { found: 99, .. }));
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
