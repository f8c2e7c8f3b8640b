//! The schedule as one GeoPackage (OGC 12-128r18, version 1.3) for desktop GIS: a
//! feature table per overlay kind (`compounds`, `works`, `streets`, `trenches`,
//! `crossings`, `moratorium_conflicts`) with the overlay's properties as typed columns,
//! `start` and `end` as `DATE` columns, and positions in WGS84 or another registered
//! system (CGCS2000, a Gauss-Krüger zone, Web Mercator).
//!
//! Each timed table also gets a default QGIS style in `layer_styles` that sets its
//! temporal properties to the `start` and `end` fields (end included), so QGIS's temporal
//! controller animates the schedule as soon as the layers are added. GDAL ignores that
//! table; the check that GDAL opens the file is `ogrinfo` in the tests.
//!
//! Written with the SQLite the workspace links (`rusqlite`, bundled) into memory and
//! serialised, so the same bytes serve the command line and the HTTP answer.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::NaiveDate;
use geo::{Geometry, MapCoords, MultiLineString, MultiPoint, MultiPolygon};
use geodata::crs::{InputCrs, wkt};
use rusqlite::{Connection, MAIN_DB, params_from_iter};
use serde_json::Value;

use crate::overlay::filter::Filter;
use crate::overlay::{Kind, Overlay, OverlayFeature};

/// The media type of a GeoPackage.
pub const GEOPACKAGE: &str = "application/geopackage+sqlite3";

/// Why a GeoPackage could not be written.
#[derive(Debug, thiserror::Error)]
pub enum GpkgError {
    /// SQLite failed.
    #[error("the GeoPackage could not be written")]
    Sqlite(#[from] rusqlite::Error),
    /// The output system has no EPSG definition (GCJ-02, BD-09).
    #[error("a GeoPackage cannot be written in {crs}: GIS software knows no definition of it")]
    Unregistered {
        /// The system asked for.
        crs: InputCrs,
    },
    /// A feature lies outside the output system's area (a Gauss-Krüger zone).
    #[error("{kind} {id} has positions outside {crs}")]
    Coordinate {
        /// The feature's kind.
        kind: &'static str,
        /// The feature's id.
        id: String,
        /// The output system.
        crs: InputCrs,
    },
}

/// The table name of a kind.
#[must_use]
pub fn table(kind: Kind) -> &'static str {
    match kind {
        Kind::Compound => "compounds",
        Kind::Work => "works",
        Kind::Street => "streets",
        Kind::Trench => "trenches",
        Kind::Crossing => "crossings",
        Kind::MoratoriumConflict => "moratorium_conflicts",
    }
}

/// Properties that are dates whatever their values (so an unscheduled layer still has
/// `DATE` columns).
const DATE_PROPERTIES: &[&str] = &[
    "start",
    "end",
    "deadline",
    "finish_by",
    "paved_on",
    "until",
    "moratorium_until",
];

/// The column type of a property, from its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Date,
    Boolean,
    Integer,
    Real,
    Text,
}

impl Column {
    fn sql(self) -> &'static str {
        match self {
            Column::Date => "DATE",
            Column::Boolean => "BOOLEAN",
            Column::Integer => "INTEGER",
            Column::Real => "REAL",
            Column::Text => "TEXT",
        }
    }

    fn of(name: &str, values: &[&Value]) -> Column {
        if DATE_PROPERTIES.contains(&name) {
            return Column::Date;
        }
        let present: Vec<&&Value> = values.iter().filter(|v| !v.is_null()).collect();
        if present.is_empty() {
            return Column::Text;
        }
        if present.iter().all(|v| v.is_boolean()) {
            Column::Boolean
        } else if present.iter().all(|v| v.is_i64() || v.is_u64()) {
            Column::Integer
        } else if present.iter().all(|v| v.is_number()) {
            Column::Real
        } else if present.iter().all(|v| {
            v.as_str()
                .is_some_and(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok())
        }) {
            Column::Date
        } else {
            Column::Text
        }
    }

    fn value(self, v: Option<&Value>) -> rusqlite::types::Value {
        use rusqlite::types::Value as Sql;
        match v {
            None | Some(Value::Null) => Sql::Null,
            Some(Value::Bool(b)) => Sql::Integer(i64::from(*b)),
            Some(Value::Number(n)) if self == Column::Integer => {
                n.as_i64().map_or(Sql::Null, Sql::Integer)
            }
            Some(Value::Number(n)) => n.as_f64().map_or(Sql::Null, Sql::Real),
            Some(Value::String(s)) => Sql::Text(s.clone()),
            Some(Value::Array(items)) => Sql::Text(
                items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Some(other @ Value::Object(_)) => Sql::Text(other.to_string()),
        }
    }
}

