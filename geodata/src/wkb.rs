//! Well-Known Binary geometry (OGC 06-103r4 §8, ISO 13249-3 for Z and M codes) and the
//! GeoPackage binary header around it (OGC 12-128r18 §2.1.3): read for the GeoPackage
//! import, written for the GeoPackage export.
//!
//! Reading takes little- and big-endian WKB, the ISO (`1001`, `2001`, `3001`) and EWKB
//! (high flag bits) codes for Z and M, and keeps x and y. Points, lines, polygons, their
//! multi forms and collections of them are read; curves and surfaces are refused with
//! their type code, so the import can report them. Writing produces little-endian 2D WKB
//! with a GeoPackage header carrying the envelope.

use geo::{
    BoundingRect, Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint,
    MultiPolygon, Point, Polygon,
};

/// Why a geometry blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WkbError {
    /// The blob ends before the geometry does.
    #[error("the geometry blob is truncated")]
    Truncated,
    /// The GeoPackage header is not `GP` version 0 with a valid envelope code.
    #[error("the GeoPackage geometry header is invalid")]
    BadHeader,
    /// A byte-order mark other than 0 or 1.
    #[error("invalid WKB byte order {0}")]
    BadByteOrder(u8),
    /// A geometry type digonce does not read (curves, surfaces, TINs).
    #[error("WKB geometry type {0} (a curve, surface or other type digonce does not read)")]
    UnsupportedType(u32),
    /// Collections nested deeper than any real file.
    #[error("geometry collections nested too deeply")]
    TooDeep,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], WkbError> {
        let end = self.at.checked_add(N).ok_or(WkbError::Truncated)?;
        let slice = self.bytes.get(self.at..end).ok_or(WkbError::Truncated)?;
        self.at = end;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, WkbError> {
        Ok(self.take::<1>()?[0])
    }

    fn u32(&mut self, little: bool) -> Result<u32, WkbError> {
        let b = self.take::<4>()?;
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, little: bool) -> Result<f64, WkbError> {
        let b = self.take::<8>()?;
        Ok(if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count, refused when the blob could not hold that many items of `item_bytes`.
    fn count(&mut self, little: bool, item_bytes: usize) -> Result<usize, WkbError> {
        let n = usize::try_from(self.u32(little)?).map_err(|_| WkbError::Truncated)?;
        let left = self.bytes.len().saturating_sub(self.at);
        if n.saturating_mul(item_bytes) > left {
            return Err(WkbError::Truncated);
        }
        Ok(n)
    }
}

/// Reads a GeoPackage geometry blob: the header, then WKB. `Ok(None)` for an empty
/// geometry.
///
/// # Errors
/// [`WkbError`] when the blob is not a geometry digonce reads.
pub fn read_geopackage(blob: &[u8]) -> Result<Option<Geometry<f64>>, WkbError> {
    if blob.len() < 8 || &blob[0..2] != b"GP" || blob[2] != 0 {
        return Err(WkbError::BadHeader);
    }
    let flags = blob[3];
    let envelope_bytes = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        _ => return Err(WkbError::BadHeader),
    };
    if flags & 0b1_0000 != 0 {
        return Ok(None);
    }
    let start = 8 + envelope_bytes;
    let wkb = blob.get(start..).ok_or(WkbError::Truncated)?;
    read(wkb)
}

/// Reads plain WKB (or EWKB). `Ok(None)` for an empty point (NaN coordinates).
///
/// # Errors
/// [`WkbError`] when the bytes are not a geometry digonce reads.
pub fn read(wkb: &[u8]) -> Result<Option<Geometry<f64>>, WkbError> {
    let mut cursor = Cursor { bytes: wkb, at: 0 };
    geometry(&mut cursor, 0)
}

/// The base type (1-7) and the number of ordinates per position.
fn type_and_dims(code: u32) -> (u32, usize) {
    // EWKB: flags in the high bits (Z 0x8000_0000, M 0x4000_0000, SRID 0x2000_0000).
    let ewkb_z = code & 0x8000_0000 != 0;
    let ewkb_m = code & 0x4000_0000 != 0;
    let iso = code & 0x0FFF_FFFF;
    let (base, iso_z, iso_m) = match iso / 1000 {
        1 => (iso % 1000, true, false),
        2 => (iso % 1000, false, true),
        3 => (iso % 1000, true, true),
        _ => (iso, false, false),
    };
    let dims = 2 + usize::from(ewkb_z || iso_z) + usize::from(ewkb_m || iso_m);
    (base, dims)
}

fn position(c: &mut Cursor<'_>, little: bool, dims: usize) -> Result<Coord<f64>, WkbError> {
    let x = c.f64(little)?;
    let y = c.f64(little)?;
    for _ in 2..dims {
        c.f64(little)?;
    }
    Ok(Coord { x, y })
}

fn line(c: &mut Cursor<'_>, little: bool, dims: usize) -> Result<LineString<f64>, WkbError> {
    let n = c.count(little, 8 * dims)?;
    (0..n)
        .map(|_| position(c, little, dims))
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::from)
}

