//! The embedded SQLite store: one file, versioned migrations, one transaction per write.
//!
//! This module owns the connection and the transaction boundaries; the SQL lives beside
//! it, one file per part of the schema:
//!
//! - `schema`: the migration steps ([`MIGRATIONS`]) and the code that applies them at
//!   [`SqliteStore::open`];
//! - `plans`: plans, their versions and the analysis of each version;
//! - `jobs`: planning jobs and their life cycle;
//! - `schedules`: schedule documents;
//! - `progress`: accepted progress report rows;
//! - `tokens`: access tokens.
//!
//! The [`Store`] implementation below only picks the connection (for a read) or a
//! transaction (for every write) and hands it to those functions.
//!
//! One connection behind a mutex serves every call; callers run on blocking threads.
//! The journal is WAL with `synchronous = FULL`, so a committed write survives a crash
//! of the process or the machine.

mod jobs;
mod plans;
mod progress;
mod schedules;
mod schema;
mod tokens;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, Transaction};

pub use schema::MIGRATIONS;

use super::{
    JobRecord, JobStatus, NewPlanVersion, PlanMeta, PlanSource, PlanVersion, Progress,
    ProgressReceipt, ScheduleRecord, Store, StoreError, StoredProgressRow, TokenRecord,
};

/// The current time as RFC 3339 UTC with seconds.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Wraps a driver error with what the store was doing.
fn db(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Database {
        context,
        source: Box::new(source),
    }
}

fn to_json<T: serde::Serialize>(what: &'static str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Json { what, source })
}

fn from_json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|source| StoreError::Json { what, source })
}

/// The SQLite implementation of [`Store`].
#[derive(Debug)]
pub struct SqliteStore {
    connection: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and migrates it to the newest schema.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the file cannot be opened or migrated;
    /// [`StoreError::SchemaTooNew`] when a newer build wrote it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let connection = Connection::open(path).map_err(db("opening the database"))?;
        Self::with_connection(connection)
    }

    /// An in-memory database, for tests and one-off runs.
    ///
    /// # Errors
    /// [`StoreError::Database`] when SQLite cannot start.
    pub fn in_memory() -> Result<Self, StoreError> {
        let connection = Connection::open_in_memory().map_err(db("opening the database"))?;
        Self::with_connection(connection)
    }

    fn with_connection(mut connection: Connection) -> Result<Self, StoreError> {
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db("setting the busy timeout"))?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
            )
            .map_err(db("setting pragmas"))?;
        schema::migrate(&mut connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.read(schema::version)
    }

    /// The connection, locked for this call.
    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.connection
            .lock()
            .map_err(|_poison| StoreError::Poisoned)
    }

    /// Runs `body` on the connection, for reads.
    fn read<T>(
        &self,
        body: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let connection = self.lock()?;
        body(&connection)
    }

    /// Runs `body` in one transaction, committed only when it succeeds.
    fn write<T>(
        &self,
        context: &'static str,
        body: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = self.lock()?;
        let tx = connection.transaction().map_err(db(context))?;
        let value = body(&tx)?;
        tx.commit().map_err(db(context))?;
        Ok(value)
    }
}

impl Store for SqliteStore {
    fn create_plan(&self, plan: &NewPlanVersion) -> Result<PlanMeta, StoreError> {
        self.write("creating a plan", |tx| plans::create(tx, plan))
    }

    fn add_plan_version(
        &self,
        id: &str,
        plan: &NewPlanVersion,
    ) -> Result<Option<PlanMeta>, StoreError> {
        self.write("adding a plan version", |tx| {
            plans::add_version(tx, id, plan)
        })
    }

    fn plan(&self, id: &str, version: Option<u32>) -> Result<Option<PlanVersion>, StoreError> {
        self.read(|connection| plans::read(connection, id, version))
    }

    fn plan_source(&self, id: &str, version: u32) -> Result<Option<PlanSource>, StoreError> {
        self.read(|connection| plans::source(connection, id, version))
    }

    fn list_plans(&self) -> Result<Vec<PlanMeta>, StoreError> {
        self.read(plans::list)
    }

    fn delete_plan(&self, id: &str) -> Result<bool, StoreError> {
        self.write("deleting a plan", |tx| plans::delete(tx, id))
    }

    fn put_analysis(&self, plan_id: &str, version: u32, document: &[u8]) -> Result<(), StoreError> {
        self.write("storing an analysis", |tx| {
            plans::put_analysis(tx, plan_id, version, document)
        })
    }

    fn analysis(&self, plan_id: &str, version: u32) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|connection| plans::analysis(connection, plan_id, version))
    }

    fn create_job(
        &self,
        plan_id: &str,
        options: &serde_json::Value,
    ) -> Result<Option<JobRecord>, StoreError> {
        self.write("creating a job", |tx| jobs::create(tx, plan_id, options))
    }

    fn job(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        self.read(|connection| jobs::read(connection, id))
    }

    fn transition_job(
        &self,
        id: &str,
        from: &[JobStatus],
        to: JobStatus,
        progress: Option<Progress>,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.write("updating a job", |tx| {
            jobs::transition(tx, id, from, to, progress, error)
        })
    }

    fn record_progress(&self, id: &str, progress: Progress) -> Result<(), StoreError> {
        self.write("recording progress", |tx| {
            jobs::record_progress(tx, id, progress)
        })
    }

    fn finish_job(
        &self,
        job_id: &str,
        progress: Progress,
        document: &[u8],
    ) -> Result<Option<String>, StoreError> {
        self.write("finishing a job", |tx| {
            jobs::finish(tx, job_id, progress, document)
        })
    }

    fn insert_schedule(
        &self,
        plan_id: &str,
        version: u32,
        document: &[u8],
    ) -> Result<Option<String>, StoreError> {
        self.write("storing a schedule", |tx| {
            if !plans::has_version(tx, plan_id, version)? {
                return Ok(None);
            }
            schedules::insert(tx, plan_id, version, None, document, &now()).map(Some)
        })
    }

    fn schedule(&self, id: &str) -> Result<Option<ScheduleRecord>, StoreError> {
        self.read(|connection| schedules::read(connection, id))
    }

    fn latest_schedule(
        &self,
        plan_id: &str,
        version: u32,
    ) -> Result<Option<ScheduleRecord>, StoreError> {
        self.read(|connection| schedules::latest(connection, plan_id, version))
    }

    fn recover_jobs(&self, reason: &str) -> Result<Vec<JobRecord>, StoreError> {
        self.write("recovering jobs", |tx| jobs::recover(tx, reason))
    }

    fn add_token(&self, token: &TokenRecord) -> Result<(), StoreError> {
        self.write("storing a token", |tx| tokens::insert(tx, token))
    }

    fn token(&self, id: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.read(|connection| tokens::read(connection, id))
    }

    fn token_count(&self) -> Result<u64, StoreError> {
        self.read(tokens::count)
    }

    fn add_progress(
        &self,
        plan_id: &str,
        sent_by: &str,
        rows: &[geodata::progress::ProgressRow],
    ) -> Result<ProgressReceipt, StoreError> {
        self.write("storing progress", |tx| {
            progress::insert(tx, plan_id, sent_by, rows, &now())
        })
    }

    fn progress(&self, plan_id: &str) -> Result<Vec<StoredProgressRow>, StoreError> {
        self.read(|c| progress::list(c, plan_id))
    }
}
