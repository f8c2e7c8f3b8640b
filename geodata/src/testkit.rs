//! Builders of small plans for tests and benchmarks, with no GeoJSON involved.
//!
//! Compiled for this crate's own tests and, behind the `testkit` cargo feature, for the
//! tests and benches of other crates (enable it in `[dev-dependencies]` only:
//! `geodata = { workspace = true, features = ["testkit"] }`).
//!
//! Geometry is written in local metres; every builder fills in the WGS84 twin through the
//! plan's [`LocalFrame`] (centred on [`CENTRE`], central Beijing). Everything a test does
//! not say gets a plain default, listed on each builder: a work is a new work of ten days
//! with a hard deadline kind and no dates, a compound is a basic-looking four-building
//! compound due on 31 October 2027, a street is an unpaved 100 m line.
//!
//! ```
//! use geodata::plan::{RenovationClass, Utility};
//! use geodata::testkit::{CompoundBuilder, PlanBuilder, StreetBuilder, WorkBuilder, date, square};
//!
//! let mut plan = PlanBuilder::new(date(2026, 3, 1));
//! plan.street(StreetBuilder::new("st1").along(&[(0.0, 0.0), (200.0, 0.0)]));
//! plan.compound(
//!     CompoundBuilder::new("c1", RenovationClass::Basic)
//!         .households(120)
//!         .ring(&square(0.0, 20.0, 80.0)),
//! );
//! plan.work(
//!     WorkBuilder::pipeline("w1", Utility::Water)
//!         .owner("water co")
//!         .along(&[(0.0, 2.0), (100.0, 2.0)])
//!         .days(5)
//!         .deadline(date(2026, 12, 31)),
//! );
//! let plan = plan.build();
//! assert_eq!(plan.works[0].owner, "water co");
//! assert_eq!(plan.compounds[0].households, 120);
//! ```

use chrono::NaiveDate;
use geo::{Coord, Geometry, LineString, Point, Polygon};

use crate::crs::LocalFrame;
use crate::plan::{
    Action, Compound, CompoundTask, Conversion, DeadlineKind, Discipline, Duration, GasPressure,
    Paving, Plan, RenovationClass, Settings, Shape, Street, Trade, Utility, Work,
};

/// The centre of every test plan's frame (WGS84 longitude/latitude): central Beijing.
pub const CENTRE: Coord<f64> = Coord { x: 116.4, y: 39.9 };

/// A date known to exist.
///
/// # Panics
/// If there is no such day (a typo in a test).
#[must_use]
pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a test date that exists")
}

/// A closed square ring with its lower-left corner at `(x, y)` (local metres).
#[must_use]
pub fn square(x: f64, y: f64, side: f64) -> Vec<(f64, f64)> {
    vec![
        (x, y),
        (x + side, y),
        (x + side, y + side),
        (x, y + side),
        (x, y),
    ]
}

/// The frame every test plan uses: centred on [`CENTRE`].
#[must_use]
pub fn frame() -> LocalFrame {
    LocalFrame::centred_on(CENTRE)
}

/// A line through `points` (local metres).
fn line(points: &[(f64, f64)]) -> Geometry<f64> {
    Geometry::LineString(LineString::from(points.to_vec()))
}

/// A polygon without holes bounded by `ring` (closed if it is not).
fn polygon(ring: &[(f64, f64)]) -> Geometry<f64> {
    Geometry::Polygon(Polygon::new(LineString::from(ring.to_vec()), Vec::new()))
}

/// Where a builder's geometry is given, and so how its [`Shape`] is made.
#[derive(Debug, Clone, PartialEq)]
enum Placement {
    /// In local metres; WGS84 is its unprojection through the frame.
    Local(Geometry<f64>),
    /// In WGS84; local metres are its projection through the frame.
    Wgs84(Geometry<f64>),
    /// In local metres, with the same coordinates standing in for WGS84: for benches
    /// that never read WGS84 and would rather not pay for unprojecting.
    LocalOnly(Geometry<f64>),
}

impl Placement {
    fn shape(self, frame: &LocalFrame) -> Shape {
        match self {
            Placement::Local(local) => Shape {
                wgs84: frame.unproject_geometry(&local),
                local,
            },
            Placement::Wgs84(wgs84) => Shape {
                local: frame.project_geometry(&wgs84),
                wgs84,
            },
            Placement::LocalOnly(local) => Shape {
                wgs84: local.clone(),
                local,
            },
        }
    }

