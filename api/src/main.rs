//! The `digonce` command line and service.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

/// digonce: dig-once planning of urban renewal works.
#[derive(Debug, Parser)]
#[command(name = "digonce", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a plan file and print every problem.
    Validate {
        /// The plan (GeoJSON FeatureCollection); `-` reads standard input.
        file: PathBuf,
    },
    /// Write a synthetic city plan (a valid GeoJSON FeatureCollection, about ten works
    /// per compound) for benchmarks, tests and demos. Same seed, same bytes.
    Generate {
        /// Number of compounds.
        #[arg(long, default_value_t = 2000)]
        compounds: usize,
        /// Seed of every random choice.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output file; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Coordinate system of the written positions (`wgs84`, or `gcj02` for Chinese
        /// web basemaps).
        #[arg(long, default_value = "wgs84")]
        crs: geodata::crs::InputCrs,
    },
    /// Solve a PSPLIB single-mode RCPSP instance with the schedule engine.
    Rcpsp {
        /// The instance (`.sm`).
        file: PathBuf,
        /// Search time limit in seconds.
        #[arg(long, default_value_t = 1.0)]
        time_limit: f64,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { file } => {
            let reader = std::fs::File::open(&file)?;
            geodata::ingest::ingest(reader, &geodata::ingest::IngestOptions::default())?;
            Ok(())
        }
        Command::Generate {
            compounds,
            seed,
            out,
            crs,
        } => {
            let plan =
                geodata::synthetic::generate(&geodata::synthetic::CityConfig::new(compounds, seed));
            let options = geodata::export::ExportOptions { crs };
            match out {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    geodata::export::write_plan(&plan, file, &options)?;
                }
                None => geodata::export::write_plan(&plan, std::io::stdout().lock(), &options)?,
            }
            Ok(())
        }
        Command::Rcpsp { file, time_limit } => rcpsp(&file, time_limit),
    }
}

/// Solves a PSPLIB instance and prints `makespan=N lower_bound=M seconds=T` then the
/// starts of every job in file order.
fn rcpsp(file: &std::path::Path, time_limit: f64) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let problem = optimizer::psplib::parse(&text)
        .with_context(|| format!("cannot parse {}", file.display()))?;
    let limit = std::time::Duration::try_from_secs_f64(time_limit)
        .with_context(|| format!("bad --time-limit {time_limit}"))?;
    let clock = std::time::Instant::now();
    let options = optimizer::solve::SolveOptions {
        search: optimizer::search::SearchOptions {
            time_limit: limit,
            ..optimizer::search::SearchOptions::default()
        },
        ..optimizer::solve::SolveOptions::default()
    };
    let schedule = optimizer::solve::solve(&problem, &options)?;
    let starts: Vec<String> = schedule.starts.iter().map(ToString::to_string).collect();
    println!(
        "makespan={} lower_bound={} seconds={:.3}",
        schedule.makespan(),
        schedule.bound.best(),
        clock.elapsed().as_secs_f64()
    );
    println!("starts={}", starts.join(","));
    Ok(())
}
