//! Subcommands of the `digonce` binary, one module each.

pub mod analyze;
pub mod check;
pub mod demo;
pub mod export;
pub mod generate;
pub mod heating;
pub mod import;
pub mod plan;
pub mod rcpsp;
pub mod replan;
pub mod report;
pub mod serve;
pub mod validate;
pub mod worker;

/// Reads a plan from `path` (`-` for standard input) in `crs`, printing every problem and
/// a count to standard error when it is invalid (`None`: the command exits with 1).
///
/// # Errors
/// When the file cannot be opened or read.
pub(crate) fn read_plan(
    path: &std::path::Path,
    crs: geodata::crs::InputCrs,
) -> anyhow::Result<Option<geodata::plan::Plan>> {
    use anyhow::Context as _;
    use geodata::ingest::{IngestError, IngestOptions, ingest};
    let reader: Box<dyn std::io::Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?,
        )
    };
    match ingest(reader, &IngestOptions { crs }) {
        Ok(plan) => Ok(Some(plan)),
        Err(IngestError::Invalid(report)) => {
            for problem in &report.problems {
                eprintln!("{problem}");
            }
            eprintln!("the plan is invalid: {} problem(s)", report.problems.len());
            Ok(None)
        }
        Err(IngestError::Read { source }) => {
            Err(source).with_context(|| format!("cannot read {}", path.display()))
        }
    }
}
