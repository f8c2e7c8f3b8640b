//! Questions the builder's tests ask of a built network: build with the default templates,
//! find an activity or an edge, and whether one activity must finish before another starts.

use geodata::plan::Plan;

use crate::city::network::{Network, NetworkInputs, Precedence, Templates};

pub(super) fn build(plan: &Plan, inputs: &NetworkInputs) -> Network {
    Network::build(plan, inputs, &Templates::default()).expect("network builds")
}

pub(super) fn idx(n: &Network, id: &str) -> usize {
    n.index_of(id)
        .unwrap_or_else(|| panic!("activity {id} exists"))
}

/// Whether `to` cannot start before `from` ends in every schedule (a min-lag path).
pub(super) fn finishes_before(n: &Network, from: &str, to: &str) -> bool {
    let (f, t) = (idx(n, from), idx(n, to));
    // Longest min-lag path from `from` to `to`, by relaxation in topological order.
    let order = n.topological_order().expect("acyclic");
    let mut dist: Vec<Option<i64>> = vec![None; n.activities.len()];
    dist[f] = Some(0);
    for v in order {
        let Some(dv) = dist[v] else { continue };
        for p in n.precedences.iter().filter(|p| p.from == v) {
            let c = dv + p.min_lag;
            if dist[p.to].is_none_or(|d| d < c) {
                dist[p.to] = Some(c);
            }
        }
    }
    dist[t].is_some_and(|d| d >= i64::from(n.activities[f].duration_days))
}

pub(super) fn edge<'n>(n: &'n Network, from: &str, to: &str) -> &'n Precedence {
    let (f, t) = (idx(n, from), idx(n, to));
    n.precedences
        .iter()
        .find(|p| p.from == f && p.to == t)
        .unwrap_or_else(|| panic!("edge {from} -> {to}"))
}
