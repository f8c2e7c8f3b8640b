//! Planning a whole city: from a validated plan and its spatial analysis to a verified,
//! coordinated dig schedule.
//!
//! ```text
//! Plan + Analysis ──inputs──> NetworkInputs ──Network::build──> activity network
//!        ──lowering──> engine Problem ──solve──> Schedule ──verify──> ScheduleDocument
//! ```
//! The uncoordinated baseline (every utility digging alone) is built from the same inputs
//! without trenches, so the saving is measured on the same plan. The finished document is
//! judged by [`crate::check`] against the plan file's own rules: `summary.verified` holds
//! only when that check and the engine's verifier both find nothing.

pub mod document;
pub mod inputs;
pub mod lowering;
pub mod network;
mod report;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use geodata::analysis::Analysis;
use geodata::plan::Plan;

use crate::check::check;
use crate::city::network::{Network, NetworkError, Templates};
use crate::engine::SearchOptions;
use crate::engine::{ForcedBy, Progress};
use crate::engine::{SolveError, SolveOptions, solve};
use crate::engine::{Violation, verify};
use document::{DeadlineOutcome, PlanRef, Rule, RuleViolation, ScheduleDocument, Summary};
use report::Report;

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
    /// Where the coordinated plan's search reports its best cost and bound as it goes.
    pub progress: Option<Arc<Progress>>,
}

impl Default for CityOptions {
    fn default() -> Self {
        Self {
            time_limit: Duration::from_secs(30),
            seed: SearchOptions::default().seed,
            cancel: None,
            progress: None,
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
    let inputs = inputs::network_inputs(plan, analysis);
    let templates = Templates::default();
    let network = Network::build(plan, &inputs, &templates)
        .map_err(|source| CityError::Network { source })?;
    let baseline = Network::baseline(plan, &inputs, &templates)
        .map_err(|source| CityError::Network { source })?;
    let lowered = lowering::lower(&network);
    let baseline_lowered = lowering::lower(&baseline.network);
    let solve_options = SolveOptions {
        search: SearchOptions {
            time_limit: options.time_limit,
            max_schedules: None,
            seed: options.seed,
        },
        retime: true,
        cancel: options.cancel.clone(),
        progress: options.progress.clone(),
    };
    let baseline_options = SolveOptions {
        progress: None,
        ..solve_options.clone()
    };
    // The coordinated plan and the uncoordinated baseline get the same search effort, side
    // by side, so the saving compares like with like.
    let (schedule, baseline_schedule) = rayon::join(
        || solve(&lowered.problem, &solve_options),
        || solve(&baseline_lowered.problem, &baseline_options),
    );
    let cancelled_or = |wrap: fn(SolveError) -> CityError| {
        move |source| match source {
            SolveError::Cancelled => CityError::Cancelled,
            source => wrap(source),
        }
    };
    let schedule = schedule.map_err(cancelled_or(|source| CityError::Solve { source }))?;
    let baseline_schedule =
        baseline_schedule.map_err(cancelled_or(|source| CityError::Baseline { source }))?;
    let report = Report::new(&network, &lowered, &schedule);
    let baseline_report = Report::new(&baseline.network, &baseline_lowered, &baseline_schedule);
    let (deadlines, beyond_horizon) = report
        .deadlines_and_horizon()
        .map_err(|source| CityError::Solve { source })?;
    let (baseline_deadlines, _) = baseline_report
        .deadlines_and_horizon()
        .map_err(|source| CityError::Baseline { source })?;
    // Missed hard deadlines and activities beyond the horizon are reported in the
    // document; every other violation means the schedule breaks a rule.
    let violations: Vec<RuleViolation> = verify(&lowered.problem, &schedule.starts, &schedule.ends)
        .into_iter()
        .filter(|v| !matches!(v, Violation::DeadlineMissed { .. }))
        .map(|v| RuleViolation {
            rule: Rule::Engine,
            subjects: Vec::new(),
            message: v.to_string(),
        })
        .collect();
    let summary = summary(&Figures {
        network: &network,
        baseline: &baseline,
        schedule: &schedule,
        report: &report,
        baseline_report: &baseline_report,
        deadlines: &deadlines,
        baseline_deadlines: &baseline_deadlines,
        beyond_horizon: beyond_horizon.len(),
        violations,
        began,
    });
    let mut document = ScheduleDocument {
        plan: PlanRef {
            name: plan.settings.name.clone(),
            start: plan.settings.start,
        },
        activities: report.activities(),
        trenches: report::shared_trenches(plan, analysis),
        deadlines,
        beyond_horizon,
        summary,
    };
    // The plan-level check judges the finished document against the plan file's own rules,
    // sharing no code with what built it; verified means both verifiers found nothing.
    let broken = check(plan, analysis, &document);
    document.summary.violations.extend(broken);
    document.summary.verified = document.summary.violations.is_empty();
    Ok(document)
}

/// What the summary is computed from.
struct Figures<'a> {
    network: &'a Network,
    baseline: &'a network::Baseline,
    schedule: &'a crate::engine::Schedule,
    report: &'a Report<'a>,
    baseline_report: &'a Report<'a>,
    deadlines: &'a [DeadlineOutcome],
    baseline_deadlines: &'a [DeadlineOutcome],
    beyond_horizon: usize,
    violations: Vec<RuleViolation>,
    began: Instant,
}

/// The figures of merit of a planned city.
fn summary(f: &Figures<'_>) -> Summary {
    let makespan_days = f.report.makespan_days();
    let lower_bound_days = f.report.lower_bound_days();
    #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
    let gap = if lower_bound_days > 0 {
        (makespan_days - lower_bound_days) as f64 / lower_bound_days as f64
    } else {
        0.0
    };
    let missed = |d: &&DeadlineOutcome| d.is_missed_hard();
    Summary {
        makespan_days,
        excavations: f.network.excavation_count(),
        trench_open_metre_days: f.report.trench_open_metre_days(),
        hard_deadlines_missed: f.deadlines.iter().filter(missed).count(),
        hard_deadlines_unavoidable: f
            .deadlines
            .iter()
            .filter(missed)
            .filter(|d| matches!(d.forced_by, Some(ForcedBy::Lags | ForcedBy::Calendar)))
            .count(),
        lateness_days: f.deadlines.iter().map(|d| d.lateness_days).sum(),
        lower_bound_days,
        gap,
        beyond_horizon: f.beyond_horizon,
        verified: f.violations.is_empty(),
        violations: f.violations.clone(),
        baseline_excavations: f.baseline.excavations,
        baseline_trench_open_metre_days: f.baseline_report.trench_open_metre_days(),
        baseline_trench_open_metre_days_lower_bound: f.baseline.minimum_trench_open_metre_days,
        baseline_makespan_days: f.baseline_report.makespan_days(),
        baseline_late_activities: f
            .baseline_deadlines
            .iter()
            .filter(missed)
            .map(|d| d.activity.as_str())
            .collect::<std::collections::HashSet<_>>()
            .len(),
        activities: f.network.activities.len(),
        components: f.schedule.components,
        schedules: f.schedule.schedules,
        seconds: f.began.elapsed().as_secs_f64(),
        weights: f.schedule.weights,
    }
}
