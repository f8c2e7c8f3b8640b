//! Polylines in local metres and an R*-tree over their segments.
//!
//! Every proximity question of the analysis (which works run beside which, which street a
//! work cuts) is answered by querying this index with one segment's bounding box grown by
//! the distance of interest, then measuring exactly on the few segments it returns.
//! Indexing segments rather than whole works keeps the candidate sets small even for long
//! works that wander across the city.

use geo::{Coord, Geometry};
use rstar::{AABB, RTree, RTreeObject};

/// One polyline with the arc length at each vertex (metres from its start).
#[derive(Debug, Clone, PartialEq)]
pub struct Polyline {
    /// Vertices, consecutive duplicates removed.
    pub coords: Vec<Coord<f64>>,
    /// `cum[i]` is the length along the line from `coords[0]` to `coords[i]`.
    pub cum: Vec<f64>,
}

impl Polyline {
    /// A polyline through `coords`, dropping repeated vertices. `None` if fewer than two
    /// distinct vertices remain (nothing to measure).
    #[must_use]
    pub fn new(coords: impl IntoIterator<Item = Coord<f64>>) -> Option<Self> {
        let mut kept: Vec<Coord<f64>> = Vec::new();
        for c in coords {
            if kept.last() != Some(&c) {
                kept.push(c);
            }
        }
        if kept.len() < 2 {
            return None;
        }
        let mut cum = Vec::with_capacity(kept.len());
        let mut total = 0.0;
        cum.push(0.0);
        for w in kept.windows(2) {
            total += distance(w[0], w[1]);
            cum.push(total);
        }
        Some(Self { coords: kept, cum })
    }

    /// Total length in metres.
    #[must_use]
    pub fn length(&self) -> f64 {
        self.cum.last().copied().unwrap_or(0.0)
    }

    /// The point at arc length `s` (clamped to the line).
    #[must_use]
    #[expect(
        clippy::many_single_char_names,
        reason = "vector algebra: the short names follow the formulas"
    )]
    pub fn point_at(&self, s: f64) -> Coord<f64> {
        let s = s.clamp(0.0, self.length());
        let i = self.segment_at(s);
        let (a, b) = (self.coords[i], self.coords[i + 1]);
        let len = self.cum[i + 1] - self.cum[i];
        let t = if len > 0.0 {
            (s - self.cum[i]) / len
        } else {
            0.0
        };
        lerp(a, b, t)
    }

    /// Index of the segment that holds arc length `s`.
    fn segment_at(&self, s: f64) -> usize {
        let i = self.cum.partition_point(|&c| c <= s);
        i.saturating_sub(1).min(self.coords.len() - 2)
    }

    /// The sub-line between arc lengths `from` and `to` (`from <= to`), with the original
    /// vertices in between.
    #[must_use]
    pub fn slice(&self, from: f64, to: f64) -> Vec<Coord<f64>> {
        let mut out = vec![self.point_at(from)];
        let first = self.segment_at(from.clamp(0.0, self.length())) + 1;
        for k in first..self.coords.len() {
            if self.cum[k] >= to {
                break;
            }
            out.push(self.coords[k]);
        }
        out.push(self.point_at(to));
        out.dedup();
        out
    }
}

/// The lines of one feature (a LineString is one part, a MultiLineString several).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LineSet {
    /// The parts; empty for a geometry without length.
    pub parts: Vec<Polyline>,
}

impl LineSet {
    /// The line parts of a LineString or MultiLineString; `None` for other geometries.
    #[must_use]
    pub fn from_geometry(geometry: &Geometry<f64>) -> Option<Self> {
        let parts = match geometry {
            Geometry::LineString(l) => Polyline::new(l.0.iter().copied()).into_iter().collect(),
            Geometry::MultiLineString(m) => {
                m.0.iter()
                    .filter_map(|l| Polyline::new(l.0.iter().copied()))
                    .collect()
            }
            Geometry::Line(l) => Polyline::new([l.start, l.end]).into_iter().collect(),
            _ => return None,
        };
        Some(Self { parts })
    }

    /// Total length of all parts in metres.
    #[must_use]
    pub fn length(&self) -> f64 {
        self.parts.iter().map(Polyline::length).sum()
    }

    /// Number of segments over all parts.
    #[must_use]
    pub fn segment_count(&self) -> usize {
        self.parts.iter().map(|p| p.coords.len() - 1).sum()
    }
}

