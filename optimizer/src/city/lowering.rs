//! From the city activity network to the engine's generic scheduling problem.
//!
//! The engine's time is the plan's **axis of site working days** (see
//! [`WorkCalendar`](crate::city::network::WorkCalendar)): axis day `k` is the `k`-th site
//! working day. Network durations and lags already count working days, so they carry over
//! as they are; every date (release, deadline, window, the horizon) is mapped onto the
//! axis. A step of `d` days is then `d` axis days long and pauses over the weekends and
//! holidays between them in calendar time, which is what the plan's rules ask.
//!
//! The mapping is one to one on activities, precedences and crews, so a schedule of the
//! problem is a schedule of the network with the same indices. Three city rules need a
//! translation:
//! - **District limits** hold an excavation's districts on every calendar day from its
//!   excavate start to its restore end: an engine open span that holds the district
//!   resources. Open on the first and last working day of that stretch means open on every
//!   day between, so holding the axis days is holding the calendar days. An excavation
//!   that cuts more streets of a district than the district may have open at once holds
//!   the whole limit (it is dug alone) rather than being unschedulable.
//! - **Office steps** (confirm, tender of clean heating) work weekdays when the site also
//!   works weekends. They need no crew and nothing waits on them but their own chain, so
//!   the earliest office-day schedule is optimal: they are placed on it here and handed to
//!   the engine fixed (release and deadline at that place, as many axis days long as the
//!   site days they span). With weekends off both calendars agree and they are ordinary.
//! - **The horizon** is a hard deadline of every activity: what cannot end by the
//!   horizon's last day is reported, with what forces it, never silently scheduled later.

use std::collections::HashMap;

use chrono::NaiveDate;
use geodata::plan::DeadlineKind;

use crate::city::network::{ActivityKind, Network};
use crate::engine::{Activity, Edge, OpenSpan, Problem, Resource, SoftDue, Weights, Window};

/// The engine problem of a network and what maps its answer back to dates.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The engine problem (same activity indices as the network).
    pub problem: Problem,
    /// Calendar days `(first, last)` of each office step placed here, by activity index.
    office: HashMap<usize, (i64, i64)>,
    /// The horizon on the axis: every activity should end by this axis day.
    pub horizon: i64,
}

/// Builds the engine problem of a network.
#[must_use]
pub fn lower(network: &Network) -> Lowered {
    let calendar = &network.calendar;
    let office = office_steps(network);
    let horizon = calendar.site_index(i64::from(network.horizon_days));
    let problem_activities: Vec<Activity> = (0..network.activities.len())
        .map(|i| lower_activity(network, i, office.get(&i).copied(), horizon))
        .collect();
    let axis_duration = |i: usize, activities: &[Activity]| i64::from(activities[i].duration);
    let edges = network
        .precedences
        .iter()
        .map(|p| {
            // A lag counts the earlier step's working days; a placed office step spans
            // another number of axis days.
            let shift = if office.contains_key(&p.from) {
                axis_duration(p.from, &problem_activities)
                    - i64::from(network.activities[p.from].duration_days)
            } else {
                0
            };
            Edge {
                from: p.from,
                to: p.to,
                min_lag: p.min_lag + shift,
                max_lag: p.max_lag.map(|m| m + shift),
            }
        })
        .collect();
    let open_spans = network
        .excavations
        .iter()
        .map(|e| OpenSpan {
            first: e.excavate,
            last: e.restore,
            weight: e.length_m,
            demands: e
                .demands
                .iter()
                .map(|d| {
                    (
                        d.resource,
                        d.amount.min(network.resources[d.resource].capacity),
                    )
                })
                .collect(),
        })
        .collect();
    Lowered {
        problem: Problem {
            resources: network
                .resources
                .iter()
                .map(|r| Resource {
                    name: r.id.clone(),
                    capacity: r.capacity,
                })
                .collect(),
            activities: problem_activities,
            edges,
            open_spans,
            weights: Weights::default(),
        },
        office,
        horizon,
    }
}

/// The engine activity of network activity `i`: dates on the axis, the horizon as a hard
/// deadline; an office step placed at calendar days `office` fixed there.
fn lower_activity(
    network: &Network,
    i: usize,
    office: Option<(i64, i64)>,
    horizon: i64,
) -> Activity {
    let calendar = &network.calendar;
    let a = &network.activities[i];
    let hard = a
        .deadlines
        .iter()
        .filter(|d| d.kind == DeadlineKind::Hard)
        .map(|d| calendar.site_index(d.finish_by))
        .chain([horizon])
        .min();
    let soft = a
        .deadlines
        .iter()
        .filter(|d| d.kind == DeadlineKind::Soft)
        .map(|d| calendar.site_index(d.finish_by))
        .min();
    let mut activity = Activity {
        name: a.id.clone(),
        duration: a.duration_days,
        demands: a.demands.iter().map(|d| (d.resource, d.amount)).collect(),
        release: calendar.site_index(a.release),
        deadline: hard,
        due: soft.map(|day| SoftDue { day, weight: 1.0 }),
        forbidden: a
            .forbidden
            .iter()
            .map(|w| Window {
                start: calendar.site_index(w.start),
                end: calendar.site_index(w.end),
            })
            .filter(|w| w.start < w.end)
            .collect(),
    };
    if let Some((first, last)) = office {
        let start = calendar.site_index(first);
        let end = calendar.site_index(last + 1);
        activity.release = start;
        activity.duration = u32::try_from(end - start).unwrap_or(u32::MAX);
        activity.deadline = Some(end);
        activity.forbidden.clear();
    }
    activity
}

