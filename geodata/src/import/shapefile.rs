//! Shapefiles: the `.shp` geometry with its `.dbf` attributes, `.prj` coordinate system
//! and `.cpg` code page, read with the `shapefile` crate (and its `dbase`).
//!
//! The text encoding of the attribute table is, in order: the `.cpg` file's code page,
//! the DBF header's language driver byte when it names a Chinese code page, and the
//! mapping's `encoding` (GBK in `cn-survey`). Field names are decoded the same way, so
//! `管线类型` written by a Chinese ArcGIS reads as `管线类型`. Z and M values are dropped.

use std::borrow::Cow;
use std::io::Cursor;

use ::shapefile::dbase;
use ::shapefile::{PolygonRing, Shape};
use encoding_rs::Encoding;
use geo::{
    Contains, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point,
    Polygon,
};

use super::ReadError;
use super::layer::{DeclaredCrs, FieldValue, GeometryProblem, SourceFeature, SourceLayer};

/// The files of one Shapefile, by extension.
#[derive(Debug, Clone, Copy)]
pub struct ShapefileParts<'a> {
    /// `.shp`: the geometries.
    pub shp: &'a [u8],
    /// `.dbf`: the attribute table, if present.
    pub dbf: Option<&'a [u8]>,
    /// `.prj`: the coordinate system's WKT, if present.
    pub prj: Option<&'a [u8]>,
    /// `.cpg`: the attribute table's code page, if present.
    pub cpg: Option<&'a [u8]>,
}

/// The encoding a `.cpg` file names (`UTF-8`, `GBK`, `936`, `CP936`, `65001` ...).
fn cpg_encoding(cpg: &[u8]) -> Option<&'static Encoding> {
    let label = String::from_utf8_lossy(cpg);
    let label = label.trim().trim_start_matches('\u{feff}');
    match label.to_ascii_lowercase().as_str() {
        "936" | "cp936" | "ansi 936" => Some(encoding_rs::GBK),
        "54936" | "gb18030" => Some(encoding_rs::GB18030),
        "65001" => Some(encoding_rs::UTF_8),
        "950" | "cp950" => Some(encoding_rs::BIG5),
        other => Encoding::for_label(other.as_bytes()),
    }
}

/// The encoding the DBF header's language driver byte names, when it is a Chinese or a
/// Unicode one (other drivers are left to the mapping).
fn driver_encoding(dbf: &[u8]) -> Option<&'static Encoding> {
    match dbf.get(29)? {
        // 0x4D: ArcGIS's "Chinese GBK (PRC)"; 0x7A: Visual FoxPro's PRC GBK.
        0x4D | 0x7A => Some(encoding_rs::GBK),
        0x78 | 0x4F => Some(encoding_rs::BIG5),
        _ => None,
    }
}

/// The DBF with every date field that is not a real `YYYYMMDD` date blanked: GDAL and
/// ArcGIS write `00000000` for an empty date, which the `dbase` crate refuses for the
/// whole table.
fn blank_invalid_dates(dbf: &[u8]) -> Cow<'_, [u8]> {
    let u16_at = |at: usize| {
        dbf.get(at..at + 2)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let (Some(header_len), Some(record_len), Some(count)) = (
        u16_at(8),
        u16_at(10),
        dbf.get(4..8)
            .and_then(|b| usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()),
    ) else {
        return Cow::Borrowed(dbf);
    };
    // Date fields: (offset in the record, after the deletion flag).
    let mut dates = Vec::new();
    let mut offset = 1;
    let mut at = 32;
    while let Some(descriptor) = dbf.get(at..at + 32) {
        if descriptor[0] == 0x0D {
            break;
        }
        let length = usize::from(descriptor[16]);
        if descriptor[11] == b'D' && length == 8 {
            dates.push(offset);
        }
        offset += length;
        at += 32;
    }
    let valid = |b: &[u8]| {
        std::str::from_utf8(b).ok().is_some_and(|s| {
            s.trim().is_empty() || chrono::NaiveDate::parse_from_str(s, "%Y%m%d").is_ok()
        })
    };
    let mut patched: Option<Vec<u8>> = None;
    for record in 0..count {
        for &field in &dates {
            let start = header_len + record * record_len + field;
            let Some(bytes) = dbf.get(start..start + 8) else {
                continue;
            };
            if !valid(bytes) {
                let out = patched.get_or_insert_with(|| dbf.to_vec());
                out[start..start + 8].fill(b' ');
            }
        }
    }
    patched.map_or(Cow::Borrowed(dbf), Cow::Owned)
}

fn coord(x: f64, y: f64) -> Coord<f64> {
    Coord { x, y }
}

