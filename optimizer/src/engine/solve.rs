//! The engine's entry point: split into independent components, search each in parallel,
//! retime by LP, bound, verify independently and explain missed deadlines.
//!
//! Two activities are in the same component when a lag, an open span or a shared resource
//! links them (directly or through others). Components share nothing, so each is searched
//! on its own (rayon), with the same wall-clock limit and a seed derived from its index.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use thiserror::Error;

use crate::engine::bound::{MakespanBound, makespan_bound};
use crate::engine::compress::compress_spans;
use crate::engine::explain::{calendar_starts, explain, missed_deadlines};
use crate::engine::objective::{Objective, Terms};
use crate::engine::problem::{Edge, OpenSpan, Problem, ProblemError};
use crate::engine::progress::Progress;
use crate::engine::schedule::{MissedDeadline, Schedule, Verdict};
use crate::engine::search::{Search, SearchOptions};
use crate::engine::sgs::{Model, shortest_span};
use crate::engine::temporal::{Network, cycle_error, earliest_starts};
use crate::engine::timing::retime;
use crate::engine::verify::{Violation, verify};

/// Effort and features of a solve.
#[derive(Debug, Clone)]
pub struct SolveOptions {
    /// Search effort and seed (per component).
    pub search: SearchOptions,
    /// Whether to retime the search's schedule by the LP.
    pub retime: bool,
    /// Set by another thread to stop the search: the solve then ends within a decode or
    /// two with [`SolveError::Cancelled`].
    pub cancel: Option<Arc<AtomicBool>>,
    /// Where the searches report their best cost and bound as they go.
    pub progress: Option<Arc<Progress>>,
    /// When the whole solve must be done: each search stops by then whatever its own time
    /// limit, and the timing LP gets what is left (it is skipped with less than 200 ms).
    pub deadline: Option<Instant>,
}

/// The least time left for the timing LP to be tried at all.
pub const MIN_LP_TIME: Duration = Duration::from_millis(200);

impl Default for SolveOptions {
    fn default() -> Self {
        Self {
            search: SearchOptions::default(),
            retime: true,
            cancel: None,
            progress: None,
            deadline: None,
        }
    }
}

impl SolveOptions {
    /// Time left before [`SolveOptions::deadline`], if there is one.
    #[must_use]
    pub fn time_left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Whether the cancel flag is set.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }
}

/// Why no schedule is returned.
#[derive(Debug, Error)]
pub enum SolveError {
    /// The problem is malformed or its lags form a positive cycle.
    #[error("the problem cannot be scheduled")]
    Invalid {
        /// What is wrong.
        #[source]
        source: ProblemError,
    },
    /// The decoder could not satisfy the maximum lags of a component within its repair cap.
    #[error("no list satisfied the maximum lags of the component containing `{first}`")]
    NoSchedule {
        /// Name of the component's first activity.
        first: String,
    },
    /// The warm-start schedule given to [`solve_from`] breaks the problem's constraints
    /// (or has the wrong length, reported as a violation).
    #[error("the starting schedule breaks {} constraint(s)", violations.len())]
    Incumbent {
        /// The violations found.
        violations: Vec<Violation>,
    },
    /// The independent verifier rejected the schedule (a bug; never expected).
    #[error(
        "the schedule failed independent verification: {}",
        violations.iter().take(5).map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    Unverified {
        /// The violations found.
        violations: Vec<Violation>,
    },
    /// The cancel flag of [`SolveOptions`] was set.
    #[error("the solve was cancelled")]
    Cancelled,
}

struct ComponentResult {
    starts: Vec<i64>,
    bound: MakespanBound,
    lower: Terms,
    schedules: u64,
    note: Option<String>,
}

/// Solves a problem: the least-cost schedule found within the options' effort, with its
/// lower bound, gap, verdict and explanations.
///
/// # Errors
/// [`SolveError::Invalid`] for malformed input or a positive lag cycle (naming its
/// activities); [`SolveError::NoSchedule`] when maximum lags defeat the decoder.
pub fn solve(problem: &Problem, options: &SolveOptions) -> Result<Schedule, SolveError> {
    solve_with(problem, options, None)
}

/// Solves a problem starting from a known schedule (a warm start): the result costs at
/// most what `incumbent` costs. Re-planning a slightly changed plan from its previous
/// schedule, or a relaxed problem from the schedule of the tighter one, never gets worse.
///
/// # Errors
/// As [`solve`], and [`SolveError::Incumbent`] when `incumbent` does not have one start
/// per activity or breaks a constraint other than a deadline.
pub fn solve_from(
    problem: &Problem,
    options: &SolveOptions,
    incumbent: &[i64],
) -> Result<Schedule, SolveError> {
    solve_with(problem, options, Some(incumbent))
}

