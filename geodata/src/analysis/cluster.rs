//! Compounds: which works serve each compound, and clusters of adjacent compounds to
//! renovate together.
//!
//! # Membership
//! A work serves a compound when (reasons, strongest first):
//! - `reference`: its `compound` property names the compound;
//! - `inside`: its geometry touches or lies in the compound polygon;
//! - `near`: it comes within `serve_distance_m` of the polygon (default 5 m: the service
//!   connection from a street main to the compound boundary).
//!
//! A work may serve several compounds (a main along the boundary of two).
//!
//! # Clusters
//! Two compounds are *adjacent* when their polygons come within `cluster_gap_m` (plan
//! setting, default 30 m: across a side street). They are *linked* when adjacent and at
//! least one is class `integrate` and the other is `integrate` or *small* (households
//! below `small_compound_households`, default 300 — about six walk-up buildings; 整合提升
//! is meant for scattered small compounds). A cluster is a connected component of links
//! with two or more compounds.
//!
//! # Complexity
//! R*-tree over compound boxes; exact polygon distances only for boxes that come within
//! the gap or serve distance.

use geo::{BoundingRect, Distance, Euclidean, Geometry, Intersects};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::{Deserialize, Serialize};

use crate::plan::{Plan, RenovationClass};

/// Why a work is counted for a compound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipReason {
    /// The work names the compound.
    Reference,
    /// The work lies in or touches the compound polygon.
    Inside,
    /// The work passes within the serve distance.
    Near,
}

/// One work serving a compound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompoundWork {
    /// Work id.
    pub work: String,
    /// The strongest reason.
    pub reason: MembershipReason,
}

/// The works of one compound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompoundWorks {
    /// Compound id.
    pub compound: String,
    /// Works serving it, sorted by work id.
    pub works: Vec<CompoundWork>,
}

/// Adjacent compounds to renovate as one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompoundCluster {
    /// Stable id within one analysis (`cluster-<n>`).
    pub id: String,
    /// Member compound ids, sorted.
    pub compounds: Vec<String>,
    /// Total households.
    pub households: u64,
    /// Districts of the members, sorted, distinct.
    pub districts: Vec<String>,
}

/// Union-find root with path halving.
fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

type BoxIndex = RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>;

fn box_index<'a>(shapes: impl Iterator<Item = &'a Geometry<f64>>) -> BoxIndex {
    let items = shapes
        .enumerate()
        .filter_map(|(i, g)| {
            g.bounding_rect().map(|r| {
                GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                )
            })
        })
        .collect();
    RTree::bulk_load(items)
}

fn grown(g: &Geometry<f64>, by: f64) -> Option<AABB<[f64; 2]>> {
    g.bounding_rect().map(|r| {
        AABB::from_corners(
            [r.min().x - by, r.min().y - by],
            [r.max().x + by, r.max().y + by],
        )
    })
}

/// The works serving each compound (module docs), compounds in plan order.
#[must_use]
pub fn compound_works(plan: &Plan, serve_distance_m: f64) -> Vec<CompoundWorks> {
    let index = box_index(plan.compounds.iter().map(|c| &c.shape.local));
    let mut per: Vec<Vec<CompoundWork>> = vec![Vec::new(); plan.compounds.len()];
    for work in &plan.works {
        if let Some(id) = &work.compound
            && let Some(ci) = plan.compounds.iter().position(|c| &c.id == id)
        {
            per[ci].push(CompoundWork {
                work: work.id.clone(),
                reason: MembershipReason::Reference,
            });
        }
        let Some(envelope) = grown(&work.shape.local, serve_distance_m) else {
            continue;
        };
        for candidate in index.locate_in_envelope_intersecting(&envelope) {
            let ci = candidate.data;
            if per[ci].iter().any(|m| m.work == work.id) {
                continue;
            }
            let polygon = &plan.compounds[ci].shape.local;
            let reason = if work.shape.local.intersects(polygon) {
                Some(MembershipReason::Inside)
            } else if Euclidean.distance(&work.shape.local, polygon) <= serve_distance_m {
                Some(MembershipReason::Near)
            } else {
                None
            };
            if let Some(reason) = reason {
                per[ci].push(CompoundWork {
                    work: work.id.clone(),
                    reason,
                });
            }
        }
    }
    plan.compounds
        .iter()
        .zip(per)
        .map(|(c, mut works)| {
            works.sort_by(|a, b| a.work.cmp(&b.work));
            CompoundWorks {
                compound: c.id.clone(),
                works,
            }
        })
        .collect()
}

