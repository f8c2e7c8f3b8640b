//! From the city activity network to the engine's generic scheduling problem.
//!
//! The mapping is one to one on activities, precedences and crews, so a schedule of the
//! problem is a schedule of the network with the same indices. Two city rules need a
//! translation:
//! - **District limits** hold an excavation's districts from excavate start to restore end.
//!   The engine's demands are per activity, so the excavation's spine carries the district
//!   demand: excavate, backfill, restore, and the lay and test of its lead (first) work.
//!   The other members of a shared trench lay and test in the same open trench, often on
//!   the same days; counting them again would make one trench hold its district several
//!   times over (and, with the backfill's maximum lag after every test, make a trench of
//!   many members unschedulable). The open-span objective closes the gaps of the spine. A
//!   day on which a trench stands open with no spine work in it is therefore not counted
//!   against the limit; the summary's metre-days show how rare such days are.
//!   An excavation that cuts more streets of a district than the district may have open
//!   at once occupies the whole limit (it is dug on its own) rather than being unschedulable.
//! - **Non-working days** (weekends when the plan does not work them) stretch site
//!   activities: a duration of `d` working days becomes `ceil(d × 7 / 5)` calendar days.

use std::collections::HashMap;

use geodata::plan::DeadlineKind;

use crate::city::network::{ActivityKind, Network};
use crate::engine::{Activity, Edge, OpenSpan, Problem, Resource, SoftDue, Window};

/// Builds the engine problem of a network (same activity indices).
#[must_use]
pub fn problem(network: &Network) -> Problem {
    let stretch_weekends = !network.non_working.is_empty();
    let district_demands = district_demands(network);
    let activities = network
        .activities
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut demands: Vec<(usize, u32)> =
                a.demands.iter().map(|d| (d.resource, d.amount)).collect();
            if let Some(extra) = district_demands.get(&i) {
                for &(resource, amount) in extra {
                    match demands.iter_mut().find(|(r, _)| *r == resource) {
                        Some(existing) => existing.1 = existing.1.max(amount),
                        None => demands.push((resource, amount)),
                    }
                }
            }
            let duration = if stretch_weekends && a.kind.is_site_work() {
                (a.duration_days * 7).div_ceil(5)
            } else {
                a.duration_days
            };
            let hard = a
                .deadlines
                .iter()
                .filter(|d| d.kind == DeadlineKind::Hard)
                .map(|d| d.finish_by)
                .min();
            let soft = a
                .deadlines
                .iter()
                .filter(|d| d.kind == DeadlineKind::Soft)
                .map(|d| d.finish_by)
                .min();
            Activity {
                name: a.id.clone(),
                duration,
                demands,
                release: a.release,
                deadline: hard,
                due: soft.map(|day| SoftDue { day, weight: 1.0 }),
                forbidden: a
                    .forbidden
                    .iter()
                    .map(|w| Window {
                        start: w.start,
                        end: w.end,
                    })
                    .collect(),
            }
        })
        .collect();
    let edges = network
        .precedences
        .iter()
        .map(|p| Edge {
            from: p.from,
            to: p.to,
            min_lag: p.min_lag,
            max_lag: p.max_lag,
        })
        .collect();
    let open_spans = network
        .excavations
        .iter()
        .map(|e| OpenSpan::new(e.excavate, e.restore, e.length_m))
        .collect();
    Problem {
        resources: network
            .resources
            .iter()
            .map(|r| Resource {
                name: r.id.clone(),
                capacity: r.capacity,
            })
            .collect(),
        activities,
        edges,
        open_spans,
        weights: crate::engine::Weights::default(),
    }
}

