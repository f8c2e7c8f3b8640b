//! Deadlines and the horizon (`docs/input-format.md`, "Deadlines and the horizon").
//!
//! * Every deadline of the plan appears in the document's `deadlines` with the finish of
//!   its step and its lateness in calendar days, `max(0, end − date)`; the summary counts
//!   every late hard one as missed and sums every lateness, so none is silent.
//! * Every step ending after day `horizon_days − 1` is listed in `beyond_horizon` with its
//!   end, and nothing else is.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};
use geodata::plan::{DeadlineKind, Plan};

use super::Findings;
use super::steps::{Expectation, Span};
use crate::city::document::{DeadlineSource, Rule, ScheduleDocument};

/// A deadline's source as a key: its type and id.
fn source_key(source: &DeadlineSource) -> (u8, &str) {
    match source {
        DeadlineSource::Work(id) => (0, id),
        DeadlineSource::Compound(id) => (1, id),
        DeadlineSource::HeatingSeason(id) => (2, id),
    }
}

/// `hard` or `soft`.
fn kind_name(kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::Hard => "hard",
        DeadlineKind::Soft => "soft",
    }
}

/// Reports every deadline missing from the document, listed wrong or not of the plan, and a
/// summary that hides late ones.
pub(super) fn check_deadlines(
    expectation: &Expectation,
    schedule: &ScheduleDocument,
    dates: &[Option<Span>],
    findings: &mut Findings,
) {
    let mut listed: HashMap<((u8, &str), &str), usize> = HashMap::new();
    for (i, d) in schedule.deadlines.iter().enumerate() {
        if listed
            .insert((source_key(&d.source), d.activity.as_str()), i)
            .is_some()
        {
            findings.push(
                Rule::Deadline,
                vec![d.activity.clone()],
                format!(
                    "The {} on {} is listed more than once.",
                    d.source, d.activity
                ),
            );
        }
    }
    let mut matched: HashSet<usize> = HashSet::new();
    let (mut missed, mut lateness) = (0_usize, 0_i64);
    for expected in &expectation.deadlines {
        let step = &expectation.steps[expected.step];
        let Some(span) = dates[expected.step] else {
            matched.extend(listed.get(&(source_key(&expected.source), step.id.as_str())));
            continue; // a missing step is reported with the steps
        };
        let late = (span.end - expected.date).num_days().max(0);
        lateness += late;
        if late > 0 && expected.kind == DeadlineKind::Hard {
            missed += 1;
        }
        let subjects = vec![step.id.clone()];
        let Some(&i) = listed.get(&(source_key(&expected.source), step.id.as_str())) else {
            findings.push(
                Rule::Deadline,
                subjects,
                format!(
                    "The {} ({}, {}) on {} is missing from the deadlines; {} ends on {}, {late} day(s) late.",
                    expected.source,
                    kind_name(expected.kind),
                    expected.date,
                    step.id,
                    step.id,
                    span.end
                ),
            );
            continue;
        };
        matched.insert(i);
        let d = &schedule.deadlines[i];
        let mut wrong = Vec::new();
        if d.kind != expected.kind {
            wrong.push(format!(
                "is {} where the plan makes it {}",
                kind_name(d.kind),
                kind_name(expected.kind)
            ));
        }
        if d.date != expected.date {
            wrong.push(format!(
                "is due {} where the plan says {}",
                d.date, expected.date
            ));
        }
        if d.finish != span.end {
            wrong.push(format!(
                "gives the finish {} where {} ends on {}",
                d.finish, step.id, span.end
            ));
        }
        if d.lateness_days != late {
            wrong.push(format!(
                "gives {} day(s) late where it is {late}",
                d.lateness_days
            ));
        }
        if !wrong.is_empty() {
            findings.push(
                Rule::Deadline,
                subjects,
                format!(
                    "The {} on {} {}.",
                    expected.source,
                    step.id,
                    wrong.join(" and ")
                ),
            );
        }
    }
    for (i, d) in schedule.deadlines.iter().enumerate() {
        if !matched.contains(&i) {
            findings.push(
                Rule::Deadline,
                vec![d.activity.clone()],
                format!(
                    "The deadlines list a {} on {} that the plan does not set.",
                    d.source, d.activity
                ),
            );
        }
    }
    check_summary(schedule, missed, lateness, findings);
}

/// The summary counts every late hard deadline as missed and sums every lateness.
fn check_summary(
    schedule: &ScheduleDocument,
    missed: usize,
    lateness: i64,
    findings: &mut Findings,
) {
    let summary = &schedule.summary;
    if summary.hard_deadlines_missed != missed {
        findings.push(
            Rule::Deadline,
            Vec::new(),
            format!(
                "The summary counts {} missed hard deadline(s), but {missed} hard deadline(s) are late.",
                summary.hard_deadlines_missed
            ),
        );
    }
    if summary.lateness_days != lateness {
        findings.push(
            Rule::Deadline,
            Vec::new(),
            format!(
                "The summary sums {} day(s) of lateness, but the deadlines are {lateness} day(s) late in all.",
                summary.lateness_days
            ),
        );
    }
}

