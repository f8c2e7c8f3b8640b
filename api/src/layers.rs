//! What the analysis, overlay and OGC API Features routes show, loaded from the store.
//!
//! A plan version's analysis is computed once (on first request), persisted with
//! [`Store::put_analysis`] and read back from then on: plan versions never change, so
//! neither does their analysis. Overlays are built from the stored upload (ingested
//! again), that analysis and a schedule, and kept in an [`OverlayCache`].
//!
//! Everything here blocks (SQLite, ingestion, analysis): call it on a blocking thread.

use std::sync::Arc;

use geodata::analysis::{Analysis, AnalysisOptions, ProfileError, analyze};
use geodata::crs::{CrsParseError, InputCrs};
use geodata::ingest::{IngestError, IngestOptions, ingest};
use geodata::plan::Plan;

use crate::overlay::cache::{OverlayCache, OverlayKey};
use crate::overlay::{Overlay, OverlayError, OverlaySource};
use crate::storage::{PlanVersion, ScheduleRecord, Store, StoreError};
use optimizer::city::document::ScheduleDocument;

/// Why stored data could not be turned into layers. Every case is a server-side fault:
/// the data was validated when it was stored.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored plan names a coordinate system this build cannot read.
    #[error("plan {plan_id} version {version} has an unreadable coordinate system")]
    Crs {
        /// Plan id.
        plan_id: String,
        /// Plan version.
        version: u32,
        /// The parser's error.
        #[source]
        source: CrsParseError,
    },
    /// A stored upload no longer validates (a newer build's rules, or corruption).
    #[error("plan {plan_id} version {version} no longer validates")]
    Ingest {
        /// Plan id.
        plan_id: String,
        /// Plan version.
        version: u32,
        /// Ingestion's error.
        #[source]
        source: IngestError,
    },
    /// The analysis could not run.
    #[error("plan {plan_id} version {version} could not be analysed")]
    Analysis {
        /// Plan id.
        plan_id: String,
        /// Plan version.
        version: u32,
        /// The analysis error.
        #[source]
        source: ProfileError,
    },
    /// A stored analysis or schedule could not be decoded, or an analysis encoded.
    #[error("the stored {what} of plan {plan_id} could not be decoded or encoded")]
    Document {
        /// Which document.
        what: &'static str,
        /// Plan id.
        plan_id: String,
        /// The codec's error.
        #[source]
        source: serde_json::Error,
    },
    /// The overlay could not be built.
    #[error(transparent)]
    Overlay(#[from] OverlayError),
}

/// Ingests a stored plan version again.
///
/// # Errors
/// [`LayerError::Crs`] or [`LayerError::Ingest`] when the stored upload no longer reads.
pub fn ingest_version(version: &PlanVersion) -> Result<Plan, LayerError> {
    let meta = &version.meta;
    let crs: InputCrs = meta.crs.parse().map_err(|source| LayerError::Crs {
        plan_id: meta.id.clone(),
        version: meta.version,
        source,
    })?;
    ingest(version.body.as_slice(), &IngestOptions { crs }).map_err(|source| LayerError::Ingest {
        plan_id: meta.id.clone(),
        version: meta.version,
        source,
    })
}

/// The analysis of a plan version: read from the store, or computed (from `plan`, or
/// from the stored upload) and stored.
///
/// # Errors
/// [`LayerError`] when the store fails or the stored data does not read.
pub fn analysis_of(
    store: &dyn Store,
    version: &PlanVersion,
    plan: Option<&Plan>,
) -> Result<Analysis, LayerError> {
    let meta = &version.meta;
    let document_error = |what, source| LayerError::Document {
        what,
        plan_id: meta.id.clone(),
        source,
    };
    if let Some(bytes) = store.analysis(&meta.id, meta.version)? {
        return serde_json::from_slice(&bytes).map_err(|e| document_error("analysis", e));
    }
    let ingested;
    let plan = if let Some(plan) = plan {
        plan
    } else {
        ingested = ingest_version(version)?;
        &ingested
    };
    let analysis =
        analyze(plan, &AnalysisOptions::default()).map_err(|source| LayerError::Analysis {
            plan_id: meta.id.clone(),
            version: meta.version,
            source,
        })?;
    let bytes = serde_json::to_vec(&analysis).map_err(|e| document_error("analysis", e))?;
    store.put_analysis(&meta.id, meta.version, &bytes)?;
    Ok(analysis)
}

