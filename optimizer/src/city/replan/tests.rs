//! Tests of re-planning from actuals, on the fixture plan
//! `tests/fixtures/schedules/renewal.plan.geojson` (see `crate::check::testkit`).

use std::sync::OnceLock;
use std::time::Duration;

use chrono::NaiveDate;
use geodata::analysis::{Analysis, AnalysisOptions, analyze};
use geodata::ingest::{IngestOptions, ingest};
use geodata::plan::Plan;
use geodata::progress::{ProgressRow, Status};
use proptest::prelude::*;

use super::{Actual, WarmStart, actuals, replan};
use crate::city::document::{ScheduleDocument, Subject};
use crate::city::{CityOptions, plan_city};

const PLAN: &str = include_str!("../../../../tests/fixtures/schedules/renewal.plan.geojson");
const SCHEDULE: &str = include_str!("../../../../tests/fixtures/schedules/renewal.schedule.json");

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn options() -> CityOptions {
    CityOptions {
        time_limit: Duration::from_millis(800),
        ..CityOptions::default()
    }
}

/// The fixture plan, its analysis and a schedule the planner made of it.
fn planned() -> &'static (Plan, Analysis, ScheduleDocument) {
    static PLANNED: OnceLock<(Plan, Analysis, ScheduleDocument)> = OnceLock::new();
    PLANNED.get_or_init(|| {
        let plan = ingest(PLAN.as_bytes(), &IngestOptions::default()).expect("fixture plan");
        let analysis = analyze(&plan, &AnalysisOptions::default()).expect("analysis");
        let schedule = plan_city(&plan, &analysis, &options()).expect("planned");
        (plan, analysis, schedule)
    })
}

fn row(
    id: &str,
    status: Status,
    start: Option<NaiveDate>,
    finish: Option<NaiveDate>,
) -> ProgressRow {
    ProgressRow {
        id: id.into(),
        status,
        actual_start: start,
        actual_finish: finish,
        percent: (status == Status::InProgress).then_some(50.0),
        households_done: None,
        spent_cny: None,
        reported_on: date(2026, 3, 25),
    }
}

#[test]
fn the_fixture_replanned_keeps_history_and_lists_what_moved_per_owner() {
    let (plan, analysis, _) = planned();
    let previous = ScheduleDocument::from_slice(SCHEDULE.as_bytes()).expect("fixture schedule");
    let as_of = date(2026, 3, 31);
    let rows = [
        row(
            "w-gas-c",
            Status::Done,
            Some(date(2026, 3, 2)),
            Some(date(2026, 3, 20)),
        ),
        row("w-sewer", Status::InProgress, Some(date(2026, 3, 3)), None),
        row("w-heat", Status::NotStarted, None, None),
    ];
    let new = replan(plan, analysis, &previous, &rows, as_of, &options()).expect("replanned");
    let get = |id: &str| {
        new.activities
            .iter()
            .find(|a| a.id == id)
            .unwrap_or_else(|| panic!("{id} in the new schedule"))
    };
    // w-gas-c's five steps (old 7 – 13 April) scaled onto 2 – 20 March.
    assert_eq!(get("w-gas-c/excavate").start, date(2026, 3, 2));
    assert_eq!(get("w-gas-c/restore").end, date(2026, 3, 20));
    for a in new
        .activities
        .iter()
        .filter(|a| a.subject == Subject::Work("w-gas-c".into()))
    {
        assert!(
            a.start >= date(2026, 3, 2) && a.end <= date(2026, 3, 20),
            "{a:?}"
        );
    }
    // w-sewer is half done: lay (3 of its 4 old days) is under way since 3 March.
    assert_eq!(get("w-sewer/lay").start, date(2026, 3, 3));
    assert!(get("w-sewer/lay").end >= as_of);
    assert!(get("w-sewer/test").start >= as_of);
    // Nothing else started: no start before the data date.
    for id in [
        "w-heat/confirm",
        "w-heat/retrofit",
        "w-water/lay",
        "w-clear/clearing",
    ] {
        assert!(get(id).start >= as_of, "{id} starts {}", get(id).start);
    }
    let r = new.replan.as_ref().expect("re-plan facts");
    assert_eq!(r.as_of, as_of);
    let gas = r
        .owners
        .iter()
        .find(|o| o.owner == "Beijing Gas Group")
        .expect("the gas company's changes");
    let restore = gas
        .moved
        .iter()
        .find(|m| m.activity == "w-gas-c/restore")
        .expect("w-gas-c/restore moved");
    assert_eq!(
        (restore.old_start, restore.new_end),
        (date(2026, 4, 13), date(2026, 3, 20))
    );
    assert_eq!(r.sequence.get("w-gas-c/restore"), Some(&1));
    // Re-planning the new schedule with the same progress moves no finished step again.
    let again = replan(plan, analysis, &new, &rows, as_of, &options()).expect("replanned");
    let r2 = again.replan.as_ref().expect("re-plan facts");
    assert!(
        r2.owners
            .iter()
            .flat_map(|o| &o.moved)
            .all(|m| !m.activity.starts_with("w-gas-c/")),
        "{r2:?}"
    );
    assert_eq!(r2.sequence.get("w-gas-c/restore"), Some(&1));
}

