//! Persistent storage of plans (with versions), analyses, jobs, schedules and tokens.
//!
//! The service talks to storage only through the [`Store`] trait, with two backends: the
//! embedded SQLite file ([`sqlite::SqliteStore`], the default for one planner's machine)
//! and a shared PostgreSQL/PostGIS database ([`postgres::PostgresStore`], for several API
//! processes and planning workers; `docs/postgres.md`). [`open_store`] picks one by the
//! `--db` value: a `postgres://` URL or a file path. The trait is synchronous on purpose:
//! it stays object-safe, and the service calls it on blocking threads
//! ([`actix_web::web::block`]) so no async worker ever waits on disk or network.
//!
//! Every method that writes does so in one transaction: a crash leaves either the whole
//! change or none of it.

#[cfg(test)]
mod behaviour;
pub mod ids;
pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("database error while {context}")]
    Database {
        /// What the store was doing.
        context: &'static str,
        /// The driver's error (SQLite's or PostgreSQL's); logged, never shown to clients.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored JSON column could not be encoded or decoded.
    #[error("stored JSON of {what} is invalid")]
    Json {
        /// Which column.
        what: &'static str,
        /// The decoder's report.
        #[source]
        source: serde_json::Error,
    },
    /// A stored value is outside its allowed set (a job status the code does not know).
    #[error("stored {what} has the unknown value {value:?}")]
    UnknownValue {
        /// Which column.
        what: &'static str,
        /// The value found.
        value: String,
    },
    /// The database was written by a newer digonce than this one.
    #[error("the database schema version {found} is newer than this build knows ({known})")]
    SchemaTooNew {
        /// The version found in the file.
        found: i64,
        /// The newest version this build can migrate to.
        known: i64,
    },
    /// A thread panicked while holding the connection.
    #[error("the database connection was poisoned by a panic")]
    Poisoned,
}

/// Counts that summarise a validated plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct PlanSummary {
    /// Number of compounds.
    pub compounds: usize,
    /// Number of works.
    pub works: usize,
    /// Number of streets.
    pub streets: usize,
}

/// A representative WGS84 point of a work, for calendar `GEO` fields and map labels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WorkLocation {
    /// Longitude in degrees.
    pub lon: f64,
    /// Latitude in degrees.
    pub lat: f64,
}

/// What a validated upload adds to the store as one plan version.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPlanVersion {
    /// The plan's name (from the `plan` member).
    pub name: String,
    /// The coordinate system the upload was written in (lower-case name).
    pub crs: String,
    /// The upload exactly as received.
    pub body: Vec<u8>,
    /// Counts.
    pub summary: PlanSummary,
    /// Representative point of each work by id.
    pub locations: std::collections::BTreeMap<String, WorkLocation>,
    /// For a plan imported from another format (`docs/import.md`): the file as uploaded,
    /// kept beside the converted GeoJSON in `body`.
    pub source: Option<PlanSource>,
}

/// The original upload of an imported plan version (a zipped Shapefile, a GeoPackage, a
/// DXF drawing, a CSV or XLSX table) and how it was converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSource {
    /// The upload's media type (`application/zip` ...).
    pub media_type: String,
    /// The file name the client gave (`Content-Disposition`), if any.
    pub file_name: Option<String>,
    /// The mapping it was converted with: a preset name, or `custom`.
    pub mapping: String,
    /// The coordinate system named for layers that declare none, if one was.
    pub crs: Option<String>,
    /// The bytes exactly as received.
    pub body: Vec<u8>,
}

/// Metadata of one plan at its latest (or a chosen) version.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlanMeta {
    /// Plan id.
    pub id: String,
    /// Plan name of this version.
    pub name: String,
    /// Version number, from 1.
    pub version: u32,
    /// Newest version number.
    pub latest_version: u32,
    /// The upload's coordinate system.
    pub crs: String,
    /// Counts of this version.
    pub summary: PlanSummary,
    /// When the plan was first created (RFC 3339).
    pub created_at: String,
    /// When this version was stored (RFC 3339).
    pub version_created_at: String,
}

/// One stored plan version with its upload.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanVersion {
    /// Metadata.
    pub meta: PlanMeta,
    /// The upload exactly as received.
    pub body: Vec<u8>,
    /// Representative point of each work.
    pub locations: std::collections::BTreeMap<String, WorkLocation>,
}

