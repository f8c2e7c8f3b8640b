//! GeoJSON ingestion: from an upload's bytes to a validated [`Plan`] or every problem.

use std::io::Read;

use crate::crs::InputCrs;
use crate::plan::Plan;
use crate::problem::ValidationReport;

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
/// # Errors
/// [`IngestError::Invalid`] with every problem found; [`IngestError::Read`] on I/O failure.
pub fn ingest<R: Read>(reader: R, options: &IngestOptions) -> Result<Plan, IngestError> {
    let _ = (reader, options);
    todo!("issue 2 helper: implement streaming ingestion and validation")
}