    /// The same placement with `geometry` in place of the old one.
    fn with(&self, geometry: Geometry<f64>) -> Self {
        match self {
            Placement::Local(_) | Placement::Wgs84(_) => Placement::Local(geometry),
            Placement::LocalOnly(_) => Placement::LocalOnly(geometry),
        }
    }

    fn local_only(self) -> Self {
        match self {
            Placement::Local(g) | Placement::LocalOnly(g) => Placement::LocalOnly(g),
            Placement::Wgs84(g) => Placement::Wgs84(g),
        }
    }
}

/// A plan under construction: settings from [`Settings::with_defaults`] (named `test`),
/// the frame of [`frame`], and whatever works, compounds and streets are added.
///
/// Each `add`-like method returns the added item, so a test may still adjust a field the
/// builders do not cover.
#[derive(Debug, Clone)]
pub struct PlanBuilder {
    plan: Plan,
}

impl PlanBuilder {
    /// An empty plan starting on `start`.
    #[must_use]
    pub fn new(start: NaiveDate) -> Self {
        Self {
            plan: Plan {
                settings: Settings::with_defaults("test", start),
                compounds: Vec::new(),
                works: Vec::new(),
                streets: Vec::new(),
                heating: crate::heating::HeatingInputs::default(),
                frame: frame(),
            },
        }
    }

    /// Adds a work and returns it.
    pub fn work(&mut self, work: WorkBuilder) -> &mut Work {
        let work = work.build_in(&self.plan.frame);
        push(&mut self.plan.works, work)
    }

    /// Adds a compound and returns it.
    pub fn compound(&mut self, compound: CompoundBuilder) -> &mut Compound {
        let compound = compound.build_in(&self.plan.frame);
        push(&mut self.plan.compounds, compound)
    }

    /// Adds a street and returns it.
    pub fn street(&mut self, street: StreetBuilder) -> &mut Street {
        let street = street.build_in(&self.plan.frame);
        push(&mut self.plan.streets, street)
    }

    /// The settings, to change.
    pub fn settings_mut(&mut self) -> &mut Settings {
        &mut self.plan.settings
    }

    /// The plan so far, to change what no builder covers.
    pub fn plan_mut(&mut self) -> &mut Plan {
        &mut self.plan
    }

    /// A copy of the plan so far (the builder can go on).
    #[must_use]
    pub fn build(&self) -> Plan {
        self.plan.clone()
    }

    /// The plan, without a copy.
    #[must_use]
    pub fn into_plan(self) -> Plan {
        self.plan
    }
}

/// Appends `item` and returns it.
fn push<T>(items: &mut Vec<T>, item: T) -> &mut T {
    items.push(item);
    let last = items.len() - 1;
    &mut items[last]
}

/// One work, field by field.
///
/// Defaults: owner `"<discipline> co"`, action [`Action::New`], ten days, no dates, a hard
/// deadline kind, no compound; a pipeline work lies along 100 m of the x axis from the
/// origin, a site work is a point at the origin.
#[must_use]
#[derive(Debug, Clone)]
pub struct WorkBuilder {
    work: Work,
    placement: Placement,
}

impl WorkBuilder {
    fn of(id: &str, discipline: Discipline, geometry: Geometry<f64>) -> Self {
        Self {
            work: Work {
                id: id.to_owned(),
                discipline,
                owner: format!("{} co", discipline.as_str()),
                action: Action::New,
                diameter_mm: None,
                pressure: None,
                voltage_kv: None,
                duration: Duration::Days(10),
                earliest: None,
                deadline: None,
                deadline_kind: DeadlineKind::Hard,
                compound: None,
                village: None,
                conversion: None,
                households: None,
                investment_cny: None,
                // Replaced when built.
                shape: Shape {
                    local: Geometry::Point(Point::new(0.0, 0.0)),
                    wgs84: Geometry::Point(Point::new(0.0, 0.0)),
                },
            },
            placement: Placement::Local(geometry),
        }
    }

    /// A pipeline work of `utility`.
    pub fn pipeline(id: &str, utility: Utility) -> Self {
        Self::of(
            id,
            Discipline::Utility(utility),
            line(&[(0.0, 0.0), (100.0, 0.0)]),
        )
    }

    /// A site work of `trade`.
    pub fn trade(id: &str, trade: Trade) -> Self {
        Self::of(
            id,
            Discipline::Trade(trade),
            Geometry::Point(Point::new(0.0, 0.0)),
        )
    }

