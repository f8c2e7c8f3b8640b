//! Validation problems: everything wrong with an upload, reported at once.
//!
//! Each [`Problem`] names a stable [`ProblemCode`], the feature (id and index), a JSON
//! pointer into the upload and one plain sentence. Clients key on the code; people read
//! the sentence. Codes never change meaning once released.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable machine-readable kinds of validation problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
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
}

impl ProblemCode {
    /// Every code, in declaration order (for documentation and exhaustive tests).
    pub const ALL: [ProblemCode; 27] = [
        ProblemCode::MalformedJson,
        ProblemCode::NotFeatureCollection,
        ProblemCode::WrongType,
        ProblemCode::MissingProperty,
        ProblemCode::UnknownProperty,
        ProblemCode::DuplicateId,
        ProblemCode::UnknownKind,
        ProblemCode::UnknownUtility,
        ProblemCode::UnknownTrade,
        ProblemCode::UnknownClass,
        ProblemCode::UnknownPressure,
        ProblemCode::UnknownValue,
        ProblemCode::OutOfRange,
        ProblemCode::WrongGeometryType,
        ProblemCode::EmptyGeometry,
        ProblemCode::CoordinateOutOfRange,
        ProblemCode::NonFiniteCoordinate,
        ProblemCode::UnclosedRing,
        ProblemCode::DegenerateRing,
        ProblemCode::SelfIntersection,
        ProblemCode::ZeroLengthLine,
        ProblemCode::InvalidDate,
        ProblemCode::DeadlineBeforeEarliest,
        ProblemCode::UnknownReference,
        ProblemCode::UnknownCrs,
        ProblemCode::HoleOutsideExterior,
        ProblemCode::ConflictingProperties,
    ];

    /// The snake-case code as written in reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::MalformedJson => "malformed_json",
            ProblemCode::NotFeatureCollection => "not_feature_collection",
            ProblemCode::WrongType => "wrong_type",
            ProblemCode::MissingProperty => "missing_property",
            ProblemCode::UnknownProperty => "unknown_property",
            ProblemCode::DuplicateId => "duplicate_id",
            ProblemCode::UnknownKind => "unknown_kind",
            ProblemCode::UnknownUtility => "unknown_utility",
            ProblemCode::UnknownTrade => "unknown_trade",
            ProblemCode::UnknownClass => "unknown_class",
            ProblemCode::UnknownPressure => "unknown_pressure",
            ProblemCode::UnknownValue => "unknown_value",
            ProblemCode::OutOfRange => "out_of_range",
            ProblemCode::WrongGeometryType => "wrong_geometry_type",
            ProblemCode::EmptyGeometry => "empty_geometry",
            ProblemCode::CoordinateOutOfRange => "coordinate_out_of_range",
            ProblemCode::NonFiniteCoordinate => "non_finite_coordinate",
            ProblemCode::UnclosedRing => "unclosed_ring",
            ProblemCode::DegenerateRing => "degenerate_ring",
            ProblemCode::SelfIntersection => "self_intersection",
            ProblemCode::ZeroLengthLine => "zero_length_line",
            ProblemCode::InvalidDate => "invalid_date",
            ProblemCode::DeadlineBeforeEarliest => "deadline_before_earliest",
            ProblemCode::UnknownReference => "unknown_reference",
            ProblemCode::UnknownCrs => "unknown_crs",
            ProblemCode::HoleOutsideExterior => "hole_outside_exterior",
            ProblemCode::ConflictingProperties => "conflicting_properties",
        }
    }
}

impl fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// What kind of problem.
    pub code: ProblemCode,
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
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        match (&self.feature_id, self.feature_index) {
            (Some(id), Some(i)) => write!(f, " [feature {i} \"{id}\"]")?,
            (None, Some(i)) => write!(f, " [feature {i}]")?,
            (Some(id), None) => write!(f, " [\"{id}\"]")?,
            (None, None) => {}
        }
        write!(f, " at {}: {}", self.pointer, self.message)
    }
}

/// Every problem found in one upload; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("the plan has {} problem(s); first: {}", problems.len(), problems.first().map(ToString::to_string).unwrap_or_default())]
pub struct ValidationReport {
    /// The problems, in document order.
    pub problems: Vec<Problem>,
}
