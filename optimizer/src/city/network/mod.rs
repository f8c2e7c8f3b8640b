//! The city activity network: what the schedule engine schedules.
//!
//! [`Network::build`] turns a validated [`Plan`](geodata::plan::Plan) plus the facts of the
//! spatial analysis ([`NetworkInputs`]: shared trenches, street cuts, moratoria, compound
//! membership and clusters) into plain data:
//!
//! * [`Activity`]s — the steps of every work (excavate → lay → test → backfill → restore for
//!   pipelines, site works of trades, clean-heating chains) and the phases of every compound,
//!   each with its duration, release day, deadlines, forbidden day windows and resource demands;
//! * [`Precedence`]s — generalised precedences with minimum and optional maximum start-to-start
//!   lags (RCPSP/max: difference constraints an LP solves exactly, `docs/engine.md#method`);
//! * [`Resource`]s — crews per utility/trade and district limits on streets open at once;
//! * [`Excavation`]s — the objective terms: one per separate excavation, with the excavate and
//!   restore activities that bound its open time and its length in metres.
//!
//! # Time
//! Two clocks. **Dates** (releases, deadlines, forbidden windows) are calendar day offsets
//! from the plan start (day 0 = `settings.start`); a window is a half-open `[start, end)`.
//! **Durations and lags** count *working days* of the plan's site calendar
//! ([`Network::calendar`]: holidays and, when the plan rests on them, weekends do not
//! count): a step of `d` days works `d` site working days and pauses over the others. The
//! lowering (`city::lowering`) puts both on the engine's axis of site working days.
//!
//! # What the engine must honour (the whole contract)
//! 1. **Release**: a step starts on or after `a.release` (plan start, `work.earliest`,
//!    `compound.start_by`).
//! 2. **Precedence**: for each [`Precedence`] `p`, counted in working days:
//!    `S_to - S_from >= p.min_lag` and, if `p.max_lag` is `Some(m)`, `S_to - S_from <= m`.
//!    Lags are start-to-start; a finish-to-start gap `g` appears as `min_lag = d_from + g`.
//! 3. **Deadlines**: for each [`Deadline`] of `a`: its last working day is on or before
//!    `finish_by - 1`; `hard` ones must hold (or be reported as missed), `soft` ones cost
//!    lateness.
//! 4. **Forbidden windows**: no calendar day from a step's start to its last day may lie in
//!    `a.forbidden` (seasons, moratoria; sorted and merged): a step never pauses over one.
//! 5. **Crews**: on every working day, the sum of `amount` over steps in progress that
//!    demand a crew resource is at most its `capacity`.
//! 6. **District limits**: each [`Excavation`] holds its `demands` (district resources) on
//!    every day from its excavate start to its restore end; per district and day the sum
//!    is at most the capacity (an excavation holding more than the capacity holds all of it).
//! 7. **Office steps** (confirm, tender) use the office calendar (weekdays but holidays)
//!    when it differs from the site calendar.
//!
//! Objective data: [`Network::excavations`] (`len()` = separate excavations) and
//! [`Network::trench_open_metre_days`] (Σ length × open days for a schedule).
//! [`Network::baseline`] gives the same plan with every utility digging alone.

mod baseline;
mod build;
mod calendar;
mod graph;
mod template;
mod workdays;

#[cfg(test)]
pub(crate) mod testkit;

use chrono::NaiveDate;
use geodata::plan::{DeadlineKind, Discipline};
use serde::{Deserialize, Serialize};

pub use baseline::Baseline;
pub use calendar::{DayInterval, heating_deadline, merge_intervals, season_intervals};
pub use template::{PhaseRate, Templates};
pub use workdays::WorkCalendar;

/// A shared trench found by the analysis: several utilities' works dug and restored once.
///
/// The first work listed is the *lead*: its utility's crews dig, backfill and restore the
/// shared trench; a joint crew of several utilities is not modelled (see `build::trench`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrenchGroup {
    /// Trench id, used as the prefix of the shared activities (`t3/excavate`).
    pub id: String,
    /// Work ids in the trench, lead first; at least one, all pipeline works.
    pub works: Vec<String>,
    /// Length of the shared trench in metres.
    pub length_m: f64,
}

/// A work cutting a street (from the analysis).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreetCut {
    /// The work id.
    pub work: String,
    /// The street id.
    pub street: String,
    /// Length of the cut in metres.
    pub length_m: f64,
    /// Whether the street is a trunk road (restoration within 3 days instead of 5).
    #[serde(default)]
    pub trunk: bool,
}

/// A road-cut moratorium on a street a work cuts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoratoriumFact {
    /// The work id.
    pub work: String,
    /// The street id under moratorium.
    pub street: String,
    /// First day the street may not be cut: its paving date, or a repaving planned inside
    /// the moratorium (cutting before it is restored by the repaving).
    pub from: NaiveDate,
    /// First day the street may be cut again.
    pub until: NaiveDate,
    /// The city granted an exception: no restriction.
    pub exception: bool,
}

