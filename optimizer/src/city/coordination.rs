//! Coordination as a decision: which works share which trench is chosen with the deadlines
//! in view, not only from where the works lie.
//!
//! The spatial analysis proposes trenches of works that run side by side and may share;
//! sharing ties their excavation together, so a work can be made late by a partner that may
//! not start yet or must wait out a moratorium. Before the search, every proposed trench is
//! judged on the least schedule of the plan as proposed and of the plan dug apart (lags,
//! releases and windows, unlimited crews: [`least_starts`]): a member is *at risk* when the
//! shared trench cannot close by its hard deadline though dug alone it could.
//!
//! For each trench with a member at risk, candidate bundles (the whole trench, each member
//! alone, the trench without one member, the trench without every member at risk) get a
//! cost in the objective's order — estimated hard lateness first, then excavations, then
//! trench-open metre-days — and a set-partitioning model (`good_lp` + HiGHS: one binary per
//! bundle, every member in exactly one chosen bundle) picks the cheapest partition. The
//! remaining multi-member bundle keeps the trench's id; the others are dug alone.
//!
//! Estimates: a bundle closes no earlier than its latest member would alone, and the
//! whole trench exactly when its least schedule says; lengths are the trench's or the
//! member's own. The search then schedules the decided grouping; a miss that sharing still
//! causes is reported as such ([`sharing_cost`]).

use std::collections::{BTreeSet, HashMap};

use geodata::plan::{DeadlineKind, Plan};
use good_lp::solvers::highs::highs;
use good_lp::{Expression, Solution, SolverModel, Variable, constraint, variable, variables};

use super::lowering::Lowered;
use super::network::{Network, NetworkInputs, TrenchGroup};
use crate::engine::{SolveError, least_starts};

/// Cost of one day of estimated hard lateness in the partition model (before anything else).
const LATE_DAY: f64 = 1.0e9;
/// Cost of one separate excavation (before metre-days).
const EXCAVATION: f64 = 1.0e6;

/// The least schedule of a lowered network, in calendar days per activity.
#[derive(Debug, Clone)]
pub struct LeastDays {
    /// `(first, last)` calendar day of each activity.
    pub days: Vec<(i64, i64)>,
}

impl LeastDays {
    /// The least schedule of `lowered` (built from `network`).
    ///
    /// # Errors
    /// The engine's, when the lags contradict each other.
    pub fn of(network: &Network, lowered: &Lowered) -> Result<Self, SolveError> {
        let starts = least_starts(&lowered.problem)?;
        let days = starts
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let d = i64::from(lowered.problem.activities[i].duration);
                lowered.days(network, i, s, s + d)
            })
            .collect();
        Ok(Self { days })
    }

    fn last_day(&self, network: &Network, id: &str) -> Option<i64> {
        network.index_of(id).map(|i| self.days[i].1)
    }

    fn open_days(&self, network: &Network, first: &str, last: &str) -> Option<i64> {
        let open = self.days[network.index_of(first)?].0;
        let close = self.days[network.index_of(last)?].1;
        Some(close + 1 - open)
    }
}

/// One change to a proposed trench.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The trench.
    pub trench: String,
    /// The work now dug alone.
    pub work: String,
}

/// The decided grouping.
#[derive(Debug, Clone)]
pub struct Decision {
    /// The trenches to schedule.
    pub trenches: Vec<TrenchGroup>,
    /// Works taken out of their proposed trench, to be dug alone.
    pub splits: Vec<Split>,
}

/// What the partition model knows of one proposed trench.
struct Proposal<'a> {
    group: &'a TrenchGroup,
    /// Calendar day the whole trench closes at the earliest.
    shared_close: i64,
    /// Calendar days it is open at the least.
    shared_open: i64,
    /// Per member: (hard deadline's last day, close day alone, open days alone, length alone).
    alone: Vec<(Option<i64>, i64, i64, f64)>,
}

impl Proposal<'_> {
    fn at_risk(&self, m: usize) -> bool {
        let (deadline, close, _, _) = self.alone[m];
        deadline.is_some_and(|d| self.shared_close > d && close <= d)
    }

    /// Estimated cost of digging `members` (indices into the group) as one bundle.
    #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
    fn cost(&self, members: &BTreeSet<usize>) -> f64 {
        let whole = members.len() == self.group.works.len();
        let (close, open, length) = if members.len() == 1 {
            let m = *members.iter().next().unwrap_or(&0);
            (self.alone[m].1, self.alone[m].2, self.alone[m].3)
        } else if whole {
            (self.shared_close, self.shared_open, self.group.length_m)
        } else {
            let close = members.iter().map(|&m| self.alone[m].1).max().unwrap_or(0);
            let open = members.iter().map(|&m| self.alone[m].2).max().unwrap_or(0);
            (close, open, self.group.length_m)
        };
        let late: i64 = members
            .iter()
            .filter_map(|&m| self.alone[m].0)
            .map(|d| (close - d).max(0))
            .sum();
        LATE_DAY * late as f64 + EXCAVATION + length * open.max(0) as f64
    }
}

