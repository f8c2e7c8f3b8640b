//! What could not be done and why, in sentences an official can act on.

use geodata::heating::{HeatingInputs, VillageEconomics};

use super::report::{ShadowPrices, VillageResult};

/// Whether `used` fills `limit` (within a rounding tolerance).
fn full(used: f64, limit: f64) -> bool {
    used >= limit * (1.0 - 1e-6) - 1e-6
}

/// The shared limits the choice fills.
struct Full {
    substations: Vec<String>,
    budgets: Vec<String>,
    gas: bool,
}

impl Full {
    fn of(inputs: &HeatingInputs, prices: &ShadowPrices) -> Self {
        let substations = prices
            .substations
            .iter()
            .filter(|s| {
                let upgradable = inputs
                    .substations
                    .iter()
                    .find(|x| x.id == s.id)
                    .map_or(0.0, |x| x.upgradable_kva);
                s.load_kva > 0.0 && full(s.load_kva, s.spare_kva + upgradable)
            })
            .map(|s| s.id.clone())
            .collect();
        let budgets = prices
            .budgets
            .iter()
            .filter(|b| full(b.used_cny, b.budget_cny))
            .map(|b| match &b.district {
                Some(d) => format!("the {} subsidy budget of {d}", b.source),
                None => format!("the {} subsidy budget", b.source),
            })
            .collect();
        let gas = prices
            .gas_supply
            .as_ref()
            .is_some_and(|g| full(g.used_m3, g.supply_m3));
        Self {
            substations,
            budgets,
            gas,
        }
    }

    /// Why households of `village` were left on coal.
    fn unserved(&self, ve: &VillageEconomics, village: &VillageResult) -> String {
        if !ve.options.iter().any(|o| o.feasible) {
            let why: Vec<String> = ve
                .options
                .iter()
                .map(|o| format!("{}: {}", o.route.as_str(), o.reasons.join(" ")))
                .collect();
            return format!(
                "Village {} ({} households) cannot be converted: no route can be built there ({}).",
                village.id,
                village.households,
                why.join("; ")
            );
        }
        let mut limits = Vec::new();
        if let Some(s) = &village.substation
            && self.substations.contains(s)
        {
            limits.push(format!("substation {s} is full even after its upgrade"));
        }
        limits.extend(
            self.budgets
                .iter()
                .filter(|b| b.ends_with("budget") || b.ends_with(&village.district))
                .map(|b| format!("{b} is spent")),
        );
        if self.gas {
            limits.push("the gas supply is used up".to_owned());
        }
        if limits.is_empty() {
            limits.push("the shared limits leave no room".to_owned());
        }
        format!(
            "Village {}: {} of {} households cannot be converted: {}.",
            village.id,
            village.unserved_households,
            village.households,
            limits.join(", ")
        )
    }
}

/// One sentence per village left (partly) unconverted or given an unaffordable route, and
/// one per shared limit that binds.
#[must_use]
pub fn explain(
    inputs: &HeatingInputs,
    economics: &[VillageEconomics],
    villages: &[VillageResult],
    prices: &ShadowPrices,
) -> Vec<String> {
    let mut out = Vec::new();
    let limits = Full::of(inputs, prices);
    for (ve, village) in economics.iter().zip(villages) {
        if village.unserved_households > 0 {
            out.push(limits.unserved(ve, village));
        }
        if village.affordability_relaxed {
            let cheapest = ve
                .options
                .iter()
                .filter(|o| o.feasible)
                .map(|o| o.household_annual_cost_cny)
                .fold(f64::INFINITY, f64::min);
            let limit = ve
                .options
                .first()
                .map_or(0.0, |o| o.affordability_limit_cny);
            let route = village.route.map_or("none", |r| r.as_str());
            out.push(format!(
                "Village {}: no affordable route is possible within the limits (the cheapest route \
                 that can be built costs a household {cheapest:.0} yuan a year, the limit is \
                 {limit:.0}); {route} was chosen anyway and the households need support.",
                village.id
            ));
        }
    }
    for s in &limits.substations {
        out.push(format!(
            "Substation {s} is at its capacity (upgrade included); more kVA there would save money \
             (see shadow_prices)."
        ));
    }
    for b in &limits.budgets {
        out.push(format!("{} is fully spent.", capitalise(b)));
    }
    if limits.gas {
        out.push("The gas supply is fully used.".to_owned());
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}
