//! Planning jobs (`jobs`): their life cycle, progress and the schedule a finished job
//! stores.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{db, from_json, now, plans, schedules, to_json};
use crate::storage::ids::random_id;
use crate::storage::{JobRecord, JobStatus, Progress, StoreError};

/// The columns [`raw_job`] reads.
const JOB_COLUMNS: &str = "id, plan_id, plan_version, options, status, percent, incumbent, \
     bound, schedule_id, error, created_at, updated_at";

/// A job row with its options and status still as stored text.
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

/// Decodes the stored options and status into the record.
fn finish_raw_job(raw: RawJob) -> Result<JobRecord, StoreError> {
    let mut record = raw.record;
    record.options = from_json("job options", &raw.options)?;
    record.status = JobStatus::parse(&raw.status)?;
    Ok(record)
}

/// The stored status of a job; `None` when it does not exist.
fn status_of(connection: &Connection, id: &str) -> Result<Option<JobStatus>, StoreError> {
    let status: Option<String> = connection
        .query_row(
            "SELECT status FROM jobs WHERE id = ?1",
            params![id],
            |row| row.get(0),
        )
        .optional()
        .map_err(db("reading a job"))?;
    status.as_deref().map(JobStatus::parse).transpose()
}

/// Creates a queued job for the latest version of a plan (call inside a transaction);
/// `None` when the plan does not exist.
pub(super) fn create(
    connection: &Connection,
    plan_id: &str,
    options: &serde_json::Value,
) -> Result<Option<JobRecord>, StoreError> {
    let Some(version) = plans::latest_version(connection, plan_id)? else {
        return Ok(None);
    };
    let id = random_id("job_");
    let at = now();
    connection
        .execute(
            "INSERT INTO jobs (id, plan_id, plan_version, options, status, created_at, \
             updated_at) VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5)",
            params![id, plan_id, version, to_json("job options", options)?, at],
        )
        .map_err(db("creating a job"))?;
    let raw = connection
        .query_row(
            &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
            params![id],
            raw_job,
        )
        .map_err(db("reading a job"))?;
    finish_raw_job(raw).map(Some)
}

/// A job by id.
pub(super) fn read(connection: &Connection, id: &str) -> Result<Option<JobRecord>, StoreError> {
    let raw = connection
        .query_row(
            &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
            params![id],
            raw_job,
        )
        .optional()
        .map_err(db("reading a job"))?;
    raw.map(finish_raw_job).transpose()
}

/// Moves a job from one of `from` to `to` (call inside a transaction); returns whether
/// it moved.
pub(super) fn transition(
    connection: &Connection,
    id: &str,
    from: &[JobStatus],
    to: JobStatus,
    progress: Option<Progress>,
    error: Option<&str>,
) -> Result<bool, StoreError> {
    let Some(current) = status_of(connection, id)? else {
        return Ok(false);
    };
    if !from.contains(&current) {
        return Ok(false);
    }
    connection
        .execute(
            "UPDATE jobs SET status = ?2, error = COALESCE(?3, error), updated_at = ?4 \
             WHERE id = ?1",
            params![id, to.as_str(), error, now()],
        )
        .map_err(db("updating a job"))?;
    if let Some(progress) = progress {
        connection
            .execute(
                "UPDATE jobs SET percent = ?2, incumbent = ?3, bound = ?4 WHERE id = ?1",
                params![id, progress.percent, progress.incumbent, progress.bound],
            )
            .map_err(db("updating a job"))?;
    }
    Ok(true)
}

/// Persists the progress of a job that is running (no change otherwise).
pub(super) fn record_progress(
    connection: &Connection,
    id: &str,
    progress: Progress,
) -> Result<(), StoreError> {
    connection
        .execute(
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
}

/// Stores the schedule of a running job and marks it done (call inside a transaction);
/// `None` when the job is gone or no longer running.
pub(super) fn finish(
    connection: &Connection,
    job_id: &str,
    progress: Progress,
    document: &[u8],
) -> Result<Option<String>, StoreError> {
    let job: Option<(String, u32, String)> = connection
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
    let at = now();
    let schedule_id =
        schedules::insert(connection, &plan_id, version, Some(job_id), document, &at)?;
    connection
        .execute(
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
}

/// Fails every running job with `reason` and returns the queued ones, oldest first
/// (call inside a transaction).
pub(super) fn recover(connection: &Connection, reason: &str) -> Result<Vec<JobRecord>, StoreError> {
    connection
        .execute(
            "UPDATE jobs SET status = 'failed', error = ?1, updated_at = ?2 \
             WHERE status = 'running'",
            params![reason, now()],
        )
        .map_err(db("recovering jobs"))?;
    let mut statement = connection
        .prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'queued' ORDER BY created_at, id"
        ))
        .map_err(db("recovering jobs"))?;
    let raws = statement
        .query_map([], raw_job)
        .map_err(db("recovering jobs"))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db("recovering jobs"))?;
    raws.into_iter().map(finish_raw_job).collect()
}
