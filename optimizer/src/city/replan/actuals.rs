//! What actually happened to each activity of the previous schedule, from the progress
//! rows reported on or before the data date.
//!
//! The rule (`docs/progress.md`, "Re-planning"):
//! - a row on the activity's own id (`w12/lay`) decides it directly: `done` is fixed from
//!   `actual_start` (or, without one, the old duration before `actual_finish`) to
//!   `actual_finish`; `in_progress` keeps `actual_start` and `1 - percent/100` of its work;
//! - otherwise the row of its unit decides: the work or compound it is a step of, or for a
//!   shared-trench step the rows of every work laid in the trench (done when all are done,
//!   from the earliest start to the latest finish; in progress when any has started, with
//!   the least share done). A done unit's steps keep their old offsets scaled onto its
//!   actual span; in a unit in progress the share done covers its steps in their old order
//!   (old lengths): those covered are done, the one the share ends in is in progress, the
//!   later ones not started;
//! - an activity nobody reported on has not started.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use geodata::progress::{ProgressRow, Status, latest};

use crate::city::document::{ScheduleDocument, ScheduledActivity, Subject};

/// Where one activity stands on the data date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Actual {
    /// Finished: fixed on these days (first and last day of work).
    Done {
        /// First day of work.
        start: NaiveDate,
        /// Last day of work.
        end: NaiveDate,
    },
    /// Begun on `start`; `remaining` (0 – 1) of its work is left from the data date.
    InProgress {
        /// First day of work.
        start: NaiveDate,
        /// Share of the work left.
        remaining: f64,
    },
    /// Not begun: it may not start before the data date.
    NotStarted,
}

/// The state of every activity of a previous schedule on a data date.
#[derive(Debug, Clone)]
pub struct Actuals {
    /// The data date.
    pub as_of: NaiveDate,
    /// Activity id -> its state (every activity of the previous schedule).
    pub by_activity: HashMap<String, Actual>,
}

impl Actuals {
    /// The state of activity `id` (not started when unknown: new in the re-plan).
    #[must_use]
    pub fn of(&self, id: &str) -> Actual {
        self.by_activity
            .get(id)
            .copied()
            .unwrap_or(Actual::NotStarted)
    }
}

/// What a unit (work, compound or trench) did, combined from its rows.
#[derive(Debug, Clone, Copy)]
struct UnitState {
    status: Status,
    start: Option<NaiveDate>,
    finish: Option<NaiveDate>,
    fraction: f64,
}

impl UnitState {
    fn of(row: &ProgressRow) -> Self {
        Self {
            status: row.status,
            start: row.actual_start,
            finish: row.actual_finish,
            fraction: row.fraction_done(),
        }
    }

    /// Several works' states as one (a shared trench's).
    fn combine(states: &[Option<Self>]) -> Option<Self> {
        let known: Vec<Self> = states.iter().flatten().copied().collect();
        let started: Vec<Self> = known
            .iter()
            .copied()
            .filter(|s| s.status != Status::NotStarted)
            .collect();
        if started.is_empty() {
            return None;
        }
        let start = started.iter().filter_map(|s| s.start.or(s.finish)).min();
        let all_done =
            known.len() == states.len() && known.iter().all(|s| s.status == Status::Done);
        Some(Self {
            status: if all_done {
                Status::Done
            } else {
                Status::InProgress
            },
            start,
            finish: all_done
                .then(|| known.iter().filter_map(|s| s.finish).max())
                .flatten(),
            // A work not reported has done none of its share.
            fraction: if known.len() < states.len() {
                0.0
            } else {
                known.iter().map(|s| s.fraction).fold(1.0, f64::min)
            },
        })
    }
}

