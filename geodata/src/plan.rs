//! The validated plan: typed compounds, works and streets with their settings.
//!
//! A [`Plan`] is what ingestion produces from a GeoJSON upload once every problem has
//! been ruled out. Geometry is kept twice: in WGS84 longitude/latitude (for output,
//! always RFC 7946) and in metres in the plan's [`LocalFrame`] (for every distance).
//! The field names mirror the input format in `docs/input-format.md`, so a reader can
//! go from a property in a file to the field here without a lookup table.

use chrono::NaiveDate;
use geo::Geometry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::crs::LocalFrame;

/// The first year a date in a plan may fall in (`docs/input-format.md`).
pub const FIRST_YEAR: i32 = 1900;
/// The last year a date in a plan may fall in.
pub const LAST_YEAR: i32 = 2200;

/// The most characters a feature's `id` may have: an id is repeated in every problem
/// of its feature and in references, so it is kept short.
pub const MAX_ID_CHARS: usize = 256;

/// A whole planning problem: settings plus every compound, work and street.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Plan-wide settings from the top-level `"plan"` member, defaults filled in.
    pub settings: Settings,
    /// Residential compounds to renovate.
    pub compounds: Vec<Compound>,
    /// Planned works: pipeline segments, site works, clean-heating retrofits.
    pub works: Vec<Work>,
    /// Streets with their paving history (for moratoria and street cuts).
    pub streets: Vec<Street>,
    /// Villages to convert to clean heating, substations, existing gas mains and the
    /// route catalogue (`docs/heating.md`); empty for a plan without villages.
    pub heating: crate::heating::HeatingInputs,
    /// The local projected system every metric computation uses.
    pub frame: LocalFrame,
}

/// Geometry of one feature, in WGS84 and in the plan's local metres.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Longitude/latitude in degrees (RFC 7946 order), rings wound per the right-hand rule.
    pub wgs84: Geometry<f64>,
    /// The same geometry projected into the plan's [`LocalFrame`], in metres.
    pub local: Geometry<f64>,
}

/// The renovation class of a compound (`docs/domain.md#compound-renovation-classes-and-phases`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenovationClass {
    /// 基础完善型: drainage, paving, security.
    Basic,
    /// 环境美化型: basic plus greening and leisure.
    Beautify,
    /// 功能提升型: beautify plus smart management, elderly care, fitness.
    Upgrade,
    /// 整合提升型: adjacent small compounds renovated as one cluster.
    Integrate,
}

/// A residential compound (小区), a polygon to renovate by a deadline.
#[derive(Debug, Clone)]
pub struct Compound {
    /// Unique feature id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Administrative district progress is ranked by.
    pub district: String,
    /// Renovation class; decides the default phases.
    pub class: RenovationClass,
    /// Number of buildings.
    pub buildings: u32,
    /// Number of households.
    pub households: u32,
    /// Renovation may not start before this date (optional).
    pub start_by: Option<NaiveDate>,
    /// Renovation must be finished by this date.
    pub finish_by: NaiveDate,
    /// Compound tasks beyond the class defaults.
    pub extra_tasks: Vec<CompoundTask>,
    /// Planned cost of the compound's own renovation in yuan (its works carry theirs).
    pub investment_cny: Option<f64>,
    /// Polygon or multipolygon.
    pub shape: Shape,
}

impl Compound {
    /// The most buildings a compound may have.
    pub const MAX_BUILDINGS: u32 = 1_000;
    /// The most households a compound may have.
    pub const MAX_HOUSEHOLDS: u32 = 100_000;
}

/// The largest amount of money in yuan a plan may name (`investment_cny`, funds): one
/// trillion, far above any city's programme.
pub const MAX_CNY: f64 = 1e12;

/// A compound task that can be added beyond a class's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompoundTask {
    /// Roof waterproofing.
    RoofWaterproofing,
    /// External wall (facade) insulation.
    FacadeInsulation,
    /// Greening of open space.
    Greening,
    /// Leisure, fitness and elderly-care facilities.
    Facilities,
    /// Smart management (access control, cameras).
    SmartManagement,
    /// Lift retrofit in a walk-up building.
    Elevator,
    /// Parking reorganisation.
    Parking,
}

