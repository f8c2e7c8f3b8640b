//! A realistic progress report for a generated (or any) plan as of a data date.
//!
//! Each work and compound has a planned span: from a schedule when the caller has one
//! ([`progress`] takes any spans), or estimated from the plan alone ([`estimated_spans`]).
//! Slippage is drawn per owner and per district, so some owners run late and some
//! districts ahead; one owner in seven stopped reporting three weeks ago, and about 3 % of
//! rows are missing. Every row is valid against the plan (`crate::progress::validate`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use geo::{Euclidean, Geometry, Length};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::plan::{Discipline, Duration, Plan, Trade};
use crate::progress::{ProgressRow, Status};

/// A planned span: first and last day of work.
pub type Span = (NaiveDate, NaiveDate);

fn add(d: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        d.checked_add_days(Days::new(days.unsigned_abs()))
            .unwrap_or(d)
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
            .unwrap_or(d)
    }
}

/// Working days of a work, from `duration_days` or its length and productivity.
fn duration_days(w: &crate::plan::Work) -> i64 {
    match w.duration {
        Duration::Days(d) => i64::from(d),
        Duration::MetresPerDay(rate) => {
            let metres = match &w.shape.local {
                Geometry::LineString(l) => Euclidean.length(l),
                Geometry::MultiLineString(l) => Euclidean.length(l),
                _ => 0.0,
            };
            #[expect(clippy::cast_possible_truncation, reason = "at most ten years of days")]
            let days = (metres / rate).ceil().clamp(1.0, 3_650.0) as i64;
            days
        }
    }
}

/// Spans estimated from the plan alone: each work starts at a point drawn between its
/// earliest start and the latest start its deadline (or the first half of the horizon)
/// allows, and lasts its duration plus a third for weekends and waits; a compound spans
/// its works (or its `start_by` to `finish_by` without any).
#[must_use]
pub fn estimated_spans(plan: &Plan, seed: u64) -> BTreeMap<String, Span> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x005e_ed0f_5a4e);
    let start = plan.settings.start;
    let half = i64::from(plan.settings.horizon_days / 2);
    let start_by: BTreeMap<&str, NaiveDate> = plan
        .compounds
        .iter()
        .filter_map(|c| Some((c.id.as_str(), c.start_by?)))
        .collect();
    let mut spans = BTreeMap::new();
    for w in &plan.works {
        let days = duration_days(w) * 4 / 3;
        let earliest = [
            Some(start),
            w.earliest,
            w.compound.as_deref().and_then(|c| start_by.get(c).copied()),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(start);
        let latest = w
            .deadline
            .map_or(add(start, half), |d| add(d, -days))
            .max(earliest);
        let room = (latest - earliest).num_days().max(0);
        let s = add(earliest, rng.random_range(0..=room));
        spans.insert(w.id.clone(), (s, add(s, days.max(1) - 1)));
    }
    for c in &plan.compounds {
        let own = plan
            .works
            .iter()
            .filter(|w| w.compound.as_deref() == Some(c.id.as_str()))
            .filter_map(|w| spans.get(&w.id).copied());
        let span = own.fold(None, |acc: Option<Span>, (s, e)| {
            Some(acc.map_or((s, e), |(a, b)| (a.min(s), b.max(e))))
        });
        let span = span.unwrap_or((c.start_by.unwrap_or(start), c.finish_by));
        spans.insert(c.id.clone(), span);
    }
    spans
}