    /// A clean-heating retrofit of `households` households by `conversion`.
    pub fn clean_heating(id: &str, conversion: Conversion, households: u32) -> Self {
        let mut builder = Self::trade(id, Trade::CleanHeating);
        builder.work.conversion = Some(conversion);
        builder.work.households = Some(households);
        builder
    }

    /// Planned cost of the work, in yuan.
    pub fn investment(mut self, cny: f64) -> Self {
        self.work.investment_cny = Some(cny);
        self
    }

    /// Who carries it out (default `<discipline> co`).
    pub fn owner(mut self, owner: &str) -> Self {
        owner.clone_into(&mut self.work.owner);
        self
    }

    /// New, replacement or repair.
    pub fn action(mut self, action: Action) -> Self {
        self.work.action = action;
        self
    }

    /// Along the line through `points` (local metres).
    pub fn along(mut self, points: &[(f64, f64)]) -> Self {
        self.placement = self.placement.with(line(points));
        self
    }

    /// At the point `(x, y)` (local metres).
    pub fn at(mut self, x: f64, y: f64) -> Self {
        self.placement = self.placement.with(Geometry::Point(Point::new(x, y)));
        self
    }

    /// Any geometry in local metres.
    pub fn local(mut self, geometry: Geometry<f64>) -> Self {
        self.placement = self.placement.with(geometry);
        self
    }

    /// Any geometry in WGS84 longitude/latitude (local metres follow by projection).
    pub fn wgs84(mut self, geometry: Geometry<f64>) -> Self {
        self.placement = Placement::Wgs84(geometry);
        self
    }

    /// Keeps the local coordinates in place of WGS84 too, skipping the unprojection (for
    /// benches that never read WGS84).
    pub fn local_only(mut self) -> Self {
        self.placement = self.placement.local_only();
        self
    }

    /// Lasts `days` working days.
    pub fn days(mut self, days: u32) -> Self {
        self.work.duration = Duration::Days(days);
        self
    }

    /// Lasts its length at `rate` metres a day.
    pub fn metres_per_day(mut self, rate: f64) -> Self {
        self.work.duration = Duration::MetresPerDay(rate);
        self
    }

    /// Nominal diameter.
    pub fn diameter_mm(mut self, diameter: f64) -> Self {
        self.work.diameter_mm = Some(diameter);
        self
    }

    /// Gas pressure class.
    pub fn pressure(mut self, pressure: GasPressure) -> Self {
        self.work.pressure = Some(pressure);
        self
    }

    /// Power voltage.
    pub fn voltage_kv(mut self, voltage: f64) -> Self {
        self.work.voltage_kv = Some(voltage);
        self
    }

    /// May not start before `day`.
    pub fn earliest(mut self, day: NaiveDate) -> Self {
        self.work.earliest = Some(day);
        self
    }

    /// Must finish by `day` (a hard deadline unless [`soft`](Self::soft) is called).
    pub fn deadline(mut self, day: NaiveDate) -> Self {
        self.work.deadline = Some(day);
        self
    }

    /// The deadline is a target, not a constraint.
    pub fn soft(mut self) -> Self {
        self.work.deadline_kind = DeadlineKind::Soft;
        self
    }

    /// Belongs to compound `id`.
    pub fn compound(mut self, id: &str) -> Self {
        self.work.compound = Some(id.to_owned());
        self
    }

    /// Belongs to compound `id` if there is one.
    pub fn in_compound(mut self, id: Option<&str>) -> Self {
        self.work.compound = id.map(str::to_owned);
        self
    }

    /// The work, with its WGS84 geometry from the test frame ([`frame`]).
    #[must_use]
    pub fn build(self) -> Work {
        self.build_in(&frame())
    }

    /// The work, with its WGS84 geometry from `frame`.
    #[must_use]
    pub fn build_in(self, frame: &LocalFrame) -> Work {
        Work {
            shape: self.placement.shape(frame),
            ..self.work
        }
    }
}

/// One compound, field by field.
///
/// Defaults: named after its id, in district `D1`, four buildings of twenty households
/// each (unless [`households`](Self::households) says otherwise), no start date, due on
/// 31 October 2027, no extra tasks, a point at the origin.
#[must_use]
#[derive(Debug, Clone)]
pub struct CompoundBuilder {
    compound: Compound,
    households: Option<u32>,
    placement: Placement,
}