/// What forces each `(activity, day)` of `late` — an activity of `problem` that finishes
/// after that day in the schedule `starts` — and the chain of activities behind it: the
/// same classification as [`Schedule::missed`], for any day (a second deadline on one
/// activity, the horizon of a plan).
///
/// # Errors
/// [`SolveError::Invalid`] when the problem's lags contradict each other.
pub fn explain_late(
    problem: &Problem,
    starts: &[i64],
    late: &[(usize, i64)],
) -> Result<Vec<MissedDeadline>, SolveError> {
    let network = Network::from_problem(problem);
    let earliest =
        earliest_starts(problem, &network).map_err(|source| SolveError::Invalid { source })?;
    Ok(explain(problem, &network, starts, &earliest, late))
}

/// The least start of every activity under lags, releases and forbidden windows alone
/// (unlimited resources): no schedule of `problem` starts any activity earlier, and this
/// one schedule reaches every least start at once.
///
/// # Errors
/// [`SolveError::Invalid`] when the problem's lags contradict each other.
pub fn least_starts(problem: &Problem) -> Result<Vec<i64>, SolveError> {
    let network = Network::from_problem(problem);
    let earliest =
        earliest_starts(problem, &network).map_err(|source| SolveError::Invalid { source })?;
    Ok(calendar_starts(problem, &network, &earliest))
}

