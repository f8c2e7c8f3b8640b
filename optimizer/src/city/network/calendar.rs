//! Calendar windows as day intervals relative to the plan start.
//!
//! Seasons are yearly month-day windows ([`SeasonWindow`]) that may wrap the new year;
//! over a plan they become a list of half-open day intervals. The conversion walks the
//! days and asks [`SeasonWindow::contains`], so it agrees with the plan model's own
//! definition on every day, including 29 February and windows across 31 December.

use chrono::{Datelike, NaiveDate};
use geodata::plan::SeasonWindow;
use serde::{Deserialize, Serialize};

/// Days `[start, end)` counted from the plan start (day 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DayInterval {
    /// First day in the interval.
    pub start: i64,
    /// First day after the interval.
    pub end: i64,
}

impl DayInterval {
    /// Whether `[start, start + duration)` intersects this interval.
    #[must_use]
    pub fn overlaps(&self, start: i64, duration: i64) -> bool {
        start < self.end && self.start < start + duration
    }

    /// Number of days in the interval.
    #[must_use]
    pub fn len(&self) -> i64 {
        self.end - self.start
    }

    /// Whether the interval holds no day.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// Sorts intervals and merges those that overlap or touch; drops empty ones.
///
/// # Complexity
/// O(n log n).
#[must_use]
pub fn merge_intervals(mut intervals: Vec<DayInterval>) -> Vec<DayInterval> {
    intervals.retain(|i| !i.is_empty());
    intervals.sort_unstable();
    let mut merged: Vec<DayInterval> = Vec::with_capacity(intervals.len());
    for i in intervals {
        match merged.last_mut() {
            Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
            _ => merged.push(i),
        }
    }
    merged
}

/// Day offset of `date` from `start` (negative before it).
#[must_use]
pub fn day_offset(start: NaiveDate, date: NaiveDate) -> i64 {
    (date - start).num_days()
}

/// The days of `[0, span_days)` after `start` that fall in `window`, as merged intervals.
///
/// # Complexity
/// O(`span_days`).
#[must_use]
pub fn season_intervals(
    window: SeasonWindow,
    start: NaiveDate,
    span_days: i64,
) -> Vec<DayInterval> {
    days_where(start, span_days, |d| window.contains(d))
}

fn days_where(
    start: NaiveDate,
    span_days: i64,
    pred: impl Fn(NaiveDate) -> bool,
) -> Vec<DayInterval> {
    let mut out: Vec<DayInterval> = Vec::new();
    let mut open: Option<i64> = None;
    for (offset, date) in (0..span_days).zip(start.iter_days()) {
        match (pred(date), open) {
            (true, None) => open = Some(offset),
            (false, Some(s)) => {
                out.push(DayInterval {
                    start: s,
                    end: offset,
                });
                open = None;
            }
            _ => {}
        }
    }
    if let Some(s) = open {
        out.push(DayInterval {
            start: s,
            end: span_days.max(s),
        });
    }
    out
}

/// The first day of the heating season strictly after the plan start.
///
/// Clean-heating retrofits must be commissioned before it (通气/通电 before the heating season:
/// `docs/domain.md#clean-heating-chains`). A season starting on 29 February in a common year
/// starts on 1 March.
#[must_use]
pub fn heating_deadline(heating: SeasonWindow, start: NaiveDate) -> NaiveDate {
    let (month, day) = heating.from;
    (start.year()..=start.year() + 1)
        .filter_map(|y| {
            NaiveDate::from_ymd_opt(y, month, day).or_else(|| {
                NaiveDate::from_ymd_opt(y, month, 1)
                    .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            })
        })
        .find(|d| *d > start)
        .unwrap_or(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geodata::plan::Calendars;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    fn iv(start: i64, end: i64) -> DayInterval {
        DayInterval { start, end }
    }

    #[test]
    fn merging_joins_touching_and_overlapping_intervals_and_sorts_them() {
        let merged = merge_intervals(vec![iv(10, 12), iv(0, 3), iv(3, 5), iv(11, 20), iv(7, 7)]);
        assert_eq!(merged, vec![iv(0, 5), iv(10, 20)]);
    }

    #[test]
    fn heating_season_wrapping_new_year_spans_the_leap_day() {
        // Plan starts 1 Nov 2027; season 15 Nov 2027 .. 15 Mar 2028 (2028 is a leap year).
        let start = date(2027, 11, 1);
        let heating = Calendars::default().heating_season;
        let got = season_intervals(heating, start, 400);
        let s = day_offset(start, date(2027, 11, 15));
        let e = day_offset(start, date(2028, 3, 16));
        assert_eq!(
            e - s,
            16 + 31 + 31 + 29 + 15,
            "15 Nov..15 Mar inclusive with 29 Feb"
        );
        let s2 = day_offset(start, date(2028, 11, 15));
        assert_eq!(got, vec![iv(s, e), iv(s2, 400)]);
    }

    #[test]
    fn plan_starting_inside_a_wrapping_season_begins_with_its_tail() {
        let start = date(2027, 1, 10);
        let frozen = Calendars::default().frozen_ground;
        let got = season_intervals(frozen, start, 365);
        // 10 Jan..28 Feb 2027, then 1 Dec 2027 .. end of span (9 Jan 2028).
        assert_eq!(got[0], iv(0, day_offset(start, date(2027, 3, 1))));
        assert_eq!(got[1], iv(day_offset(start, date(2027, 12, 1)), 365));
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn frozen_ground_ending_28_february_leaves_the_leap_day_free() {
        let start = date(2027, 12, 1);
        let frozen = Calendars::default().frozen_ground;
        let got = season_intervals(frozen, start, 120);
        let feb29 = day_offset(start, date(2028, 2, 29));
        assert_eq!(got, vec![iv(0, feb29)]);
    }

    #[test]
    fn season_intervals_agree_with_the_plan_model_on_every_day() {
        let start = date(2026, 7, 3);
        for window in [
            Calendars::default().rainy_season,
            Calendars::default().heating_season,
            SeasonWindow {
                from: (2, 29),
                to: (2, 29),
            },
            SeasonWindow {
                from: (12, 31),
                to: (1, 1),
            },
        ] {
            let got = season_intervals(window, start, 1500);
            for (offset, d) in (0..1500).zip(start.iter_days()) {
                let inside = got.iter().any(|i| i.overlaps(offset, 1));
                assert_eq!(inside, window.contains(d), "{window:?} on {d}");
            }
        }
    }

    #[test]
    fn heating_deadline_is_the_next_season_start_after_the_plan_start() {
        let heating = Calendars::default().heating_season;
        assert_eq!(
            heating_deadline(heating, date(2027, 3, 1)),
            date(2027, 11, 15)
        );
        assert_eq!(
            heating_deadline(heating, date(2027, 11, 15)),
            date(2028, 11, 15)
        );
        assert_eq!(
            heating_deadline(heating, date(2027, 12, 20)),
            date(2028, 11, 15)
        );
        let leap = SeasonWindow {
            from: (2, 29),
            to: (3, 31),
        };
        assert_eq!(heating_deadline(leap, date(2027, 1, 1)), date(2027, 3, 1));
        assert_eq!(heating_deadline(leap, date(2027, 6, 1)), date(2028, 2, 29));
    }
}
