//! One fixture per constraint type and per kind of infeasibility explanation; every
//! schedule is checked by the independent verifier.

use std::time::Duration;

use optimizer::engine::SearchOptions;
use optimizer::engine::{
    Activity, Edge, OpenSpan, Problem, ProblemError, Resource, SoftDue, Window,
};
use optimizer::engine::{Cause, ForcedBy, Schedule, Verdict};
use optimizer::engine::{SolveError, SolveOptions, solve};
use optimizer::engine::{Violation, verify};

fn options() -> SolveOptions {
    SolveOptions {
        search: SearchOptions {
            time_limit: Duration::from_secs(30),
            max_schedules: Some(600),
            seed: 7,
            stop_when_stalled: false,
        },
        retime: true,
        cancel: None,
        progress: None,
        deadline: None,
    }
}

/// Solves and checks with the verifier that only deadline misses (if any) remain.
fn solved(p: &Problem) -> Schedule {
    let s = solve(p, &options()).expect("solvable fixture");
    let violations = verify(p, &s.starts, &s.ends);
    assert!(
        violations
            .iter()
            .all(|v| matches!(v, Violation::DeadlineMissed { .. })),
        "verifier found {violations:?}"
    );
    assert!(s.bound.best() <= s.makespan(), "lower bound above makespan");
    s
}

fn crew(capacity: u32) -> Problem {
    Problem {
        resources: vec![Resource {
            name: "crew".into(),
            capacity,
        }],
        ..Problem::default()
    }
}

fn job(p: &mut Problem, name: &str, days: u32, crew_units: u32) -> usize {
    let mut a = Activity::new(name, days);
    if crew_units > 0 {
        a.demands.push((0, crew_units));
    }
    p.activities.push(a);
    p.activities.len() - 1
}

#[test]
fn finish_to_start_chain_runs_back_to_back() {
    let mut p = crew(1);
    let pipes = job(&mut p, "pipes", 3, 0);
    let fill = job(&mut p, "backfill", 2, 0);
    let pave = job(&mut p, "paving", 1, 0);
    p.precede(pipes, fill);
    p.precede(fill, pave);
    let s = solved(&p);
    assert_eq!(s.starts, vec![0, 3, 5]);
    assert_eq!(s.verdict, Verdict::Optimal);
}

#[test]
fn negative_and_positive_start_lags_are_respected() {
    let mut p = crew(1);
    let a = job(&mut p, "a", 4, 0);
    let b = job(&mut p, "b", 2, 0);
    p.activities[a].release = 3;
    // b may start up to 2 days before a, but no earlier than day 0.
    p.edges.push(Edge {
        from: a,
        to: b,
        min_lag: -2,
        max_lag: None,
    });
    let s = solved(&p);
    assert_eq!(s.starts[b], 1);
}

#[test]
fn synchronised_trench_works_start_together_despite_a_busy_crew() {
    let mut p = crew(2);
    let blocker = job(&mut p, "other street", 3, 1);
    let water = job(&mut p, "water main", 4, 1);
    let sewer = job(&mut p, "sewer", 4, 1);
    p.synchronise(water, sewer);
    let _ = blocker;
    let s = solved(&p);
    assert_eq!(s.starts[water], s.starts[sewer]);
    assert_eq!(s.makespan(), 7);
}

#[test]
fn maximum_lag_keeps_backfill_close_to_excavation() {
    let mut p = crew(1);
    let dig = job(&mut p, "dig", 2, 1);
    let other = job(&mut p, "other", 5, 1);
    let fill = job(&mut p, "backfill", 1, 1);
    p.edges.push(Edge {
        from: dig,
        to: fill,
        min_lag: 2,
        max_lag: Some(3),
    });
    let _ = other;
    let s = solved(&p);
    let lag = s.starts[fill] - s.starts[dig];
    assert!((2..=3).contains(&lag), "lag {lag}");
    assert_eq!(s.makespan(), 8);
}

#[test]
fn release_dates_delay_the_start() {
    let mut p = crew(1);
    let a = job(&mut p, "a", 2, 1);
    p.activities[a].release = 5;
    let s = solved(&p);
    assert_eq!(s.starts[a], 5);
    assert_eq!(s.verdict, Verdict::Optimal);
}

#[test]
fn capacity_limits_parallel_work() {
    let mut p = crew(3);
    for name in ["a", "b", "c", "d"] {
        job(&mut p, name, 2, 2);
    }
    let s = solved(&p);
    assert_eq!(
        s.makespan(),
        8,
        "only one 2-unit job fits at a time in 3 units"
    );
    assert_eq!(s.bound.best(), 8, "the one-machine bound proves it");
    assert_eq!(s.verdict, Verdict::Optimal);
}

#[test]
fn forbidden_window_moves_roofing_after_the_rainy_season() {
    let mut p = crew(1);
    let roof = job(&mut p, "roof", 10, 0);
    p.activities[roof]
        .forbidden
        .push(Window { start: 5, end: 30 });
    let s = solved(&p);
    assert_eq!(s.starts[roof], 30);
}

