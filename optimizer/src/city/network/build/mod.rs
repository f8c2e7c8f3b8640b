//! Construction of the activity network from a plan and the analysis facts.
//!
//! [`Network::build`] checks and indexes the facts ([`facts`]), then adds the shared
//! trenches, every other work, the compounds' phases and links, the cluster synchronisation
//! and the user's precedences, in that order (activity indices follow it), and checks the
//! result (acyclic, consistent lags).
//!
//! Rules beyond the templates (see [`super::template`] for their provenance), each stated in
//! full in the file that applies it:
//! * **Shared trench** ([`trench`]): one excavate, backfill and restore for all its works,
//!   dug by the lead utility's crews, with every member's lay and test in between.
//! * **Works** ([`work`]): a pipeline work becomes five steps, a trade work one (paving two,
//!   clean heating five); a trade work referencing a compound stands for the compound phase
//!   of its trade.
//! * **Compounds** ([`compound`]): generated phases, the order between them and the
//!   compound's works, and clusters clearing within one mobilisation window.
//! * **Villages** ([`village`]): a village's other works finished before its clean-heating
//!   retrofits connect.
//! * **Windows** ([`windows`]): holidays, frozen ground, rainy and heating seasons,
//!   moratoria; weekends as non-working days.
//! * **Releases** and **deadlines** ([`dates`]).
//! * **Crews** and **district limits** ([`resources`]).
//! * **Custom precedences** ([`precedence`]), finish-to-start with the user's gaps.
//!
//! [`activity`] adds one activity with its owners, district, crew demand and windows.

mod activity;
mod compound;
mod dates;
mod facts;
mod precedence;
mod resources;
mod trench;
mod village;
mod windows;
mod work;

#[cfg(test)]
mod probe;

use std::collections::{HashMap, HashSet};

use geodata::plan::{Compound, Plan, Street, Work};

use super::{
    Activity, Excavation, MoratoriumFact, Network, NetworkError, NetworkInputs, Precedence,
    PrecedenceReason, Resource, Templates, WorkCalendar,
};
use facts::WorkFacts;
use windows::CalendarWindows;
use work::WorkNodes;

/// The network under construction, with the plan's lookups and the facts per work.
struct Builder<'a> {
    plan: &'a Plan,
    inputs: &'a NetworkInputs,
    templates: &'a Templates,
    span: i64,
    calendar: CalendarWindows,
    activities: Vec<Activity>,
    precedences: Vec<Precedence>,
    edge_set: HashSet<(usize, usize, PrecedenceReason)>,
    ids: HashMap<String, usize>,
    resources: Vec<Resource>,
    resource_ids: HashMap<String, usize>,
    streets: HashMap<&'a str, &'a Street>,
    works: HashMap<&'a str, &'a Work>,
    moratoria: HashMap<&'a str, Vec<&'a MoratoriumFact>>,
    compounds: HashMap<&'a str, &'a Compound>,
    facts: HashMap<&'a str, WorkFacts<'a>>,
    nodes: HashMap<&'a str, WorkNodes>,
    excavations: Vec<Excavation>,
}

impl Network {
    /// Builds the activity network of `plan` with the analysis facts `inputs`.
    ///
    /// # Errors
    /// A [`NetworkError`] naming the offending input: unknown work, compound, street or
    /// activity ids, a work in two trenches, a non-pipeline work in a trench, a clean-heating
    /// work without conversion, invalid lengths or productivities, duplicate activity ids,
    /// inconsistent lags, or a precedence cycle (listing its activities in order).
    ///
    /// # Complexity
    /// Linear in works, facts and precedences, plus O(compound works²) edges per compound
    /// and O(span) per season for the calendars.
    pub fn build(
        plan: &Plan,
        inputs: &NetworkInputs,
        templates: &Templates,
    ) -> Result<Network, NetworkError> {
        let settings = &plan.settings;
        // Four years past the horizon: a schedule pushed late by moratoria (five years after a
        // paving at most) still sees every season.
        let span = i64::from(settings.horizon_days) + 4 * 366;
        let calendar = CalendarWindows::new(settings, span);
        let mut b = Builder {
            plan,
            inputs,
            templates,
            span,
            calendar,
            activities: Vec::new(),
            precedences: Vec::new(),
            edge_set: HashSet::new(),
            ids: HashMap::new(),
            resources: Vec::new(),
            resource_ids: HashMap::new(),
            streets: plan.streets.iter().map(|s| (s.id.as_str(), s)).collect(),
            works: plan.works.iter().map(|w| (w.id.as_str(), w)).collect(),
            moratoria: HashMap::new(),
            compounds: plan.compounds.iter().map(|c| (c.id.as_str(), c)).collect(),
            facts: HashMap::new(),
            nodes: HashMap::new(),
            excavations: Vec::new(),
        };
        b.derive_facts()?;
        let trench_of = b.check_trenches()?;
        b.add_trenches()?;
        for work in &plan.works {
            if !trench_of.contains_key(work.id.as_str()) {
                b.add_work(work)?;
            }
        }
        b.add_compounds()?;
        b.add_villages();
        b.add_clusters()?;
        b.add_custom()?;
        let network = Network {
            plan_start: settings.start,
            horizon_days: settings.horizon_days,
            calendar_span_days: span,
            activities: b.activities,
            precedences: b.precedences,
            resources: b.resources,
            excavations: b.excavations,
            calendar: WorkCalendar::new(&settings.calendars, settings.start, span),
        };
        network.check()?;
        Ok(network)
    }
}

#[cfg(test)]
mod tests {
    use crate::city::network::build::probe::build;
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{Network, NetworkInputs};
    use geodata::plan::{Conversion, RenovationClass, Utility};

    #[test]
    fn the_network_round_trips_through_json() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Upgrade, 4, date(2027, 9, 30))
            .pipe("w1", Utility::Water, 10, 100.0, Some("c1"))
            .clean_heating("h1", Conversion::CoalToGas, 10, Some("c1"))
            .build();
        let n = build(&plan, &NetworkInputs::default());
        let json = serde_json::to_string(&n).expect("serialises");
        let back: Network = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, n);
        back.check().expect("still consistent");
    }
}
