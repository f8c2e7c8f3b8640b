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

mod advice;
pub mod coordination;
pub mod document;
pub mod inputs;
pub mod lowering;
pub mod network;
pub mod regroup;
pub mod replan;
mod report;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use geodata::analysis::Analysis;
use geodata::plan::Plan;

use crate::check::check;
use crate::city::network::{Network, NetworkError, Templates};
use crate::engine::Progress;
use crate::engine::SearchOptions;
use crate::engine::{Problem, Schedule, SolveError, SolveOptions, solve};
use crate::engine::{Violation, verify};
use coordination::LeastDays;
use document::{
    DeadlineOutcome, MissCause, PlanRef, Rule, RuleViolation, ScheduleDocument, Summary,
};
use lowering::Lowered;
use network::NetworkInputs;
use report::{Report, Sharing};

/// Share of the time limit the search and the timing LP may use; explanations, advice and
/// the plan-level check have the rest.
const SOLVE_SHARE: f64 = 0.85;

/// Share of the time limit that must remain before the search deadline for another round
/// on the regrouped plan ([`regroup_rounds`]).
const SECOND_ROUND_SHARE: f64 = 0.15;

/// Rounds on a regrouped plan after the first search, at most.
const MAX_REGROUPS: usize = 3;

/// Effort and seed of a city plan.
#[derive(Debug, Clone)]
pub struct CityOptions {
    /// Wall-clock limit of the whole run: network, search, timing, explanations, advice
    /// and the plan-level check.
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
    plan_city_with(plan, analysis, options, None).map(|(document, _)| document)
}

/// [`plan_city`], or with `replan` (what happened, the previous schedule) a re-plan:
/// history built into the problem, the search warm-started from the previous schedule and
/// the actual dates written into the document ([`replan`]).
fn plan_city_with(
    plan: &Plan,
    analysis: &Analysis,
    options: &CityOptions,
    replan: Option<(&replan::Actuals, &ScheduleDocument)>,
) -> Result<(ScheduleDocument, replan::WarmStart), CityError> {
    let began = Instant::now();
    let inputs = inputs::network_inputs(plan, analysis);
    let templates = Templates::default();
    let baseline = Network::baseline(plan, &inputs, &templates)
        .map_err(|source| CityError::Network { source })?;
    let baseline_lowered = lowering::lower(&baseline.network);
    let apart_least = LeastDays::of(&baseline.network, &baseline_lowered)
        .map_err(|source| CityError::Solve { source })?;
    let mut first = grouped(plan, inputs, &templates, (&baseline.network, &apart_least))?;
    let warm_starts = replan.map(|(actuals, previous)| {
        replan::constrain(&first.network, &mut first.lowered, actuals, previous)
    });
    let solve_options = solve_options(options, began);
    let (schedule, warm_start, baseline_schedule) = first_round(
        &first.lowered.problem,
        warm_starts.as_deref(),
        &baseline_lowered.problem,
        &solve_options,
    )?;
    let baseline_report = Report::new(&baseline.network, &baseline_lowered, &baseline_schedule);
    let (baseline_deadlines, _) = baseline_report
        .deadlines_and_horizon()
        .map_err(|source| CityError::Baseline { source })?;
    let apart = (&baseline.network, &apart_least);
    // A re-plan keeps the grouping its history was dug with.
    let (grouped, schedule, outcomes) = if replan.is_none() {
        regroup_rounds(
            plan,
            &templates,
            (first, schedule),
            apart,
            &baseline_deadlines,
            &solve_options,
        )?
    } else {
        (first, schedule, None)
    };
    let Grouped {
        inputs,
        network,
        lowered,
        least: shared_least,
    } = grouped;
    let report = Report::new(&network, &lowered, &schedule).with_sharing(Sharing {
        trenches: &inputs.trenches,
        least: &shared_least,
        apart,
    });
    let (deadlines, beyond_horizon) = match outcomes {
        Some(outcomes) => outcomes,
        None => Lateness::of(&report)?.0,
    };
    // Missed hard deadlines and activities beyond the horizon are reported in the
    // document; every other violation means the schedule breaks a rule.
    let violations = engine_violations(&lowered.problem, &schedule);
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
    // A re-plan gives no advice: its history is fixed, and `digonce plan` advises on the
    // plan itself (the advice search can outlast a re-plan's time limit).
    let advice = if replan.is_some() {
        document::Advice::default()
    } else {
        advice::advise(
            &advice::Planned {
                network: &network,
                lowered: &lowered,
                schedule: &schedule,
                deadlines: &deadlines,
                beyond_horizon: &beyond_horizon,
                trenches: &inputs.trenches,
            },
            (began + options.time_limit).saturating_duration_since(Instant::now()),
        )
    };
    let mut document = ScheduleDocument {
        plan: PlanRef {
            name: plan.settings.name.clone(),
            start: plan.settings.start,
        },
        activities: report.activities(),
        trenches: report::shared_trenches(plan, &inputs.trenches),
        deadlines,
        beyond_horizon,
        advice,
        summary,
        replan: None,
    };
    if let Some((actuals, _)) = replan {
        replan::pin(&mut document, actuals);
    }
    // The plan-level check judges the finished document against the plan file's own rules,
    // sharing no code with what built it; verified means both verifiers found nothing.
    let broken = check(plan, analysis, &document);
    document.summary.violations.extend(broken);
    document.summary.verified = document.summary.violations.is_empty();
    Ok((document, warm_start))
}

