//! The `digonce` command line and service.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use geodata::analysis::{AnalysisOptions, ClearanceProfile};
use geodata::crs::InputCrs;

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
    /// Find shared-trench corridors, crossings, street cuts, moratorium conflicts and
    /// compound clusters in a plan; print them as GeoJSON or JSON.
    Analyze {
        /// The plan (GeoJSON FeatureCollection); `-` reads standard input.
        file: PathBuf,
        /// Sharing distance in metres (overrides the plan's `share_distance_m`).
        #[arg(long, value_name = "M", value_parser = positive_metres)]
        share_distance: Option<f64>,
        /// Minimum shared length in metres (overrides `min_shared_length_m`).
        #[arg(long, value_name = "M", value_parser = positive_metres)]
        min_length: Option<f64>,
        /// Clearance profile: a built-in name (`cn-gb50289`, `us-generic`) or a JSON file
        /// path (overrides the plan's `clearance_profile`).
        #[arg(long, value_name = "NAME|FILE")]
        profile: Option<String>,
        /// Coordinate system of the input positions (only `wgs84` for now).
        #[arg(long, default_value = "wgs84", value_parser = input_crs)]
        crs: InputCrs,
        /// Output: the GeoJSON FeatureCollection, the full analysis as JSON, or only its
        /// summary.
        #[arg(long, value_enum, default_value_t = AnalyzeFormat::Geojson)]
        format: AnalyzeFormat,
    },
}

/// What `analyze` prints.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum AnalyzeFormat {
    /// RFC 7946 FeatureCollection with a `summary` member.
    Geojson,
    /// The typed analysis (corridors, trenches, cuts, conflicts, clusters, summary).
    Json,
    /// Only the summary counts and totals.
    Summary,
}

/// Parses a strictly positive, finite number of metres.
fn positive_metres(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(v) => Err(format!("{v} is not a positive number of metres")),
        Err(e) => Err(format!("`{text}` is not a number: {e}")),
    }
}

/// Parses `--crs`. Only WGS84 names until `InputCrs` gets a `FromStr` (issue 2).
fn input_crs(text: &str) -> Result<InputCrs, String> {
    match text.to_ascii_lowercase().as_str() {
        "wgs84" | "epsg:4326" | "crs84" => Ok(InputCrs::Wgs84),
        other => Err(format!(
            "coordinate system `{other}` is not supported by `analyze` yet (use wgs84)"
        )),
    }
}

/// Loads the profile named by `--profile`: a built-in name, else a file path.
fn load_profile(spec: &str) -> anyhow::Result<ClearanceProfile> {
    if geodata::analysis::clearance::BUILT_IN_PROFILES.contains(&spec) {
        return Ok(ClearanceProfile::built_in(spec)?);
    }
    let path = std::path::Path::new(spec);
    if path.exists() {
        return Ok(ClearanceProfile::from_file(path)?);
    }
    Ok(ClearanceProfile::built_in(spec)?)
}

fn analyze(
    file: &std::path::Path,
    share_distance: Option<f64>,
    min_length: Option<f64>,
    profile: Option<&str>,
    crs: InputCrs,
    format: AnalyzeFormat,
) -> anyhow::Result<()> {
    let options = geodata::ingest::IngestOptions { crs };
    let mut plan = if file.as_os_str() == "-" {
        geodata::ingest::ingest(std::io::stdin().lock(), &options)?
    } else {
        let reader =
            std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
        geodata::ingest::ingest(std::io::BufReader::new(reader), &options)?
    };
    if let Some(d) = share_distance {
        plan.settings.share_distance_m = d;
    }
    if let Some(l) = min_length {
        plan.settings.min_shared_length_m = l;
    }
    let profile = load_profile(profile.unwrap_or(&plan.settings.clearance_profile))?;
    let analysis = geodata::analysis::analyze_with(&plan, &profile, &AnalysisOptions::default());
    let out = std::io::stdout().lock();
    match format {
        AnalyzeFormat::Geojson => {
            serde_json::to_writer(out, &geodata::analysis::feature_collection(&analysis))?;
        }
        AnalyzeFormat::Json => serde_json::to_writer_pretty(out, &analysis)?,
        AnalyzeFormat::Summary => serde_json::to_writer_pretty(out, &analysis.summary)?,
    }
    println!();
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { file } => {
            let reader = std::fs::File::open(&file)?;
            geodata::ingest::ingest(reader, &geodata::ingest::IngestOptions::default())?;
            Ok(())
        }
        Command::Analyze {
            file,
            share_distance,
            min_length,
            profile,
            crs,
            format,
        } => analyze(
            &file,
            share_distance,
            min_length,
            profile.as_deref(),
            crs,
            format,
        ),
    }
}
