//! Street cuts: which streets each utility work excavates, and how many metres.
//!
//! # Rule
//! Only utility works cut streets (trades work on the surface or in compounds).
//! - A street given as a Polygon or MultiPolygon is its carriageway: the cut is the part
//!   of the work's centre line inside it (boundary included).
//! - A street given as a centre line has no width in the input format, so the cut is the
//!   part of the work's line within `street_buffer_m` of the centre line (a half-width;
//!   default 10 m, a 20 m red-line road). A work crossing the street is cut for about
//!   twice the buffer; a pipe laid along it for its length.
//!
//! Metres are measured along the work. At a junction a piece of work inside two streets'
//! buffers counts for both streets.
//!
//! # Complexity
//! Street centre-line segments and street polygons are indexed in R*-trees; each work
//! segment queries its box grown by the buffer.

use geo::{BoundingRect, Geometry, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::{Deserialize, Serialize};

use super::corridor::LineWorks;
use super::proximity::{Stretch, capsule_interval, merge_stretches, polygon_intervals, stretch_on};
use super::segment_index::{LineSet, SegmentIndex};
use crate::plan::Plan;

/// A street polygon's box in the index, with the street position and the polygon.
type StreetArea = GeomWithData<Rectangle<[f64; 2]>, (usize, Polygon<f64>)>;

/// Cuts shorter than this (metres) are rounding, not excavation.
const MIN_CUT_M: f64 = 1e-6;

/// The metres of one street a work excavates.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StreetCut {
    /// Work id.
    pub work: String,
    /// Street id.
    pub street: String,
    /// Metres of the work's line inside the street (or its buffer).
    pub length_m: f64,
    /// Positions in `plan.works` and `plan.streets`, and the stretches along the work.
    #[serde(skip)]
    pub(crate) detail: CutDetail,
}

/// Internal measurements of a cut.
#[derive(Debug, Clone, Default)]
pub(crate) struct CutDetail {
    /// Position of the work in [`LineWorks::works`].
    pub line_work: usize,
    /// Position of the street in `plan.streets`.
    pub street: usize,
    /// Cut stretches along the work.
    pub stretches: Vec<Stretch>,
}

/// Every (work, street) cut, sorted by work id then street id.
#[must_use]
pub fn cuts(plan: &Plan, works: &LineWorks, street_buffer_m: f64) -> Vec<StreetCut> {
    // Centre-line streets: their own segment index, owners = positions in `line_streets`.
    let mut line_streets: Vec<(usize, LineSet)> = Vec::new();
    let mut polygons: Vec<StreetArea> = Vec::new();
    for (si, street) in plan.streets.iter().enumerate() {
        match &street.shape.local {
            Geometry::Polygon(p) => push_polygon(&mut polygons, si, p),
            Geometry::MultiPolygon(m) => {
                for p in &m.0 {
                    push_polygon(&mut polygons, si, p);
                }
            }
            other => {
                if let Some(lines) = LineSet::from_geometry(other) {
                    line_streets.push((si, lines));
                }
            }
        }
    }
    let line_index = SegmentIndex::build(line_streets.iter().map(|(_, l)| l));
    let polygon_index = RTree::bulk_load(polygons);
    let mut out = Vec::new();
    let mut hits: Vec<(usize, Stretch)> = Vec::new();
    for (wi, work) in works.works.iter().enumerate() {
        hits.clear();
        for (pi, line) in work.lines.parts.iter().enumerate() {
            let part = u32::try_from(pi).unwrap_or(u32::MAX);
            for i in 0..line.coords.len() - 1 {
                let (p0, p1) = (line.coords[i], line.coords[i + 1]);
                for seg in line_index.near(p0, p1, street_buffer_m) {
                    if let Some((t0, t1)) = capsule_interval(p0, p1, seg.a, seg.b, street_buffer_m)
                    {
                        hits.push((
                            line_streets[seg.owner as usize].0,
                            stretch_on(line, part, i, t0, t1),
                        ));
                    }
                }
                let envelope = AABB::from_corners(
                    [p0.x.min(p1.x), p0.y.min(p1.y)],
                    [p0.x.max(p1.x), p0.y.max(p1.y)],
                );
                for candidate in polygon_index.locate_in_envelope_intersecting(&envelope) {
                    let (si, polygon) = &candidate.data;
                    for (t0, t1) in polygon_intervals(p0, p1, polygon) {
                        hits.push((*si, stretch_on(line, part, i, t0, t1)));
                    }
                }
            }
        }
        hits.sort_by_key(|h| h.0);
        for group in hits.chunk_by(|x, y| x.0 == y.0) {
            let mut stretches: Vec<Stretch> = group.iter().map(|h| h.1).collect();
            merge_stretches(&mut stretches);
            let length_m: f64 = stretches.iter().map(Stretch::length).sum();
            if length_m >= MIN_CUT_M {
                out.push(StreetCut {
                    work: work.id.clone(),
                    street: plan.streets[group[0].0].id.clone(),
                    length_m,
                    detail: CutDetail {
                        line_work: wi,
                        street: group[0].0,
                        stretches,
                    },
                });
            }
        }
    }
    out.sort_by(|x, y| (&x.work, &x.street).cmp(&(&y.work, &y.street)));
    out
}

fn push_polygon(polygons: &mut Vec<StreetArea>, street: usize, polygon: &Polygon<f64>) {
    if let Some(r) = polygon.bounding_rect() {
        let rect = Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
        polygons.push(GeomWithData::new(rect, (street, polygon.clone())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Utility;
    use crate::testkit::{PlanBuilder, StreetBuilder, WorkBuilder, date};

    #[test]
    fn a_pipe_along_a_street_line_is_cut_for_its_length_and_a_crossing_pipe_for_the_width() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.street(StreetBuilder::new("st1").along(&[(0.0, 0.0), (200.0, 0.0)]));
        b.work(
            WorkBuilder::pipeline("along", Utility::Water)
                .owner("a")
                .along(&[(10.0, 4.0), (110.0, 4.0)]),
        );
        b.work(
            WorkBuilder::pipeline("across", Utility::Gas)
                .owner("b")
                .along(&[(150.0, -50.0), (150.0, 50.0)]),
        );
        let plan = b.build();
        let c = cuts(&plan, &LineWorks::of(&plan), 10.0);
        assert_eq!(c.len(), 2);
        let across = c.iter().find(|c| c.work == "across").expect("cut");
        assert!((across.length_m - 20.0).abs() < 1e-9);
        let along = c.iter().find(|c| c.work == "along").expect("cut");
        assert!((along.length_m - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_street_polygon_clips_the_work_line() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.street(StreetBuilder::new("sq").area(&[
            (0.0, 0.0),
            (30.0, 0.0),
            (30.0, 12.0),
            (0.0, 12.0),
            (0.0, 0.0),
        ]));
        b.work(
            WorkBuilder::pipeline("w1", Utility::Water)
                .owner("a")
                .along(&[(-20.0, 6.0), (100.0, 6.0)]),
        );
        b.work(
            WorkBuilder::pipeline("w2", Utility::Water)
                .owner("a")
                .along(&[(-20.0, 60.0), (100.0, 60.0)]),
        );
        let plan = b.build();
        let c = cuts(&plan, &LineWorks::of(&plan), 10.0);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].street, "sq");
        assert!((c[0].length_m - 30.0).abs() < 1e-9);
    }
}
