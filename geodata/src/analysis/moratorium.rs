//! Moratorium conflicts: works that cut a street while it may not be cut.
//!
//! # Rule
//! A street paved on `paved_on` with paving kind `k` may not be cut until
//! `moratorium_end = paved_on + years(k)` (exclusive; years from the clearance profile:
//! CN 5 for new and rebuilt, 3 for major repair, 0 for minor = no moratorium).
//! If the street has `repave_planned = R` before `moratorium_end`, cutting before `R` is
//! acceptable (the repaving restores it anyway), so the blocked window is
//! `[max(paved_on, R), moratorium_end)`; otherwise `[paved_on, moratorium_end)`.
//!
//! A work that cuts the street (see [`super::street_cut`]) conflicts when its possible
//! window `[max(earliest, plan start), deadline or plan end]` (plan end = start + horizon:
//! every work is scheduled within the horizon) overlaps the blocked window.
//! The conflict's [`ConflictStatus`]:
//! - `exception`: the city granted `cut_exception`; reported, not binding;
//! - `unavoidable`: the whole work window lies in the blocked window — the optimizer
//!   cannot schedule around it, so the plan needs an exception or a later deadline;
//! - `avoidable`: the optimizer must schedule the excavation outside the blocked window.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::clearance::{ClearanceProfile, Provenance};
use super::corridor::LineWorks;
use super::street_cut::StreetCut;
use super::{Lines, to_wgs84};
use crate::crs::LocalFrame;
use crate::plan::{Paving, Plan, Utility};

/// What the optimizer must do about a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictStatus {
    /// The street has a moratorium exception: report only.
    Exception,
    /// The work can be scheduled outside the blocked window: a constraint.
    Avoidable,
    /// The work's window lies inside the blocked window: infeasible without an exception.
    Unavoidable,
}

/// A work that cuts a street under moratorium.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MoratoriumConflict {
    /// Work id.
    pub work: String,
    /// The work's utility.
    pub utility: Utility,
    /// Street id.
    pub street: String,
    /// Street name.
    pub street_name: String,
    /// Metres of the street the work cuts.
    pub cut_m: f64,
    /// When the street was paved.
    pub paved_on: NaiveDate,
    /// How it was paved.
    pub paving: Paving,
    /// First day cutting is blocked.
    pub blocked_from: NaiveDate,
    /// First day cutting is allowed again.
    pub moratorium_end: NaiveDate,
    /// The street has a moratorium exception.
    pub cut_exception: bool,
    /// Planned repaving date, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repave_planned: Option<NaiveDate>,
    /// Cutting before this date is acceptable (the planned repaving is inside the
    /// moratorium).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceptable_before: Option<NaiveDate>,
    /// What the optimizer must do.
    pub status: ConflictStatus,
    /// The moratorium rule applied.
    pub rule: Provenance,
    /// The cut part of the work, WGS84.
    pub geometry: Lines,
}

