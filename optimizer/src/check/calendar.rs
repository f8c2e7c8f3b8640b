//! Working-day calendars and the rule that every step lasts its working days.
//!
//! The **site calendar** works every day except the plan's holidays and, when
//! `calendars.weekends_work` is `false`, Saturdays and Sundays. The **office calendar**
//! works Monday to Friday except holidays; the paper work of clean heating (`confirm`,
//! `tender`) uses it (`docs/input-format.md`, "Calendars and working days").
//!
//! A step of `d` days starts on a working day of its calendar and ends on its `d`-th working
//! day: from `start` to `end` there are exactly `d` working days.
//!
//! # Complexity
//! Counting the working days between two dates is O(log h) in the number of holidays
//! (weekends are counted by arithmetic), so a step of any length costs the same.

use chrono::{Datelike, NaiveDate, Weekday};
use geodata::plan::Calendars;

use super::Findings;
use super::steps::{Expectation, Span};
use crate::city::document::Rule;

/// Which calendar a step works by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CalendarKind {
    /// Site works: every day but holidays (and weekends when the plan does not work them).
    Site,
    /// Office work: Monday to Friday but holidays.
    Office,
}

impl CalendarKind {
    /// `site` or `office`, for messages.
    pub(super) fn name(self) -> &'static str {
        match self {
            CalendarKind::Site => "site",
            CalendarKind::Office => "office",
        }
    }
}

/// The working days of one calendar.
#[derive(Debug, Clone)]
pub(super) struct WorkCalendar {
    /// Saturdays and Sundays are not worked.
    weekends_off: bool,
    /// Holidays that fall on a day the calendar would otherwise work, sorted, distinct.
    holidays: Vec<NaiveDate>,
}

impl WorkCalendar {
    /// The calendar `kind` of a plan.
    pub(super) fn of(calendars: &Calendars, kind: CalendarKind) -> Self {
        let weekends_off = kind == CalendarKind::Office || !calendars.weekends_work;
        let mut holidays: Vec<NaiveDate> = calendars
            .holidays
            .iter()
            .copied()
            .filter(|d| !(weekends_off && is_weekend(*d)))
            .collect();
        holidays.sort_unstable();
        holidays.dedup();
        Self {
            weekends_off,
            holidays,
        }
    }

    /// Whether `date` is a working day.
    pub(super) fn is_working(&self, date: NaiveDate) -> bool {
        !(self.weekends_off && is_weekend(date)) && self.holidays.binary_search(&date).is_err()
    }

    /// Working days in `[from, to]` (both inclusive); 0 when `to` is before `from`.
    pub(super) fn working_days(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return 0;
        }
        let all = (to - from).num_days() + 1;
        let weekend = if self.weekends_off {
            weekend_days_before(to.succ_opt().unwrap_or(to)) - weekend_days_before(from)
        } else {
            0
        };
        let first = self.holidays.partition_point(|h| *h < from);
        let after = self.holidays.partition_point(|h| *h <= to);
        all - weekend - i64::try_from(after - first).unwrap_or(i64::MAX)
    }

    /// Working days strictly between `earlier` and `later` (the gap between two steps).
    pub(super) fn working_days_between(&self, earlier: NaiveDate, later: NaiveDate) -> i64 {
        match (earlier.succ_opt(), later.pred_opt()) {
            (Some(from), Some(to)) => self.working_days(from, to),
            _ => 0,
        }
    }

    /// The first working day on or after `date` and on or before `until`.
    pub(super) fn first_working_in(&self, date: NaiveDate, until: NaiveDate) -> Option<NaiveDate> {
        date.iter_days()
            .take_while(|d| *d <= until)
            .find(|d| self.is_working(*d))
    }

    /// The last working day on or before `date` and on or after `from`.
    pub(super) fn last_working_in(&self, from: NaiveDate, date: NaiveDate) -> Option<NaiveDate> {
        date.iter_days()
            .rev()
            .take_while(|d| *d >= from)
            .find(|d| self.is_working(*d))
    }
}

