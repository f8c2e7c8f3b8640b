//! Seed inputs of the ingest fuzz campaign: plans in every coordinate system ingest accepts.
//!
//! Seeds are the plans in the repository's `examples/`, every fixture under
//! `geodata/tests/fixtures/` (the invalid ones sit one edit away from valid) and small
//! generated cities from [`geodata::synthetic`], written out in each coordinate system the
//! format accepts so the conversions are fuzzed too.

use std::path::{Path, PathBuf};

use geodata::crs::InputCrs;
use geodata::export::{ExportOptions, to_bytes};
use geodata::synthetic::{CityConfig, generate};
use rand::Rng;
use serde_json::Value;

/// One input the campaign mutates.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Where it came from (a file name, `city-3-wgs84`, `found-17`).
    pub name: String,
    /// The upload's bytes.
    pub bytes: Vec<u8>,
    /// The same bytes parsed, when they are JSON (for structure-aware mutations).
    pub tree: Option<Value>,
    /// The coordinate system the positions are written in.
    pub crs: InputCrs,
}

impl Seed {
    /// A seed from bytes, parsing them when they are JSON.
    pub fn new(name: String, bytes: Vec<u8>, crs: InputCrs) -> Self {
        let tree = serde_json::from_slice(&bytes).ok();
        Self {
            name,
            bytes,
            tree,
            crs,
        }
    }
}

/// The systems generated cities are written in: one of each family, with the
/// Gauss-Krüger zones that hold Beijing.
const CITY_SYSTEMS: [InputCrs; 7] = [
    InputCrs::Wgs84,
    InputCrs::Cgcs2000,
    InputCrs::Gcj02,
    InputCrs::Bd09,
    InputCrs::WebMercator,
    InputCrs::GaussKruger { epsg: 4527 },
    InputCrs::GaussKruger { epsg: 4494 },
];

/// Every coordinate system the format accepts, one picked at random (the zones of
/// Gauss-Krüger uniformly among the 32 codes).
pub fn any_crs(rng: &mut impl Rng) -> InputCrs {
    match rng.random_range(0..7) {
        0 => InputCrs::Wgs84,
        1 => InputCrs::Cgcs2000,
        2 => InputCrs::WebMercator,
        3 => InputCrs::Gcj02,
        4 => InputCrs::Bd09,
        5 => InputCrs::GaussKruger {
            epsg: rng.random_range(4491..=4501),
        },
        _ => InputCrs::GaussKruger {
            epsg: rng.random_range(4513..=4533),
        },
    }
}

fn geojson_files(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "geojson"))
        .collect();
    paths.sort();
    paths
}

/// Loads every seed: the files, then cities of 1, 3 and 8 compounds in each system.
///
/// # Errors
/// When a seed file cannot be read.
pub fn load() -> std::io::Result<Vec<Seed>> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds = Vec::new();
    for dir in [
        manifest.join("../examples"),
        manifest.join("tests/fixtures/valid"),
        manifest.join("tests/fixtures/invalid"),
    ] {
        for path in geojson_files(&dir) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            seeds.push(Seed::new(name, std::fs::read(&path)?, InputCrs::Wgs84));
        }
    }
    for (compounds, city_seed) in [(1, 11), (3, 12), (8, 13)] {
        let plan = generate(&CityConfig::new(compounds, city_seed));
        for crs in CITY_SYSTEMS {
            // A system that cannot hold the city (none today) is simply left out.
            if let Ok(bytes) = to_bytes(&plan, &ExportOptions { crs }) {
                seeds.push(Seed::new(format!("city-{compounds}-{crs}"), bytes, crs));
            }
        }
    }
    Ok(seeds)
}
