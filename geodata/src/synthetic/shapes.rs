//! Planar helpers for the synthetic city, in local metres: insetting convex polygons,
//! offsetting and trimming polylines. Only what the generator needs, on convex shapes.

use geo::Coord;

/// Vector from `a` to `b`.
pub(super) fn sub(a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
    Coord {
        x: a.x - b.x,
        y: a.y - b.y,
    }
}

/// `a + b * s`.
pub(super) fn add_scaled(a: Coord<f64>, b: Coord<f64>, s: f64) -> Coord<f64> {
    Coord {
        x: a.x + b.x * s,
        y: a.y + b.y * s,
    }
}

/// The point a fraction `t` of the way from `a` to `b`.
pub(super) fn lerp(a: Coord<f64>, b: Coord<f64>, t: f64) -> Coord<f64> {
    add_scaled(a, sub(b, a), t)
}

pub(super) fn norm(v: Coord<f64>) -> f64 {
    v.x.hypot(v.y)
}

fn cross(a: Coord<f64>, b: Coord<f64>) -> f64 {
    a.x * b.y - a.y * b.x
}

/// The left-hand unit normal of the direction `d`.
pub(super) fn left_normal(d: Coord<f64>) -> Coord<f64> {
    let n = norm(d);
    Coord {
        x: -d.y / n,
        y: d.x / n,
    }
}

/// Vertex average: inside any convex polygon.
pub(super) fn centroid(ring: &[Coord<f64>]) -> Coord<f64> {
    #[expect(
        clippy::cast_precision_loss,
        reason = "a polygon has a handful of vertices"
    )]
    let n = ring.len() as f64;
    let (sx, sy) = ring
        .iter()
        .fold((0.0, 0.0), |(sx, sy), c| (sx + c.x, sy + c.y));
    Coord {
        x: sx / n,
        y: sy / n,
    }
}

/// Twice the signed area (positive when counter-clockwise) of an open ring.
pub(super) fn twice_area(ring: &[Coord<f64>]) -> f64 {
    (0..ring.len())
        .map(|k| cross(ring[k], ring[(k + 1) % ring.len()]))
        .sum()
}

/// Moves every edge of a convex counter-clockwise polygon (open ring) inwards by `d`
/// metres and intersects neighbouring edges. `None` when the polygon is too small for it.
#[expect(
    clippy::many_single_char_names,
    reason = "line intersection in the usual p + t r = q + u s notation"
)]
pub(super) fn inset(ring: &[Coord<f64>], d: f64) -> Option<Vec<Coord<f64>>> {
    let n = ring.len();
    // Offset lines: a point and a direction each.
    let lines: Vec<(Coord<f64>, Coord<f64>)> = (0..n)
        .map(|k| {
            let a = ring[k];
            let dir = sub(ring[(k + 1) % n], a);
            (add_scaled(a, left_normal(dir), d), dir)
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let (p, r) = lines[(k + n - 1) % n];
        let (q, s) = lines[k];
        let denom = cross(r, s);
        if denom.abs() < 1e-9 {
            return None;
        }
        let t = cross(sub(q, p), s) / denom;
        out.push(add_scaled(p, r, t));
    }
    // The inset must keep the orientation and every edge direction (no collapsed edge).
    let still_convex = (0..n).all(|k| {
        let e = sub(out[(k + 1) % n], out[k]);
        let original = sub(ring[(k + 1) % n], ring[k]);
        e.x * original.x + e.y * original.y > 1.0
    });
    (still_convex && twice_area(&out) > 0.0).then_some(out)
}

/// The polyline `points` moved sideways by `offset` metres (positive to the left),
/// with mitred corners.
pub(super) fn offset_polyline(points: &[Coord<f64>], offset: f64) -> Vec<Coord<f64>> {
    let n = points.len();
    (0..n)
        .map(|k| {
            let before = (k > 0).then(|| left_normal(sub(points[k], points[k - 1])));
            let after = (k + 1 < n).then(|| left_normal(sub(points[k + 1], points[k])));
            let normal = match (before, after) {
                (Some(a), Some(b)) => {
                    let m = Coord {
                        x: a.x + b.x,
                        y: a.y + b.y,
                    };
                    let len = norm(m);
                    let unit = Coord {
                        x: m.x / len,
                        y: m.y / len,
                    };
                    // Mitre: keep the offset distance to both neighbouring segments.
                    let cos = unit.x * a.x + unit.y * a.y;
                    Coord {
                        x: unit.x / cos,
                        y: unit.y / cos,
                    }
                }
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => Coord { x: 0.0, y: 0.0 },
            };
            add_scaled(points[k], normal, offset)
        })
        .collect()
}

/// Total length of a polyline.
pub(super) fn length(points: &[Coord<f64>]) -> f64 {
    points.windows(2).map(|w| norm(sub(w[1], w[0]))).sum()
}

/// The part of a polyline between distances `from` and `to` along it (`from < to`).
pub(super) fn sub_line(points: &[Coord<f64>], from: f64, to: f64) -> Vec<Coord<f64>> {
    let mut out = Vec::new();
    let mut walked = 0.0;
    for w in points.windows(2) {
        let seg = norm(sub(w[1], w[0]));
        let (s0, s1) = (walked, walked + seg);
        if s1 > from && s0 < to && seg > 0.0 {
            if out.is_empty() {
                out.push(lerp(w[0], w[1], ((from - s0) / seg).max(0.0)));
            }
            if s1 >= to {
                out.push(lerp(w[0], w[1], (to - s0) / seg));
                break;
            }
            out.push(w[1]);
        }
        walked = s1;
    }
    out
}

/// The point of segment `a`-`b` closest to `p`.
pub(super) fn closest_on_segment(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
    let ab = sub(b, a);
    let len2 = ab.x * ab.x + ab.y * ab.y;
    let t = if len2 > 0.0 {
        (((p.x - a.x) * ab.x + (p.y - a.y) * ab.y) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    add_scaled(a, ab, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn inset_of_a_square_shrinks_each_side() {
        let sq = [c(0.0, 0.0), c(100.0, 0.0), c(100.0, 100.0), c(0.0, 100.0)];
        let got = inset(&sq, 10.0).expect("large enough");
        assert!((got[0].x - 10.0).abs() < 1e-9 && (got[0].y - 10.0).abs() < 1e-9);
        assert!((got[2].x - 90.0).abs() < 1e-9 && (got[2].y - 90.0).abs() < 1e-9);
        assert!(inset(&sq, 60.0).is_none());
    }

    #[test]
    fn offset_keeps_the_distance_at_a_corner() {
        let line = [c(0.0, 0.0), c(100.0, 0.0), c(100.0, 100.0)];
        let off = offset_polyline(&line, 5.0);
        // Left of an east-then-north path is the inside of the corner.
        assert!((off[0].y - 5.0).abs() < 1e-9);
        assert!((off[1].x - 95.0).abs() < 1e-9 && (off[1].y - 5.0).abs() < 1e-9);
        assert!((off[2].x - 95.0).abs() < 1e-9);
    }

    #[test]
    fn sub_line_cuts_at_the_given_distances() {
        let line = [c(0.0, 0.0), c(100.0, 0.0), c(100.0, 100.0)];
        let part = sub_line(&line, 50.0, 150.0);
        assert_eq!(part, vec![c(50.0, 0.0), c(100.0, 0.0), c(100.0, 50.0)]);
        assert!((length(&part) - 100.0).abs() < 1e-9);
    }
}