/// Saturday or Sunday.
fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Saturdays and Sundays from 1 January of year 1 (a Monday) up to the day before `date`
/// (negative before it).
fn weekend_days_before(date: NaiveDate) -> i64 {
    let days = i64::from(date.num_days_from_ce()) - 1;
    let (weeks, rest) = (days.div_euclid(7), days.rem_euclid(7));
    2 * weeks + (rest - 5).max(0)
}

/// The site and office calendars of a plan.
#[derive(Debug, Clone)]
pub(super) struct PlanCalendars {
    /// Every step but `confirm` and `tender`.
    pub(super) site: WorkCalendar,
    /// `confirm` and `tender`.
    pub(super) office: WorkCalendar,
}

impl PlanCalendars {
    /// Both calendars of a plan.
    pub(super) fn of(calendars: &Calendars) -> Self {
        Self {
            site: WorkCalendar::of(calendars, CalendarKind::Site),
            office: WorkCalendar::of(calendars, CalendarKind::Office),
        }
    }

    /// The calendar of `kind`.
    pub(super) fn get(&self, kind: CalendarKind) -> &WorkCalendar {
        match kind {
            CalendarKind::Site => &self.site,
            CalendarKind::Office => &self.office,
        }
    }
}

/// Every step starts and ends on a working day of its calendar and lasts its working days.
pub(super) fn check_working_days(
    expectation: &Expectation,
    calendars: &PlanCalendars,
    dates: &[Option<Span>],
    findings: &mut Findings,
) {
    for (step, span) in expectation.steps.iter().zip(dates) {
        let Some(span) = span else { continue };
        if span.end < span.start {
            continue; // the document's own inconsistency, reported as such
        }
        let calendar = calendars.get(step.calendar);
        let mut wrong = Vec::new();
        for (what, day) in [("starts", span.start), ("ends", span.end)] {
            if !calendar.is_working(day) {
                wrong.push(format!(
                    "{what} on {} {day}, not a working day",
                    day.weekday()
                ));
            }
        }
        let worked = calendar.working_days(span.start, span.end);
        if worked != i64::from(step.days) {
            wrong.push(format!("has {worked} from {} to {}", span.start, span.end));
        }
        if !wrong.is_empty() {
            findings.push(
                Rule::WorkingDays,
                vec![step.id.clone()],
                format!(
                    "{} lasts {} working day(s) of the {} calendar, but it {}.",
                    step.id,
                    step.days,
                    step.calendar.name(),
                    wrong.join(" and ")
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn calendars(weekends_work: bool, holidays: &[NaiveDate]) -> Calendars {
        Calendars {
            weekends_work,
            holidays: holidays.to_vec(),
            ..Calendars::default()
        }
    }

    /// Working days counted one by one, the definition the arithmetic must agree with.
    fn counted(c: &WorkCalendar, from: NaiveDate, to: NaiveDate) -> i64 {
        let n = from
            .iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| c.is_working(*d));
        i64::try_from(n.count()).expect("small")
    }

    #[test]
    fn weekends_and_holidays_are_not_worked_when_the_plan_says_so() {
        // 2026-03-07 is a Saturday; 2026-03-10 a Tuesday holiday.
        let plan = calendars(false, &[date(2026, 3, 10), date(2026, 3, 8)]);
        let site = WorkCalendar::of(&plan, CalendarKind::Site);
        assert!(site.is_working(date(2026, 3, 6)));
        assert!(!site.is_working(date(2026, 3, 7)));
        assert!(!site.is_working(date(2026, 3, 8)));
        assert!(!site.is_working(date(2026, 3, 10)));
        // Fri 6, Mon 9, Wed 11.
        assert_eq!(site.working_days(date(2026, 3, 6), date(2026, 3, 11)), 3);
        assert_eq!(
            site.working_days_between(date(2026, 3, 6), date(2026, 3, 11)),
            1
        );
        assert_eq!(site.working_days(date(2026, 3, 11), date(2026, 3, 6)), 0);
    }

    #[test]
    fn the_site_works_weekends_by_default_but_the_office_never_does() {
        let plan = calendars(true, &[date(2026, 3, 10)]);
        let site = WorkCalendar::of(&plan, CalendarKind::Site);
        let office = WorkCalendar::of(&plan, CalendarKind::Office);
        assert!(site.is_working(date(2026, 3, 7)));
        assert!(!office.is_working(date(2026, 3, 7)));
        assert_eq!(site.working_days(date(2026, 3, 1), date(2026, 3, 31)), 30);
        assert_eq!(office.working_days(date(2026, 3, 1), date(2026, 3, 31)), 21);
    }

    #[test]
    fn the_arithmetic_agrees_with_counting_day_by_day() {
        let plan = calendars(
            false,
            &[
                date(2026, 1, 1),
                date(2026, 5, 2),
                date(2026, 10, 1),
                date(2027, 2, 17),
            ],
        );
        for kind in [CalendarKind::Site, CalendarKind::Office] {
            let c = WorkCalendar::of(&plan, kind);
            let base = date(2025, 12, 20);
            for offset in 0..40 {
                let from = base + chrono::Days::new(offset * 11);
                for len in [0_u64, 1, 2, 5, 6, 7, 8, 13, 200, 500] {
                    let to = from + chrono::Days::new(len);
                    assert_eq!(
                        c.working_days(from, to),
                        counted(&c, from, to),
                        "{from}..{to}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_first_and_last_working_days_of_a_span_skip_the_weekend() {
        let site = WorkCalendar::of(&calendars(false, &[]), CalendarKind::Site);
        let (sat, sun, mon) = (date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9));
        assert_eq!(site.first_working_in(sat, mon), Some(mon));
        assert_eq!(site.first_working_in(sat, sun), None);
        assert_eq!(site.last_working_in(sat, mon), Some(mon));
        assert_eq!(
            site.last_working_in(date(2026, 3, 6), sun),
            Some(date(2026, 3, 6))
        );
    }

    #[test]
    fn a_step_a_day_short_lasts_too_few_working_days() {
        use crate::check::testkit::{Fixture, assert_only, date};
        let mut f = Fixture::load();
        f.set("w-water/lay", date(2026, 3, 9), date(2026, 3, 13));
        let found = f.violations();
        assert_only(&found, crate::city::document::Rule::WorkingDays, 1);
        assert!(
            found[0]
                .message
                .contains("lasts 6 working day(s) of the site calendar, but it has 5"),
            "{found:?}"
        );
    }

    #[test]
    fn a_step_starting_on_a_sunday_with_weekends_off_starts_on_a_non_working_day() {
        use crate::check::testkit::{Fixture, assert_only, date};
        let mut f = Fixture::load();
        f.set("w-gas-c/restore", date(2026, 4, 12), date(2026, 4, 13));
        let found = f.violations();
        assert_only(&found, crate::city::document::Rule::WorkingDays, 1);
        assert!(
            found[0]
                .message
                .contains("starts on Sun 2026-04-12, not a working day"),
            "{found:?}"
        );
    }

    #[test]
    fn a_step_pauses_over_a_holiday() {
        use crate::check::testkit::Fixture;
        // c-north/greening works 28, 29, 30 April, pauses over 1 May (a holiday) and the
        // weekend, and ends on 5 May: five working days.
        let f = Fixture::load();
        let greening = f
            .schedule
            .activities
            .iter()
            .find(|a| a.id == "c-north/greening")
            .expect("fixture step");
        assert_eq!(greening.end, crate::check::testkit::date(2026, 5, 5));
        assert!(f.violations().is_empty());
    }
}
