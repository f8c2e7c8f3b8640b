//! The durable job queue: workers on any host claim queued jobs with
//! `SELECT ... FOR UPDATE SKIP LOCKED`, hold them under a lease they renew by heartbeat,
//! and lose them to another worker when the lease runs out (the worker died, or was cut
//! off from the database). Each takeover counts an attempt; a job whose worker was lost
//! `max_attempts` times is failed with the reason kept (`last_failure`, then `error`).
//!
//! Cancellation travels through the row: a client's cancel stores `cancelled`, and the
//! holder's next heartbeat finds the row no longer its own and stops the planner. Every
//! status change is announced on [`super::JOB_CHANNEL`] by a trigger, so idle workers
//! wait on `LISTEN` ([`JobListener`]) instead of polling fast.

use std::time::Duration;

use postgres::{Client, GenericClient, NoTls};

use super::jobs::{JOB_COLUMNS, finish, job_record};
use super::{JOB_CHANNEL, PostgresStore, db, now};
use crate::storage::{JobRecord, Progress, StoreError};

/// A job a worker now holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// The job, `running` under this worker's lease.
    pub job: JobRecord,
    /// Which attempt this is, from 1.
    pub attempt: i32,
}

/// What a heartbeat found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heartbeat {
    /// The lease is renewed; carry on.
    Held,
    /// A client cancelled the job: stop the planner.
    Cancelled,
    /// The job is no longer this worker's (its lease expired and another worker took it,
    /// or the plan was deleted): stop the planner and store nothing.
    Lost,
}

/// Seconds of a lease, for `make_interval`.
fn seconds(lease: Duration) -> f64 {
    lease.as_secs_f64()
}

/// Requeues (or, out of attempts, fails) every running job whose lease has expired.
fn reclaim_expired(client: &mut impl GenericClient) -> Result<u64, StoreError> {
    client
        .execute(
            "UPDATE jobs SET \
               last_failure = 'attempt ' || attempts || ': worker ' || COALESCE(worker_id, '?') \
                   || ' stopped renewing its lease', \
               status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, \
               error = CASE WHEN attempts >= max_attempts \
                   THEN 'abandoned after ' || attempts || ' attempts: the last worker (' \
                        || COALESCE(worker_id, '?') || ') stopped renewing its lease' \
                   ELSE error END, \
               worker_id = NULL, lease_until = NULL, updated_at = $1 \
             WHERE status = 'running' AND lease_until < now()",
            &[&now()],
        )
        .map_err(db("reclaiming expired jobs"))
}

