//! Reading a report's bytes into rows of text cells, from CSV or JSON.
//!
//! Both formats become the same [`RawRow`]s, so one set of checks (`rows`) reads them:
//! a JSON number becomes its decimal text, `null` an empty cell.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{COLUMNS, ProgressIssue, ProgressRejected};

use crate::validation::IssueCode;

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV, UTF-8, a header row naming the columns.
    Csv,
    /// JSON: an array of objects, or `{"rows": [...]}`.
    Json,
}

impl Format {
    /// The format a file name or media type suggests: JSON for `.json` or
    /// `application/json`, CSV otherwise.
    #[must_use]
    pub fn guess(name_or_media_type: &str) -> Self {
        let lower = name_or_media_type.to_ascii_lowercase();
        if lower.contains("json") {
            Format::Json
        } else {
            Format::Csv
        }
    }
}

/// One row as read: its number (from 1) and its non-empty cells by column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawRow {
    /// The data row, from 1.
    pub row: usize,
    /// Cells by column name; empty cells are left out.
    pub cells: BTreeMap<String, String>,
}

fn whole(code: IssueCode, column: &str, message: String) -> ProgressIssue {
    ProgressIssue {
        code,
        row: 0,
        column: column.to_owned(),
        id: None,
        message,
    }
}

/// A report read into rows, with the problems found while reading (unknown or missing
/// columns, cells of the wrong JSON type, unreadable CSV rows).
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The rows that could be read.
    pub rows: Vec<RawRow>,
    /// Problems of the header and of cells, in order.
    pub problems: Vec<ProgressIssue>,
}

impl Table {
    /// Whether a required column is missing (then the rows are not worth checking).
    #[must_use]
    pub fn lacks_a_column(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.row == 0 && p.code == IssueCode::MissingProperty)
    }
}

/// Reads a report into rows of cells.
///
/// # Errors
/// [`ProgressRejected`] when the bytes are not UTF-8 CSV or JSON of the documented shape
/// at all; lesser problems are in [`Table::problems`].
pub fn read(bytes: &[u8], format: Format) -> Result<Table, ProgressRejected> {
    match format {
        Format::Csv => csv_rows(bytes),
        Format::Json => json_rows(bytes),
    }
    .map_err(|problems| ProgressRejected { problems })
}

fn csv_rows(bytes: &[u8]) -> Result<Table, Vec<ProgressIssue>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Err(e) => {
            return Err(vec![whole(
                IssueCode::MalformedJson,
                "",
                format!("The report is not UTF-8 CSV with a header row: {e}."),
            )]);
        }
    };
    let mut problems = columns(&headers.iter().map(String::as_str));
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        match record {
            Ok(record) => {
                let cells = headers
                    .iter()
                    .zip(record.iter())
                    .filter(|(_, v)| !v.trim().is_empty())
                    .map(|(h, v)| (h.clone(), v.trim().to_owned()))
                    .collect();
                rows.push(RawRow { row, cells });
            }
            Err(e) => problems.push(ProgressIssue {
                code: IssueCode::MalformedJson,
                row,
                column: String::new(),
                id: None,
                message: format!("The row cannot be read as UTF-8 CSV: {e}."),
            }),
        }
    }
    Ok(Table { rows, problems })
}

/// Problems of the header: unknown columns, and missing required ones.
fn columns<'a, I: Iterator<Item = &'a str> + Clone>(names: &I) -> Vec<ProgressIssue> {
    let mut problems = Vec::new();
    for name in names.clone() {
        if !COLUMNS.contains(&name) {
            problems.push(whole(
                IssueCode::UnknownProperty,
                name,
                format!(
                    "`{name}` is not a column of a progress report; the columns are: {}.",
                    COLUMNS.join(", ")
                ),
            ));
        }
    }
    for required in ["id", "status", "reported_on"] {
        if !names.clone().any(|n| n == required) {
            problems.push(whole(
                IssueCode::MissingProperty,
                required,
                format!("The report has no `{required}` column."),
            ));
        }
    }
    problems
}

fn json_rows(bytes: &[u8]) -> Result<Table, Vec<ProgressIssue>> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![whole(
            IssueCode::MalformedJson,
            "",
            format!(
                "The report is not JSON: {e} (line {}, column {}).",
                e.line(),
                e.column()
            ),
        )]
    })?;
    let items = match &value {
        Value::Array(items) => items,
        Value::Object(map) => match map.get("rows") {
            Some(Value::Array(items)) => items,
            _ => {
                return Err(vec![whole(
                    IssueCode::WrongType,
                    "rows",
                    "A JSON report is an array of rows or an object with a `rows` array."
                        .to_owned(),
                )]);
            }
        },
        _ => {
            return Err(vec![whole(
                IssueCode::WrongType,
                "",
                "A JSON report is an array of rows or an object with a `rows` array.".to_owned(),
            )]);
        }
    };
    let mut problems = Vec::new();
    let mut rows = Vec::with_capacity(items.len());
    let mut unknown: Vec<&str> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let row = i + 1;
        let Value::Object(map) = item else {
            problems.push(ProgressIssue {
                code: IssueCode::WrongType,
                row,
                column: String::new(),
                id: None,
                message: "Each row must be a JSON object.".to_owned(),
            });
            continue;
        };
        let mut cells = BTreeMap::new();
        for (key, v) in map {
            if !COLUMNS.contains(&key.as_str()) {
                if !unknown.contains(&key.as_str()) {
                    unknown.push(key);
                }
                continue;
            }
            let text = match v {
                Value::Null => continue,
                Value::String(s) => s.trim().to_owned(),
                Value::Number(n) => n.to_string(),
                Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
                    problems.push(ProgressIssue {
                        code: IssueCode::WrongType,
                        row,
                        column: key.clone(),
                        id: map.get("id").and_then(Value::as_str).map(str::to_owned),
                        message: format!("`{key}` must be a string or a number."),
                    });
                    continue;
                }
            };
            if !text.is_empty() {
                cells.insert(key.clone(), text);
            }
        }
        rows.push(RawRow { row, cells });
    }
    // Unknown members are named once each; missing required ones are found per row.
    let mut head = columns(&unknown.iter().copied());
    head.retain(|p| p.code == IssueCode::UnknownProperty);
    head.extend(problems);
    Ok(Table {
        rows,
        problems: head,
    })
}
