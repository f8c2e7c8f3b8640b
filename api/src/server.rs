//! The actix-web service: shared state, start-up, serving and graceful shutdown.
//!
//! Start-up opens (and migrates) the store, decides the authentication mode (open when no
//! token exists, refused on a non-loopback address), starts the job system and prints
//! `digonce listening on http://ADDR` once the socket is bound, so scripts and tests
//! can wait for it.
//!
//! Shutdown (SIGINT/SIGTERM): actix stops accepting connections and lets in-flight
//! requests finish for up to 30 s; then the job system cancels running planners, waits
//! the configured grace period and leaves queued jobs queued. Running jobs whose
//! planner stopped are recorded as failed ("abandoned") at the next start.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer, web};

use crate::auth::AuthMode;
use crate::config::{ConfigError, ServiceConfig, check_bind};
use crate::intake::PlanValidator;
use crate::jobs::worker::{QueueWorker, WorkerSettings};
use crate::jobs::{JobSystem, Planner};
use crate::storage::Backend;
use crate::storage::{Store, StoreError};

/// What every request handler shares.
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Planning jobs.
    pub jobs: Arc<JobSystem>,
    /// Upload validation.
    pub validator: Arc<dyn PlanValidator>,
    /// Open or token mode.
    pub auth_mode: AuthMode,
    /// Largest accepted body in bytes.
    pub max_upload_bytes: usize,
    /// Request timeout.
    pub request_timeout: Duration,
    /// Parsed schedules for exports.
    pub export_cache: crate::export::cache::ExportCache,
    /// Built overlays for the overlay and OGC API Features routes.
    pub overlay_cache: crate::overlay::cache::OverlayCache,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("auth_mode", &self.auth_mode)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

/// Why the service could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store could not be opened, migrated or recovered.
    #[error("the database {path} could not be opened")]
    Store {
        /// The database file.
        path: String,
        /// The store's error.
        #[source]
        source: StoreError,
    },
    /// The configuration is refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The socket could not be bound or the server failed.
    #[error("the HTTP server failed on {bind}")]
    Io {
        /// The address.
        bind: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Decides the authentication mode from the store's tokens.
///
/// # Errors
/// [`StoreError`] when tokens cannot be counted.
pub fn auth_mode(store: &dyn Store) -> Result<AuthMode, StoreError> {
    Ok(if store.token_count()? == 0 {
        AuthMode::Open
    } else {
        AuthMode::Tokens
    })
}

/// Runs the service until it is asked to stop.
///
/// `planner` is the schedule engine; `None` makes `POST /v1/plans/{id}/schedules`
/// answer 503 (every other endpoint works).
///
/// # Errors
/// [`ServeError`] when start-up fails or the server stops with an error.
pub async fn run(
    config: ServiceConfig,
    validator: Arc<dyn PlanValidator>,
    planner: Option<Arc<dyn Planner>>,
) -> Result<(), ServeError> {
    let db = crate::storage::postgres::redacted(&config.db);
    let store_error = |source| ServeError::Store {
        path: db.clone(),
        source,
    };
    // The PostgreSQL client blocks on a runtime of its own, which may not run on this
    // async thread: open the store, and start the jobs, on a plain thread.
    let started = std::thread::scope(|scope| {
        scope
            .spawn(|| start_store_and_jobs(&config, planner))
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    let (store, mode, jobs, queue_worker) = started.map_err(store_error)?;

    check_bind(mode, config.bind)?;
    match mode {
        AuthMode::Open => tracing::warn!(
            bind = %config.bind,
            "no access tokens exist: running in OPEN single-user mode on a loopback address; \
             every request may do everything"
        ),
        AuthMode::Tokens => tracing::info!("token mode: every request needs a bearer token"),
    }
    let state = web::Data::new(AppState {
        store,
        jobs: Arc::clone(&jobs),
        validator,
        auth_mode: mode,
        max_upload_bytes: config.max_upload_bytes,
        request_timeout: config.request_timeout,
        export_cache: crate::export::cache::ExportCache::default(),
        overlay_cache: crate::overlay::cache::OverlayCache::default(),
    });
    let app_state = state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(app_state.clone())
            .configure(crate::routes::configure)
    })
    .client_request_timeout(Duration::from_secs(10))
    .client_disconnect_timeout(Duration::from_secs(5))
    .shutdown_timeout(30)
    .bind(config.bind)
    .map_err(|source| ServeError::Io {
        bind: config.bind.to_string(),
        source,
    })?;
    for address in server.addrs() {
        // Scripts and tests wait for this exact line.
        println!("digonce listening on http://{address}");
        tracing::info!(%address, "listening");
    }
    let outcome = server.run().await;
    tracing::info!("HTTP server stopped; stopping planners");
    let grace = config.shutdown_grace;
    let stopper = Arc::clone(&jobs);
    // Waiting for planner threads blocks; keep it off the async runtime.
    let joined = std::thread::spawn(move || {
        stopper.shutdown(grace);
        if let Some(worker) = queue_worker {
            worker.shutdown(grace);
        }
    })
    .join();
    if joined.is_err() {
        tracing::error!("job shutdown panicked");
    }
    outcome.map_err(|source| ServeError::Io {
        bind: config.bind.to_string(),
        source,
    })
}

/// What start-up opens before the HTTP server binds: the store, its authentication mode,
/// the job system and (PostgreSQL with an embedded worker) the queue worker.
type Started = (
    Arc<dyn Store>,
    AuthMode,
    Arc<JobSystem>,
    Option<Arc<QueueWorker>>,
);

/// Opens the store named by `config.db` and starts the jobs for its backend: SQLite's
/// in-process pool, or PostgreSQL's queue (with a worker in this process unless
/// `--no-worker`). Runs on a plain thread (see [`run`]).
fn start_store_and_jobs(
    config: &ServiceConfig,
    planner: Option<Arc<dyn Planner>>,
) -> Result<Started, StoreError> {
    let backend = crate::storage::open_store(&config.db)?;
    let store = backend.store();
    let mode = auth_mode(store.as_ref())?;
    if planner.is_none() {
        tracing::warn!("no planning engine configured: planning requests answer 503");
    }
    let mut queue_worker = None;
    let jobs = match &backend {
        Backend::Sqlite(_) => JobSystem::start(Arc::clone(&store), planner, config.planner_slots)?,
        Backend::Postgres(pg) => {
            if config.embedded_worker
                && let Some(planner) = planner
            {
                let settings = WorkerSettings::new(config.planner_slots);
                queue_worker = Some(QueueWorker::start(Arc::clone(pg), planner, settings)?);
            } else {
                tracing::info!("no embedded worker: jobs wait for `digonce worker` processes");
            }
            JobSystem::queued(Arc::clone(&store))
        }
    };
    Ok((store, mode, jobs, queue_worker))
}