/// The first search of the coordinated plan (from `warm_starts` on a re-plan) and the
/// search of the uncoordinated baseline, side by side with the same effort so the saving
/// compares like with like.
fn first_round(
    coordinated: &Problem,
    warm_starts: Option<&[Vec<i64>]>,
    baseline: &Problem,
    options: &SolveOptions,
) -> Result<(Schedule, replan::WarmStart, Schedule), CityError> {
    let baseline_options = SolveOptions {
        progress: None,
        ..options.clone()
    };
    let (schedule, baseline_schedule) = rayon::join(
        || match warm_starts {
            None => solve(coordinated, options).map(|s| (s, replan::WarmStart::Fresh)),
            Some(starts) => replan::solve_warm(coordinated, options, starts),
        },
        || solve(baseline, &baseline_options),
    );
    let (schedule, warm_start) = schedule.map_err(solve_error)?;
    let baseline_schedule = baseline_schedule.map_err(|source| match source {
        SolveError::Cancelled => CityError::Cancelled,
        source => CityError::Baseline { source },
    })?;
    Ok((schedule, warm_start, baseline_schedule))
}

/// A search's error as the city's: cancelled, or the plan cannot be scheduled.
fn solve_error(source: SolveError) -> CityError {
    match source {
        SolveError::Cancelled => CityError::Cancelled,
        source => CityError::Solve { source },
    }
}

/// The search options of a run that began at `began`.
fn solve_options(options: &CityOptions, began: Instant) -> SolveOptions {
    SolveOptions {
        search: SearchOptions {
            time_limit: options.time_limit,
            max_schedules: None,
            seed: options.seed,
            stop_when_stalled: true,
        },
        retime: true,
        cancel: options.cancel.clone(),
        progress: options.progress.clone(),
        // The search and the timing LP share the run's time with what comes after them
        // (explanations, advice, the plan-level check): they stop at 85 % of the limit.
        deadline: Some(began + options.time_limit.mul_f64(SOLVE_SHARE)),
    }
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
            .filter(|d| d.forced_by.is_some_and(MissCause::is_unavoidable))
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
        baseline_hard_deadlines_missed: f.baseline_deadlines.iter().filter(missed).count(),
        activities: f.network.activities.len(),
        components: f.schedule.components,
        schedules: f.schedule.schedules,
        seconds: f.began.elapsed().as_secs_f64(),
        weights: f.schedule.weights,
    }
}

/// The network of the decided grouping, lowered, with its least schedule.
struct Grouped {
    inputs: NetworkInputs,
    network: Network,
    lowered: Lowered,
    least: LeastDays,
}

/// Decides which works share which trench with the deadlines in view
/// ([`coordination::decide`]) and builds that network; it is rebuilt only when the
/// decision changed a proposed trench.
fn grouped(
    plan: &Plan,
    mut inputs: NetworkInputs,
    templates: &Templates,
    apart: (&Network, &LeastDays),
) -> Result<Grouped, CityError> {
    let proposed = Grouped::build(plan, inputs.clone(), templates)?;
    let decision = coordination::decide(plan, &inputs, (&proposed.network, &proposed.least), apart);
    if decision.splits.is_empty() {
        return Ok(proposed);
    }
    inputs.trenches = decision.trenches;
    Grouped::build(plan, inputs, templates)
}

impl Grouped {
    /// What the report needs to tell misses that sharing causes.
    fn sharing<'a>(&'a self, apart: (&'a Network, &'a LeastDays)) -> Sharing<'a> {
        Sharing {
            trenches: &self.inputs.trenches,
            least: &self.least,
            apart,
        }
    }

    /// The network of `inputs`, lowered, with its least schedule.
    fn build(plan: &Plan, inputs: NetworkInputs, templates: &Templates) -> Result<Self, CityError> {
        let network = Network::build(plan, &inputs, templates)
            .map_err(|source| CityError::Network { source })?;
        let lowered = lowering::lower(&network);
        let least =
            LeastDays::of(&network, &lowered).map_err(|source| CityError::Solve { source })?;
        Ok(Self {
            inputs,
            network,
            lowered,
            least,
        })
    }
}

