//! Crews and district limits (`docs/input-format.md`, "Crews" and "District limits").
//!
//! * **Crews**: every step but `confirm` and `tender` needs one crew of its utility or
//!   trade on each of its working days; on every working day the steps at work needing a
//!   crew of one name are at most `crews[name]` (or `default_crews`).
//! * **District limits**: an excavation (a shared trench, or a utility work in no trench) is
//!   open every calendar day from its `excavate` start to its `restore` end, between steps
//!   too, and cuts the streets its works cut. For a district with a limit `N`, on every day
//!   the open excavations cut at most `N` of its streets, each excavation counting its
//!   distinct streets there, at most `N`.
//!
//! Excesses are reported once per run of consecutive days over the limit.
//!
//! # Complexity
//! O(n log n) in the number of steps and excavations.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use geodata::analysis::Analysis;
use geodata::plan::{Discipline, Plan};

use super::Findings;
use super::calendar::WorkCalendar;
use super::runs::{Load, runs_over};
use super::steps::{Expectation, Span};
use crate::city::document::Rule;

/// Positions (of steps or excavations) with the load each puts on a pool.
type Loads = Vec<(usize, Load)>;

/// The step ids (or other names) of a run's loads, sorted.
fn names(loads: &[usize], name_of: impl Fn(usize) -> String) -> Vec<String> {
    let mut names: Vec<String> = loads.iter().map(|&i| name_of(i)).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// `first` or `first to last`.
fn days(first: NaiveDate, last: NaiveDate) -> String {
    if first == last {
        format!("on {first}")
    } else {
        format!("from {first} to {last}")
    }
}

/// Reports every run of working days with more steps of one crew at work than it has.
pub(super) fn check_crews(
    plan: &Plan,
    expectation: &Expectation,
    site: &WorkCalendar,
    dates: &[Option<Span>],
    findings: &mut Findings,
) {
    let mut by_crew: BTreeMap<&'static str, (Discipline, Loads)> = BTreeMap::new();
    for (i, (step, span)) in expectation.steps.iter().zip(dates).enumerate() {
        let (Some(crew), Some(span)) = (step.crew, span) else {
            continue;
        };
        by_crew
            .entry(crew.as_str())
            .or_insert((crew, Vec::new()))
            .1
            .push((
                i,
                Load {
                    from: span.start,
                    to: span.end,
                    amount: 1,
                },
            ));
    }
    let working = |a: NaiveDate, b: NaiveDate| {
        Some((site.first_working_in(a, b)?, site.last_working_in(a, b)?))
    };
    for (name, (discipline, steps)) in by_crew {
        let capacity = plan.settings.crews_for(discipline);
        let loads: Vec<Load> = steps.iter().map(|s| s.1).collect();
        for run in runs_over(&loads, capacity, &working) {
            let subjects = names(&run.loads, |k| expectation.steps[steps[k].0].id.clone());
            findings.push(
                Rule::Crews,
                subjects,
                format!(
                    "More {name} steps are at work {} than the plan's {capacity} {name} crew(s), {} on {} at the peak.",
                    days(run.first, run.last),
                    run.peak,
                    run.peak_on
                ),
            );
        }
    }
}

/// Reports every run of days on which a district has more streets cut open than its limit.
pub(super) fn check_district_limits(
    plan: &Plan,
    analysis: &Analysis,
    expectation: &Expectation,
    dates: &[Option<Span>],
    findings: &mut Findings,
) {
    let limits = &plan.settings.district_limits;
    if limits.is_empty() {
        return;
    }
    let district_of: HashMap<&str, &str> = plan
        .streets
        .iter()
        .filter_map(|s| s.district.as_deref().map(|d| (s.id.as_str(), d)))
        .filter(|(_, d)| limits.contains_key(*d))
        .collect();
    let mut cuts: HashMap<&str, Vec<&str>> = HashMap::new();
    for cut in &analysis.street_cuts {
        if district_of.contains_key(cut.street.as_str()) {
            cuts.entry(cut.work.as_str())
                .or_default()
                .push(cut.street.as_str());
        }
    }
    // Per district: (excavation position, load).
    let mut by_district: BTreeMap<&str, Loads> = BTreeMap::new();
    for (x, excavation) in expectation.excavations.iter().enumerate() {
        let (Some(open), Some(close)) = (dates[excavation.excavate], dates[excavation.restore])
        else {
            continue;
        };
        let mut streets: Vec<&str> = excavation
            .works
            .iter()
            .filter_map(|&w| cuts.get(plan.works[w].id.as_str()))
            .flatten()
            .copied()
            .collect();
        streets.sort_unstable();
        streets.dedup();
        let mut per_district: BTreeMap<&str, u32> = BTreeMap::new();
        for street in streets {
            if let Some(&district) = district_of.get(street) {
                *per_district.entry(district).or_default() += 1;
            }
        }
        for (district, count) in per_district {
            let limit = limits.get(district).copied().unwrap_or(u32::MAX);
            by_district.entry(district).or_default().push((
                x,
                Load {
                    from: open.start,
                    to: close.end,
                    amount: count.min(limit),
                },
            ));
        }
    }
    let every_day = |a: NaiveDate, b: NaiveDate| Some((a, b));
    for (district, excavations) in by_district {
        let limit = limits.get(district).copied().unwrap_or(u32::MAX);
        let loads: Vec<Load> = excavations.iter().map(|e| e.1).collect();
        for run in runs_over(&loads, limit, &every_day) {
            let subjects = names(&run.loads, |k| {
                expectation.excavations[excavations[k].0].id.clone()
            });
            findings.push(
                Rule::DistrictLimit,
                subjects.clone(),
                format!(
                    "District {district} has more streets cut open {} than its limit of {limit}, {} on {} at the peak (excavations {}).",
                    days(run.first, run.last),
                    run.peak,
                    run.peak_on,
                    subjects.join(", ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testkit::{Fixture, assert_only, date};
    use crate::city::document::Rule;

    #[test]
    fn two_clearings_on_one_day_need_a_crew_more_than_the_plan_has() {
        let mut f = Fixture::load();
        f.set("c-south/clearing", date(2026, 3, 18), date(2026, 3, 20))
            .report_deadlines_truly();
        let found = f.violations();
        assert_only(&found, Rule::Crews, 1);
        assert_eq!(found[0].subjects, ["c-south/clearing", "w-clear/clearing"]);
        assert!(found[0].message.contains("on 2026-03-18"), "{found:?}");
    }

    #[test]
    fn crews_are_counted_on_working_days_only() {
        let mut f = Fixture::load();
        // The gas connection on Saturday 11 April, while gas main w-gas-c pauses over the
        // weekend: a working-day fault, but no crew is short.
        f.set("w-heat/connect", date(2026, 4, 11), date(2026, 4, 11));
        let found = f.violations();
        assert!(found.iter().all(|v| v.rule != Rule::Crews), "{found:#?}");
    }

    #[test]
    fn a_trench_open_between_its_steps_still_counts_against_the_district_limit() {
        let mut f = Fixture::load();
        // Into the trench's wait between its last test (18 March) and backfill (26 March):
        // no step of the trench is at work, but it is open.
        for (step, day) in [
            ("excavate", 19),
            ("lay", 20),
            ("test", 23),
            ("backfill", 24),
            ("restore", 25),
        ] {
            f.set(
                &format!("w-gas-c/{step}"),
                date(2026, 3, day),
                date(2026, 3, day),
            );
        }
        let found = f.violations();
        assert_only(&found, Rule::DistrictLimit, 1);
        assert_eq!(found[0].subjects, ["trench-1", "w-gas-c"]);
        assert!(
            found[0].message.contains("from 2026-03-19 to 2026-03-25"),
            "{found:?}"
        );
    }

    #[test]
    fn a_district_limit_of_two_lets_two_excavations_open_together() {
        let mut f = Fixture::with_plan(|plan| {
            plan["plan"]["district_limits"]["Xicheng"] = 2.into();
        });
        f.shift("w-gas-c/", -14); // open with the trench, 24 to 30 March
        assert!(f.violations().is_empty());
    }

    #[test]
    fn an_excavation_cutting_more_streets_than_the_limit_counts_as_the_limit() {
        // A lane across w-gas-c: alone, it cuts two Xicheng streets where one may be open.
        let f = Fixture::with_plan(|plan| {
            let lane = serde_json::json!({"type": "Feature",
                "properties": {"kind": "street", "id": "s-cross", "name": "Cross Lane",
                               "district": "Xicheng"},
                "geometry": {"type": "LineString",
                             "coordinates": [[116.3615, 39.9136], [116.3615, 39.9145]]}});
            plan["features"]
                .as_array_mut()
                .expect("features")
                .push(lane);
        });
        let cuts: Vec<&str> = f
            .analysis
            .street_cuts
            .iter()
            .filter(|c| c.work == "w-gas-c")
            .map(|c| c.street.as_str())
            .collect();
        assert_eq!(cuts, ["s-cross", "s-side"]);
        assert!(f.violations().is_empty());
    }
}
