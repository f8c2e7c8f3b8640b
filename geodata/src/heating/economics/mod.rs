//! One village, one route: the figures a household understands.
//!
//! Per household and year (`docs/heating.md` gives the formulas and an example):
//!
//! - heat bought = heated area × heat per m² × (1 − solar share) ÷ efficiency, in kWh,
//!   then in the carrier's units (kWh, m³, kg);
//! - bill after = units × price (electricity split between the off-peak and the normal
//!   tariff) − PV income; with the operating subsidy while it lasts, without it after;
//! - bill before = tonnes of today's fuel × its price;
//! - install cost = equipment and installation + the household's share of the village's
//!   spur to the gas main; the subsidy is the sum over the rules of
//!   min(share × cost, cap), at most the cost;
//! - total annual cost = install cost × capital recovery factor (discount rate, lifetime),
//!   plus the bill without operating subsidy and maintenance: what the route costs the
//!   public and the household together, since subsidies only move money between them;
//! - the household's annual cost = its own install cost (after subsidy) annualised the
//!   same way, plus the same bill and maintenance; *affordable* when it is at
//!   most the village's limit. The years after the operating subsidy ends are judged,
//!   because that is when households go back to coal;
//! - payback = own install cost ÷ the yearly saving against the bill before (none when
//!   the route saves nothing).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::catalogue::{Carrier, Catalogue, Route, RouteSpec};
use super::model::{CurrentFuel, HeatingInputs, Village};
use super::network::{MainAccess, Networks, location};
use crate::plan::{Plan, SeasonWindow};

/// Metres of village spur laid per working day (for the build time).
pub const SPUR_M_PER_DAY: f64 = 50.0;

/// What a village can reach and how long until the heating season.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Access {
    /// The nearest gas main, if the plan has any.
    pub gas_main: Option<MainAccess>,
    /// Index of the feeding substation, if any.
    pub substation: Option<usize>,
    /// Calendar days from the plan's start to the first heating season's first day.
    pub days_to_season: i64,
}

/// The economics of one route for one village (money per household unless named).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteEconomics {
    /// The route.
    pub route: Route,
    /// Whether the route can be built here (see `reasons`).
    pub feasible: bool,
    /// Why it cannot, one sentence each.
    pub reasons: Vec<String>,
    /// Whether a household can bear its annual cost.
    pub affordable: bool,
    /// Equipment, installation and spur share, yuan.
    pub install_cost_cny: f64,
    /// Install subsidy, yuan.
    pub subsidy_cny: f64,
    /// The install subsidy by source, yuan.
    pub subsidy_by_source: Vec<(String, f64)>,
    /// What the household pays to install, yuan.
    pub install_cost_after_subsidy_cny: f64,
    /// Energy bought per year in the carrier's units.
    pub energy_units: f64,
    /// The carrier.
    pub carrier: Carrier,
    /// Yearly heating bill today, yuan.
    pub bill_before_cny: f64,
    /// Yearly bill after conversion while the operating subsidy lasts, yuan.
    pub bill_after_cny: f64,
    /// Yearly bill after conversion once the operating subsidy ends, yuan.
    pub bill_after_unsubsidised_cny: f64,
    /// Maintenance, yuan a year.
    pub maintenance_cny: f64,
    /// Public plus household cost per year (annualised install + bill + maintenance), yuan.
    pub total_annual_cost_cny: f64,
    /// The household's own cost per year, yuan.
    pub household_annual_cost_cny: f64,
    /// The village's limit, yuan a year.
    pub affordability_limit_cny: f64,
    /// Years for the saving to repay the household's install cost (none: never).
    pub payback_years: Option<f64>,
    /// Load the whole village adds to its substation, kW.
    pub substation_load_kw: f64,
    /// The same in kVA.
    pub substation_load_kva: f64,
    /// Gas per household per season, m³ (0 unless piped gas).
    pub gas_m3: f64,
    /// Distance to the nearest gas main, metres (none: no main in the plan).
    pub gas_main_distance_m: Option<f64>,
}

