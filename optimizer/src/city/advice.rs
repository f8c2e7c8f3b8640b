//! Advice: the smallest set of changes to the plan that would make every missed hard
//! deadline hold and bring what ends after the horizon inside it.
//!
//! Each *target* (a missed hard deadline, an activity beyond the horizon) proposes the
//! changes its own explanation points at:
//! - forced by **lags or the calendar**: an exception on each moratorium its chain runs
//!   into, an earlier start for the work or compound whose release starts the chain;
//! - forced by **resources**: one more crew of each pool its chain blames, a higher limit
//!   of each district it blames;
//! - forced by **sharing**: digging the work apart from its trench;
//! - always a fallback: moving the deadline to the day the work can finish, or a longer
//!   horizon.
//!
//! Each change is tried on the engine problem: exceptions and earlier starts on the least
//! schedule (lags, releases, windows), crews and district limits by a short warm-started
//! search with one more unit. A target whose changes recover it only together gets that
//! combination as one more way to be covered. Then a set-cover model (`good_lp` + HiGHS:
//! one binary per change, every target covered) picks the fewest changes, moving a deadline
//! or the horizon counting double. Changes are tried within a time budget; targets whose
//! changes were not tried in time fall back to moving their deadline.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use good_lp::solvers::highs::highs;
use good_lp::{Expression, Solution, SolverModel, Variable, constraint, variable, variables};

use super::document::{Advice, BeyondHorizon, Change, ChangeKind, DeadlineOutcome, MissCause};
use super::lowering::Lowered;
use super::network::{DeadlineSource, Network, ResourceKind, TrenchGroup};
use crate::engine::{
    Cause, MissedDeadline, Problem, Schedule, SearchOptions, SolveOptions, Window, explain_late,
    least_starts, solve_from,
};

/// A change to try, before its effect is known.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Candidate {
    /// No moratorium on this street.
    Exception(String),
    /// A work (or a compound's phases) released this many days earlier.
    Earlier { subject: String, days: i64 },
    /// One more unit of a crew pool or district limit (resource index).
    MoreUnits(usize),
    /// The work dug apart from this trench.
    Apart { work: String, trench: String },
    /// Target `k`'s deadline moved to its finish.
    LaterDeadline(usize),
    /// The horizon long enough for every target beyond it.
    LongerHorizon,
}

/// Something to recover.
struct Target {
    /// Network activity index.
    activity: usize,
    /// The engine day it must end by (exclusive).
    due: i64,
    /// How it reads in a change's `recovers`.
    label: String,
    /// Days late.
    lateness: i64,
    /// What makes it late.
    cause: MissCause,
    /// Whether it is the horizon (not a deadline).
    horizon: bool,
}

/// What advice needs from a planned city.
pub(super) struct Planned<'a> {
    pub network: &'a Network,
    pub lowered: &'a Lowered,
    pub schedule: &'a Schedule,
    pub deadlines: &'a [DeadlineOutcome],
    pub beyond_horizon: &'a [BeyondHorizon],
    pub trenches: &'a [TrenchGroup],
}

