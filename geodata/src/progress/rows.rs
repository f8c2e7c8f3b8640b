//! Checking rows of cells against a plan: every problem at once, typed rows when none.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::{MAX_PROBLEMS, ProgressIssue, ProgressRejected, ProgressRow, RawRow, Status};
use crate::plan::{FIRST_YEAR, LAST_YEAR, MAX_CNY, Plan};
use crate::validation::IssueCode;

/// What a row's `id` may name: the plan's works and compounds, their activities
/// (`<work or compound>/<step>`) and any other activity id of the schedule.
#[derive(Debug, Clone, Default)]
pub struct ProgressIds {
    /// Work or compound id -> (owner of the work, households of the retrofit or compound).
    subjects: HashMap<String, (Option<String>, Option<u32>)>,
    /// Activity ids of the schedule beyond `<subject>/<step>` (shared trenches).
    activities: BTreeSet<String>,
}

impl ProgressIds {
    /// The ids of `plan`, plus `activities` (the schedule's activity ids, if known).
    #[must_use]
    pub fn new<'a>(plan: &Plan, activities: impl IntoIterator<Item = &'a str>) -> Self {
        let mut subjects = HashMap::with_capacity(plan.works.len() + plan.compounds.len());
        for w in &plan.works {
            subjects.insert(w.id.clone(), (Some(w.owner.clone()), w.households));
        }
        for c in &plan.compounds {
            subjects.insert(c.id.clone(), (None, Some(c.households)));
        }
        Self {
            subjects,
            activities: activities.into_iter().map(str::to_owned).collect(),
        }
    }

    /// The work or compound an id reports on (itself, or the subject of its activity).
    fn subject<'s>(&self, id: &'s str) -> Option<&'s str> {
        if self.subjects.contains_key(id) {
            return Some(id);
        }
        let (subject, _) = id.rsplit_once('/')?;
        self.subjects.contains_key(subject).then_some(subject)
    }

    /// Whether `id` names a work, compound or activity.
    #[must_use]
    pub fn knows(&self, id: &str) -> bool {
        self.subject(id).is_some() || self.activities.contains(id)
    }

    /// The owner of the work `id` reports on (`None` for a compound, a shared trench or
    /// an unknown id): a utility may only report its own works.
    #[must_use]
    pub fn owner_of(&self, id: &str) -> Option<&str> {
        let subject = self.subject(id)?;
        self.subjects.get(subject)?.0.as_deref()
    }

    /// Households the id's work or compound converts (its target), if it has any.
    fn households(&self, id: &str) -> Option<u32> {
        self.subjects.get(id).and_then(|s| s.1)
    }
}

/// Collects problems of one report, up to [`MAX_PROBLEMS`].
struct Problems {
    list: Vec<ProgressIssue>,
    more: usize,
}

impl Problems {
    fn push(&mut self, code: IssueCode, raw: &RawRow, column: &str, message: String) {
        if self.list.len() >= MAX_PROBLEMS {
            self.more += 1;
            return;
        }
        self.list.push(ProgressIssue {
            code,
            row: raw.row,
            column: column.to_owned(),
            id: raw.cells.get("id").cloned(),
            message,
        });
    }
}

fn date(problems: &mut Problems, raw: &RawRow, column: &str) -> Option<NaiveDate> {
    let text = raw.cells.get(column)?;
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) if (FIRST_YEAR..=LAST_YEAR).contains(&chrono::Datelike::year(&d)) => Some(d),
        Ok(d) => {
            problems.push(
                IssueCode::OutOfRange,
                raw,
                column,
                format!("`{column}` is {d}, outside the years {FIRST_YEAR} – {LAST_YEAR}."),
            );
            None
        }
        Err(_) => {
            problems.push(
                IssueCode::InvalidDate,
                raw,
                column,
                format!("`{column}` is \"{text}\", not a real YYYY-MM-DD date."),
            );
            None
        }
    }
}

fn number(problems: &mut Problems, raw: &RawRow, column: &str, max: f64) -> Option<f64> {
    let text = raw.cells.get(column)?;
    let Ok(v) = text.parse::<f64>() else {
        problems.push(
            IssueCode::WrongType,
            raw,
            column,
            format!("`{column}` is \"{text}\", not a number."),
        );
        return None;
    };
    if v.is_finite() && (0.0..=max).contains(&v) {
        Some(v)
    } else {
        problems.push(
            IssueCode::OutOfRange,
            raw,
            column,
            format!("`{column}` is {text} but must be 0 to {max}."),
        );
        None
    }
}

/// Checks every row of a report against the plan's ids.
///
/// # Errors
/// [`ProgressRejected`] with every problem (up to [`MAX_PROBLEMS`], then one
/// `too_many_problems`) when any row is wrong: an unknown id, a status out of its list, a
/// date that is not a date, `done` without `actual_finish` or `in_progress` without
/// `actual_start` (`missing_date`), a finish before the start, an actual date after
/// `reported_on`, a percent or amount out of range, more households done than the target,
/// the same id twice.
pub fn validate(rows: &[RawRow], ids: &ProgressIds) -> Result<Vec<ProgressRow>, ProgressRejected> {
    let mut problems = Problems {
        list: Vec::new(),
        more: 0,
    };
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    let mut out = Vec::with_capacity(rows.len());
    for raw in rows {
        if let Some(row) = check_row(raw, ids, &mut problems, &mut seen) {
            out.push(row);
        }
    }
    if problems.more > 0 {
        problems.list.push(ProgressIssue {
            code: IssueCode::TooManyProblems,
            row: 0,
            column: String::new(),
            id: None,
            message: format!(
                "{} more problem(s) were found; fix the ones above and send the report again.",
                problems.more
            ),
        });
    }
    if problems.list.is_empty() {
        Ok(out)
    } else {
        Err(ProgressRejected {
            problems: problems.list,
        })
    }
}

