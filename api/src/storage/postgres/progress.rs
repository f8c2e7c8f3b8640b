//! Progress report rows (`progress_rows`): every accepted row with who sent it and when.

use geodata::progress::ProgressRow;
use postgres::GenericClient;

use super::{db, from_json, to_json};
use crate::storage::ids::random_id;
use crate::storage::{ProgressReceipt, StoreError, StoredProgressRow};

/// Stores the rows of one accepted report and returns its receipt.
pub(super) fn insert(
    client: &mut impl GenericClient,
    plan_id: &str,
    sent_by: &str,
    rows: &[ProgressRow],
    at: &str,
) -> Result<ProgressReceipt, StoreError> {
    let report_id = random_id("pr_");
    let statement = client
        .prepare(
            "INSERT INTO progress_rows (plan_id, report_id, item_id, row_json, sent_by, \
             received_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .map_err(db("storing progress"))?;
    for row in rows {
        let text = to_json("a progress row", row)?;
        client
            .execute(
                &statement,
                &[&plan_id, &report_id, &row.id, &text, &sent_by, &at],
            )
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
    client: &mut impl GenericClient,
    plan_id: &str,
) -> Result<Vec<StoredProgressRow>, StoreError> {
    let rows = client
        .query(
            "SELECT report_id, row_json, sent_by, received_at FROM progress_rows \
             WHERE plan_id = $1 ORDER BY seq",
            &[&plan_id],
        )
        .map_err(db("reading progress"))?;
    rows.iter()
        .map(|r| {
            let text: String = r.get(1);
            Ok(StoredProgressRow {
                report_id: r.get(0),
                row: from_json("a progress row", &text)?,
                sent_by: r.get(2),
                received_at: r.get(3),
            })
        })
        .collect()
}
