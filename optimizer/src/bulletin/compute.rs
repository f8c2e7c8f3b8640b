//! Computing the bulletin: every unit's plan and state, summed by district and by owner.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use geodata::plan::{Plan, Trade};
use geodata::progress::{ProgressRow, Status, latest};

use super::{Bulletin, BulletinOptions, DistrictLine, Figures, LateItem, OwnerLine};
use crate::city::document::ScheduleDocument;

/// A work or compound with its planned span and state as of the data date.
struct Unit<'a> {
    id: &'a str,
    is_work: bool,
    owner: Option<&'a str>,
    district: Option<&'a str>,
    start: NaiveDate,
    end: NaiveDate,
    budget: f64,
    households: u64,
    row: Option<&'a ProgressRow>,
}

impl Unit<'_> {
    fn started(&self, as_of: NaiveDate) -> bool {
        self.row.is_some_and(|r| {
            r.status != Status::NotStarted
                && r.actual_start
                    .or(r.actual_finish)
                    .is_none_or(|d| d <= as_of)
        })
    }

    fn finished(&self, as_of: NaiveDate) -> bool {
        self.row.is_some_and(|r| {
            r.status == Status::Done && r.actual_finish.is_some_and(|d| d <= as_of)
        })
    }

    fn fraction_done(&self) -> f64 {
        self.row.map_or(0.0, ProgressRow::fraction_done)
    }

    /// The share of its scheduled calendar days elapsed by the end of `as_of`.
    fn planned_fraction(&self, as_of: NaiveDate) -> f64 {
        let total = (self.end - self.start).num_days() + 1;
        let done = (as_of - self.start).num_days() + 1;
        #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
        let f = done as f64 / total.max(1) as f64;
        f.clamp(0.0, 1.0)
    }

    fn households_done(&self) -> u64 {
        match self.row {
            Some(r) if r.households_done.is_some() => {
                u64::from(r.households_done.unwrap_or_default()).min(self.households)
            }
            Some(r) if r.status == Status::Done => self.households,
            _ => 0,
        }
    }

    /// Days late as of `as_of`: past its finish and not finished, or past its start and not
    /// started; `None` when on time.
    fn days_late(&self, as_of: NaiveDate) -> Option<i64> {
        if self.end < as_of && !self.finished(as_of) {
            Some((as_of - self.end).num_days())
        } else if self.start < as_of && !self.started(as_of) {
            Some((as_of - self.start).num_days())
        } else {
            None
        }
    }
}

/// Running sums of one group.
#[derive(Default)]
struct Acc {
    f: Figures,
    budget: f64,
    last_end: Option<NaiveDate>,
}

impl Acc {
    fn add(&mut self, u: &Unit<'_>, as_of: NaiveDate) {
        let f = &mut self.f;
        if u.is_work {
            f.works_planned_to_start += usize::from(u.start <= as_of);
            f.works_started += usize::from(u.started(as_of));
            f.works_planned_to_finish += usize::from(u.end <= as_of);
            f.works_finished += usize::from(u.finished(as_of));
        } else {
            f.compounds_planned_to_finish += usize::from(u.end <= as_of);
            f.compounds_finished += usize::from(u.finished(as_of));
        }
        f.late += usize::from(u.days_late(as_of).is_some());
        f.households_target += u.households;
        f.households_done += u.households_done();
        f.investment_planned_cny += u.budget;
        f.investment_spent_cny += u.row.and_then(|r| r.spent_cny).unwrap_or(0.0);
        f.planned_value_cny += u.budget * u.planned_fraction(as_of);
        f.earned_value_cny += u.budget * u.fraction_done();
        self.budget += u.budget;
        self.last_end = self.last_end.max(Some(u.end));
    }

    fn finish(mut self, plan_start: NaiveDate, as_of: NaiveDate) -> Figures {
        let f = &mut self.f;
        f.completion_rate = rate(count(f.works_finished), count(f.works_planned_to_finish));
        f.investment_rate = rate(f.investment_spent_cny, f.investment_planned_cny);
        f.funds_rate = rate(f.funds_disbursed_cny, f.funds_allocated_cny);
        f.spi = rate(f.earned_value_cny, f.planned_value_cny);
        f.work_done_rate = rate(f.earned_value_cny, self.budget).unwrap_or(0.0);
        f.time_elapsed_rate = match self.last_end {
            Some(end) if end > plan_start => {
                let span = (end - plan_start).num_days();
                let gone = (as_of - plan_start).num_days();
                rate(count_i(gone), count_i(span))
                    .unwrap_or(0.0)
                    .clamp(0.0, 1.0)
            }
            Some(_) => 1.0,
            None => 0.0,
        };
        f.behind_time = f.work_done_rate < f.time_elapsed_rate;
        self.f
    }
}

#[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
fn count(n: usize) -> f64 {
    n as f64
}