#[test]
fn deadlines_that_can_hold_are_met() {
    let mut p = crew(1);
    let a = job(&mut p, "a", 3, 1);
    let b = job(&mut p, "b", 3, 1);
    p.activities[b].deadline = Some(3);
    let s = solved(&p);
    assert_eq!(s.starts[b], 0);
    assert_eq!(s.starts[a], 3);
    assert!(s.missed.is_empty());
}

#[test]
fn open_span_is_closed_by_the_timing_lp() {
    let mut p = crew(1);
    let dig = job(&mut p, "dig", 2, 0);
    let fill = job(&mut p, "backfill", 1, 0);
    // Backfill material arrives on day 10: digging on day 0 would leave the trench open.
    p.activities[fill].release = 10;
    p.precede(dig, fill);
    p.open_spans.push(OpenSpan::new(dig, fill, 10.0));
    let s = solved(&p);
    assert_eq!(s.starts[dig], 8, "dig as late as the backfill allows");
    assert_eq!(s.starts[fill], 10);
    assert!((s.terms.open_span - 30.0).abs() < 1e-9);
    assert!(s.timing_notes.is_empty(), "{:?}", s.timing_notes);
}

#[test]
fn a_span_holds_its_resource_on_idle_days_between_its_activities() {
    // Two trenches in a district with room for one open street. Each is dug, then waits
    // for its pipes (released on day 6), then restored: open from the dig to the
    // restoration, though nobody works in it on days 2 to 5.
    let mut p = crew(2);
    p.resources.push(Resource {
        name: "district".into(),
        capacity: 1,
    });
    let mut spans = Vec::new();
    for name in ["a", "b"] {
        let dig = job(&mut p, &format!("{name}/dig"), 2, 1);
        let lay = job(&mut p, &format!("{name}/lay"), 1, 1);
        p.activities[lay].release = 6;
        let restore = job(&mut p, &format!("{name}/restore"), 1, 1);
        p.precede(dig, lay);
        p.precede(lay, restore);
        let mut span = OpenSpan::new(dig, restore, 1.0);
        span.demands.push((1, 1));
        p.open_spans.push(span);
        spans.push((dig, restore));
    }
    let schedule = solved(&p);
    let open = |(dig, restore): (usize, usize)| (schedule.starts[dig], schedule.ends[restore]);
    let (first, second) = (open(spans[0]), open(spans[1]));
    assert!(
        first.1 <= second.0 || second.1 <= first.0,
        "open at once: {first:?} {second:?}"
    );
    // Without the hold, both dig on day 0 and the crew of two allows it.
    let mut free = p.clone();
    for span in &mut free.open_spans {
        span.demands.clear();
    }
    let f = solved(&free);
    assert_eq!(f.starts[spans[0].0], f.starts[spans[1].0]);
}

#[test]
fn the_verifier_counts_a_span_on_days_nobody_works_in_it() {
    let mut p = crew(1);
    let a = job(&mut p, "a", 1, 0);
    let b = job(&mut p, "b", 1, 0);
    let c = job(&mut p, "c", 1, 0);
    let mut span = OpenSpan::new(a, b, 0.0);
    span.demands.push((0, 1));
    p.open_spans.push(span);
    // a on day 0, b on day 5: the span holds the crew on days 0 to 5; c on day 3 is one
    // too many.
    let starts = [0, 5, 3];
    let ends = [1, 6, 4];
    let mut p2 = p.clone();
    p2.activities[c].demands.push((0, 1));
    assert!(verify(&p, &starts, &ends).is_empty());
    assert!(
        verify(&p2, &starts, &ends)
            .iter()
            .any(|v| matches!(v, Violation::OverCapacity { .. })),
        "{:?}",
        verify(&p2, &starts, &ends)
    );
}

#[test]
fn soft_due_dates_are_preferred_when_cheap() {
    let mut p = crew(1);
    let a = job(&mut p, "a", 2, 1);
    let b = job(&mut p, "b", 2, 1);
    p.activities[a].due = Some(SoftDue {
        day: 2,
        weight: 5.0,
    });
    p.activities[b].due = Some(SoftDue {
        day: 4,
        weight: 1.0,
    });
    let s = solved(&p);
    assert_eq!(s.starts[a], 0);
    assert!(s.terms.soft_lateness.abs() < 1e-9);
}

#[test]
fn a_deadline_forced_by_lags_is_explained_by_its_critical_path() {
    let mut p = crew(1);
    let survey = job(&mut p, "survey", 2, 0);
    let dig = job(&mut p, "dig", 3, 0);
    let lay = job(&mut p, "lay pipe", 4, 0);
    p.activities[survey].release = 1;
    p.precede(survey, dig);
    p.precede(dig, lay);
    p.activities[lay].deadline = Some(6);
    let s = solved(&p);
    assert_eq!(s.verdict, Verdict::DeadlinesMissed);
    let missed = &s.missed[0];
    assert_eq!(missed.forced_by, ForcedBy::Lags);
    assert_eq!(missed.finish, 10);
    let names: Vec<&str> = missed.chain.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, vec!["survey", "dig", "lay pipe"]);
    assert_eq!(missed.chain[0].cause, Cause::Release { day: 1 });
    assert_eq!(missed.chain[2].cause, Cause::Lag { lag: 3 });
    assert_eq!(s.terms.hard_lateness, 4, "least lateness schedule");
}

