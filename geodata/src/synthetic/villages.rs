//! Villages around the generated city still heated by coal, the substations that feed
//! them and the existing gas mains that reach out from the city (`docs/heating.md`).
//!
//! Villages lie in a rural ring outside the street grid, about one per 1.5 km² (the
//! spacing of villages on the North China Plain), each in the district of the nearest
//! compound. Gas mains run out from the city edge along a few wavy spokes, so some
//! villages lie on a main, many within a few kilometres and some far beyond the reach of
//! a gas route. Substations serve about a dozen villages each, some with room to spare and
//! some nearly full, some upgradable. Household figures spread as in the surveys
//! `docs/heating.md` cites: 40–1,500 households (most 150–400), 60–140 m² heated, 2–6 t
//! of fuel a season, an affordable heating spend of 2,500–5,500 yuan or 6–10 % of an
//! income of 25,000–70,000 yuan.
//!
//! The villages draw from their own random stream (the city seed mixed with a constant),
//! so a city with villages has exactly the compounds, streets and works of the same city
//! without them.

use std::f64::consts::TAU;

use geo::{Centroid, Coord, Geometry, LineString, Point, Polygon};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{count, names};
use crate::heating::{Affordability, CurrentFuel, GasMain, Substation, Village};
use crate::plan::{Plan, Shape};

/// Mixed into the city seed for the villages' own stream.
const VILLAGE_STREAM: u64 = 0x005e_ed0f_c0a1_u64;
/// Rural land per village, m².
const AREA_PER_VILLAGE_M2: f64 = 1.5e6;
/// Villages per substation, on average.
const VILLAGES_PER_SUBSTATION: usize = 12;

/// Adds `n` villages, their substations and the existing gas mains around `plan`, whose
/// street grid reaches `city_radius` metres from the centre.
pub(super) fn add(plan: &mut Plan, n: usize, seed: u64, city_radius: f64) {
    if n == 0 {
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ VILLAGE_STREAM);
    let inner = 1.15 * city_radius + 500.0;
    // The ring's area holds the villages at their spacing.
    let outer = (inner * inner + count(n) * AREA_PER_VILLAGE_M2 / std::f64::consts::PI).sqrt();
    let frame = plan.frame;
    let shape = |g: Geometry<f64>| Shape {
        wgs84: frame.unproject_geometry(&g),
        local: g,
    };
    let area = Ring {
        inner,
        outer,
        city_radius,
    };
    let mains = gas_mains(&mut rng, n, &area, &shape);
    let substations = substations(&mut rng, n, &area, &shape);
    let villages = villages(&mut rng, plan, n, &area, &shape);
    plan.heating.villages = villages;
    plan.heating.substations = substations;
    plan.heating.gas_mains = mains;
}

/// The rural ring around the city, metres from its centre.
#[derive(Clone, Copy)]
struct Ring {
    inner: f64,
    outer: f64,
    city_radius: f64,
}

/// Existing gas mains: wavy spokes from the city edge out into the ring.
fn gas_mains(
    rng: &mut ChaCha8Rng,
    n: usize,
    area: &Ring,
    shape: &impl Fn(Geometry<f64>) -> Shape,
) -> Vec<GasMain> {
    let Ring {
        inner,
        outer,
        city_radius,
    } = *area;
    let spokes = (n / 25).clamp(3, 16);
    let mut mains = Vec::with_capacity(spokes);
    for k in 0..spokes {
        let angle = TAU * (count(k) + rng.random_range(0.1..0.9)) / count(spokes);
        let reach = inner + (outer - inner) * rng.random_range(0.35..0.9);
        let steps = 6;
        let line: Vec<Coord<f64>> = (0..=steps)
            .map(|s| {
                let t = count(s) / count(steps);
                let r = 0.95 * city_radius + t * (reach - 0.95 * city_radius);
                let a = angle + 0.08 * (t * 5.0 + count(k)).sin() * t;
                Coord {
                    x: r * a.cos(),
                    y: r * a.sin(),
                }
            })
            .collect();
        mains.push(GasMain {
            id: format!("gm{:03}", k + 1),
            shape: shape(Geometry::LineString(LineString::new(line))),
        });
    }

    mains
}

