//! Lower bounds on the makespan: critical path, resource energy and one-machine
//! (preemptive Jackson) bounds on sets of pairwise incompatible activities.
//!
//! Windows and deadlines are relaxed (ignored), so each bound holds for every feasible
//! schedule of the problem.

use serde::{Deserialize, Serialize};

use crate::engine::sgs::Model;

/// The makespan lower bounds found, by kind; [`MakespanBound::best`] is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MakespanBound {
    /// Longest path through the lags from the release dates.
    pub critical_path: i64,
    /// Per resource: earliest release + total energy / capacity + shortest tail.
    pub energy: i64,
    /// Preemptive one-machine bound on cliques of pairwise incompatible activities.
    pub one_machine: i64,
}

impl MakespanBound {
    /// The strongest bound.
    #[must_use]
    pub fn best(&self) -> i64 {
        self.critical_path.max(self.energy).max(self.one_machine)
    }
}

/// Computes every bound from the model, the earliest starts and the tails (longest path
/// from an activity's start to the project end, at least its duration).
///
/// # Complexity
/// `O(n^2 * r)` for the incompatibility cliques, `O(k^2)` per clique of size `k`.
#[must_use]
pub fn makespan_bound(model: &Model, earliest: &[i64], tails: &[i64]) -> MakespanBound {
    let n = model.len();
    let critical_path = (0..n).map(|j| earliest[j] + tails[j]).max().unwrap_or(0);
    let energy = energy_bound(model, earliest, tails);
    let one_machine = if n <= 3000 {
        one_machine_bound(model, earliest, tails)
    } else {
        0
    };
    MakespanBound {
        critical_path,
        energy,
        one_machine,
    }
}

fn energy_bound(model: &Model, earliest: &[i64], tails: &[i64]) -> i64 {
    let mut best = 0;
    for (r, &cap) in model.capacity.iter().enumerate() {
        if cap == 0 {
            continue;
        }
        let mut work = 0_i64;
        let mut head = i64::MAX;
        let mut tail = i64::MAX;
        for j in 0..model.len() {
            for &(res, u) in &model.demands[j] {
                if res == r {
                    work += i64::from(u) * model.durations[j];
                    head = head.min(earliest[j]);
                    tail = tail.min(tails[j] - model.durations[j]);
                }
            }
        }
        if work > 0 {
            let cap = i64::from(cap);
            best = best.max(head + (work + cap - 1) / cap + tail.max(0));
        }
    }
    best
}

/// Whether two activities can never be in progress on the same day.
fn incompatible(model: &Model, i: usize, j: usize) -> bool {
    for &(r, ui) in &model.demands[i] {
        for &(s, uj) in &model.demands[j] {
            if r == s && ui + uj > model.capacity[r] {
                return true;
            }
        }
    }
    let ordered = |a: usize, b: usize| {
        model.out[a]
            .iter()
            .any(|&(v, w)| v == b && w >= model.durations[a])
    };
    ordered(i, j) || ordered(j, i)
}

fn one_machine_bound(model: &Model, earliest: &[i64], tails: &[i64]) -> i64 {
    let n = model.len();
    let mut by_length: Vec<usize> = (0..n).filter(|&j| model.durations[j] > 0).collect();
    by_length.sort_by_key(|&j| std::cmp::Reverse(model.durations[j]));
    let mut best = 0;
    for &seed in by_length.iter().take(40) {
        let mut clique = vec![seed];
        for &j in &by_length {
            if j != seed && clique.iter().all(|&k| incompatible(model, j, k)) {
                clique.push(j);
            }
        }
        if clique.len() < 2 {
            continue;
        }
        let jobs: Vec<(i64, i64, i64)> = clique
            .iter()
            .map(|&j| {
                (
                    earliest[j],
                    model.durations[j],
                    tails[j] - model.durations[j],
                )
            })
            .collect();
        best = best.max(jackson_preemptive(&jobs));
    }
    best
}

/// Preemptive one-machine makespan with heads and tails `(head, body, tail)`: always run the
/// released job with the longest tail; the answer is `max(completion + tail)`.
fn jackson_preemptive(jobs: &[(i64, i64, i64)]) -> i64 {
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&k| jobs[k].0);
    let mut left: Vec<i64> = jobs.iter().map(|j| j.1).collect();
    let mut ready: Vec<usize> = Vec::new();
    let mut next = 0;
    let mut time = 0;
    let mut best = 0;
    while next < order.len() || !ready.is_empty() {
        if ready.is_empty() {
            time = time.max(jobs[order[next]].0);
        }
        while next < order.len() && jobs[order[next]].0 <= time {
            ready.push(order[next]);
            next += 1;
        }
        let Some((pos, &k)) = ready
            .iter()
            .enumerate()
            .max_by_key(|&(_, &k)| (jobs[k].2, std::cmp::Reverse(k)))
        else {
            continue;
        };
        let until = if next < order.len() {
            jobs[order[next]].0.min(time + left[k])
        } else {
            time + left[k]
        };
        left[k] -= until - time;
        time = until;
        if left[k] == 0 {
            best = best.max(time + jobs[k].2);
            ready.swap_remove(pos);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jackson_bound_sequences_by_tail() {
        // Two jobs released at 0 with tails 5 and 0: run the long-tail job first.
        assert_eq!(jackson_preemptive(&[(0, 3, 0), (0, 2, 5)]), 7);
        // A late release forces idle time.
        assert_eq!(jackson_preemptive(&[(4, 1, 0)]), 5);
    }
}
