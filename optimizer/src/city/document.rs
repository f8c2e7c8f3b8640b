//! The schedule document: what `digonce plan` writes, the service stores, and every export
//! (per-company JSON, CSV, iCalendar, map overlays) is derived from. One type, used by the
//! planner, the store, the exports and the OpenAPI schema; its wire form is specified field
//! by field in `docs/schedule-document.md` (a test keeps the two in step).
//!
//! Dates are ISO `YYYY-MM-DD`; `start` is the first day of work and `end` the last day of
//! work (inclusive). It carries everything the exports need and nothing engine-internal.
//!
//! With the `openapi` feature every type also derives `utoipa::ToSchema`, so the service
//! publishes this exact shape; nothing else here knows about HTTP.

use chrono::NaiveDate;
use geodata::plan::{DeadlineKind, Discipline};
use serde::{Deserialize, Serialize};

pub use crate::city::network::{ActivityKind, DeadlineSource};
use crate::engine::{ForcedBy, Weights};

/// A coordinated dig schedule for one plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleDocument {
    /// Which plan this schedules.
    pub plan: PlanRef,
    /// Every activity with its dates, in network order.
    pub activities: Vec<ScheduledActivity>,
    /// Shared trenches: several utilities dug and restored once.
    pub trenches: Vec<SharedTrench>,
    /// Every deadline with its outcome, late ones explained.
    pub deadlines: Vec<DeadlineOutcome>,
    /// Activities that end after the plan's horizon, with what forces them there.
    #[serde(default)]
    pub beyond_horizon: Vec<BeyondHorizon>,
    /// What would make every missed hard deadline hold and bring everything inside the
    /// horizon: the smallest set of changes found, each with its effect.
    #[serde(default)]
    pub advice: Advice,
    /// Figures of merit and proof of quality.
    pub summary: Summary,
    /// For a re-planned schedule (`digonce replan`): the data date and, per owner, what
    /// moved, was added or removed, and the deadlines now at risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replan: Option<crate::city::replan::Replanned>,
}

impl ScheduleDocument {
    /// Reads a stored or freshly planned document.
    ///
    /// # Errors
    /// The decoder's error when the bytes are not a schedule document.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The shared trench with `id`, if listed.
    #[must_use]
    pub fn trench(&self, id: &str) -> Option<&SharedTrench> {
        self.trenches.iter().find(|t| t.id == id)
    }
}

/// The plan a schedule belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanRef {
    /// Plan name.
    pub name: String,
    /// Day 0 of the schedule.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: NaiveDate,
}

/// What an activity is a step of.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// A step of one work of the plan (`w12/lay`, or `w7/roofing` of a roofing work that
    /// stands for its compound's roofing phase).
    Work(String),
    /// A phase of a compound's renovation that no work of the plan stands for.
    Compound(String),
    /// A step of a shared trench, done once for all its works (`trench-3/excavate`).
    Trench(String),
}

impl Subject {
    /// The id of the work, compound or trench.
    #[must_use]
    pub fn id(&self) -> &str {
        match self {
            Subject::Work(id) | Subject::Compound(id) | Subject::Trench(id) => id,
        }
    }
}

/// One activity with its dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduledActivity {
    /// Unique activity id (`w12/excavate`, `trench-3/restore`, `c5/pave`).
    pub id: String,
    /// What it does.
    pub kind: ActivityKind,
    /// The work, compound or shared trench it is a step of.
    pub subject: Subject,
    /// Every work served (several for a shared-trench step; empty for a compound phase).
    pub works: Vec<String>,
    /// Owners of those works.
    pub owners: Vec<String>,
    /// The utility or trade doing it (a shared trench's lead utility).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "water"))]
    pub discipline: Discipline,
    /// Shared trench id, for a step of a shared trench or a lay/test inside one.
    pub trench: Option<String>,
    /// Compound id, if any.
    pub compound: Option<String>,
    /// District, if known.
    pub district: Option<String>,
    /// First day of work.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: NaiveDate,
    /// Last day of work (inclusive).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub end: NaiveDate,
    /// The crew doing it (`water#2`), if it needs one.
    pub crew: Option<String>,
}

