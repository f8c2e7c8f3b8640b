//! Importing the files planners hold: Shapefiles (or zipped ones), GeoPackages, DXF
//! drawings, CSV and XLSX tables and generic GeoJSON, merged into one plan of the format
//! `docs/input-format.md` describes, through a [`mapping::Mapping`] (`docs/import.md`).
//!
//! [`import`] reads every source into layers ([`layer::SourceLayer`]), lets the mapping's
//! first matching rule turn each record into a plan feature, reprojects it to WGS84 from
//! the layer's declared system (a `.prj`, a GeoPackage srs) or the one the caller names,
//! writes the plan GeoJSON and validates it with [`crate::ingest::ingest`]. Every problem
//! is reported at once, each as a validation [`Issue`] whose `origin` names the source,
//! layer, record, field and value; a layer no rule takes is passed over and listed in the
//! [`ImportSummary`], never silently.

mod collection;
mod dxf;
mod geojson;
mod geopackage;
pub mod layer;
pub mod mapping;
mod shapefile;
mod source;
mod table;
mod wkt;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::crs::InputCrs;
use crate::ingest::{IngestError, IngestOptions, ingest};
use crate::plan::Plan;
use crate::validation::{Issue, IssueCode, IssueOrigin, ValidationReport};
use layer::{DeclaredCrs, SourceLayer};
use mapping::Mapping;
use mapping::RecordContext;
pub use source::{ReadError, Source, SourceFormat};

/// Why an import could not produce a plan.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A file named on the command line could not be opened.
    #[error("could not open {}", path.display())]
    Open {
        /// The path given.
        path: std::path::PathBuf,
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
    /// The file's kind is not one digonce imports.
    #[error(
        "{name}: not a file digonce imports (Shapefile .shp or .zip, GeoPackage .gpkg, DXF .dxf, CSV .csv, XLSX .xlsx, GeoJSON .geojson)"
    )]
    UnknownFormat {
        /// The file's name.
        name: String,
    },
    /// A source could not be read at all (corrupt, truncated, binary DXF...).
    #[error("could not read {name}")]
    Read {
        /// The source's name.
        name: String,
        /// What went wrong.
        #[source]
        source: Box<ReadError>,
    },
    /// The plan could not be encoded (not expected: it is plain JSON).
    #[error("the converted plan could not be encoded")]
    Encode {
        /// The encoder's report.
        #[source]
        source: serde_json::Error,
    },
    /// Records did not map, or the converted plan does not validate: every problem.
    #[error("the import has {} problem(s)", failure.report.problems.len())]
    Invalid {
        /// The problems, the summary and the converted plan.
        failure: Box<ImportFailure>,
    },
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The coordinate system of layers that declare none (or one digonce does not read).
    pub crs: Option<InputCrs>,
    /// Plan settings (the `"plan"` member) over the mapping's own `[plan]`.
    pub settings: Map<String, Value>,
    /// The plan's name when neither gives one.
    pub default_name: String,
    /// The plan's start when neither gives one.
    pub default_start: NaiveDate,
}

/// What happened to one source layer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LayerReport {
    /// The source file (`survey.zip/给水管线.shp`).
    pub source: String,
    /// The layer.
    pub layer: String,
    /// The source format.
    pub format: &'static str,
    /// The label of the mapping rule that took it; `None` when no rule did.
    pub rule: Option<String>,
    /// The coordinate system its positions were read in.
    pub crs: Option<String>,
    /// Records in the layer.
    pub records: usize,
    /// Records that became plan features.
    pub imported: usize,
    /// Records left out on purpose (a rule of kind `skip`, a value mapped to `(skip)`),
    /// or the whole layer when no rule took it.
    pub skipped: usize,
    /// Drawing elements the reader does not import (DXF text, arcs...), by kind.
    pub passed_over: Vec<(String, usize)>,
    /// Properties filled by a mapping default or fallback rather than the record, with
    /// how many records got each.
    pub defaulted: BTreeMap<String, usize>,
}

/// What an import did, layer by layer.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ImportSummary {
    /// Every layer of every source, in reading order.
    pub layers: Vec<LayerReport>,
}

/// A successful import.
#[derive(Debug)]
pub struct Imported {
    /// The validated plan.
    pub plan: Plan,
    /// The plan as GeoJSON (WGS84), the bytes validated.
    pub geojson: Vec<u8>,
    /// What happened to each layer.
    pub summary: ImportSummary,
}

