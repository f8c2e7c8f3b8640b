//! Clean heating of villages (农村清洁取暖, "双替代"): the household's arithmetic.
//!
//! A plan may hold villages still heated by coal, the substations that feed them and the
//! existing gas mains (`docs/input-format.md`), and a route catalogue in its `"plan"`
//! member overriding the built-in defaults of [`catalogue`] (each default with its source
//! in `docs/heating.md`). [`economics`] turns one village and one route into the figures a
//! household understands — install cost after subsidy, the yearly bill before and after,
//! the total annual cost, payback, affordability — and what the route needs from the
//! networks ([`network`]: the nearest gas main through an R*-tree, the feeding substation).
//! Choosing the routes under capacities and budgets is the optimizer's job
//! (`optimizer::heating`).

pub mod catalogue;
pub mod economics;
pub mod model;
pub mod network;
pub mod overrides;

pub use catalogue::{Carrier, Catalogue, Prices, Route, RouteSpec, SubsidyBudget, SubsidyRule};
pub use economics::{RouteEconomics, VillageEconomics, evaluate, evaluate_all, evaluate_inputs};
pub use model::{Affordability, CurrentFuel, GasMain, HeatingInputs, Substation, Village};
pub use network::Networks;
