//! Squeaky-wheel optimisation (Joslin and Clements 1999) for networks too large for the
//! genetic search: build a list by priority, decode and justify it, blame the activities
//! that finish late, move them and everything they wait for up the priority order, and
//! build again.
//!
//! An activity's priority is its latest start (deadline-aware, from the caller) minus its
//! blame in days. Lists are drawn from a heap of eligible activities keyed by priority plus
//! a random jitter, so one construction costs `O(m + n log n)` where the genetic sampler's
//! roulette wheel costs `O(n)` per pick. Blame flows backwards through the group order: an
//! activity cannot start before its predecessors, so they carry its blame too, and the
//! members of one synchronised group share it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rand::Rng;

use super::{Individual, Search, SearchOutcome, keep_best};

/// Constructions without a new best before the blame returns to the best one's.
const PATIENCE: u32 = 6;

impl Search<'_> {
    /// Runs the squeaky-wheel loop to the budget; `None` when no list could be decoded.
    pub(super) fn run_squeaky(mut self) -> Option<SearchOutcome> {
        let n = self.model.len();
        let (lo, hi) = (
            self.priority.iter().copied().min().unwrap_or(0),
            self.priority.iter().copied().max().unwrap_or(0),
        );
        // Jitter reorders activities whose priorities are within about 2 % of the spread.
        let jitter = ((hi - lo) / 50).max(1);
        let mut own = vec![0_i64; n];
        let mut best_own = own.clone();
        let mut best: Option<Individual> = self.incumbent.take();
        let mut reached = best.as_ref().is_some_and(|b| self.at_target(b));
        let mut stale = 0;
        let mut first = true;
        while !reached {
            let keys = self.keys(&own);
            let list = self.priority_list(&keys, if first { 0 } else { jitter });
            first = false;
            if let Some(ind) = self.evaluate(list) {
                reached = self.at_target(&ind);
                if best.as_ref().is_none_or(|b| ind.cost < b.cost) {
                    best_own.clone_from(&own);
                    stale = 0;
                } else {
                    stale += 1;
                }
                for (j, blame) in own.iter_mut().enumerate() {
                    *blame += self.objective.late_days(j, ind.starts[j]);
                }
                keep_best(&mut best, &ind);
            } else {
                stale += 1;
            }
            if stale >= PATIENCE {
                own.clone_from(&best_own);
                stale = 0;
            }
            if self.out_of_budget() && (best.is_some() || self.hopeless() || self.cancelled()) {
                break;
            }
        }
        self.outcome(best, reached)
    }

    /// Whether the budget is spent far enough past the limit to give up without a list.
    fn hopeless(&self) -> bool {
        self.options.max_schedules.is_some()
            || self.started.elapsed() >= 2 * self.options.time_limit
    }

    /// Priority keys: latest start minus blame, where an activity's blame is the largest
    /// own blame of its group and of every group after it.
    ///
    /// # Complexity
    /// Linear in activities and group-order arcs.
    fn keys(&self, own: &[i64]) -> Vec<i64> {
        let mut group_blame = vec![0_i64; self.groups.len()];
        // Tarjan numbers groups in reverse topological order: successors come first.
        for (g, members) in self.groups.iter().enumerate() {
            let mut blame = 0;
            for &j in members {
                blame = blame.max(own[j]);
                for &v in &self.succs[j] {
                    blame = blame.max(group_blame[self.group[v]]);
                }
            }
            group_blame[g] = blame;
        }
        (0..self.model.len())
            .map(|j| self.priority[j] - group_blame[self.group[j]])
            .collect()
    }

    /// A list in group order drawn by smallest `key + U(0, jitter)` among eligible
    /// activities.
    ///
    /// # Complexity
    /// `O(m + n log n)`.
    fn priority_list(&mut self, keys: &[i64], jitter: i64) -> Vec<usize> {
        let n = self.model.len();
        let mut missing: Vec<usize> = self.preds.iter().map(Vec::len).collect();
        let mut heap = BinaryHeap::with_capacity(n);
        for j in (0..n).filter(|&j| missing[j] == 0) {
            heap.push(Reverse((keys[j] + self.rng.random_range(0..=jitter), j)));
        }
        let mut list = Vec::with_capacity(n);
        while let Some(Reverse((_, j))) = heap.pop() {
            list.push(j);
            for &v in &self.succs[j] {
                missing[v] -= 1;
                if missing[v] == 0 {
                    heap.push(Reverse((keys[v] + self.rng.random_range(0..=jitter), v)));
                }
            }
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{Search, SearchOptions};
    use crate::engine::objective::Objective;
    use crate::engine::problem::{Activity, Problem, Resource};
    use crate::engine::sgs::Model;
    use crate::engine::temporal::Network;
    use crate::engine::verify::verify;

    /// Sixty jobs on two single crews, each due exactly when it finishes if every crew
    /// works its jobs back to back in index order: feasible by construction, with no slack.
    fn due_as_built() -> Problem {
        let mut p = Problem {
            resources: vec![
                Resource {
                    name: "crew:a".into(),
                    capacity: 1,
                },
                Resource {
                    name: "crew:b".into(),
                    capacity: 1,
                },
            ],
            ..Problem::default()
        };
        let mut free = [0_i64; 2];
        for k in 0..60_u32 {
            let crew = (k % 2) as usize;
            let mut a = Activity::new(format!("job{k}"), 1 + (k * 7) % 5);
            a.demands.push((crew, 1));
            free[crew] += i64::from(a.duration);
            a.deadline = Some(free[crew]);
            p.activities.push(a);
        }
        p
    }

    #[test]
    fn blame_turns_a_misleading_priority_into_a_schedule_that_meets_every_deadline() {
        let p = due_as_built();
        let network = Network::from_problem(&p);
        let model = Model::from_problem(&p, &network);
        let objective = Objective::from_problem(&p);
        // The opposite of the deadlines: the first list puts the latest-due jobs first.
        let misleading: Vec<i64> = p
            .activities
            .iter()
            .map(|a| -a.deadline.unwrap_or(0))
            .collect();
        let options = SearchOptions {
            time_limit: Duration::from_secs(30),
            max_schedules: Some(3_000),
            seed: 1,
            stop_when_stalled: false,
        };
        let one_list = SearchOptions {
            max_schedules: Some(1),
            ..options
        };
        let first = Search::new(&model, &objective, &misleading, None, one_list)
            .run_squeaky()
            .expect("decodable");
        assert!(objective.terms(&first.starts).hard_lateness > 0);
        let out = Search::new(&model, &objective, &misleading, None, options)
            .run_squeaky()
            .expect("decodable");
        assert_eq!(objective.terms(&out.starts).hard_lateness, 0);
        let ends: Vec<i64> = out
            .starts
            .iter()
            .zip(&p.activities)
            .map(|(s, a)| s + i64::from(a.duration))
            .collect();
        assert!(verify(&p, &out.starts, &ends).is_empty());
    }
}
