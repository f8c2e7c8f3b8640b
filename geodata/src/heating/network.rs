//! What a village can connect to: the nearest existing gas main (an R*-tree over the
//! mains' segments) and the substation that feeds it (named, or the nearest).

use geo::{Centroid, Coord, Geometry};
use rstar::primitives::{GeomWithData, Line};
use rstar::{PointDistance, RTree};

use super::model::{HeatingInputs, Village};
use crate::plan::Shape;

/// Where a village meets its nearest gas main.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MainAccess {
    /// Index of the main in [`HeatingInputs::gas_mains`].
    pub main: usize,
    /// Straight-line distance from the village to the main in metres.
    pub distance_m: f64,
    /// The nearest point of the main, in the plan's local metres.
    pub point: Coord<f64>,
}

/// Spatial indexes over a plan's gas mains and substations.
#[derive(Debug)]
pub struct Networks {
    mains: RTree<GeomWithData<Line<[f64; 2]>, usize>>,
    substations: RTree<GeomWithData<[f64; 2], usize>>,
}

/// The representative point of a shape in local metres: a point itself, else the centroid.
#[must_use]
pub fn location(shape: &Shape) -> Coord<f64> {
    match &shape.local {
        Geometry::Point(p) => p.0,
        other => other.centroid().map_or(Coord { x: 0.0, y: 0.0 }, |p| p.0),
    }
}

fn segments(owner: usize, geometry: &Geometry<f64>) -> Vec<GeomWithData<Line<[f64; 2]>, usize>> {
    let lines = match geometry {
        Geometry::LineString(l) => vec![l],
        Geometry::MultiLineString(m) => m.0.iter().collect(),
        _ => Vec::new(),
    };
    lines
        .into_iter()
        .flat_map(|l| l.0.windows(2))
        .map(|w| GeomWithData::new(Line::new([w[0].x, w[0].y], [w[1].x, w[1].y]), owner))
        .collect()
}

impl Networks {
    /// Indexes the gas mains and substations of `inputs`.
    ///
    /// # Complexity
    /// O(n log n) in the number of main segments and substations.
    #[must_use]
    pub fn new(inputs: &HeatingInputs) -> Self {
        let mains = inputs
            .gas_mains
            .iter()
            .enumerate()
            .flat_map(|(i, m)| segments(i, &m.shape.local))
            .collect();
        let substations = inputs
            .substations
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let c = location(&s.shape);
                GeomWithData::new([c.x, c.y], i)
            })
            .collect();
        Self {
            mains: RTree::bulk_load(mains),
            substations: RTree::bulk_load(substations),
        }
    }

    /// The nearest gas main to `at`, if the plan has any.
    #[must_use]
    pub fn nearest_gas_main(&self, at: Coord<f64>) -> Option<MainAccess> {
        let query = [at.x, at.y];
        let nearest = self.mains.nearest_neighbor(&query)?;
        let point = nearest.geom().nearest_point(&query);
        Some(MainAccess {
            main: nearest.data,
            distance_m: nearest.distance_2(&query).sqrt(),
            point: Coord {
                x: point[0],
                y: point[1],
            },
        })
    }

    /// The substation feeding `village`: the one it names, else the nearest (if any).
    #[must_use]
    pub fn feeding_substation(&self, inputs: &HeatingInputs, village: &Village) -> Option<usize> {
        if let Some(name) = &village.substation {
            return inputs.substations.iter().position(|s| &s.id == name);
        }
        let at = location(&village.shape);
        self.substations
            .nearest_neighbor(&[at.x, at.y])
            .map(|s| s.data)
    }
}

#[cfg(test)]
mod tests {
    use geo::{LineString, Point};

    use super::*;
    use crate::heating::model::GasMain;

    fn shape(g: Geometry<f64>) -> Shape {
        Shape {
            wgs84: g.clone(),
            local: g,
        }
    }

    #[test]
    fn the_nearest_main_is_measured_to_its_closest_segment() {
        let inputs = HeatingInputs {
            gas_mains: vec![
                GasMain {
                    id: "far".into(),
                    shape: shape(Geometry::LineString(LineString::from(vec![
                        (0.0, 1_000.0),
                        (100.0, 1_000.0),
                    ]))),
                },
                GasMain {
                    id: "near".into(),
                    shape: shape(Geometry::LineString(LineString::from(vec![
                        (-50.0, 300.0),
                        (50.0, 300.0),
                        (50.0, 500.0),
                    ]))),
                },
            ],
            ..HeatingInputs::default()
        };
        let networks = Networks::new(&inputs);
        let access = networks
            .nearest_gas_main(Point::new(10.0, 0.0).0)
            .expect("two mains");
        assert_eq!(access.main, 1);
        assert!((access.distance_m - 300.0).abs() < 1e-9);
        assert!((access.point.x - 10.0).abs() < 1e-9);
        assert!(
            Networks::new(&HeatingInputs::default())
                .nearest_gas_main(Point::new(0.0, 0.0).0)
                .is_none()
        );
    }
}