/// The state of every activity of `previous` on `as_of`, from the rows reported on or
/// before it (the latest per id counts).
#[must_use]
pub fn actuals(previous: &ScheduleDocument, rows: &[ProgressRow], as_of: NaiveDate) -> Actuals {
    let counted = latest(rows.iter().filter(|r| r.reported_on <= as_of));
    let unit_state = |a: &ScheduledActivity| -> Option<UnitState> {
        match &a.subject {
            Subject::Work(id) | Subject::Compound(id) => counted
                .get(id.as_str())
                .filter(|r| r.status != Status::NotStarted)
                .map(|r| UnitState::of(r)),
            Subject::Trench(_) => {
                let states: Vec<Option<UnitState>> = a
                    .works
                    .iter()
                    .map(|w| counted.get(w.as_str()).map(|r| UnitState::of(r)))
                    .collect();
                UnitState::combine(&states)
            }
        }
    };
    // The steps of each unit that have no row of their own, in their old order.
    let mut units: HashMap<&str, Vec<&ScheduledActivity>> = HashMap::new();
    for a in &previous.activities {
        if !counted.contains_key(a.id.as_str()) {
            units.entry(a.subject.id()).or_default().push(a);
        }
    }
    let mut by_activity: HashMap<String, Actual> = HashMap::new();
    for steps in units.values_mut() {
        steps.sort_by_key(|a| (a.start, a.end));
        match unit_state(steps[0]) {
            Some(unit) => by_activity.extend(by_unit(&unit, steps, as_of)),
            None => by_activity.extend(steps.iter().map(|a| (a.id.clone(), Actual::NotStarted))),
        }
    }
    for a in &previous.activities {
        if let Some(row) = counted.get(a.id.as_str()) {
            by_activity.insert(a.id.clone(), own(row, a.end - a.start));
        }
    }
    Actuals { as_of, by_activity }
}

/// An activity's state from a row on its own id; `length` is its old last day minus its
/// first.
fn own(row: &ProgressRow, length: Duration) -> Actual {
    match row.status {
        Status::Done => {
            let end = row
                .actual_finish
                .or(row.actual_start)
                .unwrap_or(row.reported_on);
            let start = row.actual_start.unwrap_or(end - length).min(end);
            Actual::Done { start, end }
        }
        Status::InProgress => Actual::InProgress {
            start: row.actual_start.unwrap_or(row.reported_on),
            remaining: 1.0 - row.fraction_done(),
        },
        Status::NotStarted => Actual::NotStarted,
    }
}

/// The states of a unit's `steps` (in their old order) from the unit's state.
///
/// A done unit's steps keep their old offsets scaled onto its actual span (the first
/// starts on the actual start, the last ends on the actual finish). In an unit in progress
/// the share done is laid over the steps' old lengths in order: the steps it covers are
/// done (old offsets from the actual start, clamped before the data date), the one it ends
/// in is in progress with the rest of its share, the others have not started.
fn by_unit(
    unit: &UnitState,
    steps: &[&ScheduledActivity],
    as_of: NaiveDate,
) -> Vec<(String, Actual)> {
    let Some(actual_start) = unit.start.or(unit.finish) else {
        return steps
            .iter()
            .map(|a| (a.id.clone(), Actual::NotStarted))
            .collect();
    };
    let first = steps.iter().map(|a| a.start).min().unwrap_or(actual_start);
    let last = steps.iter().map(|a| a.end).max().unwrap_or(actual_start);
    if let (Status::Done, Some(finish)) = (unit.status, unit.finish) {
        let old_span = (last - first).num_days().max(1);
        let new_span = (finish - actual_start).num_days().max(0);
        let scale = |d: NaiveDate| {
            let k = (d - first).num_days();
            actual_start + Duration::days(k * new_span / old_span)
        };
        return steps
            .iter()
            .map(|a| {
                let start = scale(a.start).clamp(actual_start, finish);
                let end = scale(a.end).clamp(start, finish);
                (a.id.clone(), Actual::Done { start, end })
            })
            .collect();
    }
    let length = |a: &ScheduledActivity| (a.end - a.start).num_days() + 1;
    #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
    let total = steps.iter().map(|a| length(a)).sum::<i64>() as f64;
    let done = total * unit.fraction.clamp(0.0, 1.0);
    let shift = actual_start - first;
    let mut covered = 0.0;
    steps
        .iter()
        .enumerate()
        .map(|(k, a)| {
            #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
            let len = length(a) as f64;
            let start = (a.start + shift).clamp(actual_start, as_of);
            let state = if covered + len <= done && done > 0.0 {
                Actual::Done {
                    start,
                    end: (a.end + shift).clamp(start, as_of),
                }
            } else if covered < done || (k == 0 && covered == 0.0) {
                Actual::InProgress {
                    start,
                    remaining: 1.0 - (done - covered) / len,
                }
            } else {
                Actual::NotStarted
            };
            covered += len;
            (a.id.clone(), state)
        })
        .collect()
}
