//! The result of a solve: start and end days, objective terms and weights, lower bound and
//! gap, verdict, and for each missed deadline the chain of activities that forces it.

use serde::{Deserialize, Serialize};

use crate::engine::bound::MakespanBound;
use crate::engine::objective::Terms;
use crate::engine::problem::Weights;

/// How good the schedule is known to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// All deadlines hold and the makespan equals its lower bound with a makespan-only
    /// objective: proven optimal.
    Optimal,
    /// All constraints hold; optimality is not proven (see the gap).
    Feasible,
    /// Some hard deadlines cannot be met: this is the least-late schedule found.
    DeadlinesMissed,
}

/// Why an activity of an explanation chain starts when it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cause {
    /// It starts on its release date (the start of the chain).
    Release {
        /// The release day.
        day: i64,
    },
    /// A lag from the previous activity of the chain holds it back.
    Lag {
        /// The minimum start-to-start lag.
        lag: i64,
    },
    /// A resource is fully used until the previous activity of the chain finishes.
    Resource {
        /// Name of the saturated resource.
        resource: String,
    },
    /// A forbidden window ends on its start day (the start of the chain).
    Window {
        /// Window start.
        start: i64,
        /// Window end.
        end: i64,
    },
    /// Nothing forces this start: it could move earlier on its own (the chain ends).
    Slack,
}

/// What forces a missed deadline, from the strongest proof of impossibility down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ForcedBy {
    /// Releases and lags alone: the earliest-start schedule already misses it.
    Lags,
    /// Releases, lags and forbidden windows (seasons, holidays, moratoria) alone: even
    /// with unlimited crews and no district limits it is missed.
    Calendar,
    /// Only the crews and district limits: the deadline could hold in some schedule
    /// without them, so it is missed for capacity (or by the search's order).
    Resources,
}

/// One activity of a chain, from the chain's origin towards the late activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// Activity index.
    pub activity: usize,
    /// Activity name.
    pub name: String,
    /// Start day.
    pub start: i64,
    /// Why it starts then (relative to the previous link).
    pub cause: Cause,
}

/// A hard deadline the schedule misses and the chain that forces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedDeadline {
    /// Activity index.
    pub activity: usize,
    /// Activity name.
    pub name: String,
    /// The deadline.
    pub deadline: i64,
    /// The finish day in the schedule.
    pub finish: i64,
    /// The finish in the earliest-start schedule of lags and releases.
    pub earliest_finish: i64,
    /// The finish in the calendar schedule: lags, releases and forbidden windows with
    /// unlimited resources.
    pub calendar_finish: i64,
    /// What alone already makes the deadline impossible, or that only the shared crews
    /// and district limits do (then a better order might meet it).
    pub forced_by: ForcedBy,
    /// The forcing chain, origin first, ending with the late activity.
    pub chain: Vec<Link>,
}

/// A solved schedule with its proof of quality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Start day of each activity.
    pub starts: Vec<i64>,
    /// End day of each activity (start + duration).
    pub ends: Vec<i64>,
    /// Unweighted objective terms.
    pub terms: Terms,
    /// The weights the objective used.
    pub weights: Weights,
    /// Weighted objective.
    pub cost: f64,
    /// A lower bound on each objective term over every schedule of the problem.
    pub lower: Terms,
    /// The weighted cost of `lower`: no schedule costs less.
    pub cost_lower_bound: f64,
    /// The cost equals its lower bound: no schedule is better.
    pub proven_optimal: bool,
    /// Lower bounds on the makespan.
    pub bound: MakespanBound,
    /// Relative makespan gap `(makespan - bound) / bound` (0 when the bound is 0).
    pub gap: f64,
    /// Proven optimal, feasible, or deadlines missed.
    pub verdict: Verdict,
    /// Every missed hard deadline with its explanation.
    pub missed: Vec<MissedDeadline>,
    /// SGS passes performed by the search (all components).
    pub schedules: u64,
    /// Independent components solved separately.
    pub components: usize,
    /// Why the timing LP's answer was not used, per component where it was not.
    pub timing_notes: Vec<String>,
}

impl Schedule {
    /// The makespan.
    #[must_use]
    pub fn makespan(&self) -> i64 {
        self.terms.makespan
    }
}
