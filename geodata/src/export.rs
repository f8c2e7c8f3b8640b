//! Writing a [`Plan`] back out as the RFC 7946 FeatureCollection of `docs/input-format.md`.
//!
//! The output is the input format itself, so `ingest(export(plan))` gives the plan back
//! (up to the rounding of positions): every setting goes into the top-level `"plan"`
//! member, every compound, street and work becomes one feature whose properties carry
//! the format's names (villages, substations and existing gas mains too, and the heating
//! route catalogue when it is not the built-in one). Features are written one by one to any [`Write`], so a city of
//! hundreds of thousands of features never has to exist as a JSON tree in memory.
//!
//! Positions are rounded to 7 decimals of a degree (about 1 cm), or to millimetres when
//! the output system is projected. Polygon rings are written with RFC 7946 winding
//! (exterior counter-clockwise, holes clockwise) whatever their order in the plan.

use std::io::{self, BufWriter, Write};

use geo::{Coord, Geometry, LineString, Polygon};
use serde::Serialize;

use crate::crs::InputCrs;
use crate::heating::{Affordability, Catalogue, GasMain, Substation, Village, overrides};
use crate::plan::{Calendars, Compound, Discipline, Duration, Plan, SeasonWindow, Street, Work};

/// Decimals kept for positions in degrees: 1e-7 degrees is about 1 cm.
pub const DEGREE_DECIMALS: usize = 7;
/// Decimals kept for positions in metres (projected output systems): millimetres.
pub const METRE_DECIMALS: usize = 3;

/// How to write a plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// The coordinate system positions are written in; WGS84 (RFC 7946) by default,
    /// `gcj02` for Chinese web basemaps.
    pub crs: InputCrs,
}

/// Why a plan could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The destination refused the bytes.
    #[error("could not write the plan")]
    Write {
        /// The underlying I/O failure.
        #[source]
        source: io::Error,
    },
    /// A position has no representation in the requested output system.
    #[error("feature \"{feature_id}\": position ({lon}, {lat}) cannot be written in {crs}")]
    Coordinate {
        /// The feature holding the position.
        feature_id: String,
        /// The output system.
        crs: InputCrs,
        /// WGS84 longitude of the position.
        lon: f64,
        /// WGS84 latitude of the position.
        lat: f64,
    },
    /// A number that JSON cannot hold (NaN or infinite).
    #[error("\"{feature_id}\": {field} is not a finite number")]
    NonFinite {
        /// The feature (or `plan` for settings) holding the number.
        feature_id: String,
        /// The property name.
        field: &'static str,
    },
    /// A geometry kind the format has no place for.
    #[error("feature \"{feature_id}\": a {geometry} cannot be written as plan geometry")]
    UnsupportedGeometry {
        /// The feature holding the geometry.
        feature_id: String,
        /// The geometry kind.
        geometry: &'static str,
    },
}

impl From<io::Error> for ExportError {
    fn from(source: io::Error) -> Self {
        ExportError::Write { source }
    }
}

/// Writes `plan` as a GeoJSON FeatureCollection to `out`, streaming feature by feature.
///
/// Streets come first, then compounds, works, villages, substations and gas mains, each in
/// plan order, so the same plan
/// always gives the same bytes.
///
/// # Errors
/// [`ExportError::Write`] when `out` fails; [`ExportError::Coordinate`] when a position
/// cannot be expressed in `options.crs`; [`ExportError::NonFinite`] for NaN or infinite
/// numbers; [`ExportError::UnsupportedGeometry`] for a geometry collection.
///
/// # Complexity
/// Linear in the number of positions; memory is a fixed-size buffer.
pub fn write_plan<W: Write>(
    plan: &Plan,
    out: W,
    options: &ExportOptions,
) -> Result<(), ExportError> {
    let mut w = JsonWriter {
        out: BufWriter::with_capacity(1 << 16, out),
        crs: options.crs,
        decimals: if options.crs.is_projected() {
            METRE_DECIMALS
        } else {
            DEGREE_DECIMALS
        },
        number: String::with_capacity(32),
    };
    w.raw("{\"type\":\"FeatureCollection\",\"plan\":")?;
    w.settings(plan)?;
    w.raw(",\"features\":[")?;
    let mut first = true;
    for street in &plan.streets {
        w.separator(&mut first)?;
        w.street(street)?;
    }
    for compound in &plan.compounds {
        w.separator(&mut first)?;
        w.compound(compound)?;
    }
    for work in &plan.works {
        w.separator(&mut first)?;
        w.work(work)?;
    }
    for v in &plan.heating.villages {
        w.separator(&mut first)?;
        w.village(v)?;
    }
    for s in &plan.heating.substations {
        w.separator(&mut first)?;
        w.substation(s)?;
    }
    for m in &plan.heating.gas_mains {
        w.separator(&mut first)?;
        w.gas_main(m)?;
    }
    w.raw("]}\n")?;
    w.out.flush()?;
    Ok(())
}

