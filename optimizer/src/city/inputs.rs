//! From the spatial analysis to the facts the activity network is built from.

use geodata::analysis::clearance::ClearanceProfile;
use geodata::analysis::cluster::MembershipReason;
use geodata::analysis::{Analysis, ConflictStatus};
use geodata::plan::Plan;

use crate::city::network::{
    CompoundMembership, MoratoriumFact, NetworkInputs, StreetCut, TrenchGroup,
};

/// Maps a plan's [`Analysis`] onto [`NetworkInputs`].
///
/// Trenches keep their analysis ids and member order (the first work leads). Only works
/// that lie in or touch a compound without naming it become memberships: a work that
/// merely passes nearby serves the street, not the compound's renovation.
///
/// Moratoria come from every street cut, not only from the analysis's conflicts (which
/// it reports for the window a work is expected in): a work pushed past its expected
/// window must still keep off a protected street. A street has one when it has a paving
/// date and kind whose moratorium (the plan's clearance profile) ends after the plan
/// starts; it is blocked from the paving, or from a repaving planned inside the
/// moratorium, until its end. With an exception it is kept, flagged, and binds nothing.
#[must_use]
pub fn network_inputs(plan: &Plan, analysis: &Analysis) -> NetworkInputs {
    let trenches = analysis
        .trenches
        .iter()
        .map(|t| TrenchGroup {
            id: t.id.clone(),
            works: t.works.clone(),
            length_m: t.length_m,
        })
        .collect();
    let cuts = analysis
        .street_cuts
        .iter()
        .map(|c| StreetCut {
            work: c.work.clone(),
            street: c.street.clone(),
            length_m: c.length_m,
            trunk: false,
        })
        .collect();
    let profile = ClearanceProfile::built_in(&plan.settings.clearance_profile).ok();
    let exceptions: std::collections::HashSet<(&str, &str)> = analysis
        .moratorium_conflicts
        .iter()
        .filter(|m| m.status == ConflictStatus::Exception)
        .map(|m| (m.work.as_str(), m.street.as_str()))
        .collect();
    let streets: std::collections::HashMap<&str, &geodata::plan::Street> =
        plan.streets.iter().map(|s| (s.id.as_str(), s)).collect();
    let moratoria = analysis
        .street_cuts
        .iter()
        .filter_map(|c| {
            let street = streets.get(c.street.as_str())?;
            let (paved_on, paving) = (street.paved_on?, street.paving?);
            let until = profile.as_ref()?.moratorium.end(paved_on, paving)?;
            if until <= plan.settings.start {
                return None;
            }
            let from = street
                .repave_planned
                .filter(|&r| r > paved_on && r < until)
                .unwrap_or(paved_on);
            Some(MoratoriumFact {
                work: c.work.clone(),
                street: c.street.clone(),
                from,
                until,
                exception: street.cut_exception
                    || exceptions.contains(&(c.work.as_str(), c.street.as_str())),
            })
        })
        .collect();
    let memberships = analysis
        .compound_works
        .iter()
        .flat_map(|cw| {
            cw.works
                .iter()
                .filter(|w| w.reason == MembershipReason::Inside)
                .map(|w| CompoundMembership {
                    work: w.work.clone(),
                    compound: cw.compound.clone(),
                })
        })
        .collect();
    let compound_clusters = analysis
        .clusters
        .iter()
        .map(|c| c.compounds.clone())
        .collect();
    NetworkInputs {
        trenches,
        cuts,
        moratoria,
        compound_clusters,
        memberships,
        precedences: Vec::new(),
    }
}
