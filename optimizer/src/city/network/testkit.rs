//! Plans for the network tests, in one chained expression: a thin layer over
//! [`geodata::testkit`] with the shapes these tests need (pipes as straight lines along x
//! from the origin, everything else at the origin).

use chrono::NaiveDate;
use geodata::plan::{
    CompoundTask, Conversion, Plan, RenovationClass, Settings, Trade, Utility, Work,
};
use geodata::testkit::{self, CompoundBuilder, StreetBuilder, WorkBuilder};

pub(crate) use geodata::testkit::date;

/// Builds a [`Plan`] item by item, each call taking and giving back the builder.
pub(crate) struct PlanBuilder {
    plan: testkit::PlanBuilder,
}

impl PlanBuilder {
    pub(crate) fn new(start: NaiveDate) -> Self {
        Self {
            plan: testkit::PlanBuilder::new(start),
        }
    }

    /// A compound of `buildings` buildings (twenty households each) due by `finish_by`.
    pub(crate) fn compound(
        mut self,
        id: &str,
        class: RenovationClass,
        buildings: u32,
        finish_by: NaiveDate,
    ) -> Self {
        self.plan.compound(
            CompoundBuilder::new(id, class)
                .buildings(buildings)
                .finish_by(finish_by),
        );
        self
    }

    pub(crate) fn extra_task(mut self, compound: &str, task: CompoundTask) -> Self {
        if let Some(c) = self
            .plan
            .plan_mut()
            .compounds
            .iter_mut()
            .find(|c| c.id == compound)
        {
            c.extra_tasks.push(task);
        }
        self
    }

    /// A pipe `length_m` long along x (a point at the origin when the length is zero).
    pub(crate) fn pipe(
        mut self,
        id: &str,
        utility: Utility,
        days: u32,
        length_m: f64,
        compound: Option<&str>,
    ) -> Self {
        let pipe = WorkBuilder::pipeline(id, utility)
            .days(days)
            .in_compound(compound);
        let pipe = if length_m > 0.0 {
            pipe.along(&[(0.0, 0.0), (length_m, 0.0)])
        } else {
            pipe.at(0.0, 0.0)
        };
        self.plan.work(pipe);
        self
    }

    pub(crate) fn trade(
        mut self,
        id: &str,
        trade: Trade,
        days: u32,
        compound: Option<&str>,
    ) -> Self {
        self.plan.work(
            WorkBuilder::trade(id, trade)
                .days(days)
                .in_compound(compound),
        );
        self
    }

    /// A clean-heating retrofit of 100 households.
    pub(crate) fn clean_heating(
        mut self,
        id: &str,
        conversion: Conversion,
        days: u32,
        compound: Option<&str>,
    ) -> Self {
        self.plan.work(
            WorkBuilder::clean_heating(id, conversion, 100)
                .days(days)
                .in_compound(compound),
        );
        self
    }

    /// A 100 m street along x.
    pub(crate) fn street(mut self, id: &str, district: Option<&str>) -> Self {
        self.plan
            .street(StreetBuilder::new(id).in_district(district));
        self
    }

    pub(crate) fn with_work(mut self, id: &str, f: impl FnOnce(&mut Work)) -> Self {
        if let Some(w) = self.plan.plan_mut().works.iter_mut().find(|w| w.id == id) {
            f(w);
        }
        self
    }

    pub(crate) fn with_settings(mut self, f: impl FnOnce(&mut Settings)) -> Self {
        f(self.plan.settings_mut());
        self
    }

    pub(crate) fn build(self) -> Plan {
        self.plan.into_plan()
    }
}
