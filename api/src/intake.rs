//! Plan intake: from an upload's bytes to what the store keeps, via `geodata::ingest`.
//!
//! [`PlanValidator`] is the seam between HTTP and validation. The service uses
//! [`GeodataValidator`] (the real `geodata::ingest`); it is a trait so the HTTP layer can
//! be tested on its own.

use std::collections::BTreeMap;

use geo::InteriorPoint;
use geodata::crs::InputCrs;
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

/// Validates uploads.
pub trait PlanValidator: Send + Sync + 'static {
    /// Validates an upload written in `crs`.
    ///
    /// # Errors
    /// [`IngestError::Invalid`] with every problem; [`IngestError::Read`] on I/O failure.
    fn validate(&self, body: &[u8], crs: InputCrs) -> Result<ValidatedPlan, IngestError>;
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
            }],
        })
}

#[cfg(test)]
mod tests {
    use super::*;

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
