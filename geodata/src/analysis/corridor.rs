//! Corridors: where works of different utilities or owners run side by side, the dig-once
//! opportunities.
//!
//! # Definitions
//! Let `D` be the sharing distance and `L` the minimum shared length.
//! - Two works are *candidates* when both are utility works with line geometry and they
//!   differ in utility or in owner (one owner's own network is not a coordination issue).
//! - A *stretch of A beside B* is a maximal contiguous piece of A (within one part of a
//!   MultiLineString) whose every point lies within `D` of B's centre line, measured along
//!   A, kept only if it is at least `L` long. Short pieces — the `2D / sin θ` a crossing
//!   produces, or a brief approach — are not stretches.
//! - A pair is a *corridor* when A has a stretch beside B **and** B has one beside A. Its
//!   `length_m` is the smaller of the two total stretch lengths (symmetric, and never more
//!   than either work can actually share). Its geometry is the stretches of the work
//!   that gives `length_m` (ties: the smaller id), so geometry and length agree.
//! - Whether the corridor may be one trench, and how far apart the two must stay in it,
//!   comes from the clearance profile ([`super::clearance`]).
//!
//! Crossings are found in the same pass: see [`super::crossing`].
//!
//! # Complexity
//! One bulk-loaded R*-tree over all work segments; each segment queries its box grown by
//! `D`. Time O(n log n + k) for n segments and k nearby segment pairs; no pair of works is
//! examined unless two of their segments are near.

use std::collections::HashMap;

use chrono::NaiveDate;
use geo::Coord;
use serde::{Deserialize, Serialize};

use super::clearance::{ClearanceProfile, Provenance, Relation, UtilityKey};
use super::crossing::{Crossing, RawCrossing, collect_crossings};
use super::proximity::{
    Stretch, capsule_interval, merge_stretches, segment_intersection, stretch_on,
};
use super::segment_index::{LineSet, SegmentIndex};
use super::{Lines, to_wgs84};
use crate::crs::LocalFrame;
use crate::plan::{DeadlineKind, Plan, Utility};

/// The utility works of a plan with their lines prepared for measuring.
#[derive(Debug)]
pub struct LineWorks {
    /// One entry per utility work with line geometry, in plan order.
    pub works: Vec<LineWork>,
}

/// A utility work with its lines in local metres.
#[derive(Debug)]
pub struct LineWork {
    /// Position in `plan.works`.
    pub plan_index: usize,
    /// The work id.
    pub id: String,
    /// Clearance attributes.
    pub key: UtilityKey,
    /// Owner, interned: equal numbers mean the same owner.
    pub owner: u32,
    /// Owner name.
    pub owner_name: String,
    /// Lines in local metres.
    pub lines: LineSet,
    /// The work may not start before this day.
    pub earliest: Option<NaiveDate>,
    /// The work must be finished by this day (hard deadlines only).
    pub hard_deadline: Option<NaiveDate>,
}

impl LineWorks {
    /// Collects the utility works with line geometry of `plan`.
    #[must_use]
    pub fn of(plan: &Plan) -> Self {
        let mut owners: HashMap<&str, u32> = HashMap::new();
        let mut works = Vec::new();
        for (plan_index, work) in plan.works.iter().enumerate() {
            let Some(key) = UtilityKey::of(work) else {
                continue;
            };
            let Some(lines) = LineSet::from_geometry(&work.shape.local) else {
                continue;
            };
            let next = u32::try_from(owners.len()).unwrap_or(u32::MAX);
            let owner = *owners.entry(work.owner.as_str()).or_insert(next);
            works.push(LineWork {
                plan_index,
                id: work.id.clone(),
                key,
                owner,
                owner_name: work.owner.clone(),
                lines,
                earliest: work.earliest,
                hard_deadline: work
                    .deadline
                    .filter(|_| work.deadline_kind == DeadlineKind::Hard),
            });
        }
        Self { works }
    }

    /// Whether works `a` and `b` (positions in `works`) are corridor candidates.
    #[must_use]
    pub fn candidates(&self, a: usize, b: usize) -> bool {
        let (a, b) = (&self.works[a], &self.works[b]);
        a.key.utility != b.key.utility || a.owner != b.owner
    }

