//! Schedule documents (`schedules`), stored by a finished job or directly.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::db;
use crate::storage::ids::random_id;
use crate::storage::{ScheduleRecord, StoreError};

/// The columns [`schedule_record`] reads.
const SCHEDULE_COLUMNS: &str = "id, plan_id, plan_version, job_id, created_at, document";

fn schedule_record(row: &Row<'_>) -> rusqlite::Result<ScheduleRecord> {
    Ok(ScheduleRecord {
        id: row.get(0)?,
        plan_id: row.get(1)?,
        plan_version: row.get(2)?,
        job_id: row.get(3)?,
        created_at: row.get(4)?,
        document: row.get(5)?,
    })
}

/// Stores a schedule of a plan version (produced by `job_id`, if any) and returns its
/// new id.
pub(super) fn insert(
    connection: &Connection,
    plan_id: &str,
    version: u32,
    job_id: Option<&str>,
    document: &[u8],
    at: &str,
) -> Result<String, StoreError> {
    let id = random_id("sc_");
    connection
        .execute(
            "INSERT INTO schedules (id, plan_id, plan_version, job_id, document, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, plan_id, version, job_id, document, at],
        )
        .map_err(db("storing a schedule"))?;
    Ok(id)
}

/// A schedule by id.
pub(super) fn read(
    connection: &Connection,
    id: &str,
) -> Result<Option<ScheduleRecord>, StoreError> {
    connection
        .query_row(
            &format!("SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE id = ?1"),
            params![id],
            schedule_record,
        )
        .optional()
        .map_err(db("reading a schedule"))
}

/// The newest schedule stored for a plan version.
pub(super) fn latest(
    connection: &Connection,
    plan_id: &str,
    version: u32,
) -> Result<Option<ScheduleRecord>, StoreError> {
    // rowid breaks ties between schedules stored within the same second.
    connection
        .query_row(
            &format!(
                "SELECT {SCHEDULE_COLUMNS} FROM schedules \
                 WHERE plan_id = ?1 AND plan_version = ?2 \
                 ORDER BY created_at DESC, rowid DESC LIMIT 1"
            ),
            params![plan_id, version],
            schedule_record,
        )
        .optional()
        .map_err(db("reading the latest schedule"))
}
