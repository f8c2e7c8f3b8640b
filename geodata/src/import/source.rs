//! Sources: one file to import (with a Shapefile's sibling files), its format, and the
//! dispatch to the format's reader. A zip archive is opened and every file in it that
//! digonce imports becomes a source of its own (`survey.zip/给水管线.shp`); file names
//! in archives made on Chinese Windows (GBK, without the UTF-8 flag) are decoded with
//! the mapping's encoding.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;

use super::layer::SourceLayer;
use super::mapping::Mapping;
use super::{ImportError, dxf, geojson, geopackage, shapefile, table};

/// The kinds of file `digonce import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// An ESRI Shapefile (`.shp` with `.dbf`, `.prj`, `.cpg` beside it).
    Shapefile,
    /// A zip archive of Shapefiles (or of any other sources).
    Zip,
    /// An OGC GeoPackage.
    GeoPackage,
    /// An ASCII DXF drawing.
    Dxf,
    /// A CSV table.
    Csv,
    /// An Excel workbook.
    Xlsx,
    /// A GeoJSON FeatureCollection with properties of any names.
    GeoJson,
}

impl SourceFormat {
    /// Every format.
    pub const ALL: [SourceFormat; 7] = [
        SourceFormat::Shapefile,
        SourceFormat::Zip,
        SourceFormat::GeoPackage,
        SourceFormat::Dxf,
        SourceFormat::Csv,
        SourceFormat::Xlsx,
        SourceFormat::GeoJson,
    ];

