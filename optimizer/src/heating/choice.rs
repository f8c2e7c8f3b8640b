//! The choice of routes as a linear programme (`good_lp` + HiGHS).
//!
//! For village `v` with `H_v` households and each feasible route `r`, `x[v,r]` is the share
//! of its households on `r`; `u[v]` is the share that cannot be converted at all, and
//! `y[s]` the kVA a transformer upgrade adds at substation `s`:
//!
//! ```text
//! minimise   Σ H_v x[v,r] (PV · C[v,r] + P_afford · [r unaffordable in v])
//!          + Σ K · y[s] + Σ H_v u[v] · P_unserved
//! subject to Σ_r x[v,r] + u[v] = 1                                  every village
//!            Σ_{v fed by s} kVA[v,r] x[v,r] − y[s] ≤ spare[s]         every substation
//!            0 ≤ y[s] ≤ upgradable[s]
//!            Σ H_v m³[v,r] x[v,r] ≤ gas supply                        when given
//!            Σ_{v in d} H_v S_b[v,r] x[v,r] ≤ budget[b]              every subsidy budget
//! ```
//!
//! `C` is the total annual cost per household (public and household), `PV` the present
//! value factor over the appraisal period, `K` the upgrade cost per kVA, `S_b` the install
//! subsidy per household from the budget's source. The penalties make an unaffordable route
//! a last resort and leaving households on coal the very last. With `whole` each `x` is
//! binary (one route per village); otherwise households may be split. Dual values of the
//! capacity, gas and budget rows are the shadow prices (of the LP relaxation when `whole`).

use good_lp::solvers::DualValues;
use good_lp::solvers::highs::highs;
use good_lp::{
    Constraint, Expression, ProblemVariables, Solution, SolutionWithDual, SolverModel, Variable,
    constraint, variable,
};

use geodata::heating::{HeatingInputs, Route, VillageEconomics};

/// Cost per household of an unaffordable route, yuan (above any route's cost).
pub const AFFORDABILITY_PENALTY: f64 = 1.0e6;
/// Cost per household left unconverted, yuan (above any unaffordable route).
pub const UNSERVED_PENALTY: f64 = 1.0e7;

/// Why the model could not be solved (the model always has a solution, so this is a
/// solver failure).
#[derive(Debug, thiserror::Error)]
#[error("the route choice could not be solved")]
pub struct ChoiceError {
    /// The solver's message.
    #[source]
    pub source: good_lp::ResolutionError,
}

/// Dual values of the shared limits (yuan per unit of the limit; ≤ 0 when binding).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Duals {
    /// Per substation, per kVA of spare capacity.
    pub substations: Vec<f64>,
    /// Per subsidy budget, per yuan.
    pub budgets: Vec<f64>,
    /// Of the gas supply, per m³.
    pub gas: Option<f64>,
}

/// The solved choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Per village, `(route, share of households)` for shares above zero.
    pub shares: Vec<Vec<(Route, f64)>>,
    /// Per village, the share left unconverted.
    pub unserved: Vec<f64>,
    /// Per substation, the kVA added by an upgrade.
    pub upgrades: Vec<f64>,
    /// The objective, penalties included.
    pub objective: f64,
    /// Shadow prices.
    pub duals: Duals,
}

/// Cost coefficient of one household of `v` on option `o` over the appraisal period.
fn coefficient(option: &geodata::heating::RouteEconomics, pv: f64) -> f64 {
    let penalty = if option.affordable {
        0.0
    } else {
        AFFORDABILITY_PENALTY
    };
    pv * option.total_annual_cost_cny + penalty
}

struct Model {
    vars: ProblemVariables,
    /// Per village, `(option index, variable)` of its feasible options.
    x: Vec<Vec<(usize, Variable)>>,
    u: Vec<Variable>,
    y: Vec<Variable>,
    objective: Expression,
    assignment: Vec<Constraint>,
    substations: Vec<Constraint>,
    budgets: Vec<Constraint>,
    gas: Option<Constraint>,
}

