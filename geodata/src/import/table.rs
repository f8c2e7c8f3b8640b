//! Tables: CSV files and XLSX workbooks (one layer per sheet), the first row naming the
//! columns. Positions come from the columns the mapping's `[geometry]` names: a WKT
//! column, or the x and y of a point, or the start and end of a line segment (the
//! 起点/终点 columns of a pipeline survey's segment table).
//!
//! A CSV is read as UTF-8 when it is valid UTF-8 (a byte-order mark is dropped), else in
//! the mapping's encoding (GBK in `cn-survey`); its delimiter is the one of `,`, `;` and
//! tab that its header line uses most. XLSX cells keep their type: numbers, booleans and
//! dates (through `calamine`).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use encoding_rs::Encoding;
use geo::{Coord, Geometry, LineString, Point};

use super::ReadError;
use super::layer::{DeclaredCrs, FieldValue, GeometryProblem, SourceFeature, SourceLayer};
use super::mapping::{GeometryColumns, value};
use super::wkt;

/// Where in a table's columns the positions are.
enum Positions {
    Wkt(usize),
    Segment([usize; 4]),
    Point(usize, usize),
}

fn first_column(layer: &SourceLayer, candidates: &[String]) -> Option<usize> {
    candidates.iter().find_map(|c| layer.field_index(c))
}

fn positions(layer: &SourceLayer, columns: &GeometryColumns) -> Option<Positions> {
    if let Some(i) = first_column(layer, &columns.wkt) {
        return Some(Positions::Wkt(i));
    }
    let segment = [
        &columns.from_x,
        &columns.from_y,
        &columns.to_x,
        &columns.to_y,
    ]
    .map(|c| first_column(layer, c));
    if let [Some(a), Some(b), Some(c), Some(d)] = segment {
        return Some(Positions::Segment([a, b, c, d]));
    }
    match (
        first_column(layer, &columns.x),
        first_column(layer, &columns.y),
    ) {
        (Some(x), Some(y)) => Some(Positions::Point(x, y)),
        _ => None,
    }
}

fn coordinate(
    values: &[Option<FieldValue>],
    x: usize,
    y: usize,
) -> Result<Option<Coord<f64>>, GeometryProblem> {
    let read = |i: usize| values.get(i).cloned().flatten().filter(|v| !v.is_blank());
    match (read(x), read(y)) {
        (None, None) => Ok(None),
        (Some(vx), Some(vy)) => match (value::number(&vx), value::number(&vy)) {
            (Some(x), Some(y)) => Ok(Some(Coord { x, y })),
            _ => Err(GeometryProblem {
                message: format!(
                    "the coordinates {:?}, {:?} are not numbers",
                    vx.display(),
                    vy.display()
                ),
            }),
        },
        _ => Err(GeometryProblem {
            message: "one coordinate of the pair is empty".into(),
        }),
    }
}

/// The geometry of one row.
fn row_geometry(
    values: &[Option<FieldValue>],
    positions: &Positions,
) -> Result<Option<Geometry<f64>>, GeometryProblem> {
    match positions {
        Positions::Wkt(i) => match values.get(*i).cloned().flatten() {
            Some(v) if !v.is_blank() => {
                wkt::parse(&v.display())
                    .map(Some)
                    .map_err(|e| GeometryProblem {
                        message: e.to_string(),
                    })
            }
            _ => Ok(None),
        },
        Positions::Point(x, y) => {
            Ok(coordinate(values, *x, *y)?.map(|c| Geometry::Point(Point(c))))
        }
        Positions::Segment([fx, fy, tx, ty]) => {
            match (coordinate(values, *fx, *fy)?, coordinate(values, *tx, *ty)?) {
                (Some(a), Some(b)) => Ok(Some(Geometry::LineString(LineString::from(vec![a, b])))),
                (None, None) => Ok(None),
                _ => Err(GeometryProblem {
                    message: "the segment has a start or an end but not both".into(),
                }),
            }
        }
    }
}

/// Builds a layer from a header and rows of values, placing the geometry.
fn layer_of(
    name: &str,
    header: Vec<String>,
    rows: Vec<Vec<Option<FieldValue>>>,
    columns: &GeometryColumns,
) -> SourceLayer {
    let mut layer = SourceLayer::new(name, header, DeclaredCrs::Undeclared);
    let placed = positions(&layer, columns);
    if placed.is_none() {
        layer.missing_geometry = Some(format!(
            "the table has no geometry column: the mapping looks for a WKT column ({}), \
             x and y columns ({} / {}) or segment columns ({} / {} to {} / {})",
            columns.wkt.join(", "),
            columns.x.join(", "),
            columns.y.join(", "),
            columns.from_x.join(", "),
            columns.from_y.join(", "),
            columns.to_x.join(", "),
            columns.to_y.join(", "),
        ));
    }
    let mut number = 0;
    for values in rows {
        if values
            .iter()
            .all(|v| v.as_ref().is_none_or(FieldValue::is_blank))
        {
            continue;
        }
        number += 1;
        let (geometry, geometry_problem) = match placed.as_ref().map(|p| row_geometry(&values, p)) {
            Some(Ok(g)) => (g, None),
            Some(Err(problem)) => (None, Some(problem)),
            None => (None, None),
        };
        layer.features.push(SourceFeature {
            number,
            values,
            geometry,
            geometry_problem,
        });
    }
    layer
}

