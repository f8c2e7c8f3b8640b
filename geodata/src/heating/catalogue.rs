//! The route catalogue: what each clean-heating route costs, uses and needs, the energy
//! prices and the subsidy budgets, with built-in defaults.
//!
//! Every default number is listed with its source in `docs/heating.md`; where the sources
//! only give a range the default is a point inside it and the page says so. A plan
//! overrides any of them in `"plan": {"heating": {...}}` (`docs/input-format.md`).

use serde::{Deserialize, Serialize};

/// A clean-heating route (one way of replacing a household's coal stove).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Gas wall-hung boiler on a piped-gas connection (煤改气).
    GasWallBoiler,
    /// Electric thermal-storage heaters charged at the off-peak tariff (蓄热式电暖器).
    ElectricThermalStorage,
    /// Air-source heat pump (空气源热泵).
    AirSourceHeatPump,
    /// Biomass pellet stove or boiler (生物质颗粒).
    BiomassPellet,
    /// Solar thermal collectors with an electric backup heater (太阳能+电辅热).
    SolarThermalElectric,
    /// LPG wall-hung boiler, bottled gas (液化石油气).
    LpgBoiler,
    /// Air-source heat pump bundled with rooftop PV whose income offsets the bill (光伏+热泵).
    HeatPumpPv,
}

impl Route {
    /// Every route, in a stable order.
    pub const ALL: [Route; 7] = [
        Route::GasWallBoiler,
        Route::ElectricThermalStorage,
        Route::AirSourceHeatPump,
        Route::BiomassPellet,
        Route::SolarThermalElectric,
        Route::LpgBoiler,
        Route::HeatPumpPv,
    ];

    /// The name used in files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Route::GasWallBoiler => "gas_wall_boiler",
            Route::ElectricThermalStorage => "electric_thermal_storage",
            Route::AirSourceHeatPump => "air_source_heat_pump",
            Route::BiomassPellet => "biomass_pellet",
            Route::SolarThermalElectric => "solar_thermal_electric",
            Route::LpgBoiler => "lpg_boiler",
            Route::HeatPumpPv => "heat_pump_pv",
        }
    }

    /// The route named `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Route> {
        Route::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// Whether the route burns piped gas (and needs a gas main).
    #[must_use]
    pub fn is_gas(self) -> bool {
        self == Route::GasWallBoiler
    }
}

/// The energy a route buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Carrier {
    /// Grid electricity in kWh.
    Electricity,
    /// Piped natural gas in m³.
    Gas,
    /// Bottled LPG in kg.
    Lpg,
    /// Biomass pellets in kg.
    Pellet,
}

impl Carrier {
    /// Usable energy in kWh per unit bought (kWh, m³, kg).
    #[must_use]
    pub fn kwh_per_unit(self) -> f64 {
        match self {
            Carrier::Electricity => 1.0,
            // natural gas, lower heating value about 36 MJ/m³
            Carrier::Gas => 10.0,
            // LPG, about 46 MJ/kg
            Carrier::Lpg => 12.8,
            // wood pellets, about 16.9 MJ/kg
            Carrier::Pellet => 4.7,
        }
    }
}

/// One install subsidy: a share of the install cost from one source, capped per household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubsidyRule {
    /// Who pays (`central`, `province`, `county`, ...); budgets are kept per source.
    pub source: String,
    /// Share of the install cost (0–1).
    pub share: f64,
    /// At most this many yuan per household.
    pub cap_cny: f64,
}

/// What a route costs, uses and needs, per household.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteSpec {
    /// Which route.
    pub route: Route,
    /// Whether it may be chosen at all.
    pub available: bool,
    /// The energy it buys.
    pub carrier: Carrier,
    /// Equipment and installation in yuan per household (in-village gas network included).
    pub install_cny: f64,
    /// Install subsidies.
    pub subsidies: Vec<SubsidyRule>,
    /// Operating subsidy in yuan per unit of the carrier (kWh, m³).
    pub operating_subsidy_cny_per_unit: f64,
    /// Units per household per year the operating subsidy covers.
    pub operating_subsidy_cap_units: f64,
    /// Useful heat per m² of heated floor per season in kWh.
    pub heat_kwh_per_m2: f64,
    /// Seasonal efficiency (a coefficient of performance for heat pumps).
    pub efficiency: f64,
    /// Share of the heat from the sun (solar thermal).
    pub solar_fraction: f64,
    /// Share of the electricity bought at the off-peak tariff.
    pub off_peak_share: f64,
    /// Equipment lifetime in years.
    pub lifetime_years: u32,
    /// Maintenance in yuan per household per year.
    pub maintenance_cny: f64,
    /// A gas main must lie within this many metres of the village.
    pub gas_main_within_m: Option<f64>,
    /// The village's spur to the main in yuan per metre (shared by its households).
    pub connection_cny_per_m: f64,
    /// Load on the feeding substation in kW per household (after diversity).
    pub kw_per_household: f64,
    /// Roof area a household needs in m² (PV).
    pub roof_m2_per_household: f64,
    /// PV peak power per household in kWp.
    pub pv_kwp: f64,
    /// Days from households confirmed to heating working, without a spur.
    pub build_days: u32,
}

