//! Compounds: their generated phases, the order between phases and the compound's works,
//! and clusters of compounds renovated as one.
//!
//! * **Phases** (`c/<kind>`): the phases of the compound's renovation class plus its extra
//!   tasks, minus those a trade work of the compound stands for; each lasts its
//!   [`PhaseRate`](crate::city::network::PhaseRate) for the compound's buildings, is released
//!   at `start_by` and is due by `finish_by` (hard).
//! * **Order** (by [`Stage`]; a trade work of the compound takes the stage of its kind):
//!   clearing before every other work and phase of the compound; every pipeline work
//!   restored before the surface stage (paving, parking, lifts) starts; pipe penetrations
//!   (every lay, every in-home retrofit) before roof waterproofing and facade insulation;
//!   surface and envelope before the finishing stage (greening, facilities, smart
//!   management); the compound's gas or power works finished before a clean-heating
//!   connection to that supply.
//! * **Clusters**: compounds of one cluster start clearing within a mobilisation window of
//!   the first one's (see [`Builder::add_clusters`]).

use std::collections::HashMap;

use geodata::plan::{Conversion, Discipline, Trade, Utility, Work};

use super::Builder;
use super::work::WorkNodes;
use crate::city::network::template::{Phase, Stage, class_phases, stage_of_kind};
use crate::city::network::{ActivityKind, NetworkError, Precedence, PrecedenceReason};

/// Days beyond its total clearing time within which a cluster's clearings all start
/// (holidays and a crew's travel between compounds).
pub const CLUSTER_SLACK_DAYS: i64 = 14;

impl<'a> Builder<'a> {
    /// Adds every compound's phases and links them with the works of the compound (those
    /// referencing it or lying in it), which must all be added already.
    pub(super) fn add_compounds(&mut self) -> Result<(), NetworkError> {
        let plan = self.plan;
        let mut members_of: HashMap<&str, Vec<&'a Work>> = HashMap::new();
        for w in &plan.works {
            if let Some(f) = self.facts.get(w.id.as_str()) {
                for c in &f.compounds {
                    members_of.entry(c.id.as_str()).or_default().push(w);
                }
            }
        }
        for c in &plan.compounds {
            let members = members_of.remove(c.id.as_str()).unwrap_or_default();
            // Generated phases, minus those a trade work of the compound stands for.
            let mut phases: Vec<Phase> = class_phases(c.class);
            for t in &c.extra_tasks {
                let p = Phase::Task(*t);
                if !phases.contains(&p) {
                    phases.push(p);
                }
            }
            phases.retain(|p| {
                !members.iter().any(|w| matches!(w.discipline, Discipline::Trade(t) if Phase::replaced_by(t) == Some(*p)))
            });
            let release = c.start_by.map_or(0, |d| self.offset(d));
            let mut staged: Vec<(Stage, ActivityKind, usize, usize)> = Vec::new();
            for p in phases {
                let d = p.rate(self.templates).days(c.buildings);
                let i = self.add_activity(
                    &c.id,
                    p.kind(),
                    &[],
                    Discipline::Trade(p.trade()),
                    d,
                    0.0,
                    &[],
                    release,
                )?;
                let a = &mut self.activities[i];
                a.compound = Some(c.id.clone());
                a.district = Some(c.district.clone());
                let dl = self.compound_deadline(c);
                self.activities[i].deadlines.push(dl);
                staged.push((p.stage(), p.kind(), i, i));
            }
            let mut pipes: Vec<WorkNodes> = Vec::new();
            let mut heating: Vec<(Conversion, WorkNodes)> = Vec::new();
            let mut supplies: Vec<(Utility, WorkNodes)> = Vec::new();
            for w in &members {
                let Some(n) = self.nodes.get(w.id.as_str()).copied() else {
                    continue;
                };
                match w.discipline {
                    Discipline::Utility(u) => {
                        pipes.push(n);
                        supplies.push((u, n));
                    }
                    Discipline::Trade(Trade::CleanHeating) => {
                        if let Some(conv) = w.conversion {
                            heating.push((conv, n));
                        }
                    }
                    Discipline::Trade(_) => {
                        let kind = self.activities[n.last].kind;
                        staged.push((stage_of_kind(kind), kind, n.first, n.last));
                    }
                }
            }
            self.link_compound(&staged, &pipes, &heating, &supplies);
        }
        Ok(())
    }

