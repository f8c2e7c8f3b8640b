//! Planning jobs: a queue in front of a fixed pool of worker threads running a [`Planner`].
//!
//! Two ways to run them, by the store's backend: with SQLite, the in-process pool below
//! ([`JobSystem::start`]); with PostgreSQL, the durable queue in the database, served by
//! [`worker::QueueWorker`]s in any process on any host, the API only storing and
//! cancelling job rows ([`JobSystem::queued`]). The rest of this page is the in-process
//! pool.
//!
//! A job is stored `queued` when submitted, picked up by one of `slots` worker threads
//! (the pool is the semaphore: never more than `slots` planners at once, sized to the
//! cores by default), stored `running`, and ends `done` (with its schedule stored in the
//! same transaction), `failed` or `cancelled`. Workers are plain OS threads, so planning
//! never blocks the HTTP workers and survives their restarts.
//!
//! Progress is kept in memory while a job runs (GET shows it live), written to the store
//! at most every [`PROGRESS_PERSIST_INTERVAL`] and when the job ends. Cancellation sets a flag the planner polls; a queued job that is cancelled is
//! skipped when a worker reaches it.
//!
//! Restart and shutdown: at start-up, [`JobSystem::start`] marks every job still `running`
//! in the store as `failed` ("abandoned: the service stopped while this job was running")
//! and queues every `queued` job again, oldest first. On graceful shutdown,
//! [`JobSystem::shutdown`] cancels running planners, waits a grace period for them to
//! stop, and leaves queued jobs queued for the next start; a planner that does not stop
//! in time is abandoned and its job is failed at the next start.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::replanning::History;
use crate::storage::{JobRecord, JobStatus, Progress, Store, StoreError};
use geodata::validation::{Issue, IssueCode, ValidationReport};
use optimizer::city::document::ScheduleDocument;

pub mod worker;

/// Options a client passes when starting a planning job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobOptions {
    /// Wall-clock limit for the search in seconds, 1 to [`JobOptions::MAX_TIME_LIMIT_S`]
    /// (the planner's default when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 3600)]
    pub time_limit_s: Option<u64>,
    /// Random seed for reproducible searches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The data date of a re-plan (`YYYY-MM-DD`): with it the job re-plans from the
    /// plan's stored progress and its newest schedule (`docs/progress.md`,
    /// "Re-planning"); without it, it plans from scratch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub as_of: Option<chrono::NaiveDate>,
}

impl JobOptions {
    /// The longest search a client may ask for: an hour (a worker is busy all that time).
    pub const MAX_TIME_LIMIT_S: u64 = 3_600;

    /// Checks the options' ranges: `time_limit_s` from 1 to [`Self::MAX_TIME_LIMIT_S`].
    ///
    /// # Errors
    /// A report with one `out_of_range` problem per option out of range, its pointer
    /// naming the member (`/time_limit_s`).
    pub fn validate(&self) -> Result<(), ValidationReport> {
        let max = Self::MAX_TIME_LIMIT_S;
        match self.time_limit_s {
            Some(limit) if !(1..=max).contains(&limit) => Err(ValidationReport {
                problems: vec![Issue {
                    code: IssueCode::OutOfRange,
                    feature_id: None,
                    feature_index: None,
                    pointer: "/time_limit_s".to_owned(),
                    origin: None,
                    message: format!(
                        "`time_limit_s` is {limit} but must be from 1 to {max} seconds."
                    ),
                }],
            }),
            _ => Ok(()),
        }
    }
}

/// A cancellation flag shared between the service and a running planner.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// Asks the planner to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether stopping was asked for; planners poll this between steps.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// The flag itself, for an engine that polls it inside its search.
    #[must_use]
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.0)
    }
}

/// What a planner is given.
#[derive(Debug, Clone, Copy)]
pub struct PlannerInput<'a> {
    /// The stored plan upload (GeoJSON), exactly as received.
    pub plan_geojson: &'a [u8],
    /// The coordinate system the upload is written in (`wgs84`, `gcj02`...).
    pub crs: &'a str,
    /// The client's options.
    pub options: &'a JobOptions,
    /// What a re-plan starts from (loaded when the options carry `as_of`).
    pub history: Option<&'a History>,
}

