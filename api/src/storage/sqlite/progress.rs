//! Progress report rows (`progress_rows`): every accepted row with who sent it and when.

use geodata::progress::ProgressRow;
use rusqlite::{Connection, params};

use super::{db, from_json, to_json};
use crate::storage::ids::random_id;
use crate::storage::{ProgressReceipt, StoreError, StoredProgressRow};

/// Stores the rows of one accepted report and returns its receipt.
pub(super) fn insert(
    connection: &Connection,
    plan_id: &str,
    sent_by: &str,
    rows: &[ProgressRow],
    at: &str,
) -> Result<ProgressReceipt, StoreError> {
    let report_id = random_id("pr_");
    let mut statement = connection
        .prepare_cached(
            "INSERT INTO progress_rows (plan_id, report_id, seq, item_id, row, sent_by, received_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(db("storing progress"))?;
    for (seq, row) in rows.iter().enumerate() {
        let text = to_json("a progress row", row)?;
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        statement
            .execute(params![plan_id, report_id, seq, row.id, text, sent_by, at])
            .map_err(db("storing progress"))?;
    }
    Ok(ProgressReceipt {
        report_id,
        rows: rows.len(),
        received_at: at.to_owned(),
    })
}

/// Every row received for a plan, oldest first.
pub(super) fn list(
    connection: &Connection,
    plan_id: &str,
) -> Result<Vec<StoredProgressRow>, StoreError> {
    let mut statement = connection
        .prepare_cached(
            "SELECT report_id, row, sent_by, received_at FROM progress_rows \
             WHERE plan_id = ?1 ORDER BY rowid",
        )
        .map_err(db("reading progress"))?;
    let raw = statement
        .query_map(params![plan_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .map_err(db("reading progress"))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db("reading progress"))?;
    raw.into_iter()
        .map(|(report_id, text, sent_by, received_at)| {
            Ok(StoredProgressRow {
                report_id,
                row: from_json("a progress row", &text)?,
                sent_by,
                received_at,
            })
        })
        .collect()
}
