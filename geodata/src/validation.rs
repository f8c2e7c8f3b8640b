//! Validation problems: everything wrong with an upload, reported at once.
//!
//! Each [`Issue`] names a stable [`IssueCode`], the feature (id and index), a JSON
//! pointer into the upload and one plain sentence. Clients key on the code; people read
//! the sentence. Codes never change meaning once released.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable machine-readable kinds of validation problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueCode {
    /// The body is not JSON (carries line and column in the message).
    MalformedJson,
    /// The document is JSON but not a GeoJSON FeatureCollection.
    NotFeatureCollection,
    /// A member has the wrong JSON type.
    WrongType,
    /// A required property is missing.
    MissingProperty,
    /// A property the format does not know (likely a typo).
    UnknownProperty,
    /// Two features share an id.
    DuplicateId,
    /// `kind` is not `compound`, `work` or `street`.
    UnknownKind,
    /// `utility` names no known utility.
    UnknownUtility,
    /// `trade` names no known trade.
    UnknownTrade,
    /// `class` names no renovation class.
    UnknownClass,
    /// `pressure` names no gas pressure class.
    UnknownPressure,
    /// Any other enumerated value out of its set (action, paving, task...).
    UnknownValue,
    /// A number out of its allowed range (negative duration, zero crews...).
    OutOfRange,
    /// The geometry type does not fit the feature kind.
    WrongGeometryType,
    /// A geometry with no coordinates.
    EmptyGeometry,
    /// A coordinate outside the named coordinate system's valid range.
    CoordinateOutOfRange,
    /// A coordinate that is NaN or infinite.
    NonFiniteCoordinate,
    /// A polygon ring whose first and last positions differ.
    UnclosedRing,
    /// A polygon ring with fewer than four positions.
    DegenerateRing,
    /// A polygon whose boundary crosses itself.
    SelfIntersection,
    /// A line of zero length.
    ZeroLengthLine,
    /// A date that is not a real ISO calendar date.
    InvalidDate,
    /// A deadline that falls before the earliest start.
    DeadlineBeforeEarliest,
    /// A reference to a feature id that does not exist.
    UnknownReference,
    /// A coordinate system the service does not know.
    UnknownCrs,
    /// A polygon hole that is not inside its exterior ring.
    HoleOutsideExterior,
    /// Properties that exclude each other are both given (`utility` and `trade`,
    /// `duration_days` and `productivity_m_per_day`), or one does not fit the geometry.
    ConflictingProperties,
    /// More problems were found than a report lists; the message says how many more.
    TooManyProblems,
    /// Import: a source value the mapping's value table does not list (`管线类型` is
    /// `工业`); the origin names the source, layer, record, field and value.
    UnmappedValue,
    /// Import: a source with no coordinate system of its own (DXF, CSV, a Shapefile
    /// without `.prj`) whose positions are not longitude/latitude; name one with `--crs`.
    CrsRequired,
    /// Import: a record whose geometry digonce cannot read (an arc, a multipatch, a
    /// curve).
    UnsupportedGeometry,
    /// A fund that says more was disbursed than allocated.
    DisbursedOverAllocated,
    /// Progress report: an `id` that names no work, compound or activity of the plan.
    UnknownId,
    /// Progress report: `actual_finish` before `actual_start`.
    FinishBeforeStart,
    /// Progress report: a date the status needs is absent (`done` without `actual_finish`,
    /// `in_progress` without `actual_start`).
    MissingDate,
    /// Progress report: an actual date after the row's `reported_on`.
    DateAfterReport,
    /// Progress report: the same `id` twice in one report.
    DuplicateRow,
}

impl IssueCode {
    /// Every code, in declaration order (for documentation and exhaustive tests).
    pub const ALL: [IssueCode; 37] = [
        IssueCode::MalformedJson,
        IssueCode::NotFeatureCollection,
        IssueCode::WrongType,
        IssueCode::MissingProperty,
        IssueCode::UnknownProperty,
        IssueCode::DuplicateId,
        IssueCode::UnknownKind,
        IssueCode::UnknownUtility,
        IssueCode::UnknownTrade,
        IssueCode::UnknownClass,
        IssueCode::UnknownPressure,
        IssueCode::UnknownValue,
        IssueCode::OutOfRange,
        IssueCode::WrongGeometryType,
        IssueCode::EmptyGeometry,
        IssueCode::CoordinateOutOfRange,
        IssueCode::NonFiniteCoordinate,
        IssueCode::UnclosedRing,
        IssueCode::DegenerateRing,
        IssueCode::SelfIntersection,
        IssueCode::ZeroLengthLine,
        IssueCode::InvalidDate,
        IssueCode::DeadlineBeforeEarliest,
        IssueCode::UnknownReference,
        IssueCode::UnknownCrs,
        IssueCode::HoleOutsideExterior,
        IssueCode::ConflictingProperties,
        IssueCode::TooManyProblems,
        IssueCode::UnmappedValue,
        IssueCode::CrsRequired,
        IssueCode::UnsupportedGeometry,
        IssueCode::DisbursedOverAllocated,
        IssueCode::UnknownId,
        IssueCode::FinishBeforeStart,
        IssueCode::MissingDate,
        IssueCode::DateAfterReport,
        IssueCode::DuplicateRow,
    ];

