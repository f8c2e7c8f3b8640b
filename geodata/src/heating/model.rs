//! Villages, substations and existing gas mains as read from a plan.

use crate::plan::Shape;

use super::catalogue::Catalogue;

/// Everything a plan says about clean heating: the features and the route catalogue.
#[derive(Debug, Clone, Default)]
pub struct HeatingInputs {
    /// Villages to convert.
    pub villages: Vec<Village>,
    /// Substations with their spare capacity.
    pub substations: Vec<Substation>,
    /// Existing gas mains a gas route may connect to.
    pub gas_mains: Vec<GasMain>,
    /// Routes, prices, subsidy budgets: the built-in defaults with the plan's overrides.
    pub catalogue: Catalogue,
}

impl HeatingInputs {
    /// Every shape of the villages, substations and gas mains, to change them.
    pub fn shapes_mut(&mut self) -> impl Iterator<Item = &mut Shape> {
        self.villages
            .iter_mut()
            .map(|v| &mut v.shape)
            .chain(self.substations.iter_mut().map(|s| &mut s.shape))
            .chain(self.gas_mains.iter_mut().map(|m| &mut m.shape))
    }

    /// Whether the plan has anything to heat.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.villages.is_empty()
    }
}

/// The fuel a village heats with today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurrentFuel {
    /// Loose raw coal (散煤).
    Coal,
    /// Clean coal briquettes (洁净型煤).
    Briquette,
    /// Firewood and straw.
    Firewood,
}

impl CurrentFuel {
    /// The names used in files.
    pub const NAMES: [&'static str; 3] = ["coal", "briquette", "firewood"];

    /// The name used in files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CurrentFuel::Coal => "coal",
            CurrentFuel::Briquette => "briquette",
            CurrentFuel::Firewood => "firewood",
        }
    }
}

/// The yearly heating spend a household can bear.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Affordability {
    /// At most this many yuan a year.
    CnyPerYear(f64),
    /// At most this share of the household's yearly income.
    IncomeShare {
        /// Yearly household income in yuan.
        income_cny: f64,
        /// Share of it (0–1).
        share: f64,
    },
}

impl Affordability {
    /// The limit in yuan a year.
    #[must_use]
    pub fn limit_cny(self) -> f64 {
        match self {
            Affordability::CnyPerYear(cny) => cny,
            Affordability::IncomeShare { income_cny, share } => income_cny * share,
        }
    }
}

/// A village (村) whose households are to be converted from coal.
#[derive(Debug, Clone)]
pub struct Village {
    /// Unique feature id.
    pub id: String,
    /// Display name (the id when not given).
    pub name: String,
    /// District (county) subsidy budgets are kept by.
    pub district: String,
    /// Households to convert.
    pub households: u32,
    /// Mean heated floor area per household in m².
    pub heated_area_m2: f64,
    /// The fuel heated with today.
    pub current_fuel: CurrentFuel,
    /// Tonnes of it a household burns in a season.
    pub current_use_t: f64,
    /// What a household can bear.
    pub affordability: Affordability,
    /// Mean roof area per household in m² usable for PV (absent: not known, not limiting).
    pub roof_area_m2: Option<f64>,
    /// The substation feeding the village (absent: the nearest one).
    pub substation: Option<String>,
    /// Point or polygon.
    pub shape: Shape,
}

impl Village {
    /// The most households a village may have.
    pub const MAX_HOUSEHOLDS: u32 = 100_000;
    /// The largest mean heated area in m².
    pub const MAX_AREA_M2: f64 = 2_000.0;
    /// The largest yearly fuel use in tonnes per household.
    pub const MAX_USE_T: f64 = 100.0;
    /// The largest affordability limit or income in yuan a year.
    pub const MAX_CNY: f64 = 1.0e7;
}

/// A distribution substation (or transformer) feeding villages.
#[derive(Debug, Clone)]
pub struct Substation {
    /// Unique feature id.
    pub id: String,
    /// Spare capacity in kVA before any upgrade.
    pub spare_kva: f64,
    /// How many kVA an upgrade of its transformer may add (0: none).
    pub upgradable_kva: f64,
    /// Point.
    pub shape: Shape,
}

impl Substation {
    /// The largest capacity in kVA.
    pub const MAX_KVA: f64 = 1.0e7;
}

/// An existing gas main a village may connect to.
#[derive(Debug, Clone)]
pub struct GasMain {
    /// Unique feature id.
    pub id: String,
    /// Line or multiline.
    pub shape: Shape,
}