    /// Total number of segments.
    #[must_use]
    pub fn segment_count(&self) -> usize {
        self.works.iter().map(|w| w.lines.segment_count()).sum()
    }
}

/// A dig-once opportunity: two works running side by side.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Corridor {
    /// Stable id within one analysis (`corridor-<n>`, by sorted work ids).
    pub id: String,
    /// The two work ids, sorted.
    pub works: [String; 2],
    /// Their utilities, in the order of `works`.
    pub utilities: [Utility; 2],
    /// Their owners, in the order of `works`.
    pub owners: [String; 2],
    /// Shared length: the smaller of the two stretch totals (metres).
    pub length_m: f64,
    /// Stretch total measured along each work, in the order of `works`.
    pub lengths_along_m: [f64; 2],
    /// Whether the clearance profile lets them share one trench (else: coordinate only).
    pub shared_trench_allowed: bool,
    /// The clear distance to keep between them (in the trench, or between trenches).
    pub min_separation_m: f64,
    /// The clearance rule applied.
    pub rule: Provenance,
    /// The trench that digs this corridor, if its works were grouped into one.
    pub trench: Option<String>,
    /// The shared stretch(es) in WGS84, one line per stretch.
    pub geometry: Lines,
    /// Positions in [`LineWorks::works`] and stretches in local metres (for trenches).
    #[serde(skip)]
    pub(crate) detail: PairDetail,
}

/// Internal measurements of a corridor.
#[derive(Debug, Clone, Default)]
pub(crate) struct PairDetail {
    /// Positions of the two works in [`LineWorks::works`], in the order of `works`.
    pub line_works: [usize; 2],
    /// Stretches along each work.
    pub stretches: [Vec<Stretch>; 2],
}

/// Corridors and crossings of a plan.
#[derive(Debug, Clone, Default)]
pub struct Detection {
    /// Corridors sorted by work ids.
    pub corridors: Vec<Corridor>,
    /// Crossings sorted by work ids and position.
    pub crossings: Vec<Crossing>,
}

/// Stretches of one work beside another (one direction of a pair).
#[derive(Debug)]
pub(crate) struct Side {
    pub a: u32,
    pub b: u32,
    pub stretches: Vec<Stretch>,
}

impl Side {
    fn total(&self) -> f64 {
        self.stretches.iter().map(Stretch::length).sum()
    }
}

/// Finds every corridor and crossing among `works`.
///
/// `share_distance_m` is `D`, `min_shared_length_m` is `L` (module docs).
#[must_use]
pub fn detect(
    works: &LineWorks,
    frame: &LocalFrame,
    profile: &ClearanceProfile,
    share_distance_m: f64,
    min_shared_length_m: f64,
) -> Detection {
    let index = SegmentIndex::build(works.works.iter().map(|w| &w.lines));
    let (sides, raw) = indexed_sides(works, &index, share_distance_m, min_shared_length_m);
    assemble(works, frame, profile, &sides, raw)
}

/// Stretch sides of every candidate pair and raw crossings, via the segment index.
pub(crate) fn indexed_sides(
    works: &LineWorks,
    index: &SegmentIndex,
    d: f64,
    min_len: f64,
) -> (Vec<Side>, Vec<RawCrossing>) {
    let mut sides = Vec::new();
    let mut raw = Vec::new();
    let mut hits: Vec<(u32, Stretch)> = Vec::new();
    for (ai, work) in works.works.iter().enumerate() {
        hits.clear();
        let a = u32::try_from(ai).unwrap_or(u32::MAX);
        for (pi, line) in work.lines.parts.iter().enumerate() {
            let part = u32::try_from(pi).unwrap_or(u32::MAX);
            for i in 0..line.coords.len() - 1 {
                let (p0, p1) = (line.coords[i], line.coords[i + 1]);
                for seg in index.near(p0, p1, d) {
                    let bi = seg.owner as usize;
                    if seg.owner == a || !works.candidates(ai, bi) {
                        continue;
                    }
                    pair_segments(
                        works,
                        (a, part, i, p0, p1),
                        (seg.owner, seg.part, seg.index as usize, seg.a, seg.b),
                        d,
                        &mut hits,
                        &mut raw,
                    );
                }
            }
        }
        sides_from_hits(a, &mut hits, min_len, &mut sides);
    }
    (sides, raw)
}

