//! Shared trenches as the document lists them, and the rule on who may share one
//! (`docs/input-format.md`, "Shared trenches").
//!
//! Only works with a `utility` share trenches, a work is in at most one, and every two
//! works of a trench must be allowed in one trench by the plan's clearance profile
//! ([`Relation::SharedTrench`]). A member that breaks the first two rules is reported and
//! left out of the trench for every other rule (it is then expected to dig alone); a pair
//! the profile keeps apart is reported and left in.

use std::collections::HashMap;

use geodata::analysis::clearance::UtilityKey;
use geodata::analysis::{ClearanceProfile, Relation};
use geodata::plan::{Discipline, Plan};

use super::Findings;
use crate::city::document::{Rule, ScheduleDocument};

/// A shared trench of the document with its valid members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ResolvedTrench {
    /// Trench id.
    pub(super) id: String,
    /// Positions in `plan.works` of the works that may be in it, in the document's order
    /// (lead first); never empty.
    pub(super) works: Vec<usize>,
}

/// The document's trenches, each with the members that may be in it; reports every member
/// that may not.
pub(super) fn resolve(
    plan: &Plan,
    profile: Option<&ClearanceProfile>,
    schedule: &ScheduleDocument,
    findings: &mut Findings,
) -> Vec<ResolvedTrench> {
    let work_at: HashMap<&str, usize> = plan
        .works
        .iter()
        .enumerate()
        .map(|(i, w)| (w.id.as_str(), i))
        .collect();
    let mut trench_of: HashMap<usize, &str> = HashMap::new();
    let mut out: Vec<ResolvedTrench> = Vec::new();
    for trench in &schedule.trenches {
        if out.iter().any(|t| t.id == trench.id) {
            findings.push(
                Rule::Document,
                vec![trench.id.clone()],
                format!("Shared trench {} is listed twice.", trench.id),
            );
            continue;
        }
        let mut works = Vec::new();
        for id in &trench.works {
            let subjects = vec![trench.id.clone(), id.clone()];
            let Some(&w) = work_at.get(id.as_str()) else {
                findings.push(
                    Rule::Trench,
                    subjects,
                    format!(
                        "Shared trench {} holds {id}, which is no work of the plan.",
                        trench.id
                    ),
                );
                continue;
            };
            if !matches!(plan.works[w].discipline, Discipline::Utility(_)) {
                findings.push(
                    Rule::Trench,
                    subjects,
                    format!(
                        "Shared trench {} holds work {id}, a {} work without a utility.",
                        trench.id,
                        plan.works[w].discipline.as_str()
                    ),
                );
                continue;
            }
            if let Some(other) = trench_of.get(&w) {
                findings.push(
                    Rule::Trench,
                    subjects,
                    format!(
                        "Work {id} is in shared trench {} and in shared trench {other}; a work is in at most one.",
                        trench.id
                    ),
                );
                continue;
            }
            trench_of.insert(w, &trench.id);
            works.push(w);
        }
        if let Some(profile) = profile {
            check_pairs(plan, profile, &trench.id, &works, findings);
        }
        if !works.is_empty() {
            out.push(ResolvedTrench {
                id: trench.id.clone(),
                works,
            });
        }
    }
    out
}

/// Every two members of a trench must be allowed in one trench by the profile.
fn check_pairs(
    plan: &Plan,
    profile: &ClearanceProfile,
    trench: &str,
    works: &[usize],
    findings: &mut Findings,
) {
    for (i, &a) in works.iter().enumerate() {
        for &b in &works[i + 1..] {
            let (wa, wb) = (&plan.works[a], &plan.works[b]);
            let (Some(ka), Some(kb)) = (UtilityKey::of(wa), UtilityKey::of(wb)) else {
                continue;
            };
            let rule = profile.rule(&ka, &kb);
            if rule.relation == Relation::SeparateTrench {
                findings.push(
                    Rule::Trench,
                    vec![trench.to_owned(), wa.id.clone(), wb.id.clone()],
                    format!(
                        "Shared trench {trench} holds {} ({}) and {} ({}), which clearance profile {} keeps in separate trenches ({} {}).",
                        wa.id,
                        ka.utility.as_str(),
                        wb.id,
                        kb.utility.as_str(),
                        profile.name,
                        rule.provenance.standard,
                        rule.provenance.clause
                    ),
                );
            }
        }
    }
}

/// The fixture's trenches, resolved as [`super::check`] does.
#[cfg(test)]
pub(super) fn resolve_for_tests(f: &super::testkit::Fixture) -> Vec<ResolvedTrench> {
    let profile = ClearanceProfile::built_in(&f.plan.settings.clearance_profile).ok();
    resolve(
        &f.plan,
        profile.as_ref(),
        &f.schedule,
        &mut Findings::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testkit::{Fixture, assert_only};

    #[test]
    fn a_trade_work_cannot_share_a_trench() {
        let mut f = Fixture::load();
        f.schedule.trenches[0].works.push("w-clear".to_owned());
        let found = f.violations();
        assert_only(&found, Rule::Trench, 1);
        assert_eq!(found[0].subjects, ["trench-1", "w-clear"]);
    }

    #[test]
    fn a_work_is_in_at_most_one_trench() {
        let mut f = Fixture::load();
        let mut second = f.schedule.trenches[0].clone();
        second.id = "trench-2".to_owned();
        second.works = vec!["w-water".to_owned()];
        f.schedule.trenches.push(second);
        assert_only(&f.violations(), Rule::Trench, 1);
    }

    #[test]
    fn works_the_profile_keeps_apart_cannot_share_a_trench() {
        let mut f = Fixture::load();
        f.schedule.trenches[0].works = vec!["w-water".to_owned(), "w-gas-far".to_owned()];
        let profile = ClearanceProfile::built_in("cn-gb50289").expect("built in");
        let mut findings = Findings::default();
        let resolved = resolve(&f.plan, Some(&profile), &f.schedule, &mut findings);
        assert_eq!(resolved[0].works.len(), 2, "reported, kept");
        assert_only(&findings.0, Rule::Trench, 1);
        assert!(findings.0[0].message.contains("separate trenches"));
    }
}
