//! The precedence graph: petgraph view, consistency and cycle checks, longest paths.

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

use super::{Network, NetworkError};

impl Network {
    /// The precedence DAG as a petgraph graph: node `i` is activity `i` (weight `i`), each
    /// edge carries the index of its [`Precedence`](super::Precedence).
    #[must_use]
    pub fn graph(&self) -> DiGraph<usize, usize> {
        let mut g = DiGraph::with_capacity(self.activities.len(), self.precedences.len());
        for i in 0..self.activities.len() {
            g.add_node(i);
        }
        for (k, p) in self.precedences.iter().enumerate() {
            if p.from < self.activities.len() && p.to < self.activities.len() {
                g.add_edge(NodeIndex::new(p.from), NodeIndex::new(p.to), k);
            }
        }
        g
    }

    /// Checks indices, lag consistency and acyclicity; [`Network::build`] calls it, and a
    /// network read back from JSON should be checked again.
    ///
    /// # Errors
    /// [`NetworkError::IndexOutOfRange`], [`NetworkError::InconsistentLags`] or
    /// [`NetworkError::Cycle`] naming the activities around one cycle, in order.
    pub fn check(&self) -> Result<(), NetworkError> {
        let n = self.activities.len();
        let r = self.resources.len();
        let out_of = |context: String, index: usize, len: usize| NetworkError::IndexOutOfRange {
            context,
            index,
            len,
        };
        for (k, p) in self.precedences.iter().enumerate() {
            for idx in [p.from, p.to] {
                if idx >= n {
                    return Err(out_of(format!("precedence {k}"), idx, n));
                }
            }
            if let Some(max) = p.max_lag
                && max < p.min_lag
            {
                return Err(NetworkError::InconsistentLags {
                    from: self.activities[p.from].id.clone(),
                    to: self.activities[p.to].id.clone(),
                    min_lag: p.min_lag,
                    max_lag: max,
                });
            }
        }
        for a in &self.activities {
            for d in &a.demands {
                if d.resource >= r {
                    return Err(out_of(format!("demand of `{}`", a.id), d.resource, r));
                }
            }
        }
        for e in &self.excavations {
            for idx in [e.excavate, e.restore] {
                if idx >= n {
                    return Err(out_of(format!("excavation `{}`", e.id), idx, n));
                }
            }
            for d in &e.demands {
                if d.resource >= r {
                    return Err(out_of(format!("excavation `{}`", e.id), d.resource, r));
                }
            }
        }
        self.topological_order().map(|_| ())
    }

    /// Activity indices in an order where every precedence goes forward.
    ///
    /// # Errors
    /// [`NetworkError::Cycle`] naming one cycle's activities in order.
    ///
    /// # Complexity
    /// O(activities + precedences).
    pub fn topological_order(&self) -> Result<Vec<usize>, NetworkError> {
        let g = self.graph();
        match toposort(&g, None) {
            Ok(order) => Ok(order.into_iter().map(NodeIndex::index).collect()),
            Err(_) => Err(NetworkError::Cycle {
                activities: self.find_cycle(&g),
            }),
        }
    }

    /// One cycle of the graph as activity ids, found in a strongly connected component.
    fn find_cycle(&self, g: &DiGraph<usize, usize>) -> Vec<String> {
        let name = |i: NodeIndex| self.activities[i.index()].id.clone();
        for scc in tarjan_scc(g) {
            if scc.len() == 1 {
                let v = scc[0];
                if g.contains_edge(v, v) {
                    return vec![name(v)];
                }
                continue;
            }
            let mut in_scc = vec![false; g.node_count()];
            for v in &scc {
                in_scc[v.index()] = true;
            }
            // Every node of a non-trivial SCC has a successor inside it: walk until a node
            // repeats; the walk from its first visit is a simple cycle.
            let mut position = vec![usize::MAX; g.node_count()];
            let mut walk: Vec<NodeIndex> = Vec::new();
            let mut v = scc[0];
            loop {
                if position[v.index()] != usize::MAX {
                    return walk[position[v.index()]..]
                        .iter()
                        .map(|&i| name(i))
                        .collect();
                }
                position[v.index()] = walk.len();
                walk.push(v);
                match g.neighbors(v).find(|w| in_scc[w.index()]) {
                    Some(w) => v = w,
                    None => break,
                }
            }
        }
        Vec::new()
    }

