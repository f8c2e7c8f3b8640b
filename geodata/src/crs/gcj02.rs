//! GCJ-02 ("Mars coordinates") and BD-09: the obfuscated systems of Chinese web maps.
//!
//! The forward offsets follow the published open-source algorithm every Chinese web-map
//! client uses (Krasovsky ellipsoid constants, a fixed trigonometric polynomial of the
//! position relative to 105°E 35°N). No official inverse exists, so positions are
//! inverted by fixed-point iteration on the forward map, which converges because the
//! offset varies slowly (its Jacobian is close to the identity): a few iterations reach
//! far below a millimetre.

use geo::Coord;

/// Semi-major axis of the Krasovsky 1940 ellipsoid the GCJ-02 algorithm uses (metres).
const KRASOVSKY_A: f64 = 6_378_245.0;
/// First eccentricity squared of the Krasovsky 1940 ellipsoid.
const KRASOVSKY_E2: f64 = 0.006_693_421_622_965_943;
/// Baidu's angular scale for the BD-09 polar offset.
const BD_X_PI: f64 = std::f64::consts::PI * 3000.0 / 180.0;

/// The bounding box inside which the GCJ-02 offset applies; outside it GCJ-02 = WGS84.
const CHINA_LON: (f64, f64) = (72.004, 137.8347);
const CHINA_LAT: (f64, f64) = (0.8293, 55.8271);

/// Iteration stops once the forward map hits the target to this many degrees (~1 mm).
const INVERSE_TOLERANCE_DEG: f64 = 1e-8;
/// Upper bound on iterations; convergence takes 3 to 6 in practice.
const INVERSE_MAX_ITERATIONS: usize = 30;

/// Whether the GCJ-02 offset applies at this WGS84 position.
#[must_use]
pub fn in_china_box(c: Coord<f64>) -> bool {
    (CHINA_LON.0..=CHINA_LON.1).contains(&c.x) && (CHINA_LAT.0..=CHINA_LAT.1).contains(&c.y)
}

fn offset_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn offset_lon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS84 to GCJ-02 (forward obfuscation). Identity outside the China bounding box.
#[must_use]
pub fn wgs84_to_gcj02(c: Coord<f64>) -> Coord<f64> {
    if !in_china_box(c) {
        return c;
    }
    let d_lat = offset_lat(c.x - 105.0, c.y - 35.0);
    let d_lon = offset_lon(c.x - 105.0, c.y - 35.0);
    let rad_lat = c.y.to_radians();
    let sin = rad_lat.sin();
    let magic = 1.0 - KRASOVSKY_E2 * sin * sin;
    let sqrt_magic = magic.sqrt();
    // Offsets are metres on the Krasovsky ellipsoid turned into degrees.
    let d_lat = d_lat * 180.0
        / (KRASOVSKY_A * (1.0 - KRASOVSKY_E2) / (magic * sqrt_magic) * std::f64::consts::PI);
    let d_lon = d_lon * 180.0 / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * std::f64::consts::PI);
    Coord {
        x: c.x + d_lon,
        y: c.y + d_lat,
    }
}

/// GCJ-02 to BD-09: Baidu's polar offset on top of GCJ-02.
#[must_use]
pub fn gcj02_to_bd09(c: Coord<f64>) -> Coord<f64> {
    let z = c.x.hypot(c.y) + 0.000_02 * (c.y * BD_X_PI).sin();
    let theta = c.y.atan2(c.x) + 0.000_003 * (c.x * BD_X_PI).cos();
    Coord {
        x: z * theta.cos() + 0.0065,
        y: z * theta.sin() + 0.006,
    }
}

/// WGS84 to BD-09.
#[must_use]
pub fn wgs84_to_bd09(c: Coord<f64>) -> Coord<f64> {
    gcj02_to_bd09(wgs84_to_gcj02(c))
}

