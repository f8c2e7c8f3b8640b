//! Coordinate systems: the plan's local metric frame and the transverse Mercator maths
//! behind it.
//!
//! Every distance in digonce is measured in metres in a [`LocalFrame`]: a transverse
//! Mercator projection on the GRS80/WGS84 ellipsoid whose central meridian and origin sit
//! at the plan's centre. Over a city (tens of kilometres) its scale error stays below
//! 1e-5, far under the precision of planned pipeline geometry.

use std::fmt;
use std::str::FromStr;

use geo::{Coord, Geometry, MapCoords};

pub mod gcj02;
pub mod wkt;

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

/// Radius of the sphere EPSG:3857 projects (the WGS84 semi-major axis), metres.
const WEB_MERCATOR_RADIUS_M: f64 = SEMI_MAJOR_M;
/// Largest |x| or |y| of EPSG:3857: half the equator, pi times the radius (20,037,508.34 m).
pub const WEB_MERCATOR_MAX_M: f64 = std::f64::consts::PI * WEB_MERCATOR_RADIUS_M;
/// Largest latitude EPSG:3857 can represent (its square-world limit), degrees.
pub const WEB_MERCATOR_MAX_LAT: f64 = 85.051_128_779_806_6;
/// How far beyond its nominal edge a Gauss-Krüger zone still accepts positions (degrees
/// of longitude): counties straddling a boundary often stay in one zone.
const GK_ZONE_MARGIN_DEG: f64 = 0.5;
/// Largest plausible Gauss-Krüger northing (the meridian arc to the pole is 10,001,966 m).
const GK_MAX_NORTHING_M: f64 = 10_002_000.0;

/// A CGCS2000 Gauss-Krüger zone, derived from its EPSG code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaussKrugerZone {
    /// The zone number, which is also the millions digit(s) of the false easting.
    pub zone: u32,
    /// Zone width in degrees: 3 or 6.
    pub width_deg: f64,
    /// Central meridian in degrees east.
    pub central_meridian: f64,
}

impl GaussKrugerZone {
    /// The zone behind an EPSG code: 4513–4533 are the 3° zones 25–45 (central meridian
    /// 3 × zone), 4491–4501 the 6° zones 13–23 (central meridian 6 × zone − 3). Other
    /// codes, including the CGCS2000 GK variants without a zone prefix, give `None`.
    #[must_use]
    pub fn from_epsg(epsg: u32) -> Option<Self> {
        match epsg {
            4513..=4533 => {
                let zone = epsg - 4513 + 25;
                Some(Self {
                    zone,
                    width_deg: 3.0,
                    central_meridian: 3.0 * f64::from(zone),
                })
            }
            4491..=4501 => {
                let zone = epsg - 4491 + 13;
                Some(Self {
                    zone,
                    width_deg: 6.0,
                    central_meridian: 6.0 * f64::from(zone) - 3.0,
                })
            }
            _ => None,
        }
    }

    /// False easting in metres: the zone number times a million plus 500 km.
    #[must_use]
    pub fn false_easting(&self) -> f64 {
        f64::from(self.zone) * 1_000_000.0 + 500_000.0
    }

    /// The zone's projection (scale 1 on the central meridian, no false northing).
    #[must_use]
    pub fn projection(&self) -> TransverseMercator {
        TransverseMercator {
            lon0: self.central_meridian,
            lat0: 0.0,
            k0: 1.0,
            false_easting: self.false_easting(),
            false_northing: 0.0,
        }
    }

    /// Half the accepted longitude span around the central meridian, degrees.
    fn half_span_deg(&self) -> f64 {
        self.width_deg / 2.0 + GK_ZONE_MARGIN_DEG
    }

    /// Longitude/latitude to easting/northing; `None` outside the zone (plus margin).
    #[must_use]
    pub fn forward(&self, c: Coord<f64>) -> Option<Coord<f64>> {
        if !geographic_in_range(c)
            || c.y < 0.0
            || (c.x - self.central_meridian).abs() > self.half_span_deg()
        {
            return None;
        }
        let (x, y) = self.projection().forward(c.x, c.y);
        Some(Coord { x, y })
    }