/// A segment: owner, part, index, end points.
pub(crate) type Seg = (u32, u32, usize, Coord<f64>, Coord<f64>);

/// Measures one segment of A against one of B: A's stretch beside it, and (once per
/// unordered pair, when `A < B`) their intersection.
#[expect(
    clippy::many_single_char_names,
    reason = "vector algebra: the short names follow the formulas"
)]
pub(crate) fn pair_segments(
    works: &LineWorks,
    (a, part, i, p0, p1): Seg,
    (b, b_part, j, q0, q1): Seg,
    d: f64,
    hits: &mut Vec<(u32, Stretch)>,
    raw: &mut Vec<RawCrossing>,
) {
    let line = &works.works[a as usize].lines.parts[part as usize];
    if let Some((t0, t1)) = capsule_interval(p0, p1, q0, q1, d) {
        hits.push((b, stretch_on(line, part, i, t0, t1)));
    }
    if a < b
        && let Some((tp, tq)) = segment_intersection(p0, p1, q0, q1)
    {
        let other = &works.works[b as usize].lines.parts[b_part as usize];
        raw.push(RawCrossing {
            a,
            b,
            a_at: (part, line.cum[i] + tp * (line.cum[i + 1] - line.cum[i])),
            b_at: (
                b_part,
                other.cum[j] + tq * (other.cum[j + 1] - other.cum[j]),
            ),
            point: super::segment_index::lerp(p0, p1, tp),
        });
    }
}

/// Groups one work's hits by the other work, merges them and keeps stretches >= `min_len`.
pub(crate) fn sides_from_hits(
    a: u32,
    hits: &mut [(u32, Stretch)],
    min_len: f64,
    sides: &mut Vec<Side>,
) {
    hits.sort_by_key(|h| h.0);
    for group in hits.chunk_by(|x, y| x.0 == y.0) {
        let mut stretches: Vec<Stretch> = group.iter().map(|h| h.1).collect();
        merge_stretches(&mut stretches);
        stretches.retain(|s| s.length() >= min_len - super::proximity::MERGE_TOLERANCE_M);
        if !stretches.is_empty() {
            sides.push(Side {
                a,
                b: group[0].0,
                stretches,
            });
        }
    }
}

/// Pairs the two sides of each pair into corridors and filters crossings.
pub(crate) fn assemble(
    works: &LineWorks,
    frame: &LocalFrame,
    profile: &ClearanceProfile,
    sides: &[Side],
    raw: Vec<RawCrossing>,
) -> Detection {
    let lookup: HashMap<(u32, u32), &Side> = sides.iter().map(|s| ((s.a, s.b), s)).collect();
    let mut corridors = Vec::new();
    for side in sides.iter().filter(|s| s.a < s.b) {
        let Some(back) = lookup.get(&(side.b, side.a)) else {
            continue;
        };
        corridors.push(corridor(works, frame, profile, side, back));
    }
    corridors.sort_by(|x, y| x.works.cmp(&y.works));
    for (n, c) in corridors.iter_mut().enumerate() {
        c.id = format!("corridor-{}", n + 1);
    }
    let crossings = collect_crossings(works, frame, profile, &lookup, raw);
    Detection {
        corridors,
        crossings,
    }
}