/// A street's moratorium window on an excavation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetWindow {
    /// The street under moratorium.
    pub street: String,
    /// The days it may not be cut.
    pub window: DayInterval,
}

/// A work lying in a compound without naming it (from the analysis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompoundMembership {
    /// The work id.
    pub work: String,
    /// The compound id.
    pub compound: String,
}

/// A user-given precedence between two activities, finish-to-start with a gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraPrecedence {
    /// Activity id that comes first.
    pub from: String,
    /// Activity id that follows.
    pub to: String,
    /// Minimum days between the end of `from` and the start of `to` (may be negative).
    #[serde(default)]
    pub gap_days: i64,
    /// Maximum days between the end of `from` and the start of `to`, if bounded.
    #[serde(default)]
    pub max_gap_days: Option<i64>,
}

/// The analysis facts the network is built from, beside the plan itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkInputs {
    /// Shared trenches; a work may belong to at most one.
    #[serde(default)]
    pub trenches: Vec<TrenchGroup>,
    /// Street cuts of works (districts, trunk roads, district limits).
    #[serde(default)]
    pub cuts: Vec<StreetCut>,
    /// Moratoria on the streets works cut.
    #[serde(default)]
    pub moratoria: Vec<MoratoriumFact>,
    /// Clusters of compounds renovated as one (their clearings start within a short
    /// mobilisation window).
    #[serde(default)]
    pub compound_clusters: Vec<Vec<String>>,
    /// Works lying in a compound without referencing it.
    #[serde(default)]
    pub memberships: Vec<CompoundMembership>,
    /// Extra precedences given by the user.
    #[serde(default)]
    pub precedences: Vec<ExtraPrecedence>,
}

/// What an activity does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ActivityKind {
    /// Dig the trench (opens it).
    Excavate,
    /// Lay the pipe or cable.
    Lay,
    /// Pressure test, weld inspection, manholes.
    Test,
    /// Backfill and compact.
    Backfill,
    /// Road restoration (closes the trench).
    Restore,
    /// Site clearing and demolition.
    Clearing,
    /// Road base course before paving.
    Subbase,
    /// Paving of roads and yards (a compound's surface phase or a paving work).
    Pave,
    /// Roof waterproofing.
    Roofing,
    /// Facade insulation.
    FacadeInsulation,
    /// Greening and landscaping.
    Greening,
    /// Fitness, elderly-care and leisure facilities.
    Facilities,
    /// Smart management: access control, cameras.
    SmartManagement,
    /// Lift retrofit.
    Elevator,
    /// Parking reorganisation.
    Parking,
    /// Any other building trade's site work.
    General,
    /// Clean heating: household confirmation (an office step, no site work).
    Confirm,
    /// Clean heating: equipment tender (an office step, no site work).
    Tender,
    /// Clean heating: in-home retrofit.
    Retrofit,
    /// Clean heating: gas or power connection.
    Connect,
    /// Clean heating: commissioning.
    Commission,
}

impl ActivityKind {
    /// The lower-case name used in activity ids and exports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Excavate => "excavate",
            ActivityKind::Lay => "lay",
            ActivityKind::Test => "test",
            ActivityKind::Backfill => "backfill",
            ActivityKind::Restore => "restore",
            ActivityKind::Clearing => "clearing",
            ActivityKind::Subbase => "subbase",
            ActivityKind::Pave => "pave",
            ActivityKind::Roofing => "roofing",
            ActivityKind::FacadeInsulation => "facade_insulation",
            ActivityKind::Greening => "greening",
            ActivityKind::Facilities => "facilities",
            ActivityKind::SmartManagement => "smart_management",
            ActivityKind::Elevator => "elevator",
            ActivityKind::Parking => "parking",
            ActivityKind::General => "general",
            ActivityKind::Confirm => "confirm",
            ActivityKind::Tender => "tender",
            ActivityKind::Retrofit => "retrofit",
            ActivityKind::Connect => "connect",
            ActivityKind::Commission => "commission",
        }
    }

    /// Whether the activity happens on site (holidays and non-working days stop it).
    #[must_use]
    pub fn is_site_work(self) -> bool {
        !matches!(self, ActivityKind::Confirm | ActivityKind::Tender)
    }
}

/// Where a deadline comes from, for explanations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeadlineSource {
    /// `work.deadline` of the named work.
    Work(String),
    /// `compound.finish_by` of the named compound.
    Compound(String),
    /// Clean heating must be commissioned before the heating season (of the named work).
    HeatingSeason(String),
}