/// A progress report of `plan` as of `as_of` against the planned `spans` (by work or
/// compound id), drawn from `seed`.
#[must_use]
pub fn progress(
    plan: &Plan,
    spans: &BTreeMap<String, Span>,
    as_of: NaiveDate,
    seed: u64,
) -> Vec<ProgressRow> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x9e37_79b9_7f4a_7c15);
    let owners: BTreeSet<&str> = plan.works.iter().map(|w| w.owner.as_str()).collect();
    let districts: BTreeSet<&str> = plan.compounds.iter().map(|c| c.district.as_str()).collect();
    // Days of delay by owner (most on time, some badly late) and district (some ahead).
    let owner_delay: BTreeMap<&str, i64> = owners
        .iter()
        .map(|&o| {
            (
                o,
                if rng.random_bool(0.3) {
                    rng.random_range(10..40)
                } else {
                    rng.random_range(-3..6)
                },
            )
        })
        .collect();
    let silent: BTreeSet<&str> = owners
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 7 == 3)
        .map(|(_, &o)| o)
        .collect();
    let district_delay: BTreeMap<&str, i64> = districts
        .iter()
        .map(|&d| (d, rng.random_range(-8..12)))
        .collect();
    let district_of: BTreeMap<&str, &str> = plan
        .compounds
        .iter()
        .map(|c| (c.id.as_str(), c.district.as_str()))
        .collect();
    let mut rows = Vec::new();
    let units = plan
        .works
        .iter()
        .map(|w| {
            let retrofit = matches!(w.discipline, Discipline::Trade(Trade::CleanHeating));
            (
                w.id.as_str(),
                Some(w.owner.as_str()),
                w.compound
                    .as_deref()
                    .and_then(|c| district_of.get(c).copied()),
                w.investment_cny,
                if retrofit { w.households } else { None },
            )
        })
        .chain(plan.compounds.iter().map(|c| {
            (
                c.id.as_str(),
                None,
                Some(c.district.as_str()),
                c.investment_cny,
                None,
            )
        }));
    for (id, owner, district, investment, households) in units {
        let Some(&(start, end)) = spans.get(id) else {
            continue;
        };
        if start > as_of || rng.random_bool(0.03) {
            continue;
        }
        let reported_on = if owner.is_some_and(|o| silent.contains(o)) {
            add(as_of, -21)
        } else {
            add(as_of, -rng.random_range(0..3))
        };
        let delay = owner.map_or(0, |o| owner_delay[o])
            + district.map_or(0, |d| district_delay[d])
            + rng.random_range(-2..=4);
        rows.push(row_at(
            &mut rng,
            id,
            (start, end),
            delay,
            reported_on,
            investment,
            households,
        ));
    }
    rows
}

/// The row of one unit that started `delay` days after its planned `span`, as it stands on
/// `reported_on`.
fn row_at(
    rng: &mut ChaCha8Rng,
    id: &str,
    (start, end): Span,
    delay: i64,
    reported_on: NaiveDate,
    investment: Option<f64>,
    households: Option<u32>,
) -> ProgressRow {
    let actual_start = add(start, delay.max(-3));
    let length = (end - start).num_days() + 1;
    let actual_finish = add(actual_start, length + delay.max(0) / 3 - 1);
    let mut row = ProgressRow {
        id: id.to_owned(),
        status: Status::NotStarted,
        actual_start: None,
        actual_finish: None,
        percent: None,
        households_done: None,
        spent_cny: None,
        reported_on,
    };
    let fraction = if actual_start > reported_on {
        0.0
    } else if actual_finish <= reported_on {
        row.status = Status::Done;
        row.actual_start = Some(actual_start);
        row.actual_finish = Some(actual_finish);
        1.0
    } else {
        row.status = Status::InProgress;
        row.actual_start = Some(actual_start);
        #[expect(clippy::cast_precision_loss, reason = "day counts are small")]
        let f = ((reported_on - actual_start).num_days() + 1) as f64 / (length.max(1) as f64 + 1.0);
        let percent = (f * 100.0).round().clamp(0.0, 99.0);
        row.percent = Some(percent);
        percent / 100.0
    };
    if fraction > 0.0 {
        row.spent_cny = investment
            .map(|v| (v * fraction * rng.random_range(0.85..1.1) / 100.0).round() * 100.0);
        row.households_done = households.map(|h| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a share of a u32 count"
            )]
            let done = (f64::from(h) * fraction).floor() as u32;
            done.min(h)
        });
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::{ProgressIds, RawRow, validate};
    use crate::synthetic::{CityConfig, generate};

    #[test]
    fn a_generated_report_is_valid_and_shows_progress_and_slippage() {
        let plan = generate(&CityConfig::new(30, 4));
        let spans = estimated_spans(&plan, 4);
        let as_of = add(plan.settings.start, 200);
        let rows = progress(&plan, &spans, as_of, 4);
        assert!(rows.len() > 50, "{} rows", rows.len());
        let done = rows.iter().filter(|r| r.status == Status::Done).count();
        let going = rows
            .iter()
            .filter(|r| r.status == Status::InProgress)
            .count();
        assert!(done > 0 && going > 0, "{done} done, {going} in progress");
        // Every row passes the reader's own checks.
        let raw: Vec<RawRow> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let v = serde_json::to_value(r).expect("json");
                let cells = v
                    .as_object()
                    .expect("object")
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                        )
                    })
                    .collect();
                RawRow { row: i + 1, cells }
            })
            .collect();
        let ids = ProgressIds::new(&plan, []);
        let checked = validate(&raw, &ids).expect("a valid report");
        assert_eq!(checked, rows);
        // The same seed gives the same report.
        assert_eq!(progress(&plan, &spans, as_of, 4), rows);
    }
}