/// Clusters of adjacent compounds to renovate together (module docs).
#[must_use]
pub fn clusters(plan: &Plan, cluster_gap_m: f64, small_households: u32) -> Vec<CompoundCluster> {
    let compounds = &plan.compounds;
    let index = box_index(compounds.iter().map(|c| &c.shape.local));
    let mut parent: Vec<usize> = (0..compounds.len()).collect();
    let joins = |a: &crate::plan::Compound| {
        a.class == RenovationClass::Integrate || a.households < small_households
    };
    for (i, a) in compounds.iter().enumerate() {
        let Some(envelope) = grown(&a.shape.local, cluster_gap_m) else {
            continue;
        };
        for candidate in index.locate_in_envelope_intersecting(&envelope) {
            let j = candidate.data;
            if j <= i {
                continue;
            }
            let b = &compounds[j];
            let linked = (a.class == RenovationClass::Integrate && joins(b))
                || (b.class == RenovationClass::Integrate && joins(a));
            if !linked || Euclidean.distance(&a.shape.local, &b.shape.local) > cluster_gap_m {
                continue;
            }
            let (ra, rb) = (root(&mut parent, i), root(&mut parent, j));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> =
        std::collections::BTreeMap::new();
    for i in 0..compounds.len() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<CompoundCluster> = groups
        .into_values()
        .filter(|m| m.len() >= 2)
        .map(|members| {
            let mut ids: Vec<String> = members.iter().map(|&i| compounds[i].id.clone()).collect();
            ids.sort();
            let mut districts: Vec<String> = members
                .iter()
                .map(|&i| compounds[i].district.clone())
                .collect();
            districts.sort();
            districts.dedup();
            CompoundCluster {
                id: String::new(),
                compounds: ids,
                households: members
                    .iter()
                    .map(|&i| u64::from(compounds[i].households))
                    .sum(),
                districts,
            }
        })
        .collect();
    out.sort_by(|a, b| a.compounds.cmp(&b.compounds));
    for (n, c) in out.iter_mut().enumerate() {
        c.id = format!("cluster-{}", n + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Utility;
    use crate::testkit::{CompoundBuilder, PlanBuilder, WorkBuilder, date, square};

    #[test]
    fn integrate_compound_clusters_with_its_small_neighbour_but_not_a_large_or_far_one() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.compound(
            CompoundBuilder::new("big-int", RenovationClass::Integrate)
                .households(500)
                .ring(&square(0.0, 0.0, 100.0)),
        );
        b.compound(
            CompoundBuilder::new("small", RenovationClass::Basic)
                .households(120)
                .ring(&square(120.0, 0.0, 50.0)),
        ); // 20 m gap
        b.compound(
            CompoundBuilder::new("large", RenovationClass::Basic)
                .households(900)
                .ring(&square(0.0, 120.0, 100.0)),
        ); // 20 m gap
        b.compound(
            CompoundBuilder::new("far", RenovationClass::Basic)
                .households(50)
                .ring(&square(-200.0, 0.0, 50.0)),
        ); // 150 m gap
        let plan = b.build();
        let c = clusters(&plan, 30.0, 300);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].compounds, ["big-int", "small"]);
        assert_eq!(c[0].households, 620);
    }

    #[test]
    fn two_small_basic_compounds_do_not_cluster_without_an_integrate_one() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.compound(
            CompoundBuilder::new("a", RenovationClass::Basic)
                .households(50)
                .ring(&square(0.0, 0.0, 50.0)),
        );
        b.compound(
            CompoundBuilder::new("b", RenovationClass::Basic)
                .households(50)
                .ring(&square(60.0, 0.0, 50.0)),
        );
        assert!(clusters(&b.build(), 30.0, 300).is_empty());
    }

    #[test]
    fn works_serve_compounds_by_reference_inside_or_near() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.compound(
            CompoundBuilder::new("c1", RenovationClass::Basic)
                .households(100)
                .ring(&square(0.0, 0.0, 100.0)),
        );
        b.work(
            WorkBuilder::pipeline("inside", Utility::Water)
                .owner("a")
                .along(&[(10.0, 10.0), (90.0, 10.0)]),
        );
        b.work(
            WorkBuilder::pipeline("near", Utility::Gas)
                .owner("a")
                .along(&[(0.0, -3.0), (100.0, -3.0)]),
        );
        b.work(
            WorkBuilder::pipeline("far", Utility::Gas)
                .owner("a")
                .along(&[(0.0, -30.0), (100.0, -30.0)]),
        );
        b.work(
            WorkBuilder::pipeline("named", Utility::Heat)
                .owner("a")
                .along(&[(500.0, 0.0), (600.0, 0.0)])
                .compound("c1"),
        );
        let m = compound_works(&b.build(), 5.0);
        let got: Vec<(&str, MembershipReason)> = m[0]
            .works
            .iter()
            .map(|w| (w.work.as_str(), w.reason))
            .collect();
        assert_eq!(
            got,
            vec![
                ("inside", MembershipReason::Inside),
                ("named", MembershipReason::Reference),
                ("near", MembershipReason::Near),
            ]
        );
    }
}
