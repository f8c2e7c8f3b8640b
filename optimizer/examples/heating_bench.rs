//! Route choice for a county-sized programme: 5,000 villages × 7 routes, 50 substations,
//! 20 gas mains and district subsidy budgets, optimised with the LP (and `--whole` with
//! the MILP). Prints the time of each stage.
//!
//! `cargo run --release --example heating_bench -- [--villages 5000] [--seed 1] [--whole]`

use std::time::Instant;

use geo::{Geometry, LineString, Point};
use geodata::heating::economics::evaluate_inputs;
use geodata::heating::{
    Affordability, Catalogue, CurrentFuel, GasMain, HeatingInputs, SubsidyBudget, Substation,
    Village,
};
use geodata::plan::Shape;
use optimizer::heating::choice::choose;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn shape(g: Geometry<f64>) -> Shape {
    Shape {
        wgs84: g.clone(),
        local: g,
    }
}

fn county(villages: usize, seed: u64) -> HeatingInputs {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let side = 60_000.0;
    let districts = ["A", "B", "C", "D", "E"];
    let fuels = [
        CurrentFuel::Coal,
        CurrentFuel::Briquette,
        CurrentFuel::Firewood,
    ];
    let villages: Vec<Village> = (0..villages)
        .map(|i| Village {
            id: format!("v{i}"),
            name: format!("v{i}"),
            district: districts[i % districts.len()].to_owned(),
            households: rng.random_range(30..400),
            heated_area_m2: rng.random_range(50.0..130.0),
            current_fuel: fuels[rng.random_range(0..fuels.len())],
            current_use_t: rng.random_range(1.5..3.5),
            affordability: Affordability::CnyPerYear(rng.random_range(2_500.0..5_000.0)),
            roof_area_m2: Some(rng.random_range(10.0..60.0)),
            substation: None,
            shape: shape(Geometry::Point(Point::new(
                rng.random_range(0.0..side),
                rng.random_range(0.0..side),
            ))),
        })
        .collect();
    let substations = (0..50)
        .map(|i| Substation {
            id: format!("s{i}"),
            spare_kva: rng.random_range(2_000.0..20_000.0),
            upgradable_kva: rng.random_range(0.0..5_000.0),
            shape: shape(Geometry::Point(Point::new(
                rng.random_range(0.0..side),
                rng.random_range(0.0..side),
            ))),
        })
        .collect();
    let gas_mains = (0..20)
        .map(|i| {
            let (x, y) = (rng.random_range(0.0..side), rng.random_range(0.0..side));
            GasMain {
                id: format!("g{i}"),
                shape: shape(Geometry::LineString(LineString::from(vec![
                    (x, y),
                    (
                        x + rng.random_range(-8_000.0..8_000.0),
                        y + rng.random_range(-8_000.0..8_000.0),
                    ),
                ]))),
            }
        })
        .collect();
    let catalogue = Catalogue {
        budgets: districts
            .iter()
            .map(|d| SubsidyBudget {
                source: "province".to_owned(),
                district: Some((*d).to_owned()),
                budget_cny: 150.0e6,
            })
            .collect(),
        gas_supply_m3: Some(40.0e6),
        ..Catalogue::default()
    };
    HeatingInputs {
        villages,
        substations,
        gas_mains,
        catalogue,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let villages = usize::try_from(value("--villages", 5_000)).unwrap_or(5_000);
    let seed = value("--seed", 1);
    let whole = args.iter().any(|a| a == "--whole");
    let inputs = county(villages, seed);
    let clock = Instant::now();
    let economics = evaluate_inputs(&inputs, 200);
    let evaluated = clock.elapsed();
    let options: usize = economics.iter().map(|e| e.options.len()).sum();
    let choice = match choose(&inputs, &economics, whole) {
        Ok(choice) => choice,
        Err(error) => {
            eprintln!("heating_bench: {error}");
            std::process::exit(1);
        }
    };
    let total = clock.elapsed();
    let unserved: f64 = choice.unserved.iter().sum();
    println!(
        "heating_bench: {villages} villages x {} routes ({options} options), {} mode: \
         economics {:.3} s, economics + choice {:.3} s; objective {:.4e} yuan, \
         unserved village shares {unserved:.2}",
        inputs.catalogue.routes.len(),
        if whole {
            "whole-village MILP"
        } else {
            "split LP"
        },
        evaluated.as_secs_f64(),
        total.as_secs_f64(),
        choice.objective,
    );
}
