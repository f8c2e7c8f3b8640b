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
    let late: Vec<(usize, i64)> = problem
        .activities
        .iter()
        .enumerate()
        .filter_map(|(j, a)| {
            let deadline = a.deadline?;
            (starts[j] + i64::from(a.duration) > deadline).then_some((j, deadline))
        })
        .collect();
    explain(problem, network, starts, earliest, &late)
}

/// What forces each `(activity, deadline)` of `late` (finishes after that day in `starts`)
/// and its chain. The deadline need not be the activity's own: the city layer asks about
/// each of several deadlines on one activity, and about its horizon.
#[must_use]
pub fn explain(
    problem: &Problem,
    network: &Network,
    starts: &[i64],
    earliest: &[i64],
    late: &[(usize, i64)],
) -> Vec<MissedDeadline> {
    if late.is_empty() {
        return Vec::new();
    }
    let calendar = calendar_starts(problem, network, earliest);
    let mut readers: HashMap<ForcedBy, Reader> = HashMap::new();
    late.iter()
        .map(|&(j, deadline)| {
            let a = &problem.activities[j];
            let finish = |on: &[i64]| on[j] + i64::from(a.duration);
            let (forced_by, on) = if finish(earliest) > deadline {
                (ForcedBy::Lags, earliest)
            } else if finish(&calendar) > deadline {
                (ForcedBy::Calendar, calendar.as_slice())
            } else {
                (ForcedBy::Resources, starts)
            };
            // Lags and the calendar alone force it: no crew or district limit is to blame,
            // so the chain is read without resources.
            let reader = readers
                .entry(forced_by)
                .or_insert_with(|| Reader::new(problem, on, forced_by == ForcedBy::Resources));
            MissedDeadline {
                activity: j,
                name: a.name.clone(),
                deadline,
                finish: finish(starts),
                earliest_finish: finish(earliest),
                calendar_finish: finish(&calendar),
                forced_by,
                chain: reader.chain(problem, network, on, j),
            }
        })
        .collect()
}

/// Earliest starts under lags, releases and forbidden windows with unlimited resources
/// (the serial SGS without demands, its maximum-lag repair included); the temporal
/// earliest starts when even that fails.
pub(crate) fn calendar_starts(problem: &Problem, network: &Network, earliest: &[i64]) -> Vec<i64> {
    let mut model = Model::from_problem(problem, network);
    model.without_resources();
    let mut list: Vec<usize> = (0..problem.activities.len()).collect();
    list.sort_by_key(|&j| (earliest[j], j));
    let mut decoder = Decoder::default();
    match decoder.decode(&model, &list) {
        Some(_) => decoder.starts,
        None => earliest.to_vec(),
    }
}

/// Something holding resources until it finishes: `(closing activity, (resource, units))`.
type Holder = (usize, Vec<(usize, u32)>);

/// Resource usage and finishing holders of one schedule, so that each chain step finds
/// its blocker without scanning every activity.
struct Reader {
    /// Whether resources may be blamed (not for misses forced by lags or the calendar).
    blame_resources: bool,
    /// `usage[day * resources + r]`, open spans' holds included.
    usage: Vec<u32>,
    resources: usize,
    /// Holders by finish day: `(closing activity, units per resource)`; an activity holds
    /// its own demands, an open span its demands until its last activity finishes.
    ending: HashMap<i64, Vec<Holder>>,
    /// `opens[j]`: demands of the open spans activity `j` opens.
    opens: HashMap<usize, Vec<(usize, u32)>>,
}

impl Reader {
    fn new(problem: &Problem, starts: &[i64], blame_resources: bool) -> Self {
        let resources = problem.resources.len();
        let mut reader = Self {
            blame_resources,
            usage: Vec::new(),
            resources,
            ending: HashMap::new(),
            opens: HashMap::new(),
        };
        if !blame_resources {
            return reader;
        }
        for (i, a) in problem.activities.iter().enumerate() {
            if a.duration == 0 {
                continue;
            }
            reader.hold(&a.demands, starts[i], starts[i] + i64::from(a.duration), i);
        }
        for span in &problem.open_spans {
            let end = starts[span.last] + i64::from(problem.activities[span.last].duration);
            reader.hold(&span.demands, starts[span.first], end, span.last);
            reader
                .opens
                .entry(span.first)
                .or_default()
                .extend(span.demands.iter().copied());
        }
        reader
    }

    /// Books `demands` on `[from, to)`, held by `closer`.
    fn hold(&mut self, demands: &[(usize, u32)], from: i64, to: i64, closer: usize) {
        if demands.iter().all(|&(_, u)| u == 0) || to <= from {
            return;
        }
        self.ending
            .entry(to)
            .or_default()
            .push((closer, demands.to_vec()));
        for day in from.max(0)..to {
            let base = usize::try_from(day).unwrap_or(0) * self.resources;
            if self.usage.len() < base + self.resources {
                self.usage.resize(base + self.resources, 0);
            }
            for &(r, u) in demands {
                self.usage[base + r] += u;
            }
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

    /// A resource that is too full on the day before `j` starts for `j` (or a span it
    /// opens) to start then, and a holder of it that finishes exactly when `j` starts.
    fn resource_blocker(
        &self,
        problem: &Problem,
        starts: &[i64],
        j: usize,
        seen: &[bool],
    ) -> Option<(String, usize)> {
        if !self.blame_resources {
            return None;
        }
        let act = &problem.activities[j];
        let day = usize::try_from(starts[j] - 1).ok()?;
        let finishing = self.ending.get(&starts[j])?;
        let own = if act.duration == 0 {
            &[][..]
        } else {
            &act.demands[..]
        };
        let spans = self.opens.get(&j).map_or(&[][..], Vec::as_slice);
        for &(r, need) in own.iter().chain(spans) {
            let used = self
                .usage
                .get(day * self.resources + r)
                .copied()
                .unwrap_or(0);
            if need == 0 || used + need <= problem.resources[r].capacity {
                continue;
            }
            if let Some(&(i, _)) = finishing.iter().find(|(i, held)| {
                *i != j && !seen[*i] && held.iter().any(|&(hr, u)| hr == r && u > 0)
            }) {
                return Some((problem.resources[r].name.clone(), i));
            }
        }
        None
    }
}
