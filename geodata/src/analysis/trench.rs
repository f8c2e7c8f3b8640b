//! Trenches: groups of works dug as one excavation.
//!
//! # Grouping rule
//! Only corridors the profile allows (`shared_trench_allowed`) can join works. Corridors
//! are taken longest first (ties by id); a corridor merges the trenches of its two works
//! when **every** pair of works across the two trenches is allowed to share by the profile,
//! whether or not those two works are themselves near each other. So a trench is connected
//! (through allowed corridors) and pairwise compatible: gas never ends up with a work it
//! may not share with, even through a chain of others. The members' time windows must
//! overlap too: a work that may not start before another one's hard deadline cannot share
//! its excavation (the trench would make the earlier one late for nothing), so the two are
//! coordinated in time only. Because the merge is greedy, the
//! longest shared stretches win when compatibility forces a choice. Each work belongs to
//! at most one trench; an allowed corridor whose works end up in different trenches is
//! coordinated in time only (it stays in the corridor list with `trench: None`).
//!
//! # Extent
//! The trench's stretch along each member is the union of that member's corridor
//! stretches inside the trench. `length_m` is the longest such union (the excavation is
//! at least that long) and the geometry is that member's stretches.
//!
//! # Complexity
//! O(c log c) for c corridors plus the compatibility checks, which compare distinct
//! clearance keys (utility, diameter, pressure, voltage) of the two groups, not works.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::clearance::{ClearanceProfile, Relation, UtilityKey};
use super::corridor::{Corridor, LineWorks};
use super::proximity::{Stretch, merge_stretches};
use super::{Lines, to_wgs84};
use crate::crs::LocalFrame;
use crate::plan::Utility;

/// One excavation holding several works.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trench {
    /// Stable id within one analysis (`trench-<n>`).
    pub id: String,
    /// Member work ids, sorted.
    pub works: Vec<String>,
    /// Distinct utilities of the members, sorted.
    pub utilities: Vec<Utility>,
    /// Ids of the corridors that form it.
    pub corridors: Vec<String>,
    /// Excavation length: the longest member's shared stretch (metres).
    pub length_m: f64,
    /// The widest separation any member corridor requires (metres).
    pub min_separation_m: f64,
    /// The trench extent (the longest member's stretches), WGS84.
    pub geometry: Lines,
}

/// A key the compatibility test compares: the clearance attributes with floats as bits.
type KeyId = (Utility, Option<u64>, Option<u8>, Option<u64>);

fn key_id(k: &UtilityKey) -> KeyId {
    (
        k.utility,
        k.diameter_mm.map(f64::to_bits),
        k.pressure.map(|p| p as u8),
        k.voltage_kv.map(f64::to_bits),
    )
}

struct Group {
    members: Vec<usize>,
    keys: BTreeSet<KeyId>,
    key_values: Vec<UtilityKey>,
    /// Latest `earliest` of the members.
    earliest: Option<NaiveDate>,
    /// Earliest hard deadline of the members.
    due: Option<NaiveDate>,
}

