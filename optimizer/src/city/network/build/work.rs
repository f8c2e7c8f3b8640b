//! Works outside shared trenches: pipeline works, trade works and clean-heating chains.
//!
//! * **Pipeline works** become five steps, `w/excavate` → `w/lay` → `w/test` → `w/backfill`
//!   → `w/restore`, splitting the work's duration by the template shares; backfill follows
//!   the test within the backfill gap and restoration follows the backfill within 3 days on
//!   trunk roads, else 5. The excavation is as long as the work (else its street cuts).
//! * **Trade works** become one activity (`w/<kind>`), paving two (`w/subbase` → `w/pave`),
//!   clean heating five (`w/confirm` → `w/tender` → `w/retrofit` → `w/connect` →
//!   `w/commission`). A trade work referencing a compound stands for the compound phase of
//!   its trade (a roofing work replaces the compound's generated roofing phase). The
//!   clean-heating connection is made by the gas or power utility of its conversion.

use geodata::plan::{Conversion, Discipline, Trade, Utility, Work};

use super::Builder;
use crate::city::network::template::{Phase, split_days};
use crate::city::network::{ActivityKind, Deadline, NetworkError, PrecedenceReason};

/// The activities one work maps to, for linking.
#[derive(Debug, Clone, Copy)]
pub(super) struct WorkNodes {
    pub(super) first: usize,
    pub(super) last: usize,
    pub(super) lay: Option<usize>,
    pub(super) retrofit: Option<usize>,
    pub(super) connect: Option<usize>,
}

impl<'a> Builder<'a> {
    /// Days the restoration may start after the backfill ends: the trunk-road limit if any
    /// of `works` cuts a trunk road, else the other roads' limit.
    pub(super) fn restore_gap(&self, works: &[&Work]) -> i64 {
        let trunk = works
            .iter()
            .filter_map(|w| self.facts.get(w.id.as_str()))
            .any(|f| f.cuts.iter().any(|c| c.trunk));
        if trunk {
            self.templates.restore_max_gap_trunk_days
        } else {
            self.templates.restore_max_gap_other_days
        }
    }

    /// Adds a work that is in no shared trench, with its own deadline on its last activity.
    pub(super) fn add_work(&mut self, w: &'a Work) -> Result<(), NetworkError> {
        let release = self.release_of(&[w]);
        let len = self.facts.get(w.id.as_str()).map_or(0.0, |f| f.length_m);
        let total = self.facts.get(w.id.as_str()).map_or(1, |f| f.total_days);
        let nodes = match w.discipline {
            Discipline::Utility(_) => self.add_pipeline(w, total, len, release)?,
            Discipline::Trade(Trade::CleanHeating) => {
                self.add_clean_heating(w, total, len, release)?
            }
            Discipline::Trade(trade) => self.add_trade(w, trade, total, len, release)?,
        };
        if let Some(d) = self.work_deadline(w) {
            self.activities[nodes.last].deadlines.push(d);
        }
        self.nodes.insert(w.id.as_str(), nodes);
        Ok(())
    }

    /// A pipeline work: its five template steps and its own excavation.
    fn add_pipeline(
        &mut self,
        w: &'a Work,
        total: u32,
        len: f64,
        release: i64,
    ) -> Result<WorkNodes, NetworkError> {
        let t = self.templates;
        let split = split_days(total, &t.pipeline_shares);
        let excavation_len = if len > 0.0 {
            len
        } else {
            self.facts
                .get(w.id.as_str())
                .map_or(0.0, |f| f.cuts.iter().map(|c| c.length_m).sum())
        };
        let moratoria = self.moratoria_for(&[w]);
        let kinds = [
            ActivityKind::Excavate,
            ActivityKind::Lay,
            ActivityKind::Test,
            ActivityKind::Backfill,
            ActivityKind::Restore,
        ];
        let mut ids = [0usize; 5];
        for (k, kind) in kinds.into_iter().enumerate() {
            let metres = if matches!(kind, ActivityKind::Lay | ActivityKind::Test) {
                len
            } else {
                excavation_len
            };
            ids[k] = self.add_activity(
                &w.id,
                kind,
                &[w],
                w.discipline,
                split[k],
                metres,
                &[],
                release,
            )?;
        }
        self.add_moratoria(ids[0], moratoria);
        self.fs(ids[0], ids[1], 0, None, PrecedenceReason::Template);
        self.fs(ids[1], ids[2], 0, None, PrecedenceReason::Template);
        self.fs(
            ids[2],
            ids[3],
            0,
            Some(t.backfill_max_gap_days),
            PrecedenceReason::Template,
        );
        let gap = self.restore_gap(&[w]);
        self.fs(ids[3], ids[4], 0, Some(gap), PrecedenceReason::Template);
        self.push_excavation(&w.id, false, ids[0], ids[4], excavation_len, &[w]);
        Ok(WorkNodes {
            first: ids[0],
            last: ids[4],
            lay: Some(ids[1]),
            retrofit: None,
            connect: None,
        })
    }

