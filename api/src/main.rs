//! The `digonce` command line and service.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the map page routes are mounted by the HTTP server (server.rs) when it lands"
    )
)]
mod map;

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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { file } => {
            let reader = std::fs::File::open(&file)?;
            geodata::ingest::ingest(reader, &geodata::ingest::IngestOptions::default())?;
            Ok(())
        }
    }
}