/// The utility network a pipeline work belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Utility {
    /// Drinking water supply.
    Water,
    /// Storm water drainage.
    Drainage,
    /// Foul sewer.
    Sewer,
    /// Electric power cables.
    Power,
    /// Gas distribution.
    Gas,
    /// District heating.
    Heat,
    /// Telecom ducts and cables.
    Telecom,
}

impl Utility {
    /// Every utility, in a stable order.
    pub const ALL: [Utility; 7] = [
        Utility::Water,
        Utility::Drainage,
        Utility::Sewer,
        Utility::Power,
        Utility::Gas,
        Utility::Heat,
        Utility::Telecom,
    ];

    /// The lower-case name used in files and URLs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Utility::Water => "water",
            Utility::Drainage => "drainage",
            Utility::Sewer => "sewer",
            Utility::Power => "power",
            Utility::Gas => "gas",
            Utility::Heat => "heat",
            Utility::Telecom => "telecom",
        }
    }
}

/// A non-utility trade for site works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trade {
    /// Site clearing and demolition.
    Clearing,
    /// Road and yard paving.
    Paving,
    /// Roof waterproofing.
    Roofing,
    /// External wall insulation.
    FacadeInsulation,
    /// Greening and landscaping.
    Greening,
    /// Facilities (fitness, elderly care, leisure).
    Facilities,
    /// Clean-heating retrofit (双替代): coal to gas or coal to electric.
    CleanHeating,
    /// Any other building trade.
    General,
}

impl Trade {
    /// Every trade, in a stable order.
    pub const ALL: [Trade; 8] = [
        Trade::Clearing,
        Trade::Paving,
        Trade::Roofing,
        Trade::FacadeInsulation,
        Trade::Greening,
        Trade::Facilities,
        Trade::CleanHeating,
        Trade::General,
    ];

    /// The lower-case name used in files and URLs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Trade::Clearing => "clearing",
            Trade::Paving => "paving",
            Trade::Roofing => "roofing",
            Trade::FacadeInsulation => "facade_insulation",
            Trade::Greening => "greening",
            Trade::Facilities => "facilities",
            Trade::CleanHeating => "clean_heating",
            Trade::General => "general",
        }
    }
}

/// Who does a work: a utility network or a building trade.
///
/// Serialised as the bare name (`"water"`, `"roofing"`): utility and trade names never
/// coincide, so the name alone says which it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Discipline {
    /// A pipeline or cable of a utility network.
    Utility(Utility),
    /// A site work of a building trade.
    Trade(Trade),
}

impl Discipline {
    /// The lower-case name used for crews and exports (`water`, `roofing`, ...).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Discipline::Utility(u) => u.as_str(),
            Discipline::Trade(t) => t.as_str(),
        }
    }
}

/// What a work does to its asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A new asset.
    New,
    /// Replacement of an old asset.
    Replace,
    /// Repair of an existing asset.
    Repair,
}

/// Gas pressure class (GB 50028): changes clearances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GasPressure {
    /// At most 0.01 MPa.
    Low,
    /// 0.01 to 0.2 MPa.
    MediumB,
    /// 0.2 to 0.4 MPa.
    MediumA,
    /// 0.4 to 0.8 MPa.
    SubhighB,
    /// 0.8 to 1.6 MPa.
    SubhighA,
}

/// Clean-heating conversion type (双替代).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conversion {
    /// Coal to gas (煤改气): needs a gas connection before commissioning.
    CoalToGas,
    /// Coal to electric (煤改电): needs a power connection before commissioning.
    CoalToElectric,
}

/// Whether missing a deadline makes the plan infeasible or only costs lateness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// Must hold; a plan that cannot meet it is reported infeasible.
    #[default]
    Hard,
    /// Should hold; lateness is minimised after excavations.
    Soft,
}

/// How long a work takes: given, or derived from its length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Duration {
    /// A fixed number of working days.
    Days(u32),
    /// Metres laid per working day; duration = ceil(length / rate).
    MetresPerDay(f64),
}