/// The life cycle of a planning job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for a free planning slot.
    Queued,
    /// A planner is working on it.
    Running,
    /// Finished; `schedule_id` names the result.
    Done,
    /// Stopped with an error (see `error`).
    Failed,
    /// Cancelled by a client.
    Cancelled,
}

impl JobStatus {
    /// The stored and serialised name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    ///
    /// # Errors
    /// [`StoreError::UnknownValue`] for a name this build does not know.
    pub fn parse(value: &str) -> Result<Self, StoreError> {
        Ok(match value {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            other => {
                return Err(StoreError::UnknownValue {
                    what: "job status",
                    value: other.to_owned(),
                });
            }
        })
    }

    /// Whether the job can no longer change.
    #[must_use]
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobStatus::Done | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// How far a job has come.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct Progress {
    /// Estimated completion, 0 to 100.
    pub percent: f64,
    /// Objective value of the best schedule found so far, if any.
    pub incumbent: Option<f64>,
    /// Best proven lower bound on the objective, if any.
    pub bound: Option<f64>,
}

/// One stored job.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct JobRecord {
    /// Job id.
    pub id: String,
    /// The plan it schedules.
    pub plan_id: String,
    /// The plan version it schedules.
    pub plan_version: u32,
    /// Planner options as submitted.
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
    /// Life-cycle state.
    pub status: JobStatus,
    /// Progress (last persisted, or live while running).
    pub progress: Progress,
    /// The resulting schedule once done.
    pub schedule_id: Option<String>,
    /// Why the job failed or was abandoned.
    pub error: Option<String>,
    /// When the job was submitted (RFC 3339).
    pub created_at: String,
    /// When the job last changed state (RFC 3339).
    pub updated_at: String,
}

/// One stored schedule document.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRecord {
    /// Schedule id.
    pub id: String,
    /// The plan it belongs to.
    pub plan_id: String,
    /// The plan version it was computed from.
    pub plan_version: u32,
    /// The job that produced it, if any.
    pub job_id: Option<String>,
    /// When it was stored (RFC 3339).
    pub created_at: String,
    /// The schedule JSON (`docs/schedule-document.md`), exactly as the planner produced it.
    pub document: Vec<u8>,
}

/// One stored access token (never the token itself, only its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The token's public id (the part before the secret).
    pub id: String,
    /// SHA-256 of the secret part.
    pub secret_hash: [u8; 32],
    /// The role, as written (`planner`, `official`, `utility:<owner>`).
    pub role: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

/// What the store says after keeping an accepted progress report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ProgressReceipt {
    /// The report's id (`pr_...`).
    pub report_id: String,
    /// Rows kept.
    pub rows: usize,
    /// When it was received (RFC 3339).
    pub received_at: String,
}

/// One kept progress row with who sent it and when.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredProgressRow {
    /// The report it came in.
    pub report_id: String,
    /// The row.
    pub row: geodata::progress::ProgressRow,
    /// Who sent it (the token's role, `planner` or `utility:<owner>`).
    pub sent_by: String,
    /// When it was received (RFC 3339).
    pub received_at: String,
}

