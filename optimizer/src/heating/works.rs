//! From the choice to the schedule: the works a village's chosen routes imply, and the
//! programme's milestones as their deadlines (`docs/heating.md`, "From the choice to the
//! schedule").
//!
//! Per village, in plan order:
//! - piped gas for some households: a **gas main extension** (`utility: gas`, new,
//!   medium pressure B, DN110 PE) from the nearest point of the nearest existing main to
//!   the village, laid at [`MAIN_M_PER_DAY`], and the village's **service connections**
//!   (`utility: gas`, low pressure) across the village, [`CONNECTIONS_PER_DAY`] households a
//!   day;
//! - routes whose load (as in the choice: every route's kW per household) does not fit in
//!   what is left of the feeding substation's spare capacity (given out to villages in
//!   plan order): a **transformer upgrade**
//!   (`trade: general`, at the substation) for the excess kVA, [`UPGRADE_DAYS`] days;
//! - one **retrofit** per chosen route: `trade: clean_heating` (`coal_to_gas` or
//!   `coal_to_electric`) for the networked routes, `trade: general` for pellet and LPG
//!   stoves, which need no network; as long as the route's `build_days`.
//!
//! Every work names its village (`village`), so the scheduler finishes the extension,
//! connections and upgrade before the village's retrofits connect, and the gas mains share
//! trenches with every other planned work. The milestones count back from the first
//! heating season after the plan start: connected [`CONNECTED_DAYS_BEFORE`] days before
//! it (the supply works' deadline), working the day before it (the retrofits' deadline,
//! hard); households confirmed, equipment tendered and in-home retrofit done are reported
//! with their dates.

use chrono::{Days, NaiveDate};
use geo::{Coord, Geometry, LineString, Point};
use serde::Serialize;

use geodata::heating::economics::days_to_heating_season;
use geodata::heating::network::{Networks, location};
use geodata::heating::{Route, Village};
use geodata::plan::{
    Action, Conversion, DeadlineKind, Discipline, Duration, GasPressure, Plan, Shape, Trade,
    Utility, Work,
};

use super::report::{HeatingReport, VillageResult};

/// Metres of gas main extension a crew lays a day (PE pipe in open country).
pub const MAIN_M_PER_DAY: f64 = 80.0;
/// Households a crew connects to the gas a day (riser, meter, regulator).
pub const CONNECTIONS_PER_DAY: u32 = 8;
/// Days to upgrade a village's transformer.
pub const UPGRADE_DAYS: u32 = 20;
/// Households confirmed (signed up) this many days before the heating season.
pub const CONFIRMED_DAYS_BEFORE: u64 = 150;
/// Equipment tendered this many days before the heating season.
pub const TENDERED_DAYS_BEFORE: u64 = 105;
/// In-home retrofit done this many days before the heating season.
pub const RETROFIT_DAYS_BEFORE: u64 = 30;
/// Gas or power connected this many days before the heating season.
pub const CONNECTED_DAYS_BEFORE: u64 = 15;
/// Land per household in a village, m² (the length of its service connections).
const LAND_PER_HOUSEHOLD_M2: f64 = 300.0;

/// A village's programme milestones (dates no earlier than the plan start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestones {
    /// Village id.
    pub village: String,
    /// Households confirmed (signed up).
    pub households_confirmed: NaiveDate,
    /// Equipment tendered.
    pub equipment_tendered: NaiveDate,
    /// In-home retrofit done.
    pub retrofit_done: NaiveDate,
    /// Gas or power connected: the deadline of the village's supply works.
    pub connected: NaiveDate,
    /// Heating working: the day before the heating season, the retrofits' deadline.
    pub working: NaiveDate,
}

/// The works implied by a choice, and every converted village's milestones.
#[derive(Debug, Clone)]
pub struct ImpliedWorks {
    /// New works, village by village.
    pub works: Vec<Work>,
    /// One entry per village with a route.
    pub milestones: Vec<Milestones>,
}

/// Why the implied works could not be added.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WorksError {
    /// The report is not about this plan's villages.
    #[error("the heating report has {report} villages but the plan has {plan}")]
    ReportMismatch {
        /// Villages in the report.
        report: usize,
        /// Villages in the plan.
        plan: usize,
    },
    /// A work the choice implies has an id already in the plan (applied twice?).
    #[error("the plan already has a feature \"{id}\": were the heating works applied already?")]
    IdTaken {
        /// The id.
        id: String,
    },
}

/// The first day of the first heating season after the plan start.
#[must_use]
pub fn season_start(plan: &Plan) -> NaiveDate {
    let s = &plan.settings;
    let days = days_to_heating_season(s.start, s.calendars.heating_season);
    s.start
        .checked_add_days(Days::new(u64::try_from(days).unwrap_or(0)))
        .unwrap_or(s.start)
}

