//! Warm starts on generated problems of up to eight activities: the verifier passes, the
//! lower bound never exceeds the makespan, and relaxing a constraint (more crew, a later
//! or no deadline, no forbidden window, one precedence fewer) never makes the result worse
//! when the relaxed problem is solved from the tighter problem's schedule.

use std::time::Duration;

use optimizer::engine::SearchOptions;
use optimizer::engine::{Activity, Edge, Problem, Resource, Window};
use optimizer::engine::{SolveOptions, solve, solve_from};
use optimizer::engine::{Violation, verify};
use proptest::prelude::*;

fn options(seed: u64) -> SolveOptions {
    SolveOptions {
        search: SearchOptions {
            time_limit: Duration::from_secs(30),
            max_schedules: Some(150),
            seed,
            stop_when_stalled: false,
        },
        retime: true,
        cancel: None,
        progress: None,
        deadline: None,
    }
}

/// One generated activity: duration, crew units, release, optional deadline, optional
/// forbidden window `(start, length)`.
type Spec = (u32, u32, i64, Option<i64>, Option<(i64, i64)>);

fn activity_spec() -> impl Strategy<Value = Spec> {
    (
        1_u32..=5,
        1_u32..=2,
        0_i64..=4,
        prop::option::weighted(0.4, 4_i64..=20),
        prop::option::weighted(0.3, (0_i64..=10, 1_i64..=4)),
    )
}

/// A problem in which every activity needs the one crew (so it is one component, and the
/// warm-start guarantee holds for the whole schedule), with finish-to-start precedences
/// from earlier to later activities.
fn problem_strategy() -> impl Strategy<Value = Problem> {
    (
        prop::collection::vec(activity_spec(), 3..=8),
        2_u32..=3,
        prop::collection::vec((0_usize..8, 0_usize..8), 0..=8),
    )
        .prop_map(|(specs, capacity, arcs)| {
            let mut p = Problem {
                resources: vec![Resource {
                    name: "crew".into(),
                    capacity,
                }],
                ..Problem::default()
            };
            for (k, &(days, units, release, deadline, window)) in specs.iter().enumerate() {
                let mut a = Activity::new(format!("a{k}"), days);
                a.demands.push((0, units.min(capacity)));
                a.release = release;
                a.deadline = deadline;
                a.forbidden = window
                    .map(|(start, len)| Window {
                        start,
                        end: start + len,
                    })
                    .into_iter()
                    .collect();
                p.activities.push(a);
            }
            let n = p.activities.len();
            for (a, b) in arcs {
                let (from, to) = (a % n, b % n);
                if from < to && !p.edges.iter().any(|e| e.from == from && e.to == to) {
                    p.precede(from, to);
                }
            }
            p
        })
}

/// The ways a problem can be made easier.
#[derive(Debug, Clone, Copy)]
enum Relaxation {
    MoreCrew,
    LaterDeadline(usize, i64),
    NoDeadline(usize),
    NoWindow(usize),
    NoPrecedence(usize),
}

fn relaxation() -> impl Strategy<Value = Relaxation> {
    prop_oneof![
        Just(Relaxation::MoreCrew),
        (0_usize..8, 1_i64..=10).prop_map(|(k, d)| Relaxation::LaterDeadline(k, d)),
        (0_usize..8).prop_map(Relaxation::NoDeadline),
        (0_usize..8).prop_map(Relaxation::NoWindow),
        (0_usize..8).prop_map(Relaxation::NoPrecedence),
    ]
}

fn relax(p: &Problem, how: Relaxation) -> Problem {
    let mut q = p.clone();
    let n = q.activities.len();
    match how {
        Relaxation::MoreCrew => q.resources[0].capacity += 1,
        Relaxation::LaterDeadline(k, days) => {
            if let Some(d) = q.activities[k % n].deadline.as_mut() {
                *d += days;
            }
        }
        Relaxation::NoDeadline(k) => q.activities[k % n].deadline = None,
        Relaxation::NoWindow(k) => q.activities[k % n].forbidden.clear(),
        Relaxation::NoPrecedence(k) => {
            if !q.edges.is_empty() {
                let k = k % q.edges.len();
                let _: Edge = q.edges.remove(k);
            }
        }
    }
    q
}

fn only_deadlines_missed(p: &Problem, starts: &[i64], ends: &[i64]) -> bool {
    verify(p, starts, ends)
        .iter()
        .all(|v| matches!(v, Violation::DeadlineMissed { .. }))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_schedule_verifies_and_its_bound_is_below_its_makespan(
        p in problem_strategy(),
        seed in 0_u64..1000,
    ) {
        let s = solve(&p, &options(seed)).expect("no maximum lags, always schedulable");
        prop_assert!(only_deadlines_missed(&p, &s.starts, &s.ends));
        prop_assert!(s.bound.best() <= s.makespan());
        prop_assert!(s.gap >= 0.0);
    }

    #[test]
    fn relaxing_a_constraint_never_makes_the_schedule_worse(
        p in problem_strategy(),
        how in relaxation(),
        seed in 0_u64..1000,
    ) {
        let tight = solve(&p, &options(seed)).expect("schedulable");
        let q = relax(&p, how);
        let relaxed = solve_from(&q, &options(seed), &tight.starts)
            .expect("the tight schedule is feasible for the relaxed problem");
        prop_assert!(only_deadlines_missed(&q, &relaxed.starts, &relaxed.ends));
        prop_assert!(
            relaxed.cost <= tight.cost + 1e-6,
            "{how:?}: relaxed cost {} above tight cost {}",
            relaxed.cost,
            tight.cost
        );
        prop_assert!(relaxed.terms.hard_lateness <= tight.terms.hard_lateness);
    }
}
