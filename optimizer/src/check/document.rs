//! The document's own consistency: it names the plan it schedules, lists each activity
//! once and never ends an activity before it starts.
//!
//! Activities of nothing in the plan and steps whose kind or subject contradicts their id
//! are found with the steps (`super::steps`).

use std::collections::HashSet;

use geodata::plan::Plan;

use super::Findings;
use crate::city::document::{Rule, ScheduleDocument};

/// Reports a plan reference that is not the plan's, repeated activity ids and activities
/// that end before they start.
pub(super) fn check_document(plan: &Plan, schedule: &ScheduleDocument, findings: &mut Findings) {
    let settings = &plan.settings;
    if schedule.plan.start != settings.start {
        findings.push(
            Rule::Document,
            Vec::new(),
            format!(
                "The document's day 0 is {}, but the plan starts on {}.",
                schedule.plan.start, settings.start
            ),
        );
    }
    if schedule.plan.name != settings.name {
        findings.push(
            Rule::Document,
            Vec::new(),
            format!(
                "The document schedules plan \"{}\", not \"{}\".",
                schedule.plan.name, settings.name
            ),
        );
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(schedule.activities.len());
    let mut repeated: HashSet<&str> = HashSet::new();
    for a in &schedule.activities {
        if !seen.insert(a.id.as_str()) && repeated.insert(a.id.as_str()) {
            findings.push(
                Rule::Document,
                vec![a.id.clone()],
                format!(
                    "Activity {} is listed more than once; the first one is checked.",
                    a.id
                ),
            );
        }
        if a.end < a.start {
            findings.push(
                Rule::Document,
                vec![a.id.clone()],
                format!(
                    "{} ends on {}, before it starts on {}.",
                    a.id, a.end, a.start
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
    fn a_repeated_activity_and_an_end_before_the_start_are_inconsistent() {
        let mut f = Fixture::load();
        let copy = f.schedule.activities[0].clone();
        f.schedule.activities.push(copy);
        f.set("w-gas-far/restore", date(2026, 5, 15), date(2026, 5, 14));
        let found = f.violations();
        assert_only(&found, Rule::Document, 2);
    }

    #[test]
    fn a_document_of_another_plan_start_is_inconsistent() {
        let mut f = Fixture::load();
        f.schedule.plan.start = date(2026, 3, 1);
        assert_only(&f.violations(), Rule::Document, 1);
    }
}