/// Writes `plan` into a byte vector (see [`write_plan`]).
///
/// # Errors
/// As [`write_plan`], except that writing to memory does not fail.
pub fn to_bytes(plan: &Plan, options: &ExportOptions) -> Result<Vec<u8>, ExportError> {
    let mut bytes = Vec::new();
    write_plan(plan, &mut bytes, options)?;
    Ok(bytes)
}

/// A minimal streaming JSON emitter for the plan format.
struct JsonWriter<W: Write> {
    out: W,
    crs: InputCrs,
    decimals: usize,
    /// Scratch space for formatting numbers.
    number: String,
}

impl<W: Write> JsonWriter<W> {
    fn raw(&mut self, s: &str) -> Result<(), ExportError> {
        self.out.write_all(s.as_bytes())?;
        Ok(())
    }

    fn separator(&mut self, first: &mut bool) -> Result<(), ExportError> {
        if !std::mem::replace(first, false) {
            self.raw(",")?;
        }
        Ok(())
    }

    /// Starts an object member: a comma unless first, then `"key":`.
    fn key(&mut self, first: &mut bool, key: &str) -> Result<(), ExportError> {
        self.separator(first)?;
        self.string(key)?;
        self.raw(":")
    }

    /// Any serialisable value (escaped strings, enums by their snake-case names).
    fn value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ExportError> {
        serde_json::to_writer(&mut self.out, v).map_err(io::Error::from)?;
        Ok(())
    }

    fn string(&mut self, s: &str) -> Result<(), ExportError> {
        self.value(s)
    }

    fn member<T: Serialize + ?Sized>(
        &mut self,
        first: &mut bool,
        key: &str,
        v: &T,
    ) -> Result<(), ExportError> {
        self.key(first, key)?;
        self.value(v)
    }

    fn integer(&mut self, first: &mut bool, key: &str, v: u32) -> Result<(), ExportError> {
        self.key(first, key)?;
        write!(self.out, "{v}")?;
        Ok(())
    }

    fn float(
        &mut self,
        first: &mut bool,
        id: &str,
        key: &'static str,
        v: f64,
    ) -> Result<(), ExportError> {
        if !v.is_finite() {
            return Err(ExportError::NonFinite {
                feature_id: id.to_owned(),
                field: key,
            });
        }
        self.key(first, key)?;
        // Rust prints the shortest representation that reads back to the same f64.
        write!(self.out, "{v}")?;
        Ok(())
    }

    fn date(
        &mut self,
        first: &mut bool,
        key: &str,
        d: chrono::NaiveDate,
    ) -> Result<(), ExportError> {
        self.key(first, key)?;
        write!(self.out, "\"{}\"", d.format("%Y-%m-%d"))?;
        Ok(())
    }

    fn settings(&mut self, plan: &Plan) -> Result<(), ExportError> {
        let s = &plan.settings;
        let first = &mut true;
        self.raw("{")?;
        self.member(first, "name", &s.name)?;
        self.date(first, "start", s.start)?;
        self.integer(first, "horizon_days", s.horizon_days)?;
        self.key(first, "calendars")?;
        self.calendars(&s.calendars)?;
        self.key(first, "crews")?;
        self.value(&s.crews)?;
        self.integer(first, "default_crews", s.default_crews)?;
        self.float(first, "plan", "share_distance_m", s.share_distance_m)?;
        self.float(first, "plan", "min_shared_length_m", s.min_shared_length_m)?;
        self.member(first, "clearance_profile", &s.clearance_profile)?;
        self.key(first, "district_limits")?;
        self.value(&s.district_limits)?;
        self.float(first, "plan", "cluster_gap_m", s.cluster_gap_m)?;
        if !s.funds.is_empty() {
            self.key(first, "funds")?;
            self.raw("[")?;
            for (i, f) in s.funds.iter().enumerate() {
                if i > 0 {
                    self.raw(",")?;
                }
                let inner = &mut true;
                self.raw("{")?;
                self.member(inner, "source", f.source.as_str())?;
                self.member(inner, "district", &f.district)?;
                self.float(inner, "plan", "allocated_cny", f.allocated_cny)?;
                self.float(inner, "plan", "disbursed_cny", f.disbursed_cny)?;
                self.raw("}")?;
            }
            self.raw("]")?;
        }
        if plan.heating.catalogue != Catalogue::default() {
            self.key(first, "heating")?;
            self.value(&overrides::to_json(&plan.heating.catalogue))?;
        }
        self.raw("}")
    }

