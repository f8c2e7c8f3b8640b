//! DXF drawings (AutoCAD's ASCII exchange format): the `LINE`, `LWPOLYLINE`, `POLYLINE`
//! and `POINT` entities of the `ENTITIES` section, one layer per DXF layer. A design
//! institute's street plan keeps one layer per pipeline kind, named by the CJJ 61 codes
//! (`JS`, `RQ` ...), so the layer name is what a mapping reads (`@layer`).
//!
//! Text, dimensions, hatches, blocks and arcs are passed over and counted per layer.
//! Polyline bulges (arc segments) are read as their chords. Text is decoded as the file
//! says (`$DWGCODEPAGE`, e.g. `ANSI_936` for GBK; DXF 2007 and later are UTF-8) or with
//! the mapping's encoding, and AutoCAD's `\U+7ED9` escapes are expanded. Binary DXF is
//! refused with a sentence saying how to save it as ASCII.
//!
//! Written by hand rather than with the `dxf` crate: that crate compiles a generated model
//! of every DXF entity, object and header variable and pulls in `image`, and it decodes
//! text as Windows-1252 whatever `$DWGCODEPAGE` says, which breaks Chinese layer names.

use encoding_rs::Encoding;
use geo::{Coord, Geometry, LineString, Point};

use super::ReadError;
use super::layer::{DeclaredCrs, FieldValue, SourceFeature, SourceLayer};

/// The fields every DXF layer has.
pub const FIELDS: [&str; 3] = ["handle", "entity", "closed"];

/// The encoding named by a `$DWGCODEPAGE` value (`ANSI_936`).
fn code_page(name: &str) -> Option<&'static Encoding> {
    let digits = name.trim().to_ascii_uppercase();
    let digits = digits.strip_prefix("ANSI_").unwrap_or(&digits);
    match digits {
        "936" => Some(encoding_rs::GBK),
        "950" => Some(encoding_rs::BIG5),
        "932" => Some(encoding_rs::SHIFT_JIS),
        "949" => Some(encoding_rs::EUC_KR),
        "1252" => Some(encoding_rs::WINDOWS_1252),
        "1251" => Some(encoding_rs::WINDOWS_1251),
        "1250" => Some(encoding_rs::WINDOWS_1250),
        _ => None,
    }
}

/// The drawing as text: UTF-8 when it is valid UTF-8, else in its `$DWGCODEPAGE`, else
/// in `fallback`.
fn decode(bytes: &[u8], fallback: &'static Encoding) -> String {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.trim_start_matches('\u{feff}').to_owned();
    }
    // The header is ASCII, so the code page can be found before decoding.
    let ascii = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let mut lines = ascii.lines().map(str::trim);
    let mut encoding = None;
    while let Some(line) = lines.next() {
        if line == "$DWGCODEPAGE" {
            lines.next();
            encoding = lines.next().and_then(code_page);
            break;
        }
    }
    encoding.unwrap_or(fallback).decode(bytes).0.into_owned()
}

/// Expands AutoCAD's `\U+XXXX` escapes.
fn unescape(text: &str) -> String {
    if !text.contains("\\U+") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\\U+") {
        out.push_str(&rest[..at]);
        let hex = rest.get(at + 3..at + 7);
        if let Some(c) = hex
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32)
        {
            out.push(c);
            rest = &rest[at + 7..];
        } else {
            out.push_str("\\U+");
            rest = &rest[at + 3..];
        }
    }
    out.push_str(rest);
    out
}

/// One entity being read: its type and group codes of interest.
#[derive(Debug, Default)]
struct Entity {
    kind: String,
    layer: String,
    handle: String,
    flags: i64,
    points: Vec<Coord<f64>>,
    pending_x: Option<f64>,
    end: Option<Coord<f64>>,
    pending_end_x: Option<f64>,
}

impl Entity {
    fn code(&mut self, code: i32, value: &str) {
        match code {
            8 => self.layer = unescape(value),
            5 => value.clone_into(&mut self.handle),
            70 => self.flags = value.parse().unwrap_or(0),
            10 => self.pending_x = value.parse().ok(),
            20 => {
                if let (Some(x), Ok(y)) = (self.pending_x.take(), value.parse()) {
                    self.points.push(Coord { x, y });
                }
            }
            11 => self.pending_end_x = value.parse().ok(),
            21 => {
                if let (Some(x), Ok(y)) = (self.pending_end_x.take(), value.parse()) {
                    self.end = Some(Coord { x, y });
                }
            }
            _ => {}
        }
    }
}

