//! A synthetic city: a valid, realistic plan of any size from a seed.
//!
//! Benchmarks, the optimizer's quality measurements and the memory check need cities of
//! thousands of compounds that nobody can publish. This module builds one in metres in a
//! [`LocalFrame`] around a real-looking centre (Beijing by default) and unprojects it:
//!
//! - an irregular street grid: jittered blocks of 170–320 m, gently curved streets, and
//!   two diagonal avenues that cut blocks in two;
//! - compounds of the four renovation classes: convex pieces of the blocks, set back from
//!   the street centre lines and from each other (never overlapping, never self-crossing);
//! - pipeline works of all seven utilities along the streets, each utility on its own
//!   lane of the street cross-section, so some pairs run within the sharing distance
//!   (3 m) for hundreds of metres and others stay further apart; service connections
//!   cross the street into compounds;
//! - site works inside compounds (roofing, facade insulation, greening, paving,
//!   facilities, clearing), clean-heating retrofits in the outer districts, streets under
//!   a paving moratorium (some with an exception), deadlines mostly loose and a few tight.
//!
//! The same [`CityConfig`] always gives the same plan: every random choice comes from one
//! `ChaCha8Rng` in a fixed order, and no hash-map order reaches the output.
//!
//! Each step has its own file beside this one: `grid` (blocks and street centre lines),
//! `compounds` (block division, districts, compounds), `streets` (street sections,
//! paving, moratoria), `works` (mains, site works, service connections, retrofits) and
//! `settings` (holidays, crews, district limits), `money` (planned costs and district
//! funds), `villages` (villages, substations and existing gas mains around the city,
//! only when asked for); `shapes` holds the planar helpers and
//! `names` the word lists. [`generate`] runs them in that order, except that compounds
//! are placed before the street centre lines are named.

mod compounds;
mod grid;
mod money;
mod names;
pub mod progress;
mod settings;
mod shapes;
mod streets;
mod villages;
mod works;

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate};
use geo::{Coord, Geometry};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::analysis::clearance::{ClearanceProfile, MoratoriumRule};
use crate::crs::LocalFrame;
use crate::plan::{Plan, Settings, Shape, Work};
use grid::StreetGrid;

/// What city to build.
#[derive(Debug, Clone, PartialEq)]
pub struct CityConfig {
    /// Number of compounds; works come to about ten per compound.
    pub compounds: usize,
    /// Seed of every random choice: the same seed gives the same plan, byte for byte.
    pub seed: u64,
    /// The city centre, WGS84 longitude/latitude.
    pub center: Coord<f64>,
    /// Number of districts (at most 12, at most one per block).
    pub districts: usize,
    /// First day of the plan.
    pub start: NaiveDate,
    /// Villages around the city to convert to clean heating, with their substations and
    /// the existing gas mains (none by default; see `villages`).
    pub villages: usize,
}

impl CityConfig {
    /// Default centre: central Beijing.
    pub const DEFAULT_CENTER: Coord<f64> = Coord {
        x: 116.40,
        y: 39.91,
    };
    /// Default number of districts.
    pub const DEFAULT_DISTRICTS: usize = 10;

    /// A city of `compounds` compounds from `seed`, centred on Beijing, with ten districts,
    /// starting on 1 March 2027.
    #[must_use]
    pub fn new(compounds: usize, seed: u64) -> Self {
        Self {
            compounds,
            seed,
            center: Self::DEFAULT_CENTER,
            districts: Self::DEFAULT_DISTRICTS,
            start: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap_or_default(),
            villages: 0,
        }
    }
}

/// Builds the city described by `config`.
///
/// # Complexity
/// Linear in the number of compounds (about 20,000 works for 2,000 compounds).
#[must_use]
pub fn generate(config: &CityConfig) -> Plan {
    Generator::new(config).build()
}

