//! Closing open spans sooner: a pass over a finished schedule that starts the activities
//! inside each open span as late as everything after them allows.
//!
//! A left-justified schedule opens a trench as early as its excavation can start and lets
//! it stand while the pipe waits for its crew. Here every activity on a chain from a
//! span's first activity to its last (the excavation, laying, testing, backfill of a
//! trench) is moved right, latest first, to the latest day its successors' lags, its
//! windows, its deadline and the resources still allow. The span's last activity and
//! everything outside the chains stay where they are, so the makespan, every other
//! activity and every deadline are untouched; only the spans shrink. The timing LP does
//! this exactly when it runs; this pass is what a city too large for the LP gets.

use crate::engine::problem::Problem;
use crate::engine::sgs::shortest_span;
use crate::engine::temporal::Network;

/// Moves the activities inside open spans as late as allowed; returns how many moved.
///
/// # Complexity
/// `O(c * (d * r + a))` per chain activity moved by up to `d` days, with `r` resources
/// and `a` arcs, plus building the day-by-resource profile once.
pub(crate) fn compress_spans(problem: &Problem, network: &Network, starts: &mut [i64]) -> usize {
    let chains = chain_members(problem, network);
    if chains.is_empty() {
        return 0;
    }
    let mut profile = Profile::of(problem, starts);
    let mut order: Vec<usize> = chains.clone();
    order.sort_by_key(|&j| std::cmp::Reverse((starts[j], j)));
    let mut moved = 0;
    for j in order {
        let a = &problem.activities[j];
        let d = i64::from(a.duration);
        let from = starts[j];
        // The latest start every successor's lag allows.
        let mut latest = network.out[j]
            .iter()
            .map(|&(v, w)| starts[v] - w)
            .min()
            .unwrap_or(from);
        if let Some(deadline) = a.deadline {
            latest = latest.min(deadline.max(from + d) - d);
        }
        if let Some(due) = a.due {
            latest = latest.min(due.day.max(from + d) - d);
        }
        if latest <= from {
            continue;
        }
        profile.book(problem, j, from, -1);
        let mut t = latest;
        while t > from && !profile.fits(problem, j, t) {
            t -= 1;
        }
        profile.book(problem, j, t, 1);
        if t > from {
            starts[j] = t;
            moved += 1;
        }
    }
    moved
}

/// Every activity on a chain of minimum lags from an open span's first activity to (but
/// not including) its last.
fn chain_members(problem: &Problem, network: &Network) -> Vec<usize> {
    let durations: Vec<i64> = problem
        .activities
        .iter()
        .map(|a| i64::from(a.duration))
        .collect();
    let mut member = vec![false; problem.activities.len()];
    for span in &problem.open_spans {
        if shortest_span(network, &durations, span.first, span.last).is_none() {
            continue;
        }
        // Forward from the first, then keep what reaches the last going back.
        let forward = reach(&network.out, span.first, span.last);
        let back = reach(&network.inc, span.last, span.first);
        for j in forward.intersection(&back) {
            if *j != span.last {
                member[*j] = true;
            }
        }
    }
    (0..member.len()).filter(|&j| member[j]).collect()
}

/// Activities reachable from `from` over non-negative arcs of `adj` (a handful: a
/// trench's steps), stopping at `stop`.
fn reach(adj: &[Vec<(usize, i64)>], from: usize, stop: usize) -> std::collections::BTreeSet<usize> {
    const LIMIT: usize = 64;
    let mut seen = std::collections::BTreeSet::from([from]);
    let mut stack = vec![from];
    while let Some(u) = stack.pop() {
        if u == stop || seen.len() > LIMIT {
            continue;
        }
        for &(v, w) in &adj[u] {
            if w >= 0 && seen.insert(v) {
                stack.push(v);
            }
        }
    }
    seen
}

/// Units held per day: `(resource, units)`.
type Demands = Vec<(usize, u32)>;

/// Demands held on the days `[from, to)`.
type Need<'a> = (&'a [(usize, u32)], i64, i64);

/// Units in use per day and resource, the open spans' holds included.
struct Profile {
    resources: usize,
    usage: Vec<i64>,
    /// Span holds by first activity: `(last activity, demands)`.
    opens: Vec<Vec<(usize, Demands)>>,
    /// Where each span's last activity ends.
    span_end: Vec<i64>,
}

impl Profile {
    fn of(problem: &Problem, starts: &[i64]) -> Self {
        let n = problem.activities.len();
        let mut profile = Self {
            resources: problem.resources.len(),
            usage: Vec::new(),
            opens: vec![Vec::new(); n],
            span_end: starts
                .iter()
                .zip(&problem.activities)
                .map(|(s, a)| s + i64::from(a.duration))
                .collect(),
        };
        for span in problem.open_spans.iter().filter(|s| !s.demands.is_empty()) {
            profile.opens[span.first].push((span.last, span.demands.clone()));
        }
        for (j, &start) in starts.iter().enumerate() {
            profile.book(problem, j, start, 1);
        }
        profile
    }