#[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
fn count_i(n: i64) -> f64 {
    n as f64
}

/// `a / b`, or `None` when `b` is zero.
fn rate(a: f64, b: f64) -> Option<f64> {
    (b > 0.0).then(|| a / b)
}

/// The work a row's id reports on: the id itself or the part before its last `/`.
fn subject(id: &str) -> &str {
    id.rsplit_once('/').map_or(id, |(s, _)| s)
}

/// The bulletin of `plan` scheduled by `schedule`, from the progress `rows` received (all
/// reports; only rows reported on or before the data date count, the latest per id),
/// ranked against `previous` when given.
#[must_use]
pub fn bulletin(
    plan: &Plan,
    schedule: &ScheduleDocument,
    rows: &[ProgressRow],
    options: &BulletinOptions,
    previous: Option<&Bulletin>,
) -> Bulletin {
    let as_of = options.as_of;
    let known: Vec<&ProgressRow> = rows.iter().filter(|r| r.reported_on <= as_of).collect();
    let state = latest(known.iter().copied());
    let units = units(plan, schedule, &state);

    let mut districts: BTreeMap<&str, Acc> = BTreeMap::new();
    let mut owners: BTreeMap<&str, Acc> = BTreeMap::new();
    let mut total = Acc::default();
    for c in &plan.compounds {
        districts.entry(c.district.as_str()).or_default();
    }
    for u in &units {
        total.add(u, as_of);
        if let Some(d) = u.district {
            districts.entry(d).or_default().add(u, as_of);
        }
        if let Some(o) = u.owner {
            owners.entry(o).or_default().add(u, as_of);
        }
    }
    for fund in &plan.settings.funds {
        for acc in [
            districts.entry(fund.district.as_str()).or_default(),
            &mut total,
        ] {
            acc.f.funds_allocated_cny += fund.allocated_cny;
            acc.f.funds_disbursed_cny += fund.disbursed_cny;
        }
    }

    let last_report = last_reports(plan, &known);
    let start = plan.settings.start;
    let district_lines = district_lines(districts, start, as_of, previous);
    let owner_lines = owner_lines(owners, &last_report, options, start, previous);
    let mut late: Vec<LateItem> = units
        .iter()
        .filter_map(|u| {
            let days_late = u.days_late(as_of)?;
            Some(LateItem {
                id: u.id.to_owned(),
                kind: if u.is_work { "work" } else { "compound" }.to_owned(),
                owner: u.owner.map(str::to_owned),
                district: u.district.map(str::to_owned),
                planned_start: u.start,
                planned_finish: u.end,
                status: u.row.map_or(Status::NotStarted, |r| r.status),
                days_late,
            })
        })
        .collect();
    late.sort_by(|a, b| b.days_late.cmp(&a.days_late).then_with(|| a.id.cmp(&b.id)));
    let not_reporting = owner_lines
        .iter()
        .filter(|l| l.not_reporting)
        .map(|l| l.owner.clone())
        .collect();
    let (heating, heating_unavailable) = super::heating_lines(plan);
    Bulletin {
        plan: plan.settings.name.clone(),
        as_of,
        silent_after_days: options.silent_after_days,
        total: total.finish(start, as_of),
        districts: district_lines,
        owners: owner_lines,
        late,
        not_reporting,
        heating,
        heating_unavailable,
    }
}

/// The last day each owner reported on (rows on its works and their activities).
fn last_reports<'a>(plan: &'a Plan, known: &[&ProgressRow]) -> HashMap<&'a str, NaiveDate> {
    let owner_of: HashMap<&str, &str> = plan
        .works
        .iter()
        .map(|w| (w.id.as_str(), w.owner.as_str()))
        .collect();
    let mut last_report: HashMap<&str, NaiveDate> = HashMap::new();
    for r in known {
        if let Some(&o) = owner_of
            .get(r.id.as_str())
            .or_else(|| owner_of.get(subject(&r.id)))
        {
            let e = last_report.entry(o).or_insert(r.reported_on);
            *e = (*e).max(r.reported_on);
        }
    }
    last_report
}

/// The district lines, ranked, with their change since `previous`.
fn district_lines(
    districts: BTreeMap<&str, Acc>,
    start: NaiveDate,
    as_of: NaiveDate,
    previous: Option<&Bulletin>,
) -> Vec<DistrictLine> {
    let mut lines: Vec<DistrictLine> = districts
        .into_iter()
        .map(|(d, acc)| DistrictLine {
            district: d.to_owned(),
            rank: 0,
            rank_change: None,
            figures: acc.finish(start, as_of),
        })
        .collect();
    rank(&mut lines, |l| (&l.figures, &l.district));
    for line in &mut lines {
        line.rank_change = previous.and_then(|p| {
            let before = p.districts.iter().find(|q| q.district == line.district)?;
            Some(rank_i(before.rank) - rank_i(line.rank))
        });
    }
    lines
}