/// Substations spread over the ring, about one per dozen villages.
fn substations(
    rng: &mut ChaCha8Rng,
    n: usize,
    area: &Ring,
    shape: &impl Fn(Geometry<f64>) -> Shape,
) -> Vec<Substation> {
    let substations_n = n.div_ceil(VILLAGES_PER_SUBSTATION).max(1);
    let mut substations = Vec::with_capacity(substations_n);
    for k in 0..substations_n {
        let at = ring_point(rng, area.inner, area.outer);
        // A fifth nearly full, the rest with room for a few hundred households.
        let spare_kva = if rng.random_bool(0.2) {
            rng.random_range(50.0..300.0_f64).round()
        } else {
            rng.random_range(300.0..2_500.0_f64).round()
        };
        let upgradable_kva = *[0.0, 0.0, 630.0, 1_250.0].choose(rng).unwrap_or(&0.0);
        substations.push(Substation {
            id: format!("ss{:03}", k + 1),
            spare_kva,
            upgradable_kva,
            shape: shape(Geometry::Point(Point::from(at))),
        });
    }

    substations
}

/// The villages, each in the district of the nearest compound.
fn villages(
    rng: &mut ChaCha8Rng,
    plan: &Plan,
    n: usize,
    area: &Ring,
    shape: &impl Fn(Geometry<f64>) -> Shape,
) -> Vec<Village> {
    let compound_centres: Vec<(Coord<f64>, &str)> = plan
        .compounds
        .iter()
        .filter_map(|c| Some((c.shape.local.centroid()?.0, c.district.as_str())))
        .collect();
    let mut villages = Vec::with_capacity(n);
    for k in 0..n {
        let at = ring_point(rng, area.inner, area.outer);
        let district = compound_centres
            .iter()
            .min_by(|a, b| dist2(a.0, at).total_cmp(&dist2(b.0, at)))
            .map_or(names::DISTRICTS[0], |c| c.1)
            .to_owned();
        // Log-normal-like: the sum of three uniforms is close to a normal.
        let z: f64 = (0..3).map(|_| rng.random_range(-1.0..1.0)).sum::<f64>();
        let households = (250.0 * (0.55 * z).exp()).clamp(40.0, 1_500.0).round();
        let (fuel, use_t) = match rng.random::<f64>() {
            r if r < 0.65 => (CurrentFuel::Coal, rng.random_range(2.0..4.5_f64)),
            r if r < 0.9 => (CurrentFuel::Briquette, rng.random_range(2.0..4.0)),
            _ => (CurrentFuel::Firewood, rng.random_range(3.0..6.0)),
        };
        let affordability = if rng.random_bool(0.6) {
            Affordability::CnyPerYear(rng.random_range(2_500.0..5_500.0_f64).round())
        } else {
            Affordability::IncomeShare {
                income_cny: rng.random_range(25_000.0..70_000.0_f64).round(),
                share: (rng.random_range(0.06..0.10_f64) * 100.0).round() / 100.0,
            }
        };
        let roof = rng
            .random_bool(0.8)
            .then(|| rng.random_range(40.0..120.0_f64).round());
        let geometry = if rng.random_bool(0.3) {
            // About 300 m² of land per household, as a rough square.
            let half = (households * 300.0).sqrt() / 2.0;
            let mut corners: Vec<Coord<f64>> = (0..4)
                .map(|c| {
                    let a = TAU * count(c) / 4.0 + TAU / 8.0;
                    let r = half * std::f64::consts::SQRT_2 * rng.random_range(0.85..1.15);
                    Coord {
                        x: at.x + r * a.cos(),
                        y: at.y + r * a.sin(),
                    }
                })
                .collect();
            corners.push(corners[0]);
            Geometry::Polygon(Polygon::new(LineString::new(corners), Vec::new()))
        } else {
            Geometry::Point(Point::from(at))
        };
        let stem = names::STREET_ROOTS.choose(rng).copied().unwrap_or("Heping");
        let suffix = ["zhuang", "ying", "tun", "dian", "cun"]
            .choose(rng)
            .copied()
            .unwrap_or("cun");
        villages.push(Village {
            id: format!("v{:05}", k + 1),
            name: format!("{stem}{suffix}"),
            district,
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "clamped to 40..=1500 just above"
            )]
            households: households as u32,
            heated_area_m2: rng.random_range(60.0..140.0_f64).round(),
            current_fuel: fuel,
            current_use_t: (use_t * 10.0).round() / 10.0,
            affordability,
            roof_area_m2: roof,
            substation: None,
            shape: shape(geometry),
        });
    }
    villages
}

/// A point spread evenly over the ring between `inner` and `outer` metres.
fn ring_point(rng: &mut ChaCha8Rng, inner: f64, outer: f64) -> Coord<f64> {
    let r = rng.random_range(inner * inner..outer * outer).sqrt();
    let a = rng.random_range(0.0..TAU);
    Coord {
        x: r * a.cos(),
        y: r * a.sin(),
    }
}

fn dist2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}
