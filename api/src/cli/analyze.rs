//! `digonce analyze FILE`: corridors, trenches, crossings, street cuts, moratorium
//! conflicts and compound clusters as GeoJSON or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::ValueEnum;
use geodata::analysis::{AnalysisOptions, ClearanceProfile};
use geodata::crs::InputCrs;

/// Arguments of `digonce analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The plan (GeoJSON FeatureCollection); `-` reads standard input.
    pub file: PathBuf,
    /// Sharing distance in metres (overrides the plan's `share_distance_m`).
    #[arg(long, value_name = "M", value_parser = positive_metres)]
    pub share_distance: Option<f64>,
    /// Minimum shared length in metres (overrides `min_shared_length_m`).
    #[arg(long, value_name = "M", value_parser = positive_metres)]
    pub min_length: Option<f64>,
    /// Clearance profile: a built-in name (`cn-gb50289`, `us-generic`) or a JSON file
    /// path (overrides the plan's `clearance_profile`).
    #[arg(long, value_name = "NAME|FILE")]
    pub profile: Option<String>,
    /// Coordinate system of the input positions (only `wgs84` for now).
    #[arg(long, default_value = "wgs84")]
    pub crs: InputCrs,
    /// Output: the GeoJSON FeatureCollection, the full analysis as JSON, or only its
    /// summary.
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Geojson)]
    pub format: AnalyzeFormat,
}

/// What `analyze` prints.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AnalyzeFormat {
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

/// Analyses the plan and prints the result.
///
/// # Errors
/// When the plan cannot be read or is invalid, or the profile cannot be loaded.
pub fn run(args: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let AnalyzeArgs {
        file,
        share_distance,
        min_length,
        profile,
        crs,
        format,
    } = args;
    let (share_distance, min_length, profile, crs, format) = (
        *share_distance,
        *min_length,
        profile.as_deref(),
        *crs,
        *format,
    );
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
    Ok(ExitCode::SUCCESS)
}
