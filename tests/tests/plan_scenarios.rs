//! Scenarios for `digonce plan`: one small plan per city constraint and per kind of
//! missed-deadline explanation, planned end to end (ingest, analysis, network, engine,
//! independent verifier).
//!
//! Fixtures in `fixtures/plans/`, all on Xicheng streets about 850 m long, plan start
//! 2026-03-01, water mains of about 28 days of laying:
//! - `shared-trench`: a water main and a sewer 2 m apart on one street;
//! - `moratorium` / `moratorium-exception`: a main under a street paved new in 2025, without
//!   and with the city's exception;
//! - `frozen-ground`: a main that may start on 25 November and is due 20 January;
//! - `one-crew`: three mains due within seven weeks and a single water crew;
//! - `too-short`: a main due nine days after it may start;
//! - `district-limit`: two mains in a district that allows one open street at a time.

use std::path::PathBuf;

use chrono::Datelike;
use std::time::Duration;

use geodata::analysis::{AnalysisOptions, analyze};
use geodata::ingest::{IngestOptions, ingest};
use geodata::plan::Settings;
use optimizer::city::document::{
    ActivityKind, DeadlineOutcome, ScheduleDocument, ScheduledActivity,
};
use optimizer::city::{CityOptions, plan_city};
use optimizer::engine::ForcedBy;

fn planned(name: &str) -> ScheduleDocument {
    planned_with(name, |_| {})
}

/// A fixture planned after `adjust` changed its settings; verified by both verifiers.
fn planned_with(name: &str, adjust: impl Fn(&mut Settings)) -> ScheduleDocument {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/plans")
        .join(name);
    let file = std::fs::File::open(&path).expect("fixture exists");
    let mut plan = ingest(file, &IngestOptions::default()).expect("the fixture is a valid plan");
    adjust(&mut plan.settings);
    let analysis = analyze(&plan, &AnalysisOptions::default()).expect("default profile");
    let document = plan_city(
        &plan,
        &analysis,
        &CityOptions {
            time_limit: Duration::from_secs(1),
            seed: 7,
            cancel: None,
            progress: None,
        },
    )
    .expect("plannable");
    assert!(
        document.summary.verified,
        "{name}: {:?}",
        document.summary.violations
    );
    document
}

fn missed(doc: &ScheduleDocument) -> Vec<&DeadlineOutcome> {
    doc.deadlines
        .iter()
        .filter(|d| d.is_missed_hard())
        .collect()
}

/// The first activity of `kind` (the one excavation of a single-work fixture).
fn first(doc: &ScheduleDocument, kind: ActivityKind) -> &ScheduledActivity {
    doc.activities
        .iter()
        .find(|a| a.kind == kind)
        .unwrap_or_else(|| panic!("an activity of kind {kind:?}"))
}

/// Asserts that some step of the deadline's explanation says `needle`.
fn assert_explained_by(d: &DeadlineOutcome, needle: &str) {
    let chain = explanation(d);
    assert!(chain.iter().any(|b| b.contains(needle)), "{chain:?}");
}

fn explanation(d: &DeadlineOutcome) -> Vec<&str> {
    d.explanation
        .iter()
        .flatten()
        .map(|l| l.because.as_str())
        .collect()
}

#[test]
fn water_and_sewer_on_one_street_are_dug_once_and_both_meet_their_deadlines() {
    let doc = planned("shared-trench.geojson");
    let s = &doc.summary;
    assert_eq!((s.excavations, s.baseline_excavations), (1, 2));
    assert!(missed(&doc).is_empty());
    let dig = first(&doc, ActivityKind::Excavate);
    assert_eq!(dig.works, ["w-sewer", "w-water"]);
    for lay in doc
        .activities
        .iter()
        .filter(|a| a.kind == ActivityKind::Lay)
    {
        assert!(lay.start > dig.end, "{} laid in the open trench", lay.id);
        assert_eq!(lay.trench, dig.trench);
    }
    assert!(s.trench_open_metre_days < s.baseline_trench_open_metre_days);
}

