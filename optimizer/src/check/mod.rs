//! The plan-level check: does a schedule document keep every rule of its plan file?
//!
//! [`check`] re-derives each rule of `docs/input-format.md`, "What a schedule must keep",
//! from the plan, its spatial analysis (street cuts, compound membership, clusters) and the
//! clearance profile, and reports every rule the document breaks. It shares no code with
//! the activity network, its lowering or the engine (`scripts/check` keeps it so): a
//! mistake there shows up here as a violation instead of being checked against itself.
//!
//! One rule family per module: the document's own consistency, shared trenches, steps
//! and their working days, order and gaps, earliest starts, forbidden windows, crews and
//! district limits, deadlines and the horizon.
//!
//! ```
//! use geodata::analysis::{AnalysisOptions, analyze};
//! use geodata::ingest::{IngestOptions, ingest};
//! use optimizer::check::check;
//! use optimizer::city::document::ScheduleDocument;
//!
//! let plan = ingest(
//!     &br#"{"type": "FeatureCollection", "features": [],
//!           "plan": {"name": "empty", "start": "2026-03-02"}}"#[..],
//!     &IngestOptions::default(),
//! )?;
//! let analysis = analyze(&plan, &AnalysisOptions::default())?;
//! let schedule: ScheduleDocument = serde_json::from_value(serde_json::json!({
//!     "plan": {"name": "empty", "start": "2026-03-02"},
//!     "activities": [], "trenches": [], "deadlines": [],
//!     "summary": {"makespan_days": 0, "excavations": 0, "trench_open_metre_days": 0.0,
//!         "hard_deadlines_missed": 0, "lateness_days": 0, "lower_bound_days": 0, "gap": 0.0,
//!         "verified": true, "baseline_excavations": 0, "baseline_trench_open_metre_days": 0.0,
//!         "activities": 0, "components": 0, "seconds": 0.0,
//!         "weights": {"hard_lateness": 1.0, "open_span": 1.0, "soft_lateness": 1.0, "makespan": 1.0}}
//! }))?;
//! assert!(check(&plan, &analysis, &schedule).is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Complexity
//! O(n log n) in the number of activities, works and street cuts, plus O(c²) in the steps
//! of each compound for its order rules; season windows cost at most a year of days per
//! step they apply to.

mod calendar;
mod deadlines;
mod document;
mod earliest;
mod order;
mod resources;
mod runs;
mod steps;
mod trench;
mod windows;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

use geodata::analysis::{Analysis, ClearanceProfile};
use geodata::plan::Plan;

use crate::city::document::{Rule, RuleViolation, ScheduleDocument};
use calendar::PlanCalendars;
use steps::Expectation;

/// The violations found so far.
#[derive(Debug, Default)]
struct Findings(Vec<RuleViolation>);

impl Findings {
    /// Records one broken rule.
    fn push(&mut self, rule: Rule, subjects: Vec<String>, message: String) {
        self.0.push(RuleViolation {
            rule,
            subjects,
            message,
        });
    }
}

/// Every rule of `plan` that `schedule` breaks, grouped by rule in the order of
/// [`Rule`]; empty when the schedule keeps them all.
///
/// `analysis` must be the analysis of `plan` (`geodata::analysis::analyze`): its street
/// cuts, compound membership and clusters are facts of the plan the rules refer to. The
/// shared trenches are the document's own (`schedule.trenches`), checked for who may share.
/// Missed deadlines and steps beyond the horizon are not violations when the document
/// reports them truly.
#[must_use]
pub fn check(plan: &Plan, analysis: &Analysis, schedule: &ScheduleDocument) -> Vec<RuleViolation> {
    let mut findings = Findings::default();
    let profile = ClearanceProfile::built_in(&plan.settings.clearance_profile).ok();
    document::check_document(plan, schedule, &mut findings);
    let trenches = trench::resolve(plan, profile.as_ref(), schedule, &mut findings);
    let expectation = Expectation::derive(plan, analysis, &trenches);
    steps::check_steps(plan, &expectation, schedule, &mut findings);
    let dates = expectation.dates(schedule);
    let calendars = PlanCalendars::of(&plan.settings.calendars);
    calendar::check_working_days(&expectation, &calendars, &dates, &mut findings);
    order::check_order(
        plan,
        analysis,
        &expectation,
        &calendars.site,
        &dates,
        &mut findings,
    );
    earliest::check_earliest_starts(&expectation, &dates, &mut findings);
    windows::check_windows(
        plan,
        analysis,
        profile.as_ref(),
        &expectation,
        &dates,
        &mut findings,
    );
    resources::check_crews(plan, &expectation, &calendars.site, &dates, &mut findings);
    resources::check_district_limits(plan, analysis, &expectation, &dates, &mut findings);
    deadlines::check_deadlines(&expectation, schedule, &dates, &mut findings);
    deadlines::check_horizon(plan, schedule, &mut findings);
    let mut violations = findings.0;
    violations.sort_by_key(|v| v.rule);
    violations
}
