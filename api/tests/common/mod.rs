//! Fixtures shared by the HTTP tests that run on a stored plan: storing a plan file as the
//! service would (ingested, validated, version 1) and the service state around a store.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use api::auth::AuthMode;
use api::intake::{GeodataValidator, ValidatedPlan};
use api::jobs::JobSystem;
use api::server::AppState;
use api::storage::{NewPlanVersion, Store};

/// Stores `body` (a valid plan file in WGS84) as a new plan and returns its id.
pub fn store_plan(store: &dyn Store, body: &[u8]) -> String {
    let parsed = geodata::ingest::ingest(body, &geodata::ingest::IngestOptions::default())
        .expect("a valid plan");
    let valid = ValidatedPlan::from_plan(&parsed);
    store
        .create_plan(&NewPlanVersion {
            name: valid.name,
            crs: "wgs84".into(),
            body: body.to_vec(),
            summary: valid.summary,
            locations: valid.locations,
            source: None,
        })
        .expect("plan")
        .id
}

/// The service's state over `store` with `jobs`, a 1 MiB upload limit and empty caches.
pub fn app_state(
    store: &Arc<dyn Store>,
    jobs: Arc<JobSystem>,
    auth_mode: AuthMode,
) -> web::Data<AppState> {
    web::Data::new(AppState {
        store: Arc::clone(store),
        jobs,
        validator: Arc::new(GeodataValidator),
        auth_mode,
        max_upload_bytes: 1 << 20,
        request_timeout: Duration::from_secs(30),
        export_cache: api::export::cache::ExportCache::default(),
        overlay_cache: api::overlay::cache::OverlayCache::default(),
    })
}
