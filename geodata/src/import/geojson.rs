//! Generic GeoJSON sources (a sewer network from an open-data portal, a layer exported
//! from QGIS): one layer per file, its properties as fields. Unlike a plan upload, the
//! properties may have any names; the mapping says what they mean.
//!
//! RFC 7946 positions are WGS84, but files written before it may name another system in
//! a `crs` member (`urn:ogc:def:crs:EPSG::4527`, `EPSG:3857`); that is read as the
//! layer's declared system. Without one the layer declares nothing, so `--crs` applies.

use geo::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};
use serde_json::Value;

use super::ReadError;
use super::layer::{DeclaredCrs, FieldValue, GeometryProblem, SourceFeature, SourceLayer};
use crate::crs::InputCrs;

fn problem(message: impl Into<String>) -> GeometryProblem {
    GeometryProblem {
        message: message.into(),
    }
}

fn position(v: &Value) -> Result<Coord<f64>, GeometryProblem> {
    match v.as_array().map(Vec::as_slice) {
        Some([x, y, ..]) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => Ok(Coord { x, y }),
            _ => Err(problem("a position holds something that is not a number")),
        },
        _ => Err(problem("a position is not an array of two numbers")),
    }
}

fn array(v: &Value) -> Result<&Vec<Value>, GeometryProblem> {
    v.as_array()
        .ok_or_else(|| problem("coordinates are not an array"))
}

fn line(v: &Value) -> Result<LineString<f64>, GeometryProblem> {
    array(v)?
        .iter()
        .map(position)
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::from)
}

fn polygon(v: &Value) -> Result<Polygon<f64>, GeometryProblem> {
    let mut rings = array(v)?.iter().map(line).collect::<Result<Vec<_>, _>>()?;
    if rings.is_empty() {
        return Ok(Polygon::new(LineString::new(Vec::new()), Vec::new()));
    }
    let exterior = rings.remove(0);
    Ok(Polygon::new(exterior, rings))
}

/// A GeoJSON geometry object as a `geo` geometry.
fn geometry(v: &Value, depth: usize) -> Result<Geometry<f64>, GeometryProblem> {
    let kind = v.get("type").and_then(Value::as_str).unwrap_or_default();
    if kind == "GeometryCollection" {
        if depth > 8 {
            return Err(problem("geometry collections nested too deeply"));
        }
        let parts = v
            .get("geometries")
            .and_then(Value::as_array)
            .ok_or_else(|| problem("a GeometryCollection without `geometries`"))?;
        return parts
            .iter()
            .map(|g| geometry(g, depth + 1))
            .collect::<Result<Vec<_>, _>>()
            .map(|g| Geometry::GeometryCollection(GeometryCollection(g)));
    }
    let coordinates = v
        .get("coordinates")
        .ok_or_else(|| problem(format!("a {kind} without `coordinates`")))?;
    Ok(match kind {
        "Point" => Geometry::Point(Point(position(coordinates)?)),
        "MultiPoint" => Geometry::MultiPoint(MultiPoint::new(
            array(coordinates)?
                .iter()
                .map(|p| position(p).map(Point))
                .collect::<Result<_, _>>()?,
        )),
        "LineString" => Geometry::LineString(line(coordinates)?),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString::new(
            array(coordinates)?
                .iter()
                .map(line)
                .collect::<Result<_, _>>()?,
        )),
        "Polygon" => Geometry::Polygon(polygon(coordinates)?),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon::new(
            array(coordinates)?
                .iter()
                .map(polygon)
                .collect::<Result<_, _>>()?,
        )),
        other => return Err(problem(format!("{other:?} is not a GeoJSON geometry type"))),
    })
}

/// The system a legacy `crs` member names.
fn declared(collection: &Value) -> DeclaredCrs {
    let Some(name) = collection
        .pointer("/crs/properties/name")
        .and_then(Value::as_str)
    else {
        return DeclaredCrs::Undeclared;
    };
    let code = name
        .rsplit([':', '/'])
        .find(|part| !part.is_empty())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    if lower.contains("crs84") {
        return DeclaredCrs::Known(InputCrs::Wgs84);
    }
    match format!("epsg:{code}").parse::<InputCrs>() {
        Ok(crs) => DeclaredCrs::Known(crs),
        Err(e) => DeclaredCrs::Unrecognised(format!("{name}: {e}")),
    }
}

fn field_value(v: &Value) -> Option<FieldValue> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(FieldValue::Bool(*b)),
        Value::Number(n) => n
            .as_i64()
            .map(FieldValue::Integer)
            .or_else(|| n.as_f64().map(FieldValue::Real)),
        Value::String(s) => Some(FieldValue::Text(s.clone())),
        other => Some(FieldValue::Text(other.to_string())),
    }
}

/// Reads a GeoJSON FeatureCollection (or one Feature) into a layer called `name`.
///
/// # Errors
/// [`ReadError::Json`] when the file is not JSON; [`ReadError::Format`] when it is not
/// a FeatureCollection or a Feature.
pub fn read(name: &str, bytes: &[u8]) -> Result<SourceLayer, ReadError> {
    let document: Value = serde_json::from_slice(bytes)?;
    let features: Vec<&Value> = match document.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => document
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| ReadError::Format("a FeatureCollection without `features`".into()))?
            .iter()
            .collect(),
        Some("Feature") => vec![&document],
        _ => {
            return Err(ReadError::Format(
                "the file is JSON but not a GeoJSON FeatureCollection or Feature".into(),
            ));
        }
    };
    let mut fields: Vec<String> = Vec::new();
    for f in &features {
        if let Some(props) = f.get("properties").and_then(Value::as_object) {
            for key in props.keys() {
                if !fields.contains(key) {
                    fields.push(key.clone());
                }
            }
        }
    }
    let mut layer = SourceLayer::new(name, fields, declared(&document));
    for (i, f) in features.iter().enumerate() {
        let props = f.get("properties").and_then(Value::as_object);
        let values = layer
            .fields
            .iter()
            .map(|k| props.and_then(|p| p.get(k)).and_then(field_value))
            .collect();
        let (geometry, geometry_problem) = match f.get("geometry") {
            None | Some(Value::Null) => (None, None),
            Some(g) => match geometry(g, 0) {
                Ok(g) => (Some(g), None),
                Err(p) => (None, Some(p)),
            },
        };
        layer.features.push(SourceFeature {
            number: i + 1,
            values,
            geometry,
            geometry_problem,
        });
    }
    Ok(layer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_become_fields_and_a_legacy_crs_is_declared() {
        let text = br#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4527"}},
          "features":[{"type":"Feature","properties":{"GXLX":"JS","GJ":300},"geometry":{"type":"LineString","coordinates":[[39500000,4419000],[39500100,4419000]]}},
                      {"type":"Feature","properties":{"GXLX":"RQ","note":null},"geometry":null}]}"#;
        let layer = read("pipes", text).expect("reads");
        // serde_json keeps object members sorted by name.
        assert_eq!(layer.fields, ["GJ", "GXLX", "note"]);
        assert_eq!(
            layer.crs,
            DeclaredCrs::Known(InputCrs::GaussKruger { epsg: 4527 })
        );
        assert_eq!(layer.features[0].values[0], Some(FieldValue::Integer(300)));
        assert!(layer.features[1].geometry.is_none());
        assert!(read("x", b"[1,2]").is_err());
    }
}
