//! The route catalogue written back as the plan's `"heating"` member
//! (`docs/input-format.md`), every member given, so that a plan written out (by
//! `digonce generate` or `digonce heating --apply`) reads back to the same catalogue.

use serde_json::{Map, Value, json};

use super::catalogue::{Catalogue, RouteSpec};

/// The whole catalogue as the `"plan": {"heating": ...}` member.
#[must_use]
pub fn to_json(c: &Catalogue) -> Value {
    let p = &c.prices;
    let mut heating = Map::new();
    heating.insert("discount_rate".into(), json!(c.discount_rate));
    heating.insert("appraisal_years".into(), json!(c.appraisal_years));
    if let Some(gas) = c.gas_supply_m3 {
        heating.insert("gas_supply_m3".into(), json!(gas));
    }
    heating.insert(
        "transformer_upgrade_cny_per_kva".into(),
        json!(c.transformer_upgrade_cny_per_kva),
    );
    heating.insert("power_factor".into(), json!(c.power_factor));
    heating.insert(
        "prices".into(),
        json!({
            "electricity_cny_per_kwh": p.electricity_cny_per_kwh,
            "electricity_off_peak_cny_per_kwh": p.electricity_off_peak_cny_per_kwh,
            "gas_cny_per_m3": p.gas_cny_per_m3,
            "lpg_cny_per_kg": p.lpg_cny_per_kg,
            "pellet_cny_per_kg": p.pellet_cny_per_kg,
            "coal_cny_per_t": p.coal_cny_per_t,
            "briquette_cny_per_t": p.briquette_cny_per_t,
            "firewood_cny_per_t": p.firewood_cny_per_t,
            "pv_feed_in_cny_per_kwh": p.pv_feed_in_cny_per_kwh,
            "pv_yield_kwh_per_kwp": p.pv_yield_kwh_per_kwp,
        }),
    );
    let routes: Map<String, Value> = c
        .routes
        .iter()
        .map(|r| (r.route.as_str().to_owned(), route(r)))
        .collect();
    heating.insert("routes".into(), Value::Object(routes));
    heating.insert("subsidy_budgets".into(), json!(c.budgets));
    Value::Object(heating)
}

fn route(r: &RouteSpec) -> Value {
    let mut m = json!({
        "available": r.available,
        "install_cny": r.install_cny,
        "subsidies": r.subsidies,
        "operating_subsidy_cny_per_unit": r.operating_subsidy_cny_per_unit,
        "operating_subsidy_cap_units": r.operating_subsidy_cap_units,
        "heat_kwh_per_m2": r.heat_kwh_per_m2,
        "efficiency": r.efficiency,
        "solar_fraction": r.solar_fraction,
        "off_peak_share": r.off_peak_share,
        "lifetime_years": r.lifetime_years,
        "maintenance_cny": r.maintenance_cny,
        "connection_cny_per_m": r.connection_cny_per_m,
        "kw_per_household": r.kw_per_household,
        "roof_m2_per_household": r.roof_m2_per_household,
        "pv_kwp": r.pv_kwp,
        "build_days": r.build_days,
    });
    if let (Some(within), Value::Object(map)) = (r.gas_main_within_m, &mut m) {
        map.insert("gas_main_within_m".into(), json!(within));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heating::Route;

    #[test]
    fn every_route_and_price_is_written() {
        let mut c = Catalogue::default();
        c.spec_mut(Route::LpgBoiler).install_cny = 1_234.0;
        c.gas_supply_m3 = Some(5.0e6);
        let v = to_json(&c);
        assert_eq!(v["routes"]["lpg_boiler"]["install_cny"], 1_234.0);
        assert_eq!(v["gas_supply_m3"], 5.0e6);
        assert_eq!(v["routes"].as_object().map(Map::len), Some(7));
        assert!(v["routes"]["gas_wall_boiler"]["gas_main_within_m"].is_number());
        assert!(v["routes"]["lpg_boiler"].get("gas_main_within_m").is_none());
        assert_eq!(v["prices"]["coal_cny_per_t"], c.prices.coal_cny_per_t);
    }
}
