//! `digonce report PLAN SCHEDULE PROGRESS... --as-of DATE`: the bulletin of districts and
//! owners as of a data date (`docs/progress.md`).
//!
//! Every progress file is read and checked against the plan first; when any has problems
//! they are all printed (file, row, column, code) and the exit code is 1.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use api::bulletin::{Format, render};
use chrono::NaiveDate;
use geodata::crs::InputCrs;
use geodata::plan::Plan;
use geodata::progress::{self, ProgressIds, ProgressRow};
use optimizer::bulletin::{Bulletin, BulletinOptions, bulletin};
use optimizer::city::document::ScheduleDocument;

/// Arguments of `digonce report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The plan (GeoJSON FeatureCollection).
    pub plan: PathBuf,
    /// Its schedule document (`digonce plan --out`).
    pub schedule: PathBuf,
    /// Progress reports, CSV or JSON (by extension: `.json` is JSON, anything else CSV).
    #[arg(required = true)]
    pub progress: Vec<PathBuf>,
    /// The data date: progress reported after it is not counted.
    #[arg(long)]
    pub as_of: NaiveDate,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The previous bulletin as JSON, for the change in rank.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Name owners that have not reported for more than this many days.
    #[arg(long, default_value_t = BulletinOptions::DEFAULT_SILENT_AFTER_DAYS)]
    pub silent_after_days: i64,
    /// Where to write the bulletin; standard output when absent (required for `xlsx`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Coordinate system of the plan's positions.
    #[arg(long, default_value = "wgs84")]
    pub crs: InputCrs,
}

/// Reads a schedule document.
pub(crate) fn read_schedule(path: &Path) -> anyhow::Result<ScheduleDocument> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    ScheduleDocument::from_slice(&bytes)
        .with_context(|| format!("{} is not a schedule document", path.display()))
}

/// Reads every progress file; `None` (problems printed) when any is rejected.
pub(crate) fn read_progress(
    paths: &[PathBuf],
    plan: &Plan,
    schedule: &ScheduleDocument,
) -> anyhow::Result<Option<Vec<ProgressRow>>> {
    let ids = ProgressIds::new(plan, schedule.activities.iter().map(|a| a.id.as_str()));
    let mut rows = Vec::new();
    let mut rejected = 0;
    for path in paths {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let format = progress::Format::guess(&path.to_string_lossy());
        match progress::parse(&bytes, format, &ids) {
            Ok(r) => rows.extend(r),
            Err(e) => {
                for p in &e.problems {
                    eprintln!("{}: {p}", path.display());
                }
                rejected += e.problems.len();
            }
        }
    }
    if rejected > 0 {
        eprintln!("the progress reports are invalid: {rejected} problem(s)");
        return Ok(None);
    }
    Ok(Some(rows))
}

/// Writes the bulletin.
///
/// # Errors
/// When a file cannot be read or written, or the schedule or previous bulletin is not one.
pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let Some(plan) = super::read_plan(&args.plan, args.crs)? else {
        return Ok(ExitCode::from(1));
    };
    let schedule = read_schedule(&args.schedule)?;
    let Some(rows) = read_progress(&args.progress, &plan, &schedule)? else {
        return Ok(ExitCode::from(1));
    };
    let previous: Option<Bulletin> = match &args.previous {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            Some(
                serde_json::from_slice(&bytes)
                    .with_context(|| format!("{} is not a JSON bulletin", path.display()))?,
            )
        }
        None => None,
    };
    let options = BulletinOptions {
        as_of: args.as_of,
        silent_after_days: args.silent_after_days,
    };
    let b = bulletin(&plan, &schedule, &rows, &options, previous.as_ref());
    let bytes = render(&b, args.format)?;
    match &args.out {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None if args.format == Format::Xlsx => {
            anyhow::bail!("an XLSX bulletin needs --out FILE");
        }
        None => {
            use std::io::Write as _;
            std::io::stdout().lock().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