impl std::fmt::Display for DeadlineSource {
    /// `deadline of work w1`, `finish_by of compound c5`, `heating season of work h2`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeadlineSource::Work(id) => write!(f, "deadline of work {id}"),
            DeadlineSource::Compound(id) => write!(f, "finish_by of compound {id}"),
            DeadlineSource::HeatingSeason(id) => write!(f, "heating season of work {id}"),
        }
    }
}

/// A date an activity must (hard) or should (soft) be finished by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The last allowed working day as a date (inclusive).
    pub date: NaiveDate,
    /// Exclusive bound in plan days: `start + duration <= finish_by`.
    pub finish_by: i64,
    /// Hard or soft.
    pub kind: DeadlineKind,
    /// Where it comes from.
    pub source: DeadlineSource,
}

/// A demand of an activity (or an excavation span) on a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demand {
    /// Index into [`Network::resources`].
    pub resource: usize,
    /// Units used on every day in progress.
    pub amount: u32,
}

/// One scheduled step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Unique id, `<work|trench|compound>/<kind>` (e.g. `w12/excavate`, `t3/restore`, `c5/pave`).
    pub id: String,
    /// What it does.
    pub kind: ActivityKind,
    /// Works served (several for a shared-trench activity; empty for a compound phase).
    pub works: Vec<String>,
    /// Owners of those works, deduplicated, in order of first appearance.
    pub owners: Vec<String>,
    /// Utility or trade doing it (the lead utility for shared-trench activities).
    pub discipline: Discipline,
    /// Shared trench id, if a shared-trench activity or a lay/test in one.
    pub trench: Option<String>,
    /// Compound id, if it belongs to a compound.
    pub compound: Option<String>,
    /// District (of the compound, else of the first cut street), if known.
    pub district: Option<String>,
    /// Duration in days (at least 1).
    pub duration_days: u32,
    /// Metres worked (trench length for excavate/backfill/restore, work length for lay/test).
    pub metres: f64,
    /// Crew demands while in progress.
    pub demands: Vec<Demand>,
    /// Days the activity may not overlap: sorted, merged, within the calendar span
    /// (seasons and the windows of `moratoria`).
    pub forbidden: Vec<DayInterval>,
    /// The moratoria among `forbidden`, one per street cut, for advice on which exception
    /// would help.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moratoria: Vec<StreetWindow>,
    /// `forbidden` without `moratoria` (the seasons alone), kept when there are moratoria.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seasons: Vec<DayInterval>,
    /// Earliest start day.
    pub release: i64,
    /// Deadlines on its finish.
    pub deadlines: Vec<Deadline>,
}

/// Why a precedence exists, for explanations of critical paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrecedenceReason {
    /// Step order inside one work's template.
    Template,
    /// A shared trench: its works' lay/test sit between the shared excavate and backfill.
    SharedTrench,
    /// Site clearing before any other work of the compound.
    ClearingFirst,
    /// Underground works (restored trenches) before the compound's surface.
    UndergroundBeforeSurface,
    /// Pipe penetrations before roof waterproofing and facade insulation.
    PenetrationsBeforeEnvelope,
    /// Surface and envelope before greening, facilities and smart management.
    FinishingLast,
    /// Gas or power works of the compound finished before the clean-heating connection.
    ConnectionNeedsSupply,
    /// Compounds of one renovation cluster start clearing within a mobilisation window.
    ClusterSynchronised,
    /// Given by the user.
    Custom,
}

/// `S_to - S_from >= min_lag` and, if bounded, `S_to - S_from <= max_lag` (start-to-start days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Precedence {
    /// Index of the earlier activity.
    pub from: usize,
    /// Index of the later activity.
    pub to: usize,
    /// Minimum start-to-start lag.
    pub min_lag: i64,
    /// Maximum start-to-start lag, if any.
    pub max_lag: Option<i64>,
    /// Why.
    pub reason: PrecedenceReason,
}

/// What a resource is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResourceKind {
    /// Crews of a utility or trade (`Settings::crews_for`).
    Crew {
        /// The utility or trade.
        discipline: Discipline,
    },
    /// Street segments open at once in a district (`Settings::district_limits`).
    District {
        /// The district name.
        district: String,
    },
}

/// A renewable resource with a per-day capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// `crew:<discipline>` or `district:<name>`.
    pub id: String,
    /// What it is.
    pub kind: ResourceKind,
    /// Units available per day.
    pub capacity: u32,
}

/// One separate excavation: an objective term and a district-limit span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excavation {
    /// The trench id for a shared trench, else the work id.
    pub id: String,
    /// Whether it is a shared trench.
    pub shared: bool,
    /// Index of the activity that opens it.
    pub excavate: usize,
    /// Index of the activity that closes it.
    pub restore: usize,
    /// Length in metres.
    pub length_m: f64,
    /// Works in it.
    pub works: Vec<String>,
    /// Streets it cuts (deduplicated).
    pub streets: Vec<String>,
    /// District resources held from excavate start to restore end.
    pub demands: Vec<Demand>,
}