/// The milestones of a village converting before the season starting on `season`.
#[must_use]
pub fn milestones(village: &str, start: NaiveDate, season: NaiveDate) -> Milestones {
    let before = |days: u64| {
        season
            .checked_sub_days(Days::new(days))
            .unwrap_or(start)
            .max(start)
    };
    Milestones {
        village: village.to_owned(),
        households_confirmed: before(CONFIRMED_DAYS_BEFORE),
        equipment_tendered: before(TENDERED_DAYS_BEFORE),
        retrofit_done: before(RETROFIT_DAYS_BEFORE),
        connected: before(CONNECTED_DAYS_BEFORE),
        working: before(1),
    }
}

/// The conversion a route's retrofit is scheduled as (none: a stand-alone stove).
#[must_use]
pub fn conversion(route: Route) -> Option<Conversion> {
    match route {
        Route::GasWallBoiler => Some(Conversion::CoalToGas),
        Route::ElectricThermalStorage
        | Route::AirSourceHeatPump
        | Route::SolarThermalElectric
        | Route::HeatPumpPv => Some(Conversion::CoalToElectric),
        Route::BiomassPellet | Route::LpgBoiler => None,
    }
}

/// The works `report` (the choice for `plan`) implies.
///
/// # Errors
/// [`WorksError::ReportMismatch`] when the report is about other villages.
///
/// # Complexity
/// O(v log m) for v villages and m gas main segments.
pub fn implied_works(plan: &Plan, report: &HeatingReport) -> Result<ImpliedWorks, WorksError> {
    let inputs = &plan.heating;
    if report.villages.len() != inputs.villages.len() {
        return Err(WorksError::ReportMismatch {
            report: report.villages.len(),
            plan: inputs.villages.len(),
        });
    }
    let networks = Networks::new(inputs);
    let season = season_start(plan);
    let mut spare: Vec<f64> = inputs.substations.iter().map(|s| s.spare_kva).collect();
    let mut out = ImpliedWorks {
        works: Vec::new(),
        milestones: Vec::new(),
    };
    for (village, result) in inputs.villages.iter().zip(&report.villages) {
        if result.split.is_empty() {
            continue;
        }
        let dates = milestones(&village.id, plan.settings.start, season);
        let mut b = VillageWorks {
            plan,
            village,
            dates: &dates,
            works: &mut out.works,
        };
        let gas_households: u32 = result
            .split
            .iter()
            .filter(|s| s.route.is_gas())
            .map(|s| s.households)
            .sum();
        if gas_households > 0 {
            let at = location(&village.shape);
            let from = networks.nearest_gas_main(at).map(|m| m.point);
            b.gas(from, at, gas_households);
        }
        let load = substation_load(result);
        if load > 0.0
            && let Some(s) = networks.feeding_substation(inputs, village)
        {
            let used = load.min(spare[s].max(0.0));
            spare[s] -= used;
            let excess = load - used;
            if excess > 0.5 {
                let substation = &inputs.substations[s];
                b.upgrade(
                    location(&substation.shape),
                    &substation.id,
                    excess.ceil() * inputs.catalogue.transformer_upgrade_cny_per_kva,
                );
            }
        }
        for share in result.split.iter().filter(|s| s.households > 0) {
            let spec = inputs.catalogue.spec(share.route);
            b.retrofit(
                share.route,
                share.households,
                spec.build_days,
                spec.install_cny,
            );
        }
        out.milestones.push(dates);
    }
    Ok(out)
}

/// Adds the works `report` implies to `plan` and returns the milestones.
///
/// # Errors
/// As [`implied_works`], and [`WorksError::IdTaken`] when a new work's id is already used
/// (the plan is then unchanged).
pub fn apply(plan: &mut Plan, report: &HeatingReport) -> Result<ImpliedWorks, WorksError> {
    let implied = implied_works(plan, report)?;
    let taken: std::collections::HashSet<&str> = plan
        .works
        .iter()
        .map(|w| w.id.as_str())
        .chain(plan.compounds.iter().map(|c| c.id.as_str()))
        .chain(plan.streets.iter().map(|s| s.id.as_str()))
        .chain(plan.heating.villages.iter().map(|v| v.id.as_str()))
        .chain(plan.heating.substations.iter().map(|s| s.id.as_str()))
        .chain(plan.heating.gas_mains.iter().map(|m| m.id.as_str()))
        .collect();
    if let Some(w) = implied.works.iter().find(|w| taken.contains(w.id.as_str())) {
        return Err(WorksError::IdTaken { id: w.id.clone() });
    }
    plan.works.extend(implied.works.iter().cloned());
    Ok(implied)
}

/// kVA the village's chosen routes add to its substation.
fn substation_load(result: &VillageResult) -> f64 {
    result
        .split
        .iter()
        .filter_map(|s| {
            let o = result.options.iter().find(|o| o.route == s.route)?;
            Some(s.share * o.substation_load_kva)
        })
        .sum()
}

