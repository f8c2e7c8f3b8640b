//! Plans and their versions (`plans`, `plan_versions`, `plan_sources`), and the analysis
//! stored per plan version (`analyses`).

use std::collections::BTreeMap;

use postgres::{GenericClient, Row};

use super::{db, features, from_json, now, stored_version, to_json, version_of};
use crate::storage::ids::random_id;
use crate::storage::{
    NewPlanVersion, PlanMeta, PlanSource, PlanSummary, PlanVersion, StoreError, WorkLocation,
};

/// The columns [`plan_meta`] reads, for a join of `plans p` with `plan_versions v`.
const PLAN_COLUMNS: &str = "p.id, v.name, v.version, p.latest_version, v.crs, v.summary, \
     p.created_at, v.created_at";

/// Metadata from a row of [`PLAN_COLUMNS`].
fn plan_meta(row: &Row) -> Result<PlanMeta, StoreError> {
    let summary: String = row.get(5);
    Ok(PlanMeta {
        id: row.get(0),
        name: row.get(1),
        version: version_of(row.get(2)),
        latest_version: version_of(row.get(3)),
        crs: row.get(4),
        summary: from_json::<PlanSummary>("plan summary", &summary)?,
        created_at: row.get(6),
        version_created_at: row.get(7),
    })
}

fn insert_version(
    client: &mut impl GenericClient,
    id: &str,
    version: u32,
    plan: &NewPlanVersion,
    at: &str,
) -> Result<(), StoreError> {
    let stored = stored_version(version);
    client
        .execute(
            "INSERT INTO plan_versions (plan_id, version, name, crs, body, summary, locations, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &id,
                &stored,
                &plan.name,
                &plan.crs,
                &plan.body,
                &to_json("plan summary", &plan.summary)?,
                &to_json("work locations", &plan.locations)?,
                &at,
            ],
        )
        .map_err(db("storing a plan version"))?;
    if let Some(source) = &plan.source {
        client
            .execute(
                "INSERT INTO plan_sources (plan_id, version, media_type, file_name, mapping, \
                 crs, body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &id,
                    &stored,
                    &source.media_type,
                    &source.file_name,
                    &source.mapping,
                    &source.crs,
                    &source.body,
                ],
            )
            .map_err(db("storing an imported plan's original"))?;
    }
    features::insert(client, id, version, plan)
}

/// The original upload of an imported plan version, if it was imported.
pub(super) fn source(
    client: &mut impl GenericClient,
    id: &str,
    version: u32,
) -> Result<Option<PlanSource>, StoreError> {
    let row = client
        .query_opt(
            "SELECT media_type, file_name, mapping, crs, body FROM plan_sources \
             WHERE plan_id = $1 AND version = $2",
            &[&id, &stored_version(version)],
        )
        .map_err(db("reading an imported plan's original"))?;
    Ok(row.map(|row| PlanSource {
        media_type: row.get(0),
        file_name: row.get(1),
        mapping: row.get(2),
        crs: row.get(3),
        body: row.get(4),
    }))
}

fn meta_of(
    client: &mut impl GenericClient,
    id: &str,
    version: u32,
) -> Result<PlanMeta, StoreError> {
    let row = client
        .query_one(
            &format!(
                "SELECT {PLAN_COLUMNS} FROM plans p JOIN plan_versions v ON v.plan_id = p.id \
                 WHERE p.id = $1 AND v.version = $2"
            ),
            &[&id, &stored_version(version)],
        )
        .map_err(db("reading a plan"))?;
    plan_meta(&row)
}

