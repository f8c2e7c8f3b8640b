//! Clean-heating routes per village, chosen: the household's arithmetic of
//! `geodata::heating` under substation capacity, gas supply and subsidy budgets.
//!
//! [`optimise`] evaluates every route for every village, chooses with a linear programme
//! ([`choice`]), rounds the chosen shares to whole households, prices the shared limits
//! (dual values) and explains what could not be done ([`explain`]). [`scenario`]s re-run
//! the same with prices or subsidies moved; [`works`] turns the choice into the works it
//! implies (gas mains, service connections, transformer upgrades, retrofits). The method and every default number are in
//! `docs/heating.md`.

pub mod choice;
pub mod explain;
pub mod report;
pub mod scenario;
pub mod works;

use std::collections::BTreeMap;

use geodata::heating::economics::{days_to_heating_season, evaluate_inputs, present_value_factor};
use geodata::heating::{HeatingInputs, Route, VillageEconomics};
use geodata::plan::Plan;

pub use choice::{Choice, ChoiceError};
pub use report::{HeatingReport, ScenarioResult, VillageResult};
pub use scenario::{Scenario, ScenarioError};

use report::{BudgetPrice, GasPrice, RouteShare, ShadowPrices, SubstationPrice};

/// How to choose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeatingOptions {
    /// One route per village (a MILP) instead of a split of its households.
    pub whole_villages: bool,
    /// Scenarios to compare with the base case.
    pub scenarios: Vec<Scenario>,
}

/// Why a plan's heating could not be optimised.
#[derive(Debug, thiserror::Error)]
pub enum HeatingError {
    /// The solver failed.
    #[error(transparent)]
    Choice(#[from] ChoiceError),
}

/// Chooses the routes for every village of `plan` and reports them.
///
/// # Errors
/// [`HeatingError::Choice`] when the solver fails. Infeasible capacities or budgets are
/// not errors: the households that cannot be converted are reported with the reason.
pub fn optimise(plan: &Plan, options: &HeatingOptions) -> Result<HeatingReport, HeatingError> {
    let days = days_to_heating_season(plan.settings.start, plan.settings.calendars.heating_season);
    let base = solve(&plan.heating, days, options.whole_villages)?;
    let mut scenarios = Vec::with_capacity(options.scenarios.len());
    for scenario in &options.scenarios {
        let inputs = HeatingInputs {
            catalogue: scenario.apply(&plan.heating.catalogue),
            ..plan.heating.clone()
        };
        let outcome = solve(&inputs, days, options.whole_villages)?;
        scenarios.push(ScenarioResult {
            name: scenario.name.clone(),
            total_cost_cny: outcome.total_cost,
            change_cny: outcome.total_cost - base.total_cost,
            households_by_route: outcome.by_route,
            unserved_households: outcome.unserved,
            relaxed_villages: outcome
                .villages
                .iter()
                .filter(|v| v.affordability_relaxed)
                .count(),
        });
    }
    let catalogue = &plan.heating.catalogue;
    Ok(HeatingReport {
        plan: plan.settings.name.clone(),
        mode: if options.whole_villages {
            "whole_villages"
        } else {
            "split"
        }
        .to_owned(),
        appraisal_years: catalogue.appraisal_years,
        discount_rate: catalogue.discount_rate,
        total_cost_cny: base.total_cost,
        subsidy_cny: base.subsidy,
        households_by_route: base.by_route,
        unserved_households: base.unserved,
        villages: base.villages,
        shadow_prices: base.prices,
        explanations: base.explanations,
        scenarios,
    })
}

/// One solved case.
struct Outcome {
    total_cost: f64,
    subsidy: f64,
    by_route: BTreeMap<Route, u32>,
    unserved: u32,
    villages: Vec<VillageResult>,
    prices: ShadowPrices,
    explanations: Vec<String>,
}

fn solve(inputs: &HeatingInputs, days_to_season: i64, whole: bool) -> Result<Outcome, ChoiceError> {
    let economics = evaluate_inputs(inputs, days_to_season);
    let choice = choice::choose(inputs, &economics, whole)?;
    Ok(outcome(inputs, &economics, &choice, whole))
}

/// Splits `households` over `shares` (summing to 1) by the largest remainder.
#[must_use]
pub fn round_households(households: u32, shares: &[f64]) -> Vec<u32> {
    let total = f64::from(households);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a share of at most 1 of a u32 count"
    )]
    let mut counts: Vec<u32> = shares
        .iter()
        .map(|s| (s.clamp(0.0, 1.0) * total).floor() as u32)
        .collect();
    let mut left = households.saturating_sub(counts.iter().sum());
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = shares[a] * total - f64::from(counts[a]);
        let rb = shares[b] * total - f64::from(counts[b]);
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(shares.len() * 2) {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    counts
}

