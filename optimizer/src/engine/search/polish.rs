//! Insertion descent on the genetic search's best list before a restart.
//!
//! The genetic operators move activities by chance; when the population has stalled, the
//! best list is improved systematically instead: every activity is tried at every position
//! between its last predecessor and its first successor, each candidate decoded and
//! justified, and the first cheaper one is taken, until no move helps or the budget ends.
//! On PSPLIB's hardest j30 instances the last day or two of makespan is typically one such
//! move away from a stalled population.

use rand::seq::SliceRandom;

use super::{Individual, Search};

/// Largest network polished (a sweep costs `O(n²)` evaluations).
pub(super) const POLISH_UP_TO: usize = 120;

impl Search<'_> {
    /// The best list reachable from `start` by improving single insertions.
    pub(super) fn polish(&mut self, start: &Individual) -> Individual {
        let mut current = start.clone();
        let n = current.list.len();
        let mut order: Vec<usize> = (0..n).collect();
        'sweep: loop {
            order.shuffle(&mut self.rng);
            for &from in &order {
                let j = current.list[from];
                let lo = current.list[..from]
                    .iter()
                    .rposition(|k| self.preds[j].contains(k))
                    .map_or(0, |p| p + 1);
                let hi = current.list[from + 1..]
                    .iter()
                    .position(|k| self.succs[j].contains(k))
                    .map_or(n - 1, |p| from + p);
                for to in lo..=hi {
                    if to == from {
                        continue;
                    }
                    if self.out_of_budget() {
                        return current;
                    }
                    let mut list = current.list.clone();
                    list.remove(from);
                    list.insert(to, j);
                    if let Some(ind) = self.evaluate(list)
                        && ind.cost < current.cost
                    {
                        current = ind;
                        if self.at_target(&current) {
                            return current;
                        }
                        continue 'sweep;
                    }
                }
            }
            return current;
        }
    }
}
