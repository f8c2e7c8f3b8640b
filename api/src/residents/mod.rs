//! The residents' public page of a compound (进度公开, `GET /p/{short}`,
//! `docs/progress.md`, "The residents' page"): what will be dug when around the compound
//! and who does it, from the plan's newest schedule and its progress.
//!
//! [`Notice::of`] gathers the page's facts (pure); [`html::render`] writes the page. Only
//! this compound's own facts appear: the works serving it or within [`RADIUS_M`] of it,
//! with their discipline, owner, dates and status; never another compound's name, no
//! money, no ids of tokens or reports.

pub mod html;

use chrono::NaiveDate;
use geo::{Distance, Euclidean};
use geodata::plan::{Compound, Discipline, Plan, Work};
use geodata::progress::ProgressRow;
use optimizer::city::document::ScheduleDocument;

use crate::overlay::progress::{UnitStatus, statuses, weekly_bulletin};

/// Works whose line passes within this many metres of the compound are listed.
pub const RADIUS_M: f64 = 200.0;

/// One work near the compound.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyWork {
    /// The work's discipline.
    pub discipline: Discipline,
    /// Who does it.
    pub owner: String,
    /// First and last day of its activities in the schedule (`None` when unscheduled).
    pub span: Option<(NaiveDate, NaiveDate)>,
    /// Its status on the data date.
    pub status: UnitStatus,
    /// Whether it serves this compound (rather than only passing by).
    pub serves: bool,
}

/// The facts of a compound's public page.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The compound's name.
    pub name: String,
    /// Its district.
    pub district: String,
    /// The compound's own renovation: first and last day of its activities.
    pub span: Option<(NaiveDate, NaiveDate)>,
    /// The compound's status on the data date.
    pub status: UnitStatus,
    /// The data date: the latest progress report counted, if any.
    pub data_date: Option<NaiveDate>,
    /// Works around it, by start date.
    pub works: Vec<NearbyWork>,
}

/// First start and last end of the activities `pick` selects.
fn span(
    schedule: &ScheduleDocument,
    pick: impl Fn(&optimizer::city::document::ScheduledActivity) -> bool,
) -> Option<(NaiveDate, NaiveDate)> {
    schedule
        .activities
        .iter()
        .filter(|a| pick(a))
        .fold(None, |acc, a| match acc {
            None => Some((a.start, a.end)),
            Some((s, e)) => Some((s.min(a.start), e.max(a.end))),
        })
}

/// Whether work `w` serves compound `c` or passes within [`RADIUS_M`] of it.
fn near(w: &Work, c: &Compound) -> (bool, bool) {
    let serves = w.compound.as_deref() == Some(c.id.as_str());
    let close = Euclidean.distance(&w.shape.local, &c.shape.local) <= RADIUS_M;
    (serves, serves || close)
}

impl Notice {
    /// The facts of compound `compound_id`'s page; `None` when the plan has no such
    /// compound. Progress is counted up to its latest `reported_on` (or `today` when
    /// nothing was reported).
    #[must_use]
    pub fn of(
        plan: &Plan,
        schedule: &ScheduleDocument,
        rows: &[ProgressRow],
        compound_id: &str,
        today: NaiveDate,
    ) -> Option<Self> {
        let c = plan.compounds.iter().find(|c| c.id == compound_id)?;
        let data_date = rows.iter().map(|r| r.reported_on).max();
        let b = weekly_bulletin(plan, schedule, rows, data_date.unwrap_or(today));
        let status: std::collections::HashMap<&str, UnitStatus> = statuses(plan, rows, &b)
            .into_iter()
            .map(|(id, _kind, s)| (id, s))
            .collect();
        let status_of = |id: &str| status.get(id).copied().unwrap_or(UnitStatus::NotStarted);
        let mut works: Vec<NearbyWork> = plan
            .works
            .iter()
            .filter_map(|w| {
                let (serves, near) = near(w, c);
                near.then(|| NearbyWork {
                    discipline: w.discipline,
                    owner: w.owner.clone(),
                    span: span(schedule, |a| a.works.contains(&w.id)),
                    status: status_of(&w.id),
                    serves,
                })
            })
            .collect();
        works.sort_by(|a, b| {
            a.span
                .is_none()
                .cmp(&b.span.is_none())
                .then(a.span.cmp(&b.span))
                .then_with(|| a.owner.cmp(&b.owner))
        });
        Some(Self {
            name: c.name.clone(),
            district: c.district.clone(),
            span: span(schedule, |a| {
                a.compound.as_deref() == Some(c.id.as_str()) || a.subject.id() == c.id
            }),
            status: status_of(&c.id),
            data_date,
            works,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests;
