//! Re-planning from what actually happened (`digonce replan`, `docs/progress.md`).
//!
//! ```text
//! previous ScheduleDocument + progress rows + as_of ──actuals──> state of each activity
//! Plan + Analysis ──(as plan_city)──> lowered problem ──constrain──> problem with history
//!        ──solve_from(previous starts)──> Schedule ──pin actual dates──> ScheduleDocument
//!        ──changes(previous, new)──> per-owner moves, additions, removals, risks
//! ```
//! Finished activities are fixed at their actual dates, activities in progress keep their
//! actual start with the remaining work, nothing not started starts before the data date,
//! and the rest is searched again from the previous schedule as a warm start (from a
//! fresh search when the warm start breaks the new constraints).

pub mod actuals;
pub mod changes;
mod constrain;

use chrono::NaiveDate;
use geodata::analysis::Analysis;
use geodata::plan::{DeadlineKind, Plan};
use geodata::progress::ProgressRow;

use crate::city::document::ScheduleDocument;
use crate::city::{CityError, CityOptions};
use crate::engine::{Problem, Schedule, SolveError, SolveOptions, solve, solve_from};
pub use actuals::{Actual, Actuals, actuals};
pub use changes::{AtRisk, Dated, Moved, OwnerChanges, Replanned, WarmStart, changes};
pub(super) use constrain::constrain;

/// Re-plans `plan` from its `previous` schedule and the progress `rows` as of `as_of`.
///
/// # Errors
/// As [`crate::city::plan_city`].
pub fn replan(
    plan: &Plan,
    analysis: &Analysis,
    previous: &ScheduleDocument,
    rows: &[ProgressRow],
    as_of: NaiveDate,
    options: &CityOptions,
) -> Result<ScheduleDocument, CityError> {
    let actuals = actuals(previous, rows, as_of);
    let (mut document, warm_start) =
        super::plan_city_with(plan, analysis, options, Some((&actuals, previous)))?;
    let (owners, sequence) = changes(previous, &document);
    let old: std::collections::HashMap<&str, (NaiveDate, NaiveDate)> = previous
        .activities
        .iter()
        .map(|a| (a.id.as_str(), (a.start, a.end)))
        .collect();
    let unstarted: Vec<bool> = document
        .activities
        .iter()
        .filter(|a| actuals.of(&a.id) == Actual::NotStarted)
        .filter_map(|a| old.get(a.id.as_str()).map(|&o| o == (a.start, a.end)))
        .collect();
    document.replan = Some(Replanned {
        as_of,
        warm_start,
        kept_in_place: unstarted.iter().filter(|&&kept| kept).count(),
        not_started: unstarted.len(),
        owners,
        sequence,
    });
    Ok(document)
}

/// Solves from each warm start in turn; a fresh search when none fits the problem.
pub(super) fn solve_warm(
    problem: &Problem,
    options: &SolveOptions,
    starts: &[Vec<i64>],
) -> Result<(Schedule, WarmStart), SolveError> {
    for (k, incumbent) in starts.iter().enumerate() {
        match solve_from(problem, options, incumbent) {
            Ok(schedule) => {
                let kind = if k == 0 {
                    WarmStart::Previous
                } else {
                    WarmStart::Shifted
                };
                return Ok((schedule, kind));
            }
            Err(SolveError::Incumbent { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    solve(problem, options).map(|s| (s, WarmStart::Fresh))
}

/// Writes the actual dates into the document: a done activity's first and last day, an
/// activity in progress's first day; deadlines on done activities judged on their actual
/// finish, and the summary's deadline figures recounted.
pub(super) fn pin(document: &mut ScheduleDocument, actuals: &Actuals) {
    for a in &mut document.activities {
        match actuals.of(&a.id) {
            Actual::Done { start, end } => {
                a.start = start;
                a.end = end;
            }
            Actual::InProgress { start, .. } => {
                a.start = start;
                a.end = a.end.max(start);
            }
            Actual::NotStarted => {}
        }
    }
    for d in &mut document.deadlines {
        if let Actual::Done { end, .. } = actuals.of(&d.activity) {
            d.finish = end;
            d.lateness_days = (end - d.date).num_days().max(0);
            if d.lateness_days == 0 {
                d.forced_by = None;
                d.sharing = None;
                d.explanation = None;
            }
        }
    }
    let missed: Vec<_> = document
        .deadlines
        .iter()
        .filter(|d| d.kind == DeadlineKind::Hard && d.lateness_days > 0)
        .collect();
    let summary = &mut document.summary;
    summary.hard_deadlines_missed = missed.len();
    summary.hard_deadlines_unavoidable = missed
        .iter()
        .filter(|d| {
            d.forced_by
                .is_some_and(crate::city::document::MissCause::is_unavoidable)
        })
        .count();
    summary.lateness_days = document.deadlines.iter().map(|d| d.lateness_days).sum();
}

#[cfg(test)]
mod tests;