/// One indexed segment: which feature, part and segment it is, and its end points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentRef {
    /// Position of the feature in the slice the index was built from.
    pub owner: u32,
    /// Part of the feature.
    pub part: u32,
    /// Segment within the part (from vertex `index` to `index + 1`).
    pub index: u32,
    /// Start point in local metres.
    pub a: Coord<f64>,
    /// End point in local metres.
    pub b: Coord<f64>,
}

impl RTreeObject for SegmentRef {
    type Envelope = AABB<[f64; 2]>;

    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners([self.a.x, self.a.y], [self.b.x, self.b.y])
    }
}

/// An R*-tree over every segment of a set of features, bulk-loaded.
///
/// # Complexity
/// Building is O(n log n) in the number of segments; a query touches O(log n + k) nodes
/// for k segments in the box.
#[derive(Debug)]
pub struct SegmentIndex {
    tree: RTree<SegmentRef>,
}

impl SegmentIndex {
    /// Indexes every segment of `sets`; a segment's `owner` is its set's position.
    #[must_use]
    pub fn build<'a>(sets: impl IntoIterator<Item = &'a LineSet>) -> Self {
        let mut segments = Vec::new();
        for (owner, set) in sets.into_iter().enumerate() {
            let owner = u32::try_from(owner).unwrap_or(u32::MAX);
            for (part, line) in set.parts.iter().enumerate() {
                let part = u32::try_from(part).unwrap_or(u32::MAX);
                for (index, w) in line.coords.windows(2).enumerate() {
                    segments.push(SegmentRef {
                        owner,
                        part,
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                        a: w[0],
                        b: w[1],
                    });
                }
            }
        }
        Self {
            tree: RTree::bulk_load(segments),
        }
    }

    /// Number of indexed segments.
    #[must_use]
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether the index holds no segment.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Segments whose bounding box comes within `distance` of the box of segment `a`-`b`:
    /// a superset of the segments within `distance` of it.
    pub fn near(
        &self,
        a: Coord<f64>,
        b: Coord<f64>,
        distance: f64,
    ) -> impl Iterator<Item = &SegmentRef> {
        let envelope = AABB::from_corners(
            [a.x.min(b.x) - distance, a.y.min(b.y) - distance],
            [a.x.max(b.x) + distance, a.y.max(b.y) + distance],
        );
        self.tree.locate_in_envelope_intersecting(&envelope)
    }
}

/// Euclidean distance between two points.
#[must_use]
pub fn distance(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (b.x - a.x).hypot(b.y - a.y)
}

/// The point a fraction `t` of the way from `a` to `b`.
#[must_use]
pub fn lerp(a: Coord<f64>, b: Coord<f64>, t: f64) -> Coord<f64> {
    Coord {
        x: a.x + (b.x - a.x) * t,
        y: a.y + (b.y - a.y) * t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn polyline_measures_and_slices_along_its_vertices() {
        let p = Polyline::new([c(0.0, 0.0), c(10.0, 0.0), c(10.0, 0.0), c(10.0, 10.0)])
            .expect("two distinct vertices");
        assert_eq!(p.coords.len(), 3, "the repeated vertex is dropped");
        assert!((p.length() - 20.0).abs() < 1e-12);
        assert_eq!(p.point_at(15.0), c(10.0, 5.0));
        assert_eq!(
            p.slice(5.0, 15.0),
            vec![c(5.0, 0.0), c(10.0, 0.0), c(10.0, 5.0)]
        );
        assert_eq!(p.slice(2.0, 4.0), vec![c(2.0, 0.0), c(4.0, 0.0)]);
    }

    #[test]
    fn a_single_point_line_has_no_polyline() {
        assert!(Polyline::new([c(1.0, 1.0), c(1.0, 1.0)]).is_none());
    }

    #[test]
    fn index_finds_segments_within_the_grown_box_only() {
        let near = LineSet {
            parts: vec![Polyline::new([c(0.0, 2.0), c(10.0, 2.0)]).expect("line")],
        };
        let far = LineSet {
            parts: vec![Polyline::new([c(0.0, 50.0), c(10.0, 50.0)]).expect("line")],
        };
        let index = SegmentIndex::build([&near, &far]);
        assert_eq!(index.len(), 2);
        let found: Vec<u32> = index
            .near(c(0.0, 0.0), c(10.0, 0.0), 3.0)
            .map(|s| s.owner)
            .collect();
        assert_eq!(found, vec![0]);
    }
}