fn build(inputs: &HeatingInputs, economics: &[VillageEconomics], whole: bool) -> Model {
    let catalogue = &inputs.catalogue;
    let pv = geodata::heating::economics::present_value_factor(
        catalogue.discount_rate,
        catalogue.appraisal_years,
    );
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::default();
    let mut x = Vec::with_capacity(economics.len());
    let mut u = Vec::with_capacity(economics.len());
    let mut assignment = Vec::with_capacity(economics.len());
    let mut substation_load = vec![Expression::default(); inputs.substations.len()];
    let mut budget_use = vec![Expression::default(); catalogue.budgets.len()];
    let mut gas_use = Expression::default();
    for ve in economics {
        let village = &inputs.villages[ve.village];
        let households = f64::from(village.households);
        let mut mine = Vec::new();
        let mut sum = Expression::default();
        for (i, option) in ve.options.iter().enumerate().filter(|(_, o)| o.feasible) {
            let var = if whole {
                vars.add(variable().binary())
            } else {
                vars.add(variable().min(0.0).max(1.0))
            };
            objective.add_mul(households * coefficient(option, pv), var);
            sum.add_mul(1.0, var);
            if let Some(s) = ve.access.substation {
                substation_load[s].add_mul(option.substation_load_kva, var);
            }
            gas_use.add_mul(households * option.gas_m3, var);
            for (b, budget) in catalogue.budgets.iter().enumerate() {
                if let Some(subsidy) =
                    budget.draw_per_household(&village.district, &option.subsidy_by_source)
                {
                    budget_use[b].add_mul(households * subsidy, var);
                }
            }
            mine.push((i, var));
        }
        let unserved = vars.add(variable().min(0.0).max(1.0));
        objective.add_mul(households.max(1.0) * UNSERVED_PENALTY, unserved);
        sum.add_mul(1.0, unserved);
        assignment.push(constraint!(sum == 1.0));
        x.push(mine);
        u.push(unserved);
    }
    let mut y = Vec::with_capacity(inputs.substations.len());
    let mut substations = Vec::with_capacity(inputs.substations.len());
    for (s, load) in inputs.substations.iter().zip(substation_load) {
        let upgrade = vars.add(variable().min(0.0).max(s.upgradable_kva));
        objective.add_mul(catalogue.transformer_upgrade_cny_per_kva, upgrade);
        substations.push(constraint!(load - upgrade <= s.spare_kva));
        y.push(upgrade);
    }
    let budgets = catalogue
        .budgets
        .iter()
        .zip(budget_use)
        .map(|(b, used)| constraint!(used <= b.budget_cny))
        .collect();
    let gas = catalogue
        .gas_supply_m3
        .map(|supply| constraint!(gas_use <= supply));
    Model {
        vars,
        x,
        u,
        y,
        objective,
        assignment,
        substations,
        budgets,
        gas,
    }
}

/// Solves the model; the duals only when `want_duals` (an LP).
fn solve(
    model: Model,
    economics: &[VillageEconomics],
    want_duals: bool,
) -> Result<Choice, ChoiceError> {
    let Model {
        vars,
        x,
        u,
        y,
        objective,
        assignment,
        substations,
        budgets,
        gas,
    } = model;
    let mut problem = vars.minimise(objective.clone()).using(highs).set_threads(1);
    problem.set_verbose(false);
    for c in assignment {
        problem.add_constraint(c);
    }
    let substation_refs: Vec<_> = substations
        .into_iter()
        .map(|c| problem.add_constraint(c))
        .collect();
    let budget_refs: Vec<_> = budgets
        .into_iter()
        .map(|c| problem.add_constraint(c))
        .collect();
    let gas_ref = gas.map(|c| problem.add_constraint(c));
    let mut solution = problem.solve().map_err(|source| ChoiceError { source })?;
    let shares = x
        .iter()
        .zip(economics)
        .map(|(vars, ve)| {
            vars.iter()
                .map(|&(i, var)| (ve.options[i].route, solution.value(var)))
                .filter(|&(_, share)| share > 1e-6)
                .collect()
        })
        .collect();
    let unserved = u.iter().map(|&v| solution.value(v).max(0.0)).collect();
    let upgrades = y.iter().map(|&v| solution.value(v).max(0.0)).collect();
    let objective = objective.eval_with(&solution);
    let duals = if want_duals {
        let dual = solution.compute_dual();
        Duals {
            substations: substation_refs.into_iter().map(|c| dual.dual(c)).collect(),
            budgets: budget_refs.into_iter().map(|c| dual.dual(c)).collect(),
            gas: gas_ref.map(|c| dual.dual(c)),
        }
    } else {
        Duals::default()
    };
    Ok(Choice {
        shares,
        unserved,
        upgrades,
        objective,
        duals,
    })
}

/// Chooses routes for every village of `economics` (one route each when `whole`).
///
/// # Errors
/// [`ChoiceError`] when HiGHS fails (the model itself always has a solution).
///
/// # Complexity
/// One LP with a variable per feasible village route (two when `whole`: the MILP and its
/// relaxation for the shadow prices).
pub fn choose(
    inputs: &HeatingInputs,
    economics: &[VillageEconomics],
    whole: bool,
) -> Result<Choice, ChoiceError> {
    let relaxed = solve(build(inputs, economics, false), economics, true)?;
    if !whole {
        return Ok(relaxed);
    }
    let mut choice = solve(build(inputs, economics, true), economics, false)?;
    choice.duals = relaxed.duals;
    Ok(choice)
}
