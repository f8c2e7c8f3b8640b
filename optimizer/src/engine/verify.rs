//! The independent verifier: re-derives every constraint from the problem inputs alone.
//!
//! It deliberately shares no code with the search, the decoder, the objective or the
//! timing LP (not even helpers), so that a bug there cannot hide itself here. It reports
//! every violation, typed, not just whether the schedule is valid.

use serde::{Deserialize, Serialize};

use crate::engine::problem::Problem;

/// One broken constraint of a schedule; its `Display` is one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Violation {
    /// The schedule does not give exactly one start and one end per activity.
    #[error("the schedule gives {starts} starts and {ends} ends for {activities} activities")]
    WrongLength {
        /// Number of activities in the problem.
        activities: usize,
        /// Number of starts given.
        starts: usize,
        /// Number of ends given.
        ends: usize,
    },
    /// An activity's end is not its start plus its duration (it was split or stretched).
    #[error("{activity} starts on day {start} and ends on day {end} but lasts {duration} days")]
    Preempted {
        /// Activity name.
        activity: String,
        /// Start day.
        start: i64,
        /// End day.
        end: i64,
        /// Required duration.
        duration: u32,
    },
    /// An activity starts before its release date.
    #[error("{activity} starts on day {start}, before its release on day {release}")]
    BeforeRelease {
        /// Activity name.
        activity: String,
        /// Start day.
        start: i64,
        /// Release day.
        release: i64,
    },
    /// An activity finishes after its hard deadline.
    #[error("{activity} ends on day {end}, after its deadline on day {deadline}")]
    DeadlineMissed {
        /// Activity name.
        activity: String,
        /// Finish day.
        end: i64,
        /// Deadline day.
        deadline: i64,
    },
    /// `S_to - S_from` is below the edge's minimum lag.
    #[error("{to} starts {actual} days after {from}, less than the minimum of {lag}")]
    MinLag {
        /// First activity.
        from: String,
        /// Second activity.
        to: String,
        /// Required minimum.
        lag: i64,
        /// Actual start difference.
        actual: i64,
    },
    /// `S_to - S_from` is above the edge's maximum lag.
    #[error("{to} starts {actual} days after {from}, more than the maximum of {lag}")]
    MaxLag {
        /// First activity.
        from: String,
        /// Second activity.
        to: String,
        /// Allowed maximum.
        lag: i64,
        /// Actual start difference.
        actual: i64,
    },
    /// A resource is over capacity on a run of days.
    #[error(
        "{resource} is used {used} times from day {from_day} to day {to_day}, above its capacity {capacity}"
    )]
    OverCapacity {
        /// Resource name.
        resource: String,
        /// First day of the run.
        from_day: i64,
        /// First day after the run.
        to_day: i64,
        /// Units in use on those days.
        used: u64,
        /// Capacity per day.
        capacity: u32,
    },
    /// An activity is in progress inside one of its forbidden windows.
    #[error(
        "{activity} is in progress from day {start} to day {end}, inside its forbidden window from day {window_start} to day {window_end}"
    )]
    InForbiddenWindow {
        /// Activity name.
        activity: String,
        /// Start day.
        start: i64,
        /// End day.
        end: i64,
        /// Window start.
        window_start: i64,
        /// Window end.
        window_end: i64,
    },
}

/// Every violation of `starts`/`ends` against the problem; empty means valid (hard
/// deadlines included: a schedule that misses one is reported, not hidden).
#[must_use]
pub fn verify(problem: &Problem, starts: &[i64], ends: &[i64]) -> Vec<Violation> {
    let acts = &problem.activities;
    if starts.len() != acts.len() || ends.len() != acts.len() {
        return vec![Violation::WrongLength {
            activities: acts.len(),
            starts: starts.len(),
            ends: ends.len(),
        }];
    }
    let mut found = Vec::new();
    for (k, act) in acts.iter().enumerate() {
        let (start, end) = (starts[k], ends[k]);
        if end - start != i64::from(act.duration) {
            found.push(Violation::Preempted {
                activity: act.name.clone(),
                start,
                end,
                duration: act.duration,
            });
        }
        if start < act.release {
            found.push(Violation::BeforeRelease {
                activity: act.name.clone(),
                start,
                release: act.release,
            });
        }
        if let Some(deadline) = act.deadline
            && end > deadline
        {
            found.push(Violation::DeadlineMissed {
                activity: act.name.clone(),
                end,
                deadline,
            });
        }
        for win in &act.forbidden {
            // In progress on days start..end-1; the window covers days start..end-1 too.
            if start < end && start < win.end && win.start < end {
                found.push(Violation::InForbiddenWindow {
                    activity: act.name.clone(),
                    start,
                    end,
                    window_start: win.start,
                    window_end: win.end,
                });
            }
        }
    }
    for edge in &problem.edges {
        let actual = starts[edge.to] - starts[edge.from];
        let from = acts[edge.from].name.clone();
        let to = acts[edge.to].name.clone();
        if actual < edge.min_lag {
            found.push(Violation::MinLag {
                from: from.clone(),
                to: to.clone(),
                lag: edge.min_lag,
                actual,
            });
        }
        if let Some(lag) = edge.max_lag
            && actual > lag
        {
            found.push(Violation::MaxLag {
                from,
                to,
                lag,
                actual,
            });
        }
    }
    over_capacity(problem, starts, ends, &mut found);
    found
}

