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

mod names;
mod shapes;

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Days, NaiveDate};
use geo::{Coord, Geometry, LineString, MultiPoint, Point, Polygon};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::analysis::clearance::{ClearanceProfile, MoratoriumRule};
use crate::crs::LocalFrame;
use crate::plan::{
    Action, Compound, CompoundTask, Conversion, DeadlineKind, Discipline, Duration, GasPressure,
    Paving, Plan, RenovationClass, Settings, Shape, Street, Trade, Utility, Work,
};
use shapes::{
    add_scaled, centroid, closest_on_segment, inset, length, lerp, norm, offset_polyline, sub,
    sub_line, twice_area,
};

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

/// Half the width of a street: compounds start this far from the centre line (metres).
const STREET_HALF_WIDTH_M: f64 = 12.0;
/// Distance a street main keeps from the centre of an intersection (metres): past the
/// crossing street's width, even where a diagonal avenue crosses at 45°, so it does not
/// cut that street.
const INTERSECTION_CLEAR_M: f64 = 45.0;
/// Gap kept on each side between neighbouring compounds (metres).
const COMPOUND_SETBACK_M: f64 = 3.0;

/// The street cross-section: one lane per (utility, side), metres left of the centre
/// line, with the chance that the lane gets a work on a free street edge. Lanes 1.5–2.5 m
/// apart can share a trench (gas and water at -7/-4.5, heat and sewer at -2/0...);
/// lanes across the street stay far apart. Water, gas, power and telecom have mains on
/// both sides, as in most wide Chinese streets.
const LANES: [(Utility, f64, f64); 11] = [
    (Utility::Gas, -7.0, 0.55),
    (Utility::Water, -4.5, 0.6),
    (Utility::Heat, -2.0, 0.5),
    (Utility::Sewer, 0.0, 0.55),
    (Utility::Drainage, 2.0, 0.55),
    (Utility::Power, 4.5, 0.6),
    (Utility::Telecom, 7.0, 0.55),
    (Utility::Water, 9.5, 0.35),
    (Utility::Gas, 11.0, 0.3),
    (Utility::Telecom, -9.5, 0.35),
    (Utility::Power, -11.0, 0.3),
];

/// Metres laid per day by a utility crew.
fn productivity_m_per_day(u: Utility) -> f64 {
    match u {
        Utility::Water => 30.0,
        Utility::Drainage => 18.0,
        Utility::Sewer => 20.0,
        Utility::Power => 40.0,
        Utility::Gas => 35.0,
        Utility::Heat => 15.0,
        Utility::Telecom => 60.0,
    }
}

/// Nominal diameters of mains (power duct banks have none).
fn main_diameters_mm(u: Utility) -> &'static [f64] {
    match u {
        Utility::Water => &[100.0, 150.0, 200.0, 300.0, 400.0, 600.0],
        Utility::Drainage => &[400.0, 600.0, 800.0, 1000.0, 1200.0],
        Utility::Sewer => &[300.0, 400.0, 500.0, 600.0, 800.0],
        Utility::Power => &[],
        Utility::Gas => &[110.0, 160.0, 200.0, 250.0, 315.0],
        Utility::Heat => &[150.0, 200.0, 300.0, 400.0, 500.0],
        Utility::Telecom => &[100.0],
    }
}

/// Nominal diameters of service connections into a compound.
fn service_diameters_mm(u: Utility) -> &'static [f64] {
    match u {
        Utility::Water => &[50.0, 80.0, 100.0],
        Utility::Gas => &[63.0, 90.0],
        Utility::Heat => &[100.0, 150.0],
        Utility::Drainage | Utility::Sewer => &[200.0, 300.0],
        Utility::Power | Utility::Telecom => &[],
    }
}

/// Owners of a utility's works.
fn owners(u: Utility) -> &'static [&'static str] {
    let k = Utility::ALL.iter().position(|x| *x == u).unwrap_or(0);
    names::UTILITY_OWNERS[k]
}

/// Compound tasks drawn as extras.
const EXTRA_TASKS: [CompoundTask; 7] = [
    CompoundTask::RoofWaterproofing,
    CompoundTask::FacadeInsulation,
    CompoundTask::Greening,
    CompoundTask::Facilities,
    CompoundTask::SmartManagement,
    CompoundTask::Elevator,
    CompoundTask::Parking,
];

/// How a block is divided into compounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// A square or park: no compounds.
    Open,
    /// Cut by a diagonal avenue into two triangles (the flag says which diagonal).
    Split { rising: bool },
    /// A `cols` x `rows` grid of compounds.
    Grid { cols: usize, rows: usize },
}

impl Layout {
    fn capacity(self) -> usize {
        match self {
            Layout::Open => 0,
            Layout::Split { .. } => 2,
            Layout::Grid { cols, rows } => cols * rows,
        }
    }
}

/// One street centre line through grid nodes, with the block beside each edge.
struct StreetLine {
    name: String,
    nodes: Vec<Coord<f64>>,
    edge_blocks: Vec<usize>,
}

/// A compound's footprint and the facts site works need.
struct Site {
    ring: Vec<Coord<f64>>,
    buildings: Vec<Coord<f64>>,
    block: usize,
}

struct Generator<'a> {
    config: &'a CityConfig,
    rng: ChaCha8Rng,
    frame: LocalFrame,
    /// Blocks in x and y.
    nx: usize,
    ny: usize,
    /// Street intersections, `(nx + 1) * (ny + 1)`, row-major.
    nodes: Vec<Coord<f64>>,
    /// Diagonal avenues: blocks with `j - i == rising` and `i + j == falling`.
    rising: Option<isize>,
    falling: Option<isize>,
    districts: Vec<&'static str>,
    block_district: Vec<usize>,
    city_radius: f64,
    /// Blocks that seed a district; filled first so every district has compounds.
    seed_blocks: Vec<usize>,
    work_days: BTreeMap<&'static str, u64>,
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

