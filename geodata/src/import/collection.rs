//! The plan FeatureCollection an import writes: geometries reprojected to WGS84 and
//! shaped for their kind (a closed line or a point becomes a compound's polygon), the
//! `"plan"` member, and positions rounded as `geodata::export` rounds them.

use geo::{Coord, Geometry, LineString, MapCoords, MultiPolygon, Polygon};
use serde_json::{Map, Value, json};

use super::mapping::target::FeatureKind;
use crate::crs::{InputCrs, LocalFrame};
use crate::export::DEGREE_DECIMALS;

/// A position that has no WGS84 equivalent under the layer's system.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutOfRange {
    /// The position as the source holds it.
    pub position: Coord<f64>,
}

/// Converts a geometry from `crs` to WGS84.
///
/// # Errors
/// [`OutOfRange`] with the first position the system cannot convert.
pub fn to_wgs84(g: &Geometry<f64>, crs: InputCrs) -> Result<Geometry<f64>, OutOfRange> {
    g.try_map_coords(|c| crs.to_wgs84(c).ok_or(OutOfRange { position: c }))
}

/// The first position of a geometry, if any.
pub fn first_position(g: &Geometry<f64>) -> Option<Coord<f64>> {
    use geo::CoordsIter;
    g.coords_iter().next()
}

fn closed(line: &LineString<f64>) -> bool {
    line.0.len() >= 4 && line.0.first() == line.0.last()
}

/// Shapes a WGS84 geometry for a feature kind: for a compound, a closed line becomes a
/// polygon and a point a square of `point_square_m` metres (when the mapping asks for
/// it); everything else is kept as it is (validation judges it).
#[must_use]
pub fn shaped(g: Geometry<f64>, kind: FeatureKind, point_square_m: Option<f64>) -> Geometry<f64> {
    if kind != FeatureKind::Compound {
        return g;
    }
    match g {
        Geometry::LineString(l) if closed(&l) => Geometry::Polygon(Polygon::new(l, Vec::new())),
        Geometry::MultiLineString(m) if !m.0.is_empty() && m.0.iter().all(closed) => {
            Geometry::MultiPolygon(MultiPolygon::new(
                m.0.into_iter()
                    .map(|l| Polygon::new(l, Vec::new()))
                    .collect(),
            ))
        }
        Geometry::Point(p) => match point_square_m {
            Some(side) => {
                let frame = LocalFrame::centred_on(p.0);
                let h = side / 2.0;
                let ring: Vec<Coord<f64>> = [(-h, -h), (h, -h), (h, h), (-h, h), (-h, -h)]
                    .into_iter()
                    .map(|(x, y)| frame.unproject(Coord { x, y }))
                    .collect();
                Geometry::Polygon(Polygon::new(LineString::from(ring), Vec::new()))
            }
            None => Geometry::Point(p),
        },
        other => other,
    }
}

fn round(v: f64) -> f64 {
    let scale = 10f64.powi(i32::try_from(DEGREE_DECIMALS).unwrap_or(7));
    (v * scale).round() / scale
}

fn position(c: Coord<f64>) -> Value {
    json!([round(c.x), round(c.y)])
}

fn line(l: &LineString<f64>) -> Value {
    Value::Array(l.0.iter().map(|c| position(*c)).collect())
}

fn polygon(p: &Polygon<f64>) -> Value {
    Value::Array(
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(line)
            .collect(),
    )
}

/// The RFC 7946 geometry object of a WGS84 geometry, positions rounded to about a
/// centimetre. A collection is written as one (validation rejects it for every kind).
#[must_use]
pub fn geometry_json(g: &Geometry<f64>) -> Value {
    match g {
        Geometry::Point(p) => json!({"type": "Point", "coordinates": position(p.0)}),
        Geometry::MultiPoint(m) => {
            json!({"type": "MultiPoint", "coordinates": m.0.iter().map(|p| position(p.0)).collect::<Vec<_>>()})
        }
        Geometry::Line(l) => {
            json!({"type": "LineString", "coordinates": [position(l.start), position(l.end)]})
        }
        Geometry::LineString(l) => json!({"type": "LineString", "coordinates": line(l)}),
        Geometry::MultiLineString(m) => {
            json!({"type": "MultiLineString", "coordinates": m.0.iter().map(line).collect::<Vec<_>>()})
        }
        Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": polygon(p)}),
        Geometry::MultiPolygon(m) => {
            json!({"type": "MultiPolygon", "coordinates": m.0.iter().map(polygon).collect::<Vec<_>>()})
        }
        Geometry::Rect(r) => geometry_json(&Geometry::Polygon(r.to_polygon())),
        Geometry::Triangle(t) => geometry_json(&Geometry::Polygon(t.to_polygon())),
        Geometry::GeometryCollection(c) => {
            json!({"type": "GeometryCollection", "geometries": c.0.iter().map(geometry_json).collect::<Vec<_>>()})
        }
    }
}

/// One plan feature: `kind` first, then the mapped properties.
#[must_use]
pub fn feature(
    kind: FeatureKind,
    properties: Map<String, Value>,
    geometry: Option<&Geometry<f64>>,
) -> Value {
    let mut props = Map::with_capacity(properties.len() + 1);
    props.insert("kind".into(), json!(kind.as_str()));
    props.extend(properties);
    json!({
        "type": "Feature",
        "properties": Value::Object(props),
        "geometry": geometry.map_or(Value::Null, geometry_json),
    })
}

#[cfg(test)]
mod tests {
    use geo::{Area, Point, line_string};

    use super::*;

    #[test]
    fn compounds_get_polygons_from_closed_lines_and_points() {
        let ring =
            line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)];
        assert!(matches!(
            shaped(
                Geometry::LineString(ring.clone()),
                FeatureKind::Compound,
                None
            ),
            Geometry::Polygon(_)
        ));
        assert!(matches!(
            shaped(Geometry::LineString(ring), FeatureKind::Work, None),
            Geometry::LineString(_)
        ));
        let square = shaped(
            Geometry::Point(Point::new(116.4, 39.9)),
            FeatureKind::Compound,
            Some(100.0),
        );
        let Geometry::Polygon(p) = square else {
            panic!("a point becomes a square");
        };
        let frame = LocalFrame::centred_on(Coord { x: 116.4, y: 39.9 });
        let area = frame
            .project_geometry(&Geometry::Polygon(p))
            .unsigned_area();
        assert!((area - 10_000.0).abs() < 1.0, "{area}");
    }

    #[test]
    fn gauss_kruger_positions_convert_and_impossible_ones_are_named() {
        let crs = InputCrs::GaussKruger { epsg: 4527 };
        let g = Geometry::Point(Point::new(39_500_000.0, 4_419_000.0));
        let wgs = to_wgs84(&g, crs).expect("in zone 39");
        let Geometry::Point(p) = wgs else {
            panic!("a point stays a point");
        };
        assert!(
            (p.x() - 117.0).abs() < 1e-9,
            "on the central meridian: {p:?}"
        );
        let far = Geometry::Point(Point::new(500_000.0, 4_419_000.0));
        assert_eq!(
            to_wgs84(&far, crs),
            Err(OutOfRange {
                position: Coord {
                    x: 500_000.0,
                    y: 4_419_000.0
                }
            })
        );
    }
}