    /// The snake-case code as written in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::MalformedJson => "malformed_json",
            IssueCode::NotFeatureCollection => "not_feature_collection",
            IssueCode::WrongType => "wrong_type",
            IssueCode::MissingProperty => "missing_property",
            IssueCode::UnknownProperty => "unknown_property",
            IssueCode::DuplicateId => "duplicate_id",
            IssueCode::UnknownKind => "unknown_kind",
            IssueCode::UnknownUtility => "unknown_utility",
            IssueCode::UnknownTrade => "unknown_trade",
            IssueCode::UnknownClass => "unknown_class",
            IssueCode::UnknownPressure => "unknown_pressure",
            IssueCode::UnknownValue => "unknown_value",
            IssueCode::OutOfRange => "out_of_range",
            IssueCode::WrongGeometryType => "wrong_geometry_type",
            IssueCode::EmptyGeometry => "empty_geometry",
            IssueCode::CoordinateOutOfRange => "coordinate_out_of_range",
            IssueCode::NonFiniteCoordinate => "non_finite_coordinate",
            IssueCode::UnclosedRing => "unclosed_ring",
            IssueCode::DegenerateRing => "degenerate_ring",
            IssueCode::SelfIntersection => "self_intersection",
            IssueCode::ZeroLengthLine => "zero_length_line",
            IssueCode::InvalidDate => "invalid_date",
            IssueCode::DeadlineBeforeEarliest => "deadline_before_earliest",
            IssueCode::UnknownReference => "unknown_reference",
            IssueCode::UnknownCrs => "unknown_crs",
            IssueCode::HoleOutsideExterior => "hole_outside_exterior",
            IssueCode::ConflictingProperties => "conflicting_properties",
            IssueCode::TooManyProblems => "too_many_problems",
            IssueCode::UnmappedValue => "unmapped_value",
            IssueCode::CrsRequired => "crs_required",
            IssueCode::UnsupportedGeometry => "unsupported_geometry",
            IssueCode::DisbursedOverAllocated => "disbursed_over_allocated",
            IssueCode::UnknownId => "unknown_id",
            IssueCode::FinishBeforeStart => "finish_before_start",
            IssueCode::MissingDate => "missing_date",
            IssueCode::DateAfterReport => "date_after_report",
            IssueCode::DuplicateRow => "duplicate_row",
        }
    }
}

impl fmt::Display for IssueCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// What kind of problem.
    pub code: IssueCode,
    /// `properties.id` of the feature, when it has a readable one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_id: Option<String>,
    /// Zero-based index of the feature in `features`, when the problem is in a feature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_index: Option<usize>,
    /// RFC 6901 JSON pointer to the offending member (`/features/3/properties/utility`).
    pub pointer: String,
    /// One plain sentence saying what is wrong and, where it helps, what is expected.
    pub message: String,
    /// For a plan converted by `digonce import`: the record of the planner's own file the
    /// problem comes from. Absent for GeoJSON uploads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<IssueOrigin>,
}

/// Where in an imported file a problem comes from (`docs/import.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueOrigin {
    /// The source file's name (`survey.zip`, `street-plan.dxf`).
    pub source: String,
    /// The layer in it (Shapefile, GeoPackage table, DXF layer, sheet), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The record's number in the layer, from 1, if the problem is in a record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<usize>,
    /// The source field the value came from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The value as the source holds it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl fmt::Display for IssueOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(layer) = &self.layer {
            write!(f, " layer {layer:?}")?;
        }
        if let Some(record) = self.record {
            write!(f, " record {record}")?;
        }
        if let Some(field) = &self.field {
            write!(f, " field {field:?}")?;
        }
        if let Some(value) = &self.value {
            write!(f, " value {value:?}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        match (&self.feature_id, self.feature_index) {
            (Some(id), Some(i)) => write!(f, " [feature {i} \"{id}\"]")?,
            (None, Some(i)) => write!(f, " [feature {i}]")?,
            (Some(id), None) => write!(f, " [\"{id}\"]")?,
            (None, None) => {}
        }
        if let Some(origin) = &self.origin {
            write!(f, " in {origin}")?;
        }
        write!(f, " at {}: {}", self.pointer, self.message)
    }
}

/// Every problem found in one upload; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("the plan has {} problem(s); first: {}", problems.len(), problems.first().map(ToString::to_string).unwrap_or_default())]
pub struct ValidationReport {
    /// The problems, in document order: at most [`Self::MAX_PROBLEMS`] of them, then
    /// (when more were found) one `too_many_problems` saying how many more.
    pub problems: Vec<Issue>,
}

impl ValidationReport {
    /// The most problems a report of ingestion lists (plus the JSON error that stopped
    /// reading, if any, and the `too_many_problems` count).
    pub const MAX_PROBLEMS: usize = 1_000;
}