    /// Easting/northing to longitude/latitude; `None` when the easting's zone prefix is
    /// not this zone or the position lies outside the zone's width at its latitude.
    #[must_use]
    pub fn inverse(&self, c: Coord<f64>) -> Option<Coord<f64>> {
        if !(c.x.is_finite() && c.y.is_finite()) {
            return None;
        }
        // The millions of the easting are the zone number.
        let zone_start = f64::from(self.zone) * 1_000_000.0;
        if !(zone_start..zone_start + 1_000_000.0).contains(&c.x)
            || !(0.0..=GK_MAX_NORTHING_M).contains(&c.y)
        {
            return None;
        }
        let projection = self.projection();
        let (lon, lat) = refined_inverse(&projection, c.x, c.y);
        if !(lon.is_finite() && lat.is_finite() && (0.0..=90.0).contains(&lat)) {
            return None;
        }
        // The zone's edge (plus margin) at this latitude, in metres from the false easting.
        let (edge_x, _) = projection.forward(self.central_meridian + self.half_span_deg(), lat);
        let half_width_m = edge_x - self.false_easting();
        if (c.x - self.false_easting()).abs() > half_width_m {
            return None;
        }
        Some(Coord { x: lon, y: lat })
    }
}

/// Inverse transverse Mercator polished by Newton steps on the forward series, so that
/// `forward(inverse(p))` returns `p` to well under a millimetre even at a zone's edge.
fn refined_inverse(tm: &TransverseMercator, easting: f64, northing: f64) -> (f64, f64) {
    let Ellipsoid { a, e2, .. } = ELLIPSOID;
    let (mut lon, mut lat) = tm.inverse(easting, northing);
    for _ in 0..3 {
        let (fx, fy) = tm.forward(lon, lat);
        let (dx, dy) = (easting - fx, northing - fy);
        if dx.abs() < 1e-6 && dy.abs() < 1e-6 {
            break;
        }
        let phi = lat.to_radians();
        let (sin, cos) = phi.sin_cos();
        let denom = 1.0 - e2 * sin * sin;
        // Meridian and prime-vertical radii of curvature turn metres into angles.
        let meridian_radius = a * (1.0 - e2) / denom.powf(1.5);
        let normal_radius = a / denom.sqrt();
        lat += (dy / (meridian_radius * tm.k0)).to_degrees();
        lon += (dx / (normal_radius * cos * tm.k0)).to_degrees();
    }
    (lon, lat)
}

/// Whether `c` is a finite longitude in [-180, 180] and latitude in [-90, 90].
fn geographic_in_range(c: Coord<f64>) -> bool {
    (-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y)
}

fn checked_geographic(c: Coord<f64>) -> Option<Coord<f64>> {
    geographic_in_range(c).then_some(c)
}

/// Inverse spherical Mercator (EPSG:3857 metres to degrees).
fn web_mercator_to_wgs84(c: Coord<f64>) -> Option<Coord<f64>> {
    // A hair of tolerance for values printed as 20037508.34 or 20037508.3428.
    let limit = WEB_MERCATOR_MAX_M + 1e-3;
    if !(c.x.abs() <= limit && c.y.abs() <= limit) {
        return None;
    }
    let lon = (c.x / WEB_MERCATOR_RADIUS_M)
        .to_degrees()
        .clamp(-180.0, 180.0);
    let lat = (c.y / WEB_MERCATOR_RADIUS_M).sinh().atan().to_degrees();
    Some(Coord { x: lon, y: lat })
}

/// Spherical Mercator (degrees to EPSG:3857 metres); `None` beyond its latitude limit.
fn wgs84_to_web_mercator(c: Coord<f64>) -> Option<Coord<f64>> {
    if !geographic_in_range(c) || c.y.abs() > WEB_MERCATOR_MAX_LAT {
        return None;
    }
    Some(Coord {
        x: WEB_MERCATOR_RADIUS_M * c.x.to_radians(),
        y: WEB_MERCATOR_RADIUS_M * c.y.to_radians().tan().asinh(),
    })
}

impl InputCrs {
    /// Converts one input position to WGS84 longitude/latitude degrees.
    ///
    /// Returns `None` when the position is impossible under this system (for example a
    /// latitude beyond 90°, or an easting outside its Gauss-Krüger zone).
    ///
    /// # Complexity
    /// Constant time; GCJ-02 and BD-09 iterate the forward offset a handful of times.
    #[must_use]
    pub fn to_wgs84(self, c: Coord<f64>) -> Option<Coord<f64>> {
        match self {
            InputCrs::Wgs84 | InputCrs::Cgcs2000 => checked_geographic(c),
            InputCrs::WebMercator => web_mercator_to_wgs84(c),
            InputCrs::GaussKruger { epsg } => GaussKrugerZone::from_epsg(epsg)?.inverse(c),
            InputCrs::Gcj02 => {
                gcj02::gcj02_to_wgs84(checked_geographic(c)?).and_then(checked_geographic)
            }
            InputCrs::Bd09 => {
                gcj02::bd09_to_wgs84(checked_geographic(c)?).and_then(checked_geographic)
            }
        }
    }