    /// The name mapping rules use in `formats`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::Shapefile => "shapefile",
            SourceFormat::Zip => "zip",
            SourceFormat::GeoPackage => "geopackage",
            SourceFormat::Dxf => "dxf",
            SourceFormat::Csv => "csv",
            SourceFormat::Xlsx => "xlsx",
            SourceFormat::GeoJson => "geojson",
        }
    }

    /// The media type of an upload in this format.
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            SourceFormat::Shapefile => "application/x-shapefile",
            SourceFormat::Zip => "application/zip",
            SourceFormat::GeoPackage => "application/geopackage+sqlite3",
            SourceFormat::Dxf => "image/vnd.dxf",
            SourceFormat::Csv => "text/csv",
            SourceFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            SourceFormat::GeoJson => "application/geo+json",
        }
    }

    /// The format of an upload's media type (`application/zip` ...); a Shapefile alone
    /// cannot be uploaded (its siblings would be missing), so it has none.
    #[must_use]
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        let media_type = media_type.trim().to_ascii_lowercase();
        match media_type.as_str() {
            "application/zip" | "application/x-zip-compressed" => Some(SourceFormat::Zip),
            "application/geopackage+sqlite3" => Some(SourceFormat::GeoPackage),
            "image/vnd.dxf" | "application/dxf" | "image/x-dxf" => Some(SourceFormat::Dxf),
            "text/csv" => Some(SourceFormat::Csv),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
                Some(SourceFormat::Xlsx)
            }
            _ => None,
        }
    }

    /// The format of a file by its extension (case-insensitive).
    #[must_use]
    pub fn from_file_name(name: &str) -> Option<Self> {
        let extension = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "shp" => Some(SourceFormat::Shapefile),
            "zip" => Some(SourceFormat::Zip),
            "gpkg" => Some(SourceFormat::GeoPackage),
            "dxf" => Some(SourceFormat::Dxf),
            "csv" | "txt" | "tsv" => Some(SourceFormat::Csv),
            "xlsx" => Some(SourceFormat::Xlsx),
            "geojson" | "json" => Some(SourceFormat::GeoJson),
            _ => None,
        }
    }
}

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The `.shp` is not a Shapefile.
    #[error("the Shapefile could not be read")]
    Shapefile(#[from] ::shapefile::Error),
    /// The `.dbf` attribute table is not readable.
    #[error("the Shapefile's .dbf table could not be read")]
    Dbase(#[from] ::shapefile::dbase::Error),
    /// The archive is not a zip file.
    #[error("the zip archive could not be read")]
    Zip(#[from] zip::result::ZipError),
    /// The GeoPackage is not an SQLite database with the GeoPackage tables.
    #[error("the GeoPackage could not be read")]
    GeoPackage(#[from] rusqlite::Error),
    /// The CSV file is malformed.
    #[error("the CSV file could not be read")]
    Csv(#[from] csv::Error),
    /// The workbook is not XLSX.
    #[error("the XLSX workbook could not be read")]
    Xlsx(#[from] calamine::XlsxError),
    /// The GeoJSON is not JSON.
    #[error("the GeoJSON could not be read")]
    Json(#[from] serde_json::Error),
    /// Reading failed.
    #[error("the file could not be read")]
    Io(#[from] std::io::Error),
    /// The file has the wrong structure for its format (one sentence).
    #[error("{0}")]
    Format(String),
}

/// One file to import.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file's name as the planner knows it (for reports).
    pub name: String,
    /// Its format.
    pub format: SourceFormat,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// For a Shapefile: the sibling files by lower-case extension (`dbf`, `prj`, `cpg`).
    pub siblings: BTreeMap<String, Vec<u8>>,
}

/// A layer read from a source, with where it came from.
#[derive(Debug, Clone)]
pub(super) struct ReadLayer {
    /// The source's name for reports (`survey.zip/给水管线.shp`).
    pub source: String,
    /// The source file's stem (`{source}` in mapping defaults).
    pub stem: String,
    /// Its format.
    pub format: SourceFormat,
    /// The layer.
    pub layer: SourceLayer,
}

fn stem_of(name: &str) -> String {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(file)
        .to_owned()
}

impl Source {
    /// A source held in memory.
    #[must_use]
    pub fn new(name: impl Into<String>, format: SourceFormat, bytes: Vec<u8>) -> Self {
        Self {
            name: name.into(),
            format,
            bytes,
            siblings: BTreeMap::new(),
        }
    }

    /// Reads a file (and, for a `.shp`, its `.dbf`, `.prj` and `.cpg` beside it, found
    /// whatever the case of their extensions).
    ///
    /// # Errors
    /// [`ImportError::UnknownFormat`] for an extension digonce does not import;
    /// [`ImportError::Open`] when a file cannot be read.
    pub fn from_path(path: &Path) -> Result<Self, ImportError> {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let format = SourceFormat::from_file_name(&name)
            .ok_or_else(|| ImportError::UnknownFormat { name: name.clone() })?;
        let open = |p: &Path| {
            std::fs::read(p).map_err(|source| ImportError::Open {
                path: p.to_path_buf(),
                source,
            })
        };
        let mut source = Source::new(&name, format, open(path)?);
        if format == SourceFormat::Shapefile {
            let stem = stem_of(&name);
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let entries = std::fs::read_dir(dir).map_err(|source| ImportError::Open {
                path: dir.to_path_buf(),
                source,
            })?;
            for entry in entries.flatten() {
                let sibling = entry.path();
                let (Some(s), Some(ext)) = (
                    sibling.file_stem().and_then(|s| s.to_str()),
                    sibling.extension().and_then(|e| e.to_str()),
                ) else {
                    continue;
                };
                let ext = ext.to_ascii_lowercase();
                if s == stem && ["dbf", "prj", "cpg"].contains(&ext.as_str()) {
                    source.siblings.insert(ext, open(&sibling)?);
                }
            }
        }
        Ok(source)
    }

    /// Every layer of the source, read with the mapping's encoding and geometry columns.
    pub(super) fn layers(&self, mapping: &Mapping) -> Result<Vec<ReadLayer>, ImportError> {
        let read_error = |source| ImportError::Read {
            name: self.name.clone(),
            source: Box::new(source),
        };
        let stem = stem_of(&self.name);
        let wrap = |layers: Vec<SourceLayer>| -> Vec<ReadLayer> {
            layers
                .into_iter()
                .map(|layer| ReadLayer {
                    source: self.name.clone(),
                    stem: stem.clone(),
                    format: self.format,
                    layer,
                })
                .collect()
        };
        let encoding = mapping.encoding;
        Ok(match self.format {
            SourceFormat::Shapefile => {
                let parts = shapefile::ShapefileParts {
                    shp: &self.bytes,
                    dbf: self.siblings.get("dbf").map(Vec::as_slice),
                    prj: self.siblings.get("prj").map(Vec::as_slice),
                    cpg: self.siblings.get("cpg").map(Vec::as_slice),
                };
                wrap(vec![
                    shapefile::read(&stem, parts, encoding).map_err(read_error)?,
                ])
            }
            SourceFormat::GeoPackage => wrap(geopackage::read(&self.bytes).map_err(read_error)?),
            SourceFormat::Dxf => wrap(dxf::read(&self.bytes, encoding).map_err(read_error)?),
            SourceFormat::Csv => wrap(vec![
                table::read_csv(&stem, &self.bytes, encoding, &mapping.geometry)
                    .map_err(read_error)?,
            ]),
            SourceFormat::Xlsx => {
                wrap(table::read_xlsx(&self.bytes, &mapping.geometry).map_err(read_error)?)
            }
            SourceFormat::GeoJson => {
                wrap(vec![geojson::read(&stem, &self.bytes).map_err(read_error)?])
            }
            SourceFormat::Zip => {
                let mut layers = Vec::new();
                for member in self.members(mapping).map_err(read_error)? {
                    layers.extend(member.layers(mapping)?);
                }
                layers
            }
        })
    }

    /// The sources inside a zip archive, in name order.
    fn members(&self, mapping: &Mapping) -> Result<Vec<Source>, super::ReadError> {
        let mut archive = zip::ZipArchive::new(Cursor::new(self.bytes.as_slice()))?;
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for i in 0..archive.len() {
            let mut file = archive.by_index(i)?;
            if file.is_dir() {
                continue;
            }
            let raw = file.name_raw().to_vec();
            let name = match String::from_utf8(raw) {
                Ok(name) => name,
                Err(e) => mapping.encoding.decode(e.as_bytes()).0.into_owned(),
            };
            if name.starts_with("__MACOSX/")
                || name.rsplit('/').next().is_some_and(|n| n.starts_with("._"))
            {
                continue;
            }
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            files.insert(name, bytes);
        }
        let mut sources = Vec::new();
        for (name, bytes) in &files {
            let Some(format) = SourceFormat::from_file_name(name) else {
                continue;
            };
            if format == SourceFormat::Zip {
                continue;
            }
            let mut source = Source::new(format!("{}/{name}", self.name), format, bytes.clone());
            if format == SourceFormat::Shapefile {
                let base = &name[..name.len() - 4];
                for (other, content) in &files {
                    if let Some(ext) = other.strip_prefix(base).and_then(|r| r.strip_prefix('.')) {
                        let ext = ext.to_ascii_lowercase();
                        if ["dbf", "prj", "cpg"].contains(&ext.as_str()) {
                            source.siblings.insert(ext, content.clone());
                        }
                    }
                }
            }
            sources.push(source);
        }
        if sources.is_empty() {
            return Err(super::ReadError::Format(
                "the archive holds no file digonce imports (.shp, .gpkg, .dxf, .csv, .xlsx, .geojson)".into(),
            ));
        }
        Ok(sources)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_extensions_and_media_types() {
        assert_eq!(
            SourceFormat::from_file_name("管线.SHP"),
            Some(SourceFormat::Shapefile)
        );
        assert_eq!(
            SourceFormat::from_file_name("plan.gpkg"),
            Some(SourceFormat::GeoPackage)
        );
        assert_eq!(SourceFormat::from_file_name("notes.docx"), None);
        assert_eq!(
            SourceFormat::from_media_type("application/geopackage+sqlite3"),
            Some(SourceFormat::GeoPackage)
        );
        for format in SourceFormat::ALL {
            if format != SourceFormat::Shapefile && format != SourceFormat::GeoJson {
                assert_eq!(
                    SourceFormat::from_media_type(format.media_type()),
                    Some(format)
                );
            }
        }
        assert_eq!(stem_of("survey.zip/管线/给水管线.shp"), "给水管线");
    }
}