/// Inverts a near-identity map `forward` at `target` by fixed-point iteration.
///
/// Returns `None` when it fails to converge (never for positions on Earth, but the
/// caller's input is untrusted).
fn invert(forward: impl Fn(Coord<f64>) -> Coord<f64>, target: Coord<f64>) -> Option<Coord<f64>> {
    let mut p = target;
    for _ in 0..INVERSE_MAX_ITERATIONS {
        let f = forward(p);
        let (dx, dy) = (f.x - target.x, f.y - target.y);
        if !(dx.is_finite() && dy.is_finite()) {
            return None;
        }
        if dx.abs() < INVERSE_TOLERANCE_DEG && dy.abs() < INVERSE_TOLERANCE_DEG {
            return Some(p);
        }
        p = Coord {
            x: p.x - dx,
            y: p.y - dy,
        };
    }
    None
}

/// GCJ-02 to WGS84 by iterating the forward obfuscation to under a millimetre.
#[must_use]
pub fn gcj02_to_wgs84(c: Coord<f64>) -> Option<Coord<f64>> {
    invert(wgs84_to_gcj02, c)
}

/// BD-09 to WGS84 by iterating the composed forward map (WGS84 -> GCJ-02 -> BD-09).
#[must_use]
pub fn bd09_to_wgs84(c: Coord<f64>) -> Option<Coord<f64>> {
    invert(wgs84_to_bd09, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    // Published pairs from the README of the widely used coordTransform library
    // (wandergis), reproduced bit-for-bit by many independent ports.
    #[test]
    fn wgs84_to_gcj02_matches_the_published_tiananmen_pair() {
        let g = wgs84_to_gcj02(c(116.404, 39.915));
        assert!((g.x - 116.410_244_499_169_38).abs() < 1e-12, "{g:?}");
        assert!((g.y - 39.916_404_281_501_64).abs() < 1e-12, "{g:?}");
    }

    #[test]
    fn gcj02_to_bd09_matches_the_published_pair() {
        let b = gcj02_to_bd09(c(116.404, 39.915));
        assert!((b.x - 116.410_369_493_710_29).abs() < 1e-12, "{b:?}");
        assert!((b.y - 39.921_336_993_510_21).abs() < 1e-12, "{b:?}");
    }

    #[test]
    fn wgs84_to_bd09_matches_the_published_pair() {
        let b = wgs84_to_bd09(c(116.404, 39.915));
        assert!((b.x - 116.416_627_243_787_33).abs() < 1e-12, "{b:?}");
        assert!((b.y - 39.922_699_552_216_216).abs() < 1e-12, "{b:?}");
    }

    #[test]
    fn outside_the_china_box_gcj02_is_wgs84() {
        for p in [
            c(2.35, 48.85),
            c(139.7, 35.7),
            c(-74.0, 40.7),
            c(72.0, 30.0),
        ] {
            assert_eq!(wgs84_to_gcj02(p), p);
            assert_eq!(gcj02_to_wgs84(p), Some(p));
        }
    }

    #[test]
    fn the_gcj02_offset_in_beijing_is_hundreds_of_metres() {
        let p = c(116.4, 39.9);
        let g = wgs84_to_gcj02(p);
        let metres = ((g.x - p.x) * 85_300.0).hypot((g.y - p.y) * 111_000.0);
        assert!((100.0..=700.0).contains(&metres), "offset {metres} m");
    }

    #[test]
    fn the_iterative_inverse_beats_the_one_step_inverse() {
        // The one-step inverse (subtract the offset computed at the GCJ-02 position)
        // is known to be off by metres; the iteration must be within a millimetre.
        let p = c(121.47, 31.23);
        let g = wgs84_to_gcj02(p);
        let back = gcj02_to_wgs84(g).expect("converges");
        assert!(
            (back.x - p.x).abs() < 1e-8 && (back.y - p.y).abs() < 1e-8,
            "{back:?}"
        );
    }
}