    fn village(&mut self, v: &Village) -> Result<(), ExportError> {
        let first = &mut true;
        let id = v.id.as_str();
        self.raw("{\"type\":\"Feature\",\"properties\":{")?;
        self.member(first, "kind", "village")?;
        self.member(first, "id", id)?;
        self.member(first, "name", &v.name)?;
        self.member(first, "district", &v.district)?;
        self.integer(first, "households", v.households)?;
        self.float(first, id, "heated_area_m2", v.heated_area_m2)?;
        self.member(first, "current_fuel", v.current_fuel.as_str())?;
        self.float(first, id, "current_use_t", v.current_use_t)?;
        match v.affordability {
            Affordability::CnyPerYear(cny) => {
                self.float(first, id, "affordable_cny_per_year", cny)?;
            }
            Affordability::IncomeShare { income_cny, share } => {
                self.float(first, id, "income_cny_per_year", income_cny)?;
                self.float(first, id, "affordable_income_share", share)?;
            }
        }
        if let Some(roof) = v.roof_area_m2 {
            self.float(first, id, "roof_area_m2", roof)?;
        }
        if let Some(s) = &v.substation {
            self.member(first, "substation", s)?;
        }
        self.raw("},\"geometry\":")?;
        self.geometry(id, &v.shape.wgs84)?;
        self.raw("}")
    }

    fn substation(&mut self, s: &Substation) -> Result<(), ExportError> {
        let first = &mut true;
        let id = s.id.as_str();
        self.raw("{\"type\":\"Feature\",\"properties\":{")?;
        self.member(first, "kind", "substation")?;
        self.member(first, "id", id)?;
        self.float(first, id, "spare_kva", s.spare_kva)?;
        if s.upgradable_kva > 0.0 {
            self.float(first, id, "upgradable_kva", s.upgradable_kva)?;
        }
        self.raw("},\"geometry\":")?;
        self.geometry(id, &s.shape.wgs84)?;
        self.raw("}")
    }

    fn gas_main(&mut self, m: &GasMain) -> Result<(), ExportError> {
        let first = &mut true;
        self.raw("{\"type\":\"Feature\",\"properties\":{")?;
        self.member(first, "kind", "gas_main")?;
        self.member(first, "id", &m.id)?;
        self.raw("},\"geometry\":")?;
        self.geometry(&m.id, &m.shape.wgs84)?;
        self.raw("}")
    }

    fn calendars(&mut self, c: &Calendars) -> Result<(), ExportError> {
        let first = &mut true;
        self.raw("{")?;
        for (key, window) in [
            ("rainy_season", c.rainy_season),
            ("heating_season", c.heating_season),
            ("frozen_ground", c.frozen_ground),
        ] {
            self.key(first, key)?;
            self.season(window)?;
        }
        self.key(first, "holidays")?;
        self.raw("[")?;
        let mut first_day = true;
        for day in &c.holidays {
            self.separator(&mut first_day)?;
            write!(self.out, "\"{}\"", day.format("%Y-%m-%d"))?;
        }
        self.raw("]")?;
        self.member(first, "weekends_work", &c.weekends_work)?;
        self.raw("}")
    }

    fn season(&mut self, w: SeasonWindow) -> Result<(), ExportError> {
        write!(
            self.out,
            "{{\"from\":\"{:02}-{:02}\",\"to\":\"{:02}-{:02}\"}}",
            w.from.0, w.from.1, w.to.0, w.to.1
        )?;
        Ok(())
    }

