//! The choice against brute force on small instances, shadow prices, and infeasible
//! limits explained.

use geo::{Geometry, Point};
use geodata::heating::economics::present_value_factor;
use geodata::heating::{
    Affordability, Catalogue, CurrentFuel, HeatingInputs, Route, SubsidyBudget, Substation, Village,
};
use geodata::plan::Shape;
use proptest::prelude::*;

use super::choice::{AFFORDABILITY_PENALTY, UNSERVED_PENALTY, choose};
use super::*;

fn point(x: f64) -> Shape {
    let g = Geometry::Point(Point::new(x, 0.0));
    Shape {
        wgs84: g.clone(),
        local: g,
    }
}

fn village(id: usize, households: u32, area: f64, limit: f64) -> Village {
    Village {
        id: format!("v{id}"),
        name: format!("v{id}"),
        district: if id.is_multiple_of(2) { "A" } else { "B" }.to_owned(),
        households,
        heated_area_m2: area,
        current_fuel: CurrentFuel::Coal,
        current_use_t: 2.5,
        affordability: Affordability::CnyPerYear(limit),
        roof_area_m2: None,
        substation: None,
        shape: point(f64::from(u32::try_from(id).unwrap_or(0)) * 100.0),
    }
}

/// Villages fed by one substation, three electric-only routes, one budget.
fn instance(villages: Vec<Village>, spare: f64, upgradable: f64, budget: f64) -> HeatingInputs {
    let mut catalogue = Catalogue::default();
    for spec in &mut catalogue.routes {
        spec.available = matches!(
            spec.route,
            Route::ElectricThermalStorage | Route::AirSourceHeatPump | Route::BiomassPellet
        );
    }
    catalogue.budgets.push(SubsidyBudget {
        source: "province".to_owned(),
        district: None,
        budget_cny: budget,
    });
    HeatingInputs {
        villages,
        substations: vec![Substation {
            id: "s".to_owned(),
            spare_kva: spare,
            upgradable_kva: upgradable,
            shape: point(0.0),
        }],
        gas_mains: Vec::new(),
        catalogue,
    }
}