#[test]
fn a_street_under_moratorium_is_not_cut_and_the_missed_deadline_blames_the_moratorium() {
    let doc = planned("moratorium.geojson");
    let late = missed(&doc);
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].forced_by, Some(ForcedBy::Calendar));
    assert_eq!(doc.summary.hard_deadlines_unavoidable, 1);
    let dig = first(&doc, ActivityKind::Excavate);
    assert!(dig.start.to_string().as_str() > "2026-11-14");
    assert_explained_by(late[0], "it may not be in progress from 2026-03-01");
}

#[test]
fn an_exception_lets_the_same_main_be_dug_on_time() {
    let doc = planned("moratorium-exception.geojson");
    assert!(missed(&doc).is_empty());
    assert_eq!(doc.summary.makespan_days, 29);
}

#[test]
fn no_trench_is_dug_in_frozen_ground_and_the_miss_is_put_down_to_the_season() {
    let doc = planned("frozen-ground.geojson");
    let late = missed(&doc);
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].forced_by, Some(ForcedBy::Calendar));
    let start = first(&doc, ActivityKind::Excavate).start.to_string();
    assert!(
        start.as_str() >= "2027-03-01",
        "excavation starts {start}, inside the frozen months"
    );
    assert_explained_by(late[0], "2026-12-01 to 2027-02-28");
}

#[test]
fn one_crew_digs_one_main_at_a_time_and_the_late_ones_name_the_crew() {
    let doc = planned("one-crew.geojson");
    let late = missed(&doc);
    assert_eq!(late.len(), 2, "only one of three 35-day mains fits");
    assert_eq!(doc.summary.hard_deadlines_unavoidable, 0);
    for d in &late {
        assert_eq!(d.forced_by, Some(ForcedBy::Resources));
        assert_explained_by(d, "every unit of crew:water is busy");
    }
    let mut digs: Vec<_> = doc
        .activities
        .iter()
        .filter(|a| a.kind == ActivityKind::Excavate)
        .map(|a| (a.start, a.end))
        .collect();
    digs.sort_unstable();
    assert!(digs.windows(2).all(|w| w[0].1 < w[1].0), "{digs:?}");
}

#[test]
fn a_deadline_shorter_than_the_work_is_explained_by_its_critical_path_from_the_release() {
    let doc = planned("too-short.geojson");
    let late = missed(&doc);
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].forced_by, Some(ForcedBy::Lags));
    let chain = explanation(late[0]);
    assert_eq!(chain[0], "it may not start before 2026-04-01");
    assert!(
        chain[1..]
            .iter()
            .all(|b| b.starts_with("it must start at least"))
    );
}

#[test]
fn a_district_with_room_for_one_open_street_gets_its_mains_one_after_the_other() {
    let doc = planned("district-limit.geojson");
    assert!(missed(&doc).is_empty());
    let span = |work: &str| {
        let of = |kind: ActivityKind| {
            doc.activities
                .iter()
                .find(|a| a.kind == kind && a.works == [work])
                .expect("step")
                .clone()
        };
        (
            of(ActivityKind::Excavate).start,
            of(ActivityKind::Restore).end,
        )
    };
    let (a, b) = (span("w-water-0"), span("w-water-1"));
    assert!(a.1 < b.0 || b.1 < a.0, "open at once: {a:?} {b:?}");
}

/// Every fixture, planned with weekends off and a week of holidays in its first months,
/// keeps every rule of the plan (both verifiers) and starts and ends every step on a
/// working day.
#[test]
fn every_fixture_keeps_its_rules_with_weekends_off_and_holidays() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/plans");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".geojson"))
        .collect();
    names.sort();
    assert!(names.len() >= 7, "{names:?}");
    for name in &names {
        let doc = planned_with(name, |s| {
            s.calendars.weekends_work = false;
            let first = s.start + chrono::Days::new(30);
            s.calendars.holidays = first.iter_days().take(7).collect();
        });
        for a in &doc.activities {
            for day in [a.start, a.end] {
                assert!(
                    !matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun),
                    "{name}: {} on a weekend day {day}",
                    a.id
                );
            }
        }
    }
}
