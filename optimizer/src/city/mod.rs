//! Planning a whole city: from a validated plan and its spatial analysis to a verified,
//! coordinated dig schedule.
//!
//! ```text
//! Plan + Analysis ──inputs──> NetworkInputs ──Network::build──> activity network
//!        ──lowering──> engine Problem ──solve──> Schedule ──verify──> ScheduleDocument
//! ```
//! The uncoordinated baseline (every utility digging alone) is built from the same inputs
//! without trenches, so the saving is measured on the same plan.

pub mod document;
pub mod inputs;
pub mod lowering;
pub mod network;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use geodata::analysis::Analysis;
use geodata::plan::{DeadlineKind, Plan};

use crate::city::network::{
    Activity, ActivityKind, Network, NetworkError, ResourceKind, Templates,
};
use crate::engine::SearchOptions;
use crate::engine::{Cause, ForcedBy, Link, Schedule};
use crate::engine::{SolveError, SolveOptions, solve};
use crate::engine::{Violation, verify};
use document::{
    ChainLink, DeadlineOutcome, PlanRef, Rule, RuleViolation, ScheduleDocument, ScheduledActivity,
    SharedTrench, Subject, Summary,
};

/// Effort and seed of a city plan.
#[derive(Debug, Clone)]
pub struct CityOptions {
    /// Wall-clock limit of the search.
    pub time_limit: Duration,
    /// Seed of the search (same seed and limits, same schedule on the same machine).
    pub seed: u64,
    /// Set by another thread to stop planning: [`plan_city`] then returns
    /// [`CityError::Cancelled`] within about a second.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for CityOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(30),
            seed: SearchOptions::default().seed,
            cancel: None,
        }
    }
}

/// Why a city could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum CityError {
    /// The activity network could not be built (unknown references, a cycle, ...).
    #[error("the activity network cannot be built")]
    Network {
        /// What is wrong, naming the activities or inputs.
        #[source]
        source: NetworkError,
    },
    /// The engine rejected the problem (e.g. maximum lags that contradict each other).
    #[error("the plan cannot be scheduled")]
    Solve {
        /// What is wrong.
        #[source]
        source: SolveError,
    },
    /// Planning was cancelled through [`CityOptions::cancel`].
    #[error("planning was cancelled")]
    Cancelled,
    /// The uncoordinated baseline (the plan without shared trenches) could not be
    /// scheduled, so no saving can be measured.
    #[error("the uncoordinated baseline of the plan cannot be scheduled")]
    Baseline {
        /// What is wrong.
        #[source]
        source: SolveError,
    },
}

