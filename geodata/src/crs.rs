//! Coordinate systems: the plan's local metric frame and the transverse Mercator maths
//! behind it.
//!
//! Every distance in digonce is measured in metres in a [`LocalFrame`]: a transverse
//! Mercator projection on the GRS80/WGS84 ellipsoid whose central meridian and origin sit
//! at the plan's centre. Over a city (tens of kilometres) its scale error stays below
//! 1e-5, far under the precision of planned pipeline geometry.

use geo::{Coord, Geometry, MapCoords};

/// Semi-major axis of WGS84 and CGCS2000 (metres).
pub const SEMI_MAJOR_M: f64 = 6_378_137.0;
/// Flattening of WGS84 (CGCS2000's 1/298.257222101 differs by under 0.1 mm at city scale).
pub const FLATTENING: f64 = 1.0 / 298.257_223_563;

/// A transverse Mercator projection on the WGS84 ellipsoid (Snyder 1987, §8).
///
/// Accurate to millimetres within a few degrees of the central meridian, which covers
/// both a local plan frame and the 3° and 6° Gauss-Krüger zones.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransverseMercator {
    /// Central meridian in degrees.
    pub lon0: f64,
    /// Latitude of origin in degrees.
    pub lat0: f64,
    /// Scale factor on the central meridian.
    pub k0: f64,
    /// False easting in metres.
    pub false_easting: f64,
    /// False northing in metres.
    pub false_northing: f64,
}

struct Ellipsoid {
    a: f64,
    e2: f64,
    ep2: f64,
}

const ELLIPSOID: Ellipsoid = {
    let f = FLATTENING;
    let e2 = f * (2.0 - f);
    Ellipsoid {
        a: SEMI_MAJOR_M,
        e2,
        ep2: e2 / (1.0 - e2),
    }
};

/// Meridian arc length from the equator to latitude `phi` (radians).
fn meridian_arc(phi: f64) -> f64 {
    let Ellipsoid { a, e2, .. } = ELLIPSOID;
    let e4 = e2 * e2;
    let e6 = e4 * e2;
    a * ((1.0 - e2 / 4.0 - 3.0 * e4 / 64.0 - 5.0 * e6 / 256.0) * phi
        - (3.0 * e2 / 8.0 + 3.0 * e4 / 32.0 + 45.0 * e6 / 1024.0) * (2.0 * phi).sin()
        + (15.0 * e4 / 256.0 + 45.0 * e6 / 1024.0) * (4.0 * phi).sin()
        - (35.0 * e6 / 3072.0) * (6.0 * phi).sin())
}

