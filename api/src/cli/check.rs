//! `digonce check PLAN SCHEDULE`: does a schedule document keep every rule of its plan?
//!
//! Runs `optimizer::check::check`, the plan-level check that re-derives each rule of
//! `docs/input-format.md` ("What a schedule must keep") from the plan file alone. Exit 0
//! when every rule holds, 1 with every violation listed, 2 when the plan is unreadable or
//! invalid (its problems printed as `digonce validate` prints them) or the schedule is not
//! a schedule document.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use geodata::analysis::{AnalysisOptions, ProfileError, analyze};
use geodata::crs::InputCrs;
use geodata::ingest::{IngestError, IngestOptions, ingest};
use optimizer::check::check;
use optimizer::city::document::{RuleViolation, ScheduleDocument};
use serde_json::json;

use super::validate::{Format, write_problems};

/// Arguments of `digonce check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The plan (GeoJSON FeatureCollection); `-` reads standard input.
    pub plan: PathBuf,
    /// The schedule document (`digonce plan --out`, or a stored schedule); `-` reads
    /// standard input.
    pub schedule: PathBuf,
    /// Coordinate system of the plan's positions.
    #[arg(long, default_value = "wgs84")]
    pub crs: InputCrs,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Why `check` could not judge the schedule (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// Both inputs were asked from standard input.
    #[error("only one of the plan and the schedule can be read from standard input")]
    BothFromStdin,
    /// An input file could not be opened or read.
    #[error("could not read {}", path.display())]
    Read {
        /// The path given (`-` for standard input).
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
    /// The plan is not a valid plan; its problems were printed to standard error.
    #[error("the plan {} is invalid: {problems} problem(s)", path.display())]
    InvalidPlan {
        /// The plan path.
        path: PathBuf,
        /// How many problems were printed.
        problems: usize,
    },
    /// The plan names a clearance profile that is not built in.
    #[error("the plan cannot be analysed")]
    Analysis {
        /// The profile failure.
        #[source]
        source: ProfileError,
    },
    /// The schedule file is not a schedule document.
    #[error("{} is not a schedule document", path.display())]
    NotSchedule {
        /// The schedule path.
        path: PathBuf,
        /// The decoder's error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// The result could not be written.
    #[error("could not write the result")]
    Write {
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
}

/// Opens `path`, or standard input for `-`.
fn open(path: &Path) -> Result<Box<dyn Read>, CheckError> {
    if path.as_os_str() == "-" {
        Ok(Box::new(std::io::stdin().lock()))
    } else {
        std::fs::File::open(path)
            .map(|f| Box::new(f) as Box<dyn Read>)
            .map_err(|source| CheckError::Read {
                path: path.to_owned(),
                source,
            })
    }
}

/// Checks the schedule named by `args` against its plan, writing the verdict to `out`
/// (and an invalid plan's problems to `err`).
///
/// Returns exit code 0 when every rule holds and 1 when some rule is broken.
///
/// # Errors
/// [`CheckError`] (exit code 2) when an input cannot be read, the plan is invalid or cannot
/// be analysed, the schedule is not a schedule document, or the output cannot be written.
pub fn run(
    args: &CheckArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<ExitCode, CheckError> {
    if args.plan.as_os_str() == "-" && args.schedule.as_os_str() == "-" {
        return Err(CheckError::BothFromStdin);
    }
    let plan = match ingest(open(&args.plan)?, &IngestOptions { crs: args.crs }) {
        Ok(plan) => plan,
        Err(IngestError::Invalid(report)) => {
            write_problems(&report, args.format, err)
                .map_err(|source| CheckError::Write { source })?;
            return Err(CheckError::InvalidPlan {
                path: args.plan.clone(),
                problems: report.problems.len(),
            });
        }
        Err(IngestError::Read { source }) => {
            return Err(CheckError::Read {
                path: args.plan.clone(),
                source,
            });
        }
    };
    let mut bytes = Vec::new();
    open(&args.schedule)?
        .read_to_end(&mut bytes)
        .map_err(|source| CheckError::Read {
            path: args.schedule.clone(),
            source,
        })?;
    let schedule =
        ScheduleDocument::from_slice(&bytes).map_err(|source| CheckError::NotSchedule {
            path: args.schedule.clone(),
            source,
        })?;
    let analysis = analyze(&plan, &AnalysisOptions::default())
        .map_err(|source| CheckError::Analysis { source })?;
    let violations = check(&plan, &analysis, &schedule);
    write_verdict(&violations, &schedule, args.format, out)
        .map_err(|source| CheckError::Write { source })?;
    Ok(if violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The rule's wire name (`working_days`).
fn rule_name(violation: &RuleViolation) -> String {
    serde_json::to_value(violation.rule)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Text: one line per violation (`rule [subjects]: message`), or a one-line verdict.
/// JSON: `{"valid": bool, "violations": [...]}`.
fn write_verdict(
    violations: &[RuleViolation],
    schedule: &ScheduleDocument,
    format: Format,
    out: &mut impl Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            json!({"valid": violations.is_empty(), "violations": violations})
        ),
        Format::Text if violations.is_empty() => writeln!(
            out,
            "valid: the schedule keeps every rule of plan \"{}\" ({} activities)",
            schedule.plan.name,
            schedule.activities.len()
        ),
        Format::Text => {
            for v in violations {
                if v.subjects.is_empty() {
                    writeln!(out, "{}: {}", rule_name(v), v.message)?;
                } else {
                    writeln!(
                        out,
                        "{} [{}]: {}",
                        rule_name(v),
                        v.subjects.join(", "),
                        v.message
                    )?;
                }
            }
            Ok(())
        }
    }
}
