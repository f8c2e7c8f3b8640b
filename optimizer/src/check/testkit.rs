//! Test support: the fixture plan `tests/fixtures/schedules/renewal.plan.geojson` with a
//! hand-made schedule that keeps every rule (`renewal.schedule.json`), and edits that break
//! one rule at a time.
//!
//! The plan (weekends off, holidays 2026-04-06 and 2026-05-01, one crew of gas, water,
//! sewer, clearing and paving, Xicheng limited to one open street) has a water and a sewer
//! main in shared trench `trench-1` under `s-main` (moratorium from 2026-06-01), a gas main
//! `w-gas-c` of compound `c-north` under `s-side`, a free gas main `w-gas-far` (earliest
//! 2026-05-11), compound `c-north` (integrate, `start_by` 2026-03-16, with a clearing work
//! `w-clear`, a clean-heating retrofit `w-heat` and a roofing phase) clustered with
//! `c-south`, whose `pave` ends beyond the horizon and misses its `finish_by`.

use chrono::NaiveDate;
use geodata::analysis::{Analysis, AnalysisOptions, analyze};
use geodata::ingest::{IngestOptions, ingest};
use geodata::plan::Plan;

use super::check;
use crate::city::document::{Rule, RuleViolation, ScheduleDocument};

/// The fixture plan, as GeoJSON text.
pub(super) const PLAN: &str =
    include_str!("../../../tests/fixtures/schedules/renewal.plan.geojson");
/// Its schedule, which keeps every rule.
pub(super) const SCHEDULE: &str =
    include_str!("../../../tests/fixtures/schedules/renewal.schedule.json");

/// A plan, its analysis and a schedule to break.
pub(super) struct Fixture {
    /// The plan.
    pub(super) plan: Plan,
    /// Its analysis.
    pub(super) analysis: Analysis,
    /// The schedule (edit it, then [`Fixture::violations`]).
    pub(super) schedule: ScheduleDocument,
}

/// A date.
pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

impl Fixture {
    /// The fixture as committed.
    pub(super) fn load() -> Self {
        Self::with_plan(|_| {})
    }

    /// The fixture with its plan's JSON edited first (`edit` gets the whole document).
    pub(super) fn with_plan(edit: impl FnOnce(&mut serde_json::Value)) -> Self {
        let mut json: serde_json::Value = serde_json::from_str(PLAN).expect("fixture plan JSON");
        edit(&mut json);
        let text = serde_json::to_vec(&json).expect("plan JSON");
        let plan = ingest(&text[..], &IngestOptions::default()).expect("fixture plan is valid");
        let analysis = analyze(&plan, &AnalysisOptions::default()).expect("built-in profile");
        let schedule = ScheduleDocument::from_slice(SCHEDULE.as_bytes()).expect("fixture schedule");
        Self {
            plan,
            analysis,
            schedule,
        }
    }

    /// What the check finds in the schedule as it is now.
    pub(super) fn violations(&self) -> Vec<RuleViolation> {
        check(&self.plan, &self.analysis, &self.schedule)
    }

    /// Moves activity `id` to `start` .. `end`.
    pub(super) fn set(&mut self, id: &str, start: NaiveDate, end: NaiveDate) -> &mut Self {
        let a = self
            .schedule
            .activities
            .iter_mut()
            .find(|a| a.id == id)
            .unwrap_or_else(|| panic!("fixture activity {id}"));
        a.start = start;
        a.end = end;
        self
    }

    /// Moves every activity whose id starts with `prefix` by `days` calendar days.
    pub(super) fn shift(&mut self, prefix: &str, days: i64) -> &mut Self {
        let by = chrono::Duration::days(days);
        let mut moved = 0;
        for a in self
            .schedule
            .activities
            .iter_mut()
            .filter(|a| a.id.starts_with(prefix))
        {
            a.start += by;
            a.end += by;
            moved += 1;
        }
        assert!(moved > 0, "no activity starts with {prefix}");
        self
    }

    /// Rewrites every deadline outcome and the summary's counts from the activities' ends,
    /// so an edit of dates breaks no more than the rule it aims at.
    pub(super) fn report_deadlines_truly(&mut self) -> &mut Self {
        let s = &mut self.schedule;
        let (mut missed, mut lateness) = (0, 0);
        for d in &mut s.deadlines {
            let end = s
                .activities
                .iter()
                .find(|a| a.id == d.activity)
                .map(|a| a.end)
                .expect("deadline of a fixture activity");
            d.finish = end;
            d.lateness_days = (end - d.date).num_days().max(0);
            lateness += d.lateness_days;
            missed += usize::from(d.is_missed_hard());
        }
        s.summary.hard_deadlines_missed = missed;
        s.summary.lateness_days = lateness;
        self
    }
}

/// Asserts that every violation is of `rule`, and that there are `count` of them.
pub(super) fn assert_only(violations: &[RuleViolation], rule: Rule, count: usize) {
    assert!(
        violations.iter().all(|v| v.rule == rule) && violations.len() == count,
        "expected {count} {rule:?} violation(s), found {violations:#?}"
    );
}