/// Energy prices and PV yield.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    /// Residential electricity, yuan per kWh.
    pub electricity_cny_per_kwh: f64,
    /// Off-peak (valley) tariff for heating, yuan per kWh.
    pub electricity_off_peak_cny_per_kwh: f64,
    /// Piped gas, yuan per m³.
    pub gas_cny_per_m3: f64,
    /// LPG, yuan per kg.
    pub lpg_cny_per_kg: f64,
    /// Wood pellets, yuan per kg.
    pub pellet_cny_per_kg: f64,
    /// Loose coal, yuan per tonne.
    pub coal_cny_per_t: f64,
    /// Coal briquettes, yuan per tonne.
    pub briquette_cny_per_t: f64,
    /// Firewood, yuan per tonne.
    pub firewood_cny_per_t: f64,
    /// What the grid pays for PV power, yuan per kWh.
    pub pv_feed_in_cny_per_kwh: f64,
    /// PV yield, kWh per kWp per year.
    pub pv_yield_kwh_per_kwp: f64,
}

/// A budget for install subsidies of one source, in one district or overall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubsidyBudget {
    /// The source (`province`, ...).
    pub source: String,
    /// The district it is for (absent: every district).
    pub district: Option<String>,
    /// Yuan available.
    pub budget_cny: f64,
}

impl SubsidyBudget {
    /// Yuan this budget pays per household converted in `district` whose install subsidy
    /// comes from `by_source` (`(source, yuan)`); `None` when the budget is for another
    /// district.
    #[must_use]
    pub fn draw_per_household(&self, district: &str, by_source: &[(String, f64)]) -> Option<f64> {
        if self.district.as_deref().is_some_and(|d| d != district) {
            return None;
        }
        Some(
            by_source
                .iter()
                .filter(|(source, _)| *source == self.source)
                .map(|(_, yuan)| yuan)
                .sum(),
        )
    }
}

/// Routes, prices, money and capacities.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    /// One spec per route, in [`Route::ALL`] order.
    pub routes: Vec<RouteSpec>,
    /// Energy prices.
    pub prices: Prices,
    /// Real discount rate for annualising equipment.
    pub discount_rate: f64,
    /// Years over which total cost is counted (present value).
    pub appraisal_years: u32,
    /// Install subsidy budgets.
    pub budgets: Vec<SubsidyBudget>,
    /// Gas the supplier can deliver to converted villages per season, m³ (absent: no limit).
    pub gas_supply_m3: Option<f64>,
    /// Cost of transformer capacity added by an upgrade, yuan per kVA.
    pub transformer_upgrade_cny_per_kva: f64,
    /// Power factor turning kW into kVA.
    pub power_factor: f64,
}

impl Catalogue {
    /// The spec of `route`.
    #[must_use]
    pub fn spec(&self, route: Route) -> &RouteSpec {
        let i = Route::ALL.iter().position(|r| *r == route).unwrap_or(0);
        &self.routes[i]
    }

    /// The spec of `route`, to change it.
    pub fn spec_mut(&mut self, route: Route) -> &mut RouteSpec {
        let i = Route::ALL.iter().position(|r| *r == route).unwrap_or(0);
        &mut self.routes[i]
    }
}

impl Default for Prices {
    fn default() -> Self {
        // Sources and ranges: docs/heating.md, "Prices".
        Self {
            electricity_cny_per_kwh: 0.52,
            electricity_off_peak_cny_per_kwh: 0.30,
            gas_cny_per_m3: 2.6,
            lpg_cny_per_kg: 7.0,
            pellet_cny_per_kg: 1.0,
            coal_cny_per_t: 900.0,
            briquette_cny_per_t: 1_000.0,
            firewood_cny_per_t: 500.0,
            pv_feed_in_cny_per_kwh: 0.36,
            pv_yield_kwh_per_kwp: 1_200.0,
        }
    }
}

fn electric_subsidy() -> Vec<SubsidyRule> {
    vec![SubsidyRule {
        source: "province".to_owned(),
        share: 0.85,
        cap_cny: 7_400.0,
    }]
}

