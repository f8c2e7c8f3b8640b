//! The generic scheduling model shared by the city planner and the PSPLIB benchmark.
//!
//! Time is counted in whole calendar days from day 0. An activity started on day `s` with
//! duration `d` is in progress on days `s, s + 1, .., s + d - 1` and finishes at `s + d`.
//! Every temporal relation is start-to-start with a minimum lag (finish-to-start is a lag
//! equal to the predecessor's duration) and an optional maximum lag; synchronisation is a
//! minimum and maximum lag of zero.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A renewable resource (a crew type, a district's street-closure quota) with a capacity
/// available on every day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// Human-readable name used in explanations.
    pub name: String,
    /// Units available on each day.
    pub capacity: u32,
}

/// A half-open window of days `[start, end)` in which an activity may not be in progress
/// (rainy season for roofing, frozen ground for excavation, a street moratorium).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// First forbidden day.
    pub start: i64,
    /// First day allowed again.
    pub end: i64,
}

/// A soft due date on an activity's finish, penalised per day late.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SoftDue {
    /// Day by which the activity should finish.
    pub day: i64,
    /// Penalty per day late (multiplied by [`Weights::soft_lateness`]).
    pub weight: f64,
}

/// One activity of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Name used in explanations and errors.
    pub name: String,
    /// Duration in days; zero is a milestone.
    pub duration: u32,
    /// Units of each resource used on every day in progress: `(resource index, units)`.
    pub demands: Vec<(usize, u32)>,
    /// Earliest start day.
    pub release: i64,
    /// Hard deadline on the finish day, if any.
    pub deadline: Option<i64>,
    /// Soft due date on the finish day, if any.
    pub due: Option<SoftDue>,
    /// Windows in which the activity may not be in progress.
    pub forbidden: Vec<Window>,
}

impl Activity {
    /// A plain activity with the given name and duration, released on day 0 and with no
    /// demands, deadlines or windows.
    #[must_use]
    pub fn new(name: impl Into<String>, duration: u32) -> Self {
        Self {
            name: name.into(),
            duration,
            demands: Vec::new(),
            release: 0,
            deadline: None,
            due: None,
            forbidden: Vec::new(),
        }
    }
}

/// A temporal relation `S_to >= S_from + min_lag` and, if `max_lag` is set,
/// `S_to <= S_from + max_lag`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    /// Index of the first activity.
    pub from: usize,
    /// Index of the second activity.
    pub to: usize,
    /// Minimum start-to-start lag in days (may be negative).
    pub min_lag: i64,
    /// Maximum start-to-start lag in days, if any.
    pub max_lag: Option<i64>,
}

/// The time from the start of `first` to the finish of `last`, e.g. the days a trench
/// stays open from excavation to restoration: a cost per day, and resources it holds on
/// every one of those days whether or not any activity is in progress (a district's quota
/// of streets open at once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenSpan {
    /// Activity whose start opens the span.
    pub first: usize,
    /// Activity whose finish closes the span.
    pub last: usize,
    /// Cost per open day (e.g. trench metres).
    pub weight: f64,
    /// Units of each resource held on every day of the span: `(resource index, units)`.
    #[serde(default)]
    pub demands: Vec<(usize, u32)>,
}

impl OpenSpan {
    /// A span with a cost per day and no resources held.
    #[must_use]
    pub fn new(first: usize, last: usize, weight: f64) -> Self {
        Self {
            first,
            last,
            weight,
            demands: Vec::new(),
        }
    }
}

/// Weights of the objective terms; reported with every result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Weights {
    /// Cost per day a hard deadline is missed (huge: deadlines come first).
    pub hard_lateness: f64,
    /// Multiplier of every [`OpenSpan`] term.
    pub open_span: f64,
    /// Multiplier of every soft due date's weighted lateness.
    pub soft_lateness: f64,
    /// Cost per day of the makespan.
    pub makespan: f64,
}

impl Default for Weights {
    /// Deadlines first, then open spans, then soft lateness, then finishing early.
    fn default() -> Self {
        Self {
            hard_lateness: 1.0e6,
            open_span: 1.0,
            soft_lateness: 1.0,
            makespan: 1.0,
        }
    }
}

/// A complete scheduling problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Problem {
    /// Renewable resources.
    pub resources: Vec<Resource>,
    /// Activities, referred to by index.
    pub activities: Vec<Activity>,
    /// Temporal relations between activities.
    pub edges: Vec<Edge>,
    /// Open-span cost terms.
    pub open_spans: Vec<OpenSpan>,
    /// Objective weights.
    pub weights: Weights,
}

