//! The steps a schedule must hold, re-derived from the plan file alone, and the rule that
//! it holds exactly those (`docs/input-format.md`, "Steps").
//!
//! [`Expectation::derive`] reads the plan, the compound membership of the analysis and the
//! shared trenches the document lists, and returns every step with its kind, subject,
//! working days, calendar, crew and release, plus the groupings the other rule families
//! need: each work's chain of steps, each trench's and compound's steps, every excavation
//! and every deadline.
//!
//! * A work's duration `D` is `duration_days`, or `ceil(length ÷ productivity_m_per_day)`
//!   with the line's length in local metres; it is split over the work's steps by the
//!   largest remainder rule ([`split_days`]).
//! * A shared trench has one `excavate`, `backfill` and `restore`, each as long as the
//!   longest of its members' own split for that step; members keep their `lay` and `test`.
//! * A compound has its class phases and extra tasks, minus the phases a trade work that
//!   references it stands for.

mod phase;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use geo::{Euclidean, Geometry, Length};
use geodata::analysis::Analysis;
use geodata::analysis::cluster::MembershipReason;
use geodata::plan::{Conversion, DeadlineKind, Discipline, Duration, Plan, Trade, Utility, Work};

use super::Findings;
use super::calendar::CalendarKind;
#[cfg(test)]
use super::trench;
use super::trench::ResolvedTrench;
use crate::city::document::{ActivityKind, DeadlineSource, Rule, ScheduleDocument, Subject};
pub(super) use phase::{phase_kinds, phase_rule, stood_for_by};

/// Shares (percent) of a pipeline work's `excavate`, `lay`, `test`, `backfill`, `restore`.
const PIPELINE: [(ActivityKind, u32); 5] = [
    (ActivityKind::Excavate, 25),
    (ActivityKind::Lay, 30),
    (ActivityKind::Test, 10),
    (ActivityKind::Backfill, 15),
    (ActivityKind::Restore, 20),
];

/// Shares of a paving work's `subbase` and `pave`.
const PAVING: [(ActivityKind, u32); 2] = [(ActivityKind::Subbase, 60), (ActivityKind::Pave, 40)];

/// Shares of a clean-heating retrofit's chain.
const CLEAN_HEATING: [(ActivityKind, u32); 5] = [
    (ActivityKind::Confirm, 15),
    (ActivityKind::Tender, 20),
    (ActivityKind::Retrofit, 45),
    (ActivityKind::Connect, 10),
    (ActivityKind::Commission, 10),
];

/// A step's first and last day in the schedule (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    /// First day of work.
    pub(super) start: NaiveDate,
    /// Last day of work.
    pub(super) end: NaiveDate,
}

/// One step the schedule must hold.
#[derive(Debug, Clone)]
pub(super) struct Step {
    /// `<subject>/<kind>`.
    pub(super) id: String,
    /// What it does.
    pub(super) kind: ActivityKind,
    /// The work, compound or trench it is a step of.
    pub(super) subject: Subject,
    /// Working days.
    pub(super) days: u32,
    /// The calendar it works by.
    pub(super) calendar: CalendarKind,
    /// The utility or trade whose crew it needs on each working day (none for office steps).
    pub(super) crew: Option<Discipline>,
    /// It may not start before this day.
    pub(super) release: NaiveDate,
    /// What sets `release`, for messages (`earliest of work w1`).
    pub(super) release_by: String,
}

/// The steps of one work of the plan.
#[derive(Debug, Clone, Default)]
pub(super) struct WorkSteps {
    /// Its steps in the order of the steps table (a trench member's excavate, backfill and
    /// restore are the trench's).
    pub(super) chain: Vec<usize>,
    /// The shared trench it is in, as a position in [`Expectation::trenches`].
    pub(super) trench: Option<usize>,
    /// The compounds it belongs to (references or lies inside), positions in
    /// `plan.compounds`.
    pub(super) compounds: Vec<usize>,
    /// The compound whose phase it stands for (a trade work referencing it).
    pub(super) stands_for: Option<usize>,
}