/// The owner lines, ranked, with their last report and change since `previous`.
fn owner_lines(
    owners: BTreeMap<&str, Acc>,
    last_report: &HashMap<&str, NaiveDate>,
    options: &BulletinOptions,
    start: NaiveDate,
    previous: Option<&Bulletin>,
) -> Vec<OwnerLine> {
    let as_of = options.as_of;
    let mut lines: Vec<OwnerLine> = owners
        .into_iter()
        .map(|(o, acc)| {
            let last = last_report.get(o).copied();
            OwnerLine {
                owner: o.to_owned(),
                rank: 0,
                rank_change: None,
                last_reported_on: last,
                not_reporting: last
                    .is_none_or(|d| (as_of - d).num_days() > options.silent_after_days),
                figures: acc.finish(start, as_of),
            }
        })
        .collect();
    rank(&mut lines, |l| (&l.figures, &l.owner));
    for line in &mut lines {
        line.rank_change = previous.and_then(|p| {
            let before = p.owners.iter().find(|q| q.owner == line.owner)?;
            Some(rank_i(before.rank) - rank_i(line.rank))
        });
    }
    lines
}

fn rank_i(rank: usize) -> i64 {
    i64::try_from(rank).unwrap_or(i64::MAX)
}

/// Sorts lines by completion rate (then SPI, both best first, nulls last; then name) and
/// numbers them from 1.
fn rank<T>(lines: &mut [T], key: impl Fn(&T) -> (&Figures, &String))
where
    T: RankSlot,
{
    let desc = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => b.total_cmp(&a),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    };
    lines.sort_by(|a, b| {
        let (fa, na) = key(a);
        let (fb, nb) = key(b);
        desc(fa.completion_rate, fb.completion_rate)
            .then_with(|| desc(fa.spi, fb.spi))
            .then_with(|| na.cmp(nb))
    });
    for (i, line) in lines.iter_mut().enumerate() {
        line.set_rank(i + 1);
    }
}

/// A ranked line.
trait RankSlot {
    fn set_rank(&mut self, rank: usize);
}

impl RankSlot for DistrictLine {
    fn set_rank(&mut self, rank: usize) {
        self.rank = rank;
    }
}

impl RankSlot for OwnerLine {
    fn set_rank(&mut self, rank: usize) {
        self.rank = rank;
    }
}

/// Every work and compound the schedule holds, with its span, budget and state.
fn units<'a>(
    plan: &'a Plan,
    schedule: &'a ScheduleDocument,
    state: &HashMap<&'a str, &'a ProgressRow>,
) -> Vec<Unit<'a>> {
    type Span<'s> = Option<(NaiveDate, NaiveDate, Option<&'s str>)>;
    let mut spans: HashMap<&'a str, Span<'a>> = plan
        .works
        .iter()
        .map(|w| w.id.as_str())
        .chain(plan.compounds.iter().map(|c| c.id.as_str()))
        .map(|id| (id, None))
        .collect();
    for a in &schedule.activities {
        for id in a.works.iter().chain(a.compound.iter()) {
            if let Some(span) = spans.get_mut(id.as_str()) {
                *span = Some(match *span {
                    Some((s, e, d)) => (s.min(a.start), e.max(a.end), d.or(a.district.as_deref())),
                    None => (a.start, a.end, a.district.as_deref()),
                });
            }
        }
    }
    let district_of: HashMap<&str, &str> = plan
        .compounds
        .iter()
        .map(|c| (c.id.as_str(), c.district.as_str()))
        .collect();
    let mut out = Vec::with_capacity(plan.works.len() + plan.compounds.len());
    for w in &plan.works {
        let Some(&Some((start, end, district))) = spans.get(w.id.as_str()) else {
            continue;
        };
        let retrofit = matches!(
            w.discipline,
            geodata::plan::Discipline::Trade(Trade::CleanHeating)
        );
        out.push(Unit {
            id: &w.id,
            is_work: true,
            owner: Some(&w.owner),
            district: w
                .compound
                .as_deref()
                .and_then(|c| district_of.get(c).copied())
                .or(district),
            start,
            end,
            budget: w.investment_cny.unwrap_or(1.0),
            households: if retrofit {
                u64::from(w.households.unwrap_or(0))
            } else {
                0
            },
            row: state.get(w.id.as_str()).copied(),
        });
    }
    for c in &plan.compounds {
        let Some(&Some((start, end, _))) = spans.get(c.id.as_str()) else {
            continue;
        };
        out.push(Unit {
            id: &c.id,
            is_work: false,
            owner: None,
            district: Some(&c.district),
            start,
            end,
            budget: c.investment_cny.unwrap_or(1.0),
            households: 0,
            row: state.get(c.id.as_str()).copied(),
        });
    }
    out
}