fn delimiter(first_line: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// Reads a CSV file into one layer called `name`.
///
/// # Errors
/// [`ReadError::Csv`] when the file is not CSV.
pub fn read_csv(
    name: &str,
    bytes: &[u8],
    fallback: &'static Encoding,
    columns: &GeometryColumns,
) -> Result<SourceLayer, ReadError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => fallback.decode(bytes).0.into_owned(),
    };
    let first_line = text.lines().next().unwrap_or_default();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(first_line))
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        rows.push(
            (0..header.len())
                .map(|i| {
                    record
                        .get(i)
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(|v| FieldValue::Text(v.to_owned()))
                })
                .collect(),
        );
    }
    Ok(layer_of(name, header, rows, columns))
}

fn cell(data: &Data) -> Option<FieldValue> {
    match data {
        Data::Empty | Data::Error(_) => None,
        Data::Int(i) => Some(FieldValue::Integer(*i)),
        Data::Float(f) => Some(FieldValue::Real(*f)),
        Data::Bool(b) => Some(FieldValue::Bool(*b)),
        Data::String(s) => Some(FieldValue::Text(s.trim().to_owned())),
        Data::DateTime(dt) => dt.as_datetime().map(|d| FieldValue::Date(d.date())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(FieldValue::Text(s.clone())),
    }
}

/// Reads every sheet of an XLSX workbook; a sheet is a layer named after it.
///
/// # Errors
/// [`ReadError::Xlsx`] when the file is not an XLSX workbook.
pub fn read_xlsx(bytes: &[u8], columns: &GeometryColumns) -> Result<Vec<SourceLayer>, ReadError> {
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))?;
    let mut layers = Vec::new();
    for sheet in workbook.sheet_names() {
        let range = workbook.worksheet_range(&sheet)?;
        let mut rows = range.rows();
        let Some(header) = rows.find(|r| r.iter().any(|c| !matches!(c, Data::Empty))) else {
            continue;
        };
        let header: Vec<String> = header
            .iter()
            .map(|c| cell(c).map(|v| v.display()).unwrap_or_default())
            .collect();
        let values = rows
            .map(|r| (0..header.len()).map(|i| r.get(i).and_then(cell)).collect())
            .collect();
        layers.push(layer_of(&sheet, header, values, columns));
    }
    Ok(layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> GeometryColumns {
        GeometryColumns {
            wkt: vec!["wkt".into()],
            x: vec!["Y坐标".into(), "lon".into()],
            y: vec!["X坐标".into(), "lat".into()],
            from_x: vec!["起点Y".into()],
            from_y: vec!["起点X".into()],
            to_x: vec!["终点Y".into()],
            to_y: vec!["终点X".into()],
        }
    }

    #[test]
    fn a_gbk_csv_with_survey_coordinates_reads_points() {
        let text = "小区名称;X坐标;Y坐标\n福兴里;4419000.5;39500123.25\n\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let layer = read_csv("小区清单", &gbk, encoding_rs::GBK, &columns()).expect("reads");
        assert_eq!(layer.fields, ["小区名称", "X坐标", "Y坐标"]);
        assert_eq!(layer.features.len(), 1, "blank rows are dropped");
        assert_eq!(
            layer.features[0].geometry,
            Some(Geometry::Point(Point::new(39_500_123.25, 4_419_000.5))),
            "X is the northing, Y the easting"
        );
        assert_eq!(
            layer.features[0].values[0],
            Some(FieldValue::Text("福兴里".into()))
        );
    }

    #[test]
    fn wkt_and_segment_columns_make_lines_and_bad_cells_are_reported() {
        let csv =
            "id,wkt\nw1,\"LINESTRING (116.36 39.912, 116.37 39.912)\"\nw2,LINESTRING (oops)\n";
        let layer =
            read_csv("works", csv.as_bytes(), encoding_rs::UTF_8, &columns()).expect("reads");
        assert!(matches!(
            layer.features[0].geometry,
            Some(Geometry::LineString(_))
        ));
        assert!(layer.features[1].geometry_problem.is_some());
        let segments = "起点X,起点Y,终点X,终点Y\n1,2,3,4\n";
        let layer = read_csv(
            "segments",
            segments.as_bytes(),
            encoding_rs::UTF_8,
            &columns(),
        )
        .expect("reads");
        assert_eq!(
            layer.features[0].geometry,
            Some(Geometry::LineString(LineString::from(vec![
                (2.0, 1.0),
                (4.0, 3.0)
            ])))
        );
        let none = read_csv("notes", b"a,b\n1,2\n", encoding_rs::UTF_8, &columns()).expect("reads");
        assert!(none.missing_geometry.is_some());
    }
}
