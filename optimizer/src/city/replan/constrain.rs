//! The engine problem of a re-plan: the lowered network with what happened built in, and
//! warm starts from the previous schedule.
//!
//! With `A` the axis day of the data date (the first site working day on or after it):
//! - a **done** activity is fixed on its actual days: released on its first, as many axis
//!   days long as its actual span, a hard deadline at its end; it holds no crew, no district
//!   quota and no calendar window (that is history);
//! - an activity **in progress** is its remaining work, `⌈duration × remaining⌉` axis days
//!   (at least one), released on `A` with a hard deadline at `A` plus that work (its crew
//!   is on site: it goes on at once), with its crews and no calendar window; lags out of it
//!   shrink by the work already done;
//! - an activity **not started** is released on `A` at the earliest (a placed office step
//!   that had not begun goes back on the site axis);
//! - a lag into a started activity is dropped (it began, whatever held it); a minimum lag
//!   out of a done activity becomes a release of its successor; a maximum lag out of one
//!   is dropped (the history may already break it);
//! - an open trench whose excavation has begun keeps its cost per day but holds no district
//!   quota (it is open whatever the quota says).

use chrono::NaiveDate;

use super::actuals::{Actual, Actuals};
use crate::city::document::ScheduleDocument;
use crate::city::lowering::Lowered;
use crate::city::network::Network;

/// How each activity of the problem was constrained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Done,
    Started,
    Free,
}

/// Builds what happened into `lowered` and returns the warm starts to try, best first:
/// the previous schedule's starts moved to their new releases, then the not-started part
/// of it shifted as one block past the data date; each pushed later where a lag or a
/// forbidden window requires.
pub fn constrain(
    network: &Network,
    lowered: &mut Lowered,
    actuals: &Actuals,
    previous: &ScheduleDocument,
) -> Vec<Vec<i64>> {
    let calendar = &network.calendar;
    let axis = |date: NaiveDate| calendar.site_index((date - network.plan_start).num_days());
    let as_of = axis(actuals.as_of);
    let n = network.activities.len();
    let mut kinds = vec![Kind::Free; n];
    let full: Vec<i64> = lowered
        .problem
        .activities
        .iter()
        .map(|a| i64::from(a.duration))
        .collect();
    // Done and started activities: fixed or shortened.
    for (i, a) in network.activities.iter().enumerate() {
        match actuals.of(&a.id) {
            Actual::Done { start, end } => {
                kinds[i] = Kind::Done;
                lowered.unplace(network, i);
                let first = axis(start);
                let after = if a.duration_days == 0 {
                    first
                } else {
                    axis(end + chrono::Duration::days(1)).max(first + 1)
                };
                let activity = &mut lowered.problem.activities[i];
                activity.release = first;
                activity.duration = u32::try_from(after - first).unwrap_or(u32::MAX);
                activity.deadline = Some(after);
                activity.due = None;
                activity.demands.clear();
                activity.forbidden.clear();
            }
            Actual::InProgress { remaining, .. } => {
                kinds[i] = Kind::Started;
                lowered.unplace(network, i);
                let activity = &mut lowered.problem.activities[i];
                let full = f64::from(activity.duration);
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a share of a u32 duration, clamped to it"
                )]
                let left = ((full * remaining.clamp(0.0, 1.0)).ceil() as u32)
                    .clamp(1.min(activity.duration), activity.duration);
                activity.duration = left;
                // Its crew is on site: the rest runs from the data date on, not whenever a
                // crew is free (a later start would show it open, idle, from its actual
                // start to that late finish, and hold a crew over the whole span).
                activity.release = as_of;
                activity.deadline = Some(as_of + i64::from(left));
                activity.forbidden.clear();
            }
            Actual::NotStarted => {
                if lowered
                    .placed(i)
                    .is_some_and(|(first, _)| calendar.site_index(first) < as_of)
                {
                    lowered.unplace(network, i);
                }
                if lowered.placed(i).is_none() {
                    let activity = &mut lowered.problem.activities[i];
                    activity.release = activity.release.max(as_of);
                }
            }
        }
    }
    // Lags: the full durations they were lowered with, before shortening.
    let done_part: Vec<i64> = (0..n)
        .map(|i| match kinds[i] {
            Kind::Started => full[i] - i64::from(lowered.problem.activities[i].duration),
            _ => 0,
        })
        .collect();
    let edges = std::mem::take(&mut lowered.problem.edges);
    for mut e in edges {
        match (kinds[e.from], kinds[e.to]) {
            (_, Kind::Done | Kind::Started) => {}
            (Kind::Done, Kind::Free) => {
                let release = lowered.problem.activities[e.from].release + e.min_lag;
                let to = &mut lowered.problem.activities[e.to];
                to.release = to.release.max(release);
            }
            (Kind::Started, Kind::Free) => {
                e.min_lag -= done_part[e.from];
                e.max_lag = e.max_lag.map(|m| m - done_part[e.from]);
                lowered.problem.edges.push(e);
            }
            (Kind::Free, Kind::Free) => lowered.problem.edges.push(e),
        }
    }
    for span in &mut lowered.problem.open_spans {
        if kinds[span.first] != Kind::Free {
            span.demands.clear();
        }
    }
    warm_starts(network, lowered, &kinds, previous)
}