    /// Earliest start of every activity: the longest path over minimum lags from the
    /// releases, ignoring maximum lags, deadlines, windows and resources.
    ///
    /// A lower bound on any feasible start, and the critical-path schedule when only
    /// minimum lags matter.
    ///
    /// # Errors
    /// [`NetworkError::Cycle`] if the precedences are cyclic.
    ///
    /// # Complexity
    /// O(activities + precedences).
    pub fn earliest_starts(&self) -> Result<Vec<i64>, NetworkError> {
        let order = self.topological_order()?;
        let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); self.activities.len()];
        for (k, p) in self.precedences.iter().enumerate() {
            outgoing[p.from].push(k);
        }
        let mut start: Vec<i64> = self.activities.iter().map(|a| a.release).collect();
        for v in order {
            for &k in &outgoing[v] {
                let p = &self.precedences[k];
                let s = start[v] + p.min_lag;
                if s > start[p.to] {
                    start[p.to] = s;
                }
            }
        }
        Ok(start)
    }

    /// The end (exclusive day) of the earliest-start schedule: a lower bound on the makespan.
    ///
    /// # Errors
    /// [`NetworkError::Cycle`] if the precedences are cyclic.
    pub fn critical_path_days(&self) -> Result<i64, NetworkError> {
        let s = self.earliest_starts()?;
        Ok(self
            .activities
            .iter()
            .zip(&s)
            .map(|(a, s)| s + i64::from(a.duration_days))
            .max()
            .unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{Network, NetworkInputs, Templates, TrenchGroup};
    use geodata::plan::{CompoundTask, Conversion, RenovationClass, Trade, Utility};
    use proptest::prelude::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn earliest_starts_follow_the_longest_min_lag_path_from_the_releases() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .with_work("w1", |w| w.earliest = Some(date(2027, 4, 11)))
            .build();
        let n = Network::build(&plan, &NetworkInputs::default(), &Templates::default())
            .expect("builds");
        // 10 days split 3/3/1/1/2 after a release on day 10.
        assert_eq!(
            n.earliest_starts().expect("acyclic"),
            vec![10, 13, 16, 17, 18]
        );
        assert_eq!(n.critical_path_days().expect("acyclic"), 20);
        let g = n.graph();
        assert_eq!(g.node_count(), 5);
        assert_eq!(g.edge_count(), 4);
    }

    #[test]
    fn a_damaged_network_reports_bad_indices_and_inconsistent_lags() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .build();
        let n = Network::build(&plan, &NetworkInputs::default(), &Templates::default())
            .expect("builds");
        let mut bad = n.clone();
        bad.precedences[0].to = 99;
        assert!(matches!(
            bad.check(),
            Err(crate::city::network::NetworkError::IndexOutOfRange { index: 99, .. })
        ));
        let mut bad = n.clone();
        bad.precedences[0].max_lag = Some(bad.precedences[0].min_lag - 1);
        assert!(matches!(
            bad.check(),
            Err(crate::city::network::NetworkError::InconsistentLags { .. })
        ));
    }

    /// A random small plan: pipes (some in trenches), trades, clean heating, compounds.
    fn random_plan(seed: u64) -> (geodata::plan::Plan, NetworkInputs) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let start = date(2027, 3, 1);
        let mut b = PlanBuilder::new(start);
        let classes = [
            RenovationClass::Basic,
            RenovationClass::Beautify,
            RenovationClass::Upgrade,
            RenovationClass::Integrate,
        ];
        let n_comp = rng.random_range(0..3usize);
        for c in 0..n_comp {
            b = b.compound(
                &format!("c{c}"),
                classes[rng.random_range(0..4)],
                rng.random_range(0..30),
                date(2027, 12, 31),
            );
            if rng.random_bool(0.5) {
                b = b.extra_task(&format!("c{c}"), CompoundTask::RoofWaterproofing);
            }
            if rng.random_bool(0.5) {
                b = b.extra_task(&format!("c{c}"), CompoundTask::FacadeInsulation);
            }
        }
        let pick_compound = |rng: &mut ChaCha8Rng| {
            (n_comp > 0 && rng.random_bool(0.6))
                .then(|| format!("c{}", rng.random_range(0..n_comp)))
        };
        let mut groups: Vec<Vec<String>> = vec![Vec::new(); 3];
        for w in 0..rng.random_range(1..8usize) {
            let id = format!("p{w}");
            let c = pick_compound(&mut rng);
            b = b.pipe(
                &id,
                Utility::ALL[rng.random_range(0..7)],
                rng.random_range(1..40),
                rng.random_range(10.0..500.0),
                c.as_deref(),
            );
            let earliest = rng.random_range(-20..120i64);
            b = b.with_work(&id, |wk| {
                wk.earliest = start.checked_add_signed(chrono::TimeDelta::days(earliest));
            });
            if rng.random_bool(0.5) {
                groups[rng.random_range(0..3)].push(id);
            }
        }
        let trades = [
            Trade::Clearing,
            Trade::Paving,
            Trade::Roofing,
            Trade::FacadeInsulation,
            Trade::Greening,
            Trade::Facilities,
            Trade::General,
        ];
        for w in 0..rng.random_range(0..4usize) {
            let c = pick_compound(&mut rng);
            b = b.trade(
                &format!("s{w}"),
                trades[rng.random_range(0..trades.len())],
                rng.random_range(1..20),
                c.as_deref(),
            );
        }
        for w in 0..rng.random_range(0..3usize) {
            let c = pick_compound(&mut rng);
            let conv = if rng.random_bool(0.5) {
                Conversion::CoalToGas
            } else {
                Conversion::CoalToElectric
            };
            b = b.clean_heating(
                &format!("h{w}"),
                conv,
                rng.random_range(1..60),
                c.as_deref(),
            );
        }
        let trenches = groups
            .into_iter()
            .enumerate()
            .filter(|(_, g)| !g.is_empty())
            .map(|(k, works)| TrenchGroup {
                id: format!("t{k}"),
                works,
                length_m: 100.0,
            })
            .collect();
        (
            b.build(),
            NetworkInputs {
                trenches,
                ..NetworkInputs::default()
            },
        )
    }

    proptest! {
        #[test]
        fn random_small_plans_give_acyclic_networks_whose_earliest_starts_respect_releases_and_lags(seed in any::<u64>()) {
            let (plan, inputs) = random_plan(seed);
            let n = Network::build(&plan, &inputs, &Templates::default()).expect("random plan builds");
            let s = n.earliest_starts().expect("acyclic");
            for (a, s) in n.activities.iter().zip(&s) {
                prop_assert!(*s >= a.release, "{} starts {} before release {}", a.id, s, a.release);
                prop_assert!(a.duration_days >= 1);
            }
            for p in &n.precedences {
                prop_assert!(s[p.to] - s[p.from] >= p.min_lag);
                if let Some(m) = p.max_lag { prop_assert!(m >= p.min_lag); }
            }
            let base = Network::baseline(&plan, &inputs, &Templates::default()).expect("baseline builds");
            prop_assert!(base.excavations >= n.excavation_count());
            prop_assert_eq!(base.excavations - n.excavation_count(), n.excavations_saved());
        }
    }
}