/// The advice for a planned city, found within `budget`.
#[must_use]
pub(super) fn advise(p: &Planned<'_>, budget: Duration) -> Advice {
    let began = Instant::now();
    let targets = targets(p);
    let mut advice = Advice {
        deadlines_missed: targets.iter().filter(|t| !t.horizon).count(),
        beyond_horizon: targets.iter().filter(|t| t.horizon).count(),
        ..Advice::default()
    };
    if targets.is_empty() {
        return advice;
    }
    let pairs: Vec<(usize, i64)> = targets.iter().map(|t| (t.activity, t.due)).collect();
    let explained: Vec<Option<MissedDeadline>> =
        match explain_late(&p.lowered.problem, &p.schedule.starts, &pairs) {
            Ok(found) => {
                let by: HashMap<(usize, i64), MissedDeadline> = found
                    .into_iter()
                    .map(|m| ((m.activity, m.deadline), m))
                    .collect();
                pairs.iter().map(|k| by.get(k).cloned()).collect()
            }
            Err(_) => vec![None; targets.len()],
        };
    // Which candidates each target proposes.
    let mut proposed: Vec<BTreeSet<Candidate>> = targets
        .iter()
        .zip(&explained)
        .enumerate()
        .map(|(k, (t, m))| proposals(p, k, t, m.as_ref()))
        .collect();
    let recovers = try_each(p, &targets, &proposed, began, budget);
    let together = try_together(p, &targets, &mut proposed, &recovers, began, budget);
    let chosen = cover(&targets, &recovers, &together);
    let mut recovered_by_cause = BTreeSet::new();
    for candidate in &chosen {
        let mut covered: Vec<usize> = recovers
            .get(candidate)
            .map(|r| r.iter().copied().collect())
            .unwrap_or_default();
        for (k, set) in &together {
            if set.contains(candidate) && set.iter().all(|c| chosen.contains(c)) {
                covered.push(*k);
            }
        }
        covered.sort_unstable();
        covered.dedup();
        if !matches!(
            candidate,
            Candidate::LaterDeadline(_) | Candidate::LongerHorizon
        ) {
            recovered_by_cause.extend(covered.iter().copied());
        }
        if let Some(change) = describe(p, &targets, candidate, &covered) {
            advice.changes.push(change);
        }
    }
    advice.deadlines_recovered = recovered_by_cause
        .iter()
        .filter(|&&k| !targets[k].horizon)
        .count();
    advice.horizon_recovered = recovered_by_cause
        .iter()
        .filter(|&&k| targets[k].horizon)
        .count();
    advice
}

/// What each proposed change recovers, tried within the budget (untried ones recover
/// nothing; the target's fallback then covers it).
fn try_each(
    p: &Planned<'_>,
    targets: &[Target],
    proposed: &[BTreeSet<Candidate>],
    began: Instant,
    budget: Duration,
) -> BTreeMap<Candidate, BTreeSet<usize>> {
    let all: BTreeSet<&Candidate> = proposed.iter().flatten().collect();
    let mut recovers = BTreeMap::new();
    for candidate in all {
        let effect = match candidate {
            Candidate::LaterDeadline(k) => Some(BTreeSet::from([*k])),
            Candidate::LongerHorizon => {
                Some((0..targets.len()).filter(|&k| targets[k].horizon).collect())
            }
            Candidate::Apart { work, .. } => Some(
                (0..targets.len())
                    .filter(|&k| targets[k].cause == MissCause::Sharing)
                    .filter(|&k| {
                        p.network.activities[targets[k].activity]
                            .works
                            .contains(work)
                    })
                    .collect(),
            ),
            _ if began.elapsed() >= budget => None,
            Candidate::MoreUnits(r) => {
                let left = budget.saturating_sub(began.elapsed());
                more_units(p, targets, *r, left / 3)
            }
            other => calendar_effect(p, targets, std::slice::from_ref(other)),
        };
        recovers.insert(candidate.clone(), effect.unwrap_or_default());
    }
    recovers
}

/// Targets no single change recovers, with the changes that recover them together.
fn try_together(
    p: &Planned<'_>,
    targets: &[Target],
    proposed: &mut [BTreeSet<Candidate>],
    recovers: &BTreeMap<Candidate, BTreeSet<usize>>,
    began: Instant,
    budget: Duration,
) -> Vec<(usize, Vec<Candidate>)> {
    let mut together = Vec::new();
    for (k, options) in proposed.iter_mut().enumerate() {
        let causes: Vec<Candidate> = options
            .iter()
            .filter(|c| matches!(c, Candidate::Exception(_) | Candidate::Earlier { .. }))
            .cloned()
            .collect();
        let single = options.iter().any(|c| {
            !matches!(c, Candidate::LaterDeadline(_) | Candidate::LongerHorizon)
                && recovers.get(c).is_some_and(|r| r.contains(&k))
        });
        if !single
            && causes.len() > 1
            && began.elapsed() < budget
            && calendar_effect(p, targets, &causes).is_some_and(|e| e.contains(&k))
        {
            together.push((k, causes));
        }
    }
    together
}

