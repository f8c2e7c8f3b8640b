//! The optimizer of digonce, in four parts that depend one way:
//!
//! * [`engine`]: a generic scheduling engine (RCPSP/max with calendar windows, deadlines
//!   and a lexicographic objective): serial schedule generation over activity lists,
//!   genetic and squeaky-wheel search, LP retiming (`good_lp` + `HiGHS`), lower bounds, an
//!   independent verifier and explained deadline misses. It never imports `geodata`.
//! * [`city`]: the dig-once layer. It turns a validated plan and its spatial analysis into
//!   an activity network (shared trenches, templates, calendars, crews, district limits),
//!   lowers it to an engine [`Problem`](engine::Problem), and returns the typed
//!   [`ScheduleDocument`](city::document::ScheduleDocument).
//! * [`benchmark`]: instance formats with known optima (PSPLIB) read into the engine.
//! * [`check`]: the plan-level check of a schedule, sharing no code with `city` or `engine`.
//!
//! ```
//! use optimizer::engine::{Activity, Problem, Resource, SolveOptions, Verdict, solve, verify};
//!
//! // Two trenches share one excavation crew; paving follows the first trench.
//! let mut p = Problem::default();
//! p.resources.push(Resource { name: "excavation crew".into(), capacity: 1 });
//! for (name, days) in [("dig A", 3), ("dig B", 2)] {
//!     let mut a = Activity::new(name, days);
//!     a.demands.push((0, 1));
//!     p.activities.push(a);
//! }
//! p.activities.push(Activity::new("pave A", 4));
//! p.precede(0, 2);
//!
//! let schedule = solve(&p, &SolveOptions::default())?;
//! assert_eq!(schedule.makespan(), 7); // dig A, then pave A while B is dug
//! assert_eq!(schedule.verdict, Verdict::Optimal);
//! assert!(verify(&p, &schedule.starts, &schedule.ends).is_empty());
//! # Ok::<(), optimizer::engine::SolveError>(())
//! ```

pub mod benchmark;
pub mod bulletin;
pub mod check;
pub mod city;
pub mod engine;
pub mod heating;
