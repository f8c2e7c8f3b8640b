//! Exact timing of a fixed order: a linear program (`good_lp` with HiGHS) over start days.
//!
//! The search fixes the disjunctive decisions; this module turns them into difference
//! constraints: the hand-overs of a resource flow of the search's schedule (each unit of
//! a resource passes from an activity to one that starts after it finishes) become
//! precedences, and an activity stays on the same side of each forbidden window. Any
//! solution of these constraints is resource feasible: every unit is used by one activity
//! at a time. With the lags, releases, deadline
//! slacks and the makespan, every row is a difference of two variables, the matrix is
//! totally unimodular and the optimum vertex is integral: the LP gives exact days.
//!
//! The solver's answer is checked here, not trusted: the status must be optimal, every
//! value integral within 1e-6, and the caller verifies the rounded schedule again.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use good_lp::solvers::highs::highs;
use good_lp::{
    Expression, ResolutionError, Solution, SolutionStatus, SolverModel, Variable, constraint,
    variable, variables,
};
use thiserror::Error;

use crate::engine::problem::Problem;

/// Why the timing LP gave no usable answer (the caller keeps the search's schedule).
#[derive(Debug, Error)]
pub enum TimingError {
    /// HiGHS failed or declared the LP infeasible or unbounded.
    #[error("the timing LP could not be solved")]
    Solver {
        /// The solver's error.
        #[source]
        source: ResolutionError,
    },
    /// HiGHS returned a solution not labelled optimal.
    #[error("the timing LP stopped without proving optimality ({status})")]
    NotOptimal {
        /// The reported status.
        status: String,
    },
    /// The fixed order needs more rows than [`MAX_ORDER_ROWS`]: HiGHS would take seconds
    /// and a gigabyte for next to no gain, so the search's own justified schedule stands.
    #[error(
        "the timing LP would need {rows} order rows (limit {limit}); kept the search's schedule"
    )]
    TooLarge {
        /// Order rows the schedule needs.
        rows: usize,
        /// The limit.
        limit: usize,
    },
    /// A start day came back fractional.
    #[error("the timing LP returned a fractional start {value} for activity `{activity}`")]
    Fractional {
        /// Name of the activity.
        activity: String,
        /// The value returned.
        value: f64,
    },
}

/// Most order rows a timing LP is built with. A 2,000-compound city needs about 100,000
/// (resource-flow pairs for 56,000 activities): HiGHS then takes 3 s and 1 GB to improve the
/// justified schedule's metre-days by 0.003 %, so a city keeps its search schedule; plans of
/// up to about 800 compounds are retimed.
pub const MAX_ORDER_ROWS: usize = 50_000;

/// Minimises the weighted objective over start days that keep the order decisions of
/// `starts`; `horizon` bounds every finish (so open spans cannot push work forever).
///
/// # Errors
/// [`TimingError`] when HiGHS fails or its answer does not check out.
///
/// # Complexity
/// One LP with `n` start variables plus one slack per deadline or due date, and
/// `O(n * c)` order rows where `c` is the largest number of concurrent activities.
#[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
#[expect(
    clippy::cast_possible_truncation,
    reason = "values are checked to be integral days"
)]
pub fn retime(problem: &Problem, starts: &[i64], horizon: i64) -> Result<Vec<i64>, TimingError> {
    let n = problem.activities.len();
    let dur: Vec<i64> = problem
        .activities
        .iter()
        .map(|a| i64::from(a.duration))
        .collect();
    let pairs = order_pairs(problem, starts, &dur);
    if pairs.len() > MAX_ORDER_ROWS {
        return Err(TimingError::TooLarge {
            rows: pairs.len(),
            limit: MAX_ORDER_ROWS,
        });
    }
    let mut vars = variables!();
    let s: Vec<Variable> = problem
        .activities
        .iter()
        .enumerate()
        .map(|(j, a)| {
            vars.add(
                variable()
                    .min(a.release as f64)
                    .max((horizon - dur[j]).max(a.release) as f64),
            )
        })
        .collect();
    let makespan = vars.add(variable().min(0.0));
    let w = problem.weights;
    let mut objective = Expression::default();
    objective.add_mul(w.makespan, makespan);
    let mut rows = Vec::new();
    for (j, a) in problem.activities.iter().enumerate() {
        rows.push(constraint!(makespan - s[j] >= dur[j] as f64));
        if let Some(deadline) = a.deadline {
            let late = vars.add(variable().min(0.0));
            objective.add_mul(w.hard_lateness, late);
            rows.push(constraint!(late - s[j] >= (dur[j] - deadline) as f64));
        }
        if let Some(due) = a.due {
            let late = vars.add(variable().min(0.0));
            objective.add_mul(w.soft_lateness * due.weight, late);
            rows.push(constraint!(late - s[j] >= (dur[j] - due.day) as f64));
        }
        for win in &a.forbidden {
            if dur[j] == 0 {
                continue;
            }
            if starts[j] + dur[j] <= win.start {
                rows.push(constraint!(s[j] <= (win.start - dur[j]) as f64));
            } else {
                rows.push(constraint!(s[j] >= win.end as f64));
            }
        }
    }
    for span in &problem.open_spans {
        objective.add_mul(w.open_span * span.weight, s[span.last]);
        objective.add_mul(-w.open_span * span.weight, s[span.first]);
    }
    for e in &problem.edges {
        rows.push(constraint!(s[e.to] - s[e.from] >= e.min_lag as f64));
        if let Some(max) = e.max_lag {
            rows.push(constraint!(s[e.to] - s[e.from] <= max as f64));
        }
    }
    for (i, j) in pairs {
        rows.push(constraint!(s[j] - s[i] >= dur[i] as f64));
    }
    // One thread, fixed once for this solve (HiGHS cannot change it later on a thread).
    let mut model = vars.minimise(objective).using(highs).set_threads(1);
    model.set_verbose(false);
    for row in rows {
        model.add_constraint(row);
    }
    let solution = model
        .solve()
        .map_err(|source| TimingError::Solver { source })?;
    if !matches!(solution.status(), SolutionStatus::Optimal) {
        return Err(TimingError::NotOptimal {
            status: format!("{:?}", solution.status()),
        });
    }
    let mut out = Vec::with_capacity(n);
    for (j, a) in problem.activities.iter().enumerate() {
        let value = solution.value(s[j]);
        let day = value.round();
        if (value - day).abs() > 1e-6 {
            return Err(TimingError::Fractional {
                activity: a.name.clone(),
                value,
            });
        }
        out.push(day as i64);
    }
    Ok(out)
}