/// Every missed hard deadline and every activity beyond the horizon.
fn targets(p: &Planned<'_>) -> Vec<Target> {
    let index: HashMap<&str, usize> = p
        .network
        .activities
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let calendar = &p.network.calendar;
    let mut out = Vec::new();
    for d in p.deadlines.iter().filter(|d| d.is_missed_hard()) {
        let Some(&activity) = index.get(d.activity.as_str()) else {
            continue;
        };
        let finish_by = (d.date - calendar.start()).num_days() + 1;
        out.push(Target {
            activity,
            due: calendar.site_index(finish_by),
            label: d.source.to_string(),
            lateness: d.lateness_days,
            cause: d.forced_by.unwrap_or(MissCause::Resources),
            horizon: false,
        });
    }
    let horizon_last = i64::from(p.network.horizon_days) - 1;
    for b in p.beyond_horizon {
        let Some(&activity) = index.get(b.activity.as_str()) else {
            continue;
        };
        out.push(Target {
            activity,
            due: p.lowered.horizon,
            label: format!("{} inside the horizon", b.activity),
            lateness: (b.end - calendar.start()).num_days() - horizon_last,
            cause: b.forced_by,
            horizon: true,
        });
    }
    out
}

/// The changes target `k`'s explanation points at, and its fallback.
fn proposals(
    p: &Planned<'_>,
    k: usize,
    target: &Target,
    missed: Option<&MissedDeadline>,
) -> BTreeSet<Candidate> {
    let mut out = BTreeSet::new();
    out.insert(if target.horizon {
        Candidate::LongerHorizon
    } else {
        Candidate::LaterDeadline(k)
    });
    if target.cause == MissCause::Sharing {
        let works = &p.network.activities[target.activity].works;
        for t in p.trenches {
            for w in works.iter().filter(|w| t.works.contains(w)) {
                out.insert(Candidate::Apart {
                    work: w.clone(),
                    trench: t.id.clone(),
                });
            }
        }
    }
    let Some(missed) = missed else {
        return out;
    };
    let calendar = &p.network.calendar;
    for link in &missed.chain {
        let a = &p.network.activities[link.activity];
        match &link.cause {
            Cause::Window { start, end } => {
                for m in &a.moratoria {
                    let (ws, we) = (
                        calendar.site_index(m.window.start),
                        calendar.site_index(m.window.end),
                    );
                    if ws < *end && *start < we {
                        out.insert(Candidate::Exception(m.street.clone()));
                    }
                }
            }
            Cause::Release { .. } => {
                if let Some(subject) = release_source(p, link.activity) {
                    out.insert(Candidate::Earlier {
                        subject,
                        days: target.lateness,
                    });
                }
            }
            Cause::Resource { resource } => {
                if let Some(r) = p
                    .network
                    .resources
                    .iter()
                    .position(|res| &res.id == resource)
                {
                    out.insert(Candidate::MoreUnits(r));
                }
            }
            Cause::Lag { .. } | Cause::Slack => {}
        }
    }
    out
}

/// The work or compound whose date sets activity `i`'s release (not the plan start).
fn release_source(p: &Planned<'_>, i: usize) -> Option<String> {
    let a = &p.network.activities[i];
    if a.release <= 0 {
        return None;
    }
    // The release is the latest of the work's `earliest` and its compounds' `start_by`;
    // a compound phase has only its compound's. Name the compound for a phase, else the
    // first work.
    if a.works.is_empty() {
        a.compound.clone()
    } else {
        a.works.first().cloned()
    }
}

/// The activities a candidate's change applies to, and how.
fn apply(p: &Planned<'_>, problem: &mut Problem, candidate: &Candidate) {
    let calendar = &p.network.calendar;
    match candidate {
        Candidate::Exception(street) => {
            for (i, a) in p.network.activities.iter().enumerate() {
                if !a.moratoria.iter().any(|m| &m.street == street) {
                    continue;
                }
                let mut days: Vec<(i64, i64)> =
                    a.seasons.iter().map(|w| (w.start, w.end)).collect();
                days.extend(
                    a.moratoria
                        .iter()
                        .filter(|m| &m.street != street)
                        .map(|m| (m.window.start, m.window.end)),
                );
                problem.activities[i].forbidden = days
                    .into_iter()
                    .map(|(s, e)| Window {
                        start: calendar.site_index(s),
                        end: calendar.site_index(e),
                    })
                    .filter(|w| w.start < w.end)
                    .collect();
            }
        }
        Candidate::Earlier { subject, days } => {
            for (i, a) in p.network.activities.iter().enumerate() {
                let of_subject = a.works.contains(subject)
                    || (a.works.is_empty() && a.compound.as_ref() == Some(subject));
                if of_subject {
                    let release = (a.release - days).max(0);
                    problem.activities[i].release = problem.activities[i]
                        .release
                        .min(calendar.site_index(release));
                }
            }
        }
        Candidate::MoreUnits(r) => {
            problem.resources[*r].capacity += 1;
        }
        _ => {}
    }
}