/// The activity network of one plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Day 0.
    pub plan_start: NaiveDate,
    /// The plan's horizon in days.
    pub horizon_days: u32,
    /// Days covered by the calendar windows and working-day calendars: the horizon plus
    /// four years, so a late schedule still sees the seasons.
    pub calendar_span_days: i64,
    /// The site and office working-day calendars.
    pub calendar: WorkCalendar,
    /// Every activity; a [`Precedence`] or [`Demand`] refers to them by index.
    pub activities: Vec<Activity>,
    /// Every precedence.
    pub precedences: Vec<Precedence>,
    /// Every resource.
    pub resources: Vec<Resource>,
    /// Every separate excavation.
    pub excavations: Vec<Excavation>,
}

/// Why a network could not be built or evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetworkError {
    /// An input refers to a work the plan does not have.
    #[error("{context} refers to unknown work `{work}`")]
    UnknownWork {
        /// Where the reference is.
        context: String,
        /// The missing work id.
        work: String,
    },
    /// An input refers to a compound the plan does not have.
    #[error("{context} refers to unknown compound `{compound}`")]
    UnknownCompound {
        /// Where the reference is.
        context: String,
        /// The missing compound id.
        compound: String,
    },
    /// A precedence refers to an activity the network does not have.
    #[error("{context} refers to unknown activity `{activity}`")]
    UnknownActivity {
        /// Where the reference is.
        context: String,
        /// The missing activity id.
        activity: String,
    },
    /// A work is listed in two trenches.
    #[error("work `{work}` is in both trench `{first}` and trench `{second}`")]
    WorkInSeveralTrenches {
        /// The work.
        work: String,
        /// First trench.
        first: String,
        /// Second trench.
        second: String,
    },
    /// An input refers to a street the plan does not have.
    #[error("{context} refers to unknown street `{street}`")]
    UnknownStreet {
        /// Where the reference is.
        context: String,
        /// The missing street id.
        street: String,
    },
    /// A trench lists a work that is not a pipeline (utility) work.
    #[error("trench `{trench}` lists `{work}`, which is not a pipeline work")]
    NotAPipelineWork {
        /// The trench.
        trench: String,
        /// The work.
        work: String,
    },
    /// A trench has no works.
    #[error("trench `{trench}` has no works")]
    EmptyTrench {
        /// The trench.
        trench: String,
    },
    /// A clean-heating work without a conversion type.
    #[error("clean-heating work `{work}` has no conversion (coal_to_gas or coal_to_electric)")]
    MissingConversion {
        /// The work.
        work: String,
    },
    /// A length or productivity that is not a finite non-negative (or positive) number.
    #[error("{context} has an invalid {quantity}: {value}")]
    InvalidNumber {
        /// Where.
        context: String,
        /// Which quantity.
        quantity: &'static str,
        /// The value.
        value: f64,
    },
    /// Two activities would get the same id (e.g. a trench id equal to a work id).
    #[error("two activities have the id `{activity}`")]
    DuplicateActivity {
        /// The id.
        activity: String,
    },
    /// A precedence whose maximum lag is below its minimum lag.
    #[error("precedence `{from}` -> `{to}` has max lag {max_lag} below min lag {min_lag}")]
    InconsistentLags {
        /// Earlier activity.
        from: String,
        /// Later activity.
        to: String,
        /// Minimum lag.
        min_lag: i64,
        /// Maximum lag.
        max_lag: i64,
    },
    /// The precedences form a cycle; the activities are listed in cycle order.
    #[error("precedence cycle: {}", activities.join(" -> "))]
    Cycle {
        /// Activity ids around the cycle, each preceding the next, the last preceding the first.
        activities: Vec<String>,
    },
    /// A precedence or demand refers to an index outside the network.
    #[error("{context} refers to index {index}, but there are only {len}")]
    IndexOutOfRange {
        /// Where.
        context: String,
        /// The index.
        index: usize,
        /// The number of items.
        len: usize,
    },
    /// A schedule given for evaluation does not have one start per activity.
    #[error("schedule has {got} start days but the network has {expected} activities")]
    StartsLength {
        /// Number of activities.
        expected: usize,
        /// Number of starts given.
        got: usize,
    },
}

impl Network {
    /// The index of the activity with this id.
    ///
    /// # Complexity
    /// O(n) in the number of activities.
    #[must_use]
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.activities.iter().position(|a| a.id == id)
    }

    /// The activity with this id.
    #[must_use]
    pub fn activity(&self, id: &str) -> Option<&Activity> {
        self.activities.iter().find(|a| a.id == id)
    }

    /// The number of separate excavations (each opens and restores the street once).
    #[must_use]
    pub fn excavation_count(&self) -> usize {
        self.excavations.len()
    }
}