/// Every route for one village.
#[derive(Debug, Clone)]
pub struct VillageEconomics {
    /// Index into [`HeatingInputs::villages`].
    pub village: usize,
    /// What the village reaches.
    pub access: Access,
    /// One entry per available route, in [`Route::ALL`] order.
    pub options: Vec<RouteEconomics>,
}

/// The capital recovery factor: the yearly payment that repays 1 over `years` at `rate`.
#[must_use]
pub fn capital_recovery(rate: f64, years: u32) -> f64 {
    let n = f64::from(years.max(1));
    if rate.abs() < 1e-12 {
        1.0 / n
    } else {
        rate / (1.0 - (1.0 + rate).powf(-n))
    }
}

/// The present value of 1 a year for `years` at `rate`.
#[must_use]
pub fn present_value_factor(rate: f64, years: u32) -> f64 {
    1.0 / capital_recovery(rate, years)
}

fn fuel_price(catalogue: &Catalogue, fuel: CurrentFuel) -> f64 {
    let p = &catalogue.prices;
    match fuel {
        CurrentFuel::Coal => p.coal_cny_per_t,
        CurrentFuel::Briquette => p.briquette_cny_per_t,
        CurrentFuel::Firewood => p.firewood_cny_per_t,
    }
}

fn unit_price(catalogue: &Catalogue, spec: &RouteSpec) -> f64 {
    let p = &catalogue.prices;
    match spec.carrier {
        Carrier::Electricity => {
            spec.off_peak_share * p.electricity_off_peak_cny_per_kwh
                + (1.0 - spec.off_peak_share) * p.electricity_cny_per_kwh
        }
        Carrier::Gas => p.gas_cny_per_m3,
        Carrier::Lpg => p.lpg_cny_per_kg,
        Carrier::Pellet => p.pellet_cny_per_kg,
    }
}

/// Why `spec` cannot be built for `village` with `access`, one sentence each.
fn obstacles(
    village: &Village,
    spec: &RouteSpec,
    access: &Access,
    has_substations: bool,
) -> Vec<String> {
    let mut reasons = Vec::new();
    if !spec.available {
        reasons.push("The route is switched off in the plan's catalogue.".to_owned());
    }
    let mut spur_days = 0.0;
    if let Some(within) = spec.gas_main_within_m {
        match access.gas_main {
            None => reasons.push("The plan has no existing gas main.".to_owned()),
            Some(main) if main.distance_m > within => reasons.push(format!(
                "The nearest gas main is {:.0} m away, more than the {within:.0} m a spur may run.",
                main.distance_m
            )),
            Some(main) => spur_days = (main.distance_m / SPUR_M_PER_DAY).ceil(),
        }
    }
    if spec.kw_per_household > 0.0 && has_substations && access.substation.is_none() {
        reasons.push("The substation the village names is not in the plan.".to_owned());
    }
    if spec.roof_m2_per_household > 0.0
        && let Some(roof) = village.roof_area_m2
        && roof < spec.roof_m2_per_household
    {
        reasons.push(format!(
            "A household has {roof:.0} m² of roof, less than the {:.0} m² the route needs.",
            spec.roof_m2_per_household
        ));
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "spur days are far below 2^53"
    )]
    let days = i64::from(spec.build_days) + spur_days as i64;
    if days > access.days_to_season {
        reasons.push(format!(
            "It takes {days} days to build, but the heating season starts in {}.",
            access.days_to_season
        ));
    }
    reasons
}

