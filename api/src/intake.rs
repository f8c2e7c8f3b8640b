//! Plan intake: from an upload's bytes to what the store keeps, via `geodata::ingest`
//! (GeoJSON in the plan format) or `geodata::import` (Shapefile, GeoPackage, DXF, CSV,
//! XLSX through a mapping, `docs/import.md`).
//!
//! [`PlanValidator`] is the seam between HTTP and validation. The service uses
//! [`GeodataValidator`] (the real `geodata::ingest`); it is a trait so the HTTP layer can
//! be tested on its own.

use std::collections::BTreeMap;

use geo::InteriorPoint;
use geodata::crs::InputCrs;
use geodata::import::mapping::{Mapping, MappingError};
use geodata::import::{ImportError, ImportOptions, ImportSummary, Source, SourceFormat};
use geodata::ingest::{IngestError, IngestOptions};
use geodata::plan::Plan;
use geodata::validation::{Issue, IssueCode, ValidationReport};

use crate::storage::{PlanSummary, WorkLocation};

/// What the store keeps about a valid upload besides its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedPlan {
    /// The plan's name.
    pub name: String,
    /// Counts.
    pub summary: PlanSummary,
    /// Representative WGS84 point of each work.
    pub locations: BTreeMap<String, WorkLocation>,
}

impl ValidatedPlan {
    /// Summarises a validated plan.
    #[must_use]
    pub fn from_plan(plan: &Plan) -> Self {
        let locations = plan
            .works
            .iter()
            .filter_map(|work| {
                let point = work.shape.wgs84.interior_point()?;
                Some((
                    work.id.clone(),
                    WorkLocation {
                        lon: point.x(),
                        lat: point.y(),
                    },
                ))
            })
            .collect();
        Self {
            name: plan.settings.name.clone(),
            summary: PlanSummary {
                compounds: plan.compounds.len(),
                works: plan.works.len(),
                streets: plan.streets.len(),
            },
            locations,
        }
    }
}

/// An upload in another format than the plan GeoJSON, and how to convert it.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The upload's format.
    pub format: SourceFormat,
    /// The file name the client gave, if any (for reports and the plan's default name).
    pub file_name: Option<String>,
    /// The mapping to convert with.
    pub mapping: Mapping,
    /// The system of layers that declare none.
    pub crs: Option<InputCrs>,
    /// Plan settings over the mapping's (`name`, `start` ...).
    pub settings: serde_json::Map<String, serde_json::Value>,
}

/// A converted upload.
#[derive(Debug, Clone)]
pub struct ImportedUpload {
    /// The plan GeoJSON (WGS84) the store keeps as the version's body.
    pub geojson: Vec<u8>,
    /// What the store keeps about it.
    pub valid: ValidatedPlan,
    /// What happened to each layer.
    pub summary: ImportSummary,
}

/// Validates uploads.
pub trait PlanValidator: Send + Sync + 'static {
    /// Validates an upload written in `crs`.
    ///
    /// # Errors
    /// [`IngestError::Invalid`] with every problem; [`IngestError::Read`] on I/O failure.
    fn validate(&self, body: &[u8], crs: InputCrs) -> Result<ValidatedPlan, IngestError>;

    /// Converts and validates an upload in another format (`docs/import.md`).
    ///
    /// # Errors
    /// [`ImportError::Invalid`] with every problem; [`ImportError::Read`] when the upload
    /// cannot be read as its format.
    fn import(
        &self,
        body: Vec<u8>,
        request: &ImportRequest,
    ) -> Result<ImportedUpload, ImportError> {
        let name = request
            .file_name
            .clone()
            .unwrap_or_else(|| format!("upload.{}", request.format.as_str()));
        let default_name = std::path::Path::new(&name).file_stem().map_or_else(
            || "Imported plan".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
        let options = ImportOptions {
            crs: request.crs,
            settings: request.settings.clone(),
            default_name,
            default_start: chrono::Utc::now().date_naive(),
        };
        let imported = geodata::import::import(
            &[Source::new(name, request.format, body)],
            &request.mapping,
            &options,
        )?;
        Ok(ImportedUpload {
            valid: ValidatedPlan::from_plan(&imported.plan),
            geojson: imported.geojson,
            summary: imported.summary,
        })
    }
}

