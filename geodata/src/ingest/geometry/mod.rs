//! GeoJSON geometries: parsed, converted to WGS84, checked and rewound.
//!
//! Besides the GeoJSON rules (closed rings, no crossings...), a geometry must be big
//! enough to survive the projection into the plan's local metres, where every distance is
//! measured: a line must span at least [`MIN_LINE_LENGTH_M`] and a ring enclose at least
//! [`MIN_RING_AREA_M2`]. Positions a hair apart (1e-14 degrees is a few nanometres) are
//! distinct in degrees but may round to one point in metres; these minimums are many
//! orders of magnitude above that rounding and far below any real pipe or compound.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::{
    Coord, CoordinatePosition, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Orient, Point, Polygon, coordinate_position::CoordPos, orient::Direction,
};
use serde_json::Value;

use super::pointer::{Sink, join, join_index};
use super::reader::json_type;
use super::rings::first_crossing;
use crate::crs::{InputCrs, SEMI_MAJOR_M};
use crate::validation::IssueCode;

/// The shortest line a plan may hold, in metres (1 mm).
pub(crate) const MIN_LINE_LENGTH_M: f64 = 1e-3;
/// The smallest area a polygon ring may enclose, in square metres (a 10 cm square).
pub(crate) const MIN_RING_AREA_M2: f64 = 1e-2;
/// Metres per degree of a great circle on the WGS84 equatorial radius.
const METRES_PER_DEGREE: f64 = SEMI_MAJOR_M * std::f64::consts::PI / 180.0;

/// `c` in metres from `origin` on the sinusoidal (equal-area) projection centred on
/// `origin`'s meridian: near enough to the plan's frame for size thresholds, exact in
/// area, and defined without knowing the plan's centre yet.
fn sinusoidal_metres(origin: Coord<f64>, c: Coord<f64>) -> Coord<f64> {
    Coord {
        x: (c.x - origin.x) * METRES_PER_DEGREE * c.y.to_radians().cos(),
        y: (c.y - origin.y) * METRES_PER_DEGREE,
    }
}

/// The length of a line in metres, approximately (see [`sinusoidal_metres`]).
fn approximate_length_m(coords: &[Coord<f64>]) -> f64 {
    let Some(&origin) = coords.first() else {
        return 0.0;
    };
    coords
        .windows(2)
        .map(|pair| {
            let (a, b) = (
                sinusoidal_metres(origin, pair[0]),
                sinusoidal_metres(origin, pair[1]),
            );
            (b.x - a.x).hypot(b.y - a.y)
        })
        .sum()
}

/// The area a closed ring encloses in square metres (see [`sinusoidal_metres`]).
fn approximate_area_m2(ring: &LineString<f64>) -> f64 {
    let Some(&origin) = ring.0.first() else {
        return 0.0;
    };
    let twice: f64 = ring
        .0
        .windows(2)
        .map(|pair| {
            let (a, b) = (
                sinusoidal_metres(origin, pair[0]),
                sinusoidal_metres(origin, pair[1]),
            );
            a.x * b.y - b.x * a.y
        })
        .sum();
    twice.abs() / 2.0
}

/// The GeoJSON geometry types a plan may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GeometryType {
    /// `Point`.
    Point,
    /// `MultiPoint`.
    MultiPoint,
    /// `LineString`.
    LineString,
    /// `MultiLineString`.
    MultiLineString,
    /// `Polygon`.
    Polygon,
    /// `MultiPolygon`.
    MultiPolygon,
}

impl GeometryType {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "Point" => Self::Point,
            "MultiPoint" => Self::MultiPoint,
            "LineString" => Self::LineString,
            "MultiLineString" => Self::MultiLineString,
            "Polygon" => Self::Polygon,
            "MultiPolygon" => Self::MultiPolygon,
            _ => return None,
        })
    }

    /// The GeoJSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Point => "Point",
            Self::MultiPoint => "MultiPoint",
            Self::LineString => "LineString",
            Self::MultiLineString => "MultiLineString",
            Self::Polygon => "Polygon",
            Self::MultiPolygon => "MultiPolygon",
        }
    }

    /// The declared type of a geometry value, if it is one of ours.
    pub fn of(value: Option<&Value>) -> Option<Self> {
        value?.get("type")?.as_str().and_then(Self::parse)
    }

    /// Whether this is a line type.
    pub fn is_line(self) -> bool {
        matches!(self, Self::LineString | Self::MultiLineString)
    }
}

