//! Plans and their versions (`plans`, `plan_versions`), and the analysis stored per
//! plan version (`analyses`).

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{db, from_json, now, to_json};
use crate::storage::ids::random_id;
use crate::storage::{
    NewPlanVersion, PlanMeta, PlanSource, PlanSummary, PlanVersion, StoreError, WorkLocation,
};

/// The columns [`plan_meta`] reads, for a join of `plans p` with `plan_versions v`.
const PLAN_COLUMNS: &str = "p.id, v.name, v.version, p.latest_version, v.crs, v.summary, \
     p.created_at, v.created_at";

/// Metadata from a row of [`PLAN_COLUMNS`], with the summary still as stored JSON.
fn plan_meta(row: &Row<'_>) -> rusqlite::Result<(PlanMeta, String)> {
    Ok((
        PlanMeta {
            id: row.get(0)?,
            name: row.get(1)?,
            version: row.get(2)?,
            latest_version: row.get(3)?,
            crs: row.get(4)?,
            summary: PlanSummary::default(),
            created_at: row.get(6)?,
            version_created_at: row.get(7)?,
        },
        row.get(5)?,
    ))
}

/// Decodes the stored summary into the metadata.
fn with_summary((mut meta, summary): (PlanMeta, String)) -> Result<PlanMeta, StoreError> {
    meta.summary = from_json("plan summary", &summary)?;
    Ok(meta)
}

fn insert_version(
    connection: &Connection,
    id: &str,
    version: u32,
    plan: &NewPlanVersion,
    at: &str,
) -> Result<(), StoreError> {
    connection
        .execute(
            "INSERT INTO plan_versions (plan_id, version, name, crs, body, summary, locations, \
             created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                version,
                plan.name,
                plan.crs,
                plan.body,
                to_json("plan summary", &plan.summary)?,
                to_json("work locations", &plan.locations)?,
                at
            ],
        )
        .map_err(db("storing a plan version"))?;
    if let Some(source) = &plan.source {
        connection
            .execute(
                "INSERT INTO plan_sources (plan_id, version, media_type, file_name, mapping, \
                 crs, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    id,
                    version,
                    source.media_type,
                    source.file_name,
                    source.mapping,
                    source.crs,
                    source.body
                ],
            )
            .map_err(db("storing an imported plan's original"))?;
    }
    Ok(())
}

/// The original upload of an imported plan version, if it was imported.
pub(super) fn source(
    connection: &Connection,
    id: &str,
    version: u32,
) -> Result<Option<PlanSource>, StoreError> {
    connection
        .query_row(
            "SELECT media_type, file_name, mapping, crs, body FROM plan_sources \
             WHERE plan_id = ?1 AND version = ?2",
            params![id, version],
            |row| {
                Ok(PlanSource {
                    media_type: row.get(0)?,
                    file_name: row.get(1)?,
                    mapping: row.get(2)?,
                    crs: row.get(3)?,
                    body: row.get(4)?,
                })
            },
        )
        .optional()
        .map_err(db("reading an imported plan's original"))
}

fn meta_of(connection: &Connection, id: &str, version: u32) -> Result<PlanMeta, StoreError> {
    let raw = connection
        .query_row(
            &format!(
                "SELECT {PLAN_COLUMNS} FROM plans p JOIN plan_versions v ON v.plan_id = p.id \
                 WHERE p.id = ?1 AND v.version = ?2"
            ),
            params![id, version],
            plan_meta,
        )
        .map_err(db("reading a plan"))?;
    with_summary(raw)
}

/// The newest version number of a plan; `None` when the plan does not exist.
pub(super) fn latest_version(connection: &Connection, id: &str) -> Result<Option<u32>, StoreError> {
    connection
        .query_row(
            "SELECT latest_version FROM plans WHERE id = ?1",
            params![id],
            |row| row.get(0),
        )
        .optional()
        .map_err(db("reading a plan"))
}

/// Whether a plan has the version `version`.
pub(super) fn has_version(
    connection: &Connection,
    plan_id: &str,
    version: u32,
) -> Result<bool, StoreError> {
    let found: Option<u32> = connection
        .query_row(
            "SELECT version FROM plan_versions WHERE plan_id = ?1 AND version = ?2",
            params![plan_id, version],
            |row| row.get(0),
        )
        .optional()
        .map_err(db("reading a plan"))?;
    Ok(found.is_some())
}