    /// Converts a WGS84 longitude/latitude position into this system (for exports such as
    /// `?crs=gcj02`).
    ///
    /// Returns `None` when the position cannot be written in this system (beyond Web
    /// Mercator's latitude limit, outside a Gauss-Krüger zone, or not a valid position).
    #[must_use]
    pub fn from_wgs84(self, c: Coord<f64>) -> Option<Coord<f64>> {
        let c = checked_geographic(c)?;
        match self {
            InputCrs::Wgs84 | InputCrs::Cgcs2000 => Some(c),
            InputCrs::WebMercator => wgs84_to_web_mercator(c),
            InputCrs::GaussKruger { epsg } => GaussKrugerZone::from_epsg(epsg)?.forward(c),
            InputCrs::Gcj02 => checked_geographic(gcj02::wgs84_to_gcj02(c)),
            InputCrs::Bd09 => checked_geographic(gcj02::wgs84_to_bd09(c)),
        }
    }

    /// Whether positions in this system are metres (projected) rather than degrees.
    #[must_use]
    pub fn is_projected(self) -> bool {
        matches!(self, InputCrs::WebMercator | InputCrs::GaussKruger { .. })
    }

    /// The canonical lower-case name, as accepted by [`FromStr`] and printed by `Display`.
    #[must_use]
    pub fn name(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for InputCrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputCrs::Wgs84 => f.write_str("wgs84"),
            InputCrs::Cgcs2000 => f.write_str("cgcs2000"),
            InputCrs::WebMercator => f.write_str("epsg:3857"),
            InputCrs::GaussKruger { epsg } => write!(f, "epsg:{epsg}"),
            InputCrs::Gcj02 => f.write_str("gcj02"),
            InputCrs::Bd09 => f.write_str("bd09"),
        }
    }
}

/// Why a coordinate-system name was not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrsParseError {
    /// Not one of the names the service knows.
    #[error(
        "unknown coordinate system \"{name}\"; expected one of wgs84, epsg:4326, crs84, \
         cgcs2000, epsg:4490, epsg:3857, epsg:4491..epsg:4501, epsg:4513..epsg:4533, gcj02, bd09"
    )]
    Unknown {
        /// The name as given.
        name: String,
    },
    /// `epsg:` followed by something that is not a number.
    #[error("\"{name}\" is not an EPSG code: the part after \"epsg:\" must be a number")]
    BadEpsgNumber {
        /// The name as given.
        name: String,
        /// Why the number did not parse.
        #[source]
        source: std::num::ParseIntError,
    },
    /// A well-formed EPSG code the service does not support.
    #[error(
        "EPSG:{code} is not supported; use 4326, 4490, 3857, 4491..4501 (CGCS2000 GK 6° \
         zones 13-23) or 4513..4533 (CGCS2000 GK 3° zones 25-45)"
    )]
    UnsupportedEpsg {
        /// The code as given.
        code: u32,
    },
}

impl FromStr for InputCrs {
    type Err = CrsParseError;

