//! Schedule documents (`schedules`), stored by a finished job or directly. A unique
//! index on `job_id` keeps one schedule per job however many workers finish it.

use postgres::{GenericClient, Row};

use super::{db, stored_version, version_of};
use crate::storage::ids::random_id;
use crate::storage::{ScheduleRecord, StoreError};

/// The columns [`schedule_record`] reads.
const SCHEDULE_COLUMNS: &str = "id, plan_id, plan_version, job_id, created_at, document";

fn schedule_record(row: &Row) -> ScheduleRecord {
    ScheduleRecord {
        id: row.get(0),
        plan_id: row.get(1),
        plan_version: version_of(row.get(2)),
        job_id: row.get(3),
        created_at: row.get(4),
        document: row.get(5),
    }
}

/// Stores a schedule of a plan version (produced by `job_id`, if any) and returns its
/// new id.
pub(super) fn insert(
    client: &mut impl GenericClient,
    plan_id: &str,
    version: u32,
    job_id: Option<&str>,
    document: &[u8],
    at: &str,
) -> Result<String, StoreError> {
    let id = random_id("sc_");
    client
        .execute(
            "INSERT INTO schedules (id, plan_id, plan_version, job_id, document, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &id,
                &plan_id,
                &stored_version(version),
                &job_id,
                &document,
                &at,
            ],
        )
        .map_err(db("storing a schedule"))?;
    Ok(id)
}

/// A schedule by id.
pub(super) fn read(
    client: &mut impl GenericClient,
    id: &str,
) -> Result<Option<ScheduleRecord>, StoreError> {
    let row = client
        .query_opt(
            &format!("SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE id = $1"),
            &[&id],
        )
        .map_err(db("reading a schedule"))?;
    Ok(row.as_ref().map(schedule_record))
}

/// The newest schedule stored for a plan version (`seq` orders schedules stored within
/// the same second).
pub(super) fn latest(
    client: &mut impl GenericClient,
    plan_id: &str,
    version: u32,
) -> Result<Option<ScheduleRecord>, StoreError> {
    let row = client
        .query_opt(
            &format!(
                "SELECT {SCHEDULE_COLUMNS} FROM schedules \
                 WHERE plan_id = $1 AND plan_version = $2 ORDER BY seq DESC LIMIT 1"
            ),
            &[&plan_id, &stored_version(version)],
        )
        .map_err(db("reading the latest schedule"))?;
    Ok(row.as_ref().map(schedule_record))
}