    fn street(&mut self, s: &Street) -> Result<(), ExportError> {
        let first = &mut true;
        self.raw("{\"type\":\"Feature\",\"properties\":{")?;
        self.member(first, "kind", "street")?;
        self.member(first, "id", &s.id)?;
        self.member(first, "name", &s.name)?;
        if let Some(d) = &s.district {
            self.member(first, "district", d)?;
        }
        if let Some(d) = s.paved_on {
            self.date(first, "paved_on", d)?;
        }
        if let Some(p) = s.paving {
            self.member(first, "paving", &p)?;
        }
        if let Some(d) = s.repave_planned {
            self.date(first, "repave_planned", d)?;
        }
        if s.cut_exception {
            self.member(first, "cut_exception", &true)?;
        }
        self.raw("},\"geometry\":")?;
        self.geometry(&s.id, &s.shape.wgs84)?;
        self.raw("}")
    }

    fn compound(&mut self, c: &Compound) -> Result<(), ExportError> {
        let first = &mut true;
        self.raw("{\"type\":\"Feature\",\"properties\":{")?;
        self.member(first, "kind", "compound")?;
        self.member(first, "id", &c.id)?;
        self.member(first, "name", &c.name)?;
        self.member(first, "district", &c.district)?;
        self.member(first, "class", &c.class)?;
        self.integer(first, "buildings", c.buildings)?;
        self.integer(first, "households", c.households)?;
        if let Some(d) = c.start_by {
            self.date(first, "start_by", d)?;
        }
        self.date(first, "finish_by", c.finish_by)?;
        if !c.extra_tasks.is_empty() {
            self.member(first, "extra_tasks", &c.extra_tasks)?;
        }
        if let Some(v) = c.investment_cny {
            self.float(first, &c.id, "investment_cny", v)?;
        }
        self.raw("},\"geometry\":")?;
        self.geometry(&c.id, &c.shape.wgs84)?;
        self.raw("}")
    }

    fn work(&mut self, w: &Work) -> Result<(), ExportError> {
        let first = &mut true;
        let id = w.id.as_str();
        self.raw("{\"type\":\"Feature\",\"properties\":{")?;
        self.member(first, "kind", "work")?;
        self.member(first, "id", id)?;
        match w.discipline {
            Discipline::Utility(u) => self.member(first, "utility", u.as_str())?,
            Discipline::Trade(t) => self.member(first, "trade", t.as_str())?,
        }
        self.member(first, "owner", &w.owner)?;
        self.member(first, "action", &w.action)?;
        if let Some(d) = w.diameter_mm {
            self.float(first, id, "diameter_mm", d)?;
        }
        if let Some(p) = w.pressure {
            self.member(first, "pressure", &p)?;
        }
        if let Some(v) = w.voltage_kv {
            self.float(first, id, "voltage_kv", v)?;
        }
        match w.duration {
            Duration::Days(days) => self.integer(first, "duration_days", days)?,
            Duration::MetresPerDay(rate) => {
                self.float(first, id, "productivity_m_per_day", rate)?;
            }
        }
        if let Some(d) = w.earliest {
            self.date(first, "earliest", d)?;
        }
        if let Some(d) = w.deadline {
            self.date(first, "deadline", d)?;
            self.member(first, "deadline_kind", &w.deadline_kind)?;
        }
        if let Some(c) = &w.compound {
            self.member(first, "compound", c)?;
        }
        if let Some(v) = &w.village {
            self.member(first, "village", v)?;
        }
        if let Some(c) = w.conversion {
            self.member(first, "conversion", &c)?;
        }
        if let Some(h) = w.households {
            self.integer(first, "households", h)?;
        }
        if let Some(v) = w.investment_cny {
            self.float(first, id, "investment_cny", v)?;
        }
        self.raw("},\"geometry\":")?;
        self.geometry(id, &w.shape.wgs84)?;
        self.raw("}")
    }

