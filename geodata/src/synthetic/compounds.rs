//! Compounds: how each block is divided (a square, two triangles, or a grid of convex
//! pieces set back from the streets and from each other), which district it belongs to,
//! and the compounds of the four renovation classes with the sites their works need.

use geo::{Coord, Geometry, LineString, Polygon};
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};

use super::grid::STREET_HALF_WIDTH_M;
use super::shapes::{add_scaled, centroid, inset, lerp, norm, sub, twice_area};
use super::{Generator, count, names, whole};
use crate::plan::{Compound, CompoundTask, RenovationClass};

/// Gap kept on each side between neighbouring compounds (metres).
const COMPOUND_SETBACK_M: f64 = 3.0;

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
pub(super) enum Layout {
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

/// A compound's footprint and the facts site works need.
pub(super) struct Site {
    /// Footprint, counter-clockwise, not closed (local metres).
    pub(super) ring: Vec<Coord<f64>>,
    /// Where its buildings stand.
    pub(super) buildings: Vec<Coord<f64>>,
    /// The block it lies in.
    pub(super) block: usize,
}

impl Generator<'_> {
    pub(super) fn layouts(&mut self) -> Vec<Layout> {
        let blocks = self.grid.blocks();
        let mut layouts = Vec::with_capacity(blocks);
        for b in 0..blocks {
            let layout = match (self.grid.on_rising(b), self.grid.on_falling(b)) {
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
    pub(super) fn assign_districts(&mut self, layouts: &[Layout]) {
        let mut candidates: Vec<usize> = (0..layouts.len())
            .filter(|&b| layouts[b] != Layout::Open)
            .collect();
        candidates.shuffle(&mut self.rng);
        candidates.truncate(self.districts.len());
        self.districts.truncate(candidates.len().max(1));
        let seeds: Vec<Coord<f64>> = candidates
            .iter()
            .map(|&b| centroid(&self.grid.block_corners(b)))
            .collect();
        self.block_district = (0..layouts.len())
            .map(|b| {
                let c = centroid(&self.grid.block_corners(b));
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
    pub(super) fn budget(&mut self, layouts: &[Layout]) -> Vec<usize> {
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
        let [sw, se, ne, nw] = self.grid.block_corners(b);
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

    pub(super) fn compounds(
        &mut self,
        layouts: &[Layout],
        budget: &[usize],
    ) -> (Vec<Compound>, Vec<Site>) {
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
                    investment_cny: None,
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
}