/// The mapping an upload names: a preset (`cn-survey`, `digonce`) or a mapping written
/// inline as JSON (`{...}`).
///
/// # Errors
/// [`MappingError`] for an unknown preset or an invalid mapping.
pub fn mapping(spec: &str) -> Result<Mapping, MappingError> {
    if spec.trim_start().starts_with('{') {
        Mapping::parse(spec)
    } else {
        Mapping::preset(spec)
    }
}

/// The file name in a `Content-Disposition` header (`filename*=UTF-8''...` first, then
/// `filename="..."`), without any directory.
#[must_use]
pub fn disposition_file_name(header: &str) -> Option<String> {
    let mut plain = None;
    for part in header.split(';').map(str::trim) {
        if let Some(value) = part.strip_prefix("filename*=") {
            let encoded = value.split_once("''").map_or(value, |(_, v)| v);
            if let Some(decoded) = percent_decode(encoded) {
                return Some(base_name(&decoded));
            }
        } else if let Some(value) = part.strip_prefix("filename=") {
            plain = Some(base_name(value.trim_matches('"')));
        }
    }
    plain.filter(|n| !n.is_empty())
}

fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_owned()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The real validator: `geodata::ingest`.
#[derive(Debug, Clone, Copy, Default)]
pub struct GeodataValidator;

impl PlanValidator for GeodataValidator {
    fn validate(&self, body: &[u8], crs: InputCrs) -> Result<ValidatedPlan, IngestError> {
        let plan = geodata::ingest::ingest(body, &IngestOptions { crs })?;
        Ok(ValidatedPlan::from_plan(&plan))
    }
}

/// Reads a `?crs=` value (case-insensitive names of `docs/input-format.md#coordinates`).
///
/// # Errors
/// A one-problem [`ValidationReport`] with code `unknown_crs`.
pub fn parse_crs(name: &str) -> Result<InputCrs, ValidationReport> {
    name.trim()
        .parse()
        .map_err(|error: geodata::crs::CrsParseError| ValidationReport {
            problems: vec![Issue {
                code: IssueCode::UnknownCrs,
                feature_id: None,
                feature_index: None,
                pointer: String::new(),
                message: error.to_string(),
                origin: None,
            }],
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_content_disposition() {
        assert_eq!(
            disposition_file_name("attachment; filename=\"survey.zip\"").as_deref(),
            Some("survey.zip")
        );
        assert_eq!(
            disposition_file_name(
                "attachment; filename=\"x.zip\"; filename*=UTF-8''%E7%AE%A1%E7%BA%BF.zip"
            )
            .as_deref(),
            Some("管线.zip")
        );
        assert_eq!(
            disposition_file_name("attachment; filename=\"C:\\data\\a.dxf\"").as_deref(),
            Some("a.dxf")
        );
        assert_eq!(disposition_file_name("inline"), None);
    }

    #[test]
    fn mappings_are_presets_or_inline_json() {
        assert_eq!(mapping("cn-survey").expect("preset").name, "cn-survey");
        let inline = mapping(r#"{"name": "mine", "layers": [{"kind": "skip"}]}"#).expect("inline");
        assert_eq!(inline.name, "mine");
        assert!(mapping("nope").is_err());
    }

    #[test]
    fn crs_names_are_case_insensitive_and_zones_are_checked() {
        assert_eq!(parse_crs("GCJ02").expect("known"), InputCrs::Gcj02);
        assert_eq!(
            parse_crs("EPSG:4527").expect("known"),
            InputCrs::GaussKruger { epsg: 4527 }
        );
        let report = parse_crs("epsg:4502").expect_err("not a zone");
        assert_eq!(report.problems[0].code, IssueCode::UnknownCrs);
    }
}
