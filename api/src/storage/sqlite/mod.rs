//! The embedded SQLite store: one file, versioned migrations, one transaction per write.
//!
//! The schema version is SQLite's `PRAGMA user_version`; [`MIGRATIONS`] lists the steps
//! in order and [`SqliteStore::open`] applies the missing ones, each in its own
//! transaction together with the version bump. A file written by a newer build is
//! refused rather than guessed at.
//!
//! One connection behind a mutex serves every call; callers run on blocking threads.
//! The journal is WAL with `synchronous = FULL`, so a committed write survives a crash
//! of the process or the machine.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::ids::random_id;
use super::{
    JobRecord, JobStatus, NewPlanVersion, PlanMeta, PlanSummary, PlanVersion, Progress,
    ScheduleRecord, Store, StoreError, TokenRecord, WorkLocation,
};

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
];

/// The current time as RFC 3339 UTC with seconds.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn db(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Database { context, source }
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
        migrate(&mut connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.lock()?
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(db("reading the schema version"))
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.connection
            .lock()
            .map_err(|_poison| StoreError::Poisoned)
    }

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

/// Applies every missing migration step, each in one transaction with its version bump.
fn migrate(connection: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(db("reading the schema version"))?;
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

const PLAN_COLUMNS: &str = "p.id, v.name, v.version, p.latest_version, v.crs, v.summary, \
     p.created_at, v.created_at";

fn plan_meta(row: &Row<'_>) -> rusqlite::Result<(PlanMeta, String)> {
    Ok((
        PlanMeta {
            id: row.get(0)?,
            name: row.get(1)?,
            version: row.get(2)?,
            latest_version: row.get(3)?,
            crs: row.get(4)?,
            summary: PlanSummary::default(),
            created_at: row.get(6)?,
            version_created_at: row.get(7)?,
        },
        row.get(5)?,
    ))
}

fn with_summary((mut meta, summary): (PlanMeta, String)) -> Result<PlanMeta, StoreError> {
    meta.summary = from_json("plan summary", &summary)?;
    Ok(meta)
}

fn insert_version(
    tx: &Transaction<'_>,
    id: &str,
    version: u32,
    plan: &NewPlanVersion,
    at: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO plan_versions (plan_id, version, name, crs, body, summary, locations, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            version,
            plan.name,
            plan.crs,
            plan.body,
            to_json("plan summary", &plan.summary)?,
            to_json("work locations", &plan.locations)?,
            at
        ],
    )
    .map_err(db("storing a plan version"))?;
    Ok(())
}

fn meta_of(tx: &Transaction<'_>, id: &str, version: u32) -> Result<PlanMeta, StoreError> {
    let raw = tx
        .query_row(
            &format!(
                "SELECT {PLAN_COLUMNS} FROM plans p JOIN plan_versions v ON v.plan_id = p.id \
                 WHERE p.id = ?1 AND v.version = ?2"
            ),
            params![id, version],
            plan_meta,
        )
        .map_err(db("reading a plan"))?;
    with_summary(raw)
}

const JOB_COLUMNS: &str = "id, plan_id, plan_version, options, status, percent, incumbent, \
     bound, schedule_id, error, created_at, updated_at";

struct RawJob {
    record: JobRecord,
    options: String,
    status: String,
}

fn raw_job(row: &Row<'_>) -> rusqlite::Result<RawJob> {
    Ok(RawJob {
        record: JobRecord {
            id: row.get(0)?,
            plan_id: row.get(1)?,
            plan_version: row.get(2)?,
            options: serde_json::Value::Null,
            status: JobStatus::Queued,
            progress: Progress {
                percent: row.get(5)?,
                incumbent: row.get(6)?,
                bound: row.get(7)?,
            },
            schedule_id: row.get(8)?,
            error: row.get(9)?,
            created_at: row.get(10)?,
            updated_at: row.get(11)?,
        },
        options: row.get(3)?,
        status: row.get(4)?,
    })
}

const SCHEDULE_COLUMNS: &str = "id, plan_id, plan_version, job_id, created_at, document";

fn schedule_record(row: &Row<'_>) -> rusqlite::Result<ScheduleRecord> {
    Ok(ScheduleRecord {
        id: row.get(0)?,
        plan_id: row.get(1)?,
        plan_version: row.get(2)?,
        job_id: row.get(3)?,
        created_at: row.get(4)?,
        document: row.get(5)?,
    })
}

fn finish_raw_job(raw: RawJob) -> Result<JobRecord, StoreError> {
    let mut record = raw.record;
    record.options = from_json("job options", &raw.options)?;
    record.status = JobStatus::parse(&raw.status)?;
    Ok(record)
}