/// The generator's state: one random stream and what earlier steps decided.
struct Generator<'a> {
    config: &'a CityConfig,
    rng: ChaCha8Rng,
    frame: LocalFrame,
    grid: StreetGrid,
    /// District names in use.
    districts: Vec<&'static str>,
    /// For each block, its district (an index into `districts`).
    block_district: Vec<usize>,
    /// Blocks that seed a district; filled first so every district has compounds.
    seed_blocks: Vec<usize>,
    /// Crew-days of work drawn so far, by discipline (sizes the crews).
    work_days: BTreeMap<&'static str, u64>,
    /// Works so far, in id order.
    works: Vec<Work>,
    /// For each street line and edge, the plan day from which a street under a road-cut
    /// moratorium (without exception) may be cut again.
    protected_until: Vec<Vec<Option<u32>>>,
    /// For each street intersection (by exact coordinates), the day from which every
    /// protected street meeting there may be cut: a main running through it cuts them.
    node_protection: HashMap<(u64, u64), u32>,
    /// The moratorium rule of the default clearance profile (the one generated plans use).
    moratorium: Option<MoratoriumRule>,
}

/// usize to f64 for counts far below 2^52.
#[expect(
    clippy::cast_precision_loss,
    reason = "counts in a city are far below 2^52"
)]
fn count(n: usize) -> f64 {
    n as f64
}

/// A non-negative measure rounded up to whole units (days, buildings).
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "clamped to the u32 range first"
)]
fn whole(v: f64) -> u32 {
    v.ceil().clamp(0.0, f64::from(u32::MAX)) as u32
}

/// Days from the plan start to `date` (zero before the start).
fn offset_of(start: NaiveDate, date: NaiveDate) -> u32 {
    u32::try_from((date - start).num_days().max(0)).unwrap_or(u32::MAX)
}

impl<'a> Generator<'a> {
    fn new(config: &'a CityConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let grid = StreetGrid::draw(&mut rng, config.compounds);
        let mut districts = names::DISTRICTS.to_vec();
        districts.truncate(
            config
                .districts
                .clamp(1, names::DISTRICTS.len())
                .min(grid.blocks()),
        );
        Self {
            config,
            rng,
            frame: LocalFrame::centred_on(config.center),
            grid,
            districts,
            block_district: Vec::new(),
            seed_blocks: Vec::new(),
            work_days: BTreeMap::new(),
            works: Vec::new(),
            protected_until: Vec::new(),
            node_protection: HashMap::new(),
            // The built-in profile is embedded and parsed by its own tests; should it ever
            // fail, streets simply get no protection here and the analysis still reports
            // every conflict.
            moratorium: ClearanceProfile::built_in(Settings::DEFAULT_CLEARANCE_PROFILE)
                .ok()
                .map(|p| p.moratorium),
        }
    }

    /// A shape from local metres, with its WGS84 twin.
    fn shape(&self, local: Geometry<f64>) -> Shape {
        Shape {
            wgs84: self.frame.unproject_geometry(&local),
            local,
        }
    }

    /// The date `offset_days` after the plan start.
    fn date(&self, offset_days: u32) -> NaiveDate {
        self.config
            .start
            .checked_add_days(Days::new(u64::from(offset_days)))
            .unwrap_or(self.config.start)
    }

    fn build(mut self) -> Plan {
        let layouts = self.layouts();
        self.assign_districts(&layouts);
        let budget = self.budget(&layouts);
        let sites = self.compounds(&layouts, &budget);
        let lines = self.grid.lines(&mut self.rng);
        let streets = self.streets(&lines);
        for (k, line) in lines.iter().enumerate() {
            self.pipeline_works(k, line);
        }
        let (mut compounds, sites) = sites;
        for (compound, site) in compounds.iter().zip(&sites) {
            self.site_works(compound, site);
        }
        let mut settings = self.settings(&streets);
        settings.funds = money::fill(&mut compounds, &mut self.works, &self.districts);
        let radius = self.grid.city_radius;
        let mut plan = Plan {
            settings,
            compounds,
            works: self.works,
            streets,
            heating: crate::heating::HeatingInputs::default(),
            frame: self.frame,
        };
        villages::add(&mut plan, self.config.villages, self.config.seed, radius);
        plan
    }
}

#[cfg(test)]
mod tests;