    /// A trade work: one activity of its trade's kind, or subbase → pave for paving; if it
    /// stands for a compound phase, the compounds' deadlines on its last activity.
    fn add_trade(
        &mut self,
        w: &'a Work,
        trade: Trade,
        total: u32,
        len: f64,
        release: i64,
    ) -> Result<WorkNodes, NetworkError> {
        let t = self.templates;
        let (first, last) = if trade == Trade::Paving {
            let split = split_days(total, &t.paving_shares);
            let sub = self.add_activity(
                &w.id,
                ActivityKind::Subbase,
                &[w],
                w.discipline,
                split[0],
                len,
                &[],
                release,
            )?;
            let pave = self.add_activity(
                &w.id,
                ActivityKind::Pave,
                &[w],
                w.discipline,
                split[1],
                len,
                &[],
                release,
            )?;
            self.fs(sub, pave, 0, None, PrecedenceReason::Template);
            (sub, pave)
        } else {
            let kind = match trade {
                Trade::Clearing => ActivityKind::Clearing,
                Trade::Roofing => ActivityKind::Roofing,
                Trade::FacadeInsulation => ActivityKind::FacadeInsulation,
                Trade::Greening => ActivityKind::Greening,
                Trade::Facilities => ActivityKind::Facilities,
                _ => ActivityKind::General,
            };
            let a = self.add_activity(&w.id, kind, &[w], w.discipline, total, len, &[], release)?;
            (a, a)
        };
        if Phase::replaced_by(trade).is_some() {
            let deadlines: Vec<Deadline> = self
                .facts
                .get(w.id.as_str())
                .map(|f| {
                    f.compounds
                        .iter()
                        .map(|c| self.compound_deadline(c))
                        .collect()
                })
                .unwrap_or_default();
            self.activities[last].deadlines.extend(deadlines);
        }
        Ok(WorkNodes {
            first,
            last,
            lay: None,
            retrofit: None,
            connect: None,
        })
    }

