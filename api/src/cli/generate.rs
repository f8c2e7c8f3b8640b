//! `digonce generate`: a synthetic city for benchmarks, tests and demos.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use geodata::crs::InputCrs;
use geodata::export::{ExportOptions, write_plan};
use geodata::synthetic::{CityConfig, generate, progress};

/// Arguments of `digonce generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Number of compounds.
    #[arg(long, default_value_t = 2000)]
    pub compounds: usize,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Villages around the city to convert to clean heating, with the substations that
    /// feed them and the existing gas mains (`docs/heating.md`); none by default.
    #[arg(long, default_value_t = 0)]
    pub villages: usize,
    /// Output file; standard output when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Coordinate system of the written positions (`wgs84`, or `gcj02` for Chinese web
    /// basemaps).
    #[arg(long, default_value = "wgs84")]
    pub crs: InputCrs,
    /// Also write a realistic progress report as of this date beside the city
    /// (`<out>.progress.csv`; needs `--out`): planned spans estimated from the plan, some
    /// owners late, some districts ahead, a few rows missing.
    #[arg(long, requires = "out")]
    pub progress_as_of: Option<chrono::NaiveDate>,
}

/// Writes the city.
///
/// # Errors
/// When the output cannot be created or written.
pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let config = CityConfig {
        villages: args.villages,
        ..CityConfig::new(args.compounds, args.seed)
    };
    let plan = generate(&config);
    let options = ExportOptions { crs: args.crs };
    match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            write_plan(&plan, std::io::BufWriter::new(file), &options)?;
            if let Some(as_of) = args.progress_as_of {
                let spans = progress::estimated_spans(&plan, args.seed);
                let rows = progress::progress(&plan, &spans, as_of, args.seed);
                let beside = path.with_extension("progress.csv");
                std::fs::write(&beside, geodata::progress::to_csv(&rows))
                    .with_context(|| format!("cannot write {}", beside.display()))?;
                eprintln!(
                    "{} progress rows as of {as_of} in {}",
                    rows.len(),
                    beside.display()
                );
            }
        }
        None => write_plan(&plan, std::io::stdout().lock(), &options)?,
    }
    Ok(ExitCode::SUCCESS)
}