/// One planned job of a utility or trade.
#[derive(Debug, Clone)]
pub struct Work {
    /// Unique feature id.
    pub id: String,
    /// Utility network or trade.
    pub discipline: Discipline,
    /// The company or contractor that owns the work.
    pub owner: String,
    /// New, replace or repair.
    pub action: Action,
    /// Pipe diameter in millimetres (clearance tables depend on it).
    pub diameter_mm: Option<f64>,
    /// Gas pressure class, for gas works.
    pub pressure: Option<GasPressure>,
    /// Voltage in kV, for power works.
    pub voltage_kv: Option<f64>,
    /// Duration or productivity.
    pub duration: Duration,
    /// Earliest start date.
    pub earliest: Option<NaiveDate>,
    /// Date by which the work must (or should) be finished.
    pub deadline: Option<NaiveDate>,
    /// Hard or soft deadline.
    pub deadline_kind: DeadlineKind,
    /// The compound this work serves, if any.
    pub compound: Option<String>,
    /// The village this work serves (`docs/heating.md`): its gas main extension, service
    /// connections or transformer upgrade finish before the village's clean-heating
    /// retrofits connect.
    pub village: Option<String>,
    /// Clean-heating conversion, for `trade: clean_heating`.
    pub conversion: Option<Conversion>,
    /// Households converted, for clean-heating retrofits.
    pub households: Option<u32>,
    /// Planned cost of the work in yuan.
    pub investment_cny: Option<f64>,
    /// Line geometry for pipelines, polygon or point for site works.
    pub shape: Shape,
}

impl Work {
    /// The longest a work may take in working days, given (`duration_days`) or derived
    /// from its length and `productivity_m_per_day`: ten years.
    pub const MAX_DURATION_DAYS: u32 = 3_650;
    /// The largest pipe diameter in millimetres (the widest culverts are about 5 m).
    pub const MAX_DIAMETER_MM: f64 = 5_000.0;
    /// The highest voltage in kilovolts (ultra-high-voltage lines are 1,000 kV).
    pub const MAX_VOLTAGE_KV: f64 = 1_000.0;
    /// The most households one clean-heating retrofit may convert.
    pub const MAX_HOUSEHOLDS: u32 = 100_000;
}

/// How a street was last paved: decides its road-cut moratorium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paving {
    /// Newly built or expanded road.
    New,
    /// Rebuilt road.
    Rebuilt,
    /// Major repair (大修).
    MajorRepair,
    /// Minor repair or resurfacing: no moratorium by default.
    Minor,
}

/// A street with its paving history.
#[derive(Debug, Clone)]
pub struct Street {
    /// Unique feature id.
    pub id: String,
    /// Street name.
    pub name: String,
    /// District the street lies in, if known (for district limits).
    pub district: Option<String>,
    /// Date the current surface was handed over.
    pub paved_on: Option<NaiveDate>,
    /// Kind of the last paving.
    pub paving: Option<Paving>,
    /// Next planned repaving, if any (cuts before it cost nothing extra).
    pub repave_planned: Option<NaiveDate>,
    /// The city granted an exception to the moratorium on this street.
    pub cut_exception: bool,
    /// Centre line (LineString/MultiLineString) or area (Polygon).
    pub shape: Shape,
}

/// A yearly window given as month-day bounds, e.g. 15 Jun to 15 Sep; may wrap the new year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeasonWindow {
    /// First day of the window as (month, day).
    pub from: (u32, u32),
    /// Last day of the window (inclusive) as (month, day).
    pub to: (u32, u32),
}

impl SeasonWindow {
    /// Whether `date` falls in this window (inclusive), handling windows that wrap the year.
    #[must_use]
    pub fn contains(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        let md = (date.month(), date.day());
        if self.from <= self.to {
            self.from <= md && md <= self.to
        } else {
            md >= self.from || md <= self.to
        }
    }
}