/// The best objective over every assignment of one route (or none) per village.
fn brute_force(inputs: &HeatingInputs) -> f64 {
    let economics = evaluate_inputs(inputs, 365);
    let catalogue = &inputs.catalogue;
    let pv = present_value_factor(catalogue.discount_rate, catalogue.appraisal_years);
    let choices: Vec<Vec<Option<usize>>> = economics
        .iter()
        .map(|ve| {
            std::iter::once(None)
                .chain(
                    (0..ve.options.len())
                        .filter(|&i| ve.options[i].feasible)
                        .map(Some),
                )
                .collect()
        })
        .collect();
    let mut best = f64::INFINITY;
    let mut pick = vec![0usize; choices.len()];
    loop {
        let (mut cost, mut kva, mut subsidy) = (0.0, 0.0, 0.0);
        for (v, ve) in economics.iter().enumerate() {
            let h = f64::from(inputs.villages[v].households);
            match choices[v][pick[v]] {
                None => cost += h.max(1.0) * UNSERVED_PENALTY,
                Some(i) => {
                    let o = &ve.options[i];
                    cost += h * pv * o.total_annual_cost_cny;
                    if !o.affordable {
                        cost += h * AFFORDABILITY_PENALTY;
                    }
                    kva += o.substation_load_kva;
                    subsidy += h * o
                        .subsidy_by_source
                        .iter()
                        .filter(|(source, _)| source == "province")
                        .map(|(_, a)| a)
                        .sum::<f64>();
                }
            }
        }
        let s = &inputs.substations[0];
        let upgrade = (kva - s.spare_kva).max(0.0);
        if upgrade <= s.upgradable_kva + 1e-9 && subsidy <= catalogue.budgets[0].budget_cny + 1e-6 {
            best = best.min(cost + upgrade * catalogue.transformer_upgrade_cny_per_kva);
        }
        // next assignment
        let mut v = 0;
        loop {
            if v == pick.len() {
                return best;
            }
            pick[v] += 1;
            if pick[v] < choices[v].len() {
                break;
            }
            pick[v] = 0;
            v += 1;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn whole_village_choice_matches_brute_force(
        sizes in prop::collection::vec((1u32..60, 40.0f64..140.0, 2_000.0f64..5_000.0), 1..5),
        spare in 0.0f64..800.0,
        upgradable in 0.0f64..300.0,
        budget in 0.0f64..600_000.0,
    ) {
        let villages = sizes
            .iter()
            .enumerate()
            .map(|(i, &(h, a, l))| village(i, h, a, l))
            .collect();
        let inputs = instance(villages, spare, upgradable, budget);
        let economics = evaluate_inputs(&inputs, 365);
        let whole = choose(&inputs, &economics, true).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let split = choose(&inputs, &economics, false).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let best = brute_force(&inputs);
        let tolerance = 1e-6 * best.abs().max(1.0);
        prop_assert!((whole.objective - best).abs() <= tolerance, "MILP {} brute force {}", whole.objective, best);
        prop_assert!(split.objective <= best + tolerance, "LP {} above brute force {}", split.objective, best);
    }
}

#[test]
fn households_are_rounded_by_largest_remainder() {
    assert_eq!(round_households(10, &[0.55, 0.45, 0.0]), vec![6, 4, 0]);
    assert_eq!(round_households(3, &[1.0 / 3.0; 3]), vec![1, 1, 1]);
    assert_eq!(round_households(7, &[0.5, 0.5]).iter().sum::<u32>(), 7);
}

fn plan_of(inputs: HeatingInputs) -> Plan {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default();
    let mut plan = geodata::testkit::PlanBuilder::new(start).build();
    plan.heating = inputs;
    plan
}

#[test]
fn a_full_substation_is_explained_and_priced() -> Result<(), HeatingError> {
    // Two villages of 100 households, pellets switched off: only electric routes, and
    // 500 kVA for 700 kVA of the cheapest (heat pumps at 3.5 kW / 0.9).
    let mut inputs = instance(
        vec![
            village(0, 100, 100.0, 10_000.0),
            village(1, 100, 100.0, 10_000.0),
        ],
        500.0,
        0.0,
        1.0e9,
    );
    inputs.catalogue.spec_mut(Route::BiomassPellet).available = false;
    let report = optimise(&plan_of(inputs.clone()), &HeatingOptions::default())?;
    assert!(report.unserved_households > 0);
    assert!(
        report
            .explanations
            .iter()
            .any(|e| e.contains("substation s is full")),
        "{:?}",
        report.explanations
    );
    assert!(report.shadow_prices.substations[0].saving_cny_per_kva > 0.0);
    // With room for an upgrade everything is converted and one more kVA saves its price.
    inputs.substations[0].upgradable_kva = 5_000.0;
    let report = optimise(&plan_of(inputs), &HeatingOptions::default())?;
    assert_eq!(report.unserved_households, 0);
    let s = &report.shadow_prices.substations[0];
    assert!((s.upgrade_kva - (s.load_kva - 500.0)).abs() < 1e-6, "{s:?}");
    assert!((s.saving_cny_per_kva - 1_000.0).abs() < 1e-3, "{s:?}");
    Ok(())
}

#[test]
fn an_unaffordable_route_is_a_last_resort_and_said() -> Result<(), HeatingError> {
    let inputs = instance(vec![village(0, 10, 100.0, 100.0)], 1.0e6, 0.0, 1.0e9);
    let report = optimise(&plan_of(inputs), &HeatingOptions::default())?;
    let v = &report.villages[0];
    assert!(v.affordability_relaxed);
    assert_eq!(v.unserved_households, 0);
    assert!(
        report.explanations[0].contains("no affordable route"),
        "{:?}",
        report.explanations
    );
    Ok(())
}

#[test]
fn a_spent_budget_has_a_price_and_a_cut_scenario_costs_more() -> Result<(), HeatingError> {
    let villages = (0..4).map(|i| village(i, 50, 100.0, 3_500.0)).collect();
    let mut inputs = instance(villages, 1.0e6, 0.0, 500_000.0);
    inputs.catalogue.spec_mut(Route::BiomassPellet).available = false;
    let options = HeatingOptions {
        whole_villages: false,
        scenarios: vec!["subsidy-50".parse().map_err(|_| unreachable_scenario())?],
    };
    let report = optimise(&plan_of(inputs), &options)?;
    let budget = &report.shadow_prices.budgets[0];
    assert!(budget.used_cny <= 500_000.0 + 1e-3);
    assert!(budget.saving_cny_per_million > 0.0, "{budget:?}");
    assert_eq!(report.scenarios.len(), 1);
    Ok(())
}

fn unreachable_scenario() -> HeatingError {
    HeatingError::Choice(ChoiceError {
        source: good_lp::ResolutionError::Other("bad scenario in a test"),
    })
}