/// Targets recovered on the least schedule after `changes` (only targets that lags and the
/// calendar force can be).
fn calendar_effect(
    p: &Planned<'_>,
    targets: &[Target],
    changes: &[Candidate],
) -> Option<BTreeSet<usize>> {
    let mut problem = p.lowered.problem.clone();
    for c in changes {
        apply(p, &mut problem, c);
    }
    let least = least_starts(&problem).ok()?;
    Some(
        targets
            .iter()
            .enumerate()
            .filter(|(_, t)| t.cause.is_unavoidable())
            .filter(|(_, t)| {
                least[t.activity] + i64::from(problem.activities[t.activity].duration) <= t.due
            })
            .map(|(k, _)| k)
            .collect(),
    )
}

/// Targets recovered by one more unit of resource `r`: a short search warm-started from
/// the schedule, on the problem with that unit.
fn more_units(
    p: &Planned<'_>,
    targets: &[Target],
    r: usize,
    time: Duration,
) -> Option<BTreeSet<usize>> {
    if time < Duration::from_millis(50) {
        return None;
    }
    let mut problem = p.lowered.problem.clone();
    apply(p, &mut problem, &Candidate::MoreUnits(r));
    let options = SolveOptions {
        search: SearchOptions {
            time_limit: time,
            max_schedules: None,
            seed: 11,
            stop_when_stalled: true,
        },
        retime: false,
        ..SolveOptions::default()
    };
    let schedule = solve_from(&problem, &options, &p.schedule.starts).ok()?;
    Some(
        targets
            .iter()
            .enumerate()
            .filter(|(_, t)| schedule.ends[t.activity] <= t.due)
            .map(|(k, _)| k)
            .collect(),
    )
}

/// The fewest changes covering every target (moving a deadline or the horizon counts
/// double); `together` lists targets covered only by several changes at once.
fn cover(
    targets: &[Target],
    recovers: &BTreeMap<Candidate, BTreeSet<usize>>,
    together: &[(usize, Vec<Candidate>)],
) -> Vec<Candidate> {
    let candidates: Vec<&Candidate> = recovers.keys().collect();
    let mut vars = variables!();
    let pick: Vec<Variable> = candidates
        .iter()
        .map(|_| vars.add(variable().binary()))
        .collect();
    let both: Vec<Variable> = together
        .iter()
        .map(|_| vars.add(variable().binary()))
        .collect();
    let mut objective = Expression::default();
    for (c, &y) in candidates.iter().zip(&pick) {
        let weight = match c {
            Candidate::LaterDeadline(_) | Candidate::LongerHorizon => 2.0,
            _ => 1.0,
        };
        objective.add_mul(weight, y);
    }
    let mut model = vars.minimise(objective).using(highs).set_threads(1);
    model.set_verbose(false);
    let position: HashMap<&Candidate, usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i))
        .collect();
    for k in 0..targets.len() {
        let mut covered = Expression::default();
        for (c, &y) in candidates.iter().zip(&pick) {
            if recovers[*c].contains(&k) {
                covered.add_mul(1.0, y);
            }
        }
        for ((t, set), &z) in together.iter().zip(&both) {
            if *t == k {
                covered.add_mul(1.0, z);
                for c in set {
                    if let Some(&i) = position.get(c) {
                        model.add_constraint(constraint!(z - pick[i] <= 0.0));
                    }
                }
            }
        }
        model.add_constraint(constraint!(covered >= 1.0));
    }
    match model.solve() {
        Ok(solution) => candidates
            .iter()
            .zip(&pick)
            .filter(|&(_, &y)| solution.value(y) > 0.5)
            .map(|(c, _)| (*c).clone())
            .collect(),
        // Without an answer, every target's fallback.
        Err(_) => candidates
            .into_iter()
            .filter(|c| matches!(c, Candidate::LaterDeadline(_) | Candidate::LongerHorizon))
            .cloned()
            .collect(),
    }
}