/// Decides the grouping: proposed trenches stay as they are unless sharing makes a hard
/// deadline late that digging apart would meet; those are re-formed by the partition model.
/// `shared` is the network of the proposed trenches with its least schedule, `alone` the
/// plan dug apart with its own.
#[must_use]
pub fn decide(
    plan: &Plan,
    inputs: &NetworkInputs,
    shared: (&Network, &LeastDays),
    alone: (&Network, &LeastDays),
) -> Decision {
    let (network, least) = shared;
    let (apart, apart_least) = alone;
    let hard_deadline: HashMap<&str, i64> = plan
        .works
        .iter()
        .filter(|w| w.deadline_kind == DeadlineKind::Hard)
        .filter_map(|w| {
            w.deadline
                .map(|d| (w.id.as_str(), (d - plan.settings.start).num_days()))
        })
        .collect();
    let mut proposals = Vec::new();
    let mut trenches = Vec::new();
    for group in &inputs.trenches {
        let restore = format!("{}/restore", group.id);
        let excavate = format!("{}/excavate", group.id);
        let shared_close = least.last_day(network, &restore);
        let shared_open = least.open_days(network, &excavate, &restore);
        let alone: Option<Vec<_>> = group
            .works
            .iter()
            .map(|w| {
                let (dig, close) = (format!("{w}/excavate"), format!("{w}/restore"));
                let length = apart
                    .excavations
                    .iter()
                    .find(|e| e.id == *w)
                    .map_or(group.length_m, |e| e.length_m);
                Some((
                    hard_deadline.get(w.as_str()).copied(),
                    apart_least.last_day(apart, &close)?,
                    apart_least.open_days(apart, &dig, &close)?,
                    length,
                ))
            })
            .collect();
        match (shared_close, shared_open, alone) {
            (Some(shared_close), Some(shared_open), Some(alone)) if group.works.len() > 1 => {
                let proposal = Proposal {
                    group,
                    shared_close,
                    shared_open,
                    alone,
                };
                if (0..group.works.len()).any(|m| proposal.at_risk(m)) {
                    proposals.push(proposal);
                } else {
                    trenches.push(group.clone());
                }
            }
            _ => trenches.push(group.clone()),
        }
    }
    let mut splits = Vec::new();
    for (proposal, chosen) in proposals.iter().zip(partition(&proposals)) {
        let group = proposal.group;
        for bundle in chosen {
            if bundle.len() > 1 {
                trenches.push(TrenchGroup {
                    id: group.id.clone(),
                    works: bundle.iter().map(|&m| group.works[m].clone()).collect(),
                    length_m: group.length_m,
                });
            } else {
                for &m in &bundle {
                    splits.push(Split {
                        trench: group.id.clone(),
                        work: group.works[m].clone(),
                    });
                }
            }
        }
    }
    Decision { trenches, splits }
}

/// The candidate bundles of a proposal: the whole trench, each member alone, the trench
/// without one member, and the trench without every member at risk.
fn candidates(proposal: &Proposal<'_>) -> Vec<BTreeSet<usize>> {
    let k = proposal.group.works.len();
    let all: BTreeSet<usize> = (0..k).collect();
    let mut out: Vec<BTreeSet<usize>> = vec![all.clone()];
    for m in 0..k {
        out.push(BTreeSet::from([m]));
        let mut without = all.clone();
        without.remove(&m);
        out.push(without);
    }
    let safe: BTreeSet<usize> = (0..k).filter(|&m| !proposal.at_risk(m)).collect();
    out.push(safe);
    out.retain(|b| !b.is_empty());
    out.sort();
    out.dedup();
    out
}