    /// A clean-heating work: its five-step chain, connected by the utility of its conversion
    /// and commissioned before the heating season.
    fn add_clean_heating(
        &mut self,
        w: &'a Work,
        total: u32,
        len: f64,
        release: i64,
    ) -> Result<WorkNodes, NetworkError> {
        let conversion = w
            .conversion
            .ok_or_else(|| NetworkError::MissingConversion { work: w.id.clone() })?;
        let supply = match conversion {
            Conversion::CoalToGas => Discipline::Utility(Utility::Gas),
            Conversion::CoalToElectric => Discipline::Utility(Utility::Power),
        };
        let split = split_days(total, &self.templates.clean_heating_shares);
        let steps = [
            (ActivityKind::Confirm, w.discipline),
            (ActivityKind::Tender, w.discipline),
            (ActivityKind::Retrofit, w.discipline),
            (ActivityKind::Connect, supply),
            (ActivityKind::Commission, w.discipline),
        ];
        let mut ids = [0usize; 5];
        for (k, (kind, discipline)) in steps.into_iter().enumerate() {
            ids[k] =
                self.add_activity(&w.id, kind, &[w], discipline, split[k], len, &[], release)?;
            if k > 0 {
                self.fs(ids[k - 1], ids[k], 0, None, PrecedenceReason::Template);
            }
        }
        let d = self.heating_season_deadline(w);
        self.activities[ids[4]].deadlines.push(d);
        Ok(WorkNodes {
            first: ids[0],
            last: ids[4],
            lay: None,
            retrofit: Some(ids[2]),
            connect: Some(ids[3]),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::city::network::build::probe::{build, edge, finishes_before};
    use crate::city::network::calendar::day_offset;
    use crate::city::network::testkit::{PlanBuilder, date};
    use crate::city::network::{Network, NetworkError, NetworkInputs, StreetCut, Templates};
    use geodata::plan::{
        Conversion, DeadlineKind, Discipline, Duration, RenovationClass, Trade, Utility,
    };

    #[test]
    fn a_pipeline_work_becomes_five_chained_steps_with_restore_and_backfill_max_lags() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Water, 20, 200.0, None)
            .build();
        let n = build(&plan, &NetworkInputs::default());
        let ids: Vec<&str> = n.activities.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "w1/excavate",
                "w1/lay",
                "w1/test",
                "w1/backfill",
                "w1/restore"
            ]
        );
        let d: Vec<u32> = n.activities.iter().map(|a| a.duration_days).collect();
        assert_eq!(d, [5, 6, 2, 3, 4]);
        let lay = edge(&n, "w1/excavate", "w1/lay");
        assert_eq!((lay.min_lag, lay.max_lag), (5, None));
        let backfill = edge(&n, "w1/test", "w1/backfill");
        assert_eq!((backfill.min_lag, backfill.max_lag), (2, Some(2 + 7)));
        let restore = edge(&n, "w1/backfill", "w1/restore");
        assert_eq!(
            (restore.min_lag, restore.max_lag),
            (3, Some(3 + 5)),
            "5 days off trunk roads"
        );
        assert_eq!(n.excavation_count(), 1);
        assert!((n.excavations[0].length_m - 200.0).abs() < 1e-6);
        assert!(
            n.activities
                .iter()
                .all(|a| a.demands.len() == 1 && a.release == 0)
        );
        assert_eq!(n.resources[0].id, "crew:water");
        assert_eq!(n.resources[0].capacity, 4);
    }

    #[test]
    fn productivity_gives_the_duration_and_trunk_roads_restore_within_three_days() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .pipe("w1", Utility::Gas, 1, 250.0, None)
            .with_work("w1", |w| w.duration = Duration::MetresPerDay(25.0))
            .street("s1", Some("D1"))
            .build();
        let inputs = NetworkInputs {
            cuts: vec![StreetCut {
                work: "w1".into(),
                street: "s1".into(),
                length_m: 250.0,
                trunk: true,
            }],
            ..NetworkInputs::default()
        };
        let n = build(&plan, &inputs);
        let total: u32 = n.activities.iter().map(|a| a.duration_days).sum();
        assert_eq!(total, 10, "250 m at 25 m/day");
        let restore = edge(&n, "w1/backfill", "w1/restore");
        assert_eq!(restore.max_lag, Some(restore.min_lag + 3));
        assert_eq!(n.activities[0].district.as_deref(), Some("D1"));
    }

    #[test]
    fn trade_works_become_one_activity_and_paving_two() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .trade("r1", Trade::Roofing, 12, None)
            .trade("p1", Trade::Paving, 10, None)
            .trade("g1", Trade::General, 3, None)
            .build();
        let n = build(&plan, &NetworkInputs::default());
        let ids: Vec<&str> = n.activities.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["r1/roofing", "p1/subbase", "p1/pave", "g1/general"]);
        assert_eq!(n.activity("r1/roofing").expect("roofing").duration_days, 12);
        assert_eq!(edge(&n, "p1/subbase", "p1/pave").min_lag, 6);
        assert_eq!(n.excavation_count(), 0);
    }

    #[test]
    fn a_coal_to_gas_retrofit_connects_after_the_gas_main_and_commissions_before_the_season() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Basic, 5, date(2027, 12, 31))
            .pipe("g1", Utility::Gas, 20, 200.0, Some("c1"))
            .pipe("p1", Utility::Power, 20, 200.0, Some("c1"))
            .clean_heating("h1", Conversion::CoalToGas, 40, Some("c1"))
            .build();
        let n = build(&plan, &NetworkInputs::default());
        let chain = [
            "h1/confirm",
            "h1/tender",
            "h1/retrofit",
            "h1/connect",
            "h1/commission",
        ];
        for pair in chain.windows(2) {
            assert!(finishes_before(&n, pair[0], pair[1]), "{pair:?}");
        }
        assert!(finishes_before(&n, "g1/restore", "h1/connect"));
        assert!(
            !finishes_before(&n, "p1/restore", "h1/connect"),
            "power is not needed for gas"
        );
        let commission = n.activity("h1/commission").expect("commission");
        let season = &commission.deadlines[0];
        assert_eq!(season.kind, DeadlineKind::Hard);
        assert_eq!(season.date, date(2027, 11, 14));
        assert_eq!(
            season.finish_by,
            day_offset(date(2027, 4, 1), date(2027, 11, 15))
        );
        assert!(
            n.activity("h1/confirm")
                .expect("confirm")
                .demands
                .is_empty(),
            "office step"
        );
        let connect = n.activity("h1/connect").expect("connect");
        assert_eq!(
            connect.discipline,
            Discipline::Utility(Utility::Gas),
            "the gas company connects"
        );
        assert!(n.activity("h1/retrofit").expect("retrofit").demands.len() == 1);
    }

    #[test]
    fn a_coal_to_electric_retrofit_waits_for_power_and_a_missing_conversion_is_an_error() {
        let plan = PlanBuilder::new(date(2027, 4, 1))
            .compound("c1", RenovationClass::Basic, 5, date(2027, 12, 31))
            .pipe("p1", Utility::Power, 20, 200.0, Some("c1"))
            .clean_heating("h1", Conversion::CoalToElectric, 40, Some("c1"))
            .build();
        let n = build(&plan, &NetworkInputs::default());
        assert!(finishes_before(&n, "p1/restore", "h1/connect"));
        let bad = PlanBuilder::new(date(2027, 4, 1))
            .clean_heating("h1", Conversion::CoalToGas, 40, None)
            .with_work("h1", |w| w.conversion = None)
            .build();
        assert_eq!(
            Network::build(&bad, &NetworkInputs::default(), &Templates::default()),
            Err(NetworkError::MissingConversion { work: "h1".into() })
        );
    }
}