/// Polygons from Shapefile rings: each outer ring starts a polygon; each hole goes to the
/// outer ring that contains it (the last one when none does).
fn polygons(rings: Vec<(bool, LineString<f64>)>) -> Geometry<f64> {
    let mut outers: Vec<Polygon<f64>> = Vec::new();
    let mut holes = Vec::new();
    for (is_outer, ring) in rings {
        if is_outer {
            outers.push(Polygon::new(ring, Vec::new()));
        } else {
            holes.push(ring);
        }
    }
    for hole in holes {
        let inside = hole
            .0
            .first()
            .and_then(|first| outers.iter().position(|p| p.contains(&Point(*first))));
        match inside.or_else(|| outers.len().checked_sub(1)) {
            Some(i) => outers[i].interiors_push(hole),
            None => outers.push(Polygon::new(hole, Vec::new())),
        }
    }
    if outers.len() == 1 {
        Geometry::Polygon(outers.remove(0))
    } else {
        Geometry::MultiPolygon(MultiPolygon::new(outers))
    }
}

fn lines(parts: Vec<LineString<f64>>) -> Geometry<f64> {
    if parts.len() == 1 {
        parts.into_iter().next().map_or_else(
            || Geometry::MultiLineString(MultiLineString::new(Vec::new())),
            Geometry::LineString,
        )
    } else {
        Geometry::MultiLineString(MultiLineString::new(parts))
    }
}

fn ring_points<P>(ring: &PolygonRing<P>, xy: impl Fn(&P) -> Coord<f64>) -> (bool, LineString<f64>) {
    match ring {
        PolygonRing::Outer(points) => (true, points.iter().map(&xy).collect()),
        PolygonRing::Inner(points) => (false, points.iter().map(&xy).collect()),
    }
}

/// The geometry of one shape; `Ok(None)` for a null shape.
fn geometry(shape: Shape) -> Result<Option<Geometry<f64>>, GeometryProblem> {
    Ok(Some(match shape {
        Shape::NullShape => return Ok(None),
        Shape::Point(p) => Geometry::Point(Point(coord(p.x, p.y))),
        Shape::PointM(p) => Geometry::Point(Point(coord(p.x, p.y))),
        Shape::PointZ(p) => Geometry::Point(Point(coord(p.x, p.y))),
        Shape::Multipoint(m) => Geometry::MultiPoint(MultiPoint::new(
            m.points().iter().map(|p| Point(coord(p.x, p.y))).collect(),
        )),
        Shape::MultipointM(m) => Geometry::MultiPoint(MultiPoint::new(
            m.points().iter().map(|p| Point(coord(p.x, p.y))).collect(),
        )),
        Shape::MultipointZ(m) => Geometry::MultiPoint(MultiPoint::new(
            m.points().iter().map(|p| Point(coord(p.x, p.y))).collect(),
        )),
        Shape::Polyline(l) => lines(
            l.parts()
                .iter()
                .map(|part| part.iter().map(|p| coord(p.x, p.y)).collect())
                .collect(),
        ),
        Shape::PolylineM(l) => lines(
            l.parts()
                .iter()
                .map(|part| part.iter().map(|p| coord(p.x, p.y)).collect())
                .collect(),
        ),
        Shape::PolylineZ(l) => lines(
            l.parts()
                .iter()
                .map(|part| part.iter().map(|p| coord(p.x, p.y)).collect())
                .collect(),
        ),
        Shape::Polygon(p) => polygons(
            p.rings()
                .iter()
                .map(|r| ring_points(r, |p| coord(p.x, p.y)))
                .collect(),
        ),
        Shape::PolygonM(p) => polygons(
            p.rings()
                .iter()
                .map(|r| ring_points(r, |p| coord(p.x, p.y)))
                .collect(),
        ),
        Shape::PolygonZ(p) => polygons(
            p.rings()
                .iter()
                .map(|r| ring_points(r, |p| coord(p.x, p.y)))
                .collect(),
        ),
        Shape::Multipatch(_) => {
            return Err(GeometryProblem {
                message: "a multipatch (3D surface) is not a geometry a plan can hold".into(),
            });
        }
    }))
}

fn field_value(value: dbase::FieldValue) -> Option<FieldValue> {
    match value {
        dbase::FieldValue::Character(s) => s.map(|s| FieldValue::Text(s.trim().to_owned())),
        dbase::FieldValue::Memo(s) => Some(FieldValue::Text(s)),
        dbase::FieldValue::Numeric(n) => n.map(|n| {
            if n.fract() == 0.0 && n.abs() < 9e15 {
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "a whole number well inside i64"
                )]
                FieldValue::Integer(n as i64)
            } else {
                FieldValue::Real(n)
            }
        }),
        dbase::FieldValue::Float(n) => n.map(|n| FieldValue::Real(f64::from(n))),
        dbase::FieldValue::Logical(b) => b.map(FieldValue::Bool),
        dbase::FieldValue::Date(d) => d.and_then(|d| {
            chrono::NaiveDate::from_ymd_opt(i32::try_from(d.year()).ok()?, d.month(), d.day())
                .map(FieldValue::Date)
        }),
        dbase::FieldValue::Integer(i) => Some(FieldValue::Integer(i64::from(i))),
        dbase::FieldValue::Currency(c) | dbase::FieldValue::Double(c) => Some(FieldValue::Real(c)),
        dbase::FieldValue::DateTime(dt) => {
            let d = dt.date();
            chrono::NaiveDate::from_ymd_opt(i32::try_from(d.year()).ok()?, d.month(), d.day())
                .map(FieldValue::Date)
        }
    }
}

