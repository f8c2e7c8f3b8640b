//! The PostgreSQL schema: ordered migration steps and the code that applies them.
//!
//! The version is the one row of `schema_version`. [`MIGRATIONS`] lists the steps in
//! order; [`migrate`] applies the missing ones, each in one transaction with its version
//! bump, holding a transaction-scoped advisory lock so that API processes and workers
//! starting at once migrate exactly once. A database written by a newer build is refused.

use postgres::Client;

use super::db;
use crate::storage::StoreError;

/// The advisory lock key migrations hold (any constant unique to digonce).
const MIGRATION_LOCK: i64 = 0x6469_676f_6e63_6531;

/// The schema, as ordered migration steps. Step `i` moves the version from `i` to
/// `i + 1`. Never edit a released step; append a new one.
pub const MIGRATIONS: &[&str] = &[
    // 1: everything the SQLite store keeps, the PostGIS features, the job queue columns.
    r"
    CREATE EXTENSION IF NOT EXISTS postgis;
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
        body BYTEA NOT NULL,
        summary TEXT NOT NULL,
        locations TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (plan_id, version)
    );
    CREATE TABLE plan_sources (
        plan_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        file_name TEXT,
        mapping TEXT NOT NULL,
        crs TEXT,
        body BYTEA NOT NULL,
        PRIMARY KEY (plan_id, version),
        FOREIGN KEY (plan_id, version) REFERENCES plan_versions(plan_id, version)
            ON DELETE CASCADE
    );
    CREATE TABLE plan_features (
        plan_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        feature_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        properties JSONB NOT NULL,
        geom geometry(Geometry, 4326) NOT NULL,
        PRIMARY KEY (plan_id, version, kind, feature_id),
        FOREIGN KEY (plan_id, version) REFERENCES plan_versions(plan_id, version)
            ON DELETE CASCADE
    );
    CREATE INDEX plan_features_geom ON plan_features USING GIST (geom);
    CREATE TABLE analyses (
        plan_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        document BYTEA NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (plan_id, version),
        FOREIGN KEY (plan_id, version) REFERENCES plan_versions(plan_id, version)
            ON DELETE CASCADE
    );
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        seq BIGSERIAL NOT NULL,
        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        plan_version INTEGER NOT NULL,
        options TEXT NOT NULL,
        status TEXT NOT NULL,
        percent DOUBLE PRECISION NOT NULL DEFAULT 0,
        incumbent DOUBLE PRECISION,
        bound DOUBLE PRECISION,
        schedule_id TEXT,
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        worker_id TEXT,
        lease_until TIMESTAMPTZ,
        attempts INTEGER NOT NULL DEFAULT 0,
        max_attempts INTEGER NOT NULL DEFAULT 3,
        last_failure TEXT
    );
    CREATE INDEX jobs_by_status ON jobs(status, seq);
    CREATE FUNCTION digonce_job_notify() RETURNS trigger AS $$
    BEGIN
        PERFORM pg_notify('digonce_jobs', NEW.id || ' ' || NEW.status);
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE OF status ON jobs
        FOR EACH ROW EXECUTE FUNCTION digonce_job_notify();
    CREATE TABLE schedules (
        id TEXT PRIMARY KEY,
        seq BIGSERIAL NOT NULL,
        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        plan_version INTEGER NOT NULL,
        job_id TEXT,
        document BYTEA NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX schedules_one_per_job ON schedules(job_id) WHERE job_id IS NOT NULL;
    CREATE INDEX schedules_by_version ON schedules(plan_id, plan_version, seq);
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        secret_hash BYTEA NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE progress_rows (
        seq BIGSERIAL PRIMARY KEY,
        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        report_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        row_json TEXT NOT NULL,
        sent_by TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE INDEX progress_rows_by_plan ON progress_rows(plan_id, item_id);
    ",
];

/// The schema version recorded in the database (0 before the first migration).
pub(super) fn version(client: &mut Client) -> Result<i64, StoreError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
        .map_err(db("reading the schema version"))?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_opt("SELECT version FROM schema_version", &[])
        .map_err(db("reading the schema version"))?;
    Ok(row.map_or(0, |row| row.get(0)))
}

/// Applies every missing migration step, each in one transaction with its version bump.
pub(super) fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    loop {
        let mut tx = client.transaction().map_err(db("starting a migration"))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .map_err(db("locking for a migration"))?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
            .map_err(db("creating the schema version table"))?;
        let found: i64 = tx
            .query_opt("SELECT version FROM schema_version", &[])
            .map_err(db("reading the schema version"))?
            .map_or(0, |row| row.get(0));
        if found > known {
            return Err(StoreError::SchemaTooNew { found, known });
        }
        let Some(sql) = usize::try_from(found).ok().and_then(|i| MIGRATIONS.get(i)) else {
            tx.commit().map_err(db("committing a migration"))?;
            return Ok(());
        };
        tx.batch_execute(sql).map_err(db("applying a migration"))?;
        let next = found + 1;
        tx.execute("DELETE FROM schema_version", &[])
            .map_err(db("recording the schema version"))?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&next])
            .map_err(db("recording the schema version"))?;
        tx.commit().map_err(db("committing a migration"))?;
        tracing::info!(version = next, "database migrated");
    }
}