impl Store for SqliteStore {
    fn create_plan(&self, plan: &NewPlanVersion) -> Result<PlanMeta, StoreError> {
        self.write("creating a plan", |tx| {
            let id = random_id("pl_");
            let at = now();
            tx.execute(
                "INSERT INTO plans (id, latest_version, created_at) VALUES (?1, 1, ?2)",
                params![id, at],
            )
            .map_err(db("creating a plan"))?;
            insert_version(tx, &id, 1, plan, &at)?;
            meta_of(tx, &id, 1)
        })
    }

    fn add_plan_version(
        &self,
        id: &str,
        plan: &NewPlanVersion,
    ) -> Result<Option<PlanMeta>, StoreError> {
        self.write("adding a plan version", |tx| {
            let latest: Option<u32> = tx
                .query_row(
                    "SELECT latest_version FROM plans WHERE id = ?1",
                    params![id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(db("reading a plan"))?;
            let Some(latest) = latest else {
                return Ok(None);
            };
            let version = latest + 1;
            insert_version(tx, id, version, plan, &now())?;
            tx.execute(
                "UPDATE plans SET latest_version = ?2 WHERE id = ?1",
                params![id, version],
            )
            .map_err(db("adding a plan version"))?;
            meta_of(tx, id, version).map(Some)
        })
    }

    fn plan(&self, id: &str, version: Option<u32>) -> Result<Option<PlanVersion>, StoreError> {
        let connection = self.lock()?;
        let row = connection
            .query_row(
                &format!(
                    "SELECT {PLAN_COLUMNS}, v.body, v.locations FROM plans p \
                     JOIN plan_versions v ON v.plan_id = p.id \
                     WHERE p.id = ?1 AND v.version = COALESCE(?2, p.latest_version)"
                ),
                params![id, version],
                |row| {
                    Ok((
                        plan_meta(row)?,
                        row.get::<_, Vec<u8>>(8)?,
                        row.get::<_, String>(9)?,
                    ))
                },
            )
            .optional()
            .map_err(db("reading a plan"))?;
        let Some((raw, body, locations)) = row else {
            return Ok(None);
        };
        let locations: BTreeMap<String, WorkLocation> = from_json("work locations", &locations)?;
        Ok(Some(PlanVersion {
            meta: with_summary(raw)?,
            body,
            locations,
        }))
    }

    fn list_plans(&self) -> Result<Vec<PlanMeta>, StoreError> {
        let connection = self.lock()?;
        let mut statement = connection
            .prepare(&format!(
                "SELECT {PLAN_COLUMNS} FROM plans p JOIN plan_versions v \
                 ON v.plan_id = p.id AND v.version = p.latest_version \
                 ORDER BY p.created_at DESC, p.id"
            ))
            .map_err(db("listing plans"))?;
        let rows = statement
            .query_map([], plan_meta)
            .map_err(db("listing plans"))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(db("listing plans"))?;
        rows.into_iter().map(with_summary).collect()
    }

    fn delete_plan(&self, id: &str) -> Result<bool, StoreError> {
        self.write("deleting a plan", |tx| {
            let deleted = tx
                .execute("DELETE FROM plans WHERE id = ?1", params![id])
                .map_err(db("deleting a plan"))?;
            Ok(deleted > 0)
        })
    }

    fn put_analysis(&self, plan_id: &str, version: u32, document: &[u8]) -> Result<(), StoreError> {
        self.write("storing an analysis", |tx| {
            tx.execute(
                "INSERT INTO analyses (plan_id, version, document, created_at) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (plan_id, version) \
                 DO UPDATE SET document = excluded.document, created_at = excluded.created_at",
                params![plan_id, version, document, now()],
            )
            .map_err(db("storing an analysis"))?;
            Ok(())
        })
    }

    fn analysis(&self, plan_id: &str, version: u32) -> Result<Option<Vec<u8>>, StoreError> {
        self.lock()?
            .query_row(
                "SELECT document FROM analyses WHERE plan_id = ?1 AND version = ?2",
                params![plan_id, version],
                |row| row.get(0),
            )
            .optional()
            .map_err(db("reading an analysis"))
    }

    fn create_job(
        &self,
        plan_id: &str,
        options: &serde_json::Value,
    ) -> Result<Option<JobRecord>, StoreError> {
        self.write("creating a job", |tx| {
            let latest: Option<u32> = tx
                .query_row(
                    "SELECT latest_version FROM plans WHERE id = ?1",
                    params![plan_id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(db("reading a plan"))?;
            let Some(version) = latest else {
                return Ok(None);
            };
            let id = random_id("job_");
            let at = now();
            tx.execute(
                "INSERT INTO jobs (id, plan_id, plan_version, options, status, created_at, \
                 updated_at) VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5)",
                params![id, plan_id, version, to_json("job options", options)?, at],
            )
            .map_err(db("creating a job"))?;
            let raw = tx
                .query_row(
                    &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
                    params![id],
                    raw_job,
                )
                .map_err(db("reading a job"))?;
            finish_raw_job(raw).map(Some)
        })
    }

    fn job(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let raw = self
            .lock()?
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
                params![id],
                raw_job,
            )
            .optional()
            .map_err(db("reading a job"))?;
        raw.map(finish_raw_job).transpose()
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
            let current: Option<String> = tx
                .query_row(
                    "SELECT status FROM jobs WHERE id = ?1",
                    params![id],
                    |row| row.get(0),
                )
                .optional()
                .map_err(db("reading a job"))?;
            let Some(current) = current else {
                return Ok(false);
            };
            if !from.contains(&JobStatus::parse(&current)?) {
                return Ok(false);
            }
            tx.execute(
                "UPDATE jobs SET status = ?2, error = COALESCE(?3, error), updated_at = ?4 \
                 WHERE id = ?1",
                params![id, to.as_str(), error, now()],
            )
            .map_err(db("updating a job"))?;
            if let Some(progress) = progress {
                tx.execute(
                    "UPDATE jobs SET percent = ?2, incumbent = ?3, bound = ?4 WHERE id = ?1",
                    params![id, progress.percent, progress.incumbent, progress.bound],
                )
                .map_err(db("updating a job"))?;
            }
            Ok(true)
        })
    }

    fn record_progress(&self, id: &str, progress: Progress) -> Result<(), StoreError> {
        self.write("recording progress", |tx| {
            tx.execute(
                "UPDATE jobs SET percent = ?2, incumbent = ?3, bound = ?4, updated_at = ?5 \
                 WHERE id = ?1 AND status = 'running'",
                params![
                    id,
                    progress.percent,
                    progress.incumbent,
                    progress.bound,
                    now()
                ],
            )
            .map_err(db("recording progress"))?;
            Ok(())
        })
    }

    fn finish_job(
        &self,
        job_id: &str,
        progress: Progress,
        document: &[u8],
    ) -> Result<Option<String>, StoreError> {
        self.write("finishing a job", |tx| {
            let job: Option<(String, u32, String)> = tx
                .query_row(
                    "SELECT plan_id, plan_version, status FROM jobs WHERE id = ?1",
                    params![job_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()
                .map_err(db("reading a job"))?;
            let Some((plan_id, version, status)) = job else {
                return Ok(None);
            };
            if JobStatus::parse(&status)? != JobStatus::Running {
                return Ok(None);
            }
            let schedule_id = random_id("sc_");
            let at = now();
            tx.execute(
                "INSERT INTO schedules (id, plan_id, plan_version, job_id, document, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![schedule_id, plan_id, version, job_id, document, at],
            )
            .map_err(db("storing a schedule"))?;
            tx.execute(
                "UPDATE jobs SET status = 'done', schedule_id = ?2, percent = ?3, \
                 incumbent = ?4, bound = ?5, updated_at = ?6 WHERE id = ?1",
                params![
                    job_id,
                    schedule_id,
                    progress.percent,
                    progress.incumbent,
                    progress.bound,
                    at
                ],
            )
            .map_err(db("finishing a job"))?;
            Ok(Some(schedule_id))
        })
    }

    fn insert_schedule(
        &self,
        plan_id: &str,
        version: u32,
        document: &[u8],
    ) -> Result<Option<String>, StoreError> {
        self.write("storing a schedule", |tx| {
            let exists: Option<u32> = tx
                .query_row(
                    "SELECT version FROM plan_versions WHERE plan_id = ?1 AND version = ?2",
                    params![plan_id, version],
                    |row| row.get(0),
                )
                .optional()
                .map_err(db("reading a plan"))?;
            if exists.is_none() {
                return Ok(None);
            }
            let id = random_id("sc_");
            tx.execute(
                "INSERT INTO schedules (id, plan_id, plan_version, job_id, document, created_at) \
                 VALUES (?1, ?2, ?3, NULL, ?4, ?5)",
                params![id, plan_id, version, document, now()],
            )
            .map_err(db("storing a schedule"))?;
            Ok(Some(id))
        })
    }

    fn schedule(&self, id: &str) -> Result<Option<ScheduleRecord>, StoreError> {
        self.lock()?
            .query_row(
                &format!("SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE id = ?1"),
                params![id],
                schedule_record,
            )
            .optional()
            .map_err(db("reading a schedule"))
    }

    fn latest_schedule(
        &self,
        plan_id: &str,
        version: u32,
    ) -> Result<Option<ScheduleRecord>, StoreError> {
        // rowid breaks ties between schedules stored within the same second.
        self.lock()?
            .query_row(
                &format!(
                    "SELECT {SCHEDULE_COLUMNS} FROM schedules \
                     WHERE plan_id = ?1 AND plan_version = ?2 \
                     ORDER BY created_at DESC, rowid DESC LIMIT 1"
                ),
                params![plan_id, version],
                schedule_record,
            )
            .optional()
            .map_err(db("reading the latest schedule"))
    }

    fn recover_jobs(&self, reason: &str) -> Result<Vec<JobRecord>, StoreError> {
        self.write("recovering jobs", |tx| {
            tx.execute(
                "UPDATE jobs SET status = 'failed', error = ?1, updated_at = ?2 \
                 WHERE status = 'running'",
                params![reason, now()],
            )
            .map_err(db("recovering jobs"))?;
            let mut statement = tx
                .prepare(&format!(
                    "SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'queued' \
                     ORDER BY created_at, id"
                ))
                .map_err(db("recovering jobs"))?;
            let raws = statement
                .query_map([], raw_job)
                .map_err(db("recovering jobs"))?
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(db("recovering jobs"))?;
            raws.into_iter().map(finish_raw_job).collect()
        })
    }

    fn add_token(&self, token: &TokenRecord) -> Result<(), StoreError> {
        self.write("storing a token", |tx| {
            tx.execute(
                "INSERT INTO tokens (id, secret_hash, role, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![
                    token.id,
                    token.secret_hash.as_slice(),
                    token.role,
                    token.created_at
                ],
            )
            .map_err(db("storing a token"))?;
            Ok(())
        })
    }

    fn token(&self, id: &str) -> Result<Option<TokenRecord>, StoreError> {
        let row: Option<(String, Vec<u8>, String, String)> = self
            .lock()?
            .query_row(
                "SELECT id, secret_hash, role, created_at FROM tokens WHERE id = ?1",
                params![id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()
            .map_err(db("reading a token"))?;
        let Some((id, hash, role, created_at)) = row else {
            return Ok(None);
        };
        let secret_hash: [u8; 32] =
            hash.try_into()
                .map_err(|bytes: Vec<u8>| StoreError::UnknownValue {
                    what: "token hash length",
                    value: bytes.len().to_string(),
                })?;
        Ok(Some(TokenRecord {
            id,
            secret_hash,
            role,
            created_at,
        }))
    }

    fn token_count(&self) -> Result<u64, StoreError> {
        let count: i64 = self
            .lock()?
            .query_row("SELECT COUNT(*) FROM tokens", [], |row| row.get(0))
            .map_err(db("counting tokens"))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> NewPlanVersion {
        let mut locations = BTreeMap::new();
        locations.insert(
            "w1".to_owned(),
            WorkLocation {
                lon: 116.4,
                lat: 39.9,
            },
        );
        NewPlanVersion {
            name: name.to_owned(),
            crs: "wgs84".to_owned(),
            body: br#"{"type":"FeatureCollection","features":[]}"#.to_vec(),
            summary: PlanSummary {
                compounds: 1,
                works: 2,
                streets: 3,
            },
            locations,
        }
    }

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

    #[test]
    fn putting_a_plan_keeps_the_old_version() {
        let store = SqliteStore::in_memory().expect("open");
        let first = store.create_plan(&sample("one")).expect("create");
        let second = store
            .add_plan_version(&first.id, &sample("two"))
            .expect("put")
            .expect("plan exists");
        assert_eq!(second.version, 2);
        let old = store.plan(&first.id, Some(1)).expect("read").expect("v1");
        assert_eq!(old.meta.name, "one");
        assert_eq!(old.meta.latest_version, 2);
        let latest = store.plan(&first.id, None).expect("read").expect("latest");
        assert_eq!(latest.meta.name, "two");
        assert_eq!(latest.meta.summary.streets, 3);
        assert!((latest.locations["w1"].lat - 39.9).abs() < 1e-9);
        assert_eq!(store.list_plans().expect("list").len(), 1);
    }

    #[test]
    fn deleting_a_plan_removes_its_schedules_and_jobs() {
        let store = SqliteStore::in_memory().expect("open");
        let plan = store.create_plan(&sample("one")).expect("create");
        let schedule = store
            .insert_schedule(&plan.id, 1, b"{}")
            .expect("insert")
            .expect("plan exists");
        let job = store
            .create_job(&plan.id, &serde_json::json!({}))
            .expect("job")
            .expect("plan exists");
        assert!(store.delete_plan(&plan.id).expect("delete"));
        assert!(store.schedule(&schedule).expect("read").is_none());
        assert!(store.job(&job.id).expect("read").is_none());
        assert!(!store.delete_plan(&plan.id).expect("second delete"));
    }

    #[test]
    fn the_latest_schedule_of_a_plan_version_is_the_newest_stored() {
        let store = SqliteStore::in_memory().expect("open");
        let plan = store.create_plan(&sample("one")).expect("create");
        assert!(store.latest_schedule(&plan.id, 1).expect("read").is_none());
        let first = store.insert_schedule(&plan.id, 1, b"{}").expect("insert");
        let second = store.insert_schedule(&plan.id, 1, b"{}").expect("insert");
        assert_ne!(first, second);
        let latest = store.latest_schedule(&plan.id, 1).expect("read");
        assert_eq!(latest.map(|s| s.id), second);
        store
            .add_plan_version(&plan.id, &sample("two"))
            .expect("put")
            .expect("plan exists");
        assert!(store.latest_schedule(&plan.id, 2).expect("read").is_none());
    }

    #[test]
    fn a_cancelled_job_cannot_be_finished() {
        let store = SqliteStore::in_memory().expect("open");
        let plan = store.create_plan(&sample("one")).expect("create");
        let job = store
            .create_job(&plan.id, &serde_json::json!({"seed": 1}))
            .expect("job")
            .expect("plan exists");
        assert!(
            store
                .transition_job(
                    &job.id,
                    &[JobStatus::Queued],
                    JobStatus::Running,
                    None,
                    None
                )
                .expect("run")
        );
        assert!(
            store
                .transition_job(
                    &job.id,
                    &[JobStatus::Queued, JobStatus::Running],
                    JobStatus::Cancelled,
                    None,
                    Some("cancelled by a client")
                )
                .expect("cancel")
        );
        let finished = store
            .finish_job(&job.id, Progress::default(), b"{}")
            .expect("finish");
        assert!(finished.is_none());
        let stored = store.job(&job.id).expect("read").expect("exists");
        assert_eq!(stored.status, JobStatus::Cancelled);
        assert_eq!(stored.options["seed"], 1);
    }

    #[test]
    fn recovery_fails_running_jobs_and_returns_queued_ones() {
        let store = SqliteStore::in_memory().expect("open");
        let plan = store.create_plan(&sample("one")).expect("create");
        let running = store
            .create_job(&plan.id, &serde_json::json!({}))
            .expect("job")
            .expect("plan");
        let queued = store
            .create_job(&plan.id, &serde_json::json!({}))
            .expect("job")
            .expect("plan");
        store
            .transition_job(
                &running.id,
                &[JobStatus::Queued],
                JobStatus::Running,
                None,
                None,
            )
            .expect("run");
        let halfway = Progress {
            percent: 50.0,
            incumbent: Some(3.0),
            bound: None,
        };
        store
            .record_progress(&running.id, halfway)
            .expect("progress");
        store.record_progress(&queued.id, halfway).expect("ignored");
        let untouched = store.job(&queued.id).expect("read").expect("exists");
        assert!(untouched.progress.percent.abs() < 1e-9);
        let again = store.recover_jobs("service restarted").expect("recover");
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].id, queued.id);
        let failed = store.job(&running.id).expect("read").expect("exists");
        assert_eq!(failed.status, JobStatus::Failed);
        assert!((failed.progress.percent - 50.0).abs() < 1e-9);
        assert_eq!(failed.error.as_deref(), Some("service restarted"));
    }

    #[test]
    fn tokens_round_trip_by_id() {
        let store = SqliteStore::in_memory().expect("open");
        assert_eq!(store.token_count().expect("count"), 0);
        let token = TokenRecord {
            id: "tk_1".into(),
            secret_hash: [7; 32],
            role: "planner".into(),
            created_at: now(),
        };
        store.add_token(&token).expect("add");
        assert_eq!(store.token("tk_1").expect("read"), Some(token));
        assert_eq!(store.token_count().expect("count"), 1);
    }
}