/// A chosen change in words, with what it recovers.
fn describe(
    p: &Planned<'_>,
    targets: &[Target],
    candidate: &Candidate,
    covered: &[usize],
) -> Option<Change> {
    if covered.is_empty() {
        return None;
    }
    let recovers: Vec<String> = covered.iter().map(|&k| targets[k].label.clone()).collect();
    let days_saved = covered.iter().map(|&k| targets[k].lateness).sum();
    let (kind, subject, description, excavations_added) = wording(p, targets, candidate, covered);
    Some(Change {
        kind,
        subject,
        description,
        recovers,
        days_saved,
        excavations_added,
    })
}

/// The work or compound whose deadline a target is.
fn deadline_subject(p: &Planned<'_>, t: &Target) -> String {
    p.network.activities[t.activity]
        .deadlines
        .iter()
        .find(|d| d.source.to_string() == t.label)
        .map_or_else(String::new, |d| match &d.source {
            DeadlineSource::Work(id)
            | DeadlineSource::Compound(id)
            | DeadlineSource::HeatingSeason(id) => id.clone(),
        })
}

/// A change's kind, subject, sentence and added excavations.
fn wording(
    p: &Planned<'_>,
    targets: &[Target],
    candidate: &Candidate,
    covered: &[usize],
) -> (ChangeKind, String, String, usize) {
    let calendar = &p.network.calendar;
    match candidate {
        Candidate::Exception(street) => (
            ChangeKind::MoratoriumException,
            street.clone(),
            format!("grant a road-cut exception on street {street}"),
            0,
        ),
        Candidate::Earlier { subject, days } => (
            ChangeKind::EarlierStart,
            subject.clone(),
            format!("let {subject} start {days} day(s) earlier"),
            0,
        ),
        Candidate::MoreUnits(r) => {
            let resource = &p.network.resources[*r];
            let (from, to) = period(p, targets, covered);
            match &resource.kind {
                ResourceKind::Crew { discipline } => (
                    ChangeKind::ExtraCrew,
                    resource.id.clone(),
                    format!(
                        "add one {} crew ({} in all) from {from} to {to}",
                        discipline.as_str(),
                        resource.capacity + 1
                    ),
                    0,
                ),
                ResourceKind::District { district } => (
                    ChangeKind::HigherDistrictLimit,
                    resource.id.clone(),
                    format!(
                        "let {district} have {} streets open at once from {from} to {to}",
                        resource.capacity + 1
                    ),
                    0,
                ),
            }
        }
        Candidate::Apart { work, trench } => (
            ChangeKind::DigApart,
            work.clone(),
            format!("dig {work} apart from trench {trench}"),
            1,
        ),
        Candidate::LaterDeadline(k) => {
            let t = &targets[*k];
            let finish = calendar.date(calendar.site_day(p.schedule.ends[t.activity] - 1));
            (
                ChangeKind::LaterDeadline,
                deadline_subject(p, t),
                format!(
                    "move the {} to {finish} ({} day(s) later)",
                    t.label, t.lateness
                ),
                0,
            )
        }
        Candidate::LongerHorizon => {
            let needed = covered
                .iter()
                .map(|&k| targets[k].lateness)
                .max()
                .unwrap_or(0)
                + i64::from(p.network.horizon_days);
            (
                ChangeKind::LongerHorizon,
                "horizon_days".to_owned(),
                format!(
                    "extend the horizon from {} to {needed} days",
                    p.network.horizon_days
                ),
                0,
            )
        }
    }
}

/// The stretch of days the recovered targets' works need a change for: from the first
/// step of any of their works to the last day due.
fn period(p: &Planned<'_>, targets: &[Target], covered: &[usize]) -> (NaiveDate, NaiveDate) {
    let calendar = &p.network.calendar;
    let works: BTreeSet<&String> = covered
        .iter()
        .flat_map(|&k| &p.network.activities[targets[k].activity].works)
        .collect();
    let first = p
        .network
        .activities
        .iter()
        .enumerate()
        .filter(|(_, a)| a.works.iter().any(|w| works.contains(w)))
        .map(|(i, _)| p.schedule.starts[i])
        .min()
        .unwrap_or(0);
    (
        calendar.date(calendar.site_day(first)),
        calendar.date(
            calendar.site_day(
                covered
                    .iter()
                    .map(|&k| targets[k].due)
                    .max()
                    .unwrap_or(first + 1)
                    - 1,
            ),
        ),
    )
}
