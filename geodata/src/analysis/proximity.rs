//! Exact segment geometry: the part of a segment within a distance of another segment,
//! segment intersections, clipping to polygons, and merging of stretches along a line.
//!
//! The set of points within distance `d` of a segment `q` is a capsule (a rectangle
//! capped by two half-discs), which is convex. A segment `p` therefore meets it in a
//! single interval of its parameter `t`; that interval is the union of its intervals
//! with the rectangle and the two end discs, each solved in closed form. No sampling.

use geo::{Coord, Intersects, Point, Polygon};

use super::segment_index::{Polyline, lerp};

/// A stretch of one line: arc lengths `from_m..to_m` along part `part`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stretch {
    /// Part of the line set.
    pub part: u32,
    /// Start, metres from the part's start.
    pub from_m: f64,
    /// End, metres from the part's start.
    pub to_m: f64,
}

impl Stretch {
    /// Length in metres.
    #[must_use]
    pub fn length(&self) -> f64 {
        self.to_m - self.from_m
    }

    /// Whether arc length `s` on `part` falls inside (inclusive, with `tolerance`).
    #[must_use]
    pub fn holds(&self, part: u32, s: f64, tolerance: f64) -> bool {
        self.part == part && s >= self.from_m - tolerance && s <= self.to_m + tolerance
    }
}

/// Stretches closer than this (metres) are merged; it absorbs rounding at shared vertices.
pub const MERGE_TOLERANCE_M: f64 = 1e-9;

/// The parameter interval `t0..t1` (within `0..1`) of segment `p0`-`p1` whose points lie
/// within `d` of segment `q0`-`q1`, or `None` if no point does.
#[must_use]
pub fn capsule_interval(
    p0: Coord<f64>,
    p1: Coord<f64>,
    q0: Coord<f64>,
    q1: Coord<f64>,
    d: f64,
) -> Option<(f64, f64)> {
    let v = p1 - p0;
    let vv = v.x * v.x + v.y * v.y;
    if vv == 0.0 {
        return (point_segment_distance(p0, q0, q1) <= d).then_some((0.0, 1.0));
    }
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut take = |interval: Option<(f64, f64)>| {
        if let Some((a, b)) = interval {
            let (a, b) = (a.max(0.0), b.min(1.0));
            if a <= b {
                lo = lo.min(a);
                hi = hi.max(b);
            }
        }
    };
    take(disc_interval(p0, v, vv, q0, d));
    take(disc_interval(p0, v, vv, q1, d));
    let u = q1 - q0;
    let len = u.x.hypot(u.y);
    if len > 0.0 {
        let dir = Coord {
            x: u.x / len,
            y: u.y / len,
        };
        let normal = Coord {
            x: -dir.y,
            y: dir.x,
        };
        let w = p0 - q0;
        // Along q: 0 <= (w + t v).dir <= len; across q: |(w + t v).normal| <= d.
        let along = slab(dot(w, dir), dot(v, dir), 0.0, len);
        let across = slab(dot(w, normal), dot(v, normal), -d, d);
        take(intersect(along, across));
    }
    (lo <= hi).then_some((lo, hi))
}

/// `t` with `|p0 + t v - c| <= d`.
#[expect(
    clippy::many_single_char_names,
    reason = "vector algebra: the short names follow the formulas"
)]
fn disc_interval(
    p0: Coord<f64>,
    v: Coord<f64>,
    vv: f64,
    c: Coord<f64>,
    d: f64,
) -> Option<(f64, f64)> {
    let w = p0 - c;
    let b = dot(w, v);
    let cc = dot(w, w) - d * d;
    let disc = b * b - vv * cc;
    if disc < 0.0 {
        return None;
    }
    let root = disc.sqrt();
    Some(((-b - root) / vv, (-b + root) / vv))
}

/// `t` with `lo <= start + t * rate <= hi`.
fn slab(start: f64, rate: f64, lo: f64, hi: f64) -> Option<(f64, f64)> {
    if rate == 0.0 {
        return (lo <= start && start <= hi).then_some((f64::NEG_INFINITY, f64::INFINITY));
    }
    let a = (lo - start) / rate;
    let b = (hi - start) / rate;
    Some((a.min(b), a.max(b)))
}