impl Lowered {
    /// The calendar days `(first, last)` of activity `i` when it starts on axis day `start`
    /// and ends (exclusively) on axis day `end`.
    #[must_use]
    pub fn days(&self, network: &Network, i: usize, start: i64, end: i64) -> (i64, i64) {
        if let Some(&placed) = self.office.get(&i) {
            return placed;
        }
        let calendar = &network.calendar;
        let first = calendar.site_day(start);
        (first, calendar.site_last_day(end.max(start + 1)))
    }

    /// The calendar days `(first, last)` office step `i` is placed on, if it is placed.
    #[must_use]
    pub fn placed(&self, i: usize) -> Option<(i64, i64)> {
        self.office.get(&i).copied()
    }

    /// Puts placed office step `i` back on the site axis as an ordinary activity (its
    /// release, deadlines and windows from the network), keeping the axis duration its
    /// outgoing lags were lowered with: re-planning moves office steps that had not begun
    /// by the data date.
    pub fn unplace(&mut self, network: &Network, i: usize) {
        if self.office.remove(&i).is_some() {
            let duration = self.problem.activities[i].duration;
            let mut activity = lower_activity(network, i, None, self.horizon);
            activity.duration = duration;
            self.problem.activities[i] = activity;
        }
    }

    /// The calendar dates `(start, end)` of activity `i` (see [`Lowered::days`]).
    #[must_use]
    pub fn dates(
        &self,
        network: &Network,
        i: usize,
        start: i64,
        end: i64,
    ) -> (NaiveDate, NaiveDate) {
        let (first, last) = self.days(network, i, start, end);
        (network.calendar.date(first), network.calendar.date(last))
    }

    /// Σ length × calendar days open of every excavation, from the excavation's first day to
    /// the restoration's last: the trench-open metre-days of a schedule of this problem.
    #[must_use]
    pub fn trench_open_metre_days(&self, network: &Network, starts: &[i64], ends: &[i64]) -> f64 {
        network
            .excavations
            .iter()
            .map(|e| {
                let (open, _) =
                    self.days(network, e.excavate, starts[e.excavate], ends[e.excavate]);
                let (_, close) = self.days(network, e.restore, starts[e.restore], ends[e.restore]);
                #[expect(clippy::cast_precision_loss, reason = "open days are far below 2^52")]
                let days = (close + 1 - open).max(0) as f64;
                e.length_m * days
            })
            .sum()
    }
}