    /// The order inside one compound: `staged` are its phases and trade works as
    /// `(stage, kind, first, last)` activity indices.
    fn link_compound(
        &mut self,
        staged: &[(Stage, ActivityKind, usize, usize)],
        pipes: &[WorkNodes],
        heating: &[(Conversion, WorkNodes)],
        supplies: &[(Utility, WorkNodes)],
    ) {
        let of = |s: Stage| staged.iter().filter(move |x| x.0 == s);
        for &(_, _, _, clear_last) in of(Stage::Clearing) {
            for p in pipes {
                self.fs(
                    clear_last,
                    p.first,
                    0,
                    None,
                    PrecedenceReason::ClearingFirst,
                );
            }
            for &(stage, _, first, _) in staged {
                if stage != Stage::Clearing {
                    self.fs(clear_last, first, 0, None, PrecedenceReason::ClearingFirst);
                }
            }
        }
        for &(_, _, first, _) in of(Stage::Surface) {
            for p in pipes {
                self.fs(
                    p.last,
                    first,
                    0,
                    None,
                    PrecedenceReason::UndergroundBeforeSurface,
                );
            }
        }
        for &(_, kind, first, _) in of(Stage::Envelope) {
            if !matches!(kind, ActivityKind::Roofing | ActivityKind::FacadeInsulation) {
                continue;
            }
            for lay in pipes.iter().filter_map(|p| p.lay) {
                self.fs(
                    lay,
                    first,
                    0,
                    None,
                    PrecedenceReason::PenetrationsBeforeEnvelope,
                );
            }
            for retrofit in heating.iter().filter_map(|h| h.1.retrofit) {
                self.fs(
                    retrofit,
                    first,
                    0,
                    None,
                    PrecedenceReason::PenetrationsBeforeEnvelope,
                );
            }
        }
        for &(_, _, first, _) in of(Stage::Finishing) {
            for &(stage, _, _, last) in staged {
                if matches!(stage, Stage::Surface | Stage::Envelope) {
                    self.fs(last, first, 0, None, PrecedenceReason::FinishingLast);
                }
            }
        }
        for (conv, h) in heating {
            let needed = match conv {
                Conversion::CoalToGas => Utility::Gas,
                Conversion::CoalToElectric => Utility::Power,
            };
            let Some(connect) = h.connect else { continue };
            for (_, s) in supplies.iter().filter(|(u, _)| *u == needed) {
                self.fs(
                    s.last,
                    connect,
                    0,
                    None,
                    PrecedenceReason::ConnectionNeedsSupply,
                );
            }
        }
    }

    /// The first clearing activity of a compound (its phase or a clearing work).
    fn first_clearing(&self, compound: &str) -> Option<usize> {
        self.activities.iter().position(|a| {
            a.kind == ActivityKind::Clearing && a.compound.as_deref() == Some(compound)
        })
    }