/// Calendar windows that forbid some activities.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendars {
    /// No roofing or facade insulation. Default 15 Jun to 15 Sep.
    pub rainy_season: SeasonWindow,
    /// No heat-network cut-over; clean heating must be commissioned before it.
    /// Default 15 Nov to 15 Mar.
    pub heating_season: SeasonWindow,
    /// No excavation. Default 1 Dec to 28 Feb (northern China).
    pub frozen_ground: SeasonWindow,
    /// Non-working days.
    pub holidays: Vec<NaiveDate>,
    /// Whether Saturdays and Sundays are working days (default true: 7-day site weeks).
    pub weekends_work: bool,
}

/// Where money for the programme comes from (资金来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundSource {
    /// Central government subsidy (中央补助).
    Central,
    /// Provincial budget.
    Provincial,
    /// Municipal budget.
    Municipal,
    /// County or district budget.
    County,
    /// A utility company's own investment.
    Utility,
    /// Residents' contributions.
    Residents,
}

impl FundSource {
    /// Every source, in a stable order.
    pub const ALL: [FundSource; 6] = [
        FundSource::Central,
        FundSource::Provincial,
        FundSource::Municipal,
        FundSource::County,
        FundSource::Utility,
        FundSource::Residents,
    ];

    /// The lower-case name used in files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            FundSource::Central => "central",
            FundSource::Provincial => "provincial",
            FundSource::Municipal => "municipal",
            FundSource::County => "county",
            FundSource::Utility => "utility",
            FundSource::Residents => "residents",
        }
    }
}

/// One allocation of money to a district, and how much of it has been passed on.
#[derive(Debug, Clone, PartialEq)]
pub struct Fund {
    /// Where the money comes from.
    pub source: FundSource,
    /// The district it is allocated to.
    pub district: String,
    /// Yuan allocated.
    pub allocated_cny: f64,
    /// Yuan disbursed (passed on to the works) so far; at most `allocated_cny`.
    pub disbursed_cny: f64,
}

/// Plan-wide settings, from the `"plan"` foreign member, with documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Plan name.
    pub name: String,
    /// First day works may start.
    pub start: NaiveDate,
    /// Planning horizon in days from `start` (default 730).
    pub horizon_days: u32,
    /// Calendar windows.
    pub calendars: Calendars,
    /// Crews per utility or trade (`water`, `roofing`, ...); missing keys use `default_crews`.
    pub crews: BTreeMap<String, u32>,
    /// Crews for a discipline not named in `crews` (default 4).
    pub default_crews: u32,
    /// Works within this distance may share a trench (default 3 m).
    pub share_distance_m: f64,
    /// Minimum shared length for a corridor (default 20 m).
    pub min_shared_length_m: f64,
    /// Clearance profile name (default `cn-gb50289`).
    pub clearance_profile: String,
    /// Maximum street segments open at once per district (absent: unlimited).
    pub district_limits: BTreeMap<String, u32>,
    /// Compounds closer than this gap form a renovation cluster (default 30 m).
    pub cluster_gap_m: f64,
    /// Money allocated to districts (default none).
    pub funds: Vec<Fund>,
}

impl Settings {
    /// Default horizon in days.
    pub const DEFAULT_HORIZON_DAYS: u32 = 730;
    /// Default crews per discipline.
    pub const DEFAULT_CREWS: u32 = 4;
    /// Default sharing distance in metres.
    pub const DEFAULT_SHARE_DISTANCE_M: f64 = 3.0;
    /// Default minimum corridor length in metres.
    pub const DEFAULT_MIN_SHARED_LENGTH_M: f64 = 20.0;
    /// Default clearance profile.
    pub const DEFAULT_CLEARANCE_PROFILE: &'static str = "cn-gb50289";
    /// Default compound cluster gap in metres.
    pub const DEFAULT_CLUSTER_GAP_M: f64 = 30.0;

