//! The street grid: jittered blocks of 170–320 m between gently curved streets, two
//! diagonal avenues that cut blocks in two, and the street centre lines through it.

use geo::Coord;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::{count, names};

/// Half the width of a street: compounds start this far from the centre line (metres).
pub(super) const STREET_HALF_WIDTH_M: f64 = 12.0;
/// Distance a street main keeps from the centre of an intersection (metres): past the
/// crossing street's width, even where a diagonal avenue crosses at 45°, so it does not
/// cut that street.
pub(super) const INTERSECTION_CLEAR_M: f64 = 45.0;

/// One street centre line through grid nodes, with the block beside each edge.
pub(super) struct StreetLine {
    /// The street's name (every section of the line carries it).
    pub(super) name: String,
    /// Grid intersections along the line, in order.
    pub(super) nodes: Vec<Coord<f64>>,
    /// For each edge between consecutive nodes, a block beside it.
    pub(super) edge_blocks: Vec<usize>,
}

/// Street intersections of a city and the blocks between them.
pub(super) struct StreetGrid {
    /// Blocks in x.
    nx: usize,
    /// Blocks in y.
    ny: usize,
    /// Street intersections, `(nx + 1) * (ny + 1)`, row-major.
    nodes: Vec<Coord<f64>>,
    /// Diagonal avenues: blocks with `j - i == rising` and `i + j == falling`.
    rising: Option<isize>,
    falling: Option<isize>,
    /// Half the larger side of the grid (metres, at least 1): how far out a block lies.
    pub(super) city_radius: f64,
}

impl StreetGrid {
    /// A grid with room for about `compounds` compounds, every random choice from `rng`.
    pub(super) fn draw(rng: &mut ChaCha8Rng, compounds: usize) -> Self {
        // About 2.6 compounds per block once squares and parks are counted.
        let blocks = (compounds * 10).div_ceil(26).max(1);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "the square root of a block count is small and positive"
        )]
        let nx = (count(blocks).sqrt().ceil() as usize).max(1);
        let ny = blocks.div_ceil(nx).max(1);
        let xs = Self::cuts(rng, nx, 200.0..320.0);
        let ys = Self::cuts(rng, ny, 170.0..280.0);
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
        Self {
            nx,
            ny,
            nodes,
            rising,
            falling,
            city_radius,
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

    /// Number of blocks.
    pub(super) fn blocks(&self) -> usize {
        self.nx * self.ny
    }

    pub(super) fn node(&self, i: usize, j: usize) -> Coord<f64> {
        self.nodes[j * (self.nx + 1) + i]
    }

    pub(super) fn block_index(&self, i: usize, j: usize) -> usize {
        j * self.nx + i
    }

    /// Corners of block `(i, j)`, counter-clockwise from the south-west.
    pub(super) fn block_corners(&self, b: usize) -> [Coord<f64>; 4] {
        let (i, j) = (b % self.nx, b / self.nx);
        [
            self.node(i, j),
            self.node(i + 1, j),
            self.node(i + 1, j + 1),
            self.node(i, j + 1),
        ]
    }

    pub(super) fn on_rising(&self, b: usize) -> bool {
        let (i, j) = (b % self.nx, b / self.nx);
        self.rising.is_some_and(|d| {
            isize::try_from(j)
                .ok()
                .zip(isize::try_from(i).ok())
                .is_some_and(|(j, i)| j - i == d)
        })
    }

    pub(super) fn on_falling(&self, b: usize) -> bool {
        let (i, j) = (b % self.nx, b / self.nx);
        self.falling
            .is_some_and(|d| isize::try_from(i + j).is_ok_and(|s| s == d))
    }

    /// The street centre lines: every grid column and row, then the diagonal avenues;
    /// street names are drawn with `rng`.
    pub(super) fn lines(&self, rng: &mut ChaCha8Rng) -> Vec<StreetLine> {
        let (nx, ny) = (self.nx, self.ny);
        let mut roots: Vec<&str> = names::STREET_ROOTS.to_vec();
        roots.shuffle(rng);
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
}