fn polygon(c: &mut Cursor<'_>, little: bool, dims: usize) -> Result<Polygon<f64>, WkbError> {
    let rings = c.count(little, 4)?;
    let mut all = (0..rings)
        .map(|_| line(c, little, dims))
        .collect::<Result<Vec<_>, _>>()?;
    if all.is_empty() {
        return Ok(Polygon::new(LineString::new(Vec::new()), Vec::new()));
    }
    let exterior = all.remove(0);
    Ok(Polygon::new(exterior, all))
}

fn geometry(c: &mut Cursor<'_>, depth: usize) -> Result<Option<Geometry<f64>>, WkbError> {
    if depth > 8 {
        return Err(WkbError::TooDeep);
    }
    let little = match c.u8()? {
        0 => false,
        1 => true,
        other => return Err(WkbError::BadByteOrder(other)),
    };
    let code = c.u32(little)?;
    if code & 0x2000_0000 != 0 {
        c.u32(little)?; // EWKB SRID
    }
    let (base, dims) = type_and_dims(code);
    // Parts of multi geometries carry their own byte order and type.
    let parts = |c: &mut Cursor<'_>| -> Result<Vec<Geometry<f64>>, WkbError> {
        let n = c.count(little, 5)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            if let Some(g) = geometry(c, depth + 1)? {
                out.push(g);
            }
        }
        Ok(out)
    };
    Ok(Some(match base {
        1 => {
            let p = position(c, little, dims)?;
            if p.x.is_nan() && p.y.is_nan() {
                return Ok(None);
            }
            Geometry::Point(Point(p))
        }
        2 => Geometry::LineString(line(c, little, dims)?),
        3 => Geometry::Polygon(polygon(c, little, dims)?),
        4 => Geometry::MultiPoint(MultiPoint::new(
            parts(c)?
                .into_iter()
                .filter_map(|g| match g {
                    Geometry::Point(p) => Some(p),
                    _ => None,
                })
                .collect(),
        )),
        5 => Geometry::MultiLineString(MultiLineString::new(
            parts(c)?
                .into_iter()
                .filter_map(|g| match g {
                    Geometry::LineString(l) => Some(l),
                    _ => None,
                })
                .collect(),
        )),
        6 => Geometry::MultiPolygon(MultiPolygon::new(
            parts(c)?
                .into_iter()
                .filter_map(|g| match g {
                    Geometry::Polygon(p) => Some(p),
                    _ => None,
                })
                .collect(),
        )),
        7 => Geometry::GeometryCollection(GeometryCollection(parts(c)?)),
        other => return Err(WkbError::UnsupportedType(other)),
    }))
}

/// The WKB type code of a geometry (2D).
fn code_of(g: &Geometry<f64>) -> u32 {
    match g {
        Geometry::Point(_) => 1,
        Geometry::Line(_) | Geometry::LineString(_) => 2,
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => 3,
        Geometry::MultiPoint(_) => 4,
        Geometry::MultiLineString(_) => 5,
        Geometry::MultiPolygon(_) => 6,
        Geometry::GeometryCollection(_) => 7,
    }
}

