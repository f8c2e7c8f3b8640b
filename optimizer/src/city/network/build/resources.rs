//! Resources: crews per discipline, district limits, and the excavations that hold them.
//!
//! * **Crews**: every site activity demands one crew of its discipline
//!   (`Settings::crews_for`); the clean-heating connection uses a gas or power crew; confirm
//!   and tender use none. A crew resource is created on first demand.
//! * **District limits**: an excavation holds, in each limited district, one unit per
//!   distinct street it cuts there, from excavate start to restore end. Each excavation
//!   (shared trench or work dug alone) is recorded here with its streets and demands.

use std::collections::BTreeMap;

use geodata::plan::{Discipline, Work};

use super::Builder;
use crate::city::network::{ActivityKind, Demand, Excavation, Resource, ResourceKind};

impl Builder<'_> {
    /// The crew resource of a discipline, created with `Settings::crews_for` on first use.
    fn crew(&mut self, discipline: Discipline) -> usize {
        let id = format!("crew:{}", discipline.as_str());
        if let Some(&i) = self.resource_ids.get(&id) {
            return i;
        }
        let i = self.resources.len();
        self.resources.push(Resource {
            id: id.clone(),
            kind: ResourceKind::Crew { discipline },
            capacity: self.plan.settings.crews_for(discipline),
        });
        self.resource_ids.insert(id, i);
        i
    }

    /// The resource of a district with a limit, created on first use; `None` if unlimited.
    fn district_resource(&mut self, district: &str) -> Option<usize> {
        let capacity = *self.plan.settings.district_limits.get(district)?;
        let id = format!("district:{district}");
        if let Some(&i) = self.resource_ids.get(&id) {
            return Some(i);
        }
        let i = self.resources.len();
        self.resources.push(Resource {
            id: id.clone(),
            kind: ResourceKind::District {
                district: district.to_owned(),
            },
            capacity,
        });
        self.resource_ids.insert(id, i);
        Some(i)
    }

    /// The crew demand of an activity of `kind` by `discipline`: one crew for site work.
    pub(super) fn crew_demands(
        &mut self,
        kind: ActivityKind,
        discipline: Discipline,
    ) -> Vec<Demand> {
        if kind.is_site_work() && !matches!(kind, ActivityKind::Confirm | ActivityKind::Tender) {
            vec![Demand {
                resource: self.crew(discipline),
                amount: 1,
            }]
        } else {
            Vec::new()
        }
    }

    /// Records one excavation (`shared` trench or a work dug alone) with the distinct streets
    /// its works cut and one district unit per street in each limited district.
    pub(super) fn push_excavation(
        &mut self,
        id: &str,
        shared: bool,
        excavate: usize,
        restore: usize,
        length_m: f64,
        works: &[&Work],
    ) {
        let mut streets: Vec<String> = Vec::new();
        let mut per_district: BTreeMap<String, u32> = BTreeMap::new();
        for w in works {
            let Some(f) = self.facts.get(w.id.as_str()) else {
                continue;
            };
            for c in &f.cuts {
                if streets.contains(&c.street) {
                    continue;
                }
                streets.push(c.street.clone());
                if let Some(d) = self
                    .streets
                    .get(c.street.as_str())
                    .and_then(|s| s.district.clone())
                {
                    *per_district.entry(d).or_default() += 1;
                }
            }
        }
        let mut demands = Vec::new();
        for (district, amount) in per_district {
            if let Some(r) = self.district_resource(&district) {
                demands.push(Demand {
                    resource: r,
                    amount,
                });
            }
        }
        self.excavations.push(Excavation {
            id: id.to_owned(),
            shared,
            excavate,
            restore,
            length_m,
            works: works.iter().map(|w| w.id.clone()).collect(),
            streets,
            demands,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::city::network::build::probe::build;
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{Demand, NetworkInputs, StreetCut};
    use geodata::plan::Utility;

    #[test]
    fn crews_and_district_limits_become_resources() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 10, 100.0, None)
            .pipe("w2", Utility::Gas, 10, 100.0, None)
            .street("s1", Some("D1"))
            .street("s2", Some("D1"))
            .street("s3", Some("D2"))
            .with_settings(|s| {
                s.crews.insert("water".into(), 2);
                s.district_limits.insert("D1".into(), 3);
            })
            .build();
        let cut = |w: &str, s: &str| StreetCut {
            work: w.into(),
            street: s.into(),
            length_m: 50.0,
            trunk: false,
        };
        let inputs = NetworkInputs {
            cuts: vec![
                cut("w1", "s1"),
                cut("w1", "s2"),
                cut("w1", "s3"),
                cut("w2", "s3"),
            ],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        let res = |id: &str| {
            n.resources
                .iter()
                .position(|r| r.id == id)
                .expect("resource")
        };
        assert_eq!(n.resources[res("crew:water")].capacity, 2);
        assert_eq!(n.resources[res("crew:gas")].capacity, 4);
        assert_eq!(n.resources[res("district:D1")].capacity, 3);
        assert!(
            n.resources.iter().all(|r| r.id != "district:D2"),
            "unlimited district"
        );
        let w1 = n
            .excavations
            .iter()
            .find(|e| e.id == "w1")
            .expect("w1 excavation");
        assert_eq!(
            w1.demands,
            vec![Demand {
                resource: res("district:D1"),
                amount: 2
            }]
        );
        assert_eq!(w1.streets, ["s1", "s2", "s3"]);
        let w2 = n
            .excavations
            .iter()
            .find(|e| e.id == "w2")
            .expect("w2 excavation");
        assert!(w2.demands.is_empty());
    }
}