/// Plans a city: builds its network, schedules it, verifies the result and measures the
/// saving against the uncoordinated baseline.
///
/// # Errors
/// [`CityError::Network`] for inconsistent inputs or a precedence cycle (named);
/// [`CityError::Solve`] when the temporal constraints contradict each other.
pub fn plan_city(
    plan: &Plan,
    analysis: &Analysis,
    options: &CityOptions,
) -> Result<ScheduleDocument, CityError> {
    let began = Instant::now();
    let inputs = inputs::network_inputs(analysis);
    let templates = Templates::default();
    let network = Network::build(plan, &inputs, &templates)
        .map_err(|source| CityError::Network { source })?;
    let baseline = Network::baseline(plan, &inputs, &templates)
        .map_err(|source| CityError::Network { source })?;
    let problem = lowering::problem(&network);
    let baseline_problem = lowering::problem(&baseline.network);
    let solve_options = SolveOptions {
        search: SearchOptions {
            time_limit: options.time_limit,
            max_schedules: None,
            seed: options.seed,
        },
        retime: true,
        cancel: options.cancel.clone(),
    };
    // The coordinated plan and the uncoordinated baseline get the same search effort, side
    // by side, so the saving compares like with like.
    let (schedule, baseline_schedule) = rayon::join(
        || solve(&problem, &solve_options),
        || solve(&baseline_problem, &solve_options),
    );
    let schedule = schedule.map_err(|source| match source {
        SolveError::Cancelled => CityError::Cancelled,
        source => CityError::Solve { source },
    })?;
    let baseline_schedule = baseline_schedule.map_err(|source| match source {
        SolveError::Cancelled => CityError::Cancelled,
        source => CityError::Baseline { source },
    })?;
    let baseline_metre_days = baseline
        .network
        .trench_open_metre_days(&baseline_schedule.starts)
        .map_err(|source| CityError::Network { source })?;
    // Missed hard deadlines are reported (with their chains) in `deadlines`; every other
    // violation means the schedule breaks a rule and must not be called verified.
    let violations: Vec<RuleViolation> = verify(&problem, &schedule.starts, &schedule.ends)
        .into_iter()
        .filter(|v| !matches!(v, Violation::DeadlineMissed { .. }))
        .map(|v| RuleViolation {
            rule: Rule::Engine,
            subjects: Vec::new(),
            message: v.to_string(),
        })
        .collect();
    let verified = violations.is_empty();
    let trench_open_metre_days = network
        .trench_open_metre_days(&schedule.starts)
        .map_err(|source| CityError::Network { source })?;
    let deadlines = deadline_outcomes(&network, &schedule);
    let summary = Summary {
        makespan_days: schedule.makespan(),
        excavations: network.excavation_count(),
        trench_open_metre_days,
        hard_deadlines_missed: deadlines.iter().filter(|d| d.is_missed_hard()).count(),
        hard_deadlines_unavoidable: deadlines
            .iter()
            .filter(|d| {
                d.is_missed_hard()
                    && matches!(d.forced_by, Some(ForcedBy::Lags | ForcedBy::Calendar))
            })
            .count(),
        lateness_days: deadlines.iter().map(|d| d.lateness_days).sum(),
        lower_bound_days: schedule.bound.best(),
        gap: schedule.gap,
        beyond_horizon: 0,
        verified,
        violations,
        baseline_excavations: baseline.excavations,
        baseline_trench_open_metre_days: baseline_metre_days,
        baseline_trench_open_metre_days_lower_bound: baseline.minimum_trench_open_metre_days,
        baseline_makespan_days: baseline_schedule.makespan(),
        baseline_late_activities: baseline_schedule.missed.len(),
        activities: network.activities.len(),
        components: schedule.components,
        schedules: schedule.schedules,
        seconds: began.elapsed().as_secs_f64(),
        weights: schedule.weights,
    };
    Ok(ScheduleDocument {
        plan: PlanRef {
            name: plan.settings.name.clone(),
            start: plan.settings.start,
        },
        activities: scheduled_activities(&network, &schedule),
        trenches: shared_trenches(plan, analysis),
        deadlines,
        beyond_horizon: Vec::new(),
        summary,
    })
}

/// The calendar date of plan day `day`.
fn date_of(start: NaiveDate, day: i64) -> NaiveDate {
    let shifted = if day >= 0 {
        start.checked_add_days(Days::new(day.unsigned_abs()))
    } else {
        start.checked_sub_days(Days::new(day.unsigned_abs()))
    };
    shifted.unwrap_or(start)
}

/// Every activity with its dates and crew.
fn scheduled_activities(network: &Network, schedule: &Schedule) -> Vec<ScheduledActivity> {
    let crews = assign_crews(network, schedule);
    network
        .activities
        .iter()
        .enumerate()
        .map(|(i, a)| ScheduledActivity {
            id: a.id.clone(),
            kind: a.kind,
            subject: subject_of(a),
            works: a.works.clone(),
            owners: a.owners.clone(),
            discipline: a.discipline,
            trench: a.trench.clone(),
            compound: a.compound.clone(),
            district: a.district.clone(),
            start: date_of(network.plan_start, schedule.starts[i]),
            end: date_of(network.plan_start, schedule.ends[i] - 1),
            crew: crews[i].clone(),
        })
        .collect()
}

/// What `activity` is a step of: the excavation, backfill and restoration of a shared
/// trench belong to the trench; every other step of a work to the work; a step with no
/// work is a compound phase.
fn subject_of(activity: &Activity) -> Subject {
    let trench_step = matches!(
        activity.kind,
        ActivityKind::Excavate | ActivityKind::Backfill | ActivityKind::Restore
    );
    match (&activity.trench, activity.works.first(), &activity.compound) {
        (Some(trench), _, _) if trench_step => Subject::Trench(trench.clone()),
        (_, Some(work), _) => Subject::Work(work.clone()),
        (_, None, Some(compound)) => Subject::Compound(compound.clone()),
        // The builder gives every activity a work or a compound; an id is all that is left.
        (_, None, None) => Subject::Work(activity.id.clone()),
    }
}

