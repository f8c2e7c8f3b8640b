//! Every problem code has a failing fixture, and every valid fixture and example ingests.
//!
//! Fixtures live in `geodata/tests/fixtures/invalid/<code>[--variant].geojson`; each is a small
//! valid plan with exactly one thing broken. The table below says which problem must be
//! reported for which feature at which JSON pointer. The `out_of_range--*` variants cover
//! every maximum of `docs/input-format.md`, one property each.

use std::fs::File;
use std::path::{Path, PathBuf};

use geo::{CoordsIter, Euclidean, Length};
use geodata::ingest::{IngestError, IngestOptions, ingest};
use geodata::plan::{Discipline, Duration, Plan, Utility};
use geodata::validation::{Issue, IssueCode, ValidationReport};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn ingest_file(path: &Path) -> Result<Plan, IngestError> {
    let file = File::open(path).expect("fixture exists");
    ingest(file, &IngestOptions::default())
}

fn problems_of(path: &Path) -> Vec<Issue> {
    match ingest_file(path) {
        Ok(_) => panic!("{} should be invalid", path.display()),
        Err(IngestError::Invalid(report)) => report.problems,
        Err(other) => panic!("{}: unexpected error {other}", path.display()),
    }
}

/// (fixture stem, expected code, expected feature id, expected pointer)
const EXPECTED: &[(&str, IssueCode, Option<&str>, &str)] = &[
    (
        "malformed_json",
        IssueCode::MalformedJson,
        None,
        "/features/1",
    ),
    (
        "not_feature_collection",
        IssueCode::NotFeatureCollection,
        None,
        "/type",
    ),
    (
        "wrong_type",
        IssueCode::WrongType,
        Some("w1"),
        "/features/1/properties/diameter_mm",
    ),
    (
        "missing_property",
        IssueCode::MissingProperty,
        Some("w1"),
        "/features/1/properties/owner",
    ),
    (
        "missing_property--plan",
        IssueCode::MissingProperty,
        None,
        "/plan",
    ),
    (
        "unknown_property",
        IssueCode::UnknownProperty,
        Some("w1"),
        "/features/1/properties/diamter_mm",
    ),
    (
        "duplicate_id",
        IssueCode::DuplicateId,
        Some("w1"),
        "/features/2/properties/id",
    ),
    (
        "unknown_kind",
        IssueCode::UnknownKind,
        Some("w1"),
        "/features/1/properties/kind",
    ),
    (
        "unknown_utility",
        IssueCode::UnknownUtility,
        Some("w1"),
        "/features/1/properties/utility",
    ),
    (
        "unknown_trade",
        IssueCode::UnknownTrade,
        Some("w1"),
        "/features/1/properties/trade",
    ),
    (
        "unknown_class",
        IssueCode::UnknownClass,
        Some("c1"),
        "/features/0/properties/class",
    ),
    (
        "unknown_pressure",
        IssueCode::UnknownPressure,
        Some("w1"),
        "/features/1/properties/pressure",
    ),
    (
        "unknown_value",
        IssueCode::UnknownValue,
        Some("w1"),
        "/features/1/properties/action",
    ),
    (
        "out_of_range",
        IssueCode::OutOfRange,
        Some("c1"),
        "/features/0/properties/buildings",
    ),
    (
        "out_of_range--plan",
        IssueCode::OutOfRange,
        None,
        "/plan/default_crews",
    ),
    (
        "out_of_range--buildings",
        IssueCode::OutOfRange,
        Some("c1"),
        "/features/0/properties/buildings",
    ),
    (
        "out_of_range--households",
        IssueCode::OutOfRange,
        Some("c1"),
        "/features/0/properties/households",
    ),
    (
        "out_of_range--date_before_1900",
        IssueCode::OutOfRange,
        Some("c1"),
        "/features/0/properties/finish_by",
    ),
    (
        "out_of_range--duration_days",
        IssueCode::OutOfRange,
        Some("w1"),
        "/features/1/properties/duration_days",
    ),
    (
        "out_of_range--productivity_m_per_day",
        IssueCode::OutOfRange,
        Some("w1"),
        "/features/1/properties/productivity_m_per_day",
    ),
    (
        "out_of_range--diameter_mm",
        IssueCode::OutOfRange,
        Some("w1"),
        "/features/1/properties/diameter_mm",
    ),
    (
        "out_of_range--voltage_kv",
        IssueCode::OutOfRange,
        Some("w1"),
        "/features/1/properties/voltage_kv",
    ),
    (
        "out_of_range--work_households",
        IssueCode::OutOfRange,
        Some("w1"),
        "/features/1/properties/households",
    ),
    (
        "out_of_range--date_after_2200",
        IssueCode::OutOfRange,
        Some("w1"),
        "/features/1/properties/deadline",
    ),
    (
        "out_of_range--id",
        IssueCode::OutOfRange,
        None,
        "/features/2/properties/id",
    ),
    (
        "out_of_range--horizon_days",
        IssueCode::OutOfRange,
        None,
        "/plan/horizon_days",
    ),
    (
        "out_of_range--crews",
        IssueCode::OutOfRange,
        None,
        "/plan/crews/water",
    ),
    (
        "out_of_range--default_crews",
        IssueCode::OutOfRange,
        None,
        "/plan/default_crews",
    ),
    (
        "out_of_range--district_limits",
        IssueCode::OutOfRange,
        None,
        "/plan/district_limits/Xicheng",
    ),
    (
        "out_of_range--share_distance_m",
        IssueCode::OutOfRange,
        None,
        "/plan/share_distance_m",
    ),
    (
        "out_of_range--min_shared_length_m",
        IssueCode::OutOfRange,
        None,
        "/plan/min_shared_length_m",
    ),
    (
        "out_of_range--cluster_gap_m",
        IssueCode::OutOfRange,
        None,
        "/plan/cluster_gap_m",
    ),
    (
        "wrong_geometry_type",
        IssueCode::WrongGeometryType,
        Some("c1"),
        "/features/0/geometry/type",
    ),
    (
        "empty_geometry",
        IssueCode::EmptyGeometry,
        Some("w1"),
        "/features/1/geometry/coordinates",
    ),
    (
        "empty_geometry--null",
        IssueCode::EmptyGeometry,
        Some("w1"),
        "/features/1/geometry",
    ),
    (
        "coordinate_out_of_range",
        IssueCode::CoordinateOutOfRange,
        Some("w1"),
        "/features/1/geometry/coordinates/1",
    ),
    (
        "non_finite_coordinate",
        IssueCode::NonFiniteCoordinate,
        None,
        "/features/1",
    ),
    (
        "unclosed_ring",
        IssueCode::UnclosedRing,
        Some("c1"),
        "/features/0/geometry/coordinates/0",
    ),
    (
        "degenerate_ring",
        IssueCode::DegenerateRing,
        Some("c1"),
        "/features/0/geometry/coordinates/0",
    ),
    (
        "degenerate_ring--repeated_point",
        IssueCode::DegenerateRing,
        Some("c1"),
        "/features/0/geometry/coordinates/0",
    ),
    (
        "degenerate_ring--tiny",
        IssueCode::DegenerateRing,
        Some("c1"),
        "/features/0/geometry/coordinates/0",
    ),
    (
        "self_intersection",
        IssueCode::SelfIntersection,
        Some("c1"),
        "/features/0/geometry/coordinates/0",
    ),
    (
        "hole_outside_exterior",
        IssueCode::HoleOutsideExterior,
        Some("c1"),
        "/features/0/geometry/coordinates/1",
    ),
    (
        "zero_length_line",
        IssueCode::ZeroLengthLine,
        Some("w1"),
        "/features/1/geometry/coordinates",
    ),
    (
        "zero_length_line--tiny",
        IssueCode::ZeroLengthLine,
        Some("w1"),
        "/features/1/geometry/coordinates",
    ),
    (
        "invalid_date",
        IssueCode::InvalidDate,
        Some("c1"),
        "/features/0/properties/finish_by",
    ),
    (
        "deadline_before_earliest",
        IssueCode::DeadlineBeforeEarliest,
        Some("w1"),
        "/features/1/properties/deadline",
    ),
    (
        "unknown_reference",
        IssueCode::UnknownReference,
        Some("w1"),
        "/features/1/properties/compound",
    ),
    (
        "conflicting_properties",
        IssueCode::ConflictingProperties,
        Some("w1"),
        "/features/1/properties/productivity_m_per_day",
    ),
    (
        "disbursed_over_allocated",
        IssueCode::DisbursedOverAllocated,
        None,
        "/plan/funds/1/disbursed_cny",
    ),
    (
        "out_of_range--investment_cny",
        IssueCode::OutOfRange,
        Some("w1"),
        "/features/1/properties/investment_cny",
    ),
    (
        "unknown_value--fund_source",
        IssueCode::UnknownValue,
        None,
        "/plan/funds/0/source",
    ),
];