impl TransverseMercator {
    /// Projects longitude/latitude in degrees to easting/northing in metres.
    #[must_use]
    #[expect(
        clippy::many_single_char_names,
        reason = "the names follow Snyder's formulas so the code can be checked against them"
    )]
    pub fn forward(&self, lon: f64, lat: f64) -> (f64, f64) {
        let Ellipsoid { e2, ep2, .. } = ELLIPSOID;
        let phi = lat.to_radians();
        let (sin, cos) = phi.sin_cos();
        let n = ELLIPSOID.a / (1.0 - e2 * sin * sin).sqrt();
        let t = (sin / cos).powi(2);
        let c = ep2 * cos * cos;
        let a = (lon - self.lon0).to_radians() * cos;
        let m = meridian_arc(phi);
        let m0 = meridian_arc(self.lat0.to_radians());
        let x = self.k0
            * n
            * (a + (1.0 - t + c) * a.powi(3) / 6.0
                + (5.0 - 18.0 * t + t * t + 72.0 * c - 58.0 * ep2) * a.powi(5) / 120.0);
        let y = self.k0
            * (m - m0
                + n * (sin / cos)
                    * (a * a / 2.0
                        + (5.0 - t + 9.0 * c + 4.0 * c * c) * a.powi(4) / 24.0
                        + (61.0 - 58.0 * t + t * t + 600.0 * c - 330.0 * ep2) * a.powi(6) / 720.0));
        (x + self.false_easting, y + self.false_northing)
    }

    /// Inverts [`forward`](Self::forward): easting/northing in metres to degrees.
    #[must_use]
    #[expect(
        clippy::many_single_char_names,
        reason = "the names follow Snyder's formulas so the code can be checked against them"
    )]
    pub fn inverse(&self, x: f64, y: f64) -> (f64, f64) {
        let Ellipsoid { a, e2, ep2 } = ELLIPSOID;
        let x = x - self.false_easting;
        let y = y - self.false_northing;
        let m = meridian_arc(self.lat0.to_radians()) + y / self.k0;
        let e4 = e2 * e2;
        let e6 = e4 * e2;
        let mu = m / (a * (1.0 - e2 / 4.0 - 3.0 * e4 / 64.0 - 5.0 * e6 / 256.0));
        let e1 = (1.0 - (1.0 - e2).sqrt()) / (1.0 + (1.0 - e2).sqrt());
        let phi1 = mu
            + (3.0 * e1 / 2.0 - 27.0 * e1.powi(3) / 32.0) * (2.0 * mu).sin()
            + (21.0 * e1 * e1 / 16.0 - 55.0 * e1.powi(4) / 32.0) * (4.0 * mu).sin()
            + (151.0 * e1.powi(3) / 96.0) * (6.0 * mu).sin()
            + (1097.0 * e1.powi(4) / 512.0) * (8.0 * mu).sin();
        let (sin1, cos1) = phi1.sin_cos();
        let tan1 = sin1 / cos1;
        let c1 = ep2 * cos1 * cos1;
        let t1 = tan1 * tan1;
        let w = 1.0 - e2 * sin1 * sin1;
        let n1 = a / w.sqrt();
        let r1 = a * (1.0 - e2) / w.powf(1.5);
        let d = x / (n1 * self.k0);
        let phi = phi1
            - (n1 * tan1 / r1)
                * (d * d / 2.0
                    - (5.0 + 3.0 * t1 + 10.0 * c1 - 4.0 * c1 * c1 - 9.0 * ep2) * d.powi(4) / 24.0
                    + (61.0 + 90.0 * t1 + 298.0 * c1 + 45.0 * t1 * t1
                        - 252.0 * ep2
                        - 3.0 * c1 * c1)
                        * d.powi(6)
                        / 720.0);
        let lambda = (d - (1.0 + 2.0 * t1 + c1) * d.powi(3) / 6.0
            + (5.0 - 2.0 * c1 + 28.0 * t1 - 3.0 * c1 * c1 + 8.0 * ep2 + 24.0 * t1 * t1)
                * d.powi(5)
                / 120.0)
            / cos1;
        (self.lon0 + lambda.to_degrees(), phi.to_degrees())
    }
}

/// The plan's local metric frame: transverse Mercator centred on the plan.
///
/// Origin (0, 0) is the centre given at construction, x grows east and y north, in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalFrame {
    projection: TransverseMercator,
}

impl LocalFrame {
    /// A frame centred on `center` (longitude, latitude in degrees).
    #[must_use]
    pub fn centred_on(center: Coord<f64>) -> Self {
        Self {
            projection: TransverseMercator {
                lon0: center.x,
                lat0: center.y,
                k0: 1.0,
                false_easting: 0.0,
                false_northing: 0.0,
            },
        }
    }

    /// The centre of the frame in longitude/latitude degrees.
    #[must_use]
    pub fn center(&self) -> Coord<f64> {
        Coord {
            x: self.projection.lon0,
            y: self.projection.lat0,
        }
    }

    /// Longitude/latitude (degrees) to local metres.
    #[must_use]
    pub fn project(&self, c: Coord<f64>) -> Coord<f64> {
        let (x, y) = self.projection.forward(c.x, c.y);
        Coord { x, y }
    }