/// The cheapest partition of every proposal into candidate bundles, by one
/// set-partitioning model; a proposal the solver cannot decide keeps its members apart
/// only where they are at risk.
fn partition(proposals: &[Proposal<'_>]) -> Vec<Vec<BTreeSet<usize>>> {
    if proposals.is_empty() {
        return Vec::new();
    }
    let bundles: Vec<Vec<BTreeSet<usize>>> = proposals.iter().map(candidates).collect();
    let mut vars = variables!();
    let chosen: Vec<Vec<Variable>> = bundles
        .iter()
        .map(|bs| bs.iter().map(|_| vars.add(variable().binary())).collect())
        .collect();
    let mut objective = Expression::default();
    for ((proposal, bs), xs) in proposals.iter().zip(&bundles).zip(&chosen) {
        for (b, &x) in bs.iter().zip(xs) {
            objective.add_mul(proposal.cost(b), x);
        }
    }
    let mut model = vars.minimise(objective).using(highs).set_threads(1);
    model.set_verbose(false);
    for ((proposal, bs), xs) in proposals.iter().zip(&bundles).zip(&chosen) {
        for m in 0..proposal.group.works.len() {
            let mut cover = Expression::default();
            for (b, &x) in bs.iter().zip(xs) {
                if b.contains(&m) {
                    cover.add_mul(1.0, x);
                }
            }
            model.add_constraint(constraint!(cover == 1.0));
        }
    }
    match model.solve() {
        Ok(solution) => bundles
            .iter()
            .zip(&chosen)
            .map(|(bs, xs)| {
                bs.iter()
                    .zip(xs)
                    .filter(|&(_, &x)| solution.value(x) > 0.5)
                    .map(|(b, _)| b.clone())
                    .collect()
            })
            .collect(),
        Err(_) => proposals.iter().map(fallback).collect(),
    }
}

/// Without a solver answer: the members at risk dug alone, the others together.
fn fallback(proposal: &Proposal<'_>) -> Vec<BTreeSet<usize>> {
    let k = proposal.group.works.len();
    let (risk, safe): (Vec<usize>, Vec<usize>) = (0..k).partition(|&m| proposal.at_risk(m));
    let mut out: Vec<BTreeSet<usize>> = risk.into_iter().map(|m| BTreeSet::from([m])).collect();
    if !safe.is_empty() {
        out.push(safe.into_iter().collect());
    }
    out
}

/// What sharing costs a work's hard deadline in the decided grouping: the partner that
/// holds the trench back (the member that alone would close latest) and the days, when
/// the trench closes after the deadline at the least but the work alone would not.
#[must_use]
pub fn sharing_cost(
    work: &str,
    deadline_last_day: i64,
    trench: &TrenchGroup,
    shared: (&Network, &LeastDays),
    alone: (&Network, &LeastDays),
) -> Option<(String, i64)> {
    let (network, least) = shared;
    let (apart, apart_least) = alone;
    let close = least.last_day(network, &format!("{}/restore", trench.id))?;
    let own = apart_least.last_day(apart, &format!("{work}/restore"))?;
    if close <= deadline_last_day || own > deadline_last_day {
        return None;
    }
    let partner = trench
        .works
        .iter()
        .filter(|w| w.as_str() != work)
        .filter_map(|w| Some((apart_least.last_day(apart, &format!("{w}/restore"))?, w)))
        .max()?
        .1
        .clone();
    Some((partner, close - own))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(works: &[&str]) -> TrenchGroup {
        TrenchGroup {
            id: "t1".into(),
            works: works.iter().map(|w| (*w).to_owned()).collect(),
            length_m: 100.0,
        }
    }

    #[test]
    fn a_member_made_late_by_its_partner_is_dug_alone_and_the_rest_keep_sharing() {
        let g = group(&["telecom", "water", "gas"]);
        // The shared trench closes on day 30; alone telecom closes on day 8 and is due on
        // day 10; water (alone 30) and gas (alone 12) have no deadline.
        let proposal = Proposal {
            group: &g,
            shared_close: 30,
            shared_open: 25,
            alone: vec![
                (Some(10), 8, 6, 100.0),
                (None, 30, 22, 100.0),
                (None, 12, 8, 100.0),
            ],
        };
        assert!(proposal.at_risk(0));
        assert!(!proposal.at_risk(1) && !proposal.at_risk(2));
        let chosen = partition(std::slice::from_ref(&proposal));
        let mut bundles = chosen[0].clone();
        bundles.sort();
        assert_eq!(bundles, vec![BTreeSet::from([0]), BTreeSet::from([1, 2])]);
    }

    #[test]
    fn sharing_that_costs_no_deadline_is_kept() {
        let g = group(&["a", "b"]);
        let proposal = Proposal {
            group: &g,
            shared_close: 30,
            shared_open: 25,
            alone: vec![(Some(40), 20, 15, 100.0), (None, 30, 22, 100.0)],
        };
        assert!(!proposal.at_risk(0));
        let chosen = partition(std::slice::from_ref(&proposal));
        assert_eq!(chosen[0], vec![BTreeSet::from([0, 1])]);
    }
}
