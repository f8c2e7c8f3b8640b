//! The schedule document: what `digonce plan` writes and the service stores and exports.
//!
//! Dates are ISO `YYYY-MM-DD`; `start` is the first day of work and `end` the last day of
//! work (inclusive). Every export (per-utility JSON, CSV, iCalendar, map overlays) is derived
//! from this one document, so it carries everything they need and nothing engine-internal.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::engine::ForcedBy;
use crate::engine::Weights;

/// A coordinated dig schedule for one plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleDocument {
    /// Which plan this schedules.
    pub plan: PlanRef,
    /// Every activity with its dates, in network order.
    pub activities: Vec<ScheduledActivity>,
    /// Shared trenches: several utilities dug and restored once.
    pub trenches: Vec<SharedTrench>,
    /// Every deadline with its outcome, late ones explained.
    pub deadlines: Vec<DeadlineOutcome>,
    /// Figures of merit and proof of quality.
    pub summary: Summary,
}

/// The plan a schedule belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRef {
    /// Plan name.
    pub name: String,
    /// Day 0 of the schedule.
    pub start: NaiveDate,
}

/// One activity with its dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledActivity {
    /// Unique activity id (`w12/excavate`, `t3/restore`, `c5/pave`).
    pub id: String,
    /// What it does (`excavate`, `lay`, `roofing`, ...).
    pub kind: String,
    /// The work it belongs to (the first of `works`), or the compound for a compound phase.
    pub work: String,
    /// Every work served (several for a shared-trench activity).
    pub works: Vec<String>,
    /// Owners of those works.
    pub owners: Vec<String>,
    /// Utility or trade doing it.
    pub utility: String,
    /// Shared trench id, if any.
    pub trench: Option<String>,
    /// Compound id, if any.
    pub compound: Option<String>,
    /// District, if known.
    pub district: Option<String>,
    /// First day of work.
    pub start: NaiveDate,
    /// Last day of work (inclusive).
    pub end: NaiveDate,
    /// The crew doing it (`water#2`), if it needs one.
    pub crew: Option<String>,
}

/// A shared trench of the schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedTrench {
    /// Trench id.
    pub id: String,
    /// Works laid in it.
    pub works: Vec<String>,
    /// Their utilities.
    pub utilities: Vec<String>,
    /// Their owners.
    pub owners: Vec<String>,
    /// Length of the shared stretch in metres.
    pub length_m: f64,
    /// Excavations avoided by sharing (works − 1).
    pub excavations_saved: usize,
}

/// Whether a deadline holds, and why not when it does not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadlineOutcome {
    /// The work, compound or retrofit the deadline belongs to.
    pub subject: String,
    /// The activity whose finish it bounds.
    pub activity: String,
    /// `hard` or `soft`.
    pub kind: String,
    /// What sets it: `work`, `compound` or `heating_season`.
    pub source: String,
    /// Last allowed day (inclusive).
    pub date: NaiveDate,
    /// Last day of work in the schedule.
    pub finish: NaiveDate,
    /// Days late (0 when met).
    pub lateness_days: i64,
    /// For a missed hard deadline: what alone makes it impossible (`lags`, `calendar`), or
    /// `resources` when only crews and district limits do.
    #[serde(default)]
    pub forced_by: Option<ForcedBy>,
    /// For a missed hard deadline: the chain of activities that forces it.
    pub explanation: Option<Vec<ChainLink>>,
}

/// One step of the chain that makes a deadline unreachable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainLink {
    /// Activity id.
    pub activity: String,
    /// Its start in the schedule.
    pub start: NaiveDate,
    /// Why it cannot start earlier, in one sentence.
    pub because: String,
}

/// Figures of merit of a schedule (names as in issue 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Days from the plan start to the end of the last activity.
    pub makespan_days: i64,
    /// Separate excavations.
    pub excavations: usize,
    /// Σ trench length × days open (excavate start to restore end).
    pub trench_open_metre_days: f64,
    /// Hard deadlines not met.
    pub hard_deadlines_missed: usize,
    /// Of those, the ones no schedule can meet: lags, releases and the calendar alone
    /// already make them late, whatever the crews.
    #[serde(default)]
    pub hard_deadlines_unavoidable: usize,
    /// Σ days late over all deadlines, hard and soft.
    pub lateness_days: i64,
    /// A lower bound on the makespan (critical path, energy, one-machine).
    pub lower_bound_days: i64,
    /// (makespan − lower bound) / lower bound.
    pub gap: f64,
    /// The independent verifier found no violated constraint.
    pub verified: bool,
    /// What the verifier found besides missed deadlines (empty when `verified`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<String>,
    /// Excavations if every utility dug alone.
    pub baseline_excavations: usize,
    /// Trench-open metre-days of the uncoordinated plan: the same plan without shared
    /// trenches, scheduled by the same engine with the same effort.
    pub baseline_trench_open_metre_days: f64,
    /// Trench-open metre-days if every utility dug alone and closed every trench as fast
    /// as its steps allow: a lower bound for any uncoordinated schedule.
    #[serde(default)]
    pub baseline_trench_open_metre_days_lower_bound: f64,
    /// Makespan of the uncoordinated schedule.
    #[serde(default)]
    pub baseline_makespan_days: i64,
    /// Activities of the uncoordinated schedule that finish after a hard deadline.
    #[serde(default)]
    pub baseline_late_activities: usize,
    /// Activities scheduled.
    pub activities: usize,
    /// Independent parts solved separately.
    pub components: usize,
    /// Schedules the search decoded (serial SGS passes).
    #[serde(default)]
    pub schedules: u64,
    /// Seconds spent planning.
    pub seconds: f64,
    /// Objective weights used, in priority order.
    pub weights: Weights,
}