/// The geometry type of a table: one type, its multi form when both occur, else any.
fn geometry_type(features: &[&OverlayFeature]) -> &'static str {
    let mut kinds = BTreeSet::new();
    for f in features {
        kinds.insert(match f.geometry {
            Geometry::Point(_) => "POINT",
            Geometry::MultiPoint(_) => "MULTIPOINT",
            Geometry::Line(_) | Geometry::LineString(_) => "LINESTRING",
            Geometry::MultiLineString(_) => "MULTILINESTRING",
            Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "POLYGON",
            Geometry::MultiPolygon(_) => "MULTIPOLYGON",
            Geometry::GeometryCollection(_) => "GEOMETRYCOLLECTION",
        });
    }
    let only = |a: &str, b: &str| kinds.iter().all(|k| *k == a || *k == b);
    match kinds.len() {
        0 => "GEOMETRY",
        1 => kinds.into_iter().next().unwrap_or("GEOMETRY"),
        _ if only("POINT", "MULTIPOINT") => "MULTIPOINT",
        _ if only("LINESTRING", "MULTILINESTRING") => "MULTILINESTRING",
        _ if only("POLYGON", "MULTIPOLYGON") => "MULTIPOLYGON",
        _ => "GEOMETRY",
    }
}

/// A geometry promoted to the table's multi type when it is the single form.
fn promoted(g: Geometry<f64>, table_type: &str) -> Geometry<f64> {
    match (g, table_type) {
        (Geometry::Point(p), "MULTIPOINT") => Geometry::MultiPoint(MultiPoint::new(vec![p])),
        (Geometry::LineString(l), "MULTILINESTRING") => {
            Geometry::MultiLineString(MultiLineString::new(vec![l]))
        }
        (Geometry::Polygon(p), "MULTIPOLYGON") => {
            Geometry::MultiPolygon(MultiPolygon::new(vec![p]))
        }
        (g, _) => g,
    }
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// The QGIS style that sets a layer's temporal properties to its `start` and `end`
/// fields, end included.
const TEMPORAL_QML: &str = r#"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.28.0" styleCategories="Temporal">
 <temporal enabled="1" mode="1" startField="start" endField="end" startExpression="" endExpression="" durationField="" durationUnit="min" fixedDuration="0" accumulate="0" limitMode="1">
  <fixedRange><start></start><end></end></fixedRange>
 </temporal>
</qgis>
"#;

const SCHEMA: &str = r"
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT, f_table_schema TEXT,
  f_table_name TEXT, f_geometry_column TEXT, styleName TEXT, styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT, ui TEXT, update_time DATETIME DEFAULT CURRENT_TIMESTAMP);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system');
";