/// An intersection's identity: its exact coordinates (every line reuses the grid's nodes).
fn node_key(c: Coord<f64>) -> (u64, u64) {
    (c.x.to_bits(), c.y.to_bits())
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

impl<'a> Generator<'a> {
    fn new(config: &'a CityConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        // About 2.6 compounds per block once squares and parks are counted.
        let blocks = (config.compounds * 10).div_ceil(26).max(1);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "the square root of a block count is small and positive"
        )]
        let nx = (count(blocks).sqrt().ceil() as usize).max(1);
        let ny = blocks.div_ceil(nx).max(1);
        let xs = Self::cuts(&mut rng, nx, 200.0..320.0);
        let ys = Self::cuts(&mut rng, ny, 170.0..280.0);
        // Streets bend along sine waves a few kilometres long: curved, but every block
        // keeps its width because a whole column (row) moves together.
        let (wave_x, wave_y) = (
            rng.random_range(2500.0..4000.0),
            rng.random_range(2500.0..4000.0),
        );
        let (phase_x, phase_y) = (
            rng.random_range(0.0..std::f64::consts::TAU),
            rng.random_range(0.0..std::f64::consts::TAU),
        );
        let mut nodes = Vec::with_capacity((nx + 1) * (ny + 1));
        for &y in &ys {
            for &x in &xs {
                let bend_x = 45.0 * (std::f64::consts::TAU * y / wave_x + phase_x).sin();
                let bend_y = 45.0 * (std::f64::consts::TAU * x / wave_y + phase_y).sin();
                nodes.push(Coord {
                    x: x + bend_x + rng.random_range(-15.0..15.0),
                    y: y + bend_y + rng.random_range(-15.0..15.0),
                });
            }
        }
        let diagonals = nx >= 4 && ny >= 4;
        let rising = diagonals
            .then(|| (isize::try_from(ny).unwrap_or(0) - isize::try_from(nx).unwrap_or(0)) / 2);
        let falling = diagonals.then(|| isize::try_from(usize::midpoint(nx, ny)).unwrap_or(0) - 1);
        let city_radius = xs
            .last()
            .copied()
            .unwrap_or(0.0)
            .max(ys.last().copied().unwrap_or(0.0))
            .max(1.0);
        let mut districts = names::DISTRICTS.to_vec();
        districts.truncate(
            config
                .districts
                .clamp(1, names::DISTRICTS.len())
                .min(nx * ny),
        );
        Self {
            config,
            rng,
            frame: LocalFrame::centred_on(config.center),
            nx,
            ny,
            nodes,
            rising,
            falling,
            districts,
            block_district: Vec::new(),
            city_radius,
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

    /// `n + 1` street positions with gaps drawn from `gap`, centred on zero.
    fn cuts(rng: &mut ChaCha8Rng, n: usize, gap: std::ops::Range<f64>) -> Vec<f64> {
        let mut at = vec![0.0];
        for _ in 0..n {
            let last = at.last().copied().unwrap_or(0.0);
            at.push(last + rng.random_range(gap.clone()));
        }
        let mid = at.last().copied().unwrap_or(0.0) / 2.0;
        at.iter().map(|v| v - mid).collect()
    }

    fn node(&self, i: usize, j: usize) -> Coord<f64> {
        self.nodes[j * (self.nx + 1) + i]
    }

    fn block_index(&self, i: usize, j: usize) -> usize {
        j * self.nx + i
    }

    /// Corners of block `(i, j)`, counter-clockwise from the south-west.
    fn block_corners(&self, b: usize) -> [Coord<f64>; 4] {
        let (i, j) = (b % self.nx, b / self.nx);
        [
            self.node(i, j),
            self.node(i + 1, j),
            self.node(i + 1, j + 1),
            self.node(i, j + 1),
        ]
    }

    fn on_rising(&self, b: usize) -> bool {
        let (i, j) = (b % self.nx, b / self.nx);
        self.rising.is_some_and(|d| {
            isize::try_from(j)
                .ok()
                .zip(isize::try_from(i).ok())
                .is_some_and(|(j, i)| j - i == d)
        })
    }

    fn on_falling(&self, b: usize) -> bool {
        let (i, j) = (b % self.nx, b / self.nx);
        self.falling
            .is_some_and(|d| isize::try_from(i + j).is_ok_and(|s| s == d))
    }

    fn shape(&self, local: Geometry<f64>) -> Shape {
        Shape {
            wgs84: self.frame.unproject_geometry(&local),
            local,
        }
    }

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
        let lines = self.street_lines();
        let streets = self.streets(&lines);
        for (k, line) in lines.iter().enumerate() {
            self.pipeline_works(k, line);
        }
        let (compounds, sites) = sites;
        for (compound, site) in compounds.iter().zip(&sites) {
            self.site_works(compound, site);
        }
        let settings = self.settings(&streets);
        Plan {
            settings,
            compounds,
            works: self.works,
            streets,
            frame: self.frame,
        }
    }

    fn layouts(&mut self) -> Vec<Layout> {
        let blocks = self.nx * self.ny;
        let mut layouts = Vec::with_capacity(blocks);
        for b in 0..blocks {
            let layout = match (self.on_rising(b), self.on_falling(b)) {
                (true, true) => Layout::Open,
                (true, false) => Layout::Split { rising: true },
                (false, true) => Layout::Split { rising: false },
                (false, false) => {
                    let roll: f64 = self.rng.random();
                    let (cols, rows) = match roll {
                        r if r < 0.06 => (0, 0),
                        r if r < 0.18 => (1, 1),
                        r if r < 0.40 => (2, 1),
                        r if r < 0.54 => (1, 2),
                        r if r < 0.80 => (2, 2),
                        r if r < 0.92 => (3, 2),
                        _ => (3, 1),
                    };
                    if cols == 0 {
                        Layout::Open
                    } else {
                        Layout::Grid { cols, rows }
                    }
                }
            };
            layouts.push(layout);
        }
        // Make room for every compound asked for.
        let mut capacity: usize = layouts.iter().map(|l| l.capacity()).sum();
        for layout in &mut layouts {
            if capacity >= self.config.compounds {
                break;
            }
            if matches!(layout, Layout::Grid { .. } | Layout::Open) {
                capacity = capacity - layout.capacity() + 6;
                *layout = Layout::Grid { cols: 3, rows: 2 };
            }
        }
        layouts
    }

    /// Districts are the Voronoi cells of randomly chosen blocks that hold compounds.
    fn assign_districts(&mut self, layouts: &[Layout]) {
        let mut candidates: Vec<usize> = (0..layouts.len())
            .filter(|&b| layouts[b] != Layout::Open)
            .collect();
        candidates.shuffle(&mut self.rng);
        candidates.truncate(self.districts.len());
        self.districts.truncate(candidates.len().max(1));
        let seeds: Vec<Coord<f64>> = candidates
            .iter()
            .map(|&b| centroid(&self.block_corners(b)))
            .collect();
        self.block_district = (0..layouts.len())
            .map(|b| {
                let c = centroid(&self.block_corners(b));
                seeds
                    .iter()
                    .enumerate()
                    .min_by(|(_, p), (_, q)| norm(sub(**p, c)).total_cmp(&norm(sub(**q, c))))
                    .map_or(0, |(k, _)| k)
            })
            .collect();
        // Seed blocks are filled first so every district gets compounds.
        self.seed_blocks = candidates;
    }

    /// How many compounds each block receives: district seeds first, then the other
    /// blocks in random order, until the requested number is reached.
    fn budget(&mut self, layouts: &[Layout]) -> Vec<usize> {
        let mut order = self.seed_blocks.clone();
        let mut rest: Vec<usize> = (0..layouts.len())
            .filter(|b| !self.seed_blocks.contains(b))
            .collect();
        rest.shuffle(&mut self.rng);
        order.extend(rest);
        let mut budget = vec![0; layouts.len()];
        let mut remaining = self.config.compounds;
        for b in order {
            let take = layouts[b].capacity().min(remaining);
            budget[b] = take;
            remaining -= take;
        }
        budget
    }

    /// Convex counter-clockwise compound footprints of one block.
    fn pieces(&mut self, b: usize, layout: Layout) -> Vec<Vec<Coord<f64>>> {
        let [sw, se, ne, nw] = self.block_corners(b);
        let raw: Vec<Vec<Coord<f64>>> = match layout {
            Layout::Open => Vec::new(),
            Layout::Split { rising: true } => vec![vec![sw, se, ne], vec![sw, ne, nw]],
            Layout::Split { rising: false } => vec![vec![sw, se, nw], vec![se, ne, nw]],
            Layout::Grid { cols, rows } => {
                let Some(inner) = inset(&[sw, se, ne, nw], STREET_HALF_WIDTH_M) else {
                    return Vec::new();
                };
                let us = self.fractions(cols);
                let vs = self.fractions(rows);
                let at = |u: f64, v: f64| {
                    lerp(lerp(inner[0], inner[1], u), lerp(inner[3], inner[2], u), v)
                };
                let mut cells = Vec::with_capacity(cols * rows);
                for r in 0..rows {
                    for c in 0..cols {
                        let (u0, u1, v0, v1) = (us[c], us[c + 1], vs[r], vs[r + 1]);
                        cells.push(vec![at(u0, v0), at(u1, v0), at(u1, v1), at(u0, v1)]);
                    }
                }
                cells
            }
        };
        let setback = match layout {
            Layout::Grid { .. } => COMPOUND_SETBACK_M,
            _ => STREET_HALF_WIDTH_M,
        };
        raw.iter()
            .filter_map(|ring| inset(ring, setback))
            .map(|ring| self.chamfer(ring))
            .collect()
    }

    /// `n + 1` increasing fractions from 0 to 1 with jittered inner cuts.
    fn fractions(&mut self, n: usize) -> Vec<f64> {
        (0..=n)
            .map(|k| {
                let base = count(k) / count(n);
                if k == 0 || k == n {
                    base
                } else {
                    base + self.rng.random_range(-0.08..0.08) / count(n)
                }
            })
            .collect()
    }

    /// Cuts one corner off some compounds so not every footprint is a quadrilateral.
    fn chamfer(&mut self, ring: Vec<Coord<f64>>) -> Vec<Coord<f64>> {
        if ring.len() != 4 || !self.rng.random_bool(0.3) {
            return ring;
        }
        let k = self.rng.random_range(0..ring.len());
        let t = self.rng.random_range(0.15..0.3);
        let n = ring.len();
        let (prev, here, next) = (ring[(k + n - 1) % n], ring[k], ring[(k + 1) % n]);
        let mut out = Vec::with_capacity(n + 1);
        for (m, c) in ring.iter().enumerate() {
            if m == k {
                out.push(lerp(here, prev, t));
                out.push(lerp(here, next, t));
            } else {
                out.push(*c);
            }
        }
        out
    }

    /// Random points well inside a convex ring: the compound's buildings.
    fn building_points(&mut self, ring: &[Coord<f64>], how_many: usize) -> Vec<Coord<f64>> {
        let middle = centroid(ring);
        (0..how_many)
            .map(|_| {
                let edge = self.rng.random_range(0..ring.len());
                let (from, to) = (ring[edge], ring[(edge + 1) % ring.len()]);
                let depth = self.rng.random_range(0.1..0.6);
                let along = self.rng.random_range(0.1..0.9);
                // A point of the triangle (middle, from, to), kept away from the boundary.
                add_scaled(middle, sub(lerp(from, to, along), middle), depth)
            })
            .collect()
    }

    fn compounds(&mut self, layouts: &[Layout], budget: &[usize]) -> (Vec<Compound>, Vec<Site>) {
        let mut compounds = Vec::with_capacity(self.config.compounds);
        let mut sites = Vec::with_capacity(self.config.compounds);
        for (b, &layout) in layouts.iter().enumerate() {
            let mut pieces = self.pieces(b, layout);
            pieces.truncate(budget[b]);
            let integrate = pieces.len() >= 2 && self.rng.random_bool(0.15);
            for ring in pieces {
                let id = format!("c{:05}", compounds.len() + 1);
                let area = twice_area(&ring) / 2.0;
                let buildings = whole(area / 2200.0).clamp(1, 40);
                let households = buildings * self.rng.random_range(18..72);
                let n_points = usize::try_from(buildings.min(12)).unwrap_or(12);
                let building_points = self.building_points(&ring, n_points);
                let class = if integrate {
                    RenovationClass::Integrate
                } else {
                    match self.rng.random::<f64>() {
                        r if r < 0.42 => RenovationClass::Basic,
                        r if r < 0.75 => RenovationClass::Beautify,
                        _ => RenovationClass::Upgrade,
                    }
                };
                let start_by = self
                    .rng
                    .random_bool(0.3)
                    .then(|| self.rng.random_range(0..150));
                let finish = self.rng.random_range(420..700);
                let mut extra_tasks: Vec<CompoundTask> = (0..self.rng.random_range(0..3))
                    .filter_map(|_| EXTRA_TASKS.choose(&mut self.rng).copied())
                    .collect();
                extra_tasks.sort();
                extra_tasks.dedup();
                let name = format!(
                    "{} {}",
                    names::COMPOUND_ROOTS
                        .choose(&mut self.rng)
                        .copied()
                        .unwrap_or("Xin"),
                    names::COMPOUND_SUFFIXES
                        .choose(&mut self.rng)
                        .copied()
                        .unwrap_or("Yuan"),
                );
                let mut closed = ring.clone();
                closed.push(ring[0]);
                compounds.push(Compound {
                    id,
                    name,
                    district: self.districts[self.block_district[b]].to_owned(),
                    class,
                    buildings,
                    households,
                    start_by: start_by.map(|d| self.date(d)),
                    finish_by: self.date(finish),
                    extra_tasks,
                    shape: self.shape(Geometry::Polygon(Polygon::new(
                        LineString::from(closed),
                        Vec::new(),
                    ))),
                });
                sites.push(Site {
                    ring,
                    buildings: building_points,
                    block: b,
                });
            }
        }
        (compounds, sites)
    }

    fn street_lines(&mut self) -> Vec<StreetLine> {
        let (nx, ny) = (self.nx, self.ny);
        let mut roots: Vec<&str> = names::STREET_ROOTS.to_vec();
        roots.shuffle(&mut self.rng);
        let name_of = |k: usize, suffixes: &[&str]| {
            let root = roots[k % roots.len()];
            let suffix = suffixes[(k / roots.len()) % suffixes.len()];
            format!("{root} {suffix}")
        };
        let mut lines = Vec::new();
        for i in 0..=nx {
            lines.push(StreetLine {
                name: name_of(i, &names::NS_SUFFIXES),
                nodes: (0..=ny).map(|j| self.node(i, j)).collect(),
                edge_blocks: (0..ny)
                    .map(|j| self.block_index(i.min(nx - 1), j))
                    .collect(),
            });
        }
        for j in 0..=ny {
            lines.push(StreetLine {
                name: name_of(j + nx + 1, &names::EW_SUFFIXES),
                nodes: (0..=nx).map(|i| self.node(i, j)).collect(),
                edge_blocks: (0..nx)
                    .map(|i| self.block_index(i, j.min(ny - 1)))
                    .collect(),
            });
        }
        let to_index = |v: isize| usize::try_from(v).ok();
        if let Some(d) = self.rising {
            // Nodes (k, k + d) run south-west to north-east through blocks (k, k + d).
            let ks: Vec<usize> = (0..=nx)
                .filter(|&k| {
                    isize::try_from(k)
                        .ok()
                        .and_then(|k| to_index(k + d))
                        .is_some_and(|j| j <= ny)
                })
                .collect();
            let j_of = |k: usize| {
                isize::try_from(k)
                    .ok()
                    .and_then(|k| to_index(k + d))
                    .unwrap_or(0)
            };
            lines.push(StreetLine {
                name: format!("{} Diagonal Avenue", roots[0]),
                nodes: ks.iter().map(|&k| self.node(k, j_of(k))).collect(),
                edge_blocks: ks
                    .windows(2)
                    .map(|w| self.block_index(w[0], j_of(w[0])))
                    .collect(),
            });
        }
        if let Some(d) = self.falling {
            // Nodes (k, d + 1 - k) run north-west to south-east through blocks (k, d - k).
            let j_of = |k: usize| isize::try_from(k).ok().and_then(|k| to_index(d + 1 - k));
            let ks: Vec<usize> = (0..=nx)
                .filter(|&k| j_of(k).is_some_and(|j| j <= ny))
                .collect();
            lines.push(StreetLine {
                name: format!("{} Diagonal Avenue", roots[1 % roots.len()]),
                nodes: ks
                    .iter()
                    .map(|&k| self.node(k, j_of(k).unwrap_or(0)))
                    .collect(),
                edge_blocks: ks
                    .windows(2)
                    .map(|w| self.block_index(w[0], j_of(w[1]).unwrap_or(0)))
                    .collect(),
            });
        }
        lines.retain(|l| l.nodes.len() >= 2);
        lines
    }

    /// Street features: every line cut into sections of three to five blocks.
    fn streets(&mut self, lines: &[StreetLine]) -> Vec<Street> {
        let mut streets = Vec::new();
        for line in lines {
            let edges = line.nodes.len() - 1;
            let mut protected = Vec::with_capacity(edges);
            let mut k = 0;
            while k < edges {
                let len = self.rng.random_range(3..=5).min(edges - k);
                let nodes = line.nodes[k..=k + len].to_vec();
                let district = self.districts[self.block_district[line.edge_blocks[k]]];
                let mut street = Street {
                    id: format!("s{:05}", streets.len() + 1),
                    name: line.name.clone(),
                    district: Some(district.to_owned()),
                    paved_on: None,
                    paving: None,
                    repave_planned: None,
                    cut_exception: false,
                    shape: self.shape(Geometry::LineString(LineString::from(nodes))),
                };
                self.paving_history(&mut street);
                let until = self.cuts_allowed_from(&street);
                protected.extend(std::iter::repeat_n(until, len));
                if let Some(until) = until {
                    for node in &line.nodes[k..=k + len] {
                        let at = self.node_protection.entry(node_key(*node)).or_default();
                        *at = (*at).max(until);
                    }
                }
                streets.push(street);
                k += len;
            }
            self.protected_until.push(protected);
        }
        streets
    }

    /// Recent paving (a moratorium, sometimes with an exception), old paving, or none.
    fn paving_history(&mut self, street: &mut Street) {
        let roll: f64 = self.rng.random();
        let days_before = |days: u32| {
            self.config
                .start
                .checked_sub_days(Days::new(u64::from(days)))
                .unwrap_or(self.config.start)
        };
        // Recently paved streets are few in a renewal district, and the city grants most of
        // them an exception for the programme's works.
        if roll < 0.08 {
            let paving = *[Paving::New, Paving::Rebuilt, Paving::MajorRepair]
                .choose(&mut self.rng)
                .unwrap_or(&Paving::New);
            // Inside the moratorium: five years after new or rebuilt, three after repair.
            let age = match paving {
                Paving::MajorRepair => self.rng.random_range(60..1000),
                _ => self.rng.random_range(60..1700),
            };
            street.paved_on = Some(days_before(age));
            street.paving = Some(paving);
            street.cut_exception = self.rng.random_bool(0.5);
        } else if roll < 0.43 {
            let paving = if self.rng.random_bool(0.6) {
                Paving::Minor
            } else {
                Paving::MajorRepair
            };
            street.paved_on = Some(days_before(self.rng.random_range(2200..5000)));
            street.paving = Some(paving);
        }
        if self.rng.random_bool(0.1) {
            let offset = self.rng.random_range(100..600);
            street.repave_planned = Some(self.date(offset));
        }
    }

    /// The plan day from which a street under moratorium without exception may be cut, by
    /// the same rule the analysis applies (the default clearance profile's), or `None` when
    /// it may be cut now.
    fn cuts_allowed_from(&self, street: &Street) -> Option<u32> {
        if street.cut_exception {
            return None;
        }
        let until = self
            .moratorium
            .as_ref()?
            .end(street.paved_on?, street.paving?)?;
        (until > self.config.start).then(|| offset_of(self.config.start, until))
    }

    /// Pipeline works along one street line, lane by lane.
    fn pipeline_works(&mut self, line_index: usize, line: &StreetLine) {
        let edges = line.nodes.len() - 1;
        // The street's renewal campaign: works with a start date on this street may start
        // within a month of it, so neighbouring works can share their trenches.
        let campaign = self.rng.random_range(0..200);
        for (utility, lane, density) in LANES {
            let mut k = 0;
            while k < edges {
                if !self.rng.random_bool(density) {
                    k += 1;
                    continue;
                }
                let len = if self.rng.random_bool(0.7) { 1 } else { 2 }.min(edges - k);
                let offset = lane + self.rng.random_range(-0.5..0.5);
                let path = offset_polyline(&line.nodes[k..=k + len], offset);
                let total = length(&path);
                // Works start and stop short of the intersections by different amounts,
                // always clear of the crossing street (whose own paving may be protected).
                let from = (total * self.rng.random_range(0.0..0.2)).max(INTERSECTION_CLEAR_M);
                let to = (total * (1.0 - self.rng.random_range(0.0..0.2)))
                    .min(total - INTERSECTION_CLEAR_M);
                let geometry = sub_line(&path, from, to);
                // Its own street sections, and the streets crossing at the intersections it
                // runs through.
                let through = line.nodes[k + 1..k + len]
                    .iter()
                    .filter_map(|n| self.node_protection.get(&node_key(*n)).copied());
                let protected = self.protected_until[line_index][k..k + len]
                    .iter()
                    .flatten()
                    .copied()
                    .chain(through)
                    .max();
                self.main_work(utility, geometry, campaign, protected);
                k += len;
            }
        }
    }

    fn next_work_id(&self) -> String {
        format!("w{:06}", self.works.len() + 1)
    }

    fn action(&mut self) -> Action {
        match self.rng.random::<f64>() {
            r if r < 0.6 => Action::Replace,
            r if r < 0.85 => Action::New,
            _ => Action::Repair,
        }
    }

    /// Deadline `slack` days after `base + days`, kept inside the two-year horizon but
    /// never before the work could finish.
    fn deadline(&self, base: u32, days: u32, slack: u32) -> NaiveDate {
        let latest = 729.max(base + days);
        self.date((base + days + slack).min(latest))
    }

    /// A main along a street in the street's renewal `campaign` (a plan day);
    /// `protected_until` is the day a moratorium on the street
    /// lapses. Planners schedule such works after it (their deadlines follow), so the
    /// generated plan asks for nothing the moratorium forbids.
    fn main_work(
        &mut self,
        utility: Utility,
        path: Vec<Coord<f64>>,
        campaign: u32,
        protected_until: Option<u32>,
    ) {
        let metres = length(&path);
        let rate =
            (productivity_m_per_day(utility) * self.rng.random_range(0.8..1.2) * 2.0).round() / 2.0;
        let days = whole(metres / rate).max(1);
        let mut earliest = self
            .rng
            .random_bool(0.4)
            .then(|| campaign + self.rng.random_range(0..30));
        if let Some(until) = protected_until {
            earliest = Some(earliest.unwrap_or(0).max(until));
        }
        // Deadlines follow the street's campaign even for works free to start earlier.
        let base = earliest.unwrap_or(campaign);
        // The whole excavation (dig, lay, test, backfill, restore) on working days only
        // takes about 1.4 times the laying plus three weeks: a tight deadline leaves a
        // fortnight beyond that, a loose one months.
        let chain = days * 7 / 5 + 21;
        let deadline = if self.rng.random_bool(0.85) && base + chain + 60 <= 729 {
            let tight = self.rng.random_bool(0.06);
            let slack = if tight {
                chain + self.rng.random_range(7..21)
            } else {
                chain + days * self.rng.random_range(1..5) + self.rng.random_range(60..200)
            };
            Some(self.deadline(base, days, slack))
        } else {
            None
        };
        let pressure = (utility == Utility::Gas).then(|| match self.rng.random::<f64>() {
            r if r < 0.5 => GasPressure::Low,
            r if r < 0.75 => GasPressure::MediumB,
            r if r < 0.95 => GasPressure::MediumA,
            _ => GasPressure::SubhighB,
        });
        let voltage_kv = (utility == Utility::Power).then(|| match self.rng.random::<f64>() {
            r if r < 0.7 => 10.0,
            r if r < 0.9 => 0.4,
            _ => 110.0,
        });
        let duration = if self.rng.random_bool(0.8) {
            Duration::MetresPerDay(rate)
        } else {
            Duration::Days(days)
        };
        *self.work_days.entry(utility.as_str()).or_default() += u64::from(days);
        let work = Work {
            id: self.next_work_id(),
            discipline: Discipline::Utility(utility),
            owner: (*owners(utility)
                .choose(&mut self.rng)
                .unwrap_or(&"City Utilities"))
            .to_owned(),
            action: self.action(),
            diameter_mm: main_diameters_mm(utility).choose(&mut self.rng).copied(),
            pressure,
            voltage_kv,
            duration,
            earliest: earliest.map(|d| self.date(d)),
            deadline,
            deadline_kind: if self.rng.random_bool(0.85) {
                DeadlineKind::Hard
            } else {
                DeadlineKind::Soft
            },
            compound: None,
            conversion: None,
            households: None,
            shape: self.shape(Geometry::LineString(LineString::from(path))),
        };
        self.works.push(work);
    }
}