fn solve_with(
    problem: &Problem,
    options: &SolveOptions,
    incumbent: Option<&[i64]>,
) -> Result<Schedule, SolveError> {
    problem
        .validate()
        .map_err(|source| SolveError::Invalid { source })?;
    if let Some(starts) = incumbent {
        let violations = broken_rules(problem, starts);
        if !violations.is_empty() {
            return Err(SolveError::Incumbent { violations });
        }
    }
    let network = Network::from_problem(problem);
    let earliest =
        earliest_starts(problem, &network).map_err(|source| SolveError::Invalid { source })?;
    let groups = components(problem);
    let results: Vec<Result<ComponentResult, SolveError>> = groups
        .par_iter()
        .enumerate()
        .map(|(k, members)| {
            let sub = extract(problem, members);
            let mut opts = options.clone();
            opts.search.seed = options
                .search
                .seed
                .wrapping_add((k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let warm: Option<Vec<i64>> =
                incumbent.map(|starts| members.iter().map(|&g| starts[g]).collect());
            solve_component(&sub, &opts, warm.as_deref(), k)
        })
        .collect();
    if options.is_cancelled() {
        return Err(SolveError::Cancelled);
    }
    let n = problem.activities.len();
    let mut starts = vec![0; n];
    let mut bound = MakespanBound::default();
    let mut lower = Terms::default();
    let mut schedules = 0;
    let mut timing_notes = Vec::new();
    for (members, result) in groups.iter().zip(results) {
        let r = result?;
        for (local, &global) in members.iter().enumerate() {
            starts[global] = r.starts[local];
        }
        bound.critical_path = bound.critical_path.max(r.bound.critical_path);
        bound.energy = bound.energy.max(r.bound.energy);
        bound.one_machine = bound.one_machine.max(r.bound.one_machine);
        lower.hard_lateness += r.lower.hard_lateness;
        lower.open_span += r.lower.open_span;
        lower.soft_lateness += r.lower.soft_lateness;
        lower.makespan = lower.makespan.max(r.lower.makespan);
        schedules += r.schedules;
        timing_notes.extend(r.note);
    }
    let ends: Vec<i64> = (0..n)
        .map(|j| starts[j] + i64::from(problem.activities[j].duration))
        .collect();
    let violations = broken_rules(problem, &starts);
    if !violations.is_empty() {
        return Err(SolveError::Unverified { violations });
    }
    let objective = Objective::from_problem(problem);
    let terms = objective.terms(&starts);
    let missed = missed_deadlines(problem, &network, &starts, &earliest);
    let lower_makespan = bound.best();
    #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
    let gap = if lower_makespan > 0 {
        (terms.makespan - lower_makespan) as f64 / lower_makespan as f64
    } else {
        0.0
    };
    let verdict = if !missed.is_empty() {
        Verdict::DeadlinesMissed
    } else if objective.is_makespan_only() && terms.makespan <= lower_makespan {
        Verdict::Optimal
    } else {
        Verdict::Feasible
    };
    let cost = terms.cost(&problem.weights);
    let cost_lower_bound = lower.cost(&problem.weights);
    Ok(Schedule {
        cost,
        cost_lower_bound,
        proven_optimal: cost <= cost_lower_bound + 1e-6 * cost.abs().max(1.0),
        lower,
        starts,
        ends,
        terms,
        weights: problem.weights,
        bound,
        gap,
        verdict,
        missed,
        schedules,
        components: groups.len(),
        timing_notes,
    })
}

fn solve_component(
    problem: &Problem,
    options: &SolveOptions,
    incumbent: Option<&[i64]>,
    component: usize,
) -> Result<ComponentResult, SolveError> {
    let network = Network::from_problem(problem);
    let durations: Vec<i64> = problem
        .activities
        .iter()
        .map(|a| i64::from(a.duration))
        .collect();
    let earliest =
        earliest_starts(problem, &network).map_err(|source| SolveError::Invalid { source })?;
    let tails = network
        .tails(&durations)
        .map_err(|cycle| SolveError::Invalid {
            source: cycle_error(problem, &cycle),
        })?;
    let model = Model::from_problem(problem, &network);
    let bound = makespan_bound(&model, &earliest, &tails);
    let horizon = bound.best();
    // Latest starts against the bound and every deadline and due date: the search's
    // priority, so that work with an early deadline (and what it waits for) goes first.
    let upper: Vec<i64> = problem
        .activities
        .iter()
        .zip(&durations)
        .map(|(a, d)| {
            let finish = [a.deadline, a.due.map(|due| due.day)]
                .into_iter()
                .flatten()
                .fold(horizon, i64::min);
            finish - d
        })
        .collect();
    let latest = network
        .latest(&upper)
        .map_err(|cycle| SolveError::Invalid {
            source: cycle_error(problem, &cycle),
        })?;
    let objective = Objective::from_problem(problem);
    let lower = cost_lower_bound(problem, &network, &objective, &earliest, &durations, &bound);
    let mut search_options = options.search;
    if let Some(left) = options.time_left() {
        search_options.time_limit = search_options.time_limit.min(left);
    }
    let mut search = Search::new(
        &model,
        &objective,
        &latest,
        Some(bound.best()),
        search_options,
    );
    if let Some(starts) = incumbent {
        search = search.with_incumbent(starts);
    }
    if let Some(flag) = &options.cancel {
        search = search.with_cancel(Arc::clone(flag));
    }
    search = search.with_cost_bound(lower.cost(&problem.weights));
    if let Some(progress) = &options.progress {
        progress.start(component, lower.cost(&problem.weights));
        search = search.with_progress(Arc::clone(progress), component);
    }
    let outcome = search.run();
    if options.is_cancelled() {
        return Err(SolveError::Cancelled);
    }
    let outcome = outcome.ok_or_else(|| SolveError::NoSchedule {
        first: problem
            .activities
            .first()
            .map(|a| a.name.clone())
            .unwrap_or_default(),
    })?;
    let lp_time = options.time_left();
    let (mut starts, note) =
        if options.retime && !outcome.reached_bound && lp_time.is_none_or(|t| t >= MIN_LP_TIME) {
            retimed(problem, &objective, outcome.starts, outcome.cost, lp_time)
        } else {
            (outcome.starts, None)
        };
    if !outcome.reached_bound && !problem.open_spans.is_empty() {
        // Open spans close sooner when what lies inside them starts as late as allowed; a
        // retimed schedule is already exact, so this helps when the LP did not run.
        let mut compressed = starts.clone();
        if compress_spans(problem, &network, &mut compressed) > 0
            && objective.cost(&compressed) < objective.cost(&starts) - 1e-9
            && broken_rules(problem, &compressed).is_empty()
        {
            starts = compressed;
        }
    }
    Ok(ComponentResult {
        starts,
        bound,
        lower,
        schedules: outcome.schedules,
        note,
    })
}

/// The search's schedule retimed by the LP when that is verified and cheaper, with a note
/// when the LP's answer was not used.
fn retimed(
    problem: &Problem,
    objective: &Objective,
    starts: Vec<i64>,
    cost: f64,
    time_limit: Option<Duration>,
) -> (Vec<i64>, Option<String>) {
    let terms = objective.terms(&starts);
    let lp_horizon = problem
        .activities
        .iter()
        .filter_map(|a| a.deadline.max(a.due.map(|d| d.day)))
        .fold(terms.makespan, i64::max);
    match retime(problem, &starts, lp_horizon, time_limit) {
        Ok(retimed) => {
            if !broken_rules(problem, &retimed).is_empty() {
                let note = "timing LP answer failed verification; kept search schedule";
                (starts, Some(note.into()))
            } else if objective.cost(&retimed) < cost - 1e-9 {
                (retimed, None)
            } else {
                // Ties keep the search's left-justified schedule.
                (starts, None)
            }
        }
        Err(err) => (starts, Some(format!("{err}"))),
    }
}

/// What the verifier finds in `starts` besides missed deadlines (which are reported, not
/// broken).
fn broken_rules(problem: &Problem, starts: &[i64]) -> Vec<Violation> {
    let ends: Vec<i64> = starts
        .iter()
        .zip(&problem.activities)
        .map(|(s, a)| s + i64::from(a.duration))
        .collect();
    verify(problem, starts, &ends)
        .into_iter()
        .filter(|v| !matches!(v, Violation::DeadlineMissed { .. }))
        .collect()
}

/// A lower bound on each objective term over every schedule of a component: lateness
/// from the least starts under lags, releases and windows (no schedule starts anything
/// earlier), open spans from their shortest chains of lags, the makespan from the
/// makespan bounds and those least starts.
fn cost_lower_bound(
    problem: &Problem,
    network: &Network,
    objective: &Objective,
    earliest: &[i64],
    durations: &[i64],
    bound: &MakespanBound,
) -> Terms {
    let least = calendar_starts(problem, network, earliest);
    let spans: Vec<i64> = problem
        .open_spans
        .iter()
        .map(|s| shortest_span(network, durations, s.first, s.last).unwrap_or(0))
        .collect();
    objective.lower_bound(&least, &spans, bound.best())
}

/// Groups of activity indices linked by lags, open spans or shared resources.
fn components(problem: &Problem) -> Vec<Vec<usize>> {
    let n = problem.activities.len();
    let mut parent: Vec<usize> = (0..n).collect();
    let union = |parent: &mut Vec<usize>, a: usize, b: usize| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    };
    for e in &problem.edges {
        union(&mut parent, e.from, e.to);
    }
    for s in &problem.open_spans {
        union(&mut parent, s.first, s.last);
    }
    let mut first_user = vec![None; problem.resources.len()];
    for (j, a) in problem.activities.iter().enumerate() {
        if a.duration == 0 {
            continue;
        }
        for &(r, units) in &a.demands {
            if units == 0 {
                continue;
            }
            match first_user[r] {
                None => first_user[r] = Some(j),
                Some(k) => union(&mut parent, k, j),
            }
        }
    }
    for s in &problem.open_spans {
        for &(r, units) in &s.demands {
            if units == 0 {
                continue;
            }
            match first_user[r] {
                None => first_user[r] = Some(s.first),
                Some(k) => union(&mut parent, k, s.first),
            }
        }
    }
    let mut index_of_root = vec![usize::MAX; n];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for j in 0..n {
        let root = find(&mut parent, j);
        if index_of_root[root] == usize::MAX {
            index_of_root[root] = groups.len();
            groups.push(Vec::new());
        }
        groups[index_of_root[root]].push(j);
    }
    groups
}

/// Root of `x` in a union-find forest, halving paths on the way.
fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The sub-problem of the given activities (sorted global indices), re-indexed.
fn extract(problem: &Problem, members: &[usize]) -> Problem {
    let mut local = vec![usize::MAX; problem.activities.len()];
    for (k, &j) in members.iter().enumerate() {
        local[j] = k;
    }
    Problem {
        resources: problem.resources.clone(),
        activities: members
            .iter()
            .map(|&j| problem.activities[j].clone())
            .collect(),
        edges: problem
            .edges
            .iter()
            .filter(|e| local[e.from] != usize::MAX)
            .map(|e| Edge {
                from: local[e.from],
                to: local[e.to],
                ..*e
            })
            .collect(),
        open_spans: problem
            .open_spans
            .iter()
            .filter(|s| local[s.first] != usize::MAX)
            .map(|s| OpenSpan {
                first: local[s.first],
                last: local[s.last],
                weight: s.weight,
                demands: s.demands.clone(),
            })
            .collect(),
        weights: problem.weights,
    }
}