/// For each activity that belongs to an excavation, the district demands of that excavation.
///
/// # Complexity
/// Linear in activities and excavations (activities are indexed by trench and by work).
fn district_demands(network: &Network) -> HashMap<usize, Vec<(usize, u32)>> {
    let mut out: HashMap<usize, Vec<(usize, u32)>> = HashMap::new();
    if network.excavations.iter().all(|e| e.demands.is_empty()) {
        return out;
    }
    let mut by_trench: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_work: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in network.activities.iter().enumerate() {
        let in_excavation = matches!(
            a.kind,
            ActivityKind::Excavate
                | ActivityKind::Lay
                | ActivityKind::Test
                | ActivityKind::Backfill
                | ActivityKind::Restore
        );
        if !in_excavation {
            continue;
        }
        match (&a.trench, a.works.as_slice()) {
            (Some(t), _) => by_trench.entry(t.as_str()).or_default().push(i),
            (None, [w]) => by_work.entry(w.as_str()).or_default().push(i),
            (None, _) => {}
        }
    }
    for e in network.excavations.iter().filter(|e| !e.demands.is_empty()) {
        let members = if e.shared {
            by_trench.get(e.id.as_str())
        } else {
            e.works.first().and_then(|w| by_work.get(w.as_str()))
        };
        let lead = e.works.first();
        let spine = members.into_iter().flatten().filter(|&&i| {
            let a = &network.activities[i];
            !e.shared
                || !matches!(a.kind, ActivityKind::Lay | ActivityKind::Test)
                || a.works.first() == lead
        });
        for &i in spine {
            out.entry(i).or_default().extend(e.demands.iter().map(|d| {
                (
                    d.resource,
                    d.amount.min(network.resources[d.resource].capacity),
                )
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{NetworkInputs, StreetCut, Templates, TrenchGroup};
    use crate::engine::verify;
    use crate::engine::{SolveOptions, solve};
    use geodata::plan::Utility;

    /// Six utilities in one trench on one street of a district that may have one street
    /// open at a time.
    fn six_in_one_trench() -> Network {
        let utilities = [
            Utility::Water,
            Utility::Gas,
            Utility::Heat,
            Utility::Power,
            Utility::Telecom,
            Utility::Drainage,
        ];
        let mut builder = PlanBuilder::new(date(2027, 4, 1))
            .street("s1", Some("D1"))
            .with_settings(|s| {
                s.district_limits.insert("D1".into(), 1);
            });
        let mut cuts = Vec::new();
        for (k, u) in utilities.iter().enumerate() {
            let id = format!("w{k}");
            builder = builder.pipe(&id, *u, 4, 120.0, None);
            cuts.push(StreetCut {
                work: id,
                street: "s1".into(),
                length_m: 120.0,
                trunk: false,
            });
        }
        let inputs = NetworkInputs {
            trenches: vec![TrenchGroup {
                id: "t1".into(),
                works: (0..utilities.len()).map(|k| format!("w{k}")).collect(),
                length_m: 120.0,
            }],
            cuts,
            ..NetworkInputs::default()
        };
        Network::build(&builder.build(), &inputs, &Templates::default()).expect("network")
    }

    #[test]
    fn a_shared_trench_holds_its_district_once_on_its_spine() {
        let network = six_in_one_trench();
        let p = problem(&network);
        let district = p
            .resources
            .iter()
            .position(|r| r.name == "district:D1")
            .expect("district resource");
        let mut holders: Vec<&str> = p
            .activities
            .iter()
            .enumerate()
            .filter(|&(j, _)| p.demand(j, district) > 0)
            .map(|(_, a)| a.name.as_str())
            .collect();
        holders.sort_unstable();
        assert_eq!(
            holders,
            [
                "t1/backfill",
                "t1/excavate",
                "t1/restore",
                "w0/lay",
                "w0/test"
            ]
        );
    }

    #[test]
    fn a_trench_of_six_utilities_in_a_one_street_district_is_schedulable_and_verified() {
        let network = six_in_one_trench();
        let p = problem(&network);
        let schedule = solve(&p, &SolveOptions::default()).expect("schedulable");
        assert!(verify(&p, &schedule.starts, &schedule.ends).is_empty());
    }
}