    /// Adds (`sign` 1) or removes (-1) activity `j` started on `t`: its own demands and
    /// the holds of the spans it opens.
    fn book(&mut self, problem: &Problem, j: usize, t: i64, sign: i64) {
        let a = &problem.activities[j];
        let own: Vec<(usize, u32)> = a.demands.clone();
        if a.duration > 0 {
            self.add(&own, t, t + i64::from(a.duration), sign);
        }
        let holds = self.opens[j].clone();
        for (last, demands) in holds {
            let end = self.span_end[last];
            self.add(&demands, t, end, sign);
        }
    }

    fn add(&mut self, demands: &[(usize, u32)], from: i64, to: i64, sign: i64) {
        if demands.is_empty() || to <= from {
            return;
        }
        let needed = usize::try_from(to).unwrap_or(0) * self.resources;
        if self.usage.len() < needed {
            self.usage.resize(needed, 0);
        }
        for day in from.max(0)..to {
            let base = usize::try_from(day).unwrap_or(0) * self.resources;
            for &(r, u) in demands {
                self.usage[base + r] += sign * i64::from(u);
            }
        }
    }

    /// Whether activity `j` (not booked) fits if started on `t`: its days clear of its
    /// windows and its demands and span holds within capacity.
    fn fits(&self, problem: &Problem, j: usize, t: i64) -> bool {
        let a = &problem.activities[j];
        let end = t + i64::from(a.duration);
        if a.forbidden
            .iter()
            .any(|w| a.duration > 0 && t < w.end && w.start < end)
        {
            return false;
        }
        let mut needs: Vec<Need<'_>> = vec![(&a.demands, t, end)];
        for (last, demands) in &self.opens[j] {
            needs.push((demands, t, self.span_end[*last]));
        }
        let lo = needs.iter().map(|n| n.1).min().unwrap_or(t);
        let hi = needs.iter().map(|n| n.2).max().unwrap_or(end);
        for day in lo.max(0)..hi {
            let base = usize::try_from(day).unwrap_or(0) * self.resources;
            for (r, capacity) in problem.resources.iter().map(|r| r.capacity).enumerate() {
                let want: i64 = needs
                    .iter()
                    .filter(|(_, from, to)| *from <= day && day < *to)
                    .flat_map(|(demands, _, _)| demands.iter())
                    .filter(|&&(q, _)| q == r)
                    .map(|&(_, u)| i64::from(u))
                    .sum();
                if want == 0 {
                    continue;
                }
                let used = self.usage.get(base + r).copied().unwrap_or(0);
                if used + want > i64::from(capacity) {
                    return false;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::problem::{Activity, OpenSpan, Resource};

    #[test]
    fn a_trench_dug_early_waits_no_longer_for_its_pipe() {
        // dig (2 days) -> lay (released on day 10, 3 days) -> restore (1 day); a span from
        // dig to restore. Left-justified, dig is on day 0 and the trench stands open 14
        // days; compressed, dig runs days 8-9 and the span is 6 days.
        let mut p = Problem {
            resources: vec![Resource {
                name: "crew".into(),
                capacity: 1,
            }],
            ..Problem::default()
        };
        for (name, d) in [("dig", 2), ("lay", 3), ("restore", 1)] {
            let mut a = Activity::new(name, d);
            a.demands.push((0, 1));
            p.activities.push(a);
        }
        p.activities[1].release = 10;
        p.precede(0, 1);
        p.precede(1, 2);
        p.open_spans.push(OpenSpan::new(0, 2, 1.0));
        let network = Network::from_problem(&p);
        let mut starts = vec![0, 10, 13];
        assert_eq!(compress_spans(&p, &network, &mut starts), 1);
        assert_eq!(starts, vec![8, 10, 13]);
    }

    #[test]
    fn a_busy_crew_keeps_the_dig_where_it_is() {
        let mut p = Problem {
            resources: vec![Resource {
                name: "crew".into(),
                capacity: 1,
            }],
            ..Problem::default()
        };
        for (name, d) in [("dig", 2), ("lay", 3), ("restore", 1), ("other", 8)] {
            let mut a = Activity::new(name, d);
            a.demands.push((0, 1));
            p.activities.push(a);
        }
        p.precede(0, 1);
        p.precede(1, 2);
        p.open_spans.push(OpenSpan::new(0, 2, 1.0));
        let network = Network::from_problem(&p);
        // The crew is busy with `other` on days 2-9 right before the laying.
        let mut starts = vec![0, 10, 13, 2];
        assert_eq!(compress_spans(&p, &network, &mut starts), 0);
        assert_eq!(starts[0], 0);
    }
}