/// Writes the features of `overlay` that pass `filter` as a GeoPackage, positions in
/// `crs`, `status` on the filter's day.
///
/// # Errors
/// [`GpkgError::Unregistered`] for GCJ-02 and BD-09; [`GpkgError::Coordinate`] when a
/// feature lies outside `crs`; [`GpkgError::Sqlite`] if SQLite fails.
///
/// # Complexity
/// Linear in the number of positions; the file is built in memory.
pub fn write(overlay: &Overlay, filter: &Filter, crs: InputCrs) -> Result<Vec<u8>, GpkgError> {
    let (Some(code), Some(definition)) = (wkt::epsg_code(crs), wkt::definition(crs)) else {
        return Err(GpkgError::Unregistered { crs });
    };
    let srs_id = i32::try_from(code).unwrap_or(i32::MAX);
    let mut connection = Connection::open_in_memory()?;
    // 'GPKG' and version 1.3.0.
    connection.pragma_update(None, "application_id", 0x4750_4B47)?;
    connection.pragma_update(None, "user_version", 10_300)?;
    let tx = connection.transaction()?;
    tx.execute_batch(SCHEMA)?;
    if code != 4326 {
        let wgs84 = wkt::definition(InputCrs::Wgs84).unwrap_or_default();
        tx.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, 4326, 'EPSG', 4326, ?2, NULL)",
            rusqlite::params![wkt::display_name(InputCrs::Wgs84), wgs84],
        )?;
    }
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, 'EPSG', ?2, ?3, NULL)",
        rusqlite::params![wkt::display_name(crs), srs_id, definition],
    )?;
    let day = filter.status_day();
    for kind in Kind::ALL {
        let features: Vec<&OverlayFeature> = overlay.matching(Some(kind), filter).collect();
        write_table(
            &tx,
            kind,
            &features,
            crs,
            srs_id,
            day,
            &overlay.meta.plan_name,
        )?;
    }
    tx.commit()?;
    Ok(connection.serialize(MAIN_DB)?.to_vec())
}