/// Why a planner stopped without a schedule.
#[derive(Debug, thiserror::Error)]
pub enum PlannerError {
    /// It saw the cancel flag and stopped.
    #[error("cancelled")]
    Cancelled,
    /// It failed. The job's `error` for clients is this sentence followed by the
    /// planner's own sentence (`planning failed: the plan cannot be scheduled`); the
    /// causes below that go to the service log only.
    #[error("planning failed")]
    Failed {
        /// The planner's own error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The schedule engine as the service sees it.
///
/// Implementations are called on a worker thread and may block for as long as the
/// search takes. They should call `progress` now and then, poll `cancel` between steps
/// and return [`PlannerError::Cancelled`] promptly once it is set.
pub trait Planner: Send + Sync + 'static {
    /// Computes the schedule document of the plan.
    ///
    /// # Errors
    /// [`PlannerError::Cancelled`] when cancelled, [`PlannerError::Failed`] otherwise.
    fn plan(
        &self,
        input: PlannerInput<'_>,
        progress: &dyn Fn(Progress),
        cancel: &CancelToken,
    ) -> Result<ScheduleDocument, PlannerError>;
}

/// Why the job system could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No planner is configured in this build.
    #[error("no planning engine is configured")]
    NoPlanner,
    /// The job is already finished.
    #[error("job {id} is already {status:?}")]
    Finished {
        /// The job.
        id: String,
        /// Its final status.
        status: JobStatus,
    },
    /// The options could not be encoded.
    #[error("job options could not be encoded")]
    Options {
        /// The encoder's report.
        #[source]
        source: serde_json::Error,
    },
}

/// A job a worker should run.
struct Ticket {
    job: JobRecord,
}

/// The in-memory side of a job that is queued or running.
struct Live {
    cancel: CancelToken,
    progress: Arc<Mutex<Progress>>,
}

/// The queue, the worker pool and the live state of jobs.
pub struct JobSystem {
    store: Arc<dyn Store>,
    planner: Option<Arc<dyn Planner>>,
    queue: Mutex<Option<Sender<Ticket>>>,
    live: Arc<Mutex<HashMap<String, Live>>>,
    workers: Mutex<Vec<JoinHandle<()>>>,
    /// Jobs run by workers elsewhere (the PostgreSQL queue): this system only stores,
    /// reads and cancels job rows.
    external: bool,
}

impl std::fmt::Debug for JobSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobSystem")
            .field("planner", &self.planner.is_some())
            .finish_non_exhaustive()
    }
}

/// How often a running job's progress is written to the store.
pub const PROGRESS_PERSIST_INTERVAL: Duration = Duration::from_secs(2);

/// The job's `error` for a planner failure: what failed, in the planner's own words, one
/// level deep (the causes below go to the log alone).
pub(crate) fn failure_sentence(error: &PlannerError) -> String {
    match std::error::Error::source(error) {
        Some(planner) => format!("{error}: {planner}"),
        None => error.to_string(),
    }
}

/// The job's `error` when the planner panicked.
pub(crate) const PANIC_REASON: &str =
    "the planner stopped unexpectedly; the failure has been logged";

