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
}

impl IssueCode {
    /// Every code, in declaration order (for documentation and exhaustive tests).
    pub const ALL: [IssueCode; 28] = [
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
