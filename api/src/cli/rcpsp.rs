//! `digonce rcpsp`: a PSPLIB instance through the same search that plans cities.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use optimizer::engine::SearchOptions;
use optimizer::engine::{SolveOptions, solve};

/// Arguments of `digonce rcpsp`.
#[derive(Debug, clap::Args)]
pub struct RcpspArgs {
    /// The instance (`.sm`).
    pub file: PathBuf,
    /// Search time limit in seconds.
    #[arg(long, default_value_t = 1.0)]
    pub time_limit: f64,
}

/// Solves the instance and prints `makespan=N lower_bound=M seconds=T` then the starts of
/// every job in file order.
///
/// # Errors
/// When the file cannot be read or parsed, or the limit is not a duration.
pub fn run(args: &RcpspArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let problem = optimizer::benchmark::psplib::parse(&text)
        .with_context(|| format!("cannot parse {}", args.file.display()))?;
    let limit = Duration::try_from_secs_f64(args.time_limit)
        .with_context(|| format!("bad --time-limit {}", args.time_limit))?;
    let clock = Instant::now();
    let options = SolveOptions {
        search: SearchOptions {
            time_limit: limit,
            ..SearchOptions::default()
        },
        ..SolveOptions::default()
    };
    let schedule = solve(&problem, &options)?;
    let starts: Vec<String> = schedule.starts.iter().map(ToString::to_string).collect();
    println!(
        "makespan={} lower_bound={} seconds={:.3}",
        schedule.makespan(),
        schedule.bound.best(),
        clock.elapsed().as_secs_f64()
    );
    println!("starts={}", starts.join(","));
    Ok(ExitCode::SUCCESS)
}
