//! Planning jobs (`jobs`): their life cycle, progress and the schedule a finished job
//! stores. The queue columns (lease, worker, attempts) are handled in `queue`.

use postgres::{GenericClient, Row};

use super::{db, from_json, now, plans, schedules, stored_version, to_json, version_of};
use crate::storage::ids::random_id;
use crate::storage::{JobRecord, JobStatus, Progress, StoreError};

/// The columns [`job_record`] reads.
pub(super) const JOB_COLUMNS: &str = "id, plan_id, plan_version, options, status, percent, \
     incumbent, bound, schedule_id, error, created_at, updated_at";

/// A job record from a row of [`JOB_COLUMNS`].
pub(super) fn job_record(row: &Row) -> Result<JobRecord, StoreError> {
    let options: String = row.get(3);
    let status: String = row.get(4);
    Ok(JobRecord {
        id: row.get(0),
        plan_id: row.get(1),
        plan_version: version_of(row.get(2)),
        options: from_json("job options", &options)?,
        status: JobStatus::parse(&status)?,
        progress: Progress {
            percent: row.get(5),
            incumbent: row.get(6),
            bound: row.get(7),
        },
        schedule_id: row.get(8),
        error: row.get(9),
        created_at: row.get(10),
        updated_at: row.get(11),
    })
}

/// Creates a queued job for the latest version of a plan (call inside a transaction);
/// `None` when the plan does not exist. The insert announces the job on the channel.
pub(super) fn create(
    client: &mut impl GenericClient,
    plan_id: &str,
    options: &serde_json::Value,
) -> Result<Option<JobRecord>, StoreError> {
    let Some(version) = plans::latest_version(client, plan_id)? else {
        return Ok(None);
    };
    let id = random_id("job_");
    let at = now();
    let row = client
        .query_one(
            &format!(
                "INSERT INTO jobs (id, plan_id, plan_version, options, status, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, 'queued', $5, $5) RETURNING {JOB_COLUMNS}"
            ),
            &[
                &id,
                &plan_id,
                &stored_version(version),
                &to_json("job options", options)?,
                &at,
            ],
        )
        .map_err(db("creating a job"))?;
    job_record(&row).map(Some)
}

/// A job by id.
pub(super) fn read(
    client: &mut impl GenericClient,
    id: &str,
) -> Result<Option<JobRecord>, StoreError> {
    let row = client
        .query_opt(
            &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"),
            &[&id],
        )
        .map_err(db("reading a job"))?;
    row.as_ref().map(job_record).transpose()
}

/// Moves a job from one of `from` to `to` (call inside a transaction); returns whether
/// it moved. The row is locked while it is checked.
pub(super) fn transition(
    client: &mut impl GenericClient,
    id: &str,
    from: &[JobStatus],
    to: JobStatus,
    progress: Option<Progress>,
    error: Option<&str>,
) -> Result<bool, StoreError> {
    let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
    let moved = client
        .execute(
            "UPDATE jobs SET status = $2, error = COALESCE($3, error), updated_at = $4, \
             lease_until = CASE WHEN $2 = 'running' THEN lease_until ELSE NULL END \
             WHERE id = $1 AND status = ANY($5)",
            &[&id, &to.as_str(), &error, &now(), &from],
        )
        .map_err(db("updating a job"))?;
    if moved > 0
        && let Some(progress) = progress
    {
        client
            .execute(
                "UPDATE jobs SET percent = $2, incumbent = $3, bound = $4 WHERE id = $1",
                &[&id, &progress.percent, &progress.incumbent, &progress.bound],
            )
            .map_err(db("updating a job"))?;
    }
    Ok(moved > 0)
}

/// Persists the progress of a job that is running (no change otherwise).
pub(super) fn record_progress(
    client: &mut impl GenericClient,
    id: &str,
    progress: Progress,
) -> Result<(), StoreError> {
    client
        .execute(
            "UPDATE jobs SET percent = $2, incumbent = $3, bound = $4, updated_at = $5 \
             WHERE id = $1 AND status = 'running'",
            &[
                &id,
                &progress.percent,
                &progress.incumbent,
                &progress.bound,
                &now(),
            ],
        )
        .map_err(db("recording progress"))?;
    Ok(())
}

/// Stores the schedule of a running job and marks it done (call inside a transaction);
/// `None` when the job is gone, no longer running, or (with `worker`) held by another
/// worker since this one's lease expired. The job's row is locked first, so a cancel or
/// a second finisher waits and then sees `done`: one schedule per job, at most.
pub(super) fn finish(
    client: &mut impl GenericClient,
    job_id: &str,
    worker: Option<&str>,
    progress: Progress,
    document: &[u8],
) -> Result<Option<String>, StoreError> {
    let row = client
        .query_opt(
            "SELECT plan_id, plan_version, status, worker_id FROM jobs WHERE id = $1 \
             FOR UPDATE",
            &[&job_id],
        )
        .map_err(db("reading a job"))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let plan_id: String = row.get(0);
    let version = version_of(row.get(1));
    let status: String = row.get(2);
    let holder: Option<String> = row.get(3);
    if JobStatus::parse(&status)? != JobStatus::Running {
        return Ok(None);
    }
    if let Some(worker) = worker
        && holder.as_deref() != Some(worker)
    {
        return Ok(None);
    }
    let at = now();
    let schedule_id = schedules::insert(client, &plan_id, version, Some(job_id), document, &at)?;
    client
        .execute(
            "UPDATE jobs SET status = 'done', schedule_id = $2, percent = $3, \
             incumbent = $4, bound = $5, updated_at = $6, lease_until = NULL WHERE id = $1",
            &[
                &job_id,
                &schedule_id,
                &progress.percent,
                &progress.incumbent,
                &progress.bound,
                &at,
            ],
        )
        .map_err(db("finishing a job"))?;
    Ok(Some(schedule_id))
}

/// Fails every running job with `reason` and returns the queued ones, oldest first
/// (call inside a transaction). Only a single-process deployment calls this: with
/// workers, running jobs are reclaimed when their lease expires instead.
pub(super) fn recover(
    client: &mut impl GenericClient,
    reason: &str,
) -> Result<Vec<JobRecord>, StoreError> {
    client
        .execute(
            "UPDATE jobs SET status = 'failed', error = $1, updated_at = $2, lease_until = NULL \
             WHERE status = 'running'",
            &[&reason, &now()],
        )
        .map_err(db("recovering jobs"))?;
    let rows = client
        .query(
            &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'queued' ORDER BY seq"),
            &[],
        )
        .map_err(db("recovering jobs"))?;
    rows.iter().map(job_record).collect()
}