/// The previous starts on the axis, each moved to its new release; then the free ones
/// shifted as a block so the earliest starts on the data date's axis day.
fn warm_starts(
    network: &Network,
    lowered: &Lowered,
    kinds: &[Kind],
    previous: &ScheduleDocument,
) -> Vec<Vec<i64>> {
    let calendar = &network.calendar;
    let old: std::collections::HashMap<&str, NaiveDate> = previous
        .activities
        .iter()
        .map(|a| (a.id.as_str(), a.start))
        .collect();
    let problem = &lowered.problem;
    let old_axis: Vec<Option<i64>> = network
        .activities
        .iter()
        .map(|a| {
            old.get(a.id.as_str())
                .map(|&d| calendar.site_index((d - network.plan_start).num_days()))
        })
        .collect();
    let release = |i: usize| problem.activities[i].release;
    let moved: Vec<i64> = (0..kinds.len())
        .map(|i| match (kinds[i], old_axis[i]) {
            (Kind::Free, Some(s)) => s.max(release(i)),
            _ => release(i),
        })
        .collect();
    let shift = (0..kinds.len())
        .filter(|&i| kinds[i] == Kind::Free)
        .filter_map(|i| Some(release(i) - old_axis[i]?))
        .max()
        .unwrap_or(0)
        .max(0);
    let shifted: Vec<i64> = (0..kinds.len())
        .map(|i| match (kinds[i], old_axis[i]) {
            (Kind::Free, Some(s)) => (s + shift).max(release(i)),
            _ => release(i),
        })
        .collect();
    vec![repair(problem, moved), repair(problem, shifted)]
}

/// Pushes starts later until every lag holds and no activity runs in one of its forbidden
/// windows (a few passes; what is still broken after them, a crew say, makes the engine
/// refuse the warm start and try the next).
fn repair(problem: &crate::engine::Problem, mut starts: Vec<i64>) -> Vec<i64> {
    for _ in 0..64 {
        let mut changed = false;
        for e in &problem.edges {
            if starts[e.to] < starts[e.from] + e.min_lag {
                starts[e.to] = starts[e.from] + e.min_lag;
                changed = true;
            }
            if let Some(max) = e.max_lag
                && starts[e.to] > starts[e.from] + max
            {
                starts[e.from] = starts[e.to] - max;
                changed = true;
            }
        }
        for (i, a) in problem.activities.iter().enumerate() {
            let d = i64::from(a.duration);
            for w in &a.forbidden {
                if d > 0 && starts[i] < w.end && starts[i] + d > w.start {
                    starts[i] = w.end;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    starts
}
