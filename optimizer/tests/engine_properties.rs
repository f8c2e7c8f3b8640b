//! Invariants on random small networks: the verifier accepts every schedule, the lower
//! bound never exceeds the makespan, no schedule with a smaller makespan exists (exact
//! enumeration), and more capacity never makes the makespan worse.

use std::time::Duration;

use optimizer::engine::SearchOptions;
use optimizer::engine::verify;
use optimizer::engine::{Activity, OpenSpan, Problem, Resource, Weights, Window};
use optimizer::engine::{SolveOptions, solve};
use proptest::prelude::*;

fn options() -> SolveOptions {
    SolveOptions {
        search: SearchOptions {
            time_limit: Duration::from_mins(1),
            max_schedules: Some(800),
            seed: 3,
            stop_when_stalled: false,
        },
        retime: false,
        cancel: None,
        progress: None,
        deadline: None,
    }
}

/// A random network of up to four activities on up to two resources, with forward
/// finish-to-start precedences, releases and at most one forbidden window each.
fn network() -> impl Strategy<Value = Problem> {
    (2_usize..=4, 1_usize..=2).prop_flat_map(|(n, r)| {
        (
            proptest::collection::vec(1_u32..=3, r),
            proptest::collection::vec(
                (
                    1_u32..=3,
                    proptest::collection::vec(0_u32..=3, r),
                    0_i64..=2,
                    proptest::option::weighted(0.3, (0_i64..=4, 1_i64..=3)),
                ),
                n,
            ),
            proptest::collection::vec(any::<bool>(), n * (n - 1) / 2),
        )
            .prop_map(move |(caps, acts, arcs)| {
                let mut p = Problem {
                    resources: caps
                        .iter()
                        .enumerate()
                        .map(|(k, &capacity)| Resource {
                            name: format!("R{k}"),
                            capacity,
                        })
                        .collect(),
                    weights: Weights {
                        hard_lateness: 0.0,
                        open_span: 0.0,
                        soft_lateness: 0.0,
                        makespan: 1.0,
                    },
                    ..Problem::default()
                };
                for (j, (duration, demands, release, window)) in acts.into_iter().enumerate() {
                    let mut a = Activity::new(format!("a{j}"), duration);
                    a.release = release;
                    for (k, units) in demands.into_iter().enumerate() {
                        let units = units.min(caps[k]);
                        if units > 0 {
                            a.demands.push((k, units));
                        }
                    }
                    if let Some((start, len)) = window {
                        a.forbidden.push(Window {
                            start,
                            end: start + len,
                        });
                    }
                    p.activities.push(a);
                }
                let mut k = 0;
                for i in 0..n {
                    for j in i + 1..n {
                        if arcs[k] && (i + j) % 2 == 0 {
                            p.precede(i, j);
                        }
                        k += 1;
                    }
                }
                p
            })
    })
}

/// The networks of [`network`] where some precedence pairs also open a span that holds
/// units of the first resource from the first activity's start to the second's finish
/// (a trench holding its district's quota of open streets).
fn network_with_spans() -> impl Strategy<Value = Problem> {
    (
        network(),
        proptest::collection::vec((any::<bool>(), 1_u32..=2), 6),
    )
        .prop_map(|(mut p, picks)| {
            let capacity = p.resources[0].capacity;
            let n = p.activities.len();
            let mut k = 0;
            for i in 0..n {
                for j in i + 1..n {
                    if (i + j) % 2 == 0 && k < picks.len() && picks[k].0 {
                        let mut span = OpenSpan::new(i, j, 1.0);
                        span.demands.push((0, picks[k].1.min(capacity)));
                        p.open_spans.push(span);
                    }
                    k += 1;
                }
            }
            p
        })
}

/// Whether some start assignment with every finish below `limit` passes the verifier.
fn better_exists(p: &Problem, limit: i64, starts: &mut Vec<i64>) -> bool {
    let j = starts.len();
    if j == p.activities.len() {
        let ends: Vec<i64> = starts
            .iter()
            .zip(&p.activities)
            .map(|(s, a)| s + i64::from(a.duration))
            .collect();
        return verify(p, starts, &ends).is_empty();
    }
    let a = &p.activities[j];
    for s in a.release..limit - i64::from(a.duration) {
        starts.push(s);
        let found = better_exists(p, limit, starts);
        starts.pop();
        if found {
            return true;
        }
    }
    false
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn schedules_verify_bound_below_and_are_optimal(p in network()) {
        let s = solve(&p, &options()).expect("random networks are acyclic");
        prop_assert!(verify(&p, &s.starts, &s.ends).is_empty());
        prop_assert!(s.bound.best() <= s.makespan());
        prop_assert!(!better_exists(&p, s.makespan(), &mut Vec::new()),
            "a shorter schedule exists than {}", s.makespan());
    }

    #[test]
    fn spans_holding_resources_are_kept_by_search_and_timing(p in network_with_spans()) {
        // A span whose own activities need the units it holds is refused, not scheduled.
        prop_assume!(p.validate().is_ok());
        let s = solve(&p, &options()).expect("solvable");
        prop_assert!(verify(&p, &s.starts, &s.ends).is_empty());
        let mut retimed = options();
        retimed.retime = true;
        let t = solve(&p, &retimed).expect("solvable");
        prop_assert!(verify(&p, &t.starts, &t.ends).is_empty());
        prop_assert!(t.cost <= s.cost + 1e-9);
    }

    #[test]
    fn more_capacity_never_lengthens_the_schedule(p in network()) {
        let base = solve(&p, &options()).expect("solvable");
        let mut relaxed = p.clone();
        for r in &mut relaxed.resources {
            r.capacity += 1;
        }
        let more = solve(&relaxed, &options()).expect("solvable");
        prop_assert!(more.makespan() <= base.makespan());
    }

    #[test]
    fn a_later_deadline_never_increases_lateness(p in network(), deadline in 1_i64..=8) {
        let mut tight = p.clone();
        tight.weights.hard_lateness = 1000.0;
        let last = tight.activities.len() - 1;
        tight.activities[last].deadline = Some(deadline);
        let mut loose = tight.clone();
        loose.activities[last].deadline = Some(deadline + 2);
        let a = solve(&tight, &options()).expect("solvable");
        let b = solve(&loose, &options()).expect("solvable");
        prop_assert!(b.terms.hard_lateness <= a.terms.hard_lateness);
    }
}
