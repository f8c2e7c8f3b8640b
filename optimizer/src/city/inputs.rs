//! From the spatial analysis to the facts the activity network is built from.

use geodata::analysis::cluster::MembershipReason;
use geodata::analysis::{Analysis, ConflictStatus};

use crate::city::network::{
    CompoundMembership, MoratoriumFact, NetworkInputs, StreetCut, TrenchGroup,
};

/// Maps an [`Analysis`] onto [`NetworkInputs`].
///
/// Trenches keep their analysis ids and member order (the first work leads). Only works
/// that lie in or touch a compound without naming it become memberships: a work that
/// merely passes nearby serves the street, not the compound's renovation. Moratorium
/// conflicts with an exception still become facts (flagged), so the network can report them.
#[must_use]
pub fn network_inputs(analysis: &Analysis) -> NetworkInputs {
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
    let moratoria = analysis
        .moratorium_conflicts
        .iter()
        .map(|m| MoratoriumFact {
            work: m.work.clone(),
            street: m.street.clone(),
            until: m.moratorium_end,
            exception: m.cut_exception || m.status == ConflictStatus::Exception,
            repave_planned: m.repave_planned,
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
