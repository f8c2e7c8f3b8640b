//! Live progress of a solve, read from another thread: the best cost found so far and the
//! lower bound, summed over the components solved so far or in progress.

use std::collections::HashMap;
use std::sync::Mutex;

/// Where each component's search stands; shared between the solve and whoever reports on it.
#[derive(Debug, Default)]
pub struct Progress {
    components: Mutex<HashMap<usize, Standing>>,
}

/// One component's best cost and its lower bound.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Standing {
    incumbent: Option<f64>,
    bound: f64,
}

/// What a solve has reached, summed over its components.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    /// Weighted cost of the best schedule of every component that has one.
    pub incumbent: f64,
    /// Lower bound on the weighted cost of every component.
    pub bound: f64,
    /// Components with a schedule, and components started.
    pub components: (usize, usize),
}

impl Progress {
    /// A component's search starts with this lower bound.
    pub fn start(&self, component: usize, bound: f64) {
        self.with(|c| {
            c.insert(
                component,
                Standing {
                    incumbent: None,
                    bound,
                },
            );
        });
    }

    /// A component's search found a schedule of this cost (reported when it improves).
    pub fn improve(&self, component: usize, cost: f64) {
        self.with(|c| {
            if let Some(standing) = c.get_mut(&component) {
                standing.incumbent = Some(standing.incumbent.map_or(cost, |i| i.min(cost)));
            }
        });
    }

    /// The current standing, `None` before any component has a schedule.
    #[must_use]
    pub fn snapshot(&self) -> Option<Snapshot> {
        let c = match self.components.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        let with_schedule: Vec<&Standing> = c.values().filter(|s| s.incumbent.is_some()).collect();
        if with_schedule.is_empty() {
            return None;
        }
        Some(Snapshot {
            incumbent: with_schedule.iter().filter_map(|s| s.incumbent).sum(),
            bound: c.values().map(|s| s.bound).sum(),
            components: (with_schedule.len(), c.len()),
        })
    }

    fn with(&self, f: impl FnOnce(&mut HashMap<usize, Standing>)) {
        let mut c = match self.components.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_sums_components_with_a_schedule_and_every_bound() {
        let p = Progress::default();
        assert_eq!(p.snapshot(), None);
        p.start(0, 10.0);
        p.start(1, 5.0);
        p.improve(0, 14.0);
        p.improve(0, 12.0);
        p.improve(0, 13.0);
        let s = p.snapshot().expect("one component has a schedule");
        assert!((s.incumbent - 12.0).abs() < 1e-12);
        assert!((s.bound - 15.0).abs() < 1e-12);
        assert_eq!(s.components, (1, 2));
    }
}