/// An import with problems.
#[derive(Debug)]
pub struct ImportFailure {
    /// Every problem: mapping and coordinate problems first, then validation's.
    pub report: ValidationReport,
    /// What happened to each layer.
    pub summary: ImportSummary,
    /// The converted plan as far as it goes, to inspect (not a valid plan).
    pub geojson: Vec<u8>,
}

/// Where one output feature came from, and which source fields filled which property.
struct Provenance {
    origin: IssueOrigin,
    fields: Vec<(String, String, String)>,
}

/// The state of one import run.
#[derive(Default)]
struct Run {
    features: Vec<Value>,
    provenance: Vec<Provenance>,
    problems: Vec<Issue>,
    reported: BTreeSet<String>,
    ids: BTreeSet<String>,
    summary: ImportSummary,
}

fn origin(source: &str, layer: &str, record: Option<usize>) -> IssueOrigin {
    IssueOrigin {
        source: source.to_owned(),
        layer: Some(layer.to_owned()),
        record,
        field: None,
        value: None,
    }
}

fn problem(code: IssueCode, message: String, origin: IssueOrigin) -> Issue {
    Issue {
        code,
        feature_id: None,
        feature_index: None,
        pointer: String::new(),
        message,
        origin: Some(origin),
    }
}

/// A hint for positions that look like a Gauss-Krüger easting with its zone number (a
/// hint in the message only: the system is never chosen from the numbers).
fn zone_hint(c: geo::Coord<f64>) -> String {
    let zone_of = |v: f64| -> Option<(u32, u32)> {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked to lie between 13 and 45 million first"
        )]
        let zone = (v / 1_000_000.0).floor() as u32;
        match zone {
            13..=23 if v >= 13e6 => Some((zone, 4491 + zone - 13)),
            25..=45 if v >= 25e6 => Some((zone, 4513 + zone - 25)),
            _ => None,
        }
    };
    if let Some((zone, epsg)) = zone_of(c.x) {
        format!(
            " (an easting of {:.0} carries the zone number {zone}: if the data is CGCS2000, that is --crs epsg:{epsg})",
            c.x
        )
    } else if let Some((zone, _)) = zone_of(c.y) {
        format!(
            " (the second number, {:.0}, looks like an easting of zone {zone}: are the x and y columns swapped?)",
            c.y
        )
    } else {
        String::new()
    }
}

impl Run {
    fn layer(&mut self, read: &source::ReadLayer, mapping: &Mapping, options: &ImportOptions) {
        let layer: &SourceLayer = &read.layer;
        let mut report = LayerReport {
            source: read.source.clone(),
            layer: layer.name.clone(),
            format: read.format.as_str(),
            rule: None,
            crs: None,
            records: layer.features.len(),
            imported: 0,
            skipped: 0,
            passed_over: layer.passed_over.clone(),
            defaulted: BTreeMap::new(),
        };
        let Some(rule) = mapping.rule_for(layer, read.format.as_str()) else {
            report.skipped = layer.features.len();
            self.summary.layers.push(report);
            return;
        };
        report.rule = Some(rule.label.clone());
        if rule.kind.is_skip() || layer.features.is_empty() {
            report.skipped = layer.features.len();
            self.summary.layers.push(report);
            return;
        }
        let layer_origin = origin(&read.source, &layer.name, None);
        if let Some(why) = &layer.missing_geometry {
            self.problems.push(problem(
                IssueCode::EmptyGeometry,
                format!("{why}."),
                layer_origin,
            ));
            self.summary.layers.push(report);
            return;
        }
        let Some(crs) = self.layer_crs(layer, options.crs, &layer_origin) else {
            self.summary.layers.push(report);
            return;
        };
        report.crs = Some(crs.to_string());
        for feature in &layer.features {
            self.record(read, rule, crs, feature, &mut report);
        }
        self.summary.layers.push(report);
    }