/// The layers being built, in the order their names first appear.
#[derive(Default)]
struct Layers {
    layers: Vec<SourceLayer>,
}

impl Layers {
    fn get(&mut self, name: &str) -> &mut SourceLayer {
        let index = if let Some(i) = self.layers.iter().position(|l| l.name == name) {
            i
        } else {
            self.layers.push(SourceLayer::new(
                name,
                FIELDS.iter().map(|f| (*f).to_owned()).collect(),
                DeclaredCrs::Undeclared,
            ));
            self.layers.len() - 1
        };
        &mut self.layers[index]
    }

    fn add(&mut self, entity: &Entity, geometry: Geometry<f64>, closed: bool) {
        let layer = self.get(&entity.layer);
        let number = layer.features.len() + 1;
        layer.features.push(SourceFeature {
            number,
            values: vec![
                Some(FieldValue::Text(entity.handle.clone())),
                Some(FieldValue::Text(entity.kind.clone())),
                Some(FieldValue::Bool(closed)),
            ],
            geometry: Some(geometry),
            geometry_problem: None,
        });
    }

    /// Files a finished entity (and, for a `POLYLINE`, the vertices gathered into it).
    fn finish(&mut self, entity: &Entity) {
        match entity.kind.as_str() {
            "LINE" => {
                if let (Some(start), Some(end)) = (entity.points.first().copied(), entity.end) {
                    self.add(
                        entity,
                        Geometry::LineString(LineString::from(vec![start, end])),
                        false,
                    );
                }
            }
            "LWPOLYLINE" | "POLYLINE" => {
                // Polyface meshes and polygon meshes are surfaces, not lines.
                if entity.flags & (16 | 64) != 0 {
                    self.get(&entity.layer).pass_over("MESH");
                    return;
                }
                let closed = entity.flags & 1 == 1;
                let mut points = entity.points.clone();
                if closed && points.len() > 2 && points.first() != points.last() {
                    points.push(points[0]);
                }
                if points.len() >= 2 {
                    self.add(
                        entity,
                        Geometry::LineString(LineString::from(points)),
                        closed,
                    );
                }
            }
            "POINT" => {
                if let Some(p) = entity.points.first() {
                    self.add(entity, Geometry::Point(Point(*p)), false);
                }
            }
            "" | "VERTEX" | "SEQEND" => {}
            other => self.get(&entity.layer).pass_over(other),
        }
    }
}

