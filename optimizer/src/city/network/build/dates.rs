//! Releases and deadlines: dates of the plan as plan days on activities.
//!
//! * **Releases** sit on every activity of a work: plan start, `work.earliest` and the
//!   `start_by` of each compound the work references or lies in (a shared-trench activity
//!   takes the latest of its works'); a compound phase is released at the compound's
//!   `start_by`.
//! * **Deadlines**: `work.deadline` on the work's last activity (the shared restore for a
//!   work in a trench); `compound.finish_by` (hard) on every compound phase and on the last
//!   activity of trade works standing for a phase; the heating-season start (hard) on every
//!   clean-heating commissioning. A deadline's `finish_by` is the day after its date.

use chrono::NaiveDate;
use geodata::plan::{Compound, DeadlineKind, Work};

use super::Builder;
use crate::city::network::calendar::day_offset;
use crate::city::network::{Deadline, DeadlineSource, heating_deadline};

impl Builder<'_> {
    /// The plan day of a date (day 0 = plan start; negative before it).
    pub(super) fn offset(&self, d: NaiveDate) -> i64 {
        day_offset(self.plan.settings.start, d)
    }

    /// The release of a work: plan start, `work.earliest` and its compounds' `start_by`.
    pub(super) fn work_release(&self, w: &Work, compounds: &[&Compound]) -> i64 {
        let mut release = w.earliest.map_or(0, |d| self.offset(d)).max(0);
        for c in compounds {
            if let Some(s) = c.start_by {
                release = release.max(self.offset(s));
            }
        }
        release
    }

    /// The release of an activity serving `works`: the latest of their releases.
    pub(super) fn release_of(&self, works: &[&Work]) -> i64 {
        works
            .iter()
            .filter_map(|w| self.facts.get(w.id.as_str()))
            .map(|f| f.release)
            .max()
            .unwrap_or(0)
    }

    /// A deadline on the last working day `date`.
    fn deadline(&self, date: NaiveDate, kind: DeadlineKind, source: DeadlineSource) -> Deadline {
        Deadline {
            date,
            finish_by: self.offset(date) + 1,
            kind,
            source,
        }
    }

    /// The work's own deadline, hard or soft, if it has one.
    pub(super) fn work_deadline(&self, w: &Work) -> Option<Deadline> {
        w.deadline
            .map(|d| self.deadline(d, w.deadline_kind, DeadlineSource::Work(w.id.clone())))
    }

    /// The compound's `finish_by`, hard.
    pub(super) fn compound_deadline(&self, c: &Compound) -> Deadline {
        self.deadline(
            c.finish_by,
            DeadlineKind::Hard,
            DeadlineSource::Compound(c.id.clone()),
        )
    }

    /// Clean heating commissioned by the day before the next heating season (hard).
    pub(super) fn heating_season_deadline(&self, w: &Work) -> Deadline {
        let season = heating_deadline(
            self.plan.settings.calendars.heating_season,
            self.plan.settings.start,
        );
        let last_day = season.pred_opt().unwrap_or(season);
        self.deadline(
            last_day,
            DeadlineKind::Hard,
            DeadlineSource::HeatingSeason(w.id.clone()),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::city::network::NetworkInputs;
    use crate::city::network::build::probe::build;
    use crate::city::network::testkit::{PlanBuilder, date};
    use geodata::plan::{DeadlineKind, RenovationClass, Utility};

    #[test]
    fn releases_and_deadlines_come_from_plan_start_work_and_compound_dates() {
        let start = date(2027, 4, 1);
        let plan = PlanBuilder::new(start)
            .compound("c1", RenovationClass::Basic, 4, date(2027, 9, 30))
            .pipe("w1", Utility::Water, 10, 100.0, Some("c1"))
            .pipe("w2", Utility::Water, 10, 100.0, None)
            .with_work("w2", |w| {
                w.earliest = Some(date(2027, 3, 1));
                w.deadline = Some(date(2027, 6, 30));
                w.deadline_kind = DeadlineKind::Soft;
            })
            .build();
        let mut plan = plan;
        plan.compounds[0].start_by = Some(date(2027, 5, 1));
        let n = build(&plan, &NetworkInputs::default());
        assert_eq!(n.activity("w1/excavate").expect("w1").release, 30);
        assert_eq!(n.activity("c1/clearing").expect("clearing").release, 30);
        assert_eq!(
            n.activity("w2/excavate").expect("w2").release,
            0,
            "before plan start clamps to 0"
        );
        let d = &n.activity("w2/restore").expect("restore").deadlines[0];
        assert_eq!((d.kind, d.finish_by), (DeadlineKind::Soft, 91));
        assert!(n.activity("w2/test").expect("test").deadlines.is_empty());
    }
}
