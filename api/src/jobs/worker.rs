//! A planning worker on the PostgreSQL job queue (`digonce worker`, or embedded in
//! `digonce serve`): `concurrency` slot threads claim jobs from the store's durable queue
//! ([`crate::storage::postgres::queue`]), run the [`Planner`] on each, renew the job's
//! lease by heartbeat while it runs and store the schedule (or the failure) only while
//! they still hold it.
//!
//! - Idle slots sleep on a condition variable woken by a listener thread that holds a
//!   `LISTEN` connection: a new job wakes them at once; they also look every
//!   [`WorkerSettings::idle_poll`] for jobs whose lease expired (no one announces those).
//! - The heartbeat (every [`WorkerSettings::heartbeat`]) persists progress and renews the
//!   lease. If the row says `cancelled`, or the job is no longer this worker's, it sets
//!   the planner's cancel flag; nothing is stored for that job by this worker.
//! - A worker killed outright (`kill -9`, power loss) stops heartbeating; once the lease
//!   runs out the next claim anywhere puts the job back in the queue (counting the
//!   attempt) and another worker runs it.
//! - [`QueueWorker::shutdown`] stops claiming, cancels the running planners, and puts
//!   their jobs back in the queue uncounted for another worker.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{
    CancelToken, JobOptions, PANIC_REASON, Planner, PlannerError, PlannerInput, failure_sentence,
};
use crate::problem_details::cause_chain;
use crate::storage::postgres::PostgresStore;
use crate::storage::postgres::queue::{Claim, Heartbeat};
use crate::storage::{Progress, Store, StoreError};

/// How a worker runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerSettings {
    /// This worker's name in job rows (`worker_id`); unique per process.
    pub worker_id: String,
    /// Jobs planned at once.
    pub concurrency: usize,
    /// How long a claim holds without a heartbeat.
    pub lease: Duration,
    /// How often a running job's lease is renewed (well under `lease`).
    pub heartbeat: Duration,
    /// How often an idle slot looks for work without being woken (expired leases).
    pub idle_poll: Duration,
}