    /// One record of a layer: mapped, reprojected and added, or its problems noted.
    fn record(
        &mut self,
        read: &source::ReadLayer,
        rule: &mapping::LayerRule,
        crs: InputCrs,
        feature: &layer::SourceFeature,
        report: &mut LayerReport,
    ) {
        let layer = &read.layer;
        let record = RecordContext {
            layer,
            source_stem: &read.stem,
            feature,
        };
        let mapped = rule.apply(&record);
        if mapped.skipped_by.is_some() {
            report.skipped += 1;
            return;
        }
        let record_origin = origin(&read.source, &layer.name, Some(feature.number));
        let Some(kind) = mapped.kind else {
            for p in mapped.problems {
                let mut o = record_origin.clone();
                o.field = Some(p.field);
                o.value = Some(p.value);
                self.problems.push(problem(p.code, p.message, o));
            }
            return;
        };
        let geometry = match (&feature.geometry, &feature.geometry_problem) {
            (_, Some(why)) => {
                self.problems.push(problem(
                    IssueCode::UnsupportedGeometry,
                    format!("The record's geometry cannot be read: {}.", why.message),
                    record_origin,
                ));
                return;
            }
            (None, None) => None,
            (Some(g), None) => match collection::to_wgs84(g, crs) {
                Ok(wgs) => Some(collection::shaped(wgs, kind, rule.point_square_m)),
                Err(out) => {
                    self.problems.push(problem(
                        IssueCode::CoordinateOutOfRange,
                        format!(
                            "The position ({}, {}) is not a valid position in {crs}; is --crs right?{}",
                            out.position.x,
                            out.position.y,
                            zone_hint(out.position)
                        ),
                        record_origin,
                    ));
                    return;
                }
            },
        };
        let index = self.features.len();
        let mut properties = mapped.properties;
        self.unique_id(&mut properties, mapped.defaulted.iter().any(|d| d == "id"));
        let id = properties
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        properties.insert(
            "x_source".into(),
            Value::String(if layer.name == read.stem {
                format!("{} #{}", read.source, feature.number)
            } else {
                format!("{} / {} #{}", read.source, layer.name, feature.number)
            }),
        );
        for p in mapped.problems {
            let pointer = format!("/features/{index}/properties/{}", p.property);
            self.reported.insert(pointer.clone());
            let mut o = record_origin.clone();
            o.field = Some(p.field);
            o.value = Some(p.value);
            self.problems.push(Issue {
                code: p.code,
                feature_id: id.clone(),
                feature_index: Some(index),
                pointer,
                message: p.message,
                origin: Some(o),
            });
        }
        for d in mapped.defaulted {
            *report.defaulted.entry(d).or_default() += 1;
        }
        self.features
            .push(collection::feature(kind, properties, geometry.as_ref()));
        self.provenance.push(Provenance {
            origin: record_origin,
            fields: mapped.fields,
        });
        report.imported += 1;
    }

    /// The system a layer's positions are read in; `None` (with the problem noted) when
    /// it has none digonce can use.
    fn layer_crs(
        &mut self,
        layer: &SourceLayer,
        named: Option<InputCrs>,
        layer_origin: &IssueOrigin,
    ) -> Option<InputCrs> {
        match (&layer.crs, named) {
            (DeclaredCrs::Known(crs), _) => Some(*crs),
            (DeclaredCrs::Unrecognised(_) | DeclaredCrs::Undeclared, Some(crs)) => Some(crs),
            (DeclaredCrs::Unrecognised(why), None) => {
                self.problems.push(problem(
                IssueCode::UnknownCrs,
                format!("The layer declares a coordinate system digonce does not read: {why}; name the system its positions are in with --crs (?crs= over HTTP)."),
                layer_origin.clone(),
            ));
                None
            }
            (DeclaredCrs::Undeclared, None) => {
                let first = layer
                    .features
                    .iter()
                    .filter_map(|f| f.geometry.as_ref())
                    .find_map(collection::first_position);
                if let Some(c) = first.filter(|c| InputCrs::Wgs84.to_wgs84(*c).is_none()) {
                    self.problems.push(problem(
                    IssueCode::CrsRequired,
                    format!(
                        "The layer has no coordinate system of its own and its positions are not longitude/latitude (the first is {}, {}); name the system with --crs (?crs= over HTTP){}.",
                        c.x,
                        c.y,
                        zone_hint(c)
                    ),
                    layer_origin.clone(),
                ));
                    return None;
                }
                Some(InputCrs::Wgs84)
            }
        }
    }