fn outcome(
    inputs: &HeatingInputs,
    economics: &[VillageEconomics],
    choice: &Choice,
    whole: bool,
) -> Outcome {
    let catalogue = &inputs.catalogue;
    let pv = present_value_factor(catalogue.discount_rate, catalogue.appraisal_years);
    let mut total_cost: f64 = choice
        .upgrades
        .iter()
        .map(|kva| kva * catalogue.transformer_upgrade_cny_per_kva)
        .sum();
    let mut subsidy = 0.0;
    let mut by_route = BTreeMap::new();
    let mut unserved_total = 0;
    let mut villages = Vec::with_capacity(economics.len());
    for (ve, (shares, &unserved)) in economics
        .iter()
        .zip(choice.shares.iter().zip(&choice.unserved))
    {
        let village = &inputs.villages[ve.village];
        let households = f64::from(village.households);
        let mut fractions: Vec<f64> = shares.iter().map(|&(_, s)| s).collect();
        fractions.push(unserved);
        let counts = round_households(village.households, &fractions);
        let mut split = Vec::new();
        let mut relaxed = false;
        for (&(route, share), &count) in shares.iter().zip(&counts) {
            let option = ve.options.iter().find(|o| o.route == route);
            if let Some(o) = option {
                total_cost += households * share * pv * o.total_annual_cost_cny;
                subsidy += households * share * o.subsidy_cny;
                relaxed |= !o.affordable && count > 0;
            }
            if count > 0 {
                *by_route.entry(route).or_insert(0) += count;
                split.push(RouteShare {
                    route,
                    households: count,
                    share,
                });
            }
        }
        let unserved_households = counts.last().copied().unwrap_or(0);
        unserved_total += unserved_households;
        split.sort_by(|a, b| b.households.cmp(&a.households).then(a.route.cmp(&b.route)));
        villages.push(VillageResult {
            id: village.id.clone(),
            name: village.name.clone(),
            district: village.district.clone(),
            households: village.households,
            route: split.first().map(|s| s.route),
            split,
            unserved_households,
            affordability_relaxed: relaxed,
            gas_main_distance_m: ve.access.gas_main.map(|m| m.distance_m),
            substation: ve
                .access
                .substation
                .map(|s| inputs.substations[s].id.clone()),
            options: ve.options.clone(),
        });
    }
    let prices = shadow_prices(inputs, economics, choice, whole);
    let explanations = explain::explain(inputs, economics, &villages, &prices);
    Outcome {
        total_cost,
        subsidy,
        by_route,
        unserved: unserved_total,
        villages,
        prices,
        explanations,
    }
}

/// The saving of one more unit of a limit from its dual (≤ 0 when binding).
fn saving(dual: Option<&f64>) -> f64 {
    let s = -dual.copied().unwrap_or(0.0);
    if s.abs() < 1e-6 { 0.0 } else { s }
}

fn shadow_prices(
    inputs: &HeatingInputs,
    economics: &[VillageEconomics],
    choice: &Choice,
    whole: bool,
) -> ShadowPrices {
    let catalogue = &inputs.catalogue;
    let mut load = vec![0.0; inputs.substations.len()];
    let mut budget_use = vec![0.0; catalogue.budgets.len()];
    let mut gas = 0.0;
    for (ve, shares) in economics.iter().zip(&choice.shares) {
        let village = &inputs.villages[ve.village];
        let households = f64::from(village.households);
        for &(route, share) in shares {
            let Some(o) = ve.options.iter().find(|o| o.route == route) else {
                continue;
            };
            if let Some(s) = ve.access.substation {
                load[s] += share * o.substation_load_kva;
            }
            gas += households * share * o.gas_m3;
            for (b, budget) in catalogue.budgets.iter().enumerate() {
                if let Some(amount) =
                    budget.draw_per_household(&village.district, &o.subsidy_by_source)
                {
                    budget_use[b] += households * share * amount;
                }
            }
        }
    }
    ShadowPrices {
        method: if whole {
            "dual values of the LP relaxation (households may be split)"
        } else {
            "dual values of the LP"
        }
        .to_owned(),
        substations: inputs
            .substations
            .iter()
            .enumerate()
            .map(|(i, s)| SubstationPrice {
                id: s.id.clone(),
                spare_kva: s.spare_kva,
                load_kva: load[i],
                upgrade_kva: choice.upgrades[i],
                saving_cny_per_kva: saving(choice.duals.substations.get(i)),
            })
            .collect(),
        budgets: catalogue
            .budgets
            .iter()
            .enumerate()
            .map(|(i, b)| BudgetPrice {
                source: b.source.clone(),
                district: b.district.clone(),
                budget_cny: b.budget_cny,
                used_cny: budget_use[i],
                saving_cny_per_million: saving(choice.duals.budgets.get(i)) * 1.0e6,
            })
            .collect(),
        gas_supply: catalogue.gas_supply_m3.map(|supply| GasPrice {
            supply_m3: supply,
            used_m3: gas,
            saving_cny_per_m3: saving(choice.duals.gas.as_ref()),
        }),
    }
}

#[cfg(test)]
mod tests;
