//! Explanations of missed hard deadlines: the chain of activities that forces each one.
//!
//! Walking back from the late activity, each step names what holds a start where it is: a
//! tight lag from an earlier activity, a resource saturated until an earlier activity
//! finishes, a forbidden window ending that day, or a release date.
//!
//! Each miss is classified by the strongest proof that it cannot hold ([`ForcedBy`]): the
//! earliest-start schedule of lags and releases already misses it (the chain is then its
//! critical path); or the calendar schedule, lags and windows with unlimited crews,
//! misses it (the chain runs through the seasons, holidays and moratoria); or only the
//! crews and district limits make it late (the chain is read on the schedule itself).

use std::collections::HashMap;

use crate::engine::problem::Problem;
use crate::engine::schedule::{Cause, ForcedBy, Link, MissedDeadline};
use crate::engine::sgs::{Decoder, Model};
use crate::engine::temporal::Network;

/// Every missed deadline of `starts` with what forces it and its chain; `earliest` are
/// the temporal earliest starts (lags and releases only).
///
/// # Complexity
/// One resource-free decode, then `O(n + days * resources)` per schedule a chain is read
/// on and `O(chain * (arcs + resources))` per missed deadline.
#[must_use]
pub fn missed_deadlines(
    problem: &Problem,
    network: &Network,
    starts: &[i64],
    earliest: &[i64],
) -> Vec<MissedDeadline> {
    let late: Vec<usize> = problem
        .activities
        .iter()
        .enumerate()
        .filter(|(j, a)| {
            a.deadline
                .is_some_and(|d| starts[*j] + i64::from(a.duration) > d)
        })
        .map(|(j, _)| j)
        .collect();
    if late.is_empty() {
        return Vec::new();
    }
    let calendar = calendar_starts(problem, network, earliest);
    let mut readers: HashMap<ForcedBy, Reader> = HashMap::new();
    late.into_iter()
        .map(|j| {
            let a = &problem.activities[j];
            let deadline = a.deadline.unwrap_or(i64::MAX);
            let misses = |on: &[i64]| on[j] + i64::from(a.duration) > deadline;
            let (forced_by, on) = if misses(earliest) {
                (ForcedBy::Lags, earliest)
            } else if misses(&calendar) {
                (ForcedBy::Calendar, calendar.as_slice())
            } else {
                (ForcedBy::Resources, starts)
            };
            let reader = readers
                .entry(forced_by)
                .or_insert_with(|| Reader::new(problem, on));
            MissedDeadline {
                activity: j,
                name: a.name.clone(),
                deadline,
                finish: starts[j] + i64::from(a.duration),
                forced_by,
                chain: reader.chain(problem, network, on, j),
            }
        })
        .collect()
}

/// Earliest starts under lags, releases and forbidden windows with unlimited resources
/// (the serial SGS without demands, its maximum-lag repair included); the temporal
/// earliest starts when even that fails.
fn calendar_starts(problem: &Problem, network: &Network, earliest: &[i64]) -> Vec<i64> {
    let mut model = Model::from_problem(problem, network);
    for demands in &mut model.demands {
        demands.clear();
    }
    let mut list: Vec<usize> = (0..problem.activities.len()).collect();
    list.sort_by_key(|&j| (earliest[j], j));
    let mut decoder = Decoder::default();
    match decoder.decode(&model, &list) {
        Some(_) => decoder.starts,
        None => earliest.to_vec(),
    }
}

/// Resource usage and finishing activities of one schedule, so that each chain step
/// finds its blocker without scanning every activity.
struct Reader {
    /// `usage[day * resources + r]`.
    usage: Vec<u32>,
    resources: usize,
    /// Activities (with some demand) by finish day.
    ending: HashMap<i64, Vec<usize>>,
}

impl Reader {
    fn new(problem: &Problem, starts: &[i64]) -> Self {
        let resources = problem.resources.len();
        let mut usage = Vec::new();
        let mut ending: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, a) in problem.activities.iter().enumerate() {
            if a.duration == 0 || a.demands.iter().all(|&(_, u)| u == 0) {
                continue;
            }
            let end = starts[i] + i64::from(a.duration);
            ending.entry(end).or_default().push(i);
            for day in starts[i].max(0)..end {
                let base = usize::try_from(day).unwrap_or(0) * resources;
                if usage.len() < base + resources {
                    usage.resize(base + resources, 0);
                }
                for &(r, u) in &a.demands {
                    usage[base + r] += u;
                }
            }
        }
        Self {
            usage,
            resources,
            ending,
        }
    }

    /// The chain that holds `late` at its start in `starts`, origin first.
    fn chain(
        &self,
        problem: &Problem,
        network: &Network,
        starts: &[i64],
        late: usize,
    ) -> Vec<Link> {
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
            if let Some((resource, blocker)) = self.resource_blocker(problem, starts, cur, &seen) {
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

    /// A resource that is too full on the day before `j` starts for `j` to start then, and
    /// an activity using it that finishes exactly when `j` starts.
    fn resource_blocker(
        &self,
        problem: &Problem,
        starts: &[i64],
        j: usize,
        seen: &[bool],
    ) -> Option<(String, usize)> {
        let act = &problem.activities[j];
        if act.duration == 0 {
            return None;
        }
        let day = usize::try_from(starts[j] - 1).ok()?;
        let finishing = self.ending.get(&starts[j])?;
        for &(r, _) in &act.demands {
            let need = problem.demand(j, r);
            let used = self
                .usage
                .get(day * self.resources + r)
                .copied()
                .unwrap_or(0);
            if need == 0 || used + need <= problem.resources[r].capacity {
                continue;
            }
            if let Some(&i) = finishing
                .iter()
                .find(|&&i| i != j && !seen[i] && problem.demand(i, r) > 0)
            {
                return Some((problem.resources[r].name.clone(), i));
            }
        }
        None
    }
}