    /// Keeps ids unique: an id the mapping generated (`JS-3`) that is already taken gets
    /// a suffix (`JS-3.2`); ids from the records are left for validation to judge.
    fn unique_id(&mut self, properties: &mut Map<String, Value>, generated: bool) {
        let Some(id) = properties
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return;
        };
        let mut unique = id.clone();
        if generated {
            let mut n = 2;
            while self.ids.contains(&unique) {
                unique = format!("{id}.{n}");
                n += 1;
            }
            properties.insert("id".into(), Value::String(unique.clone()));
        }
        self.ids.insert(unique);
    }

    /// Validation's problems, with the origin of each feature's record (and, when the
    /// problem is in a property filled from a field, that field and its value); problems
    /// the import already reported for the same member are dropped.
    fn with_origins(&self, problems: Vec<Issue>) -> Vec<Issue> {
        problems
            .into_iter()
            .filter(|p| !self.reported.contains(&p.pointer))
            .map(|mut p| {
                if let Some(from) = p.feature_index.and_then(|i| self.provenance.get(i)) {
                    let mut o = from.origin.clone();
                    let property = p.pointer.rsplit('/').next().unwrap_or_default();
                    if let Some((_, field, value)) =
                        from.fields.iter().find(|(prop, _, _)| prop == property)
                    {
                        o.field = Some(field.clone());
                        o.value = Some(value.clone());
                    }
                    p.origin = Some(o);
                }
                p
            })
            .collect()
    }
}

/// The `"plan"` member: the mapping's `[plan]`, then the caller's settings, then a name
/// and start date when neither gave one.
fn plan_member(mapping: &Mapping, options: &ImportOptions) -> Map<String, Value> {
    let mut plan = mapping.plan.clone();
    plan.extend(options.settings.clone());
    plan.entry("name")
        .or_insert_with(|| Value::String(options.default_name.clone()));
    plan.entry("start")
        .or_insert_with(|| Value::String(options.default_start.to_string()));
    plan
}

/// The plan GeoJSON: the `"plan"` member, then one feature per line, each written
/// `type`, `properties` (`kind` and `id` first), `geometry` as people read them.
fn encode(plan: &Map<String, Value>, features: &[Value]) -> Result<Vec<u8>, ImportError> {
    let encode = |v: &Value| serde_json::to_vec(v).map_err(|source| ImportError::Encode { source });
    let mut out = b"{\"type\":\"FeatureCollection\",\"plan\":".to_vec();
    out.extend(encode(&Value::Object(plan.clone()))?);
    out.extend_from_slice(b",\"features\":[");
    let empty = Map::new();
    for (i, f) in features.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
        out.extend_from_slice(b"{\"type\":\"Feature\",\"properties\":{");
        let properties = f
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let first = ["kind", "id"]
            .into_iter()
            .filter_map(|k| properties.get_key_value(k));
        let rest = properties
            .iter()
            .filter(|(k, _)| *k != "kind" && *k != "id");
        for (j, (key, value)) in first.chain(rest).enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.extend(encode(&Value::String(key.clone()))?);
            out.push(b':');
            out.extend(encode(value)?);
        }
        out.extend_from_slice(b"},\"geometry\":");
        out.extend(encode(f.get("geometry").unwrap_or(&Value::Null))?);
        out.push(b'}');
    }
    out.extend_from_slice(b"\n]}\n");
    Ok(out)
}

/// Imports `sources` through `mapping` into one validated plan.
///
/// # Errors
/// [`ImportError::Read`] or [`ImportError::UnknownFormat`] when a source cannot be read
/// at all; [`ImportError::Invalid`] with every problem (records that do not map,
/// positions out of range, and validation of the converted plan) otherwise.
///
/// # Complexity
/// Linear in the size of the sources, plus validation's cost on the converted plan. Every
/// source is held in memory while it is read.
pub fn import(
    sources: &[Source],
    mapping: &Mapping,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let mut run = Run::default();
    for source in sources {
        for read in source.layers(mapping)? {
            run.layer(&read, mapping, options);
        }
    }
    let geojson = encode(&plan_member(mapping, options), &run.features)?;
    let validated = ingest(geojson.as_slice(), &IngestOptions::default());
    let mut problems = std::mem::take(&mut run.problems);
    match validated {
        Ok(plan) if problems.is_empty() => Ok(Imported {
            plan,
            geojson,
            summary: run.summary,
        }),
        Ok(_) => Err(invalid(problems, run.summary, geojson)),
        Err(IngestError::Invalid(report)) => {
            problems.extend(run.with_origins(report.problems));
            Err(invalid(problems, run.summary, geojson))
        }
        Err(IngestError::Read { source }) => Err(ImportError::Read {
            name: "the converted plan".into(),
            source: Box::new(ReadError::Io(source)),
        }),
    }
}

fn invalid(problems: Vec<Issue>, summary: ImportSummary, geojson: Vec<u8>) -> ImportError {
    ImportError::Invalid {
        failure: Box::new(ImportFailure {
            report: ValidationReport { problems },
            summary,
            geojson,
        }),
    }
}

#[cfg(test)]
mod tests;