/// Why a problem cannot be scheduled at all, independent of any search.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ProblemError {
    /// An edge names an activity index that does not exist.
    #[error("edge {edge} refers to activity {activity}, but there are only {count} activities")]
    UnknownActivity {
        /// Index of the edge.
        edge: usize,
        /// The out-of-range activity index.
        activity: usize,
        /// Number of activities.
        count: usize,
    },
    /// An open span names an activity index that does not exist.
    #[error(
        "open span {span} refers to activity {activity}, but there are only {count} activities"
    )]
    UnknownSpanActivity {
        /// Index of the open span.
        span: usize,
        /// The out-of-range activity index.
        activity: usize,
        /// Number of activities.
        count: usize,
    },
    /// A demand names a resource that does not exist.
    #[error(
        "activity `{activity}` demands resource {resource}, but there are only {count} resources"
    )]
    UnknownResource {
        /// Name of the activity.
        activity: String,
        /// The out-of-range resource index.
        resource: usize,
        /// Number of resources.
        count: usize,
    },
    /// An activity needs more units than ever exist.
    #[error("activity `{activity}` needs {demand} units of `{resource}` but only {capacity} exist")]
    DemandExceedsCapacity {
        /// Name of the activity.
        activity: String,
        /// Name of the resource.
        resource: String,
        /// Units demanded per day.
        demand: u32,
        /// Units available per day.
        capacity: u32,
    },
    /// An edge's maximum lag is below its minimum lag.
    #[error("edge {edge} has max lag {max_lag} below min lag {min_lag}")]
    MaxBelowMin {
        /// Index of the edge.
        edge: usize,
        /// The minimum lag.
        min_lag: i64,
        /// The maximum lag.
        max_lag: i64,
    },
    /// A forbidden window is empty or reversed.
    #[error("activity `{activity}` has a forbidden window [{start}, {end}) that is empty")]
    EmptyWindow {
        /// Name of the activity.
        activity: String,
        /// Window start.
        start: i64,
        /// Window end.
        end: i64,
    },
    /// A weight is negative or not finite.
    #[error("weight `{term}` is {value}; weights must be finite and non-negative")]
    BadWeight {
        /// Which term.
        term: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A release date is negative.
    #[error("activity `{activity}` is released on day {release}; days start at 0")]
    NegativeRelease {
        /// Name of the activity.
        activity: String,
        /// The release day.
        release: i64,
    },
    /// Temporal constraints contradict each other (a positive cycle of lags).
    #[error("temporal constraints form a positive cycle through {activities:?}")]
    PositiveCycle {
        /// Names of the activities on the cycle, in order.
        activities: Vec<String>,
    },
}