    /// The longest horizon in days: ten years, over which the planner lays out calendars.
    pub const MAX_HORIZON_DAYS: u32 = 3_650;
    /// The most crews of one discipline (`crews` values and `default_crews`).
    pub const MAX_CREWS: u32 = 1_000;
    /// The largest `district_limits` value.
    pub const MAX_DISTRICT_LIMIT: u32 = 1_000;
    /// The largest sharing distance in metres (a street is rarely wider than 100 m).
    pub const MAX_SHARE_DISTANCE_M: f64 = 100.0;
    /// The largest minimum corridor length in metres.
    pub const MAX_MIN_SHARED_LENGTH_M: f64 = 10_000.0;
    /// The largest compound cluster gap in metres.
    pub const MAX_CLUSTER_GAP_M: f64 = 1_000.0;

    /// Settings with every default filled in, for a plan named `name` starting on `start`.
    #[must_use]
    pub fn with_defaults(name: impl Into<String>, start: NaiveDate) -> Self {
        Self {
            name: name.into(),
            start,
            horizon_days: Self::DEFAULT_HORIZON_DAYS,
            calendars: Calendars::default(),
            crews: BTreeMap::new(),
            default_crews: Self::DEFAULT_CREWS,
            share_distance_m: Self::DEFAULT_SHARE_DISTANCE_M,
            min_shared_length_m: Self::DEFAULT_MIN_SHARED_LENGTH_M,
            clearance_profile: Self::DEFAULT_CLEARANCE_PROFILE.to_owned(),
            district_limits: BTreeMap::new(),
            cluster_gap_m: Self::DEFAULT_CLUSTER_GAP_M,
            funds: Vec::new(),
        }
    }

    /// Crews available for a discipline per day.
    #[must_use]
    pub fn crews_for(&self, discipline: Discipline) -> u32 {
        self.crews
            .get(discipline.as_str())
            .copied()
            .unwrap_or(self.default_crews)
    }
}

impl Default for Calendars {
    fn default() -> Self {
        Self {
            rainy_season: SeasonWindow {
                from: (6, 15),
                to: (9, 15),
            },
            heating_season: SeasonWindow {
                from: (11, 15),
                to: (3, 15),
            },
            frozen_ground: SeasonWindow {
                from: (12, 1),
                to: (2, 28),
            },
            holidays: Vec::new(),
            weekends_work: true,
        }
    }
}

impl Plan {
    /// Looks up a work by id.
    #[must_use]
    pub fn work(&self, id: &str) -> Option<&Work> {
        self.works.iter().find(|w| w.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
    }

    #[test]
    fn season_window_that_wraps_the_new_year_contains_both_ends() {
        let heating = Calendars::default().heating_season;
        assert!(heating.contains(date(2026, 12, 31)));
        assert!(heating.contains(date(2027, 1, 1)));
        assert!(heating.contains(date(2027, 3, 15)));
        assert!(!heating.contains(date(2027, 3, 16)));
        assert!(!heating.contains(date(2027, 7, 1)));
    }

    #[test]
    fn season_window_within_a_year_is_inclusive() {
        let rainy = Calendars::default().rainy_season;
        assert!(!rainy.contains(date(2026, 6, 14)));
        assert!(rainy.contains(date(2026, 6, 15)));
        assert!(rainy.contains(date(2026, 9, 15)));
        assert!(!rainy.contains(date(2026, 9, 16)));
    }

    #[test]
    fn crews_fall_back_to_the_default() {
        let mut s = Settings::with_defaults("t", date(2026, 3, 1));
        s.crews.insert("gas".into(), 2);
        assert_eq!(s.crews_for(Discipline::Utility(Utility::Gas)), 2);
        assert_eq!(
            s.crews_for(Discipline::Trade(Trade::Roofing)),
            Settings::DEFAULT_CREWS
        );
    }

    #[test]
    fn a_discipline_is_written_and_read_as_its_bare_name() -> Result<(), serde_json::Error> {
        let every = Utility::ALL
            .into_iter()
            .map(Discipline::Utility)
            .chain(Trade::ALL.into_iter().map(Discipline::Trade));
        for discipline in every {
            let json = serde_json::to_string(&discipline)?;
            assert_eq!(json, format!("\"{}\"", discipline.as_str()));
            assert_eq!(serde_json::from_str::<Discipline>(&json)?, discipline);
        }
        Ok(())
    }
}