/// Stores a new plan as version 1 (call inside a transaction).
pub(super) fn create(
    connection: &Connection,
    plan: &NewPlanVersion,
) -> Result<PlanMeta, StoreError> {
    let id = random_id("pl_");
    let at = now();
    connection
        .execute(
            "INSERT INTO plans (id, latest_version, created_at) VALUES (?1, 1, ?2)",
            params![id, at],
        )
        .map_err(db("creating a plan"))?;
    insert_version(connection, &id, 1, plan, &at)?;
    meta_of(connection, &id, 1)
}

/// Stores the next version of a plan (call inside a transaction); `None` when the plan
/// does not exist.
pub(super) fn add_version(
    connection: &Connection,
    id: &str,
    plan: &NewPlanVersion,
) -> Result<Option<PlanMeta>, StoreError> {
    let Some(latest) = latest_version(connection, id)? else {
        return Ok(None);
    };
    let version = latest + 1;
    insert_version(connection, id, version, plan, &now())?;
    connection
        .execute(
            "UPDATE plans SET latest_version = ?2 WHERE id = ?1",
            params![id, version],
        )
        .map_err(db("adding a plan version"))?;
    meta_of(connection, id, version).map(Some)
}

/// A plan at `version`, or at its latest version.
pub(super) fn read(
    connection: &Connection,
    id: &str,
    version: Option<u32>,
) -> Result<Option<PlanVersion>, StoreError> {
    let row = connection
        .query_row(
            &format!(
                "SELECT {PLAN_COLUMNS}, v.body, v.locations FROM plans p \
                 JOIN plan_versions v ON v.plan_id = p.id \
                 WHERE p.id = ?1 AND v.version = COALESCE(?2, p.latest_version)"
            ),
            params![id, version],
            |row| {
                Ok((
                    plan_meta(row)?,
                    row.get::<_, Vec<u8>>(8)?,
                    row.get::<_, String>(9)?,
                ))
            },
        )
        .optional()
        .map_err(db("reading a plan"))?;
    let Some((raw, body, locations)) = row else {
        return Ok(None);
    };
    let locations: BTreeMap<String, WorkLocation> = from_json("work locations", &locations)?;
    Ok(Some(PlanVersion {
        meta: with_summary(raw)?,
        body,
        locations,
    }))
}

/// Every plan at its latest version, newest first.
pub(super) fn list(connection: &Connection) -> Result<Vec<PlanMeta>, StoreError> {
    let mut statement = connection
        .prepare(&format!(
            "SELECT {PLAN_COLUMNS} FROM plans p JOIN plan_versions v \
             ON v.plan_id = p.id AND v.version = p.latest_version \
             ORDER BY p.created_at DESC, p.id"
        ))
        .map_err(db("listing plans"))?;
    let rows = statement
        .query_map([], plan_meta)
        .map_err(db("listing plans"))?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db("listing plans"))?;
    rows.into_iter().map(with_summary).collect()
}

/// Deletes a plan; its versions, analyses, jobs and schedules go with it (foreign keys
/// cascade). Returns whether it existed.
pub(super) fn delete(connection: &Connection, id: &str) -> Result<bool, StoreError> {
    let deleted = connection
        .execute("DELETE FROM plans WHERE id = ?1", params![id])
        .map_err(db("deleting a plan"))?;
    Ok(deleted > 0)
}

/// Stores or replaces the analysis document of a plan version.
pub(super) fn put_analysis(
    connection: &Connection,
    plan_id: &str,
    version: u32,
    document: &[u8],
) -> Result<(), StoreError> {
    connection
        .execute(
            "INSERT INTO analyses (plan_id, version, document, created_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (plan_id, version) \
             DO UPDATE SET document = excluded.document, created_at = excluded.created_at",
            params![plan_id, version, document, now()],
        )
        .map_err(db("storing an analysis"))?;
    Ok(())
}

/// The analysis document of a plan version, if stored.
pub(super) fn analysis(
    connection: &Connection,
    plan_id: &str,
    version: u32,
) -> Result<Option<Vec<u8>>, StoreError> {
    connection
        .query_row(
            "SELECT document FROM analyses WHERE plan_id = ?1 AND version = ?2",
            params![plan_id, version],
            |row| row.get(0),
        )
        .optional()
        .map_err(db("reading an analysis"))
}