/// Reads one Shapefile into a layer called `name`.
///
/// # Errors
/// [`ReadError`] when the `.shp` or `.dbf` is not readable, or their record counts differ.
pub fn read(
    name: &str,
    parts: ShapefileParts<'_>,
    fallback: &'static Encoding,
) -> Result<SourceLayer, ReadError> {
    let crs = match parts.prj {
        None => DeclaredCrs::Undeclared,
        Some(prj) => {
            let text = String::from_utf8_lossy(prj);
            match crate::crs::wkt::recognise(&text) {
                Ok(crs) => DeclaredCrs::Known(crs),
                Err(why) => DeclaredCrs::Unrecognised(why.to_string()),
            }
        }
    };
    let mut shapes = ::shapefile::ShapeReader::new(Cursor::new(parts.shp))?;
    let shapes: Vec<Shape> = shapes.iter_shapes().collect::<Result<_, _>>()?;
    // GDAL leaves a one-byte .dbf beside an empty layer: no table.
    let dbf = parts.dbf.filter(|d| d.len() >= 32);
    let (fields, records) = match dbf {
        None => (Vec::new(), Vec::new()),
        Some(dbf) => {
            let encoding = parts
                .cpg
                .and_then(cpg_encoding)
                .or_else(|| driver_encoding(dbf))
                .unwrap_or(fallback);
            let dbf = blank_invalid_dates(dbf);
            let mut table = dbase::ReaderBuilder::new()
                .with_encoding(dbase::encoding::EncodingRs::from(encoding))
                .build(Cursor::new(dbf.as_ref()))?;
            let fields: Vec<String> = table.fields().iter().map(|f| f.name().to_owned()).collect();
            let records = table.read()?;
            (fields, records)
        }
    };
    if dbf.is_some() && records.len() != shapes.len() {
        return Err(ReadError::Format(format!(
            "the .shp has {} records but the .dbf has {}",
            shapes.len(),
            records.len()
        )));
    }
    let mut layer = SourceLayer::new(name, fields, crs);
    let mut records = records.into_iter();
    for (i, shape) in shapes.into_iter().enumerate() {
        let mut record = records.next();
        let values = layer
            .fields
            .iter()
            .map(|f| {
                record
                    .as_mut()
                    .and_then(|r| r.remove(f))
                    .and_then(field_value)
            })
            .collect();
        let (geometry, geometry_problem) = match geometry(shape) {
            Ok(g) => (g, None),
            Err(problem) => (None, Some(problem)),
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
    fn code_pages_come_from_the_cpg_then_the_driver_byte() {
        assert_eq!(cpg_encoding(b"UTF-8\n"), Some(encoding_rs::UTF_8));
        assert_eq!(cpg_encoding(b"936"), Some(encoding_rs::GBK));
        assert_eq!(cpg_encoding(b"GBK"), Some(encoding_rs::GBK));
        assert_eq!(cpg_encoding(b"no such page"), None);
        let mut header = vec![0u8; 32];
        header[29] = 0x4D;
        assert_eq!(driver_encoding(&header), Some(encoding_rs::GBK));
        header[29] = 0x57;
        assert_eq!(driver_encoding(&header), None);
    }

    #[test]
    fn holes_go_to_the_outer_ring_that_holds_them() {
        let square = |x0: f64, size: f64| -> LineString<f64> {
            vec![
                (x0, 0.0),
                (x0, size),
                (x0 + size, size),
                (x0 + size, 0.0),
                (x0, 0.0),
            ]
            .into()
        };
        let hole: LineString<f64> = vec![(11.0, 1.0), (12.0, 1.0), (12.0, 2.0), (11.0, 1.0)].into();
        let g = polygons(vec![
            (true, square(0.0, 5.0)),
            (true, square(10.0, 5.0)),
            (false, hole),
        ]);
        let Geometry::MultiPolygon(m) = g else {
            panic!("two outer rings make a multipolygon");
        };
        assert_eq!(m.0[0].interiors().len(), 0);
        assert_eq!(m.0[1].interiors().len(), 1);
    }
}