/// A shared trench with its own steps.
#[derive(Debug, Clone)]
pub(super) struct TrenchSteps {
    /// Its works (positions in `plan.works`), lead first.
    pub(super) works: Vec<usize>,
    /// The trench's backfill.
    pub(super) backfill: usize,
    /// The trench's restoration.
    pub(super) restore: usize,
}

/// The phases and works of one compound.
#[derive(Debug, Clone, Default)]
pub(super) struct CompoundSteps {
    /// Its generated phases (steps).
    pub(super) phases: Vec<usize>,
    /// Its works (positions in `plan.works`): those referencing it or lying inside it.
    pub(super) works: Vec<usize>,
}

/// One excavation: a shared trench, or a utility work in no shared trench.
#[derive(Debug, Clone)]
pub(super) struct Excavation {
    /// The trench or work id.
    pub(super) id: String,
    /// Its works (positions in `plan.works`).
    pub(super) works: Vec<usize>,
    /// The step that opens it.
    pub(super) excavate: usize,
    /// The step that closes it.
    pub(super) restore: usize,
}

/// A deadline the document must list.
#[derive(Debug, Clone)]
pub(super) struct ExpectedDeadline {
    /// Where it comes from.
    pub(super) source: DeadlineSource,
    /// The step whose end it bounds.
    pub(super) step: usize,
    /// Hard or soft.
    pub(super) kind: DeadlineKind,
    /// Last allowed day.
    pub(super) date: NaiveDate,
}

/// Everything the plan asks of a schedule, step by step.
#[derive(Debug, Clone, Default)]
pub(super) struct Expectation {
    /// Every step.
    pub(super) steps: Vec<Step>,
    /// Step position by id.
    pub(super) by_id: HashMap<String, usize>,
    /// Per work of the plan (same positions as `plan.works`).
    pub(super) works: Vec<WorkSteps>,
    /// The shared trenches (the document's, valid members only).
    pub(super) trenches: Vec<TrenchSteps>,
    /// Per compound of the plan (same positions as `plan.compounds`).
    pub(super) compounds: Vec<CompoundSteps>,
    /// Every excavation.
    pub(super) excavations: Vec<Excavation>,
    /// Every deadline.
    pub(super) deadlines: Vec<ExpectedDeadline>,
}

/// Splits `total` days over steps with `shares` percent each (summing to 100) by the
/// largest remainder rule: floors first, the days left one each to the largest remainders
/// (ties: the earlier step), then every empty step gets a day from the step with the most
/// days (ties: the earlier step) while that one has more than one.
pub(super) fn split_days(total: u32, shares: &[u32]) -> Vec<u32> {
    let total = u64::from(total);
    let mut parts: Vec<u64> = shares.iter().map(|s| total * u64::from(*s) / 100).collect();
    let left = total - parts.iter().sum::<u64>();
    let mut by_remainder: Vec<usize> = (0..shares.len()).collect();
    by_remainder.sort_by_key(|&k| (std::cmp::Reverse(total * u64::from(shares[k]) % 100), k));
    for &k in by_remainder
        .iter()
        .take(usize::try_from(left).unwrap_or(usize::MAX))
    {
        parts[k] += 1;
    }
    for k in 0..parts.len() {
        if parts[k] == 0 {
            let most = (0..parts.len())
                .filter(|&j| parts[j] > 1)
                .max_by_key(|&j| (parts[j], std::cmp::Reverse(j)));
            if let Some(j) = most {
                parts[j] -= 1;
            }
            parts[k] = 1;
        }
    }
    parts
        .into_iter()
        .map(|p| u32::try_from(p).unwrap_or(u32::MAX))
        .collect()
}

/// A work's duration `D` in working days.
pub(super) fn work_days(work: &Work) -> u32 {
    match work.duration {
        Duration::Days(d) => d,
        Duration::MetresPerDay(rate) => {
            let days = (line_length_m(&work.shape.local) / rate).ceil();
            if days.is_finite() && days >= 0.0 && days < f64::from(u32::MAX) {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a finite whole number in u32's range, checked just above"
                )]
                let whole = days as u32;
                whole
            } else {
                u32::MAX
            }
        }
    }
}

