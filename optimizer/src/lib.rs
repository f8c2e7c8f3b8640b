//! The schedule engine of digonce: activity network, LP timing, resource and calendar
//! search, lower bounds and an independent verifier.
//!
//! One search serves every user: the city planner maps works to [`problem::Activity`]s,
//! the PSPLIB benchmark maps jobs (see [`psplib`]). [`solve::solve`] splits the network into
//! components that share nothing, searches activity lists with the serial schedule
//! generation scheme, forward-backward improvement and a genetic algorithm ([`search`]),
//! retimes the result exactly by a linear program ([`timing`]), bounds the makespan from
//! below ([`bound`]), checks everything with an independent verifier ([`verify`]) and
//! explains every missed hard deadline ([`explain`]).
//!
//! ```
//! use optimizer::problem::{Activity, Problem, Resource};
//! use optimizer::schedule::Verdict;
//! use optimizer::solve::{SolveOptions, solve};
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
//! assert!(optimizer::verify::verify(&p, &schedule.starts, &schedule.ends).is_empty());
//! # Ok::<(), optimizer::solve::SolveError>(())
//! ```

pub mod bound;
pub mod city;
pub mod explain;
pub mod network;
pub mod objective;
pub mod problem;
pub mod psplib;
pub mod schedule;
pub mod search;
pub mod sgs;
pub mod solve;
pub mod temporal;
pub mod timing;
pub mod verify;