/// The bounding box of every valid position read so far, in WGS84 degrees.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Bounds {
    extent: Option<(Coord<f64>, Coord<f64>)>,
}

impl Bounds {
    fn add(&mut self, c: Coord<f64>) {
        self.extent = Some(match self.extent {
            None => (c, c),
            Some((lo, hi)) => (
                Coord {
                    x: lo.x.min(c.x),
                    y: lo.y.min(c.y),
                },
                Coord {
                    x: hi.x.max(c.x),
                    y: hi.y.max(c.y),
                },
            ),
        });
    }

    /// The centre of the box, or `None` before any position.
    pub fn center(&self) -> Option<Coord<f64>> {
        self.extent.map(|(lo, hi)| Coord {
            x: f64::midpoint(lo.x, hi.x),
            y: f64::midpoint(lo.y, hi.y),
        })
    }
}

/// Reads one feature's geometry, recording every problem in it.
pub(super) struct GeometryReader<'a> {
    /// The system positions are written in.
    pub crs: InputCrs,
    /// Where problems go.
    pub sink: &'a mut Sink,
    /// Grows with every valid position.
    pub bounds: &'a mut Bounds,
}

impl GeometryReader<'_> {
    /// Reads the geometry at `pointer`, which must be one of `allowed` for a `what`
    /// (e.g. "a compound"). Returns it in WGS84 with RFC 7946 winding, or `None`.
    pub fn read(
        &mut self,
        value: Option<&Value>,
        pointer: &str,
        allowed: &[GeometryType],
        what: &str,
    ) -> Option<Geometry<f64>> {
        let expected = allowed
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(" or ");
        let Some(value) = value.filter(|v| !v.is_null()) else {
            self.sink.push(
                IssueCode::EmptyGeometry,
                pointer,
                format!("The feature has no geometry; {what} needs a {expected}."),
            );
            return None;
        };
        let Value::Object(map) = value else {
            self.wrong_type(pointer, "a GeoJSON geometry object", value);
            return None;
        };
        let type_pointer = join(pointer, "type");
        let name = match map.get("type") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => {
                self.wrong_type(&type_pointer, "a geometry type name", other);
                return None;
            }
            None => {
                self.sink.push(
                    IssueCode::MissingProperty,
                    type_pointer,
                    "The geometry has no `type`.",
                );
                return None;
            }
        };
        let Some(kind) = GeometryType::parse(name).filter(|k| allowed.contains(k)) else {
            self.sink.push(
                IssueCode::WrongGeometryType,
                type_pointer,
                format!("The geometry is a {name} but {what} needs a {expected}."),
            );
            return None;
        };
        let coords_pointer = join(pointer, "coordinates");
        let Some(coords) = map.get("coordinates") else {
            self.sink.push(
                IssueCode::MissingProperty,
                coords_pointer,
                "The geometry has no `coordinates`.",
            );
            return None;
        };
        let p = coords_pointer.as_str();
        match kind {
            GeometryType::Point => self.position(coords, p).map(|c| Point(c).into()),
            GeometryType::MultiPoint => self
                .non_empty(coords, p)
                .and_then(|items| self.each(items, p, Self::position))
                .map(|cs| MultiPoint(cs.into_iter().map(Point).collect()).into()),
            GeometryType::LineString => self.line(coords, p).map(Into::into),
            GeometryType::MultiLineString => self
                .non_empty(coords, p)
                .and_then(|items| self.each(items, p, Self::line))
                .map(|ls| MultiLineString(ls).into()),
            GeometryType::Polygon => self.polygon(coords, p).map(Into::into),
            GeometryType::MultiPolygon => self
                .non_empty(coords, p)
                .and_then(|items| self.each(items, p, Self::polygon))
                .map(|ps| MultiPolygon(ps).into()),
        }
    }

    fn wrong_type(&mut self, pointer: &str, what: &str, value: &Value) {
        self.sink.push(
            IssueCode::WrongType,
            pointer,
            format!("Expected {what} here, not {}.", json_type(value)),
        );
    }

    /// The items of a coordinates array, recording `empty_geometry` for `[]`.
    fn non_empty<'v>(&mut self, value: &'v Value, pointer: &str) -> Option<&'v [Value]> {
        let Value::Array(items) = value else {
            self.wrong_type(pointer, "an array of coordinates", value);
            return None;
        };
        if items.is_empty() {
            self.sink.push(
                IssueCode::EmptyGeometry,
                pointer,
                "The coordinates array is empty.",
            );
            return None;
        }
        Some(items)
    }

    /// Reads every item with `read`, reporting all of them; `None` if any failed.
    fn each<T>(
        &mut self,
        items: &[Value],
        pointer: &str,
        mut read: impl FnMut(&mut Self, &Value, &str) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match read(self, item, &join_index(pointer, i)) {
                Some(v) if ok => out.push(v),
                Some(_) => {}
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// Reads one position and converts it to WGS84.
    fn position(&mut self, value: &Value, pointer: &str) -> Option<Coord<f64>> {
        let Value::Array(items) = value else {
            self.wrong_type(pointer, "a position [x, y]", value);
            return None;
        };
        if items.len() < 2 {
            self.sink.push(
                IssueCode::WrongType,
                pointer,
                format!(
                    "A position needs two numbers [x, y] but has {}.",
                    items.len()
                ),
            );
            return None;
        }
        let mut xy = [0.0; 2];
        for (i, slot) in xy.iter_mut().enumerate() {
            if let Some(v) = items[i].as_f64() {
                *slot = v;
            } else {
                self.wrong_type(&join_index(pointer, i), "a number", &items[i]);
                return None;
            }
        }
        let input = Coord { x: xy[0], y: xy[1] };
        if !input.x.is_finite() || !input.y.is_finite() {
            self.sink.push(
                IssueCode::NonFiniteCoordinate,
                pointer,
                "The position is not a finite number pair.",
            );
            return None;
        }
        let converted = match self.crs {
            InputCrs::Wgs84 => Some(input)
                .filter(|c| (-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y)),
            other => other
                .to_wgs84(input)
                .filter(|c| c.x.is_finite() && c.y.is_finite()),
        };
        let Some(c) = converted else {
            let hint = if self.crs == InputCrs::Wgs84 {
                " WGS84 needs longitude -180..180 then latitude -90..90; if the file is in \
                 another coordinate system, name it (--crs)."
            } else {
                ""
            };
            self.sink.push(
                IssueCode::CoordinateOutOfRange,
                pointer,
                format!(
                    "The position [{}, {}] is outside the valid range of {:?}.{hint}",
                    input.x, input.y, self.crs
                ),
            );
            return None;
        };
        self.bounds.add(c);
        Some(c)
    }

    /// Reads an array of positions (all reported; `None` if any failed).
    fn positions(&mut self, value: &Value, pointer: &str) -> Option<Vec<Coord<f64>>> {
        let Value::Array(items) = value else {
            self.wrong_type(pointer, "an array of positions", value);
            return None;
        };
        self.each(items, pointer, Self::position)
    }

    /// Reads a line string: at least two distinct positions.
    fn line(&mut self, value: &Value, pointer: &str) -> Option<LineString<f64>> {
        let coords = self.positions(value, pointer)?;
        if coords.is_empty() {
            self.sink.push(
                IssueCode::EmptyGeometry,
                pointer,
                "The line has no positions.",
            );
            return None;
        }
        if coords.iter().all(|c| *c == coords[0]) {
            self.sink.push(
                IssueCode::ZeroLengthLine,
                pointer,
                format!(
                    "The line has zero length: its {} position(s) are all the same point.",
                    coords.len()
                ),
            );
            return None;
        }
        let length = approximate_length_m(&coords);
        if length < MIN_LINE_LENGTH_M {
            self.sink.push(
                IssueCode::ZeroLengthLine,
                pointer,
                format!("The line is about {length:.1e} m long; a line must span at least 1 mm."),
            );
            return None;
        }
        Some(LineString(coords))
    }

    /// Reads one ring: closed, at least three distinct corners not on one line.
    /// Consecutive repeated positions are dropped. Whether it encloses enough area is
    /// decided by [`Self::polygon`] once it is known not to cross itself.
    fn ring(&mut self, value: &Value, pointer: &str) -> Option<LineString<f64>> {
        let mut coords = self.positions(value, pointer)?;
        let (Some(&first), Some(&last)) = (coords.first(), coords.last()) else {
            self.sink.push(
                IssueCode::DegenerateRing,
                pointer,
                "The ring has no positions.",
            );
            return None;
        };
        if first != last {
            self.sink.push(
                IssueCode::UnclosedRing,
                pointer,
                "The ring is not closed: its last position must repeat its first.",
            );
            return None;
        }
        coords.dedup();
        // Closed and deduplicated: the corners are every position but the closing one
        // (a ring of one repeated point leaves a single corner).
        let corners = &coords[..coords.len().saturating_sub(1).max(1)];
        // Collinear corners enclose nothing (a bow tie has zero signed area but is a
        // self-intersection, found later, so the test is on the corners, not the area).
        let collinear = corners.iter().find(|&&c| c != first).is_none_or(|&second| {
            corners
                .iter()
                .all(|&c| RobustKernel::orient2d(first, second, c) == Orientation::Collinear)
        });
        if corners.len() < 3 || collinear {
            self.sink.push(
                IssueCode::DegenerateRing,
                pointer,
                "The ring encloses no area: it needs at least three distinct corners not on one line.",
            );
            return None;
        }
        Some(LineString(coords))
    }

    /// Reads a polygon: valid rings that do not cross, holes inside the exterior; then
    /// rewinds it to RFC 7946 (exterior counter-clockwise, holes clockwise).
    fn polygon(&mut self, value: &Value, pointer: &str) -> Option<Polygon<f64>> {
        let items = self.non_empty(value, pointer)?;
        let rings = self.each(items, pointer, Self::ring)?;
        if let Some(crossing) = first_crossing(&rings) {
            let describe = |r: usize| {
                if r == 0 {
                    "the exterior ring".to_owned()
                } else {
                    format!("hole {r}")
                }
            };
            let what = if crossing.ring == crossing.other_ring {
                format!("{} crosses itself", describe(crossing.ring))
            } else {
                format!(
                    "{} and {} cross",
                    describe(crossing.ring),
                    describe(crossing.other_ring)
                )
            };
            self.sink.push(
                IssueCode::SelfIntersection,
                join_index(pointer, crossing.ring),
                format!(
                    "The polygon boundary is invalid: {what} near [{}, {}].",
                    crossing.at.x, crossing.at.y
                ),
            );
            return None;
        }
        let mut ok = true;
        for (r, ring) in rings.iter().enumerate() {
            let area = approximate_area_m2(ring);
            if area < MIN_RING_AREA_M2 {
                ok = false;
                self.sink.push(
                    IssueCode::DegenerateRing,
                    join_index(pointer, r),
                    format!(
                        "The ring encloses about {area:.1e} m²; a ring must enclose at least \
                         0.01 m² (a 10 cm square)."
                    ),
                );
            }
        }
        if !ok {
            return None;
        }
        let mut rings = rings.into_iter();
        let exterior = rings.next()?;
        let holes: Vec<LineString<f64>> = rings.collect();
        let shell = Polygon::new(exterior, Vec::new());
        for (i, hole) in holes.iter().enumerate() {
            // Rings do not cross (checked above), so one vertex off the boundary decides.
            let outside = hole
                .coords()
                .map(|c| shell.coordinate_position(c))
                .find(|pos| *pos != CoordPos::OnBoundary)
                .is_some_and(|pos| pos == CoordPos::Outside);
            if outside {
                ok = false;
                self.sink.push(
                    IssueCode::HoleOutsideExterior,
                    join_index(pointer, i + 1),
                    format!("Hole {} lies outside the polygon's exterior ring.", i + 1),
                );
            }
        }
        if !ok {
            return None;
        }
        let (exterior, _) = shell.into_inner();
        Some(Polygon::new(exterior, holes).orient(Direction::Default))
    }
}

#[cfg(test)]
mod tests;