/// The operations the service needs from a store. Every write is one transaction.
pub trait Store: Send + Sync + 'static {
    /// Stores a new plan as version 1 and returns its metadata.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn create_plan(&self, plan: &NewPlanVersion) -> Result<PlanMeta, StoreError>;

    /// Stores a new version of an existing plan; `None` when the plan does not exist.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn add_plan_version(
        &self,
        id: &str,
        plan: &NewPlanVersion,
    ) -> Result<Option<PlanMeta>, StoreError>;

    /// A plan at its latest version, or at `version`; `None` when either does not exist.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn plan(&self, id: &str, version: Option<u32>) -> Result<Option<PlanVersion>, StoreError>;

    /// The original upload of an imported plan version; `None` when the version was
    /// uploaded as GeoJSON (its `body` is the original) or does not exist.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn plan_source(&self, id: &str, version: u32) -> Result<Option<PlanSource>, StoreError>;

    /// Every plan at its latest version, newest first.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn list_plans(&self) -> Result<Vec<PlanMeta>, StoreError>;

    /// Deletes a plan with every version, analysis, job and schedule; `false` when absent.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn delete_plan(&self, id: &str) -> Result<bool, StoreError>;

    /// Stores (or replaces) the analysis document of a plan version.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn put_analysis(&self, plan_id: &str, version: u32, document: &[u8]) -> Result<(), StoreError>;

    /// The analysis document of a plan version, if computed.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn analysis(&self, plan_id: &str, version: u32) -> Result<Option<Vec<u8>>, StoreError>;

    /// Creates a queued job for the latest version of a plan; `None` when the plan does
    /// not exist.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn create_job(
        &self,
        plan_id: &str,
        options: &serde_json::Value,
    ) -> Result<Option<JobRecord>, StoreError>;

    /// A job by id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn job(&self, id: &str) -> Result<Option<JobRecord>, StoreError>;

    /// Moves a job from `from` to `to` (with progress and error), only if it is still in
    /// `from`; returns whether it moved. This is how concurrent cancel and finish agree.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn transition_job(
        &self,
        id: &str,
        from: &[JobStatus],
        to: JobStatus,
        progress: Option<Progress>,
        error: Option<&str>,
    ) -> Result<bool, StoreError>;

    /// Persists the progress of a running job (no-op for jobs in any other state), so a
    /// job abandoned by a crash still shows how far it came.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn record_progress(&self, id: &str, progress: Progress) -> Result<(), StoreError>;

    /// Stores a schedule and marks its running job done, in one transaction; `None` when
    /// the job is no longer running (it was cancelled meanwhile) and nothing was stored.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn finish_job(
        &self,
        job_id: &str,
        progress: Progress,
        document: &[u8],
    ) -> Result<Option<String>, StoreError>;

    /// Stores a schedule not produced by a job (imports, fixtures); `None` when the plan
    /// version does not exist.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn insert_schedule(
        &self,
        plan_id: &str,
        version: u32,
        document: &[u8],
    ) -> Result<Option<String>, StoreError>;

    /// A schedule by id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn schedule(&self, id: &str) -> Result<Option<ScheduleRecord>, StoreError>;

    /// The newest schedule computed for a plan version, if any (the one overlays show).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn latest_schedule(
        &self,
        plan_id: &str,
        version: u32,
    ) -> Result<Option<ScheduleRecord>, StoreError>;

    /// At start-up: marks every running job failed with `reason` and returns the queued
    /// ones (oldest first) so they can be queued again.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn recover_jobs(&self, reason: &str) -> Result<Vec<JobRecord>, StoreError>;

    /// Stores a token record.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails (including a duplicate id).
    fn add_token(&self, token: &TokenRecord) -> Result<(), StoreError>;

    /// A token record by its public id.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn token(&self, id: &str) -> Result<Option<TokenRecord>, StoreError>;

    /// How many tokens exist (zero means the service may run in open mode).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn token_count(&self) -> Result<u64, StoreError>;

    /// Keeps the rows of one accepted progress report of a plan, sent by `sent_by`, in
    /// one transaction (all or nothing).
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn add_progress(
        &self,
        plan_id: &str,
        sent_by: &str,
        rows: &[geodata::progress::ProgressRow],
    ) -> Result<ProgressReceipt, StoreError>;

    /// Every progress row received for a plan, in the order received.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    fn progress(&self, plan_id: &str) -> Result<Vec<StoredProgressRow>, StoreError>;
}

/// An opened store, with its backend known (the job system needs to know: SQLite runs
/// jobs in process, PostgreSQL through the durable queue).
#[derive(Debug, Clone)]
pub enum Backend {
    /// The embedded SQLite file.
    Sqlite(Arc<sqlite::SqliteStore>),
    /// A PostgreSQL database.
    Postgres(Arc<postgres::PostgresStore>),
}

impl Backend {
    /// The store as the service uses it.
    #[must_use]
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            Backend::Sqlite(store) => Arc::clone(store) as Arc<dyn Store>,
            Backend::Postgres(store) => Arc::clone(store) as Arc<dyn Store>,
        }
    }
}

/// Whether a `--db` value names a PostgreSQL database (`postgres://` or `postgresql://`).
#[must_use]
pub fn is_postgres_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// Opens the store a `--db` value names: a `postgres://` URL selects PostgreSQL, anything
/// else is a SQLite file path (created if missing). Either is migrated to the newest
/// schema.
///
/// # Errors
/// [`StoreError`] when the database cannot be opened or migrated.
pub fn open_store(location: &str) -> Result<Backend, StoreError> {
    if is_postgres_url(location) {
        Ok(Backend::Postgres(Arc::new(postgres::PostgresStore::open(
            location,
        )?)))
    } else {
        Ok(Backend::Sqlite(Arc::new(sqlite::SqliteStore::open(
            std::path::Path::new(location),
        )?)))
    }
}