/// Reads the line work of a DXF drawing, one layer per DXF layer.
///
/// # Errors
/// [`ReadError::Format`] for binary DXF or a file without an `ENTITIES` section.
pub fn read(bytes: &[u8], fallback: &'static Encoding) -> Result<Vec<SourceLayer>, ReadError> {
    if bytes.starts_with(b"AutoCAD Binary DXF") {
        return Err(ReadError::Format(
            "this is a binary DXF; save the drawing as ASCII DXF (AutoCAD: Save As, DXF, \
             Options, Format ASCII)"
                .into(),
        ));
    }
    let text = decode(bytes, fallback);
    let mut lines = text.lines();
    let mut in_entities = false;
    let mut seen_entities = false;
    let mut current: Option<Entity> = None;
    // A POLYLINE collects the VERTEX entities that follow it until SEQEND.
    let mut polyline: Option<Entity> = None;
    let mut layers = Layers::default();
    while let (Some(code), Some(value)) = (lines.next(), lines.next()) {
        let Ok(code) = code.trim().parse::<i32>() else {
            return Err(ReadError::Format(format!(
                "expected a DXF group code, found {:?}",
                code.trim()
            )));
        };
        let value = value.trim_end_matches('\r').trim();
        if code == 0 {
            if let Some(done) = current.take() {
                match done.kind.as_str() {
                    "POLYLINE" => polyline = Some(done),
                    "VERTEX" => {
                        if let Some(p) = polyline.as_mut() {
                            p.points.extend(done.points);
                        }
                    }
                    "SEQEND" => {
                        if let Some(p) = polyline.take() {
                            layers.finish(&p);
                        }
                    }
                    _ => layers.finish(&done),
                }
            }
            match value {
                "SECTION" => {}
                "ENDSEC" => in_entities = false,
                _ if in_entities => {
                    current = Some(Entity {
                        kind: value.to_owned(),
                        ..Entity::default()
                    });
                }
                _ => {}
            }
            continue;
        }
        if code == 2 && current.is_none() && !in_entities && value == "ENTITIES" {
            in_entities = true;
            seen_entities = true;
            continue;
        }
        if let Some(entity) = current.as_mut() {
            entity.code(code, value);
        }
    }
    if !seen_entities {
        return Err(ReadError::Format(
            "the drawing has no ENTITIES section: not an ASCII DXF file".into(),
        ));
    }
    Ok(layers.layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawing(entities: &str) -> String {
        format!(
            "0\nSECTION\n2\nHEADER\n9\n$DWGCODEPAGE\n3\nANSI_936\n0\nENDSEC\n0\nSECTION\n2\nENTITIES\n{entities}0\nENDSEC\n0\nEOF\n"
        )
    }

    #[test]
    fn lines_polylines_and_points_are_read_per_layer() {
        let text = drawing(
            "0\nLINE\n5\n1A\n8\nJS\n10\n100.0\n20\n200.0\n11\n150.0\n21\n200.0\n\
             0\nLWPOLYLINE\n8\nRQ\n90\n3\n70\n0\n10\n0\n20\n0\n10\n10\n20\n0\n10\n10\n20\n10\n\
             0\nPOLYLINE\n8\nRQ\n66\n1\n70\n1\n0\nVERTEX\n8\nRQ\n10\n0\n20\n0\n0\nVERTEX\n8\nRQ\n10\n5\n20\n0\n0\nVERTEX\n8\nRQ\n10\n5\n20\n5\n0\nSEQEND\n8\nRQ\n\
             0\nTEXT\n8\nJS\n1\nDN300\n0\nPOINT\n8\nTX\n10\n1\n20\n2\n",
        );
        let layers = read(text.as_bytes(), encoding_rs::UTF_8).expect("reads");
        let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["JS", "RQ", "TX"]);
        assert_eq!(layers[0].features.len(), 1);
        assert_eq!(layers[0].passed_over, [("TEXT".to_owned(), 1)]);
        assert_eq!(
            layers[0].features[0].values[0],
            Some(FieldValue::Text("1A".into()))
        );
        let closed = &layers[1].features[1];
        let Some(Geometry::LineString(ring)) = &closed.geometry else {
            panic!("a closed polyline is a closed line");
        };
        assert_eq!(ring.0.len(), 4);
        assert_eq!(ring.0.first(), ring.0.last());
        assert_eq!(closed.values[2], Some(FieldValue::Bool(true)));
        assert!(matches!(
            layers[2].features[0].geometry,
            Some(Geometry::Point(_))
        ));
    }

    #[test]
    fn gbk_layer_names_and_unicode_escapes_are_decoded() {
        let text = drawing(
            "0\nLINE\n8\n给水\n10\n0\n20\n0\n11\n1\n21\n1\n0\nLINE\n8\n\\U+71C3\\U+6C14\n10\n0\n20\n0\n11\n1\n21\n1\n",
        );
        let (gbk, _, _) = encoding_rs::GBK.encode(&text);
        assert!(
            std::str::from_utf8(&gbk).is_err(),
            "the fixture is really GBK"
        );
        let layers = read(&gbk, encoding_rs::UTF_8).expect("reads");
        let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["给水", "燃气"]);
    }

    #[test]
    fn binary_dxf_and_other_files_are_refused_with_a_reason() {
        let error = read(b"AutoCAD Binary DXF\r\n\x1a\0", encoding_rs::UTF_8).expect_err("binary");
        assert!(error.to_string().contains("ASCII"), "{error}");
        assert!(
            read(
                b"0\nSECTION\n2\nHEADER\n0\nENDSEC\n0\nEOF\n",
                encoding_rs::UTF_8
            )
            .is_err()
        );
        assert!(read(b"hello\nworld\n", encoding_rs::UTF_8).is_err());
    }
}
