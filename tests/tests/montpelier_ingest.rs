//! Scenario: the real Montpelier sewer network, converted to a plan, ingests cleanly.

use digonce_tests::montpelier;
use geo::{CoordsIter, Euclidean, Length};
use geodata::ingest::{IngestOptions, ingest};
use geodata::plan::{Action, Discipline, Duration, Utility};

fn plan_text() -> String {
    montpelier::sewer_plan(&montpelier::linear_features())
        .expect("converts")
        .to_string()
}

#[test]
fn the_montpelier_sewer_network_ingests_as_1133_sewer_replacements() {
    let plan = ingest(plan_text().as_bytes(), &IngestOptions::default()).expect("valid plan");
    assert_eq!(plan.works.len(), 1133);
    assert!(plan.compounds.is_empty() && plan.streets.is_empty());
    assert!(plan.works.iter().all(|w| {
        w.discipline == Discipline::Utility(Utility::Sewer)
            && w.action == Action::Replace
            && w.duration == Duration::MetresPerDay(montpelier::SEWER_PRODUCTIVITY_M_PER_DAY)
    }));
    assert_eq!(plan.settings.clearance_profile, "us-generic");
    // The frame is centred on Montpelier (about 72.58 W, 44.26 N).
    let c = plan.frame.center();
    assert!(
        (c.x + 72.58).abs() < 0.05 && (c.y - 44.26).abs() < 0.05,
        "{c:?}"
    );
    // The city network spans a few kilometres, so every local coordinate is within 10 km.
    let mut total_m = 0.0;
    for w in &plan.works {
        assert!(
            w.shape
                .local
                .coords_iter()
                .all(|p| p.x.abs() < 10_000.0 && p.y.abs() < 10_000.0)
        );
        if let geo::Geometry::LineString(l) = &w.shape.local {
            total_m += Euclidean.length(l);
        }
    }
    // Montpelier has on the order of 50-100 km of sewer mains.
    assert!(
        (20_000.0..200_000.0).contains(&total_m),
        "total length {total_m} m"
    );
}
