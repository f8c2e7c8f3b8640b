//! Plan input for digonce: GeoJSON ingestion and validation, coordinate systems and the
//! spatial analysis that finds dig-once opportunities.
//!
//! Data flows `ingest` (bytes to a validated [`plan::Plan`] or every [`validation::Issue`])
//! then `analysis` (corridors, trenches, street cuts, moratoria, compound clusters).
//! Nothing here knows about HTTP or storage. `testkit` (tests, and the `testkit`
//! feature) builds small plans for the tests and benches of every crate.

pub mod analysis;
pub mod crs;
pub mod export;
pub mod heating;
pub mod import;
pub mod ingest;
pub mod plan;
pub mod progress;
pub mod synthetic;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
pub mod validation;
pub mod wkb;
