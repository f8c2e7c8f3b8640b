//! Earliest starts: no step starts before the plan start; a work's steps (a shared
//! trench's for every member) not before its `earliest` nor the `start_by` of any compound
//! it belongs to; a compound's phases not before its `start_by`
//! (`docs/input-format.md`, "Earliest starts").

use super::Findings;
use super::steps::{Expectation, Span};
use crate::city::document::Rule;

/// Reports every step that starts before its release.
pub(super) fn check_earliest_starts(
    expectation: &Expectation,
    dates: &[Option<Span>],
    findings: &mut Findings,
) {
    for (step, span) in expectation.steps.iter().zip(dates) {
        let Some(span) = span else { continue };
        if span.start < step.release {
            findings.push(
                Rule::EarliestStart,
                vec![step.id.clone()],
                format!(
                    "{} starts on {}, {} day(s) before {} ({}).",
                    step.id,
                    span.start,
                    (step.release - span.start).num_days(),
                    step.release_by,
                    step.release
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
    fn steps_a_week_before_their_works_earliest_start_too_early() {
        let mut f = Fixture::load();
        f.shift("w-gas-far/", -7);
        let found = f.violations();
        assert_only(&found, Rule::EarliestStart, 5);
        assert!(
            found[0]
                .message
                .contains("the earliest of work w-gas-far (2026-05-11)"),
            "{found:?}"
        );
    }

    #[test]
    fn a_work_of_a_compound_waits_for_the_compounds_start_by() {
        let mut f = Fixture::load();
        f.set("w-clear/clearing", date(2026, 3, 9), date(2026, 3, 11))
            .report_deadlines_truly();
        let found = f.violations();
        assert_only(&found, Rule::EarliestStart, 1);
        assert!(
            found[0].message.contains("start_by of compound c-north"),
            "{found:?}"
        );
    }
}
