//! `digonce replan PLAN SCHEDULE PROGRESS... --as-of DATE --out NEW_SCHEDULE`: the schedule
//! re-made from what actually happened (`docs/progress.md`, "Re-planning").
//!
//! Progress files are read and checked as by `digonce report`; the new schedule document
//! is written to `--out` and what changed is printed per owner on standard output.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use chrono::NaiveDate;
use geodata::analysis::{AnalysisOptions, analyze};
use geodata::crs::InputCrs;
use optimizer::city::CityOptions;
use optimizer::city::replan::{Replanned, replan};

use super::read_plan;
use super::report::{read_progress, read_schedule};

/// Arguments of `digonce replan`.
#[derive(Debug, clap::Args)]
pub struct ReplanArgs {
    /// The plan (GeoJSON FeatureCollection).
    pub plan: PathBuf,
    /// Its previous schedule document (`digonce plan --out`, or an earlier re-plan).
    pub schedule: PathBuf,
    /// Progress reports, CSV or JSON (by extension: `.json` is JSON, anything else CSV).
    #[arg(required = true)]
    pub progress: Vec<PathBuf>,
    /// The data date: progress reported after it is not counted; nothing new starts
    /// before it.
    #[arg(long)]
    pub as_of: NaiveDate,
    /// Where to write the new schedule document.
    #[arg(long)]
    pub out: PathBuf,
    /// Search time limit in seconds.
    #[arg(long, default_value_t = 30.0)]
    pub time_limit: f64,
    /// Seed of the search.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Coordinate system of the plan's positions.
    #[arg(long, default_value = "wgs84")]
    pub crs: InputCrs,
}

/// Re-plans and writes the new schedule.
///
/// # Errors
/// When a file cannot be read or written, the schedule is not one, or the plan cannot be
/// scheduled. An invalid plan or report is not an error: its problems are printed and the
/// exit code is 1.
pub fn run(args: &ReplanArgs) -> anyhow::Result<ExitCode> {
    let Some(plan) = read_plan(&args.plan, args.crs)? else {
        return Ok(ExitCode::from(1));
    };
    let previous = read_schedule(&args.schedule)?;
    let Some(rows) = read_progress(&args.progress, &plan, &previous)? else {
        return Ok(ExitCode::from(1));
    };
    let analysis = analyze(&plan, &AnalysisOptions::default())?;
    let options = CityOptions {
        time_limit: Duration::try_from_secs_f64(args.time_limit)
            .with_context(|| format!("bad --time-limit {}", args.time_limit))?,
        seed: args.seed.unwrap_or_else(|| CityOptions::default().seed),
        ..CityOptions::default()
    };
    let document = replan(&plan, &analysis, &previous, &rows, args.as_of, &options)?;
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    serde_json::to_writer_pretty(std::io::BufWriter::new(file), &document)?;
    if let Some(r) = &document.replan {
        print!("{}", summary(r));
    }
    Ok(ExitCode::SUCCESS)
}

/// What changed, per owner, as text.
#[must_use]
pub fn summary(r: &Replanned) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "re-planned as of {}: warm start {:?}; {} of {} activities not started kept their dates\n",
        r.as_of, r.warm_start, r.kept_in_place, r.not_started
    );
    for o in &r.owners {
        let owner = if o.owner.is_empty() {
            "(compound phases)"
        } else {
            &o.owner
        };
        let _ = writeln!(
            out,
            "{owner}: {} moved, {} added, {} removed, {} hard deadline(s) at risk",
            o.moved.len(),
            o.added.len(),
            o.removed.len(),
            o.deadlines_at_risk.len()
        );
        for m in &o.moved {
            let _ = writeln!(
                out,
                "  moved   {}: {} – {} -> {} – {}",
                m.activity, m.old_start, m.old_end, m.new_start, m.new_end
            );
        }
        for a in &o.added {
            let _ = writeln!(out, "  added   {}: {} – {}", a.activity, a.start, a.end);
        }
        for a in &o.removed {
            let _ = writeln!(out, "  removed {}: {} – {}", a.activity, a.start, a.end);
        }
        for d in &o.deadlines_at_risk {
            let _ = writeln!(
                out,
                "  at risk {}: due {}, finishes {} ({} day(s) late)",
                d.activity, d.date, d.finish, d.lateness_days
            );
        }
    }
    out
}