    /// Local metres to longitude/latitude (degrees).
    #[must_use]
    pub fn unproject(&self, c: Coord<f64>) -> Coord<f64> {
        let (x, y) = self.projection.inverse(c.x, c.y);
        Coord { x, y }
    }

    /// Projects a whole WGS84 geometry into local metres.
    #[must_use]
    pub fn project_geometry(&self, g: &Geometry<f64>) -> Geometry<f64> {
        g.map_coords(|c| self.project(c))
    }

    /// Turns a local geometry back into WGS84.
    #[must_use]
    pub fn unproject_geometry(&self, g: &Geometry<f64>) -> Geometry<f64> {
        g.map_coords(|c| self.unproject(c))
    }
}

/// The coordinate system an upload is written in. Never guessed: named by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputCrs {
    /// RFC 7946 longitude/latitude (EPSG:4326, CRS84). The default.
    #[default]
    Wgs84,
    /// CGCS2000 geographic (EPSG:4490); equal to WGS84 at planning accuracy.
    Cgcs2000,
    /// Web Mercator metres (EPSG:3857).
    WebMercator,
    /// A CGCS2000 Gauss-Krüger zone with the zone number in the false easting.
    GaussKruger {
        /// The EPSG code (4491–4501 for 6° zones, 4513–4533 for 3° zones).
        epsg: u32,
    },
    /// GCJ-02, the obfuscated system of Chinese web maps.
    Gcj02,
    /// BD-09, Baidu's system on top of GCJ-02.
    Bd09,
}

impl InputCrs {
    /// Converts one input position to WGS84 longitude/latitude degrees.
    ///
    /// Returns `None` when the position is impossible under this system (for example a
    /// latitude beyond 90°, or an easting outside its Gauss-Krüger zone).
    #[must_use]
    pub fn to_wgs84(self, c: Coord<f64>) -> Option<Coord<f64>> {
        let _ = c;
        todo!("issue 2 helper: implement every named system")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_frame_round_trips_to_a_millimetre_across_a_city() {
        let frame = LocalFrame::centred_on(Coord { x: 116.4, y: 39.9 });
        for (dx, dy) in [(0.0, 0.0), (0.2, 0.1), (-0.25, -0.2), (0.3, -0.3)] {
            let p = Coord {
                x: 116.4 + dx,
                y: 39.9 + dy,
            };
            let back = frame.unproject(frame.project(p));
            assert!((back.x - p.x).abs() < 1e-8, "lon {p:?} -> {back:?}");
            assert!((back.y - p.y).abs() < 1e-8, "lat {p:?} -> {back:?}");
        }
    }

    #[test]
    fn one_arc_minute_of_latitude_is_about_1850_metres_at_forty_degrees() {
        let frame = LocalFrame::centred_on(Coord { x: 116.4, y: 40.0 });
        let a = frame.project(Coord { x: 116.4, y: 40.0 });
        let b = frame.project(Coord {
            x: 116.4,
            y: 40.0 + 1.0 / 60.0,
        });
        let d = b.y - a.y;
        // Meridian radius of curvature at 40°N gives 1849.7 m per arc minute.
        assert!((d - 1849.7).abs() < 1.0, "got {d}");
    }

    #[test]
    fn gauss_kruger_zone_39_matches_a_known_point() {
        // CGCS2000 3-degree GK zone 39 (EPSG:4527): central meridian 117°E,
        // false easting 39,500,000 m. The central meridian maps to the false easting.
        let gk = TransverseMercator {
            lon0: 117.0,
            lat0: 0.0,
            k0: 1.0,
            false_easting: 39_500_000.0,
            false_northing: 0.0,
        };
        let (x, y) = gk.forward(117.0, 40.0);
        assert!((x - 39_500_000.0).abs() < 1e-6);
        // Meridian arc to 40°N on WGS84 by numerical integration of the meridian radius: 4,429,529.03 m.
        assert!((y - 4_429_529.03).abs() < 0.01, "got {y}");
    }
}
