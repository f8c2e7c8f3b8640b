//! The plan's working-day calendars and the map between calendar days and working days.
//!
//! * The **site calendar** works every day but the plan's holidays and, when the plan does
//!   not work weekends, Saturdays and Sundays. Every step on site uses it.
//! * The **office calendar** works Monday to Friday but holidays: the paperwork of clean
//!   heating (household confirmation, equipment tender).
//!
//! The engine schedules on the *axis* of site working days: axis day `k` is the `k`-th
//! site working day from the plan start, so a step of `d` working days is `d` axis days
//! long, pauses over the non-working days between them, and every lag counts working days.
//! [`WorkCalendar::site_index`] and [`WorkCalendar::site_day`] map between the two.
//! Past the laid-out span the site calendar continues with its weekend rule and no
//! holidays.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use geodata::plan::Calendars;
use serde::{Deserialize, Serialize};

/// The site and office calendars of one plan over its first `span_days` days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    /// Day 0.
    start: NaiveDate,
    /// Whether Saturdays and Sundays are site working days.
    weekends_work: bool,
    /// `site_before[d]`: site working days in `[0, d)`, for `d` in `0..=span`.
    site_before: Vec<i64>,
    /// Calendar day of each site working day in the span, in order.
    site_days: Vec<i64>,
    /// Whether each day of the span is an office working day.
    office: Vec<bool>,
}

impl WorkCalendar {
    /// The calendars of a plan starting on `start`, laid out over `span_days` days.
    #[must_use]
    pub fn new(calendars: &Calendars, start: NaiveDate, span_days: i64) -> Self {
        let span = usize::try_from(span_days.max(1)).unwrap_or(1);
        let holidays: std::collections::HashSet<NaiveDate> =
            calendars.holidays.iter().copied().collect();
        let mut site_before = Vec::with_capacity(span + 1);
        let mut site_days = Vec::with_capacity(span);
        let mut office = Vec::with_capacity(span);
        let mut worked = 0_i64;
        for (offset, date) in (0_i64..).zip(start.iter_days().take(span)) {
            site_before.push(worked);
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            let holiday = holidays.contains(&date);
            if !holiday && (calendars.weekends_work || !weekend) {
                site_days.push(offset);
                worked += 1;
            }
            office.push(!holiday && !weekend);
        }
        site_before.push(worked);
        Self {
            start,
            weekends_work: calendars.weekends_work,
            site_before,
            site_days,
            office,
        }
    }

    /// Day 0.
    #[must_use]
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// Days laid out.
    #[must_use]
    pub fn span_days(&self) -> i64 {
        i64::try_from(self.office.len()).unwrap_or(i64::MAX)
    }

    /// The calendar date of day `day`.
    #[must_use]
    pub fn date(&self, day: i64) -> NaiveDate {
        let shifted = if day >= 0 {
            self.start.checked_add_days(Days::new(day.unsigned_abs()))
        } else {
            self.start.checked_sub_days(Days::new(day.unsigned_abs()))
        };
        shifted.unwrap_or(self.start)
    }

    /// Whether calendar day `day` is a site working day.
    #[must_use]
    pub fn is_site_day(&self, day: i64) -> bool {
        self.site_index(day + 1) > self.site_index(day)
    }