    fn geometry(&mut self, id: &str, g: &Geometry<f64>) -> Result<(), ExportError> {
        match g {
            Geometry::Point(p) => {
                self.raw("{\"type\":\"Point\",\"coordinates\":")?;
                self.position(id, p.0)?;
            }
            Geometry::MultiPoint(mp) => {
                self.raw("{\"type\":\"MultiPoint\",\"coordinates\":[")?;
                let mut first = true;
                for p in mp {
                    self.separator(&mut first)?;
                    self.position(id, p.0)?;
                }
                self.raw("]")?;
            }
            Geometry::Line(l) => {
                self.raw("{\"type\":\"LineString\",\"coordinates\":")?;
                self.positions(id, [l.start, l.end].into_iter())?;
            }
            Geometry::LineString(ls) => {
                self.raw("{\"type\":\"LineString\",\"coordinates\":")?;
                self.positions(id, ls.coords().copied())?;
            }
            Geometry::MultiLineString(mls) => {
                self.raw("{\"type\":\"MultiLineString\",\"coordinates\":[")?;
                let mut first = true;
                for ls in mls {
                    self.separator(&mut first)?;
                    self.positions(id, ls.coords().copied())?;
                }
                self.raw("]")?;
            }
            Geometry::Polygon(p) => {
                self.raw("{\"type\":\"Polygon\",\"coordinates\":")?;
                self.polygon(id, p)?;
            }
            Geometry::MultiPolygon(mp) => {
                self.raw("{\"type\":\"MultiPolygon\",\"coordinates\":[")?;
                let mut first = true;
                for p in mp {
                    self.separator(&mut first)?;
                    self.polygon(id, p)?;
                }
                self.raw("]")?;
            }
            Geometry::Rect(r) => {
                self.raw("{\"type\":\"Polygon\",\"coordinates\":")?;
                self.polygon(id, &r.to_polygon())?;
            }
            Geometry::Triangle(t) => {
                self.raw("{\"type\":\"Polygon\",\"coordinates\":")?;
                self.polygon(id, &t.to_polygon())?;
            }
            Geometry::GeometryCollection(_) => {
                return Err(ExportError::UnsupportedGeometry {
                    feature_id: id.to_owned(),
                    geometry: "GeometryCollection",
                });
            }
        }
        self.raw("}")
    }

    fn polygon(&mut self, id: &str, p: &Polygon<f64>) -> Result<(), ExportError> {
        self.raw("[")?;
        self.ring(id, p.exterior(), true)?;
        for hole in p.interiors() {
            self.raw(",")?;
            self.ring(id, hole, false)?;
        }
        self.raw("]")
    }

    /// Writes a ring wound counter-clockwise (`ccw`) or clockwise, reversing if needed.
    fn ring(&mut self, id: &str, ring: &LineString<f64>, ccw: bool) -> Result<(), ExportError> {
        if (twice_signed_area(ring) > 0.0) == ccw {
            self.positions(id, ring.coords().copied())
        } else {
            self.positions(id, ring.coords().rev().copied())
        }
    }

    fn positions(
        &mut self,
        id: &str,
        coords: impl Iterator<Item = Coord<f64>>,
    ) -> Result<(), ExportError> {
        self.raw("[")?;
        let mut first = true;
        for c in coords {
            self.separator(&mut first)?;
            self.position(id, c)?;
        }
        self.raw("]")
    }

    fn position(&mut self, id: &str, c: Coord<f64>) -> Result<(), ExportError> {
        let out = self
            .crs
            .from_wgs84(c)
            .ok_or_else(|| ExportError::Coordinate {
                feature_id: id.to_owned(),
                crs: self.crs,
                lon: c.x,
                lat: c.y,
            })?;
        self.raw("[")?;
        self.rounded(out.x)?;
        self.raw(",")?;
        self.rounded(out.y)?;
        self.raw("]")
    }

    /// A number rounded to the output's decimals, without trailing zeros.
    fn rounded(&mut self, v: f64) -> Result<(), ExportError> {
        use std::fmt::Write as _;
        self.number.clear();
        write!(self.number, "{v:.prec$}", prec = self.decimals).map_err(io::Error::other)?;
        let trimmed = if self.number.contains('.') {
            self.number.trim_end_matches('0').trim_end_matches('.')
        } else {
            self.number.as_str()
        };
        let trimmed = if trimmed == "-0" { "0" } else { trimmed };
        self.out.write_all(trimmed.as_bytes())?;
        Ok(())
    }
}

