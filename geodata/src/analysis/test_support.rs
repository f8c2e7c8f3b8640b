//! Builds small plans directly in local metres for the analysis tests.

use chrono::NaiveDate;
use geo::{Coord, Geometry, LineString, Polygon};

use crate::crs::LocalFrame;
use crate::plan::{
    Action, Compound, DeadlineKind, Discipline, Duration, Plan, RenovationClass, Settings, Shape,
    Street, Utility, Work,
};

/// A date that is known to exist.
pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// A closed square ring with lower-left corner (x, y) and side `side`.
pub(crate) fn square(x: f64, y: f64, side: f64) -> Vec<(f64, f64)> {
    vec![
        (x, y),
        (x + side, y),
        (x + side, y + side),
        (x, y + side),
        (x, y),
    ]
}

/// A plan under construction; frame centred on Beijing, plan starting 2026-03-01.
pub(crate) struct PlanBuilder {
    plan: Plan,
}

impl PlanBuilder {
    pub(crate) fn new() -> Self {
        Self {
            plan: Plan {
                settings: Settings::with_defaults("test", date(2026, 3, 1)),
                compounds: Vec::new(),
                works: Vec::new(),
                streets: Vec::new(),
                frame: LocalFrame::centred_on(Coord { x: 116.4, y: 39.9 }),
            },
        }
    }

    fn shape(&self, local: Geometry<f64>) -> Shape {
        Shape {
            wgs84: self.plan.frame.unproject_geometry(&local),
            local,
        }
    }

    fn line(points: &[(f64, f64)]) -> Geometry<f64> {
        Geometry::LineString(LineString::from(points.to_vec()))
    }

    fn polygon(ring: &[(f64, f64)]) -> Geometry<f64> {
        Geometry::Polygon(Polygon::new(LineString::from(ring.to_vec()), vec![]))
    }

    pub(crate) fn line_work(
        &mut self,
        id: &str,
        utility: Utility,
        owner: &str,
        points: &[(f64, f64)],
    ) -> &mut Work {
        let shape = self.shape(Self::line(points));
        self.plan.works.push(Work {
            id: id.to_owned(),
            discipline: Discipline::Utility(utility),
            owner: owner.to_owned(),
            action: Action::New,
            diameter_mm: None,
            pressure: None,
            voltage_kv: None,
            duration: Duration::Days(10),
            earliest: None,
            deadline: None,
            deadline_kind: DeadlineKind::Hard,
            compound: None,
            conversion: None,
            households: None,
            shape,
        });
        self.plan.works.last_mut().expect("just pushed")
    }

    fn street(&mut self, id: &str, local: Geometry<f64>) -> &mut Street {
        let shape = self.shape(local);
        self.plan.streets.push(Street {
            id: id.to_owned(),
            name: format!("{id} road"),
            district: None,
            paved_on: None,
            paving: None,
            repave_planned: None,
            cut_exception: false,
            shape,
        });
        self.plan.streets.last_mut().expect("just pushed")
    }

    pub(crate) fn street_line(&mut self, id: &str, points: &[(f64, f64)]) -> &mut Street {
        self.street(id, Self::line(points))
    }

    pub(crate) fn street_polygon(&mut self, id: &str, ring: &[(f64, f64)]) -> &mut Street {
        self.street(id, Self::polygon(ring))
    }

    pub(crate) fn compound(
        &mut self,
        id: &str,
        class: RenovationClass,
        households: u32,
        ring: &[(f64, f64)],
    ) -> &mut Compound {
        let shape = self.shape(Self::polygon(ring));
        self.plan.compounds.push(Compound {
            id: id.to_owned(),
            name: id.to_owned(),
            district: "d1".to_owned(),
            class,
            buildings: 4,
            households,
            start_by: None,
            finish_by: date(2027, 10, 31),
            extra_tasks: Vec::new(),
            shape,
        });
        self.plan.compounds.last_mut().expect("just pushed")
    }

    pub(crate) fn build(&self) -> Plan {
        self.plan.clone()
    }
}
