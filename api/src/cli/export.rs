//! `digonce export PLAN SCHEDULE --format gpkg --out FILE`: the schedule and its plan as
//! one GeoPackage (a layer per kind, `start`/`end` dates for QGIS's temporal controller)
//! or as the overlay GeoJSON of `docs/http-api.md#map-overlay`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use geodata::analysis::{AnalysisOptions, analyze};
use geodata::crs::InputCrs;
use optimizer::city::document::ScheduleDocument;

use api::export::gpkg;
use api::overlay::filter::Filter;
use api::overlay::geometry::OutputCrs;
use api::overlay::{Overlay, OverlaySource};

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// One GeoPackage, a layer per kind (QGIS, ArcGIS, GDAL).
    Gpkg,
    /// The map overlay as one GeoJSON FeatureCollection.
    Geojson,
}

/// Arguments of `digonce export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The plan the schedule was computed from (GeoJSON).
    pub plan: PathBuf,
    /// The schedule document (`digonce plan --out`).
    pub schedule: PathBuf,
    /// What to write.
    #[arg(long, value_enum, default_value_t = ExportFormat::Gpkg)]
    pub format: ExportFormat,
    /// Where to write it.
    #[arg(long)]
    pub out: PathBuf,
    /// Coordinate system of the output: wgs84 (default), cgcs2000, epsg:3857 or a
    /// Gauss-Krüger zone for a GeoPackage; wgs84 or gcj02 for GeoJSON.
    #[arg(long, default_value = "wgs84")]
    pub crs: InputCrs,
    /// Coordinate system the plan file is written in.
    #[arg(long, default_value = "wgs84")]
    pub plan_crs: InputCrs,
    /// The day `status` is given on (YYYY-MM-DD); today when absent.
    #[arg(long)]
    pub status_on: Option<chrono::NaiveDate>,
}

/// Writes the export; a summary goes to standard error.
///
/// # Errors
/// When a file cannot be read or written, the schedule is not a schedule document, or
/// positions cannot be written in `--crs`. An invalid plan exits with 1.
pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let clock = std::time::Instant::now();
    let Some(plan) = super::read_plan(&args.plan, args.plan_crs)? else {
        return Ok(ExitCode::from(1));
    };
    let bytes = std::fs::read(&args.schedule)
        .with_context(|| format!("cannot read {}", args.schedule.display()))?;
    let document = ScheduleDocument::from_slice(&bytes)
        .with_context(|| format!("{} is not a schedule document", args.schedule.display()))?;
    let analysis = analyze(&plan, &AnalysisOptions::default())?;
    let stem = |p: &PathBuf| {
        p.file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
    };
    let plan_id = stem(&args.plan);
    let schedule_id = stem(&args.schedule);
    let overlay = Overlay::build(&OverlaySource {
        plan_id: &plan_id,
        plan_version: 1,
        plan: &plan,
        analysis: &analysis,
        schedule: Some((schedule_id.as_str(), &document)),
    })?;
    let built = clock.elapsed();
    let filter = Filter::on(
        args.status_on
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
    );
    let out = match args.format {
        ExportFormat::Gpkg => gpkg::write(&overlay, &filter, args.crs)?,
        ExportFormat::Geojson => {
            let crs = OutputCrs::parse(&args.crs.to_string()).with_context(|| {
                format!("GeoJSON is written in wgs84 or gcj02, not {}", args.crs)
            })?;
            serde_json::to_vec(&overlay.to_geojson(&filter, crs))?
        }
    };
    std::fs::write(&args.out, &out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "wrote {} ({} bytes): {} features of plan {:?} with schedule {schedule_id}; \
         plan, analysis and overlay {:.2} s, writing {:.2} s",
        args.out.display(),
        out.len(),
        overlay.features.len(),
        plan.settings.name,
        built.as_secs_f64(),
        clock.elapsed().saturating_sub(built).as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
