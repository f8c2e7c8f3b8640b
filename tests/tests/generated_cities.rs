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

/// The same small city with weekends off, a holiday week and every district limit cut to
/// one open street: both verifiers (the engine's, and the plan-level check that re-derives
/// every rule from the plan file) find nothing, and every step starts and ends on a
/// working day.
#[test]
fn a_generated_city_with_weekends_off_holidays_and_tight_district_limits_keeps_its_rules() {
    let mut plan = generate(&CityConfig::new(8, 5));
    plan.settings.calendars.weekends_work = false;
    let week = plan.settings.start + chrono::Days::new(40);
    plan.settings
        .calendars
        .holidays
        .extend(week.iter_days().take(7));
    for limit in plan.settings.district_limits.values_mut() {
        *limit = 1;
    }
    let analysis = analyze(&plan, &AnalysisOptions::default()).expect("the built-in profile");
    let options = CityOptions {
        time_limit: std::time::Duration::from_millis(500),
        seed: 2,
        ..CityOptions::default()
    };
    let schedule = plan_city(&plan, &analysis, &options).expect("the city can be scheduled");
    assert!(
        schedule.summary.verified,
        "violations: {:?}",
        schedule.summary.violations
    );
    assert!(
        !plan.settings.district_limits.is_empty(),
        "a limit was tested"
    );
    let holidays: std::collections::HashSet<_> =
        plan.settings.calendars.holidays.iter().copied().collect();
    for a in &schedule.activities {
        for day in [a.start, a.end] {
            assert!(!holidays.contains(&day), "{} on a holiday {day}", a.id);
            assert!(
                !matches!(
                    chrono::Datelike::weekday(&day),
                    chrono::Weekday::Sat | chrono::Weekday::Sun
                ),
                "{} on a weekend {day}",
                a.id
            );
        }
    }
}