/// Reports every step beyond the horizon that `beyond_horizon` does not list (or lists with
/// another end), and every entry of it that is not beyond the horizon.
pub(super) fn check_horizon(plan: &Plan, schedule: &ScheduleDocument, findings: &mut Findings) {
    let settings = &plan.settings;
    let last_day = settings
        .start
        .checked_add_days(Days::new(u64::from(
            settings.horizon_days.saturating_sub(1),
        )))
        .unwrap_or(NaiveDate::MAX);
    let mut listed: HashMap<&str, NaiveDate> = HashMap::new();
    for b in &schedule.beyond_horizon {
        listed.insert(b.activity.as_str(), b.end);
    }
    let mut ends: HashMap<&str, NaiveDate> = HashMap::new();
    let mut beyond = 0_usize;
    for a in &schedule.activities {
        if ends.insert(a.id.as_str(), a.end).is_some() {
            continue; // a repeated id is the document's fault, reported as such
        }
        if a.end <= last_day {
            continue;
        }
        beyond += 1;
        match listed.get(a.id.as_str()) {
            None => findings.push(
                Rule::Horizon,
                vec![a.id.clone()],
                format!(
                    "{} ends on {}, after the horizon's last day {last_day}, and is not listed beyond the horizon.",
                    a.id, a.end
                ),
            ),
            Some(end) if *end != a.end => findings.push(
                Rule::Horizon,
                vec![a.id.clone()],
                format!(
                    "{} is listed beyond the horizon as ending on {end}, but it ends on {}.",
                    a.id, a.end
                ),
            ),
            Some(_) => {}
        }
    }
    for b in &schedule.beyond_horizon {
        match ends.get(b.activity.as_str()) {
            Some(end) if *end > last_day => {}
            Some(end) => findings.push(
                Rule::Horizon,
                vec![b.activity.clone()],
                format!(
                    "{} is listed beyond the horizon, but it ends on {end}, within it (last day {last_day}).",
                    b.activity
                ),
            ),
            None => findings.push(
                Rule::Horizon,
                vec![b.activity.clone()],
                format!(
                    "{} is listed beyond the horizon but is not in the schedule.",
                    b.activity
                ),
            ),
        }
    }
    if schedule.summary.beyond_horizon != beyond {
        findings.push(
            Rule::Horizon,
            Vec::new(),
            format!(
                "The summary counts {} step(s) beyond the horizon, but {beyond} end after {last_day}.",
                schedule.summary.beyond_horizon
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::check::testkit::{Fixture, assert_only, date};
    use crate::city::document::Rule;

    #[test]
    fn a_missed_hard_deadline_reported_on_time_has_the_wrong_lateness() {
        let mut f = Fixture::load();
        let d = f
            .schedule
            .deadlines
            .iter_mut()
            .find(|d| d.activity == "c-south/pave")
            .expect("fixture deadline");
        d.lateness_days = 0;
        let found = f.violations();
        assert_only(&found, Rule::Deadline, 1);
        assert!(
            found[0]
                .message
                .contains("gives 0 day(s) late where it is 99"),
            "{found:?}"
        );
    }

    #[test]
    fn a_missed_hard_deadline_left_out_everywhere_is_never_silent() {
        let mut f = Fixture::load();
        f.schedule
            .deadlines
            .retain(|d| d.activity != "c-south/pave");
        f.schedule.summary.hard_deadlines_missed = 0;
        f.schedule.summary.lateness_days = 0;
        let found = f.violations();
        assert_only(&found, Rule::Deadline, 3);
        assert!(found[0].message.contains("is missing from the deadlines"));
    }

    #[test]
    fn a_finish_that_is_not_the_steps_end_is_wrong() {
        let mut f = Fixture::load();
        f.schedule.deadlines[0].finish = date(2026, 4, 1);
        assert_only(&f.violations(), Rule::Deadline, 1);
    }

    #[test]
    fn a_deadline_the_plan_does_not_set_is_wrong() {
        let mut f = Fixture::load();
        let mut extra = f.schedule.deadlines[0].clone();
        extra.activity = "w-gas-far/restore".to_owned();
        f.schedule.deadlines.push(extra);
        assert_only(&f.violations(), Rule::Deadline, 1);
    }

    #[test]
    fn a_step_after_the_horizon_must_be_listed() {
        let mut f = Fixture::load();
        f.schedule.beyond_horizon.clear();
        f.schedule.summary.beyond_horizon = 0;
        let found = f.violations();
        // The step, and the summary that counts none.
        assert_only(&found, Rule::Horizon, 2);
        assert!(
            found[0]
                .message
                .contains("after the horizon's last day 2027-04-05"),
            "{found:?}"
        );
    }

    #[test]
    fn only_steps_after_the_horizon_are_listed_and_with_their_end() {
        let mut f = Fixture::load();
        let mut listed = f.schedule.beyond_horizon[0].clone();
        f.schedule.beyond_horizon[0].end = date(2027, 4, 8);
        listed.activity = "w-gas-far/restore".to_owned();
        f.schedule.beyond_horizon.push(listed);
        f.schedule.summary.beyond_horizon = 2;
        assert_only(&f.violations(), Rule::Horizon, 3);
    }
}
