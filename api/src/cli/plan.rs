//! `digonce plan FILE`: shared trenches, a verified schedule and what it saves.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use geodata::analysis::{AnalysisOptions, analyze};
use geodata::crs::InputCrs;
use optimizer::city::document::{Advice, ScheduleDocument};
use optimizer::city::{CityOptions, plan_city};
use optimizer::engine::Progress as SearchProgress;

/// Arguments of `digonce plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The plan (GeoJSON FeatureCollection); `-` reads standard input.
    pub file: PathBuf,
    /// Where to write the schedule JSON; standard output when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Search time limit in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub time_limit: f64,
    /// Coordinate system of the positions.
    #[arg(long, default_value = "wgs84")]
    pub crs: InputCrs,
    /// Seed of the search.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Plans the file and writes the schedule document; progress and the summary go to
/// standard error.
///
/// # Errors
/// When the file cannot be read, the network cannot be built (a cycle, say) or the
/// output cannot be written. An invalid plan is not an error: its problems are printed
/// and the exit code is 1.
pub fn run(args: &PlanArgs) -> anyhow::Result<ExitCode> {
    let clock = Instant::now();
    let Some(plan) = super::read_plan(&args.file, args.crs)? else {
        return Ok(ExitCode::from(1));
    };
    eprintln!(
        "[{:>6.1}s] plan {:?}: {} compounds, {} works, {} streets",
        clock.elapsed().as_secs_f64(),
        plan.settings.name,
        plan.compounds.len(),
        plan.works.len(),
        plan.streets.len()
    );
    let analysis = analyze(&plan, &AnalysisOptions::default())?;
    eprintln!(
        "[{:>6.1}s] analysis: {} corridors, {} shared trenches, {} crossings, {} moratorium conflicts",
        clock.elapsed().as_secs_f64(),
        analysis.summary.corridors,
        analysis.summary.trenches,
        analysis.summary.crossings,
        analysis.summary.moratorium_conflicts
    );
    let search = Arc::new(SearchProgress::default());
    let options = CityOptions {
        time_limit: Duration::try_from_secs_f64(args.time_limit)
            .with_context(|| format!("bad --time-limit {}", args.time_limit))?,
        seed: args.seed.unwrap_or_else(|| CityOptions::default().seed),
        cancel: None,
        progress: Some(Arc::clone(&search)),
    };
    eprintln!(
        "[{:>6.1}s] scheduling (time limit {:.0} s)...",
        clock.elapsed().as_secs_f64(),
        args.time_limit
    );
    let document = with_heartbeat(clock, args.time_limit, &search, || {
        plan_city(&plan, &analysis, &options)
    })?;
    let s = &document.summary;
    eprintln!(
        "[{:>6.1}s] {} activities; makespan {} days (lower bound {}, gap {:.1}%); \
         excavations {} vs {} uncoordinated; trench-open metre-days {:.0} (uncoordinated {:.0}); \
         hard deadlines missed {} ({} unavoidable by calendar or lags); verified {}",
        clock.elapsed().as_secs_f64(),
        s.activities,
        s.makespan_days,
        s.lower_bound_days,
        s.gap * 100.0,
        s.excavations,
        s.baseline_excavations,
        s.trench_open_metre_days,
        s.baseline_trench_open_metre_days,
        s.hard_deadlines_missed,
        s.hard_deadlines_unavoidable,
        s.verified
    );
    print_misses(&document);
    print_advice(&document.advice);
    match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            serde_json::to_writer_pretty(std::io::BufWriter::new(file), &document)?;
        }
        None => serde_json::to_writer_pretty(std::io::stdout().lock(), &document)?,
    }
    Ok(if s.hard_deadlines_missed > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs `work` on a scoped thread and prints a progress line every five seconds until it
/// returns, so a planner watching a long run sees it is alive and how much of the search
/// budget is spent (the baseline and coordinated searches run side by side within it).
fn with_heartbeat<T: Send>(
    clock: Instant,
    limit_s: f64,
    search: &SearchProgress,
    work: impl FnOnce() -> T + Send,
) -> T {
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let result = work();
            let _ = done_tx.send(());
            result
        });
        let started = clock.elapsed().as_secs_f64();
        while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
            done_rx.recv_timeout(Duration::from_secs(5))
        {
            let now = clock.elapsed().as_secs_f64();
            let standing = search.snapshot().map_or_else(String::new, |s| {
                format!(
                    "; best cost {:.0}, lower bound {:.0} ({}/{} parts scheduled)",
                    s.incumbent, s.bound, s.components.0, s.components.1
                )
            });
            eprintln!(
                "[{now:>6.1}s] searching: {:.0} of {limit_s:.0} s{standing}",
                (now - started).min(limit_s)
            );
        }
        match worker.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The advice's changes, ten at most, on standard error.
fn print_advice(advice: &Advice) {
    if !advice.changes.is_empty() {
        eprintln!(
            "  advice: {} change(s) recover {} of {} missed hard deadline(s) and bring {} of {} activities inside the horizon:",
            advice.changes.len(),
            advice.deadlines_recovered,
            advice.deadlines_missed,
            advice.horizon_recovered,
            advice.beyond_horizon
        );
        for change in advice.changes.iter().take(10) {
            eprintln!(
                "    - {} (recovers {}, {} day(s) saved)",
                change.description,
                change.recovers.len(),
                change.days_saved
            );
        }
    }
}

/// The first missed hard deadlines and activities beyond the horizon, on standard error.
fn print_misses(document: &ScheduleDocument) {
    for late in document
        .deadlines
        .iter()
        .filter(|d| d.is_missed_hard())
        .take(10)
    {
        eprintln!(
            "  late: {} ({}) due {} finishes {} (+{} days)",
            late.activity, late.source, late.date, late.finish, late.lateness_days
        );
    }
    for beyond in document.beyond_horizon.iter().take(5) {
        eprintln!(
            "  beyond the horizon: {} ends {} (earliest possible {}, forced by {:?})",
            beyond.activity, beyond.end, beyond.earliest_end, beyond.forced_by
        );
    }
    if document.beyond_horizon.len() > 5 {
        eprintln!(
            "  ... {} activities beyond the horizon in all",
            document.beyond_horizon.len()
        );
    }
}