#[test]
fn every_invalid_fixture_reports_its_code_feature_and_pointer_and_nothing_else() {
    for &(stem, code, feature_id, pointer) in EXPECTED {
        let path = fixtures().join(format!("invalid/{stem}.geojson"));
        let problems = problems_of(&path);
        assert_eq!(
            problems.len(),
            1,
            "{stem}: expected one problem, got {problems:#?}"
        );
        let p = &problems[0];
        assert_eq!(p.code, code, "{stem}: {p}");
        assert_eq!(p.feature_id.as_deref(), feature_id, "{stem}: {p}");
        assert_eq!(p.pointer, pointer, "{stem}: {p}");
        assert!(
            p.message.ends_with('.') && p.message.len() > 20,
            "{stem}: {p}"
        );
    }
}

#[test]
fn every_problem_code_that_ingestion_can_raise_has_a_fixture() {
    for code in IssueCode::ALL {
        // Unknown coordinate systems are rejected before ingestion, by the caller; too
        // many problems are a fixture of their own below; the import's own codes are raised
        // while converting other formats, before ingestion (their tests:
        // geodata/src/import/tests.rs, tests/tests/import_sources.rs); the progress
        // report's codes are raised reading a report (geodata/src/progress/).
        if matches!(
            code,
            IssueCode::UnknownCrs
                | IssueCode::TooManyProblems
                | IssueCode::UnmappedValue
                | IssueCode::CrsRequired
                | IssueCode::UnsupportedGeometry
                | IssueCode::UnknownId
                | IssueCode::FinishBeforeStart
                | IssueCode::MissingDate
                | IssueCode::DateAfterReport
                | IssueCode::DuplicateRow
        ) {
            continue;
        }
        assert!(
            EXPECTED.iter().any(|e| e.1 == code),
            "no fixture for {code}"
        );
    }
}