/// Names the crew of each activity (`water#2`): per crew pool, activities in start order
/// take the lowest-numbered crews free on their first day. Capacity holds in a verified
/// schedule, so a crew is always free.
fn assign_crews(network: &Network, schedule: &Schedule) -> Vec<Option<String>> {
    let mut crews = vec![None; network.activities.len()];
    for (r, resource) in network.resources.iter().enumerate() {
        let ResourceKind::Crew { discipline } = &resource.kind else {
            continue;
        };
        let mut users: Vec<(usize, u32)> = network
            .activities
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                a.demands
                    .iter()
                    .find(|d| d.resource == r && d.amount > 0)
                    .map(|d| (i, d.amount))
            })
            .collect();
        users.sort_by_key(|&(i, _)| (schedule.starts[i], i));
        // busy_until[k] = first day crew k is free again.
        let mut busy_until: Vec<i64> = Vec::new();
        for (i, amount) in users {
            let mut taken = Vec::new();
            for (k, until) in busy_until.iter_mut().enumerate() {
                if taken.len() == amount as usize {
                    break;
                }
                if *until <= schedule.starts[i] {
                    *until = schedule.ends[i];
                    taken.push(k + 1);
                }
            }
            while taken.len() < amount as usize {
                busy_until.push(schedule.ends[i]);
                taken.push(busy_until.len());
            }
            let numbers: Vec<String> = taken.iter().map(ToString::to_string).collect();
            crews[i] = Some(format!("{}#{}", discipline.as_str(), numbers.join("+")));
        }
    }
    crews
}

/// The outcome of every deadline in the network, with chains for missed hard ones.
fn deadline_outcomes(network: &Network, schedule: &Schedule) -> Vec<DeadlineOutcome> {
    let start = network.plan_start;
    let chains: HashMap<usize, (ForcedBy, &[Link])> = schedule
        .missed
        .iter()
        .map(|m| (m.activity, (m.forced_by, m.chain.as_slice())))
        .collect();
    let mut out = Vec::new();
    for (i, a) in network.activities.iter().enumerate() {
        for d in &a.deadlines {
            let lateness = (schedule.ends[i] - d.finish_by).max(0);
            let missed = (lateness > 0 && d.kind == DeadlineKind::Hard)
                .then(|| chains.get(&i))
                .flatten();
            let explanation = missed.map(|(_, chain)| {
                {
                    chain
                        .iter()
                        .map(|link| ChainLink {
                            activity: link.name.clone(),
                            start: date_of(start, link.start),
                            because: because(&link.cause, network),
                        })
                        .collect()
                }
            });
            out.push(DeadlineOutcome {
                source: d.source.clone(),
                activity: a.id.clone(),
                kind: d.kind,
                date: d.date,
                finish: date_of(start, schedule.ends[i] - 1),
                lateness_days: lateness,
                forced_by: missed.map(|&(forced_by, _)| forced_by),
                explanation,
            });
        }
    }
    out
}

/// One sentence for a link of an explanation chain.
fn because(cause: &Cause, network: &Network) -> String {
    let start = network.plan_start;
    match cause {
        Cause::Release { day } => format!("it may not start before {}", date_of(start, *day)),
        Cause::Lag { lag } => {
            format!("it must start at least {lag} day(s) after the previous step starts")
        }
        Cause::Resource { resource } => {
            format!("every unit of {resource} is busy until the previous step ends")
        }
        Cause::Window { start: from, end } => format!(
            "it may not be in progress from {} to {}",
            date_of(start, *from),
            date_of(start, *end - 1)
        ),
        Cause::Slack => "nothing forces this start".to_owned(),
    }
}

/// The analysis trenches with their utilities and owners.
fn shared_trenches(plan: &Plan, analysis: &Analysis) -> Vec<SharedTrench> {
    let owner_of: HashMap<&str, &str> = plan
        .works
        .iter()
        .map(|w| (w.id.as_str(), w.owner.as_str()))
        .collect();
    analysis
        .trenches
        .iter()
        .map(|t| {
            let mut owners: Vec<String> = Vec::new();
            for w in &t.works {
                if let Some(&owner) = owner_of.get(w.as_str())
                    && !owners.iter().any(|o| o == owner)
                {
                    owners.push(owner.to_owned());
                }
            }
            SharedTrench {
                id: t.id.clone(),
                works: t.works.clone(),
                utilities: t.utilities.iter().map(|u| u.as_str().to_owned()).collect(),
                owners,
                length_m: t.length_m,
                excavations_saved: t.works.len().saturating_sub(1),
            }
        })
        .collect()
}
