//! Scenarios: the same villages with prices up or down, or subsidies cut.
//!
//! A scenario is written `<what><sign><percent>`: `prices+20` (every energy price, today's
//! fuels included), `electricity-10`, `gas+30`, `lpg+10`, `pellet+10`, `coal+10`,
//! `subsidy-50` (every install and operating subsidy), `budget-50` (every subsidy budget).

use geodata::heating::Catalogue;

/// What a scenario changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lever {
    /// Every energy price.
    Prices,
    /// Both electricity tariffs.
    Electricity,
    /// Piped gas.
    Gas,
    /// LPG.
    Lpg,
    /// Pellets.
    Pellet,
    /// Today's fuels (coal, briquettes, firewood).
    Coal,
    /// Install and operating subsidies.
    Subsidy,
    /// Subsidy budgets.
    Budget,
}

/// One scenario: a lever moved by a percentage.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// As written (`prices+20`).
    pub name: String,
    /// What moves.
    pub lever: Lever,
    /// The factor applied (1.2 for +20 %).
    pub factor: f64,
}

/// A scenario that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "scenario \"{0}\" is not <what><+|-><percent> with what one of prices, electricity, gas, \
     lpg, pellet, coal, subsidy, budget (e.g. prices+20, subsidy-50)"
)]
pub struct ScenarioError(pub String);

impl std::str::FromStr for Scenario {
    type Err = ScenarioError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ScenarioError(text.to_owned());
        let at = text.find(['+', '-']).ok_or_else(error)?;
        let (what, amount) = text.split_at(at);
        let lever = match what {
            "prices" => Lever::Prices,
            "electricity" => Lever::Electricity,
            "gas" => Lever::Gas,
            "lpg" => Lever::Lpg,
            "pellet" => Lever::Pellet,
            "coal" => Lever::Coal,
            "subsidy" => Lever::Subsidy,
            "budget" => Lever::Budget,
            _ => return Err(error()),
        };
        let percent: f64 = amount.parse().map_err(|_| error())?;
        if !(-100.0..=1_000.0).contains(&percent) {
            return Err(error());
        }
        Ok(Self {
            name: text.to_owned(),
            lever,
            factor: 1.0 + percent / 100.0,
        })
    }
}

impl Scenario {
    /// The catalogue with this scenario applied.
    #[must_use]
    pub fn apply(&self, catalogue: &Catalogue) -> Catalogue {
        let mut c = catalogue.clone();
        let f = self.factor;
        let p = &mut c.prices;
        let (electricity, gas, lpg, pellet, coal) = match self.lever {
            Lever::Prices => (true, true, true, true, true),
            Lever::Electricity => (true, false, false, false, false),
            Lever::Gas => (false, true, false, false, false),
            Lever::Lpg => (false, false, true, false, false),
            Lever::Pellet => (false, false, false, true, false),
            Lever::Coal => (false, false, false, false, true),
            Lever::Subsidy | Lever::Budget => (false, false, false, false, false),
        };
        if electricity {
            p.electricity_cny_per_kwh *= f;
            p.electricity_off_peak_cny_per_kwh *= f;
        }
        if gas {
            p.gas_cny_per_m3 *= f;
        }
        if lpg {
            p.lpg_cny_per_kg *= f;
        }
        if pellet {
            p.pellet_cny_per_kg *= f;
        }
        if coal {
            p.coal_cny_per_t *= f;
            p.briquette_cny_per_t *= f;
            p.firewood_cny_per_t *= f;
        }
        match self.lever {
            Lever::Subsidy => {
                for spec in &mut c.routes {
                    for rule in &mut spec.subsidies {
                        rule.share = (rule.share * f).min(1.0);
                        rule.cap_cny *= f;
                    }
                    spec.operating_subsidy_cny_per_unit *= f;
                }
            }
            Lever::Budget => c.budgets.iter_mut().for_each(|b| b.budget_cny *= f),
            _ => {}
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use geodata::heating::Route;

    use super::*;

    #[test]
    fn scenarios_are_read_and_applied() -> Result<(), ScenarioError> {
        let base = Catalogue::default();
        let up: Scenario = "prices+20".parse()?;
        let c = up.apply(&base);
        assert!((c.prices.gas_cny_per_m3 - base.prices.gas_cny_per_m3 * 1.2).abs() < 1e-9);
        assert!((c.prices.coal_cny_per_t - base.prices.coal_cny_per_t * 1.2).abs() < 1e-9);
        let cut: Scenario = "subsidy-50".parse()?;
        let c = cut.apply(&base);
        let rule = &c.spec(Route::AirSourceHeatPump).subsidies[0];
        assert!((rule.cap_cny - 3_700.0).abs() < 1e-9);
        assert!("heat+5".parse::<Scenario>().is_err());
        assert!("prices".parse::<Scenario>().is_err());
        assert!("gas-200".parse::<Scenario>().is_err());
        Ok(())
    }
}