#[test]
fn a_deadline_forced_by_a_crew_is_explained_by_the_bottleneck() {
    let mut p = crew(1);
    let a = job(&mut p, "street A", 4, 1);
    let b = job(&mut p, "street B", 4, 1);
    p.activities[a].deadline = Some(4);
    p.activities[b].deadline = Some(5);
    let s = solved(&p);
    assert_eq!(s.verdict, Verdict::DeadlinesMissed);
    assert_eq!(s.terms.hard_lateness, 3, "A on time, B three days late");
    let missed = &s.missed[0];
    assert_eq!(missed.forced_by, ForcedBy::Resources);
    assert_eq!(missed.name, "street B");
    assert!(matches!(
        &missed.chain.last().expect("chain").cause,
        Cause::Resource { resource } if resource == "crew"
    ));
    assert_eq!(missed.chain[0].name, "street A");
}

#[test]
fn a_deadline_forced_by_a_forbidden_window_is_explained_by_the_window() {
    let mut p = crew(1);
    let roof = job(&mut p, "roof", 5, 0);
    p.activities[roof]
        .forbidden
        .push(Window { start: 2, end: 40 });
    p.activities[roof].deadline = Some(20);
    let s = solved(&p);
    assert_eq!(s.verdict, Verdict::DeadlinesMissed);
    assert_eq!(
        s.missed[0].chain[0].cause,
        Cause::Window { start: 2, end: 40 }
    );
}

#[test]
fn a_positive_lag_cycle_is_an_error_naming_its_activities() {
    let mut p = crew(1);
    let a = job(&mut p, "excavate", 3, 0);
    let b = job(&mut p, "backfill", 1, 0);
    p.precede(a, b);
    p.edges.push(Edge {
        from: b,
        to: a,
        min_lag: 0,
        max_lag: None,
    });
    match solve(&p, &options()) {
        Err(SolveError::Invalid {
            source: ProblemError::PositiveCycle { activities },
        }) => {
            let mut names = activities.clone();
            names.sort();
            assert_eq!(names, vec!["backfill", "excavate"]);
        }
        other => panic!("expected a positive cycle, got {other:?}"),
    }
}

#[test]
fn independent_parts_are_solved_as_separate_components() {
    let mut p = Problem::default();
    for k in 0..2 {
        p.resources.push(Resource {
            name: format!("crew {k}"),
            capacity: 1,
        });
        for name in ["x", "y"] {
            let mut a = Activity::new(format!("{name}{k}"), 2);
            a.demands.push((k, 1));
            p.activities.push(a);
        }
    }
    let s = solved(&p);
    assert_eq!(s.components, 2);
    assert_eq!(s.makespan(), 4);
}

#[test]
fn the_same_seed_gives_the_same_schedule() {
    let mut p = crew(2);
    for (k, name) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
        let units = u32::try_from(k % 2 + 1).expect("small");
        job(&mut p, name, u32::try_from(k + 1).expect("small"), units);
    }
    p.precede(0, 3);
    p.precede(1, 4);
    let first = solved(&p);
    let second = solved(&p);
    assert_eq!(first.starts, second.starts);
}

#[test]
fn a_cancelled_solve_stops_within_a_second_or_two() {
    // Big enough for the squeaky-wheel search, with a time limit far beyond the test.
    let mut p = crew(3);
    for k in 0_u32..3_000 {
        let j = job(&mut p, &format!("a{k}"), 1 + k % 5, 1);
        if k % 7 != 0 {
            p.precede(j - 1, j);
        }
        if k % 11 == 0 {
            p.activities[j].deadline = Some(50);
        }
    }
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut options = options();
    options.search.time_limit = Duration::from_mins(2);
    options.search.max_schedules = None;
    options.cancel = Some(std::sync::Arc::clone(&flag));
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let began = std::time::Instant::now();
    let result = solve(&p, &options);
    let took = began.elapsed();
    stopper.join().expect("stopper");
    assert!(matches!(result, Err(SolveError::Cancelled)), "{result:?}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_deadline_missed_for_a_span_held_quota_is_forced_by_resources() {
    // Two trenches, room for one open at a time: the second cannot finish by day 4.
    let mut p = crew(5);
    p.resources.push(Resource {
        name: "district".into(),
        capacity: 1,
    });
    for name in ["a", "b"] {
        let dig = job(&mut p, &format!("{name}/dig"), 2, 1);
        let restore = job(&mut p, &format!("{name}/restore"), 2, 1);
        p.precede(dig, restore);
        p.activities[restore].deadline = Some(4);
        let mut span = OpenSpan::new(dig, restore, 1.0);
        span.demands.push((1, 1));
        p.open_spans.push(span);
    }
    let schedule = solved(&p);
    let miss = schedule.missed.first().expect("one trench is late");
    assert_eq!(schedule.missed.len(), 1);
    assert_eq!(miss.forced_by, ForcedBy::Resources, "{miss:?}");
    assert!(miss.calendar_finish <= 4, "alone, either trench is on time");
}