    /// Parses a case-insensitive name: `wgs84|epsg:4326|crs84|cgcs2000|epsg:4490|
    /// epsg:3857|epsg:NNNN` (a supported Gauss-Krüger zone)`|gcj02|bd09`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "wgs84" | "crs84" => return Ok(InputCrs::Wgs84),
            "cgcs2000" => return Ok(InputCrs::Cgcs2000),
            "gcj02" => return Ok(InputCrs::Gcj02),
            "bd09" => return Ok(InputCrs::Bd09),
            _ => {}
        }
        let Some(digits) = lower.strip_prefix("epsg:") else {
            return Err(CrsParseError::Unknown { name: s.to_owned() });
        };
        let code: u32 = digits
            .parse()
            .map_err(|source| CrsParseError::BadEpsgNumber {
                name: s.to_owned(),
                source,
            })?;
        match code {
            4326 => Ok(InputCrs::Wgs84),
            4490 => Ok(InputCrs::Cgcs2000),
            3857 => Ok(InputCrs::WebMercator),
            _ if GaussKrugerZone::from_epsg(code).is_some() => {
                Ok(InputCrs::GaussKruger { epsg: code })
            }
            _ => Err(CrsParseError::UnsupportedEpsg { code }),
        }
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

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    /// Metres between two nearby WGS84 positions (equirectangular; fine below 10 km).
    fn metres_between(p: Coord<f64>, q: Coord<f64>) -> f64 {
        let lat = p.y.to_radians();
        let dx = (p.x - q.x).to_radians() * SEMI_MAJOR_M * lat.cos();
        let dy = (p.y - q.y).to_radians() * SEMI_MAJOR_M;
        dx.hypot(dy)
    }

    /// An independent transverse Mercator: Krüger's series in the third flattening
    /// (the formulation on Wikipedia, "Transverse Mercator: Redfearn series"/Karney 2011),
    /// used only to check the Snyder implementation.
    fn kruger_forward(lon0: f64, fe: f64, lon: f64, lat: f64) -> (f64, f64) {
        let n = FLATTENING / (2.0 - FLATTENING);
        let big_a = SEMI_MAJOR_M / (1.0 + n) * (1.0 + n * n / 4.0 + n.powi(4) / 64.0);
        let alpha = [
            n / 2.0 - 2.0 * n * n / 3.0 + 5.0 * n.powi(3) / 16.0,
            13.0 * n * n / 48.0 - 3.0 * n.powi(3) / 5.0,
            61.0 * n.powi(3) / 240.0,
        ];
        let phi = lat.to_radians();
        let lambda = (lon - lon0).to_radians();
        let k = 2.0 * n.sqrt() / (1.0 + n);
        let t = (phi.sin().atanh() - k * (k * phi.sin()).atanh()).sinh();
        let xi = t.atan2(lambda.cos());
        let eta = (lambda.sin() / (1.0 + t * t).sqrt()).atanh();
        let mut e = eta;
        let mut north = xi;
        for (m, a) in [2.0, 4.0, 6.0].into_iter().zip(alpha) {
            e += a * (m * xi).cos() * (m * eta).sinh();
            north += a * (m * xi).sin() * (m * eta).cosh();
        }
        (fe + big_a * e, big_a * north)
    }

    #[test]
    fn every_documented_name_parses_case_insensitively() {
        let cases = [
            ("wgs84", InputCrs::Wgs84),
            ("WGS84", InputCrs::Wgs84),
            ("EPSG:4326", InputCrs::Wgs84),
            ("crs84", InputCrs::Wgs84),
            ("CGCS2000", InputCrs::Cgcs2000),
            ("epsg:4490", InputCrs::Cgcs2000),
            ("epsg:3857", InputCrs::WebMercator),
            ("Epsg:4513", InputCrs::GaussKruger { epsg: 4513 }),
            ("epsg:4533", InputCrs::GaussKruger { epsg: 4533 }),
            ("epsg:4491", InputCrs::GaussKruger { epsg: 4491 }),
            ("epsg:4501", InputCrs::GaussKruger { epsg: 4501 }),
            ("GCJ02", InputCrs::Gcj02),
            ("bd09", InputCrs::Bd09),
        ];
        for (name, want) in cases {
            assert_eq!(name.parse::<InputCrs>(), Ok(want), "{name}");
        }
    }

    #[test]
    fn display_gives_a_canonical_name_that_parses_back() {
        let all = [
            InputCrs::Wgs84,
            InputCrs::Cgcs2000,
            InputCrs::WebMercator,
            InputCrs::GaussKruger { epsg: 4527 },
            InputCrs::GaussKruger { epsg: 4495 },
            InputCrs::Gcj02,
            InputCrs::Bd09,
        ];
        for crs in all {
            assert_eq!(crs.to_string().parse::<InputCrs>(), Ok(crs));
        }
        assert_eq!(
            InputCrs::GaussKruger { epsg: 4527 }.to_string(),
            "epsg:4527"
        );
        assert_eq!(InputCrs::WebMercator.name(), "epsg:3857");
    }

    #[test]
    fn unknown_names_give_typed_errors() {
        assert!(matches!(
            "mars".parse::<InputCrs>(),
            Err(CrsParseError::Unknown { name }) if name == "mars"
        ));
        assert!(matches!(
            "epsg:4512".parse::<InputCrs>(),
            Err(CrsParseError::UnsupportedEpsg { code: 4512 })
        ));
        assert!(matches!(
            "epsg:4502".parse::<InputCrs>(),
            Err(CrsParseError::UnsupportedEpsg { code: 4502 })
        ));
        assert!(matches!(
            "epsg:abc".parse::<InputCrs>(),
            Err(CrsParseError::BadEpsgNumber { .. })
        ));
    }

    #[test]
    fn geographic_systems_reject_impossible_positions() {
        for crs in [
            InputCrs::Wgs84,
            InputCrs::Cgcs2000,
            InputCrs::Gcj02,
            InputCrs::Bd09,
        ] {
            assert_eq!(crs.to_wgs84(c(0.0, 91.0)), None, "{crs}");
            assert_eq!(crs.to_wgs84(c(181.0, 0.0)), None, "{crs}");
            assert_eq!(crs.to_wgs84(c(f64::NAN, 0.0)), None, "{crs}");
            assert_eq!(crs.to_wgs84(c(0.0, f64::INFINITY)), None, "{crs}");
        }
        assert_eq!(
            InputCrs::Wgs84.to_wgs84(c(-180.0, -90.0)),
            Some(c(-180.0, -90.0))
        );
        assert_eq!(
            InputCrs::Cgcs2000.to_wgs84(c(116.4, 39.9)),
            Some(c(116.4, 39.9))
        );
    }

    #[test]
    fn web_mercator_matches_the_published_extent_and_the_log_tan_formula() {
        let edge = InputCrs::WebMercator
            .from_wgs84(c(180.0, WEB_MERCATOR_MAX_LAT))
            .expect("on the square-world edge");
        assert!((edge.x - 20_037_508.342_789_244).abs() < 1e-6, "{edge:?}");
        assert!((edge.y - 20_037_508.342_789_244).abs() < 1e-3, "{edge:?}");
        // y = R ln tan(pi/4 + phi/2): a different formula from the asinh(tan) used inside.
        let p = c(116.4, 39.9);
        let m = InputCrs::WebMercator.from_wgs84(p).expect("in range");
        let y = SEMI_MAJOR_M
            * (std::f64::consts::FRAC_PI_4 + p.y.to_radians() / 2.0)
                .tan()
                .ln();
        assert!((m.y - y).abs() < 1e-6, "{} vs {y}", m.y);
        let back = InputCrs::WebMercator.to_wgs84(m).expect("in range");
        assert!(metres_between(back, p) < 1e-6);
        assert_eq!(InputCrs::WebMercator.to_wgs84(c(20_037_509.0, 0.0)), None);
        assert_eq!(InputCrs::WebMercator.to_wgs84(c(0.0, -20_037_600.0)), None);
        assert_eq!(InputCrs::WebMercator.from_wgs84(c(0.0, 86.0)), None);
    }

    #[test]
    fn gauss_kruger_zones_follow_the_epsg_numbering() {
        let z25 = GaussKrugerZone::from_epsg(4513).expect("3° zone 25");
        assert_eq!((z25.zone, z25.central_meridian), (25, 75.0));
        let z45 = GaussKrugerZone::from_epsg(4533).expect("3° zone 45");
        assert_eq!((z45.zone, z45.central_meridian), (45, 135.0));
        let z13 = GaussKrugerZone::from_epsg(4491).expect("6° zone 13");
        assert_eq!((z13.zone, z13.central_meridian), (13, 75.0));
        let z23 = GaussKrugerZone::from_epsg(4501).expect("6° zone 23");
        assert_eq!((z23.zone, z23.central_meridian), (23, 135.0));
        assert!((z23.false_easting() - 23_500_000.0).abs() < f64::EPSILON);
        assert_eq!(GaussKrugerZone::from_epsg(4502), None);
    }

    #[test]
    fn gauss_kruger_forward_agrees_with_an_independent_kruger_series() {
        for (epsg, lon, lat) in [
            (4527, 116.4, 39.9),
            (4527, 118.49, 41.0),
            (4527, 115.51, 22.6),
            (4498, 116.9, 45.0),
            (4498, 119.99, 30.0),
            (4491, 72.01, 38.0),
        ] {
            let zone = GaussKrugerZone::from_epsg(epsg).expect("supported");
            let p = zone.forward(c(lon, lat)).expect("inside the zone");
            let (x, y) = kruger_forward(zone.central_meridian, zone.false_easting(), lon, lat);
            assert!(
                (p.x - x).abs() < 1e-3,
                "{epsg} {lon} {lat}: x {} vs {x}",
                p.x
            );
            assert!(
                (p.y - y).abs() < 1e-3,
                "{epsg} {lon} {lat}: y {} vs {y}",
                p.y
            );
        }
    }

    #[test]
    fn gauss_kruger_rejects_wrong_zone_prefix_and_implausible_positions() {
        let crs = InputCrs::GaussKruger { epsg: 4527 };
        let good = crs.from_wgs84(c(116.4, 39.9)).expect("in zone 39");
        assert!(crs.to_wgs84(good).is_some());
        // Same metres but zone 38's prefix.
        assert_eq!(crs.to_wgs84(c(good.x - 1_000_000.0, good.y)), None);
        // Easting without any zone prefix (as in the CM-only EPSG variants).
        assert_eq!(crs.to_wgs84(c(good.x - 39_000_000.0, good.y)), None);
        // 400 km east of the central meridian at 40°N is ~4.7°, far outside a 3° zone.
        assert_eq!(crs.to_wgs84(c(39_900_000.0, good.y)), None);
        assert_eq!(crs.to_wgs84(c(good.x, -10.0)), None);
        assert_eq!(crs.to_wgs84(c(good.x, 12_000_000.0)), None);
        assert_eq!(crs.to_wgs84(c(f64::NAN, good.y)), None);
        // A 6° zone accepts what a 3° zone rejects.
        let wide = InputCrs::GaussKruger { epsg: 4498 };
        let p = wide.from_wgs84(c(119.5, 40.0)).expect("in 6° zone 20");
        assert!(wide.to_wgs84(p).is_some());
        assert_eq!(crs.from_wgs84(c(119.5, 40.0)), None);
        // Unsupported codes convert nothing.
        let bogus = InputCrs::GaussKruger { epsg: 4600 };
        assert_eq!(bogus.to_wgs84(c(39_500_000.0, 4_400_000.0)), None);
    }

    #[test]
    fn gcj02_and_bd09_invert_the_published_pairs() {
        let wgs = c(116.404, 39.915);
        let back = InputCrs::Gcj02
            .to_wgs84(c(116.410_244_499_169_38, 39.916_404_281_501_64))
            .expect("inside China");
        assert!(metres_between(back, wgs) < 0.01, "{back:?}");
        let back = InputCrs::Bd09
            .to_wgs84(c(116.416_627_243_787_33, 39.922_699_552_216_216))
            .expect("inside China");
        assert!(metres_between(back, wgs) < 0.01, "{back:?}");
        let out = InputCrs::Gcj02.from_wgs84(wgs).expect("valid");
        assert!((out.x - 116.410_244_499_169_38).abs() < 1e-12);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn gcj02_round_trips_under_a_metre_over_china(lon in 73.0..135.0f64, lat in 18.0..53.5f64) {
                let p = c(lon, lat);
                let g = InputCrs::Gcj02.from_wgs84(p).expect("valid");
                let back = InputCrs::Gcj02.to_wgs84(g).expect("converges");
                prop_assert!(metres_between(back, p) < 1.0);
                prop_assert!(metres_between(back, p) < 0.01);
            }

            #[test]
            fn bd09_round_trips_under_a_metre_over_china(lon in 73.0..135.0f64, lat in 18.0..53.5f64) {
                let p = c(lon, lat);
                let b = InputCrs::Bd09.from_wgs84(p).expect("valid");
                let back = InputCrs::Bd09.to_wgs84(b).expect("converges");
                prop_assert!(metres_between(back, p) < 0.01);
            }

            #[test]
            fn three_degree_zones_round_trip_under_a_millimetre(
                zone in 25u32..=45, dlon in -1.99..1.99f64, lat in 0.5..55.0f64,
            ) {
                let crs = InputCrs::GaussKruger { epsg: 4513 + zone - 25 };
                let p = c(3.0 * f64::from(zone) + dlon, lat);
                let gk = crs.from_wgs84(p).expect("inside the zone plus margin");
                prop_assert!((f64::from(zone) * 1e6..f64::from(zone + 1) * 1e6).contains(&gk.x));
                let back = crs.to_wgs84(gk).expect("plausible");
                prop_assert!(metres_between(back, p) < 1e-3, "{:?} -> {:?}", p, back);
            }

            #[test]
            fn six_degree_zones_round_trip_under_a_millimetre(
                zone in 13u32..=23, dlon in -3.49..3.49f64, lat in 0.5..55.0f64,
            ) {
                let crs = InputCrs::GaussKruger { epsg: 4491 + zone - 13 };
                let p = c(6.0 * f64::from(zone) - 3.0 + dlon, lat);
                let gk = crs.from_wgs84(p).expect("inside the zone plus margin");
                let back = crs.to_wgs84(gk).expect("plausible");
                prop_assert!(metres_between(back, p) < 1e-3, "{:?} -> {:?}", p, back);
            }
        }
    }
}