/// Checks one row; its problems go to `problems`, and it is returned when it has none and
/// no row before it had any.
fn check_row<'r>(
    raw: &'r RawRow,
    ids: &ProgressIds,
    problems: &mut Problems,
    seen: &mut HashMap<&'r str, usize>,
) -> Option<ProgressRow> {
    let before = problems.list.len() + problems.more;
    let id = raw.cells.get("id").map(String::as_str);
    match id {
        None => problems.push(
            IssueCode::MissingProperty,
            raw,
            "id",
            "The row has no `id`.".to_owned(),
        ),
        Some(id) if !ids.knows(id) => problems.push(
            IssueCode::UnknownId,
            raw,
            "id",
            format!("`id` \"{id}\" names no work, compound or activity of the plan."),
        ),
        Some(id) => {
            if let Some(first) = seen.insert(id, raw.row) {
                problems.push(
                    IssueCode::DuplicateRow,
                    raw,
                    "id",
                    format!("\"{id}\" is reported again; row {first} reports it already."),
                );
            }
        }
    }
    let status = match raw.cells.get("status").map(String::as_str) {
        None => {
            problems.push(
                IssueCode::MissingProperty,
                raw,
                "status",
                "The row has no `status`.".to_owned(),
            );
            None
        }
        Some("not_started") => Some(Status::NotStarted),
        Some("in_progress") => Some(Status::InProgress),
        Some("done") => Some(Status::Done),
        Some(other) => {
            problems.push(
                IssueCode::UnknownValue,
                raw,
                "status",
                format!(
                    "`status` is \"{other}\" but must be one of: {}.",
                    Status::NAMES.join(", ")
                ),
            );
            None
        }
    };
    let start = date(problems, raw, "actual_start");
    let finish = date(problems, raw, "actual_finish");
    let reported_on = date(problems, raw, "reported_on");
    if !raw.cells.contains_key("reported_on") {
        problems.push(
            IssueCode::MissingProperty,
            raw,
            "reported_on",
            "The row has no `reported_on` date.".to_owned(),
        );
    }
    let percent = number(problems, raw, "percent", 100.0);
    let households = number(problems, raw, "households_done", f64::from(u32::MAX));
    let spent_cny = number(problems, raw, "spent_cny", MAX_CNY);
    dates(problems, raw, status, start, finish, reported_on);
    let households_done = households.and_then(|h| households_of(problems, raw, ids, id, h));
    if problems.list.len() + problems.more > before || !problems.list.is_empty() {
        return None;
    }
    if let (Some(id), Some(status), Some(reported_on)) = (id, status, reported_on) {
        return Some(ProgressRow {
            id: id.to_owned(),
            status,
            actual_start: start,
            actual_finish: finish,
            percent: if status == Status::InProgress {
                percent
            } else {
                None
            },
            households_done,
            spent_cny,
            reported_on,
        });
    }
    None
}

/// The dates a status needs and allows, their order, and none after `reported_on`.
fn dates(
    problems: &mut Problems,
    raw: &RawRow,
    status: Option<Status>,
    start: Option<NaiveDate>,
    finish: Option<NaiveDate>,
    reported_on: Option<NaiveDate>,
) {
    match status {
        Some(Status::Done) if !raw.cells.contains_key("actual_finish") => problems.push(
            IssueCode::MissingDate,
            raw,
            "actual_finish",
            "The row is `done` but has no `actual_finish` date.".to_owned(),
        ),
        Some(Status::InProgress) if !raw.cells.contains_key("actual_start") => problems.push(
            IssueCode::MissingDate,
            raw,
            "actual_start",
            "The row is `in_progress` but has no `actual_start` date.".to_owned(),
        ),
        Some(Status::NotStarted | Status::InProgress)
            if raw.cells.contains_key("actual_finish") =>
        {
            problems.push(
                IssueCode::ConflictingProperties,
                raw,
                "actual_finish",
                "Only a `done` row has an `actual_finish` date.".to_owned(),
            );
        }
        Some(Status::NotStarted) if raw.cells.contains_key("actual_start") => problems.push(
            IssueCode::ConflictingProperties,
            raw,
            "actual_start",
            "A `not_started` row has no `actual_start` date.".to_owned(),
        ),
        _ => {}
    }
    if let (Some(s), Some(f)) = (start, finish)
        && f < s
    {
        problems.push(
            IssueCode::FinishBeforeStart,
            raw,
            "actual_finish",
            format!("`actual_finish` {f} is before `actual_start` {s}."),
        );
    }
    if let Some(on) = reported_on {
        for (column, d) in [("actual_start", start), ("actual_finish", finish)] {
            if let Some(d) = d
                && d > on
            {
                problems.push(
                    IssueCode::DateAfterReport,
                    raw,
                    column,
                    format!("`{column}` {d} is after `reported_on` {on}: it has not happened yet."),
                );
            }
        }
    }
}

/// A whole number of households, at most the target of the row's work or compound.
fn households_of(
    problems: &mut Problems,
    raw: &RawRow,
    ids: &ProgressIds,
    id: Option<&str>,
    h: f64,
) -> Option<u32> {
    if h.fract() != 0.0 {
        problems.push(
            IssueCode::WrongType,
            raw,
            "households_done",
            format!("`households_done` is {h}, not a whole number."),
        );
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a whole number checked to lie in 0 ..= u32::MAX"
    )]
    let h = h as u32;
    if let Some(target) = id.and_then(|id| ids.households(id))
        && h > target
    {
        problems.push(
            IssueCode::OutOfRange,
            raw,
            "households_done",
            format!(
                "`households_done` is {h} but the plan converts only {target} households here."
            ),
        );
    }
    Some(h)
}
