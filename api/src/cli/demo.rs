//! `digonce demo`: a generated city, stored, planned and served, in one command.
//!
//! The demo uses the real pieces end to end: the generated plan is validated by the same
//! ingestion as an upload, stored in the same database, planned by a queued job that the
//! service's job system runs as soon as it starts, and served by the same HTTP service.
//! A progress report half a year into the plan is stored beside it
//! (`geodata::synthetic::progress`), so the bulletin ranks districts and names late owners.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use api::config::ServiceConfig;
use api::intake::ValidatedPlan;
use api::storage::sqlite::SqliteStore;
use api::storage::{NewPlanVersion, Store};
use geodata::export::{ExportOptions, to_bytes};
use geodata::ingest::{IngestOptions, ingest};
use geodata::synthetic::{CityConfig, generate, progress};

/// Arguments of `digonce demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Compounds in the generated city (kept small by default so the demo plans in
    /// seconds; the engine does not yet scale to whole cities, see issue 4).
    #[arg(long, default_value_t = 60)]
    pub compounds: usize,
    /// Seed of the generated city.
    #[arg(long, default_value_t = 3)]
    pub seed: u64,
    /// Address to serve on (loopback: the demo runs in open single-user mode); port 0
    /// picks a free port, printed as `digonce listening on http://ADDR`.
    #[arg(long, default_value = ServiceConfig::DEFAULT_BIND)]
    pub bind: SocketAddr,
    /// Database file for the demo.
    #[arg(long, default_value = "digonce-demo.sqlite3")]
    pub db: PathBuf,
    /// Search time limit of the planning job in seconds.
    #[arg(long, default_value_t = 10)]
    pub time_limit: u32,
}

/// Generates, stores and queues the plan, then serves until stopped.
///
/// # Errors
/// When the database cannot be opened or written, or the service fails to start.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    super::serve::init_logging();
    let city = generate(&CityConfig::new(args.compounds, args.seed));
    let body = to_bytes(&city, &ExportOptions::default())?;
    let plan = ingest(body.as_slice(), &IngestOptions::default())
        .context("the generated city does not validate")?;
    let valid = ValidatedPlan::from_plan(&plan);
    let store = SqliteStore::open(&args.db)
        .with_context(|| format!("cannot open {}", args.db.display()))?;
    let meta = store.create_plan(&NewPlanVersion {
        name: valid.name,
        crs: "wgs84".to_owned(),
        body,
        summary: valid.summary,
        locations: valid.locations,
        source: None,
    })?;
    let job = store
        .create_job(
            &meta.id,
            &serde_json::json!({ "time_limit_s": args.time_limit }),
        )?
        .context("the demo plan vanished before its job was queued")?;
    // A progress report half a year in, so the bulletin has something to rank.
    let as_of = plan.settings.start + chrono::Days::new(180);
    let spans = progress::estimated_spans(&plan, args.seed);
    let rows = progress::progress(&plan, &spans, as_of, args.seed);
    store.add_progress(&meta.id, "demo", &rows)?;
    drop(store);
    let owner = plan
        .works
        .first()
        .map(|w| w.owner.clone())
        .unwrap_or_default();
    // With port 0 the address is known only once bound: print paths, and the service
    // prints `digonce listening on http://ADDR` right after.
    let base = if args.bind.port() == 0 {
        String::new()
    } else {
        format!("http://{}", args.bind)
    };
    // One machine-readable line for scripts and tests.
    println!("digonce demo plan {} job {}", meta.id, job.id);
    println!(
        "digonce demo: {} compounds, {} works, {} streets stored as plan {} in {}",
        plan.compounds.len(),
        plan.works.len(),
        plan.streets.len(),
        meta.id,
        args.db.display()
    );
    println!("  map page:        {base}/map/{}", meta.id);
    println!("  API docs:        {base}/v1/docs");
    println!(
        "  planning job:    {base}/v1/jobs/{} (gives schedule_id when done)",
        job.id
    );
    println!(
        "  dig schedule:    {base}/v1/schedules/<schedule_id>/utilities/{}?format=csv (or ics, json)",
        encode_path_segment(&owner)
    );
    println!("  OGC API:         {base}/v1/ogc (QGIS, GDAL: OAPIF:{base}/v1/ogc)");
    println!(
        "  bulletin:        {base}/v1/plans/{}/report?as_of={as_of}&format=html ({} progress rows stored; once the job is done)",
        meta.id,
        rows.len()
    );
    println!("Press Ctrl-C to stop.");
    let config = ServiceConfig::new(
        args.bind,
        args.db.display().to_string(),
        ServiceConfig::DEFAULT_MAX_UPLOAD_MB,
    );
    actix_web::rt::System::new().block_on(api::server::run(
        config,
        Arc::new(api::intake::GeodataValidator),
        Some(Arc::new(api::planner::CityPlanner::default())),
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Percent-encodes a URL path segment (owners have spaces and non-ASCII names).
fn encode_path_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}