impl WorkerSettings {
    /// Defaults: a lease of 30 s renewed every 5 s, idle slots looking every 5 s, and a
    /// name from the host name and process id.
    #[must_use]
    pub fn new(concurrency: usize) -> Self {
        let host = std::env::var("HOSTNAME")
            .ok()
            .filter(|h| !h.is_empty())
            .or_else(|| {
                std::fs::read_to_string("/etc/hostname")
                    .ok()
                    .map(|h| h.trim().to_owned())
            })
            .unwrap_or_else(|| "host".to_owned());
        Self {
            worker_id: format!(
                "{host}:{}:{}",
                std::process::id(),
                crate::storage::ids::random_id("")
            ),
            concurrency: concurrency.max(1),
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_secs(5),
            idle_poll: Duration::from_secs(5),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every guarded value is replaced whole, so a poisoned lock is safe to reuse.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running worker: its slot threads and its listener.
pub struct QueueWorker {
    store: Arc<PostgresStore>,
    planner: Arc<dyn Planner>,
    settings: WorkerSettings,
    stop: AtomicBool,
    /// Bumped (and notified) when a job may be waiting.
    wake: (Mutex<u64>, Condvar),
    running: Mutex<HashMap<String, CancelToken>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for QueueWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueWorker")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl QueueWorker {
    /// Starts the listener and `settings.concurrency` slot threads.
    ///
    /// # Errors
    /// [`StoreError`] when the `LISTEN` connection cannot be opened.
    pub fn start(
        store: Arc<PostgresStore>,
        planner: Arc<dyn Planner>,
        settings: WorkerSettings,
    ) -> Result<Arc<Self>, StoreError> {
        let listener = store.listen()?;
        let worker = Arc::new(Self {
            store,
            planner,
            settings,
            stop: AtomicBool::new(false),
            wake: (Mutex::new(0), Condvar::new()),
            running: Mutex::new(HashMap::new()),
            threads: Mutex::new(Vec::new()),
        });
        let mut threads = lock(&worker.threads);
        let listening = Arc::clone(&worker);
        let spawned = std::thread::Builder::new()
            .name("digonce-listen".into())
            .spawn(move || listening.listen(listener));
        match spawned {
            Ok(handle) => threads.push(handle),
            Err(error) => tracing::error!(%error, "could not start the job listener"),
        }
        for index in 0..worker.settings.concurrency {
            let slot = Arc::clone(&worker);
            let spawned = std::thread::Builder::new()
                .name(format!("digonce-worker-{index}"))
                .spawn(move || slot.serve());
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(error) => tracing::error!(%error, "could not start a worker slot"),
            }
        }
        drop(threads);
        tracing::info!(worker = %worker.settings.worker_id, slots = worker.settings.concurrency, "worker started");
        Ok(worker)
    }

    /// How many jobs this worker is planning now.
    #[must_use]
    pub fn running_jobs(&self) -> usize {
        lock(&self.running).len()
    }

    /// This worker's id in job rows.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.settings.worker_id
    }

    /// Stops claiming, cancels the running planners, waits up to `grace` for them and
    /// puts their jobs back in the queue.
    pub fn shutdown(&self, grace: Duration) {
        self.stop.store(true, Ordering::SeqCst);
        for cancel in lock(&self.running).values() {
            cancel.cancel();
        }
        self.wake_all();
        let deadline = Instant::now() + grace;
        let threads = std::mem::take(&mut *lock(&self.threads));
        for thread in threads {
            while !thread.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if thread.is_finished() {
                if thread.join().is_err() {
                    tracing::error!("a worker thread panicked");
                }
            } else {
                tracing::warn!("a worker slot did not stop in time; its lease will expire");
            }
        }
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn wake_all(&self) {
        let (count, condvar) = &self.wake;
        *lock(count) += 1;
        condvar.notify_all();
    }

    /// Sleeps until woken or `idle_poll` passes.
    fn idle(&self) {
        let (count, condvar) = &self.wake;
        let seen = *lock(count);
        let guard = lock(count);
        let _wait = condvar
            .wait_timeout_while(guard, self.settings.idle_poll, |now| {
                *now == seen && !self.stopping()
            })
            .unwrap_or_else(PoisonError::into_inner);
    }

    /// The listener thread: wakes idle slots on every announced queued job; reconnects
    /// when the connection breaks.
    fn listen(&self, mut listener: crate::storage::postgres::queue::JobListener) {
        while !self.stopping() {
            match listener.wait(Duration::from_millis(500)) {
                Ok(events) => {
                    if events.iter().any(|e| e.status == "queued") {
                        self.wake_all();
                    }
                }
                Err(error) => {
                    tracing::warn!(error = %cause_chain(&error), "job listener lost; reconnecting");
                    std::thread::sleep(Duration::from_secs(1));
                    match self.store.listen() {
                        Ok(fresh) => listener = fresh,
                        Err(error) => {
                            tracing::warn!(error = %cause_chain(&error), "job listener not back yet");
                        }
                    }
                }
            }
        }
    }

    /// A slot thread: claim, run, repeat until stopped.
    fn serve(&self) {
        while !self.stopping() {
            match self
                .store
                .claim_job(&self.settings.worker_id, self.settings.lease)
            {
                Ok(Some(claim)) => {
                    let id = claim.job.id.clone();
                    if let Err(error) = self.run(&claim) {
                        tracing::error!(job = %id, error = %cause_chain(&error), "job bookkeeping failed");
                    }
                }
                Ok(None) => self.idle(),
                Err(error) => {
                    tracing::warn!(error = %cause_chain(&error), "could not claim a job");
                    self.idle();
                }
            }
        }
    }

    /// Runs one claimed job to its end.
    /// A claimed job's options and, for a re-planning job (`as_of`), the plan's newest
    /// schedule and progress; `None` after failing the job when either cannot be read.
    fn inputs_of(
        &self,
        job: &crate::storage::JobRecord,
        me: &str,
    ) -> Result<Option<(JobOptions, Option<crate::replanning::History>)>, StoreError> {
        let options: JobOptions = match serde_json::from_value(job.options.clone()) {
            Ok(options) => options,
            Err(error) => {
                tracing::error!(job = %job.id, %error, "stored job options are unreadable");
                self.store.fail_claimed(
                    &job.id,
                    me,
                    job.progress,
                    "the stored job options are unreadable",
                )?;
                return Ok(None);
            }
        };
        match crate::replanning::History::for_job(
            &*self.store,
            &job.plan_id,
            job.plan_version,
            options.as_of,
        ) {
            Ok(history) => Ok(Some((options, history))),
            Err(error) => {
                self.store
                    .fail_claimed(&job.id, me, job.progress, &error.to_string())?;
                Ok(None)
            }
        }
    }

    fn run(&self, claim: &Claim) -> Result<(), StoreError> {
        let job = &claim.job;
        let me = self.settings.worker_id.as_str();
        tracing::info!(job = %job.id, attempt = claim.attempt, worker = me, "job claimed");
        let Some(plan) = self.store.plan(&job.plan_id, Some(job.plan_version))? else {
            self.store.fail_claimed(
                &job.id,
                me,
                job.progress,
                "the plan was deleted before planning started",
            )?;
            return Ok(());
        };
        let Some((options, history)) = self.inputs_of(job, me)? else {
            return Ok(());
        };
        let cancel = CancelToken::default();
        lock(&self.running).insert(job.id.clone(), cancel.clone());
        let progress = Mutex::new(job.progress);
        let finished = (Mutex::new(false), Condvar::new());
        let lost = AtomicBool::new(false);
        let started = Instant::now();
        let outcome = std::thread::scope(|scope| {
            scope.spawn(|| self.beat(&job.id, &progress, &finished, &cancel, &lost));
            let report = |p: Progress| {
                *lock(&progress) = Progress {
                    percent: p.percent.clamp(0.0, 100.0),
                    ..p
                };
            };
            let input = PlannerInput {
                plan_geojson: &plan.body,
                crs: &plan.meta.crs,
                options: &options,
                history: history.as_ref(),
            };
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.planner.plan(input, &report, &cancel)
            }));
            *lock(&finished.0) = true;
            finished.1.notify_all();
            outcome
        });
        lock(&self.running).remove(&job.id);
        let progress = *lock(&progress);
        match outcome {
            Ok(Ok(document)) => {
                let Ok(bytes) = serde_json::to_vec(&document) else {
                    self.store.fail_claimed(
                        &job.id,
                        me,
                        progress,
                        "the planner's schedule could not be encoded",
                    )?;
                    return Ok(());
                };
                let done = Progress {
                    percent: 100.0,
                    ..progress
                };
                if let Some(schedule) = self.store.finish_claimed(&job.id, me, done, &bytes)? {
                    tracing::info!(
                        job = %job.id, %schedule, seconds = started.elapsed().as_secs_f64(), "job done"
                    );
                } else {
                    tracing::info!(job = %job.id, "job no longer ours; result dropped");
                }
            }
            Ok(Err(PlannerError::Cancelled)) => {
                if self.stopping() && !lost.load(Ordering::SeqCst) {
                    self.store.release_job(&job.id, me)?;
                    tracing::info!(job = %job.id, "worker stopping; job put back in the queue");
                } else {
                    tracing::info!(job = %job.id, "planner stopped on cancellation");
                }
            }
            Ok(Err(error @ PlannerError::Failed { .. })) => {
                tracing::error!(job = %job.id, error = %cause_chain(&error), "job failed");
                self.store
                    .fail_claimed(&job.id, me, progress, &failure_sentence(&error))?;
            }
            Err(_panic) => {
                tracing::error!(job = %job.id, "planner panicked");
                self.store
                    .fail_claimed(&job.id, me, progress, PANIC_REASON)?;
            }
        }
        Ok(())
    }

    /// The heartbeat of one running job, until `finished` is set.
    fn beat(
        &self,
        job_id: &str,
        progress: &Mutex<Progress>,
        finished: &(Mutex<bool>, Condvar),
        cancel: &CancelToken,
        lost: &AtomicBool,
    ) {
        let (done, condvar) = finished;
        loop {
            let guard = lock(done);
            let (guard, _timeout) = condvar
                .wait_timeout_while(guard, self.settings.heartbeat, |done| !*done)
                .unwrap_or_else(PoisonError::into_inner);
            if *guard {
                return;
            }
            drop(guard);
            let current = *lock(progress);
            match self.store.heartbeat(
                job_id,
                &self.settings.worker_id,
                self.settings.lease,
                current,
            ) {
                Ok(Heartbeat::Held) => {}
                Ok(Heartbeat::Cancelled) => {
                    tracing::info!(job = %job_id, "cancelled by a client; stopping the planner");
                    cancel.cancel();
                }
                Ok(Heartbeat::Lost) => {
                    tracing::warn!(job = %job_id, "lease lost to another worker; stopping");
                    lost.store(true, Ordering::SeqCst);
                    cancel.cancel();
                }
                Err(error) => {
                    tracing::warn!(job = %job_id, error = %cause_chain(&error), "heartbeat failed");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::tests::FixturePlanner;
    use crate::jobs::{JobOptions, JobSystem};
    use crate::storage::postgres::testdb::TestDatabase;
    use crate::storage::{JobRecord, JobStatus, NewPlanVersion, PlanSummary};

    /// Quick settings for tests: short lease and heartbeat, fast idle polling.
    fn quick(id: &str) -> WorkerSettings {
        WorkerSettings {
            worker_id: id.to_owned(),
            concurrency: 1,
            lease: Duration::from_millis(900),
            heartbeat: Duration::from_millis(100),
            idle_poll: Duration::from_millis(100),
        }
    }

    /// A fresh database with one plan; `None` when PostgreSQL may be skipped.
    fn fresh() -> Option<(TestDatabase, Arc<PostgresStore>, String)> {
        let database = TestDatabase::create()?;
        let store = Arc::new(PostgresStore::open(database.url()).expect("open"));
        let plan = store
            .create_plan(&NewPlanVersion {
                name: "p".into(),
                crs: "wgs84".into(),
                body: b"{}".to_vec(),
                summary: PlanSummary::default(),
                locations: std::collections::BTreeMap::new(),
                source: None,
            })
            .expect("plan");
        Some((database, store, plan.id))
    }

    fn wait_for(store: &PostgresStore, id: &str, status: JobStatus) -> JobRecord {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let job = store.job(id).expect("read").expect("exists");
            if job.status == status || Instant::now() > deadline {
                return job;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_submitted_job_is_planned_by_a_worker_to_one_schedule() {
        let Some((_database, store, plan)) = fresh() else {
            return;
        };
        let jobs = JobSystem::queued(Arc::clone(&store) as Arc<dyn Store>);
        assert!(jobs.has_planner(), "workers elsewhere take the jobs");
        let worker = QueueWorker::start(
            Arc::clone(&store),
            Arc::new(FixturePlanner { block: false }),
            quick("w1"),
        )
        .expect("start");
        let job = jobs
            .submit(&plan, &JobOptions::default())
            .expect("submit")
            .expect("plan exists");
        let done = wait_for(&store, &job.id, JobStatus::Done);
        assert_eq!(done.status, JobStatus::Done);
        let schedule = done.schedule_id.expect("schedule");
        assert_eq!(
            store
                .schedule(&schedule)
                .expect("read")
                .and_then(|s| s.job_id),
            Some(job.id.clone())
        );
        let attempts = store.job_attempts(&job.id).expect("read").expect("job");
        assert_eq!(attempts.attempts, 1);
        worker.shutdown(Duration::from_secs(2));
    }

    #[test]
    fn a_cancel_through_the_api_stops_the_running_planner() {
        let Some((_database, store, plan)) = fresh() else {
            return;
        };
        let jobs = JobSystem::queued(Arc::clone(&store) as Arc<dyn Store>);
        let worker = QueueWorker::start(
            Arc::clone(&store),
            Arc::new(FixturePlanner { block: true }),
            quick("w1"),
        )
        .expect("start");
        let job = jobs
            .submit(&plan, &JobOptions::default())
            .expect("submit")
            .expect("plan exists");
        assert_eq!(
            wait_for(&store, &job.id, JobStatus::Running).status,
            JobStatus::Running
        );
        let cancelled = jobs.cancel(&job.id).expect("cancel").expect("exists");
        assert_eq!(cancelled.status, JobStatus::Cancelled);
        let deadline = Instant::now() + Duration::from_secs(10);
        while worker.running_jobs() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(worker.running_jobs(), 0, "the planner saw the cancel flag");
        assert_eq!(
            store.job(&job.id).expect("read").expect("job").status,
            JobStatus::Cancelled
        );
        worker.shutdown(Duration::from_secs(2));
    }

    #[test]
    fn the_job_of_a_worker_that_died_is_finished_by_another() {
        let Some((_database, store, plan)) = fresh() else {
            return;
        };
        let job = store
            .create_job(&plan, &serde_json::json!({}))
            .expect("job")
            .expect("plan");
        // A worker claims it and dies at once (no heartbeat ever comes).
        store
            .claim_job("dead", Duration::from_millis(300))
            .expect("claim")
            .expect("job");
        let worker = QueueWorker::start(
            Arc::clone(&store),
            Arc::new(FixturePlanner { block: false }),
            quick("alive"),
        )
        .expect("start");
        let done = wait_for(&store, &job.id, JobStatus::Done);
        assert_eq!(done.status, JobStatus::Done);
        let attempts = store.job_attempts(&job.id).expect("read").expect("job");
        assert_eq!(attempts.attempts, 2);
        assert!(attempts.last_failure.is_some_and(|r| r.contains("dead")));
        worker.shutdown(Duration::from_secs(2));
    }

    #[test]
    fn a_stopping_worker_puts_its_running_job_back_for_another() {
        let Some((_database, store, plan)) = fresh() else {
            return;
        };
        let job = store
            .create_job(&plan, &serde_json::json!({}))
            .expect("job")
            .expect("plan");
        let first = QueueWorker::start(
            Arc::clone(&store),
            Arc::new(FixturePlanner { block: true }),
            quick("first"),
        )
        .expect("start");
        assert_eq!(
            wait_for(&store, &job.id, JobStatus::Running).status,
            JobStatus::Running
        );
        first.shutdown(Duration::from_secs(5));
        let back = store.job(&job.id).expect("read").expect("job");
        assert_eq!(back.status, JobStatus::Queued);
        let second = QueueWorker::start(
            Arc::clone(&store),
            Arc::new(FixturePlanner { block: false }),
            quick("second"),
        )
        .expect("start");
        assert_eq!(
            wait_for(&store, &job.id, JobStatus::Done).status,
            JobStatus::Done
        );
        let attempts = store.job_attempts(&job.id).expect("read").expect("job");
        assert_eq!(attempts.attempts, 1, "the release was not counted");
        second.shutdown(Duration::from_secs(2));
    }
}
