//! Works: pipeline mains of all seven utilities along the streets, each on its own lane
//! of the street cross-section, and per compound its site works (roofing, facade
//! insulation, greening, paving, facilities, clearing), service connections from across
//! the street and, in the outer districts, a clean-heating retrofit.

use chrono::{Datelike, Days, NaiveDate};
use geo::{Coord, Geometry, LineString, MultiPoint, Point, Polygon};
use rand::Rng;
use rand::seq::IndexedRandom;

use super::compounds::Site;
use super::grid::{INTERSECTION_CLEAR_M, StreetLine};
use super::shapes::{
    add_scaled, centroid, closest_on_segment, length, lerp, norm, offset_polyline, sub, sub_line,
};
use super::streets::node_key;
use super::{Generator, names, offset_of, whole};
use crate::plan::{
    Action, Compound, CompoundTask, Conversion, DeadlineKind, Discipline, Duration, GasPressure,
    RenovationClass, Trade, Utility, Work,
};

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

impl Generator<'_> {
    /// Pipeline works along one street line, lane by lane.
    pub(super) fn pipeline_works(&mut self, line_index: usize, line: &StreetLine) {
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
            village: None,
            conversion: None,
            households: None,
            investment_cny: None,
            shape: self.shape(Geometry::LineString(LineString::from(path))),
        };
        self.works.push(work);
    }

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
            village: None,
            conversion: None,
            households: None,
            investment_cny: None,
            shape: self.shape(geometry),
        };
        self.works.push(work);
    }

    /// A service connection of `utility` from across the nearest street into the compound.
    fn connection(&mut self, compound: &Compound, site: &Site, utility: Utility, due: NaiveDate) {
        let c = centroid(&site.ring);
        let corners = self.grid.block_corners(site.block);
        let mut edges: Vec<(Coord<f64>, Coord<f64>)> =
            (0..4).map(|k| (corners[k], corners[(k + 1) % 4])).collect();
        if self.grid.on_rising(site.block) {
            edges.push((corners[0], corners[2]));
        } else if self.grid.on_falling(site.block) {
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
            village: None,
            conversion: None,
            households: None,
            investment_cny: None,
            shape: self.shape(Geometry::LineString(LineString::from(vec![c, far]))),
        };
        self.works.push(work);
    }

    /// Site works, service connections and a clean-heating retrofit for one compound.
    pub(super) fn site_works(&mut self, compound: &Compound, site: &Site) {
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
        let outer = norm(c) > 0.35 * self.grid.city_radius;
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
                village: None,
                conversion: Some(conversion),
                households: Some(households),
                investment_cny: None,
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
}