/// Precedence pairs `(i, j)` (`j` starts after `i` finishes) that keep `starts` resource
/// feasible, open spans that hold resources included (their unit passes on when the span's
/// last activity finishes): a *resource flow* (Artigues, Michelon and Reusser 2003). Per resource, the
/// users in start order take their units from the free capacity not yet used, else from
/// users already finished (the most recently finished first); each such hand-over is a pair.
/// Any schedule keeping every pair uses each unit by one activity at a time, so it respects
/// the capacity, and there are at most as many pairs as units demanded, where "no third
/// activity in between" pairs grow with the capacity (millions on a city).
///
/// # Complexity
/// `O(u log u)` per resource for `u` units demanded.
fn order_pairs(problem: &Problem, starts: &[i64], dur: &[i64]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (r, resource) in problem.resources.iter().enumerate() {
        // Holders of the resource: `(opening activity, closing activity, units)`; an
        // activity opens and closes its own hold, an open span from its first activity's
        // start to its last activity's finish.
        let mut users: Vec<(usize, usize, u32)> = (0..problem.activities.len())
            .filter(|&j| dur[j] > 0)
            .map(|j| (j, j, problem.demand(j, r)))
            .chain(problem.open_spans.iter().map(|s| {
                let units = s.demands.iter().filter(|d| d.0 == r).map(|d| d.1).sum();
                (s.first, s.last, units)
            }))
            .filter(|&(_, _, units)| units > 0)
            .collect();
        users.sort_by_key(|&(open, close, _)| (starts[open], open, close));
        let mut never_used = resource.capacity;
        // Units held by holders in progress, by finish day (earliest first).
        let mut running: BinaryHeap<Reverse<(i64, usize, u32)>> = BinaryHeap::new();
        // Units handed back by finished holders: (closing activity, units).
        let mut free: Vec<(usize, u32)> = Vec::new();
        for &(open, close, units) in &users {
            while let Some(&Reverse((finish, i, held))) = running.peek() {
                if finish > starts[open] {
                    break;
                }
                running.pop();
                free.push((i, held));
            }
            let mut need = units;
            let fresh = need.min(never_used);
            never_used -= fresh;
            need -= fresh;
            while need > 0 {
                let Some((i, held)) = free.pop() else {
                    // Over capacity in the given schedule: the LP keeps what order it can
                    // and the caller's verification rejects the answer.
                    break;
                };
                let taken = held.min(need);
                need -= taken;
                pairs.push((i, open));
                if held > taken {
                    free.push((i, held - taken));
                }
            }
            running.push(Reverse((starts[close] + dur[close], close, units)));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::problem::{Activity, OpenSpan, Resource};

    #[test]
    fn lp_closes_an_open_span_while_keeping_crew_order() {
        // dig (2 days) -> backfill (1 day); a paving job holds the only crew on days 2-5.
        let mut p = Problem {
            resources: vec![Resource {
                name: "crew".into(),
                capacity: 1,
            }],
            ..Problem::default()
        };
        let mut dig = Activity::new("dig", 2);
        dig.demands.push((0, 1));
        let mut pave = Activity::new("pave", 4);
        pave.demands.push((0, 1));
        p.activities = vec![dig, Activity::new("backfill", 1), pave];
        p.precede(0, 1);
        p.open_spans.push(OpenSpan::new(0, 1, 5.0));
        // Search schedule: dig 0-2, pave 2-6, backfill at 6 (trench open 7 days).
        let retimed = retime(&p, &[0, 6, 2], 7).expect("solvable");
        assert_eq!(retimed[1] - retimed[0], 2, "backfill right after digging");
        assert!(retimed[2] + 4 <= retimed[0] || retimed[0] + 2 <= retimed[2]);
    }
}