fn put_coord(out: &mut Vec<u8>, c: Coord<f64>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn put_count(out: &mut Vec<u8>, n: usize) {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_line(out: &mut Vec<u8>, l: &LineString<f64>) {
    put_count(out, l.0.len());
    for c in &l.0 {
        put_coord(out, *c);
    }
}

fn put_polygon(out: &mut Vec<u8>, p: &Polygon<f64>) {
    put_count(out, 1 + p.interiors().len());
    put_line(out, p.exterior());
    for ring in p.interiors() {
        put_line(out, ring);
    }
}

/// Appends the little-endian 2D WKB of `g`.
pub fn write(out: &mut Vec<u8>, g: &Geometry<f64>) {
    out.push(1);
    out.extend_from_slice(&code_of(g).to_le_bytes());
    match g {
        Geometry::Point(p) => put_coord(out, p.0),
        Geometry::Line(l) => put_line(out, &LineString::from(vec![l.start, l.end])),
        Geometry::LineString(l) => put_line(out, l),
        Geometry::Polygon(p) => put_polygon(out, p),
        Geometry::Rect(r) => put_polygon(out, &r.to_polygon()),
        Geometry::Triangle(t) => put_polygon(out, &t.to_polygon()),
        Geometry::MultiPoint(m) => {
            put_count(out, m.0.len());
            for p in &m.0 {
                write(out, &Geometry::Point(*p));
            }
        }
        Geometry::MultiLineString(m) => {
            put_count(out, m.0.len());
            for l in &m.0 {
                write(out, &Geometry::LineString(l.clone()));
            }
        }
        Geometry::MultiPolygon(m) => {
            put_count(out, m.0.len());
            for p in &m.0 {
                write(out, &Geometry::Polygon(p.clone()));
            }
        }
        Geometry::GeometryCollection(c) => {
            put_count(out, c.0.len());
            for part in &c.0 {
                write(out, part);
            }
        }
    }
}

/// A GeoPackage geometry blob: header (version 0, little-endian, the XY envelope) and
/// 2D WKB.
#[must_use]
pub fn write_geopackage(g: &Geometry<f64>, srs_id: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"GP");
    out.push(0);
    let rect = g.bounding_rect();
    // Flags: bit 0 little-endian, bits 1-3 envelope code 1 (min x, max x, min y, max y).
    out.push(if rect.is_some() {
        0b0000_0011
    } else {
        0b0000_0001
    });
    out.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(r) = rect {
        for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    write(&mut out, g);
    out
}

#[cfg(test)]
mod tests {
    use geo::{line_string, polygon};

    use super::*;

    #[test]
    fn geopackage_blobs_round_trip_every_supported_type() {
        let shapes: Vec<Geometry<f64>> = vec![
            Geometry::Point(Point::new(116.4, 39.9)),
            Geometry::LineString(line_string![(x: 1.0, y: 2.0), (x: 3.0, y: 4.0)]),
            Geometry::Polygon(polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0)]),
            Geometry::MultiPoint(MultiPoint::new(vec![
                Point::new(1.0, 1.0),
                Point::new(2.0, 2.0),
            ])),
            Geometry::MultiLineString(MultiLineString::new(vec![
                line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)],
                line_string![(x: 2.0, y: 2.0), (x: 3.0, y: 3.0)],
            ])),
            Geometry::MultiPolygon(MultiPolygon::new(vec![
                polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)],
            ])),
        ];
        for shape in shapes {
            let blob = write_geopackage(&shape, 4326);
            assert_eq!(&blob[0..2], b"GP");
            assert_eq!(read_geopackage(&blob), Ok(Some(shape)));
        }
    }

    #[test]
    fn big_endian_iso_z_and_ewkb_are_read_as_two_dimensions() {
        // Big-endian ISO LineString Z (1002) with two positions.
        let mut wkb = vec![0u8];
        wkb.extend_from_slice(&1002u32.to_be_bytes());
        wkb.extend_from_slice(&2u32.to_be_bytes());
        for v in [1.0f64, 2.0, 9.0, 3.0, 4.0, 9.0] {
            wkb.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(
            read(&wkb),
            Ok(Some(Geometry::LineString(
                line_string![(x: 1.0, y: 2.0), (x: 3.0, y: 4.0)]
            )))
        );
        // Little-endian EWKB point with Z and an SRID.
        let mut ewkb = vec![1u8];
        ewkb.extend_from_slice(&(1u32 | 0x8000_0000 | 0x2000_0000).to_le_bytes());
        ewkb.extend_from_slice(&4490u32.to_le_bytes());
        for v in [116.0f64, 40.0, 50.0] {
            ewkb.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(
            read(&ewkb),
            Ok(Some(Geometry::Point(Point::new(116.0, 40.0))))
        );
    }

    #[test]
    fn curves_truncation_and_bad_headers_are_errors() {
        let mut circular = vec![1u8];
        circular.extend_from_slice(&8u32.to_le_bytes());
        assert_eq!(read(&circular), Err(WkbError::UnsupportedType(8)));
        let blob = write_geopackage(&Geometry::Point(Point::new(1.0, 2.0)), 0);
        assert_eq!(
            read_geopackage(&blob[..blob.len() - 3]),
            Err(WkbError::Truncated)
        );
        assert_eq!(
            read_geopackage(b"XX\0\x01\0\0\0\0"),
            Err(WkbError::BadHeader)
        );
        // A huge count in a short blob is refused before allocating.
        let mut huge = vec![1u8];
        huge.extend_from_slice(&2u32.to_le_bytes());
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(read(&huge), Err(WkbError::Truncated));
    }
}
