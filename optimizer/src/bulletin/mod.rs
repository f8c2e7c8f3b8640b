//! The bulletin (进度通报) as of a data date: progress, money and rankings by district and
//! by owner, from a plan, its schedule document and the progress reports received.
//!
//! [`bulletin`] is a pure function; `docs/progress.md` defines every figure. The units
//! counted are the plan's works and compounds; each has a planned span (the first start
//! and last end of its activities in the schedule), a budget (its `investment_cny`, or
//! 1 yuan when the plan gives none) and a state as of the data date (the latest progress
//! row on its id reported on or before that date). A plan with villages adds the
//! clean-heating table ([`heating_lines`]).

mod compute;
mod heating;

pub use compute::bulletin;
pub use heating::{HeatingLine, heating_lines};

use chrono::NaiveDate;
use geodata::progress::Status;
use serde::{Deserialize, Serialize};

/// How a bulletin is made beyond its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulletinOptions {
    /// The data date: progress reported after it is not counted.
    pub as_of: NaiveDate,
    /// An owner whose last report is older than this many days is named as not reporting.
    pub silent_after_days: i64,
}

impl BulletinOptions {
    /// The default number of days after which an owner counts as not reporting: a week,
    /// as bulletins are weekly.
    pub const DEFAULT_SILENT_AFTER_DAYS: i64 = 7;

    /// Options for a bulletin as of `as_of`, with the default silence threshold.
    #[must_use]
    pub fn new(as_of: NaiveDate) -> Self {
        Self {
            as_of,
            silent_after_days: Self::DEFAULT_SILENT_AFTER_DAYS,
        }
    }
}

/// The figures of one district or owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// Works whose scheduled start is on or before the data date.
    pub works_planned_to_start: usize,
    /// Works reported `in_progress` or `done` with `actual_start` (or `actual_finish`) on or
    /// before the data date.
    pub works_started: usize,
    /// Works whose scheduled finish is on or before the data date.
    pub works_planned_to_finish: usize,
    /// Works reported `done` with `actual_finish` on or before the data date.
    pub works_finished: usize,
    /// `works_finished / works_planned_to_finish`; null when nothing was due.
    pub completion_rate: Option<f64>,
    /// Compounds whose scheduled finish (of all their steps) is on or before the data date.
    pub compounds_planned_to_finish: usize,
    /// Compounds reported `done` by the data date.
    pub compounds_finished: usize,
    /// Works and compounds that should have started or finished by the data date and have
    /// not.
    pub late: usize,
    /// Households of the clean-heating retrofits.
    pub households_target: u64,
    /// Households converted so far (`households_done`, or all of a `done` retrofit's).
    pub households_done: u64,
    /// Planned cost of the works and compounds, yuan.
    pub investment_planned_cny: f64,
    /// Yuan reported spent (`spent_cny`).
    pub investment_spent_cny: f64,
    /// `investment_spent_cny / investment_planned_cny`; null when nothing is planned.
    pub investment_rate: Option<f64>,
    /// Funds allocated to the district, yuan (0 for an owner).
    pub funds_allocated_cny: f64,
    /// Funds disbursed, yuan (0 for an owner).
    pub funds_disbursed_cny: f64,
    /// `funds_disbursed_cny / funds_allocated_cny`; null when nothing is allocated.
    pub funds_rate: Option<f64>,
    /// Share of the scheduled span elapsed: days from the plan start to the data date over
    /// days from the plan start to the last scheduled finish, 0 – 1.
    pub time_elapsed_rate: f64,
    /// Share of the work done: earned value over the total budget, 0 – 1.
    pub work_done_rate: f64,
    /// 时间过半、任务过半: `true` when `work_done_rate` is below `time_elapsed_rate`.
    pub behind_time: bool,
    /// Planned value as of the data date, yuan (budget × scheduled share elapsed).
    pub planned_value_cny: f64,
    /// Earned value, yuan (budget × share done).
    pub earned_value_cny: f64,
    /// Schedule performance index, `earned_value_cny / planned_value_cny`; null when
    /// nothing was planned yet.
    pub spi: Option<f64>,
}

/// One district's line of the bulletin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistrictLine {
    /// The district.
    pub district: String,
    /// Rank by completion rate, 1 the best (ties and null rates: by SPI, then name).
    pub rank: usize,
    /// Places gained since the previous bulletin (positive: up); null without one.
    pub rank_change: Option<i64>,
    /// The figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// One owner's line of the bulletin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OwnerLine {
    /// The owner, as in the plan's `owner`.
    pub owner: String,
    /// Rank by completion rate among owners, 1 the best.
    pub rank: usize,
    /// Places gained since the previous bulletin; null without one.
    pub rank_change: Option<i64>,
    /// The last day this owner reported on, if ever (on or before the data date).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub last_reported_on: Option<NaiveDate>,
    /// Not reported for more than the silence threshold (or never).
    pub not_reporting: bool,
    /// The figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// A work or compound behind its schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LateItem {
    /// Work or compound id.
    pub id: String,
    /// `work` or `compound`.
    pub kind: String,
    /// Owner (works only).
    pub owner: Option<String>,
    /// District, if known.
    pub district: Option<String>,
    /// Scheduled start.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub planned_start: NaiveDate,
    /// Scheduled finish.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub planned_finish: NaiveDate,
    /// Its state as of the data date (`not_started` when never reported).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: Status,
    /// Days since it should have finished (if it should have) or started.
    pub days_late: i64,
}

/// The bulletin as of a data date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bulletin {
    /// The plan's name.
    pub plan: String,
    /// The data date.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub as_of: NaiveDate,
    /// The silence threshold used, days.
    pub silent_after_days: i64,
    /// The whole programme.
    pub total: Figures,
    /// One line per district, in rank order.
    pub districts: Vec<DistrictLine>,
    /// One line per owner, in rank order.
    pub owners: Vec<OwnerLine>,
    /// Works and compounds behind schedule, most days late first.
    pub late: Vec<LateItem>,
    /// Owners that have not reported for more than `silent_after_days` days (or never).
    pub not_reporting: Vec<String>,
    /// Clean heating per village, when the plan has villages: the chosen route, households
    /// and a household's bill before and after.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heating: Vec<HeatingLine>,
    /// Why the heating table is missing although the plan has villages (the route choice
    /// failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heating_unavailable: Option<String>,
}

#[cfg(test)]
mod tests;