/// The office steps to place on the office calendar (when it differs from the site's):
/// every confirm and tender whose predecessors are all office steps too, at the earliest
/// office days after its release and predecessors, as calendar days `(first, last)`.
fn office_steps(network: &Network) -> HashMap<usize, (i64, i64)> {
    let calendar = &network.calendar;
    let mut placed = HashMap::new();
    if calendar.office_is_site() {
        return placed;
    }
    let is_office = |i: usize| {
        matches!(
            network.activities[i].kind,
            ActivityKind::Confirm | ActivityKind::Tender
        )
    };
    let mut preds: HashMap<usize, Vec<(usize, i64)>> = HashMap::new();
    for p in &network.precedences {
        if is_office(p.to) {
            preds.entry(p.to).or_default().push((p.from, p.min_lag));
        }
    }
    // Chains are short (confirm, then tender): place until nothing more can be.
    let mut progress = true;
    while progress {
        progress = false;
        for (i, a) in network.activities.iter().enumerate() {
            if !is_office(i) || placed.contains_key(&i) {
                continue;
            }
            let incoming = preds.get(&i).map_or(&[][..], Vec::as_slice);
            if incoming.iter().any(|&(u, _)| !is_office(u)) {
                continue;
            }
            if incoming.iter().any(|&(u, _)| !placed.contains_key(&u)) {
                continue;
            }
            // After each predecessor's last day, plus the lag beyond its duration in
            // office days (finish-to-start gaps are zero in the network).
            let mut from = a.release;
            for &(u, lag) in incoming {
                let (_, last) = placed[&u];
                let gap = lag - i64::from(network.activities[u].duration_days);
                from = from.max(last + 1 + gap.max(0));
            }
            let first = calendar.next_office_day(from);
            let last = calendar.office_last_day(first, a.duration_days);
            placed.insert(i, (first, last));
            progress = true;
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{NetworkInputs, StreetCut, Templates, TrenchGroup};
    use crate::engine::verify;
    use crate::engine::{SolveOptions, solve};
    use geodata::plan::{Conversion, Utility};

    /// Six utilities in one trench on one street of a district that may have one street
    /// open at a time.
    fn six_in_one_trench() -> Network {
        let utilities = [
            Utility::Water,
            Utility::Gas,
            Utility::Heat,
            Utility::Power,
            Utility::Telecom,
            Utility::Drainage,
        ];
        let mut builder = PlanBuilder::new(date(2027, 4, 1))
            .street("s1", Some("D1"))
            .with_settings(|s| {
                s.district_limits.insert("D1".into(), 1);
            });
        let mut cuts = Vec::new();
        for (k, u) in utilities.iter().enumerate() {
            let id = format!("w{k}");
            builder = builder.pipe(&id, *u, 4, 120.0, None);
            cuts.push(StreetCut {
                work: id,
                street: "s1".into(),
                length_m: 120.0,
                trunk: false,
            });
        }
        let inputs = NetworkInputs {
            trenches: vec![TrenchGroup {
                id: "t1".into(),
                works: (0..utilities.len()).map(|k| format!("w{k}")).collect(),
                length_m: 120.0,
            }],
            cuts,
            ..NetworkInputs::default()
        };
        Network::build(&builder.build(), &inputs, &Templates::default()).expect("network")
    }

    #[test]
    fn a_shared_trench_holds_its_district_once_over_its_whole_open_span() {
        let network = six_in_one_trench();
        let p = lower(&network).problem;
        let district = p
            .resources
            .iter()
            .position(|r| r.name == "district:D1")
            .expect("district resource");
        assert!(
            (0..p.activities.len()).all(|j| p.demand(j, district) == 0),
            "no step holds the district on its own days"
        );
        let holders: Vec<&OpenSpan> = p
            .open_spans
            .iter()
            .filter(|s| s.demands.contains(&(district, 1)))
            .collect();
        assert_eq!(holders.len(), 1);
        assert_eq!(p.activities[holders[0].first].name, "t1/excavate");
        assert_eq!(p.activities[holders[0].last].name, "t1/restore");
    }

    #[test]
    fn a_trench_of_six_utilities_in_a_one_street_district_is_schedulable_and_verified() {
        let network = six_in_one_trench();
        let p = lower(&network).problem;
        let schedule = solve(&p, &SolveOptions::default()).expect("schedulable");
        assert!(verify(&p, &schedule.starts, &schedule.ends).is_empty());
    }

    #[test]
    fn with_weekends_off_steps_count_working_days_and_pause_over_weekends() {
        // Monday 1 March 2027; a 20-day main splits 5/6/2/3/4.
        let plan = PlanBuilder::new(date(2027, 3, 1))
            .pipe("w1", Utility::Water, 20, 200.0, None)
            .with_settings(|s| {
                s.calendars.weekends_work = false;
                s.calendars.holidays = vec![date(2027, 3, 10)];
            })
            .build();
        let network =
            Network::build(&plan, &NetworkInputs::default(), &Templates::default()).expect("net");
        let lowered = lower(&network);
        let p = &lowered.problem;
        let s = solve(p, &SolveOptions::default()).expect("schedulable");
        let dates = |id: &str| {
            let i = network.index_of(id).expect("activity");
            lowered.dates(&network, i, s.starts[i], s.ends[i])
        };
        // Excavate Mon 1 - Fri 5 (5 days); lay (6 days) Mon 8, Tue 9, (Wed 10 holiday),
        // Thu 11, Fri 12, (weekend), Mon 15, Tue 16.
        assert_eq!(dates("w1/excavate"), (date(2027, 3, 1), date(2027, 3, 5)));
        assert_eq!(dates("w1/lay"), (date(2027, 3, 8), date(2027, 3, 16)));
        for i in 0..network.activities.len() {
            let (start, end) = lowered.days(&network, i, s.starts[i], s.ends[i]);
            assert!(network.calendar.is_site_day(start) && network.calendar.is_site_day(end));
        }
    }

    #[test]
    fn office_steps_fall_on_weekdays_when_the_site_works_weekends() {
        // Friday 5 March 2027: confirm (3 days) cannot run over the weekend.
        let plan = PlanBuilder::new(date(2027, 3, 5))
            .clean_heating("c1", Conversion::CoalToElectric, 20, None)
            .build();
        let network =
            Network::build(&plan, &NetworkInputs::default(), &Templates::default()).expect("net");
        let lowered = lower(&network);
        let s = solve(&lowered.problem, &SolveOptions::default()).expect("schedulable");
        let dates = |id: &str| {
            let i = network.index_of(id).expect("activity");
            lowered.dates(&network, i, s.starts[i], s.ends[i])
        };
        // 20 days split 3/4/9/2/2: confirm Fri 5, Mon 8, Tue 9; tender Wed 10 - Mon 15;
        // the retrofit on site the next day, a Tuesday.
        assert_eq!(dates("c1/confirm"), (date(2027, 3, 5), date(2027, 3, 9)));
        assert_eq!(dates("c1/tender"), (date(2027, 3, 10), date(2027, 3, 15)));
        assert_eq!(dates("c1/retrofit").0, date(2027, 3, 16));
    }
}
