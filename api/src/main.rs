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
    }
}