/// Length of a line geometry in local metres (0 for any other geometry).
fn line_length_m(geometry: &Geometry<f64>) -> f64 {
    match geometry {
        Geometry::LineString(l) => Euclidean.length(l),
        Geometry::MultiLineString(m) => Euclidean.length(m),
        Geometry::Line(l) => Euclidean.length(l),
        _ => 0.0,
    }
}

/// The step kinds of a work and their shares of its duration, in order.
fn work_template(work: &Work) -> Vec<(ActivityKind, u32)> {
    match work.discipline {
        Discipline::Utility(_) => PIPELINE.to_vec(),
        Discipline::Trade(Trade::Paving) => PAVING.to_vec(),
        Discipline::Trade(Trade::CleanHeating) => CLEAN_HEATING.to_vec(),
        Discipline::Trade(trade) => {
            let kind = match trade {
                Trade::Clearing => ActivityKind::Clearing,
                Trade::Roofing => ActivityKind::Roofing,
                Trade::FacadeInsulation => ActivityKind::FacadeInsulation,
                Trade::Greening => ActivityKind::Greening,
                Trade::Facilities => ActivityKind::Facilities,
                _ => ActivityKind::General,
            };
            vec![(kind, 100)]
        }
    }
}

/// The crew a step of `work` needs: none for office steps, the supply's utility for a
/// clean-heating connection, else the work's own utility or trade.
fn work_step_crew(work: &Work, kind: ActivityKind) -> Option<Discipline> {
    match kind {
        ActivityKind::Confirm | ActivityKind::Tender => None,
        ActivityKind::Connect => work.conversion.map(|c| {
            Discipline::Utility(match c {
                Conversion::CoalToGas => Utility::Gas,
                Conversion::CoalToElectric => Utility::Power,
            })
        }),
        _ => Some(work.discipline),
    }
}

/// The calendar of a step kind.
fn calendar_of(kind: ActivityKind) -> CalendarKind {
    if matches!(kind, ActivityKind::Confirm | ActivityKind::Tender) {
        CalendarKind::Office
    } else {
        CalendarKind::Site
    }
}

/// The latest of several release dates, with what sets it.
#[derive(Debug, Clone)]
struct Release {
    date: NaiveDate,
    by: String,
}

impl Release {
    fn raise(&mut self, date: NaiveDate, by: impl FnOnce() -> String) {
        if date > self.date {
            self.date = date;
            self.by = by();
        }
    }
}

impl Expectation {
    /// Every step `plan` asks for, with the shared trenches `trenches` (resolved from the
    /// document) and the compound membership of `analysis`.
    pub(super) fn derive(plan: &Plan, analysis: &Analysis, trenches: &[ResolvedTrench]) -> Self {
        let mut e = Expectation {
            works: vec![WorkSteps::default(); plan.works.len()],
            compounds: vec![CompoundSteps::default(); plan.compounds.len()],
            ..Expectation::default()
        };
        e.membership(plan, analysis);
        for (t, trench) in trenches.iter().enumerate() {
            for &w in &trench.works {
                e.works[w].trench = Some(t);
            }
        }
        let releases: Vec<Release> = (0..plan.works.len())
            .map(|w| e.work_release(plan, w))
            .collect();
        let splits: Vec<Vec<u32>> = plan
            .works
            .iter()
            .map(|w| {
                let shares: Vec<u32> = work_template(w).iter().map(|s| s.1).collect();
                split_days(work_days(w), &shares)
            })
            .collect();
        for (w, work) in plan.works.iter().enumerate() {
            e.add_work(w, work, &splits[w], &releases[w]);
        }
        for trench in trenches {
            e.add_trench(plan, trench, &splits, &releases);
        }
        for c in 0..plan.compounds.len() {
            e.add_compound(plan, c);
        }
        e.add_deadlines(plan);
        e
    }

