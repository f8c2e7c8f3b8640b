//! GeoPackages (OGC 12-128r18): every feature table listed in `gpkg_contents`, with its
//! geometry column from `gpkg_geometry_columns`, its coordinate system from
//! `gpkg_spatial_ref_sys`, and its other columns as attributes. Read through the SQLite
//! that the workspace already links (`rusqlite`, bundled), from memory.
//!
//! A coordinate system is taken from the row's `organization` and
//! `organization_coordsys_id` when the organization is EPSG and digonce supports the
//! code, else from its `definition` WKT ([`crate::crs::wkt::recognise`]); srs ids 0 and
//! -1 ("undefined") declare nothing.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB, OpenFlags};

use super::ReadError;
use super::layer::{DeclaredCrs, FieldValue, GeometryProblem, SourceFeature, SourceLayer};
use crate::crs::InputCrs;
use crate::wkb;

/// Opens the bytes of a GeoPackage as a read-only in-memory database.
fn open(bytes: &[u8]) -> Result<Connection, ReadError> {
    let mut connection = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    connection.deserialize_read_exact(MAIN_DB, bytes, bytes.len(), true)?;
    Ok(connection)
}

/// The coordinate system of a `gpkg_spatial_ref_sys` row.
fn declared(connection: &Connection, srs_id: i64) -> Result<DeclaredCrs, ReadError> {
    if srs_id == 0 || srs_id == -1 {
        return Ok(DeclaredCrs::Undeclared);
    }
    let row: Option<(String, String, i64, String)> = connection
        .query_row(
            "SELECT srs_name, organization, organization_coordsys_id, definition \
             FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            other => Err(other),
        })?;
    let Some((name, organization, code, definition)) = row else {
        return Ok(DeclaredCrs::Unrecognised(format!(
            "srs_id {srs_id} is not in gpkg_spatial_ref_sys"
        )));
    };
    if organization.eq_ignore_ascii_case("EPSG")
        && let Ok(crs) = format!("epsg:{code}").parse::<InputCrs>()
    {
        return Ok(DeclaredCrs::Known(crs));
    }
    Ok(match crate::crs::wkt::recognise(&definition) {
        Ok(crs) => DeclaredCrs::Known(crs),
        Err(why) => DeclaredCrs::Unrecognised(format!("{name} ({organization}:{code}): {why}")),
    })
}

fn value(v: ValueRef<'_>, declared_type: &str) -> Option<FieldValue> {
    let date_typed = declared_type.eq_ignore_ascii_case("DATE")
        || declared_type.eq_ignore_ascii_case("DATETIME");
    match v {
        ValueRef::Null | ValueRef::Blob(_) => None,
        ValueRef::Integer(i) if declared_type.eq_ignore_ascii_case("BOOLEAN") => {
            Some(FieldValue::Bool(i != 0))
        }
        ValueRef::Integer(i) => Some(FieldValue::Integer(i)),
        ValueRef::Real(r) => Some(FieldValue::Real(r)),
        ValueRef::Text(t) => {
            let text = String::from_utf8_lossy(t).into_owned();
            if date_typed
                && let Some(date) = text
                    .get(0..10)
                    .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            {
                return Some(FieldValue::Date(date));
            }
            Some(FieldValue::Text(text))
        }
    }
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Reads every feature table of a GeoPackage.
///
/// # Errors
/// [`ReadError::GeoPackage`] when the bytes are not a GeoPackage SQLite can read;
/// [`ReadError::Format`] when it has no feature table.
pub fn read(bytes: &[u8]) -> Result<Vec<SourceLayer>, ReadError> {
    let connection = open(bytes)?;
    let mut tables = connection.prepare(
        "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c \
         JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
         WHERE c.data_type = 'features' ORDER BY c.table_name",
    )?;
    let tables: Vec<(String, String, i64)> = tables
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    if tables.is_empty() {
        return Err(ReadError::Format(
            "the GeoPackage has no feature table (gpkg_contents lists none)".into(),
        ));
    }
    let mut layers = Vec::with_capacity(tables.len());
    for (table, geometry_column, srs_id) in tables {
        let crs = declared(&connection, srs_id)?;
        let mut columns = connection.prepare(&format!("PRAGMA table_info({})", quoted(&table)))?;
        // (name, declared type, primary key)
        let columns: Vec<(String, String, bool)> = columns
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get::<_, i64>(5)? > 0)))?
            .collect::<Result<_, _>>()?;
        let attributes: Vec<&(String, String, bool)> = columns
            .iter()
            .filter(|(name, _, _)| !name.eq_ignore_ascii_case(&geometry_column))
            .collect();
        let select = attributes
            .iter()
            .map(|(name, _, _)| quoted(name))
            .chain(std::iter::once(quoted(&geometry_column)))
            .collect::<Vec<_>>()
            .join(", ");
        let fields: Vec<String> = attributes.iter().map(|(n, _, _)| n.clone()).collect();
        let mut layer = SourceLayer::new(&table, fields, crs);
        let order = columns
            .iter()
            .find(|(_, _, pk)| *pk)
            .map_or_else(|| "rowid".to_owned(), |(n, _, _)| quoted(n));
        let mut rows = connection.prepare(&format!(
            "SELECT {select} FROM {} ORDER BY {order}",
            quoted(&table)
        ))?;
        let mut cursor = rows.query([])?;
        let mut number = 0;
        while let Some(row) = cursor.next()? {
            number += 1;
            let mut values = Vec::with_capacity(attributes.len());
            for (i, (_, declared_type, _)) in attributes.iter().enumerate() {
                values.push(value(row.get_ref(i)?, declared_type));
            }
            let (geometry, geometry_problem) = match row.get_ref(attributes.len())? {
                ValueRef::Blob(blob) => match wkb::read_geopackage(blob) {
                    Ok(g) => (g, None),
                    Err(e) => (
                        None,
                        Some(GeometryProblem {
                            message: e.to_string(),
                        }),
                    ),
                },
                _ => (None, None),
            };
            layer.features.push(SourceFeature {
                number,
                values,
                geometry,
                geometry_problem,
            });
        }
        layers.push(layer);
    }
    Ok(layers)
}
