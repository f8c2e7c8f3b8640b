//! The difference-constraint network of start times and its longest paths.
//!
//! Every relation is an arc `u -> v` of weight `w` meaning `S_v >= S_u + w`: a minimum lag is
//! an arc forward, a maximum lag an arc backward with the negated lag. Earliest starts are
//! longest paths from the release dates; a positive cycle makes the network infeasible and
//! is reported with its activities.

use std::collections::VecDeque;

use crate::engine::problem::{Problem, ProblemError};

/// The arcs of a problem's temporal relations, by tail and by head.
#[derive(Debug, Clone)]
pub struct Network {
    /// `out[u]` holds `(v, w)` for each arc `u -> v` of weight `w`.
    pub out: Vec<Vec<(usize, i64)>>,
    /// `inc[v]` holds `(u, w)` for each arc `u -> v` of weight `w`.
    pub inc: Vec<Vec<(usize, i64)>>,
}

impl Network {
    /// Builds the network of minimum and maximum lags (deadlines are not arcs: they are
    /// handled as soft penalties by the search and as bounds by the timing LP).
    #[must_use]
    pub fn from_problem(problem: &Problem) -> Self {
        let n = problem.activities.len();
        let mut out = vec![Vec::new(); n];
        let mut inc = vec![Vec::new(); n];
        for e in &problem.edges {
            out[e.from].push((e.to, e.min_lag));
            inc[e.to].push((e.from, e.min_lag));
            if let Some(max) = e.max_lag {
                out[e.to].push((e.from, -max));
                inc[e.from].push((e.to, -max));
            }
        }
        Self { out, inc }
    }

    /// Earliest starts: the least `S` with `S >= lower` satisfying every arc.
    ///
    /// # Errors
    /// The activity indices of a positive cycle, in arc order.
    ///
    /// # Complexity
    /// Label-correcting, `O(n * m)` in the worst case, near `O(m)` on acyclic networks.
    pub fn earliest(&self, lower: &[i64]) -> Result<Vec<i64>, Vec<usize>> {
        propagate(&self.out, lower.to_vec())
    }

    /// Longest path from each activity's start to the end of the project, at least its own
    /// duration: `S_j + tail[j]` is a lower bound on the makespan.
    ///
    /// # Errors
    /// The activity indices of a positive cycle.
    pub fn tails(&self, durations: &[i64]) -> Result<Vec<i64>, Vec<usize>> {
        propagate(&self.inc, durations.to_vec())
    }

    /// Latest starts: the greatest `S <= upper` satisfying every arc.
    ///
    /// # Errors
    /// The activity indices of a positive cycle.
    pub fn latest(&self, upper: &[i64]) -> Result<Vec<i64>, Vec<usize>> {
        let negated = propagate(&self.inc, upper.iter().map(|u| -u).collect())?;
        Ok(negated.into_iter().map(|v| -v).collect())
    }
}

/// Least fixpoint of `d[v] = max(d[v], d[u] + w)` over `adj[u] = [(v, w)]`.
fn propagate(adj: &[Vec<(usize, i64)>], mut dist: Vec<i64>) -> Result<Vec<i64>, Vec<usize>> {
    let n = adj.len();
    let mut pred = vec![usize::MAX; n];
    let mut arcs_on_path = vec![0_usize; n];
    let mut queued = vec![true; n];
    let mut queue: VecDeque<usize> = (0..n).collect();
    while let Some(u) = queue.pop_front() {
        queued[u] = false;
        for &(v, w) in &adj[u] {
            let candidate = dist[u] + w;
            if candidate > dist[v] {
                dist[v] = candidate;
                pred[v] = u;
                arcs_on_path[v] = arcs_on_path[u] + 1;
                if arcs_on_path[v] > n {
                    return Err(cycle_through(&pred, v));
                }
                if !queued[v] {
                    queued[v] = true;
                    queue.push_back(v);
                }
            }
        }
    }
    Ok(dist)
}

/// Walks predecessors from `v` (whose path is longer than `n` arcs) to a node on the cycle
/// and returns the cycle in arc order.
fn cycle_through(pred: &[usize], v: usize) -> Vec<usize> {
    let n = pred.len();
    let mut on_cycle = v;
    for _ in 0..n {
        on_cycle = pred[on_cycle];
    }
    let mut cycle = vec![on_cycle];
    let mut u = pred[on_cycle];
    while u != on_cycle {
        cycle.push(u);
        u = pred[u];
    }
    cycle.reverse();
    cycle
}

/// Earliest starts of a problem from its releases, or the positive cycle as an error.
///
/// # Errors
/// [`ProblemError::PositiveCycle`] naming the activities of the cycle.
pub fn earliest_starts(problem: &Problem, network: &Network) -> Result<Vec<i64>, ProblemError> {
    let lower: Vec<i64> = problem.activities.iter().map(|a| a.release).collect();
    network
        .earliest(&lower)
        .map_err(|cycle| cycle_error(problem, &cycle))
}

/// Names the activities of a cycle.
#[must_use]
pub fn cycle_error(problem: &Problem, cycle: &[usize]) -> ProblemError {
    ProblemError::PositiveCycle {
        activities: cycle
            .iter()
            .map(|&j| problem.activities[j].name.clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::problem::{Activity, Edge};

    fn chain() -> Problem {
        let mut p = Problem::default();
        for (name, d) in [("a", 2), ("b", 3), ("c", 1)] {
            p.activities.push(Activity::new(name, d));
        }
        p.precede(0, 1);
        p.precede(1, 2);
        p
    }

    #[test]
    fn earliest_tails_and_latest_follow_the_chain() {
        let p = chain();
        let net = Network::from_problem(&p);
        assert_eq!(earliest_starts(&p, &net).expect("acyclic"), vec![0, 2, 5]);
        assert_eq!(net.tails(&[2, 3, 1]).expect("acyclic"), vec![6, 4, 1]);
        assert_eq!(net.latest(&[10, 10, 9]).expect("acyclic"), vec![4, 6, 9]);
    }

    #[test]
    fn max_lag_cycle_is_reported_with_its_activities() {
        let mut p = chain();
        // c must start at most 2 days after a, but the chain needs 5.
        p.edges.push(Edge {
            from: 0,
            to: 2,
            min_lag: 0,
            max_lag: Some(2),
        });
        let net = Network::from_problem(&p);
        let Err(ProblemError::PositiveCycle { activities }) = earliest_starts(&p, &net) else {
            panic!("expected a positive cycle");
        };
        let mut sorted = activities.clone();
        sorted.sort();
        assert_eq!(sorted, vec!["a", "b", "c"]);
    }
}
