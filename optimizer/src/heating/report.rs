//! The result of `digonce heating`: per village the chosen route and every option, the
//! total cost, the shadow prices and what could not be done (`docs/heating.md`).

use std::collections::BTreeMap;

use serde::Serialize;

use geodata::heating::{Route, RouteEconomics};

/// Households of a village on one route.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteShare {
    /// The route.
    pub route: Route,
    /// Whole households (the shares rounded by largest remainder).
    pub households: u32,
    /// The share the model chose (0–1).
    pub share: f64,
}

/// One village's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VillageResult {
    /// Feature id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// District.
    pub district: String,
    /// Households.
    pub households: u32,
    /// The route of most of its households (none: none converted).
    pub route: Option<Route>,
    /// Every route chosen for some of its households.
    pub split: Vec<RouteShare>,
    /// Households left on their old stoves (no route possible within the limits).
    pub unserved_households: u32,
    /// Some households got a route they cannot afford because nothing affordable was
    /// possible.
    pub affordability_relaxed: bool,
    /// Distance to the nearest gas main, metres.
    pub gas_main_distance_m: Option<f64>,
    /// The feeding substation.
    pub substation: Option<String>,
    /// Every available route with its figures per household.
    pub options: Vec<RouteEconomics>,
}

/// A substation's capacity and what one more kVA would save.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubstationPrice {
    /// Feature id.
    pub id: String,
    /// Spare capacity, kVA.
    pub spare_kva: f64,
    /// Load of the chosen routes, kVA.
    pub load_kva: f64,
    /// Added by a transformer upgrade, kVA.
    pub upgrade_kva: f64,
    /// Total cost saved by one more kVA of spare capacity, yuan.
    pub saving_cny_per_kva: f64,
}

/// A subsidy budget's use and what one more million yuan would save.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetPrice {
    /// Source.
    pub source: String,
    /// District (none: all).
    pub district: Option<String>,
    /// Budget, yuan.
    pub budget_cny: f64,
    /// Spent by the chosen routes, yuan.
    pub used_cny: f64,
    /// Total cost saved by one more million yuan of this budget, yuan.
    pub saving_cny_per_million: f64,
}

/// The gas supply's use and what one more m³ would save.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GasPrice {
    /// Supply, m³ per season.
    pub supply_m3: f64,
    /// Used by the chosen routes, m³.
    pub used_m3: f64,
    /// Total cost saved by one more m³, yuan.
    pub saving_cny_per_m3: f64,
}

/// Shadow prices of the shared limits.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ShadowPrices {
    /// `dual` of the LP, or of its relaxation with one route per village.
    pub method: String,
    /// Per substation.
    pub substations: Vec<SubstationPrice>,
    /// Per subsidy budget.
    pub budgets: Vec<BudgetPrice>,
    /// The gas supply, when limited.
    pub gas_supply: Option<GasPrice>,
}

/// A scenario's outcome beside the base case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    /// As written (`prices+20`).
    pub name: String,
    /// Total cost, yuan.
    pub total_cost_cny: f64,
    /// Against the base case, yuan.
    pub change_cny: f64,
    /// Households per route.
    pub households_by_route: BTreeMap<Route, u32>,
    /// Households left unconverted.
    pub unserved_households: u32,
    /// Villages with a route they cannot afford.
    pub relaxed_villages: usize,
}

/// Everything `digonce heating` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatingReport {
    /// Plan name.
    pub plan: String,
    /// `split` (households of a village may take different routes) or `whole_villages`.
    pub mode: String,
    /// Years the total cost counts.
    pub appraisal_years: u32,
    /// Discount rate.
    pub discount_rate: f64,
    /// Present value of every converted household's total annual cost over the
    /// appraisal years plus transformer upgrades, yuan (public and households together).
    pub total_cost_cny: f64,
    /// Of which install subsidies, yuan.
    pub subsidy_cny: f64,
    /// Households per route.
    pub households_by_route: BTreeMap<Route, u32>,
    /// Households left unconverted.
    pub unserved_households: u32,
    /// One entry per village, in plan order.
    pub villages: Vec<VillageResult>,
    /// Shadow prices.
    pub shadow_prices: ShadowPrices,
    /// What could not be done and why, one sentence each.
    pub explanations: Vec<String>,
    /// Scenarios asked for.
    pub scenarios: Vec<ScenarioResult>,
}
