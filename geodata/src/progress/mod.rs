//! Progress reports from the field: what actually happened to the works of a plan.
//!
//! A report is a CSV file (UTF-8, header row) or JSON (an array of row objects, or an
//! object with a `rows` array) with, per row, `id`, `status`, `actual_start`,
//! `actual_finish`, `percent`, `households_done`, `spent_cny` and `reported_on`
//! (`docs/progress.md`). [`read`] turns the bytes into text cells (`table`), and
//! [`validate`] checks every row against the plan (`rows`): every problem at once, with
//! the row, the column and a typed [`IssueCode`]. A report with any problem yields no rows,
//! so a caller never keeps part of a rejected report.

mod rows;
mod table;

pub use rows::{ProgressIds, validate};
pub use table::{Format, RawRow, Table, read};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::validation::IssueCode;

/// The columns a report may have, in their documented order.
pub const COLUMNS: [&str; 8] = [
    "id",
    "status",
    "actual_start",
    "actual_finish",
    "percent",
    "households_done",
    "spent_cny",
    "reported_on",
];

/// The most problems one report lists; beyond them one `too_many_problems` closes the list.
pub const MAX_PROBLEMS: usize = 1_000;

/// Where a work, compound or activity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not begun.
    NotStarted,
    /// Begun, not finished.
    InProgress,
    /// Finished.
    Done,
}

impl Status {
    /// The names used in reports.
    pub const NAMES: [&'static str; 3] = ["not_started", "in_progress", "done"];

    /// The snake-case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::InProgress => "in_progress",
            Status::Done => "done",
        }
    }
}

/// One accepted row of a progress report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressRow {
    /// A work, compound or activity id of the plan.
    pub id: String,
    /// Where it stands.
    pub status: Status,
    /// When it actually started (`in_progress` and, if known, `done`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_start: Option<NaiveDate>,
    /// When it actually finished (`done`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_finish: Option<NaiveDate>,
    /// Share of the work done, 0 – 100 (`in_progress`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// Households converted so far (retrofits, compounds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub households_done: Option<u32>,
    /// Yuan spent so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spent_cny: Option<f64>,
    /// The day the row was reported.
    pub reported_on: NaiveDate,
}

impl ProgressRow {
    /// The share of the work done as a fraction 0 – 1: 1 when done, `percent` when in
    /// progress (0 if not given), 0 otherwise.
    #[must_use]
    pub fn fraction_done(&self) -> f64 {
        match self.status {
            Status::Done => 1.0,
            Status::InProgress => self.percent.unwrap_or(0.0) / 100.0,
            Status::NotStarted => 0.0,
        }
    }
}

/// One problem of a report: the row (from 1, the first data row; 0 for the report as a
/// whole), the column, the row's id when readable, a typed code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressIssue {
    /// What kind of problem.
    pub code: IssueCode,
    /// The data row, from 1 (the CSV line after the header, the JSON array index + 1); 0
    /// when the problem is the report's own (a missing column, unreadable bytes).
    pub row: usize,
    /// The column (member) at fault, empty when the problem is not in one column.
    pub column: String,
    /// The row's `id`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// One plain sentence.
    pub message: String,
}

impl std::fmt::Display for ProgressIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {}", self.row)?;
        if !self.column.is_empty() {
            write!(f, ", {}", self.column)?;
        }
        write!(f, ": {}: {}", self.code, self.message)
    }
}

/// Why a report was rejected: every problem found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the progress report has {} problem(s); the first: {}", problems.len(), problems.first().map(ToString::to_string).unwrap_or_default())]
pub struct ProgressRejected {
    /// Every problem, in row order.
    pub problems: Vec<ProgressIssue>,
}

/// Reads and checks a report in one go.
///
/// # Errors
/// [`ProgressRejected`] with every problem of the bytes or the rows.
pub fn parse(
    bytes: &[u8],
    format: Format,
    ids: &ProgressIds,
) -> Result<Vec<ProgressRow>, ProgressRejected> {
    let table = read(bytes, format)?;
    let mut problems = table.problems.clone();
    if table.lacks_a_column() {
        return Err(ProgressRejected { problems });
    }
    match validate(&table.rows, ids) {
        Ok(rows) if problems.is_empty() => Ok(rows),
        Ok(_) => Err(ProgressRejected { problems }),
        Err(rejected) => {
            problems.extend(rejected.problems);
            Err(ProgressRejected { problems })
        }
    }
}

/// The row that counts for each id: the latest `reported_on`, and of rows reported the
/// same day the one given last (reports accumulate; a later report overrides).
#[must_use]
pub fn latest<'a>(
    rows: impl IntoIterator<Item = &'a ProgressRow>,
) -> std::collections::HashMap<&'a str, &'a ProgressRow> {
    let mut out: std::collections::HashMap<&str, &ProgressRow> = std::collections::HashMap::new();
    for row in rows {
        match out.get(row.id.as_str()) {
            Some(kept) if kept.reported_on > row.reported_on => {}
            _ => {
                out.insert(row.id.as_str(), row);
            }
        }
    }
    out
}

/// Writes rows as a CSV report (UTF-8, header row of [`COLUMNS`], CRLF line breaks) that
/// [`parse`] reads back.
#[must_use]
pub fn to_csv(rows: &[ProgressRow]) -> String {
    use std::fmt::Write as _;
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    let opt = |v: Option<String>| v.unwrap_or_default();
    for r in rows {
        let id = if r.id.contains([',', '"', '\r', '\n']) {
            format!("\"{}\"", r.id.replace('"', "\"\""))
        } else {
            r.id.clone()
        };
        let _ = write!(
            out,
            "{id},{},{},{},{},{},{},{}\r\n",
            r.status.as_str(),
            opt(r.actual_start.map(|d| d.to_string())),
            opt(r.actual_finish.map(|d| d.to_string())),
            opt(r.percent.map(|v| v.to_string())),
            opt(r.households_done.map(|v| v.to_string())),
            opt(r.spent_cny.map(|v| v.to_string())),
            r.reported_on,
        );
    }
    out
}

#[cfg(test)]
mod tests;
