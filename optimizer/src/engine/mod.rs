//! The generic scheduling engine: RCPSP/max with calendar windows, open spans, soft and
//! hard deadlines and a lexicographic objective. It knows nothing of plans, streets or
//! utilities; the city layer ([`crate::city`]) and the benchmark formats
//! ([`crate::benchmark`]) both speak to it through the surface re-exported here.
//!
//! ```text
//! Problem ──solve──> components ──search (SGS lists)──> retime (LP) ──bound──> verify ──> Schedule
//! ```
//!
//! * [`problem`]: the model (activities, lags, resources, windows, deadlines, weights);
//! * [`solve()`] / [`solve_from`]: the entry points, with [`SolveOptions`] and
//!   [`SearchOptions`];
//! * [`schedule`]: the result (dates, objective terms, bound, verdict, explained misses);
//! * [`verify()`]: an independent check of a schedule against the model.
//!
//! Everything else (the serial schedule generation scheme, temporal networks, LP timing,
//! bounds, the search loops, explanations) is internal to this folder.

mod bound;
mod explain;
mod objective;
pub mod problem;
mod progress;
pub mod schedule;
mod search;
mod sgs;
mod solve;
mod temporal;
mod timing;
mod verify;

pub use problem::{
    Activity, Edge, OpenSpan, Problem, ProblemError, Resource, SoftDue, Weights, Window,
};
pub use progress::{Progress, Snapshot};
pub use schedule::{Cause, ForcedBy, Link, MissedDeadline, Schedule, Verdict};
pub use search::SearchOptions;
pub use solve::{SolveError, SolveOptions, explain_late, solve, solve_from};
pub use verify::{Violation, verify};
