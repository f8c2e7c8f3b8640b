//! Objective terms and the "every utility digs alone" baseline (issue 4 item 7).
//!
//! The baseline is the same plan built without shared trenches: each pipeline work gets
//! its own excavate/backfill/restore and its own [`Excavation`](super::Excavation). Schedule
//! it with the same engine and evaluate [`Network::trench_open_metre_days`] on it to get
//! `baseline_trench_open_metre_days`; `baseline_excavations` is its excavation count.

use geodata::plan::Plan;
use serde::{Deserialize, Serialize};

use super::{Network, NetworkError, NetworkInputs, Templates};

/// The plan as if each utility dug alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// The network without shared trenches (schedule it to get its metre-days).
    pub network: Network,
    /// Separate excavations without coordination (`baseline_excavations`).
    pub excavations: usize,
    /// Trench-open metre-days if every trench closed as soon as the minimum lags allow:
    /// a lower bound on the baseline's metre-days for any schedule.
    pub minimum_trench_open_metre_days: f64,
}

impl Network {
    /// Builds the uncoordinated baseline of `plan`: the same inputs without trenches.
    ///
    /// User precedences that name a shared-trench activity (`<trench>/...`) have no
    /// counterpart without the trench and are left out.
    ///
    /// # Errors
    /// As [`Network::build`].
    pub fn baseline(
        plan: &Plan,
        inputs: &NetworkInputs,
        templates: &Templates,
    ) -> Result<Baseline, NetworkError> {
        let names_trench = |id: &str| {
            inputs.trenches.iter().any(|t| {
                id.strip_prefix(t.id.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        let alone = NetworkInputs {
            trenches: Vec::new(),
            precedences: inputs
                .precedences
                .iter()
                .filter(|p| !names_trench(&p.from) && !names_trench(&p.to))
                .cloned()
                .collect(),
            ..inputs.clone()
        };
        let network = Network::build(plan, &alone, templates)?;
        Ok(Baseline {
            excavations: network.excavation_count(),
            minimum_trench_open_metre_days: network.minimum_trench_open_metre_days()?,
            network,
        })
    }

    /// Excavations saved by sharing: Σ over shared trenches of (works − 1).
    #[must_use]
    pub fn excavations_saved(&self) -> usize {
        self.excavations
            .iter()
            .filter(|e| e.shared)
            .map(|e| e.works.len().saturating_sub(1))
            .sum()
    }

    /// Trench-open metre-*working*-days of a schedule on the site working-day axis:
    /// Σ length × (restore end − excavate start), with `starts[i]` the axis day activity
    /// `i` starts. Weekends and holidays inside a trench's open stretch do not count, so
    /// this never exceeds the calendar metre-days the schedule document reports.
    ///
    /// # Errors
    /// [`NetworkError::StartsLength`] if `starts` does not have one entry per activity.
    pub fn trench_open_metre_days(&self, starts: &[i64]) -> Result<f64, NetworkError> {
        if starts.len() != self.activities.len() {
            return Err(NetworkError::StartsLength {
                expected: self.activities.len(),
                got: starts.len(),
            });
        }
        Ok(self
            .excavations
            .iter()
            .map(|e| {
                let end = starts[e.restore] + i64::from(self.activities[e.restore].duration_days);
                #[expect(clippy::cast_precision_loss, reason = "open days are far below 2^52")]
                let days = (end - starts[e.excavate]).max(0) as f64;
                e.length_m * days
            })
            .sum())
    }

    /// The least trench-open metre-days any schedule can reach: each trench open for the
    /// longest minimum-lag path from its excavate start to its restore end, counted in
    /// working days (so a lower bound on calendar metre-days too).
    ///
    /// # Errors
    /// [`NetworkError::Cycle`] if the precedences are cyclic.
    ///
    /// # Complexity
    /// O(excavations × (r log r + edges among r)), r the activities between excavate and
    /// restore in topological order (a few per trench).
    pub fn minimum_trench_open_metre_days(&self) -> Result<f64, NetworkError> {
        let order = self.topological_order()?;
        let mut position = vec![0usize; self.activities.len()];
        for (k, &v) in order.iter().enumerate() {
            position[v] = k;
        }
        let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); self.activities.len()];
        for (k, p) in self.precedences.iter().enumerate() {
            outgoing[p.from].push(k);
        }
        let mut total = 0.0;
        let mut dist: Vec<Option<i64>> = vec![None; self.activities.len()];
        for e in &self.excavations {
            // Collect activities reachable from the excavate that can still lead to the restore.
            let limit = position[e.restore];
            let mut seen = vec![e.excavate];
            let mut stack = vec![e.excavate];
            dist[e.excavate] = Some(0);
            while let Some(v) = stack.pop() {
                for &k in &outgoing[v] {
                    let w = self.precedences[k].to;
                    if position[w] <= limit && dist[w].is_none() {
                        dist[w] = Some(i64::MIN);
                        seen.push(w);
                        stack.push(w);
                    }
                }
            }
            seen.sort_unstable_by_key(|&v| position[v]);
            for &v in &seen {
                let Some(dv) = dist[v].filter(|d| *d != i64::MIN) else {
                    continue;
                };
                for &k in &outgoing[v] {
                    let p = &self.precedences[k];
                    if position[p.to] <= limit {
                        let cand = dv + p.min_lag;
                        if dist[p.to].is_none_or(|d| d == i64::MIN || d < cand) {
                            dist[p.to] = Some(cand);
                        }
                    }
                }
            }
            let open = dist[e.restore].filter(|d| *d != i64::MIN).map_or(0, |d| {
                d + i64::from(self.activities[e.restore].duration_days)
            });
            #[expect(clippy::cast_precision_loss, reason = "open days are far below 2^52")]
            let open = open.max(0) as f64;
            total += e.length_m * open;
            for v in seen {
                dist[v] = None;
            }
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{ExtraPrecedence, TrenchGroup};
    use geodata::plan::Utility;

    fn coordinated() -> (Plan, NetworkInputs) {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 20, 300.0, None)
            .pipe("w2", Utility::Telecom, 10, 300.0, None)
            .pipe("w3", Utility::Power, 30, 300.0, None)
            .pipe("w4", Utility::Gas, 10, 100.0, None)
            .build();
        let inputs = NetworkInputs {
            trenches: vec![TrenchGroup {
                id: "t1".into(),
                works: vec!["w1".into(), "w2".into(), "w3".into()],
                length_m: 300.0,
            }],
            precedences: vec![ExtraPrecedence {
                from: "t1/restore".into(),
                to: "w4/excavate".into(),
                gap_days: 0,
                max_gap_days: None,
            }],
            ..NetworkInputs::default()
        };
        (plan, inputs)
    }

    #[test]
    fn the_baseline_digs_every_work_alone_and_so_more_often() {
        let (plan, inputs) = coordinated();
        let t = Templates::default();
        let network = Network::build(&plan, &inputs, &t).expect("coordinated network");
        let base = Network::baseline(&plan, &inputs, &t).expect("baseline network");
        assert_eq!(network.excavation_count(), 2);
        assert_eq!(base.excavations, 4);
        assert!(base.excavations > network.excavation_count());
        assert_eq!(base.network.excavations_saved(), 0);
        assert!(base.network.activities.iter().all(|a| a.trench.is_none()));
        assert!(
            base.network
                .precedences
                .iter()
                .all(|p| p.reason != crate::city::network::PrecedenceReason::Custom),
            "the precedence naming the trench has no counterpart"
        );
    }

    #[test]
    fn trench_open_metre_days_measure_length_times_open_days() {
        let (plan, inputs) = coordinated();
        let n = Network::build(&plan, &inputs, &Templates::default()).expect("network");
        let starts = n.earliest_starts().expect("acyclic");
        // Shared trench: 8 excavate + 9 lay + 3 test (w3, the longest) + 4 backfill + 6 restore.
        // w4 alone: 10 days split 3/3/1/1/2 = 10 days. 300 × 31 + 100 × 10.
        let md = n
            .trench_open_metre_days(&starts)
            .expect("one start per activity");
        assert!((md - (300.0 * 30.0 + 100.0 * 10.0)).abs() < 1e-6, "{md}");
        let min = n.minimum_trench_open_metre_days().expect("acyclic");
        assert!(
            (min - md).abs() < 1e-6,
            "the earliest schedule closes every trench at once"
        );
        let mut late = starts.clone();
        let restore = n.index_of("t1/restore").expect("restore");
        late[restore] += 4;
        let md_late = n.trench_open_metre_days(&late).expect("starts");
        assert!((md_late - md - 300.0 * 4.0).abs() < 1e-6);
        assert_eq!(
            n.trench_open_metre_days(&starts[1..]),
            Err(NetworkError::StartsLength {
                expected: starts.len(),
                got: starts.len() - 1
            })
        );
    }

    #[test]
    fn the_baseline_minimum_open_time_exceeds_the_coordinated_one_for_a_shared_trench() {
        let (plan, inputs) = coordinated();
        let t = Templates::default();
        let n = Network::build(&plan, &inputs, &t).expect("network");
        let base = Network::baseline(&plan, &inputs, &t).expect("baseline");
        // Alone: 300 × (20 + 10 + 30) + 100 × 10; shared: 300 × 30 + 100 × 10.
        assert!((base.minimum_trench_open_metre_days - (300.0 * 60.0 + 1000.0)).abs() < 1e-6);
        assert!(
            base.minimum_trench_open_metre_days
                > n.minimum_trench_open_metre_days().expect("acyclic")
        );
    }
}