impl CompoundBuilder {
    /// A compound of renovation class `class`.
    pub fn new(id: &str, class: RenovationClass) -> Self {
        Self {
            compound: Compound {
                id: id.to_owned(),
                name: id.to_owned(),
                district: "D1".to_owned(),
                class,
                buildings: 4,
                households: 0,
                start_by: None,
                finish_by: date(2027, 10, 31),
                extra_tasks: Vec::new(),
                investment_cny: None,
                // Replaced when built.
                shape: Shape {
                    local: Geometry::Point(Point::new(0.0, 0.0)),
                    wgs84: Geometry::Point(Point::new(0.0, 0.0)),
                },
            },
            households: None,
            placement: Placement::Local(Geometry::Point(Point::new(0.0, 0.0))),
        }
    }

    /// Its display name.
    pub fn name(mut self, name: &str) -> Self {
        name.clone_into(&mut self.compound.name);
        self
    }

    /// Its district.
    pub fn district(mut self, district: &str) -> Self {
        district.clone_into(&mut self.compound.district);
        self
    }

    /// Number of buildings.
    pub fn buildings(mut self, buildings: u32) -> Self {
        self.compound.buildings = buildings;
        self
    }

    /// Number of households.
    pub fn households(mut self, households: u32) -> Self {
        self.households = Some(households);
        self
    }

    /// Planned cost of the compound's own renovation, in yuan.
    pub fn investment(mut self, cny: f64) -> Self {
        self.compound.investment_cny = Some(cny);
        self
    }

    /// Works may not start before `day`.
    pub fn start_by(mut self, day: NaiveDate) -> Self {
        self.compound.start_by = Some(day);
        self
    }

    /// Must be finished by `day`.
    pub fn finish_by(mut self, day: NaiveDate) -> Self {
        self.compound.finish_by = day;
        self
    }

    /// One more task beyond those of its class.
    pub fn task(mut self, task: CompoundTask) -> Self {
        self.compound.extra_tasks.push(task);
        self
    }

    /// The polygon bounded by `ring` (local metres).
    pub fn ring(mut self, ring: &[(f64, f64)]) -> Self {
        self.placement = Placement::Local(polygon(ring));
        self
    }

    /// Any geometry in WGS84 longitude/latitude (local metres follow by projection).
    pub fn wgs84(mut self, geometry: Geometry<f64>) -> Self {
        self.placement = Placement::Wgs84(geometry);
        self
    }

    /// The compound, with its WGS84 geometry from the test frame ([`frame`]).
    #[must_use]
    pub fn build(self) -> Compound {
        self.build_in(&frame())
    }

    /// The compound, with its WGS84 geometry from `frame`.
    #[must_use]
    pub fn build_in(self, frame: &LocalFrame) -> Compound {
        let households = self
            .households
            .unwrap_or(self.compound.buildings.saturating_mul(20));
        Compound {
            households,
            shape: self.placement.shape(frame),
            ..self.compound
        }
    }
}

/// One street, field by field.
///
/// Defaults: named after its id, no district, never paved, no exception, along 100 m of
/// the x axis from the origin.
#[must_use]
#[derive(Debug, Clone)]
pub struct StreetBuilder {
    street: Street,
    placement: Placement,
}

impl StreetBuilder {
    /// A street with id `id`.
    pub fn new(id: &str) -> Self {
        Self {
            street: Street {
                id: id.to_owned(),
                name: id.to_owned(),
                district: None,
                paved_on: None,
                paving: None,
                repave_planned: None,
                cut_exception: false,
                // Replaced when built.
                shape: Shape {
                    local: Geometry::Point(Point::new(0.0, 0.0)),
                    wgs84: Geometry::Point(Point::new(0.0, 0.0)),
                },
            },
            placement: Placement::Local(line(&[(0.0, 0.0), (100.0, 0.0)])),
        }
    }

    /// Its display name.
    pub fn name(mut self, name: &str) -> Self {
        name.clone_into(&mut self.street.name);
        self
    }

    /// Its district.
    pub fn district(mut self, district: &str) -> Self {
        self.street.district = Some(district.to_owned());
        self
    }

    /// In district `district` if there is one.
    pub fn in_district(mut self, district: Option<&str>) -> Self {
        self.street.district = district.map(str::to_owned);
        self
    }