impl PostgresStore {
    /// Claims the oldest queued job for `worker` under a lease of `lease`, first putting
    /// back every job whose lease expired; `None` when nothing is waiting.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn claim_job(&self, worker: &str, lease: Duration) -> Result<Option<Claim>, StoreError> {
        self.write("claiming a job", |tx| {
            reclaim_expired(tx)?;
            let row = tx
                .query_opt(
                    &format!(
                        "UPDATE jobs SET status = 'running', worker_id = $1, \
                         lease_until = now() + make_interval(secs => $2), \
                         attempts = attempts + 1, updated_at = $3 \
                         WHERE id = (SELECT id FROM jobs WHERE status = 'queued' \
                                     ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) \
                         RETURNING {JOB_COLUMNS}, attempts"
                    ),
                    &[&worker, &seconds(lease), &now()],
                )
                .map_err(db("claiming a job"))?;
            row.map(|row| {
                Ok(Claim {
                    job: job_record(&row)?,
                    attempt: row.get(12),
                })
            })
            .transpose()
        })
    }

    /// Renews `worker`'s lease on a job and persists its progress.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn heartbeat(
        &self,
        job_id: &str,
        worker: &str,
        lease: Duration,
        progress: Progress,
    ) -> Result<Heartbeat, StoreError> {
        self.write("renewing a job's lease", |tx| {
            let renewed = tx
                .execute(
                    "UPDATE jobs SET lease_until = now() + make_interval(secs => $3), \
                     percent = $4, incumbent = $5, bound = $6, updated_at = $7 \
                     WHERE id = $1 AND worker_id = $2 AND status = 'running'",
                    &[
                        &job_id,
                        &worker,
                        &seconds(lease),
                        &progress.percent,
                        &progress.incumbent,
                        &progress.bound,
                        &now(),
                    ],
                )
                .map_err(db("renewing a job's lease"))?;
            if renewed > 0 {
                return Ok(Heartbeat::Held);
            }
            let status: Option<String> = tx
                .query_opt("SELECT status FROM jobs WHERE id = $1", &[&job_id])
                .map_err(db("reading a job"))?
                .map(|row| row.get(0));
            Ok(if status.as_deref() == Some("cancelled") {
                Heartbeat::Cancelled
            } else {
                Heartbeat::Lost
            })
        })
    }

    /// Stores the schedule of a job `worker` still holds and marks it done, in one
    /// transaction; `None` when the job is no longer this worker's (cancelled, or taken
    /// over after the lease expired) and nothing was stored.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn finish_claimed(
        &self,
        job_id: &str,
        worker: &str,
        progress: Progress,
        document: &[u8],
    ) -> Result<Option<String>, StoreError> {
        self.write("finishing a job", |tx| {
            finish(tx, job_id, Some(worker), progress, document)
        })
    }

    /// Fails a job `worker` still holds with `reason`; returns whether it did.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn fail_claimed(
        &self,
        job_id: &str,
        worker: &str,
        progress: Progress,
        reason: &str,
    ) -> Result<bool, StoreError> {
        self.write("failing a job", |tx| {
            let moved = tx
                .execute(
                    "UPDATE jobs SET status = 'failed', error = $3, percent = $4, \
                     incumbent = $5, bound = $6, updated_at = $7, lease_until = NULL \
                     WHERE id = $1 AND worker_id = $2 AND status = 'running'",
                    &[
                        &job_id,
                        &worker,
                        &reason,
                        &progress.percent,
                        &progress.incumbent,
                        &progress.bound,
                        &now(),
                    ],
                )
                .map_err(db("failing a job"))?;
            Ok(moved > 0)
        })
    }

    /// Puts a job `worker` holds back in the queue without counting the attempt (the
    /// worker is shutting down gracefully); returns whether it did.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn release_job(&self, job_id: &str, worker: &str) -> Result<bool, StoreError> {
        self.write("releasing a job", |tx| {
            let moved = tx
                .execute(
                    "UPDATE jobs SET status = 'queued', worker_id = NULL, lease_until = NULL, \
                     attempts = GREATEST(attempts - 1, 0), updated_at = $3 \
                     WHERE id = $1 AND worker_id = $2 AND status = 'running'",
                    &[&job_id, &worker, &now()],
                )
                .map_err(db("releasing a job"))?;
            Ok(moved > 0)
        })
    }

    /// The attempts counted on a job, its limit and the reason its last attempt was lost.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails.
    pub fn job_attempts(&self, job_id: &str) -> Result<Option<Attempts>, StoreError> {
        self.read(|client| {
            let row = client
                .query_opt(
                    "SELECT attempts, max_attempts, last_failure, worker_id FROM jobs \
                     WHERE id = $1",
                    &[&job_id],
                )
                .map_err(db("reading a job"))?;
            Ok(row.map(|row| Attempts {
                attempts: row.get(0),
                max_attempts: row.get(1),
                last_failure: row.get(2),
                worker: row.get(3),
            }))
        })
    }

    /// A dedicated connection listening on [`super::JOB_CHANNEL`].
    ///
    /// # Errors
    /// [`StoreError`] when the server cannot be reached.
    pub fn listen(&self) -> Result<JobListener, StoreError> {
        let mut client =
            Client::connect(self.url(), NoTls).map_err(db("connecting to listen for jobs"))?;
        client
            .batch_execute(&format!("LISTEN {JOB_CHANNEL}"))
            .map_err(db("listening for jobs"))?;
        Ok(JobListener { client })
    }
}

/// The queue bookkeeping of one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempts {
    /// Attempts counted so far (claims that were not released).
    pub attempts: i32,
    /// The most a job gets.
    pub max_attempts: i32,
    /// Why the last lost attempt was lost.
    pub last_failure: Option<String>,
    /// The worker holding it now, if running.
    pub worker: Option<String>,
}

/// One announced job status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobEvent {
    /// The job.
    pub job_id: String,
    /// Its new status (`queued`, `running`, `done` ...).
    pub status: String,
}

/// A connection that has run `LISTEN` on the job channel.
pub struct JobListener {
    client: Client,
}

impl std::fmt::Debug for JobListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobListener").finish_non_exhaustive()
    }
}

impl JobListener {
    /// Waits up to `timeout` for announcements and returns those that came (maybe none).
    ///
    /// # Errors
    /// [`StoreError`] when the connection broke (open a new listener).
    pub fn wait(&mut self, timeout: Duration) -> Result<Vec<JobEvent>, StoreError> {
        use postgres::fallible_iterator::FallibleIterator as _;
        let event = |n: &postgres::Notification| {
            let (job_id, status) = n.payload().split_once(' ').unwrap_or((n.payload(), ""));
            JobEvent {
                job_id: job_id.to_owned(),
                status: status.to_owned(),
            }
        };
        let mut notifications = self.client.notifications();
        let mut events = Vec::new();
        let first = notifications
            .timeout_iter(timeout)
            .next()
            .map_err(db("waiting for job events"))?;
        if let Some(first) = first {
            events.push(event(&first));
            // Then whatever else has already arrived, without waiting.
            let mut pending = notifications.iter();
            while let Some(n) = pending.next().map_err(db("waiting for job events"))? {
                events.push(event(&n));
            }
        }
        Ok(events)
    }
}