    /// Whether calendar day `day` is an office working day.
    #[must_use]
    pub fn is_office_day(&self, day: i64) -> bool {
        match usize::try_from(day).ok().and_then(|d| self.office.get(d)) {
            Some(&works) => works,
            None => day >= 0 && !matches!(self.date(day).weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// Whether both calendars work the same days (weekends off): then every step can be
    /// scheduled on the site axis alike.
    #[must_use]
    pub fn office_is_site(&self) -> bool {
        !self.weekends_work
    }

    /// Site working days before calendar day `day` (days before day 0 count nothing): the
    /// axis day of the first site working day on or after `day`.
    #[must_use]
    pub fn site_index(&self, day: i64) -> i64 {
        if day <= 0 {
            return 0;
        }
        let span = self.span_days();
        if day <= span {
            return self.site_before[usize::try_from(day).unwrap_or(0)];
        }
        let mut worked = self.site_before.last().copied().unwrap_or(0);
        for d in span..day {
            if self.beyond_is_site_day(d) {
                worked += 1;
            }
        }
        worked
    }

    /// The calendar day of axis day `index` (the `index`-th site working day, from 0).
    #[must_use]
    pub fn site_day(&self, index: i64) -> i64 {
        if index < 0 {
            return index;
        }
        if let Some(&day) = usize::try_from(index)
            .ok()
            .and_then(|k| self.site_days.get(k))
        {
            return day;
        }
        let mut left = index - i64::try_from(self.site_days.len()).unwrap_or(0);
        let mut day = self.span_days();
        loop {
            if self.beyond_is_site_day(day) {
                if left == 0 {
                    return day;
                }
                left -= 1;
            }
            day += 1;
        }
    }

    /// The last calendar day of a site step on axis days `[start, end)` (`end > start`).
    #[must_use]
    pub fn site_last_day(&self, end: i64) -> i64 {
        self.site_day(end - 1)
    }

    /// The first office working day on or after `day`.
    #[must_use]
    pub fn next_office_day(&self, day: i64) -> i64 {
        let mut d = day.max(0);
        while !self.is_office_day(d) {
            d += 1;
        }
        d
    }

    /// The last day of an office step of `days` working days starting on office day
    /// `start`.
    #[must_use]
    pub fn office_last_day(&self, start: i64, days: u32) -> i64 {
        let mut left = days.max(1);
        let mut d = start;
        loop {
            if self.is_office_day(d) {
                left -= 1;
                if left == 0 {
                    return d;
                }
            }
            d += 1;
        }
    }

    /// Past the span: weekends rest unless the plan works them; no holidays.
    fn beyond_is_site_day(&self, day: i64) -> bool {
        self.weekends_work || !matches!(self.date(day).weekday(), Weekday::Sat | Weekday::Sun)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    /// Monday 2 March 2026, weekends off, a holiday on Wednesday 4 March.
    fn weekdays_with_a_holiday() -> WorkCalendar {
        let calendars = Calendars {
            weekends_work: false,
            holidays: vec![date(2026, 3, 4)],
            ..Calendars::default()
        };
        WorkCalendar::new(&calendars, date(2026, 3, 2), 30)
    }

    #[test]
    fn the_site_axis_skips_weekends_and_holidays() {
        let c = weekdays_with_a_holiday();
        // Mon 0, Tue 1, (Wed holiday), Thu 3, Fri 4, (Sat, Sun), Mon 7.
        let days: Vec<i64> = (0..5).map(|k| c.site_day(k)).collect();
        assert_eq!(days, vec![0, 1, 3, 4, 7]);
        assert_eq!(
            c.site_index(2),
            2,
            "the holiday's first working day after is axis 2"
        );
        assert_eq!(c.site_index(5), 4);
        assert_eq!(c.site_index(7), 4);
        assert!(!c.is_site_day(5));
        for k in 0..40 {
            assert_eq!(c.site_index(c.site_day(k)), k, "axis {k}");
        }
    }

    #[test]
    fn past_the_span_weekends_still_rest() {
        let c = weekdays_with_a_holiday();
        let far = c.site_day(100);
        assert!(!matches!(
            c.date(far).weekday(),
            Weekday::Sat | Weekday::Sun
        ));
        assert_eq!(c.site_index(far), 100);
    }

    #[test]
    fn office_steps_count_weekdays_even_when_the_site_works_weekends() {
        let calendars = Calendars {
            weekends_work: true,
            holidays: vec![date(2026, 3, 4)],
            ..Calendars::default()
        };
        let c = WorkCalendar::new(&calendars, date(2026, 3, 2), 30);
        assert!(!c.office_is_site());
        assert!(c.is_site_day(5), "Saturday works on site");
        assert!(!c.is_office_day(5));
        // Three office days from Tuesday: Tue, (Wed holiday), Thu, Fri.
        assert_eq!(c.office_last_day(1, 3), 4);
        assert_eq!(c.next_office_day(5), 7);
    }
}