fn intersect(a: Option<(f64, f64)>, b: Option<(f64, f64)>) -> Option<(f64, f64)> {
    let (a, b) = (a?, b?);
    let lo = a.0.max(b.0);
    let hi = a.1.min(b.1);
    (lo <= hi).then_some((lo, hi))
}

fn dot(a: Coord<f64>, b: Coord<f64>) -> f64 {
    a.x * b.x + a.y * b.y
}

fn cross(a: Coord<f64>, b: Coord<f64>) -> f64 {
    a.x * b.y - a.y * b.x
}

/// Distance from point `p` to segment `a`-`b`.
#[must_use]
#[expect(
    clippy::many_single_char_names,
    reason = "vector algebra: the short names follow the formulas"
)]
pub fn point_segment_distance(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let u = b - a;
    let uu = dot(u, u);
    let t = if uu == 0.0 {
        0.0
    } else {
        (dot(p - a, u) / uu).clamp(0.0, 1.0)
    };
    let c = lerp(a, b, t);
    (p.x - c.x).hypot(p.y - c.y)
}

/// Where segments `p` and `q` meet: parameters `(tp, tq)` in `0..=1`, or `None`.
/// Collinear overlapping segments meet at the middle of their overlap.
#[must_use]
pub fn segment_intersection(
    p0: Coord<f64>,
    p1: Coord<f64>,
    q0: Coord<f64>,
    q1: Coord<f64>,
) -> Option<(f64, f64)> {
    let r = p1 - p0;
    let s = q1 - q0;
    let denom = cross(r, s);
    let w = q0 - p0;
    if denom == 0.0 {
        if cross(w, r) != 0.0 {
            return None; // parallel, apart
        }
        let rr = dot(r, r);
        if rr == 0.0 {
            return None;
        }
        let t0 = dot(w, r) / rr;
        let t1 = dot(q1 - p0, r) / rr;
        let lo = t0.min(t1).max(0.0);
        let hi = t0.max(t1).min(1.0);
        if lo > hi {
            return None;
        }
        let tp = f64::midpoint(lo, hi);
        let ss = dot(s, s);
        let tq = if ss == 0.0 {
            0.0
        } else {
            (dot(lerp(p0, p1, tp) - q0, s) / ss).clamp(0.0, 1.0)
        };
        return Some((tp, tq));
    }
    let tp = cross(w, s) / denom;
    let tq = cross(w, r) / denom;
    ((0.0..=1.0).contains(&tp) && (0.0..=1.0).contains(&tq)).then_some((tp, tq))
}

/// The parameter intervals of segment `p0`-`p1` inside `polygon` (boundary included).
#[must_use]
pub fn polygon_intervals(
    p0: Coord<f64>,
    p1: Coord<f64>,
    polygon: &Polygon<f64>,
) -> Vec<(f64, f64)> {
    let mut cuts = vec![0.0, 1.0];
    for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
        for edge in ring.lines() {
            if let Some((t, _)) = segment_intersection(p0, p1, edge.start, edge.end) {
                cuts.push(t);
            }
        }
    }
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    let mut out: Vec<(f64, f64)> = Vec::new();
    for w in cuts.windows(2) {
        let mid = Point::from(lerp(p0, p1, f64::midpoint(w[0], w[1])));
        if polygon.intersects(&mid) {
            match out.last_mut() {
                Some(last) if last.1 >= w[0] => last.1 = w[1],
                _ => out.push((w[0], w[1])),
            }
        }
    }
    out
}

/// Sorts stretches by part and start and merges those that overlap or touch.
pub fn merge_stretches(stretches: &mut Vec<Stretch>) {
    stretches.sort_by(|a, b| a.part.cmp(&b.part).then(a.from_m.total_cmp(&b.from_m)));
    let mut merged: Vec<Stretch> = Vec::with_capacity(stretches.len());
    for s in stretches.drain(..) {
        match merged.last_mut() {
            Some(last) if last.part == s.part && s.from_m <= last.to_m + MERGE_TOLERANCE_M => {
                last.to_m = last.to_m.max(s.to_m);
            }
            _ => merged.push(s),
        }
    }
    *stretches = merged;
}

