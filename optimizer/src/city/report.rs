//! The schedule document's parts from a solved network: activities with dates and crews,
//! deadline outcomes with what forces each miss, what ends beyond the horizon, and the
//! shared trenches.
//!
//! Engine days are site working days (the axis of [`crate::city::lowering`]); everything
//! here speaks calendar dates.

use std::collections::HashMap;

use geodata::analysis::Analysis;
use geodata::plan::{DeadlineKind, Plan};

use super::document::{
    BeyondHorizon, ChainLink, DeadlineOutcome, ScheduledActivity, SharedTrench, Subject,
};
use super::lowering::Lowered;
use super::network::{Activity, ActivityKind, Network, ResourceKind};
use crate::engine::{Cause, MissedDeadline, Schedule, SolveError, explain_late};

/// A solved network and its dates.
pub(super) struct Report<'a> {
    network: &'a Network,
    lowered: &'a Lowered,
    schedule: &'a Schedule,
    /// Calendar days `(first, last)` of each activity.
    days: Vec<(i64, i64)>,
}

impl<'a> Report<'a> {
    pub(super) fn new(network: &'a Network, lowered: &'a Lowered, schedule: &'a Schedule) -> Self {
        let days = (0..network.activities.len())
            .map(|i| lowered.days(network, i, schedule.starts[i], schedule.ends[i]))
            .collect();
        Self {
            network,
            lowered,
            schedule,
            days,
        }
    }

    /// Calendar days from the plan start to the end of the last activity.
    pub(super) fn makespan_days(&self) -> i64 {
        self.days
            .iter()
            .map(|&(_, last)| last + 1)
            .max()
            .unwrap_or(0)
    }

    /// A lower bound on [`Report::makespan_days`] from the engine's bound on the axis.
    pub(super) fn lower_bound_days(&self) -> i64 {
        let bound = self.schedule.bound.best().max(self.schedule.lower.makespan);
        if bound <= 0 {
            0
        } else {
            self.network.calendar.site_day(bound - 1) + 1
        }
    }

    /// Σ length × calendar days open over the excavations.
    pub(super) fn trench_open_metre_days(&self) -> f64 {
        self.lowered.trench_open_metre_days(
            self.network,
            &self.schedule.starts,
            &self.schedule.ends,
        )
    }

    /// Every activity with its dates and crew.
    pub(super) fn activities(&self) -> Vec<ScheduledActivity> {
        let crews = assign_crews(self.network, self.schedule);
        let calendar = &self.network.calendar;
        self.network
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
                start: calendar.date(self.days[i].0),
                end: calendar.date(self.days[i].1),
                crew: crews[i].clone(),
            })
            .collect()
    }

    /// Every deadline of the network with its outcome, and every activity that ends after
    /// the horizon; each miss classified and explained on its own day.
    ///
    /// # Errors
    /// The engine's, when the problem's lags contradict each other (never after a solve).
    pub(super) fn deadlines_and_horizon(
        &self,
    ) -> Result<(Vec<DeadlineOutcome>, Vec<BeyondHorizon>), SolveError> {
        let network = self.network;
        let calendar = &network.calendar;
        let horizon_day = i64::from(network.horizon_days);
        // Which (activity, axis day) to explain: every missed hard deadline and the horizon
        // of every activity ending after it.
        let mut late: Vec<(usize, i64)> = Vec::new();
        for (i, a) in network.activities.iter().enumerate() {
            let last = self.days[i].1;
            for d in &a.deadlines {
                if d.kind == DeadlineKind::Hard && last >= d.finish_by {
                    late.push((i, calendar.site_index(d.finish_by)));
                }
            }
            if last >= horizon_day {
                late.push((i, self.lowered.horizon));
            }
        }
        late.sort_unstable();
        late.dedup();
        let explained: HashMap<(usize, i64), MissedDeadline> =
            explain_late(&self.lowered.problem, &self.schedule.starts, &late)?
                .into_iter()
                .map(|m| ((m.activity, m.deadline), m))
                .collect();
        let mut deadlines = Vec::new();
        for (i, a) in network.activities.iter().enumerate() {
            let last = self.days[i].1;
            for d in &a.deadlines {
                let lateness = (last - (d.finish_by - 1)).max(0);
                let missed = (d.kind == DeadlineKind::Hard && lateness > 0)
                    .then(|| explained.get(&(i, calendar.site_index(d.finish_by))))
                    .flatten();
                deadlines.push(DeadlineOutcome {
                    source: d.source.clone(),
                    activity: a.id.clone(),
                    kind: d.kind,
                    date: d.date,
                    finish: calendar.date(last),
                    lateness_days: lateness,
                    forced_by: missed.map(|m| m.forced_by),
                    explanation: missed.map(|m| self.chain(m)),
                });
            }
        }
        let beyond = network
            .activities
            .iter()
            .enumerate()
            .filter(|&(i, _)| self.days[i].1 >= horizon_day)
            .filter_map(|(i, a)| {
                let m = explained.get(&(i, self.lowered.horizon))?;
                Some(BeyondHorizon {
                    activity: a.id.clone(),
                    end: calendar.date(self.days[i].1),
                    earliest_end: calendar.date(self.axis_last_day(i, m.earliest_finish)),
                    forced_by: m.forced_by,
                    explanation: self.chain(m),
                })
            })
            .collect();
        Ok((deadlines, beyond))
    }

    /// The calendar day an activity ending (exclusively) on axis day `end` ends on.
    fn axis_last_day(&self, i: usize, end: i64) -> i64 {
        let duration = i64::from(self.lowered.problem.activities[i].duration);
        self.lowered.days(self.network, i, end - duration, end).1
    }

    /// The chain of a miss in dates and sentences.
    fn chain(&self, missed: &MissedDeadline) -> Vec<ChainLink> {
        missed
            .chain
            .iter()
            .map(|link| ChainLink {
                activity: link.name.clone(),
                start: self
                    .network
                    .calendar
                    .date(self.network.calendar.site_day(link.start)),
                because: self.because(&link.cause),
            })
            .collect()
    }

    /// One sentence for a link of an explanation chain.
    fn because(&self, cause: &Cause) -> String {
        let calendar = &self.network.calendar;
        let date = |axis: i64| calendar.date(calendar.site_day(axis));
        match cause {
            Cause::Release { day } => format!("it may not start before {}", date(*day)),
            Cause::Lag { lag } => format!(
                "it must start at least {lag} working day(s) after the previous step starts"
            ),
            Cause::Resource { resource } => {
                format!("every unit of {resource} is busy until the previous step ends")
            }
            Cause::Window { start, end } => format!(
                "it may not be in progress from {} to {}",
                date(*start),
                date(*end - 1)
            ),
            Cause::Slack => "nothing forces this start".to_owned(),
        }
    }
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

/// The analysis trenches with their utilities and owners.
pub(super) fn shared_trenches(plan: &Plan, analysis: &Analysis) -> Vec<SharedTrench> {
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
