//! Crossings: points where the centre lines of two candidate works meet.
//!
//! A crossing needs no shared trench but does need coordination (vertical clearance, who
//! lays first). A meeting point that lies inside a corridor stretch of the same pair is
//! part of that corridor and not reported again. Meeting points of one pair closer than
//! 1 mm (a line crossing exactly at a vertex is found on both adjacent segments) count once.

use std::collections::HashMap;

use geo::Coord;
use serde::{Deserialize, Serialize};

use super::clearance::{ClearanceProfile, Provenance, Relation};
use super::corridor::{LineWorks, Side};
use super::to_wgs84;
use crate::crs::LocalFrame;
use crate::plan::Utility;

/// Two points of one pair closer than this (metres) are one crossing.
const SAME_POINT_M: f64 = 1e-3;

/// Two works whose centre lines meet.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Crossing {
    /// Stable id within one analysis (`crossing-<n>`).
    pub id: String,
    /// The two work ids, sorted.
    pub works: [String; 2],
    /// Their utilities, in the order of `works`.
    pub utilities: [Utility; 2],
    /// Where they meet, WGS84 longitude/latitude.
    pub point: [f64; 2],
    /// Whether the profile would let them share a trench (informative at a crossing).
    pub shared_trench_allowed: bool,
    /// The clearance rule of the pair.
    pub rule: Provenance,
}

/// A meeting point found during the corridor pass, positions in works' arc length.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawCrossing {
    /// Position of the first work in [`LineWorks::works`] (`a < b`).
    pub a: u32,
    /// Position of the second work.
    pub b: u32,
    /// (part, arc length) on `a`.
    pub a_at: (u32, f64),
    /// (part, arc length) on `b`.
    pub b_at: (u32, f64),
    /// The point in local metres.
    pub point: Coord<f64>,
}

/// Drops meeting points inside corridors, merges duplicates and builds crossings.
pub(crate) fn collect_crossings(
    works: &LineWorks,
    frame: &LocalFrame,
    profile: &ClearanceProfile,
    sides: &HashMap<(u32, u32), &Side>,
    mut raw: Vec<RawCrossing>,
) -> Vec<Crossing> {
    let inside = |side: Option<&&Side>, (part, s): (u32, f64)| {
        side.is_some_and(|side| {
            side.stretches
                .iter()
                .any(|st| st.holds(part, s, SAME_POINT_M))
        })
    };
    raw.retain(|r| {
        !inside(sides.get(&(r.a, r.b)), r.a_at) && !inside(sides.get(&(r.b, r.a)), r.b_at)
    });
    raw.sort_by(|x, y| {
        (x.a, x.b)
            .cmp(&(y.a, y.b))
            .then(x.point.x.total_cmp(&y.point.x))
            .then(x.point.y.total_cmp(&y.point.y))
    });
    let mut kept: Vec<RawCrossing> = Vec::with_capacity(raw.len());
    for r in raw {
        let duplicate = kept.last().is_some_and(|k| {
            (k.a, k.b) == (r.a, r.b)
                && (k.point.x - r.point.x).abs() < SAME_POINT_M
                && (k.point.y - r.point.y).abs() < SAME_POINT_M
        });
        if !duplicate {
            kept.push(r);
        }
    }
    let mut out: Vec<Crossing> = kept
        .iter()
        .map(|r| {
            let (mut wa, mut wb) = (&works.works[r.a as usize], &works.works[r.b as usize]);
            if wb.id < wa.id {
                std::mem::swap(&mut wa, &mut wb);
            }
            let rule = profile.rule(&wa.key, &wb.key);
            let p = to_wgs84(frame, &[r.point]);
            Crossing {
                id: String::new(),
                works: [wa.id.clone(), wb.id.clone()],
                utilities: [wa.key.utility, wb.key.utility],
                point: p[0],
                shared_trench_allowed: rule.relation == Relation::SharedTrench,
                rule: rule.provenance.clone(),
            }
        })
        .collect();
    out.sort_by(|x, y| {
        x.works
            .cmp(&y.works)
            .then(x.point[0].total_cmp(&y.point[0]))
            .then(x.point[1].total_cmp(&y.point[1]))
    });
    for (n, c) in out.iter_mut().enumerate() {
        c.id = format!("crossing-{}", n + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::analysis::clearance::ClearanceProfile;
    use crate::analysis::corridor::{LineWorks, detect};
    use crate::plan::Utility;
    use crate::testkit::{PlanBuilder, WorkBuilder, date};

    #[test]
    fn a_line_crossing_at_a_shared_vertex_is_one_crossing() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.work(
            WorkBuilder::pipeline("w1", Utility::Water)
                .owner("a")
                .along(&[(0.0, 0.0), (50.0, 0.0), (100.0, 0.0)]),
        );
        b.work(
            WorkBuilder::pipeline("t1", Utility::Telecom)
                .owner("b")
                .along(&[(50.0, -30.0), (50.0, 30.0)]),
        );
        let plan = b.build();
        let profile = ClearanceProfile::built_in("cn-gb50289").expect("valid");
        let d = detect(&LineWorks::of(&plan), &plan.frame, &profile, 3.0, 20.0);
        assert_eq!(d.crossings.len(), 1);
        assert!(d.crossings[0].shared_trench_allowed);
    }

    #[test]
    fn a_weave_inside_a_corridor_is_not_a_crossing() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.work(
            WorkBuilder::pipeline("w1", Utility::Water)
                .owner("a")
                .along(&[(0.0, 0.0), (100.0, 0.0)]),
        );
        b.work(
            WorkBuilder::pipeline("t1", Utility::Telecom)
                .owner("b")
                .along(&[(0.0, 1.0), (50.0, -1.0), (100.0, 1.0)]),
        );
        let plan = b.build();
        let profile = ClearanceProfile::built_in("cn-gb50289").expect("valid");
        let d = detect(&LineWorks::of(&plan), &plan.frame, &profile, 3.0, 20.0);
        assert_eq!(d.corridors.len(), 1);
        assert!(d.crossings.is_empty());
    }
}