/// Days from the plan start to `date` (zero before the start).
fn offset_of(start: NaiveDate, date: NaiveDate) -> u32 {
    u32::try_from((date - start).num_days().max(0)).unwrap_or(u32::MAX)
}

impl Generator<'_> {
    /// A site work of `trade` for `compound`, due by the compound's deadline.
    fn site_work(
        &mut self,
        compound: &Compound,
        trade: Trade,
        geometry: Geometry<f64>,
        days: std::ops::Range<u32>,
    ) {
        let duration = self.rng.random_range(days);
        let start = self.config.start;
        let earliest = compound.start_by;
        let base = earliest.map_or(0, |d| offset_of(start, d));
        let finish = offset_of(start, compound.finish_by);
        // Mostly the compound's own deadline (hard); some earlier soft targets.
        let (deadline, kind) = if self.rng.random_bool(0.85) {
            (compound.finish_by, DeadlineKind::Hard)
        } else {
            let target = finish.saturating_sub(self.rng.random_range(0..90));
            (self.date(target.max(base + duration)), DeadlineKind::Soft)
        };
        *self.work_days.entry(trade.as_str()).or_default() += u64::from(duration);
        let owner = *names::CONTRACTORS
            .choose(&mut self.rng)
            .unwrap_or(&"City Housing Repair Co.");
        let action = match trade {
            Trade::Greening | Trade::Facilities => Action::New,
            Trade::Clearing | Trade::General => Action::Repair,
            _ => self.action(),
        };
        let work = Work {
            id: self.next_work_id(),
            discipline: Discipline::Trade(trade),
            owner: owner.to_owned(),
            action,
            diameter_mm: None,
            pressure: None,
            voltage_kv: None,
            duration: Duration::Days(duration),
            earliest,
            deadline: Some(deadline),
            deadline_kind: kind,
            compound: Some(compound.id.clone()),
            conversion: None,
            households: None,
            shape: self.shape(geometry),
        };
        self.works.push(work);
    }

    /// A service connection of `utility` from across the nearest street into the compound.
    fn connection(&mut self, compound: &Compound, site: &Site, utility: Utility, due: NaiveDate) {
        let c = centroid(&site.ring);
        let corners = self.block_corners(site.block);
        let mut edges: Vec<(Coord<f64>, Coord<f64>)> =
            (0..4).map(|k| (corners[k], corners[(k + 1) % 4])).collect();
        if self.on_rising(site.block) {
            edges.push((corners[0], corners[2]));
        } else if self.on_falling(site.block) {
            edges.push((corners[3], corners[1]));
        }
        let Some(kerb) = edges
            .iter()
            .map(|&(a, b)| closest_on_segment(c, a, b))
            .min_by(|p, q| norm(sub(*p, c)).total_cmp(&norm(sub(*q, c))))
        else {
            return;
        };
        let to_kerb = sub(kerb, c);
        let reach = norm(to_kerb);
        if reach < 1.0 {
            return;
        }
        // Past the centre line to the far side of the street.
        let far = add_scaled(kerb, to_kerb, self.rng.random_range(8.0..14.0) / reach);
        let start = self.config.start;
        let earliest = compound.start_by;
        let base = earliest.map_or(0, |d| offset_of(start, d));
        let days = self.rng.random_range(2..8);
        let due = offset_of(start, due).max(base + days);
        *self.work_days.entry(utility.as_str()).or_default() += u64::from(days);
        let work = Work {
            id: self.next_work_id(),
            discipline: Discipline::Utility(utility),
            owner: (*owners(utility)
                .choose(&mut self.rng)
                .unwrap_or(&"City Utilities"))
            .to_owned(),
            action: if self.rng.random_bool(0.7) {
                Action::New
            } else {
                Action::Replace
            },
            diameter_mm: service_diameters_mm(utility).choose(&mut self.rng).copied(),
            pressure: (utility == Utility::Gas).then_some(GasPressure::Low),
            voltage_kv: (utility == Utility::Power).then_some(0.4),
            duration: Duration::Days(days),
            earliest,
            deadline: Some(self.date(due)),
            deadline_kind: DeadlineKind::Hard,
            compound: Some(compound.id.clone()),
            conversion: None,
            households: None,
            shape: self.shape(Geometry::LineString(LineString::from(vec![c, far]))),
        };
        self.works.push(work);
    }

    /// Site works, service connections and a clean-heating retrofit for one compound.
    fn site_works(&mut self, compound: &Compound, site: &Site) {
        use RenovationClass as C;
        let ring = &site.ring;
        let c = centroid(ring);
        let class = compound.class;
        let has = |t: CompoundTask| compound.extra_tasks.contains(&t);
        let buildings = || {
            Geometry::MultiPoint(MultiPoint::new(
                site.buildings.iter().map(|&p| Point::from(p)).collect(),
            ))
        };
        let scaled = |about: Coord<f64>, s: f64| {
            let mut pts: Vec<Coord<f64>> = ring
                .iter()
                .map(|&v| add_scaled(about, sub(v, about), s))
                .collect();
            pts.push(pts[0]);
            Geometry::Polygon(Polygon::new(LineString::from(pts), Vec::new()))
        };

        let p_paving = if class == C::Basic { 0.95 } else { 0.85 };
        if self.rng.random_bool(p_paving) {
            let n = ring.len();
            let mid = |k: usize| lerp(ring[k], ring[(k + 1) % n], 0.5);
            let a = lerp(mid(0), c, 0.1);
            let b = lerp(mid(n / 2), c, 0.1);
            self.site_work(
                compound,
                Trade::Paving,
                Geometry::LineString(LineString::from(vec![a, b])),
                15..40,
            );
        }
        if has(CompoundTask::RoofWaterproofing) || self.rng.random_bool(0.7) {
            self.site_work(compound, Trade::Roofing, buildings(), 15..40);
        }
        if has(CompoundTask::FacadeInsulation) || self.rng.random_bool(0.6) {
            self.site_work(compound, Trade::FacadeInsulation, buildings(), 30..90);
        }
        let p_green = if class == C::Basic { 0.3 } else { 0.85 };
        if has(CompoundTask::Greening) || self.rng.random_bool(p_green) {
            self.site_work(compound, Trade::Greening, scaled(c, 0.3), 20..45);
        }
        let p_facilities = match class {
            C::Basic => 0.1,
            C::Beautify => 0.4,
            C::Upgrade | C::Integrate => 0.85,
        };
        if has(CompoundTask::Facilities) || self.rng.random_bool(p_facilities) {
            let spot = lerp(c, site.buildings.first().copied().unwrap_or(c), 0.5);
            self.site_work(
                compound,
                Trade::Facilities,
                Geometry::Point(spot.into()),
                10..30,
            );
        }
        if self.rng.random_bool(0.25) {
            let about = site.buildings.first().copied().unwrap_or(c);
            self.site_work(compound, Trade::Clearing, scaled(about, 0.2), 5..15);
        }
        if self.rng.random_bool(0.5) {
            let spot = site.buildings.last().copied().unwrap_or(c);
            self.site_work(
                compound,
                Trade::General,
                Geometry::Point(spot.into()),
                10..60,
            );
        }

        self.services(compound, site, buildings());
    }

    /// Service connections and, in the outer districts, a clean-heating retrofit.
    fn services(&mut self, compound: &Compound, site: &Site, buildings: Geometry<f64>) {
        let c = centroid(&site.ring);
        // Clean heating (双替代) in the outer, formerly coal-heated districts.
        let outer = norm(c) > 0.35 * self.city_radius;
        let retrofit = (outer && self.rng.random_bool(0.2)).then(|| {
            if self.rng.random_bool(0.55) {
                Conversion::CoalToGas
            } else {
                Conversion::CoalToElectric
            }
        });
        let connections =
            usize::from(self.rng.random_bool(0.8)) + usize::from(self.rng.random_bool(0.3));
        let heating_due = self.heating_deadline(compound);
        for k in 0..connections.max(usize::from(retrofit.is_some())) {
            let utility = match (k, retrofit) {
                (0, Some(Conversion::CoalToGas)) => Utility::Gas,
                (0, Some(Conversion::CoalToElectric)) => Utility::Power,
                _ => *[
                    Utility::Water,
                    Utility::Gas,
                    Utility::Heat,
                    Utility::Power,
                    Utility::Telecom,
                ]
                .choose(&mut self.rng)
                .unwrap_or(&Utility::Water),
            };
            let due = if retrofit.is_some() && k == 0 {
                heating_due
                    .checked_sub_days(Days::new(30))
                    .unwrap_or(heating_due)
            } else {
                compound.finish_by
            };
            self.connection(compound, site, utility, due);
        }
        if let Some(conversion) = retrofit {
            let days = self.rng.random_range(20..60);
            let households =
                whole(f64::from(compound.households) * self.rng.random_range(0.3..1.0));
            *self
                .work_days
                .entry(Trade::CleanHeating.as_str())
                .or_default() += u64::from(days);
            let owner = *names::CONTRACTORS
                .choose(&mut self.rng)
                .unwrap_or(&"Northern Energy Retrofit Co.");
            let work = Work {
                id: self.next_work_id(),
                discipline: Discipline::Trade(Trade::CleanHeating),
                owner: owner.to_owned(),
                action: Action::New,
                diameter_mm: None,
                pressure: None,
                voltage_kv: None,
                duration: Duration::Days(days),
                earliest: compound.start_by,
                deadline: Some(heating_due),
                deadline_kind: DeadlineKind::Hard,
                compound: Some(compound.id.clone()),
                conversion: Some(conversion),
                households: Some(households),
                shape: self.shape(buildings),
            };
            self.works.push(work);
        }
    }

    /// Clean heating must be commissioned before the heating season: 1 November of the
    /// first year that leaves at least four months after the compound may start.
    fn heating_deadline(&self, compound: &Compound) -> NaiveDate {
        let from = compound.start_by.unwrap_or(self.config.start);
        let mut year = from.year();
        loop {
            let due = NaiveDate::from_ymd_opt(year, 11, 1).unwrap_or(from);
            if (due - from).num_days() >= 120 || year > from.year() + 1 {
                return due;
            }
            year += 1;
        }
    }

    fn settings(&self, streets: &[Street]) -> Settings {
        let name = format!(
            "Synthetic city (seed {}, {} compounds)",
            self.config.seed, self.config.compounds
        );
        let mut settings = Settings::with_defaults(name, self.config.start);
        let year = self.config.start.year();
        for y in [year, year + 1] {
            let labour = (1..=5).filter_map(|d| NaiveDate::from_ymd_opt(y, 5, d));
            let national = (1..=7).filter_map(|d| NaiveDate::from_ymd_opt(y, 10, d));
            settings.calendars.holidays.extend(labour.chain(national));
        }
        // Enough crews to carry the work in about a third of the two years: the works'
        // own days grow by the excavation steps, weekends and the phases every compound
        // gets from its class (clearing above all, a few days per compound), and the
        // rainy and frozen seasons close a third of the calendar to some trades.
        let mut days_by_discipline = self.work_days.clone();
        *days_by_discipline
            .entry(Trade::Clearing.as_str())
            .or_default() += 6 * u64::try_from(self.config.compounds).unwrap_or(u64::MAX);
        for (&discipline, &days) in &days_by_discipline {
            #[expect(
                clippy::cast_precision_loss,
                reason = "crew-days of a city are far below 2^52"
            )]
            let crews = whole(days as f64 / 120.0).max(2);
            settings.crews.insert(discipline.to_owned(), crews);
        }
        for district in &self.districts {
            let n = streets
                .iter()
                .filter(|s| s.district.as_deref() == Some(*district))
                .count();
            // About three cuts open per two streets: enough to carry the programme with the
            // frozen months closed, few enough that the limit still shapes the order.
            let limit = u32::try_from(3 * n / 2).unwrap_or(u32::MAX).max(6);
            settings
                .district_limits
                .insert((*district).to_owned(), limit);
        }
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{ExportOptions, to_bytes};
    use geo::{Distance, Euclidean, Intersects, Length, Validation};
    use std::collections::BTreeSet;

    fn city(compounds: usize, seed: u64) -> Plan {
        generate(&CityConfig::new(compounds, seed))
    }

    fn bytes(plan: &Plan) -> Vec<u8> {
        to_bytes(plan, &ExportOptions::default()).expect("a generated city exports")
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        assert_eq!(bytes(&city(120, 7)), bytes(&city(120, 7)));
    }

    #[test]
    fn different_seeds_give_different_cities() {
        assert_ne!(bytes(&city(120, 7)), bytes(&city(120, 8)));
    }

    #[test]
    fn exactly_the_requested_number_of_compounds_with_about_ten_works_each() {
        for n in [1, 7, 150, 400] {
            let plan = city(n, 3);
            assert_eq!(plan.compounds.len(), n);
            if n >= 150 {
                #[expect(clippy::cast_precision_loss, reason = "small test counts")]
                let per = plan.works.len() as f64 / n as f64;
                assert!((8.0..=12.0).contains(&per), "{per} works per compound");
            }
        }
    }

    #[test]
    fn ids_are_unique_and_references_resolve() {
        let plan = city(300, 11);
        let mut ids = BTreeSet::new();
        for id in plan
            .compounds
            .iter()
            .map(|c| &c.id)
            .chain(plan.works.iter().map(|w| &w.id))
            .chain(plan.streets.iter().map(|s| &s.id))
        {
            assert!(ids.insert(id.clone()), "duplicate id {id}");
        }
        let compounds: BTreeSet<&str> = plan.compounds.iter().map(|c| c.id.as_str()).collect();
        for w in &plan.works {
            if let Some(c) = &w.compound {
                assert!(compounds.contains(c.as_str()), "{} -> {c}", w.id);
            }
        }
    }

    #[test]
    fn every_class_utility_trade_and_district_is_present() {
        let plan = city(300, 5);
        let classes: BTreeSet<RenovationClass> = plan.compounds.iter().map(|c| c.class).collect();
        assert_eq!(classes.len(), 4, "{classes:?}");
        let disciplines: BTreeSet<Discipline> = plan.works.iter().map(|w| w.discipline).collect();
        for u in Utility::ALL {
            assert!(disciplines.contains(&Discipline::Utility(u)), "{u:?}");
        }
        for t in [
            Trade::Roofing,
            Trade::FacadeInsulation,
            Trade::Greening,
            Trade::Paving,
            Trade::CleanHeating,
        ] {
            assert!(disciplines.contains(&Discipline::Trade(t)), "{t:?}");
        }
        let districts: BTreeSet<&str> =
            plan.compounds.iter().map(|c| c.district.as_str()).collect();
        assert_eq!(
            districts.len(),
            CityConfig::DEFAULT_DISTRICTS,
            "{districts:?}"
        );
        let conversions: BTreeSet<_> = plan
            .works
            .iter()
            .filter_map(|w| w.conversion.map(|c| format!("{c:?}")))
            .collect();
        assert_eq!(conversions.len(), 2);
        assert!(
            plan.works
                .iter()
                .all(|w| (w.discipline == Discipline::Trade(Trade::CleanHeating))
                    == (w.conversion.is_some() && w.households.is_some() && w.compound.is_some()))
        );
    }

    #[test]
    fn compounds_are_simple_polygons_that_never_overlap() {
        let plan = city(200, 9);
        for c in &plan.compounds {
            assert!(c.shape.local.is_valid(), "{} local", c.id);
            assert!(c.shape.wgs84.is_valid(), "{} wgs84", c.id);
        }
        for (k, a) in plan.compounds.iter().enumerate() {
            for b in &plan.compounds[k + 1..] {
                assert!(
                    !a.shape.local.intersects(&b.shape.local),
                    "{} overlaps {}",
                    a.id,
                    b.id
                );
            }
        }
    }

    #[test]
    fn lines_have_length_and_site_works_lie_in_their_compound() {
        let plan = city(200, 13);
        for w in &plan.works {
            assert!(w.shape.local.is_valid(), "{}", w.id);
            if let Geometry::LineString(ls) = &w.shape.local {
                assert!(Euclidean.length(ls) > 1.0, "{} is degenerate", w.id);
            }
            if let (Discipline::Trade(_), Some(c)) = (w.discipline, &w.compound) {
                let compound = plan
                    .compounds
                    .iter()
                    .find(|x| &x.id == c)
                    .expect("reference resolves");
                assert!(
                    compound.shape.local.intersects(&w.shape.local),
                    "{} outside {c}",
                    w.id
                );
            }
        }
    }

    #[test]
    fn some_works_of_different_utilities_run_within_the_sharing_distance() {
        let plan = city(60, 21);
        let lines: Vec<(Utility, &LineString<f64>)> = plan
            .works
            .iter()
            .filter_map(|w| match (w.discipline, &w.shape.local) {
                (Discipline::Utility(u), Geometry::LineString(ls)) if w.compound.is_none() => {
                    Some((u, ls))
                }
                _ => None,
            })
            .collect();
        let mut sharing = 0;
        let mut apart = 0;
        for (k, (ua, a)) in lines.iter().enumerate() {
            for (ub, b) in &lines[k + 1..] {
                if ua == ub {
                    continue;
                }
                // Brute force: metres of `a` (sampled every 2 m) within 3 m of `b`.
                let dense = geo::Densify::densify(&Euclidean, *a, 2.0);
                let close = dense
                    .points()
                    .filter(|p| Euclidean.distance(p, *b) <= 3.0)
                    .count();
                if close * 2 >= 20 {
                    sharing += 1;
                } else if Euclidean.distance(*a, *b) > 5.0 && Euclidean.distance(*a, *b) < 20.0 {
                    apart += 1;
                }
            }
        }
        assert!(sharing >= 10, "only {sharing} sharing pairs");
        assert!(apart >= 10, "only {apart} pairs just out of reach");
    }

    #[test]
    fn deadlines_never_precede_earliest_dates_and_some_are_tight_but_reachable() {
        let plan = city(400, 4);
        let mut tight = 0;
        for w in &plan.works {
            if let (Some(e), Some(d)) = (w.earliest, w.deadline) {
                assert!(d >= e, "{}: {d} before {e}", w.id);
            }
            if let (Duration::MetresPerDay(rate), Some(d), Geometry::LineString(ls)) =
                (w.duration, w.deadline, &w.shape.local)
            {
                let days = Euclidean.length(ls) / rate;
                let from = w.earliest.unwrap_or(plan.settings.start);
                #[expect(clippy::cast_precision_loss, reason = "day counts")]
                let window = (d - from).num_days() as f64;
                // Tight: at most three weeks beyond the whole excavation (laying on
                // working days plus three weeks of digging, testing and restoring).
                let chain = days * 1.4 + 21.0;
                assert!(
                    window >= chain,
                    "{}: {window} days for a {chain}-day chain",
                    w.id
                );
                if window < chain + 21.0 {
                    tight += 1;
                }
            }
        }
        assert!(tight > 0, "no tight deadline");
        for c in &plan.compounds {
            if let Some(s) = c.start_by {
                assert!(c.finish_by > s, "{}", c.id);
            }
        }
    }

    #[test]
    fn some_streets_are_under_a_moratorium_and_some_have_an_exception() {
        let plan = city(400, 6);
        let recent = plan
            .streets
            .iter()
            .filter(|s| {
                s.paved_on
                    .is_some_and(|d| (plan.settings.start - d).num_days() < 5 * 365)
                    && matches!(
                        s.paving,
                        Some(Paving::New | Paving::Rebuilt | Paving::MajorRepair)
                    )
            })
            .count();
        assert!(recent > 0);
        assert!(plan.streets.iter().any(|s| s.cut_exception));
        assert!(
            plan.streets
                .iter()
                .all(|s| s.paved_on.is_some() == s.paving.is_some())
        );
    }

    #[test]
    fn settings_name_crews_for_every_discipline_and_limits_for_every_district() {
        let plan = city(300, 2);
        let s = &plan.settings;
        for w in &plan.works {
            assert!(
                s.crews.contains_key(w.discipline.as_str()),
                "{:?}",
                w.discipline
            );
        }
        for c in &plan.compounds {
            assert!(
                s.district_limits.contains_key(&c.district),
                "{}",
                c.district
            );
        }
        assert!(s.crews.values().all(|&n| n >= 1));
        assert!(!s.calendars.holidays.is_empty());
    }

    #[test]
    fn the_city_sits_around_the_requested_centre() {
        let plan = city(200, 1);
        let c = plan.compounds[0].shape.wgs84.clone();
        let Geometry::Polygon(p) = c else {
            panic!("compounds are polygons");
        };
        let first = p.exterior().0[0];
        assert!(
            (first.x - 116.4).abs() < 0.1 && (first.y - 39.91).abs() < 0.1,
            "{first:?}"
        );
    }
}
