//! Tests of the step derivation and the steps rule, on the fixture plan.

use super::*;
use crate::check::testkit::{Fixture, assert_only, date};
use crate::city::document::ScheduledActivity;

#[test]
fn the_largest_remainder_split_follows_the_shares_and_gives_every_step_a_day() {
    let pipeline = [25, 30, 10, 15, 20];
    assert_eq!(split_days(20, &pipeline), [5, 6, 2, 3, 4]);
    // 2.5 3 1 1.5 2: the day left goes to the first of the two halves.
    assert_eq!(split_days(10, &pipeline), [3, 3, 1, 1, 2]);
    // 1.25 1.5 .5 .75 1: two days left to .75 and the first .5, then test takes one
    // from lay.
    assert_eq!(split_days(5, &pipeline), [1, 1, 1, 1, 1]);
    assert_eq!(split_days(1, &pipeline), [1, 1, 1, 1, 1]);
    assert_eq!(split_days(10, &[15, 20, 45, 10, 10]), [2, 2, 4, 1, 1]);
    assert_eq!(split_days(7, &[60, 40]), [4, 3]);
    assert_eq!(split_days(0, &[100]), [1]);
    for total in 5..300 {
        let parts = split_days(total, &pipeline);
        assert_eq!(parts.iter().sum::<u32>(), total, "total {total}");
    }
}

#[test]
fn the_fixture_asks_for_its_trench_compound_and_retrofit_steps() {
    let f = Fixture::load();
    let trenches = trench::resolve_for_tests(&f);
    let e = Expectation::derive(&f.plan, &f.analysis, &trenches);
    let days = |id: &str| e.steps[e.by_id[id]].days;
    // Trench steps are as long as the longest member's part: water 5/3/4, sewer 3/1/2.
    assert_eq!(days("trench-1/excavate"), 5);
    assert_eq!(days("trench-1/backfill"), 3);
    assert_eq!(days("trench-1/restore"), 4);
    assert_eq!((days("w-water/lay"), days("w-sewer/lay")), (6, 3));
    assert!(!e.by_id.contains_key("w-water/excavate"));
    // w-clear stands for c-north's clearing; c-south keeps its own.
    assert!(!e.by_id.contains_key("c-north/clearing"));
    assert_eq!(days("c-south/clearing"), 3);
    assert_eq!(days("c-north/roofing"), 8);
    // The retrofit's paper work is on the office calendar and needs no crew.
    let tender = &e.steps[e.by_id["w-heat/tender"]];
    assert_eq!((tender.calendar, tender.crew), (CalendarKind::Office, None));
    let connect = &e.steps[e.by_id["w-heat/connect"]];
    assert_eq!(connect.crew, Some(Discipline::Utility(Utility::Gas)));
    assert_eq!(e.steps.len(), 30);
    assert_eq!(heating_deadline(&f.plan), Some(date(2026, 11, 14)));
}

#[test]
fn a_duration_from_productivity_is_the_lines_length_over_the_rate_rounded_up() {
    // w-water is 256.5 m long: at 30 m a day, 9 days (2 2 1 2 2 by shares).
    let f = Fixture::with_plan(|plan| {
        let water = &mut plan["features"][3]["properties"];
        water
            .as_object_mut()
            .expect("properties")
            .remove("duration_days");
        water["productivity_m_per_day"] = 30.into();
    });
    assert_eq!(work_days(&f.plan.works[0]), 9);
    assert_eq!(split_days(9, &[25, 30, 10, 15, 20]), [2, 3, 1, 1, 2]);
}

#[test]
fn a_missing_step_is_reported_and_nothing_else() {
    let mut f = Fixture::load();
    f.schedule.activities.retain(|a| a.id != "w-sewer/test");
    let found = f.violations();
    assert_only(&found, Rule::Steps, 1);
    assert_eq!(found[0].subjects, ["w-sewer/test"]);
}

#[test]
fn a_step_the_plan_does_not_ask_for_is_extra_and_one_of_nothing_is_inconsistent() {
    let mut f = Fixture::load();
    let mut extra: ScheduledActivity = f.schedule.activities[0].clone();
    extra.id = "w-clear/pave".to_owned();
    extra.kind = ActivityKind::Pave;
    extra.subject = Subject::Work("w-clear".to_owned());
    f.schedule.activities.push(extra.clone());
    assert_only(&f.violations(), Rule::Steps, 1);
    extra.id = "ghost/lay".to_owned();
    extra.subject = Subject::Work("ghost".to_owned());
    f.schedule.activities.pop();
    f.schedule.activities.push(extra);
    assert_only(&f.violations(), Rule::Document, 1);
}

#[test]
fn a_step_under_another_subject_than_its_id_says_is_inconsistent() {
    let mut f = Fixture::load();
    let a = f
        .schedule
        .activities
        .iter_mut()
        .find(|a| a.id == "w-water/lay")
        .expect("fixture step");
    a.subject = Subject::Trench("trench-1".to_owned());
    assert_only(&f.violations(), Rule::Document, 1);
}
