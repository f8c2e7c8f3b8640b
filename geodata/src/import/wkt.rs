//! Geometries written as Well-Known Text (OGC 06-103r4 §7), as spreadsheets and GDAL's
//! CSV driver (`-lco GEOMETRY=AS_WKT`) write them: `POINT (116.4 39.9)`,
//! `LINESTRING Z (...)`, `MULTIPOINT ((1 2), (3 4))` or `MULTIPOINT (1 2, 3 4)`,
//! `POLYGON EMPTY`. Third and fourth ordinates are read and dropped.

use geo::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};

/// Why a WKT text is not a geometry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a WKT geometry: {reason}")]
pub struct WktError {
    /// What was expected where.
    pub reason: String,
}

fn error(reason: impl Into<String>) -> WktError {
    WktError {
        reason: reason.into(),
    }
}

struct Tokens<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Tokens<'a> {
    fn skip_space(&mut self) {
        while self.text[self.at..].starts_with(char::is_whitespace) {
            self.at += self.text[self.at..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_space();
        self.text[self.at..].chars().next()
    }

    fn expect(&mut self, c: char) -> Result<(), WktError> {
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(error(format!(
                "expected '{c}' at character {}",
                self.at + 1
            )))
        }
    }

    fn word(&mut self) -> &'a str {
        self.skip_space();
        let rest = &self.text[self.at..];
        let len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        self.at += len;
        &rest[..len]
    }

    fn number(&mut self) -> Result<f64, WktError> {
        self.skip_space();
        let rest = &self.text[self.at..];
        let len = rest
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')))
            .unwrap_or(rest.len());
        let value = rest[..len]
            .parse::<f64>()
            .map_err(|_| error(format!("expected a number at character {}", self.at + 1)))?;
        self.at += len;
        Ok(value)
    }

    /// `(` items separated by `,` `)`, or `EMPTY` (no items).
    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, WktError>,
    ) -> Result<Vec<T>, WktError> {
        if self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            let word = self.word();
            return if word.eq_ignore_ascii_case("EMPTY") {
                Ok(Vec::new())
            } else {
                Err(error(format!("unexpected word {word:?}")))
            };
        }
        self.expect('(')?;
        let mut out = vec![item(self)?];
        while self.peek() == Some(',') {
            self.at += 1;
            out.push(item(self)?);
        }
        self.expect(')')?;
        Ok(out)
    }

    fn position(&mut self) -> Result<Coord<f64>, WktError> {
        let x = self.number()?;
        let y = self.number()?;
        // Z and M, when present, are dropped.
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'))
        {
            self.number()?;
        }
        Ok(Coord { x, y })
    }

    fn line(&mut self) -> Result<LineString<f64>, WktError> {
        Ok(LineString::from(self.list(Self::position)?))
    }

    fn polygon(&mut self) -> Result<Polygon<f64>, WktError> {
        let mut rings = self.list(Self::line)?;
        if rings.is_empty() {
            return Ok(Polygon::new(LineString::new(Vec::new()), Vec::new()));
        }
        let exterior = rings.remove(0);
        Ok(Polygon::new(exterior, rings))
    }

    /// A point of a MULTIPOINT: `(1 2)` or bare `1 2`.
    fn multipoint_member(&mut self) -> Result<Point<f64>, WktError> {
        if self.peek() == Some('(') {
            self.at += 1;
            let p = self.position()?;
            self.expect(')')?;
            Ok(Point(p))
        } else {
            Ok(Point(self.position()?))
        }
    }

    fn geometry(&mut self, depth: usize) -> Result<Geometry<f64>, WktError> {
        if depth > 8 {
            return Err(error("collections nested too deeply"));
        }
        let keyword = self.word().to_ascii_uppercase();
        // Optional dimension marker: Z, M or ZM.
        let save = self.at;
        let marker = self.word().to_ascii_uppercase();
        if !matches!(marker.as_str(), "Z" | "M" | "ZM") {
            self.at = save;
        }
        Ok(match keyword.as_str() {
            "POINT" => {
                let mut points = self.list(Self::position)?;
                match points.len() {
                    0 => Geometry::MultiPoint(MultiPoint::new(Vec::new())),
                    1 => Geometry::Point(Point(points.remove(0))),
                    _ => return Err(error("a POINT has one position")),
                }
            }
            "LINESTRING" => Geometry::LineString(self.line()?),
            "POLYGON" => Geometry::Polygon(self.polygon()?),
            "MULTIPOINT" => {
                Geometry::MultiPoint(MultiPoint::new(self.list(Self::multipoint_member)?))
            }
            "MULTILINESTRING" => {
                Geometry::MultiLineString(MultiLineString::new(self.list(Self::line)?))
            }
            "MULTIPOLYGON" => Geometry::MultiPolygon(MultiPolygon::new(self.list(Self::polygon)?)),
            "GEOMETRYCOLLECTION" => Geometry::GeometryCollection(GeometryCollection(
                self.list(|t| t.geometry(depth + 1))?,
            )),
            "" => return Err(error("no geometry keyword")),
            other => return Err(error(format!("{other} is not a type digonce reads"))),
        })
    }
}

/// Parses one WKT geometry.
///
/// # Errors
/// [`WktError`] naming what was expected where.
pub fn parse(text: &str) -> Result<Geometry<f64>, WktError> {
    let mut tokens = Tokens { text, at: 0 };
    let geometry = tokens.geometry(0)?;
    if tokens.peek().is_some() {
        return Err(error(format!(
            "unexpected text after the geometry at character {}",
            tokens.at + 1
        )));
    }
    Ok(geometry)
}

#[cfg(test)]
mod tests {
    use geo::{line_string, polygon};

    use super::*;

    #[test]
    fn every_simple_type_parses_with_and_without_dimensions() {
        assert_eq!(
            parse("POINT (116.4 39.9)"),
            Ok(Geometry::Point(Point::new(116.4, 39.9)))
        );
        assert_eq!(
            parse("linestring z (1 2 3, 4 5 6)"),
            Ok(Geometry::LineString(
                line_string![(x: 1.0, y: 2.0), (x: 4.0, y: 5.0)]
            ))
        );
        assert_eq!(
            parse("POLYGON ((0 0, 4 0, 4 4, 0 0))"),
            Ok(Geometry::Polygon(
                polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 0.0)]
            ))
        );
        let both = [
            parse("MULTIPOINT ((1 2), (3 4))"),
            parse("MULTIPOINT (1 2, 3 4)"),
        ];
        assert_eq!(both[0], both[1]);
        assert!(
            matches!(parse("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))"), Ok(Geometry::MultiPolygon(m)) if m.0.len() == 1)
        );
        assert!(
            matches!(parse("MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))"), Ok(Geometry::MultiLineString(m)) if m.0.len() == 2)
        );
        assert!(matches!(parse("LINESTRING EMPTY"), Ok(Geometry::LineString(l)) if l.0.is_empty()));
    }

    #[test]
    fn malformed_text_and_curves_are_errors() {
        assert!(parse("POINT (1)").is_err());
        assert!(parse("LINESTRING (1 2, 3 4").is_err());
        assert!(parse("CIRCULARSTRING (0 0, 1 1, 2 0)").is_err());
        assert!(parse("POINT (1 2) extra").is_err());
        assert!(parse("").is_err());
    }
}
