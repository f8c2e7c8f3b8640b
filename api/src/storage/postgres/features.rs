//! The plan features as `PostGIS` geometries (`plan_features`): one row per compound, work
//! and street of a plan version, in `EPSG:4326` with a `GiST` index, so QGIS, `ogrinfo` and
//! spatial SQL read the layers straight from the database (`docs/postgres.md`).
//!
//! The rows are derived from the stored upload when the version is stored, in the same
//! transaction. Uploads reach the store validated; a body that does not ingest (only
//! hand-made test data does that) stores its version without feature rows and logs why.

use geo::Geometry;
use geodata::crs::InputCrs;
use geodata::ingest::{IngestOptions, ingest};
use postgres::GenericClient;
use serde_json::{Value, json};

use super::{db, stored_version};
use crate::overlay::geometry::{OutputCrs, geometry_json};
use crate::storage::{NewPlanVersion, StoreError};

/// One row of `plan_features`.
struct FeatureRow {
    id: String,
    kind: &'static str,
    properties: Value,
    geometry: Value,
}

/// The feature rows of an upload, in WGS84; `None` when it does not ingest.
fn rows_of(plan: &NewPlanVersion) -> Option<Vec<FeatureRow>> {
    let crs: InputCrs = plan.crs.parse().ok()?;
    let ingested = match ingest(plan.body.as_slice(), &IngestOptions { crs }) {
        Ok(ingested) => ingested,
        Err(error) => {
            tracing::warn!(%error, plan = %plan.name, "stored plan has no PostGIS features");
            return None;
        }
    };
    let geometry = |g: &Geometry<f64>| geometry_json(g, OutputCrs::Wgs84);
    let mut rows = Vec::new();
    for c in &ingested.compounds {
        rows.push(FeatureRow {
            id: c.id.clone(),
            kind: "compound",
            properties: json!({
                "name": c.name, "district": c.district, "class": c.class,
                "buildings": c.buildings, "households": c.households,
                "start_by": c.start_by, "finish_by": c.finish_by,
            }),
            geometry: geometry(&c.shape.wgs84),
        });
    }
    for w in &ingested.works {
        rows.push(FeatureRow {
            id: w.id.clone(),
            kind: "work",
            properties: json!({
                "discipline": w.discipline, "owner": w.owner, "action": w.action,
                "compound": w.compound, "earliest": w.earliest, "deadline": w.deadline,
            }),
            geometry: geometry(&w.shape.wgs84),
        });
    }
    for s in &ingested.streets {
        rows.push(FeatureRow {
            id: s.id.clone(),
            kind: "street",
            properties: json!({ "name": s.name, "district": s.district }),
            geometry: geometry(&s.shape.wgs84),
        });
    }
    Some(rows)
}

/// Stores the features of a plan version (call inside the transaction storing it).
pub(super) fn insert(
    client: &mut impl GenericClient,
    plan_id: &str,
    version: u32,
    plan: &NewPlanVersion,
) -> Result<(), StoreError> {
    let Some(rows) = rows_of(plan) else {
        return Ok(());
    };
    let version = stored_version(version);
    let statement = client
        .prepare(
            "INSERT INTO plan_features (plan_id, version, feature_id, kind, properties, geom) \
             VALUES ($1, $2, $3, $4, $5::text::jsonb, \
             ST_SetSRID(ST_GeomFromGeoJSON($6::text), 4326))",
        )
        .map_err(db("storing plan features"))?;
    for row in rows {
        client
            .execute(
                &statement,
                &[
                    &plan_id,
                    &version,
                    &row.id,
                    &row.kind,
                    &row.properties.to_string(),
                    &row.geometry.to_string(),
                ],
            )
            .map_err(db("storing plan features"))?;
    }
    Ok(())
}