/// A shared trench of the schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineOutcome {
    /// Where the deadline comes from: a work's `deadline`, a compound's `finish_by`, or the
    /// heating season for a clean-heating retrofit (with the work's id).
    pub source: DeadlineSource,
    /// The activity whose finish it bounds.
    pub activity: String,
    /// `hard` or `soft`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "hard"))]
    pub kind: DeadlineKind,
    /// Last allowed day (inclusive).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: NaiveDate,
    /// Last day of work in the schedule.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub finish: NaiveDate,
    /// Days late (0 when met).
    pub lateness_days: i64,
    /// For a missed hard deadline: what makes it late (`lags`, `calendar`, `resources`,
    /// or `sharing` when only its shared trench does).
    #[serde(default)]
    pub forced_by: Option<MissCause>,
    /// For a miss forced by `sharing`: the partner work that holds the trench back and the
    /// days sharing costs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing: Option<SharingCost>,
    /// For a missed hard deadline: the chain of activities that forces it.
    pub explanation: Option<Vec<ChainLink>>,
}

/// What makes a hard deadline (or the horizon) late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MissCause {
    /// Releases and lags alone: the earliest-start schedule already misses it.
    Lags,
    /// Releases, lags and forbidden windows (seasons, moratoria): late even with
    /// unlimited crews.
    Calendar,
    /// Only crews and district limits: some schedule without them meets it.
    Resources,
    /// Only its shared trench: dug alone it would be on time.
    Sharing,
}

impl MissCause {
    /// Whether no grouping and no crew count can fix it: lags, releases and the calendar
    /// alone force it.
    #[must_use]
    pub fn is_unavoidable(self) -> bool {
        matches!(self, MissCause::Lags | MissCause::Calendar)
    }
}

impl From<ForcedBy> for MissCause {
    fn from(forced: ForcedBy) -> Self {
        match forced {
            ForcedBy::Lags => MissCause::Lags,
            ForcedBy::Calendar => MissCause::Calendar,
            ForcedBy::Resources => MissCause::Resources,
        }
    }
}

/// What sharing a trench costs a work's deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharingCost {
    /// The shared trench.
    pub trench: String,
    /// The member that holds the trench back (the one that alone would close latest).
    pub partner: String,
    /// Days the trench closes later than the work alone would.
    pub days: i64,
}

impl DeadlineOutcome {
    /// A hard deadline the schedule misses.
    #[must_use]
    pub fn is_missed_hard(&self) -> bool {
        self.kind == DeadlineKind::Hard && self.lateness_days > 0
    }
}

/// An activity that ends after the last day of the plan's horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BeyondHorizon {
    /// Activity id.
    pub activity: String,
    /// Its last day of work in the schedule.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub end: NaiveDate,
    /// The earliest it could end in any schedule of the plan's lags, releases and calendar
    /// (with unlimited crews).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub earliest_end: NaiveDate,
    /// What keeps it beyond the horizon: `lags`, `calendar`, or `resources` when only crews
    /// and district limits do.
    pub forced_by: MissCause,
    /// The chain of activities that forces it, origin first.
    pub explanation: Vec<ChainLink>,
}

/// The changes that would recover the plan's missed hard deadlines and bring what ends
/// after the horizon inside it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Advice {
    /// The changes, fewest first: together they recover every target they list.
    pub changes: Vec<Change>,
    /// Missed hard deadlines (as in `summary.hard_deadlines_missed`).
    pub deadlines_missed: usize,
    /// Of those, the ones a change other than moving the deadline itself recovers.
    pub deadlines_recovered: usize,
    /// Activities beyond the horizon (as in `summary.beyond_horizon`).
    pub beyond_horizon: usize,
    /// Of those, the ones a change other than a longer horizon brings inside it.
    pub horizon_recovered: usize,
}