    /// The compounds of every work: the one it references and those the analysis finds
    /// it or lies inside; which compound's phase a trade work stands for.
    fn membership(&mut self, plan: &Plan, analysis: &Analysis) {
        let work_at: HashMap<&str, usize> = plan
            .works
            .iter()
            .enumerate()
            .map(|(i, w)| (w.id.as_str(), i))
            .collect();
        let compound_at: HashMap<&str, usize> = plan
            .compounds
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for (w, work) in plan.works.iter().enumerate() {
            if let Some(&c) = work.compound.as_deref().and_then(|id| compound_at.get(id)) {
                pairs.push((w, c));
                if let Discipline::Trade(trade) = work.discipline
                    && stood_for_by(trade).is_some()
                {
                    self.works[w].stands_for = Some(c);
                }
            }
        }
        for members in &analysis.compound_works {
            let Some(&c) = compound_at.get(members.compound.as_str()) else {
                continue;
            };
            // A work lying inside the compound belongs to it; one merely nearby serves the
            // street, not the compound.
            for m in members
                .works
                .iter()
                .filter(|m| m.reason == MembershipReason::Inside)
            {
                if let Some(&w) = work_at.get(m.work.as_str()) {
                    pairs.push((w, c));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        for (w, c) in pairs {
            self.works[w].compounds.push(c);
            self.compounds[c].works.push(w);
        }
    }

    /// The release of a work's steps: the plan start, its `earliest` and the `start_by`
    /// of every compound it belongs to.
    fn work_release(&self, plan: &Plan, w: usize) -> Release {
        let work = &plan.works[w];
        let mut release = Release {
            date: plan.settings.start,
            by: "the plan start".to_owned(),
        };
        if let Some(earliest) = work.earliest {
            release.raise(earliest, || format!("the earliest of work {}", work.id));
        }
        for &c in &self.works[w].compounds {
            let compound = &plan.compounds[c];
            if let Some(start_by) = compound.start_by {
                release.raise(start_by, || {
                    format!("the start_by of compound {}", compound.id)
                });
            }
        }
        release
    }

    fn push(&mut self, step: Step) -> usize {
        let i = self.steps.len();
        // A plan id that repeats a generated one keeps the first; ids are unique in a valid plan.
        self.by_id.entry(step.id.clone()).or_insert(i);
        self.steps.push(step);
        i
    }

    /// A work's own steps (a trench member's `lay` and `test` only).
    fn add_work(&mut self, w: usize, work: &Work, split: &[u32], release: &Release) {
        let in_trench = self.works[w].trench.is_some();
        let mut chain = Vec::new();
        for ((kind, _), days) in work_template(work).into_iter().zip(split) {
            if in_trench && !matches!(kind, ActivityKind::Lay | ActivityKind::Test) {
                continue;
            }
            chain.push(self.push(Step {
                id: format!("{}/{}", work.id, kind.as_str()),
                kind,
                subject: Subject::Work(work.id.clone()),
                days: *days,
                calendar: calendar_of(kind),
                crew: work_step_crew(work, kind),
                release: release.date,
                release_by: release.by.clone(),
            }));
        }
        if !in_trench && matches!(work.discipline, Discipline::Utility(_)) {
            self.excavations.push(Excavation {
                id: work.id.clone(),
                works: vec![w],
                excavate: chain[0],
                restore: chain[4],
            });
        }
        self.works[w].chain = chain;
    }

    /// A shared trench's excavate, backfill and restore, and its members' chains.
    fn add_trench(
        &mut self,
        plan: &Plan,
        trench: &ResolvedTrench,
        splits: &[Vec<u32>],
        releases: &[Release],
    ) {
        let lead = &plan.works[trench.works[0]];
        let mut release = releases[trench.works[0]].clone();
        for &w in &trench.works[1..] {
            let r = &releases[w];
            release.raise(r.date, || r.by.clone());
        }
        let step = |e: &mut Self, k: usize| {
            let kind = PIPELINE[k].0;
            let days = trench
                .works
                .iter()
                .map(|&w| splits[w][k])
                .max()
                .unwrap_or(1);
            e.push(Step {
                id: format!("{}/{}", trench.id, kind.as_str()),
                kind,
                subject: Subject::Trench(trench.id.clone()),
                days,
                calendar: CalendarKind::Site,
                crew: Some(lead.discipline),
                release: release.date,
                release_by: release.by.clone(),
            })
        };
        let excavate = step(self, 0);
        let backfill = step(self, 3);
        let restore = step(self, 4);
        for &w in &trench.works {
            let own = std::mem::take(&mut self.works[w].chain);
            self.works[w].chain = vec![excavate, own[0], own[1], backfill, restore];
        }
        self.trenches.push(TrenchSteps {
            works: trench.works.clone(),
            backfill,
            restore,
        });
        self.excavations.push(Excavation {
            id: trench.id.clone(),
            works: trench.works.clone(),
            excavate,
            restore,
        });
    }

    /// A compound's phases: its class's and extra tasks', minus those a trade work
    /// referencing it stands for.
    fn add_compound(&mut self, plan: &Plan, c: usize) {
        let compound = &plan.compounds[c];
        let stood_for: Vec<ActivityKind> = self.compounds[c]
            .works
            .iter()
            .filter(|&&w| self.works[w].stands_for == Some(c))
            .filter_map(|&w| match plan.works[w].discipline {
                Discipline::Trade(t) => stood_for_by(t),
                Discipline::Utility(_) => None,
            })
            .collect();
        let release = compound.start_by.unwrap_or(plan.settings.start);
        let (release, release_by) = if release > plan.settings.start {
            (release, format!("the start_by of compound {}", compound.id))
        } else {
            (plan.settings.start, "the plan start".to_owned())
        };
        for kind in phase_kinds(compound) {
            if stood_for.contains(&kind) {
                continue;
            }
            let Some(rule) = phase_rule(kind) else {
                continue;
            };
            let step = self.push(Step {
                id: format!("{}/{}", compound.id, kind.as_str()),
                kind,
                subject: Subject::Compound(compound.id.clone()),
                days: rule.days(compound.buildings),
                calendar: CalendarKind::Site,
                crew: Some(Discipline::Trade(rule.crew)),
                release,
                release_by: release_by.clone(),
            });
            self.compounds[c].phases.push(step);
        }
    }

    /// Every deadline: works' own, compounds' `finish_by` on their phases and the works
    /// standing for them, clean heating's heating season.
    fn add_deadlines(&mut self, plan: &Plan) {
        let heating_due = heating_deadline(plan);
        for (w, work) in plan.works.iter().enumerate() {
            let Some(&last) = self.works[w].chain.last() else {
                continue;
            };
            if let Some(date) = work.deadline {
                self.deadlines.push(ExpectedDeadline {
                    source: DeadlineSource::Work(work.id.clone()),
                    step: last,
                    kind: work.deadline_kind,
                    date,
                });
            }
            if let Some(c) = self.works[w].stands_for {
                let compound = &plan.compounds[c];
                self.deadlines.push(ExpectedDeadline {
                    source: DeadlineSource::Compound(compound.id.clone()),
                    step: last,
                    kind: DeadlineKind::Hard,
                    date: compound.finish_by,
                });
            }
            if work.discipline == Discipline::Trade(Trade::CleanHeating)
                && let Some(date) = heating_due
            {
                self.deadlines.push(ExpectedDeadline {
                    source: DeadlineSource::HeatingSeason(work.id.clone()),
                    step: last,
                    kind: DeadlineKind::Hard,
                    date,
                });
            }
        }
        for (c, compound) in plan.compounds.iter().enumerate() {
            for &step in &self.compounds[c].phases {
                self.deadlines.push(ExpectedDeadline {
                    source: DeadlineSource::Compound(compound.id.clone()),
                    step,
                    kind: DeadlineKind::Hard,
                    date: compound.finish_by,
                });
            }
        }
    }

    /// Every expected step's dates in the document (its first activity with the step's id).
    pub(super) fn dates(&self, schedule: &ScheduleDocument) -> Vec<Option<Span>> {
        let mut dates = vec![None; self.steps.len()];
        for a in &schedule.activities {
            if let Some(&i) = self.by_id.get(a.id.as_str())
                && dates[i].is_none()
            {
                dates[i] = Some(Span {
                    start: a.start,
                    end: a.end,
                });
            }
        }
        dates
    }
}

/// The last day a clean-heating retrofit may be commissioned: the day before the first
/// day of the first heating season that begins after the plan start. `None` when the
/// season has no first day (it covers the whole year).
pub(super) fn heating_deadline(plan: &Plan) -> Option<NaiveDate> {
    let season = plan.settings.calendars.heating_season;
    let start = plan.settings.start;
    start
        .iter_days()
        .skip(1)
        .take(2 * 366 + 1)
        .find(|d| season.contains(*d) && d.pred_opt().is_some_and(|p| !season.contains(p)))
        .and_then(|first| first.pred_opt())
}

/// The document holds exactly the expected steps: reports every missing step, every extra
/// one, and every listed step whose kind or subject contradicts its id.
pub(super) fn check_steps(
    plan: &Plan,
    expectation: &Expectation,
    schedule: &ScheduleDocument,
    findings: &mut Findings,
) {
    let mut seen = vec![false; expectation.steps.len()];
    let works: HashSet<&str> = plan.works.iter().map(|w| w.id.as_str()).collect();
    let compounds: HashSet<&str> = plan.compounds.iter().map(|c| c.id.as_str()).collect();
    let trenches: HashSet<&str> = schedule.trenches.iter().map(|t| t.id.as_str()).collect();
    let known = |subject: &Subject| match subject {
        Subject::Work(id) => works.contains(id.as_str()),
        Subject::Compound(id) => compounds.contains(id.as_str()),
        Subject::Trench(id) => trenches.contains(id.as_str()),
    };
    for a in &schedule.activities {
        if let Some(&i) = expectation.by_id.get(a.id.as_str()) {
            seen[i] = true;
            let step = &expectation.steps[i];
            if a.kind != step.kind || a.subject != step.subject {
                findings.push(
                    Rule::Document,
                    vec![a.id.clone()],
                    format!(
                        "{} is listed as a {} step of {} {}, but the plan makes it a {} step of {} {}.",
                        a.id,
                        a.kind.as_str(),
                        subject_type(&a.subject),
                        a.subject.id(),
                        step.kind.as_str(),
                        subject_type(&step.subject),
                        step.subject.id()
                    ),
                );
            }
        } else if known(&a.subject) {
            findings.push(
                Rule::Steps,
                vec![a.id.clone()],
                format!(
                    "{} is not a step the plan asks of {} {}.",
                    a.id,
                    subject_type(&a.subject),
                    a.subject.id()
                ),
            );
        } else {
            findings.push(
                Rule::Document,
                vec![a.id.clone()],
                format!(
                    "{} is a step of {} {}, which is not in the plan.",
                    a.id,
                    subject_type(&a.subject),
                    a.subject.id()
                ),
            );
        }
    }
    for (step, _) in expectation.steps.iter().zip(&seen).filter(|(_, s)| !**s) {
        findings.push(
            Rule::Steps,
            vec![step.id.clone()],
            format!(
                "{} ({} working day(s) of {} {}) is missing from the schedule.",
                step.id,
                step.days,
                subject_type(&step.subject),
                step.subject.id()
            ),
        );
    }
}

/// `work`, `compound` or `trench`.
pub(super) fn subject_type(subject: &Subject) -> &'static str {
    match subject {
        Subject::Work(_) => "work",
        Subject::Compound(_) => "compound",
        Subject::Trench(_) => "trench",
    }
}
