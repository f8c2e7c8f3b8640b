//! What every format reader produces: layers of features with named attribute values and
//! a geometry in the layer's own coordinate system.
//!
//! A *layer* is a Shapefile, a GeoPackage feature table, a DXF layer, a CSV file, an XLSX
//! sheet or a GeoJSON file. Its features keep their position in the layer (`number`,
//! from 1) so every problem can point back at the record a planner sees in their GIS.

use chrono::NaiveDate;
use geo::Geometry;

use crate::crs::InputCrs;

/// One attribute value as the source holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// Text (already decoded to UTF-8).
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A floating-point number.
    Real(f64),
    /// A logical value.
    Bool(bool),
    /// A calendar date (DBF `D` fields, GeoPackage `DATE`, spreadsheet dates).
    Date(NaiveDate),
}

impl FieldValue {
    /// The value as a planner would read it in their GIS (numbers without a trailing
    /// `.0`, dates ISO).
    #[must_use]
    pub fn display(&self) -> String {
        match self {
            FieldValue::Text(t) => t.clone(),
            FieldValue::Integer(i) => i.to_string(),
            FieldValue::Real(r) if r.fract() == 0.0 && r.abs() < 1e15 => format!("{r:.0}"),
            FieldValue::Real(r) => r.to_string(),
            FieldValue::Bool(b) => b.to_string(),
            FieldValue::Date(d) => d.to_string(),
        }
    }

    /// Whether the value carries nothing (empty or blank text).
    #[must_use]
    pub fn is_blank(&self) -> bool {
        matches!(self, FieldValue::Text(t) if t.trim().is_empty())
    }
}

/// The coordinate system a layer says it is in.
#[derive(Debug, Clone, PartialEq)]
pub enum DeclaredCrs {
    /// The format or the file says nothing (DXF, CSV, a Shapefile without `.prj`).
    Undeclared,
    /// A system digonce reads.
    Known(InputCrs),
    /// A declared system digonce does not read: the reason, for the report.
    Unrecognised(String),
}

/// Why a record's geometry could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeometryProblem {
    /// One sentence.
    pub message: String,
}

/// One record of a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFeature {
    /// Position in the layer, from 1 (the record number a GIS shows, or the DXF entity's
    /// position on its layer, or the data row of a table).
    pub number: usize,
    /// Values aligned with [`SourceLayer::fields`]; `None` where the record has none.
    pub values: Vec<Option<FieldValue>>,
    /// The geometry in the layer's coordinate system; `None` for a record without one.
    pub geometry: Option<Geometry<f64>>,
    /// Set when the record has a geometry digonce cannot read (an arc, a multipatch).
    pub geometry_problem: Option<GeometryProblem>,
}

/// A layer as read from a source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceLayer {
    /// The layer's name (file stem, table, DXF layer, sheet).
    pub name: String,
    /// Attribute names, in the source's order.
    pub fields: Vec<String>,
    /// The coordinate system the layer declares.
    pub crs: DeclaredCrs,
    /// The records.
    pub features: Vec<SourceFeature>,
    /// Records the reader passed over because they hold nothing digonce reads (DXF
    /// text, dimensions, hatches...), by kind, for the import summary.
    pub passed_over: Vec<(String, usize)>,
    /// Set when the layer has no geometry at all (a table without a WKT or coordinate
    /// column): why, in one sentence.
    pub missing_geometry: Option<String>,
}

impl SourceLayer {
    /// An empty layer called `name`.
    #[must_use]
    pub fn new(name: impl Into<String>, fields: Vec<String>, crs: DeclaredCrs) -> Self {
        Self {
            name: name.into(),
            fields,
            crs,
            features: Vec::new(),
            passed_over: Vec::new(),
            missing_geometry: None,
        }
    }

    /// The index of the field called `name`: exact, then ignoring case and surrounding
    /// blanks.
    #[must_use]
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f == name).or_else(|| {
            let wanted = name.trim().to_lowercase();
            self.fields
                .iter()
                .position(|f| f.trim().to_lowercase() == wanted)
        })
    }

    /// Counts one passed-over record of `kind`.
    pub fn pass_over(&mut self, kind: &str) {
        match self.passed_over.iter_mut().find(|(k, _)| k == kind) {
            Some((_, n)) => *n += 1,
            None => self.passed_over.push((kind.to_owned(), 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_display_as_a_gis_shows_them() {
        assert_eq!(FieldValue::Real(300.0).display(), "300");
        assert_eq!(FieldValue::Real(2.5).display(), "2.5");
        let date = NaiveDate::from_ymd_opt(2026, 5, 1).expect("date");
        assert_eq!(FieldValue::Date(date).display(), "2026-05-01");
        assert!(FieldValue::Text("  ".into()).is_blank());
        assert!(!FieldValue::Integer(0).is_blank());
    }

    #[test]
    fn fields_are_found_ignoring_case_and_blanks() {
        let layer = SourceLayer::new(
            "JS",
            vec!["管线类型".into(), "Owner ".into()],
            DeclaredCrs::Undeclared,
        );
        assert_eq!(layer.field_index("管线类型"), Some(0));
        assert_eq!(layer.field_index("owner"), Some(1));
        assert_eq!(layer.field_index("utility"), None);
    }
}
