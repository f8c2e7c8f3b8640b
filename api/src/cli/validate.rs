//! `digonce validate FILE`: check a plan and print every problem.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use geodata::crs::InputCrs;
use geodata::ingest::{IngestError, IngestOptions, ingest};
use geodata::validation::ValidationReport;
use serde_json::json;

/// Output format of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per problem, or a one-line summary.
    Text,
    /// `{"valid": bool, ...}` with every problem.
    Json,
}

/// Arguments of `digonce validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The plan (GeoJSON FeatureCollection); `-` reads standard input.
    pub file: PathBuf,
    /// Coordinate system of the positions (wgs84, cgcs2000, epsg:3857, epsg:4491.., gcj02, bd09).
    #[arg(long, default_value = "wgs84")]
    pub crs: InputCrs,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Why `validate` could not do its job (as opposed to finding the plan invalid).
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// The plan file could not be opened.
    #[error("could not open {}", path.display())]
    Open {
        /// The path given.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
    /// The plan could not be read.
    #[error("could not read the plan")]
    Read {
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
    /// The result could not be written.
    #[error("could not write the result")]
    Write {
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
}

/// Validates the plan named by `args`, writing the result to `out`.
///
/// Returns exit code 0 for a valid plan and 1 for an invalid one.
///
/// # Errors
/// [`ValidateError`] when the file cannot be opened or read, or the output not written.
pub fn run(args: &ValidateArgs, out: &mut impl Write) -> Result<ExitCode, ValidateError> {
    let reader: Box<dyn Read> = if args.file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&args.file).map_err(|source| ValidateError::Open {
                path: args.file.clone(),
                source,
            })?,
        )
    };
    let result = ingest(reader, &IngestOptions { crs: args.crs });
    let write = |source| ValidateError::Write { source };
    match result {
        Ok(plan) => {
            let (c, w, s) = (plan.compounds.len(), plan.works.len(), plan.streets.len());
            match args.format {
                Format::Text => writeln!(
                    out,
                    "valid: plan \"{}\" with {c} compound(s), {w} work(s), {s} street(s)",
                    plan.settings.name
                ),
                Format::Json => writeln!(
                    out,
                    "{}",
                    json!({"valid": true, "name": plan.settings.name, "compounds": c, "works": w, "streets": s})
                ),
            }
            .map_err(write)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(IngestError::Invalid(report)) => {
            write_problems(&report, args.format, out).map_err(write)?;
            Ok(ExitCode::FAILURE)
        }
        Err(IngestError::Read { source }) => Err(ValidateError::Read { source }),
    }
}

/// Writes every problem of an invalid plan: one line each (text), or
/// `{"valid": false, "problems": [...]}` (JSON). `digonce check` prints an invalid plan the
/// same way.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_problems(
    report: &ValidationReport,
    format: Format,
    out: &mut impl Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => {
            for problem in &report.problems {
                writeln!(out, "{problem}")?;
            }
            Ok(())
        }
        Format::Json => writeln!(
            out,
            "{}",
            json!({"valid": false, "problems": report.problems})
        ),
    }
}