impl Default for Catalogue {
    #[expect(clippy::too_many_lines, reason = "one table of seven routes")]
    fn default() -> Self {
        // Sources and ranges: docs/heating.md, "Routes".
        let base = RouteSpec {
            route: Route::GasWallBoiler,
            available: true,
            carrier: Carrier::Electricity,
            install_cny: 0.0,
            subsidies: Vec::new(),
            operating_subsidy_cny_per_unit: 0.0,
            operating_subsidy_cap_units: 0.0,
            heat_kwh_per_m2: 90.0,
            efficiency: 1.0,
            solar_fraction: 0.0,
            off_peak_share: 0.0,
            lifetime_years: 15,
            maintenance_cny: 0.0,
            gas_main_within_m: None,
            connection_cny_per_m: 0.0,
            kw_per_household: 0.0,
            roof_m2_per_household: 0.0,
            pv_kwp: 0.0,
            build_days: 60,
        };
        let electric_operating = |spec: RouteSpec| RouteSpec {
            operating_subsidy_cny_per_unit: 0.2,
            operating_subsidy_cap_units: 10_000.0,
            ..spec
        };
        let routes = vec![
            RouteSpec {
                route: Route::GasWallBoiler,
                carrier: Carrier::Gas,
                install_cny: 10_000.0,
                subsidies: vec![SubsidyRule {
                    source: "province".to_owned(),
                    share: 0.7,
                    cap_cny: 2_700.0,
                }],
                operating_subsidy_cny_per_unit: 1.0,
                operating_subsidy_cap_units: 1_200.0,
                efficiency: 0.9,
                lifetime_years: 12,
                maintenance_cny: 200.0,
                gas_main_within_m: Some(5_000.0),
                connection_cny_per_m: 300.0,
                kw_per_household: 0.15,
                build_days: 90,
                ..base.clone()
            },
            electric_operating(RouteSpec {
                route: Route::ElectricThermalStorage,
                install_cny: 10_000.0,
                subsidies: electric_subsidy(),
                efficiency: 0.95,
                off_peak_share: 0.9,
                lifetime_years: 15,
                maintenance_cny: 100.0,
                kw_per_household: 9.0,
                build_days: 45,
                ..base.clone()
            }),
            electric_operating(RouteSpec {
                route: Route::AirSourceHeatPump,
                install_cny: 30_000.0,
                subsidies: electric_subsidy(),
                efficiency: 2.5,
                off_peak_share: 0.4,
                lifetime_years: 15,
                maintenance_cny: 300.0,
                kw_per_household: 3.5,
                build_days: 60,
                ..base.clone()
            }),
            RouteSpec {
                route: Route::BiomassPellet,
                carrier: Carrier::Pellet,
                install_cny: 4_000.0,
                subsidies: vec![SubsidyRule {
                    source: "county".to_owned(),
                    share: 0.5,
                    cap_cny: 2_000.0,
                }],
                efficiency: 0.78,
                lifetime_years: 10,
                maintenance_cny: 150.0,
                kw_per_household: 0.1,
                build_days: 30,
                ..base.clone()
            },
            electric_operating(RouteSpec {
                route: Route::SolarThermalElectric,
                install_cny: 18_000.0,
                subsidies: electric_subsidy(),
                efficiency: 0.95,
                solar_fraction: 0.35,
                off_peak_share: 0.5,
                lifetime_years: 15,
                maintenance_cny: 200.0,
                kw_per_household: 6.0,
                roof_m2_per_household: 10.0,
                build_days: 60,
                ..base.clone()
            }),
            RouteSpec {
                route: Route::LpgBoiler,
                carrier: Carrier::Lpg,
                install_cny: 6_000.0,
                efficiency: 0.9,
                lifetime_years: 12,
                maintenance_cny: 200.0,
                kw_per_household: 0.15,
                build_days: 30,
                ..base.clone()
            },
            electric_operating(RouteSpec {
                route: Route::HeatPumpPv,
                install_cny: 50_000.0,
                subsidies: electric_subsidy(),
                efficiency: 2.5,
                off_peak_share: 0.4,
                lifetime_years: 15,
                maintenance_cny: 400.0,
                kw_per_household: 3.5,
                roof_m2_per_household: 30.0,
                pv_kwp: 5.0,
                build_days: 75,
                ..base
            }),
        ];
        Self {
            routes,
            prices: Prices::default(),
            discount_rate: 0.05,
            appraisal_years: 15,
            budgets: Vec::new(),
            gas_supply_m3: None,
            transformer_upgrade_cny_per_kva: 1_000.0,
            power_factor: 0.9,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_catalogue_has_every_route_in_order() {
        let catalogue = Catalogue::default();
        let routes: Vec<Route> = catalogue.routes.iter().map(|s| s.route).collect();
        assert_eq!(routes, Route::ALL);
        for route in Route::ALL {
            assert_eq!(catalogue.spec(route).route, route);
            assert_eq!(Route::from_name(route.as_str()), Some(route));
        }
    }

    #[test]
    fn only_the_gas_boiler_needs_a_gas_main() {
        let catalogue = Catalogue::default();
        for spec in &catalogue.routes {
            assert_eq!(spec.gas_main_within_m.is_some(), spec.route.is_gas());
        }
    }
}
