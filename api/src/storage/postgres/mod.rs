//! The PostgreSQL/`PostGIS` store: a shared database for several API processes and
//! planning workers on any host (`docs/postgres.md`).
//!
//! This module owns the connection pool and the transaction boundaries; the SQL lives
//! beside it, one file per part of the schema, like the SQLite store:
//!
//! - `schema`: the migration steps ([`MIGRATIONS`]), applied at [`PostgresStore::open`]
//!   under an advisory lock so that processes starting together migrate once;
//! - `plans`: plans, their versions and the analysis of each version;
//! - `features`: the plan features as `PostGIS` geometries (`EPSG:4326`, `GiST`-indexed), for
//!   QGIS and `ogrinfo`;
//! - `jobs`: planning jobs and their life cycle;
//! - `queue`: the durable job queue the workers claim from (leases, heartbeats, retries);
//! - `schedules`: schedule documents;
//! - `progress`: accepted progress report rows;
//! - `tokens`: access tokens.
//!
//! The client is the synchronous `postgres` crate behind an `r2d2` pool, so the
//! [`Store`] trait stays synchronous and object-safe; the service calls it on blocking
//! threads as it does for SQLite. Every write runs in one transaction.

mod features;
mod jobs;
mod plans;
mod progress;
pub mod queue;
mod schedules;
mod schema;
mod tokens;

#[cfg(test)]
pub(crate) mod testdb;
#[cfg(test)]
mod tests;

use postgres::{Client, NoTls, Transaction};
use r2d2::{Pool, PooledConnection};
use r2d2_postgres::PostgresConnectionManager;

pub use schema::MIGRATIONS;

use super::{
    JobRecord, JobStatus, NewPlanVersion, PlanMeta, PlanSource, PlanVersion, Progress,
    ProgressReceipt, ScheduleRecord, Store, StoreError, StoredProgressRow, TokenRecord,
};

/// The channel job status changes are announced on (`NOTIFY digonce_jobs, '<id> <status>'`).
pub const JOB_CHANNEL: &str = "digonce_jobs";

/// The current time as RFC 3339 UTC with seconds.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Wraps a driver error with what the store was doing.
fn db<E: std::error::Error + Send + Sync + 'static>(
    context: &'static str,
) -> impl FnOnce(E) -> StoreError {
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

/// A stored version number (PostgreSQL `integer`) as the API's `u32`.
fn version_of(stored: i32) -> u32 {
    u32::try_from(stored).unwrap_or(0)
}

/// An API version number as PostgreSQL `integer`.
fn stored_version(version: u32) -> i32 {
    i32::try_from(version).unwrap_or(i32::MAX)
}

/// The PostgreSQL implementation of [`Store`].
#[derive(Debug)]
pub struct PostgresStore {
    /// Always `Some` until dropped (see the `Drop` implementation).
    pool: Option<Pool<PostgresConnectionManager<NoTls>>>,
    url: String,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // A client closes its connection by blocking on a runtime of its own, which
        // panics on a thread that drives an async runtime (the last reference to the
        // store may go on an HTTP worker): close the pool's connections on a plain thread.
        if let Some(pool) = self.pool.take()
            && std::thread::spawn(move || drop(pool)).join().is_err()
        {
            tracing::error!("closing the PostgreSQL connections panicked");
        }
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/dbname`), creates the
    /// `PostGIS` extension if missing and migrates the schema to the newest version.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the server cannot be reached or migrated;
    /// [`StoreError::SchemaTooNew`] when a newer build wrote it.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let config: postgres::Config = url.parse().map_err(db("reading the database URL"))?;
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = Pool::builder()
            .max_size(16)
            .connection_timeout(std::time::Duration::from_secs(10))
            .build(manager)
            .map_err(db("connecting to the database"))?;
        let store = Self {
            pool: Some(pool),
            url: url.to_owned(),
        };
        let mut client = store.client()?;
        schema::migrate(&mut client)?;
        Ok(store)
    }

    /// The URL the store was opened with (workers open their LISTEN connection with it).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        let mut client = self.client()?;
        schema::version(&mut client)
    }

    /// A pooled connection.
    fn client(&self) -> Result<PooledConnection<PostgresConnectionManager<NoTls>>, StoreError> {
        let pool = self.pool.as_ref().ok_or(StoreError::Poisoned)?;
        pool.get().map_err(db("connecting to the database"))
    }

    /// Runs `body` on a pooled connection, for reads.
    fn read<T>(
        &self,
        body: impl FnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.client()?;
        body(&mut client)
    }

    /// Runs `body` in one transaction, committed only when it succeeds.
    fn write<T>(
        &self,
        context: &'static str,
        body: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(db(context))?;
        let value = body(&mut tx)?;
        tx.commit().map_err(db(context))?;
        Ok(value)
    }
}

impl Store for PostgresStore {
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
        self.read(|client| plans::read(client, id, version))
    }

    fn plan_source(&self, id: &str, version: u32) -> Result<Option<PlanSource>, StoreError> {
        self.read(|client| plans::source(client, id, version))
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
        self.read(|client| plans::analysis(client, plan_id, version))
    }

    fn create_job(
        &self,
        plan_id: &str,
        options: &serde_json::Value,
    ) -> Result<Option<JobRecord>, StoreError> {
        self.write("creating a job", |tx| jobs::create(tx, plan_id, options))
    }

    fn job(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        self.read(|client| jobs::read(client, id))
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
            jobs::finish(tx, job_id, None, progress, document)
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
        self.read(|client| schedules::read(client, id))
    }

    fn latest_schedule(
        &self,
        plan_id: &str,
        version: u32,
    ) -> Result<Option<ScheduleRecord>, StoreError> {
        self.read(|client| schedules::latest(client, plan_id, version))
    }

    fn recover_jobs(&self, reason: &str) -> Result<Vec<JobRecord>, StoreError> {
        self.write("recovering jobs", |tx| jobs::recover(tx, reason))
    }

    fn add_token(&self, token: &TokenRecord) -> Result<(), StoreError> {
        self.write("storing a token", |tx| tokens::insert(tx, token))
    }

    fn token(&self, id: &str) -> Result<Option<TokenRecord>, StoreError> {
        self.read(|client| tokens::read(client, id))
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
        self.read(|client| progress::list(client, plan_id))
    }
}

/// A `--db` value fit for logs and error messages: a URL's password shown as `***`.
#[must_use]
pub fn redacted(location: &str) -> String {
    let Some((scheme, rest)) = location.split_once("://") else {
        return location.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return location.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => location.to_owned(),
    }
}
