//! Explanations of missed hard deadlines: the chain of activities that forces each one.
//!
//! Walking back from the late activity, each step names what holds a start where it is: a
//! tight lag from an earlier activity, a resource saturated until an earlier activity
//! finishes, a forbidden window ending that day, or a release date. When the deadline
//! cannot hold even without resources and windows, the chain is read on the earliest-start
//! schedule, i.e. it is the critical path of lags from a release.

use crate::problem::Problem;
use crate::schedule::{Cause, Link, MissedDeadline};
use crate::temporal::Network;

/// Every missed deadline of `starts` with its forcing chain; `earliest` are the temporal
/// earliest starts (lags and releases only).
#[must_use]
pub fn missed_deadlines(
    problem: &Problem,
    network: &Network,
    starts: &[i64],
    earliest: &[i64],
) -> Vec<MissedDeadline> {
    let mut missed = Vec::new();
    for (j, a) in problem.activities.iter().enumerate() {
        let Some(deadline) = a.deadline else {
            continue;
        };
        let finish = starts[j] + i64::from(a.duration);
        if finish <= deadline {
            continue;
        }
        let temporal = earliest[j] + i64::from(a.duration) > deadline;
        let on = if temporal { earliest } else { starts };
        missed.push(MissedDeadline {
            activity: j,
            name: a.name.clone(),
            deadline,
            finish,
            temporal,
            chain: chain(problem, network, on, j),
        });
    }
    missed
}

/// The chain that holds `late` at its start in `starts`, origin first.
fn chain(problem: &Problem, network: &Network, starts: &[i64], late: usize) -> Vec<Link> {
    let n = problem.activities.len();
    let mut seen = vec![false; n];
    let mut links = Vec::new();
    let mut cur = late;
    loop {
        seen[cur] = true;
        let s = starts[cur];
        let act = &problem.activities[cur];
        let link = |cause| Link {
            activity: cur,
            name: act.name.clone(),
            start: s,
            cause,
        };
        if let Some(&(u, w)) = network.inc[cur]
            .iter()
            .find(|&&(u, w)| !seen[u] && starts[u] + w == s)
        {
            links.push(link(Cause::Lag { lag: w }));
            cur = u;
            continue;
        }
        if let Some((resource, blocker)) = resource_blocker(problem, starts, cur, &seen) {
            links.push(link(Cause::Resource { resource }));
            cur = blocker;
            continue;
        }
        if let Some(win) = act.forbidden.iter().find(|w| w.end == s) {
            links.push(link(Cause::Window {
                start: win.start,
                end: win.end,
            }));
        } else if s == act.release {
            links.push(link(Cause::Release { day: s }));
        } else {
            links.push(link(Cause::Slack));
        }
        break;
    }
    links.reverse();
    links
}

/// A resource that is too full on the day before `j` starts for `j` to start then, and an
/// activity using it that finishes exactly when `j` starts.
fn resource_blocker(
    problem: &Problem,
    starts: &[i64],
    j: usize,
    seen: &[bool],
) -> Option<(String, usize)> {
    let act = &problem.activities[j];
    if act.duration == 0 {
        return None;
    }
    let day = starts[j] - 1;
    for (r, res) in problem.resources.iter().enumerate() {
        let need = problem.demand(j, r);
        if need == 0 {
            continue;
        }
        let mut used = 0;
        let mut blocker = None;
        for (i, other) in problem.activities.iter().enumerate() {
            let end = starts[i] + i64::from(other.duration);
            if i != j && starts[i] <= day && day < end {
                used += problem.demand(i, r);
                if end == starts[j] && problem.demand(i, r) > 0 && !seen[i] {
                    blocker = Some(i);
                }
            }
        }
        if used + need > res.capacity
            && let Some(i) = blocker
        {
            return Some((res.name.clone(), i));
        }
    }
    None
}
