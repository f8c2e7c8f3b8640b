//! Scenario: every generated city is a valid plan that analyses and plans end to end.

use geodata::analysis::{AnalysisOptions, analyze};
use geodata::export::{ExportOptions, to_bytes};
use geodata::ingest::{IngestOptions, ingest};
use geodata::synthetic::{CityConfig, generate};
use optimizer::city::{CityOptions, plan_city};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// Generated plans validate: what the generator writes, ingestion accepts, with the same
    /// numbers of compounds, works and streets.
    #[test]
    fn a_generated_city_of_any_seed_validates(seed in any::<u64>(), compounds in 1usize..12) {
        let city = generate(&CityConfig::new(compounds, seed));
        let bytes = to_bytes(&city, &ExportOptions::default()).expect("the city exports");
        let plan = ingest(bytes.as_slice(), &IngestOptions::default());
        let plan = match plan {
            Ok(plan) => plan,
            Err(error) => panic!("seed {seed}: {error}"),
        };
        prop_assert_eq!(plan.compounds.len(), city.compounds.len());
        prop_assert_eq!(plan.works.len(), city.works.len());
        prop_assert_eq!(plan.streets.len(), city.streets.len());
    }
}

#[test]
fn a_small_generated_city_is_planned_with_a_verified_schedule_and_fewer_excavations() {
    let city = generate(&CityConfig::new(6, 11));
    let bytes = to_bytes(&city, &ExportOptions::default()).expect("the city exports");
    let plan = ingest(bytes.as_slice(), &IngestOptions::default()).expect("the city validates");
    let analysis = analyze(&plan, &AnalysisOptions::default()).expect("the built-in profile");
    let options = CityOptions {
        time_limit: std::time::Duration::from_millis(300),
        seed: 1,
        cancel: None,
        progress: None,
    };
    let schedule = plan_city(&plan, &analysis, &options).expect("the city can be scheduled");
    let summary = &schedule.summary;
    assert!(summary.verified, "verifier found {:?}", summary.violations);
    assert!(summary.lower_bound_days <= summary.makespan_days);
    assert!(summary.activities > plan.works.len());
    assert_eq!(summary.activities, schedule.activities.len());
    if !analysis.trenches.is_empty() {
        assert!(summary.excavations < summary.baseline_excavations);
    }
    for activity in &schedule.activities {
        assert!(activity.start <= activity.end, "{}", activity.id);
        assert!(activity.start >= plan.settings.start, "{}", activity.id);
    }
}