fn write_table(
    tx: &rusqlite::Transaction<'_>,
    kind: Kind,
    features: &[&OverlayFeature],
    crs: InputCrs,
    srs_id: i32,
    day: NaiveDate,
    plan_name: &str,
) -> Result<(), GpkgError> {
    let name = table(kind);
    let mut columns: Vec<String> = Vec::new();
    for f in features {
        for key in f.properties.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    if kind.is_timed() {
        for key in ["start", "end"] {
            if !columns.iter().any(|c| c == key) {
                columns.push(key.to_owned());
            }
        }
    }
    let types: Vec<Column> = columns
        .iter()
        .map(|c| {
            let values: Vec<&Value> = features
                .iter()
                .filter_map(|f| f.properties.get(c))
                .collect();
            Column::of(c, &values)
        })
        .collect();
    let geometry_type = geometry_type(features);
    let mut ddl = format!(
        "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geometry_type}, id TEXT NOT NULL",
        quoted(name)
    );
    for (c, t) in columns.iter().zip(&types) {
        let _ = write!(ddl, ", {} {}", quoted(c), t.sql());
    }
    if kind.is_timed() {
        ddl.push_str(", status TEXT");
    }
    ddl.push(')');
    tx.execute_batch(&ddl)?;
    let placeholders = (0..columns.len() + 2 + usize::from(kind.is_timed()))
        .map(|i| format!("?{}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let names = std::iter::once("geom".to_owned())
        .chain(std::iter::once("id".to_owned()))
        .chain(columns.iter().map(|c| quoted(c)))
        .chain(kind.is_timed().then(|| "status".to_owned()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut insert = tx.prepare(&format!(
        "INSERT INTO {} ({names}) VALUES ({placeholders})",
        quoted(name)
    ))?;
    let mut bounds: Option<[f64; 4]> = None;
    for f in features {
        let geometry = f
            .geometry
            .try_map_coords(|c| crs.from_wgs84(c).ok_or(()))
            .map_err(|()| GpkgError::Coordinate {
                kind: kind.as_str(),
                id: f.id.clone(),
                crs,
            })?;
        if let Some(r) = geo::BoundingRect::bounding_rect(&geometry) {
            let b = [r.min().x, r.min().y, r.max().x, r.max().y];
            bounds = Some(bounds.map_or(b, |a| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            }));
        }
        let blob = geodata::wkb::write_geopackage(&promoted(geometry, geometry_type), srs_id);
        let mut row: Vec<rusqlite::types::Value> = vec![blob.into(), f.id.clone().into()];
        row.extend(
            columns
                .iter()
                .zip(&types)
                .map(|(c, t)| t.value(f.properties.get(c))),
        );
        if kind.is_timed() {
            row.push(f.status(day).map_or(rusqlite::types::Value::Null, |s| {
                s.as_str().to_owned().into()
            }));
        }
        insert.execute(params_from_iter(row))?;
    }
    register(tx, kind, (geometry_type, srs_id), bounds, plan_name)
}

/// Registers a written table in `gpkg_contents` and `gpkg_geometry_columns`, with the
/// QGIS temporal style of a timed kind.
fn register(
    tx: &rusqlite::Transaction<'_>,
    kind: Kind,
    (geometry_type, srs_id): (&str, i32),
    bounds: Option<[f64; 4]>,
    plan_name: &str,
) -> Result<(), GpkgError> {
    let name = table(kind);
    let [min_x, min_y, max_x, max_y] = bounds.map_or([None; 4], |b| b.map(Some));
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) \
         VALUES (?1, 'features', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![name, format!("{} ({plan_name})", kind.title()), format!("digonce {} of plan {plan_name}", kind.title().to_lowercase()), min_x, min_y, max_x, max_y, srs_id],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        rusqlite::params![name, geometry_type, srs_id],
    )?;
    if kind.is_timed() {
        tx.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) \
             VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS default styles')",
            [],
        )?;
        tx.execute(
            "INSERT INTO layer_styles (f_table_name, f_geometry_column, styleName, styleQML, useAsDefault, description) \
             VALUES (?1, 'geom', ?2, ?3, 1, 'digonce: start and end drive the temporal controller')",
            rusqlite::params![name, format!("{name} (temporal)"), TEMPORAL_QML],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_follow_the_values_and_dates_are_named() {
        let (yes, no, three, half, water, day) = (
            Value::Bool(true),
            Value::Bool(false),
            Value::from(3),
            Value::from(2.5),
            Value::from("water"),
            Value::from("2026-05-01"),
        );
        assert_eq!(Column::of("start", &[]), Column::Date);
        assert_eq!(
            Column::of("exception", &[&yes, &no, &Value::Null]),
            Column::Boolean
        );
        assert_eq!(Column::of("households", &[&three]), Column::Integer);
        assert_eq!(Column::of("length_m", &[&three, &half]), Column::Real);
        assert_eq!(Column::of("since", &[&day]), Column::Date);
        assert_eq!(Column::of("utility", &[&water, &day]), Column::Text);
        assert_eq!(
            Column::Text.value(Some(&serde_json::json!(["water", "gas"]))),
            rusqlite::types::Value::Text("water, gas".into())
        );
    }

    #[test]
    fn mixed_single_and_multi_geometries_share_the_multi_type() {
        use geo::{Point, line_string};
        let feature = |g: Geometry<f64>| OverlayFeature {
            kind: Kind::Work,
            id: "w".into(),
            geometry: g,
            bbox: [0.0; 4],
            start: None,
            end: None,
            deadline: None,
            properties: serde_json::Map::new(),
        };
        let line = feature(Geometry::LineString(
            line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)],
        ));
        let multi = feature(Geometry::MultiLineString(MultiLineString::new(vec![])));
        let point = feature(Geometry::Point(Point::new(0.0, 0.0)));
        assert_eq!(geometry_type(&[&line]), "LINESTRING");
        assert_eq!(geometry_type(&[&line, &multi]), "MULTILINESTRING");
        assert_eq!(geometry_type(&[&line, &point]), "GEOMETRY");
        assert!(matches!(
            promoted(line.geometry.clone(), "MULTILINESTRING"),
            Geometry::MultiLineString(_)
        ));
    }
}
