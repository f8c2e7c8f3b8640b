//! GeoJSON ingestion: from an upload's bytes to a validated [`Plan`] or every problem.
//!
//! The upload is read as a stream: the top-level object is visited member by member and
//! `features` one feature at a time. Each feature's JSON is parsed, checked and turned into
//! the compact typed model right away, then dropped, so a large plan never sits in memory
//! as a JSON tree. Every problem is collected; nothing stops at the first one except JSON
//! that cannot be read any further.
//!
//! The format itself is described for planners in `docs/input-format.md`.
//!
//! # Why not the `geojson` crate
//!
//! Neither this reader nor the writers ([`crate::export`], [`crate::analysis::document`])
//! use the `geojson` crate. Its typed `Feature` and `Geometry` deserialise a feature in
//! one piece and stop at the first error with serde's message, where this reader reports
//! every problem of a feature with the JSON pointer of its member. On the writing side,
//! `geojson::Feature` puts `geometry` before `properties` and sorts the properties, so
//! exported plans would no longer be byte for byte what they are; the analysis document
//! is a `serde_json::Value` for the HTTP layer, which typed features would only be
//! turned back into. Only typed geometries could replace the plan writer's own, and they
//! did not pay their way. Export of the
//! 2,000-compound city of `cargo bench -p geodata --bench validation` (7.6 MB), median
//! of six runs per variant, interleaved, on a shared two-core machine:
//!
//! | writer | median | throughput |
//! |---|---|---|
//! | hand-written (this crate) | 41.5 ms | 174 MiB/s |
//! | `geo` → `geojson::Geometry`, same number formatting (same bytes) | 50.3 ms | 144 MiB/s |
//! | `geo` → `geojson::Geometry`, `serde_json`'s number formatting | 29.3 ms | 247 MiB/s |
//!
//! The byte-identical variant is about 20 % slower. The third one is faster only because
//! of `serde_json`'s float formatting, and it changes the bytes: a whole-number position
//! comes out as `12958000.0`, and a tiny one can come out in exponent form.

mod document;
mod feature;
mod geometry;
mod heating;
mod pointer;
mod reader;
mod rings;
mod settings;

use std::io::{BufReader, Read};

use crate::crs::InputCrs;
use crate::plan::Plan;
use crate::validation::ValidationReport;

/// How to read an upload.
#[derive(Debug, Clone, Copy, Default)]
pub struct IngestOptions {
    /// The coordinate system the positions are written in.
    pub crs: InputCrs,
}

/// Why an upload could not become a plan.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The upload was read but is not a valid plan; every problem is listed.
    #[error(transparent)]
    Invalid(#[from] ValidationReport),
    /// The upload could not be read at all.
    #[error("could not read the plan")]
    Read {
        /// The underlying I/O failure.
        #[source]
        source: std::io::Error,
    },
}

/// Reads and validates a plan from any reader, streaming the features.
///
/// Positions are converted from `options.crs` to WGS84, polygon rings are rewound to
/// RFC 7946 (exterior counter-clockwise, holes clockwise) and every geometry is projected
/// into a [`LocalFrame`](crate::crs::LocalFrame) centred on the plan's bounding box.
///
/// # Errors
/// [`IngestError::Invalid`] with every problem found (in document order, reference checks
/// last); [`IngestError::Read`] on I/O failure of `reader`.
///
/// # Complexity
/// Linear in the size of the upload, except polygon validity which is `O(n log n)` in
/// the number of ring vertices. Memory holds one feature's JSON at a time plus the typed
/// plan (two `f64` pairs per position).
pub fn ingest<R: Read>(reader: R, options: &IngestOptions) -> Result<Plan, IngestError> {
    document::read(BufReader::new(reader), *options)
}