fn corridor(
    works: &LineWorks,
    frame: &LocalFrame,
    profile: &ClearanceProfile,
    ab: &Side,
    ba: &Side,
) -> Corridor {
    // Order the pair by work id so output does not depend on plan order.
    let (first, second) = {
        let (wa, wb) = (&works.works[ab.a as usize], &works.works[ab.b as usize]);
        if wa.id <= wb.id { (ab, ba) } else { (ba, ab) }
    };
    let w = [
        &works.works[first.a as usize],
        &works.works[second.a as usize],
    ];
    let totals = [first.total(), second.total()];
    let rep = usize::from(totals[1] < totals[0]);
    let rep_side = [first, second][rep];
    let geometry = rep_side
        .stretches
        .iter()
        .map(|s| {
            let line = &w[rep].lines.parts[s.part as usize];
            to_wgs84(frame, &line.slice(s.from_m, s.to_m))
        })
        .collect();
    let rule = profile.rule(&w[0].key, &w[1].key);
    Corridor {
        id: String::new(),
        works: [w[0].id.clone(), w[1].id.clone()],
        utilities: [w[0].key.utility, w[1].key.utility],
        owners: [w[0].owner_name.clone(), w[1].owner_name.clone()],
        length_m: totals[0].min(totals[1]),
        lengths_along_m: totals,
        shared_trench_allowed: rule.relation == Relation::SharedTrench,
        min_separation_m: rule.min_separation_m,
        rule: rule.provenance.clone(),
        trench: None,
        geometry,
        detail: PairDetail {
            line_works: [first.a as usize, second.a as usize],
            stretches: [first.stretches.clone(), second.stretches.clone()],
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testkit::{PlanBuilder, WorkBuilder, date};
    use proptest::prelude::*;

    /// Brute force: every segment of every candidate pair against every other, no index.
    pub(crate) fn brute_force(works: &LineWorks, d: f64, min_len: f64) -> Vec<Side> {
        let mut sides = Vec::new();
        let mut raw = Vec::new();
        let mut hits = Vec::new();
        for (ai, wa) in works.works.iter().enumerate() {
            hits.clear();
            let a = u32::try_from(ai).expect("small");
            for (bi, wb) in works.works.iter().enumerate() {
                if ai == bi || !works.candidates(ai, bi) {
                    continue;
                }
                let b = u32::try_from(bi).expect("small");
                for (pi, pa) in wa.lines.parts.iter().enumerate() {
                    for i in 0..pa.coords.len() - 1 {
                        for (qi, pb) in wb.lines.parts.iter().enumerate() {
                            for j in 0..pb.coords.len() - 1 {
                                pair_segments(
                                    works,
                                    (
                                        a,
                                        u32::try_from(pi).expect("small"),
                                        i,
                                        pa.coords[i],
                                        pa.coords[i + 1],
                                    ),
                                    (
                                        b,
                                        u32::try_from(qi).expect("small"),
                                        j,
                                        pb.coords[j],
                                        pb.coords[j + 1],
                                    ),
                                    d,
                                    &mut hits,
                                    &mut raw,
                                );
                            }
                        }
                    }
                }
            }
            sides_from_hits(a, &mut hits, min_len, &mut sides);
        }
        sides
    }

    fn detect_plan(b: &PlanBuilder) -> Detection {
        let plan = b.build();
        let works = LineWorks::of(&plan);
        let profile = ClearanceProfile::built_in("cn-gb50289").expect("valid");
        detect(&works, &plan.frame, &profile, 3.0, 20.0)
    }

    #[test]
    fn parallel_water_and_sewer_two_metres_apart_form_a_shareable_corridor() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.work(
            WorkBuilder::pipeline("w1", Utility::Water)
                .owner("water co")
                .along(&[(0.0, 0.0), (100.0, 0.0)]),
        );
        b.work(
            WorkBuilder::pipeline("s1", Utility::Sewer)
                .owner("sewer co")
                .along(&[(20.0, 2.0), (150.0, 2.0)]),
        );
        let d = detect_plan(&b);
        assert_eq!(d.corridors.len(), 1);
        let c = &d.corridors[0];
        assert_eq!(c.works, ["s1".to_owned(), "w1".to_owned()]);
        // w1 lies within 3 m of s1 from x=17.76 (disc around s1's start) to x=100: 82.24 m;
        // s1 lies within 3 m of w1 from x=20 to x=102.24. Length: the smaller.
        let along_w = 100.0 - (20.0 - 5.0f64.sqrt());
        assert!((c.lengths_along_m[1] - along_w).abs() < 1e-9, "{c:?}");
        assert!((c.length_m - along_w).abs() < 1e-9);
        assert!(c.shared_trench_allowed);
        assert!((c.min_separation_m - 1.5).abs() < 1e-12);
        assert_eq!(c.geometry.len(), 1);
        assert!(d.crossings.is_empty());
    }

    #[test]
    fn perpendicular_works_give_a_crossing_not_a_corridor() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.work(
            WorkBuilder::pipeline("w1", Utility::Water)
                .owner("a")
                .along(&[(0.0, 0.0), (100.0, 0.0)]),
        );
        b.work(
            WorkBuilder::pipeline("p1", Utility::Power)
                .owner("b")
                .along(&[(50.0, -50.0), (50.0, 50.0)]),
        );
        let d = detect_plan(&b);
        assert!(d.corridors.is_empty());
        assert_eq!(d.crossings.len(), 1);
        assert_eq!(d.crossings[0].works, ["p1".to_owned(), "w1".to_owned()]);
    }

    #[test]
    fn gas_beside_power_in_the_cn_profile_is_coordinate_only() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.work(
            WorkBuilder::pipeline("g1", Utility::Gas)
                .owner("gas co")
                .along(&[(0.0, 0.0), (100.0, 0.0)]),
        );
        b.work(
            WorkBuilder::pipeline("p1", Utility::Power)
                .owner("grid")
                .along(&[(0.0, 1.0), (100.0, 1.0)]),
        );
        let d = detect_plan(&b);
        assert_eq!(d.corridors.len(), 1);
        let c = &d.corridors[0];
        assert!(!c.shared_trench_allowed);
        assert!(c.rule.clause.contains("4.3.4"));
        assert!((c.length_m - 100.0).abs() < 1e-9);
    }

    #[test]
    fn same_owner_same_utility_is_no_corridor_but_other_owner_is() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.work(
            WorkBuilder::pipeline("w1", Utility::Water)
                .owner("a")
                .along(&[(0.0, 0.0), (100.0, 0.0)]),
        );
        b.work(
            WorkBuilder::pipeline("w2", Utility::Water)
                .owner("a")
                .along(&[(0.0, 1.0), (100.0, 1.0)]),
        );
        b.work(
            WorkBuilder::pipeline("w3", Utility::Water)
                .owner("b")
                .along(&[(0.0, -1.0), (100.0, -1.0)]),
        );
        let d = detect_plan(&b);
        let pairs: Vec<_> = d.corridors.iter().map(|c| c.works.clone()).collect();
        assert_eq!(
            pairs,
            vec![
                ["w1".to_owned(), "w3".to_owned()],
                ["w2".to_owned(), "w3".to_owned()]
            ]
        );
    }

    #[test]
    fn a_stretch_shorter_than_the_minimum_is_not_a_corridor() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.work(
            WorkBuilder::pipeline("w1", Utility::Water)
                .owner("a")
                .along(&[(0.0, 0.0), (100.0, 0.0)]),
        );
        b.work(
            WorkBuilder::pipeline("t1", Utility::Telecom)
                .owner("b")
                .along(&[(0.0, 2.0), (15.0, 2.0)]),
        );
        assert!(detect_plan(&b).corridors.is_empty());
    }

    fn side_key(s: &Side) -> (u32, u32) {
        (s.a, s.b)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The indexed answer equals brute force on random street-like works.
        #[test]
        fn indexed_sides_equal_brute_force(
            lines in prop::collection::vec(
                (0usize..4, prop::collection::vec((-60.0..60.0f64, -60.0..60.0f64), 2..6), 0u8..3),
                2..9),
            d in 0.5..6.0f64,
            min_len in 0.0..30.0f64,
        ) {
            let mut b = PlanBuilder::new(date(2026, 3, 1));
            for (n, (u, pts, owner)) in lines.iter().enumerate() {
                let utility = [Utility::Water, Utility::Sewer, Utility::Gas, Utility::Power][*u];
                b.work(
                    WorkBuilder::pipeline(&format!("w{n}"), utility)
                        .owner(&format!("o{owner}"))
                        .along(pts),
                );
            }
            let plan = b.build();
            let works = LineWorks::of(&plan);
            let index = SegmentIndex::build(works.works.iter().map(|w| &w.lines));
            let (fast, _) = indexed_sides(&works, &index, d, min_len);
            let slow = brute_force(&works, d, min_len);
            prop_assert_eq!(fast.iter().map(side_key).collect::<Vec<_>>(),
                            slow.iter().map(side_key).collect::<Vec<_>>());
            for (f, s) in fast.iter().zip(&slow) {
                let (tf, ts) = (f.total(), s.total());
                prop_assert!((tf - ts).abs() <= 1e-6 * ts.max(1.0), "{} vs {}", tf, ts);
                prop_assert_eq!(f.stretches.len(), s.stretches.len());
            }
        }
    }
}
