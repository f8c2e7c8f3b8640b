//! Runs of days over a limit: the sweep behind the crew and district rules, so a day-by-day
//! excess is reported once per run of days rather than once per day.
//!
//! # Complexity
//! O(n log n) in the number of loads (a sort of their start and end events), plus the
//! loads each run names.

use chrono::NaiveDate;

/// Something that uses `amount` units on every day from `from` to `to` (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Load {
    /// First day.
    pub(super) from: NaiveDate,
    /// Last day.
    pub(super) to: NaiveDate,
    /// Units used per day.
    pub(super) amount: u32,
}

/// Consecutive days on which the loads exceed the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Run {
    /// First counted day over the limit.
    pub(super) first: NaiveDate,
    /// Last counted day over the limit.
    pub(super) last: NaiveDate,
    /// Highest use on a counted day.
    pub(super) peak: u32,
    /// The first counted day with that use.
    pub(super) peak_on: NaiveDate,
    /// Positions of the loads in progress during the run.
    pub(super) loads: Vec<usize>,
    /// The calendar span the run covers (its counted days and any uncounted between).
    span: (NaiveDate, NaiveDate),
}

/// The runs of days on which `loads` use more than `limit`. `counted(a, b)` gives the
/// first and last days of `[a, b]` that count (a crew's working days, every day for a
/// district), or `None`.
pub(super) fn runs_over(
    loads: &[Load],
    limit: u32,
    counted: &dyn Fn(NaiveDate, NaiveDate) -> Option<(NaiveDate, NaiveDate)>,
) -> Vec<Run> {
    let mut events: Vec<(NaiveDate, i64)> = Vec::with_capacity(2 * loads.len());
    for load in loads.iter().filter(|l| l.from <= l.to) {
        events.push((load.from, i64::from(load.amount)));
        if let Some(after) = load.to.succ_opt() {
            events.push((after, -i64::from(load.amount)));
        }
    }
    events.sort_unstable();
    let mut runs: Vec<Run> = Vec::new();
    let mut open: Option<Run> = None;
    let mut level: i64 = 0;
    let mut k = 0;
    while k < events.len() {
        let day = events[k].0;
        while k < events.len() && events[k].0 == day {
            level += events[k].1;
            k += 1;
        }
        let segment_end = events.get(k).and_then(|e| e.0.pred_opt()).unwrap_or(day);
        let over = level > i64::from(limit);
        let days = if over {
            counted(day, segment_end)
        } else {
            None
        };
        match (days, open.as_mut()) {
            (Some((first, last)), Some(run)) => {
                run.last = last;
                run.span.1 = segment_end;
                let use_ = u32::try_from(level).unwrap_or(u32::MAX);
                if use_ > run.peak {
                    run.peak = use_;
                    run.peak_on = first;
                }
            }
            (Some((first, last)), None) => {
                let peak = u32::try_from(level).unwrap_or(u32::MAX);
                open = Some(Run {
                    first,
                    last,
                    peak,
                    peak_on: first,
                    loads: Vec::new(),
                    span: (day, segment_end),
                });
            }
            (None, Some(run)) if over => run.span.1 = segment_end,
            (None, _) => runs.extend(open.take()),
        }
    }
    runs.extend(open);
    for (i, load) in loads.iter().enumerate() {
        let from = runs.partition_point(|r| r.span.1 < load.from);
        for run in runs[from..].iter_mut().take_while(|r| r.span.0 <= load.to) {
            run.loads.push(i);
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("valid test date")
    }

    fn load(from: u32, to: u32) -> Load {
        Load {
            from: date(from),
            to: date(to),
            amount: 1,
        }
    }

    /// Every day counts.
    const EVERY_DAY: &dyn Fn(NaiveDate, NaiveDate) -> Option<(NaiveDate, NaiveDate)> =
        &|a, b| Some((a, b));

    #[test]
    fn overlapping_loads_make_one_run_naming_each_load() {
        let loads = [load(1, 5), load(3, 8), load(4, 4), load(10, 12)];
        let runs = runs_over(&loads, 1, EVERY_DAY);
        assert_eq!(runs.len(), 1);
        let run = &runs[0];
        assert_eq!((run.first, run.last), (date(3), date(5)));
        assert_eq!((run.peak, run.peak_on), (3, date(4)));
        assert_eq!(run.loads, vec![0, 1, 2]);
    }

    #[test]
    fn a_day_back_under_the_limit_ends_a_run() {
        let loads = [load(1, 3), load(2, 3), load(5, 6), load(6, 7)];
        let runs = runs_over(&loads, 1, EVERY_DAY);
        let days: Vec<_> = runs.iter().map(|r| (r.first, r.last)).collect();
        assert_eq!(days, vec![(date(2), date(3)), (date(6), date(6))]);
        assert_eq!(runs[1].loads, vec![2, 3]);
    }

    #[test]
    fn uncounted_days_over_the_limit_neither_start_nor_end_a_run() {
        // Days 7 and 8 do not count (a weekend off): the run is days 6 to 9, no report
        // for the weekend alone.
        let weekdays = |a: NaiveDate, b: NaiveDate| {
            let counts =
                |d: &NaiveDate| !matches!(d.format("%d").to_string().as_str(), "07" | "08");
            let first = a.iter_days().take_while(|d| *d <= b).find(counts)?;
            let last = b.iter_days().rev().take_while(|d| *d >= a).find(counts)?;
            Some((first, last))
        };
        let runs = runs_over(&[load(6, 9), load(6, 9)], 1, &weekdays);
        assert_eq!(runs.len(), 1);
        assert_eq!((runs[0].first, runs[0].last), (date(6), date(9)));
        let weekend_only = runs_over(&[load(7, 8), load(7, 8)], 1, &weekdays);
        assert!(weekend_only.is_empty());
    }

    #[test]
    fn loads_within_the_limit_make_no_run() {
        let loads = [load(1, 5), load(6, 8)];
        assert!(runs_over(&loads, 1, EVERY_DAY).is_empty());
        assert!(runs_over(&[load(1, 5), load(1, 5)], 2, EVERY_DAY).is_empty());
    }
}