/// The economics of `spec` for one household of `village`.
#[must_use]
pub fn evaluate(
    village: &Village,
    spec: &RouteSpec,
    catalogue: &Catalogue,
    access: &Access,
    has_substations: bool,
) -> RouteEconomics {
    let reasons = obstacles(village, spec, access, has_substations);
    let households = f64::from(village.households.max(1));
    let heat_kwh = village.heated_area_m2 * spec.heat_kwh_per_m2 * (1.0 - spec.solar_fraction);
    let energy_units = heat_kwh / spec.efficiency / spec.carrier.kwh_per_unit();
    let prices = &catalogue.prices;
    let pv_income = spec.pv_kwp * prices.pv_yield_kwh_per_kwp * prices.pv_feed_in_cny_per_kwh;
    let bill_after_unsubsidised = energy_units * unit_price(catalogue, spec) - pv_income;
    let operating_subsidy =
        energy_units.min(spec.operating_subsidy_cap_units) * spec.operating_subsidy_cny_per_unit;
    let spur = match (spec.gas_main_within_m, access.gas_main) {
        (Some(_), Some(main)) => main.distance_m * spec.connection_cny_per_m / households,
        _ => 0.0,
    };
    let install_cost = spec.install_cny + spur;
    let mut left = install_cost;
    let subsidy_by_source: Vec<(String, f64)> = spec
        .subsidies
        .iter()
        .map(|rule| {
            let amount = (rule.share * install_cost)
                .min(rule.cap_cny)
                .min(left)
                .max(0.0);
            left -= amount;
            (rule.source.clone(), amount)
        })
        .collect();
    let subsidy: f64 = subsidy_by_source.iter().map(|(_, a)| a).sum();
    let own_install = install_cost - subsidy;
    let crf = capital_recovery(catalogue.discount_rate, spec.lifetime_years);
    let running = bill_after_unsubsidised + spec.maintenance_cny;
    let total_annual_cost = install_cost * crf + running;
    let household_annual_cost = own_install * crf + running;
    let bill_before = village.current_use_t * fuel_price(catalogue, village.current_fuel);
    let limit = village.affordability.limit_cny();
    let saving = bill_before - running;
    let load_kw = spec.kw_per_household * f64::from(village.households);
    RouteEconomics {
        route: spec.route,
        feasible: reasons.is_empty(),
        reasons,
        affordable: household_annual_cost <= limit,
        install_cost_cny: install_cost,
        subsidy_cny: subsidy,
        subsidy_by_source,
        install_cost_after_subsidy_cny: own_install,
        energy_units,
        carrier: spec.carrier,
        bill_before_cny: bill_before,
        bill_after_cny: bill_after_unsubsidised - operating_subsidy,
        bill_after_unsubsidised_cny: bill_after_unsubsidised,
        maintenance_cny: spec.maintenance_cny,
        total_annual_cost_cny: total_annual_cost,
        household_annual_cost_cny: household_annual_cost,
        affordability_limit_cny: limit,
        payback_years: (saving > 0.0).then(|| own_install / saving),
        substation_load_kw: load_kw,
        substation_load_kva: load_kw / catalogue.power_factor,
        gas_m3: if spec.carrier == Carrier::Gas {
            energy_units
        } else {
            0.0
        },
        gas_main_distance_m: access.gas_main.map(|m| m.distance_m),
    }
}

/// Calendar days from `start` to the first day of the first heating season that begins
/// after it.
#[must_use]
pub fn days_to_heating_season(start: NaiveDate, season: SeasonWindow) -> i64 {
    let (month, day) = season.from;
    let first = (start.year()..=start.year() + 1)
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .find(|d| *d > start);
    first.map_or(365, |d| (d - start).num_days())
}

/// Every available route for every village of `plan`.
#[must_use]
pub fn evaluate_all(plan: &Plan) -> Vec<VillageEconomics> {
    evaluate_inputs(
        &plan.heating,
        days_to_heating_season(plan.settings.start, plan.settings.calendars.heating_season),
    )
}

/// Every available route for every village of `inputs`, the season `days_to_season` away.
#[must_use]
pub fn evaluate_inputs(inputs: &HeatingInputs, days_to_season: i64) -> Vec<VillageEconomics> {
    let networks = Networks::new(inputs);
    let has_substations = !inputs.substations.is_empty();
    let catalogue = &inputs.catalogue;
    inputs
        .villages
        .iter()
        .enumerate()
        .map(|(i, village)| {
            let access = Access {
                gas_main: networks.nearest_gas_main(location(&village.shape)),
                substation: networks.feeding_substation(inputs, village),
                days_to_season,
            };
            let options = catalogue
                .routes
                .iter()
                .filter(|spec| spec.available)
                .map(|spec| evaluate(village, spec, catalogue, &access, has_substations))
                .collect();
            VillageEconomics {
                village: i,
                access,
                options,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