/// The reason recorded on jobs found running at start-up.
pub const ABANDONED_REASON: &str = "abandoned: the service stopped while this job was running";

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The guarded maps stay consistent even if a holder panicked (every update is a
    // single insert, remove or assignment), so a poisoned lock is safe to reuse.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl JobSystem {
    /// Starts `slots` workers, recovers jobs left by a previous run (see module docs) and
    /// returns the running system.
    ///
    /// # Errors
    /// [`StoreError`] when recovery fails.
    pub fn start(
        store: Arc<dyn Store>,
        planner: Option<Arc<dyn Planner>>,
        slots: usize,
    ) -> Result<Arc<Self>, StoreError> {
        let (sender, receiver) = mpsc::channel::<Ticket>();
        let receiver = Arc::new(Mutex::new(receiver));
        let system = Arc::new(Self {
            store,
            planner,
            queue: Mutex::new(Some(sender)),
            live: Arc::new(Mutex::new(HashMap::new())),
            workers: Mutex::new(Vec::new()),
            external: false,
        });
        if system.planner.is_some() {
            let mut workers = lock(&system.workers);
            for index in 0..slots.max(1) {
                let receiver = Arc::clone(&receiver);
                let worker = Arc::clone(&system);
                let handle = std::thread::Builder::new()
                    .name(format!("digonce-planner-{index}"))
                    .spawn(move || worker.work(&receiver));
                match handle {
                    Ok(handle) => workers.push(handle),
                    Err(error) => tracing::error!(%error, "could not start a planner thread"),
                }
            }
        }
        let waiting = system.store.recover_jobs(ABANDONED_REASON)?;
        for job in waiting {
            if system.planner.is_some() {
                tracing::info!(job = %job.id, "re-queued after restart");
                system.enqueue(job);
            } else {
                system.store.transition_job(
                    &job.id,
                    &[JobStatus::Queued],
                    JobStatus::Failed,
                    None,
                    Some("no planning engine is configured in this build"),
                )?;
            }
        }
        Ok(system)
    }

    /// A job system whose jobs wait in the store's durable queue for workers
    /// ([`worker::QueueWorker`], in this process or any other): submitting stores a
    /// queued row, reading reads the row (progress as the worker's heartbeat last wrote
    /// it), cancelling stores `cancelled`, which the holding worker sees at its next
    /// heartbeat. Nothing is recovered at start: expired leases are reclaimed by workers.
    #[must_use]
    pub fn queued(store: Arc<dyn Store>) -> Arc<Self> {
        Arc::new(Self {
            store,
            planner: None,
            queue: Mutex::new(None),
            live: Arc::new(Mutex::new(HashMap::new())),
            workers: Mutex::new(Vec::new()),
            external: true,
        })
    }

    /// Whether jobs can be submitted: a planner runs here, or workers serve the queue.
    #[must_use]
    pub fn has_planner(&self) -> bool {
        self.planner.is_some() || self.external
    }

    fn enqueue(&self, job: JobRecord) {
        lock(&self.live).insert(
            job.id.clone(),
            Live {
                cancel: CancelToken::default(),
                progress: Arc::new(Mutex::new(job.progress)),
            },
        );
        let sent = lock(&self.queue)
            .as_ref()
            .map(|sender| sender.send(Ticket { job }).is_ok());
        if sent != Some(true) {
            tracing::warn!("job queued while shutting down; it stays queued for the next start");
        }
    }

    /// Stores a queued job for the latest version of `plan_id` and queues it; `None`
    /// when the plan does not exist.
    ///
    /// # Errors
    /// [`JobError::NoPlanner`] without a planner; [`JobError::Store`] on store failure.
    pub fn submit(
        &self,
        plan_id: &str,
        options: &JobOptions,
    ) -> Result<Option<JobRecord>, JobError> {
        if !self.has_planner() {
            return Err(JobError::NoPlanner);
        }
        let options =
            serde_json::to_value(options).map_err(|source| JobError::Options { source })?;
        let Some(job) = self.store.create_job(plan_id, &options)? else {
            return Ok(None);
        };
        if !self.external {
            self.enqueue(job.clone());
        }
        Ok(Some(job))
    }

    /// A job with its live progress while it runs.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    pub fn get(&self, id: &str) -> Result<Option<JobRecord>, StoreError> {
        let Some(mut job) = self.store.job(id)? else {
            return Ok(None);
        };
        if job.status == JobStatus::Running
            && let Some(live) = lock(&self.live).get(id)
        {
            job.progress = *lock(&live.progress);
        }
        Ok(Some(job))
    }

    /// Cancels a queued or running job and returns it as stored afterwards; `None` when
    /// it does not exist.
    ///
    /// # Errors
    /// [`JobError::Finished`] when it already ended; [`JobError::Store`] on failure.
    pub fn cancel(&self, id: &str) -> Result<Option<JobRecord>, JobError> {
        let Some(job) = self.store.job(id)? else {
            return Ok(None);
        };
        if job.status.is_final() {
            return Err(JobError::Finished {
                id: id.to_owned(),
                status: job.status,
            });
        }
        let moved = self.store.transition_job(
            id,
            &[JobStatus::Queued, JobStatus::Running],
            JobStatus::Cancelled,
            None,
            Some("cancelled by a client"),
        )?;
        if let Some(live) = lock(&self.live).get(id) {
            live.cancel.cancel();
        }
        if !moved {
            // It finished between the read and the update.
            let job = self.store.job(id)?;
            if let Some(job) = &job {
                return Err(JobError::Finished {
                    id: id.to_owned(),
                    status: job.status,
                });
            }
            return Ok(job);
        }
        Ok(self.store.job(id)?)
    }

    /// Stops taking jobs, cancels running planners and waits up to `grace` for the
    /// workers to finish. Queued jobs stay queued in the store for the next start.
    pub fn shutdown(&self, grace: Duration) {
        lock(&self.queue).take();
        for live in lock(&self.live).values() {
            live.cancel.cancel();
        }
        let deadline = Instant::now() + grace;
        let workers = std::mem::take(&mut *lock(&self.workers));
        for worker in workers {
            while !worker.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if worker.is_finished() {
                if worker.join().is_err() {
                    tracing::error!("a planner thread panicked during shutdown");
                }
            } else {
                tracing::warn!("a planner did not stop in time; its job is failed at next start");
            }
        }
    }

    /// A worker thread's loop: take tickets until the queue closes.
    fn work(&self, receiver: &Mutex<Receiver<Ticket>>) {
        loop {
            let ticket = {
                let receiver = lock(receiver);
                receiver.recv()
            };
            let Ok(ticket) = ticket else {
                return;
            };
            let id = ticket.job.id.clone();
            if let Err(error) = self.run(&ticket.job) {
                tracing::error!(job = %id, error = %crate::problem_details::cause_chain(&error), "job bookkeeping failed");
            }
            lock(&self.live).remove(&id);
        }
    }

    /// Runs one job to its end and records the outcome.
    fn run(&self, job: &JobRecord) -> Result<(), StoreError> {
        let Some(planner) = &self.planner else {
            return Ok(());
        };
        let (cancel, progress_cell) = {
            let live = lock(&self.live);
            match live.get(&job.id) {
                Some(l) => (l.cancel.clone(), Arc::clone(&l.progress)),
                None => (CancelToken::default(), Arc::new(Mutex::new(job.progress))),
            }
        };
        if lock(&self.queue).is_none() {
            // Shutting down: leave it queued for the next start.
            return Ok(());
        }
        if cancel.is_cancelled()
            || !self.store.transition_job(
                &job.id,
                &[JobStatus::Queued],
                JobStatus::Running,
                None,
                None,
            )?
        {
            return Ok(());
        }
        let Some(plan) = self.store.plan(&job.plan_id, Some(job.plan_version))? else {
            self.fail(
                job,
                job.progress,
                "the plan was deleted before planning started",
            )?;
            return Ok(());
        };
        let options: JobOptions = match serde_json::from_value(job.options.clone()) {
            Ok(options) => options,
            Err(error) => {
                tracing::error!(job = %job.id, %error, "stored job options are unreadable");
                self.fail(job, job.progress, "the stored job options are unreadable")?;
                return Ok(());
            }
        };
        let as_of = options.as_of;
        let history = match History::for_job(&*self.store, &job.plan_id, job.plan_version, as_of) {
            Ok(history) => history,
            Err(error) => return self.fail(job, job.progress, &error.to_string()),
        };
        let last_persisted = Mutex::new(Instant::now());
        let report = |p: Progress| {
            let p = Progress {
                percent: p.percent.clamp(0.0, 100.0),
                ..p
            };
            *lock(&progress_cell) = p;
            // Persist at most every PROGRESS_PERSIST_INTERVAL; GET reads the live value.
            let mut last = lock(&last_persisted);
            if last.elapsed() >= PROGRESS_PERSIST_INTERVAL {
                *last = Instant::now();
                if let Err(error) = self.store.record_progress(&job.id, p) {
                    tracing::warn!(job = %job.id, error = %crate::problem_details::cause_chain(&error), "progress not persisted");
                }
            }
        };
        let input = PlannerInput {
            plan_geojson: &plan.body,
            crs: &plan.meta.crs,
            options: &options,
            history: history.as_ref(),
        };
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            planner.plan(input, &report, &cancel)
        }));
        let progress = *lock(&progress_cell);
        match outcome {
            Ok(Ok(document)) => self.store_schedule(job, progress, &document, started),
            Ok(Err(PlannerError::Cancelled)) => {
                // A client cancel already stored `cancelled`; a shutdown cancel leaves the
                // job running, and the next start records it as abandoned.
                tracing::info!(job = %job.id, "planner stopped on cancellation");
                Ok(())
            }
            Ok(Err(error @ PlannerError::Failed { .. })) => {
                // The client reads the stored error: what failed, in the planner's own
                // words, one level deep. The causes below it (engine internals, violation
                // lists) go to the log alone.
                let chain = crate::problem_details::cause_chain(&error);
                tracing::error!(job = %job.id, error = %chain, "job failed");
                self.fail(job, progress, &failure_sentence(&error))
            }
            Err(_panic) => {
                tracing::error!(job = %job.id, "planner panicked");
                self.fail(job, progress, PANIC_REASON)
            }
        }
    }

    /// Marks a running job failed with `reason`.
    fn fail(&self, job: &JobRecord, progress: Progress, reason: &str) -> Result<(), StoreError> {
        self.store
            .transition_job(
                &job.id,
                &[JobStatus::Running],
                JobStatus::Failed,
                Some(progress),
                Some(reason),
            )
            .map(|_moved| ())
    }

    /// Stores the planner's document, finishing the job.
    fn store_schedule(
        &self,
        job: &JobRecord,
        progress: Progress,
        document: &ScheduleDocument,
        started: Instant,
    ) -> Result<(), StoreError> {
        let bytes = match serde_json::to_vec(document) {
            Ok(bytes) => bytes,
            Err(error) => {
                tracing::error!(job = %job.id, %error, "schedule could not be encoded");
                return self.fail(job, progress, "the planner's schedule could not be encoded");
            }
        };
        let done = Progress {
            percent: 100.0,
            ..progress
        };
        if let Some(schedule) = self.store.finish_job(&job.id, done, &bytes)? {
            tracing::info!(
                job = %job.id, %schedule, seconds = started.elapsed().as_secs_f64(), "job done"
            );
        } else {
            tracing::info!(job = %job.id, "job was cancelled; result dropped");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::NewPlanVersion;
    use crate::storage::sqlite::SqliteStore;

    /// TEST-ONLY planner: returns the fixture schedule after reporting progress, or waits
    /// for cancellation when `block` is set. Stands in for the engine in these tests only.
    pub(super) struct FixturePlanner {
        pub(super) block: bool,
    }

    impl Planner for FixturePlanner {
        fn plan(
            &self,
            input: PlannerInput<'_>,
            progress: &dyn Fn(Progress),
            cancel: &CancelToken,
        ) -> Result<ScheduleDocument, PlannerError> {
            assert!(!input.plan_geojson.is_empty());
            progress(Progress {
                percent: 50.0,
                incumbent: Some(10.0),
                bound: Some(8.0),
            });
            if self.block {
                loop {
                    if cancel.is_cancelled() {
                        return Err(PlannerError::Cancelled);
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            ScheduleDocument::from_slice(crate::export::fixture::SCHEDULE_JSON.as_bytes()).map_err(
                |e| PlannerError::Failed {
                    source: Box::new(e),
                },
            )
        }
    }

    /// TEST-ONLY planner: fails the way the engine does when its verifier rejects a
    /// schedule, three errors deep with a debug dump of violations at the bottom.
    struct UnverifiedPlanner;

    impl Planner for UnverifiedPlanner {
        fn plan(
            &self,
            _input: PlannerInput<'_>,
            _progress: &dyn Fn(Progress),
            _cancel: &CancelToken,
        ) -> Result<ScheduleDocument, PlannerError> {
            Err(PlannerError::Failed {
                source: Box::new(optimizer::city::CityError::Solve {
                    source: optimizer::engine::SolveError::Unverified {
                        violations: vec![optimizer::engine::Violation::BeforeRelease {
                            activity: "w_internal".into(),
                            start: 3,
                            release: 9,
                        }],
                    },
                }),
            })
        }
    }

    /// An in-memory store holding one empty plan.
    fn store_with_plan() -> (Arc<dyn Store>, crate::storage::PlanMeta) {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().expect("store"));
        let plan = store
            .create_plan(&NewPlanVersion {
                name: "p".into(),
                crs: "wgs84".into(),
                body: b"{}".to_vec(),
                summary: crate::storage::PlanSummary::default(),
                locations: std::collections::BTreeMap::new(),
                source: None,
            })
            .expect("plan");
        (store, plan)
    }

    fn setup(block: bool) -> (Arc<dyn Store>, Arc<JobSystem>, String) {
        let (store, plan) = store_with_plan();
        let system = JobSystem::start(
            Arc::clone(&store),
            Some(Arc::new(FixturePlanner { block })),
            1,
        )
        .expect("start");
        (store, system, plan.id)
    }

    fn wait_for(system: &JobSystem, id: &str, status: JobStatus) -> JobRecord {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let job = system.get(id).expect("read").expect("exists");
            if job.status == status || Instant::now() > deadline {
                return job;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_job_runs_to_a_stored_schedule() {
        let (store, system, plan) = setup(false);
        let job = system
            .submit(&plan, &JobOptions::default())
            .expect("submit")
            .expect("plan exists");
        let done = wait_for(&system, &job.id, JobStatus::Done);
        assert_eq!(done.status, JobStatus::Done);
        assert!((done.progress.percent - 100.0).abs() < 1e-9);
        assert!(done.progress.bound.is_some_and(|b| (b - 8.0).abs() < 1e-9));
        let schedule = done.schedule_id.expect("schedule id");
        assert!(store.schedule(&schedule).expect("read").is_some());
        system.shutdown(Duration::from_secs(1));
    }

    #[test]
    fn a_running_job_can_be_cancelled_and_then_not_again() {
        let (_store, system, plan) = setup(true);
        let job = system
            .submit(&plan, &JobOptions::default())
            .expect("submit")
            .expect("plan exists");
        let running = wait_for(&system, &job.id, JobStatus::Running);
        assert_eq!(running.status, JobStatus::Running);
        let cancelled = system.cancel(&job.id).expect("cancel").expect("exists");
        assert_eq!(cancelled.status, JobStatus::Cancelled);
        assert!(matches!(
            system.cancel(&job.id),
            Err(JobError::Finished {
                status: JobStatus::Cancelled,
                ..
            })
        ));
        system.shutdown(Duration::from_secs(1));
    }

    #[test]
    fn a_job_left_queued_by_a_previous_run_is_run_at_start() {
        let (store, plan) = store_with_plan();
        let queued = store
            .create_job(&plan.id, &serde_json::json!({}))
            .expect("job")
            .expect("plan exists");
        let system = JobSystem::start(
            Arc::clone(&store),
            Some(Arc::new(FixturePlanner { block: false })),
            1,
        )
        .expect("start");
        let done = wait_for(&system, &queued.id, JobStatus::Done);
        assert_eq!(done.status, JobStatus::Done);
        system.shutdown(Duration::from_secs(1));
    }

    #[test]
    fn a_failed_job_stores_only_the_outermost_sentence() {
        let (store, plan) = store_with_plan();
        let system = JobSystem::start(Arc::clone(&store), Some(Arc::new(UnverifiedPlanner)), 1)
            .expect("start");
        let job = system
            .submit(&plan.id, &JobOptions::default())
            .expect("submit")
            .expect("plan exists");
        let failed = wait_for(&system, &job.id, JobStatus::Failed);
        assert_eq!(failed.status, JobStatus::Failed);
        let stored = store.job(&job.id).expect("read").expect("exists");
        assert_eq!(
            stored.error.as_deref(),
            Some("planning failed: the plan cannot be scheduled")
        );
        system.shutdown(Duration::from_secs(1));
    }

    #[test]
    fn without_a_planner_jobs_are_refused() {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().expect("store"));
        let system = JobSystem::start(store, None, 1).expect("start");
        assert!(matches!(
            system.submit("pl_x", &JobOptions::default()),
            Err(JobError::NoPlanner)
        ));
    }
}