/// The overlay of a plan version with `schedule` (or none), from the cache or built.
///
/// # Errors
/// [`LayerError`] when the store fails or stored data does not read.
pub fn overlay_of(
    store: &dyn Store,
    cache: &OverlayCache,
    version: &PlanVersion,
    schedule: Option<&ScheduleRecord>,
) -> Result<Arc<Overlay>, LayerError> {
    let meta = &version.meta;
    let key = OverlayKey {
        plan_id: meta.id.clone(),
        plan_version: meta.version,
        schedule_id: schedule.map(|s| s.id.clone()),
    };
    if let Some(overlay) = cache.get(&key) {
        return Ok(overlay);
    }
    let plan = ingest_version(version)?;
    let analysis = analysis_of(store, version, Some(&plan))?;
    let document = schedule
        .map(|s| ScheduleDocument::from_slice(&s.document))
        .transpose()
        .map_err(|source| LayerError::Document {
            what: "schedule",
            plan_id: meta.id.clone(),
            source,
        })?;
    let overlay = Arc::new(Overlay::build(&OverlaySource {
        plan_id: &meta.id,
        plan_version: meta.version,
        plan: &plan,
        analysis: &analysis,
        schedule: schedule
            .zip(document.as_ref())
            .map(|(s, d)| (s.id.as_str(), d)),
    })?);
    cache.insert(key, Arc::clone(&overlay));
    Ok(overlay)
}

/// The overlay of a plan's latest version with its latest schedule (if any); `None`
/// when the plan does not exist.
///
/// # Errors
/// [`LayerError`] when the store fails or stored data does not read.
pub fn plan_overlay(
    store: &dyn Store,
    cache: &OverlayCache,
    plan_id: &str,
) -> Result<Option<Arc<Overlay>>, LayerError> {
    let Some(version) = store.plan(plan_id, None)? else {
        return Ok(None);
    };
    let schedule = store.latest_schedule(plan_id, version.meta.version)?;
    overlay_of(store, cache, &version, schedule.as_ref()).map(Some)
}

/// The overlay of a schedule over the plan version it was computed from; `None` when the
/// schedule does not exist.
///
/// # Errors
/// [`LayerError`] when the store fails or stored data does not read.
pub fn schedule_overlay(
    store: &dyn Store,
    cache: &OverlayCache,
    schedule_id: &str,
) -> Result<Option<Arc<Overlay>>, LayerError> {
    let Some(schedule) = store.schedule(schedule_id)? else {
        return Ok(None);
    };
    let Some(version) = store.plan(&schedule.plan_id, Some(schedule.plan_version))? else {
        return Ok(None);
    };
    overlay_of(store, cache, &version, Some(&schedule)).map(Some)
}

#[cfg(test)]
mod tests {
    use geodata::export::{ExportOptions, to_bytes};
    use geodata::synthetic::{CityConfig, generate};

    use super::*;
    use crate::intake::ValidatedPlan;
    use crate::storage::NewPlanVersion;
    use crate::storage::sqlite::SqliteStore;

    fn stored_city(store: &SqliteStore) -> PlanVersion {
        let plan = generate(&CityConfig::new(3, 5));
        let valid = ValidatedPlan::from_plan(&plan);
        let meta = store
            .create_plan(&NewPlanVersion {
                name: valid.name,
                crs: "wgs84".into(),
                body: to_bytes(&plan, &ExportOptions::default()).expect("export"),
                summary: valid.summary,
                locations: valid.locations,
                source: None,
            })
            .expect("store");
        store.plan(&meta.id, None).expect("read").expect("plan")
    }

    #[test]
    fn an_analysis_is_computed_once_then_read_back_from_the_store() {
        let store = SqliteStore::in_memory().expect("store");
        let version = stored_city(&store);
        let first = analysis_of(&store, &version, None).expect("computed");
        let stored = store
            .analysis(&version.meta.id, 1)
            .expect("read")
            .expect("persisted");
        // A different document in the store is what the next call returns: no recompute.
        let mut edited: serde_json::Value = serde_json::from_slice(&stored).expect("json");
        edited["summary"]["trenches"] = 999.into();
        store
            .put_analysis(
                &version.meta.id,
                1,
                &serde_json::to_vec(&edited).expect("json"),
            )
            .expect("write");
        let second = analysis_of(&store, &version, None).expect("read back");
        assert_eq!(second.summary.trenches, 999);
        assert_eq!(second.trenches.len(), first.trenches.len());
    }

    #[test]
    fn overlays_are_cached_per_plan_version_and_schedule() {
        let store = SqliteStore::in_memory().expect("store");
        let version = stored_city(&store);
        let cache = OverlayCache::default();
        let first = plan_overlay(&store, &cache, &version.meta.id)
            .expect("built")
            .expect("plan exists");
        let again = plan_overlay(&store, &cache, &version.meta.id)
            .expect("cached")
            .expect("plan exists");
        assert!(Arc::ptr_eq(&first, &again));
        assert!(
            plan_overlay(&store, &cache, "pl_missing")
                .expect("read")
                .is_none()
        );
        assert!(
            schedule_overlay(&store, &cache, "sc_missing")
                .expect("read")
                .is_none()
        );
    }

    #[test]
    fn a_stored_upload_that_no_longer_validates_is_a_layer_error_naming_the_plan() {
        let store = SqliteStore::in_memory().expect("store");
        let mut version = stored_city(&store);
        version.body = b"{}".to_vec();
        let error = ingest_version(&version).expect_err("not a plan");
        assert!(error.to_string().contains(&version.meta.id), "{error}");
    }
}
