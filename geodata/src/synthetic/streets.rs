//! Street features: each centre line cut into sections, their paving history, and the
//! road-cut moratoria that protect recently paved streets (the pipeline works wait for
//! them, so a generated plan asks for nothing a moratorium forbids).

use chrono::Days;
use geo::{Coord, Geometry, LineString};
use rand::Rng;
use rand::seq::IndexedRandom;

use super::grid::StreetLine;
use super::{Generator, offset_of};
use crate::plan::{Paving, Street};

/// An intersection's identity: its exact coordinates (every line reuses the grid's nodes).
pub(super) fn node_key(c: Coord<f64>) -> (u64, u64) {
    (c.x.to_bits(), c.y.to_bits())
}

impl Generator<'_> {
    /// Street features: every line cut into sections of three to five blocks.
    pub(super) fn streets(&mut self, lines: &[StreetLine]) -> Vec<Street> {
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
}