#[test]
fn with_no_progress_before_the_plan_starts_the_warm_start_keeps_every_date() {
    let (plan, analysis, previous) = planned();
    let new = replan(
        plan,
        analysis,
        previous,
        &[],
        plan.settings.start,
        &options(),
    )
    .expect("replanned");
    let r = new.replan.as_ref().expect("re-plan facts");
    assert_eq!(r.warm_start, WarmStart::Previous);
    assert_eq!(r.not_started, previous.activities.len());
    assert!(
        r.kept_in_place * 10 >= r.not_started * 9,
        "{} of {} kept",
        r.kept_in_place,
        r.not_started
    );
}

/// A progress row on each work of the fixture, as of `as_of`: (status 0 – 2, start days
/// after the plan start, length in days, percent).
fn rows_of(plan: &Plan, as_of: NaiveDate, draws: &[(u8, i64, i64, f64)]) -> Vec<ProgressRow> {
    plan.works
        .iter()
        .zip(draws)
        .map(|(w, &(status, start, length, percent))| {
            let start = (plan.settings.start + chrono::Duration::days(start)).min(as_of);
            let finish = (start + chrono::Duration::days(length)).min(as_of);
            let status =
                [Status::NotStarted, Status::InProgress, Status::Done][usize::from(status)];
            ProgressRow {
                id: w.id.clone(),
                status,
                actual_start: (status != Status::NotStarted).then_some(start),
                actual_finish: (status == Status::Done).then_some(finish),
                percent: (status == Status::InProgress).then_some(percent),
                households_done: None,
                spent_cny: None,
                reported_on: as_of,
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Re-planning never moves a finished activity and never starts a not-started one
    /// before the data date.
    #[test]
    fn replanning_keeps_finished_work_and_starts_nothing_new_before_the_data_date(
        as_of_days in 5_i64..90,
        draws in proptest::collection::vec((0_u8..3, 0_i64..80, 0_i64..25, 0.0_f64..100.0), 8),
    ) {
        let (plan, analysis, previous) = planned();
        let as_of = plan.settings.start + chrono::Duration::days(as_of_days);
        let rows = rows_of(plan, as_of, &draws);
        let state = actuals(previous, &rows, as_of);
        let new = replan(plan, analysis, previous, &rows, as_of, &CityOptions {
            time_limit: Duration::from_millis(300),
            ..CityOptions::default()
        }).expect("replanned");
        for a in &new.activities {
            match state.of(&a.id) {
                Actual::Done { start, end } => prop_assert_eq!((a.start, a.end), (start, end)),
                Actual::InProgress { start, .. } => prop_assert_eq!(a.start, start),
                Actual::NotStarted => prop_assert!(a.start >= as_of, "{} starts {}", a.id, a.start),
            }
        }
        // Against the rows themselves: a done work's steps lie inside its actual span.
        for r in rows.iter().filter(|r| r.status == Status::Done) {
            let (start, finish) = (r.actual_start.unwrap_or(as_of), r.actual_finish.unwrap_or(as_of));
            for a in new.activities.iter().filter(|a| a.subject == Subject::Work(r.id.clone())) {
                prop_assert!(a.start >= start && a.end <= finish, "{} at {} – {}", a.id, a.start, a.end);
            }
        }
    }
}
