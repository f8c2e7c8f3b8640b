//! Writing overlay geometry as RFC 7946 JSON, in WGS84 or GCJ-02.
//!
//! Positions are rounded to 1e-8° (about 1 mm), like the analysis document. GCJ-02 is the
//! offset system Chinese web basemaps use; [`geodata::crs::InputCrs::from_wgs84`] does
//! the conversion. A position that cannot be converted (never the case inside China's
//! bounds, where the offset applies) is written unchanged rather than dropped, so the
//! geometry stays valid.

use geo::{Coord, Geometry, LineString, Polygon};
use geodata::crs::InputCrs;
use serde_json::{Value, json};

/// The coordinate system positions are written in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OutputCrs {
    /// WGS84 longitude/latitude, as RFC 7946 requires.
    #[default]
    Wgs84,
    /// GCJ-02 longitude/latitude, for Chinese basemaps (`?crs=gcj02`).
    Gcj02,
}

impl OutputCrs {
    /// Reads a `?crs=` value; `None` for names other than `wgs84`, `crs84` and `gcj02`.
    #[must_use]
    pub fn parse(name: &str) -> Option<OutputCrs> {
        match name.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "crs84" | "epsg:4326" => Some(OutputCrs::Wgs84),
            "gcj02" => Some(OutputCrs::Gcj02),
            _ => None,
        }
    }

    fn position(self, c: Coord<f64>) -> [f64; 2] {
        let c = match self {
            OutputCrs::Wgs84 => c,
            OutputCrs::Gcj02 => InputCrs::Gcj02.from_wgs84(c).unwrap_or(c),
        };
        [round(c.x), round(c.y)]
    }
}

fn round(x: f64) -> f64 {
    (x * 1e8).round() / 1e8
}

fn line(crs: OutputCrs, l: &LineString<f64>) -> Vec<[f64; 2]> {
    l.coords().map(|&c| crs.position(c)).collect()
}

fn polygon(crs: OutputCrs, p: &Polygon<f64>) -> Vec<Vec<[f64; 2]>> {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(|r| line(crs, r))
        .collect()
}

/// The RFC 7946 geometry object of `g`, positions written in `crs`.
///
/// # Complexity
/// O(n) in the number of positions.
#[must_use]
pub fn geometry_json(g: &Geometry<f64>, crs: OutputCrs) -> Value {
    match g {
        Geometry::Point(p) => json!({ "type": "Point", "coordinates": crs.position(p.0) }),
        Geometry::MultiPoint(m) => json!({
            "type": "MultiPoint",
            "coordinates": m.iter().map(|p| crs.position(p.0)).collect::<Vec<_>>(),
        }),
        Geometry::Line(l) => json!({
            "type": "LineString",
            "coordinates": [crs.position(l.start), crs.position(l.end)],
        }),
        Geometry::LineString(l) => json!({ "type": "LineString", "coordinates": line(crs, l) }),
        Geometry::MultiLineString(m) => json!({
            "type": "MultiLineString",
            "coordinates": m.iter().map(|l| line(crs, l)).collect::<Vec<_>>(),
        }),
        Geometry::Polygon(p) => json!({ "type": "Polygon", "coordinates": polygon(crs, p) }),
        Geometry::MultiPolygon(m) => json!({
            "type": "MultiPolygon",
            "coordinates": m.iter().map(|p| polygon(crs, p)).collect::<Vec<_>>(),
        }),
        Geometry::Rect(r) => geometry_json(&Geometry::Polygon(r.to_polygon()), crs),
        Geometry::Triangle(t) => geometry_json(&Geometry::Polygon(t.to_polygon()), crs),
        Geometry::GeometryCollection(c) => json!({
            "type": "GeometryCollection",
            "geometries": c.iter().map(|g| geometry_json(g, crs)).collect::<Vec<_>>(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use geo::{LineString, polygon};

    use super::*;

    #[test]
    fn polygons_keep_their_rings_and_round_to_a_millimetre() {
        let p =
            polygon![(x: 116.400_000_001, y: 39.9), (x: 116.41, y: 39.9), (x: 116.41, y: 39.91)];
        let json = geometry_json(&Geometry::Polygon(p), OutputCrs::Wgs84);
        assert_eq!(json["type"], "Polygon");
        assert_eq!(json["coordinates"][0][0], json!([116.4, 39.9]));
        assert_eq!(json["coordinates"][0].as_array().map(Vec::len), Some(4));
    }

    #[test]
    fn gcj02_output_is_offset_by_a_few_hundred_metres_in_beijing() {
        let l = Geometry::LineString(LineString::from(vec![(116.4, 39.9), (116.41, 39.9)]));
        let wgs = geometry_json(&l, OutputCrs::Wgs84);
        let gcj = geometry_json(&l, OutputCrs::Gcj02);
        let dx = gcj["coordinates"][0][0].as_f64().expect("lon")
            - wgs["coordinates"][0][0].as_f64().expect("lon");
        let dy = gcj["coordinates"][0][1].as_f64().expect("lat")
            - wgs["coordinates"][0][1].as_f64().expect("lat");
        // The GCJ-02 offset in Beijing is roughly +0.006° lon, +0.001° lat.
        assert!((0.004..0.008).contains(&dx), "{dx}");
        assert!((0.0..0.003).contains(&dy), "{dy}");
    }

    #[test]
    fn crs_names_are_read_case_insensitively() {
        assert_eq!(OutputCrs::parse("GCJ02"), Some(OutputCrs::Gcj02));
        assert_eq!(OutputCrs::parse("wgs84"), Some(OutputCrs::Wgs84));
        assert_eq!(OutputCrs::parse("bd09"), None);
    }
}