/// Twice the signed area of a ring (shoelace): positive when counter-clockwise.
fn twice_signed_area(ring: &LineString<f64>) -> f64 {
    ring.lines()
        .map(|l| l.start.x * l.end.y - l.end.x * l.start.y)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{
        Action, CompoundTask, Conversion, GasPressure, Paving, RenovationClass, Utility,
    };
    use crate::testkit::{CompoundBuilder, PlanBuilder, StreetBuilder, WorkBuilder, date};
    use geo::{LineString, Point, polygon};
    use serde_json::Value;

    /// One street, compound, main and retrofit with every optional field the format has,
    /// placed in WGS84.
    fn small_plan() -> Plan {
        let mut b = PlanBuilder::new(date(2027, 3, 1));
        let settings = b.settings_mut();
        settings.name = "Test \"plan\"".into();
        settings.crews.insert("gas".into(), 2);
        settings.district_limits.insert("Dongcheng".into(), 3);
        settings.calendars.holidays.push(date(2027, 10, 1));
        b.street(
            StreetBuilder::new("s1")
                .name("Heping Road")
                .district("Dongcheng")
                .paved(date(2025, 5, 1), Paving::MajorRepair)
                .cut_exception()
                .wgs84(Geometry::LineString(LineString::from(vec![
                    (116.399, 39.9),
                    (116.403, 39.9),
                ]))),
        );
        // Clockwise on purpose: the writer must fix the winding.
        let cw = polygon![
            (x: 116.40, y: 39.90),
            (x: 116.40, y: 39.901),
            (x: 116.401, y: 39.901),
            (x: 116.401, y: 39.90),
            (x: 116.40, y: 39.90),
        ];
        b.compound(
            CompoundBuilder::new("c1", RenovationClass::Upgrade)
                .name("Heping Li")
                .district("Dongcheng")
                .buildings(4)
                .households(160)
                .start_by(date(2027, 4, 1))
                .finish_by(date(2028, 6, 30))
                .task(CompoundTask::Elevator)
                .task(CompoundTask::Parking)
                .wgs84(Geometry::Polygon(cw)),
        );
        b.work(
            WorkBuilder::pipeline("w1", Utility::Gas)
                .owner("City Gas")
                .action(Action::Replace)
                .diameter_mm(160.0)
                .pressure(GasPressure::MediumA)
                .metres_per_day(35.5)
                .earliest(date(2027, 3, 10))
                .deadline(date(2027, 9, 1))
                .soft()
                .wgs84(Geometry::LineString(LineString::from(vec![
                    (116.399_999_99, 39.9),
                    (116.402_123_456_78, 39.9),
                ]))),
        );
        b.work(
            WorkBuilder::clean_heating("w2", Conversion::CoalToGas, 40)
                .owner("Builder")
                .days(20)
                .compound("c1")
                .wgs84(Geometry::Point(Point::new(116.4005, 39.9005))),
        );
        b.into_plan()
    }

    fn export_json(plan: &Plan, crs: InputCrs) -> Value {
        let bytes = to_bytes(plan, &ExportOptions { crs }).expect("exports");
        serde_json::from_slice(&bytes).expect("the export is JSON")
    }

    #[test]
    fn the_plan_member_holds_every_setting() {
        let v = export_json(&small_plan(), InputCrs::Wgs84);
        assert_eq!(v["type"], "FeatureCollection");
        let p = &v["plan"];
        assert_eq!(p["name"], "Test \"plan\"");
        assert_eq!(p["start"], "2027-03-01");
        assert_eq!(p["horizon_days"], 730);
        assert_eq!(p["calendars"]["rainy_season"]["from"], "06-15");
        assert_eq!(p["calendars"]["heating_season"]["to"], "03-15");
        assert_eq!(p["calendars"]["frozen_ground"]["to"], "02-28");
        assert_eq!(p["calendars"]["holidays"][0], "2027-10-01");
        assert_eq!(p["calendars"]["weekends_work"], true);
        assert_eq!(p["crews"]["gas"], 2);
        assert_eq!(p["default_crews"], 4);
        assert_eq!(p["share_distance_m"], 3.0);
        assert_eq!(p["min_shared_length_m"], 20.0);
        assert_eq!(p["clearance_profile"], "cn-gb50289");
        assert_eq!(p["district_limits"]["Dongcheng"], 3);
        assert_eq!(p["cluster_gap_m"], 30.0);
        let keys: Vec<&str> = p
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys.len(), 11, "{keys:?}");
    }

    #[test]
    fn features_carry_the_format_property_names() {
        let v = export_json(&small_plan(), InputCrs::Wgs84);
        let f = v["features"].as_array().expect("array");
        assert_eq!(f.len(), 4);
        let street = &f[0]["properties"];
        assert_eq!(street["kind"], "street");
        assert_eq!(street["paving"], "major_repair");
        assert_eq!(street["cut_exception"], true);
        let compound = &f[1]["properties"];
        assert_eq!(compound["kind"], "compound");
        assert_eq!(compound["class"], "upgrade");
        assert_eq!(compound["finish_by"], "2028-06-30");
        assert_eq!(compound["extra_tasks"][0], "elevator");
        let gas = &f[2]["properties"];
        assert_eq!(gas["utility"], "gas");
        assert_eq!(gas["pressure"], "medium_a");
        assert_eq!(gas["action"], "replace");
        assert_eq!(gas["productivity_m_per_day"], 35.5);
        assert_eq!(gas["deadline_kind"], "soft");
        assert!(gas.get("duration_days").is_none());
        let heating = &f[3]["properties"];
        assert_eq!(heating["trade"], "clean_heating");
        assert_eq!(heating["conversion"], "coal_to_gas");
        assert_eq!(heating["households"], 40);
        assert_eq!(heating["compound"], "c1");
        assert_eq!(heating["duration_days"], 20);
        assert_eq!(f[3]["geometry"]["type"], "Point");
    }

    #[test]
    fn positions_are_rounded_to_seven_decimals() {
        let v = export_json(&small_plan(), InputCrs::Wgs84);
        let line = &v["features"][2]["geometry"]["coordinates"];
        assert_eq!(line[0][0].as_f64(), Some(116.4));
        assert_eq!(line[1][0].as_f64(), Some(116.402_123_5));
    }

    #[test]
    fn polygon_exteriors_are_written_counter_clockwise() {
        let v = export_json(&small_plan(), InputCrs::Wgs84);
        let ring = v["features"][1]["geometry"]["coordinates"][0]
            .as_array()
            .expect("ring");
        let coords: Vec<Coord<f64>> = ring
            .iter()
            .map(|p| Coord {
                x: p[0].as_f64().expect("lon"),
                y: p[1].as_f64().expect("lat"),
            })
            .collect();
        assert!(twice_signed_area(&LineString::from(coords)) > 0.0);
    }

    #[test]
    fn gcj02_output_moves_positions_by_hundreds_of_metres() {
        let plan = small_plan();
        let wgs = export_json(&plan, InputCrs::Wgs84);
        let gcj = export_json(&plan, InputCrs::Gcj02);
        let a = &wgs["features"][3]["geometry"]["coordinates"];
        let b = &gcj["features"][3]["geometry"]["coordinates"];
        let dx = (b[0].as_f64().expect("x") - a[0].as_f64().expect("x")) * 85_000.0;
        let dy = (b[1].as_f64().expect("y") - a[1].as_f64().expect("y")) * 111_000.0;
        let metres = dx.hypot(dy);
        assert!((100.0..700.0).contains(&metres), "{metres}");
    }

    #[test]
    fn positions_outside_the_output_system_are_errors_naming_the_feature() {
        let err = to_bytes(
            &small_plan(),
            &ExportOptions {
                crs: InputCrs::GaussKruger { epsg: 4513 },
            },
        )
        .expect_err("Beijing is not in zone 25");
        assert!(
            matches!(&err, ExportError::Coordinate { feature_id, .. } if feature_id == "s1"),
            "{err}"
        );
    }

    #[test]
    fn non_finite_numbers_are_errors() {
        let mut plan = small_plan();
        plan.works[0].diameter_mm = Some(f64::NAN);
        let err = to_bytes(&plan, &ExportOptions::default()).expect_err("NaN");
        assert!(
            matches!(&err, ExportError::NonFinite { feature_id, field: "diameter_mm" } if feature_id == "w1"),
            "{err}"
        );
    }

    #[test]
    fn the_same_plan_gives_the_same_bytes() {
        let plan = small_plan();
        let a = to_bytes(&plan, &ExportOptions::default()).expect("exports");
        let b = to_bytes(&plan, &ExportOptions::default()).expect("exports");
        assert_eq!(a, b);
    }
}