#[test]
fn every_fixture_file_is_checked() {
    let dir = fixtures().join("invalid");
    for entry in std::fs::read_dir(&dir).expect("fixture dir") {
        let name = entry.expect("entry").file_name();
        let name = name.to_string_lossy();
        let stem = name.trim_end_matches(".geojson");
        assert!(
            EXPECTED.iter().any(|e| e.0 == stem),
            "{name} is not in the table"
        );
    }
}

#[test]
fn malformed_json_names_its_line_and_column() {
    let problems = problems_of(&fixtures().join("invalid/malformed_json.geojson"));
    assert!(
        problems[0].message.contains("line 55 column"),
        "{}",
        problems[0].message
    );
}

#[test]
fn valid_fixtures_and_examples_ingest() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut paths: Vec<PathBuf> = Vec::new();
    for dir in [fixtures().join("valid"), examples] {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            paths.push(entry.expect("entry").path());
        }
    }
    assert!(paths.len() >= 3);
    for path in paths {
        if let Err(e) = ingest_file(&path) {
            panic!("{} should be valid: {e:#?}", path.display());
        }
    }
}

#[test]
fn the_two_utilities_example_becomes_the_expected_typed_plan() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let plan = ingest_file(&examples.join("two-utilities-one-street.geojson")).expect("valid");
    assert_eq!(
        (plan.compounds.len(), plan.works.len(), plan.streets.len()),
        (1, 4, 1)
    );
    let water = plan.work("w-water-fuxing").expect("water work");
    assert_eq!(water.discipline, Discipline::Utility(Utility::Water));
    assert_eq!(water.duration, Duration::MetresPerDay(30.0));
    let gas = plan.work("w-gas-fuxing").expect("gas work");
    assert_eq!(gas.pressure, Some(geodata::plan::GasPressure::MediumB));
    assert_eq!(plan.settings.crews.get("water"), Some(&2));
    assert_eq!(plan.settings.district_limits.get("Xicheng"), Some(&2));
    assert_eq!(plan.settings.calendars.holidays.len(), 2);
    // The local frame sits on the plan: every local coordinate is within a kilometre.
    for w in &plan.works {
        assert!(
            w.shape
                .local
                .coords_iter()
                .all(|c| c.x.abs() < 1000.0 && c.y.abs() < 1000.0)
        );
    }
    // 0.01 degrees of longitude at 39.91 N is about 857 m in the local frame.
    let geo::Geometry::LineString(street) = &plan.streets[0].shape.local else {
        panic!("street is a line")
    };
    let len = Euclidean.length(street);
    assert!((len - 857.0).abs() < 10.0, "street length {len}");
}

