//! Polygon boundary checks: where rings cross themselves or each other.
//!
//! Every ring segment goes into an R-tree; each segment is then tested only against the
//! segments whose boxes overlap its own. That is `O(n log n + k)` for `n` segments and `k`
//! overlapping pairs, instead of the `O(n²)` of testing every pair, so a surveyed boundary
//! with tens of thousands of vertices is checked in milliseconds. Segments are visited in
//! document order and the search stops at the first one with an illegal contact, so a
//! ring that retraces itself thousands of times (every segment overlapping thousands of
//! others: `k` quadratic) is rejected at its first segment instead of after all pairs.

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Line, LineString};
use rstar::{AABB, RTree, RTreeObject};

/// One ring segment with its position in the polygon.
#[derive(Debug, Clone, Copy)]
struct Segment {
    ring: usize,
    index: usize,
    line: Line<f64>,
}

impl RTreeObject for Segment {
    type Envelope = AABB<[f64; 2]>;

    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners(
            [self.line.start.x, self.line.start.y],
            [self.line.end.x, self.line.end.y],
        )
    }
}

/// Where a polygon's boundary crosses or touches itself illegally.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Crossing {
    /// The ring (0 = exterior, then holes) of the first offending segment.
    pub ring: usize,
    /// The ring of the second offending segment (equal to `ring` for a self-crossing).
    pub other_ring: usize,
    /// A point of the intersection.
    pub at: Coord<f64>,
}

/// Finds the first illegal intersection among closed `rings` (consecutive duplicate
/// positions already removed), or `None` for a valid boundary.
///
/// Within a ring, neighbouring segments may only share their common vertex and any other
/// contact is a self-intersection. Between rings, touching at a single point is allowed
/// (OGC simple features), crossing or sharing a stretch is not.
pub(super) fn first_crossing(rings: &[LineString<f64>]) -> Option<Crossing> {
    let mut segments = Vec::new();
    let mut segment_counts = Vec::with_capacity(rings.len());
    for (ring, ls) in rings.iter().enumerate() {
        let before = segments.len();
        segments.extend(
            ls.lines()
                .enumerate()
                .map(|(index, line)| Segment { ring, index, line }),
        );
        segment_counts.push(segments.len() - before);
    }
    let tree = RTree::bulk_load(segments.clone());
    // Document order: the first segment with an illegal contact is the one reported.
    for a in &segments {
        for b in tree.locate_in_envelope_intersecting(&a.envelope()) {
            if (b.ring, b.index) <= (a.ring, a.index) {
                continue;
            }
            let Some(hit) = line_intersection(a.line, b.line) else {
                continue;
            };
            let illegal = if a.ring == b.ring {
                let last = segment_counts[a.ring] - 1;
                let adjacent = b.index == a.index + 1 || (a.index == 0 && b.index == last);
                !adjacent || matches!(hit, LineIntersection::Collinear { .. })
            } else {
                match hit {
                    LineIntersection::Collinear { .. } => true,
                    LineIntersection::SinglePoint { is_proper, .. } => is_proper,
                }
            };
            if illegal {
                let at = match hit {
                    LineIntersection::SinglePoint { intersection, .. } => intersection,
                    LineIntersection::Collinear { intersection } => intersection.start,
                };
                return Some(Crossing {
                    ring: a.ring,
                    other_ring: b.ring,
                    at,
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(points: &[(f64, f64)]) -> LineString<f64> {
        LineString::from(points.to_vec())
    }

    #[test]
    fn a_square_is_valid() {
        let r = ring(&[(0., 0.), (1., 0.), (1., 1.), (0., 1.), (0., 0.)]);
        assert_eq!(first_crossing(&[r]), None);
    }

    #[test]
    fn a_bow_tie_crosses_itself_at_its_centre() {
        let r = ring(&[(0., 0.), (1., 1.), (1., 0.), (0., 1.), (0., 0.)]);
        let c = first_crossing(&[r]).expect("bow tie crosses");
        assert_eq!((c.ring, c.other_ring), (0, 0));
        assert!((c.at.x - 0.5).abs() < 1e-12 && (c.at.y - 0.5).abs() < 1e-12);
    }

    #[test]
    fn a_spike_back_along_the_previous_edge_is_a_self_intersection() {
        let r = ring(&[(0., 0.), (2., 0.), (1., 0.), (1., 1.), (0., 0.)]);
        assert!(first_crossing(&[r]).is_some());
    }

    #[test]
    fn a_hole_touching_the_exterior_at_one_point_is_valid_but_crossing_is_not() {
        let outer = ring(&[(0., 0.), (4., 0.), (4., 4.), (0., 4.), (0., 0.)]);
        let touching = ring(&[(0., 2.), (2., 1.), (3., 2.), (2., 3.), (0., 2.)]);
        assert_eq!(first_crossing(&[outer.clone(), touching]), None);
        let crossing = ring(&[(-1., 2.), (2., 1.), (3., 2.), (2., 3.), (-1., 2.)]);
        let c = first_crossing(&[outer, crossing]).expect("hole crosses exterior");
        assert_eq!((c.ring, c.other_ring), (0, 1));
    }

    #[test]
    fn a_ring_retracing_itself_thousands_of_times_is_caught_at_its_first_segment() {
        // 20,000 segments each overlapping 5,000 copies of itself: testing every
        // overlapping pair would be 5e7 intersections; stopping at the first is instant.
        let square = [(0., 0.), (1., 0.), (1., 1.), (0., 1.)];
        let mut pts: Vec<(f64, f64)> = square.iter().copied().cycle().take(20_000).collect();
        pts.push(pts[0]);
        let c = first_crossing(&[ring(&pts)]).expect("a retraced ring overlaps itself");
        assert_eq!((c.ring, c.other_ring), (0, 0));
        assert!(square.contains(&(c.at.x, c.at.y)), "{c:?}");
    }

    #[test]
    fn the_crossing_reported_is_the_first_in_document_order() {
        let outer = ring(&[(0., 0.), (4., 0.), (4., 4.), (0., 4.), (0., 0.)]);
        let inside = ring(&[(1., 1.), (2., 1.), (2., 2.), (1., 2.), (1., 1.)]);
        let crossing_both = ring(&[(1.5, 0.5), (3., -1.), (3., 3.), (1.5, 0.5)]);
        let c = first_crossing(&[outer, inside, crossing_both]).expect("crossings");
        assert_eq!((c.ring, c.other_ring), (0, 2));
    }

    #[test]
    fn a_large_regular_ring_is_checked_quickly_and_found_valid() {
        // 20,000 vertices: checking all 2e8 segment pairs would take far longer than this test.
        let n: i32 = 20_000;
        let mut pts: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let t = std::f64::consts::TAU * f64::from(i) / f64::from(n);
                (t.cos(), t.sin())
            })
            .collect();
        pts.push(pts[0]);
        assert_eq!(first_crossing(&[ring(&pts)]), None);
    }
}