impl Problem {
    /// Checks indices, capacities, lags, windows and weights.
    ///
    /// # Errors
    /// The first [`ProblemError`] found (temporal cycles are found when solving, by the
    /// engine's private temporal network in `optimizer/src/engine/temporal.rs`, not here).
    pub fn validate(&self) -> Result<(), ProblemError> {
        let count = self.activities.len();
        for (edge, e) in self.edges.iter().enumerate() {
            for activity in [e.from, e.to] {
                if activity >= count {
                    return Err(ProblemError::UnknownActivity {
                        edge,
                        activity,
                        count,
                    });
                }
            }
            if let Some(max_lag) = e.max_lag
                && max_lag < e.min_lag
            {
                return Err(ProblemError::MaxBelowMin {
                    edge,
                    min_lag: e.min_lag,
                    max_lag,
                });
            }
        }
        for (span, s) in self.open_spans.iter().enumerate() {
            for activity in [s.first, s.last] {
                if activity >= count {
                    return Err(ProblemError::UnknownSpanActivity {
                        span,
                        activity,
                        count,
                    });
                }
            }
            if !(s.weight.is_finite() && s.weight >= 0.0) {
                return Err(ProblemError::BadWeight {
                    term: "open span",
                    value: s.weight,
                });
            }
            let name = || format!("open span {span}");
            self.check_demands(&name, &s.demands)?;
            // The span is open while its own first and last activities run.
            for &(r, units) in &s.demands {
                for j in [s.first, s.last] {
                    let total = units + self.demand(j, r);
                    if self.activities[j].duration > 0 && total > self.resources[r].capacity {
                        return Err(ProblemError::DemandExceedsCapacity {
                            activity: format!(
                                "{} within open span {span}",
                                self.activities[j].name
                            ),
                            resource: self.resources[r].name.clone(),
                            demand: total,
                            capacity: self.resources[r].capacity,
                        });
                    }
                }
            }
        }
        for a in &self.activities {
            if a.release < 0 {
                return Err(ProblemError::NegativeRelease {
                    activity: a.name.clone(),
                    release: a.release,
                });
            }
            self.check_demands(&|| a.name.clone(), &a.demands)?;
            for w in &a.forbidden {
                if w.end <= w.start {
                    return Err(ProblemError::EmptyWindow {
                        activity: a.name.clone(),
                        start: w.start,
                        end: w.end,
                    });
                }
            }
            if let Some(due) = a.due
                && !(due.weight.is_finite() && due.weight >= 0.0)
            {
                return Err(ProblemError::BadWeight {
                    term: "soft due date",
                    value: due.weight,
                });
            }
        }
        let w = &self.weights;
        for (term, value) in [
            ("hard_lateness", w.hard_lateness),
            ("open_span", w.open_span),
            ("soft_lateness", w.soft_lateness),
            ("makespan", w.makespan),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(ProblemError::BadWeight { term, value });
            }
        }
        Ok(())
    }

    /// Adds a finish-to-start precedence `from -> to` (lag = duration of `from`).
    pub fn precede(&mut self, from: usize, to: usize) {
        let lag = self
            .activities
            .get(from)
            .map_or(0, |a| i64::from(a.duration));
        self.edges.push(Edge {
            from,
            to,
            min_lag: lag,
            max_lag: None,
        });
    }

    /// Adds a start synchronisation of `a` and `b` (both start on the same day).
    pub fn synchronise(&mut self, a: usize, b: usize) {
        self.edges.push(Edge {
            from: a,
            to: b,
            min_lag: 0,
            max_lag: Some(0),
        });
    }

    /// Every demand names a resource and fits its capacity.
    fn check_demands(
        &self,
        holder: &dyn Fn() -> String,
        demands: &[(usize, u32)],
    ) -> Result<(), ProblemError> {
        for &(r, demand) in demands {
            let Some(res) = self.resources.get(r) else {
                return Err(ProblemError::UnknownResource {
                    activity: holder(),
                    resource: r,
                    count: self.resources.len(),
                });
            };
            if demand > res.capacity {
                return Err(ProblemError::DemandExceedsCapacity {
                    activity: holder(),
                    resource: res.name.clone(),
                    demand,
                    capacity: res.capacity,
                });
            }
        }
        Ok(())
    }

    /// Units of resource `r` activity `j` uses on each day in progress.
    #[must_use]
    pub fn demand(&self, j: usize, r: usize) -> u32 {
        self.activities[j]
            .demands
            .iter()
            .filter(|&&(res, _)| res == r)
            .map(|&(_, u)| u)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_rejects_demand_above_capacity() {
        let mut p = Problem {
            resources: vec![Resource {
                name: "crew".into(),
                capacity: 2,
            }],
            ..Problem::default()
        };
        let mut a = Activity::new("dig", 3);
        a.demands.push((0, 3));
        p.activities.push(a);
        assert!(matches!(
            p.validate(),
            Err(ProblemError::DemandExceedsCapacity { demand: 3, .. })
        ));
    }

    #[test]
    fn validation_rejects_unknown_edge_end_and_reversed_lags() {
        let mut p = Problem::default();
        p.activities.push(Activity::new("a", 1));
        p.edges.push(Edge {
            from: 0,
            to: 4,
            min_lag: 0,
            max_lag: None,
        });
        assert!(matches!(
            p.validate(),
            Err(ProblemError::UnknownActivity { activity: 4, .. })
        ));
        p.activities.push(Activity::new("b", 1));
        p.edges[0] = Edge {
            from: 0,
            to: 1,
            min_lag: 3,
            max_lag: Some(1),
        };
        assert!(matches!(
            p.validate(),
            Err(ProblemError::MaxBelowMin { .. })
        ));
    }

    #[test]
    fn precede_uses_the_predecessor_duration_as_lag() {
        let mut p = Problem::default();
        p.activities.push(Activity::new("a", 4));
        p.activities.push(Activity::new("b", 1));
        p.precede(0, 1);
        assert_eq!(p.edges[0].min_lag, 4);
        assert!(p.validate().is_ok());
    }
}