#[test]
fn a_plan_with_many_problems_reports_all_of_them_in_document_order() {
    let doc = r#"{"type":"FeatureCollection","plan":{"name":"x","start":"2026-01-01"},"features":[
      {"type":"Feature","properties":{"kind":"work","id":"a","utility":"gaz","owner":"o","action":"new","duration_days":0},
       "geometry":{"type":"LineString","coordinates":[[0,0],[0,91]]}},
      {"type":"Feature","properties":{"kind":"street","id":"a","name":7},
       "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}
    ]}"#;
    let Err(IngestError::Invalid(report)) = ingest(doc.as_bytes(), &IngestOptions::default())
    else {
        panic!("invalid plan accepted")
    };
    let got: Vec<(IssueCode, Option<usize>, &str)> = report
        .problems
        .iter()
        .map(|p| (p.code, p.feature_index, p.pointer.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                IssueCode::UnknownUtility,
                Some(0),
                "/features/0/properties/utility"
            ),
            (
                IssueCode::OutOfRange,
                Some(0),
                "/features/0/properties/duration_days"
            ),
            (
                IssueCode::CoordinateOutOfRange,
                Some(0),
                "/features/0/geometry/coordinates/1"
            ),
            (IssueCode::WrongType, Some(1), "/features/1/properties/name"),
            (
                IssueCode::UnclosedRing,
                Some(1),
                "/features/1/geometry/coordinates/0"
            ),
            (IssueCode::DuplicateId, Some(1), "/features/1/properties/id"),
        ]
    );
}

#[test]
fn a_problem_in_every_position_lists_the_first_thousand_and_counts_the_rest() {
    // 660 kB that used to grow a 1 GB report: 50,000 bad positions in a feature whose
    // id (20 kB) was repeated in every one of them.
    let positions = vec!["[200,100]"; 50_000].join(",");
    let id = "\u{1f600}".repeat(5_000);
    let doc = format!(
        r#"{{"type":"FeatureCollection","plan":{{"name":"x","start":"2026-03-01"}},"features":[
          {{"type":"Feature","properties":{{"kind":"work","id":"{id}","utility":"water","owner":"o",
            "action":"new","duration_days":3}},
           "geometry":{{"type":"LineString","coordinates":[{positions}]}}}}]}}"#
    );
    let Err(IngestError::Invalid(report)) = ingest(doc.as_bytes(), &IngestOptions::default())
    else {
        panic!("invalid plan accepted")
    };
    let problems = &report.problems;
    assert_eq!(problems.len(), ValidationReport::MAX_PROBLEMS + 1);
    assert_eq!(problems[0].code, IssueCode::OutOfRange);
    assert_eq!(problems[0].pointer, "/features/0/properties/id");
    assert!(problems[0].message.contains("5000 characters"));
    assert!(problems.iter().all(|p| p.feature_id.is_none()));
    let last = problems.last().expect("a summary");
    assert_eq!(last.code, IssueCode::TooManyProblems);
    // 1 id problem + 50,000 positions, of which 1,000 are listed.
    assert!(last.message.starts_with("49001 more problem(s)"), "{last}");
    let size = serde_json::to_vec(&report).map_or(usize::MAX, |b| b.len());
    assert!(size < 400_000, "the report is {size} bytes");
}
