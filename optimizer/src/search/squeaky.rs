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
            if self.out_of_budget() && (best.is_some() || self.hopeless()) {
                break;
            }
        }
        best.map(|b| SearchOutcome {
            cost: b.cost,
            starts: b.starts,
            schedules: self.schedules,
            reached_bound: reached,
        })
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