/// Arc-length stretch of segment `index` of `line` for parameters `t0..t1`.
#[must_use]
pub fn stretch_on(line: &Polyline, part: u32, index: usize, t0: f64, t1: f64) -> Stretch {
    let start = line.cum[index];
    let len = line.cum[index + 1] - start;
    Stretch {
        part,
        from_m: start + t0 * len,
        to_m: start + t1 * len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn parallel_segment_three_metres_off_is_inside_a_three_metre_capsule() {
        let i = capsule_interval(c(-5.0, 3.0), c(15.0, 3.0), c(0.0, 0.0), c(10.0, 0.0), 3.0)
            .expect("touches");
        assert!(
            (i.0 - 0.25).abs() < 1e-12 && (i.1 - 0.75).abs() < 1e-12,
            "{i:?}"
        );
        assert!(
            capsule_interval(c(0.0, 3.1), c(10.0, 3.1), c(0.0, 0.0), c(10.0, 0.0), 3.0).is_none()
        );
    }

    #[test]
    fn perpendicular_crossing_is_inside_for_twice_the_distance() {
        let (t0, t1) =
            capsule_interval(c(5.0, -10.0), c(5.0, 10.0), c(0.0, 0.0), c(10.0, 0.0), 3.0)
                .expect("crosses");
        assert!(((t1 - t0) * 20.0 - 6.0).abs() < 1e-9);
    }

    #[test]
    fn crossing_segments_meet_at_their_intersection() {
        let (tp, tq) = segment_intersection(c(0.0, 0.0), c(10.0, 0.0), c(5.0, -5.0), c(5.0, 5.0))
            .expect("cross");
        assert!((tp - 0.5).abs() < 1e-12 && (tq - 0.5).abs() < 1e-12);
        assert!(
            segment_intersection(c(0.0, 0.0), c(10.0, 0.0), c(0.0, 1.0), c(10.0, 1.0)).is_none()
        );
    }

    #[test]
    fn segment_through_a_square_is_clipped_to_it() {
        let square = Polygon::new(
            geo::LineString::from(vec![
                (0.0, 0.0),
                (10.0, 0.0),
                (10.0, 10.0),
                (0.0, 10.0),
                (0.0, 0.0),
            ]),
            vec![],
        );
        let iv = polygon_intervals(c(-10.0, 5.0), c(20.0, 5.0), &square);
        assert_eq!(iv.len(), 1);
        assert!((iv[0].0 - 1.0 / 3.0).abs() < 1e-12 && (iv[0].1 - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn touching_stretches_merge() {
        let mut v = vec![
            Stretch {
                part: 0,
                from_m: 5.0,
                to_m: 8.0,
            },
            Stretch {
                part: 0,
                from_m: 0.0,
                to_m: 5.0,
            },
            Stretch {
                part: 1,
                from_m: 0.0,
                to_m: 1.0,
            },
        ];
        merge_stretches(&mut v);
        assert_eq!(v.len(), 2);
        assert!((v[0].length() - 8.0).abs() < 1e-12);
    }

    proptest! {
        /// The closed-form interval agrees with the distance sampled along the segment.
        #[test]
        fn capsule_interval_matches_sampled_distance(
            px in -20.0..20.0f64, py in -20.0..20.0f64, qx in -20.0..20.0f64, qy in -20.0..20.0f64,
            rx in -20.0..20.0f64, ry in -20.0..20.0f64, sx in -20.0..20.0f64, sy in -20.0..20.0f64,
            d in 0.1..10.0f64,
        ) {
            let (p0, p1, q0, q1) = (c(px, py), c(qx, qy), c(rx, ry), c(sx, sy));
            let interval = capsule_interval(p0, p1, q0, q1, d);
            for k in 0..=200 {
                let t = f64::from(k) / 200.0;
                let dist = point_segment_distance(lerp(p0, p1, t), q0, q1);
                let inside = interval.is_some_and(|(a, b)| t >= a - 1e-9 && t <= b + 1e-9);
                // Points clearly inside or outside must agree; skip the rounding band.
                if dist < d - 1e-6 { prop_assert!(inside, "t={t} dist={dist} {interval:?}"); }
                if dist > d + 1e-6 { prop_assert!(!inside, "t={t} dist={dist} {interval:?}"); }
            }
        }
    }
}