/// Every conflict, in the order of `cuts` (work id, street id).
#[must_use]
pub fn conflicts(
    plan: &Plan,
    works: &LineWorks,
    frame: &LocalFrame,
    profile: &ClearanceProfile,
    cuts: &[StreetCut],
) -> Vec<MoratoriumConflict> {
    let plan_start = plan.settings.start;
    let plan_end = plan_start
        .checked_add_days(Days::new(u64::from(plan.settings.horizon_days)))
        .unwrap_or(NaiveDate::MAX);
    let mut out = Vec::new();
    for cut in cuts {
        let street = &plan.streets[cut.detail.street];
        let (Some(paved_on), Some(paving)) = (street.paved_on, street.paving) else {
            continue;
        };
        let Some(moratorium_end) = profile.moratorium.end(paved_on, paving) else {
            continue;
        };
        let acceptable_before = street
            .repave_planned
            .filter(|&r| r > paved_on && r < moratorium_end);
        let blocked_from = acceptable_before.unwrap_or(paved_on);
        let line_work = &works.works[cut.detail.line_work];
        let work = &plan.works[line_work.plan_index];
        let from = work.earliest.map_or(plan_start, |e| e.max(plan_start));
        let until = work.deadline.unwrap_or(plan_end);
        // Window [from, until] against blocked [blocked_from, moratorium_end).
        if until < blocked_from || from >= moratorium_end {
            continue;
        }
        let status = if street.cut_exception {
            ConflictStatus::Exception
        } else if from >= blocked_from && until < moratorium_end {
            ConflictStatus::Unavoidable
        } else {
            ConflictStatus::Avoidable
        };
        let geometry = cut
            .detail
            .stretches
            .iter()
            .map(|s| {
                let line = &line_work.lines.parts[s.part as usize];
                to_wgs84(frame, &line.slice(s.from_m, s.to_m))
            })
            .collect();
        out.push(MoratoriumConflict {
            work: cut.work.clone(),
            utility: line_work.key.utility,
            street: street.id.clone(),
            street_name: street.name.clone(),
            cut_m: cut.length_m,
            paved_on,
            paving,
            blocked_from,
            moratorium_end,
            cut_exception: street.cut_exception,
            repave_planned: street.repave_planned,
            acceptable_before,
            status,
            rule: profile.moratorium.provenance.clone(),
            geometry,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::street_cut::cuts;
    use crate::plan::Utility;
    use crate::testkit::{PlanBuilder, StreetBuilder, WorkBuilder, date};

    fn run(b: &PlanBuilder) -> Vec<MoratoriumConflict> {
        let plan = b.build();
        let works = LineWorks::of(&plan);
        let profile = ClearanceProfile::built_in("cn-gb50289").expect("valid");
        let c = cuts(&plan, &works, 10.0);
        conflicts(&plan, &works, &plan.frame, &profile, &c)
    }

    fn street(paved: NaiveDate, paving: Paving) -> StreetBuilder {
        StreetBuilder::new("st1")
            .along(&[(0.0, 0.0), (200.0, 0.0)])
            .paved(paved, paving)
    }

    /// A water main along the street, 2 m off its centre line.
    fn main() -> WorkBuilder {
        WorkBuilder::pipeline("w1", Utility::Water)
            .owner("a")
            .along(&[(0.0, 2.0), (100.0, 2.0)])
    }

    #[test]
    fn a_street_rebuilt_two_years_ago_blocks_a_work_due_this_year() {
        let mut b = PlanBuilder::new(date(2026, 3, 1)); // 730-day horizon
        b.street(street(date(2024, 6, 1), Paving::Rebuilt));
        b.work(main().deadline(date(2026, 12, 31)));
        let c = run(&b);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].moratorium_end, date(2029, 6, 1));
        assert_eq!(c[0].status, ConflictStatus::Unavoidable);
        assert!(c[0].rule.verified());
        assert!((c[0].cut_m - 100.0).abs() < 1e-9);
    }

    #[test]
    fn a_work_that_may_wait_past_the_moratorium_is_avoidable() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.street(street(date(2022, 9, 1), Paving::MajorRepair)); // ends 2025-09-01: expired
        b.work(main());
        assert!(
            run(&b).is_empty(),
            "a three-year moratorium from 2022 has ended"
        );
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.street(street(date(2023, 9, 1), Paving::MajorRepair)); // ends 2026-09-01
        b.work(main());
        let c = run(&b);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].status, ConflictStatus::Avoidable);
    }

    #[test]
    fn an_exception_is_reported_but_not_binding() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.street(street(date(2025, 1, 1), Paving::New).cut_exception());
        b.work(
            WorkBuilder::pipeline("w1", Utility::Gas)
                .owner("a")
                .along(&[(0.0, 2.0), (100.0, 2.0)]),
        );
        let c = run(&b);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].status, ConflictStatus::Exception);
    }

    #[test]
    fn a_planned_repave_makes_cutting_before_it_acceptable() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.street(street(date(2025, 1, 1), Paving::New).repave_planned(date(2027, 6, 1)));
        let w = b.work(main());
        w.deadline = Some(date(2027, 1, 1));
        let c = run(&b);
        assert!(
            c.is_empty(),
            "the work must finish before the repave: no conflict"
        );
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.street(street(date(2025, 1, 1), Paving::New).repave_planned(date(2027, 6, 1)));
        b.work(main());
        let c = run(&b);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].acceptable_before, Some(date(2027, 6, 1)));
        assert_eq!(c[0].blocked_from, date(2027, 6, 1));
        assert_eq!(c[0].status, ConflictStatus::Avoidable);
    }

    #[test]
    fn minor_repair_has_no_moratorium() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.street(street(date(2026, 1, 1), Paving::Minor));
        b.work(main());
        assert!(run(&b).is_empty());
    }
}