/// A schedule's deadline outcomes and the activities it ends beyond the horizon.
type Outcomes = (Vec<DeadlineOutcome>, Vec<document::BeyondHorizon>);

/// How late a round's schedule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lateness {
    /// Hard deadlines missed.
    missed: usize,
    /// Their total days late.
    days: i64,
    /// Activities beyond the horizon.
    beyond_horizon: usize,
}

impl Lateness {
    /// A round's deadline outcomes, what ends beyond the horizon, and how late it is.
    fn of(report: &Report<'_>) -> Result<(Outcomes, Self), CityError> {
        let (deadlines, beyond) = report
            .deadlines_and_horizon()
            .map_err(|source| CityError::Solve { source })?;
        let (missed, days) = deadlines
            .iter()
            .filter(|d| d.is_missed_hard())
            .fold((0, 0), |(n, days), d| (n + 1, days + d.lateness_days));
        let lateness = Self {
            missed,
            days,
            beyond_horizon: beyond.len(),
        };
        Ok(((deadlines, beyond), lateness))
    }

    /// Fewer hard deadlines missed, no more days late and no more beyond the horizon.
    fn improves_on(self, before: Self) -> bool {
        self.missed < before.missed
            && self.days <= before.days
            && self.beyond_horizon <= before.beyond_horizon
    }
}

/// The second look at the grouping ([`regroup`]): while the schedule misses hard deadlines
/// the uncoordinated schedule meets and a shared trench is behind them, the regrouped plan
/// is searched (from the previous schedule where it carries over) until the same search
/// deadline, and kept when it misses fewer hard deadlines, is no later in total and leaves
/// no more activities beyond the horizon; otherwise the previous round stands. With the
/// kept round comes its deadline outcomes when they were computed, so the document does not
/// explain the same misses again.
fn regroup_rounds(
    plan: &Plan,
    templates: &Templates,
    first: (Grouped, Schedule),
    apart: (&Network, &LeastDays),
    baseline_deadlines: &[DeadlineOutcome],
    options: &SolveOptions,
) -> Result<(Grouped, Schedule, Option<Outcomes>), CityError> {
    let (mut grouped, mut schedule) = first;
    // Another round is searched only while enough time is left for it to be worth its
    // network build and explanations.
    let enough = || {
        options.deadline.is_none_or(|deadline| {
            deadline.saturating_duration_since(Instant::now())
                >= options.search.time_limit.mul_f64(SECOND_ROUND_SHARE)
        })
    };
    if !enough() {
        return Ok((grouped, schedule, None));
    }
    let (mut outcomes, mut before) = Lateness::of(
        &Report::new(&grouped.network, &grouped.lowered, &schedule)
            .with_sharing(grouped.sharing(apart)),
    )?;
    for _ in 0..MAX_REGROUPS {
        if !enough() {
            break;
        }
        let lost = regroup::lost_to_sharing(&outcomes.0, baseline_deadlines);
        let Some(regrouped) = regroup::regroup(&grouped.inputs.trenches, &lost) else {
            break;
        };
        let mut inputs = grouped.inputs.clone();
        inputs.trenches = regrouped.trenches;
        let next = Grouped::build(plan, inputs, templates)?;
        let ids = |n: &Network| {
            n.activities
                .iter()
                .map(|a| a.id.clone())
                .collect::<Vec<_>>()
        };
        let carried = regroup::carried_starts(
            (&ids(&grouped.network), &schedule.starts),
            &ids(&next.network),
            &regrouped.splits,
        );
        let searched = match carried {
            Some(starts) => {
                replan::solve_warm(&next.lowered.problem, options, &[starts]).map(|(s, _)| s)
            }
            None => solve(&next.lowered.problem, options),
        }
        .map_err(solve_error)?;
        let (again, after) = Lateness::of(
            &Report::new(&next.network, &next.lowered, &searched).with_sharing(next.sharing(apart)),
        )?;
        if !after.improves_on(before) {
            break;
        }
        (grouped, schedule, outcomes, before) = (next, searched, again, after);
    }
    Ok((grouped, schedule, Some(outcomes)))
}

/// What the engine's verifier finds in its own schedule besides missed deadlines.
fn engine_violations(
    problem: &crate::engine::Problem,
    schedule: &crate::engine::Schedule,
) -> Vec<RuleViolation> {
    verify(problem, &schedule.starts, &schedule.ends)
        .into_iter()
        .filter(|v| !matches!(v, Violation::DeadlineMissed { .. }))
        .map(|v| RuleViolation {
            rule: Rule::Engine,
            subjects: Vec::new(),
            message: v.to_string(),
        })
        .collect()
}