/// The earlier of two optional deadlines (`None` is no deadline).
fn earlier(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Group {
    /// Whether the two groups' members could all be dug in one window.
    fn overlaps_in_time(&self, other: &Self) -> bool {
        let start = self.earliest.max(other.earliest);
        match (start, earlier(self.due, other.due)) {
            (Some(start), Some(due)) => start < due,
            _ => true,
        }
    }
}

/// Groups allowed corridors into trenches (module docs) and marks each corridor's trench.
///
/// Returns the trenches and, per corridor (same order), the id of its trench if both its
/// works are in the same one.
#[must_use]
pub fn group(
    works: &LineWorks,
    frame: &LocalFrame,
    profile: &ClearanceProfile,
    corridors: &[Corridor],
) -> (Vec<Trench>, Vec<Option<String>>) {
    let mut group_of: Vec<Option<usize>> = vec![None; works.works.len()];
    let mut groups: Vec<Option<Group>> = Vec::new();
    let mut order: Vec<usize> = (0..corridors.len())
        .filter(|&i| corridors[i].shared_trench_allowed)
        .collect();
    order.sort_by(|&x, &y| {
        corridors[y]
            .length_m
            .total_cmp(&corridors[x].length_m)
            .then(corridors[x].id.cmp(&corridors[y].id))
    });
    let singleton = |w: usize| {
        let work = &works.works[w];
        Group {
            members: vec![w],
            keys: BTreeSet::from([key_id(&work.key)]),
            key_values: vec![work.key],
            earliest: work.earliest,
            due: work.hard_deadline,
        }
    };
    for &ci in &order {
        let [first, second] = corridors[ci].detail.line_works;
        let ga = group_of[first].unwrap_or_else(|| {
            groups.push(Some(singleton(first)));
            group_of[first] = Some(groups.len() - 1);
            groups.len() - 1
        });
        let gb = group_of[second].unwrap_or_else(|| {
            groups.push(Some(singleton(second)));
            group_of[second] = Some(groups.len() - 1);
            groups.len() - 1
        });
        if ga == gb {
            continue;
        }
        let compatible = match (&groups[ga], &groups[gb]) {
            (Some(x), Some(y)) => {
                x.overlaps_in_time(y)
                    && x.key_values.iter().all(|ka| {
                        y.key_values
                            .iter()
                            .all(|kb| profile.rule(ka, kb).relation == Relation::SharedTrench)
                    })
            }
            _ => false,
        };
        if !compatible {
            continue;
        }
        let Some(absorbed) = groups[gb].take() else {
            continue;
        };
        for &m in &absorbed.members {
            group_of[m] = Some(ga);
        }
        if let Some(target) = groups[ga].as_mut() {
            target.members.extend(absorbed.members);
            target.earliest = target.earliest.max(absorbed.earliest);
            target.due = earlier(target.due, absorbed.due);
            for k in absorbed.key_values {
                if target.keys.insert(key_id(&k)) {
                    target.key_values.push(k);
                }
            }
        }
    }
    build_trenches(works, frame, corridors, &group_of, &groups)
}

fn build_trenches(
    works: &LineWorks,
    frame: &LocalFrame,
    corridors: &[Corridor],
    group_of: &[Option<usize>],
    groups: &[Option<Group>],
) -> (Vec<Trench>, Vec<Option<String>>) {
    // Corridors of each live group with 2+ members.
    let mut members_corridors: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (ci, c) in corridors.iter().enumerate() {
        let [a, b] = c.detail.line_works;
        if c.shared_trench_allowed
            && let (Some(ga), Some(gb)) = (group_of[a], group_of[b])
            && ga == gb
        {
            members_corridors[ga].push(ci);
        }
    }
    let mut trenches: Vec<(Trench, Vec<usize>)> = Vec::new();
    for (g, cs) in members_corridors.into_iter().enumerate() {
        let Some(group) = &groups[g] else { continue };
        if cs.is_empty() {
            continue;
        }
        // Union of each member's stretches over the trench's corridors.
        let mut along: Vec<(usize, Vec<Stretch>)> =
            group.members.iter().map(|&m| (m, Vec::new())).collect();
        along.sort_by_key(|x| x.0);
        let mut separation: f64 = 0.0;
        for &ci in &cs {
            let c = &corridors[ci];
            separation = separation.max(c.min_separation_m);
            for side in 0..2 {
                let w = c.detail.line_works[side];
                if let Ok(pos) = along.binary_search_by_key(&w, |x| x.0) {
                    along[pos].1.extend_from_slice(&c.detail.stretches[side]);
                }
            }
        }
        let mut best: Option<(f64, usize, &Vec<Stretch>)> = None;
        for (_, stretches) in &mut along {
            merge_stretches(stretches);
        }
        for (w, stretches) in &along {
            let len: f64 = stretches.iter().map(Stretch::length).sum();
            if best.is_none_or(|(l, bw, _)| {
                // Longer wins; on equal length the smaller id, for stable output.
                len.total_cmp(&l)
                    .then_with(|| works.works[bw].id.cmp(&works.works[*w].id))
                    .is_gt()
            }) {
                best = Some((len, *w, stretches));
            }
        }
        let (length_m, geometry) = best.map_or((0.0, Vec::new()), |(len, w, stretches)| {
            let lines = &works.works[w].lines;
            let geometry = stretches
                .iter()
                .map(|s| to_wgs84(frame, &lines.parts[s.part as usize].slice(s.from_m, s.to_m)))
                .collect();
            (len, geometry)
        });
        let mut ids: Vec<String> = group
            .members
            .iter()
            .map(|&m| works.works[m].id.clone())
            .collect();
        ids.sort();
        let utilities: BTreeSet<Utility> = group
            .members
            .iter()
            .map(|&m| works.works[m].key.utility)
            .collect();
        let mut corridor_ids: Vec<String> = cs.iter().map(|&ci| corridors[ci].id.clone()).collect();
        corridor_ids.sort();
        trenches.push((
            Trench {
                id: String::new(),
                works: ids,
                utilities: utilities.into_iter().collect(),
                corridors: corridor_ids,
                length_m,
                min_separation_m: separation,
                geometry,
            },
            cs,
        ));
    }
    trenches.sort_by(|x, y| x.0.works.cmp(&y.0.works));
    let mut of_corridor = vec![None; corridors.len()];
    let mut out = Vec::with_capacity(trenches.len());
    for (n, (mut t, cs)) in trenches.into_iter().enumerate() {
        t.id = format!("trench-{}", n + 1);
        for ci in cs {
            of_corridor[ci] = Some(t.id.clone());
        }
        out.push(t);
    }
    (out, of_corridor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::corridor::detect;
    use crate::testkit::{PlanBuilder, WorkBuilder, date};

    fn trenches_of(b: &PlanBuilder) -> Vec<Trench> {
        let plan = b.build();
        let works = LineWorks::of(&plan);
        let profile = ClearanceProfile::built_in("cn-gb50289").expect("valid");
        let d = detect(&works, &plan.frame, &profile, 3.0, 20.0);
        group(&works, &plan.frame, &profile, &d.corridors).0
    }

    #[test]
    fn a_work_that_may_start_only_after_its_neighbour_is_due_is_dug_separately() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.work(
            WorkBuilder::pipeline("w1", Utility::Water)
                .owner("a")
                .along(&[(0.0, 0.0), (100.0, 0.0)])
                .deadline(date(2027, 5, 1)),
        );
        b.work(
            WorkBuilder::pipeline("s1", Utility::Sewer)
                .owner("b")
                .along(&[(0.0, 1.5), (100.0, 1.5)])
                .earliest(date(2027, 8, 1)),
        );
        b.work(
            WorkBuilder::pipeline("t1", Utility::Telecom)
                .owner("c")
                .along(&[(0.0, -1.0), (100.0, -1.0)])
                .earliest(date(2027, 3, 1)),
        );
        let t = trenches_of(&b);
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(
            !(t[0].works.contains(&"w1".to_owned()) && t[0].works.contains(&"s1".to_owned())),
            "the sewer may start in August, the water main is due in May: {:?}",
            t[0].works
        );
    }

    #[test]
    fn three_compatible_parallel_works_share_one_trench() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.work(
            WorkBuilder::pipeline("w1", Utility::Water)
                .owner("a")
                .along(&[(0.0, 0.0), (100.0, 0.0)]),
        );
        b.work(
            WorkBuilder::pipeline("s1", Utility::Sewer)
                .owner("b")
                .along(&[(0.0, 1.5), (100.0, 1.5)]),
        );
        b.work(
            WorkBuilder::pipeline("t1", Utility::Telecom)
                .owner("c")
                .along(&[(0.0, -1.0), (100.0, -1.0)]),
        );
        let t = trenches_of(&b);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].works, ["s1", "t1", "w1"]);
        assert_eq!(t[0].corridors.len(), 3);
        assert!((t[0].length_m - 100.0).abs() < 1e-9);
        assert!((t[0].min_separation_m - 1.5).abs() < 1e-12);
    }

    #[test]
    fn gas_is_never_in_a_trench_even_through_a_chain() {
        // heat-water and water-telecom may share; heat-telecom too; power-heat may not.
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.work(
            WorkBuilder::pipeline("w1", Utility::Water)
                .owner("a")
                .along(&[(0.0, 0.0), (200.0, 0.0)]),
        );
        b.work(
            WorkBuilder::pipeline("h1", Utility::Heat)
                .owner("b")
                .along(&[(0.0, 2.0), (100.0, 2.0)]),
        );
        b.work(
            WorkBuilder::pipeline("p1", Utility::Power)
                .owner("c")
                .along(&[(100.0, -2.0), (200.0, -2.0)]),
        );
        b.work(
            WorkBuilder::pipeline("g1", Utility::Gas)
                .owner("d")
                .along(&[(0.0, -2.0), (90.0, -2.0)]),
        );
        let t = trenches_of(&b);
        for trench in &t {
            assert!(!trench.utilities.contains(&Utility::Gas));
            let heat_and_power = trench.utilities.contains(&Utility::Heat)
                && trench.utilities.contains(&Utility::Power);
            assert!(!heat_and_power, "{trench:?}");
        }
        // w1-h1 (~100 m) is longer than w1-p1 (~100 m minus disc): one of them joins w1.
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].works.len(), 2);
    }
}
