//! `digonce import SOURCE... --out plan.geojson`: Shapefiles, GeoPackages, DXF drawings,
//! CSV/XLSX tables and GeoJSON through a mapping into one validated plan
//! (`docs/import.md`).

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use geodata::crs::InputCrs;
use geodata::import::mapping::Mapping;
use geodata::import::{ImportError, ImportOptions, ImportSummary, Source, import};
use serde_json::{Map, Value, json};

use super::validate::Format;

/// Arguments of `digonce import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Files to import and merge: `.shp` (with its `.dbf`, `.prj`, `.cpg`), `.zip`,
    /// `.gpkg`, `.dxf`, `.csv`, `.xlsx`, `.geojson`.
    #[arg(required_unless_present = "print_mapping")]
    pub sources: Vec<PathBuf>,
    /// A mapping file (TOML or JSON) or a built-in mapping: `cn-survey` (the default) or
    /// `digonce`.
    #[arg(long, default_value = "cn-survey")]
    pub mapping: String,
    /// Coordinate system of layers that declare none (DXF, CSV, a Shapefile without
    /// `.prj`): wgs84, cgcs2000, epsg:3857, epsg:4491..4501, epsg:4513..4533, gcj02, bd09.
    #[arg(long)]
    pub crs: Option<InputCrs>,
    /// Plan settings: a JSON object of the `"plan"` member, or a plan GeoJSON whose
    /// `"plan"` member is taken.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// Where to write the plan GeoJSON; standard output when absent.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// How to print problems and the summary.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print a built-in mapping (to start a mapping file from) and exit.
    #[arg(long, value_name = "PRESET")]
    pub print_mapping: Option<String>,
}

/// Reads the mapping named on the command line: a file when one exists at that path,
/// else a preset.
///
/// # Errors
/// When the file cannot be read or the mapping is not valid.
pub fn load_mapping(name: &str) -> anyhow::Result<Mapping> {
    let path = Path::new(name);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the mapping {}", path.display()))?;
        return Mapping::parse(&text).with_context(|| format!("mapping {}", path.display()));
    }
    Ok(Mapping::preset(name)?)
}

/// Reads `--plan`: a settings object, or a FeatureCollection's `"plan"` member.
fn load_settings(path: &Path) -> anyhow::Result<Map<String, Value>> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let value: Value =
        serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let settings = if value.get("type").and_then(Value::as_str) == Some("FeatureCollection") {
        value.get("plan").cloned().unwrap_or(Value::Null)
    } else {
        value
    };
    match settings {
        Value::Object(map) => Ok(map),
        _ => bail!(
            "{} holds no plan settings: expected a JSON object or a FeatureCollection with a \"plan\" member",
            path.display()
        ),
    }
}

/// One line per layer: what was read, what became of it.
fn summary_lines(summary: &ImportSummary) -> Vec<String> {
    summary
        .layers
        .iter()
        .map(|l| {
            let place = if l.source.ends_with(&format!("{}.shp", l.layer))
                || l.source.ends_with(&format!("{}.csv", l.layer))
            {
                l.source.clone()
            } else {
                format!("{} layer {:?}", l.source, l.layer)
            };
            let mut line = match &l.rule {
                None => format!(
                    "{place}: {} record(s) passed over: no mapping rule takes this layer",
                    l.records
                ),
                Some(rule) => format!(
                    "{place} ({}{}): {} record(s), {} imported, {} skipped [{rule}]",
                    l.format,
                    l.crs
                        .as_deref()
                        .map(|c| format!(", {c}"))
                        .unwrap_or_default(),
                    l.records,
                    l.imported,
                    l.skipped
                ),
            };
            if !l.defaulted.is_empty() {
                let defaults: Vec<String> = l
                    .defaulted
                    .iter()
                    .map(|(p, n)| format!("{p} x{n}"))
                    .collect();
                let _ = write!(line, "; filled by the mapping: {}", defaults.join(", "));
            }
            if !l.passed_over.is_empty() {
                let kinds: Vec<String> = l
                    .passed_over
                    .iter()
                    .map(|(k, n)| format!("{k} x{n}"))
                    .collect();
                let _ = write!(line, "; not imported: {}", kinds.join(", "));
            }
            line
        })
        .collect()
}

/// Imports the sources and writes the plan; the summary goes to standard error.
///
/// # Errors
/// When a file or the mapping cannot be read or the output cannot be written. Records
/// that do not map and an invalid plan are not errors: the problems are printed and the
/// exit code is 1.
pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    if let Some(name) = &args.print_mapping {
        let text = Mapping::preset_text(name).with_context(|| {
            format!(
                "no built-in mapping is called {name:?}; the presets are {}",
                Mapping::preset_names().join(", ")
            )
        })?;
        std::io::stdout().lock().write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mapping = load_mapping(&args.mapping)?;
    let sources = args
        .sources
        .iter()
        .map(|p| Source::from_path(p))
        .collect::<Result<Vec<_>, _>>()?;
    let settings = args
        .plan
        .as_deref()
        .map(load_settings)
        .transpose()?
        .unwrap_or_default();
    let default_name = args
        .sources
        .first()
        .and_then(|p| p.file_stem())
        .map_or_else(
            || "Imported plan".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
    let options = ImportOptions {
        crs: args.crs,
        settings,
        default_name,
        default_start: chrono::Local::now().date_naive(),
    };
    let mut stdout = std::io::stdout().lock();
    match import(&sources, &mapping, &options) {
        Ok(imported) => {
            for line in summary_lines(&imported.summary) {
                eprintln!("{line}");
            }
            let plan = &imported.plan;
            eprintln!(
                "imported: plan {:?} with {} compound(s), {} work(s), {} street(s) (mapping {})",
                plan.settings.name,
                plan.compounds.len(),
                plan.works.len(),
                plan.streets.len(),
                mapping.name
            );
            match &args.out {
                Some(path) => std::fs::write(path, &imported.geojson)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => stdout.write_all(&imported.geojson)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Invalid { failure }) => {
            match args.format {
                Format::Text => {
                    for line in summary_lines(&failure.summary) {
                        eprintln!("{line}");
                    }
                    for problem in &failure.report.problems {
                        writeln!(stdout, "{problem}")?;
                    }
                    eprintln!(
                        "the import has {} problem(s); nothing was written",
                        failure.report.problems.len()
                    );
                }
                Format::Json => writeln!(
                    stdout,
                    "{}",
                    json!({"valid": false, "problems": failure.report.problems, "summary": failure.summary})
                )?,
            }
            Ok(ExitCode::FAILURE)
        }
        Err(other) => Err(other.into()),
    }
}