/// Builds one village's works.
struct VillageWorks<'a> {
    plan: &'a Plan,
    village: &'a Village,
    dates: &'a Milestones,
    works: &'a mut Vec<Work>,
}

impl VillageWorks<'_> {
    fn shape(&self, local: Geometry<f64>) -> Shape {
        Shape {
            wgs84: self.plan.frame.unproject_geometry(&local),
            local,
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "every field that differs between the implied works"
    )]
    fn push(
        &mut self,
        suffix: &str,
        discipline: Discipline,
        owner: String,
        duration: Duration,
        deadline: (NaiveDate, DeadlineKind),
        conversion: Option<Conversion>,
        households: Option<u32>,
        investment_cny: f64,
        local: Geometry<f64>,
    ) {
        let (diameter_mm, pressure) = match (discipline, suffix) {
            (Discipline::Utility(Utility::Gas), "gas-main") => {
                (Some(110.0), Some(GasPressure::MediumB))
            }
            (Discipline::Utility(Utility::Gas), _) => (Some(63.0), Some(GasPressure::Low)),
            _ => (None, None),
        };
        let work = Work {
            id: format!("{}-{suffix}", self.village.id),
            discipline,
            owner,
            action: Action::New,
            diameter_mm,
            pressure,
            voltage_kv: None,
            duration,
            earliest: None,
            deadline: Some(deadline.0),
            deadline_kind: deadline.1,
            compound: None,
            village: Some(self.village.id.clone()),
            conversion,
            households,
            investment_cny: Some(investment_cny),
            shape: self.shape(local),
        };
        self.works.push(work);
    }

    /// The main extension from `from` (none: no main, nothing to extend) and the service
    /// connections across the village at `at`.
    fn gas(&mut self, from: Option<Coord<f64>>, at: Coord<f64>, households: u32) {
        let owner = format!("{} gas utility", self.village.district);
        let connected = (self.dates.connected, DeadlineKind::Soft);
        let mut along = Coord { x: 1.0, y: 0.0 };
        if let Some(from) = from {
            let (dx, dy) = (at.x - from.x, at.y - from.y);
            let length = dx.hypot(dy);
            if length >= 1.0 {
                along = Coord {
                    x: dx / length,
                    y: dy / length,
                };
                let rate = MAIN_M_PER_DAY.max(length / f64::from(Work::MAX_DURATION_DAYS));
                let cost = length
                    * self
                        .plan
                        .heating
                        .catalogue
                        .spec(Route::GasWallBoiler)
                        .connection_cny_per_m;
                self.push(
                    "gas-main",
                    Discipline::Utility(Utility::Gas),
                    owner.clone(),
                    Duration::MetresPerDay(rate),
                    connected,
                    None,
                    None,
                    cost,
                    Geometry::LineString(LineString::new(vec![from, at])),
                );
            }
        }
        // Across the village, square to the extension, as long as the village is wide.
        let half = (f64::from(self.village.households) * LAND_PER_HOUSEHOLD_M2)
            .sqrt()
            .max(20.0)
            / 2.0;
        let across = Coord {
            x: -along.y * half,
            y: along.x * half,
        };
        let line = LineString::new(vec![at - across, at + across]);
        self.push(
            "gas-services",
            Discipline::Utility(Utility::Gas),
            owner,
            Duration::Days(
                households
                    .div_ceil(CONNECTIONS_PER_DAY)
                    .clamp(1, Work::MAX_DURATION_DAYS),
            ),
            connected,
            None,
            Some(households),
            0.0,
            Geometry::LineString(line),
        );
    }

    /// A transformer upgrade costing `cost` at the substation at `at`.
    fn upgrade(&mut self, at: Coord<f64>, substation: &str, cost: f64) {
        self.push(
            "transformer",
            Discipline::Trade(Trade::General),
            format!(
                "{} power supply company ({substation})",
                self.village.district
            ),
            Duration::Days(UPGRADE_DAYS),
            (self.dates.connected, DeadlineKind::Soft),
            None,
            None,
            cost,
            Geometry::Point(Point::from(at)),
        );
    }

    /// The in-home retrofit of `households` households to `route`.
    fn retrofit(&mut self, route: Route, households: u32, build_days: u32, install_cny: f64) {
        let conversion = conversion(route);
        let discipline = if conversion.is_some() {
            Discipline::Trade(Trade::CleanHeating)
        } else {
            Discipline::Trade(Trade::General)
        };
        let shape = self.village.shape.local.clone();
        self.push(
            &format!("heating-{}", route.as_str().replace('_', "-")),
            discipline,
            format!("{} clean-heating programme", self.village.district),
            Duration::Days(build_days.clamp(1, Work::MAX_DURATION_DAYS)),
            (self.dates.working, DeadlineKind::Hard),
            conversion,
            Some(households),
            f64::from(households) * install_cny,
            shape,
        );
    }
}

#[cfg(test)]
mod tests;
