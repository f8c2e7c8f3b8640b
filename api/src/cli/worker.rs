//! `digonce worker`: a planning worker on a PostgreSQL job queue, on any host; run as
//! many as the load asks for (`docs/deployment.md`).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use api::jobs::worker::{QueueWorker, WorkerSettings};
use api::storage::Backend;

/// Arguments of `digonce worker`.
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// The PostgreSQL database the API uses (`postgres://user@host:5432/dbname`).
    #[arg(long)]
    pub db: String,
    /// Jobs planned at once by this worker (defaults to the number of cores).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Seconds a claimed job stays this worker's without a heartbeat; after that another
    /// worker takes it over.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(2..=3600))]
    pub lease_s: u64,
    /// Seconds between shutdown being asked for and running jobs being abandoned to the
    /// lease (they are cancelled and put back in the queue first).
    #[arg(long, default_value_t = 10)]
    pub grace_s: u64,
}

/// Runs the worker until Ctrl-C or SIGTERM.
///
/// # Errors
/// When `--db` is not a PostgreSQL URL, or the database cannot be reached or migrated.
pub fn run(args: &WorkerArgs) -> anyhow::Result<ExitCode> {
    super::serve::init_logging();
    if !api::storage::is_postgres_url(&args.db) {
        anyhow::bail!(
            "`digonce worker` needs a PostgreSQL queue: --db must be a postgres:// URL, not {:?} \
             (with SQLite, `digonce serve` plans in process)",
            args.db
        );
    }
    let shown = api::storage::postgres::redacted(&args.db);
    let Backend::Postgres(store) = api::storage::open_store(&args.db)
        .with_context(|| format!("cannot open the job queue at {shown}"))?
    else {
        anyhow::bail!("{shown} did not open as PostgreSQL");
    };
    let mut settings = WorkerSettings::new(
        args.concurrency
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)),
    );
    settings.lease = Duration::from_secs(args.lease_s);
    settings.heartbeat = settings.lease / 6;
    let worker = QueueWorker::start(
        store,
        Arc::new(api::planner::CityPlanner::default()),
        settings,
    )
    .with_context(|| format!("cannot listen on the job queue at {shown}"))?;
    // Scripts wait for this exact line.
    println!("digonce worker {} ready", worker.id());
    actix_web::rt::System::new().block_on(stopped())?;
    tracing::info!("stopping: running jobs go back to the queue");
    worker.shutdown(Duration::from_secs(args.grace_s));
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() -> std::io::Result<()> {
    use actix_web::rt::signal;
    #[cfg(unix)]
    {
        let mut terminate = signal::unix::signal(signal::unix::SignalKind::terminate())?;
        let interrupt = std::pin::pin!(signal::ctrl_c());
        let terminated = std::pin::pin!(terminate.recv());
        futures_util::future::select(interrupt, terminated).await;
        Ok(())
    }
    #[cfg(not(unix))]
    {
        signal::ctrl_c().await
    }
}
