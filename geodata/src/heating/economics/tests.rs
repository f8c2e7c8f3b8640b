//! Hand-computed figures for two villages under the default catalogue
//! (the same arithmetic is written out in `docs/heating.md`).

use geo::{Geometry, LineString, Point};

use super::*;
use crate::heating::model::{Affordability, CurrentFuel, GasMain, Substation, Village};
use crate::plan::Shape;

fn shape(g: Geometry<f64>) -> Shape {
    Shape {
        wgs84: g.clone(),
        local: g,
    }
}

/// Village "near" 500 m from a gas main; village "far" 6 km from it.
fn two_villages() -> HeatingInputs {
    let village = |id: &str, x: f64, households, area, fuel, use_t, affordability, roof| Village {
        id: id.into(),
        name: id.into(),
        district: "Yanqing".into(),
        households,
        heated_area_m2: area,
        current_fuel: fuel,
        current_use_t: use_t,
        affordability,
        roof_area_m2: roof,
        substation: None,
        shape: shape(Geometry::Point(Point::new(x, 0.0))),
    };
    HeatingInputs {
        villages: vec![
            village(
                "near",
                0.0,
                100,
                100.0,
                CurrentFuel::Coal,
                2.5,
                Affordability::CnyPerYear(4_000.0),
                None,
            ),
            village(
                "far",
                5_500.0,
                50,
                80.0,
                CurrentFuel::Briquette,
                2.0,
                Affordability::IncomeShare {
                    income_cny: 40_000.0,
                    share: 0.08,
                },
                Some(20.0),
            ),
        ],
        substations: vec![Substation {
            id: "s".into(),
            spare_kva: 1_200.0,
            upgradable_kva: 0.0,
            shape: shape(Geometry::Point(Point::new(100.0, 0.0))),
        }],
        gas_mains: vec![GasMain {
            id: "g".into(),
            shape: shape(Geometry::LineString(LineString::from(vec![
                (-1_000.0, -500.0),
                (-200.0, -500.0),
                (-200.0, 2_000.0),
            ]))),
        }],
        catalogue: Catalogue::default(),
    }
}

fn option(all: &[VillageEconomics], village: usize, route: Route) -> RouteEconomics {
    all[village]
        .options
        .iter()
        .find(|o| o.route == route)
        .cloned()
        .expect("every route is available by default")
}

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 0.01,
        "{actual} is not {expected}"
    );
}

#[test]
fn the_gas_boiler_near_the_main() {
    let all = evaluate_inputs(&two_villages(), 200);
    // 9,000 kWh of heat / 0.9 = 10,000 kWh = 1,000 m³ at 2.6 yuan.
    let gas = option(&all, 0, Route::GasWallBoiler);
    assert!(gas.feasible, "{:?}", gas.reasons);
    close(gas.gas_main_distance_m.unwrap_or_default(), 200.0);
    close(gas.gas_m3, 1_000.0);
    close(gas.bill_before_cny, 2_250.0);
    close(gas.bill_after_unsubsidised_cny, 2_600.0);
    close(gas.bill_after_cny, 1_600.0);
    // 10,000 + 200 m x 300 yuan / 100 households = 10,600; 70 % capped at 2,700.
    close(gas.install_cost_cny, 10_600.0);
    close(gas.subsidy_cny, 2_700.0);
    close(gas.install_cost_after_subsidy_cny, 7_900.0);
    // crf(5 %, 12 y) = 0.112825: 10,600 x 0.112825 + 2,600 + 200.
    close(gas.total_annual_cost_cny, 3_995.95);
    close(gas.household_annual_cost_cny, 3_691.32);
    assert!(gas.affordable);
    assert_eq!(gas.payback_years, None);
    close(gas.substation_load_kw, 15.0);
    close(gas.substation_load_kva, 16.67);
}

#[test]
fn electric_storage_and_the_heat_pump() {
    let all = evaluate_inputs(&two_villages(), 200);
    let storage = option(&all, 0, Route::ElectricThermalStorage);
    // 9,000 / 0.95 kWh at 0.9 x 0.30 + 0.1 x 0.52 = 0.322 yuan.
    close(storage.energy_units, 9_473.68);
    close(storage.bill_after_unsubsidised_cny, 3_050.53);
    close(storage.bill_after_cny, 1_155.79);
    close(storage.install_cost_after_subsidy_cny, 2_600.0);
    // crf(5 %, 15 y) = 0.096342.
    close(storage.total_annual_cost_cny, 4_113.95);
    close(storage.household_annual_cost_cny, 3_401.02);
    assert!(storage.affordable);
    close(storage.substation_load_kva, 1_000.0);

    let pump = option(&all, 1, Route::AirSourceHeatPump);
    // 7,200 kWh of heat / 2.5 = 2,880 kWh at 0.4 x 0.30 + 0.6 x 0.52 = 0.432 yuan.
    close(pump.bill_after_unsubsidised_cny, 1_244.16);
    close(pump.bill_after_cny, 668.16);
    close(pump.bill_before_cny, 2_000.0);
    close(pump.affordability_limit_cny, 3_200.0);
    close(pump.household_annual_cost_cny, 3_721.50);
    assert!(!pump.affordable);
    close(pump.payback_years.unwrap_or_default(), 49.58);
}

#[test]
fn routes_that_cannot_be_built_say_why() {
    let all = evaluate_inputs(&two_villages(), 200);
    let gas = option(&all, 1, Route::GasWallBoiler);
    assert!(!gas.feasible);
    assert!(gas.reasons[0].contains("5700 m away"), "{:?}", gas.reasons);
    let pv = option(&all, 1, Route::HeatPumpPv);
    assert!(
        pv.reasons.iter().any(|r| r.contains("20 m² of roof")),
        "{:?}",
        pv.reasons
    );
    // Sixty days to the season: a 90-day gas build is too late.
    let late = evaluate_inputs(&two_villages(), 60);
    assert!(!option(&late, 0, Route::GasWallBoiler).feasible);
    assert!(option(&late, 0, Route::BiomassPellet).feasible);
}

#[test]
fn capital_recovery_repays_the_capital() {
    close(capital_recovery(0.05, 12) * 1e4, 1_128.25);
    close(capital_recovery(0.0, 10), 0.1);
    close(
        present_value_factor(0.05, 15) * capital_recovery(0.05, 15),
        1.0,
    );
}
