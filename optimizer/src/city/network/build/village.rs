//! Villages converted to clean heating (`docs/heating.md`): every other work of a village
//! (its gas main extension, its service connections, its transformer upgrade) is finished
//! before any clean-heating retrofit of the village connects to its supply.

use std::collections::BTreeMap;

use geodata::plan::{Discipline, Trade};

use super::Builder;
use super::work::WorkNodes;
use crate::city::network::PrecedenceReason;

impl Builder<'_> {
    /// Links the works of each village, which must all be added already.
    pub(super) fn add_villages(&mut self) {
        let plan = self.plan;
        // Village id -> (supply works' last steps, retrofits' connect steps); a BTreeMap so
        // edges are added in the same order every time.
        let mut by_village: BTreeMap<&str, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
        for w in &plan.works {
            let Some(village) = w.village.as_deref() else {
                continue;
            };
            let Some(WorkNodes { last, connect, .. }) = self.nodes.get(w.id.as_str()).copied()
            else {
                continue;
            };
            let entry = by_village.entry(village).or_default();
            if w.discipline == Discipline::Trade(Trade::CleanHeating) {
                entry.1.extend(connect);
            } else {
                entry.0.push(last);
            }
        }
        for (supplies, connects) in by_village.values() {
            for &s in supplies {
                for &c in connects {
                    self.fs(s, c, 0, None, PrecedenceReason::ConnectionNeedsSupply);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::city::network::NetworkInputs;
    use crate::city::network::build::probe::{build, finishes_before};
    use crate::city::network::testkit::{PlanBuilder, date};
    use geodata::plan::{Conversion, Trade, Utility};

    #[test]
    fn a_village_connects_after_its_main_extension_and_transformer_upgrade() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("v1-main", Utility::Gas, 20, 800.0, None)
            .trade("v2-transformer", Trade::General, 15, None)
            .pipe("other-main", Utility::Gas, 20, 300.0, None)
            .clean_heating("v1-heat", Conversion::CoalToGas, 40, None)
            .clean_heating("v2-heat", Conversion::CoalToElectric, 40, None)
            .with_work("v1-main", |w| w.village = Some("v1".into()))
            .with_work("v1-heat", |w| w.village = Some("v1".into()))
            .with_work("v2-transformer", |w| w.village = Some("v2".into()))
            .with_work("v2-heat", |w| w.village = Some("v2".into()))
            .build();
        let n = build(&plan, &NetworkInputs::default());
        assert!(finishes_before(&n, "v1-main/restore", "v1-heat/connect"));
        assert!(finishes_before(
            &n,
            "v2-transformer/general",
            "v2-heat/connect"
        ));
        assert!(!finishes_before(&n, "v1-main/restore", "v2-heat/connect"));
        assert!(!finishes_before(
            &n,
            "other-main/restore",
            "v1-heat/connect"
        ));
        assert!(
            !finishes_before(&n, "v1-main/restore", "v1-heat/retrofit"),
            "households are retrofitted while the main is laid"
        );
    }
}
