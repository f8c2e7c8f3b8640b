//! A small builder of plans for the network tests (no GeoJSON involved).

use chrono::NaiveDate;
use geo::{Coord, Geometry, LineString, Point};
use geodata::crs::LocalFrame;
use geodata::plan::{
    Action, Compound, CompoundTask, Conversion, DeadlineKind, Discipline, Duration, Plan,
    RenovationClass, Settings, Shape, Street, Trade, Utility, Work,
};

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// Builds a [`Plan`] work by work; geometry is a straight line along x in local metres.
pub(crate) struct PlanBuilder {
    plan: Plan,
}

impl PlanBuilder {
    pub(crate) fn new(start: NaiveDate) -> Self {
        let frame = LocalFrame::centred_on(Coord { x: 116.4, y: 39.9 });
        Self {
            plan: Plan {
                settings: Settings::with_defaults("test", start),
                compounds: Vec::new(),
                works: Vec::new(),
                streets: Vec::new(),
                frame,
            },
        }
    }

    fn shape(&self, local: Geometry<f64>) -> Shape {
        Shape {
            wgs84: self.plan.frame.unproject_geometry(&local),
            local,
        }
    }

    fn line(&self, length_m: f64) -> Shape {
        let ls = LineString::from(vec![(0.0, 0.0), (length_m, 0.0)]);
        self.shape(Geometry::LineString(ls))
    }

    fn work(&self, id: &str, discipline: Discipline, days: u32, length_m: f64) -> Work {
        let shape = if length_m > 0.0 {
            self.line(length_m)
        } else {
            self.shape(Geometry::Point(Point::new(0.0, 0.0)))
        };
        Work {
            id: id.to_owned(),
            discipline,
            owner: format!("{} co", discipline.as_str()),
            action: Action::New,
            diameter_mm: None,
            pressure: None,
            voltage_kv: None,
            duration: Duration::Days(days),
            earliest: None,
            deadline: None,
            deadline_kind: DeadlineKind::Hard,
            compound: None,
            conversion: None,
            households: None,
            shape,
        }
    }

    pub(crate) fn compound(
        mut self,
        id: &str,
        class: RenovationClass,
        buildings: u32,
        finish_by: NaiveDate,
    ) -> Self {
        let shape = self.shape(Geometry::Point(Point::new(0.0, 0.0)));
        self.plan.compounds.push(Compound {
            id: id.to_owned(),
            name: id.to_owned(),
            district: "D1".to_owned(),
            class,
            buildings,
            households: buildings * 20,
            start_by: None,
            finish_by,
            extra_tasks: Vec::new(),
            shape,
        });
        self
    }

    pub(crate) fn extra_task(mut self, compound: &str, task: CompoundTask) -> Self {
        if let Some(c) = self.plan.compounds.iter_mut().find(|c| c.id == compound) {
            c.extra_tasks.push(task);
        }
        self
    }

    pub(crate) fn pipe(
        mut self,
        id: &str,
        utility: Utility,
        days: u32,
        length_m: f64,
        compound: Option<&str>,
    ) -> Self {
        let mut w = self.work(id, Discipline::Utility(utility), days, length_m);
        w.compound = compound.map(str::to_owned);
        self.plan.works.push(w);
        self
    }

    pub(crate) fn trade(
        mut self,
        id: &str,
        trade: Trade,
        days: u32,
        compound: Option<&str>,
    ) -> Self {
        let mut w = self.work(id, Discipline::Trade(trade), days, 0.0);
        w.compound = compound.map(str::to_owned);
        self.plan.works.push(w);
        self
    }

    pub(crate) fn clean_heating(
        mut self,
        id: &str,
        conversion: Conversion,
        days: u32,
        compound: Option<&str>,
    ) -> Self {
        let mut w = self.work(id, Discipline::Trade(Trade::CleanHeating), days, 0.0);
        w.compound = compound.map(str::to_owned);
        w.conversion = Some(conversion);
        w.households = Some(100);
        self.plan.works.push(w);
        self
    }

    pub(crate) fn street(mut self, id: &str, district: Option<&str>) -> Self {
        let shape = self.line(100.0);
        self.plan.streets.push(Street {
            id: id.to_owned(),
            name: id.to_owned(),
            district: district.map(str::to_owned),
            paved_on: None,
            paving: None,
            repave_planned: None,
            cut_exception: false,
            shape,
        });
        self
    }

    pub(crate) fn with_work(mut self, id: &str, f: impl FnOnce(&mut Work)) -> Self {
        if let Some(w) = self.plan.works.iter_mut().find(|w| w.id == id) {
            f(w);
        }
        self
    }

    pub(crate) fn with_settings(mut self, f: impl FnOnce(&mut Settings)) -> Self {
        f(&mut self.plan.settings);
        self
    }

    pub(crate) fn build(self) -> Plan {
        self.plan
    }
}