/// One change to the plan and what it recovers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// What kind of change.
    pub kind: ChangeKind,
    /// What it changes: a street, work or compound id, a crew pool (`crew:water`) or a
    /// district limit (`district:Xicheng`).
    pub subject: String,
    /// The change in one sentence, with its numbers.
    pub description: String,
    /// What it recovers: deadlines (`deadline of work w1`, `finish_by of compound c2`, ...)
    /// and activities brought inside the horizon (`w7/restore inside the horizon`).
    pub recovers: Vec<String>,
    /// Days of lateness it saves over what it recovers.
    pub days_saved: i64,
    /// Separate excavations it adds (digging a work apart from its trench).
    pub excavations_added: usize,
}

/// The kinds of change advice proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The city grants an exception to a street's road-cut moratorium.
    MoratoriumException,
    /// A work's `earliest` (or a compound's `start_by`) moves earlier.
    EarlierStart,
    /// One more crew of a utility or trade over a period.
    ExtraCrew,
    /// A district may have one more street open at once.
    HigherDistrictLimit,
    /// A work is dug apart from its shared trench.
    DigApart,
    /// A deadline moves to the day the work can finish (nothing else recovers it).
    LaterDeadline,
    /// The horizon grows to take what cannot end inside it.
    LongerHorizon,
}

/// A rule of the plan (`docs/input-format.md`, "What a schedule must keep") that a schedule
/// breaks, as the plan-level check or the engine's own verifier found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The document itself is inconsistent (an end before its start, a duplicate id, an
    /// activity of no work, compound or trench of the plan).
    Document,
    /// A step a work, trench or compound must have is missing, or one it must not have is
    /// present.
    Steps,
    /// A shared trench holds a work that cannot share (no utility, in two trenches).
    Trench,
    /// A step does not last its working days, or starts or ends on a non-working day.
    WorkingDays,
    /// A step starts before the step it follows has ended, or a gap is too long.
    Order,
    /// A step starts before the plan start, its work's `earliest` or a compound's `start_by`.
    EarliestStart,
    /// A step is in progress in a season or moratorium window that forbids it.
    Window,
    /// More crews of one utility or trade at work on a day than the plan has.
    Crews,
    /// More street cuts open in a district on a day than its limit.
    DistrictLimit,
    /// A deadline is missing from `deadlines`, or its finish or lateness is wrong.
    Deadline,
    /// A step ends after the horizon and is not listed in `beyond_horizon`.
    Horizon,
    /// The engine's own verifier rejects the schedule of the problem it solved.
    Engine,
}

/// One broken rule, with the activities involved and one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleViolation {
    /// Which rule.
    pub rule: Rule,
    /// The activities (or works, compounds, streets) involved.
    pub subjects: Vec<String>,
    /// What is wrong, in one sentence naming dates and numbers.
    pub message: String,
}

/// One step of the chain that makes a deadline unreachable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainLink {
    /// Activity id.
    pub activity: String,
    /// Its start in the schedule.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: NaiveDate,
    /// Why it cannot start earlier, in one sentence.
    pub because: String,
}

/// Figures of merit of a schedule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Activities that end after the horizon (listed in `beyond_horizon`).
    #[serde(default)]
    pub beyond_horizon: usize,
    /// Both verifiers passed: the plan-level check of every rule of the plan file, and the
    /// engine's check of the problem it solved. Missed deadlines and activities beyond the
    /// horizon are reported, not violations.
    pub verified: bool,
    /// What the verifiers found (empty when `verified`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<RuleViolation>,
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
    /// Hard deadlines the uncoordinated schedule misses (same definition as
    /// `hard_deadlines_missed`): coordination should never miss more.
    #[serde(default)]
    pub baseline_hard_deadlines_missed: usize,
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
