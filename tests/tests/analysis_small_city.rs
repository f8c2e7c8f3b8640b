//! Scenario: a small city read from GeoJSON, analysed end to end.
//!
//! Fixture `fixtures/analysis/small-city.geojson`: along Main Street (new, paved
//! 2024-05-01) a water main (d150) and a sewer 1.5 m apart, a low-pressure gas main 2.5 m
//! from the water main, a telecom line crossing all three; an `integrate` compound with a
//! small neighbour 20 m away.

use std::path::PathBuf;

use geodata::analysis::{AnalysisOptions, ConflictStatus, analyze, feature_collection};
use geodata::ingest::{IngestOptions, ingest};

fn fixture(name: &str) -> std::fs::File {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/analysis")
        .join(name);
    std::fs::File::open(&path).expect("fixture exists")
}

#[test]
fn water_and_sewer_share_a_trench_gas_is_coordinated_and_the_new_street_is_protected() {
    let plan = ingest(fixture("small-city.geojson"), &IngestOptions::default())
        .expect("the fixture is a valid plan");
    let a = analyze(&plan, &AnalysisOptions::default()).expect("default profile");
    assert_eq!(a.summary.corridors, 2, "water-sewer and water-gas");
    assert_eq!(
        a.summary.coordinate_only_corridors, 1,
        "gas never shares (GB 50838 4.3.4)"
    );
    assert_eq!(a.trenches.len(), 1);
    assert_eq!(a.trenches[0].works, ["sewer-1", "water-1"]);
    assert_eq!(a.summary.crossings, 3);
    assert_eq!(a.summary.moratorium_conflicts, 4);
    assert!(
        a.moratorium_conflicts
            .iter()
            .all(|c| c.status == ConflictStatus::Unavoidable),
        "the moratorium runs to 2029-05-01, past the two-year horizon"
    );
    assert_eq!(a.clusters.len(), 1);
    assert_eq!(a.clusters[0].compounds, ["c1", "c2"]);
    let fc = feature_collection(&a);
    assert_eq!(fc["summary"]["trenches"], 1);
}