/// The newest version number of a plan, locking its row until the transaction ends;
/// `None` when the plan does not exist.
pub(super) fn latest_version(
    client: &mut impl GenericClient,
    id: &str,
) -> Result<Option<u32>, StoreError> {
    let row = client
        .query_opt(
            "SELECT latest_version FROM plans WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .map_err(db("reading a plan"))?;
    Ok(row.map(|row| version_of(row.get(0))))
}

/// Whether a plan has the version `version`.
pub(super) fn has_version(
    client: &mut impl GenericClient,
    plan_id: &str,
    version: u32,
) -> Result<bool, StoreError> {
    let row = client
        .query_opt(
            "SELECT 1 FROM plan_versions WHERE plan_id = $1 AND version = $2",
            &[&plan_id, &stored_version(version)],
        )
        .map_err(db("reading a plan"))?;
    Ok(row.is_some())
}

/// Stores a new plan as version 1 (call inside a transaction).
pub(super) fn create(
    client: &mut impl GenericClient,
    plan: &NewPlanVersion,
) -> Result<PlanMeta, StoreError> {
    let id = random_id("pl_");
    let at = now();
    client
        .execute(
            "INSERT INTO plans (id, latest_version, created_at) VALUES ($1, 1, $2)",
            &[&id, &at],
        )
        .map_err(db("creating a plan"))?;
    insert_version(client, &id, 1, plan, &at)?;
    meta_of(client, &id, 1)
}

/// Stores the next version of a plan (call inside a transaction); `None` when the plan
/// does not exist. The plan's row stays locked until commit, so concurrent uploads get
/// consecutive versions.
pub(super) fn add_version(
    client: &mut impl GenericClient,
    id: &str,
    plan: &NewPlanVersion,
) -> Result<Option<PlanMeta>, StoreError> {
    let Some(latest) = latest_version(client, id)? else {
        return Ok(None);
    };
    let version = latest + 1;
    insert_version(client, id, version, plan, &now())?;
    client
        .execute(
            "UPDATE plans SET latest_version = $2 WHERE id = $1",
            &[&id, &stored_version(version)],
        )
        .map_err(db("adding a plan version"))?;
    meta_of(client, id, version).map(Some)
}

/// A plan at `version`, or at its latest version.
pub(super) fn read(
    client: &mut impl GenericClient,
    id: &str,
    version: Option<u32>,
) -> Result<Option<PlanVersion>, StoreError> {
    let wanted = version.map(stored_version);
    let row = client
        .query_opt(
            &format!(
                "SELECT {PLAN_COLUMNS}, v.body, v.locations FROM plans p \
                 JOIN plan_versions v ON v.plan_id = p.id \
                 WHERE p.id = $1 AND v.version = COALESCE($2, p.latest_version)"
            ),
            &[&id, &wanted],
        )
        .map_err(db("reading a plan"))?;
    let Some(row) = row else {
        return Ok(None);
    };
    let locations: String = row.get(9);
    let locations: BTreeMap<String, WorkLocation> = from_json("work locations", &locations)?;
    Ok(Some(PlanVersion {
        meta: plan_meta(&row)?,
        body: row.get(8),
        locations,
    }))
}

/// Every plan at its latest version, newest first.
pub(super) fn list(client: &mut impl GenericClient) -> Result<Vec<PlanMeta>, StoreError> {
    let rows = client
        .query(
            &format!(
                "SELECT {PLAN_COLUMNS} FROM plans p JOIN plan_versions v \
                 ON v.plan_id = p.id AND v.version = p.latest_version \
                 ORDER BY p.created_at DESC, p.id"
            ),
            &[],
        )
        .map_err(db("listing plans"))?;
    rows.iter().map(plan_meta).collect()
}

/// Deletes a plan; its versions, features, analyses, jobs and schedules go with it
/// (foreign keys cascade). Returns whether it existed.
pub(super) fn delete(client: &mut impl GenericClient, id: &str) -> Result<bool, StoreError> {
    let deleted = client
        .execute("DELETE FROM plans WHERE id = $1", &[&id])
        .map_err(db("deleting a plan"))?;
    Ok(deleted > 0)
}

/// Stores or replaces the analysis document of a plan version.
pub(super) fn put_analysis(
    client: &mut impl GenericClient,
    plan_id: &str,
    version: u32,
    document: &[u8],
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO analyses (plan_id, version, document, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (plan_id, version) \
             DO UPDATE SET document = excluded.document, created_at = excluded.created_at",
            &[&plan_id, &stored_version(version), &document, &now()],
        )
        .map_err(db("storing an analysis"))?;
    Ok(())
}

/// The analysis document of a plan version, if stored.
pub(super) fn analysis(
    client: &mut impl GenericClient,
    plan_id: &str,
    version: u32,
) -> Result<Option<Vec<u8>>, StoreError> {
    let row = client
        .query_opt(
            "SELECT document FROM analyses WHERE plan_id = $1 AND version = $2",
            &[&plan_id, &stored_version(version)],
        )
        .map_err(db("reading an analysis"))?;
    Ok(row.map(|row| row.get(0)))
}