    /// A centre line through `points` (local metres).
    pub fn along(mut self, points: &[(f64, f64)]) -> Self {
        self.placement = Placement::Local(line(points));
        self
    }

    /// A street area bounded by `ring` (local metres).
    pub fn area(mut self, ring: &[(f64, f64)]) -> Self {
        self.placement = Placement::Local(polygon(ring));
        self
    }

    /// Any geometry in WGS84 longitude/latitude (local metres follow by projection).
    pub fn wgs84(mut self, geometry: Geometry<f64>) -> Self {
        self.placement = Placement::Wgs84(geometry);
        self
    }

    /// Last paved on `day` with `paving`.
    pub fn paved(mut self, day: NaiveDate, paving: Paving) -> Self {
        self.street.paved_on = Some(day);
        self.street.paving = Some(paving);
        self
    }

    /// To be repaved on `day`.
    pub fn repave_planned(mut self, day: NaiveDate) -> Self {
        self.street.repave_planned = Some(day);
        self
    }

    /// The city allows cutting it despite a moratorium.
    pub fn cut_exception(mut self) -> Self {
        self.street.cut_exception = true;
        self
    }

    /// The street, with its WGS84 geometry from the test frame ([`frame`]).
    #[must_use]
    pub fn build(self) -> Street {
        self.build_in(&frame())
    }

    /// The street, with its WGS84 geometry from `frame`.
    #[must_use]
    pub fn build_in(self, frame: &LocalFrame) -> Street {
        Street {
            shape: self.placement.shape(frame),
            ..self.street
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipeline_work_gets_its_defaults_and_what_it_is_told() {
        let w = WorkBuilder::pipeline("w1", Utility::Water)
            .along(&[(0.0, 0.0), (50.0, 0.0)])
            .days(5)
            .deadline(date(2026, 12, 31))
            .build();
        assert_eq!(w.id, "w1");
        assert_eq!(w.owner, "water co");
        assert_eq!(w.duration, Duration::Days(5));
        assert_eq!(w.deadline, Some(date(2026, 12, 31)));
        assert_eq!(w.deadline_kind, DeadlineKind::Hard);
        let Geometry::LineString(ls) = &w.shape.local else {
            panic!("a line: {:?}", w.shape.local);
        };
        assert_eq!(ls.0.len(), 2);
        assert!((ls.0[1].x - 50.0).abs() < 1e-12);
    }

    #[test]
    fn wgs84_is_the_unprojected_local_geometry_unless_asked_otherwise() {
        let w = WorkBuilder::trade("t1", Trade::Greening)
            .at(100.0, 0.0)
            .build();
        let Geometry::Point(p) = w.shape.wgs84 else {
            panic!("a point");
        };
        assert!((p.x() - CENTRE.x).abs() < 0.01 && p.x() > CENTRE.x, "{p:?}");
        let bench = WorkBuilder::pipeline("w2", Utility::Gas)
            .local_only()
            .along(&[(0.0, 0.0), (10.0, 0.0)])
            .build();
        assert_eq!(bench.shape.wgs84, bench.shape.local);
    }

    #[test]
    fn compound_households_follow_buildings_unless_given() {
        let c = CompoundBuilder::new("c1", RenovationClass::Basic)
            .buildings(3)
            .build();
        assert_eq!(c.households, 60);
        let c = CompoundBuilder::new("c2", RenovationClass::Basic)
            .households(7)
            .ring(&square(0.0, 0.0, 10.0))
            .build();
        assert_eq!(c.households, 7);
        assert!(matches!(c.shape.local, Geometry::Polygon(_)));
    }

    #[test]
    fn the_plan_builder_keeps_items_in_order_and_returns_them_for_adjustment() {
        let mut b = PlanBuilder::new(date(2026, 3, 1));
        b.street(StreetBuilder::new("s1").paved(date(2024, 1, 1), Paving::New))
            .cut_exception = true;
        b.work(WorkBuilder::pipeline("w1", Utility::Water));
        b.work(WorkBuilder::pipeline("w2", Utility::Sewer)).owner = "x".into();
        let plan = b.build();
        assert_eq!(plan.settings.start, date(2026, 3, 1));
        assert!(plan.streets[0].cut_exception);
        assert_eq!(plan.streets[0].paving, Some(Paving::New));
        let ids: Vec<&str> = plan.works.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(ids, ["w1", "w2"]);
        assert_eq!(plan.works[1].owner, "x");
    }
}