/// Appends a violation for every run of days on which a resource is over capacity.
fn over_capacity(problem: &Problem, starts: &[i64], ends: &[i64], found: &mut Vec<Violation>) {
    let acts = &problem.activities;
    for (r, res) in problem.resources.iter().enumerate() {
        // Sweep the day boundaries where usage changes.
        let mut changes: Vec<(i64, i64)> = Vec::new();
        for (k, act) in acts.iter().enumerate() {
            let units: i64 = act
                .demands
                .iter()
                .filter(|d| d.0 == r)
                .map(|d| i64::from(d.1))
                .sum();
            if units > 0 && starts[k] < ends[k] {
                changes.push((starts[k], units));
                changes.push((ends[k], -units));
            }
        }
        // An open span holds its units from its first activity's start to its last's end.
        for span in &problem.open_spans {
            let units: i64 = span
                .demands
                .iter()
                .filter(|d| d.0 == r)
                .map(|d| i64::from(d.1))
                .sum();
            let (from, to) = (starts[span.first], ends[span.last]);
            if units > 0 && from < to {
                changes.push((from, units));
                changes.push((to, -units));
            }
        }
        changes.sort_unstable();
        let mut used = 0_i64;
        let mut idx = 0;
        while idx < changes.len() {
            let day = changes[idx].0;
            while idx < changes.len() && changes[idx].0 == day {
                used += changes[idx].1;
                idx += 1;
            }
            if used > i64::from(res.capacity) {
                let to_day = changes.get(idx).map_or(day, |c| c.0);
                found.push(Violation::OverCapacity {
                    resource: res.name.clone(),
                    from_day: day,
                    to_day,
                    used: u64::try_from(used).unwrap_or(u64::MAX),
                    capacity: res.capacity,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::problem::{Activity, Edge, Resource, Window};

    fn fixture() -> Problem {
        let mut p = Problem {
            resources: vec![Resource {
                name: "crew".into(),
                capacity: 1,
            }],
            ..Problem::default()
        };
        let mut a = Activity::new("dig", 2);
        a.demands.push((0, 1));
        a.release = 1;
        a.forbidden.push(Window { start: 10, end: 12 });
        let mut b = Activity::new("lay", 2);
        b.demands.push((0, 1));
        b.deadline = Some(5);
        p.activities = vec![a, b];
        p.edges.push(Edge {
            from: 0,
            to: 1,
            min_lag: 2,
            max_lag: Some(3),
        });
        p
    }

    #[test]
    fn a_valid_schedule_has_no_violation() {
        assert_eq!(verify(&fixture(), &[1, 3], &[3, 5]), vec![]);
    }

    #[test]
    fn every_broken_constraint_is_reported() {
        let p = fixture();
        let found = verify(&p, &[0, 1], &[2, 4]);
        assert!(found.contains(&Violation::BeforeRelease {
            activity: "dig".into(),
            start: 0,
            release: 1
        }));
        assert!(
            found
                .iter()
                .any(|v| matches!(v, Violation::MinLag { actual: 1, .. }))
        );
        assert!(
            found
                .iter()
                .any(|v| matches!(v, Violation::Preempted { .. }))
        );
        assert!(found.iter().any(|v| matches!(
            v,
            Violation::OverCapacity {
                from_day: 1,
                to_day: 2,
                used: 2,
                ..
            }
        )));
        let late = verify(&p, &[9, 13], &[11, 15]);
        assert!(
            late.iter()
                .any(|v| matches!(v, Violation::MaxLag { actual: 4, .. }))
        );
        assert!(
            late.iter()
                .any(|v| matches!(v, Violation::DeadlineMissed { end: 15, .. }))
        );
        assert!(
            late.iter()
                .any(|v| matches!(v, Violation::InForbiddenWindow { .. }))
        );
    }

    #[test]
    fn wrong_lengths_are_reported_not_panicked_on() {
        assert!(matches!(
            verify(&fixture(), &[0], &[1, 2])[..],
            [Violation::WrongLength { .. }]
        ));
    }
}