    /// Compounds of one cluster are one project: their clearings start within a
    /// mobilisation window after the first one's. The window is the cluster's total
    /// clearing days plus [`CLUSTER_SLACK_DAYS`], so a single clearing crew can clear them
    /// back to back; starting them all on one day would need as many crews as compounds.
    pub(super) fn add_clusters(&mut self) -> Result<(), NetworkError> {
        for (k, cluster) in self.inputs.compound_clusters.iter().enumerate() {
            let mut clearings = Vec::with_capacity(cluster.len());
            for c in cluster {
                if !self.compounds.contains_key(c.as_str()) {
                    return Err(NetworkError::UnknownCompound {
                        context: format!("compound cluster {k}"),
                        compound: c.clone(),
                    });
                }
                if let Some(i) = self.first_clearing(c)
                    && !clearings.contains(&i)
                {
                    clearings.push(i);
                }
            }
            let Some((&anchor, members)) = clearings.split_first() else {
                continue;
            };
            let window = clearings
                .iter()
                .map(|&i| i64::from(self.activities[i].duration_days))
                .sum::<i64>()
                + CLUSTER_SLACK_DAYS;
            for &i in members {
                if self
                    .edge_set
                    .insert((anchor, i, PrecedenceReason::ClusterSynchronised))
                {
                    self.precedences.push(Precedence {
                        from: anchor,
                        to: i,
                        min_lag: 0,
                        max_lag: Some(window),
                        reason: PrecedenceReason::ClusterSynchronised,
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::CLUSTER_SLACK_DAYS;
    use crate::city::network::build::probe::{build, edge, finishes_before, idx};
    use crate::city::network::calendar::day_offset;
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{
        CompoundMembership, DeadlineSource, Network, NetworkError, NetworkInputs, PrecedenceReason,
        Templates,
    };
    use geodata::plan::{CompoundTask, RenovationClass, Trade, Utility};

    #[test]
    fn a_compound_digs_underground_before_surface_and_penetrates_before_roofing() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Beautify, 10, date(2027, 10, 31))
            .extra_task("c1", CompoundTask::RoofWaterproofing)
            .pipe("w1", Utility::Drainage, 20, 200.0, Some("c1"))
            .pipe("w2", Utility::Heat, 10, 150.0, None)
            .build();
        let inputs = NetworkInputs {
            memberships: vec![CompoundMembership {
                work: "w2".into(),
                compound: "c1".into(),
            }],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        for id in [
            "c1/clearing",
            "c1/pave",
            "c1/greening",
            "c1/facilities",
            "c1/roofing",
        ] {
            let a = n.activity(id).expect("compound phase");
            assert_eq!(a.compound.as_deref(), Some("c1"));
            assert_eq!(a.deadlines.len(), 1);
            assert_eq!(a.deadlines[0].date, date(2027, 10, 31));
            assert_eq!(
                a.deadlines[0].finish_by,
                day_offset(date(2027, 4, 1), date(2027, 10, 31)) + 1
            );
        }
        assert_eq!(
            n.activity("c1/pave").expect("surface").duration_days,
            15,
            "1.5 days x 10 buildings"
        );
        for w in ["w1", "w2"] {
            assert!(finishes_before(&n, "c1/clearing", &format!("{w}/excavate")));
            assert!(
                finishes_before(&n, &format!("{w}/restore"), "c1/pave"),
                "underground before surface"
            );
            assert!(
                finishes_before(&n, &format!("{w}/lay"), "c1/roofing"),
                "penetrations before roofing"
            );
        }
        assert!(finishes_before(&n, "c1/pave", "c1/greening"));
        assert!(finishes_before(&n, "c1/roofing", "c1/facilities"));
        assert!(
            !finishes_before(&n, "w1/restore", "c1/roofing"),
            "roofing needs only the lay"
        );
        let starts = n.earliest_starts().expect("acyclic");
        assert!(starts[idx(&n, "c1/pave")] >= starts[idx(&n, "w1/restore")] + 4);
    }

    #[test]
    fn a_trade_work_of_a_compound_replaces_the_generated_phase() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Basic, 10, date(2027, 10, 31))
            .trade("p1", Trade::Paving, 20, Some("c1"))
            .pipe("w1", Utility::Water, 10, 100.0, Some("c1"))
            .build();
        let n = build(&plan, &NetworkInputs::default());
        assert!(n.activity("c1/pave").is_none());
        assert!(finishes_before(&n, "w1/restore", "p1/subbase"));
        assert!(finishes_before(&n, "c1/clearing", "p1/subbase"));
        let pave = n.activity("p1/pave").expect("paving work");
        assert_eq!(
            pave.deadlines[0].source,
            DeadlineSource::Compound("c1".into())
        );
    }

    #[test]
    fn cluster_compounds_start_clearing_within_one_mobilisation_window() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Integrate, 4, date(2027, 9, 30))
            .compound("c2", RenovationClass::Integrate, 4, date(2027, 9, 30))
            .build();
        let inputs = NetworkInputs {
            compound_clusters: vec![vec!["c1".into(), "c2".into()]],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        let p = edge(&n, "c1/clearing", "c2/clearing");
        let clearing_days: i64 = ["c1/clearing", "c2/clearing"]
            .iter()
            .map(|id| i64::from(n.activity(id).expect("clearing").duration_days))
            .sum();
        assert_eq!(
            (p.min_lag, p.max_lag, p.reason),
            (
                0,
                Some(clearing_days + CLUSTER_SLACK_DAYS),
                PrecedenceReason::ClusterSynchronised
            )
        );
        let bad = NetworkInputs {
            compound_clusters: vec![vec!["c1".into(), "c9".into()]],
            ..NetworkInputs::default()
        };
        assert!(matches!(
            Network::build(&plan, &bad, &Templates::default()),
            Err(NetworkError::UnknownCompound { compound, .. }) if compound == "c9"
        ));
    }
}
